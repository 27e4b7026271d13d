"""Bad inputs through the command line, end to end: `tees-analysis validate` and `add-year`.

Each case breaks a copy of the fictional fixture in one way, runs the command with
``--format csv`` and checks that (1) the exit status is 1, (2) one listed problem names the
file, the spreadsheet row, the column and the value, with a clear message, and (3) no file
changed: the test folder (inputs and dataset) and data/raw hash the same before and after.
"""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fixture_files import CHILDREN, FIXTURES, NEW, REVIEWS, FixtureCopy

from tees_analysis import cli
from tees_analysis.data import merge
from tees_analysis.data.clean import current_year
from tees_analysis.data.csvsafe import inert_text
from tees_analysis.paths import RAW

Inputs = FixtureCopy


@dataclass
class Case:
    """One bad input: ``make`` builds the files and returns the command line after the
    subcommand; ``expect`` holds what one listed problem must say."""

    id: str
    command: str
    make: Callable[[Inputs, Path], list[str]]
    file: str
    message: str
    row: str = ""
    column: str = ""
    value: str = ""
    sheet: str = ""
    extra: dict = field(default_factory=dict)


def _paths(*paths) -> list[str]:
    return [str(p) for p in paths]


def _edit(table, row, header, value):
    def make(inp: Inputs, _dataset):
        inp.set(table, row, header, value)
        return _paths(*inp.both())

    return make


def _missing_column(inp, _):
    inp.drop_column("reviews", "Partnership")  # a yes/no or category column may be absent
    return _paths(*inp.both())


def _extra_column(inp, _):
    inp.add_column("children", "Colour", "blue")
    return _paths(*inp.both())


def _misspelt_column(inp, _):
    inp.rows["children"][0][5] = "Outcme"
    return _paths(*inp.both())


def _identifier_column(inp, _):
    inp.add_column("children", "Date of birth", "")
    return _paths(*inp.both())


def _duplicate_child(inp, _):
    inp.set("children", 3, "Child ID", "FICT-C1")
    return _paths(*inp.both())


def _review_without_children(inp, _):
    inp.rows["reviews"].append(["FICT-R9", "STSCP", "CSPR", "2021", *[""] * 11])
    return _paths(*inp.both())


def _empty_file(inp, _):
    (inp.dir / "children.csv").write_bytes(b"")
    return _paths(inp.csv("reviews"), inp.dir / "children.csv")


def _header_only(inp, _):
    inp.rows["children"] = inp.rows["children"][:1]
    return _paths(*inp.both())


def _wrong_sheets(inp, _):
    wb = inp.template_workbook()
    wb["reviews"].title = "Sheet1"
    wb["children"].title = "Sheet2"
    return _paths(inp.xlsx(wb))


def _cp1252(inp, _):
    inp.set("reviews", 3, "Published pseudonym", "Zoë")
    return _paths(inp.csv("reviews", encoding="cp1252"), inp.csv("children"))


def _semicolons(inp, _):
    return _paths(inp.csv("reviews"), inp.csv("children", delimiter=";"))


def _formula(inp, _):
    wb = inp.template_workbook()
    wb["reviews"]["D3"] = "=2019+1"
    return _paths(inp.xlsx(wb))


def _merged(inp, _):
    wb = inp.template_workbook()
    wb["children"].merge_cells("E2:E3")
    return _paths(inp.xlsx(wb))


def _too_many_values(inp, _):
    inp.rows["children"][2].append("surplus")
    return _paths(*inp.both())


def _unsupported(inp, _):
    path = inp.dir / "reviews.txt"
    path.write_text("review_id\n")
    return _paths(path, inp.csv("children"))


def _old_excel(inp, _):
    path = inp.dir / "cases.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0 not really a workbook")
    return _paths(path)


def _not_found(inp, _):
    return _paths(inp.csv("reviews"), inp.dir / "childern.csv")


def _unknown_table(inp, _):
    inp.drop_column("children", "Child ID")
    inp.drop_column("children", "Review ID")
    return _paths(inp.csv("reviews"), inp.csv("children", name="data.csv"))


def _no_age(inp, _):
    inp.set("children", 3, "Age band", "")
    return _paths(*inp.both())


