"""How domestic abuse, parental mental ill-health and substance misuse occur together in a dataset.

Every function here takes a children table (or a table made from one) and the names of its
yes/no factor columns, so it works for the reconstruction and for an analyst's own file
alike: :func:`trio_table` (children in every combination of the factors), :func:`tables_by`
and :func:`combinations_by` (per partnership and for everyone), :func:`combinations`,
:func:`margins`, :func:`pairwise` and :func:`pairwise_matrices` (Jaccard indices and
conditional proportions), and :func:`odds_ratios` (conditional maximum-likelihood odds ratios
with central exact intervals and the matched exact conditional p-values, Holm-adjusted over the
pairs). Models, contexts and what the report identifies build on these in
:mod:`.loglinear`, :mod:`.context`, :mod:`.identification` and :mod:`.ranges`; the
charts are in :mod:`tees_analysis.report.trio_plots`.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd

from .. import formats
from ..data.schema import TOXIC_TRIO
from . import stats

IDENTIFIED = "identified by the report"
SPECIFIC = "specific to the reconstruction"

LABELS = {
    "domestic_abuse": "Domestic abuse",
    "parental_mental_ill_health": "Parental mental ill-health",
    "substance_misuse": "Substance misuse",
}
SHORT = {
    "domestic_abuse": "DA",
    "parental_mental_ill_health": "PMH",
    "substance_misuse": "SM",
}
QUANTITY_SHORT = {
    "all_three": "all three",
    "da_pmh": "DA and PMH",
    "da_sm": "DA and SM",
    "pmh_sm": "PMH and SM",
    "exactly_one": "exactly one",
    "none": "none of the three",
}


def label(factor: str) -> str:
    """A factor column's name in words (``domestic_abuse`` -> ``Domestic abuse``)."""
    return LABELS.get(factor, factor.replace("_", " ").capitalize())


def short(factor: str) -> str:
    """A factor column's abbreviation (``domestic_abuse`` -> ``DA``)."""
    return SHORT.get(factor, factor.replace("_", " "))


def _share(k: int, n: int) -> str:
    return f"{k} of {n} ({100 * k / n:.0f}%)" if n else f"{k} of 0"


# =========================================================================== 2. case-level data


def recorded(children: pd.DataFrame, factors=TOXIC_TRIO) -> pd.DataFrame:
    """The children whose every factor in ``factors`` is recorded as yes or no.

    Combinations of factors need every factor of a child: a child with one of them not
    recorded cannot be placed in a cell, so the co-occurrence analyses use these children
    (complete cases) and say how many were left out.
    """
    factors = list(factors)
    missing = [f for f in factors if f not in children]
    if missing:
        raise KeyError(f"no column {missing} in the children table")
    return children[children[factors].notna().all(axis=1)]


def trio_table(children: pd.DataFrame, factors=TOXIC_TRIO) -> pd.Series:
    """Children in every combination of the yes/no ``factors`` (all ``2**k`` cells, zeros kept).

    The index is a MultiIndex of booleans named after the factors, ``False`` before ``True``
    (so the first cell is "none of them", the last "all of them").
    """
    factors = list(factors)
    missing = [f for f in factors if f not in children]
    if missing:
        raise KeyError(f"no column {missing} in the children table")
    frame = children[factors]
    if frame.isna().any().any():
        raise ValueError(
            "missing values in " + ", ".join(f for f in factors if frame[f].isna().any())
            + ": record them as yes or no before counting combinations"
        )  # fmt: skip
    index = pd.MultiIndex.from_product([[False, True]] * len(factors), names=factors)
    codes = frame.astype(bool).to_numpy()
    counts = {cell: 0 for cell in index}
    for row in map(tuple, codes):
        counts[tuple(bool(v) for v in row)] += 1
    return pd.Series([counts[c] for c in index], index=index, name="children", dtype=int)


#: The review flags of the themes that match the three factors, in the factors' order.
TRIO_THEMES = ("theme_domestic_abuse", "theme_parental_mental_health", "theme_substance_misuse")


