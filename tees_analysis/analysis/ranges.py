"""Every co-occurrence statistic as a range over the identified set, and under a stated weighting.

The published figures fix each partnership's totals of domestic abuse (DA), parental mental
ill-health (PMH) and substance misuse (SM), not how they combine. The *identified set*
(:func:`tees_analysis.reconstruction.identified.trio_set`) is every combination of the
partnerships' DA x PMH x SM tables that some dataset consistent with the report has. Over that
set this module computes every statistic notebook 06 shows -- counts, conditional proportions,
Jaccard indices, odds ratios (per partnership, pooled, Mantel-Haenszel), matched exact
p-values, log-linear deviances (pooled and with partnership terms) and the context tests --
and reports, per statistic and scope:

* ``minimum`` and ``maximum`` over the set: what the report identifies (exact: the set is
  listed, not sampled);
* ``reconstruction``: the value in the reconstructed dataset of ``data/raw`` (a choice);
* ``mean``, ``p05`` and ``p95`` under a **stated assumption, not data**: every consistent
  child-level assignment equally likely, so a combination of tables weighs by its number of
  labellings (the ways to give each partnership's cells to its children), and, for the context
  tests, every way to give the context's values to the children too.

The context tests cross the trio with the outcome, neglect and age. No published figure links
those fields to the trio: with each partnership's totals given, every coupling with those
margins (the transportation region of the two margins) is counted as possible; the figures
constrain these fields only through the review flags of their themes (assumption A31).

``python -m tees_analysis.analysis.ranges`` writes ``data/reconstruction/identified_set.csv``
and ``data/reconstruction/trio_tables.csv``; a test checks they equal a fresh computation.
"""

from __future__ import annotations

import functools
import itertools
import math
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .. import paths
from ..data import atomic, pipeline
from ..data.schema import TOXIC_TRIO
from ..published.figures import load_published
from ..published.rules import load_rules
from ..reconstruction.bounds import CELLS, QUANTITIES, cell_label
from ..reconstruction.identified import (
    TrioSet,
    maximum_rows,
    multinomial,
    review_cells,
    trio_set,
)
from ..reconstruction.ilp import Expr, Row, parallel_map
from ..reconstruction.model import CaseModel
from ..reconstruction.plan import build_plan
from . import loglinear, stats
from .context import context_tests
from .cooccurrence import SHORT, recorded, review_table, trio_table
from .identification import READINGS_FILE, SATISFIED_FILE, chosen_readings

RECONSTRUCTION = paths.DATA / "reconstruction"
SET_FILE = RECONSTRUCTION / "identified_set.csv"
TABLES_FILE = RECONSTRUCTION / "trio_tables.csv"
EVERYONE = "Tees"
STRATIFIED = "by partnership"
PAIRS = tuple(itertools.combinations(range(3), 2))
COLUMNS = [
    "statistic", "scope", "minimum", "maximum", "reconstruction", "mean", "p05", "p95", "how",
]  # fmt: skip
#: How each kind of row was obtained (the ``how`` column).
LISTED = "listed: every consistent combination of the partnerships' trio tables"
IPF = (
    "; deviances by iterative proportional fitting (where a fitted count tends to zero, the "
    "deviance is approached from above and stops within 0.01 of its limit)"
)
COUPLED = (
    "listed: every consistent combination of trio tables and context margins, with every "
    "coupling those margins allow (no figure links the context to the trio)"
)


# --------------------------------------------------------------------------- the set


@dataclass
class Identified:
    """The identified set, its weights, and what the statistics are computed from."""

    trio: TrioSet
    weights: np.ndarray  # one per combination, summing to 1
    tables: list[dict[str, np.ndarray]]  # per combination: partnership -> 8 counts (and Tees)
    contexts: dict[str, dict[str, list[tuple[tuple[int, ...], int]]]]
    reconstruction: dict[str, np.ndarray]
    seconds: float = 0.0


def consistent_model() -> tuple[CaseModel, int]:
    """The reconstruction's integer program under its chosen readings, and how many figures
    hold at most (from the committed ``readings.csv`` and ``satisfied.csv``; no solving)."""
    figures = load_published()
    rules = load_rules(figures=figures)
    model = CaseModel(build_plan(rules, figures, chosen_readings(READINGS_FILE)))
    best = int(pd.read_csv(SATISFIED_FILE)["satisfied"].astype(bool).sum())
    return model, best


