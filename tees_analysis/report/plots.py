"""Charts of the recomputed figures: one per report block, percentages with 95% intervals.

Every chart takes a long table with columns ``category``, a group column (``partnership`` by
default), ``count`` and ``denominator`` (as :func:`tees_analysis.analysis.tables.block_table` and
:func:`tees_analysis.analysis.tables.theme_long` return), labels each bar with ``count/denominator``
so the denominator is always visible, and draws the Wilson interval of
:mod:`tees_analysis.analysis.stats` as a whisker. Rows with a blank count (no published figure) are
labelled, not drawn. The legend names every group drawn, even a single partnership.

Each function returns a :class:`~tees_analysis.report.charts.Chart` whose title states what the
bars show (computed by :mod:`.messages` from the table drawn), whose subtitle names population,
place, period and n (from the :class:`~tees_analysis.report.charts.Context` handed in), with alt
text and the numbers drawn; save it with :func:`tees_analysis.report.charts.save`.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..analysis import stats, tables
from ..analysis.national import PER, TEES_KEYS, family
from . import messages, style
from .charts import Chart, Context, finish, legend_below
from .messages import capitalise, counted, listing, of, place_name

#: Colours of every group a bar chart draws: the partnerships, Tees, reviews and children.
GROUP_COLOURS = {**style.PARTNERSHIP_COLOURS, **style.GROUP_COLOURS}
WHISKERS = "bar: percentage; whisker: 95% Wilson interval;\nlabel: count/n"
#: Category labels longer than this are wrapped onto several lines.
WRAP = 26
#: The file stem of each block's chart.
BLOCK_NAMES = {
    "review_type": "03_review_types",
    "outcome": "03_outcome",
    "age": "03_under_2",
    "sex": "03_sex",
    "living_arrangements": "03_living_arrangements",
    "csc_status": "03_csc_status",
    "harm_category": "03_harm_category",
    "risk_factor": "03_risk_factors",
}
#: What a category of each block is, singular and plural, for titles and alt text.
BLOCK_NOUNS = {
    "review_type": ("review type", "review types"),
    "outcome": ("outcome", "outcomes"),
    "age": ("age group", "age groups"),
    "sex": ("sex recorded", "sexes recorded"),
    "living_arrangements": ("living arrangement", "living arrangements"),
    "csc_status": ("children's social care status", "children's social care statuses"),
    "harm_category": ("harm category", "harm categories"),
    "risk_factor": ("risk factor", "risk factors"),
}
#: Columns of a bar chart's data.
BAR_COLUMNS = ["category", "count", "out of", "percent", "lower 95% limit (%)",
               "upper 95% limit (%)", "note"]  # fmt: skip


def _noun(measure: str) -> tuple[str, str]:
    words = measure.replace("_", " ")
    return BLOCK_NOUNS.get(measure, (words, f"{words}s"))


def _known(table: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Rows with a count and a positive denominator (``counted``), and rows with nobody."""
    known = table["count"].notna() & table["denominator"].notna()
    nobody = known & (table["denominator"].fillna(0).astype(int) == 0)
    return known & ~nobody, nobody


