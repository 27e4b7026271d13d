"""Exact conditional inference on odds ratios: one 2 x 2 table, or several strata of them.

For 2 x 2 tables ``[[a_k, b_k], [c_k, d_k]]`` (one per stratum ``k``) with every margin fixed,
the count ``T = sum_k a_k`` has, under a common odds ratio ``psi``, the distribution

    P_psi(T = t) = c_t psi^t / sum_s c_s psi^s,

where ``c_t`` are the coefficients of the product over strata of the polynomials
``sum_x comb(a_k + b_k, x) comb(c_k + d_k, m_k - x) psi^x`` (``m_k = a_k + c_k``): the
convolution of the strata's Fisher noncentral hypergeometric distributions. With one stratum
this is the distribution behind Fisher's exact test. Everything here is read off the exact
integer coefficients (:class:`Conditional`):

* the **central** two-sided p-value for ``psi = 1``: ``min(1, 2 min(P(T <= t), P(T >= t)))``,
  from exact rational tail probabilities;
* the **central** exact interval: the lower bound solves ``P_psi(T >= t) = alpha/2``, the upper
  ``P_psi(T <= t) = alpha/2`` (``alpha = 1 - level``), by root finding on ``log psi``
  (:func:`scipy.optimize.brentq`); ``0`` or ``inf`` when ``t`` is at an end of the support;
* the conditional maximum-likelihood estimate: the ``psi`` at which ``E_psi(T) = t``.

The p-value and the interval invert the same two one-sided tests, so **the interval excludes 1
exactly when p < alpha**. This holds with no tolerance: the side of 1 on which each bound lies
is decided from the same exact rational tail at ``psi = 1`` as the p-value, and the root finder
is bracketed on that side (a bound that rounding would put on 1 is moved to the adjacent
float). A bound is exactly 1 only when its tail at ``psi = 1`` is exactly ``alpha/2``; then
``p = alpha`` exactly, which is not below ``alpha``, and the closed interval contains 1.

:func:`stratified` adds the Mantel-Haenszel estimate of the common odds ratio and, for
reading, the Breslow-Day test of homogeneity with Tarone's adjustment
(``statsmodels``). ``tees_analysis.analysis.stats.compare_two`` is the one-stratum case.
"""

from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from scipy.optimize import brentq
from statsmodels.stats.contingency_tables import StratifiedTable

#: The method of every p-value and interval here, in words for tables.
METHOD = "exact conditional, central (p and 95% interval matched)"
STRATIFIED_METHOD = (
    "exact conditional for a common odds ratio, central (p and 95% interval matched); "
    "Mantel-Haenszel estimate"
)
HOMOGENEITY_TEST = "Breslow-Day with Tarone's adjustment"

_NAN = float("nan")
_LOG_MAX = math.log(np.finfo(float).max)
_STEPS = 12  # the bracket search doubles |log psi| up to 2**12 (far beyond any small table)


@dataclass(frozen=True)
class Conditional:
    """The distribution of ``T`` given every margin, under odds ratio 1 (exact integers).

    ``weights[i]`` is proportional to ``P(T = low + i)``; ``observed`` is the observed ``T``.
    """

    low: int
    weights: tuple[int, ...]
    observed: int

    @property
    def index(self) -> int:
        """Position of the observed ``T`` in ``weights``."""
        return self.observed - self.low

    def tails(self) -> tuple[Fraction, Fraction]:
        """Exact ``P(T <= observed)`` and ``P(T >= observed)`` under odds ratio 1."""
        total = sum(self.weights)
        k = self.index
        return Fraction(sum(self.weights[: k + 1]), total), Fraction(sum(self.weights[k:]), total)


@dataclass(frozen=True)
class Inference:
    """What :func:`infer` finds from a :class:`Conditional` distribution."""

    odds_ratio: float
    low: float
    high: float
    p_value: float
    p_less: float
    p_greater: float


def stratum_weights(a: int, b: int, c: int, d: int) -> tuple[int, tuple[int, ...]]:
    """Lowest possible ``a`` and the weights ``comb(a+b, x) comb(c+d, m-x)`` of one table."""
    n1, n2, m = a + b, c + d, a + c
    low, high = max(0, m - n2), min(n1, m)
    return low, tuple(math.comb(n1, x) * math.comb(n2, m - x) for x in range(low, high + 1))


def convolve(first: tuple[int, ...], second: tuple[int, ...]) -> tuple[int, ...]:
    """The coefficients of the product of two polynomials (exact integers)."""
    out = [0] * (len(first) + len(second) - 1)
    for i, u in enumerate(first):
        for j, v in enumerate(second):
            out[i + j] += u * v
    return tuple(out)


def conditional(tables) -> Conditional:
    """The exact conditional distribution of ``T = sum a_k`` for 2 x 2 ``tables`` of ints."""
    low, weights, observed = 0, (1,), 0
    for (a, b), (c, d) in tables:
        lo, w = stratum_weights(a, b, c, d)
        low, weights, observed = low + lo, convolve(weights, w), observed + a
    return Conditional(low, weights, observed)


