"""Main points: the few findings each notebook opens with, computed from the data in hand.

Each analysis notebook starts with 4-7 plain-English bullets built here from the tables it
computes (counts with their denominators, intervals, and for the toxic trio whether a result is
identified by the published figures or specific to the reconstruction). A rerun on other data
(``tees-analysis reproduce``) gets bullets about those data: no bullet quotes the report.

:func:`show` displays the bullets under a *Main points* heading, as Markdown output with
``{"tees": {"index": k}}`` in its metadata: the site's index page lifts the first ``k`` bullets
of each notebook (:mod:`tees_analysis.report.site`).
"""

from __future__ import annotations

import pandas as pd

from ..analysis import stats
from ..data.schema import THEMES
from ..published.measures import round_half_up
from .prose import Markdown, bullets, children, listing, plural, sizes_by_partnership

HEADING = "## Main points"
#: The measures of notebook 04 (the themes and the figures that go with them).
THEME_MEASURES = {"theme_reviews", "theme_children", "neglect_detail", "babies"}
#: Metadata key the site reads: how many of the first bullets its index lifts.
INDEX_KEY = "tees"


class MainPoints(Markdown):
    """The bullets under their heading; ``index``: how many the site's index lifts."""

    index: int = 0


def main_points(points: list[str], index: int = 0) -> MainPoints:
    out = MainPoints(f"{HEADING}\n\n{bullets(points)}" if points else f"{HEADING}\n\n*none*")
    out.index = min(index, len(points))
    return out


def show(points: list[str], index: int = 0) -> None:
    """Display the main points (Markdown), telling the site how many its index lifts."""
    from IPython.display import display

    shown = main_points(points, index)
    display(shown, metadata={INDEX_KEY: {"index": shown.index}})


# --------------------------------------------------------------------------- helpers


def share(k: int, n: int) -> str:
    """``"7 of 13 (54%)"``: the count, its base and the percentage rounded half up."""
    if n == 0:
        return "none of 0"
    return f"{k} of {n} ({round_half_up(k, n)}%)"


def share_with_interval(k: int, n: int) -> str:
    """``"7 of 13 (54%; 95% interval 29% to 77%)"`` (Wilson interval)."""
    if n == 0:
        return "none of 0"
    low, high = stats.proportion_interval(k, n)
    return (
        f"{k} of {n} ({round_half_up(k, n)}%; 95% interval {100 * low:.0f}% to {100 * high:.0f}%)"
    )


def _rows(figures: pd.DataFrame, measure: str) -> pd.DataFrame:
    rows = figures[(figures["measure"] == measure) & figures["count"].notna()]
    rows = rows[rows["denominator"].notna() & (rows["denominator"] > 0)]
    return rows.astype({"count": int, "denominator": int})


def _partnerships(rows: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(rows["partnership"].astype(str)))


def differs(checked) -> dict[str, str]:
    """``{figure id: " (the report: 36%)"}`` for each published figure not recomputed exactly.

    Main points about the report's data name the published value beside any count the
    reconstruction could not make equal to it, so that no choice of the reconstruction reads as
    a published figure."""
    if checked is None:
        return {}
    out = {}
    for row in checked[checked["status"] != "exact"].itertuples():
        unit = "%" if row.unit == "percent" else ""
        out[str(row.figure_id)] = f" (the report: {row.published}{unit})"
    return out


def most_common(
    figures: pd.DataFrame, measure: str, noun: str, marks: dict[str, str] | None = None
) -> str | None:
    """The commonest category of ``measure`` in each partnership, ties named as ties."""
    marks = marks or {}
    rows = _rows(figures, measure)
    if rows.empty:
        return None
    parts = []
    for p in _partnerships(rows):
        mine = rows[rows["partnership"].astype(str) == p]
        top = int(mine["count"].max())
        if top == 0:
            parts.append(f"{p}: no child in any category")
            continue
        first = mine[mine["count"] == top]
        leaders = list(first["category"].astype(str))
        n = int(mine["denominator"].iloc[0])
        tie = " (a tie)" if len(leaders) > 1 else ""
        mark = "".join(marks.get(str(f), "") for f in first["figure_id"])
        parts.append(f"{p}: {listing(leaders)}{tie}, {share(top, n)}{mark}")
    return f"**Most common {noun}** — " + "; ".join(parts) + "."