# --------------------------------------------------------------------------- add-year cases


def _merge_args(dataset: Path, *paths, replace=False) -> list[str]:
    return [*_paths(*paths), "--dataset", str(dataset), *(["--replace-year"] if replace else [])]


def _conflicting_id(inp, dataset):
    inp.rows["reviews"] = inp.rows["reviews"][:2]
    inp.set("reviews", 2, "Year", "2022")  # FICT-R1 again, other year and content
    inp.rows["children"] = inp.rows["children"][:2]
    inp.set("children", 2, "Child ID", "FICT-C11")
    return _merge_args(dataset, *inp.both())


def _identical_duplicate(inp, dataset):
    inp.rows["reviews"] = inp.rows["reviews"][:1]
    inp.rows["children"] = inp.rows["children"][:2]  # FICT-C1, already in the dataset
    return _merge_args(dataset, inp.csv("children"))


def _existing_year(inp, dataset):
    inp.rows["reviews"] = [inp.rows["reviews"][0], inp.rows["reviews"][4]]  # FICT-R4, 2021
    inp.set("reviews", 2, "Review ID", "FICT-R40")
    inp.rows["children"] = [inp.rows["children"][0], inp.rows["children"][6]]
    inp.set("children", 2, "Child ID", "FICT-C60")
    inp.set("children", 2, "Review ID", "FICT-R40")
    return _merge_args(dataset, *inp.both())


def _orphan_on_merge(inp, dataset):
    inp.rows["children"] = inp.rows["children"][:2]
    inp.set("children", 2, "Child ID", "FICT-C12")
    inp.set("children", 2, "Review ID", "FICT-R77")
    return _merge_args(dataset, inp.csv("children"))


def _raw_dataset(inp, _dataset):
    return [str(NEW), "--dataset", str(RAW)]


def _loose_dataset(inp, _dataset):
    inp.both()
    return [str(NEW), "--dataset", str(inp.dir)]  # a folder of CSV files, not a dataset


def _bad_workbook(inp, dataset):
    return _merge_args(dataset, FIXTURES / "fictional_2022_with_mistakes.xlsx", replace=True)


def _invalid_on_merge(inp, dataset):
    inp.rows["reviews"] = inp.rows["reviews"][:2]
    inp.set("reviews", 2, "Review ID", "FICT-R20")
    inp.set("reviews", 2, "Year", "2023")
    inp.set("reviews", 2, "Review type", "inquiry")
    inp.rows["children"] = inp.rows["children"][:2]
    inp.set("children", 2, "Child ID", "FICT-C20")
    inp.set("children", 2, "Review ID", "FICT-R20")
    return _merge_args(dataset, *inp.both())


FUTURE = str(current_year() + 1)

