"""Reruns of the data notebooks for another selection, away from the committed ones."""

from __future__ import annotations

import hashlib
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from tees_analysis import cli, run_all, selection
from tees_analysis.data import merge, pipeline
from tees_analysis.paths import RAW

FIXTURES = Path(__file__).parent / "fixtures"
FILES = (FIXTURES / "fictional_reviews.csv", FIXTURES / "fictional_children.csv")

CELL = """from tees_analysis import selection
chosen = selection.current()
data = selection.load(chosen)
print(chosen.years, chosen.partnership, len(data.reviews), len(data.children))
print(chosen.figures.name, chosen.figures.parent.name)"""


def make_notebooks(folder: Path) -> dict[str, str]:
    folder.mkdir()
    for name, flag in (("01_data.ipynb", True), ("02_report.ipynb", False)):
        nb = new_notebook(cells=[new_code_cell(CELL)])
        nb.metadata["tees"] = {"selection": flag}
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
        nbformat.write(nb, folder / name)
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def test_reproduce_runs_selection_notebooks_into_the_output_folder(tmp_path, monkeypatch):
    for name in (selection.ENV_FILES, selection.ENV_YEARS, selection.ENV_PARTNERSHIP):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv(selection.ENV_OUTPUT, raising=False)
    folder = tmp_path / "notebooks"
    before = make_notebooks(folder)
    chosen = selection.Selection(FILES, (2020, 2021), "STSCP")
    lines = []
    written = run_all.reproduce(chosen, tmp_path / "out", lines.append, folder=folder)
    assert [p.name for p in written] == ["01_data.ipynb"]
    out = nbformat.read(written[0], as_version=4).cells[0].outputs[0]["text"]
    assert out.splitlines() == ["(2020, 2021) STSCP 1 2", "figures out"]
    assert lines[0] == "running 1 notebooks, 1 at a time"
    assert lines[1].startswith("[1/1] ") and "01_data.ipynb done in" in lines[1]
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    assert after == before  # the committed notebooks are untouched


