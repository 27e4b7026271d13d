"""Log-linear models of a table of factor combinations: how strongly the factors associate.

:func:`loglinear` fits mutual independence, all pairwise associations and the saturated
model as Poisson models of the ``2**k`` cell counts (statsmodels), compares them by deviance,
and turns anything the fitting software warns into plain-language notes: nothing here emits a
warning.
"""

from __future__ import annotations

import itertools
import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as sps

from .cooccurrence import _cells, _factors, combination_name, short

# --------------------------------------------------------------------------- log-linear models

#: The hierarchy fitted by :func:`loglinear`: name and highest order of interaction.
HIERARCHY = (("mutual independence", 1), ("all pairwise associations", 2), ("saturated", None))


def design_matrix(k: int, order: int) -> tuple[np.ndarray, list[tuple[int, ...]]]:
    """Indicator coding for the ``2**k`` cells: intercept and products up to ``order``."""
    cells = list(itertools.product((0, 1), repeat=k))
    terms = [()]
    for size in range(1, order + 1):
        terms += list(itertools.combinations(range(k), size))
    matrix = np.array([[math.prod(cell[i] for i in term) for term in terms] for cell in cells])
    return matrix.astype(float), terms


def _term_text(terms, names) -> str:
    tops = [t for t in terms if t and not any(set(t) < set(u) for u in terms)]
    return " + ".join("×".join(names[i] for i in t) for t in tops)


@dataclass(frozen=True)
class LogLinear:
    """The log-linear hierarchy fitted to one table.

    ``models``: per model its terms, number of parameters, residual degrees of freedom,
    deviance (G^2 against the saturated model), its chi-square p-value and the smallest fitted
    count. ``tests``: each step of the hierarchy as a likelihood-ratio test (the change in
    deviance on the change in degrees of freedom). ``fitted``: observed and fitted counts per
    cell. ``notes``: plain-language warnings where empty cells or small fitted counts make
    estimates or p-values unstable, and anything the fitting software warned.
    """

    models: pd.DataFrame
    tests: pd.DataFrame
    fitted: pd.DataFrame
    notes: tuple[str, ...]


class NotFitted(Exception):
    """The fitting software could not fit a model to the table (e.g. every count is 0)."""


def _fit_poisson(y: np.ndarray, x: np.ndarray):
    """Poisson GLM fit; returns (fitted values, deviance, parameters, captured warnings)."""
    from statsmodels.genmod.families import Poisson
    from statsmodels.genmod.generalized_linear_model import GLM

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with np.errstate(all="warn"):
            try:
                result = GLM(y, x, family=Poisson()).fit()
            except (ValueError, np.linalg.LinAlgError) as error:  # a degenerate table
                raise NotFitted(str(error).splitlines()[0]) from None
    fitted = np.asarray(result.fittedvalues, dtype=float)
    deviance = float(result.deviance)
    if abs(deviance) < 1e-6:  # the saturated fit, up to the solver's tolerance
        deviance = 0.0
    return fitted, deviance, np.asarray(result.params, dtype=float), caught


