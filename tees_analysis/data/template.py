"""The data-entry template, generated from the schema: an ``.xlsx`` workbook and two ``.csv`` files.

``tees-analysis template [--out DIR]`` (or ``python -m tees_analysis.data.template``) writes
``templates/tees_case_data_template.xlsx``, ``templates/reviews_template.csv`` and
``templates/children_template.csv``; a test fails while the committed files differ from what
this module renders.

The workbook has a ``README`` sheet (how to fill it in, the columns and their allowed values,
all taken from :mod:`tees_analysis.data.schema`), one sheet per table with the field names on row 1
(frozen), drop-down lists for every category and yes/no column, whole-number checks for years
and ages, and a hidden ``lists`` sheet holding the values of the drop-down lists.

Drop-down lists offer single values. Multi-valued columns (several values separated by ``;``)
use the error style ``information``, so Excel shows a note but keeps a typed combination such
as ``mother; in our care``; one-value columns use ``stop``.

Output is byte-for-byte reproducible: openpyxl stamps the save time into
``docProps/core.xml`` and every zip entry, so :func:`xlsx_bytes` rewrites the archive with fixed
document dates and entry times, and stores the entries uncompressed so that the bytes do not
depend on the zlib build.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import zipfile
from pathlib import Path

import pandas as pd

from ..paths import TEMPLATES, display
from . import atomic
from .schema import FIELDS, NO_TOKENS, NOT_RECORDED, TABLES, YES_TOKENS, Field

XLSX_NAME = "tees_case_data_template.xlsx"
CSV_NAMES = {table: f"{table}_template.csv" for table in TABLES}

#: Data rows (2 to DATA_ROWS + 1) covered by the drop-down lists and checks.
DATA_ROWS = 2000
#: Document dates written into every generated workbook (instead of the time of saving).
FIXED_DATE = "2000-01-01T00:00:00Z"
#: Zip entry time of every generated workbook (the earliest a zip file can record).
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
LISTS_SHEET = "lists"
YES_NO = ("yes", "no")

_HEADER_FILL = "DDEBF7"
_README_WIDTHS = {"A": 30, "B": 26, "C": 22, "D": 48, "E": 70}


# --------------------------------------------------------------------------- README text


def _allowed_text(f: Field) -> str:
    if f.categories:
        return "; ".join(c.label for c in f.categories)
    if f.kind == "yes_no":
        return "yes or no (blank means no)"
    if f.kind == "integer":
        high = f.maximum if f.maximum is not None else "this year"
        return f"a whole number from {f.minimum} to {high}"
    if f.kind == "id":
        return "a code of letters, digits, '_', '-' or '.', up to 40 characters"
    return "letters, spaces, ' and -, up to 40 characters"


def _entry_text(f: Field) -> str:
    if f.kind == "multi_category":
        return "one or more values from the list, separated by '; '"
    if f.kind == "category":
        return "one value from the list"
    if f.kind == "yes_no":
        return "yes / no from the list"
    if f.kind == "integer":
        return "a whole number"
    if f.kind == "id":
        return "a code (never a name)"
    return "text"


def _presence(f: Field) -> str:
    if not f.required:
        return "optional column"
    return "blank allowed" if f.blank_allowed else "must be filled in"


def _multi_fields() -> list[str]:
    return [f.name for t in TABLES for f in FIELDS[t] if f.kind == "multi_category"]


def readme_rows() -> list[tuple[str, ...]]:
    """The README sheet as rows of text (first cell of a one-cell row = a paragraph)."""
    yes = ", ".join(t for t in YES_TOKENS if t.isascii())
    no = ", ".join(t for t in NO_TOKENS if t)
    multi = " and ".join(f"'{name}'" for name in _multi_fields())
    rows: list[tuple[str, ...]] = [
        ("Tees case-level data: data-entry template",),
        ("Generated from tees_analysis/data/schema.py by `tees-analysis template`; the columns and "
         "allowed values below are those of data/codebook.md.",),
        ("",),
        ("NEVER ENTER names, dates of birth, addresses, postcodes, NHS numbers, phone numbers or "
         "e-mail addresses of anyone. Children and reviews are identified by codes only (for "
         "example ST22-R1, ST22-C1). Columns headed like an identifier and cells shaped like an "
         "NHS number, a date or a postcode are rejected.",),
        ("",),
        ("How to fill it in",),
        ("1. Sheet 'reviews': one row per review. Sheet 'children': one row per child, with the "
         "review_id of the child's review (on the 'reviews' sheet, or already in the dataset).",),
        ("2. Row 1 holds the column names: do not rename, move or delete them, and start the "
         "data on row 2. Do not add sheets named 'reviews' or 'children'.",),
        ("3. Pick values from the drop-down list of a selected cell. Where the list offers "
         f"'{NOT_RECORDED}', use it when the review does not say.",),
        (f"4. Several values in one cell: the columns {multi} may hold more than one value. Pick "
         "one value from the list, then type '; ' and the next value, e.g. "
         "'mother; in our care'. Excel then says the value is not in the list: click OK to keep "
         f"it. '{NOT_RECORDED}' cannot be combined with other values.",),
        (f"5. yes/no columns: yes or no (also read: {yes} / {no}); a blank cell means no.",),
        ("6. year and age_months take whole numbers; give age_months, age_band or both.",),
        ("7. Type values, not formulas; do not merge cells; colours and comments are ignored.",),
        ("8. Check the file, then add it to the dataset (nothing is written while any problem "
         "remains; every problem is listed with its sheet, row, column and value):",),
        ("      .venv/bin/tees-analysis validate this_file.xlsx",),
        ("      .venv/bin/tees-analysis add-year this_file.xlsx",),
        ("See docs/adding-a-new-year.md.",),
    ]  # fmt: skip
    for table in TABLES:
        rows += [("",), (f"Sheet '{table}'",)]
        rows.append(("column", "other accepted header", "what to enter", "allowed values",
                     "meaning"))  # fmt: skip
        for f in FIELDS[table]:
            meaning = f.meaning + (f" {f.note}" if f.note else "")
            entry = f"{_entry_text(f)}; {_presence(f)}"
            rows.append((f.name, f.label, entry, _allowed_text(f), meaning))
    return rows


# --------------------------------------------------------------------------- workbook


def _prompt(f: Field) -> str:
    text = f"{_entry_text(f)}. {f.meaning}"
    return text if len(text) <= 250 else text[:247].rstrip() + "..."


def _validation(f: Field, column: str, list_ranges: dict[str, str], table: str):
    from openpyxl.worksheet.datavalidation import DataValidation

    common = {
        "allow_blank": True,
        "showInputMessage": True,
        "showErrorMessage": True,
        "promptTitle": f.name[:32],
        "prompt": _prompt(f),
        "sqref": f"{column}2:{column}{DATA_ROWS + 1}",
    }
    if f.kind in ("category", "multi_category", "yes_no"):
        multi = f.kind == "multi_category"
        return DataValidation(
            type="list",
            formula1=list_ranges[f.name],
            errorStyle="information" if multi else "stop",
            errorTitle="Several values?" if multi else "Not in the list",
            error=(
                "Values not in the list are kept: fine for several values separated by '; ' "
                "(click OK). Otherwise click Cancel and pick from the list."
                if multi
                else "Pick a value from the drop-down list (see the README sheet)."
            ),
            **common,
        )
    if f.kind == "integer":
        high = str(f.maximum) if f.maximum is not None else "YEAR(TODAY())"
        return DataValidation(
            type="whole",
            operator="between",
            formula1=str(f.minimum),
            formula2=high,
            errorStyle="stop",
            errorTitle="Whole number",
            error=f"A whole number from {f.minimum} to "
            f"{f.maximum if f.maximum is not None else 'this year'}.",
            **common,
        )
    if table == "children" and f.name == "review_id":
        return DataValidation(
            type="list",
            formula1=f"reviews!$A$2:$A${DATA_ROWS + 1}",
            errorStyle="warning",
            errorTitle="Review not on the reviews sheet",
            error="This review_id is not on the 'reviews' sheet. Keep it (Yes) only if the "
            "review is already in the dataset.",
            **common,
        )
    return DataValidation(
        type="textLength",
        operator="lessThanOrEqual",
        formula1="40",
        errorStyle="stop",
        errorTitle="Too long",
        error="Up to 40 characters. Codes only: never a name.",
        **common,
    )


def _list_values(f: Field) -> tuple[str, ...]:
    return YES_NO if f.kind == "yes_no" else f.labels


def _width(f: Field) -> float:
    longest = max([len(f.name), *(len(v) for v in _list_values(f))], default=len(f.name))
    return float(min(max(longest + 3, 12), 45))


def build_workbook(rows: dict[str, list[dict]] | None = None):
    """The template as an openpyxl workbook, optionally filled with ``rows``.

    ``rows`` maps a table name to a list of records ``{field name: value}`` (text or numbers,
    as an analyst would type them); they are written from row 2 in the field order.
    """
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter, quote_sheetname

    wb = openpyxl.Workbook()
    readme = wb.active
    readme.title = "README"
    bold = Font(bold=True)
    for r, cells in enumerate(readme_rows(), start=1):
        for c, text in enumerate(cells, start=1):
            cell = readme.cell(row=r, column=c, value=text)
            cell.alignment = Alignment(wrap_text=len(cells) > 1, vertical="top")
            if len(cells) > 1 and cells[0] == "column":
                cell.font = bold
        if len(cells) == 1 and (r == 1 or cells[0].startswith(("How to", "Sheet '", "NEVER"))):
            readme.cell(row=r, column=1).font = Font(bold=True, size=14 if r == 1 else 11)
    for column, width in _README_WIDTHS.items():
        readme.column_dimensions[column].width = width

    lists = wb.create_sheet(LISTS_SHEET)
    list_ranges: dict[str, str] = {}
    column = 0
    seen: dict[tuple[str, ...], str] = {}
    for table in TABLES:
        for f in FIELDS[table]:
            values = _list_values(f) if f.kind in ("category", "multi_category", "yes_no") else ()
            if not values:
                continue
            if values not in seen:
                column += 1
                letter = get_column_letter(column)
                lists.cell(row=1, column=column, value=f.name)
                for r, value in enumerate(values, start=2):
                    lists.cell(row=r, column=column, value=value)
                sheet = quote_sheetname(LISTS_SHEET)
                seen[values] = f"{sheet}!${letter}$2:${letter}${len(values) + 1}"
            list_ranges[f.name] = seen[values]
    lists.sheet_state = "hidden"

    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor=_HEADER_FILL)
    for index, table in enumerate(TABLES, start=1):
        ws = wb.create_sheet(table, index)
        for c, f in enumerate(FIELDS[table], start=1):
            letter = get_column_letter(c)
            cell = ws.cell(row=1, column=c, value=f.name)
            cell.font = header_font
            cell.fill = header_fill
            ws.column_dimensions[letter].width = _width(f)
            ws.add_data_validation(_validation(f, letter, list_ranges, table))
            if f.kind == "id" or f.kind == "text":
                ws.column_dimensions[letter].number_format = "@"
        ws.freeze_panes = "A2"
        for r, record in enumerate((rows or {}).get(table, []), start=2):
            for c, f in enumerate(FIELDS[table], start=1):
                value = record.get(f.name)
                if f.kind == "integer" and isinstance(value, str) and value.strip().isdigit():
                    value = int(value)  # a number, as Excel stores a typed number
                if value is not None and value != "":
                    ws.cell(row=r, column=c, value=value)
    wb.active = 0
    return wb


# --------------------------------------------------------------------------- reading it back

#: What each sheet of the workbook is for.
SHEET_PURPOSES = {
    "README": "how to fill it in; every column, what to enter and what it means",
    "reviews": "one row per review",
    "children": "one row per child, with the review_id of the child's review",
    LISTS_SHEET: "the values offered by the drop-down lists (hidden)",
}


def sheets_table(workbook=None) -> pd.DataFrame:
    """The sheets of the template workbook (default: built now from the schema), in order."""
    wb = build_workbook() if workbook is None else workbook
    rows = []
    for ws in wb.worksheets:
        data = ws.title in TABLES
        rows.append(
            {
                "sheet": ws.title,
                "shown": ws.sheet_state == "visible",
                "columns": ws.max_column if data else pd.NA,
                "for": SHEET_PURPOSES.get(ws.title, ""),
            }
        )
    frame = pd.DataFrame(rows)
    frame["columns"] = frame["columns"].astype("Int64")
    return frame


def _range_values(wb, reference: str) -> list[str]:
    """The non-blank values of a range such as ``'lists'!$E$2:$E$4``."""
    sheet, cells = reference.rsplit("!", 1)
    ws = wb[sheet.strip("'")]
    return [str(c.value) for row in ws[cells.replace("$", "")] for c in row if c.value is not None]


def _check_text(wb, dv, f: Field) -> str:
    """What a data-validation rule lets an analyst enter, in words."""
    from openpyxl.utils import quote_sheetname

    if dv.type == "list" and dv.formula1.startswith(quote_sheetname(LISTS_SHEET)):
        values = "; ".join(_range_values(wb, dv.formula1))
        return f"{values} (several, separated by '; ')" if f.kind == "multi_category" else values
    if dv.type == "list":
        sheet = dv.formula1.split("!")[0].strip("'")
        return f"a review_id on the '{sheet}' sheet (or already in the dataset)"
    if dv.type == "whole":
        high = "this year" if "TODAY" in str(dv.formula2) else dv.formula2
        return f"a whole number from {dv.formula1} to {high}"
    if dv.type == "textLength" and f.kind == "id":
        return f"a code of up to {dv.formula1} characters (never a name)"
    if dv.type == "textLength":
        return f"text of up to {dv.formula1} characters"
    return dv.type or ""


def columns_table(workbook=None) -> pd.DataFrame:
    """Every column of the data sheets, as the workbook offers it: header, drop-down or check.

    Read from the workbook itself (default: built now from the schema): the header on row 1
    and the data-validation rule of the column, with the values of its drop-down list.
    ``must be filled in``: whether a blank cell is a problem (see the README sheet).
    """
    from openpyxl.utils import range_boundaries

    wb = build_workbook() if workbook is None else workbook
    rows = []
    for table in TABLES:
        ws = wb[table]
        rules = {  # column number -> the rule covering that column
            range_boundaries(cells)[0]: dv
            for dv in ws.data_validations.dataValidation
            for cells in str(dv.sqref).split()
        }
        fields = {f.name: f for f in FIELDS[table]}
        for header in ws[1]:
            f = fields.get(header.value)
            if f is None:
                continue
            dv = rules.get(header.column)
            rows.append(
                {
                    "sheet": table,
                    "column": f.name,
                    "entry": "drop-down list" if dv is not None and dv.type == "list" else "typed",
                    "allowed": "" if dv is None else _check_text(wb, dv, f),
                    "must be filled in": f.required and not f.blank_allowed,
                }
            )
    return pd.DataFrame(rows)


def xlsx_bytes(workbook) -> bytes:
    """Save ``workbook`` reproducibly: fixed document dates and zip entry times, no compression."""
    workbook.properties.creator = "tees-analysis"
    workbook.properties.lastModifiedBy = None
    buffer = io.BytesIO()
    workbook.save(buffer)
    return normalise_zip(buffer.getvalue())


def normalise_zip(data: bytes) -> bytes:
    """Rewrite an ``.xlsx`` archive so that the same content always gives the same bytes."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as target,
    ):
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:)",
                    rb"\g<1>" + FIXED_DATE.encode() + rb"\g<3>",
                    content,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_STORED
            entry.create_system = 3
            entry.external_attr = 0o644 << 16
            target.writestr(entry, content)
    return out.getvalue()


def csv_text(table: str) -> str:
    """The CSV template of ``table``: the header row only."""
    return ",".join(f.name for f in FIELDS[table]) + "\n"


def render() -> dict[str, bytes]:
    """Every template file: name -> bytes."""
    files = {XLSX_NAME: xlsx_bytes(build_workbook())}
    for table in TABLES:
        files[CSV_NAMES[table]] = csv_text(table).encode("utf-8")
    return files


def write_templates(out_dir: Path | str = TEMPLATES) -> list[Path]:
    """Write the templates to ``out_dir`` atomically; return the paths written."""
    out_dir = Path(out_dir)
    return atomic.write_files({out_dir / name: data for name, data in render().items()})


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tees_analysis.data.template")
    parser.add_argument("--out", default=TEMPLATES, help="output folder (default: templates/)")
    args = parser.parse_args(argv)
    written = write_templates(args.out)
    print("wrote " + ", ".join(display(p) for p in written))
    return 0


if __name__ == "__main__":
    sys.exit(main())
