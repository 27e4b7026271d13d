"""Recompute every published figure from a cleaned case-level :class:`~.pipeline.Dataset`.

:func:`compute_figures` counts each figure as the counting rules
(:mod:`.rules`) say, under given readings of the ambiguous items, and turns the
count into a percent with the rounding rules below. It uses only the *definitions* of the
figures (id, partnership, measure, category, unit) -- never a published value.
:func:`compare_figures` is the separate step that sets the published values beside the
computed ones.

Rounding rules (exact integer arithmetic, no floating point):

* :func:`round_half_up` -- the primary rule: ``floor(100 k / n + 1/2)``;
* :func:`largest_remainder` -- Hamilton's method for a block of counts summing to ``n``;
* :func:`total_100_matches` -- whether printed percents are *some* floor/ceiling rounding of
  the exact percents that sums to 100 ("forced to total 100").
"""

from __future__ import annotations

from fractions import Fraction

import pandas as pd

from ..data.schema import THEMES, theme_field
from .figures import load_published
from .rules import Rules, figure_partnership

#: Columns of the figure definitions that the computation may read.
DEFINITION_COLUMNS = ["figure_id", "partnership", "measure", "category", "unit"]

# --------------------------------------------------------------------------- rounding


def round_half_up(k: int, n: int) -> int:
    """``100 k / n`` rounded to a whole percent, halves rounded up (``1/8`` -> 13)."""
    if n <= 0:
        raise ValueError("a percent needs a positive denominator")
    return (200 * k + n) // (2 * n)


