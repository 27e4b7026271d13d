"""Analysts' files as they really come (issue 13, part 5).

Header synonyms, columns a file does not have, warnings for cells that contradict each other,
N/K and N/A, partnership names as published, "did you mean" hints, renamed workbook sheets,
what cleaning rewrote, a dataset folder that cannot be written and export years outside the
data. Each test asserts the exact message the analyst reads.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from fixture_files import CHILDREN, FIXTURES, NEW, REVIEWS, FixtureCopy

from tees_analysis import cli
from tees_analysis.data import atomic, merge, pipeline, schema
from tees_analysis.data.clean import parse_value
from tees_analysis.data.problems import ValidationError, problems_frame
from tees_analysis.report import codebook

Files = FixtureCopy


@pytest.fixture
def files(tmp_path) -> Files:
    return Files(tmp_path)


def shown(path: Path) -> str:
    return pipeline.display(path)


def texts(problems) -> list[str]:
    return [str(p) for p in problems]


def tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# --------------------------------------------------------------------------- 1. header synonyms

SYNONYM_HEADERS = {
    "reviews": {
        "Partnership": "Partnership name",
        "Review type": "Type of review",
        "Year": "Year completed",
    },
    "children": {
        "Age (months)": "Age in months",
        "Sex": "Gender",
        "Outcome": "Outcome for child",
        "Living arrangements": "Living with",
        "Children's social care status": "Social care status",
        "Harm category": "Category",
        "Child protection plan category": "CP plan category",
        "Domestic abuse": "DA",
        "Parental mental ill-health": "PMH",
        "Substance misuse": "Drugs and alcohol",
    },
}


def test_header_synonyms_are_read_as_their_fields(files):
    for table, renames in SYNONYM_HEADERS.items():
        for header, synonym in renames.items():
            files.rename(table, header, synonym)
    data = pipeline.load(files.both())
    expected = pipeline.load([REVIEWS, CHILDREN])
    pd.testing.assert_frame_equal(data.children, expected.children)
    pd.testing.assert_frame_equal(data.reviews, expected.reviews)
    assert data.warnings == ()
    # problems name the column by the header of the analyst's file
    files.set("children", 3, "Category", "hurt")
    assert texts(pipeline.problems(files.both())) == [
        f"{shown(files.dir / 'children.csv')}, row 3, column 'Category': unknown category "
        "(value: 'hurt'); allowed: 'neglect', 'physical abuse / NAI', 'emotional abuse', "
        "'sexual abuse', 'other', 'not recorded'"
    ]


def test_category_is_the_harm_category_and_csc_status_still_works(files):
    files.rename("children", "Harm category", "Category")
    files.rename("children", "Children's social care status", "CSC status")
    kids = pipeline.load(files.both()).children.set_index("child_id")
    assert kids.loc["FICT-C1", "harm_category"] == "physical abuse / NAI"  # typed NAI
    assert kids.loc["FICT-C1", "plan_category"] == "physical abuse"
    assert kids.loc["FICT-C3", "csc_status"] == ("CP plan", "in our care")
    lookup = schema.HEADERS["children"]
    assert lookup[schema.header_key("Category")].name == "harm_category"
    assert lookup[schema.header_key("CSC status")].name == "csc_status"
    assert lookup[schema.header_key("csc_status")].name == "csc_status"


@pytest.mark.parametrize(
    ("table", "header", "message"),
    [
        ("children", "Age", "unknown column; did you mean 'age_band' or 'age_months'?"),
        ("children", "Child's gender", "unknown column; did you mean 'sex'?"),
        ("children", "Mental health issues",
         "unknown column; did you mean 'parental_mental_ill_health'?"),
        ("children", "Living arangements", "unknown column; did you mean 'living_arrangements'?"),
        ("reviews", "Type of reveiw", "unknown column; did you mean 'review_type'?"),
        ("reviews", "Lead reviewer", "unknown column"),
    ],
)  # fmt: skip
def test_unknown_headers_get_suggestions_from_the_synonyms(files, table, header, message):
    files.rows[table][0].append(header)
    for row in files.rows[table][1:]:
        row.append("")
    problems = [p for p in pipeline.problems(files.both()) if p.row == 1]
    assert [(p.column, p.message) for p in problems] == [(header, message)]
    names = ", ".join(f"'{f.name}'" for f in schema.FIELDS[table])
    assert problems[0].allowed == names


def test_a_header_synonym_may_name_one_field_only():
    one = schema.Field("sex", "children", "text", "Sex", "", header_synonyms=("Gender",))
    two = schema.Field("gender_identity", "children", "text", "Gender identity", "",
                       header_synonyms=("gender",))  # fmt: skip
    with pytest.raises(ValueError) as caught:
        schema.header_lookup("children", [one, two])
    assert str(caught.value) == (
        "children: the header 'gender' would name both sex and gender_identity"
    )
    for table in schema.TABLES:  # the schema's own headers: checked when it loads
        assert len(schema.header_lookup(table)) >= len(schema.FIELDS[table])


def test_no_header_synonym_looks_like_a_direct_identifier():
    for table in schema.TABLES:
        for f in schema.FIELDS[table]:
            for header in f.headers:
                assert schema.identifier_header(header) is None, (f.name, header)


def test_the_codebook_lists_the_header_synonyms():
    text = codebook.render()
    assert "| `living_arrangements` | Living arrangements<br>(also: Living with, " in text
    assert "| `harm_category` | Harm category<br>(also: Category, Harm type, " in text
    assert "(also: CP plan category, Plan category, " in text


# --------------------------------------------------------------------------- 2. absent columns

THEME_HEADERS = [name for _code, name in schema.THEMES]


def test_absent_theme_columns_are_not_recorded_with_one_warning_each(files):
    files.drop("reviews", *THEME_HEADERS)
    data = pipeline.load(files.both())
    for code, _name in schema.THEMES:
        column = data.reviews[schema.theme_field(code)]
        assert column.dtype == "boolean" and column.isna().all()  # not recorded, never "no"
    assert len(data.warnings) == 10
    assert {p.severity for p in data.warnings} == {"warning"}
    assert str(data.warnings[0]) == (
        f"{shown(files.dir / 'reviews.csv')}, column 'theme_childs_world': no column "
        "'theme_childs_world' in the file: read as 'not recorded' (missing) on every row, not "
        "as 'no'; add the column if the data hold it; allowed: a header 'theme_childs_world' "
        "or 'Understanding the child's world'"
    )
    # a blank cell in a column the file has still means "no"
    assert not data.children.set_index("child_id").loc["FICT-C1", "neglect"]


def test_an_absent_factor_column_is_not_recorded_and_written_so(files, tmp_path):
    files.drop("children", "Fabricated or induced illness")
    data = pipeline.load(files.both())
    assert data.children["fii"].isna().all()
    assert texts(data.warnings) == [
        f"{shown(files.dir / 'children.csv')}, column 'fii': no column 'fii' in the file: read "
        "as 'not recorded' (missing) on every row, not as 'no'; add the column if the data "
        "hold it; allowed: a header 'fii' or 'Fabricated or induced illness'"
    ]
    out = tmp_path / "processed"
    pipeline.write_processed(data, out)  # warnings never stop writing
    again = pipeline.load([out / "reviews.csv", out / "children.csv"])
    assert again.children["fii"].isna().all() and again.warnings == ()


def test_an_absent_category_column_reads_not_recorded(files):
    files.drop("children", "Sex", "Living arrangements")
    data = pipeline.load(files.both())
    assert set(data.children["sex"]) == {"not recorded"}
    assert set(data.children["living_arrangements"]) == {("not recorded",)}
    assert [p.message for p in data.warnings] == [
        "no column 'living_arrangements' in the file: read as 'not recorded' on every row; add "
        "the column if the data hold it",
        "no column 'sex' in the file: read as 'not recorded' on every row; add the column if "
        "the data hold it",
    ]


@pytest.mark.parametrize(
    ("table", "header", "column"),
    [("reviews", "Review ID", "review_id"), ("reviews", "Partnership", "partnership"),
     ("reviews", "Year", "year"), ("children", "Child ID", "child_id")],
)  # fmt: skip
def test_absent_identifier_columns_are_still_errors(files, table, header, column):
    files.drop(table, header)
    with pytest.raises(ValidationError) as caught:
        pipeline.load(files.both())
    missing = [p for p in caught.value.problems if p.column == column and p.row is None]
    assert texts(missing) == [
        f"{shown(files.dir / f'{table}.csv')}, column '{column}': required column is missing; "
        f"allowed: a header '{column}' or '{header}'"
    ]


def test_add_year_merges_absent_columns_as_not_recorded(files, tmp_path, capsys):
    files.drop("children", "Exploitation")
    dataset = tmp_path / "dataset"
    assert cli.main(["add-year", *map(str, files.both()), "--dataset", str(dataset)]) == 0
    out = capsys.readouterr().out
    assert "now version 0001: 4 reviews, 6 children, and 1 warning\n" in out
    assert f"  - {shown(files.dir / 'children.csv')}, column 'exploitation': no column" in out
    data = pipeline.load(merge.current_files(dataset))
    assert data.children["exploitation"].isna().all() and data.warnings == ()


# --------------------------------------------------------------------------- 3. warnings


def _contradictions(files: Files) -> None:
    files.set("children", 2, "Neglect", "n")  # FICT-C1
    files.set("children", 2, "Harm category", "neglect")
    files.set("children", 2, "Child protection plan category", "Neglect")
    files.set("children", 5, "Children's social care status", "not known to CSC; CIN")  # FICT-C4
    files.set("children", 5, "Child protection plan category", "physical")


def test_contradictions_are_warnings_naming_row_column_and_value(files):
    _contradictions(files)
    data = pipeline.load(files.both())  # warnings never stop loading
    where = shown(files.dir / "children.csv")
    assert texts(data.warnings) == [
        f"{where}, row 2, column 'Child protection plan category': the plan category is "
        "neglect, but column 'Neglect' says no (neglect did not feature); check which is right "
        "(value: 'neglect')",
        f"{where}, row 2, column 'Harm category': the harm category is neglect, but column "
        "'Neglect' says no (neglect did not feature); check which is right (value: 'neglect')",
        f"{where}, row 5, column 'Children's social care status': 'not known to children's "
        "social care' together with 'child in need': a child never known to children's social "
        "care has no other status; check which is right "
        '(value: "not known to children\'s social care; child in need")',
        f"{where}, row 5, column 'Children's social care status': 'not known to children's "
        "social care', but column 'Child protection plan category' gives a child protection "
        "plan category ('physical abuse'); check which is right "
        '(value: "not known to children\'s social care; child in need")',
    ]
    assert pipeline.problems(files.both()) == []  # no error
    assert len(pipeline.problems(files.both(), warnings=True)) == 4


def test_build_writes_and_shows_the_warnings(files, tmp_path, capsys):
    _contradictions(files)
    out = tmp_path / "processed"
    assert cli.main(["build", *map(str, files.both()), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("wrote ")
    assert captured.err.splitlines()[0] == (
        "4 warnings (to check; warnings do not stop loading or writing):"
    )
    assert (out / "children.csv").is_file()


def test_no_warning_where_nothing_contradicts():
    for paths in ([REVIEWS, CHILDREN], pipeline.data_files(), [NEW]):
        assert pipeline.load(paths).warnings == ()


def test_age_band_disagreeing_with_age_months_is_still_an_error(files):
    files.set("children", 2, "Age band", "2 and over")
    (problem,) = pipeline.problems(files.both())
    assert problem.severity == "error"
    assert problem.message == "age band disagrees with age_months=3"


def test_validate_shows_warnings_after_no_problems(files, capsys):
    _contradictions(files)
    paths = files.both()
    assert cli.main(["validate", *map(str, paths)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "no problems: 4 reviews, 6 children, and 4 warnings"
    assert lines[1] == "4 warnings (to check; warnings do not stop loading or writing):"
    assert lines[2].startswith(f"  - {shown(paths[1])}, row 2, column 'Child protection plan")
    assert lines[6].startswith("cleaning rewrote ")


def test_validate_shows_warnings_after_the_errors(files, capsys):
    _contradictions(files)
    files.set("children", 3, "Outcome", "hurt")
    paths = files.both()
    assert cli.main(["validate", *map(str, paths)]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert lines[:2] == [
        "1 problem found; nothing was written:",
        f"  - {shown(paths[1])}, row 3, column 'Outcome': unknown category (value: 'hurt'); "
        "allowed: 'died', 'significant harm', 'not recorded'",
    ]
    assert lines[2] == "4 warnings (to check; warnings do not stop loading or writing):"
    assert len(lines) == 7


def test_validate_table_and_csv_have_a_severity_column(files, capsys):
    _contradictions(files)
    files.set("children", 3, "Outcome", "hurt")
    paths = list(map(str, files.both()))
    assert cli.main(["validate", "--format", "csv", *paths]) == 1
    captured = capsys.readouterr()
    assert captured.err == "1 problem found; nothing was written, and 4 warnings\n"
    rows = list(csv.DictReader(io.StringIO(captured.out)))
    assert [r["severity"] for r in rows] == ["error", "warning", "warning", "warning", "warning"]
    assert (rows[1]["row"], rows[1]["column"], rows[1]["value"]) == (
        "2",
        "Child protection plan category",
        "neglect",
    )
    assert cli.main(["validate", "--format", "table", *paths]) == 1
    table = capsys.readouterr().out.splitlines()
    assert table[0].split()[:3] == ["severity", "file", "row"]
    assert [line.split()[0] for line in table[1:]] == ["error"] + ["warning"] * 4
    files.set("children", 3, "Outcome", "significant harm")  # warnings only: still listed
    assert cli.main(["validate", "--format", "csv", *map(str, files.both())]) == 0
    captured = capsys.readouterr()
    assert captured.err.startswith("no problems: 4 reviews, 6 children, and 4 warnings\n")
    rows = list(csv.DictReader(io.StringIO(captured.out)))
    assert [r["severity"] for r in rows] == ["warning"] * 4


def test_problems_frame_shows_severity_only_when_asked_or_needed(files):
    _contradictions(files)
    warnings = pipeline.problems(files.both(), warnings=True)
    assert problems_frame(warnings).columns[0] == "severity"
    errors = pipeline.problems([REVIEWS, FIXTURES / "fictional_children_with_mistakes.csv"])
    assert "severity" not in problems_frame(errors)  # as notebooks 01 and 08 show them
    assert set(problems_frame(errors, severity=True)["severity"]) == {"error"}


# --------------------------------------------------------------------------- 4. values


def test_nk_in_age_months_means_not_recorded(files):
    files.set("children", 2, "Age (months)", "N/K")
    files.set("children", 2, "Age band", "under 2")
    data = pipeline.load(files.both())
    kid = data.children.set_index("child_id").loc["FICT-C1"]
    assert pd.isna(kid["age_months"]) and kid["under_2"]
    change = data.changes[data.changes["column"] == "age_months"]
    assert change[["row", "typed", "cleaned"]].values.tolist() == [[2, "N/K", ""]]


def test_nk_year_is_refused(files):
    files.set("reviews", 2, "Year", "N/K")
    assert texts(pipeline.problems(files.both())) == [
        f"{shown(files.dir / 'reviews.csv')}, row 2, column 'Year': a value is required; year "
        "cannot be 'not recorded' (value: 'N/K')"
    ]


def test_na_is_not_recorded_but_no_plan_in_the_plan_category():
    assert parse_value(schema.field("children", "fii"), "N/A") is None
    assert parse_value(schema.field("reviews", "theme_neglect"), "n/a") is None
    assert parse_value(schema.field("children", "sex"), "N/A") == "not recorded"
    assert parse_value(schema.field("children", "living_arrangements"), "N/A") == ("not recorded",)
    assert parse_value(schema.field("children", "plan_category"), "N/A") == "no plan"
    assert parse_value(schema.field("children", "plan_category"), "N/K") == "not recorded"


@pytest.mark.parametrize(
    ("typed", "label"),
    [("South Tees SCP", "STSCP"), ("Hartlepool & Stockton-on-Tees SCP", "HSSCP"),
     ("Hartlepool and Stockton-on-Tees SCP", "HSSCP"),
     ("South Tees Safeguarding Children Partnership", "STSCP"),
     ("Hartlepool & Stockton-on-Tees Safeguarding Children Partnership", "HSSCP")],
)  # fmt: skip
def test_partnership_names_as_published(typed, label):
    assert parse_value(schema.field("reviews", "partnership"), typed) == label


@pytest.mark.parametrize(
    ("header", "typed", "message"),
    [
        ("Living arrangements", "Grandparnts", "unknown category; did you mean 'other family'?"),
        ("Living arrangements", "mother; grandparnts",
         "unknown category 'grandparnts'; did you mean 'other family'?"),
        ("Sex", "mail", "unknown category; did you mean 'male'?"),
        ("Children's social care status", "not knwon to CSC",
         "unknown category; did you mean 'not known to children's social care'?"),
        ("Domestic abuse", "yess", "not a yes/no value; did you mean 'yes'?"),
        ("Outcome", "hurt", "unknown category"),  # nothing close: no guess
    ],
)  # fmt: skip
def test_values_close_to_a_label_or_synonym_get_a_hint(files, header, typed, message):
    files.set("children", 2, header, typed)
    (problem,) = pipeline.problems(files.both())
    assert (problem.row, problem.column, problem.value, problem.message) == (
        2,
        header,
        typed,
        message,
    )


def test_values_read_as_clearly_fine_are_synonyms():
    living = schema.field("children", "living_arrangements")
    for typed in ("Grandparents", "grandmother", "Kinship carers", "relative"):
        assert parse_value(living, typed) == ("other family",)


# --------------------------------------------------------------------------- 5. sheets


def test_a_renamed_sheet_is_named_not_guessed(files):
    book = files.workbook({"reviews": "reviews", "children": "Children 2022"})
    assert texts(pipeline.problems([book])) == [
        f"{shown(book)} [sheet Children 2022]: no sheet named 'children'; the sheet "
        "'Children 2022' is probably it: rename it 'children' (sheets found: 'reviews', "
        "'Children 2022'; expected: 'reviews', 'children'); allowed: 'reviews', 'children'"
    ]


def test_two_renamed_sheets_are_both_named(files):
    book = files.workbook({"reviews": "Reviews (final)", "children": "children_2022"})
    found = "sheets found: 'Reviews (final)', 'children_2022'; expected: 'reviews', 'children'"
    assert [p.message for p in pipeline.problems([book])] == [
        f"no sheet named 'reviews'; the sheet 'Reviews (final)' is probably it: rename it "
        f"'reviews' ({found})",
        f"no sheet named 'children'; the sheet 'children_2022' is probably it: rename it "
        f"'children' ({found})",
    ]


def test_a_workbook_without_any_known_sheet(files):
    book = files.workbook({"reviews": "Sheet1", "children": "Sheet2"})
    assert [p.message for p in pipeline.problems([book])] == [
        "no sheet named 'reviews' or 'children' (sheets found: 'Sheet1', 'Sheet2'; expected: "
        "'reviews', 'children')"
    ]


# --------------------------------------------------------------------------- 6. cleaning summary


def test_validate_says_what_cleaning_rewrote(capsys):
    assert cli.main(["validate", str(REVIEWS), str(CHILDREN)]) == 0
    assert capsys.readouterr().out == (
        "no problems: 4 reviews, 6 children\n"
        "cleaning rewrote 108 cells: 36 labels normalised (e.g. 'N/K' -> 'not recorded'), 55 "
        "yes/no values written as yes or no (e.g. 'Y' -> 'yes'), 17 blank yes/no cells read as "
        "'no'. To see every rewritten cell, run again with --changes (or --format table for "
        "each rewrite, counted)\n"
    )


def test_change_sentence_names_each_kind_of_rewrite(files):
    files.set("children", 2, "Living arrangements", "Grandparents")
    files.set("children", 2, "Age (months)", "3.0")
    files.set("children", 4, "Age (months)", "N/K")
    files.set("children", 4, "Age band", "2 and over")
    files.set("reviews", 2, "Review ID", " FICT-R1")
    changes = pipeline.load(files.both()).changes
    sentence = pipeline.change_sentence(changes)
    assert sentence.startswith("cleaning rewrote 111 cells: ")  # 108 + 3 (row 2's living
    # arrangements, 'Mother & Partner', was rewritten already)
    assert "1 number written as a whole number (e.g. '3.0' -> '3')" in sentence
    assert "1 number not recorded left blank (e.g. 'N/K' -> blank)" in sentence
    assert "1 code or text tidied (e.g. ' FICT-R1' -> 'FICT-R1')" in sentence
    assert pipeline.change_sentence(changes.iloc[:0]) == "cleaning rewrote no cells"


def test_validate_changes_lists_every_cell(capsys):
    assert cli.main(["validate", "--changes", "--format", "csv", str(REVIEWS), str(CHILDREN)]) == 0
    captured = capsys.readouterr()
    rows = list(csv.DictReader(io.StringIO(captured.out)))
    assert len(rows) == 108
    assert rows[0] == {
        "file": "tests/fixtures/fictional_reviews.csv",
        "row": "2",
        "table": "reviews",
        "column": "partnership",
        "typed": "South Tees",
        "cleaned": "STSCP",
    }
    assert captured.err.splitlines()[0] == "no problems: 4 reviews, 6 children"
    assert cli.main(["validate", "--format", "table", str(REVIEWS), str(CHILDREN)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].endswith("; each rewrite (--changes lists every cell):")
    assert lines[2].split() == ["table", "column", "typed", "cleaned", "cells"]


# --------------------------------------------------------------------------- 7. not writable


@pytest.fixture
def started(tmp_path) -> Path:
    folder = tmp_path / "dataset"
    merge.add_year([REVIEWS, CHILDREN], folder)
    return folder


def _refuse_writes(monkeypatch) -> None:
    def probe(directory):
        raise PermissionError(13, "Permission denied", str(directory))

    monkeypatch.setattr(merge, "_probe_write", probe)


@pytest.mark.parametrize("dry_run", [False, True])
def test_add_year_into_a_folder_it_cannot_write(started, monkeypatch, capsys, dry_run):
    _refuse_writes(monkeypatch)
    before = tree(started)
    argv = ["add-year", str(NEW), "--dataset", str(started), *(["--dry-run"] if dry_run else [])]
    assert cli.main(argv) == 1
    captured = capsys.readouterr()
    assert captured.err == (
        "1 problem found; nothing was written:\n"
        f"  - {shown(started)}: the dataset folder is not writable (permission denied): make it "
        f"writable for you (e.g. chmod u+w {shown(started)}), or give another folder with "
        "--dataset DIR\n"
    )
    assert captured.out == ""
    assert tree(started) == before


def test_add_year_where_the_folder_cannot_be_created(tmp_path, monkeypatch, capsys):
    _refuse_writes(monkeypatch)
    folder = tmp_path / "new" / "dataset"
    assert cli.main(["add-year", str(NEW), "--dataset", str(folder)]) == 1
    assert capsys.readouterr().err.splitlines()[1] == (
        f"  - {shown(folder)}: the dataset folder does not exist and cannot be created: "
        f"{shown(tmp_path)} is not writable (permission denied); make it writable for you (e.g. "
        f"chmod u+w {shown(tmp_path)}), or give another folder with --dataset DIR"
    )
    assert not (tmp_path / "new").exists()


def test_dry_run_says_the_folder_is_writable(started, capsys):
    before = tree(started)
    assert cli.main(["add-year", str(NEW), "--dataset", str(started), "--dry-run"]) == 0
    assert capsys.readouterr().out == (
        f"no problems: add-year would add 2 reviews and 3 children to {shown(started)} (then 6 "
        "reviews, 9 children); the dataset folder is writable; nothing was written\n"
    )
    assert tree(started) == before


def test_a_write_refused_while_merging_is_a_clear_message(started, monkeypatch, capsys):
    """Permissions that change between the check and the write: no traceback, exit 1."""

    def refuse(files, **_options):
        path = next(iter(files))
        raise PermissionError(13, "Permission denied", str(path))

    before = tree(started)
    monkeypatch.setattr(atomic, "write_files", refuse)
    assert cli.main(["add-year", str(NEW), "--dataset", str(started)]) == 1
    monkeypatch.undo()
    assert capsys.readouterr().err == (
        f"{shown(started)}: cannot write in {shown(started / 'versions' / '0002')} (permission "
        "denied); make the dataset folder writable for you, or give another folder with "
        "--dataset DIR; the dataset's current version is unchanged\n"
    )
    assert merge.current_version(started) == started / "versions" / "0001"
    merge.recover(started)
    assert tree(started) == before


def _chmod_works(folder: Path) -> bool:
    """Whether a folder made read-only refuses writes here (not as root, say)."""
    probe = folder / "probe"
    probe.mkdir()
    probe.chmod(0o555)
    try:
        (probe / "x").write_text("x")
    except PermissionError:
        return True
    finally:
        probe.chmod(0o755)
        shutil.rmtree(probe)
    return False


def test_add_year_into_a_read_only_folder(started, tmp_path, capsys):
    if not _chmod_works(tmp_path):
        pytest.skip("a read-only folder is writable here (running as root?)")
    before = tree(started)
    started.chmod(0o555)
    try:
        for dry_run in ([], ["--dry-run"]):
            assert cli.main(["add-year", str(NEW), "--dataset", str(started), *dry_run]) == 1
            err = capsys.readouterr().err
            assert "the dataset folder is not writable (permission denied)" in err
            assert "Traceback" not in err
    finally:
        started.chmod(0o755)
    assert tree(started) == before


def test_dry_run_into_a_new_folder_says_it_can_be_created(tmp_path, capsys):
    folder = tmp_path / "new"
    assert cli.main(["add-year", str(NEW), "--dataset", str(folder), "--dry-run"]) == 0
    assert capsys.readouterr().out == (
        f"no problems: add-year would add 2 reviews and 3 children to {shown(folder)} (then 2 "
        "reviews, 3 children); the dataset folder can be created; nothing was written\n"
    )
    assert not folder.exists()


def test_a_file_in_the_way_of_the_dataset_folder(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder\n")
    folder = blocker / "dataset"
    assert cli.main(["add-year", str(NEW), "--dataset", str(folder)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("1 problem found; nothing was written:\n")
    assert "Traceback" not in err and "is not writable (not a directory)" in err


def test_the_write_check_leaves_nothing_behind(started):
    before = sorted(os.listdir(started))
    assert merge.not_writable(started) is None
    assert sorted(os.listdir(started)) == before


# --------------------------------------------------------------------------- 8. export years


@pytest.mark.parametrize(
    ("years", "message"),
    [
        (["2023"], "no reviews of 2023 in the data"),
        (["2019-2021"], "no reviews of 2019 in the data"),
        (["2020", "2022-2023"], "no reviews of 2022 and 2023 in the data"),
    ],
)
def test_export_refuses_years_the_data_do_not_hold(tmp_path, capsys, years, message):
    out = tmp_path / "out"
    argv = ["export", "--suppress", "--out", str(out), str(REVIEWS), str(CHILDREN)]
    argv += [a for y in years for a in ("--year", y)]
    assert cli.main(argv) == 1
    assert capsys.readouterr().err == (
        f"export --year: {message}, which hold the years 2018, 2020 and 2021; choose years "
        "among those, or leave out --year for every year (read "
        "tests/fixtures/fictional_reviews.csv, tests/fixtures/fictional_children.csv); nothing "
        "was written\n"
    )
    assert not out.exists()


def test_export_year_range_inside_the_data(tmp_path, capsys):
    argv = ["export", "--unsuppressed", "--out", str(tmp_path), "--year", "2020-2021"]
    assert cli.main([*argv, str(REVIEWS), str(CHILDREN)]) == 0
    capsys.readouterr()
    table = pd.read_csv(tmp_path / "UNSUPPRESSED_counts.csv", dtype=str)
    row = table[(table.partnership == "Tees") & (table.measure == "sex")].iloc[0]
    assert row["denominator"] == "5"  # FICT-R2, R3, R4: 2 + 2 + 1 children


def test_publication_table_refuses_missing_years():
    data = pipeline.load([REVIEWS, CHILDREN])
    from tees_analysis.report import disclosure

    with pytest.raises(ValueError, match="no reviews of 2017 in the data"):
        disclosure.publication_table(data, years=[2017, 2018])
