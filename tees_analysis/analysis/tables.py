"""Every published figure recomputed from the cleaned case-level tables, in the report's layout.

The report gives its figures partnership by partnership, measure by measure, category by
category ("About our children" for STSCP and for HSSCP, then the learning themes for Tees as a
whole). This module lays the recomputed figures out the same way:

* :func:`recompute` -- every figure of ``data/published/figures.csv`` counted from a
  :class:`~tees_analysis.data.pipeline.Dataset` by
  :func:`tees_analysis.published.measures.compute_figures`,
  with its count, denominator, percent (rounded **half up**, the rule figures are judged by:
  ``floor(100 k / n + 1/2)``, so 12.5% becomes 13%) and 95% Wilson interval. Only the
  figures' *definitions* are read; no published value enters this path.
* :func:`block_table` (long, for charts) and :func:`side_by_side` (STSCP | HSSCP, for reading)
  for one "About our children" block;
* :func:`compare_partnerships` -- the exact conditional test (central p, matched interval;
  :func:`tees_analysis.analysis.stats.compare_two`) wherever both partnerships report the same
  measure and category, with Holm-adjusted p-values, to be shown with
  :func:`tees_analysis.analysis.stats.small_sample_caveat`;
* :func:`theme_table`, :func:`figure_list` -- the ten learning themes and any list of figures
  (the neglect sub-figures, the vulnerable babies figures).

Tables meant for reading are returned as text (``"7/13"``, ``"54%"``, ``"29–77%"``) so that
what a notebook shows does not depend on floating-point display settings. Published values
appear only where a caller passes the audit table (:func:`.audit.audit_table`),
which is the separate comparison step.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from .. import formats
from ..data.schema import THEMES
from ..data.validate import provenance_kinds
from ..paths import DATA
from ..published.measures import compute_figures, round_half_up
from ..published.rules import Rules, load_rules
from . import stats

RECONSTRUCTION = DATA / "reconstruction"
#: The reconstruction's table of readings; its ``chosen`` column names the option it used.
READINGS_FILE = RECONSTRUCTION / "readings.csv"
#: The rounding rule of every percent computed here.
ROUNDING_RULE = "round half up"
PARTNERSHIPS = ("STSCP", "HSSCP")
#: The "About our children" blocks, in the report's order, with plain titles.
CHILDREN_BLOCKS = {
    "outcome": "Outcome for the child",
    "age": "Age under 2",
    "sex": "Sex",
    "living_arrangements": "Living arrangements",
    "csc_status": "Children's social care status",
    "harm_category": "Harm category",
    "risk_factor": "Risk factors in the child's life",
}
#: What a table shows where the report gives no figure.
NOT_PUBLISHED = "–"
#: What a table shows where a share has no denominator (no child, or no review, to count).
NO_CHILDREN = "no children"
NO_REVIEWS = "no reviews"
#: What a table shows in place of a percent or an interval that cannot be computed.
NOT_COMPUTED = "–"
NO_COUNT = "no published count"
#: The theme whose children counts the babies reading decides.
BABIES = "Safeguarding vulnerable babies"


# --------------------------------------------------------------------------- readings


def chosen_readings(path: Path | str = READINGS_FILE, rules: Rules | None = None) -> dict:
    """The option of every ambiguous reading that the reconstruction chose.

    Read from the ``chosen`` column of ``data/reconstruction/readings.csv``; a reading missing
    from the file (or a missing file) takes the rules' default, its first-listed option. An
    option the rules do not know raises ``KeyError`` (the file is stale).
    """
    rules = load_rules() if rules is None else rules
    readings = {}
    if Path(path).is_file():
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        chosen = table[table["chosen"].str.casefold() == "true"]
        readings = dict(zip(chosen["reading"], chosen["option"], strict=True))
    return rules.check_readings(readings)


def readings_table(rules: Rules, readings: dict, ids=None) -> pd.DataFrame:
    """The readings in force: question, chosen option and what it means."""
    readings = rules.check_readings(readings)
    rows = []
    for reading in rules.readings:
        if ids is not None and reading.id not in ids:
            continue
        option = reading.option(readings[reading.id])
        rows.append(
            {
                "reading": reading.id,
                "question": reading.question,
                "option": option.id,
                "meaning": option.meaning,
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- recomputation


def recompute(
    dataset, rules: Rules | None = None, readings: dict | None = None, definitions=None
) -> pd.DataFrame:
    """Every figure counted from ``dataset``, with percent (half up) and 95% Wilson interval.

    One row per figure definition (default: every row of the published-figures file, of
    which only the definition columns are read), in the file's order. Columns of
    :func:`~tees_analysis.published.measures.compute_figures` plus ``counts`` (children or reviews),
    ``population`` (the figure is the size of its population, e.g. the neglect sub-group),
    ``exact_percent``, ``ci_low`` and ``ci_high`` (percent; blank when the denominator is 0).
    ``readings`` default to those the reconstruction chose (:func:`chosen_readings`).
    """
    rules = load_rules() if rules is None else rules
    readings = chosen_readings(rules=rules) if readings is None else readings
    out = compute_figures(dataset, rules, rules.check_readings(readings), definitions)
    out["counts"] = [rules.measures[m].table for m in out["measure"]]
    out["population"] = [
        _is_population(rules, m, c) for m, c in zip(out["measure"], out["category"], strict=True)
    ]
    n = out["denominator"].astype(float)
    out["exact_percent"] = (100 * out["count"].astype(float) / n).where(n > 0)
    out["ci_low"] = np.nan
    out["ci_high"] = np.nan
    ok = out["denominator"] > 0
    if ok.any():
        low, high = stats.proportion_interval(out.loc[ok, "count"], out.loc[ok, "denominator"])
        out.loc[ok, "ci_low"] = 100 * low
        out.loc[ok, "ci_high"] = 100 * high
    return out


def _is_population(rules: Rules, measure: str, category: str) -> bool:
    """Whether the figure is the size of its population (its category names no field)."""
    target = rules.measures[measure].categories.get(category)
    return target is not None and target.field is None


def report_layout(figures: pd.DataFrame) -> pd.DataFrame:
    """Every figure indexed as the report lays it out: partnership x measure x category.

    Partnerships in the order STSCP, HSSCP, Tees; measures and categories in the order of the
    published-figures file. Columns: figure id, what is counted, count, denominator, percent
    (half up) and the 95% Wilson interval.
    """
    order = {p: i for i, p in enumerate((*PARTNERSHIPS, "Tees"))}
    out = figures.assign(
        _p=figures["partnership_counted"].map(order).fillna(len(order)),
        _m=figures.groupby("measure", sort=False).ngroup(),
    ).sort_values(["_p", "_m"], kind="stable")
    columns = ["figure_id", "counts", "count", "denominator", "percent_half_up"]
    columns += ["ci_low", "ci_high"]
    return out.set_index(["partnership_counted", "measure", "category"])[columns].rename_axis(
        ["partnership", "measure", "category"]
    )


def block_table(figures: pd.DataFrame, measure: str) -> pd.DataFrame:
    """One block's figures, long: partnership (as counted), category, count, n, %, interval."""
    rows = figures[figures["measure"] == measure]
    columns = ["figure_id", "partnership_counted", "category", "count", "denominator"]
    columns += ["percent_half_up", "ci_low", "ci_high", "counts"]
    return (
        rows[columns].rename(columns={"partnership_counted": "partnership"}).reset_index(drop=True)
    )


