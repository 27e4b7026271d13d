"""CSV written by the tool never runs as a spreadsheet formula (issue 16, item 8).

The reliability probe found that ``validate --format csv > problems.csv`` copied what the
analyst typed -- values and column headers -- unescaped: ``=HYPERLINK(...)``, ``@SUM(...)``,
``+cmd``, ``-2+3`` became live formulas when ``problems.csv`` was opened in a spreadsheet. Every
CSV the tool writes that can hold an analyst's text (the problems, the ``--changes`` list and
the cleaning log of ``build``) now writes such a cell after an apostrophe
(:mod:`tees_analysis.data.csvsafe`), while plain numbers such as ``-5`` stay numbers.
"""

from __future__ import annotations

import csv
import io

import pytest
from fixture_files import FixtureCopy

from tees_analysis import cli
from tees_analysis.data.csvsafe import PREFIX, inert_text

LINK = '=HYPERLINK("https://example.org/x","click")'
TYPED = {"Outcome": "@SUM(1+1)", "Sex": "+cmd", "Age band": "-2+3", "Harm category": "\t=1+1"}


def cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def live(table: list[list[str]]) -> list[str]:
    """The cells a spreadsheet would run as formulas."""
    return [cell for row in table for cell in row if inert_text(cell) != cell]


@pytest.fixture
def files(tmp_path) -> FixtureCopy:
    return FixtureCopy(tmp_path)


def test_problems_as_csv_hold_no_live_formula(files, capsys):
    files.rename("reviews", "Substance misuse", LINK)
    for header, value in TYPED.items():
        files.set("children", 2, header, value)
    assert cli.main(["validate", "--format", "csv", *map(str, files.both())]) == 1
    table = cells(capsys.readouterr().out)
    assert live(table) == []
    shown = {cell for row in table for cell in row}
    assert {PREFIX + LINK, *(PREFIX + v for v in TYPED.values())} <= shown
    assert table[0] == ["severity", "file", "sheet", "row", "column", "value", "problem", "allowed"]


def test_the_list_of_changes_as_csv_holds_no_live_formula(files, capsys):
    """What cleaning accepts can still start like a formula: a tab, or a dash it reads as a
    space (``-Mother-`` is the label ``mother``)."""
    files.set("children", 2, "Living arrangements", "-Mother-")
    files.set("children", 3, "Neglect", "\tyes")
    paths = map(str, files.both())
    assert cli.main(["validate", "--changes", "--format", "csv", *paths]) == 0
    table = cells(capsys.readouterr().out)
    assert live(table) == []
    typed = [row[4] for row in table[1:]]
    assert {PREFIX + "-Mother-", PREFIX + "\tyes"} <= set(typed)


def test_the_cleaning_log_holds_no_live_formula(files, tmp_path, capsys):
    files.set("children", 2, "Living arrangements", "-Mother-")
    out = tmp_path / "processed"
    assert cli.main(["build", "--out", str(out), *map(str, files.both())]) == 0
    table = cells((out / "cleaning_log.csv").read_text(encoding="utf-8"))
    assert live(table) == []
    assert [PREFIX + "-Mother-", "mother"] in [row[4:6] for row in table]
    children = cells((out / "children.csv").read_text(encoding="utf-8"))
    assert "mother" in children[1]  # the clean tables hold values, never an apostrophe


def test_a_plain_negative_number_stays_a_number(files, capsys):
    files.set("children", 2, "Age (months)", "-5")
    assert cli.main(["validate", "--format", "csv", *map(str, files.both())]) == 1
    table = cells(capsys.readouterr().out)
    assert [row[5] for row in table[1:] if row[4] == "Age (months)"] == ["-5"]