def by_partnership(figures: pd.DataFrame, measure: str, category: str) -> dict[str, tuple]:
    """``{partnership: (count, denominator, figure id)}`` of one category."""
    rows = _rows(figures, measure)
    rows = rows[rows["category"].astype(str) == category]
    return {str(r.partnership): (r.count, r.denominator, r.figure_id) for r in rows.itertuples()}


def dataset_point(data, years: str) -> str:
    sizes = sizes_by_partnership(data.children)
    parts = listing(f"{p} {children(n)}" for p, n in sizes.items()) or "no partnership"
    span = f", {years}" if years else ""
    return (
        f"**{plural(len(data.reviews), 'review')} of {children(len(data.children))}**{span}: "
        f"{parts}."
    )


# --------------------------------------------------------------------------- notebook 03


def children_points(figures, data, years: str, comparisons=None, checked=None) -> list[str]:
    """Notebook 03: who the children were, by partnership (``checked``: the audit table, for
    the report's data: published values are named beside counts that differ from them)."""
    if checked is not None:
        checked = checked[checked["measure"].isin(set(figures["measure"]) - THEME_MEASURES)]
    marks = differs(checked)
    points = [dataset_point(data, years)]
    under_2 = by_partnership(figures, "age", "under 2 years")
    if under_2:
        parts = [
            f"{p} {share_with_interval(k, n)}{marks.get(str(f), '')}"
            for p, (k, n, f) in under_2.items()
        ]
        points.append("**Children under 2** — " + "; ".join(parts) + ".")
    outcome = _rows(figures, "outcome")
    if not outcome.empty:
        parts = []
        for p in _partnerships(outcome):
            mine = outcome[outcome["partnership"].astype(str) == p]
            n = int(mine["denominator"].iloc[0])
            cats = listing(
                f"{r.category} {r.count}{marks.get(str(r.figure_id), '')}"
                for r in mine.itertuples()
            )
            parts.append(f"{p} ({children(n)}): {cats}")
        points.append("**Outcome** — " + "; ".join(parts) + ".")
    for measure, noun in (
        ("living_arrangements", "living arrangement"),
        ("csc_status", "involvement with children's social care"),
    ):
        line = most_common(figures, measure, noun, marks)
        if line:
            points.append(line)
    if comparisons is not None:
        points.append(comparison_point(comparisons, sizes_by_partnership(data.children)))
    if checked is not None:
        points.append(audit_point(checked))
    return points


def comparison_point(comparisons, sizes: dict[str, int], alpha: float = 0.05) -> str:
    if comparisons is None or not len(comparisons):
        held = listing(sizes) or "no partnership"
        return (
            "**The partnerships are not compared:** that needs children of both, and these "
            f"data hold {held}."
        )
    tested = comparisons[comparisons["p_value"].notna()]
    low = int((tested["p_value"] < alpha).sum())
    text = (
        f"**Partnerships compared** category by category: {low} of "
        f"{plural(len(tested), 'comparison')} give p < {alpha:g}"
    )
    if "p_holm" in tested:
        text += f", {int((tested['p_holm'] < alpha).sum())} after Holm's adjustment"
    return text + "; with so few children only large differences can show."


def audit_point(checked) -> str:
    exact, n = int((checked["status"] == "exact").sum()), len(checked)
    if exact == n:
        every = "the only published figure" if n == 1 else f"all {n} published figures"
        return f"**Against the report:** {every} of these blocks are recomputed exactly."
    return (
        f"**Against the report:** {exact} of the {n} published figures of these blocks are "
        "recomputed exactly; notebook 05 explains the others."
    )