def _values(model: CaseModel, extra, exprs) -> list[tuple[int, ...]]:
    """Every combination of values of ``exprs`` that some consistent dataset has."""
    ranges = []
    for expr in exprs:
        low = model.ilp.solve(expr, extra=extra)
        high = model.ilp.solve(expr, maximize=True, extra=extra)
        ranges.append(range(low.count(expr), high.count(expr) + 1))
    out = []
    for values in itertools.product(*ranges):
        rows = [Row(e, v, v) for e, v in zip(exprs, values, strict=True)]
        if len(exprs) == 1 or model.ilp.solve(None, extra=[*extra, *rows]) is not None:
            out.append(tuple(values))
    return out


def context_margins(model: CaseModel, best: int) -> dict[str, dict[str, list]]:
    """Per context and partnership: every consistent margin of the context, with its weight.

    ``outcome``: (died, significantly harmed, not recorded); ``neglect``: (with neglect,
    without); ``age``: (under 2, not recorded as under 2). The weight is the number of ways
    to give those values to the partnership's children.
    """
    extra = maximum_rows(model, best)
    out: dict[str, dict[str, list]] = {"outcome": {}, "neglect": {}, "age": {}}
    for p in model.plan.partnerships:
        n = model.ilp.solve(model.n[p], extra=extra).count(model.n[p])
        died, harm = (model.children(p, (("outcome", v),)) for v in ("died", "significant harm"))
        outcome = _values(model, extra, [died, harm])
        out["outcome"][p] = [((d, h, n - d - h), _ways(n, (d, h))) for d, h in outcome]
        for name, dim in (("neglect", "neglect"), ("age", "under_2")):
            yes = _values(model, extra, [model.children(p, ((dim, True),))])
            out[name][p] = [((k, n - k), math.comb(n, k)) for (k,) in yes]
    return out


def _ways(n: int, parts: tuple[int, ...]) -> int:
    """Multinomial: ways to choose disjoint groups of sizes ``parts`` among ``n``."""
    out, left = 1, n
    for k in parts:
        out *= math.comb(left, k)
        left -= k
    return out


def identified(threads: int = 2) -> Identified:
    """The identified set of the reconstruction's model, weighted (see the module)."""
    start = time.perf_counter()
    model, best = consistent_model()
    trio = trio_set(model, best, threads)
    weights = np.array(
        [math.prod(multinomial(t) for t in combo.values()) for combo in trio.combinations()],
        dtype=float,
    )
    weights /= weights.sum()
    tables = []
    for combo in trio.combinations():
        arrays = {p: np.array(t, dtype=int) for p, t in combo.items()}
        arrays[EVERYONE] = sum(arrays.values())
        tables.append(arrays)
    contexts = context_margins(model, best)
    data = pipeline.load()
    reconstruction = {}
    for p in trio.partnerships:
        part = data.children[data.children["partnership"].astype(object) == p]
        reconstruction[p] = trio_table(part).to_numpy()
    reconstruction[EVERYONE] = trio_table(data.children).to_numpy()
    return Identified(trio, weights, tables, contexts, reconstruction, time.perf_counter() - start)


# --------------------------------------------------------------------------- statistics


def _both(t: np.ndarray, i: int, j: int) -> int:
    return int(sum(k for cell, k in zip(CELLS, t, strict=True) if cell[i] and cell[j]))


def _with(t: np.ndarray, i: int) -> int:
    return int(sum(k for cell, k in zip(CELLS, t, strict=True) if cell[i]))


def _two_by_two(t: np.ndarray, i: int, j: int) -> tuple[int, int, int, int]:
    """(A and B, A not B, B not A, neither)."""
    both, a, b = _both(t, i, j), _with(t, i), _with(t, j)
    return both, a - both, b - both, int(t.sum()) - a - b + both