def review_frame(reviews: pd.DataFrame, themes=TRIO_THEMES) -> pd.DataFrame:
    """The reviews with the trio's theme flags recorded, under the factors' column names, for
    the child-level functions (:func:`combinations_by`, :func:`stratified_odds_ratios`)."""
    frame = reviews[reviews[list(themes)].notna().all(axis=1)]
    return frame.rename(columns=dict(zip(themes, TOXIC_TRIO, strict=True)))


def review_table(reviews: pd.DataFrame, themes=TRIO_THEMES) -> pd.Series:
    """Reviews flagged with every combination of the trio's three themes (review level).

    The family-level view beside the child-level one: siblings in one review share their
    parents, so child-level counts of parental factors are clustered within reviews. Reviews
    with a theme not recorded are left out, as children are in :func:`trio_table`. The index
    is named after the factors (as :func:`trio_table`'s), for the same functions to apply.
    """
    return trio_table(review_frame(reviews, themes)).rename("reviews")


def table_from_cells(cells: dict, factors=TOXIC_TRIO) -> pd.Series:
    """A :func:`trio_table` from counts keyed by cell: ``(True, False, True)`` or ``'101'``."""
    factors = list(factors)
    index = pd.MultiIndex.from_product([[False, True]] * len(factors), names=factors)
    keyed = {}
    for key, count in cells.items():
        cell = tuple(ch == "1" for ch in key) if isinstance(key, str) else tuple(map(bool, key))
        if len(cell) != len(factors):
            raise ValueError(f"cell {key!r} does not have {len(factors)} factors")
        keyed[cell] = keyed.get(cell, 0) + int(count)
    if any(v < 0 for v in keyed.values()):
        raise ValueError("counts must not be negative")
    return pd.Series([keyed.get(c, 0) for c in index], index=index, name="children", dtype=int)


def tables_by(children: pd.DataFrame, by: str = "partnership", factors=TOXIC_TRIO,
              everyone: str = "Tees") -> pd.DataFrame:  # fmt: skip
    """:func:`trio_table` for each group of ``by`` and for everyone, side by side."""
    columns = {}
    if by in children:
        for group in pd.unique(children[by].astype(object)):
            columns[str(group)] = trio_table(
                children[children[by].astype(object) == group], factors
            )
    columns[everyone] = trio_table(children, factors)
    return pd.DataFrame(columns)


def combinations_by(children: pd.DataFrame, by: str = "partnership", factors=TOXIC_TRIO,
                    everyone: str = "Tees") -> pd.DataFrame:  # fmt: skip
    """Children per combination (rows) for each group of ``by`` and everyone (columns)."""
    table = tables_by(children, by, factors, everyone)
    out = table.copy()
    out.index = [combination_name(c, factors) for c in table.index]
    out.insert(0, "factors", [sum(c) for c in table.index])
    out = out.sort_index().sort_values("factors", kind="stable")
    out.loc["total"] = [np.nan, *table.sum()]
    out["factors"] = out["factors"].astype("Int64")
    return out


def _factors(table: pd.Series) -> list[str]:
    return list(table.index.names)


def _cells(table: pd.Series) -> list[tuple[bool, ...]]:
    return [tuple(bool(v) for v in cell) for cell in table.index]


def combination_name(cell, factors) -> str:
    """``(True, False, True)`` -> ``'DA + SM'``; no factor -> ``'none'``."""
    present = [short(f) for f, v in zip(factors, cell, strict=True) if v]
    return " + ".join(present) if present else "none"


def combinations(table: pd.Series) -> pd.DataFrame:
    """Every combination: which factors, how many factors, children and share of all children."""
    factors, n = _factors(table), int(table.sum())
    rows = []
    for cell, count in zip(_cells(table), table.to_numpy(), strict=True):
        rows.append(
            {
                "combination": combination_name(cell, factors),
                **{short(f): "yes" if v else "" for f, v in zip(factors, cell, strict=True)},
                "factors": sum(cell),
                "children": int(count),
                "percent": round(100 * count / n, 1) if n else np.nan,
            }
        )
    out = pd.DataFrame(rows).sort_values(["factors", "combination"], kind="stable")
    return out.reset_index(drop=True)


