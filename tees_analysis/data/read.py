"""Read an analyst's raw files (``.csv`` or ``.xlsx``) into rows of text, never modifying them.

Every cell is read as the text the analyst typed; typing and normalisation happen in
:mod:`tees_analysis.data.clean`. Row numbers are spreadsheet rows as the user sees them: the header
is row 1 and the first data row is row 2.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .problems import ProblemLog, UnexpectedError, quote_list
from .schema import FIELDS, TABLES

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
    """Read every file in ``paths``; problems go to ``log`` and the file's tables are skipped.

    Anything the readers did not expect (a bug) is raised as
    :class:`~tees_analysis.data.problems.UnexpectedError` naming the file.
    """
    tables: list[RawTable] = []
    for path in map(Path, paths):
        try:
            tables += _read_file(path, log)
        except Exception as err:  # a bug, not a problem of the file: say which file, re-raise
            raise UnexpectedError(str(path)) from err
    return tables


def _read_file(path: Path, log: ProblemLog) -> list[RawTable]:
    name = str(path)
    if not path.is_file():
        log.add(name, "file not found")
        return []
    suffix = path.suffix.casefold()
    try:
        if suffix in CSV_SUFFIXES:
            table = _read_csv(path, log)
            return [table] if table else []
        if suffix in XLSX_SUFFIXES:
            return _read_xlsx(path, log)
    except OSError as err:  # no permission to read it, a disk error...
        log.add(name, f"the file cannot be opened ({err.strerror or err})")
        return []
    if suffix == ".xls":
        log.add(name, "old Excel format (.xls) is not read; save the workbook as .xlsx")
    else:
        log.add(name, f"unsupported file type '{path.suffix}'", allowed="'.csv', '.xlsx'")
    return []


def table_for_name(name: str) -> str | None:
    """Which table a file or sheet name stands for (``reviews.csv``, ``Children``...)."""
    key = name.casefold().strip()
    hits = [t for t in TABLES if t.rstrip("s") in key or (t == "children" and "child" in key)]
    return hits[0] if len(hits) == 1 else None


#: The first bytes of an OLE compound file (CFB): a password-protected (encrypted) workbook, or
#: an old binary Office file (.xls, .doc), whatever its name.
CFB_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: The stream that holds an encrypted Office Open XML file inside its compound file.
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


def _read_csv(path: Path, log: ProblemLog) -> RawTable | None:
    name = str(path)
    data = path.read_bytes()
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        log.add(
            name,
            "the file is UTF-16 text ('Unicode Text'); in Excel save it as "
            "'CSV UTF-8 (Comma delimited)'",
        )
        return None
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
    records: list[list[str]] = []
    try:
        records.extend(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as err:
        _csv_error(name, len(records) + 1, err, log)
        return None
    numbered = [(i, rec) for i, rec in enumerate(records, start=1) if "".join(rec).strip()]
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
    width = len(headers)
    named = max((k + 1 for k, h in enumerate(headers) if h.strip()), default=0)
    padding = [""] * width
    body = numbered[1:]
    if all(len(cells) == width for _, cells in body):  # as a spreadsheet writes it
        raw.rows = body
        return _non_empty(raw, log)
    for row, cells in body:
        n = len(cells)
        if n > width and "".join(cells[width:]).strip():
            log.add(
                name,
                f"the row has {n} values but the header has {width} columns",
                row=row,
            )
        elif n < named:  # a spreadsheet writes every cell of a row, blank or not
            log.add(
                name,
                f"the row has {n} cells but the header has {named} columns; a cell is missing, "
                "so values may be in the wrong columns",
                row=row,
            )
        raw.rows.append((row, cells[:width] if n >= width else cells + padding[n:]))
    return _non_empty(raw, log)


def _csv_error(name: str, row: int, err: csv.Error, log: ProblemLog) -> None:
    """A file that Python's CSV reader cannot read, reported at the row where it stopped."""
    if "field larger than field limit" in str(err):
        message = (
            f"a cell is longer than {csv.field_size_limit():,} characters, often because a "
            'quote mark (") opens a cell that is never closed; check the quote marks from this '
            "row on"
        )
    else:
        message = f"cannot be read as comma-separated values from this row on ({err})"
    log.add(name, message, row=row)


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
    if not isinstance(value, str | int | float):  # an array or data-table formula
        return str(getattr(value, "text", None) or "=")
    return str(value)