def _intervals(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The 95% Wilson interval of every counted row, in percent (blank elsewhere)."""
    counted, _ = _known(table)
    low = np.full(len(table), np.nan)
    high = np.full(len(table), np.nan)
    if counted.any():
        lo, hi = stats.proportion_interval(
            table.loc[counted, "count"].astype(int), table.loc[counted, "denominator"].astype(int)
        )
        low[counted.to_numpy()], high[counted.to_numpy()] = 100 * lo, 100 * hi
    return low, high


def bar_data(table: pd.DataFrame, group: str = "partnership", note: str = tables.NO_COUNT):
    """The numbers a bar chart draws, one row per bar (or undrawn row, with its note);
    percentages to one decimal place."""
    table = table.reset_index(drop=True)
    counted, nobody = _known(table)
    low, high = _intervals(table)
    rows = []
    for i, row in table.reset_index(drop=True).iterrows():
        k, n = row["count"], row["denominator"]
        drawn = bool(counted.iloc[i])
        rows.append(
            {
                group: row[group],
                "category": row["category"],
                "count": int(k) if drawn or nobody.iloc[i] else pd.NA,
                "out of": int(n) if drawn or nobody.iloc[i] else pd.NA,
                "percent": round(100 * int(k) / int(n), 1) if drawn else np.nan,
                "lower 95% limit (%)": round(low[i], 1) if drawn else np.nan,
                "upper 95% limit (%)": round(high[i], 1) if drawn else np.nan,
                "note": "" if drawn else _empty_text(table, [i], nobody, group, note),
            }
        )
    frame = pd.DataFrame(rows, columns=[group, *BAR_COLUMNS])
    return frame.astype({"count": "Int64", "out of": "Int64"})


def group_rows(table: pd.DataFrame, group: str = "partnership") -> dict[str, list]:
    """Each group's ``(category, count, n)`` rows that have a count (n may be 0)."""
    known = table["count"].notna() & table["denominator"].notna()
    out: dict[str, list] = {}
    for _, row in table[known].iterrows():
        out.setdefault(str(row[group]), []).append(
            (str(row["category"]), int(row["count"]), int(row["denominator"]))
        )
    return out


def percent_bars(
    table: pd.DataFrame,
    xlabel: str = "% of children",
    group: str = "partnership",
    note: str = tables.NO_COUNT,
):
    """Horizontal bars per category, one colour per group, with intervals and k/n labels.

    Within a category the groups present there sit side by side; a category with a single
    group gets a single full bar. A row whose count is blank shows ``note`` instead of a bar,
    and a row with nobody to count (denominator 0) says so; a table with no rows at all gives
    an empty panel that says there is nothing to draw. Returns the figure (no title: the
    :class:`~.charts.Chart` draws it).
    """
    style.use_style()
    table = table.reset_index(drop=True)
    if table.empty:
        return empty_figure("nothing to draw: no figures in this block")
    lows, highs = _intervals(table)
    counted, nobody = _known(table)
    categories = list(dict.fromkeys(table["category"]))
    slots = max(table.groupby("category", sort=False)[group].nunique())
    height = 0.8 / slots
    fig, ax = plt.subplots(figsize=(style.WIDTH, 0.45 * len(categories) * slots + 2.0))
    drawn: dict[str, str] = {}
    for c, category in enumerate(categories):
        rows = table.index[table["category"] == category]
        if not counted[rows].any():
            _note(ax, c, _empty_text(table, rows, nobody, group, note))
            continue
        for s, i in enumerate(rows):
            y = c + (s - (len(rows) - 1) / 2) * height
            name = str(table.at[i, group])
            if not counted[i]:
                _note(ax, y, _empty_text(table, [i], nobody, group, note))
                continue
            k, n = int(table.at[i, "count"]), int(table.at[i, "denominator"])
            share, low, high = 100 * k / n, lows[i], highs[i]
            colour = GROUP_COLOURS.get(name, style.DARK_GREY)
            ax.barh(
                y, share, height=height * 0.92, color=colour,
                xerr=[[max(share - low, 0)], [max(high - share, 0)]],
                error_kw={"ecolor": style.WHISKER, "elinewidth": 1, "capsize": 3},
            )  # fmt: skip
            drawn.setdefault(name, colour)
            ax.text(high + 1.5, y, f"{k}/{n}", va="center")
    ax.set_yticks(np.arange(len(categories)), [textwrap.fill(c, WRAP) for c in categories])
    ax.grid(axis="y", visible=False)
    ax.set_ylim(len(categories) - 0.5, -0.5)
    ax.set_xlim(0, 118)
    ax.set_xticks(range(0, 101, 20))
    ax.set_xlabel(f"{xlabel}\n({WHISKERS})")
    if drawn:
        handles = [Patch(color=colour, label=name) for name, colour in drawn.items()]
        ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0, 1.0), ncol=len(handles),
                  frameon=False, borderaxespad=0.2, handlelength=1.2)  # fmt: skip
    fig.tight_layout()
    return fig


def _note(ax, y: float, text: str) -> None:
    ax.text(1, y, text, va="center", color=style.MUTED, style="italic")


def _empty_text(table: pd.DataFrame, rows, nobody: pd.Series, group: str, note: str) -> str:
    """What an undrawn row says: nobody to count (naming the groups), or ``note``."""
    if not nobody[list(rows)].all():
        return note
    counts = table.at[rows[0], "counts"] if "counts" in table else "children"
    names = ", ".join(dict.fromkeys(str(table.at[i, group]) for i in rows))
    return f"no {counts if isinstance(counts, str) else 'children'} ({names})"


