"""Figures are written byte-identically; a caption is no longer drawn in the image."""

from __future__ import annotations

import hashlib

import matplotlib.pyplot as plt
import pandas as pd

from tees_analysis.report import charts, style


def draw():
    style.use_style()
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.bar(
        ["STSCP", "HSSCP"], [7, 7], color=[style.PARTNERSHIP_COLOURS[p] for p in ("STSCP", "HSSCP")]
    )
    ax.set_title("under 2")
    return fig


def digests(paths):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def test_two_saves_are_byte_identical(tmp_path):
    first = digests(style.save(draw(), "demo", style.RECONSTRUCTED, tmp_path / "a"))
    second = digests(style.save(draw(), "demo", style.RECONSTRUCTED, tmp_path / "b"))
    assert first == second
    assert set(first) == {"demo.png", "demo.svg"}
    plt.close("all")


def test_svg_has_no_date_and_no_caption(tmp_path):
    fig = draw()
    svg = (style.save(fig, "demo", "caption", tmp_path)[1]).read_text()
    assert "<dc:date>" not in svg
    assert "Matplotlib v" not in svg
    assert "caption" not in [t.get_text() for t in fig.texts]
    plt.close("all")


def test_a_chart_saved_the_old_way_keeps_its_title_and_alt_text(tmp_path):
    fig = draw()
    chart = charts.finish(fig, "demo", "Seven & seven", "n = 14", "Bars <7 and 7>", pd.DataFrame())
    svg = (style.save(chart, "demo", style.RECONSTRUCTED, tmp_path)[1]).read_text()
    assert '<title id="chart-demo-title">Seven &amp; seven</title>' in svg
    assert '<desc id="chart-demo-desc">Bars &lt;7 and 7&gt;</desc>' in svg
    assert 'role="img" aria-labelledby="chart-demo-title chart-demo-desc"' in svg
    plt.close("all")