#: Sheets of the data-entry template that hold no data (its instructions and drop-down lists):
#: not read, without a warning. Every other sheet that is not read gets a warning.
TEMPLATE_SHEETS = ("README", "lists")
#: Columns read from a sheet: the table's fields, and this many more (unknown columns are
#: reported by their header). A value further right is reported, never read.
COLUMN_MARGIN = 48
#: A run of this many empty rows ends a table: a value below it is reported, never read.
MAX_EMPTY_ROWS = 1000
#: Cells far from the table listed one by one (then counted).
FAR_CELLS_LISTED = 5


class DamagedWorkbook(Exception):
    """A workbook that openpyxl cannot read; the message says why, in plain words."""


def _read_xlsx(path: Path, log: ProblemLog) -> list[RawTable]:
    name = str(path)
    with path.open("rb") as handle:
        head = handle.read(len(CFB_SIGNATURE))
    if head == CFB_SIGNATURE:
        log.add(name, _compound_file(path))
        return []
    # openpyxl warns (on stderr, in its own words) about parts it repairs or leaves out, such
    # as a sheet listed without its part: what that does to the data is reported from the
    # sheets and values read, as problems the analyst can act on
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            workbook = _open_workbook(path)
        except DamagedWorkbook as err:
            log.add(name, f"cannot be read as an Excel workbook: {err}")
            return []
        try:
            return _read_workbook(workbook, name, log)
        finally:
            workbook.close()


def _compound_file(path: Path) -> str:
    """What an ``.xlsx`` that is an OLE compound file is: encrypted, or an old binary file."""
    if ENCRYPTED_PACKAGE in path.read_bytes():
        return (
            "the workbook is password-protected (encrypted), so it cannot be read; in Excel "
            "open it, then File > Info > Protect Workbook > Encrypt with Password, clear the "
            "password and save an unprotected copy (keep it somewhere safe) to check"
        )
    return (
        "the file is an old-format Excel workbook (.xls) or another Office file, not an .xlsx "
        "workbook; open it in Excel and save it as 'Excel Workbook (.xlsx)'"
    )


def _open_workbook(path: Path):
    """The workbook in openpyxl's read-only mode (rows are read lazily, as the file has them).

    Its sheets are opened without measuring them: openpyxl's read-only sheet looks for the size
    a sheet states (``<dimension>``) when the workbook opens, and a sheet that states none (as
    openpyxl's own write-only mode saves it) is then read to its end with a pure-Python XML
    parser -- seconds per 10,000 rows -- for a size that is never used here.
    """
    from unittest import mock

    import openpyxl  # imported here: only needed for workbooks
    from openpyxl.reader import excel

    try:
        with mock.patch.object(excel, "ReadOnlyWorksheet", _unmeasured_sheet()):
            return openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as err:  # a damaged file can fail anywhere inside openpyxl
        raise DamagedWorkbook(_damage(err)) from err


@functools.cache
def _unmeasured_sheet():
    """openpyxl's read-only sheet, without the reading of its size when it is opened."""
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    class UnmeasuredSheet(ReadOnlyWorksheet):
        def _get_size(self):
            pass  # the size stays unknown (None); reading never uses it

    return UnmeasuredSheet


def _damage(err: Exception) -> str:
    """Why openpyxl could not read a workbook, in plain words."""
    from xml.etree.ElementTree import ParseError
    from xml.parsers.expat import ExpatError

    from openpyxl.utils.exceptions import InvalidFileException

    if isinstance(err, zipfile.BadZipFile | InvalidFileException):
        what = "it is not an .xlsx workbook, or it is damaged (not a complete zip archive)"
    elif isinstance(err, ParseError | ExpatError):
        what = f"a part of it is damaged (broken XML: {err})"
    elif isinstance(err, KeyError):
        what = f"a part of it is missing ({str(err).strip(chr(34) + chr(39))})"
    else:
        what = f"it is damaged or in a form this program does not read ({type(err).__name__})"
    return f"{what}; open it in Excel (which may offer to repair it) and save it again as .xlsx"