def half_up_counts(percent: int, n: int) -> list[int]:
    """Every ``k`` in ``0..n`` with ``round_half_up(k, n) == percent``."""
    low = -((-(2 * percent - 1) * n) // 200)  # ceil((P - 1/2) n / 100)
    high = ((2 * percent + 1) * n - 1) // 200  # largest k with 100 k < (P + 1/2) n
    return list(range(max(low, 0), min(high, n) + 1))


def _quotas(counts, total: int) -> list[Fraction]:
    n = sum(counts)
    if n <= 0:
        raise ValueError("a block needs a positive total count")
    return [Fraction(total * k, n) for k in counts]


def largest_remainder(counts, total: int = 100) -> tuple[int, ...]:
    """Hamilton's method: floors, then one point each to the largest remainders.

    Ties between equal remainders go to the earlier category. ``counts`` must sum to the
    block's denominator (a partition block).
    """
    quotas = _quotas(counts, total)
    floors = [q.numerator // q.denominator for q in quotas]
    order = sorted(range(len(quotas)), key=lambda i: (-(quotas[i] - floors[i]), i))
    for i in order[: total - sum(floors)]:
        floors[i] += 1
    return tuple(floors)


def largest_remainder_matches(counts, printed, total: int = 100) -> bool:
    """Whether ``printed`` is a largest-remainder rounding of ``counts`` (any tie-break)."""
    quotas = _quotas(counts, total)
    floors = [q.numerator // q.denominator for q in quotas]
    raised = [p - f for p, f in zip(printed, floors, strict=True)]
    if any(r not in (0, 1) for r in raised) or sum(raised) != total - sum(floors):
        return False
    remainders = [q - f for q, f in zip(quotas, floors, strict=True)]
    up = [rem for rem, r in zip(remainders, raised, strict=True) if r]
    down = [rem for rem, r in zip(remainders, raised, strict=True) if not r]
    return not up or not down or min(up) >= max(down)


def total_100_matches(counts, printed, total: int = 100) -> bool:
    """Whether each printed percent is the floor or ceiling of its exact value, summing to 100."""
    if sum(printed) != total:
        return False
    for q, p in zip(_quotas(counts, total), printed, strict=True):
        floor = q.numerator // q.denominator
        if p not in (floor, floor + (q.denominator != 1)):
            return False
    return True


# --------------------------------------------------------------------------- counting

_THEME_CODES = {name: code for code, name in THEMES}


def _matches(frame: pd.DataFrame, fld: str, value) -> pd.Series:
    """Rows of ``frame`` whose ``fld`` has ``value`` (missing values never match)."""
    column = frame[fld]
    if isinstance(value, bool):
        return column.astype("boolean").fillna(False).astype(bool) == value
    if column.dtype == object and column.map(lambda v: isinstance(v, tuple)).any():
        return column.map(lambda v: isinstance(v, tuple) and value in v).astype(bool)
    return column.astype(object).eq(value).fillna(False).astype(bool)


def _flagged(reviews: pd.DataFrame, theme: str) -> pd.Series:
    """Review ids -> whether the review is flagged with ``theme``."""
    flags = reviews[theme_field(_THEME_CODES[theme])].astype("boolean").fillna(False)
    return pd.Series(flags.astype(bool).to_numpy(), index=reviews["review_id"].to_numpy())


def _theme_children(dataset, rules: Rules, row, option) -> tuple[int, int]:
    children = dataset.children
    in_flagged = children["review_id"].map(_flagged(dataset.reviews, row.category)).astype(bool)
    mode = option.params["count"]
    if mode == "children_in_flagged_reviews":
        chosen = in_flagged
    else:
        indicator = _matches(children, rules.themes[row.category], True)
        chosen = indicator & in_flagged if mode.startswith("indicator_") else indicator
    return int(chosen.sum()), len(children)


def _population(dataset, rules: Rules, measure, partnership: str, readings) -> pd.DataFrame:
    frame = dataset.reviews if measure.table == "reviews" else dataset.children
    if measure.population is not None:
        reading = rules.reading(measure.population)
        scope = reading.option(readings[reading.id]).params["partnerships"]
        frame = frame[frame["partnership"].astype(object).isin(scope)]
        return frame[_matches(frame, reading.condition.field, reading.condition.value)]
    if partnership == rules.all_label:
        return frame
    return frame[frame["partnership"].astype(object) == partnership]


def count_figure(
    dataset, rules: Rules, row, readings: dict[str, str], cache: dict | None = None
) -> tuple[int, int]:
    """``(count, denominator)`` of one figure definition ``row`` in ``dataset``.

    ``cache`` (a dict, kept by the caller for one dataset and one set of readings) saves
    selecting the same population again for every category of a block.
    """
    measure = rules.measures[row.measure]
    if measure.kind == "theme":
        if measure.table == "reviews":
            return int(_flagged(dataset.reviews, row.category).sum()), len(dataset.reviews)
        reading = rules.reading_for(row.measure, row.category)
        return _theme_children(dataset, rules, row, reading.option(readings[reading.id]))
    partnership = figure_partnership(rules, row, readings)
    cache = {} if cache is None else cache
    key = (measure.table, measure.population, partnership)
    if key not in cache:
        cache[key] = _population(dataset, rules, measure, partnership, readings)
    population = cache[key]
    target = measure.categories[row.category]
    if target.field is None:
        return len(population), len(population)
    return int(_matches(population, target.field, target.value).sum()), len(population)


def compute_figures(
    dataset, rules: Rules, readings: dict[str, str] | None = None, definitions=None
) -> pd.DataFrame:
    """Every figure recomputed from ``dataset``: count, denominator and value.

    ``definitions`` are the figure rows (default: the published-figures file, of which only
    the columns in :data:`DEFINITION_COLUMNS` are read). ``percent_half_up`` is the percent
    under the primary rule (``rules.primary``, round half up) and
    ``percent_largest_remainder`` the block's largest-remainder rounding for partition blocks
    (blank elsewhere); ``value`` is the count for count figures and ``percent_half_up`` for
    percent figures.
    """
    readings = rules.check_readings(readings or {})
    populations: dict = {}
    return figure_records(
        lambda row: count_figure(dataset, rules, row, readings, populations),
        rules,
        readings,
        definitions,
    )


def figure_records(count, rules: Rules, readings: dict[str, str], definitions=None):
    """The figure table of :func:`compute_figures`, with ``count(row) -> (count, denominator)``
    doing the counting (so that other counting engines give the same layout)."""
    if definitions is None:
        definitions = load_published()
    definitions = definitions[DEFINITION_COLUMNS].reset_index(drop=True)
    records = []
    for row in definitions.itertuples(index=False):
        n, denominator = count(row)
        percent = round_half_up(n, denominator) if denominator else pd.NA
        records.append(
            {
                **row._asdict(),
                "partnership_counted": figure_partnership(rules, row, readings),
                "count": n,
                "denominator": denominator,
                "percent_half_up": percent,
                "value": n if row.unit == "count" else percent,
            }
        )
    out = pd.DataFrame(records)
    out["percent_largest_remainder"] = _block_largest_remainder(out, rules)
    return out


def _block_largest_remainder(out: pd.DataFrame, rules: Rules) -> pd.Series:
    result = pd.Series(pd.NA, index=out.index, dtype="Int64")
    percent = out[out["unit"] == "percent"]
    for (partnership, name), block in percent.groupby(["partnership_counted", "measure"]):
        if rules.measures[name].block_for(partnership).kind != "partition":
            continue
        n = int(block["denominator"].iloc[0])
        counts = [*block["count"].astype(int), n - int(block["count"].sum())]
        if n and counts[-1] >= 0:
            result[block.index] = largest_remainder(counts)[:-1]
    return result


def compare_figures(computed: pd.DataFrame, published: pd.DataFrame | None = None) -> pd.DataFrame:
    """The computed figures beside the published values, with whether each matches."""
    published = load_published() if published is None else published
    out = computed.merge(
        published[["figure_id", "value"]].rename(columns={"value": "published"}),
        on="figure_id",
        how="left",
        validate="one_to_one",
    )
    out["matches"] = out["value"].astype("Int64") == out["published"].astype("Int64")
    return out
