"""One look for every figure, its palette, and saving that gives byte-identical files.

``use_style()`` sets the collection's seaborn/matplotlib style: charts designed about
:data:`WIDTH` inches wide with text of :data:`BASE_FONT` points or more, so that they stay
readable when a phone shows them at their minimum width. The palette is a few named constants
(:data:`PARTNERSHIP_COLOURS`, :data:`GROUP_COLOURS`, :data:`FACTOR_COLOURS`,
:data:`NATIONAL_COLOUR`), taken from the Government Analysis Function's categorical palette and
checked by ``tests/test_charts.py`` to stay apart under normal vision and under simulated
deuteranopia, protanopia and tritanopia; every colour has a contrast of at least 3:1 with the
white background. Greys (:data:`INK`, :data:`MUTED`, :data:`WHISKER`, :data:`GRID`,
:data:`RANGE_GREY`) are for text, grids, whiskers and backgrounds, never to tell series apart
by hue.

:func:`figure_files` renders a figure to PNG and SVG bytes with the metadata that would
otherwise change between runs (dates, software versions, random SVG ids) fixed or removed, and
gives the SVG a ``<title>`` and ``<desc>`` for screen readers. Charts are saved with
:func:`tees_analysis.report.charts.save`; :func:`save` is the older entry point, kept while the
notebooks move over.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from xml.sax.saxutils import escape

import matplotlib as mpl
import matplotlib.pyplot as plt
import seaborn as sns

from ..data import atomic
from ..paths import FIGURES
from . import captions

# --------------------------------------------------------------------------- palette

#: The Analysis Function categorical palette (GSS guidance on colours in charts).
DARK_BLUE = "#12436D"
TURQUOISE = "#28A197"
DARK_PINK = "#801650"
ORANGE = "#F46A25"
LILAC = "#A285D1"
DARK_GREY = "#3D3D3D"
#: The two partnerships and Tees as a whole, in every chart.
PARTNERSHIP_COLOURS = {"STSCP": DARK_BLUE, "HSSCP": ORANGE, "Tees": TURQUOISE}
#: Reviews and children, where a chart sets them side by side (the learning themes).
GROUP_COLOURS = {"reviews": DARK_PINK, "children": LILAC}
#: The three toxic-trio factors (domestic abuse, parental mental ill-health, substance misuse).
FACTOR_COLOURS = (DARK_PINK, TURQUOISE, ORANGE)
#: Line styles that tell the three factors apart without colour.
FACTOR_LINESTYLES = ("solid", "dashed", "dotted")
#: National figures beside the Tees shares (told apart by marker shape, not colour).
NATIONAL_COLOUR = DARK_GREY
#: Text, secondary text, whiskers, grid lines, background ranges.
INK = "#1a1a1a"
MUTED = "#505050"
WHISKER = "#333333"
GRID = "#d9d9d9"
RANGE_GREY = "#c8c8c8"

# --------------------------------------------------------------------------- sizes

#: Width every chart is designed at, in inches (the site gives charts a minimum width).
WIDTH = 7.0
#: Text sizes in points: everything a reader reads is at least BASE_FONT.
BASE_FONT = 12
TITLE_FONT = 15
SUBTITLE_FONT = 12.5
DPI = 150

#: The caption every figure drawn from case-level data carries (now written under the chart,
#: in HTML, not drawn in the image).
RECONSTRUCTED = captions.RECONSTRUCTED
_RC = {
    "svg.hashsalt": "tees-analysis",  # fixed seed for SVG element ids
    # Text as paths: the SVG is inlined in the site and must look the same on every device,
    # including phones without DejaVu Sans; readers of screen readers get the <title> and <desc>.
    "svg.fonttype": "path",
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "font.family": "DejaVu Sans",  # shipped with matplotlib, so identical everywhere
    "font.size": BASE_FONT,
    "axes.titlesize": BASE_FONT + 1,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": BASE_FONT,
    "xtick.labelsize": BASE_FONT,
    "ytick.labelsize": BASE_FONT,
    "legend.fontsize": BASE_FONT,
    "legend.title_fontsize": BASE_FONT,
    "text.color": INK,
    "axes.labelcolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "grid.color": GRID,
}
_METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
}


def use_style() -> None:
    """Apply the collection's plotting style (idempotent)."""
    sns.set_theme(context="notebook", style="whitegrid", font="DejaVu Sans")
    mpl.rcParams.update(_RC)


# --------------------------------------------------------------------------- saving


def accessible_svg(svg: bytes, stem: str, title: str, description: str) -> bytes:
    """``svg`` with ``role="img"``, ``aria-labelledby`` and a ``<title>`` and ``<desc>`` as the
    root's first children (ids made from ``stem``, so several charts can share a page)."""
    ids = f"chart-{re.sub(r'[^A-Za-z0-9_-]', '-', stem)}"
    match = re.search(rb"<svg\b[^>]*>", svg)
    if match is None:
        raise ValueError("not an SVG document")
    tag = match.group(0)
    opened = tag[:-1] + f' role="img" aria-labelledby="{ids}-title {ids}-desc">'.encode()
    texts = (
        f'\n <title id="{ids}-title">{escape(title)}</title>'
        f'\n <desc id="{ids}-desc">{escape(description)}</desc>'
    ).encode()
    return svg[: match.start()] + opened + texts + svg[match.end() :]


def figure_files(
    fig, name: str, title: str = "", description: str = "", formats=("png", "svg")
) -> dict[str, bytes]:
    """``{"NAME.png": bytes, "NAME.svg": bytes}``, identical on every run; the SVG carries
    ``title`` and ``description`` for screen readers when they are given."""
    files = {}
    for fmt in formats:
        buffer = io.BytesIO()
        fig.savefig(buffer, format=fmt, metadata=_METADATA[fmt])
        files[f"{name}.{fmt}"] = buffer.getvalue()
    if (title or description) and "svg" in formats:
        files[f"{name}.svg"] = accessible_svg(files[f"{name}.svg"], name, title, description)
    return files


def save(fig, name: str, caption: str = "", folder: Path | None = None) -> list[Path]:
    """Write ``name.png`` and ``name.svg``; byte-identical across runs.

    Kept for the notebooks written before :func:`tees_analysis.report.charts.save`: ``fig`` may
    be a figure or a :class:`~tees_analysis.report.charts.Chart` (whose title and alt text go
    into the SVG). ``caption`` is no longer drawn in the image: the source note goes under the
    chart in the page. ``folder`` defaults to the repository's ``figures/``.
    """
    del caption  # written under the chart by the page, not drawn in the image
    folder = FIGURES if folder is None else folder
    if hasattr(fig, "figure") and hasattr(fig, "alt"):  # a Chart: already laid out
        files = figure_files(fig.figure, name, fig.title, fig.alt)
    else:
        fig.tight_layout()
        files = figure_files(fig, name)
    return atomic.write_files({Path(folder) / f: data for f, data in files.items()})


def close(fig) -> None:
    plt.close(getattr(fig, "figure", fig))