def _read_workbook(workbook, name: str, log: ProblemLog) -> list[RawTable]:
    for title in _dropped_sheets(workbook):
        log.add(
            name,
            f"the sheet '{title}' cannot be read: the workbook lists it without its contents "
            "(the file is damaged); open it in Excel (which may offer to repair it) and save "
            "it again as .xlsx",
            sheet=title,
        )
    found = {ws.title: table_for_name(ws.title) for ws in workbook.worksheets}
    wanted = {title: t for title, t in found.items() if t and title.strip().casefold() == t}
    sheets = f"sheets found: {quote_list(found)}; expected: {quote_list(TABLES)}"
    reported = set()
    for table in TABLES:
        if table in wanted.values():
            continue
        probable = [title for title, t in found.items() if t == table]
        if probable:  # "Children 2022", "reviews (final)"...: say so, but do not guess
            reported.update(probable)
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
    for title in found:
        if title in wanted or title in reported or title in TEMPLATE_SHEETS:
            continue
        log.warn(
            name,
            f"the sheet '{title}' is not read (only the sheets named 'reviews' and 'children' "
            "are); if it holds reviews or children, move its rows into one of those sheets",
            sheet=title,
        )
    tables = []
    for title, table in wanted.items():
        try:
            raw = _read_sheet(workbook[title], name, table, log)
        except DamagedWorkbook as err:
            log.add(name, f"the sheet cannot be read: {err}", sheet=title)
            continue
        if raw is not None:
            tables.append(raw)
    return tables


def _sheet_rows(ws):
    """``(row number, cells)`` for each row the sheet's file holds; returns the merged ranges.

    Each cell is ``(column, value, data_type)``: column 1 is A, ``data_type`` ``"f"`` marks a
    formula. Rows and cells the file does not hold are never made (a cell formatted at
    XFD1048576 costs nothing), and merged ranges (which read-only sheets do not expose) are
    found in the same pass; the generator returns them (``A1:B2`` text). Values are what
    openpyxl's own sheet parser gives (``tests/test_fast_paths.py`` checks it).

    The sheet's XML is read twice, as a stream. First Python's (C) XML parser checks that it
    is well-formed, refusing any document type declaration (so no entity can be declared or
    expanded; a workbook never has one): a damaged part is reported before any row is read.
    Then the rows: in a sheet written the way spreadsheet programs write them (the main
    namespace as default, no comments, processing instructions or CDATA), each row's cells
    are matched by a regular expression when they are plain -- shared or inline text, a
    number, a boolean -- and any other row (a formula, a date, rich text, an entity...) is
    parsed as XML, its odd cells by openpyxl's parser (:class:`_PlainCells`). Any other sheet
    is parsed as XML throughout. At 100,000 rows this is several times faster than openpyxl,
    which builds an object per inline text and uses a pure-Python XML parser when defusedxml
    is installed.
    """
    from openpyxl.worksheet._reader import WorkSheetParser

    book = ws.parent
    cells_parser = WorkSheetParser(
        None,
        ws._shared_strings,
        data_only=False,
        epoch=book.epoch,
        date_formats=book._date_formats,
        timedelta_formats=book._timedelta_formats,
    )
    plain = _PlainCells(ws._shared_strings, book._date_formats, cells_parser)
    try:
        namespaces = _checked_part(ws)
        if namespaces is None:
            merged = yield from _parsed_rows(ws, plain)
        else:
            merged = yield from _matched_rows(ws, plain, namespaces)
    except DamagedWorkbook:
        raise
    except Exception as err:  # a damaged part can fail anywhere inside the parsers
        raise DamagedWorkbook(_sheet_damage(err)) from err
    return merged


_CHUNK = 1 << 16
_MAIN_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_ROOT = re.compile(rb"<worksheet\b[^>]*>")
_NAMESPACES = re.compile(rb'\bxmlns(?::[\w.-]+)?="[^"]*"')
_ROW_XML = re.compile(rb"<row\b[^>]*?/>|<row\b[^>]*>.*?</row>", re.DOTALL)
_ROW_START = re.compile(rb"<row\b([^>]*?)(/?)>")
_ROW_NUMBER = re.compile(rb'\sr="(\d+)"')
#: A plain cell as spreadsheet programs write it: reference, then style and type if any, then
#: nothing, a value, or an inline text; no carriage return, markup or entity in the text but
#: the five that XML predefines (``&amp;`` ...).
_PLAIN_TEXT = rb"(?:[^<&\r]|&(?:amp|lt|gt|quot|apos);)*"
_PLAIN_CELL = re.compile(
    rb'<c r="([A-Z]{1,3})\d+"(?: s="(\d+)")?(?: t="(\w+)")?\s*'
    rb"(?:/>|>(?:<v>([^<&\r]*)</v>|<is><t(?: xml:space=\"preserve\")?>("
    + _PLAIN_TEXT
    + rb")</t></is>)?</c>)"
)
_MERGE_REF = re.compile(rb'<mergeCell\b[^>]*?\sref="([^"]+)"')


_ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'"}


def _unescape(text: str) -> str:
    return re.sub(r"&(?:amp|lt|gt|quot|apos);", lambda m: _ENTITIES[m[0]], text)


class _OddRow(Exception):
    """A row that :func:`_matched_rows` leaves to the XML parser."""


def _refuse_document_type(*_args) -> None:
    raise DamagedWorkbook(
        "a part of it declares a document type, which workbooks never do; save it again "
        "from Excel as .xlsx"
    )


def _checked_part(ws) -> bytes | None:
    """Check that the sheet's XML is well-formed and declares no document type; return the
    namespace declarations of its root when its rows may be matched (see :func:`_sheet_rows`),
    else ``None``."""
    import xml.parsers.expat

    checker = xml.parsers.expat.ParserCreate()
    checker.StartDoctypeDeclHandler = _refuse_document_type
    matchable, root, tail, first = True, None, b"", True
    with ws._get_source() as source:
        while chunk := source.read(_CHUNK):
            checker.Parse(chunk, False)
            seen = tail + chunk
            if first:  # the XML declaration (<?xml ...?>) is the one <? allowed
                declared = re.match(rb"\s*<\?xml[^>]*\?>", seen)
                if declared and re.search(rb"encoding=[\"'](?!utf-?8[\"'])", declared[0], re.I):
                    matchable = False  # text not in UTF-8: parsed as XML, which decodes it
                seen = seen[declared.end() :] if declared else seen
                found = _ROOT.search(seen)
                root = found[0] if found else None
                first = False
            if b"<!" in seen or b"<?" in seen:  # a comment, CDATA, a processing instruction
                matchable = False
            tail = chunk[-8:]
        checker.Parse(b"", True)
    if not matchable or root is None or b'xmlns="' + _MAIN_NS + b'"' not in root:
        return None
    return b" ".join(_NAMESPACES.findall(root))


def _parsed_rows(ws, plain: _PlainCells):
    """The rows of a sheet parsed as XML throughout (see :func:`_sheet_rows`)."""
    from xml.etree.ElementTree import XMLPullParser

    merged: list[str] = []
    pull = XMLPullParser(events=("start", "end"))
    rows_of = None  # the <sheetData> element: emptied after each row, so memory stays flat
    with ws._get_source() as source:
        while chunk := source.read(_CHUNK):
            pull.feed(chunk)
            for event, element in pull.read_events():
                if event == "start":
                    if element.tag == _SHEET_DATA:
                        rows_of = element
                elif element.tag == _ROW:
                    yield plain.row(element)
                    if rows_of is not None:
                        rows_of.clear()
                    element.clear()
                elif element.tag == _MERGE:
                    merged = [m.get("ref") for m in element if m.get("ref")]
                    element.clear()
        pull.close()
    return merged


def _matched_rows(ws, plain: _PlainCells, namespaces: bytes):
    """The rows of a well-formed sheet written as spreadsheet programs write it, matched (see
    :func:`_sheet_rows`)."""
    from xml.etree.ElementTree import fromstring

    merged: list[str] = []
    carry = b""
    with ws._get_source() as source:
        while chunk := source.read(_CHUNK):
            text = carry + chunk
            end = 0
            for found in _ROW_XML.finditer(text):
                merged += _merge_refs(text[end : found.start()])
                end = found.end()
                xml = found[0]
                try:
                    yield plain.matched(xml)
                except _OddRow:
                    head = _ROW_START.match(xml)
                    own = set(_NAMESPACES.findall(head[1]))
                    extra = b" ".join(n for n in _NAMESPACES.findall(namespaces) if n not in own)
                    yield plain.row(fromstring(b"<row " + extra + xml[4:]))
            carry = text[end:]
            if b"<row" not in carry:  # keep only what may start a tag cut by the chunk
                cut = carry.rfind(b"<")
                merged += _merge_refs(carry[:cut] if cut >= 0 else carry)
                carry = carry[cut:] if cut >= 0 else b""
        merged += _merge_refs(carry)
    return merged


def _merge_refs(xml: bytes) -> list[str]:
    return [ref.decode() for ref in _MERGE_REF.findall(xml)]


#: Cell types (``t``) read by :class:`_PlainCells`: shared text, inline text, formula text,
#: booleans and numbers (error values and ISO dates are left to openpyxl).
_PLAIN_KINDS = frozenset(("s", "inlineStr", "str", "b", "n"))
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_SHEET_DATA, _ROW, _CELL, _VALUE, _INLINE, _TEXT, _MERGE = (
    _MAIN + tag for tag in ("sheetData", "row", "c", "v", "is", "t", "mergeCells")
)


