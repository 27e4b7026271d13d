"""Every chart drawn on the committed data: colours that stay apart for colour-blind readers,
text big enough for a phone, words computed from the data, files that carry their alt text.

Colour differences are measured in CAM02-UCS (``colorspacious``), under normal vision and under
simulated deuteranopia, protanopia and tritanopia (Machado et al. 2009, at full severity).
"""

from __future__ import annotations

import itertools
import re
import warnings
from xml.sax.saxutils import escape

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from chart_checks import every_chart, reader_problems, reprs
from matplotlib.collections import LineCollection, PathCollection, PolyCollection
from matplotlib.colors import to_rgba
from matplotlib.lines import Line2D
from matplotlib.markers import MarkerStyle
from matplotlib.patches import Patch
from matplotlib.text import Text

from tees_analysis.analysis import identification as ident
from tees_analysis.analysis import national, ranges, tables
from tees_analysis.data import pipeline
from tees_analysis.paths import FIGURES, RAW
from tees_analysis.report import captions, charts, plots, style, trio_plots

matplotlib.use("Agg")
with warnings.catch_warnings():  # colorspacious 1.1.2 has an invalid escape in a docstring
    warnings.simplefilter("ignore", DeprecationWarning)
    warnings.simplefilter("ignore", SyntaxWarning)
    from colorspacious import cspace_convert

#: The smallest colour difference (CAM02-UCS ΔE′) two data series of one chart may have, under
#: normal vision and each simulated colour-vision deficiency. A ΔE′ of about 1 is just
#: noticeable between large patches seen side by side; chart marks are small, apart from each
#: other (a legend swatch and a bar), and must be told apart at a glance rather than merely
#: noticed, so fifteen times that is asked. Pairs known to be confused score far lower: a red
#: and a green of similar lightness about 5 under deuteranopia, the greens and oranges the
#: themes chart used before about 8 (both checked below).
MIN_DIFFERENCE = 15.0
VISIONS = ("normal", "deuteranomaly", "protanomaly", "tritanomaly")
#: Colours with less chroma than this (CAM02 JCh) are greys: text, grids, whiskers, ranges.
GREY_CHROMA = 5.0


def simulate(rgb, vision: str) -> np.ndarray:
    """``rgb`` (sRGB, 0-1) as a reader with ``vision`` sees it."""
    rgb = np.asarray(rgb, dtype=float)
    if vision == "normal":
        return rgb
    cvd = {"name": "sRGB1+CVD", "cvd_type": vision, "severity": 100}
    return np.clip(cspace_convert(rgb, cvd, "sRGB1"), 0, 1)


def difference(a, b) -> dict[str, float]:
    """ΔE′ (CAM02-UCS) between two colours under each vision."""
    out = {}
    for vision in VISIONS:
        ja, jb = (cspace_convert(simulate(to_rgba(c)[:3], vision), "sRGB1", "CAM02-UCS")
                  for c in (a, b))  # fmt: skip
        out[vision] = float(np.linalg.norm(ja - jb))
    return out


def confusable(colours) -> list[tuple[str, str, str, float]]:
    """Every pair of ``colours`` closer than :data:`MIN_DIFFERENCE` under some vision."""
    found = []
    for a, b in itertools.combinations(sorted(colours), 2):
        for vision, delta in difference(a, b).items():
            if delta < MIN_DIFFERENCE:
                found.append((a, b, vision, round(delta, 1)))
    return found


def _hex(rgba) -> str | None:
    """A colour as drawn on white (alpha blended), or ``None`` when invisible."""
    r, g, b, a = to_rgba(rgba)
    if a == 0:
        return None
    rgb = np.array([r, g, b]) * a + (1 - a)
    return "#" + "".join(f"{round(255 * v):02x}" for v in rgb)


def is_grey(colour: str) -> bool:
    return float(cspace_convert(to_rgba(colour)[:3], "sRGB1", "JCh")[1]) < GREY_CHROMA