def margins(table: pd.Series) -> pd.Series:
    """Children with each factor."""
    factors = _factors(table)
    return pd.Series(
        {f: int(sum(c for cell, c in zip(_cells(table), table, strict=True) if cell[i]))
         for i, f in enumerate(factors)},
        name="children",
    )  # fmt: skip


def _both(table: pd.Series, i: int, j: int) -> int:
    return int(sum(c for cell, c in zip(_cells(table), table, strict=True) if cell[i] and cell[j]))


def pairwise(table: pd.Series) -> pd.DataFrame:
    """Every ordered pair (A, B): children with A, with B, with both; Jaccard; P(B | A)."""
    factors, n = _factors(table), int(table.sum())
    totals = margins(table)
    rows = []
    for i, j in itertools.permutations(range(len(factors)), 2):
        a, b = factors[i], factors[j]
        both = _both(table, i, j)
        union = totals[a] + totals[b] - both
        rows.append(
            {
                "A": short(a),
                "B": short(b),
                "children": n,
                "with A": int(totals[a]),
                "with B": int(totals[b]),
                "with both": both,
                "Jaccard": both / union if union else np.nan,
                "P(B | A)": both / totals[a] if totals[a] else np.nan,
            }
        )
    return pd.DataFrame(rows)


def pairwise_matrices(table: pd.Series) -> dict[str, pd.DataFrame]:
    """Square matrices (rows A, columns B): ``counts`` (diagonal: children with the factor),
    ``jaccard`` and ``conditional`` = P(column | row)."""
    factors = _factors(table)
    names = [short(f) for f in factors]
    totals = margins(table)
    k = len(factors)
    counts, jaccard, conditional = (np.zeros((k, k)) for _ in range(3))
    for i, j in itertools.product(range(k), repeat=2):
        both = _both(table, i, j)
        union = totals.iloc[i] + totals.iloc[j] - both
        counts[i, j] = both
        jaccard[i, j] = both / union if union else np.nan
        conditional[i, j] = both / totals.iloc[i] if totals.iloc[i] else np.nan
    frame = lambda m: pd.DataFrame(m, index=names, columns=names)  # noqa: E731
    return {
        "counts": frame(counts).astype(int),
        "jaccard": frame(jaccard),
        "conditional": frame(conditional),
    }


def two_by_two(table: pd.Series, a: str, b: str) -> np.ndarray:
    """``[[A and B, A not B], [B not A, neither]]`` for two factors of a trio table."""
    factors = _factors(table)
    i, j = factors.index(a), factors.index(b)
    out = np.zeros((2, 2), dtype=int)
    for cell, count in zip(_cells(table), table.to_numpy(), strict=True):
        out[0 if cell[i] else 1, 0 if cell[j] else 1] += count
    return out


def sample_odds_ratio(t: np.ndarray) -> float:
    """``ad / bc`` (``inf`` when only ``bc`` is 0, ``nan`` when both are)."""
    ad, bc = float(t[0, 0] * t[1, 1]), float(t[0, 1] * t[1, 0])
    if bc == 0:
        return np.inf if ad > 0 else np.nan
    return ad / bc


def odds_ratios(table: pd.Series) -> pd.DataFrame:
    """Every pair of factors: the 2x2 table (the third factor ignored), the conditional
    maximum-likelihood odds ratio with its central exact 95% interval, the sample odds ratio,
    the central two-sided p-value of the same exact conditional test (so the interval excludes
    1 exactly when p < 0.05; :func:`tees_analysis.analysis.stats.compare_two`) and ``p_holm``
    (Holm's adjustment over the pairs: one family). A pair whose table has a row or column
    total of 0 has no test (NaN)."""
    factors = _factors(table)
    rows = []
    for a, b in itertools.combinations(factors, 2):
        t = two_by_two(table, a, b)
        c = stats.compare_two(int(t[0, 0]), int(t[0].sum()), int(t[1, 0]), int(t[1].sum()))
        rows.append(
            {
                "pair": f"{short(a)} and {short(b)}",
                "both": int(t[0, 0]),
                "A only": int(t[0, 1]),
                "B only": int(t[1, 0]),
                "neither": int(t[1, 1]),
                "odds ratio": c.odds_ratio,
                "ci_low": c.or_low,
                "ci_high": c.or_high,
                "sample odds ratio": sample_odds_ratio(t),
                "p_value": c.p_value,
            }
        )
    out = pd.DataFrame(rows)
    out["p_holm"] = stats.holm(out["p_value"]) if len(out) else []
    return out


