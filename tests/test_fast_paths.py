"""The fast ways of reading, cleaning and validating give what the plain ways gave (issue 16,
item 6).

``validate`` of 100,000 children was made fast by parsing each distinct text of a column once,
checking rows as columns, and parsing workbook rows with the standard library's XML parser
(openpyxl's own parser only for cells out of the ordinary). ``reference_cleaning`` keeps the
plain versions; every test here runs both and requires the same result: the clean frames, the
change log, every problem and every warning. Speed is measured in
``benchmarks/bench_validate.py``, never here.
"""

from __future__ import annotations

import functools
import io
import random
import re
import string
import zipfile

import openpyxl
import pandas as pd
import pytest
import reference_cleaning
from broken_files import rewrite_zip, sheet_part
from fixture_files import FIXTURES
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import examples, raw_datasets

from tees_analysis.data import clean, pipeline, read, validate
from tees_analysis.data.problems import ValidationError
from tees_analysis.data.schema import FIELDS, field

MODULES = {"pipeline": pipeline, "validate": validate, "read": read, "clean": clean}


def outcome(paths):
    """Everything ``load`` gives for ``paths``: the tables, change log and warnings, or the
    problems and warnings."""
    try:
        data = pipeline.load(paths)
    except ValidationError as err:
        return {"problems": err.problems, "warnings": err.warnings}
    return {
        "reviews": data.reviews,
        "children": data.children,
        "changes": data.changes.astype(object),
        "warnings": list(data.warnings),
    }


def plain_outcome(paths):
    """:func:`outcome` with the plain (cell by cell, row by row) implementations."""
    with pytest.MonkeyPatch.context() as patch:
        for target, function in reference_cleaning.SWAPS.items():
            module, name = target.split(".")
            patch.setattr(MODULES[module], name, function)
        return outcome(paths)


def assert_same(paths) -> dict:
    fast, plain = outcome(paths), plain_outcome(paths)
    assert fast.keys() == plain.keys()
    for key, value in plain.items():
        if isinstance(value, pd.DataFrame):
            pd.testing.assert_frame_equal(fast[key], value, check_index_type=False)
        else:
            assert fast[key] == value, key
    return fast


@pytest.mark.parametrize(
    "files",
    [
        ["fictional_reviews.csv", "fictional_children.csv"],
        ["fictional_reviews.csv", "fictional_children_with_mistakes.csv"],
        ["fictional_2022.xlsx"],
        ["fictional_2022_with_mistakes.xlsx"],
    ],
)
def test_the_fixtures_give_what_they_gave(files):
    found = assert_same([FIXTURES / name for name in files])
    assert found.get("problems") or len(found["children"])  # one or the other, never neither


# Cells that break a valid dataset in the ways analysts do: unknown labels, blanks where a value
# is needed, identifiers, ids typed twice or for no review, contradictions, numbers out of range.
BAD_CELLS = (
    "", "maybe", "Y", "n", "N/K", "not recorded", "12/03/2019", "SE1 7AB", "R01", "R02", "C01",
    "neglect", "not known to children's social care", "no plan", "under 2", "2 and over",
    "999", "-1", "1.5", "2019", " yes ", "Mother & Partner", "x" * 45, "=1+1", "Yes; no",
    "physical abuse; neglect", "not known to children's social care; child in need",
)  # fmt: skip


@st.composite
def damaged_datasets(draw):
    """A valid dataset with up to eight of its cells replaced by :data:`BAD_CELLS`."""
    raw = draw(raw_datasets(max_children=12))
    tables = {"reviews": raw.reviews, "children": raw.children}
    rows = {t: [list(r) for r in rows] for t, (_, rows) in tables.items()}
    for _ in range(draw(st.integers(0, 8))):
        table = draw(st.sampled_from(("reviews", "children")))
        r = draw(st.integers(0, len(rows[table]) - 1))
        c = draw(st.integers(0, len(rows[table][r]) - 1))
        rows[table][r][c] = draw(st.sampled_from(BAD_CELLS))
    return type(raw)(
        (raw.reviews[0], tuple(map(tuple, rows["reviews"]))),
        (raw.children[0], tuple(map(tuple, rows["children"]))),
    )


