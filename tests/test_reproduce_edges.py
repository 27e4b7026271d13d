"""``tees-analysis reproduce`` end to end on data at the edges: every data notebook, no traceback.

The committed notebooks are rerun through nbclient, as an analyst would run them, on:

* ``tests/fixtures/edge/one_child_*.csv`` -- one review of one child, one partnership (where
  notebook 03 once crashed on the other partnership's empty blocks), one year with no neglect,
  every factor "no", blank provenance (case records).

The functions the notebooks call are run on hundreds of generated datasets in
``tests/test_any_dataset.py``; this runs the notebooks themselves.

Each run must finish every notebook, draw every figure, leave out the passages about the
report's own data, and quote none of the report's numbers.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from test_reproduce import hashes, texts_of

from tees_analysis import cli, run_all, selection
from tees_analysis.paths import FIGURES, NOTEBOOKS

EDGE = Path(__file__).parent / "fixtures" / "edge"
#: Phrases that quote the report's own data (its 24 reviews of 27 children, 13 in STSCP and 14
#: in HSSCP, 49 of its 57 figures reproduced, 22 children with domestic abuse, ...). A rerun on
#: other data must not contain any of them: every number it states is computed from its data.
REPORT_PHRASES = (
    r"\b27 children\b",
    r"\b24 reviews\b",
    r"\bof (the )?27\b",
    r"\bof (the )?24\b",
    r"\b13 or 14\b",
    r"\b13 and 14\b",
    r"\b49 of (the )?57\b",
    r"\b22 of\b",
    r"\b11 of (the )?14\b",
    r"\b4 of (the )?13\b",
    r"\bHSSCP's 14\b",
    r"\bSTSCP's 13\b",
)
FIGURE_NAMES = [
    "03_review_types", "03_outcome", "03_under_2", "03_sex", "03_living_arrangements",
    "03_csc_status", "03_harm_category", "03_risk_factors", "04_themes", "04_neglect",
    "04_vulnerable_babies", "06_trio_upset", "06_trio_venn", "06_trio_pairs",
]  # fmt: skip


@pytest.fixture(autouse=True)
def no_selection_in_the_environment(monkeypatch):
    for name in (selection.ENV_FILES, selection.ENV_YEARS, selection.ENV_PARTNERSHIP):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv(selection.ENV_OUTPUT, raising=False)


def quoted_report_numbers(text: str) -> list[str]:
    return [m.group(0) for pattern in REPORT_PHRASES for m in re.finditer(pattern, text)]


def test_the_report_phrases_are_found_in_the_committed_notebooks():
    """The check below can fail: the committed notebooks (the report's data) quote them."""
    committed = "\n".join(texts_of(p) for p in run_all.notebooks() if run_all.uses_selection(p))
    assert len(set(quoted_report_numbers(committed))) >= 4


def test_reproduce_one_child_of_one_partnership(tmp_path, capsys):
    before = {"figures": hashes(FIGURES), "notebooks": hashes(NOTEBOOKS)}
    out = tmp_path / "out"
    files = [str(EDGE / "one_child_reviews.csv"), str(EDGE / "one_child_children.csv")]
    # --jobs 1: the test workers already use every core
    assert cli.main(["reproduce", *files, "--out", str(out), "--jobs", "1"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert captured.out.splitlines()[0] == (
        "the selection holds 1 review of 1 child, years 2022: HSSCP 1 review (1 child); "
        "from the partnerships' case records 2022"
    )
    expected = [p.name for p in run_all.notebooks() if run_all.uses_selection(p)]
    assert sorted(p.name for p in (out / "notebooks").iterdir()) == expected
    drawn = {p.name for p in (out / "figures").iterdir()}
    assert {f"{name}.{kind}" for name in FIGURE_NAMES for kind in ("png", "svg")} <= drawn
    for name in expected:
        nb = nbformat.read(out / "notebooks" / name, as_version=4)
        outputs = [o for cell in nb.cells for o in cell.get("outputs", [])]
        assert not [o for o in outputs if o["output_type"] == "error"], name
        assert not [o for o in outputs if o.get("name") == "stderr"], name
        text = texts_of(out / "notebooks" / name)
        assert quoted_report_numbers(text) == [], name
        assert "1 review of 1 child" in text, name
        assert "This run analyses other data than the committed notebook" in text, name
        assert "case records 2022" in text, name  # the data's provenance, in the captions
    # the passages about the report's own data (its identified set, the exact bounds and their
    # figure) are left out, and say so
    rerun = nbformat.read(out / "notebooks" / "06_toxic_trio.ipynb", as_version=4)
    assert sum(cell.source == run_all.LEFT_OUT for cell in rerun.cells) >= 5
    assert "identified by the report" not in texts_of(out / "notebooks" / "06_toxic_trio.ipynb")
    assert not any(p.startswith(("06_trio_bounds", "06_trio_ranges")) for p in drawn)
    after = {"figures": hashes(FIGURES), "notebooks": hashes(NOTEBOOKS)}
    assert after == before  # the committed notebooks and figures are untouched