@functools.cache
def _odds(a: int, b: int, c: int, d: int) -> tuple[float, float]:
    """Conditional MLE odds ratio and matched exact p of ``[[a, b], [c, d]]`` (cached)."""
    comparison = stats.compare_two(a, a + b, c, c + d)
    return float(comparison.odds_ratio), float(comparison.p_value)


def _names(i: int, j: int) -> str:
    return f"{SHORT[TOXIC_TRIO[i]]} and {SHORT[TOXIC_TRIO[j]]}"


def table_statistics(t: np.ndarray) -> dict[str, float]:
    """The statistics of one DA x PMH x SM table (8 counts in the order of ``CELLS``)."""
    out: dict[str, float] = {}
    n = int(t.sum())
    for cell, k in zip(CELLS, t, strict=True):
        out[f"children in cell {cell_label(cell)}"] = int(k)
    for name, test in QUANTITIES.items():
        out[f"children: {name.replace('_', ' ')}"] = int(
            sum(k for cell, k in zip(CELLS, t, strict=True) if test(cell))
        )
    for i, j in PAIRS:
        both, a, b = _both(t, i, j), _with(t, i), _with(t, j)
        union = a + b - both
        out[f"Jaccard {_names(i, j)}"] = both / union if union else math.nan
        for x, y, nx in ((i, j, a), (j, i, b)):
            given = f"P({SHORT[TOXIC_TRIO[y]]} | {SHORT[TOXIC_TRIO[x]]})"
            out[given] = both / nx if nx else math.nan
        odds, p = _odds(*_two_by_two(t, i, j)) if n else (math.nan, math.nan)
        out[f"odds ratio {_names(i, j)}"] = odds
        out[f"p-value {_names(i, j)}"] = p
    return out


def deviance_statistics(stack: np.ndarray, models) -> dict[str, np.ndarray]:
    """Each model's deviance for every table of ``stack`` (axis 0), fitted in one pass over
    the distinct tables."""
    flat = stack.reshape(len(stack), -1)
    unique, back = np.unique(flat, axis=0, return_inverse=True)
    unique = unique.reshape((len(unique), *stack.shape[1:]))
    out = {}
    for name, margins in models:
        values = loglinear.deviances(unique, loglinear.ipf_many(unique, margins))
        out[f"deviance: {name}"] = values[np.asarray(back).ravel()]
    return out


@functools.cache
def _table_statistics(t: tuple[int, ...]) -> tuple[tuple[str, float], ...]:
    return tuple(table_statistics(np.array(t)).items())


def stratified_statistics(tables: dict[str, np.ndarray]) -> dict[str, float]:
    """Statistics of the partnerships' tables together: Mantel-Haenszel odds ratios with the
    exact p-value for a common odds ratio (the log-linear models with partnership terms are
    fitted for all tables at once, :func:`deviance_statistics`)."""
    out: dict[str, float] = {}
    parts = [t for p, t in tables.items() if p != EVERYONE]
    for i, j in PAIRS:
        strata = tuple(_two_by_two(t, i, j) for t in parts)
        result = stats.stratified(tuple(((a, b), (c, d)) for a, b, c, d in strata))
        out[f"Mantel-Haenszel odds ratio {_names(i, j)}"] = float(result.mh_odds_ratio)
        out[f"exact p-value, common odds ratio {_names(i, j)}"] = float(result.p_value)
    return out


@functools.cache
def _stratified_statistics(key: tuple[tuple[int, ...], ...]) -> tuple[tuple[str, float], ...]:
    tables = {str(k): np.array(t) for k, t in enumerate(key)}
    return tuple(stratified_statistics(tables).items())


# --------------------------------------------------------------------------- context tests

#: Exposures of the context tests, as tests on the (DA, PMH, SM) cell.
EXPOSURES = {
    "domestic abuse": lambda c: c[0],
    "parental mental ill-health": lambda c: c[1],
    "substance misuse": lambda c: c[2],
    "two or more of the three": lambda c: sum(c) >= 2,
    "all three": lambda c: all(c),
}


def _exposed(t: np.ndarray, test) -> int:
    return int(sum(k for cell, k in zip(CELLS, t, strict=True) if test(cell)))