#: The label of the common odds ratio over the partnerships in :func:`stratified_odds_ratios`.
COMMON = "common to the partnerships (Mantel–Haenszel; exact conditional)"


def stratified_odds_ratios(children: pd.DataFrame, by: str = "partnership", factors=TOXIC_TRIO,
                           everyone: str = "Tees") -> pd.DataFrame:  # fmt: skip
    """Every pair of factors within each group of ``by``, pooled, and common to the groups.

    One row per pair and scope: each partnership's own table, the pooled table of everyone
    (``everyone``), and the odds ratio common to the partnerships -- the Mantel-Haenszel
    estimate with the exact conditional interval and central p for a common odds ratio
    (:func:`tees_analysis.analysis.stats.stratified`), and the Breslow-Day-Tarone test of
    whether the partnerships' odds ratios differ. p-values of the same exact method throughout,
    so each interval excludes 1 exactly when its p < 0.05; ``p_holm`` adjusts the whole table
    (one family). Children with a factor not recorded are left out.
    """
    children = recorded(children, factors)
    groups = [] if by not in children else list(pd.unique(children[by].astype(object)))
    tables = {str(g): trio_table(children[children[by].astype(object) == g], factors)
              for g in groups}  # fmt: skip
    pooled = trio_table(children, factors)
    rows = []
    for a, b in itertools.combinations(list(factors), 2):
        pair = f"{short(a)} and {short(b)}"
        strata = []
        for scope, table in [*tables.items(), (everyone, pooled)]:
            t = two_by_two(table, a, b)
            c = stats.compare_two(int(t[0, 0]), int(t[0].sum()), int(t[1, 0]), int(t[1].sum()))
            rows.append(
                {"pair": pair, "scope": scope, "children": int(t.sum()), "both": int(t[0, 0]),
                 "odds ratio": c.odds_ratio, "ci_low": c.or_low, "ci_high": c.or_high,
                 "p_value": c.p_value, "note": c.reason}
            )  # fmt: skip
            if scope != everyone:
                strata.append(tuple(tuple(int(v) for v in row) for row in t))
        if len(strata) > 1:
            s = stats.stratified(tuple(strata))
            note = s.reason or "; ".join(
                x for x in (s.strata_note, _homogeneity(s)) if x
            )  # fmt: skip
            rows.append(
                {"pair": pair, "scope": COMMON, "children": int(pooled.sum()), "both": np.nan,
                 "odds ratio": s.mh_odds_ratio, "ci_low": s.or_low, "ci_high": s.or_high,
                 "p_value": s.p_value, "note": note}
            )  # fmt: skip
    out = pd.DataFrame(rows)
    out["p_holm"] = stats.holm(out["p_value"]) if len(out) else []
    return out


def _homogeneity(s) -> str:
    """The test of whether the strata's odds ratios differ, in words."""
    if isinstance(s.homogeneity_p, float) and math.isnan(s.homogeneity_p):
        return s.homogeneity_note
    return f"partnerships' odds ratios differ? Breslow-Day-Tarone p = {s.homogeneity_p:.3f}"


def fmt_ratio(value: float) -> str:
    """An odds ratio for display: two significant digits, "infinite" and "0" kept."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "not computed"
    if math.isinf(value):
        return formats.ratio(value)
    if value == 0:
        return "0"
    return f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 100 else f"{value:.0f}"