@settings(max_examples=examples(5))
@given(damaged_datasets())
def test_drawn_datasets_give_what_they_gave(tmp_path_factory, raw):
    folder = tmp_path_factory.mktemp("drawn")
    assert_same(raw.write(folder))


@settings(max_examples=examples(3))
@given(damaged_datasets())
def test_drawn_workbooks_give_what_they_gave(tmp_path_factory, raw):
    folder = tmp_path_factory.mktemp("drawn")
    book = openpyxl.Workbook()
    book.remove(book.active)
    for table, (headers, rows) in (("reviews", raw.reviews), ("children", raw.children)):
        sheet = book.create_sheet(table)
        sheet.append(headers)
        for row in rows:  # numbers as numbers, as Excel stores them
            sheet.append([int(c) if c.isdigit() else c for c in row])
    path = folder / "cases.xlsx"
    book.save(path)
    assert_same([path])


# Ids: unique on every row, so they are checked in bulk when a column has more than 100
# distinct texts; any text that is not plain is parsed one by one. Texts around every branch of
# that check: plain codes, codes too long or with a character the pattern refuses, white space,
# full-width letters, NHS numbers, dates and postcodes inside codes, "not recorded".
ODD_IDS = (
    "", " R1", "R1 ", "R 1", "R\t1", "ｒ１", "R1\n", "N/K", "n/a", "0123456789", "123-456-7890",
    "1234567890", "12-03-2019", "2019-03-12", "R.12.3.19", "TS1 3AB", "TS13AB", "ts1 3ab",
    "a" * 40, "a" * 41, "-R1", ".R1", "_", "Ｒ", "R1'", "R/1", "é1", "1e5", "R1.5.2",
)  # fmt: skip


def _id_texts(seed: int, n: int = 400) -> list[str]:
    """``n`` distinct texts: the odd ones above, and random strings of code characters."""
    rng = random.Random(seed)
    alphabet = string.ascii_letters + string.digits + "_.-" + " /'é"
    texts = dict.fromkeys(ODD_IDS)
    while len(texts) < n:
        texts["".join(rng.choices(alphabet, k=rng.randint(1, 44)))] = None
    return list(texts)


@pytest.mark.parametrize("seed", range(3))
def test_ids_checked_in_bulk_are_parsed_as_one_by_one(seed):
    texts = _id_texts(seed)
    for f in (field("reviews", "review_id"), field("children", "child_id")):
        values, bad = clean.parse_distinct(f, texts)
        for typed, value in zip(texts, values, strict=True):
            try:
                expected = clean.parse_value(f, typed)
            except clean._Invalid as err:
                assert value is None and str(bad[typed]) == str(err), typed
            else:
                assert value == expected and typed not in bad, typed
        assert len(bad) > 10 and len(texts) - len(bad) > 100  # both branches are taken


@pytest.mark.parametrize("table", ["reviews", "children"])
def test_header_suggestions_are_those_of_comparing_every_header(table):
    """Headers ruled out by difflib's quick upper bounds are never the suggestion."""
    rng = random.Random(table)
    accepted = [h for f in FIELDS[table] for h in f.headers]
    headers = ["Age", "Child's gender", "Reveiw ID", "Theme", "notes", "", "x", *accepted[::4]]
    for header in rng.sample(accepted, 12):  # accepted headers with a letter or two changed
        typed = list(header)
        for _ in range(rng.randint(1, 2)):
            typed[rng.randrange(len(typed))] = rng.choice(string.ascii_lowercase + " _")
        headers.append("".join(typed))
    for header in headers:
        expected = reference_cleaning.suggest_header(table, header)
        assert clean.suggest_header(table, header) == expected, header


# ------------------------------------------------------------------------ workbook rows