def _couplings(n: int, e: int, margin: tuple[int, ...]):
    """Every (exposed in group 1, exposed in group 2) for a partnership of ``n`` children,
    ``e`` of them exposed, with the context's ``margin`` (group 1, group 2, left out): the
    integer points of the transportation region, with their numbers of labellings."""
    g1, g2, rest = (*margin, 0)[:3]
    for a in range(max(0, e - g2 - rest), min(e, g1) + 1):
        for b in range(max(0, e - a - rest), min(e - a, g2) + 1):
            left = e - a - b
            if left > rest or g1 - a + g2 - b + rest - left != n - e:
                continue
            ways = _ways(e, (a, b)) * _ways(n - e, (g1 - a, g2 - b))
            yield a, b, ways


def _options(n: int, e: int, margins) -> dict[tuple[int, int, int, int], float]:
    """A partnership's (exposed in group 1, group 1, exposed in group 2, group 2), each with
    its probability under the weighting, given ``e`` of its ``n`` children exposed."""
    out: dict[tuple[int, int, int, int], float] = defaultdict(float)
    for margin, _labellings in margins:
        # ways counts the labellings of the context given the exposure; over the couplings of
        # one margin they add up to that margin's labellings, so each is weighed once
        for a, b, ways in _couplings(n, e, margin):
            out[a, margin[0], b, margin[1]] += ways
    total = sum(out.values())
    return {key: w / total for key, w in out.items()}


def _convolve(parts: list[dict]) -> dict[tuple[int, int, int, int], float]:
    out: dict[tuple[int, int, int, int], float] = {(0, 0, 0, 0): 1.0}
    for part in parts:
        nxt: dict[tuple[int, int, int, int], float] = defaultdict(float)
        for key, w in out.items():
            for other, v in part.items():
                nxt[tuple(x + y for x, y in zip(key, other, strict=True))] += w * v
        out = nxt
    return out


def context_statistics(ident: Identified) -> list[dict]:
    """Odds ratio and matched exact p of each exposure against outcome, neglect and age (Tees,
    pooled), and against the partnership, as ranges over the set and every coupling."""
    rows = []
    partnerships = ident.trio.partnerships
    data = pipeline.load()
    tests = context_tests(recorded(data.children)).set_index(["context", "exposure"])
    for name, test in EXPOSURES.items():
        # the combinations of tables matter only through each partnership's exposed children
        exposed: dict[tuple[tuple[int, int], ...], float] = defaultdict(float)
        for combo, weight in zip(ident.tables, ident.weights, strict=True):
            key = tuple((int(combo[p].sum()), _exposed(combo[p], test)) for p in partnerships)
            exposed[key] += weight
        for context, by in ident.contexts.items():
            values: dict[tuple, float] = defaultdict(float)
            for key, weight in exposed.items():
                parts = [_options(n, e, by[p]) for p, (n, e) in zip(partnerships, key, strict=True)]
                for table, w in _convolve(parts).items():
                    values[table] += weight * w
            rows += _context_rows(context, name, values, tests.loc[context, name])
        values = defaultdict(float)  # the partnership context: HSSCP against STSCP
        for key, weight in exposed.items():
            sizes = dict(zip(partnerships, key, strict=True))
            if {"HSSCP", "STSCP"} <= set(sizes):
                (n1, e1), (n2, e2) = sizes["HSSCP"], sizes["STSCP"]
                values[e1, n1, e2, n2] += weight
        rows += _context_rows("partnership", name, values, tests.loc["partnership", name])
    return rows


def _context_rows(context: str, name: str, values: dict, own) -> list[dict]:
    """The odds ratio and p rows of one context table; ``own``: the reconstruction's test."""
    tables = list(values)
    weights = np.array([values[t] for t in tables])
    odds, p = [], []
    for a, na, b, nb in tables:
        if na and nb:
            comparison = stats.compare_two(a, na, b, nb)
            odds.append(float(comparison.odds_ratio))
            p.append(float(comparison.p_value))
        else:
            odds.append(math.nan)
            p.append(math.nan)
    out = []
    for statistic, array, mine in (
        ("odds ratio", odds, own["odds ratio"]),
        ("p-value", p, own["p_value"]),
    ):
        out.append(
            _row(f"context {context} × {name}: {statistic}", EVERYONE, np.array(array), weights,
                 float(mine), COUPLED if context != "partnership" else LISTED)
        )  # fmt: skip
    return out


