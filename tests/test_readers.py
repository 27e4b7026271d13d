"""Files that the readers used to misread, crash on or hang on (issue 16, items 3, 5, 6 and 9).

Each test reproduces one finding of the reliability probe: a short CSV row read as if its last
cell were blank; tracebacks on a huge CSV field, broken XML in a workbook part and a bad
shared-string index; a workbook without ``styles.xml`` that could not be read; a cell
formatted or filled far from the table (``XFD1048576``, ``P1048576``) that made reading take
minutes and gigabytes; an encrypted workbook reported as a bad zip file; an extra sheet
skipped without a word. Each asserts the message the analyst reads.

``fixtures/encrypted.xlsx`` is a one-sheet workbook encrypted with the password ``fictional``
by msoffcrypto-tool 6.1 (``OOXMLFile(source).encrypt("fictional", target)``): an OLE compound
file holding ``EncryptionInfo`` and ``EncryptedPackage``, as Excel writes a workbook saved with
a password.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from broken_files import rewrite_zip, shared_string_cell, sheet_part, workbook_bytes
from fixture_files import FIXTURES, FixtureCopy
from time_limit import time_limit

from tees_analysis.data import pipeline, read, template
from tees_analysis.data.problems import WARNING

#: Seconds a far-away cell may take to read before the test calls it a hang (it took minutes
#: before the fix; it takes well under a second now, even on a busy machine).
HANG = 20


@pytest.fixture
def files(tmp_path) -> FixtureCopy:
    return FixtureCopy(tmp_path)


def found(paths) -> list[str]:
    return [str(p) for p in pipeline.problems(paths, warnings=True)]


def save(tmp_path: Path, data: bytes, name: str = "cases.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --------------------------------------------------------------------------- CSV


def test_a_short_csv_row_is_an_error_not_blanks(files):
    files.rows["reviews"][2] = files.rows["reviews"][2][:-1]  # the last cell deleted
    paths = files.both()
    assert found(paths) == [
        f"{pipeline.display(paths[0])}, row 3: the row has 15 cells but the header has 16 "
        "columns; a cell is missing, so values may be in the wrong columns"
    ]


def test_a_row_without_its_trailing_blank_cells_only_counts_named_columns(files):
    files.rows["children"][0].append("")  # a blank header cell after the last column
    paths = files.both()
    assert found(paths) == []


def test_a_field_over_the_csv_limit_is_a_message(files):
    files.set("children", 3, "Outcome", "x" * 200_000)
    paths = files.both()
    assert found(paths) == [
        f"{pipeline.display(paths[1])}, row 3: a cell is longer than 131,072 characters, often "
        'because a quote mark (") opens a cell that is never closed; check the quote marks '
        "from this row on"
    ]


def test_a_utf16_csv_says_how_to_save_it(files):
    path = files.csv("reviews", encoding="utf-16")
    assert found([path, files.csv("children")]) == [
        f"{pipeline.display(path)}: the file is UTF-16 text ('Unicode Text'); in Excel save it "
        "as 'CSV UTF-8 (Comma delimited)'"
    ]


# --------------------------------------------------------------------------- damaged workbooks


def test_broken_xml_in_a_sheet_is_a_message(files, tmp_path):
    data = workbook_bytes(files)
    part = sheet_part(data, "children")
    path = save(tmp_path, rewrite_zip(data, lambda n, d: d[: len(d) // 2] if n == part else d))
    [problem] = pipeline.problems([path])
    assert problem.sheet == "children"
    assert problem.message.startswith(
        "the sheet cannot be read: a part of it is damaged (broken XML: "
    )
    assert problem.message.endswith(
        "open it in Excel (which may offer to repair it) and save it again as .xlsx"
    )


def test_broken_xml_in_the_workbook_part_is_a_message(files, tmp_path):
    data = workbook_bytes(files)
    broken = rewrite_zip(data, lambda n, d: d[:100] if n == "xl/workbook.xml" else d)
    [problem] = pipeline.problems([save(tmp_path, broken)])
    assert problem.message.startswith(
        "cannot be read as an Excel workbook: a part of it is damaged (broken XML: "
    )


def test_a_workbook_without_styles_is_read(files, tmp_path):
    data = workbook_bytes(files)
    path = save(tmp_path, rewrite_zip(data, lambda n, d: None if n == "xl/styles.xml" else d))
    assert found([path]) == []
    assert len(pipeline.load([path]).children) == 6


def test_a_bad_shared_string_index_is_a_message(files, tmp_path):
    data = shared_string_cell(workbook_bytes(files), "reviews", "A3", 99)
    assert found([save(tmp_path, data)]) == [
        f"{pipeline.display(tmp_path / 'cases.xlsx')} [sheet reviews]: the sheet cannot be "
        "read: a cell refers to text that the workbook does not hold (the file is damaged); "
        "open it in Excel (which may offer to repair it) and save it again as .xlsx"
    ]


def test_openpyxl_notes_on_a_damaged_workbook_are_not_printed(files, tmp_path):
    """Found by the fuzz: a sheet listed in workbook.xml without its part made openpyxl print
    a UserWarning ("File contains an invalid specification for 0..."); the analyst is told
    about the sheet that cannot be read instead (it was "no children table")."""
    import re
    import warnings

    data = rewrite_zip(
        workbook_bytes(files),
        lambda n, m: (
            re.sub(rb'(<sheet [^>]*name="children"[^>]*) r:id="[^"]*"', rb"\1", m)
            if n == "xl/workbook.xml"
            else m
        ),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning fails the test
        problems = found([save(tmp_path, data)])
    assert problems == [
        f"{pipeline.display(tmp_path / 'cases.xlsx')} [sheet children]: the sheet 'children' "
        "cannot be read: the workbook lists it without its contents (the file is damaged); "
        "open it in Excel (which may offer to repair it) and save it again as .xlsx"
    ]


def test_an_encrypted_workbook_asks_for_an_unprotected_copy():
    path = FIXTURES / "encrypted.xlsx"
    assert path.read_bytes().startswith(read.CFB_SIGNATURE)
    [problem] = pipeline.problems([path])
    assert problem.message == (
        "the workbook is password-protected (encrypted), so it cannot be read; in Excel open "
        "it, then File > Info > Protect Workbook > Encrypt with Password, clear the password "
        "and save an unprotected copy (keep it somewhere safe) to check"
    )


def test_an_old_binary_workbook_named_xlsx_says_to_save_as_xlsx(tmp_path):
    path = save(tmp_path, read.CFB_SIGNATURE + bytes(1024))
    [problem] = pipeline.problems([path])
    assert "an old-format Excel workbook (.xls)" in problem.message
    assert "BadZip" not in problem.message


def test_a_file_that_is_not_a_zip_archive_is_said_in_words(tmp_path):
    [problem] = pipeline.problems([save(tmp_path, b"review_id,partnership\n")])
    assert problem.message == (
        "cannot be read as an Excel workbook: it is not an .xlsx workbook, or it is damaged "
        "(not a complete zip archive); open it in Excel (which may offer to repair it) and "
        "save it again as .xlsx"
    )


# --------------------------------------------------------------------------- far-away cells


def test_a_cell_formatted_far_away_is_read_at_once(files, tmp_path):
    from openpyxl.styles import Font

    def far(wb):
        wb["reviews"]["XFD1048576"].font = Font(bold=True)

    path = save(tmp_path, workbook_bytes(files, far))
    with time_limit(HANG):
        assert found([path]) == []


def test_a_value_far_away_is_named_not_read(files, tmp_path):
    def far(wb):
        wb["reviews"]["P1048576"] = "yes"
        wb["children"]["XFD3"] = "note"

    path = save(tmp_path, workbook_bytes(files, far))
    with time_limit(HANG):
        problems = found([path])
    where = "(only columns A to BL, down to the first 1,000 empty rows, are read)"
    assert problems == [
        f"{pipeline.display(path)} [sheet children], row 3: cell XFD3 holds a value far from the "
        f"table, which is not read {where}; delete it, or move it into the table (value: "
        "'note')",
        f"{pipeline.display(path)} [sheet reviews], row 1048576: cell P1048576 holds a value far "
        f"from the table, which is not read {where}; delete it, or move it into the table "
        "(value: 'yes')",
    ]


def test_values_after_a_thousand_empty_rows_are_counted_after_the_first_few(files, tmp_path):
    def far(wb):
        for row in range(2000, 2008):
            wb["children"][f"A{row}"] = f"FAR-{row}"

    problems = pipeline.problems([save(tmp_path, workbook_bytes(files, far))])
    assert [p.row for p in problems] == [None, 2000, 2001, 2002, 2003, 2004]
    assert problems[0].message.startswith("3 more rows hold values far from the table")


def test_rows_up_to_a_thousand_empty_rows_apart_are_read(files, tmp_path):
    def gap(wb):
        wb["children"]["A1008"] = "FICT-C99"

    problems = pipeline.problems([save(tmp_path, workbook_bytes(files, gap))])
    assert {p.row for p in problems} == {1008}  # read as a row (missing its other values)


# --------------------------------------------------------------------------- sheets not read


def test_every_sheet_not_read_gets_a_warning(files, tmp_path):
    def extra(wb):
        wb.create_sheet("REVIEWS1").append(["review_id"])
        wb.create_sheet("Notes")

    path = save(tmp_path, workbook_bytes(files, extra))
    warnings = pipeline.load([path]).warnings
    assert [(w.severity, w.sheet) for w in warnings] == [(WARNING, "Notes"), (WARNING, "REVIEWS1")]
    assert str(warnings[1]) == (
        f"{pipeline.display(path)} [sheet REVIEWS1]: the sheet 'REVIEWS1' is not read (only the "
        "sheets named 'reviews' and 'children' are); if it holds reviews or children, move its "
        "rows into one of those sheets"
    )


def test_the_templates_own_sheets_are_not_warned_about():
    book = template.build_workbook()
    assert set(book.sheetnames) - {"reviews", "children"} == set(read.TEMPLATE_SHEETS)
    assert pipeline.load([FIXTURES / "fictional_2022.xlsx"]).warnings == ()
