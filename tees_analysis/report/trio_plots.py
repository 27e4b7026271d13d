"""Charts of the co-occurrence of the toxic-trio factors (notebook 06).

:func:`plot_bounds` (the exact and the Frechet ranges of each count, with the reconstruction's
value), :func:`plot_upset` (every combination; ``upsetplot``'s warnings silenced),
:func:`plot_venn`, :func:`plot_pairwise` (counts, Jaccard, conditional proportions) and
:func:`plot_sensitivity`. :func:`save_figure` saves through :func:`.style.save` without
matplotlib's tight-layout note for UpSet plots.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ..analysis.cooccurrence import (
    QUANTITY_SHORT,
    _cells,
    _factors,
    combinations,
    label,
    margins,
    odds_ratios,
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
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

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
    import matplotlib.pyplot as plt
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
    import matplotlib.pyplot as plt
    from matplotlib.patches import Circle

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
    import matplotlib.pyplot as plt
    import seaborn as sns

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


def plot_sensitivity(tables: dict[str, pd.Series], colours: dict[str, str] | None = None):
    """Combination counts and pairwise odds ratios (log scale, exact 95% CI) per table."""
    import matplotlib.pyplot as plt

    names = list(tables)
    palette = colours or dict(zip(names, ("#4d4d4d", "#2c7fb8", "#d95f0e", "#31a354"),
                                  strict=False))  # fmt: skip
    n = int(next(iter(tables.values())).sum())
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2),
                                      gridspec_kw={"width_ratios": [1.25, 1]})  # fmt: skip
    frames = {name: combinations(t) for name, t in tables.items()}
    order = frames[names[0]]["combination"].tolist()
    width = 0.8 / len(names)
    x = np.arange(len(order))
    for k, name in enumerate(names):
        counts = frames[name].set_index("combination").loc[order, "children"]
        left.bar(x + (k - (len(names) - 1) / 2) * width, counts, width, label=name,
                 color=palette[name])  # fmt: skip
    left.set_xticks(x, order, rotation=35, ha="right")
    left.set_ylabel(f"children (of {n})")
    left.set_title("Children in each combination")
    left.legend(fontsize=8, frameon=False)
    low_lim, high_lim = 0.02, 1000.0
    pairs = None
    for k, name in enumerate(names):
        o = odds_ratios(tables[name])
        pairs = o["pair"].tolist()
        y = np.arange(len(o)) + (k - (len(names) - 1) / 2) * 0.22
        est = o["odds ratio"].clip(low_lim, high_lim).fillna(1.0)
        lo = o["ci_low"].clip(low_lim, high_lim)
        hi = o["ci_high"].clip(low_lim, high_lim)
        right.hlines(y, lo, hi, color=palette[name], lw=2)
        right.scatter(est, y, color=palette[name], s=25, zorder=3, label=name)
    right.axvline(1, color="#999999", lw=1, ls="--")
    right.set_xscale("log")
    right.set_xlim(low_lim, high_lim)
    right.set_yticks(np.arange(len(pairs)), pairs)
    right.invert_yaxis()
    right.set_xlabel("odds ratio, log scale (exact 95% interval;\nclipped at the axis ends)")
    right.set_title(f"Pairwise odds ratios ({n} children)")
    return fig
