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
from pathlib import Path

import openpyxl
import pytest

from tees_analysis import cli
from tees_analysis.data import pipeline
from tees_analysis.data.problems import problems_frame

FIXTURES = Path(__file__).parent / "fixtures"
REVIEWS = FIXTURES / "fictional_reviews.csv"
CHILDREN = FIXTURES / "fictional_children.csv"
NEW = FIXTURES / "fictional_2022.xlsx"


def read_rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


class Files:
    """Copies of the fictional fixture, to change and save (rows as the spreadsheet shows)."""

    def __init__(self, folder: Path):
        self.dir = folder
        self.rows = {"reviews": read_rows(REVIEWS), "children": read_rows(CHILDREN)}

    def set(self, table: str, row: int, header: str, value: str) -> None:
        """Set spreadsheet row ``row`` (header = row 1) of the column headed ``header``."""
        self.rows[table][row - 1][self.rows[table][0].index(header)] = value

    def rename(self, table: str, header: str, new: str) -> None:
        self.rows[table][0][self.rows[table][0].index(header)] = new

    def drop(self, table: str, *headers: str) -> None:
        for header in headers:
            k = self.rows[table][0].index(header)
            for row in self.rows[table]:
                del row[k]

    def save(self) -> list[Path]:
        paths = []
        for table in ("reviews", "children"):
            text = io.StringIO()
            csv.writer(text, lineterminator="\n").writerows(self.rows[table])
            path = self.dir / f"{table}.csv"
            path.write_text(text.getvalue(), encoding="utf-8")
            paths.append(path)
        return paths

    def workbook(self, sheets: dict[str, str]) -> Path:
        """The tables as one workbook, each sheet named ``sheets[table]``."""
        book = openpyxl.Workbook()
        book.remove(book.active)
        for table, title in sheets.items():
            ws = book.create_sheet(title)
            for row in self.rows[table]:
                ws.append([int(c) if c.isdigit() else c for c in row])
        path = self.dir / "cases.xlsx"
        book.save(path)
        return path


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


# --------------------------------------------------------------------------- 3. warnings


def _contradictions(files: Files) -> None:
    files.set("children", 2, "Neglect", "n")  # FICT-C1
    files.set("children", 2, "Harm category", "neglect")
    files.set("children", 2, "Child protection plan category", "Neglect")
    files.set("children", 5, "Children's social care status", "not known to CSC; CIN")  # FICT-C4
    files.set("children", 5, "Child protection plan category", "physical")


def test_contradictions_are_warnings_naming_row_column_and_value(files):
    _contradictions(files)
    data = pipeline.load(files.save())  # warnings never stop loading
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
    assert pipeline.problems(files.save()) == []  # no error
    assert len(pipeline.problems(files.save(), warnings=True)) == 4


def test_build_writes_and_shows_the_warnings(files, tmp_path, capsys):
    _contradictions(files)
    out = tmp_path / "processed"
    assert cli.main(["build", *map(str, files.save()), "--out", str(out)]) == 0
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
    (problem,) = pipeline.problems(files.save())
    assert problem.severity == "error"
    assert problem.message == "age band disagrees with age_months=3"


def test_validate_shows_warnings_after_no_problems(files, capsys):
    _contradictions(files)
    paths = files.save()
    assert cli.main(["validate", *map(str, paths)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "no problems: 4 reviews, 6 children, and 4 warnings"
    assert lines[1] == "4 warnings (to check; warnings do not stop loading or writing):"
    assert lines[2].startswith(f"  - {shown(paths[1])}, row 2, column 'Child protection plan")


def test_validate_shows_warnings_after_the_errors(files, capsys):
    _contradictions(files)
    files.set("children", 3, "Outcome", "hurt")
    paths = files.save()
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
    paths = list(map(str, files.save()))
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
    assert cli.main(["validate", "--format", "csv", *map(str, files.save())]) == 0
    captured = capsys.readouterr()
    assert captured.err.startswith("no problems: 4 reviews, 6 children, and 4 warnings\n")
    rows = list(csv.DictReader(io.StringIO(captured.out)))
    assert [r["severity"] for r in rows] == ["warning"] * 4


def test_problems_frame_shows_severity_only_when_asked_or_needed(files):
    _contradictions(files)
    warnings = pipeline.problems(files.save(), warnings=True)
    assert problems_frame(warnings).columns[0] == "severity"
    errors = pipeline.problems([REVIEWS, FIXTURES / "fictional_children_with_mistakes.csv"])
    assert "severity" not in problems_frame(errors)  # as notebooks 01 and 08 show them
    assert set(problems_frame(errors, severity=True)["severity"]) == {"error"}