# --------------------------------------------------------------------------- notebook 04


def themes_points(figures, years: str, checked=None, top: int = 3) -> list[str]:
    """Notebook 04: the themes found most often, per review and per child."""
    points = []
    units = {"theme_reviews": lambda n: plural(n, "review"), "theme_children": children}
    for measure, unit in units.items():
        rows = _rows(figures, measure).sort_values(["count", "category"], ascending=[False, True])
        if rows.empty:
            continue
        n = int(rows["denominator"].iloc[0])
        leaders = listing(
            f"{r.category} {share(r.count, r.denominator)}" for r in rows.head(top).itertuples()
        )
        span = f", {years}" if years else ""
        points.append(f"**Most frequent themes, as shares of {unit(n)}**{span}: {leaders}.")
    themes = figures[figures["measure"].isin(["theme_reviews", "theme_children"])]
    counted = themes.loc[themes["count"].notna(), "category"].nunique()
    if counted < len(THEMES):
        points.append(
            f"**{counted} of the {len(THEMES)} themes are counted**; the report describes the "
            f"other {len(THEMES) - counted} in words only, so no share is given for them."
        )
    detail = _rows(figures, "neglect_detail")
    if not detail.empty:
        lines = listing(f"{r.category} {r.count}" for r in detail.itertuples())
        points.append(f"**Neglect in detail** (children): {lines}.")
    if checked is not None:
        points.append(audit_point(checked[checked["measure"].isin(THEME_MEASURES)]))
    return points


# --------------------------------------------------------------------------- notebook 06


def trio_points(recorded, factors: dict[str, str], label: str) -> list[str]:
    """Notebook 06 on case-level data alone: each factor, the overlap, per partnership.

    ``factors``: column -> words; ``label``: how to name the data ("in the reconstruction",
    "in these data"): every joint count is qualified by it.
    """
    n = len(recorded)
    if n == 0:
        return ["**No child has all three factors recorded**: no combination can be counted."]
    columns = list(factors)
    flags = recorded[columns].astype(bool)
    each = listing(f"{factors[c]} {share(int(flags[c].sum()), n)}" for c in columns)
    points = [f"**Each factor** ({children(n)} with every factor recorded): {each}."]
    k = int(flags.all(axis=1).sum())
    two = int((flags.sum(axis=1) >= 2).sum())
    none = int((~flags).all(axis=1).sum())
    points.append(
        f"**Together, {label}:** {share(k, n)} had all three factors, {share(two, n)} at least "
        f"two, and {share(none, n)} none of them."
    )
    if "partnership" in recorded:
        parts = []
        for p, group in recorded.groupby("partnership", observed=True, sort=False):
            g = group[columns].astype(bool)
            parts.append(f"{p} {share(int(g.all(axis=1).sum()), len(g))}")
        if len(parts) > 1:
            points.append(f"**All three by partnership, {label}:** {'; '.join(parts)}.")
    return points


def trio_main_points(recorded, report: bool) -> list[str]:
    """Notebook 06: for the report's data, what the published figures identify (the
    identified set, :func:`tees_analysis.report.prose.trio_findings`); for other data, the
    counts of those data."""
    from ..analysis import cooccurrence as co

    if not report:
        return trio_points(
            recorded, {c: co.LABELS[c].lower() for c in co.TOXIC_TRIO}, "in these data"
        )
    from ..analysis import identification, ranges
    from .prose import trio_findings

    text = trio_findings(
        ranges.load(), identification.load_bounds(), ranges.weighted_distribution()
    )
    return [line[2:] for line in text.splitlines() if line.startswith("- ")]


# --------------------------------------------------------------------------- notebook 02


