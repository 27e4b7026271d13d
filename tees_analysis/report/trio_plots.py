"""Charts of the co-occurrence of the toxic-trio factors (notebook 06).

:func:`plot_bounds` (the exact and the Frechet ranges of each count, with the reconstruction's
value), :func:`plot_upset` (every combination; ``upsetplot``'s warnings silenced),
:func:`plot_venn`, :func:`plot_pairwise` (counts, Jaccard, conditional proportions) and
:func:`plot_ranges` (odds ratios over the identified set). :func:`save_figure` saves through
:func:`.style.save` without matplotlib's tight-layout note for UpSet plots.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.lines import Line2D
from matplotlib.patches import Circle
from matplotlib.ticker import MaxNLocator

from ..analysis.cooccurrence import (
    QUANTITY_SHORT,
    _cells,
    _factors,
    label,
    margins,
    pairwise_matrices,
    short,
)
from ..reconstruction.bounds import QUANTITIES
from . import style
from .plots import empty_figure
from .style import PARTNERSHIP_COLOURS

#: Colours of the three factors in the Venn diagram.
FACTOR_COLOURS = ("#1b9e77", "#d95f02", "#7570b3")


def plot_bounds(bounds: pd.DataFrame, colours: dict[str, str] | None = None):
    """One panel per scope: Frechet range (wide, grey), exact range (narrow), reconstruction."""

    colours = PARTNERSHIP_COLOURS if colours is None else colours
    scopes = list(dict.fromkeys(bounds["scope"]))
    quantities = list(QUANTITIES)
    fig, axes = plt.subplots(1, len(scopes), figsize=(4.0 * len(scopes), 3.6), sharey=True)
    axes = np.atleast_1d(axes)
    for ax, scope in zip(axes, scopes, strict=True):
        part = bounds[bounds["scope"] == scope].set_index("quantity").loc[quantities]
        n = int(part["n"].iloc[0])
        y = np.arange(len(quantities))
        ax.barh(
            y, part["frechet_max"] - part["frechet_min"], left=part["frechet_min"], height=0.62,
            color="#dddddd", label="possible from the three totals alone (Frechet)",
        )  # fmt: skip
        ax.barh(
            y, part["max"] - part["min"], left=part["min"], height=0.3,
            color=colours.get(scope, "#4d4d4d"), label="possible given every published figure",
        )  # fmt: skip
        # A range of one value has zero width: mark its ends so it stays visible.
        ax.scatter(part["min"], y, marker="|", s=120, color=colours.get(scope, "#4d4d4d"))
        ax.scatter(part["max"], y, marker="|", s=120, color=colours.get(scope, "#4d4d4d"))
        ax.scatter(
            part["reconstruction"], y, s=30, facecolor="white", edgecolor="black", zorder=3,
            label="the reconstruction's value (a choice)",
        )  # fmt: skip
        ax.set_xlim(-0.5, n + 0.5)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(f"{scope} (n = {n} children)")
        ax.set_xlabel(f"children, of {n}")
        ax.set_yticks(y, [QUANTITY_SHORT[q] for q in quantities])
        ax.grid(axis="y", visible=False)
    axes[0].invert_yaxis()
    handles, labels_ = axes[0].get_legend_handles_labels()
    order = [1, 2, 0]  # grey range, coloured range, reconstruction
    fig.legend([handles[i] for i in order], [labels_[i] for i in order], loc="upper center",
               ncol=3, fontsize=8, frameon=False)  # fmt: skip
    fig.suptitle(" ", fontsize=20)  # room for the legend above the panels
    return fig


# --------------------------------------------------------------------------- figures


def plot_upset(table: pd.Series, title: str | None = None):
    """UpSet plot of every combination (``upsetplot``), its deprecation warnings silenced."""
    import upsetplot

    factors, n = _factors(table), int(table.sum())
    totals = margins(table)
    heading = title or f"Every combination of the three factors ({n} children)"
    if n == 0:
        return empty_figure(heading, "nothing to draw: no child has every factor recorded")
    if not totals.any():
        return empty_figure(heading, f"nothing to draw: none of the {n} children has a factor")
    named = table.copy()
    # Leading spaces keep the labels clear of the totals bars (upsetplot measures them tight).
    named.index = named.index.set_names([f"      {short(f)} ({totals[f]} of {n})" for f in factors])
    fig = plt.figure(figsize=(8.0, 4.8))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pd.errors.Pandas4Warning)
        warnings.filterwarnings("ignore", category=FutureWarning, module="upsetplot")
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="upsetplot")
        plot = upsetplot.UpSet(
            named, show_counts=True, sort_by="cardinality", facecolor="#4d4d4d",
            element_size=None, intersection_plot_elements=6, totals_plot_elements=2,
        )  # fmt: skip
        axes = plot.plot(fig=fig)
    axes["intersections"].set_ylabel(f"children (of {n})")
    axes["totals"].set_title("with the factor", fontsize=8, fontweight="normal")
    fig.suptitle(heading, x=0.02,
                 ha="left", fontsize=11, fontweight="bold")  # fmt: skip
    key = "\n".join(f"{short(f)} = {label(f).lower()}" for f in factors)
    fig.text(0.02, 0.82, f"{key}\n\nThe column with no dots:\nchildren with none of them.",
             fontsize=8, color="#555555", va="top")  # fmt: skip
    return fig


#: Where each region's count is written in the Venn diagram (cell -> x, y), circles of radius 1
#: centred at (-0.55, 0.35), (0.55, 0.35) and (0, -0.55).
_VENN_CENTRES = ((-0.55, 0.35), (0.55, 0.35), (0.0, -0.55))
_VENN_TEXT = {
    (True, False, False): (-1.0, 0.65),
    (False, True, False): (1.0, 0.65),
    (False, False, True): (0.0, -1.1),
    (True, True, False): (0.0, 0.85),
    (True, False, True): (-0.72, -0.38),
    (False, True, True): (0.72, -0.38),
    (True, True, True): (0.0, 0.03),
}


def plot_venn(table: pd.Series, title: str | None = None):
    """A three-set Venn diagram (circles, not to scale) with the count of every region."""

    factors = _factors(table)
    if len(factors) != 3:
        raise ValueError("a Venn diagram of three sets needs exactly three factors")
    n = int(table.sum())
    totals = margins(table)
    counts = dict(zip(_cells(table), table.to_numpy(), strict=True))
    fig, ax = plt.subplots(figsize=(5.6, 5.0))
    for (x, y), colour in zip(_VENN_CENTRES, FACTOR_COLOURS, strict=True):
        ax.add_patch(Circle((x, y), 1.0, facecolor=colour, alpha=0.22, edgecolor=colour, lw=2))
    for cell, (x, y) in _VENN_TEXT.items():
        ax.text(x, y, str(int(counts[cell])), ha="center", va="center", fontsize=14,
                fontweight="bold")  # fmt: skip
    places = ((-1.15, 1.48, "center"), (1.15, 1.48, "center"), (0.0, -1.75, "center"))
    for f, colour, (x, y, ha) in zip(factors, FACTOR_COLOURS, places, strict=True):
        ax.text(x, y, f"{label(f)}\n{totals[f]} of {n}", ha=ha, va="center", fontsize=9,
                color=colour, fontweight="bold")  # fmt: skip
    ax.text(1.75, -1.55, f"none of the three:\n{int(counts[(False, False, False)])}",
            ha="right", va="center", fontsize=9)  # fmt: skip
    ax.set_xlim(-1.9, 1.9)
    ax.set_ylim(-2.0, 1.8)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title or f"The three factors among {n} children")
    ax.text(0, -1.98, "circles and regions not to scale", ha="center", fontsize=8,
            color="#555555")  # fmt: skip
    return fig


def plot_pairwise(table: pd.Series, title: str | None = None):
    """Heatmaps of the pairwise matrices: counts, Jaccard and P(column | row)."""

    n = int(table.sum())
    mats = pairwise_matrices(table)
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.7))
    specs = (
        ("counts", f"children with both (of {n});\ndiagonal: with the factor", "d", None),
        ("jaccard", "Jaccard: both / either", ".2f", (0, 1)),
        ("conditional", "P(column factor | row factor)", ".0%", (0, 1)),
    )
    for ax, (key, heading, fmt, limits) in zip(axes, specs, strict=True):
        vmin, vmax = limits if limits else (0, n)
        sns.heatmap(mats[key], annot=True, fmt=fmt, cmap="Blues", vmin=vmin, vmax=vmax,
                    cbar=False, square=True, ax=ax, linewidths=0.5)  # fmt: skip
        ax.set_title(heading, fontsize=9.5)
        ax.set_xlabel("")
        ax.set_ylabel("")
        ax.tick_params(axis="y", rotation=0)
    names = ", ".join(f"{short(f)} = {label(f).lower()}" for f in _factors(table))
    fig.suptitle(title or f"Pairs of factors ({n} children): {names}", x=0.01, ha="left",
                 fontsize=11, fontweight="bold")  # fmt: skip
    return fig


def save_figure(fig, name: str, caption: str, folder: Path | None = None) -> list[Path]:
    """:func:`.style.save`, without matplotlib's tight-layout compatibility note.

    UpSet plots are laid out on their own grid, which matplotlib's tight layout reports as
    incompatible (a cosmetic note, not an error); only that message is silenced.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=".*not compatible with tight_layout.*", category=UserWarning
        )
        return style.save(fig, name, caption, folder)


