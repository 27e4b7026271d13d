"""Charts of the recomputed figures: one per report block, percentages with 95% intervals.

Every chart takes a long table with columns ``category``, a group column (``partnership`` by
default), ``count`` and ``denominator`` (as :func:`tees_analysis.analysis.tables.block_table` and
:func:`tees_analysis.analysis.tables.theme_long` return), labels each bar with ``count/denominator``
so the denominator is always visible, and draws the Wilson interval of
:mod:`tees_analysis.analysis.stats` as a whisker. Rows with a blank count (no published figure) are
labelled, not drawn.

The functions return the figure; save it with :func:`tees_analysis.report.style.save`, whose caption
says where the data come from.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from ..analysis import stats, tables
from ..analysis.national import PER, TEES_KEYS, family
from . import style

#: Colours of the groups that are not partnerships.
GROUP_COLOURS = {
    **style.PARTNERSHIP_COLOURS,
    "reviews": "#6a994e",
    "children": "#bc6c25",
}
WHISKERS = "bar: estimate; whisker: 95% Wilson interval; label: count/n"
#: Category labels longer than this are wrapped onto several lines.
WRAP = 30


def percent_bars(
    table: pd.DataFrame,
    title: str,
    xlabel: str = "% of children",
    group: str = "partnership",
    note: str = tables.NO_COUNT,
):
    """Horizontal bars per category, one colour per group, with intervals and k/n labels.

    Within a category the groups present there sit side by side; a category with a single
    group gets a single full bar. A row whose count is blank shows ``note`` instead of a bar,
    and a row with nobody to count (denominator 0) says so; a table with no rows at all gives
    an empty panel that says there is nothing to draw.
    """
    style.use_style()
    table = table.reset_index(drop=True)
    if table.empty:
        return empty_figure(title, "nothing to draw: no figures in this block")
    known = table["count"].notna() & table["denominator"].notna()
    nobody = known & (table["denominator"].fillna(0).astype(int) == 0)
    counted = known & ~nobody
    low = np.full(len(table), np.nan)
    high = np.full(len(table), np.nan)
    if counted.any():
        lo, hi = stats.proportion_interval(
            table.loc[counted, "count"].astype(int), table.loc[counted, "denominator"].astype(int)
        )
        low[counted.to_numpy()], high[counted.to_numpy()] = 100 * lo, 100 * hi
    categories = list(dict.fromkeys(table["category"]))
    groups = list(dict.fromkeys(table[group]))
    slots = max(table.groupby("category", sort=False)[group].nunique())
    height = 0.8 / slots
    fig, ax = plt.subplots(figsize=(8, 0.42 * len(categories) * slots + 1.9))
    drawn = set()
    for c, category in enumerate(categories):
        rows = table.index[table["category"] == category]
        if not counted[rows].any():
            text = _empty_text(table, rows, nobody, group, note)
            ax.text(1, c, text, va="center", fontsize=8, color="#666666", style="italic")
            continue
        for s, i in enumerate(rows):
            y = c + (s - (len(rows) - 1) / 2) * height
            name = table.at[i, group]
            if not counted[i]:
                text = _empty_text(table, [i], nobody, group, note)
                ax.text(1, y, text, va="center", fontsize=8, color="#666666", style="italic")
                continue
            k, n = int(table.at[i, "count"]), int(table.at[i, "denominator"])
            share = 100 * k / n
            ax.barh(
                y,
                share,
                height=height * 0.92,
                color=GROUP_COLOURS.get(name, "#888888"),
                label=None if name in drawn else name,
                xerr=[[share - low[i]], [high[i] - share]],
                error_kw={"ecolor": "#333333", "elinewidth": 0.8, "capsize": 2},
            )
            drawn.add(name)
            ax.text(high[i] + 1.5, y, f"{k}/{n}", va="center", fontsize=8)
    ax.set_yticks(np.arange(len(categories)), [textwrap.fill(c, WRAP) for c in categories])
    ax.grid(axis="y", visible=False)
    ax.set_ylim(len(categories) - 0.5, -0.5)
    ax.set_xlim(0, 112)
    ax.set_xlabel(f"{xlabel}\n({WHISKERS})")
    ax.set_title(title)
    if len(groups) > 1:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    return fig


def _empty_text(table: pd.DataFrame, rows, nobody: pd.Series, group: str, note: str) -> str:
    """What an undrawn row says: nobody to count (naming the groups), or ``note``."""
    if not nobody[list(rows)].all():
        return note
    counts = table.at[rows[0], "counts"] if "counts" in table else "children"
    names = ", ".join(dict.fromkeys(str(table.at[i, group]) for i in rows))
    return f"no {counts if isinstance(counts, str) else 'children'} ({names})"


def empty_figure(title: str, message: str):
    """A panel with ``title`` that says, in its middle, why nothing is drawn."""
    style.use_style()
    fig, ax = plt.subplots(figsize=(8, 2.2))
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=10, color="#555555",
            style="italic", transform=ax.transAxes)  # fmt: skip
    ax.set_axis_off()
    ax.set_title(title)
    return fig


def block_figure(figures: pd.DataFrame, measure: str, title: str | None = None):
    """The chart of one report block, partnerships side by side."""
    table = tables.block_table(figures, measure)
    counts = table["counts"].iloc[0] if len(table) else "children"
    title = title or tables.CHILDREN_BLOCKS.get(measure, measure.replace("_", " "))
    return percent_bars(table, title, xlabel=f"% of {counts}")


def themes_figure(figures: pd.DataFrame, title: str = "The ten learning themes (Tees)"):
    """Reviews and children with each learning theme; themes without counts are labelled."""
    table = tables.theme_long(figures)
    n_reviews = table.loc[table["group"] == "reviews", "denominator"].dropna()
    n_children = table.loc[table["group"] == "children", "denominator"].dropna()
    xlabel = "% of reviews or of children"
    if len(n_reviews) and len(n_children):
        xlabel = f"% of the {n_reviews.iloc[0]} reviews or of the {n_children.iloc[0]} children"
    return percent_bars(table, title, xlabel=xlabel, group="group")


def figure_list_chart(figures: pd.DataFrame, labels: dict, title: str, xlabel: str):
    """One bar per chosen figure (``labels``: figure id -> bar label), coloured by partnership."""
    rows = figures.set_index("figure_id").loc[list(labels)].reset_index()
    table = pd.DataFrame(
        {
            "category": [labels[f] for f in rows["figure_id"]],
            "partnership": rows["partnership_counted"],
            "count": rows["count"],
            "denominator": rows["denominator"],
        }
    )
    return percent_bars(table, title, xlabel=xlabel)


def neglect_figure(figures: pd.DataFrame, title: str | None = None):
    """The parts of the neglect sub-group, each out of the sub-group's size."""
    rows = figures.set_index("figure_id").loc[tables.neglect_ids(figures)]
    labels = {fid: row["category"] for fid, row in rows.iterrows() if not row["population"]}
    if title is None:
        sizes = rows.loc[rows["population"], "count"]
        size = f" ({int(sizes.iloc[0])} children)" if len(sizes) else ""
        title = f"The neglect sub-group{size}"
    return figure_list_chart(figures, labels, title, xlabel="% of the children in the sub-group")