def loglinear(table: pd.Series) -> LogLinear:
    """Fit mutual independence, all pairwise associations and the saturated model.

    Poisson generalised linear models of the ``2**k`` cell counts (statsmodels). Deviances are
    likelihood-ratio statistics against the saturated model; each step of the hierarchy is
    tested by the change in deviance (chi-square reference, an approximation for small
    counts). Warnings raised while fitting are never printed: they become ``notes``.
    """
    factors = _factors(table)
    names = [short(f) for f in factors]
    k = len(factors)
    y = table.to_numpy().astype(float)
    n = int(y.sum())
    cells = [combination_name(c, factors) for c in _cells(table)]
    notes: list[str] = []
    rows, fitted = [], {"combination": cells, "observed": y.astype(int)}
    seen: set[tuple[str, str, str]] = set()
    if n == 0:
        return _not_fitted(
            table, names, f"No child has every one of the {k} factors recorded, so there is "
            "no table to model: the log-linear models are not fitted."
        )  # fmt: skip
    for name, order in HIERARCHY:
        order = k if order is None else order
        x, terms = design_matrix(k, order)
        try:
            mu, deviance, _params, caught = _fit_poisson(y, x)
        except NotFitted as error:
            return _not_fitted(
                table, names, f"The fitting software could not fit the {name} model to this "
                f"table ({error}); no model is shown."
            )  # fmt: skip
        df = len(y) - len(terms)
        rows.append(
            {
                "model": name,
                "terms": _term_text(terms, names),
                "parameters": len(terms),
                "df": df,
                "deviance": deviance,
                "p_value": float(sps.chi2.sf(deviance, df)) if df > 0 else np.nan,
                "smallest fitted count": float(mu.min()),
            }
        )
        fitted[name] = mu
        # A saturated model always predicts perfectly, and statsmodels says so: only the
        # unsaturated models' warnings carry information.
        for w in caught if df > 0 else ():
            key = (name, type(w.message).__name__, str(w.message).splitlines()[0])
            if key not in seen:
                seen.add(key)
                notes.append(
                    f"While fitting the {name} model the software warned ({key[1]}: {key[2]})."
                )
        if df > 0 and mu.min() < 1e-6:
            notes.append(
                f"The {name} model has no finite maximum-likelihood estimate: a fitted count "
                "tends to zero because of empty cells, so its coefficients are unstable and its "
                "deviance is only a limit."
            )
        elif df > 0 and mu.min() < 1:
            notes.append(
                f"Under the {name} model the smallest fitted count is {mu.min():.2f} (below 1): "
                "the chi-square approximation for its deviance is unreliable."
            )
        if df == 0 and (y == 0).any():
            notes.append(
                "The saturated model reproduces the table exactly; with an empty cell its "
                "highest-order term is infinite in the limit (the fitted coefficients run off "
                "to large values), so its coefficients are not estimable; its deviance is 0 by "
                "construction."
            )
    models = pd.DataFrame(rows)
    empty = [c for c, v in zip(cells, y, strict=True) if v == 0]
    if empty:
        notes.insert(
            0,
            f"{len(empty)} of the {len(y)} cells {'is' if len(empty) == 1 else 'are'} empty "
            f"({', '.join(empty)}): estimates involving {'it' if len(empty) == 1 else 'them'} "
            "are unstable.",
        )
    small = models["smallest fitted count"].iloc[:-1].min()
    if small < 5:
        notes.append(
            f"With {n} {'child' if n == 1 else 'children'} (smallest fitted count {small:.2f} "
            "under the unsaturated models) "
            "the chi-square p-values of the deviance tests are rough approximations; read them "
            "as descriptive, not as confirmatory tests."
        )
    tests = _steps(rows)
    return LogLinear(models, pd.DataFrame(tests), pd.DataFrame(fitted), tuple(notes))


def _not_fitted(table: pd.Series, names: list[str], why: str) -> LogLinear:
    """The hierarchy with no fitted values (deviances and p-values missing) and the reason."""
    k = len(names)
    rows = []
    for name, order in HIERARCHY:
        _, terms = design_matrix(k, k if order is None else order)
        rows.append(
            {"model": name, "terms": _term_text(terms, names), "parameters": len(terms),
             "df": 2**k - len(terms), "deviance": np.nan, "p_value": np.nan,
             "smallest fitted count": np.nan}
        )  # fmt: skip
    tests = _steps(rows)
    cells = [combination_name(c, _factors(table)) for c in _cells(table)]
    fitted = pd.DataFrame({"combination": cells, "observed": table.to_numpy().astype(int)})
    return LogLinear(pd.DataFrame(rows), pd.DataFrame(tests), fitted, (why,))


def _steps(rows: list[dict]) -> list[dict]:
    """Each step of the hierarchy as a likelihood-ratio test (missing where no fit)."""
    tests = []
    for a, b in itertools.pairwise(rows):
        change, dfc = max(a["deviance"] - b["deviance"], 0.0), a["df"] - b["df"]
        tests.append(
            {
                "comparison": f"{a['model']} -> {b['model']}",
                "tests": "pairwise associations (all at once)"
                if b["model"] == "all pairwise associations"
                else "the three-factor interaction",
                "deviance change": change,
                "df": dfc,
                "p_value": float(sps.chi2.sf(change, dfc)),
            }
        )
    return tests


# --------------------------------------------------------------------------- fitting by IPF


def ipf(observed: np.ndarray, margins, tol: float = 1e-9, max_iter: int = 5000) -> np.ndarray:
    """Maximum-likelihood fitted counts of the hierarchical log-linear model whose sufficient
    margins are ``margins`` (tuples of axes), by iterative proportional fitting.

    The fitted table has the observed table's totals over every margin; where the model has no
    finite estimate (empty margin cells) the fitted counts tend to zero, as the Poisson fit's
    do, and the iterations stop when no deviance changes by ``tol`` from one sweep to the
    next. Equal to the Poisson GLM fit of :func:`loglinear` (tested).
    """
    observed = np.asarray(observed, dtype=float)
    return ipf_many(observed[np.newaxis], margins, tol, max_iter)[0]