# --------------------------------------------------------------------------- rows


def _quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cumulative, q * cumulative[-1] - 1e-12)])


def _row(statistic, scope, values, weights, reconstruction, how) -> dict:
    values = np.asarray(values, dtype=float)
    known = ~np.isnan(values)
    row = {"statistic": statistic, "scope": scope, "reconstruction": reconstruction, "how": how}
    if not known.any():
        return {**row, **dict.fromkeys(("minimum", "maximum", "mean", "p05", "p95"), math.nan)}
    v, w = values[known], weights[known]
    finite = bool(np.isfinite(v).all())  # the mean of the tables with a value
    return {
        **row,
        "minimum": float(v.min()),
        "maximum": float(v.max()),
        "mean": float(np.sum(v * w) / np.sum(w)) if finite else math.nan,
        "p05": _quantile(v, w, 0.05),
        "p95": _quantile(v, w, 0.95),
    }


REVIEWS_HOW = (
    "exact minimum and maximum by the integer program (how the three theme flags combine on "
    "one review, every satisfiable figure kept)"
)


def review_statistics(ident: Identified, threads: int = 2) -> list[dict]:
    """The review-level (family-level) co-occurrence of the trio's themes: exact bounds per
    partnership and for Tees, and the reconstruction's value (no weighting: the weights are
    defined on children)."""
    model, best = consistent_model()
    cells = review_cells(model)
    extra = maximum_rows(model, best)
    data = pipeline.load()
    rows = []
    jobs = []
    for scope in [*ident.trio.partnerships, EVERYONE]:
        within = ident.trio.partnerships if scope == EVERYONE else (scope,)
        reviews = data.reviews[data.reviews["partnership"].astype(object).isin(within)]
        own = review_table(reviews).to_numpy()
        for name, test in QUANTITIES.items():
            expr = Expr.total(e for (p, f), e in cells.items() if p in within and test(f))
            value = int(sum(k for cell, k in zip(CELLS, own, strict=True) if test(cell)))
            jobs.append((scope, name, expr, value))

    def bounds(job):
        expr = job[2]
        low = model.ilp.solve(expr, extra=extra).count(expr)
        return low, model.ilp.solve(expr, maximize=True, extra=extra).count(expr)

    for (scope, name, _, value), (low, high) in zip(
        jobs, parallel_map(bounds, jobs, threads), strict=True
    ):
        rows.append(
            {"statistic": f"reviews: {name.replace('_', ' ')}", "scope": scope,
             "minimum": low, "maximum": high, "reconstruction": value, "how": REVIEWS_HOW}
        )  # fmt: skip
    return rows