def plot_ranges(frame: pd.DataFrame, title: str | None = None):
    """Each pair's odds ratio over the identified set (log scale): the identified range (thin),
    the central 90% under the stated weighting (thick), and the reconstruction's value (dot).

    ``frame``: the identified set's statistics (:func:`tees_analysis.analysis.ranges.load`).
    Infinite and zero values are drawn at the axis ends, with an arrow.
    """
    low_lim, high_lim = 0.01, 1000.0
    rows = frame[frame["statistic"].str.startswith(("odds ratio", "Mantel-Haenszel odds ratio"))]
    labels, fig = [], None
    fig, ax = plt.subplots(figsize=(9, 0.42 * len(rows) + 1.6))
    for y, r in enumerate(rows.itertuples(index=False)):
        pair = r.statistic.replace("Mantel-Haenszel odds ratio ", "").replace("odds ratio ", "")
        scope = "common (Mantel–Haenszel)" if r.statistic.startswith("Mantel") else r.scope
        labels.append(f"{pair}, {scope}")
        colour = PARTNERSHIP_COLOURS.get(r.scope, "#4d4d4d")
        lo, hi = (float(np.clip(v, low_lim, high_lim)) for v in (r.minimum, r.maximum))
        ax.hlines(y, lo, hi, color=colour, lw=1.2)
        if not np.isnan(r.p05):
            p05, p95 = (float(np.clip(v, low_lim, high_lim)) for v in (r.p05, r.p95))
            ax.hlines(y, p05, p95, color=colour, lw=5, alpha=0.55)
        for value, end in ((r.minimum, "<"), (r.maximum, ">")):
            if value <= low_lim or value >= high_lim:
                ax.plot(low_lim if end == "<" else high_lim, y, marker=end, color=colour, ms=6)
        if not np.isnan(r.reconstruction):
            ax.scatter(float(np.clip(r.reconstruction, low_lim, high_lim)), y, s=28,
                       facecolor="white", edgecolor="black", zorder=3)  # fmt: skip
    ax.axvline(1, color="#999999", lw=1, ls="--")
    ax.set_xscale("log")
    ax.set_xlim(low_lim * 0.7, high_lim * 1.4)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("odds ratio, log scale (0 and infinity drawn at the ends)")
    ax.set_title(title or "Odds ratios over every dataset consistent with the report")
    handles = [
        Line2D([], [], color="#4d4d4d", lw=1.2, label="identified range"),
        Line2D([], [], color="#4d4d4d", lw=5, alpha=0.55,
               label="central 90% if every consistent dataset were equally likely"),
        Line2D([], [], ls="", marker="o", mfc="white", mec="black",
               label="the reconstruction's value (a choice)"),
    ]  # fmt: skip
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2,
              fontsize=8, frameon=False)  # fmt: skip
    return fig
