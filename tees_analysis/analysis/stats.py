"""Uncertainty for small counts: intervals on proportions and exact two-group comparisons.

With a dozen or so children per partnership, a percentage moves by several points per child, so
every proportion in the collection is shown with a 95% interval, and comparisons between the
two partnerships use exact tests rather than large-sample approximations.

* Interval: the **Wilson score interval** (``statsmodels`` ``proportion_confint(method="wilson")``).
  It keeps close to its nominal 95% coverage for small n and for proportions near 0 or 1, where
  the textbook (Wald) interval fails; Clopper-Pearson is available as the conservative
  alternative (``method="clopper-pearson"``).
* Comparison: the **exact conditional test** on the 2x2 table of the two groups, with a
  **central** two-sided p-value and the **matched** central exact interval of the odds ratio
  (both invert the same two one-sided tests, so the interval excludes 1 exactly when p < 0.05),
  and the conditional maximum-likelihood odds ratio (:func:`compare_two`, built on
  :mod:`.exact`). Fisher's usual two-sided p (the sum of the tables no more probable) is not
  used: beside the central interval it can be below 0.05 while the interval contains 1.
* Several comparisons at once: :func:`holm` adjusts a family of p-values (Holm's step-down
  method); :func:`stratified` (from :mod:`.exact`) pools strata (e.g. partnerships) into a
  Mantel-Haenszel and an exact conditional common odds ratio.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from . import exact
from .exact import Stratified, stratified

__all__ = [
    "DEFAULT_INTERVAL", "INTERVAL_METHODS", "INTERVAL_NAMES", "METHOD", "Comparison",
    "Stratified", "compare_two", "holm", "proportion_interval", "small_sample_caveat",
    "stratified", "with_intervals",
]  # fmt: skip

#: The method of :func:`compare_two`, in words for tables.
METHOD = exact.METHOD

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
    """Two groups' proportions compared by the exact conditional test (:func:`compare_two`).

    ``p_less`` and ``p_greater`` are the one-sided p-values ``P(X <= count_a)`` and
    ``P(X >= count_a)`` under odds ratio 1. A table with a row or column total of 0 has no
    test: every number is NaN and ``reason`` says why.
    """

    count_a: int
    n_a: int
    count_b: int
    n_b: int
    odds_ratio: float
    or_low: float
    or_high: float
    p_value: float
    p_less: float = math.nan
    p_greater: float = math.nan
    reason: str = ""
    method: str = METHOD

    @property
    def tested(self) -> bool:
        return not self.reason


def _no_test_reason(count_a: int, n_a: int, count_b: int, n_b: int) -> str:
    """Why the table of :func:`compare_two` has no test, or ``""`` when it has one."""
    if n_a == 0 and n_b == 0:
        return "no child in either group"
    if n_a == 0:
        return "no child in the first group"
    if n_b == 0:
        return "no child in the second group"
    if count_a + count_b == 0:
        return "no child in either group has it"
    if count_a + count_b == n_a + n_b:
        return "every child in both groups has it"
    return ""


@functools.lru_cache(maxsize=4096)
def compare_two(count_a: int, n_a: int, count_b: int, n_b: int) -> Comparison:
    """Exact conditional comparison of ``count_a/n_a`` with ``count_b/n_b`` (p and interval
    matched).

    On the table ``[[count_a, n_a - count_a], [count_b, n_b - count_b]]`` with its margins
    fixed, ``X = count_a`` is hypergeometric under odds ratio 1. The p-value is the **central**
    two-sided one, ``min(1, 2 min(P(X <= x), P(X >= x)))``; the 95% interval is the central
    exact conditional interval (the one of ``scipy.stats.contingency.odds_ratio(...,
    kind="conditional")``), which inverts the same one-sided tests at 2.5% each, so it
    excludes 1 exactly when p < 0.05 (decided in exact arithmetic, see :mod:`.exact`); the
    odds ratio is the conditional maximum-likelihood estimate. A table with a row or column
    total of 0 has no test: NaN everywhere, and ``reason`` says why.

    Cached: the interval is found by root finding, and the same small tables come back again
    and again (every partnership comparison, every context table).
    """
    if min(count_a, count_b) < 0 or count_a > n_a or count_b > n_b:
        raise ValueError("counts must not exceed their denominators")
    reason = _no_test_reason(count_a, n_a, count_b, n_b)
    if reason:
        nan = math.nan
        return Comparison(count_a, n_a, count_b, n_b, nan, nan, nan, nan, nan, nan, reason)
    table = ((count_a, n_a - count_a), (count_b, n_b - count_b))
    r = exact.infer(exact.conditional((table,)))
    return Comparison(
        count_a, n_a, count_b, n_b, r.odds_ratio, r.low, r.high, r.p_value, r.p_less,
        r.p_greater,
    )  # fmt: skip


def holm(p_values):
    """Holm's step-down adjustment of a family of p-values (as ``statsmodels``' Holm).

    NaN p-values (tests not computed) are left out of the family and stay NaN. Returns an
    array of the same length, or a Series with the same index when given one. Adjusted values
    are at least the raw ones, at most 1, and in the same order as the raw ones.
    """
    index = p_values.index if isinstance(p_values, pd.Series) else None
    p = np.asarray(p_values, dtype=float).reshape(-1)
    tested = ~np.isnan(p)
    if ((p[tested] < 0) | (p[tested] > 1)).any():
        raise ValueError("p-values must be between 0 and 1")
    out = np.full(p.shape, np.nan)
    if tested.any():
        out[tested] = _holm_family(tuple(p[tested].tolist()))
    return out if index is None else pd.Series(out, index=index, name=p_values.name)


def _holm_family(p_values: tuple[float, ...]) -> np.ndarray:
    """Holm-adjusted ``p_values`` (no NaN): sorted ascending, the i-th smallest (from 0) is
    multiplied by ``m - i``, the running maximum keeps the order, and 1 caps them.

    Written out (five lines) rather than through ``statsmodels.multipletests``, whose Holm
    branch runs ``gc.collect()`` on every call -- tens of milliseconds in a full process; the
    tests check it equals ``multipletests(method="holm")``.
    """
    p = np.asarray(p_values, dtype=float)
    order = np.argsort(p, kind="stable")
    scaled = (len(p) - np.arange(len(p))) * p[order]
    adjusted = np.minimum(np.maximum.accumulate(scaled), 1.0)
    out = np.empty_like(adjusted)
    out[order] = adjusted
    return out
