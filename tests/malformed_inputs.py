"""Malformed variants of the templates and fixtures: the project's bad-input fuzz.

:func:`variants` makes ``n`` variants from a seed (the same seed always gives the same
variants). Each starts from files an analyst could have -- the fictional CSV files, the
fictional workbooks (with and without mistakes), the data-entry template's CSV files, or the
fixture rows saved in the template workbook; one table alone or both -- and breaks them in
one to three ways, the ways files really break:

* CSV text: a cell deleted or added, a value replaced by something odd (a formula, a NUL, a
  200,000-character cell, a right-to-left mark, ``nan``...), a header renamed, doubled or
  blanked, columns swapped, an unbalanced quote, another separator or encoding, blank rows
  on top, line endings mixed, rows doubled;
* bytes: cut short, bytes flipped or inserted, the file emptied;
* workbooks: the archive cut short or flipped, a part dropped, cut short or spoilt, cells
  of another type (an error, a number that is text, a shared text that does not exist, a
  boolean of 2), odd row and cell references, a value far away, merged cells, sheets renamed,
  a document type declared, an encrypted or old-format file under an ``.xlsx`` name.

``tests/test_fuzz_inputs.py`` runs them through ``tees-analysis validate`` (and some through
``add-year``) in-process. ``TEES_FUZZ_VARIANTS`` (default 300) and ``TEES_FUZZ_SEED``
(default 0) change how many and which (README, "Bad input files").
"""

from __future__ import annotations

import csv
import functools
import io
import random
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import openpyxl
from broken_files import rewrite_zip
from fixture_files import CHILDREN, FIXTURES, NEW, REVIEWS, read_rows

from tees_analysis.data import template
from tees_analysis.data.read import CFB_SIGNATURE
from tees_analysis.data.schema import FIELDS
from tees_analysis.paths import ROOT


@dataclass(frozen=True)
class Variant:
    """Files to validate together (name -> bytes), and what was done to them."""

    name: str
    files: dict[str, bytes]


#: Values that have broken, or could break, a reader or a rule.
ODD_VALUES = (
    "", " ", "\t", "=1+1", "@SUM(1)", "+1", "-2+3", '"', "''", '"quoted"', "\x00", "a\x00b",
    "\r", "\n", "x\ny", "∞", "NaN", "nan", "inf", "-inf", "-0", "1e309", "9" * 40, "0x10",
    "１２", "٣", "\u202eR1", "\ufeffR1", "🙂", "N/K", "yes;no", "yes; no; yes", "2019-02-30",
    "31/12/2019", "R1,R2", "neglect; not recorded", "null", "None", "TRUE", "#N/A", "#REF!",
    "Mother & Partner", " CP Plan ", "x" * 41, "1,000", "12.5", "-1", "2099", "1899",
    "0123 456 7890", "TS1 3AB", "<b>", "&amp;", "%s%n", "{0}", "\\", "../../etc/passwd",
)  # fmt: skip
HUGE = "x" * 200_000


def _csv_text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


# --------------------------------------------------------------------------- CSV edits
# Each takes (rng, rows) and changes the rows (a list of lists of cells, the header first).


def _cell(rng: random.Random, rows) -> tuple[int, int]:
    r = rng.randrange(len(rows))
    return r, rng.randrange(len(rows[r])) if rows[r] else 0


def delete_cell(rng, rows):
    r, c = _cell(rng, rows)
    if rows[r]:
        del rows[r][c]


def add_cells(rng, rows):
    rows[rng.randrange(len(rows))] += [rng.choice(ODD_VALUES) for _ in range(rng.randint(1, 3))]


def odd_value(rng, rows):
    if len(rows) > 1:
        r = rng.randrange(1, len(rows))
        if rows[r]:
            rows[r][rng.randrange(len(rows[r]))] = rng.choice(ODD_VALUES)


def huge_value(rng, rows):
    r, c = _cell(rng, rows)
    if rows[r]:
        rows[r][c] = HUGE