def _with_cells(data: bytes, title: str, cells: dict[str, bytes]) -> bytes:
    """The workbook ``data`` with the XML of cells of sheet ``title`` replaced (by reference);
    each must exist. ``_row_r`` replaces the first ``<row r="N"`` with the given bytes."""
    part = sheet_part(data, title)

    def edit(name, member):
        if name != part:
            return member
        for ref, xml in cells.items():
            if ref == "_row_r":
                member = member.replace(b'<row r="3"', xml, 1)
                continue
            pattern = rb'<c r="' + ref.encode() + rb'"[^>]*?(?:/>|>.*?</c>)'
            member, n = re.subn(pattern, xml, member, count=1, flags=re.DOTALL)
            assert n == 1, ref
        return member

    return rewrite_zip(data, edit)


@functools.cache
def _book() -> bytes:
    """A workbook with a value of every kind a cell can hold, saved by openpyxl (made once)."""
    import datetime as dt

    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "reviews"
    sheet.append(["review_id", "partnership", "year", "note", "when", "flag", "ratio"])
    sheet.append(["R1", "STSCP", 2019, "=SUM(1,2)", None, True, 0.25])
    sheet.append(["R2", "HSSCP", 2020, "a'b", None, False, -3])  # plain: odd cells go here
    sheet.append(["R3", "HSSCP", 2021, "", None, None, 1e-7])
    sheet.append(["R4", "  STSCP ", "2022", "x", None, 1, 1234567])
    sheet["B5"].font = Font(bold=True)
    sheet.merge_cells("D6:E7")
    sheet["A9"] = "R9"
    when = (dt.datetime(2019, 3, 12), dt.date(2020, 1, 2), dt.time(12, 30), dt.timedelta(hours=30))
    sheet.append(["R10", None, None, None, *when])  # dates: numbers with a date style
    sheet["XFD12"].font = Font(italic=True)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
#: Cells as other programs write them, or as damage leaves them.
ODD_CELLS = {
    "inline text": {
        "D3": b'<c r="D3" t="inlineStr"><is><t xml:space="preserve"> a b </t></is></c>'
    },
    "empty inline text": {"D3": b'<c r="D3" t="inlineStr"><is><t/></is></c>'},
    "rich inline text": {
        "D3": b'<c r="D3" t="inlineStr"><is><r><t>bo</t></r><r><t>ld</t></r></is></c>'
    },
    "inline text with a value": {"D3": b'<c r="D3" t="inlineStr"><v>7</v></c>'},
    "formula text": {"D3": b'<c r="D3" t="str"><v>cached</v></c>'},
    "empty value": {"D3": b'<c r="D3" t="n"><v/></c>', "G3": b'<c r="G3" t="s"><v></v></c>'},
    "error value": {"D3": b'<c r="D3" t="e"><v>#N/A</v></c>'},
    "ISO date": {"D3": b'<c r="D3" t="d"><v>2019-03-12T00:00:00</v></c>'},
    "boolean": {"D3": b'<c r="D3" t="b"><v>1</v></c>'},
    "number as text in a value": {"D3": b'<c r="D3"><v>007</v></c>'},
    "cell without its reference": {"D3": b'<c t="inlineStr"><is><t>no ref</t></is></c>'},
    "row without its number": {"_row_r": b"<row"},
    "unknown child": {"D3": b'<c r="D3"><extLst ' + NS + b"/><v>1</v></c>"},
    "text with an entity": {"D3": b'<c r="D3" t="inlineStr"><is><t>a &amp; b&#10;c</t></is></c>'},
    "text with the five XML entities": {
        "D3": b'<c r="D3" t="inlineStr"><is><t>&amp;&lt;a&gt; &quot;b&apos;</t></is></c>'
    },
    "text with a carriage return": {"D3": b'<c r="D3" t="inlineStr"><is><t>a\r\nb</t></is></c>'},
    "laid out on lines": {"D3": b'<c r="D3" t="inlineStr">\n  <is><t>x</t></is>\n</c>'},
    "attributes in another order": {"D3": b'<c t="b" r="D3"><v>0</v></c>'},
}


def _prefixed(member: bytes) -> bytes:
    """The main namespace under a prefix (``<x:row>``), as some programs write it."""
    member = re.sub(rb"<(/?)(?=[A-Za-z])", rb"<\1x:", member)
    return member.replace(b'xmlns="', b'xmlns:x="', 1)


