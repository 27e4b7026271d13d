"""Reruns of the data notebooks for another selection, away from the committed ones."""

from __future__ import annotations

import hashlib
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from tees_analysis import cli, run_all, selection
from tees_analysis.data import merge, pipeline
from tees_analysis.paths import FIGURES, NOTEBOOKS, RAW

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
    args = ["reproduce", *map(str, FILES), "--years", "2010-2011", "--out", str(tmp_path)]
    assert cli.main(args) == 1
    assert "no reviews in the selection" in capsys.readouterr().err


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


#: The committed notebook rerun below: 06, whose sections depend most on whether the data are
#: the report's (sections 1 and 4 and the identification status are skipped for other data).
#: 01, 03 and 04 make the same selection calls (selection.load, selection.about) and leave out
#: the audit columns through tables.side_by_side, which unit tests cover; rerunning all four
#: here would cost about 40 s of CPU time in a suite kept near 90 s on 2 cores.
RERUN = ("06_toxic_trio",)


def test_reproduce_a_fictional_2022_reruns_the_data_notebooks(tmp_path, monkeypatch, capsys):
    """Committed notebooks rerun on reconstructed 2017-21 + fictional 2022, via the CLI."""
    for name in (selection.ENV_FILES, selection.ENV_YEARS, selection.ENV_PARTNERSHIP):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv(selection.ENV_OUTPUT, raising=False)
    everything = run_all.notebooks
    monkeypatch.setattr(
        run_all,
        "notebooks",
        lambda folder=NOTEBOOKS: [p for p in everything(folder) if p.stem in RERUN],
    )
    dataset, out = tmp_path / "dataset", tmp_path / "out"
    merge.add_year(pipeline.data_files(RAW), dataset)
    merge.add_year([FIXTURES / "fictional_2022.xlsx"], dataset)
    before = {"figures": hashes(FIGURES), "notebooks": hashes(NOTEBOOKS)}

    args = ["reproduce", "--dataset", str(dataset), "--years", "2017-2022", "--out", str(out)]
    args += ["--jobs", "1"]  # the test workers already use every core
    assert cli.main(args) == 0
    assert "26 reviews, 30 children" in capsys.readouterr().out

    expected = list(RERUN)
    assert sorted(p.stem for p in (out / "notebooks").iterdir()) == expected
    figures = {p.name for p in (out / "figures").iterdir()}
    for name in ("06_trio_upset", "06_trio_venn", "06_trio_pairs"):
        assert {f"{name}.png", f"{name}.svg"} <= figures
    # the bounds and the extremes are about the report's own data: not drawn for other data
    assert not any(p.startswith(("06_trio_bounds", "06_trio_sensitivity")) for p in figures)

    texts = {
        name: "\n".join(
            str(output.get("text", output.get("data", {}).get("text/plain", "")))
            for cell in nbformat.read(out / "notebooks" / f"{name}.ipynb", as_version=4).cells
            if cell.cell_type == "code"
            for output in cell.outputs
        )
        for name in expected
    }
    for name in expected:
        assert "this run analyses other data than the committed notebook" in texts[name]
        assert "reconstructed 2017–2021, fictional" in texts[name]
    assert "Skipped for these data: section 1." in texts["06_toxic_trio"]
    assert "Skipped for these data: section 4." in texts["06_toxic_trio"]
    assert "identified by the report:" not in texts["06_toxic_trio"]

    after = {"figures": hashes(FIGURES), "notebooks": hashes(NOTEBOOKS)}
    assert after == before  # the repository's figures and notebooks are untouched


def test_split_printed_text_is_saved_as_one_output():
    outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="26 reviews"),
        nbformat.v4.new_output("stream", name="stdout", text="\n"),
        nbformat.v4.new_output("stream", name="stderr", text="warning\n"),
        nbformat.v4.new_output("execute_result", data={"text/plain": "1"}, execution_count=1),
        nbformat.v4.new_output("stream", name="stdout", text="after\n"),
    ]
    joined = run_all.coalesce_streams(outputs)
    assert [(o.output_type, o.get("name"), o.get("text")) for o in joined] == [
        ("stream", "stdout", "26 reviews\n"),
        ("stream", "stderr", "warning\n"),
        ("execute_result", None, None),
        ("stream", "stdout", "after\n"),
    ]