def statistics(ident: Identified) -> pd.DataFrame:
    """Every statistic over the identified set (see the module): one row per statistic and
    scope, with the reconstruction's value and how the range was obtained."""
    scopes = [*ident.trio.partnerships, EVERYONE]
    collected: dict[tuple[str, str], list[float]] = defaultdict(list)
    for combo in ident.tables:
        for scope in scopes:
            for key, value in _table_statistics(tuple(int(k) for k in combo[scope])):
                collected[key, scope].append(value)
        strata = tuple(tuple(int(k) for k in combo[p]) for p in ident.trio.partnerships)
        for key, value in _stratified_statistics(strata):
            collected[key, STRATIFIED].append(value)
    own = {s: dict(_table_statistics(tuple(int(k) for k in ident.reconstruction[s])))
           for s in scopes}  # fmt: skip
    own[STRATIFIED] = dict(
        _stratified_statistics(
            tuple(tuple(int(k) for k in ident.reconstruction[p]) for p in ident.trio.partnerships)
        )
    )
    for scope in scopes:  # log-linear models of each scope's table, all tables at once
        stack = np.stack([combo[scope].reshape(2, 2, 2) for combo in ident.tables]).astype(float)
        mine = ident.reconstruction[scope].reshape(1, 2, 2, 2).astype(float)
        for key, values in deviance_statistics(stack, loglinear.POOLED).items():
            collected[key, scope] = list(values)
        for key, values in deviance_statistics(mine, loglinear.POOLED).items():
            own[scope][key] = float(values[0])
    parts = ident.trio.partnerships
    stack = np.stack([loglinear.stratum_array([combo[p] for p in parts]) for combo in ident.tables])
    mine = loglinear.stratum_array([ident.reconstruction[p] for p in parts])[np.newaxis]
    # The last model lets each partnership have its own pairwise associations: it splits by
    # partnership, so its deviance is the sum of each partnership's pairwise-model deviance.
    *joint, (own_name, _) = loglinear.STRATIFIED
    pairwise = f"deviance: {loglinear.POOLED[1][0]}"
    for key, values in deviance_statistics(stack, joint).items():
        collected[key, STRATIFIED] = list(values)
    for key, values in deviance_statistics(mine, joint).items():
        own[STRATIFIED][key] = float(values[0])
    collected[f"deviance: {own_name}", STRATIFIED] = list(
        np.sum([collected[pairwise, p] for p in parts], axis=0)
    )
    own[STRATIFIED][f"deviance: {own_name}"] = sum(own[p][pairwise] for p in parts)
    rows = [
        _row(key, scope, values, ident.weights, own[scope].get(key, math.nan),
             LISTED + IPF if key.startswith("deviance") else LISTED)
        for (key, scope), values in collected.items()
    ]  # fmt: skip
    rows += context_statistics(ident)
    rows += review_statistics(ident)
    out = pd.DataFrame(rows, columns=COLUMNS)
    order = {s: k for k, s in enumerate([*scopes, STRATIFIED])}
    return out.sort_values("scope", key=lambda s: s.map(order), kind="stable").reset_index(
        drop=True
    )


def distribution(ident: Identified, scope: str = EVERYONE, name: str = "all_three"):
    """The weighted distribution of one count over the set: value -> probability (assumed)."""
    test = QUANTITIES[name]
    out: dict[int, float] = defaultdict(float)
    for combo, weight in zip(ident.tables, ident.weights, strict=True):
        out[int(sum(k for cell, k in zip(CELLS, combo[scope], strict=True) if test(cell)))] += (
            weight
        )
    return dict(sorted(out.items()))


def tables_frame(ident: Identified) -> pd.DataFrame:
    """Every consistent trio table of each partnership, with its number of labellings."""
    rows = []
    for p in ident.trio.partnerships:
        tables = ident.trio.tables[p]
        total = sum(multinomial(t) for t in tables)
        for k, table in enumerate(tables, start=1):
            rows.append(
                {"partnership": p, "table": k,
                 **{cell_label(c): v for c, v in zip(CELLS, table, strict=True)},
                 "labellings": multinomial(table),
                 "weight": round(multinomial(table) / total, 6)}
            )  # fmt: skip
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- output


def _text(value) -> str:
    if isinstance(value, str):
        return value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.4f}"


def files(ident: Identified | None = None) -> dict[Path, bytes]:
    """The two output files' paths and bytes (numbers written with four decimals)."""
    ident = identified() if ident is None else ident
    frame = statistics(ident)
    text = frame.astype(object).map(_text).to_csv(index=False, lineterminator="\n")
    tables = tables_frame(ident).to_csv(index=False, lineterminator="\n")
    return {SET_FILE: text.encode("utf-8"), TABLES_FILE: tables.encode("utf-8")}


def load(path: Path | str = SET_FILE) -> pd.DataFrame:
    """The committed identified set's statistics (numbers as floats, ``inf`` kept)."""
    frame = pd.read_csv(path, keep_default_na=False, dtype=str)
    for column in ("minimum", "maximum", "reconstruction", "mean", "p05", "p95"):
        frame[column] = frame[column].map(lambda v: float(v) if v else math.nan)
    return frame


def main() -> None:
    ident = identified()
    for path in atomic.write_files(files(ident), allow_raw=False):
        print(f"wrote {paths.display(path)}")
    print(
        f"{len(ident.trio.pairs)} combinations of trio tables ("
        + " x ".join(f"{len(v)} {p}" for p, v in ident.trio.tables.items())
        + f"), {ident.trio.checks} integer programs, {ident.seconds:.1f} s"
    )


if __name__ == "__main__":
    main()


