"""Intervals and exact comparisons against independent references."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats as sps

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


def test_fisher_matches_scipy_and_known_table():
    # Fisher's tea-tasting table: p = 0.4857 two-sided.
    result = stats.compare_two(3, 4, 1, 4)
    assert result.p_value == pytest.approx(0.4857142857)
    assert result.p_value == pytest.approx(sps.fisher_exact([[3, 1], [1, 3]]).pvalue)
    assert result.or_low < result.odds_ratio < result.or_high


def test_identical_groups_are_not_different():
    result = stats.compare_two(7, 13, 7, 13)
    assert result.p_value == pytest.approx(1.0)
    assert np.isclose(result.odds_ratio, 1.0)