def test_reproduce_refuses_bad_data_and_runs_nothing(tmp_path, capsys):
    bad = [str(FILES[0]), str(FIXTURES / "fictional_children_with_mistakes.csv")]
    assert cli.main(["reproduce", *bad, "--out", str(tmp_path / "out")]) == 1
    assert "6 problems found" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_reproduce_rejects_an_empty_selection(tmp_path, capsys):
    args = ["reproduce", *map(str, FILES), "--years", "2010-2011", "--out", str(tmp_path / "o")]
    assert cli.main(args) == 1
    err = capsys.readouterr().err
    assert err.startswith("nothing was run: the data hold no reviews from 2010–2011 (they hold ")
    assert not (tmp_path / "o").exists()
    args = ["reproduce", *map(str, FILES), "--years", "2019", "--allow-missing-years"]
    assert cli.main([*args, "--out", str(tmp_path / "o")]) == 1
    assert "holds no children; the data hold 4 reviews of 6 children" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_reproduce_refuses_years_that_the_data_do_not_hold(tmp_path, monkeypatch, capsys):
    """Asked for 2017-2022 of a 2022-only dataset: refused, naming the years absent and held."""
    dataset = tmp_path / "dataset"
    merge.add_year([FIXTURES / "fictional_2022.xlsx"], dataset)
    monkeypatch.setattr(run_all, "reproduce", lambda *a, **k: pytest.fail("nothing may run"))
    args = ["reproduce", "--dataset", str(dataset), "--years", "2017-2022"]
    assert cli.main([*args, "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "the data hold no reviews from 2017–2021 (they hold 2022)" in err
    assert "--allow-missing-years" in err
    assert not (tmp_path / "out").exists()


def test_reproduce_says_what_the_selection_holds_before_running(tmp_path, monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(run_all, "reproduce", lambda *a, **k: calls.append(k) or [])
    args = ["reproduce", *map(str, FILES), "--partnership", "HSSCP", "--out", str(tmp_path)]
    assert cli.main(args) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == (
        "the selection holds 2 reviews of 3 children, years 2021: HSSCP 2 reviews (3 children); "
        "fictional 2021"
    )
    assert calls[0]["other_data"] is True


def fake_notebooks(folder: Path, cells: dict[str, list[str]]) -> None:
    folder.mkdir()
    for name, sources in cells.items():
        nb = new_notebook(cells=[new_code_cell(source) for source in sources])
        nb.metadata["tees"] = {"selection": True}
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
        nbformat.write(nb, folder / name)


def test_a_failing_notebook_is_reported_in_a_few_lines_and_saved_apart(tmp_path, capsys):
    folder, out = tmp_path / "notebooks", tmp_path / "out"
    fake_notebooks(
        folder,
        {
            "01_fine.ipynb": ["x = 1", "print(x)"],
            "02_broken.ipynb": [
                "y = 2",
                "# the check\nraise ValueError('\\x1b[31mno children\\x1b[0m')",
            ],
        },
    )
    events = []
    with pytest.raises(run_all.RunFailed) as caught:
        run_all.reproduce(
            selection.Selection(FILES), out, lambda line: None, folder=folder, jobs=1,
            on_cell=lambda *event: events.append(event),
        )  # fmt: skip
    (failure,) = caught.value.failures
    assert failure.notebook == "02_broken.ipynb" and (failure.cell, failure.cells) == (2, 2)
    assert failure.first_line == "# the check"
    assert failure.error == "ValueError: no children"  # one line, no colour codes
    assert failure.saved == out / "notebooks" / "02_broken.FAILED.ipynb"
    assert "\x1b" not in failure.message() and "Traceback" not in failure.message()
    saved = nbformat.read(failure.saved, as_version=4)
    assert saved.cells[1].outputs[0]["output_type"] == "error"  # the full traceback is kept
    assert sorted(p.name for p in (out / "notebooks").iterdir()) == [
        "01_fine.ipynb",
        "02_broken.FAILED.ipynb",
    ]
    assert caught.value.written == [out / "notebooks" / "01_fine.ipynb"]
    assert events == [
        ("01_fine", 1, 2),
        ("01_fine", 2, 2),
        ("02_broken", 1, 2),
        ("02_broken", 2, 2),
    ]


def test_reproduce_fails_like_a_tool(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "notebooks"
    fake_notebooks(folder, {"01_broken.ipynb": ["import nonexistent_module_for_the_test"]})
    everything = run_all.notebooks
    monkeypatch.setattr(run_all, "notebooks", lambda _folder=None: everything(folder))
    args = ["reproduce", *map(str, FILES), "--out", str(tmp_path / "out"), "--jobs", "1"]
    assert cli.main(args) == 1
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert lines[0] == (
        "01_broken.ipynb failed at code cell 1 of 1 (import nonexistent_module_for_the_test): "
        "ModuleNotFoundError: No module named 'nonexistent_module_for_the_test'"
    )
    assert lines[1].endswith("01_broken.FAILED.ipynb")
    assert "finished notebooks" in lines[2] and lines[2].endswith(": none")
    assert "Traceback" not in captured.err and "\x1b" not in captured.err
    assert "  01_broken: cell 1 of 1" in captured.out  # progress while it ran (not a terminal)


def test_the_output_folder_holds_nothing_from_before(tmp_path):
    out = tmp_path / "out"
    run_all.prepare_output(out)
    (out / "notebooks" / "03_old.ipynb").write_text("{}")
    (out / "notebooks" / "04_old.FAILED.ipynb").write_text("{}")
    (out / "figures").mkdir()
    (out / "figures" / "03_old.png").write_bytes(b"")
    (out / "figures" / "03_old.csv").write_bytes(b"")  # a chart's numbers
    run_all.prepare_output(out)  # a folder written by an earlier rerun: cleared
    assert not list((out / "notebooks").iterdir()) and not list((out / "figures").iterdir())
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("an analyst's file")
    with pytest.raises(run_all.OutputFolderInUse, match="is not empty and was not written"):
        run_all.prepare_output(foreign)
    assert [p.name for p in foreign.iterdir()] == ["keep.txt"]


def test_for_other_data_leaves_out_the_report_data_cells():
    nb = new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# title"),
            nbformat.v4.new_markdown_cell("24 reviews", metadata={"tags": ["report-data"]}),
            nbformat.v4.new_code_cell("bounds", metadata={"tags": ["report-data"]}),
            nbformat.v4.new_code_cell("x = 1"),
            nbformat.v4.new_markdown_cell("27 children", metadata={"tags": ["report-data"]}),
        ]
    )
    kept = run_all.for_other_data(nb)
    assert [c.source for c in kept.cells] == [
        "# title",
        run_all.LEFT_OUT,
        "x = 1",
        run_all.LEFT_OUT,
    ]
    assert len({c.id for c in kept.cells}) == 4


def test_progress_is_one_line_per_cell_off_a_terminal():
    import io

    stream = io.StringIO()
    progress = cli._Progress(stream)
    progress.cell("03_about", 1, 2)
    progress.line("[1/1] notebooks/03_about.ipynb done in 1.0 s")
    assert stream.getvalue().splitlines() == [
        "  03_about: cell 1 of 2",
        "[1/1] notebooks/03_about.ipynb done in 1.0 s",
    ]


def texts_of(path: Path) -> str:
    """Everything a reader of a notebook reads: Markdown cells, printed text, text outputs."""
    nb = nbformat.read(path, as_version=4)
    parts = [cell.source for cell in nb.cells if cell.cell_type == "markdown"]
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            parts.append(str(output.get("text", "")))
            for kind in ("text/markdown", "text/plain"):
                parts.append(str(output.get("data", {}).get(kind, "")))
    return "\n".join(parts)


def test_reproduce_checks_its_parameters(capsys):
    assert cli.main(["reproduce", "--years", "2022-2017"]) == 2
    assert "runs backwards" in capsys.readouterr().err


def test_reproduce_leaves_the_environment_as_it_was(tmp_path, monkeypatch):
    monkeypatch.setattr(run_all, "_run_selected", lambda *args: [])
    before = dict(__import__("os").environ)
    run_all.reproduce(selection.Selection(FILES, (2020, 2021)), tmp_path)
    assert dict(__import__("os").environ) == before


def hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_the_data_notebooks_are_the_ones_reproduce_reruns():
    chosen = [nb.stem for nb in run_all.notebooks() if run_all.uses_selection(nb)]
    assert chosen == [
        "01_cleaning",
        "03_about_our_children",
        "04_learning_themes",
        "06_toxic_trio",
    ]


def test_reproduce_a_fictional_2022_with_the_reconstruction(tmp_path, monkeypatch, capsys):
    """Reconstructed 2017-21 + fictional 2022 via ``--dataset``: the selection the notebooks
    are handed, and its provenance in their captions. The notebooks themselves are rerun on
    other data in ``tests/test_reproduce_edges.py`` (each rerun costs seconds of kernel time)."""
    for name in (selection.ENV_FILES, selection.ENV_YEARS, selection.ENV_PARTNERSHIP):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv(selection.ENV_OUTPUT, raising=False)
    dataset, out = tmp_path / "dataset", tmp_path / "out"
    merge.add_year(pipeline.data_files(RAW), dataset)
    merge.add_year([FIXTURES / "fictional_2022.xlsx"], dataset)
    calls = []
    monkeypatch.setattr(run_all, "reproduce", lambda *a, **k: calls.append((a, k)) or [])

    args = ["reproduce", "--dataset", str(dataset), "--years", "2017-2022", "--out", str(out)]
    assert cli.main(args) == 0
    assert "26 reviews of 30 children" in capsys.readouterr().out
    ((chosen, *_), options) = calls[0]
    assert options["other_data"] is True
    about = selection.about(selection.load(chosen), chosen)
    assert about.caption == (
        "Case-level data 2017–2022, both partnerships: 2017–2021 reconstructed from the "
        "published figures; 2022 fictional (not the partnerships' records)."
    )