CASES = [
    Case("missing column", "validate", _missing_column, "reviews.csv",
         "required column is missing", column="partnership"),
    Case("extra column", "validate", _extra_column, "children.csv", "unknown column",
         row="1", column="Colour"),
    Case("misspelt column", "validate", _misspelt_column, "children.csv",
         "unknown column; did you mean 'outcome'?", row="1", column="Outcme"),
    Case("year not a number", "validate", _edit("reviews", 2, "Year", "twenty"),
         "reviews.csv", "not a whole number", row="2", column="Year", value="twenty"),
    Case("age not whole", "validate", _edit("children", 2, "Age (months)", "3.5"),
         "children.csv", "not a whole number", row="2", column="Age (months)", value="3.5"),
    Case("age out of range", "validate", _edit("children", 2, "Age (months)", "400"),
         "children.csv", "out of range", row="2", column="Age (months)", value="400"),
    Case("unknown label", "validate", _edit("children", 3, "Outcome", "hurt"),
         "children.csv", "unknown category", row="3", column="Outcome", value="hurt"),
    Case("unknown partnership", "validate", _edit("reviews", 2, "Partnership", "Teesside"),
         "reviews.csv", "unknown category", row="2", column="Partnership", value="Teesside"),
    Case("not yes or no", "validate", _edit("children", 4, "Neglect", "maybe"),
         "children.csv", "not a yes/no value", row="4", column="Neglect", value="maybe"),
    Case("blank category", "validate", _edit("children", 5, "Sex", ""), "children.csv",
         "a value is required (type 'not recorded' if unknown)", row="5", column="Sex"),
    Case("not recorded combined", "validate",
         _edit("children", 2, "Living arrangements", "mother; N/K"), "children.csv",
         "'not recorded' cannot be combined with other values", row="2",
         column="Living arrangements", value="mother; N/K"),
    Case("ambiguous not known", "validate",
         _edit("children", 2, "Children's social care status", "not known"), "children.csv",
         "unknown category", row="2", column="Children's social care status",
         value="not known"),
    Case("age band disagrees", "validate", _edit("children", 4, "Age band", "under 2"),
         "children.csv", "age band disagrees with age_months=40", row="4", column="Age band",
         value="under 2"),
    Case("no age", "validate", _no_age, "children.csv", "no age: give age_months or age_band",
         row="3", column="Age band"),
    Case("duplicate id", "validate", _duplicate_child, "children.csv",
         "duplicate child_id: also on", row="3", column="Child ID", value="FICT-C1"),
    Case("orphan child", "validate", _edit("children", 2, "Review ID", "FICT-R9"),
         "children.csv", "the child's review is not in the reviews table", row="2",
         column="Review ID", value="FICT-R9"),
    Case("review without children", "validate", _review_without_children, "reviews.csv",
         "the review has no children in the children table", row="6", column="Review ID",
         value="FICT-R9"),
    Case("year in the future", "validate", _edit("reviews", 3, "Year", FUTURE), "reviews.csv",
         "is in the future", row="3", column="Year", value=FUTURE),
    Case("identifier column", "validate", _identifier_column, "children.csv",
         "the column looks like a direct identifier (a date of birth)", row="1",
         column="Date of birth"),
    Case("identifier value", "validate", _edit("children", 2, "Child ID", "943-476-5919"),
         "children.csv", "looks like a direct identifier (an NHS number)", row="2",
         column="Child ID", value="943-476-5919"),
    Case("empty file", "validate", _empty_file, "children.csv", "the file is empty"),
    Case("header only", "validate", _header_only, "children.csv",
         "the table has a header but no data rows", row="2"),
    Case("wrong sheets", "validate", _wrong_sheets, "cases.xlsx",
         "no sheet named 'reviews' or 'children' (sheets found: 'README', 'Sheet1', 'Sheet2'"),
    Case("cp1252 csv", "validate", _cp1252, "reviews.csv",
         "the file is not UTF-8 text (byte 0xeb", row="3"),
    Case("semicolons", "validate", _semicolons, "children.csv",
         "the columns seem to be separated by semicolons", row="1"),
    Case("formula", "validate", _formula, "cases.xlsx",
         "cell D3 holds a formula; type the value instead", row="3", column="year",
         value="=2019+1", sheet="reviews"),
    Case("merged cells", "validate", _merged, "cases.xlsx", "merged cells E2:E3", row="2",
         sheet="children"),
    Case("too many values", "validate", _too_many_values, "children.csv",
         "the row has 17 values but the header has 16 columns", row="3"),
    Case("unsupported type", "validate", _unsupported, "reviews.txt",
         "unsupported file type '.txt'"),
    Case("old excel", "validate", _old_excel, "cases.xls",
         "old Excel format (.xls) is not read"),
    Case("file not found", "validate", _not_found, "childern.csv", "file not found"),
    Case("unknown table", "validate", _unknown_table, "data.csv",
         "cannot tell which table this file holds"),
    Case("conflicting id", "add-year", _conflicting_id, "reviews.csv",
         "conflicting review_id: the dataset has a different row with this id", row="2",
         column="Review ID", value="FICT-R1"),
    Case("identical duplicate", "add-year", _identical_duplicate, "children.csv",
         "duplicate child_id: this row is already in the dataset", row="2", column="Child ID",
         value="FICT-C1"),
    Case("existing year", "add-year", _existing_year, "reviews.csv",
         "year 2021 is already in the dataset (2 reviews)", row="2", column="Year",
         value="2021"),
    Case("orphan on merge", "add-year", _orphan_on_merge, "children.csv",
         "the child's review is neither in the files given nor in the dataset", row="2",
         column="Review ID", value="FICT-R77"),
    Case("invalid new rows", "add-year", _invalid_on_merge, "reviews.csv",
         "unknown category", row="2", column="Review type", value="inquiry"),
    Case("raw as dataset", "add-year", _raw_dataset, "data/raw",
         "data/raw is read-only by project rule"),
    Case("loose files as dataset", "add-year", _loose_dataset, "in",
         "is not a dataset made by add-year"),
    Case("bad workbook", "add-year", _bad_workbook, "fictional_2022_with_mistakes.xlsx",
         "unknown category", row="2", column="living_arrangements", value="aunt",
         sheet="children"),
]  # fmt: skip