def line_colours(line) -> list:
    """The colours a line shows: its stroke (if drawn), its markers' edges and fills."""
    out = []
    if line.get_linestyle() not in ("None", "none", "", " ") and line.get_linewidth() > 0:
        out.append(line.get_color())
    marker = line.get_marker()
    if marker not in (None, "None", "none", "", " "):
        out.append(line.get_markeredgecolor())
        if MarkerStyle(marker).is_filled():
            out.append(line.get_markerfacecolor())
    return out


def series_colours(fig) -> set[str]:
    """The fill and line colours of a figure's data series and legend keys, greys left out."""
    found: list = []
    for ax in fig.axes:
        for patch in ax.patches:
            found.append(patch.get_facecolor())
            if patch.get_linewidth() > 0:
                found.append(patch.get_edgecolor())
        for line in ax.lines:
            found += line_colours(line)
        for coll in ax.collections:
            if isinstance(coll, PathCollection | LineCollection | PolyCollection):
                found += list(coll.get_facecolors()) + list(coll.get_edgecolors())
        legend = ax.get_legend()
        if legend is not None:
            for handle in legend.legend_handles:
                if isinstance(handle, Patch):
                    found.append(handle.get_facecolor())
                elif isinstance(handle, Line2D):
                    found += line_colours(handle)
    colours = {_hex(c) for c in found if not isinstance(c, str) or c != "none"}
    return {c for c in colours if c is not None and not is_grey(c)}


@pytest.fixture(scope="module")
def drawn():
    """Every chart of notebooks 03, 04, 06 and 07, drawn once on the committed data."""
    data = pipeline.load(pipeline.data_files(RAW))
    figures = tables.recompute(data)
    context = charts.Context.from_dataset(
        data, charts.RECONSTRUCTION_LABEL, charts.RECONSTRUCTED_DATA
    )
    out = every_chart(data, figures, context)
    out += [
        trio_plots.plot_bounds(ident.load_bounds(), context=context),
        trio_plots.plot_ranges(ranges.load(), context=context),
        plots.plot_comparison(
            national.load_national(), national.load_tees_measures(), context=context
        ),
    ]
    yield {chart.name: chart for chart in out}
    for chart in out:
        plt.close(chart.figure)


def test_every_figure_file_is_drawn_once(drawn):
    committed = {p.stem for p in FIGURES.glob("*.png")}
    assert set(drawn) == committed


def test_series_colours_stay_apart_for_colour_blind_readers(drawn):
    problems = {name: confusable(series_colours(c.figure)) for name, c in drawn.items()}
    assert {name: p for name, p in problems.items() if p} == {}
    # the check sees the colours: partnership charts hold both partnerships' colours
    assert {style.PARTNERSHIP_COLOURS[p].lower() for p in ("STSCP", "HSSCP")} <= series_colours(
        drawn["03_outcome"].figure
    )
    assert len(series_colours(drawn["04_themes"].figure)) == 2


def test_the_colour_check_flags_colours_known_to_be_confused():
    # a red and a green of similar lightness, and the themes chart's former colours
    for pair in (("#d62728", "#2ca02c"), ("#6a994e", "#bc6c25")):
        flagged = {v for _, _, v, _ in confusable(pair)}
        assert "deuteranomaly" in flagged and "normal" not in flagged
    fig, ax = plt.subplots()
    ax.bar([0, 1], [1, 2], color=["#d62728", "#2ca02c"])
    ax.plot([0, 1], [1, 1], color="#777777")  # a grey line is not a series colour
    assert series_colours(fig) == {"#d62728", "#2ca02c"}
    assert confusable(series_colours(fig))
    plt.close(fig)


def test_the_palette_is_safe_and_readable_on_white():
    def luminance(colour):
        c = np.array(to_rgba(colour)[:3])
        c = np.where(c <= 0.03928, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]

    sets = [style.PARTNERSHIP_COLOURS.values(), style.GROUP_COLOURS.values()]
    sets += [style.FACTOR_COLOURS]
    for colours in sets:
        assert confusable(colours) == []
        for colour in colours:  # WCAG 2.1 non-text contrast against the white background
            assert 1.05 / (luminance(colour) + 0.05) >= 3.0, colour