# --------------------------------------------------------------------------- formatting


def fmt_count(count, n) -> str:
    """``"7/13"``; blank for a missing count."""
    if pd.isna(count) or pd.isna(n):
        return ""
    return f"{int(count)}/{int(n)}"


def fmt_percent(value) -> str:
    """A whole percent, ``"54%"``; blank when missing."""
    return "" if pd.isna(value) else f"{int(value)}%"


def fmt_interval(low, high) -> str:
    """A 95% interval in whole percents, ``"29–77%"`` (bounds rounded half up)."""
    if pd.isna(low) or pd.isna(high):
        return ""
    return f"{_half_up(low)}–{_half_up(high)}%"


def _half_up(x: float) -> int:
    return math.floor(round(x, 9) + 0.5)


def fmt_published(value, unit: str) -> str:
    """A published value as printed in the report: ``"54%"`` or ``"3"``."""
    if pd.isna(value):
        return ""
    return f"{int(value)}%" if unit == "percent" else f"{int(value)}"


def fmt_ratio(value: float) -> str:
    """An odds ratio: two decimals, ``"infinite"`` for an infinite one, ``"undefined"`` for
    NaN (:func:`tees_analysis.formats.ratio`)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "undefined"
    return formats.ratio(value)


def fmt_p(value: float) -> str:
    """A p-value with three decimals (``"< 0.001"`` below that; ``"not computed"`` for NaN)."""
    if pd.isna(value):
        return "not computed"
    return formats.p_value(value)


def _audit_columns(audit: pd.DataFrame | None) -> dict:
    if audit is None:
        return {}
    return audit.set_index("figure_id")[["published", "unit", "status"]].to_dict("index")


def _cells(row, audit: dict, with_counted: bool = False) -> dict:
    """The display cells of one recomputed figure (and its audit entry, if any).

    A share whose denominator is 0 (no child, or no review, in its population) is shown as
    :data:`NO_CHILDREN` (or :data:`NO_REVIEWS`) with no percent and no interval.
    """
    if row.get("population", False):
        cells = {"counted": f"{int(row['count'])}", "% (half up)": "", "95% CI": ""}
    elif not pd.isna(row["denominator"]) and int(row["denominator"]) == 0:
        empty = NO_REVIEWS if row.get("counts") == "reviews" else NO_CHILDREN
        cells = {"counted": empty, "% (half up)": NOT_COMPUTED, "95% CI": NOT_COMPUTED}
    else:
        cells = {
            "counted": fmt_count(row["count"], row["denominator"]),
            "% (half up)": fmt_percent(row["percent_half_up"]),
            "95% CI": fmt_interval(row["ci_low"], row["ci_high"]),
        }
    if with_counted:
        cells = {"partnership": row["partnership_counted"], **cells}
    if audit:
        entry = audit.get(row["figure_id"], {})
        cells["published"] = fmt_published(entry.get("published"), entry.get("unit", ""))
        cells["audit"] = entry.get("status", "")
    return cells


# --------------------------------------------------------------------------- reading tables


def side_by_side(
    figures: pd.DataFrame, measure: str, audit: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One block with the partnerships side by side, one row per category.

    For each partnership: ``counted`` (children or reviews counted / denominator),
    ``% (half up)``, ``95% CI`` (Wilson) and, when the ``audit`` table is given, the
    ``published`` value and the audit status. A partnership for which the report gives no
    figure in that category shows :data:`NOT_PUBLISHED`. A partnership with no child (or
    review) in any category of the block -- absent from the data -- is left out, unless every
    partnership of the block is; a share with no denominator shows :data:`NO_CHILDREN`.
    """
    block = figures[figures["measure"] == measure]
    audit_map = _audit_columns(audit)
    categories = list(dict.fromkeys(block["category"]))
    # a partnership with no child (or review) in any category of the block is not in the data
    counted = block.groupby("partnership_counted", sort=False)["denominator"].max()
    listed = list(dict.fromkeys(block["partnership_counted"]))
    present = [p for p in listed if counted[p] > 0] or listed
    groups = [p for p in PARTNERSHIPS if p in present] + [
        p for p in present if p not in PARTNERSHIPS
    ]
    fields = ["counted", "% (half up)", "95% CI"] + (["published", "audit"] if audit_map else [])
    shown = {
        (row["partnership_counted"], row["category"]): _cells(row, audit_map)
        for row in block.to_dict("records")
    }
    data = {
        (group, name): [
            shown[group, c][name] if (group, c) in shown else NOT_PUBLISHED for c in categories
        ]
        for group in groups
        for name in fields
    }
    out = pd.DataFrame(data, index=pd.Index(categories, name="category"))
    out.columns = pd.MultiIndex.from_tuples(out.columns)
    return out