def tree(*folders: Path) -> dict[str, str]:
    return {
        str(p): hashlib.sha256(p.read_bytes()).hexdigest()
        for folder in folders
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def started(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("started") / "dataset"
    merge.add_year([REVIEWS, CHILDREN], folder)
    return folder


def run(argv, capsys) -> tuple[int, list[dict], str]:
    code = cli.main([*argv, "--format", "csv"])
    captured = capsys.readouterr()
    return code, list(csv.DictReader(io.StringIO(captured.out))), captured.err


def test_at_least_25_distinct_cases():
    assert len({c.id for c in CASES}) == len(CASES) >= 25
    assert {c.command for c in CASES} == {"validate", "add-year"}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, tmp_path, started, capsys):
    inputs = Inputs(tmp_path / "in")
    dataset = Path(shutil.copytree(started, tmp_path / "dataset"))
    argv = [case.command, *case.make(inputs, dataset)]
    before = tree(tmp_path, RAW)
    code, problems, err = run(argv, capsys)
    assert code == 1, err
    assert "nothing was written" in err
    # the CSV is for spreadsheets: a value that starts like a formula is shown after a '
    expected = {"row": case.row, "column": case.column, "value": inert_text(case.value)}
    if case.sheet:
        expected["sheet"] = case.sheet
    hits = [
        p
        for p in problems
        if p["file"].endswith(case.file)
        and case.message in p["problem"]
        and all(p[k] == v for k, v in expected.items())
    ]
    listed = "\n".join(map(str, problems))
    assert hits, f"no problem {case.file} {expected} '{case.message}' in:\n{listed}"
    assert tree(tmp_path, RAW) == before, "a file changed"


def test_text_format_names_file_row_column_and_value(tmp_path, capsys):
    inputs = Inputs(tmp_path)
    inputs.set("children", 3, "Outcome", "hurt")
    assert cli.main(["validate", *_paths(*inputs.both())]) == 1
    err = capsys.readouterr().err
    assert err.startswith("1 problem found; nothing was written:")
    assert "children.csv, row 3, column 'Outcome': unknown category (value: 'hurt'); " in err
    assert "allowed: 'died', 'significant harm', 'not recorded'" in err


def test_table_format_lines_up_the_problems(tmp_path, capsys):
    inputs = Inputs(tmp_path)
    inputs.set("children", 3, "Outcome", "hurt")
    inputs.set("reviews", 2, "Year", "twenty")
    assert cli.main(["validate", "--format", "table", *_paths(*inputs.both())]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["severity", "file", "row", "column", "value", "problem", "allowed"]
    assert len(lines) == 3
    assert lines[0].index("column") == lines[1].index("Outcome")  # left-aligned columns
    assert lines[0].index("value") == lines[1].index("hurt")


def test_every_command_has_help(capsys):
    for command in cli.COMMANDS:
        with pytest.raises(SystemExit) as done:
            cli.main([command, "--help"])
        assert done.value.code == 0
        assert f"usage: tees-analysis {command}" in capsys.readouterr().out


def test_problems_found_while_reading_name_the_file_like_the_others():
    from tees_analysis.data import pipeline

    problems = pipeline.problems([(FIXTURES / "fictional_2022_with_mistakes.xlsx").resolve()])
    assert any("holds a formula" in p.message for p in problems)  # found while reading
    assert {p.file for p in problems} == {"tests/fixtures/fictional_2022_with_mistakes.xlsx"}
