"""Intervals and exact comparisons against independent references."""

from __future__ import annotations

import itertools
import math
import warnings
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps
from scipy.stats.contingency import odds_ratio
from statsmodels.stats.multitest import multipletests
from strategies import examples

from tees_analysis.analysis import stats


def wilson_by_formula(k, n, z=1.959963984540054):
    """The Wilson score interval written out (Wilson 1927), as an independent reference."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


@pytest.mark.parametrize(("k", "n"), [(0, 13), (7, 13), (13, 13), (11, 14), (1, 14)])
def test_wilson_matches_the_formula(k, n):
    low, high = stats.proportion_interval(k, n)
    ref = wilson_by_formula(k, n)
    assert low == pytest.approx(max(ref[0], 0), abs=1e-12)
    assert high == pytest.approx(min(ref[1], 1), abs=1e-12)


def test_clopper_pearson_matches_beta_quantiles():
    low, high = stats.proportion_interval(7, 13, method="clopper-pearson")
    assert low == pytest.approx(sps.beta.ppf(0.025, 7, 7))
    assert high == pytest.approx(sps.beta.ppf(0.975, 8, 6))


@given(st.integers(1, 200).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_interval_contains_the_estimate(kn):
    k, n = kn
    low, high = stats.proportion_interval(k, n)
    assert 0 <= low <= k / n <= high <= 1


def test_bad_counts_rejected():
    with pytest.raises(ValueError, match="count <= n"):
        stats.proportion_interval(5, 4)
    with pytest.raises(ValueError, match="method must be"):
        stats.proportion_interval(1, 4, method="wald")


def test_with_intervals_adds_percent_columns():
    frame = pd.DataFrame({"count": [7, 0], "denominator": [13, 14]})
    out = stats.with_intervals(frame)
    assert list(out.columns) == ["count", "denominator", "ci_low", "ci_high"]
    assert out["ci_low"].iloc[1] == 0 and 0 < out["ci_high"].iloc[1] < 30


# --------------------------------------------------------------------------- compare_two

LEVEL_TAIL = Fraction(1, 40)  # alpha / 2 for the 95% interval


def exact_tails(a: int, n_a: int, b: int, n_b: int) -> tuple[Fraction, Fraction]:
    """P(X <= a) and P(X >= a) under odds ratio 1, written out: X is the number of the
    ``a + b`` children with the characteristic who fall in the first group (hypergeometric)."""
    m = a + b
    weights = {x: math.comb(n_a, x) * math.comb(n_b, m - x) for x in range(max(0, m - n_b),
               min(n_a, m) + 1)}  # fmt: skip
    total = sum(weights.values())
    less = sum(w for x, w in weights.items() if x <= a)
    greater = sum(w for x, w in weights.items() if x >= a)
    return Fraction(less, total), Fraction(greater, total)


def matched(p_value: float, low: float, high: float, alpha: float = 0.05) -> bool:
    """The property: the interval excludes 1 exactly when p < alpha (NaN: no test, no interval)."""
    if math.isnan(p_value):
        return math.isnan(low) and math.isnan(high)
    return (low > 1 or high < 1) == (p_value < alpha)


def degenerate(a: int, n_a: int, b: int, n_b: int) -> bool:
    return min(n_a, n_b) == 0 or a + b in (0, n_a + n_b)


def test_tea_tasting_table_by_hand():
    # Fisher's tea-tasting table [[3, 1], [1, 3]]: margins 4, 4 and 4 of 8, so X (cups of the
    # first kind called right) is 0..4 with weights comb(4, x) comb(4, 4 - x) = 1, 16, 36, 16, 1
    # of 70. P(X >= 3) = 17/70 = P(X <= 1); the central p is 2 * 17/70 = 34/70.
    result = stats.compare_two(3, 4, 1, 4)
    assert result.p_greater == pytest.approx(17 / 70, rel=1e-12)
    assert result.p_less == pytest.approx(1 - 1 / 70, rel=1e-12)
    assert result.p_value == pytest.approx(34 / 70, rel=1e-12)
    assert result.or_low < result.odds_ratio < result.or_high
    assert result.method == stats.METHOD and "central" in result.method
    assert result.tested and result.reason == ""


def test_central_p_and_interval_by_hand_where_fisher_differs():
    # 2 of 2 against 0 of 3: margins 2 and 3, 2 children with it, so X is 0, 1 or 2 with
    # weights comb(2, x) comb(3, 2 - x) = 3, 6, 1 of 10. X = 2 is the largest value:
    # P(X >= 2) = 1/10, central p = 2/10. (Fisher's usual p sums the tables no more probable
    # than the observed one, X = 2 alone: 1/10.) The odds ratio estimate and upper bound are
    # infinite; the lower bound solves P_psi(X = 2) = psi^2 / (3 + 6 psi + psi^2) = 1/40, i.e.
    # 39 psi^2 - 6 psi - 3 = 0.
    result = stats.compare_two(2, 2, 0, 3)
    assert result.p_value == pytest.approx(0.2, rel=1e-12)
    assert sps.fisher_exact([[2, 0], [0, 3]]).pvalue == pytest.approx(0.1)
    assert math.isinf(result.odds_ratio) and math.isinf(result.or_high)
    assert result.or_low == pytest.approx((6 + math.sqrt(36 + 4 * 39 * 3)) / 78, rel=1e-10)
    assert result.or_low < 1 and result.p_value > 0.05


def test_the_old_pairing_breaks_the_property_and_the_new_one_keeps_it():
    # 2 of 14 against 7 of 13 (an "all three" by age table of notebook 06): Fisher's usual
    # two-sided p is below 0.05 while the central interval contains 1 -- the mismatch this
    # module removes. The property check itself must catch it.
    table = [[2, 12], [7, 6]]
    ci = odds_ratio(table, kind="conditional").confidence_interval(0.95)
    fisher = sps.fisher_exact(table).pvalue
    assert not matched(fisher, ci.low, ci.high)
    result = stats.compare_two(2, 14, 7, 13)
    assert matched(result.p_value, result.or_low, result.or_high)
    assert result.p_value > 0.05 and result.or_low < 1 < result.or_high
    assert (result.or_low, result.or_high) == pytest.approx((ci.low, ci.high), rel=1e-8)


counts = st.integers(0, 20).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n)))


@settings(max_examples=examples(300))
@given(counts, counts)
def test_interval_excludes_one_exactly_when_p_is_below_005(first, second):
    (a, n_a), (b, n_b) = first, second
    result = stats.compare_two(a, n_a, b, n_b)
    assert matched(result.p_value, result.or_low, result.or_high)
    if degenerate(a, n_a, b, n_b):
        assert math.isnan(result.p_value) and not result.tested and result.reason
        assert math.isnan(result.odds_ratio)
    else:
        assert 0 < result.p_value <= 1
        assert 0 <= result.or_low <= result.odds_ratio <= result.or_high <= math.inf


def test_every_table_of_up_to_14_children_per_group_is_matched_exactly():
    """All 14,161 tables with 1 to 14 children per group (the partnerships' sizes), checked
    against exact rational tails: each bound lies on the side of 1 the exact tail says, a
    bound is 1 (within 1e-9) only when its tail at 1 is exactly 1/40 -- and then p = 0.05
    exactly, which is not below 0.05 -- and the property holds with no tolerance."""
    on_the_boundary = []
    for n_a, n_b in itertools.product(range(1, 15), repeat=2):
        for a, b in itertools.product(range(n_a + 1), range(n_b + 1)):
            result = stats.compare_two(a, n_a, b, n_b)
            assert matched(result.p_value, result.or_low, result.or_high)
            if degenerate(a, n_a, b, n_b):
                continue
            less, greater = exact_tails(a, n_a, b, n_b)
            assert (result.or_low > 1) == (greater < LEVEL_TAIL)
            assert (result.or_high < 1) == (less < LEVEL_TAIL)
            assert (abs(result.or_low - 1) < 1e-9) == (greater == LEVEL_TAIL)
            assert (abs(result.or_high - 1) < 1e-9) == (less == LEVEL_TAIL)
            if LEVEL_TAIL in (less, greater):
                assert result.p_value == 0.05
                on_the_boundary.append((a, n_a, b, n_b))
    # e.g. 2 of 2 against 1 of 14: P(X = 2) = comb(14, 1) / comb(16, 3) = 14/560 = 1/40.
    assert (2, 2, 1, 14) in on_the_boundary


@pytest.mark.parametrize(("a", "n_a", "b", "n_b"), [(2, 2, 1, 14), (1, 1, 0, 39)])
def test_a_bound_of_exactly_one_goes_with_p_of_exactly_005(a, n_a, b, n_b):
    # 2 of 2 against 1 of 14: P(X >= 2) = comb(2, 2) comb(14, 1) / comb(16, 3) = 14/560 = 1/40.
    # 1 of 1 against 0 of 39: P(X >= 1) = 1/40 (the one child with it is the first group's one
    # child of 40). So p = 2/40 = 0.05 exactly, not below 0.05, and the lower bound is 1: the
    # closed interval contains 1. Swapping the groups mirrors it onto the upper bound.
    result = stats.compare_two(a, n_a, b, n_b)
    assert result.p_value == 0.05
    assert result.or_low == pytest.approx(1, abs=1e-9) and result.or_low <= 1
    mirror = stats.compare_two(b, n_b, a, n_a)
    assert mirror.p_value == 0.05
    assert mirror.or_high == pytest.approx(1, abs=1e-9) and mirror.or_high >= 1
    assert matched(result.p_value, result.or_low, result.or_high)
    assert matched(mirror.p_value, mirror.or_low, mirror.or_high)


@settings(max_examples=examples(150))
@given(counts.filter(lambda t: t[1] > 0), counts.filter(lambda t: t[1] > 0))
def test_compare_two_matches_scipy_where_they_overlap(first, second):
    (a, n_a), (b, n_b) = first, second
    if degenerate(a, n_a, b, n_b):
        return
    table = np.array([[a, n_a - a], [b, n_b - b]])
    result = stats.compare_two(a, n_a, b, n_b)
    less = sps.fisher_exact(table, alternative="less").pvalue
    greater = sps.fisher_exact(table, alternative="greater").pvalue
    assert result.p_less == pytest.approx(less, rel=1e-9, abs=1e-15)
    assert result.p_greater == pytest.approx(greater, rel=1e-9, abs=1e-15)
    assert result.p_value == pytest.approx(min(1.0, 2 * min(less, greater)), rel=1e-9)
    ref = odds_ratio(table, kind="conditional")
    ci = ref.confidence_interval(0.95)
    assert result.odds_ratio == pytest.approx(ref.statistic, rel=1e-7)
    assert (result.or_low, result.or_high) == pytest.approx((ci.low, ci.high), rel=1e-7)


@pytest.mark.parametrize(
    ("table", "reason"),
    [
        ((0, 0, 3, 5), "no child in the first group"),
        ((3, 5, 0, 0), "no child in the second group"),
        ((0, 0, 0, 0), "no child in either group"),
        ((0, 4, 0, 5), "no child in either group has it"),
        ((4, 4, 5, 5), "every child in both groups has it"),
    ],
)
def test_degenerate_tables_have_no_test_and_say_why(table, reason):
    result = stats.compare_two(*table)
    assert result.reason == reason and not result.tested
    values = [result.odds_ratio, result.or_low, result.or_high, result.p_value]
    assert all(math.isnan(v) for v in [*values, result.p_less, result.p_greater])


def test_identical_groups_are_not_different():
    result = stats.compare_two(7, 13, 7, 13)
    assert result.p_value == pytest.approx(1.0)
    assert np.isclose(result.odds_ratio, 1.0)


def test_compare_two_is_cached_and_silent():
    assert stats.compare_two.cache_info().maxsize == 4096
    stats.compare_two.cache_clear()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for n in (1, 30, 200):
            for a, b in ((0, 1), (n, 0), (1, n - 1), (n // 2, n // 3)):
                stats.compare_two(a, n, b, n)
    first = stats.compare_two(3, 14, 9, 13)
    assert stats.compare_two(3, 14, 9, 13) is first
    with pytest.raises(ValueError, match="denominators"):
        stats.compare_two(5, 4, 1, 4)


# --------------------------------------------------------------------------- Holm


def test_holm_by_hand():
    # Sorted 0.01, 0.03, 0.04 (three tests): 3 x 0.01 = 0.03; 2 x 0.03 = 0.06;
    # max(0.06, 1 x 0.04) = 0.06 (step-down keeps the order).
    adjusted = stats.holm([0.01, 0.04, 0.03])
    assert adjusted == pytest.approx([0.03, 0.06, 0.06])
    assert adjusted == pytest.approx(multipletests([0.01, 0.04, 0.03], method="holm")[1])
    # A NaN is not in the family: two tests, 2 x 0.01 = 0.02, max(0.02, 0.04) = 0.04.
    with_nan = stats.holm([0.01, np.nan, 0.04])
    assert with_nan[0] == pytest.approx(0.02) and with_nan[2] == pytest.approx(0.04)
    assert math.isnan(with_nan[1])
    # 2 x 0.6 = 1.2 is capped at 1.
    assert stats.holm([0.6, 0.7]) == pytest.approx([1.0, 1.0])


def test_holm_keeps_a_series_index_and_rejects_bad_values():
    series = pd.Series([0.2, np.nan, 0.01], index=["x", "y", "z"], name="p")
    out = stats.holm(series)
    assert list(out.index) == ["x", "y", "z"] and out.name == "p"
    assert out["z"] == pytest.approx(0.02) and out["x"] == pytest.approx(0.2)
    assert len(stats.holm([])) == 0
    assert np.isnan(stats.holm([np.nan, np.nan])).all()
    with pytest.raises(ValueError, match="between 0 and 1"):
        stats.holm([0.5, 1.5])


p_values = st.floats(0, 1, allow_nan=False) | st.just(math.nan)


# Few examples: statsmodels' Holm branch (the oracle) runs gc.collect() on every call.
@settings(max_examples=examples(10))
@given(st.lists(p_values, min_size=1, max_size=30))
def test_holm_is_monotone_at_least_raw_and_statsmodels(raw):
    raw = np.array(raw)
    adjusted = stats.holm(raw)
    tested = ~np.isnan(raw)
    assert np.array_equal(np.isnan(adjusted), ~tested)
    r, h = raw[tested], adjusted[tested]
    assert (h >= r).all() and (h <= 1).all()
    order = np.argsort(r, kind="stable")
    assert (np.diff(h[order]) >= 0).all()
    if tested.any():
        assert h == pytest.approx(multipletests(r, method="holm")[1])