class _PlainCells:
    """Reads the cells of one ``<row>`` element (see :func:`_sheet_rows`)."""

    def __init__(self, shared_strings, date_styles, cells_parser):
        self.strings = shared_strings
        self.dates = date_styles
        self.parser = cells_parser
        self.columns: dict[str, int] = {}
        from openpyxl.worksheet._reader import _cast_number

        self.number = _cast_number

    def column(self, letters: str) -> int:
        number = self.columns.get(letters)
        if number is None:
            from openpyxl.utils import column_index_from_string

            number = self.columns[letters] = column_index_from_string(letters)
        return number

    def row(self, element) -> tuple[int, list[tuple[int, object, str]]]:
        number = element.get("r")
        if number is None or not number.isdigit():
            return self.by_openpyxl(element)
        cells = []
        for cell in element:
            if cell.tag != _CELL:
                continue
            read = self.plain(cell)
            if read is None:
                ref = cell.get("r")
                if ref is None:
                    return self.by_openpyxl(element)
                self.parser.row_counter = int(number)
                got = self.parser.parse_cell(cell)
                read = (got["column"], got["value"], got["data_type"])
            cells.append(read)
        self.parser.row_counter = int(number)
        return int(number), cells

    def plain(self, cell):
        """``(column, value, data_type)`` of a plain cell, as openpyxl's ``parse_cell`` gives
        it; ``None`` for any other cell, which openpyxl then reads."""
        ref = cell.get("r")
        kind = cell.get("t", "n")
        if ref is None or kind not in _PLAIN_KINDS or len(cell) > 1:
            return None
        text = None
        if len(cell):
            child = cell[0]
            if kind == "inlineStr":  # its text is in <is><t>, a <v> is ignored
                if child.tag != _INLINE or len(child) != 1 or child[0].tag != _TEXT:
                    return None  # rich text, or no text
                text = child[0].text or ""
            elif child.tag == _VALUE:
                text = child.text or None  # openpyxl reads an empty <v/> as no value
            else:
                return None  # a formula, an extension...
        elif kind == "inlineStr":
            return None
        column = self.column(ref.rstrip("0123456789"))
        if text is None:
            return column, None, kind
        if kind == "s":
            return column, self.strings[int(text)], "s"
        if kind in ("inlineStr", "str"):
            return column, text, "s"
        if kind == "b":
            return column, bool(int(text)), "b"
        if int(cell.get("s") or 0) in self.dates:  # kind "n" with a date style (0 when none)
            return None
        return column, self.number(text), "n"

    def matched(self, xml: bytes) -> tuple[int, list[tuple[int, object, str]]]:
        """The cells of one ``<row>`` (its XML text) when every cell is plain, as
        :meth:`plain` reads them; raise :class:`_OddRow` otherwise."""
        head = _ROW_START.match(xml)
        number = _ROW_NUMBER.search(head[1]) if head else None
        if number is None:
            raise _OddRow
        body = b"" if head[2] else xml[head.end() : -len(b"</row>")]
        cells, at = [], 0
        for found in _PLAIN_CELL.finditer(body):
            if found.start() != at and body[at : found.start()].strip():
                raise _OddRow
            at = found.end()
            letters, style, kind, value, inline = found.groups()
            kind = kind.decode() if kind else "n"
            column = self.column(letters.decode())
            if kind == "inlineStr":
                if inline is None:
                    raise _OddRow
                text = inline.decode()
                cells.append((column, _unescape(text) if "&" in text else text, "s"))
                continue
            if inline is not None or kind not in _PLAIN_KINDS:
                raise _OddRow
            if not value:  # no value, or an empty <v></v>: openpyxl reads no value
                cells.append((column, None, kind))
            elif kind == "s":
                cells.append((column, self.strings[int(value)], "s"))
            elif kind == "str":
                cells.append((column, value.decode(), "s"))
            elif kind == "b":
                cells.append((column, bool(int(value)), "b"))
            elif int(style or 0) in self.dates:
                raise _OddRow  # a date
            else:
                cells.append((column, self.number(value.decode()), "n"))
        if body[at:].strip():
            raise _OddRow
        row = int(number[1])
        self.parser.row_counter = row
        return row, cells

    def by_openpyxl(self, element):
        number, cells = self.parser.parse_row(element)
        return number, [(c["column"], c["value"], c["data_type"]) for c in cells]