def odd_header(rng, rows):
    if rows[0]:
        rows[0][rng.randrange(len(rows[0]))] = rng.choice(
            ("", " ", "=HYPERLINK(1)", "review_id", "child_id", "Child ID", "NHS number",
             "Date of birth", "postcode", "Age", "notes", "Neglect", "year ", "YEAR")
        )  # fmt: skip


def swap_columns(rng, rows):
    width = min(len(r) for r in rows)
    if width > 1:
        a, b = rng.sample(range(width), 2)
        for row in rows:
            row[a], row[b] = row[b], row[a]


def drop_column(rng, rows):
    width = min(len(r) for r in rows)
    if width:
        k = rng.randrange(width)
        for row in rows:
            del row[k]


def double_rows(rng, rows):
    if len(rows) > 1:
        rows.insert(rng.randrange(1, len(rows) + 1), list(rng.choice(rows[1:])))


def drop_rows(rng, rows):
    del rows[1 : rng.randint(1, len(rows))]


def blank_rows(rng, rows):
    at = rng.choice((0, rng.randrange(len(rows) + 1)))
    rows[at:at] = [[""] * rng.randint(0, 3) for _ in range(rng.randint(1, 3))]


CSV_EDITS: tuple[Callable, ...] = (
    delete_cell, add_cells, odd_value, odd_value, odd_value, huge_value, odd_header,
    swap_columns, drop_column, double_rows, drop_rows, blank_rows,
)  # fmt: skip


# --------------------------------------------------------------------------- text and bytes


def unbalanced_quote(rng, text: str) -> str:
    at = rng.randrange(len(text) + 1)
    return text[:at] + '"' + text[at:]


def separators(rng, text: str) -> str:
    return text.replace(",", rng.choice((";", "\t", "|", ", ")))


def line_endings(rng, text: str) -> str:
    lines = text.split("\n")
    return "".join(line + rng.choice(("\n", "\r\n", "\r")) for line in lines)


TEXT_EDITS: tuple[Callable, ...] = (unbalanced_quote, separators, line_endings)


def encode(rng, text: str) -> bytes:
    how = rng.choice(("utf-8", "utf-8", "utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252"))
    return text.encode(how, errors="replace")