_BABIES_LABELS = {
    "theme_reviews": "reviews with the theme",
    "theme_children": "children counted for the theme",
    "age": "children under 2",
}


def babies_figure(figures: pd.DataFrame, title: str = "Safeguarding vulnerable babies"):
    """Reviews and children with the theme (Tees), beside each partnership's under-2s."""
    rows = figures.set_index("figure_id").loc[tables.babies_ids(figures)]
    labels = {fid: _BABIES_LABELS[row["measure"]] for fid, row in rows.iterrows()}
    return figure_list_chart(figures, labels, title, xlabel="% of reviews or of children")


#: Markers of the national source families in :func:`plot_comparison`
#: (as :func:`tees_analysis.analysis.national.family` names them).
FAMILY_STYLE = {
    "notifications": ("s", "#2c7fb8", "serious incident notifications (Ofsted, DfE, Panel)"),
    "panel_nonfatal": ("D", "#d95f0e", "non-fatal notifications, Panel annual report 2020"),
    "cafcass": ("^", "#31a354", "serious case reviews with Cafcass involvement, 2009-16"),
}


def plot_comparison(national: pd.DataFrame, tees: pd.DataFrame):
    """Tees shares beside the national figures of the same unit, per child then per review.

    Tees: a dot for a count that the published figures fix, a thick bar for a range over the
    consistent datasets; the thin line is the 95% Wilson interval (for a range, from the lower
    bound of its smallest count to the upper bound of its largest). National values are
    markers by source family, hollow when approximate.
    """
    keys = [k for k in TEES_KEYS if k in set(national["compare_with"])]
    tees = tees.set_index("key")
    fig, ax = plt.subplots(figsize=(9, 0.62 * len(keys) + 2.2))
    for y, key in enumerate(keys):
        t = tees.loc[key]
        ax.hlines(y, t["ci_low"], t["ci_high"], color="#4d4d4d", lw=1.5)
        if t["count_low"] == t["count_high"]:
            ax.scatter(t["percent_low"], y, color="#4d4d4d", s=40, zorder=3)
        else:
            ax.hlines(y, t["percent_low"], t["percent_high"], color="#4d4d4d", lw=6)
        offset = 0.22
        for _, row in national[national["compare_with"] == key].iterrows():
            marker, colour, _ = FAMILY_STYLE[family(row)]
            ax.scatter(row["percent"], y - offset, marker=marker, color=colour, s=36, zorder=3,
                       facecolor="white" if row["approximate"] == "yes" else colour)  # fmt: skip
    labels = []
    for key in keys:
        t = tees.loc[key]
        span = (
            f"{t['count_low']}"
            if t["count_low"] == t["count_high"]
            else f"{t['count_low']}-{t['count_high']}"
        )
        text = f"{t['measure']}\n({span} of {t['n']}"
        labels.append(text + ("; national: under 1)" if key == "children_under_2" else ")"))
    units = [tees.loc[k, "unit"] for k in keys]
    for y in range(1, len(keys)):  # a rule between the units
        if units[y] != units[y - 1]:
            ax.axhline(y - 0.5, color="#999999", lw=0.8, ls="--")
    for y, unit in enumerate(units):
        if y == 0 or unit != units[y - 1]:
            ax.text(99, y - 0.42, f"per {PER[unit]}", ha="right", va="top", fontsize=7.5,
                    style="italic", color="#555555")  # fmt: skip
    ax.set_yticks(range(len(keys)), labels, fontsize=8.5)
    ax.set_ylim(len(keys) - 0.5, -0.6)
    ax.set_xlim(0, 100)
    ax.set_xlabel("percent")
    ax.set_title("Tees beside national figures of the same unit (definitions differ)")
    handles = [
        Line2D([], [], color="#4d4d4d", marker="o", lw=1.5,
               label="Tees: share the figures fix, 95% Wilson interval"),
        Line2D([], [], color="#4d4d4d", lw=6,
               label="Tees: range over consistent datasets"),
    ] + [
        Line2D([], [], ls="", marker=m, color=c, label=text) for m, c, text in FAMILY_STYLE.values()
    ] + [Line2D([], [], ls="", marker="o", mfc="white", color="#777777",
                label="hollow: approximate ('about', 'nearly')")]  # fmt: skip
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2,
              fontsize=7.5, frameon=False)  # fmt: skip
    return fig