def test_words_are_computed_plain_english(drawn):
    problems = [p for chart in drawn.values() for p in reader_problems(chart)]
    assert problems == []
    outcome = drawn["03_outcome"]
    assert outcome.title.startswith("Most common outcome in both partnerships")
    assert "2017–2021" in outcome.subtitle and "STSCP (South Tees)" in outcome.subtitle
    assert outcome.alt.startswith("Horizontal bar chart of the percentage of children")
    # a joint count of the trio is qualified, a margin is not
    assert drawn["06_trio_venn"].title.endswith(charts.RECONSTRUCTION_LABEL)
    assert charts.RECONSTRUCTION_LABEL in drawn["06_trio_upset"].title.lower()
    assert charts.RECONSTRUCTION_LABEL in drawn["06_trio_pairs"].title


def test_legends_name_the_partnerships_drawn(drawn):
    def legend(name):
        return [t.get_text() for ax in drawn[name].figure.axes if ax.get_legend()
                for t in ax.get_legend().get_texts()]  # fmt: skip

    assert legend("03_outcome") == ["STSCP", "HSSCP"]
    assert legend("03_harm_category") == ["HSSCP"]  # one partnership: named all the same
    assert legend("03_review_types") == ["STSCP"]
    assert legend("04_themes") == ["reviews", "children"]
    bounds = " ".join(legend("06_trio_bounds"))
    assert all(p in bounds for p in ("STSCP", "HSSCP", "Tees"))


def test_no_caption_in_the_image_and_text_readable_on_a_phone(drawn):
    for chart in drawn.values():
        fig = chart.figure
        assert fig.get_size_inches()[0] == style.WIDTH
        texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
        words = [t.get_text() for t in texts]
        assert not any(captions.RECONSTRUCTED in w for w in words), chart.name
        assert chart.title.split()[0] in " ".join(words)  # the title is drawn
        small = {(t.get_text(), t.get_fontsize()) for t in texts if t.get_fontsize() < 12}
        assert small == set(), chart.name


def test_data_are_the_numbers_drawn(drawn):
    sex = drawn["03_sex"].data
    assert list(sex.columns[:4]) == ["partnership", "category", "count", "out of"]
    bars = sorted(
        round(p.get_width(), 6) for p in drawn["03_sex"].figure.axes[0].patches if p.get_width() > 0
    )
    shares = [round(100 * k / n, 6) for k, n in zip(sex["count"], sex["out of"], strict=True)]
    assert sorted(shares) == bars
    for chart in drawn.values():
        assert len(chart.data), chart.name
        text = charts.csv_bytes(chart.data).decode("utf-8")
        assert reprs(text) == [], chart.name
        assert "\r" not in text


def test_saved_files_carry_title_and_alt_text(drawn, tmp_path):
    """(Byte-identical saves: ``test_figures.py``.)"""
    chart = drawn["06_trio_venn"]
    written = charts.save(chart, tmp_path)
    assert [p.name for p in written] == [f"06_trio_venn.{e}" for e in ("png", "svg", "csv")]
    svg = (tmp_path / "06_trio_venn.svg").read_text(encoding="utf-8")
    root = re.search(r"<svg\b[^>]*>", svg).group(0)
    assert 'role="img"' in root
    assert 'aria-labelledby="chart-06_trio_venn-title chart-06_trio_venn-desc"' in root
    after = svg[svg.index(root) + len(root) :].lstrip()
    assert after.startswith(f'<title id="chart-06_trio_venn-title">{escape(chart.title)}</')
    assert f'<desc id="chart-06_trio_venn-desc">{escape(chart.alt)}</desc>' in svg
    assert "<dc:date>" not in svg
    frame = pd.read_csv(tmp_path / "06_trio_venn.csv")
    assert list(frame["children"]) == list(chart.data["children"])


def test_a_chart_shown_in_a_notebook_carries_its_alt_text(drawn, monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: shown.append((a, k)))
    chart = drawn["03_harm_category"]
    charts.show(chart)
    (bundle,), options = shown[0]
    assert bundle["text/plain"] == chart.title  # what nbval compares: words, not a repr
    assert options == {
        "raw": True,
        "metadata": {
            "image/png": {"alt": chart.alt},
            "tees": {"figure": chart.name, "alt": chart.alt},
        },
    }
    assert not plt.fignum_exists(chart.figure.number)