def empty_figure(message: str, height: float = 2.0):
    """A panel that says, in its middle, why nothing is drawn (the chart's title says so too)."""
    style.use_style()
    fig, ax = plt.subplots(figsize=(style.WIDTH, height))
    ax.text(0.5, 0.5, message, ha="center", va="center", color=style.MUTED, style="italic",
            transform=ax.transAxes, wrap=True)  # fmt: skip
    ax.set_axis_off()
    return fig


# --------------------------------------------------------------------------- words


def _unit_of(table: pd.DataFrame) -> str:
    return str(table["counts"].iloc[0]) if "counts" in table and len(table) else "children"


def bar_subtitle(
    groups: dict[str, list], context: Context, unit: str, population: str | None = None
) -> str:
    """Population, place, period and n of a bar chart of ``groups`` (group -> rows)."""
    sizes = {g: max(n for _, _, n in rows) for g, rows in groups.items() if rows}
    place = _place(sizes, context)
    if population is None:
        reviews = context.reviews_of(sizes) if unit == "children" and sizes else None
        population = capitalise(unit) + (f" in {counted(reviews, 'reviews')}" if reviews else "")
    if all(g in ("reviews", "children") for g in sizes):
        n = listing(counted(v, g) for g, v in sizes.items())
    else:
        n = messages.sizes(sizes)
    return messages.subtitle(population, place, context.period, n, context.provenance)


def _place(groups, context: Context) -> str:
    """The partnerships drawn by name; Tees as a whole (or reviews, children): the data's."""
    groups = list(groups)
    if not groups or any(g in ("Tees", "reviews", "children") for g in groups):
        return context.place
    return listing(place_name(g) for g in groups)


def bar_alt(what: str, table: pd.DataFrame, group: str, note: str = tables.NO_COUNT) -> str:
    """Alt text of a bar chart: what it shows, each group's values, and the undrawn rows."""
    table = table.reset_index(drop=True)
    counted, nobody = _known(table)
    reasons: dict[str, list[str]] = {}
    for i in table.index[~counted]:
        why = _empty_text(table, [i], nobody, group, note)
        reasons.setdefault(why, []).append(str(table.at[i, "category"]))
    notes = [f"Not drawn, {why}: {messages.items(dict.fromkeys(names))}."
             for why, names in reasons.items()]  # fmt: skip
    groups = {g: [r for r in rows if r[2] > 0] for g, rows in group_rows(table, group).items()}
    return messages.bar_alt(what, groups, notes)


def _what(unit: str, noun: str, groups: list[str]) -> str:
    by = ", by partnership" if len(groups) > 1 else (f", {groups[0]}" if groups else "")
    return f"Horizontal bar chart of the percentage of {unit} by {noun}{by}, with 95% intervals."


# --------------------------------------------------------------------------- block charts


def block_figure(
    figures: pd.DataFrame,
    measure: str,
    title: str | None = None,
    *,
    context: Context | None = None,
    name: str | None = None,
) -> Chart:
    """The chart of one report block, partnerships side by side.

    The title names the most common category of each partnership (or, for a block of one
    category such as age under 2, which partnership has the larger share); ``title``
    replaces it. ``name`` defaults to the block's file stem in :data:`BLOCK_NAMES`.
    """
    context = Context() if context is None else context
    table = tables.block_table(figures, measure)
    unit, noun = _unit_of(table), _noun(measure)
    groups = group_rows(table)
    fig = percent_bars(table, xlabel=f"% of {unit}")
    if title is None:
        if not groups:
            title = messages.nothing_to_draw(f"{noun[0]} figures")
        elif table["category"].nunique() == 1:
            category = str(table["category"].iloc[0])
            title = messages.larger_share(category, {g: r[0] for g, r in groups.items()}, unit)
        else:
            title = messages.most_common(groups, noun, unit)
    return finish(
        fig,
        name or BLOCK_NAMES.get(measure, measure),
        title,
        bar_subtitle(groups, context, unit),
        bar_alt(_what(unit, noun[0], list(groups)), table, "partnership")
        if groups
        else f"Empty chart: no {noun[0]} figures to draw.",
        bar_data(table),
    )


