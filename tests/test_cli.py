"""The command-line interface."""

from __future__ import annotations

from pathlib import Path

import pytest

from tees_analysis import cli

FIXTURES = Path(__file__).parent / "fixtures"
GOOD = [str(FIXTURES / "fictional_reviews.csv"), str(FIXTURES / "fictional_children.csv")]


def test_validate_good_files(capsys):
    assert cli.main(["validate", *GOOD]) == 0
    assert "no problems: 4 reviews, 6 children" in capsys.readouterr().out


def test_validate_bad_files_lists_every_problem(capsys):
    bad = [GOOD[0], str(FIXTURES / "fictional_children_with_mistakes.csv")]
    assert cli.main(["validate", *bad]) == 1
    err = capsys.readouterr().err
    assert err.startswith("6 problems found; nothing was written:")
    assert "row 3, column 'Outcome': unknown category (value: 'hurt')" in err


def test_build_writes_nothing_on_error(tmp_path):
    bad = [GOOD[0], str(FIXTURES / "fictional_children_with_mistakes.csv")]
    assert cli.main(["build", *bad, "--out", str(tmp_path / "out")]) == 1
    assert not (tmp_path / "out").exists()


def test_build_writes_clean_tables(tmp_path):
    assert cli.main(["build", *GOOD, "--out", str(tmp_path)]) == 0
    assert (tmp_path / "children.csv").read_text().startswith("child_id,review_id,")


@pytest.mark.parametrize("command", ["validate", "build", "codebook"])
def test_every_subcommand_has_help(command, capsys):
    with pytest.raises(SystemExit) as done:
        cli.main([command, "--help"])
    assert done.value.code == 0
    assert "usage: tees-analysis" in capsys.readouterr().out