# --------------------------------------------------------------------------- for reading


def _shown(value: float, statistic: str) -> str:
    """A value for reading: counts whole, p-values and proportions to two or three decimals,
    odds ratios with two significant figures and infinity written out."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, float) and math.isinf(value):
        return "infinite"
    if statistic.startswith(("children", "reviews")):
        return f"{value:.0f}"
    if "p-value" in statistic:
        return "< 0.001" if value < 0.001 else f"{value:.3f}"
    if "odds ratio" in statistic:
        return "0" if value == 0 else f"{value:.2g}" if value < 10 else f"{value:.0f}"
    return f"{value:.2f}"


def range_table(frame: pd.DataFrame, statistics, scopes=None) -> pd.DataFrame:
    """Chosen rows of the identified set's statistics, for reading: the reconstruction's value
    (a choice), the identified range (every dataset consistent with the report), whether that
    is one value (identified) and, under the stated weighting, the mean and the central 90% of
    the weight."""
    part = frame[frame["statistic"].isin(list(statistics))]
    if scopes is not None:
        part = part[part["scope"].isin(list(scopes))]
    order = {s: k for k, s in enumerate(statistics)}
    part = part.sort_values("statistic", key=lambda s: s.map(order), kind="stable")
    rows = []
    for r in part.itertuples(index=False):
        weighted = "–"
        if not (isinstance(r.p05, float) and math.isnan(r.p05)):
            mean = "" if math.isnan(r.mean) else f"mean {_shown(r.mean, r.statistic)}; "
            weighted = f"{mean}90% between {_shown(r.p05, r.statistic)} and "
            weighted += _shown(r.p95, r.statistic)
        rows.append(
            {
                "statistic": r.statistic,
                "scope": r.scope,
                "in the reconstruction (a choice)": _shown(r.reconstruction, r.statistic),
                "identified range": _shown(r.minimum, r.statistic)
                if r.minimum == r.maximum
                else f"{_shown(r.minimum, r.statistic)} to {_shown(r.maximum, r.statistic)}",
                "status": "identified" if r.minimum == r.maximum else "a range: not identified",
                "if every consistent dataset were equally likely (an assumption)": weighted,
            }
        )
    return pd.DataFrame(rows)


def load_tables(path: Path | str = TABLES_FILE) -> pd.DataFrame:
    """The committed list of every consistent trio table of each partnership."""
    return pd.read_csv(path)


def weighted_distribution(tables: pd.DataFrame | None = None, scope: str = EVERYONE,
                          quantity: str = "all_three") -> dict[int, float]:  # fmt: skip
    """The distribution of one count under the stated weighting, from the committed tables.

    Every partnership's table combines with every other's (the identified set is their
    product, proved by :func:`tees_analysis.reconstruction.identified.trio_set`), so the Tees
    distribution is the convolution of the partnerships' distributions.
    """
    tables = load_tables() if tables is None else tables
    test = QUANTITIES[quantity]
    columns = [cell_label(c) for c in CELLS]
    out: dict[int, float] = {0: 1.0}
    for p, part in tables.groupby("partnership", sort=False):
        if scope not in (p, EVERYONE):
            continue
        own: dict[int, float] = defaultdict(float)
        for counts, labellings in zip(
            part[columns].to_numpy(), part["labellings"].to_numpy(), strict=True
        ):
            value = sum(k for cell, k in zip(CELLS, counts, strict=True) if test(cell))
            own[int(value)] += float(labellings)
        total = sum(own.values())
        nxt: dict[int, float] = defaultdict(float)
        for a, w in out.items():
            for b, v in own.items():
                nxt[a + b] += w * v / total
        out = nxt
    return dict(sorted(out.items()))


def distribution_summary(distribution: dict[int, float]) -> dict[str, float]:
    """Mean, mode and the central 90% (5th and 95th percentiles) of a distribution."""
    values = np.array(list(distribution), dtype=float)
    weights = np.array(list(distribution.values()))
    return {
        "mean": float(np.sum(values * weights)),
        "mode": int(values[np.argmax(weights)]),
        "p05": _quantile(values, weights, 0.05),
        "p95": _quantile(values, weights, 0.95),
    }