def figure_list(
    figures: pd.DataFrame, figure_ids, audit: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Chosen figures one per row: what is counted, count/n, percent, interval (and audit)."""
    audit_map = _audit_columns(audit)
    rows = figures.set_index("figure_id").loc[list(figure_ids)].reset_index()
    records = []
    for row in rows.to_dict("records"):
        records.append(
            {
                "figure": row["figure_id"],
                "measure": row["measure"].replace("_", " "),
                "category": row["category"],
                **_cells(row, audit_map, with_counted=True),
            }
        )
    return pd.DataFrame(records)


def theme_table(figures: pd.DataFrame, audit: pd.DataFrame | None = None) -> pd.DataFrame:
    """The ten learning themes in the report's order: reviews and children with the theme.

    Columns per group (``reviews``, ``children``): counted / denominator, percent, interval and
    (with ``audit``) the published value and status. Themes for which the report gives no counts
    show :data:`NO_COUNT`.
    """
    audit_map = _audit_columns(audit)
    fields = ["counted", "% (half up)", "95% CI"] + (["published", "audit"] if audit_map else [])
    data = {}
    for group, measure in (("reviews", "theme_reviews"), ("children", "theme_children")):
        rows = figures[figures["measure"] == measure].set_index("category")
        for name in fields:
            column = []
            for _, theme in THEMES:
                if theme not in rows.index:
                    column.append(NO_COUNT if name == "counted" else "")
                    continue
                column.append(_cells(rows.loc[theme].to_dict(), audit_map)[name])
            data[(group, name)] = column
    out = pd.DataFrame(data, index=pd.Index([t for _, t in THEMES], name="theme"))
    out.columns = pd.MultiIndex.from_tuples(out.columns)
    return out


def theme_long(figures: pd.DataFrame) -> pd.DataFrame:
    """The themes, long, for charts: group (reviews/children), theme, count, n, interval.

    Themes without published counts have blank counts.
    """
    records = []
    for _, theme in THEMES:
        for group, measure in (("reviews", "theme_reviews"), ("children", "theme_children")):
            hit = figures[(figures["measure"] == measure) & (figures["category"] == theme)]
            row = hit.iloc[0] if len(hit) else None
            records.append(
                {
                    "group": group,
                    "category": theme,
                    "count": pd.NA if row is None else int(row["count"]),
                    "denominator": pd.NA if row is None else int(row["denominator"]),
                    "ci_low": np.nan if row is None else row["ci_low"],
                    "ci_high": np.nan if row is None else row["ci_high"],
                }
            )
    out = pd.DataFrame(records)
    out[["count", "denominator"]] = out[["count", "denominator"]].astype("Int64")
    return out


def figure_ids(figures: pd.DataFrame, measure: str, category: str | None = None) -> list[str]:
    """Ids of the figures of ``measure`` (and ``category``), in the file's order."""
    hit = figures["measure"] == measure
    if category is not None:
        hit &= figures["category"] == category
    return list(figures.loc[hit, "figure_id"])


def neglect_ids(figures: pd.DataFrame) -> list[str]:
    """The neglect sub-figures: the sub-group's size and its parts."""
    return figure_ids(figures, "neglect_detail")


def babies_ids(figures: pd.DataFrame) -> list[str]:
    """The vulnerable babies figures: reviews and children with the theme, and under-2s."""
    return (
        figure_ids(figures, "theme_reviews", BABIES)
        + figure_ids(figures, "theme_children", BABIES)
        + figure_ids(figures, "age")
    )


# --------------------------------------------------------------------------- comparisons


COMPARISON_COLUMNS = ["measure", "category", "count_STSCP", "n_STSCP", "count_HSSCP", "n_HSSCP",
                      "odds_ratio", "or_low", "or_high", "p_value", "reason"]  # fmt: skip


def compare_partnerships(figures: pd.DataFrame, measures=tuple(CHILDREN_BLOCKS)) -> pd.DataFrame:
    """STSCP against HSSCP by the exact conditional test, wherever both report a measure and
    category.

    One row per (measure, category) with a figure for each partnership (as counted): both
    counts and denominators, the conditional maximum-likelihood odds ratio (STSCP against
    HSSCP) with its central exact 95% interval, the central two-sided p-value of the same exact
    conditional test (so the interval excludes 1 exactly when p < 0.05;
    :func:`tees_analysis.analysis.stats.compare_two`), ``p_holm`` (Holm's adjustment over all
    the rows of this call: one family) and ``reason`` (why a row has no test, e.g. no child of
    either partnership in the category; blank otherwise). Show it with
    :func:`tees_analysis.analysis.stats.small_sample_caveat`.
    """
    rows = figures[figures["measure"].isin(list(measures)) & (figures["denominator"] > 0)]
    records = []
    for (measure, category), group in rows.groupby(["measure", "category"], sort=False):
        by = group.set_index("partnership_counted")
        if not all(p in by.index for p in PARTNERSHIPS):
            continue
        a, b = (by.loc[p] for p in PARTNERSHIPS)
        result = stats.compare_two(
            int(a["count"]), int(a["denominator"]), int(b["count"]), int(b["denominator"])
        )
        records.append(
            {
                "measure": measure,
                "category": category,
                "count_STSCP": result.count_a,
                "n_STSCP": result.n_a,
                "count_HSSCP": result.count_b,
                "n_HSSCP": result.n_b,
                "odds_ratio": result.odds_ratio,
                "or_low": float(result.or_low),
                "or_high": float(result.or_high),
                "p_value": result.p_value,
                "reason": result.reason,
            }
        )
    out = pd.DataFrame(records, columns=COMPARISON_COLUMNS)
    out.insert(out.columns.get_loc("p_value") + 1, "p_holm", stats.holm(out["p_value"]))
    return out


#: The heading of the p-value columns of :func:`format_comparisons`.
P_COLUMN = "p (exact conditional, central)"
P_HOLM_COLUMN = "p (Holm-adjusted)"


def format_comparisons(comparisons: pd.DataFrame) -> pd.DataFrame:
    """:func:`compare_partnerships` as text, for reading (no odds ratio where no test)."""
    records = []
    for row in comparisons.to_dict("records"):
        tested = not pd.isna(row["p_value"])
        records.append(
            {
                "measure": CHILDREN_BLOCKS.get(row["measure"], row["measure"]),
                "category": row["category"],
                "STSCP": _share(row["count_STSCP"], row["n_STSCP"]),
                "HSSCP": _share(row["count_HSSCP"], row["n_HSSCP"]),
                "odds ratio (95% CI)": f"{fmt_ratio(row['odds_ratio'])} "
                f"({fmt_ratio(row['or_low'])} to {fmt_ratio(row['or_high'])})"
                if tested
                else "",
                P_COLUMN: fmt_p(row["p_value"]),
                P_HOLM_COLUMN: fmt_p(row["p_holm"]),
            }
        )
    return pd.DataFrame(records)


def _share(count: int, n: int) -> str:
    return f"{count}/{n} ({round_half_up(count, n)}%)"


# --------------------------------------------------------------------------- per year


def by_year(dataset) -> pd.DataFrame:
    """Reviews and children per year of review and partnership, and for Tees, with provenance.

    One row per year (then ``all years``); columns ``(group, reviews|children)`` for STSCP,
    HSSCP and Tees, and ``provenance`` (of that year's reviews; blank means case records).
    """
    reviews, children = dataset.reviews, dataset.children
    years = sorted(int(y) for y in reviews["year"].dropna().unique())
    data: dict[tuple[str, str], list] = {}
    for group in (*PARTNERSHIPS, "Tees"):
        for name, frame in (("reviews", reviews), ("children", children)):
            part = frame if group == "Tees" else frame[frame["partnership"].astype(object) == group]
            counts = part["year"].value_counts()
            data[(group, name)] = [int(counts.get(y, 0)) for y in years] + [len(part)]
    provenance = provenance_kinds(reviews)
    data[("", "provenance")] = [
        ", ".join(sorted(set(provenance[reviews["year"] == y]))) for y in years
    ] + [", ".join(sorted(set(provenance)))]
    out = pd.DataFrame(data, index=pd.Index([*map(str, years), "all years"], name="year"))
    out.columns = pd.MultiIndex.from_tuples(out.columns)
    return out