def themes_figure(
    figures: pd.DataFrame,
    title: str | None = None,
    *,
    context: Context | None = None,
    name: str = "04_themes",
) -> Chart:
    """Reviews and children with each learning theme; themes without counts are labelled."""
    context = Context() if context is None else context
    table = tables.theme_long(figures)
    n_reviews = table.loc[table["group"] == "reviews", "denominator"].dropna()
    n_children = table.loc[table["group"] == "children", "denominator"].dropna()
    xlabel = "% of reviews or of children"
    if len(n_reviews) and len(n_children):
        xlabel = f"% of the {n_reviews.iloc[0]} reviews or of the {n_children.iloc[0]} children"
    groups = group_rows(table, "group")
    noun = ("learning theme", "learning themes")
    fig = percent_bars(table, xlabel=xlabel, group="group")
    if title is None:
        title = (
            messages.most_common(groups, noun, "")
            if groups
            else messages.nothing_to_draw("learning theme counts")
        )
    what = (
        "Horizontal bar chart of the percentage of reviews and of children with each learning "
        f"theme, {context.place}, with 95% intervals."
    )
    return finish(
        fig,
        name,
        title,
        bar_subtitle(groups, context, "", population="Reviews and children"),
        bar_alt(what, table, "group"),
        bar_data(table, "group").rename(columns={"group": "counted"}),
    )


def figure_list_table(figures: pd.DataFrame, labels: dict) -> pd.DataFrame:
    """One row per chosen figure (``labels``: figure id -> bar label), with its partnership."""
    rows = figures.set_index("figure_id").loc[list(labels)].reset_index()
    return pd.DataFrame(
        {
            "category": [labels[f] for f in rows["figure_id"]],
            "partnership": rows["partnership_counted"].astype(str),
            "count": rows["count"],
            "denominator": rows["denominator"],
            "counts": rows["counts"],
        }
    )


def neglect_figure(
    figures: pd.DataFrame,
    title: str | None = None,
    *,
    context: Context | None = None,
    name: str = "04_neglect",
) -> Chart:
    """The parts of the neglect sub-group, each out of the sub-group's size."""
    context = Context() if context is None else context
    rows = figures.set_index("figure_id").loc[tables.neglect_ids(figures)]
    labels = {fid: row["category"] for fid, row in rows.iterrows() if not row["population"]}
    table = figure_list_table(figures, labels)
    groups = group_rows(table)
    xlabel = "% of the children in the sub-group"
    fig = percent_bars(table, xlabel=xlabel)
    if title is None:
        head = "Most common in the neglect sub-group"
        title = (
            messages.most_common(groups, ("", ""), "children", head=head)
            if groups
            else messages.nothing_to_draw("neglect sub-group figures")
        )
    what = (
        "Horizontal bar chart of the percentage of the children in the neglect sub-group with "
        "each plan or status, with 95% intervals."
    )
    return finish(
        fig,
        name,
        title,
        bar_subtitle(groups, context, "children", population="Children in the neglect sub-group"),
        bar_alt(what, table, "partnership"),
        bar_data(table),
    )


_BABIES_LABELS = {
    "theme_reviews": "reviews with the theme",
    "theme_children": "children counted for the theme",
    "age": "children under 2",
}


def babies_title(table: pd.DataFrame, theme: str = tables.BABIES) -> str:
    """``<theme> was a learning theme in 9 of 24 reviews (11 of 27 children)``, from the rows
    of :func:`babies_figure`; a theme with no review to count says so."""
    known = table[table["count"].notna() & table["denominator"].notna()]
    found = {
        label: (int(r["count"]), int(r["denominator"]))
        for label, r in known.set_index("category").iterrows()
        if label in (_BABIES_LABELS["theme_reviews"], _BABIES_LABELS["theme_children"])
    }
    reviews = found.get(_BABIES_LABELS["theme_reviews"])
    children = found.get(_BABIES_LABELS["theme_children"])
    if reviews is None or reviews[1] == 0:
        return f"{theme}: no reviews to count"
    text = f"{theme} was a learning theme in {of(*reviews, 'reviews')}"
    if children is not None and children[1] > 0:
        text += f" ({of(*children, 'children')})"
    return text


