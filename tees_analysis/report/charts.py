"""A chart with its message: figure, title, subtitle, alt text and the numbers it draws.

Every plotting function of :mod:`.plots` and :mod:`.trio_plots` returns a :class:`Chart`: the
matplotlib figure (its title and subtitle drawn at the top, left-aligned, so that a downloaded
file stands on its own; no caption or source line in the image -- the page writes those under
the chart), the title stating the finding, the subtitle naming population, place, period and n,
alt text computed from the values drawn, and ``data``, a tidy table of exactly those values.
:func:`save` writes ``NAME.png``, ``NAME.svg`` (with ``<title>`` and ``<desc>``) and
``NAME.csv``, byte-identical on every run.

:class:`Context` describes the data a chart is drawn from (period, place, reviews, children,
and the words that qualify a count that only these data hold). Notebooks build it from what
they know, ``Context.from_about(about, data)``, or from the data alone,
``Context.from_dataset(data)``.
"""

from __future__ import annotations

import functools
import textwrap
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.font_manager import FontProperties

from ..data import atomic
from ..paths import FIGURES
from . import style
from .messages import place_name
from .prose import year_spans

#: Words that qualify a count the published figures do not fix, for the report's data and for
#: any other data.
RECONSTRUCTION_LABEL = "in the reconstruction"
DATA_LABEL = "in these data"
#: What the subtitle says of the report's data.
RECONSTRUCTED_DATA = "case-level data reconstructed from the published figures"
#: Space around the header, in inches.
_PAD = 0.12
_GAP = 0.06


@dataclass(frozen=True)
class Context:
    """The data a chart describes, in plain values.

    ``period``: the years, e.g. ``"2017–2021"``; ``place``: where, for Tees as a whole, e.g.
    ``"Tees (STSCP and HSSCP)"`` or one partnership's name when the data hold only it;
    ``reviews`` and ``children``: how many the data hold; ``data_label``: the words that
    qualify a count specific to these data (``"in the reconstruction"`` for the report's,
    ``"in these data"`` for others); ``provenance``: what the data are, ending the subtitle
    (empty for the partnerships' own records); ``partnerships``: each partnership's reviews
    and children, ``(name, reviews, children)``. Unknown parts are left out of subtitles.
    """

    period: str = ""
    place: str = "Tees"
    reviews: int | None = None
    children: int | None = None
    data_label: str = DATA_LABEL
    provenance: str = ""
    partnerships: tuple[tuple[str, int, int], ...] = field(default=())

    @classmethod
    def from_dataset(cls, dataset, data_label: str = DATA_LABEL, provenance: str = "") -> Context:
        """The context of a :class:`~tees_analysis.data.pipeline.Dataset`."""
        reviews, children = dataset.reviews, dataset.children
        who = reviews["partnership"].astype(object)
        kids = children["partnership"].astype(object)
        names = list(dict.fromkeys(p for p in who.dropna()))
        parts = tuple((str(p), int((who == p).sum()), int((kids == p).sum())) for p in names)
        return cls(
            period=year_spans(reviews["year"].dropna()),
            place=tees_place([p for p, _, _ in parts]),
            reviews=len(reviews),
            children=len(children),
            data_label=data_label,
            provenance=provenance,
            partnerships=parts,
        )

    @classmethod
    def from_about(cls, about, dataset=None) -> Context:
        """The context of a notebook run, from :func:`tees_analysis.selection.about` (read by
        its attributes ``report``, ``years``, ``reviews``, ``children``, ``label``) and, for
        each partnership's numbers, the dataset analysed."""
        label = RECONSTRUCTION_LABEL if about.report else DATA_LABEL
        provenance = RECONSTRUCTED_DATA if about.report else _provenance(about)
        if dataset is not None:
            base = cls.from_dataset(dataset, label, provenance)
            return replace(base, period=about.years or base.period)
        chosen = getattr(getattr(about, "selection", None), "partnership", None)
        return cls(
            period=about.years,
            place=tees_place([chosen]) if chosen else "Tees",
            reviews=about.reviews,
            children=about.children,
            data_label=label,
            provenance=provenance,
        )

    def partnership(self, name: str) -> tuple[int, int] | None:
        """``(reviews, children)`` of one partnership, when known."""
        for p, reviews, children in self.partnerships:
            if p == name:
                return reviews, children
        return None

    def reviews_of(self, groups) -> int | None:
        """Reviews of these groups (``Tees``: all of them), when known (a partnership the
        data do not hold has none)."""
        total = 0
        for group in groups:
            if group == "Tees":
                if self.reviews is None:
                    return None
                total += self.reviews
                continue
            known = self.partnership(group)
            if known is None and not self.partnerships:
                return None
            total += known[0] if known else 0
        return total


def _provenance(about) -> str:
    """What other data are, from ``about.label`` (nothing for the partnerships' records)."""
    label = str(getattr(about, "label", ""))
    return "" if label.startswith("case records") else f"{label} data"