def _log_sum_exp(values: list[float]) -> float:
    top = max(values)
    return top + math.log(sum(math.exp(v - top) for v in values))


class _Curves:
    """Tail probabilities and mean of ``T`` as functions of ``theta = log psi`` (floats)."""

    def __init__(self, dist: Conditional):
        self.log_w = [math.log(w) for w in dist.weights]
        self.k = dist.index

    def _terms(self, theta: float) -> list[float]:
        return [lw + i * theta for i, lw in enumerate(self.log_w)]

    def log_upper(self, theta: float) -> float:
        """``log P(T >= observed)``, increasing in ``theta``."""
        terms = self._terms(theta)
        return _log_sum_exp(terms[self.k :]) - _log_sum_exp(terms)

    def log_lower(self, theta: float) -> float:
        """``log P(T <= observed)``, decreasing in ``theta``."""
        terms = self._terms(theta)
        return _log_sum_exp(terms[: self.k + 1]) - _log_sum_exp(terms)

    def mean_excess(self, theta: float) -> float:
        """``E(T) - observed``, increasing in ``theta``."""
        terms = self._terms(theta)
        top = max(terms)
        e = [math.exp(v - top) for v in terms]
        return sum(i * w for i, w in enumerate(e)) / sum(e) - self.k


def _sign(x) -> int:
    return (x > 0) - (x < 0)


def _root(f, sign_at_zero: int) -> float:
    """The root of the increasing function ``f`` of ``theta``, on the side of 0 given by the
    exact sign of ``f(0)``: negative when ``f(0) > 0``, positive when ``f(0) < 0``, 0 when
    ``f(0) = 0``. Never 0 unless ``sign_at_zero`` is 0."""
    if sign_at_zero == 0:
        return 0.0
    direction = -sign_at_zero  # the root lies this way from 0

    def g(theta: float) -> float:
        value = f(theta)
        if theta == 0.0 and _sign(value) != sign_at_zero:
            return sign_at_zero * math.ulp(0.0)  # floating dust at 0: the exact sign wins
        return value

    inner, outer = 0.0, float(direction)
    for _ in range(_STEPS):
        if _sign(g(outer)) != sign_at_zero:  # crossed (or hit) the root
            break
        inner, outer = outer, 2 * outer
    else:
        raise RuntimeError("no root found for log psi within +-2**12")
    lo, hi = sorted((inner, outer))
    theta = brentq(g, lo, hi, xtol=1e-13, rtol=4 * np.finfo(float).eps)
    # Keep the root strictly on the side the exact arithmetic says.
    return theta if theta * direction > 0 else direction * math.ulp(0.0)


def _psi(theta: float, side: int) -> float:
    """``exp(theta)``, kept strictly on ``side`` of 1 (``+1`` above, ``-1`` below, 0 at 1)."""
    if theta > _LOG_MAX:
        return math.inf
    psi = math.exp(theta)
    if side > 0 and psi <= 1.0:
        return math.nextafter(1.0, math.inf)
    if side < 0 and psi >= 1.0:
        return math.nextafter(1.0, 0.0)
    return psi


def _half_alpha(level: float) -> Fraction:
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, not {level}")
    return (1 - Fraction(str(level))) / 2


def p_value_of(less: Fraction, greater: Fraction, level: float = 0.95) -> float:
    """The central two-sided p-value as a float, on the exact side of ``alpha = 1 - level``.

    ``float()`` of a fraction is correctly rounded, so it can round a p just below ``alpha``
    up to the float ``alpha``; the p-value is then moved down one ulp, so that ``p < alpha``
    in floating point whenever it holds exactly (a change far below any displayed digit).
    """
    exact = min(Fraction(1), 2 * min(less, greater))
    alpha = 2 * _half_alpha(level)
    p = float(exact)
    if exact < alpha and p >= float(alpha):
        p = math.nextafter(float(alpha), 0.0)
    return p


@functools.lru_cache(maxsize=8192)
def infer(dist: Conditional, level: float = 0.95) -> Inference:
    """Central exact p-value, matched central interval and conditional MLE for ``dist``.

    ``dist`` must have at least two possible values of ``T`` (every margin positive).
    """
    if len(dist.weights) < 2:
        raise ValueError("T has a single possible value: no test (a margin is 0)")
    half = _half_alpha(level)
    less, greater = dist.tails()
    curves = _Curves(dist)
    k, last = dist.index, len(dist.weights) - 1
    log_half = math.log(half)
    with np.errstate(all="ignore"):
        # Lower bound: P_psi(T >= t) = alpha/2 (none when t is the smallest value: 0).
        if k == 0:
            low = 0.0
        else:
            side = _sign(half - greater)  # above 1 exactly when P_1(T >= t) < alpha/2
            theta = _root(lambda th: curves.log_upper(th) - log_half, _sign(greater - half))
            low = _psi(theta, side)
        # Upper bound: P_psi(T <= t) = alpha/2 (none when t is the largest value: inf).
        if k == last:
            high = math.inf
        else:
            side = _sign(less - half)  # below 1 exactly when P_1(T <= t) < alpha/2
            theta = _root(lambda th: log_half - curves.log_lower(th), _sign(half - less))
            high = _psi(theta, side)
        # Conditional MLE: E_psi(T) = t.
        if k == 0:
            estimate = 0.0
        elif k == last:
            estimate = math.inf
        else:
            excess = Fraction(sum(i * w for i, w in enumerate(dist.weights)), sum(dist.weights))
            sign = _sign(excess - k)
            estimate = _psi(_root(curves.mean_excess, sign), -sign)
    return Inference(estimate, low, high, p_value_of(less, greater, level), float(less),
                     float(greater))  # fmt: skip