def reconstruction_points(result) -> list[str]:
    """Notebook 02: how much of the report one dataset can reproduce, and what stays open."""
    total, held = len(result.figures), len(result.satisfied_ids)
    points = [
        f"**{held} of the {total} published figures hold at once** in the reconstructed "
        "dataset, and no dataset consistent with the report's numbers of reviews and children "
        "holds more (the integer program proves the maximum)."
    ]
    failed = result.satisfied[~result.satisfied["satisfied"].astype(bool)]
    if len(failed):
        points.append(
            f"**The other {len(failed)} contradict figures that hold:** each is part of a "
            "minimal set of figures that cannot all be true "
            f"({plural(len(result.conflicts), 'set')} listed in section 4)."
        )
        forced = failed["holds_total_100"].fillna(False).astype(bool).sum()
        if forced:
            points.append(
                f"**{int(forced)} of them hold if their block's percentages are rounded to total "
                "100%** instead of half up."
            )
    readings = result.readings_table
    asked = readings["reading"].nunique()
    close = readings.groupby("reading")["figures_satisfied"].apply(lambda s: (s == s.max()).sum())
    points.append(
        f"**{plural(asked, 'line')} of the report can be read in more than one way;** each was "
        "read the way that keeps the most figures"
        + (
            f" ({int((close > 1).sum())} with a tie, broken by a stated rule)."
            if (close > 1).any()
            else "."
        )
    )
    tees = result.bounds[(result.bounds["quantity"] == "all_three")]
    tees = tees[~tees["scope"].isin(result.rules.partnerships)]
    if len(tees):
        row = tees.iloc[0]
        n = str(row["margins"]).split(" of ")[-1]
        points.append(
            f"**The toxic trio's overlap is not fixed:** every consistent dataset has between "
            f"{row['min']} and {row['max']} of the {n} children with all three factors; the "
            f"reconstruction's {row['reconstruction']} is a choice inside that range."
        )
    return points


# --------------------------------------------------------------------------- notebook 05


def audit_points(checked, rules=None) -> list[str]:
    """Notebook 05: the status counts, then where the report's bases disagree."""
    from ..analysis import audit

    n = checked["status"].value_counts()
    exact = int(n.get("exact", 0))
    points = [f"**{exact} of the {len(checked)} published figures are reproduced exactly.**"]
    others = [f"{count} *{status}*" for status, count in n.items() if status != "exact"]
    if others:
        points.append(f"**The others:** {listing(others)} (statuses explained in section 2).")
    lead, clauses = audit.base_finding_parts(checked, rules)
    if lead:
        points.append(f"**{lead}.**")
        points += [clause[0].upper() + clause[1:] + "." for clause in clauses]
    return points


# --------------------------------------------------------------------------- notebook 07


def national_points(comparison, reference, most: int = 6) -> list[str]:
    """Notebook 07: Tees measures (those fixed by the published figures first, at most
    ``most``) beside the national shares of their kind."""
    percent = reference.set_index("id")["percent"]
    points = []
    order = sorted(
        comparison.groupby("Tees measure", sort=False),
        key=lambda item: item[1]["how the Tees value is known"].iloc[0] != "published figures",
    )
    for measure, part in order:
        first = part.iloc[0]
        shares = sorted(float(percent[i]) for i in part["id"] if pd.notna(percent.get(i)))
        if not shares:
            continue
        span = f"{shares[0]:.1f}%" + (f" to {shares[-1]:.1f}%" if len(shares) > 1 else "")
        known = (
            "fixed by the published figures"
            if first["how the Tees value is known"] == "published figures"
            else "a range over the datasets consistent with the report"
        )
        what = str(first["national figure"])
        sources = plural(len(shares), "national figure")
        points.append(
            f"**{measure[0].upper() + measure[1:]}:** Tees {first['Tees']}, {known}; "
            f"nationally {span} ({sources}: {what})."
        )
        if len(points) == most:
            break
    points.append(
        "**Set side by side, not tested:** the national figures count notifications or other "
        "reviews, a different population from the Tees reviews."
    )
    return points
