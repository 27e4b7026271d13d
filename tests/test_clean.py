"""Cleaning and validation of analyst files: normalisation, every rule, no writes on error."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from tees_analysis.data import pipeline, schema
from tees_analysis.data.clean import parse_value, tidy_text
from tees_analysis.data.problems import ValidationError

FIXTURES = Path(__file__).parent / "fixtures"
REVIEWS = FIXTURES / "fictional_reviews.csv"
CHILDREN = FIXTURES / "fictional_children.csv"


def read_rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def write_rows(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


@pytest.fixture
def files(tmp_path):
    """Copies of the fictional fixture that a test may break: {'reviews': rows, ...}."""
    return {"reviews": read_rows(REVIEWS), "children": read_rows(CHILDREN), "dir": tmp_path}


def save(files) -> list[Path]:
    return [
        write_rows(files["dir"] / "reviews.csv", files["reviews"]),
        write_rows(files["dir"] / "children.csv", files["children"]),
    ]


def set_cell(rows, row: int, column: str, value: str) -> None:
    """Set spreadsheet row ``row`` (header = 1) of the column headed ``column``."""
    rows[row - 1][rows[0].index(column)] = value


def only_problem(paths, **expected):
    """The problems of ``paths``; at least one must match every expected attribute."""
    found = pipeline.problems(paths)
    assert found, "expected a problem, found none"
    matches = [p for p in found if all(getattr(p, k) == v for k, v in expected.items())]
    assert matches, f"no problem with {expected}; found:\n" + "\n".join(map(str, found))
    return matches[0]


# --------------------------------------------------------------------------- the fixture is valid


def test_fixture_loads_and_is_normalised():
    data = pipeline.load([REVIEWS, CHILDREN])
    assert list(data.reviews["partnership"]) == ["STSCP", "STSCP", "HSSCP", "HSSCP"]
    assert list(data.reviews["review_type"]) == ["SCR", "CSPR", "learning review", "CSPR"]
    kids = data.children.set_index("child_id")
    assert kids.loc["FICT-C1", "living_arrangements"] == ("mother and partner",)
    assert kids.loc["FICT-C3", "living_arrangements"] == ("mother", "in our care")
    assert kids.loc["FICT-C3", "csc_status"] == ("CP plan", "in our care")
    assert kids.loc["FICT-C1", "csc_status"] == ("CP plan",)
    assert kids.loc["FICT-C4", "sex"] == "not recorded"
    assert kids.loc["FICT-C6", "outcome"] == "died"
    assert list(data.reviews["n_children"]) == [1, 2, 2, 1]
    assert kids.loc["FICT-C3", "partnership"] == "STSCP"


def test_under_2_derived_from_months_then_band():
    kids = pipeline.load([REVIEWS, CHILDREN]).children.set_index("child_id")["under_2"]
    assert kids["FICT-C1"]  # 3 months
    assert kids["FICT-C2"]  # band 'under 2'
    assert not kids["FICT-C3"]  # 40 months
    assert pd.isna(kids["FICT-C4"])  # band N/K
    assert not kids["FICT-C5"]
    assert kids["FICT-C6"]  # 14 months


def test_change_log_records_what_was_typed():
    changes = pipeline.load([REVIEWS, CHILDREN]).changes
    hit = changes[(changes["column"] == "csc_status") & (changes["row"] == 2)]
    assert hit[["typed", "cleaned"]].values.tolist() == [["CP Plan ", "CP plan"]]
    assert set(changes["file"]) == {
        "tests/fixtures/fictional_reviews.csv",
        "tests/fixtures/fictional_children.csv",
    }


# --------------------------------------------------------------------------- normalisation units


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Mother & Partner", ("mother and partner",)),
        ("mother and partner", ("mother and partner",)),
        ("  MOTHER   AND partner ", ("mother and partner",)),
        ("Mum; Looked after", ("mother", "in our care")),
        ("LAC\nmother", ("mother", "in our care")),
        ("both parents; Both", ("both parents",)),
    ],
)
def test_living_arrangements_labels(typed, expected):
    assert parse_value(schema.field("children", "living_arrangements"), typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [(" CP Plan ", ("CP plan",)), ("CPP", ("CP plan",)), ("cin", ("child in need",))],
)
def test_csc_status_labels(typed, expected):
    assert parse_value(schema.field("children", "csc_status"), typed) == expected


@pytest.mark.parametrize("typed", ["N/K", "nk", "Not known", "unknown", "not recorded"])
def test_not_recorded_synonyms(typed):
    assert parse_value(schema.field("children", "outcome"), typed) == "not recorded"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("Y", True), ("yes", True), ("TRUE", True), ("1", True), (" x ", True), ("N", False),
     ("no", False), ("FALSE", False), ("0", False), ("", False)],
)  # fmt: skip
def test_yes_no_tokens(typed, expected):
    assert parse_value(schema.field("children", "domestic_abuse"), typed) is expected


def test_integers_accept_excel_floats():
    assert parse_value(schema.field("reviews", "year"), "2019.0") == 2019


def test_tidy_text_folds_spaces_and_quotes():
    assert tidy_text("  children\u2019s   social\tcare ") == "children's social care"


def test_every_category_label_parses_to_itself():
    for table in schema.FIELDS.values():
        for f in table:
            for label in f.labels:
                got = parse_value(f, label)
                assert got == (label,) if f.kind == "multi_category" else got == label


def test_bare_not_known_is_ambiguous_for_social_care_status():
    with pytest.raises(Exception, match="unknown category"):
        parse_value(schema.field("children", "csc_status"), "not known")


# --------------------------------------------------------------------------- validation rules
# Each case breaks one thing in a valid file and names the problem expected: the file, the
# spreadsheet row as the user sees it, the column and the bad value.


def _bad_cell(table, row, column, value):
    def mutate(files):
        set_cell(files[table], row, column, value)

    return mutate


CELL_CASES = [
    # (id, table, row, header, bad value, expected message fragment)
    ("unknown category", "children", 3, "Outcome", "hurt", "unknown category"),
    ("unknown multi label", "children", 4, "Living arrangements", "mother; aunt", "unknown"),
    ("not recorded combined", "children", 2, "Sex", "", "a value is required"),
    ("bad yes/no", "children", 5, "Domestic abuse", "maybe", "not a yes/no value"),
    ("year not a number", "reviews", 2, "Year", "2019a", "not a whole number"),
    ("year in the future", "reviews", 3, "Year", "2999", "is in the future"),
    ("year too early", "reviews", 3, "Year", "1850", "out of range"),
    ("age out of range", "children", 6, "Age (months)", "250", "out of range"),
    ("negative age", "children", 6, "Age (months)", "-3", "out of range"),
    ("fractional age", "children", 6, "Age (months)", "3.5", "not a whole number"),
    ("blank required id", "children", 7, "Child ID", "", "a value is required"),
    ("bad id characters", "reviews", 5, "Review ID", "R 4!", "not a valid review id"),
    ("NHS number in id", "children", 7, "Child ID", "4505577104", "direct identifier"),
    ("date in pseudonym", "reviews", 3, "Published pseudonym", "12/03/2015", "not a valid"),
    ("unknown partnership", "reviews", 4, "Partnership", "Durham", "unknown category"),
    ("multi not recorded", "children", 4, "Living arrangements", "mother; N/K", "cannot be"),
]


@pytest.mark.parametrize(("case", "table", "row", "header", "value", "message"), CELL_CASES,
                         ids=[c[0] for c in CELL_CASES])  # fmt: skip
def test_cell_rule(files, case, table, row, header, value, message):
    set_cell(files[table], row, header, value)
    problem = only_problem(save(files), row=row, column=header, value=value)
    assert message in problem.message
    assert problem.file.endswith(f"{table}.csv")
    text = str(problem)
    assert f"row {row}" in text and f"'{header}'" in text and repr(value) in text


def test_unknown_category_lists_allowed_values(files):
    set_cell(files["children"], 3, "Outcome", "hurt")
    problem = only_problem(save(files), row=3, column="Outcome")
    assert problem.allowed == "'died', 'significant harm', 'not recorded'"


def test_duplicate_child_id(files):
    set_cell(files["children"], 4, "Child ID", "FICT-C1")
    problem = only_problem(save(files), row=4, column="Child ID", value="FICT-C1")
    assert "duplicate child_id" in problem.message and "row 2" in problem.message


def test_duplicate_review_id(files):
    set_cell(files["reviews"], 3, "Review ID", "FICT-R1")
    found = pipeline.problems(save(files))
    assert any("duplicate review_id" in p.message and p.row == 3 for p in found)


def test_child_in_missing_review(files):
    set_cell(files["children"], 7, "Review ID", "FICT-R9")
    problem = only_problem(save(files), row=7, column="Review ID", value="FICT-R9")
    assert "not in the reviews table" in problem.message


def test_review_without_children(files):
    files["children"] = [r for r in files["children"] if r[1] != "FICT-R4"]
    problem = only_problem(save(files), row=5, column="Review ID", value="FICT-R4")
    assert "no children" in problem.message


def test_missing_required_column(files):
    """Without a column that cannot be "not recorded" (an id, partnership, year) a file is
    refused; a yes/no or category column may be absent (tests/test_analyst_files.py)."""
    pos = files["reviews"][0].index("Partnership")
    files["reviews"] = [r[:pos] + r[pos + 1 :] for r in files["reviews"]]
    problem = only_problem(save(files), column="partnership")
    assert problem.message == "required column is missing" and problem.row is None
    assert problem.severity == "error"


def test_misspelt_column_gets_a_suggestion(files):
    set_cell(files["children"], 1, "Domestic abuse", "Domestc abuse")
    problem = only_problem(save(files), row=1, column="Domestc abuse")
    assert "did you mean 'domestic_abuse'" in problem.message


def test_extra_column_rejected(files):
    for i, row in enumerate(files["reviews"]):
        row.append("Lead reviewer" if i == 0 else "")
    problem = only_problem(save(files), row=1, column="Lead reviewer")
    assert "unknown column" in problem.message


def test_direct_identifier_column_rejected(files):
    for i, row in enumerate(files["children"]):
        row.append("Date of birth" if i == 0 else "")
    problem = only_problem(save(files), row=1, column="Date of birth")
    assert "direct identifier (a date of birth)" in problem.message


def test_published_pseudonym_is_allowed(files):
    set_cell(files["reviews"], 2, "Published pseudonym", "Stork")
    assert pipeline.problems(save(files)) == []


def test_age_band_disagrees_with_months(files):
    set_cell(files["children"], 2, "Age band", "2 and over")
    problem = only_problem(save(files), row=2, column="Age band", value="2 and over")
    assert "disagrees with age_months=3" in problem.message


def test_no_age_at_all(files):
    set_cell(files["children"], 2, "Age (months)", "")
    problem = only_problem(save(files), row=2, column="Age band")
    assert problem.message.startswith("no age")


def test_duplicate_column(files):
    files["children"][0][files["children"][0].index("Sex")] = "Outcome"
    found = pipeline.problems(save(files))
    assert any("appears twice" in p.message for p in found)


def test_empty_file(files):
    paths = save(files)
    paths[1].write_text("")
    problem = only_problem(paths, file=pipeline.display(paths[1]))
    assert problem.message == "the file is empty"


def test_header_only(files):
    files["children"] = files["children"][:1]
    problem = only_problem(save(files), row=2)
    assert "no data rows" in problem.message


def test_unreadable_workbook(files, tmp_path):
    bad = tmp_path / "data.xlsx"
    bad.write_bytes(b"not a zip file")
    problem = only_problem([bad])
    assert "cannot be read as an Excel workbook" in problem.message


def test_unsupported_file_type(tmp_path):
    odd = tmp_path / "children.json"
    odd.write_text("{}")
    assert "unsupported file type" in only_problem([odd]).message


def test_missing_file(tmp_path):
    assert only_problem([tmp_path / "nope.csv"]).message == "file not found"


def test_csv_in_another_encoding(files):
    paths = save(files)
    text = paths[1].read_text(encoding="utf-8").replace("Mother & Partner", "Mère & Partner")
    paths[1].write_bytes(text.encode("cp1252"))
    assert "not UTF-8" in only_problem(paths, file=pipeline.display(paths[1])).message


def test_csv_with_semicolons(files):
    paths = save(files)
    paths[0].write_text("\n".join(";".join(r) for r in files["reviews"]))
    assert "separated by semicolons" in only_problem(paths, row=1).message


def test_row_longer_than_header(files):
    files["children"][3].append("stray")
    assert "the header has" in only_problem(save(files), row=4).message


def test_a_bad_cell_is_reported_once(files):
    """An invalid age is not reported again as a missing age."""
    set_cell(files["children"], 2, "Age (months)", "400")
    found = pipeline.problems(save(files))
    assert [(p.row, p.column) for p in found] == [(2, "Age (months)")]


def test_all_problems_reported_at_once(files):
    set_cell(files["children"], 3, "Outcome", "hurt")
    set_cell(files["children"], 5, "Domestic abuse", "maybe")
    set_cell(files["reviews"], 2, "Year", "2999")
    with pytest.raises(ValidationError) as caught:
        pipeline.load(save(files))
    rows = {(p.file.rsplit("/", 1)[-1], p.row) for p in caught.value.problems}
    assert {("children.csv", 3), ("children.csv", 5), ("reviews.csv", 2)} <= rows
    assert str(caught.value).startswith("3 problems found; nothing was written")


# --------------------------------------------------------------------------- workbooks


def workbook(files, path: Path, sheets=("reviews", "children")) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name in sheets:
        ws = book.create_sheet(name)
        for row in files[name.strip().lower()]:
            ws.append([int(c) if c.isdigit() else c for c in row])
    book.save(path)
    return path


def test_workbook_loads_like_csv(files):
    book = workbook(files, files["dir"] / "data.xlsx")
    from_xlsx = pipeline.load([book])
    from_csv = pipeline.load([REVIEWS, CHILDREN])
    pd.testing.assert_frame_equal(from_xlsx.children, from_csv.children)
    pd.testing.assert_frame_equal(from_xlsx.reviews, from_csv.reviews)


def test_workbook_wrong_sheet_names(files):
    book = workbook(files, files["dir"] / "data.xlsx", sheets=("reviews",))
    book2 = openpyxl.load_workbook(book)
    book2["reviews"].title = "Sheet1"
    book2.save(book)
    problem = only_problem([book])
    assert "no sheet named 'reviews' or 'children'" in problem.message
    assert "'Sheet1'" in problem.message


def test_workbook_formula_and_merged_cells(files):
    path = workbook(files, files["dir"] / "data.xlsx")
    book = openpyxl.load_workbook(path)
    book["children"]["C3"] = "=1+2"
    book["children"].merge_cells("E4:E5")
    book.save(path)
    found = pipeline.problems([path])
    assert any("formula" in p.message and p.row == 3 and p.sheet == "children" for p in found)
    assert any("merged cells E4:E5" in p.message and p.row == 4 for p in found)


# --------------------------------------------------------------------------- no writes on error


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_nothing_written_when_input_invalid(files, tmp_path):
    out = tmp_path / "processed"
    out.mkdir()
    (out / "reviews.csv").write_text("previous output\n")
    before = digest(out)
    set_cell(files["children"], 3, "Outcome", "hurt")
    paths = save(files)
    raw_before = {p: p.read_bytes() for p in paths}
    with pytest.raises(ValidationError):
        pipeline.build(paths, out)
    assert digest(out) == before
    assert {p: p.read_bytes() for p in paths} == raw_before


def test_build_writes_round_trippable_tables(files, tmp_path):
    paths = save(files)
    raw_before = {p: p.read_bytes() for p in paths}
    out = tmp_path / "processed"
    written = pipeline.build(paths, out)
    assert sorted(p.name for p in written) == ["children.csv", "cleaning_log.csv", "reviews.csv"]
    again = pipeline.load([out / "reviews.csv", out / "children.csv"])
    first = pipeline.load(paths)
    pd.testing.assert_frame_equal(again.children, first.children)
    pd.testing.assert_frame_equal(again.reviews, first.reviews)
    assert again.changes.empty  # processed files are already clean
    assert {p: p.read_bytes() for p in paths} == raw_before
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


# ------------------------------------------------------------------ not recorded, provenance


@pytest.mark.parametrize("typed", ["not recorded", "N/K", "unknown"])
def test_yes_no_not_recorded_is_missing_not_no(typed):
    assert parse_value(schema.field("children", "fii"), typed) is None


def test_yes_no_not_recorded_round_trips(files, tmp_path):
    set_cell(files["children"], 3, "Fabricated or induced illness", "N/K")
    out = tmp_path / "processed"
    pipeline.build(save(files), out)
    again = pipeline.load([out / "reviews.csv", out / "children.csv"])
    fii = again.children.set_index("child_id")["fii"]
    assert pd.isna(fii["FICT-C2"]) and not fii["FICT-C1"]
    assert "not recorded" in (out / "children.csv").read_text()


def test_fictional_rows_are_not_mixed_with_case_records(files):
    set_cell(files["reviews"], 3, "Provenance", "")  # blank = case records
    found = pipeline.problems(save(files))
    assert {p.row for p in found} == {2, 4, 5}
    assert all("keep fictional data apart from case records" in p.message for p in found)
    assert {p.column for p in found} == {"Provenance"}


def test_review_type_may_be_not_recorded(files):
    set_cell(files["reviews"], 2, "Review type", "N/K")
    data = pipeline.load(save(files))
    assert data.reviews["review_type"].iloc[0] == "not recorded"
