"""The data-entry template: generated from the schema, reproducible, and fit to fill in."""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import io
import types
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tees_analysis import cli
from tees_analysis.data import pipeline, schema, template
from tees_analysis.data.schema import FIELDS, TABLES

FIXTURES = Path(__file__).parent / "fixtures"
GOOD = [FIXTURES / "fictional_reviews.csv", FIXTURES / "fictional_children.csv"]


def load_builder():
    """tests/fixtures/fictional_2022.py, the builder of the fictional 2022 workbooks."""
    spec = importlib.util.spec_from_file_location("fictional_2022", FIXTURES / "fictional_2022.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def rendered():
    return template.render()


@pytest.fixture(scope="module")
def book(rendered):
    return openpyxl.load_workbook(io.BytesIO(rendered[template.XLSX_NAME]))


# --------------------------------------------------------------------------- committed files


def test_committed_templates_are_current(rendered):
    for name, data in rendered.items():
        path = template.TEMPLATES / name
        assert path.is_file() and path.read_bytes() == data, (
            f"{path} is stale: run `.venv/bin/tees-analysis template` and commit templates/"
        )


def test_committed_fictional_2022_workbooks_are_current():
    for path, data in load_builder().render().items():
        assert path.read_bytes() == data, (
            f"{path.name} is stale: run `.venv/bin/python tests/fixtures/fictional_2022.py`"
        )


def test_template_command_writes_the_same_files(tmp_path, rendered, capsys):
    assert cli.main(["template", "--out", str(tmp_path)]) == 0
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == rendered
    assert "wrote" in capsys.readouterr().out


# --------------------------------------------------------------------------- reproducible bytes


def test_two_generations_are_byte_identical(rendered):
    assert template.render() == rendered


def test_save_time_does_not_reach_the_bytes(monkeypatch):
    """openpyxl stamps the save time into docProps/core.xml and zipfile into every entry; both
    are normalised away."""
    first_raw = io.BytesIO()
    template.build_workbook().save(first_raw)
    later = dt.datetime(2031, 7, 9, 10, 11, 12)
    fake = types.SimpleNamespace(
        datetime=types.SimpleNamespace(now=lambda tz=None: later), timezone=dt.timezone
    )
    monkeypatch.setattr("openpyxl.writer.excel.datetime", fake)
    monkeypatch.setattr(zipfile.time, "time", lambda: later.timestamp())
    second_raw = io.BytesIO()
    template.build_workbook().save(second_raw)  # a fresh workbook: saving changes a workbook
    assert first_raw.getvalue() != second_raw.getvalue()  # the problem is real
    assert template.normalise_zip(first_raw.getvalue()) == template.normalise_zip(
        second_raw.getvalue()
    )
    with zipfile.ZipFile(io.BytesIO(template.xlsx_bytes(template.build_workbook()))) as archive:
        assert {i.date_time for i in archive.infolist()} == {template.ZIP_TIME}
        core = archive.read("docProps/core.xml").decode()
    assert core.count(template.FIXED_DATE) == 2


def test_csv_templates_are_the_header_only(rendered):
    for table in TABLES:
        text = rendered[template.CSV_NAMES[table]].decode("utf-8")
        assert list(csv.reader(io.StringIO(text))) == [[f.name for f in FIELDS[table]]]


# --------------------------------------------------------------------------- the workbook


def test_sheets_headers_frozen_and_widths(book):
    assert book.sheetnames == ["README", "reviews", "children", "lists"]
    assert book["lists"].sheet_state == "hidden"
    for table in TABLES:
        ws = book[table]
        assert [c.value for c in ws[1]] == [f.name for f in FIELDS[table]]
        assert ws.freeze_panes == "A2"
        assert ws.max_row == 1
        for f, cell in zip(FIELDS[table], ws[1], strict=True):
            width = ws.column_dimensions[cell.column_letter].width
            assert len(f.name) < width <= 45


def _validations(ws) -> dict[str, object]:
    """Data validation of each column letter."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        for cells in dv.sqref.ranges:
            assert (cells.min_row, cells.max_row) == (2, template.DATA_ROWS + 1)
            out[cells.coord.split(":")[0].rstrip("0123456789")] = dv
    return out


def _list_values(book, formula: str) -> list[str]:
    sheet, cells = formula.split("!")
    return [c.value for (c,) in book[sheet.strip("'")][cells.replace("$", "")]]


def test_every_category_and_yes_no_column_has_a_drop_down(book):
    for table in TABLES:
        ws = book[table]
        rules = _validations(ws)
        for f, cell in zip(FIELDS[table], ws[1], strict=True):
            dv = rules[cell.column_letter]
            assert dv.allowBlank and dv.showInputMessage and dv.prompt
            if f.kind in ("category", "multi_category", "yes_no"):
                assert dv.type == "list"
                expected = list(f.labels) if f.categories else ["yes", "no"]
                assert _list_values(book, dv.formula1) == expected
                if f.kind == "multi_category":
                    assert dv.errorStyle in ("warning", "information")  # '; ' lists stay possible
                else:
                    assert dv.errorStyle == "stop"


def test_whole_number_checks_for_year_and_age(book):
    reviews, children = _validations(book["reviews"]), _validations(book["children"])
    year = reviews["D"]
    assert (year.type, year.operator, year.formula1, year.formula2) == (
        "whole",
        "between",
        "1990",
        "YEAR(TODAY())",
    )
    age = children["C"]
    assert (age.type, age.formula1, age.formula2) == ("whole", "0", "215")


def test_readme_is_generated_from_the_schema(book):
    text = "\n".join(
        str(c.value) for row in book["README"].iter_rows() for c in row if c.value is not None
    )
    for words in ("names", "dates of birth", "addresses", "NHS numbers"):
        assert words in text
    assert "NEVER ENTER" in text
    assert "'; '" in text and "click OK" in text  # several values in one cell
    for table in TABLES:
        for f in FIELDS[table]:
            assert f.name in text and f.meaning in text
            for label in f.labels:
                assert label in text
    assert "tees-analysis validate" in text and "tees-analysis add-year" in text


# --------------------------------------------------------------------------- filling it in


def test_template_filled_with_the_fixture_passes_load(tmp_path):
    expected = pipeline.load(GOOD)
    rows = {
        t: list(csv.DictReader(io.StringIO(pipeline.to_csv_text(getattr(expected, t), t))))
        for t in TABLES
    }
    path = tmp_path / "filled.xlsx"
    path.write_bytes(template.xlsx_bytes(template.build_workbook(rows)))
    loaded = pipeline.load([path])
    for t in TABLES:
        assert pipeline.to_csv_text(getattr(loaded, t), t) == pipeline.to_csv_text(
            getattr(expected, t), t
        )


def test_empty_template_is_reported_not_crashed(tmp_path, rendered):
    path = tmp_path / "empty.xlsx"
    path.write_bytes(rendered[template.XLSX_NAME])
    messages = {(p.sheet, p.message) for p in pipeline.problems([path])}
    assert messages == {
        ("reviews", "the table has a header but no data rows"),
        ("children", "the table has a header but no data rows"),
    }


def test_fictional_2022_is_valid_and_fictional():
    data = pipeline.load([FIXTURES / "fictional_2022.xlsx"])
    assert set(data.reviews["year"]) == {2022}
    ids = [*data.reviews["review_id"], *data.children["child_id"]]
    assert all(i.startswith("FICT22-") for i in ids)
    kids = data.children.set_index("child_id")
    assert kids.loc["FICT22-C1", "living_arrangements"] == ("mother", "in our care")


def test_fictional_2022_with_mistakes_reports_each_mistake():
    builder = load_builder()
    found = pipeline.problems([builder.BAD])
    for sheet, row, column, value, _why in builder.MISTAKES:
        if value.startswith("="):
            assert any(p.row == row and "holds a formula" in p.message
                       for p in found)  # fmt: skip
            continue
        hits = [p for p in found if (p.sheet, p.row, p.column) == (sheet, row, column)]
        assert hits and any(p.value == value for p in hits), (sheet, row, column, value)
    assert any(p.column == "Name" and "direct identifier" in p.message for p in found)
    assert schema.identifier_header("Name") == "a name"


# --------------------------------------------------------------------------- reading it back


def test_sheets_table_lists_the_sheets_in_order():
    sheets = template.sheets_table()
    assert list(sheets["sheet"]) == ["README", "reviews", "children", template.LISTS_SHEET]
    assert list(sheets["shown"]) == [True, True, True, False]
    assert list(sheets["columns"].iloc[1:3]) == [len(FIELDS["reviews"]), len(FIELDS["children"])]
    assert sheets["for"].str.len().gt(0).all()


def test_columns_table_reads_the_drop_down_lists_and_checks_of_the_workbook():
    columns = template.columns_table()
    assert list(columns["column"]) == [f.name for t in TABLES for f in FIELDS[t]]
    by_name = columns.set_index(["sheet", "column"])
    for table in TABLES:
        for f in FIELDS[table]:
            row = by_name.loc[(table, f.name)]
            if f.kind in ("category", "multi_category"):
                assert row["entry"] == "drop-down list"
                assert row["allowed"].startswith("; ".join(f.labels))
            if f.kind == "yes_no":
                assert row["allowed"] == "yes; no" and not row["must be filled in"]
    assert by_name.loc[("reviews", "year"), "allowed"] == "a whole number from 1990 to this year"
    assert by_name.loc[("children", "living_arrangements"), "allowed"].endswith(
        "(several, separated by '; ')"
    )
    assert "never a name" in by_name.loc[("children", "child_id"), "allowed"]
    assert by_name.loc[("reviews", "review_id"), "must be filled in"]


def test_columns_table_of_a_filled_in_workbook_is_that_of_the_template():
    filled = openpyxl.load_workbook(FIXTURES / "fictional_2022.xlsx")
    assert template.columns_table(filled).equals(template.columns_table())
    assert template.sheets_table(filled).equals(template.sheets_table())
