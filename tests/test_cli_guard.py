"""The command line never shows a traceback (issue 16, item 5): an exception nobody expected
becomes one line on stderr with exit status 2 (``--debug`` or ``TEES_DEBUG=1`` show the
traceback), and Ctrl+C exits with status 130 quietly."""

from __future__ import annotations

import pytest
from fixture_files import CHILDREN, REVIEWS

from tees_analysis import cli
from tees_analysis.data import pipeline, read

FILES = [str(REVIEWS), str(CHILDREN)]


def _broken_reader(path, log):
    raise ValueError("a bug\non two lines")


def _interrupted(paths):
    raise KeyboardInterrupt


def test_a_bug_while_reading_is_one_line_naming_the_file(monkeypatch, capsys):
    monkeypatch.setattr(read, "_read_csv", _broken_reader)
    monkeypatch.delenv("TEES_DEBUG", raising=False)
    assert cli.main(["validate", *FILES]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "unexpected error reading tests/fixtures/fictional_reviews.csv: ValueError: a bug "
        f"[line break] on two lines; please report it {cli.report_to()} (run again with "
        "--debug, or TEES_DEBUG=1, to see the details)\n"
    )


def test_a_bug_elsewhere_is_one_line_without_a_file(monkeypatch, capsys):
    def broken(*_args, **_kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(pipeline, "change_sentence", broken)
    assert cli.main(["validate", *FILES]) == 2
    err = capsys.readouterr().err
    assert err.startswith("unexpected error: RuntimeError: disk on fire; please report it ")
    assert err.count("\n") == 1


@pytest.mark.parametrize("how", [["--debug", "validate"], ["validate", "--debug"], ["env"]])
def test_debug_shows_the_traceback(monkeypatch, how):
    monkeypatch.setattr(read, "_read_csv", _broken_reader)
    if how == ["env"]:
        monkeypatch.setenv("TEES_DEBUG", "1")
        how = ["validate"]
    with pytest.raises(Exception, match="unexpected error reading") as raised:
        cli.main([*how, *FILES])
    assert isinstance(raised.value.__cause__, ValueError)


def test_ctrl_c_exits_130_quietly(monkeypatch, capsys):
    monkeypatch.setattr(pipeline, "load", _interrupted)
    monkeypatch.delenv("TEES_DEBUG", raising=False)
    assert cli.main(["validate", *FILES]) == 130
    assert capsys.readouterr() == ("", "")


def test_report_to_reads_the_repository_from_citation(monkeypatch, tmp_path):
    (tmp_path / "CITATION.cff").write_text('repository-code: "https://example.org/tees/"\n')
    monkeypatch.setattr(cli, "ROOT", tmp_path)
    assert cli.report_to() == "at https://example.org/tees/issues"
    (tmp_path / "CITATION.cff").unlink()
    assert cli.report_to().startswith("to the project's maintainers")