def cut_short(rng, data: bytes) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def flip_bytes(rng, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if out:
            out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def insert_bytes(rng, data: bytes) -> bytes:
    at = rng.randrange(len(data) + 1)
    junk = rng.choice((b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"\x1a", bytes(range(256))))
    return data[:at] + junk + data[at:]


def emptied(_rng, _data: bytes) -> bytes:
    return b""


BYTE_EDITS: tuple[Callable, ...] = (cut_short, flip_bytes, insert_bytes, emptied)


# --------------------------------------------------------------------------- workbook edits
# Each takes (rng, data) and returns the workbook's new bytes.


def _sheets(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [n for n in z.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]


def _edit_sheet(rng, data: bytes, edit: Callable[[bytes], bytes]) -> bytes:
    sheets = _sheets(data)
    if not sheets:
        return data
    part = rng.choice(sheets)
    return rewrite_zip(data, lambda n, m: edit(m) if n == part else m)


def drop_part(rng, data):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        part = rng.choice(z.namelist())
    return rewrite_zip(data, lambda n, m: None if n == part else m)


def cut_part(rng, data):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        part = rng.choice(z.namelist())
    return rewrite_zip(data, lambda n, m: m[: rng.randrange(len(m) + 1)] if n == part else m)


def spoil_part(rng, data):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        part = rng.choice(z.namelist())

    def spoil(member: bytes) -> bytes:
        at = rng.randrange(len(member) + 1)
        junk = rng.choice((b"<", b"&", b"\x00", b"]]>", b"&bogus;", b"</row>", b'"', b"\xff"))
        return member[:at] + junk + member[at:]

    return rewrite_zip(data, lambda n, m: spoil(m) if n == part else m)


_CELL = re.compile(rb'<c r="([A-Z]+)(\d+)"[^>]*?(?:/>|>.*?</c>)', re.DOTALL)
ODD_CELLS = (
    b't="e"><v>#N/A</v></c>', b't="n"><v>abc</v></c>', b't="s"><v>9999</v></c>',
    b't="s"><v>-1</v></c>', b't="b"><v>2</v></c>', b't="d"><v>garbage</v></c>',
    b't="str"><v>text</v></c>', b't="inlineStr"><is><r><t>rich</t></r></is></c>',
    b'><f>1/0</f><v>#DIV/0!</v></c>', b's="9999"><v>1</v></c>', b't="zz"><v>1</v></c>',
    b'><v>1e400</v></c>', b't="inlineStr"/>',
)  # fmt: skip


def odd_cell(rng, data):
    def edit(member: bytes) -> bytes:
        cells = list(_CELL.finditer(member))
        if not cells:
            return member
        cell = rng.choice(cells)
        new = b'<c r="' + cell[1] + cell[2] + b'" ' + rng.choice(ODD_CELLS)
        return member[: cell.start()] + new + member[cell.end() :]

    return _edit_sheet(rng, data, edit)


def odd_reference(rng, data):
    def edit(member: bytes) -> bytes:
        old = rng.choice((b'<row r="2"', b'<c r="A2"', b'<c r="B3"'))
        new = rng.choice((b'<row r="0"', b'<row r="-1"', b'<row r="abc"', b'<row r="2.5"',
                          b'<row r="99999999999"', b'<c r="ZZZZ2"', b'<c r="A0"', b'<c r="2A"',
                          b'<c r=""', b"<row", b"<c"))  # fmt: skip
        return member.replace(old, new, 1)

    return _edit_sheet(rng, data, edit)


def far_value(rng, data):
    ref = rng.choice((b"XFD1048576", b"P1048576", b"AZ2", b"A1048576", b"ZZ3"))
    row = re.search(rb"\d+", ref)[0]
    cell = b'<row r="' + row + b'"><c r="' + ref + b'" t="inlineStr"><is><t>far</t></is></c></row>'
    return _edit_sheet(rng, data, lambda m: m.replace(b"</sheetData>", cell + b"</sheetData>", 1))


def merged(rng, data):
    refs = rng.choice((b"A2:B3", b"C4:C5", b"A1:P1", b"A2:XFD1048576"))
    xml = b'<mergeCells count="1"><mergeCell ref="' + refs + b'"/></mergeCells>'
    return _edit_sheet(rng, data, lambda m: m.replace(b"</sheetData>", b"</sheetData>" + xml, 1))


def renamed_sheet(rng, data):
    new = rng.choice((b"REVIEWS1", b"", b"reviews", b"Children 2022", b"Sheet1", b"&lt;x&gt;"))
    old = rng.choice((b'name="reviews"', b'name="children"', b'name="README"'))
    return rewrite_zip(
        data,
        lambda n, m: m.replace(old, b'name="' + new + b'"', 1) if n == "xl/workbook.xml" else m,
    )


def document_type(rng, data):
    decl = rng.choice((b"<!DOCTYPE worksheet>", b'<!DOCTYPE x [<!ENTITY a "aaaa">]>'))

    def edit(member: bytes) -> bytes:
        rest = member.split(b"?>", 1)[1] if member.startswith(b"<?xml") else member
        return b'<?xml version="1.0"?>' + decl + rest

    return _edit_sheet(rng, data, edit)


def compound_file(rng, _data):
    if rng.random() < 0.5:
        return (FIXTURES / "encrypted.xlsx").read_bytes()
    return CFB_SIGNATURE + bytes(rng.randrange(256) for _ in range(512))


XLSX_EDITS: tuple[Callable, ...] = (
    cut_short, flip_bytes, drop_part, cut_part, spoil_part, spoil_part, odd_cell, odd_cell,
    odd_cell, odd_reference, far_value, merged, renamed_sheet, document_type, compound_file,
)  # fmt: skip


# --------------------------------------------------------------------------- the bases


@functools.cache
def bases() -> dict[str, dict[str, bytes]]:
    """The files the variants start from (made once)."""
    rows = {"reviews": read_rows(REVIEWS), "children": read_rows(CHILDREN)}
    records = {}
    for table, table_rows in rows.items():
        names = [f.name for f in FIELDS[table]]
        records[table] = [dict(zip(names, r, strict=True)) for r in table_rows[1:]]
    workbook = template.xlsx_bytes(template.build_workbook(records))
    templates = ROOT / "templates"
    one_sheet = io.BytesIO()
    book = openpyxl.Workbook()
    book.active.title = "children"
    for row in rows["children"]:
        book.active.append(row)
    book.save(one_sheet)
    mistakes = (FIXTURES / "fictional_children_with_mistakes.csv").read_bytes()
    return {
        # one table alone (checked by itself, as validate checks any file it is given)
        "reviews csv": {"reviews.csv": REVIEWS.read_bytes()},
        "children csv": {"children.csv": CHILDREN.read_bytes()},
        "children csv with mistakes": {"children.csv": mistakes},
        "children sheet": {"children.xlsx": one_sheet.getvalue()},
        # both tables
        "fixture csv": {"reviews.csv": REVIEWS.read_bytes(), "children.csv": CHILDREN.read_bytes()},
        "csv with mistakes": {"reviews.csv": REVIEWS.read_bytes(), "children.csv": mistakes},
        "template csv": {
            "reviews.csv": (templates / "reviews_template.csv").read_bytes(),
            "children.csv": (templates / "children_template.csv").read_bytes(),
        },
        "fixture workbook": {"cases.xlsx": NEW.read_bytes()},
        "workbook with mistakes": {
            "cases.xlsx": (FIXTURES / "fictional_2022_with_mistakes.xlsx").read_bytes()
        },
        "template workbook": {"cases.xlsx": workbook},
        "csv and workbook": {"reviews.csv": REVIEWS.read_bytes(), "cases.xlsx": workbook},
    }


def _break(rng: random.Random, name: str, data: bytes) -> tuple[bytes, list[str]]:
    """``data`` (a file called ``name``) broken in one to three ways; what was done."""
    done = []
    for _ in range(rng.choice((1, 1, 2, 3))):
        if name.endswith(".xlsx"):
            edit = rng.choice(XLSX_EDITS)
            try:
                data = edit(rng, data)
            except Exception:  # an archive already broken beyond this edit: skip it
                continue
        elif rng.random() < 0.15:
            edit = rng.choice(BYTE_EDITS)
            data = edit(rng, data)
        else:
            text = data.decode("utf-8", errors="replace")
            if rng.random() < 0.25:
                edit = rng.choice(TEXT_EDITS)
                text = edit(rng, text)
            else:
                edit = rng.choice(CSV_EDITS)
                try:
                    rows = _rows(text) or [[]]
                except csv.Error:
                    continue  # already unreadable as CSV (a cell over the size limit)
                edit(rng, rows)
                text = _csv_text(rows)
            data = encode(rng, text)
        done.append(edit.__name__)
    return data, done


def variants(n: int, seed: int = 0) -> Iterator[Variant]:
    """``n`` malformed variants, the same for the same ``seed``."""
    rng = random.Random(seed)
    names = sorted(bases())
    for k in range(n):
        base = rng.choice(names)
        files = dict(bases()[base])
        broken = rng.sample(sorted(files), rng.randint(1, len(files)))
        what = []
        for name in broken:
            files[name], done = _break(rng, name, files[name])
            what.append(f"{name}: {'+'.join(done)}")
        yield Variant(f"#{k} {base} ({'; '.join(what)})", files)