# --------------------------------------------------------------------------- strata


def has_zero_margin(table) -> bool:
    """A 2 x 2 table with a row or column sum 0: it carries no information on the odds ratio."""
    (a, b), (c, d) = table
    return min(a + b, c + d, a + c, b + d) == 0


@dataclass(frozen=True)
class Stratified:
    """A common odds ratio over strata of 2 x 2 tables (:func:`stratified`)."""

    tables: tuple
    n_strata: int  # strata used
    n_dropped: int  # strata dropped for a zero margin
    mh_odds_ratio: float
    odds_ratio: float  # conditional maximum-likelihood estimate of the common odds ratio
    or_low: float
    or_high: float
    p_value: float
    p_less: float
    p_greater: float
    homogeneity_statistic: float
    homogeneity_p: float
    homogeneity_note: str
    reason: str = ""
    method: str = STRATIFIED_METHOD

    @property
    def tested(self) -> bool:
        return not self.reason

    @property
    def strata_note(self) -> str:
        """How many strata were used and dropped, in words."""
        used = f"{self.n_strata} stratum" if self.n_strata == 1 else f"{self.n_strata} strata"
        if not self.n_dropped:
            return f"{used} used"
        return f"{used} used, {self.n_dropped} dropped (a row or column total of 0)"


def _as_key(tables) -> tuple:
    key = []
    for table in tables:
        t = np.asarray(table)
        if t.shape != (2, 2):
            raise ValueError("every stratum must be a 2 x 2 table")
        if not np.all(np.equal(np.mod(t, 1), 0)) or (t < 0).any():
            raise ValueError("table cells must be non-negative integers")
        key.append(tuple(tuple(int(v) for v in row) for row in t))
    return tuple(key)


def stratified(tables, level: float = 0.95) -> Stratified:
    """Common odds ratio of the 2 x 2 ``tables`` (one per stratum, e.g. per partnership).

    The Mantel-Haenszel estimate; the exact conditional inference for a common odds ratio
    (central p-value for odds ratio 1, the matched central interval, the conditional MLE; see
    the module docstring); and the Breslow-Day test of homogeneity with Tarone's adjustment
    where ``statsmodels`` defines it (two strata or more, a Mantel-Haenszel estimate other than
    0, 1 and infinity; otherwise NaN and ``homogeneity_note`` says why). Strata with a zero
    margin carry no information and are dropped (``n_dropped``); with none left, nothing is
    tested and ``reason`` says why. Cached: pass the tables as tuples to share the cache.
    """
    return _stratified(_as_key(tables), level)


@functools.lru_cache(maxsize=4096)
def _stratified(tables: tuple, level: float) -> Stratified:
    kept = tuple(t for t in tables if not has_zero_margin(t))
    dropped = len(tables) - len(kept)
    if not kept:
        reason = (
            "no stratum given"
            if not tables
            else "no stratum has every row and column total above 0"
        )
        note = "not computed: no stratum used"
        return Stratified(tables, 0, dropped, *([_NAN] * 9), note, reason)
    result = infer(conditional(kept), level)
    mh = mantel_haenszel(kept)
    statistic, p, note = _homogeneity(kept, mh)
    return Stratified(
        tables, len(kept), dropped, mh, result.odds_ratio, result.low, result.high,
        result.p_value, result.p_less, result.p_greater, statistic, p, note,
    )  # fmt: skip


def mantel_haenszel(tables) -> float:
    """``sum(a d / n) / sum(b c / n)`` (``inf`` when only the denominator is 0)."""
    top = sum(Fraction(a * d, a + b + c + d) for (a, b), (c, d) in tables)
    bottom = sum(Fraction(b * c, a + b + c + d) for (a, b), (c, d) in tables)
    if bottom == 0:
        return math.inf if top > 0 else _NAN
    return float(top / bottom)


_NO_HOMOGENEITY = (
    "not computed: statsmodels' Breslow-Day test needs a Mantel-Haenszel estimate other than 0, "
    "1 and infinity"
)


def _homogeneity(tables, mh: float) -> tuple[float, float, str]:
    if len(tables) < 2:
        return _NAN, _NAN, "not computed: one stratum"
    if not (0 < mh < math.inf) or mh == 1:
        return _NAN, _NAN, _NO_HOMOGENEITY
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = StratifiedTable([np.array(t) for t in tables]).test_equal_odds(adjust=True)
    statistic, p = float(result.statistic), float(result.pvalue)
    if not (math.isfinite(statistic) and math.isfinite(p)):
        return _NAN, _NAN, "not computed: the expected counts reach a boundary"
    return statistic, p, HOMOGENEITY_TEST