def babies_figure(
    figures: pd.DataFrame,
    title: str | None = None,
    *,
    context: Context | None = None,
    name: str = "04_vulnerable_babies",
) -> Chart:
    """Reviews and children with the theme (Tees), beside each partnership's under-2s."""
    context = Context() if context is None else context
    rows = figures.set_index("figure_id").loc[tables.babies_ids(figures)]
    labels = {fid: _BABIES_LABELS[row["measure"]] for fid, row in rows.iterrows()}
    table = figure_list_table(figures, labels)
    groups = group_rows(table)
    fig = percent_bars(table, xlabel="% of reviews or of children")
    title = babies_title(table) if title is None else title
    sizes = {
        (str(r["partnership"]), str(r["counts"])): int(r["denominator"])
        for _, r in table.dropna(subset=["denominator"]).iterrows()
    }
    n = listing(
        counted(v, unit) + ("" if p == "Tees" else f" ({p})") for (p, unit), v in sizes.items()
    )
    place = _place(groups, context)
    subtitle = messages.subtitle("Reviews and children", place, context.period, n,
                                 context.provenance)  # fmt: skip
    what = (
        "Horizontal bar chart of the percentage of reviews and children with the "
        f"{tables.BABIES.lower()} theme, and of children under 2 by partnership, "
        "with 95% intervals."
    )
    return finish(fig, name, title, subtitle, bar_alt(what, table, "partnership"),
                  bar_data(table))  # fmt: skip


# --------------------------------------------------------------------------- national context

#: Markers of the national source families in :func:`plot_comparison`
#: (as :func:`tees_analysis.analysis.national.family` names them).
FAMILY_STYLE = {
    "notifications": ("s", "serious incident notifications (Ofsted, DfE, Panel)"),
    "panel_nonfatal": ("D", "non-fatal notifications, Panel annual report 2020"),
    "cafcass": ("^", "serious case reviews with Cafcass involvement, 2009-16"),
}


def comparison_title(rows: list[tuple[float, float, list[float]]]) -> str:
    """Where the Tees shares lie against the national figures of the same unit.

    ``rows``: per measure, the Tees share's lowest and highest percent and the national
    percents. Counts the measures whose Tees share is above every national figure, and below.
    """
    above = sum(1 for low, _, nat in rows if nat and low > max(nat))
    below = sum(1 for _, high, nat in rows if nat and high < min(nat))
    m = len(rows)
    if m == 0:
        return messages.nothing_to_draw("comparisons")
    measures = "measure" if m == 1 else "measures"
    parts = []
    if above:
        parts.append(f"above every national figure for {above} of {m} {measures}")
    if below:
        parts.append(f"below every one for {below}" if above else
                     f"below every national figure for {below} of {m} {measures}")  # fmt: skip
    if not parts:
        return f"No Tees share lies wholly above or below the national figures ({m} {measures})"
    return f"The Tees share was {' and '.join(parts)} (definitions differ)"


