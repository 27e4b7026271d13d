"""Read an analyst's raw files (``.csv`` or ``.xlsx``) into rows of text, never modifying them.

Every cell is read as the text the analyst typed; typing and normalisation happen in
:mod:`tees_analysis.data.clean`. Row numbers are spreadsheet rows as the user sees them: the header
is row 1 and the first data row is row 2.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .problems import ProblemLog, quote_list
from .schema import TABLES

CSV_SUFFIXES = (".csv",)
XLSX_SUFFIXES = (".xlsx", ".xlsm")


@dataclass
class RawTable:
    """The text of one table as found in one file (or one sheet of a workbook)."""

    table: str
    file: str
    sheet: str | None
    headers: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)


def read_files(paths, log: ProblemLog) -> list[RawTable]:
    """Read every file in ``paths``; problems go to ``log`` and the file's tables are skipped."""
    tables: list[RawTable] = []
    for path in map(Path, paths):
        name = str(path)
        if not path.is_file():
            log.add(name, "file not found")
            continue
        suffix = path.suffix.casefold()
        if suffix in CSV_SUFFIXES:
            table = _read_csv(path, log)
            tables += [table] if table else []
        elif suffix in XLSX_SUFFIXES:
            tables += _read_xlsx(path, log)
        elif suffix == ".xls":
            log.add(name, "old Excel format (.xls) is not read; save the workbook as .xlsx")
        else:
            log.add(name, f"unsupported file type '{path.suffix}'", allowed="'.csv', '.xlsx'")
    return tables


def table_for_name(name: str) -> str | None:
    """Which table a file or sheet name stands for (``reviews.csv``, ``Children``...)."""
    key = name.casefold().strip()
    hits = [t for t in TABLES if t.rstrip("s") in key or (t == "children" and "child" in key)]
    return hits[0] if len(hits) == 1 else None


def _read_csv(path: Path, log: ProblemLog) -> RawTable | None:
    name = str(path)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        log.add(
            name,
            f"the file is not UTF-8 text (byte 0x{data[err.start]:02x}); "
            "in Excel save it as 'CSV UTF-8 (Comma delimited)'",
            row=data[: err.start].count(b"\n") + 1,
        )
        return None
    records = list(csv.reader(io.StringIO(text, newline="")))
    numbered = [(i, [c for c in rec]) for i, rec in enumerate(records, start=1)]
    numbered = [(i, rec) for i, rec in numbered if any(c.strip() for c in rec)]
    if not numbered:
        log.add(name, "the file is empty")
        return None
    header_row, headers = numbered[0]
    if header_row != 1:
        log.add(name, "the header must be on row 1; the file starts with blank rows", row=1)
        return None
    if len(headers) == 1:
        for sep, what in ((";", "semicolons"), ("\t", "tabs")):
            if sep in headers[0]:
                log.add(
                    name,
                    f"the columns seem to be separated by {what}; save the file comma-separated",
                    row=1,
                )
                return None
    table = table_for_name(path.stem) or _table_from_headers(headers)
    if table is None:
        log.add(
            name,
            "cannot tell which table this file holds; name it reviews.csv or children.csv",
            allowed=quote_list(TABLES),
        )
        return None
    raw = RawTable(table, name, None, [h.strip() for h in headers])
    for row, cells in numbered[1:]:
        if len(cells) > len(headers) and any(c.strip() for c in cells[len(headers) :]):
            log.add(
                name,
                f"the row has {len(cells)} values but the header has {len(headers)} columns",
                row=row,
            )
        raw.rows.append((row, (cells + [""] * len(headers))[: len(headers)]))
    return _non_empty(raw, log)


def _table_from_headers(headers: list[str]) -> str | None:
    keys = {h.strip().casefold().replace(" ", "_") for h in headers}
    if "child_id" in keys:
        return "children"
    if "review_id" in keys:
        return "reviews"
    return None


def _non_empty(raw: RawTable, log: ProblemLog) -> RawTable | None:
    if not raw.rows:
        log.add(raw.file, "the table has a header but no data rows", sheet=raw.sheet, row=2)
        return None
    return raw


def cell_text(value) -> str:
    """The text of a spreadsheet cell as the analyst sees it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10]
    return str(value)


def _read_xlsx(path: Path, log: ProblemLog) -> list[RawTable]:
    import openpyxl  # imported here: only needed for workbooks
    from openpyxl.utils.exceptions import InvalidFileException

    name = str(path)
    try:
        workbook = openpyxl.load_workbook(path, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as err:
        log.add(name, f"cannot be read as an Excel workbook ({type(err).__name__})")
        return []
    found = {ws.title: table_for_name(ws.title) for ws in workbook.worksheets}
    wanted = {title: t for title, t in found.items() if t and title.strip().casefold() == t}
    sheets = f"sheets found: {quote_list(found)}; expected: {quote_list(TABLES)}"
    for table in TABLES:
        if table in wanted.values():
            continue
        probable = [title for title, t in found.items() if t == table]
        if probable:  # "Children 2022", "reviews (final)"...: say so, but do not guess
            which = (
                f"the sheet '{probable[0]}' is probably it: rename it '{table}'"
                if len(probable) == 1
                else f"the sheets {quote_list(probable)} look like it: rename the one to "
                f"read '{table}'"
            )
            log.add(
                name,
                f"no sheet named '{table}'; {which} ({sheets})",
                sheet=probable[0] if len(probable) == 1 else None,
                allowed=quote_list(TABLES),
            )
    if not wanted:
        if not any(found.values()):
            log.add(
                name,
                f"no sheet named 'reviews' or 'children' ({sheets})",
                allowed=quote_list(TABLES),
            )
        return []
    tables = []
    for title, table in wanted.items():
        raw = _read_sheet(workbook[title], name, table, log)
        if raw is not None:
            tables.append(raw)
    return tables


def _read_sheet(ws, name: str, table: str, log: ProblemLog) -> RawTable | None:
    sheet = ws.title
    for merged in ws.merged_cells.ranges:
        log.add(
            name,
            f"merged cells {merged.coord}; unmerge them and fill in every cell",
            sheet=sheet,
            row=merged.min_row,
        )
    rows: list[tuple[int, list[str]]] = []
    formulas = []
    for row in ws.iter_rows():
        texts = []
        for pos, cell in enumerate(row):
            if cell.data_type == "f":
                formulas.append((cell, pos))
            texts.append(cell_text(cell.value))
        if any(t.strip() for t in texts):
            rows.append((row[0].row, texts))
    header = rows[0][1] if rows and rows[0][0] == 1 else []
    for cell, pos in formulas:
        log.add(
            name,
            f"cell {cell.coordinate} holds a formula; type the value instead",
            sheet=sheet,
            row=cell.row,
            column=header[pos].strip() if pos < len(header) and header[pos].strip() else None,
            value=str(cell.value),
        )
    if not rows:
        log.add(name, "the sheet is empty", sheet=sheet)
        return None
    header_row, headers = rows[0]
    if header_row != 1:
        log.add(name, "the header must be on row 1", sheet=sheet, row=1)
        return None
    while headers and not headers[-1].strip():
        headers = headers[:-1]
    width = len(headers)
    raw = RawTable(table, name, sheet, [h.strip() for h in headers])
    for row, cells in rows[1:]:
        if any(c.strip() for c in cells[width:]):
            log.add(name, "values to the right of the last named column", sheet=sheet, row=row)
        raw.rows.append((row, (cells + [""] * width)[:width]))
    return _non_empty(raw, log)
