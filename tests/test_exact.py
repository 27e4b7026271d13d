"""Exact conditional inference for a common odds ratio over strata, against hand computations,
scipy's noncentral hypergeometric distribution and statsmodels."""

from __future__ import annotations

import math
import warnings
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps
from statsmodels.stats.contingency_tables import StratifiedTable
from strategies import examples

from tees_analysis.analysis import exact, stats


def matched(p_value: float, low: float, high: float, alpha: float = 0.05) -> bool:
    """The interval excludes 1 exactly when p < alpha (NaN: no test, no interval)."""
    if math.isnan(p_value):
        return math.isnan(low) and math.isnan(high)
    return (low > 1 or high < 1) == (p_value < alpha)


def informative(table) -> bool:
    (a, b), (c, d) = table
    return min(a + b, c + d, a + c, b + d) > 0


cell = st.integers(0, 7)
table = st.tuples(st.tuples(cell, cell), st.tuples(cell, cell))
strata = st.lists(table, min_size=1, max_size=3).map(tuple)


def pmf_of_t(tables, psi: float) -> dict[int, float]:
    """P_psi(T = t) by convolving scipy's Fisher noncentral hypergeometric pmfs (independent
    of the exact integer weights of the module)."""
    dist = {0: 1.0}
    for (a, b), (c, d) in tables:
        total, row, column = a + b + c + d, a + b, a + c
        low, high = max(0, column - (c + d)), min(row, column)
        xs = np.arange(low, high + 1)
        pmf = sps.nchypergeom_fisher.pmf(xs, total, row, column, psi)
        new: dict[int, float] = {}
        for t, p in dist.items():
            for x, q in zip(xs, pmf, strict=True):
                new[t + int(x)] = new.get(t + int(x), 0.0) + p * q
        dist = new
    return dist


# --------------------------------------------------------------------------- hand computations


def test_two_strata_by_hand():
    # Stratum 1 [[1, 0], [0, 1]]: rows 1 and 1, one child in the first column; a = 0 or 1 with
    # weights 1, 1. Stratum 2 [[0, 2], [1, 0]]: rows 2 and 1, one child in the first column;
    # a = 0 or 1 with weights comb(2, a) comb(1, 1 - a) = 1, 2. T = a1 + a2 has weights
    # (1 + x)(1 + 2x) = 1 + 3x + 2x^2: T = 0, 1, 2 with 1, 3, 2 of 6. Observed T = 1 + 0 = 1.
    tables = (((1, 0), (0, 1)), ((0, 2), (1, 0)))
    result = stats.stratified(tables)
    assert result.p_less == pytest.approx(4 / 6) and result.p_greater == pytest.approx(5 / 6)
    assert result.p_value == 1.0  # min(1, 2 * 4/6)
    # Conditional MLE: E_psi(T) = (3 psi + 4 psi^2) / (1 + 3 psi + 2 psi^2) = 1, so 2 psi^2 = 1.
    assert result.odds_ratio == pytest.approx(1 / math.sqrt(2), rel=1e-10)
    # Lower bound: (3 psi + 2 psi^2) / (1 + 3 psi + 2 psi^2) = 1/40, i.e.
    # 78 psi^2 + 117 psi - 1 = 0. Upper bound: (1 + 3 psi) / (1 + 3 psi + 2 psi^2) = 1/40, i.e.
    # 2 psi^2 - 117 psi - 39 = 0.
    assert result.or_low == pytest.approx((-117 + math.sqrt(117**2 + 4 * 78)) / 156, rel=1e-9)
    assert result.or_high == pytest.approx((117 + math.sqrt(117**2 + 8 * 39)) / 4, rel=1e-9)
    # Mantel-Haenszel: sum(a d / n) / sum(b c / n) = (1 * 1 / 2) / (2 * 1 / 3) = 3/4.
    assert result.mh_odds_ratio == pytest.approx(0.75)
    assert (result.n_strata, result.n_dropped) == (2, 0)
    assert result.tested and result.method == exact.STRATIFIED_METHOD