def tees_place(partnerships) -> str:
    """What Tees as a whole means for data holding these partnerships."""
    partnerships = list(partnerships)
    if len(partnerships) == 1:
        return place_name(partnerships[0])
    if len(partnerships) == 0:
        return "Tees"
    return f"Tees ({' and '.join(partnerships)})"


@dataclass(frozen=True, eq=False)
class Chart:
    """A figure with its file name (``name``, e.g. ``"03_sex"``), ``title`` (the finding),
    ``subtitle`` (population, place, period, n), ``alt`` (the values, for screen readers) and
    ``data`` (the values drawn, as a tidy table for download)."""

    figure: object
    name: str
    title: str
    subtitle: str
    alt: str
    data: pd.DataFrame


# --------------------------------------------------------------------------- the header


@functools.lru_cache(maxsize=4096)
def _width(text: str, size: float, weight: str, dpi: float) -> float:
    """Width of ``text`` in pixels at ``dpi`` (DejaVu Sans), measured once."""
    props = FontProperties(family="DejaVu Sans", size=size, weight=weight)
    width, _, _ = _renderer(dpi).get_text_width_height_descent(text, props, ismath=False)
    return width


@functools.lru_cache(maxsize=4)
def _renderer(dpi: float) -> RendererAgg:
    return RendererAgg(1, 1, dpi)


def _wrap(text: str, size: float, weight: str, width: float, dpi: float) -> list[str]:
    """``text`` broken between words into lines at most ``width`` pixels wide (word widths
    and spaces added up)."""
    space = _width(" ", size, weight, dpi)
    lines: list[list[str]] = []
    used = 0.0
    glued = text.replace("n = ", "n\u00a0=\u00a0")  # "n = 14" is never broken
    for word in glued.split(" "):
        if not word:
            continue
        w = _width(word, size, weight, dpi)
        if lines and used + space + w <= width:
            lines[-1].append(word)
            used += space + w
        else:
            lines.append([word])
            used = w
    return [" ".join(line) for line in lines]


def add_header(fig, title: str, subtitle: str) -> None:
    """Draw ``title`` (bold) and ``subtitle`` above everything in ``fig``, left-aligned.

    The figure grows upwards by the header's height; axes and figure texts keep their size
    and place in inches, so call this once the chart is laid out. Figure-level legends are
    not supported (anchor legends to an axes instead).
    """
    if fig.legends:
        raise ValueError("a chart's legends belong to its axes, not to the figure")
    width, height = fig.get_size_inches()
    dpi = fig.dpi
    usable = (width - 2 * _PAD) * dpi
    fonts = ((title, style.TITLE_FONT, "bold", 1.2), (subtitle, style.SUBTITLE_FONT, "normal", 1.3))
    blocks = []
    for text, size, weight, spacing in fonts:
        lines = _wrap(text, size, weight, usable, dpi) if text else []
        props = FontProperties(family="DejaVu Sans", size=size, weight=weight)
        blocks.append(("\n".join(lines), props, len(lines) * size * spacing / 72))
    header = _PAD + blocks[0][2] + _GAP + blocks[1][2] + _PAD
    total = height + header
    scale = height / total
    for ax in fig.axes:
        x0, y0, w, h = ax.get_position(original=True).bounds
        ax.set_position([x0, y0 * scale, w, h * scale], which="both")
    for text in fig.texts:
        if text.get_transform() == fig.transFigure:
            x, y = text.get_position()
            text.set_position((x, y * scale))
    fig.set_size_inches(width, total)
    top = _PAD
    for text, props, size in blocks:
        if text:
            fig.text(_PAD / width, 1 - top / total, text, ha="left", va="top",
                     fontproperties=props, color=style.INK if props.get_weight() == "bold"
                     else style.MUTED, linespacing=1.2)  # fmt: skip
        top += size + _GAP


