"""Charts of the recomputed figures: denominators in the labels, byte-identical files."""

from __future__ import annotations

import hashlib
from pathlib import Path

import matplotlib.pyplot as plt
import pytest

from tees_analysis.analysis import tables
from tees_analysis.data import pipeline
from tees_analysis.report import captions, charts, plots

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def figures():
    data = pipeline.load([FIXTURES / "fictional_reviews.csv", FIXTURES / "fictional_children.csv"])
    return tables.recompute(data, readings={})


def texts(fig) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def draw_all(figures, folder: Path) -> dict[str, str]:
    """A block chart and the themes summary, saved into ``folder``."""
    written = []
    for chart in (plots.block_figure(figures, "outcome"), plots.themes_figure(figures)):
        written += charts.save(chart, folder)
        plt.close(chart.figure)
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in written}


def test_figures_are_byte_identical_across_runs(figures, tmp_path):
    first = draw_all(figures, tmp_path / "a")
    second = draw_all(figures, tmp_path / "b")
    assert first == second
    names = ("03_outcome", "04_themes")
    assert set(first) == {f"{n}.{ext}" for n in names for ext in ["png", "svg", "csv"]}


def test_bars_are_labelled_with_count_and_denominator(figures):
    fig = plots.block_figure(figures, "outcome").figure
    # STSCP: died, harm, not recorded 1/3 each; HSSCP: 1/3, 2/3, 0/3
    assert texts(fig) == ["1/3", "1/3", "1/3", "2/3", "1/3", "0/3"]
    assert "95% Wilson interval" in fig.axes[0].get_xlabel()
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["STSCP", "HSSCP"]
    plt.close(fig)


def test_themes_without_counts_are_marked(figures):
    fig = plots.themes_figure(figures).figure
    labels = texts(fig)
    assert labels.count(tables.NO_COUNT) == 4
    assert "3/4" in labels and "5/6" in labels  # domestic abuse: reviews, children
    assert "of the 4 reviews or of the 6 children" in fig.axes[0].get_xlabel()
    plt.close(fig)


def test_provenance_is_in_the_subtitle_not_a_caption_in_the_image(figures):
    data = pipeline.load([FIXTURES / "fictional_reviews.csv", FIXTURES / "fictional_children.csv"])
    context = charts.Context.from_dataset(data, provenance=charts.RECONSTRUCTED_DATA)
    chart = plots.babies_figure(figures, context=context)
    assert chart.subtitle.endswith(charts.RECONSTRUCTED_DATA)
    drawn = [t.get_text() for t in chart.figure.texts]
    assert not any(captions.RECONSTRUCTED in t for t in drawn)
    assert any(charts.RECONSTRUCTED_DATA.split()[-1] in t for t in drawn)  # in the subtitle
    assert texts(chart.figure) == ["1/4", "1/6", "2/3", "1/3"]
    plt.close(chart.figure)