def _latin1(member: bytes) -> bytes:
    text = member.decode("utf-8").replace("a'b", "caf\u00e9")
    return b'<?xml version="1.0" encoding="ISO-8859-1"?>' + text.encode("latin-1")


#: Whole sheets out of the ordinary: read by the XML parser throughout (never matched).
ODD_SHEETS = {
    "a comment": lambda m: m.replace(b"<sheetData>", b"<!-- </row> --><sheetData>", 1),
    "CDATA": lambda m: m.replace(b"<sheetData>", b"<sheetData>", 1).replace(
        b"<t>x</t>", b"<t><![CDATA[<x></row>]]></t>", 1
    ),
    "a processing instruction": lambda m: m.replace(b"<sheetData>", b"<?pi x?><sheetData>", 1),
    "a prefixed namespace": _prefixed,
    "Latin-1 text": _latin1,
}


@pytest.mark.parametrize("odd", [None, *ODD_CELLS, *ODD_SHEETS], ids=lambda k: k or "as saved")
def test_workbook_rows_are_read_as_openpyxl_reads_them(tmp_path, monkeypatch, odd):
    data = _book()
    if odd in ODD_CELLS:
        data = _with_cells(data, "reviews", ODD_CELLS[odd])
    elif odd in ODD_SHEETS:
        part = sheet_part(data, "reviews")
        data = rewrite_zip(data, lambda n, m: ODD_SHEETS[odd](m) if n == part else m)
    path = tmp_path / "cases.xlsx"
    path.write_bytes(data)
    parsed = []  # whether the sheet was parsed as XML throughout, rather than matched
    whole = read._parsed_rows
    monkeypatch.setattr(read, "_parsed_rows", lambda *a: parsed.append(1) or whole(*a))

    def rows(reader):
        book = openpyxl.load_workbook(path, read_only=True)
        try:
            found = reader(book["reviews"])
            out = []
            while True:
                try:
                    out.append(next(found))
                except StopIteration as done:
                    return out, done.value
        finally:
            book.close()

    fast, plain = rows(read._sheet_rows), rows(reference_cleaning.sheet_rows)
    assert fast == plain
    assert len(fast[0]) >= 6 and fast[1] == ["D6:E7"]
    assert bool(parsed) == (odd in ODD_SHEETS)


def test_a_workbook_with_a_date_as_its_default_style_reads_numbers_as_dates(tmp_path):
    """A cell with no style attribute has style 0: a date when style 0 has a date format."""
    data = _book()

    def dated(name, member):
        if name != "xl/styles.xml":
            return member
        return re.sub(rb'(<cellXfs[^>]*>\s*<xf )numFmtId="0"', rb'\1numFmtId="14"', member)

    path = tmp_path / "cases.xlsx"
    path.write_bytes(rewrite_zip(data, dated))
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        assert 0 in book._date_formats
        fast = list(read._sheet_rows(book["reviews"]))
        plain = list(reference_cleaning.sheet_rows(book["reviews"]))
    finally:
        book.close()
    assert fast == plain
    assert any(t == "d" for _, cells in fast for _, _, t in cells)


def test_a_document_type_split_across_reads_is_refused(tmp_path):
    """The check for a document type sees across the 64 KiB reads of a sheet part."""
    data = _book()
    part = sheet_part(data, "reviews")
    head = b'<?xml version="1.0"?>'
    declared = head + b" " * (65536 - 4 - len(head)) + b"<!DOCTYPE worksheet>"

    def edit(name, member):
        if name != part:
            return member
        return declared + (member.split(b"?>", 1)[1] if member.startswith(b"<?xml") else member)

    path = tmp_path / "cases.xlsx"
    path.write_bytes(rewrite_zip(data, edit))
    with zipfile.ZipFile(path) as z:
        assert z.read(part).index(b"<!DOCTYPE") == 65536 - 4  # split across two reads
    [problem] = pipeline.problems([path])
    assert "declares a document type" in problem.message
