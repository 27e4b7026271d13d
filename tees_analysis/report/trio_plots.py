"""Charts of the co-occurrence of the toxic-trio factors (notebook 06).

:func:`plot_bounds` (the exact and the Frechet ranges of each count, with the reconstruction's
value), :func:`plot_upset` (every combination; ``upsetplot``'s warnings silenced),
:func:`plot_venn`, :func:`plot_pairwise` (counts, Jaccard, conditional proportions) and
:func:`plot_ranges` (odds ratios over the identified set). Each returns a
:class:`~tees_analysis.report.charts.Chart`.

Titles keep apart what the published figures fix and what only these data hold: a single
factor's count (a margin) is stated plainly, and any joint count (children with two or all
three factors) carries the context's ``data_label`` -- ``"in the reconstruction"`` for the
report's data, whose joint counts the published figures do not identify.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Patch
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
from . import messages, style
from .charts import Chart, Context, finish, legend_below
from .messages import capitalise, counted, listing, of
from .plots import empty_figure
from .style import FACTOR_COLOURS, FACTOR_LINESTYLES, PARTNERSHIP_COLOURS

# --------------------------------------------------------------------------- words

#: The title of a trio chart with no child to place in a combination.
NOBODY = "Nothing to draw: no child has every factor recorded"


def factor_words(factor: str) -> str:
    """``domestic abuse`` (a factor in the middle of a sentence)."""
    text = label(factor)
    return text[:1].lower() + text[1:]


def combination_words(cell, factors) -> str:
    """``all three factors``, ``none of the three``, ``domestic abuse only``, ``domestic abuse
    and substance misuse only``."""
    present = [factor_words(f) for f, v in zip(factors, cell, strict=True) if v]
    if not present:
        return "none of the three" if len(factors) == 3 else "none of the factors"
    if len(present) == len(factors):
        return f"all {len(factors)} factors" if len(factors) != 3 else "all three factors"
    return f"{listing(present)} only"


def _lead(data_label: str) -> str:
    """``In the reconstruction, `` (a sentence's opening, from the data label)."""
    return f"{capitalise(data_label)}, " if data_label else ""


def upset_title(table: pd.Series, data_label: str) -> str:
    """The most common combination (a joint count, so qualified by ``data_label``)."""
    n = int(table.sum())
    if n == 0:
        return NOBODY
    factors = _factors(table)
    counts = dict(zip(_cells(table), (int(v) for v in table.to_numpy()), strict=True))
    best = max(counts.values())
    cells = [c for c, k in counts.items() if k == best]
    words = messages.items(combination_words(c, factors) for c in cells)
    amount = of(best, n, "children")
    if len(cells) == 1:
        return f"{_lead(data_label)}the most common combination was {words} ({amount})"
    return f"{_lead(data_label)}the most common combinations were {words} ({amount} each)"


def venn_title(table: pd.Series, data_label: str) -> str:
    """The most common factor (a margin, plainly), then all three (joint: ``data_label``)."""
    n = int(table.sum())
    if n == 0:
        return NOBODY
    factors = _factors(table)
    totals = margins(table)
    best = int(totals.max())
    if best == 0:
        return f"None of the {counted(n, 'children')} had any of the {len(factors)} factors"
    top = [factor_words(f) for f in factors if totals[f] == best]
    if len(top) == 1:
        first = f"{capitalise(top[0])} was the most common factor ({of(best, n, 'children')})"
    else:
        first = f"{capitalise(listing(top))} were equally common ({of(best, n, 'children')} each)"
    everything = tuple(True for _ in factors)
    both = int(dict(zip(_cells(table), table.to_numpy(), strict=True)).get(everything, 0))
    who = "none" if both == 0 else str(both)
    return f"{first}; {who} had all {_count_word(len(factors))} {data_label}".rstrip()


def _join_words(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def _count_word(k: int) -> str:
    return {2: "two", 3: "three"}.get(k, str(k))


def pairs_title(table: pd.Series, data_label: str) -> str:
    """The pair of factors found together most often (joint: qualified by ``data_label``)."""
    n = int(table.sum())
    factors = _factors(table)
    if n == 0 or len(factors) < 2:
        return NOBODY
    counts = pairwise_matrices(table)["counts"].to_numpy()
    pairs = {
        (i, j): int(counts[i, j]) for i in range(len(factors)) for j in range(i + 1, len(factors))
    }
    best = max(pairs.values())
    if best == 0:
        return f"No child had two of the factors together {data_label}".rstrip()
    top = [p for p, k in pairs.items() if k == best]
    names = [f"{factor_words(factors[i])} and {factor_words(factors[j])}" for i, j in top]
    if len(top) == 1:
        return (
            f"{capitalise(names[0])} occurred together most often {data_label} "
            f"({of(best, n, 'children')})"
        )
    return _join_words(
        f"{capitalise(_count_word(len(top)))} pairs occurred together equally often",
        data_label, f"({of(best, n, 'children')} each): {'; '.join(names)}",
    )  # fmt: skip


def bounds_title(bounds: pd.DataFrame) -> str:
    """How many children could have all three factors, given every published figure (for
    Tees as a whole when the table has it): a range the published figures identify."""
    rows = bounds[bounds["quantity"] == "all_three"]
    if rows.empty:
        return messages.nothing_to_draw("bounds")
    tees = rows[~rows["scope"].isin(("STSCP", "HSSCP"))]
    row = (tees if len(tees) else rows).iloc[-1]
    low, high, n = int(row["min"]), int(row["max"]), int(row["n"])
    span = f"exactly {low}" if low == high else f"anywhere from {low} to {high}"
    return (
        f"{row['scope']}: {span} of the {counted(n, 'children')} could have had all three "
        "factors, given every published figure"
    )


def ranges_title(frame: pd.DataFrame) -> str:
    """How many odds ratios could lie on either side of 1 over the identified set."""
    rows = _odds_rows(frame)
    m = len(rows)
    if m == 0:
        return messages.nothing_to_draw("odds ratios")
    both = int(((rows["minimum"] < 1) & (rows["maximum"] > 1)).sum())
    where = "in the datasets consistent with the report"
    if both == 0:
        return f"Every odds ratio stays on one side of 1 {where}"
    share = f"All {m}" if both == m else f"{both} of {m}"
    ratios = "odds ratio" if m == 1 else "odds ratios"
    return f"{share} {ratios} could be below 1 or above 1 {where}: association not identified"


def _trio_subtitle(table: pd.Series, context: Context) -> str:
    n = int(table.sum())
    return messages.subtitle(
        "Children with each factor recorded", context.place, context.period, str(n),
        context.provenance,
    )  # fmt: skip


# --------------------------------------------------------------------------- data


def combination_data(table: pd.Series) -> pd.DataFrame:
    """Children in every combination, then with each factor: the numbers of the UpSet and
    Venn charts."""
    factors, n = _factors(table), int(table.sum())
    names = [label(f) for f in factors]
    rows = []
    for cell, count in zip(_cells(table), table.to_numpy(), strict=True):
        rows.append({"what": combination_words(cell, factors),
                     **{name: "yes" if v else "no" for name, v in zip(names, cell, strict=True)},
                     "children": int(count), "out of": n})  # fmt: skip
    for f, name in zip(factors, names, strict=True):
        rows.append({"what": f"with {factor_words(f)} (any combination)",
                     **{other: "yes" if other == name else "" for other in names},
                     "children": int(margins(table)[f]), "out of": n})  # fmt: skip
    return pd.DataFrame(rows)


def _combination_alt(kind: str, table: pd.Series, data_label: str) -> str:
    factors, n = _factors(table), int(table.sum())
    counts = sorted(zip(_cells(table), table.to_numpy(), strict=True), key=lambda c: -sum(c[0]))
    parts = [f"{combination_words(c, factors)}: {int(k)}" for c, k in counts]
    totals = "; ".join(f"{factor_words(f)}: {int(margins(table)[f])}" for f in factors)
    return messages.shorten(
        f"{kind} of how many of the {counted(n, 'children')} had each combination of "
        f"{listing(factor_words(f) for f in factors)}. With each factor: {totals}. In each "
        f"combination ({data_label}): {'; '.join(parts)}."
    )


# --------------------------------------------------------------------------- bounds


def plot_bounds(
    bounds: pd.DataFrame,
    colours: dict[str, str] | None = None,
    *,
    context: Context | None = None,
    name: str = "06_trio_bounds",
) -> Chart:
    """One panel per scope: Frechet range (wide, grey), exact range (narrow, in the scope's
    colour), the reconstruction's value (a dot)."""
    context = Context() if context is None else context
    style.use_style()
    colours = PARTNERSHIP_COLOURS if colours is None else colours
    scopes = list(dict.fromkeys(bounds["scope"]))
    quantities = list(QUANTITIES)
    fig, axes = plt.subplots(len(scopes), 1, figsize=(style.WIDTH, 2.6 * len(scopes) + 0.4))
    axes = np.atleast_1d(axes)
    records, parts = [], []
    for ax, scope in zip(axes, scopes, strict=True):
        part = bounds[bounds["scope"] == scope].set_index("quantity").loc[quantities]
        n = int(part["n"].iloc[0])
        colour = colours.get(scope, style.DARK_GREY)
        y = np.arange(len(quantities))
        ax.barh(y, part["frechet_max"] - part["frechet_min"], left=part["frechet_min"],
                height=0.7, color=style.RANGE_GREY)  # fmt: skip
        ax.barh(y, part["max"] - part["min"], left=part["min"], height=0.34, color=colour)
        # A range of one value has zero width: mark its ends so it stays visible.
        for end in ("min", "max"):
            ax.scatter(part[end], y, marker="|", s=160, color=colour, linewidths=2)
        ax.scatter(part["reconstruction"], y, s=45, facecolor="white", edgecolor=style.INK,
                   zorder=3, linewidths=1.3)  # fmt: skip
        ax.set_xlim(-0.5, n + 0.5)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(f"{scope} ({counted(n, 'children')})")
        ax.set_yticks(y, [QUANTITY_SHORT[q] for q in quantities])
        ax.invert_yaxis()
        ax.grid(axis="y", visible=False)
        for q, row in part.iterrows():
            records.append(_bounds_record(scope, n, q, row))
        spans = ", ".join(f"{QUANTITY_SHORT[q]} {_range(r['min'], r['max'])}"
                          for q, r in part.iterrows())  # fmt: skip
        parts.append(f"{scope}, of {n}: {spans}.")
    axes[-1].set_xlabel("children")
    swatches = tuple(Patch(color=colours.get(s, style.DARK_GREY)) for s in scopes)
    handles = [
        Patch(color=style.RANGE_GREY, label="possible from the three totals alone (Fréchet)"),
        Line2D([], [], label=f"possible given every published figure ({listing(scopes)})"),
        Line2D([], [], ls="", marker="o", mfc="white", mec=style.INK,
               label="the reconstruction's value (a choice)"),
    ]  # fmt: skip
    note = "DA = domestic abuse, PMH = parental mental ill-health, SM = substance misuse"
    legend_below(fig, handles, note=note, handler_map={handles[1]: _Swatches(swatches)})
    alt = messages.shorten(
        f"Range charts for {listing(scopes)} of how many children could have each combination "
        "of the three factors, from the three totals alone and given every published figure. "
        "Given every published figure: " + " ".join(parts)
    )
    sizes = listing(f"{int(bounds.loc[bounds['scope'] == s, 'n'].iloc[0])} ({s})" for s in scopes)
    subtitle = messages.subtitle("Children", context.place, context.period, sizes,
                                 context.provenance)  # fmt: skip
    return finish(fig, name, bounds_title(bounds), subtitle, alt, pd.DataFrame(records))


class _Swatches(HandlerTuple):
    """A legend entry drawn as a row of colour swatches (one per partnership)."""

    def __init__(self, patches):
        super().__init__(ndivide=None, pad=0.3)
        self._patches = patches

    def create_artists(self, legend, orig_handle, *args):
        return super().create_artists(legend, self._patches, *args)


def _range(low, high) -> str:
    low, high = int(low), int(high)
    return f"{low}" if low == high else f"{low}–{high}"


def _bounds_record(scope: str, n: int, quantity: str, row) -> dict:
    return {
        "scope": scope, "children": n, "quantity": QUANTITY_SHORT[quantity],
        "lowest from the three totals": int(row["frechet_min"]),
        "highest from the three totals": int(row["frechet_max"]),
        "lowest given every published figure": int(row["min"]),
        "highest given every published figure": int(row["max"]),
        "the reconstruction's value": int(row["reconstruction"]),
    }  # fmt: skip


# --------------------------------------------------------------------------- combinations


def plot_upset(
    table: pd.Series,
    title: str | None = None,
    *,
    context: Context | None = None,
    name: str = "06_trio_upset",
) -> Chart:
    """UpSet plot of every combination (``upsetplot``), its deprecation warnings silenced."""
    import upsetplot

    context = Context() if context is None else context
    style.use_style()
    factors, n = _factors(table), int(table.sum())
    totals = margins(table)
    heading = title or upset_title(table, context.data_label)
    subtitle = _trio_subtitle(table, context)
    data = combination_data(table)
    if n == 0 or not totals.any():
        why = (
            "no child has every factor recorded"
            if n == 0
            else f"none of the {counted(n, 'children')} has a factor"
        )
        if n and title is None:
            heading = f"None of the {counted(n, 'children')} had any of the three factors"
        fig = empty_figure(f"nothing to draw: {why}")
        return finish(fig, name, heading, subtitle, f"Empty chart: {why}.", data)
    named = table.copy()
    # Leading spaces keep the labels clear of the totals bars (upsetplot measures them tight).
    named.index = named.index.set_names([f"  {label(f)} ({of(totals[f], n)})" for f in factors])
    fig = plt.figure(figsize=(style.WIDTH, 5.2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pd.errors.Pandas4Warning)
        warnings.filterwarnings("ignore", category=FutureWarning, module="upsetplot")
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="upsetplot")
        plot = upsetplot.UpSet(
            named, show_counts=True, sort_by="cardinality", facecolor=style.DARK_GREY,
            element_size=None, intersection_plot_elements=6, totals_plot_elements=2,
        )  # fmt: skip
        axes = plot.plot(fig=fig)
    axes["intersections"].set_ylabel(f"children\n(of {n})")
    axes["totals"].set_title("with the factor", fontsize=style.BASE_FONT, fontweight="normal")
    legend_below(fig, note="A column with no dots: children with none of the three.",
                 tight=False)  # fmt: skip
    fig.subplots_adjust(left=0.07, right=0.98)
    return finish(
        fig,
        name,
        heading,
        subtitle,
        _combination_alt("UpSet chart", table, context.data_label),
        data,
    )


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


def plot_venn(
    table: pd.Series,
    title: str | None = None,
    *,
    context: Context | None = None,
    name: str = "06_trio_venn",
) -> Chart:
    """A three-set Venn diagram (circles, not to scale) with the count of every region."""
    context = Context() if context is None else context
    style.use_style()
    factors = _factors(table)
    if len(factors) != 3:
        raise ValueError("a Venn diagram of three sets needs exactly three factors")
    n = int(table.sum())
    totals = margins(table)
    counts = dict(zip(_cells(table), table.to_numpy(), strict=True))
    fig, ax = plt.subplots(figsize=(style.WIDTH, 5.6))
    for (x, y), colour, ls in zip(_VENN_CENTRES, FACTOR_COLOURS, FACTOR_LINESTYLES, strict=True):
        ax.add_patch(Circle((x, y), 1.0, facecolor="none", edgecolor=colour, lw=3, ls=ls))
    for cell, (x, y) in _VENN_TEXT.items():
        ax.text(x, y, str(int(counts[cell])), ha="center", va="center", fontsize=16,
                fontweight="bold")  # fmt: skip
    places = ((-1.25, 1.55, "center"), (1.25, 1.55, "center"), (0.0, -1.8, "center"))
    for f, (x, y, ha) in zip(factors, places, strict=True):
        ax.text(x, y, f"{label(f)}\n{of(totals[f], n)}", ha=ha, va="center",
                fontweight="bold")  # fmt: skip
    ax.text(2.3, -1.6, f"none of the three:\n{int(counts[(False, False, False)])}",
            ha="right", va="center")  # fmt: skip
    ax.set_xlim(-2.3, 2.3)
    ax.set_ylim(-2.1, 1.85)
    ax.set_aspect("equal")
    ax.axis("off")
    handles = [
        Line2D([], [], color=c, lw=3, ls=ls, label=label(f))
        for f, c, ls in zip(factors, FACTOR_COLOURS, FACTOR_LINESTYLES, strict=True)
    ]
    legend_below(fig, handles, note="Circles and regions are not drawn to scale.", ncol=3)
    return finish(
        fig,
        name,
        title or venn_title(table, context.data_label),
        _trio_subtitle(table, context),
        _combination_alt("Venn diagram (not to scale)", table, context.data_label),
        combination_data(table),
    )


def plot_pairwise(
    table: pd.Series,
    title: str | None = None,
    *,
    context: Context | None = None,
    name: str = "06_trio_pairs",
) -> Chart:
    """Heatmaps of the pairwise matrices: counts, Jaccard and P(column | row)."""
    context = Context() if context is None else context
    style.use_style()
    n = int(table.sum())
    mats = pairwise_matrices(table)
    fig, axes = plt.subplots(1, 3, figsize=(style.WIDTH, 3.4))
    specs = (
        ("counts", f"children with\nboth (of {n});\ndiagonal: with\nthe factor", "d", None),
        ("jaccard", "Jaccard index:\nboth / either", ".2f", (0, 1)),
        ("conditional", "share with the\ncolumn factor,\nof those with\nthe row factor",
         ".0%", (0, 1)),
    )  # fmt: skip
    for ax, (key, heading, fmt, limits) in zip(axes, specs, strict=True):
        vmin, vmax = limits if limits else (0, max(n, 1))
        sns.heatmap(mats[key], annot=True, fmt=fmt, cmap="Blues", vmin=vmin, vmax=vmax,
                    cbar=False, square=True, ax=ax, linewidths=0.5,
                    annot_kws={"fontsize": style.BASE_FONT})  # fmt: skip
        ax.set_title(heading, fontsize=style.BASE_FONT)
        ax.set_xlabel("")
        ax.set_ylabel("")
        ax.tick_params(axis="y", rotation=0)
    factors = _factors(table)
    key = ", ".join(f"{short(f)} = {factor_words(f)}" for f in factors)
    legend_below(fig, note=f"{key}. A blank cell: no child with the row factor.")
    return finish(
        fig,
        name,
        title or pairs_title(table, context.data_label),
        _trio_subtitle(table, context),
        _pairs_alt(table, mats),
        _pairs_data(table, mats),
    )


def _pairs_data(table: pd.Series, mats: dict) -> pd.DataFrame:
    n = int(table.sum())
    rows = []
    for a in mats["counts"].index:
        for b in mats["counts"].columns:
            share = mats["conditional"].at[a, b]
            rows.append({
                "row factor": a, "column factor": b, "children with both": int(
                    mats["counts"].at[a, b]), "out of": n,
                "Jaccard index": round(float(mats["jaccard"].at[a, b]), 3),
                "share with the column factor, of those with the row factor (%)":
                    round(100 * float(share), 1),
            })  # fmt: skip
    return pd.DataFrame(rows)


def _pairs_alt(table: pd.Series, mats: dict) -> str:
    n = int(table.sum())
    names = list(mats["counts"].index)
    pairs = [(a, b) for i, a in enumerate(names) for b in names[i + 1 :]]
    both = ", ".join(f"{a} and {b} {int(mats['counts'].at[a, b])}" for a, b in pairs)
    each = ", ".join(f"{a} {int(mats['counts'].at[a, a])}" for a in names)
    jac = ", ".join(
        f"{a} and {b} {mats['jaccard'].at[a, b]:.2f}"
        for a, b in pairs
        if not np.isnan(mats["jaccard"].at[a, b])
    )
    key = ", ".join(f"{short(f)} {factor_words(f)}" for f in _factors(table))
    text = (
        f"Three heatmaps of the pairs of factors among {counted(n, 'children')} ({key}). "
        f"Children with both: {both}; with each factor: {each}."
    )
    if jac:
        text += f" Jaccard index: {jac}."
    return messages.shorten(text + " The third map gives the share with one factor among "
                            "those with another.")  # fmt: skip


# --------------------------------------------------------------------------- odds ratios


def _odds_rows(frame: pd.DataFrame) -> pd.DataFrame:
    starts = ("odds ratio", "Mantel-Haenszel odds ratio")
    return frame[frame["statistic"].str.startswith(starts)]


def _ratio_text(value: float) -> str:
    if np.isinf(value):
        return "infinity"
    return f"{value:.2g}" if value < 10 else f"{value:.0f}"


def plot_ranges(
    frame: pd.DataFrame,
    title: str | None = None,
    *,
    context: Context | None = None,
    name: str = "06_trio_ranges",
) -> Chart:
    """Each pair's odds ratio over the identified set (log scale): the identified range (thin),
    the central 90% under the stated weighting (thick), and the reconstruction's value (dot).

    ``frame``: the identified set's statistics (:func:`tees_analysis.analysis.ranges.load`).
    Infinite and zero values are drawn at the axis ends, with an arrow. The pooled and the
    common (Mantel-Haenszel) odds ratios are drawn in the colour of Tees.
    """
    context = Context() if context is None else context
    style.use_style()
    low_lim, high_lim = 0.01, 1000.0
    rows = _odds_rows(frame)
    labels, records, groups = [], [], {}
    fig, ax = plt.subplots(figsize=(style.WIDTH, 0.5 * len(rows) + 1.8))
    for y, r in enumerate(rows.itertuples(index=False)):
        pair = r.statistic.replace("Mantel-Haenszel odds ratio ", "").replace("odds ratio ", "")
        common = r.statistic.startswith("Mantel")
        scope = "common (Mantel–Haenszel)" if common else r.scope
        labels.append(f"{pair},\n{scope}" if common else f"{pair}, {scope}")
        colour = PARTNERSHIP_COLOURS.get("Tees" if common else r.scope, style.DARK_GREY)
        lo, hi = (float(np.clip(v, low_lim, high_lim)) for v in (r.minimum, r.maximum))
        ax.hlines(y, lo, hi, color=colour, lw=1.5)
        if not np.isnan(r.p05):
            p05, p95 = (float(np.clip(v, low_lim, high_lim)) for v in (r.p05, r.p95))
            ax.hlines(y, p05, p95, color=colour, lw=6)
        for value, end in ((r.minimum, "<"), (r.maximum, ">")):
            if value <= low_lim or value >= high_lim:
                ax.plot(low_lim if end == "<" else high_lim, y, marker=end, color=colour, ms=7)
        if not np.isnan(r.reconstruction):
            ax.scatter(float(np.clip(r.reconstruction, low_lim, high_lim)), y, s=40,
                       facecolor="white", edgecolor=style.INK, zorder=3)  # fmt: skip
        records.append(_ranges_record(pair, scope, r))
        span = f"{_ratio_text(r.minimum)} to {_ratio_text(r.maximum)}"
        groups.setdefault(span, []).append(f"{pair} ({scope})")
    ax.axvline(1, color=style.MUTED, lw=1, ls="--")
    ax.set_xscale("log")
    ax.set_xlim(low_lim * 0.7, high_lim * 1.4)
    ax.set_yticks(range(len(labels)), labels)
    ax.invert_yaxis()
    ticks = [t for t in (0.01, 0.1, 1, 10, 100, 1000) if low_lim <= t <= high_lim]
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.minorticks_off()
    ax.set_xlabel("odds ratio, log scale\n(0 and infinity drawn at the ends)")
    scopes = [s for s in ("STSCP", "HSSCP", "Tees") if s in set(rows["scope"]) or s == "Tees"]
    handles = [
        Patch(color=PARTNERSHIP_COLOURS[s],
              label=s if s != "Tees" else "Tees (pooled, and common to the partnerships)")
        for s in scopes
    ] + [
        Line2D([], [], color=style.INK, lw=1.5, label="identified range"),
        Line2D([], [], color=style.INK, lw=6,
               label="central 90% if every consistent dataset were equally likely"),
        Line2D([], [], ls="", marker="o", mfc="white", mec=style.INK,
               label="the reconstruction's value (a choice)"),
    ]  # fmt: skip
    legend_below(fig, handles)
    parts = "; ".join(
        f"{span} for {listing(names) if len(names) <= 3 else f'{len(names)} of the {len(rows)}'}"
        for span, names in groups.items()
    )
    alt = messages.shorten(
        f"Range chart of {len(rows)} odds ratios on a log scale, over every dataset consistent "
        f"with the report, each with its central 90% and the reconstruction's value. Identified "
        f"range: {parts}."
    )
    subtitle = messages.subtitle(
        "Children with each factor recorded", context.place, context.period, "",
        "every dataset consistent with the published figures",
    )  # fmt: skip
    return finish(fig, name, title or ranges_title(frame), subtitle, alt, pd.DataFrame(records))


def _ranges_record(pair: str, scope: str, r) -> dict:
    def rounded(v):
        return round(float(v), 3) if np.isfinite(v) else float(v)

    return {
        "pair": pair, "scope": scope, "lowest": rounded(r.minimum), "highest": rounded(r.maximum),
        "5th percentile (equal weights)": rounded(r.p05),
        "95th percentile (equal weights)": rounded(r.p95),
        "the reconstruction's value": rounded(r.reconstruction),
    }  # fmt: skip


def save_figure(fig, name: str, caption: str, folder: Path | None = None) -> list[Path]:
    """:func:`.style.save`, without matplotlib's tight-layout compatibility note.

    UpSet plots are laid out on their own grid, which matplotlib's tight layout reports as
    incompatible (a cosmetic note, not an error); only that message is silenced. Kept for the
    notebooks written before :func:`tees_analysis.report.charts.save`.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=".*not compatible with tight_layout.*", category=UserWarning
        )
        return style.save(fig, name, caption, folder)
