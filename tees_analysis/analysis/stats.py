"""Uncertainty for small counts: intervals on proportions and exact two-group comparisons.

With a dozen or so children per partnership, a percentage moves by several points per child, so
every proportion in the collection is shown with a 95% interval, and comparisons between the
two partnerships use exact tests rather than large-sample approximations.

* Interval: the **Wilson score interval** (``statsmodels`` ``proportion_confint(method="wilson")``).
  It keeps close to its nominal 95% coverage for small n and for proportions near 0 or 1, where
  the textbook (Wald) interval fails; Clopper-Pearson is available as the conservative
  alternative (``method="clopper-pearson"``).
* Comparison: **Fisher's exact test** (two-sided) on the 2x2 table of the two partnerships, with
  the conditional maximum-likelihood odds ratio and its exact interval
  (``scipy.stats.contingency.odds_ratio``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

INTERVAL_METHODS = {"wilson": "wilson", "clopper-pearson": "beta"}
DEFAULT_INTERVAL = "wilson"
INTERVAL_NAMES = {"wilson": "Wilson score", "clopper-pearson": "Clopper-Pearson (exact)"}


def small_sample_caveat(sizes) -> str:
    """What to say next to exact comparisons of groups of ``sizes`` children (computed).

    ``sizes`` are the numbers of children in the groups compared, e.g. ``[13, 14]``.
    """
    sizes = sorted(int(n) for n in sizes)
    if not sizes:
        return ""
    few = " and ".join(str(n) for n in sizes) if len(sizes) <= 2 else f"{sizes[0]} to {sizes[-1]}"
    return (
        f"With {few} children an exact test can detect only very large differences; a "
        "non-significant result is not evidence that the groups are alike, and with many "
        "comparisons some 'significant' results are expected by chance."
    )


def proportion_interval(count, n, method: str = DEFAULT_INTERVAL, level: float = 0.95):
    """Lower and upper bound of the interval for ``count`` of ``n`` (arrays allowed)."""
    if method not in INTERVAL_METHODS:
        raise ValueError(f"method must be one of {sorted(INTERVAL_METHODS)}, not {method!r}")
    count, n = np.asarray(count, dtype=float), np.asarray(n, dtype=float)
    if np.any(n <= 0) or np.any(count < 0) or np.any(count > n):
        raise ValueError("need 0 <= count <= n and n > 0")
    low, high = proportion_confint(count, n, alpha=1 - level, method=INTERVAL_METHODS[method])
    # Both methods give exactly 0 (1) when count is 0 (n); remove floating-point dust there.
    low = np.where(count == 0, 0.0, np.clip(low, 0, 1))
    high = np.where(count == n, 1.0, np.clip(high, 0, 1))
    return low, high


def with_intervals(
    frame: pd.DataFrame,
    count: str = "count",
    n: str = "denominator",
    method: str = DEFAULT_INTERVAL,
) -> pd.DataFrame:
    """``frame`` with ``ci_low`` and ``ci_high`` (as percentages) for ``count`` of ``n``."""
    out = frame.copy()
    low, high = proportion_interval(out[count], out[n], method=method)
    out["ci_low"] = 100 * low
    out["ci_high"] = 100 * high
    return out


@dataclass(frozen=True)
class Comparison:
    """Two groups' proportions compared by Fisher's exact test."""

    count_a: int
    n_a: int
    count_b: int
    n_b: int
    odds_ratio: float
    or_low: float
    or_high: float
    p_value: float


@functools.lru_cache(maxsize=4096)
def compare_two(count_a: int, n_a: int, count_b: int, n_b: int) -> Comparison:
    """Fisher's exact test (two-sided) of ``count_a/n_a`` against ``count_b/n_b``.

    Cached: the exact interval of the odds ratio is found by root finding, and the same small
    tables come back again and again (every partnership comparison, every context table).
    """
    table = np.array([[count_a, n_a - count_a], [count_b, n_b - count_b]])
    if (table < 0).any():
        raise ValueError("counts must not exceed their denominators")
    p_value = stats.fisher_exact(table, alternative="two-sided").pvalue
    result = stats.contingency.odds_ratio(table, kind="conditional")
    ci = result.confidence_interval(confidence_level=0.95)
    return Comparison(
        count_a, n_a, count_b, n_b, float(result.statistic), ci.low, ci.high, float(p_value)
    )