def plot_comparison(
    national: pd.DataFrame,
    tees: pd.DataFrame,
    *,
    context: Context | None = None,
    name: str = "07_national_context",
) -> Chart:
    """Tees shares beside the national figures of the same unit, per child then per review.

    Tees: a dot for a count that the published figures fix, a thick bar for a range over the
    consistent datasets; the thin line is the 95% Wilson interval (for a range, from the lower
    bound of its smallest count to the upper bound of its largest). National values are
    markers by source family, hollow when approximate.
    """
    context = Context() if context is None else context
    style.use_style()
    keys = [k for k in TEES_KEYS if k in set(national["compare_with"])]
    tees = tees.set_index("key")
    colour = style.PARTNERSHIP_COLOURS["Tees"]
    units = [tees.loc[k, "unit"] for k in keys]
    # a gap, a rule and a heading where the unit changes (per child, then per review)
    starts = [i for i in range(len(keys)) if i == 0 or units[i] != units[i - 1]]
    ys = [i + 0.9 * sum(1 for s in starts if s <= i) for i in range(len(keys))]
    fig, ax = plt.subplots(figsize=(style.WIDTH, 0.8 * (ys[-1] if ys else 0) + 2.0))
    records, summary = [], []
    for y, key in zip(ys, keys, strict=True):
        t = tees.loc[key]
        ax.hlines(y, t["ci_low"], t["ci_high"], color=colour, lw=1.5)
        if t["count_low"] == t["count_high"]:
            ax.scatter(t["percent_low"], y, color=colour, s=50, zorder=3)
        else:
            ax.hlines(y, t["percent_low"], t["percent_high"], color=colour, lw=7)
        rows = national[national["compare_with"] == key]
        records.append(_tees_record(t))
        for _, row in rows.iterrows():
            marker, _ = FAMILY_STYLE[family(row)]
            hollow = row["approximate"] == "yes"
            ax.scatter(row["percent"], y - 0.28, marker=marker, s=45, zorder=3,
                       color=style.NATIONAL_COLOUR,
                       facecolor="white" if hollow else style.NATIONAL_COLOUR)  # fmt: skip
            records.append(_national_record(t, row))
        summary.append((t["percent_low"], t["percent_high"], list(rows["percent"])))
    for i in starts:
        if i:
            ax.axhline(ys[i] - 1.2, color=style.MUTED, lw=0.8, ls="--")
        ax.text(1, ys[i] - 0.75, f"per {PER[units[i]]}", ha="left", va="center",
                style="italic", color=style.MUTED)  # fmt: skip
    ax.set_yticks(ys, [_comparison_label(tees.loc[key], key) for key in keys])
    ax.set_ylim((ys[-1] if ys else 0) + 0.5, (ys[0] if ys else 0) - 1.1)
    ax.set_xlim(0, 100)
    ax.set_xlabel("percent")
    handles = [
        Line2D([], [], color=colour, marker="o", lw=1.5,
               label="Tees: share the figures fix, with its 95% Wilson interval"),
        Line2D([], [], color=colour, lw=7, label="Tees: range over consistent datasets"),
    ] + [
        Line2D([], [], ls="", marker=m, color=style.NATIONAL_COLOUR, label=f"national: {text}")
        for m, text in FAMILY_STYLE.values()
    ] + [Line2D([], [], ls="", marker="o", mfc="white", color=style.NATIONAL_COLOUR,
                label="hollow: approximate ('about', 'nearly')")]  # fmt: skip
    legend_below(fig, handles)
    n = {str(u): int(v) for u, v in tees.loc[keys].groupby("unit")["n"].max().items()}
    sizes = listing(counted(v, u) for u, v in n.items())
    sources = national.loc[national["compare_with"].isin(keys), "source_title"].nunique()
    subtitle = messages.subtitle(
        "Children and reviews", context.place, context.period, sizes,
        f"national figures from {sources} sources, definitions differ",
    )  # fmt: skip
    return finish(fig, name, comparison_title(summary), subtitle,
                  _comparison_alt(keys, tees, national), pd.DataFrame(records))  # fmt: skip


def _span(t) -> str:
    low, high = int(t["count_low"]), int(t["count_high"])
    return f"{low}" if low == high else f"{low}-{high}"


def _comparison_label(t, key: str) -> str:
    text = f"{textwrap.fill(capitalise(str(t['measure'])), 28)}\n({_span(t)} of {t['n']}"
    return text + ("; national: under 1)" if key == "children_under_2" else ")")


def _tees_record(t) -> dict:
    return {
        "measure": t["measure"], "figure": "Tees", "unit": t["unit"],
        "count (lowest)": int(t["count_low"]), "count (highest)": int(t["count_high"]),
        "out of": int(t["n"]), "percent (lowest)": round(float(t["percent_low"]), 1),
        "percent (highest)": round(float(t["percent_high"]), 1),
        "lower 95% limit (%)": round(float(t["ci_low"]), 1),
        "upper 95% limit (%)": round(float(t["ci_high"]), 1), "approximate": "",
    }  # fmt: skip


def _national_record(t, row) -> dict:
    return {
        "measure": t["measure"], "figure": f"national: {row['source_title']}",
        "unit": t["unit"], "count (lowest)": pd.NA, "count (highest)": pd.NA, "out of": pd.NA,
        "percent (lowest)": round(float(row["percent"]), 1),
        "percent (highest)": round(float(row["percent"]), 1),
        "lower 95% limit (%)": np.nan, "upper 95% limit (%)": np.nan,
        "approximate": str(row["approximate"]),
    }  # fmt: skip


def _pct(value: float) -> str:
    return f"{round(float(value))}%"


def _comparison_alt(keys, tees: pd.DataFrame, national: pd.DataFrame) -> str:
    what = "Dot chart of Tees shares beside national figures of the same unit."
    parts = []
    for key in keys:
        t = tees.loc[key]
        low, high = _pct(t["percent_low"]), _pct(t["percent_high"])
        share = low if low == high else f"{low} to {high}"
        nat = ", ".join(_pct(p) for p in national.loc[national["compare_with"] == key, "percent"])
        parts.append(f"{capitalise(str(t['measure']))}: Tees {share}, national {nat}.")
    return messages.shorten(" ".join([what, *parts]))