def test_infinite_upper_bound_at_the_top_of_the_support_by_hand():
    # As above but stratum 2 is [[1, 1], [0, 1]] (a2 = 1): T = 2, the largest value. The MLE and
    # the upper bound are infinite; P(T >= 2) = 2/6, p = 2/3; the lower bound solves
    # 2 psi^2 / (1 + 3 psi + 2 psi^2) = 1/40, i.e. 78 psi^2 - 3 psi - 1 = 0.
    result = stats.stratified((((1, 0), (0, 1)), ((1, 1), (0, 1))))
    assert math.isinf(result.odds_ratio) and math.isinf(result.or_high)
    assert math.isinf(result.mh_odds_ratio)  # sum(b c / n) = 0
    assert result.p_value == pytest.approx(2 / 3)
    assert result.or_low == pytest.approx((3 + math.sqrt(9 + 4 * 78)) / 156, rel=1e-9)
    # Mirrored (a1 = a2 = 0, the bottom of the support): zero estimate and lower bound.
    low = stats.stratified((((0, 1), (1, 0)), ((0, 2), (1, 0))))
    assert low.odds_ratio == 0 and low.or_low == 0 and low.mh_odds_ratio == 0
    assert 0 < low.or_high < math.inf


@settings(max_examples=examples(60))
@given(strata)
def test_bounds_are_infinite_or_zero_exactly_at_the_ends_of_the_support(tables):
    kept = [t for t in tables if informative(t)]
    result = stats.stratified(tables)
    if not kept:
        return
    t = sum(a for (a, _), _ in kept)
    smallest = sum(max(0, (a + c) - (c + d)) for (a, b), (c, d) in kept)
    largest = sum(min(a + b, a + c) for (a, b), (c, d) in kept)
    assert math.isinf(result.or_high) == (t == largest) == math.isinf(result.odds_ratio)
    assert (result.or_low == 0) == (t == smallest) == (result.odds_ratio == 0)


# --------------------------------------------------------------------------- properties


@settings(max_examples=examples(200))
@given(strata)
def test_interval_excludes_one_exactly_when_p_is_below_005(tables):
    result = stats.stratified(tables)
    assert matched(result.p_value, result.or_low, result.or_high)
    kept = [t for t in tables if informative(t)]
    assert (result.n_strata, result.n_dropped) == (len(kept), len(tables) - len(kept))
    if kept:
        assert 0 < result.p_value <= 1
        assert 0 <= result.or_low <= result.odds_ratio <= result.or_high
    else:
        assert not result.tested and "no stratum" in result.reason


@settings(max_examples=examples(100))
@given(table)
def test_one_stratum_is_compare_two(t):
    (a, b), (c, d) = t
    one = stats.stratified([t])
    two = stats.compare_two(a, a + b, c, c + d)
    assert math.isnan(one.p_value) == math.isnan(two.p_value)
    if not math.isnan(two.p_value):
        assert one.p_value == two.p_value
        assert (one.or_low, one.or_high, one.odds_ratio) == (two.or_low, two.or_high,
                                                             two.odds_ratio)  # fmt: skip
        assert (one.p_less, one.p_greater) == (two.p_less, two.p_greater)
        assert math.isnan(one.homogeneity_p) and "one stratum" in one.homogeneity_note


@settings(max_examples=examples(40))
@given(strata)
def test_p_bounds_and_mle_solve_their_equations_under_scipys_distribution(tables):
    kept = tuple(t for t in tables if informative(t))
    if not kept:
        return
    result = stats.stratified(tables)
    t = sum(a for (a, _), _ in kept)
    null = pmf_of_t(kept, 1.0)
    less = sum(p for s, p in null.items() if s <= t)
    greater = sum(p for s, p in null.items() if s >= t)
    assert result.p_less == pytest.approx(less, rel=1e-9)
    assert result.p_greater == pytest.approx(greater, rel=1e-9)
    assert result.p_value == pytest.approx(min(1.0, 2 * min(less, greater)), rel=1e-9)
    if result.or_low > 0:
        at_low = pmf_of_t(kept, result.or_low)
        assert sum(p for s, p in at_low.items() if s >= t) == pytest.approx(0.025, rel=1e-6)
    if result.or_high < math.inf:
        at_high = pmf_of_t(kept, result.or_high)
        assert sum(p for s, p in at_high.items() if s <= t) == pytest.approx(0.025, rel=1e-6)
    if 0 < result.odds_ratio < math.inf:
        at_mle = pmf_of_t(kept, result.odds_ratio)
        assert sum(s * p for s, p in at_mle.items()) == pytest.approx(t, rel=1e-7)


@settings(max_examples=examples(100))
@given(strata)
def test_mantel_haenszel_is_statsmodels_pooled_odds_ratio(tables):
    kept = [t for t in tables if informative(t)]
    if not kept:
        return
    with np.errstate(all="ignore"):
        reference = StratifiedTable([np.array(t) for t in kept]).oddsratio_pooled
        # dropped strata have a d = b c = 0, so they do not change the estimate
        assert StratifiedTable([np.array(t) for t in tables if sum(map(sum, t))]).oddsratio_pooled \
            == pytest.approx(reference, nan_ok=True)  # fmt: skip
    assert stats.stratified(tables).mh_odds_ratio == pytest.approx(reference, nan_ok=True)