def legend_below(
    fig, handles=(), note: str = "", ncol: int = 1, tight: bool = True, **legend_kw
) -> None:
    """Grow ``fig`` downwards by a full-width strip holding a legend of ``handles`` (and a
    ``note`` under it), and lay the rest out above it.

    For keys too long to sit beside or above the axes. Labels are wrapped to the strip's
    width. ``tight``: lay the rest out with matplotlib's tight layout; otherwise (charts on
    their own grid, such as UpSet plots) the subplot parameters leave room for the strip.
    """
    width, height = fig.get_size_inches()
    # about 0.6 em a character; the handle and the gaps take about 0.8 in a column
    chars = int((width / ncol - 0.8 - 2 * _PAD) * 72 / (0.6 * style.BASE_FONT))
    handles = list(handles)
    for handle in handles:
        handle.set_label(textwrap.fill(handle.get_label(), chars))
    labels = [h.get_label() for h in handles]
    lines = 0
    if labels:
        per_column = -(-len(labels) // ncol)
        lines = max(
            sum(1 + label.count("\n") for label in labels[i : i + per_column])
            for i in range(0, len(labels), per_column)
        )
    note = textwrap.fill(note, int((width - 2 * _PAD) * 72 / (0.6 * style.BASE_FONT)))
    note_lines = note.count("\n") + 1 if note else 0
    line = style.BASE_FONT * 1.45 / 72
    strip = (lines + note_lines) * line + 2 * _GAP
    total = height + strip
    fig.set_size_inches(width, total)
    if tight:
        fig.tight_layout(rect=(0, strip / total, 1, 1))
    else:
        fig.subplots_adjust(bottom=(strip + 0.5) / total, top=1 - 0.15 / total)
    ax = fig.add_axes((0, 0, 1, strip / total))
    ax.set_axis_off()
    if handles:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(_PAD / width, 1),
                  ncol=ncol, frameon=False, borderaxespad=0, handlelength=2.2,
                  **legend_kw)  # fmt: skip
    if note:
        ax.text(_PAD / width, (note_lines * line + _GAP) / strip, note, ha="left", va="top",
                color=style.MUTED, linespacing=1.3)  # fmt: skip


def finish(fig, name: str, title: str, subtitle: str, alt: str, data: pd.DataFrame) -> Chart:
    """Lay out ``fig`` with its header and return the :class:`Chart`."""
    add_header(fig, title, subtitle)
    return Chart(fig, name, title, subtitle, alt, data.reset_index(drop=True))


# --------------------------------------------------------------------------- saving


def _cell(value) -> str:
    """A value as a reader reads it: whole numbers without ``.0``, ``yes``/``no``, blanks."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        value = float(value)
        if np.isnan(value):
            return ""
        if np.isinf(value):
            return "infinity" if value > 0 else "minus infinity"
        if value.is_integer():
            return str(int(value))
        return f"{value:.6f}".rstrip("0").rstrip(".")
    return str(value)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as UTF-8 CSV with ``\\n`` line ends, every cell as :func:`_cell` writes it."""
    text = frame.astype(object).map(_cell).to_csv(index=False, lineterminator="\n")
    return text.encode("utf-8")


def chart_files(chart: Chart) -> dict[str, bytes]:
    """The bytes of ``NAME.png``, ``NAME.svg`` and ``NAME.csv``."""
    files = style.figure_files(chart.figure, chart.name, chart.title, chart.alt)
    files[f"{chart.name}.csv"] = csv_bytes(chart.data)
    return files


def show(chart: Chart) -> None:
    """Show ``chart`` in a notebook as the PNG that :func:`save` writes, with its alt text in
    the output's metadata (``{"image/png": {"alt": ...}}``, which nbconvert's templates read)
    and its title as the plain-text form; the figure is then closed, so that the inline
    backend does not show it a second time. Use it in place of ``plt.show()``."""
    import base64

    import matplotlib.pyplot as plt
    from IPython.display import display

    png = style.figure_files(chart.figure, chart.name, formats=("png",))[f"{chart.name}.png"]
    bundle = {"image/png": base64.b64encode(png).decode("ascii"), "text/plain": chart.title}
    metadata = {"image/png": {"alt": chart.alt}, "tees": {"figure": chart.name, "alt": chart.alt}}
    display(bundle, raw=True, metadata=metadata)
    plt.close(chart.figure)


#: Where a notebook links the chart files from (``notebooks/`` -> ``figures/``; the same in a
#: rerun's output folder).
LINK_BASE = "../figures"


def note(chart: Chart, source: str, notes=()) -> str:
    """The Markdown under a chart: how to read it, where the data come from, the downloads."""
    links = " · ".join(
        f"[{label}]({LINK_BASE}/{chart.name}.{kind})"
        for label, kind in (("chart (SVG)", "svg"), ("chart (PNG)", "png"), ("data (CSV)", "csv"))
    )
    lines = [*notes, f"**Source:** {source}" if source else "", f"**Download:** {links}"]
    return "\n\n".join(line for line in lines if line)


def publish(chart: Chart, folder: Path | None = None, source: str = "", notes=()) -> None:
    """Save ``chart`` (:func:`save`), show it (:func:`show`) and write its note under it
    (:func:`note`): what a notebook does with every chart."""
    from IPython.display import display

    from .prose import Markdown

    save(chart, folder)
    show(chart)
    display(Markdown(note(chart, source, notes)))


def save(chart: Chart, folder: Path | None = None) -> list[Path]:
    """Write ``NAME.png``, ``NAME.svg`` and ``NAME.csv`` into ``folder`` (default: the
    repository's ``figures/``), all or none, byte-identical on every run."""
    folder = FIGURES if folder is None else Path(folder)
    return atomic.write_files({folder / f: data for f, data in chart_files(chart).items()})