def ipf_many(observed: np.ndarray, margins, tol: float = 1e-9, max_iter: int = 5000):
    """:func:`ipf` for a stack of tables at once (axis 0 the stack; ``margins`` name the axes
    of one table): the identified set's thousands of tables in one pass of array operations.

    A table leaves the iterations as soon as its deviance changes by less than ``tol`` over five
    sweeps; tables whose model has no finite estimate converge slowly (a fitted count tends to
    zero), and stop at ``max_iter`` sweeps with a deviance a little above its limit.
    """
    observed = np.asarray(observed, dtype=float)
    every = tuple(range(1, observed.ndim))
    rests = [tuple(a for a in every if a - 1 not in m) for m in margins]
    targets = [observed.sum(axis=rest, keepdims=True) for rest in rests]
    totals = observed.sum(axis=every, keepdims=True)
    fitted = np.broadcast_to(totals / math.prod(observed.shape[1:]), observed.shape).copy()
    active = np.flatnonzero(totals.ravel() > 0)
    fitted[totals.ravel() == 0] = 0.0
    last = np.full(len(observed), math.inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        for sweep in range(max_iter):
            if not len(active):
                break
            part = fitted[active]
            for rest, target in zip(rests, targets, strict=True):
                current = part.sum(axis=rest, keepdims=True)
                part = part * np.where(current > 0, target[active] / current, 0.0)
            fitted[active] = part
            if sweep % 5 == 4:
                now = deviances(observed[active], part)
                done = np.abs(last[active] - now) < tol
                last[active] = now
                active = active[~done]
    return fitted


def deviances(observed: np.ndarray, fitted: np.ndarray) -> np.ndarray:
    """G² of each table of a stack (axis 0), cells with no observation adding 0."""
    o = np.asarray(observed, dtype=float).reshape(len(observed), -1)
    f = np.asarray(fitted, dtype=float).reshape(len(fitted), -1)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(o > 0, o * np.log(np.where(o > 0, o, 1.0) / f), 0.0)
    out = 2.0 * terms.sum(axis=1)
    return np.where(np.abs(out) < 1e-9, 0.0, out)


def deviance(observed, fitted) -> float:
    """G² = 2 Σ o log(o / f) (cells with o = 0 add 0)."""
    o = np.asarray(observed, dtype=float)
    return float(deviances(o[np.newaxis], np.asarray(fitted, dtype=float)[np.newaxis])[0])


def model_df(shape: tuple[int, ...], margins) -> int:
    """Residual degrees of freedom of a hierarchical model of a table of ``shape``."""
    terms = {t for m in margins for k in range(len(m) + 1) for t in itertools.combinations(m, k)}
    parameters = sum(math.prod(shape[a] - 1 for a in t) for t in terms)
    return math.prod(shape) - parameters


#: Models of the partnership x DA x PMH x SM table (axis 0 the partnership), as margins.
STRATIFIED = (
    ("factors independent within each partnership", ((0, 1), (0, 2), (0, 3))),
    ("pairwise associations, the same in each partnership",
     ((0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3))),
    ("pairwise associations, each partnership its own", ((0, 1, 2), (0, 1, 3), (0, 2, 3))),
)  # fmt: skip
#: Models of one DA x PMH x SM table, as margins.
POOLED = (
    ("mutual independence", ((0,), (1,), (2,))),
    ("all pairwise associations", ((0, 1), (0, 2), (1, 2))),
)


def stratum_array(tables) -> np.ndarray:
    """Trio tables (Series of :func:`~.cooccurrence.trio_table`, one per stratum) as one
    array: axis 0 the stratum, axes 1-3 the three factors (False before True)."""
    return np.stack([np.asarray(t, dtype=float).reshape(2, 2, 2) for t in tables])


def hierarchy(observed: np.ndarray, models) -> pd.DataFrame:
    """Deviance (against the saturated model), df and chi-square p-value of each model."""
    rows = []
    for name, margins in models:
        fitted = ipf(observed, margins)
        df = model_df(observed.shape, margins)
        g2 = deviance(observed, fitted)
        rows.append(
            {"model": name, "df": df, "deviance": g2,
             "p_value": float(sps.chi2.sf(g2, df)) if df > 0 else np.nan}
        )  # fmt: skip
    return pd.DataFrame(rows)


def stratified_models(tables: dict) -> pd.DataFrame:
    """The log-linear models of :data:`STRATIFIED` for trio tables by partnership.

    ``tables``: partnership -> trio table. With one partnership the models reduce to the
    pooled ones for that partnership. Deviances are likelihood-ratio statistics against the
    saturated model (chi-square reference: rough with these counts).
    """
    observed = stratum_array(list(tables.values()))
    return hierarchy(observed, STRATIFIED)