@settings(max_examples=examples(60))
@given(st.lists(table, min_size=2, max_size=3).map(tuple))
def test_homogeneity_is_statsmodels_breslow_day_with_tarone_where_defined(tables):
    result = stats.stratified(tables)
    if result.n_strata < 2:
        assert math.isnan(result.homogeneity_p)
        return
    kept = [np.array(t) for t in tables if informative(t)]
    with np.errstate(all="ignore"):
        reference = StratifiedTable(kept).test_equal_odds(adjust=True)
    if np.isfinite(reference.pvalue) and result.mh_odds_ratio not in (0, 1, math.inf):
        assert result.homogeneity_p == pytest.approx(reference.pvalue)
        assert result.homogeneity_statistic == pytest.approx(reference.statistic)
        assert result.homogeneity_note == exact.HOMOGENEITY_TEST
    else:
        assert math.isnan(result.homogeneity_p)
        assert result.homogeneity_note.startswith("not computed")


# --------------------------------------------------------------------------- strata dropped


def test_strata_with_a_zero_margin_are_dropped_and_counted():
    informative_one = ((3, 1), (1, 3))
    result = stats.stratified([informative_one, ((0, 0), (2, 2)), ((2, 0), (3, 0))])
    assert (result.n_strata, result.n_dropped) == (1, 2)
    assert result.strata_note == "1 stratum used, 2 dropped (a row or column total of 0)"
    alone = stats.compare_two(3, 4, 1, 4)
    assert (result.p_value, result.or_low, result.or_high) == (alone.p_value, alone.or_low,
                                                               alone.or_high)  # fmt: skip
    none = stats.stratified([((0, 0), (2, 2))])
    assert not none.tested and none.n_dropped == 1
    assert none.reason == "no stratum has every row and column total above 0"
    assert all(math.isnan(v) for v in (none.p_value, none.or_low, none.or_high, none.odds_ratio))
    assert stats.stratified([]).reason == "no stratum given"


def test_stratified_takes_arrays_caches_and_rejects_bad_tables():
    as_lists = stats.stratified([[[2, 12], [7, 6]], np.array([[5, 8], [4, 10]])])
    as_tuples = stats.stratified((((2, 12), (7, 6)), ((5, 8), (4, 10))))
    assert as_lists is as_tuples  # one cache entry
    with pytest.raises(ValueError, match="2 x 2"):
        stats.stratified([[1, 2, 3]])
    with pytest.raises(ValueError, match="non-negative integers"):
        stats.stratified([[[1, -1], [2, 2]]])
    with pytest.raises(ValueError, match="non-negative integers"):
        stats.stratified([[[1.5, 1], [2, 2]]])


def test_stratified_is_silent_on_extreme_tables():
    extreme = [
        [((40, 0), (0, 40)), ((0, 30), (30, 0))],
        [((0, 0), (0, 0)), ((1, 0), (0, 0))],
        [((60, 1), (1, 60))],
        [((2, 2), (2, 2)), ((3, 3), (3, 3))],
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for tables in extreme:
            result = stats.stratified(tables)
            assert matched(result.p_value, result.or_low, result.or_high)


# --------------------------------------------------------------------------- floating point


def test_the_exact_side_of_one_wins_over_rounding():
    """Tails within rounding of alpha/2 never occur in the tables above, so the safeguards are
    exercised directly: a p-value exactly below 0.05 that rounds to the float 0.05 is moved
    below it, and a root that rounding would put on 1 (or on the wrong side of it) is kept on
    the side the exact arithmetic says."""
    just_below = Fraction(1, 40) - Fraction(1, 10**30)
    assert float(2 * just_below) == 0.05  # what plain rounding would give
    assert exact.p_value_of(just_below, Fraction(1)) < 0.05
    assert exact.p_value_of(Fraction(1, 40), Fraction(1)) == 0.05
    just_above = Fraction(1, 40) + Fraction(1, 10**30)
    assert exact.p_value_of(just_above, Fraction(1)) == 0.05
    # Exact sign -1 at 0 (root above 0) although the float function is already positive there.
    theta = exact._root(lambda th: th + 1e-20, sign_at_zero=-1)
    assert theta > 0
    assert exact._psi(theta, +1) > 1  # exp(theta) rounds to 1.0; the bound stays above 1
    theta = exact._root(lambda th: th - 1e-20, sign_at_zero=+1)
    assert theta < 0 and exact._psi(theta, -1) < 1
    assert exact._root(lambda th: th, sign_at_zero=0) == 0 and exact._psi(0.0, 0) == 1