def _sheet_damage(err: Exception) -> str:
    if isinstance(err, IndexError):  # a cell naming a shared text the workbook does not have
        return (
            "a cell refers to text that the workbook does not hold (the file is damaged); "
            "open it in Excel (which may offer to repair it) and save it again as .xlsx"
        )
    return _damage(err)


def _dropped_sheets(workbook) -> list[str]:
    """Worksheets that ``xl/workbook.xml`` lists but openpyxl left out (a damaged listing)."""
    from xml.etree.ElementTree import ParseError, fromstring

    try:
        root = fromstring(workbook._archive.read("xl/workbook.xml"))
    except (KeyError, ParseError):
        return []  # then openpyxl could not have opened it either
    kept = {*workbook.sheetnames}
    listed = [sheet.get("name") for sheet in root.iter(_MAIN + "sheet")]
    return [title for title in listed if title is not None and title not in kept]


def _read_sheet(ws, name: str, table: str, log: ProblemLog) -> RawTable | None:
    """The rows of one sheet that hold a value, as text, within the table's bounds.

    Read are the first ``len(fields) + COLUMN_MARGIN`` columns, down to the first run of
    ``MAX_EMPTY_ROWS`` empty rows after the header. A value beyond either bound is an error
    naming its cell (it is never dropped unseen); formatting alone never counts.
    """
    from openpyxl.utils import get_column_letter

    sheet = ws.title
    bound = len(FIELDS[table]) + COLUMN_MARGIN
    rows: list[tuple[int, list[str]]] = []
    formulas: list[tuple[str, int, int, str]] = []
    far: list[tuple[str, int, str]] = []  # cells beyond the bounds: (cell, row, value)
    last = 0  # the last row with a value, within the bounds
    cells_of = _sheet_rows(ws)
    while True:
        try:
            row, cells = next(cells_of)
        except StopIteration as done:
            merged = done.value
            break
        texts: list[str] = []
        beyond = None
        for column, value, data_type in cells:
            if value is None or value == "":
                continue
            if column > bound or (last and row - last > MAX_EMPTY_ROWS):
                beyond = beyond or (f"{get_column_letter(column)}{row}", row, cell_text(value))
                continue
            if data_type == "f":
                formulas.append((f"{get_column_letter(column)}{row}", row, column - 1, value))
            if len(texts) < column:
                texts += [""] * (column - len(texts))
            texts[column - 1] = value if type(value) is str else cell_text(value)
        if beyond:
            far.append(beyond)
        if texts and "".join(texts).strip():
            rows.append((row, texts))
            last = row
    for ref in merged:
        log.add(
            name,
            f"merged cells {ref}; unmerge them and fill in every cell",
            sheet=sheet,
            row=int("".join(ch for ch in ref.split(":")[0] if ch.isdigit())),
        )
    header = rows[0][1] if rows and rows[0][0] == 1 else []
    for coordinate, row, pos, formula in formulas:
        log.add(
            name,
            f"cell {coordinate} holds a formula; type the value instead",
            sheet=sheet,
            row=row,
            column=header[pos].strip() if pos < len(header) and header[pos].strip() else None,
            value=str(formula),
        )
    _report_far(far, name, sheet, bound, log)
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
        if "".join(cells[width:]).strip():
            log.add(name, "values to the right of the last named column", sheet=sheet, row=row)
        raw.rows.append((row, (cells + [""] * width)[:width]))
    return _non_empty(raw, log)


def _report_far(far, name: str, sheet: str, bound: int, log: ProblemLog) -> None:
    """Report the values beyond the bounds of a sheet: the first few by cell, then a count."""
    from openpyxl.utils import get_column_letter

    last_column = get_column_letter(bound)
    where = (
        f"only columns A to {last_column}, down to the first {MAX_EMPTY_ROWS:,} empty rows, "
        "are read"
    )
    for cell, row, value in far[:FAR_CELLS_LISTED]:
        log.add(
            name,
            f"cell {cell} holds a value far from the table, which is not read ({where}); "
            "delete it, or move it into the table",
            sheet=sheet,
            row=row,
            value=value,
        )
    if len(far) > FAR_CELLS_LISTED:
        more = len(far) - FAR_CELLS_LISTED
        log.add(
            name,
            f"{more:,} more row{'s' if more != 1 else ''} hold values far from the table "
            f"({where}); delete them, or move them into the table",
            sheet=sheet,
        )
