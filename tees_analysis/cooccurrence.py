"""How domestic abuse, parental mental ill-health and substance misuse occur together.

Four questions, answered by functions that notebook 06 calls in order:

1. **What do the published figures identify?** The report gives how many children had each
   factor, never how many had two or three. :func:`load_bounds` reads the exact bounds of every
   co-occurrence count over *all* datasets consistent with the report (computed by
   :func:`tees_analysis.bounds.trio_bounds`, committed in ``data/reconstruction/bounds.csv``)
   beside the Frechet bounds from the three totals alone; :func:`bounds_table` and
   :func:`plot_bounds` show them.
2. **What does a case-level dataset show?** Every function here takes a children table and the
   names of its yes/no factor columns, so it works for the reconstruction and for an analyst's
   own file alike: :func:`trio_table` (all combinations), :func:`combinations`,
   :func:`pairwise`, :func:`odds_ratios` (conditional maximum-likelihood odds ratios with exact
   intervals), :func:`loglinear` (mutual independence -> all pairwise associations ->
   saturated, Poisson models of the cell counts compared by deviance) and the figures
   :func:`plot_upset`, :func:`plot_venn`, :func:`plot_pairwise`.
3. **Co-occurrence against outcome and context.** :func:`context_tests` crosses each factor,
   "two or more" and "all three" with the outcome (died or significantly harmed), neglect,
   age under 2 and the partnership, with exact tests. :func:`identification` says, for each
   table, whether the report pins it down: *identified* only when an exact integer program
   over every dataset consistent with the satisfied figures finds a single value; *specific to
   the reconstruction* when another dataset, reproducing every figure exactly as the
   reconstruction does, gives a different table (the dataset is exhibited) -- or when neither
   can be shown.
4. **Sensitivity.** :func:`witness_tables` rebuilds the toxic-trio tables of the datasets with
   the fewest and the most children with all three factors (the witnesses of the bounds), and
   :func:`sensitivity` repeats the analyses of (2) on them beside the chosen reconstruction.

Nothing here emits warnings: the UpSet plotting library's deprecation warnings are silenced
inside :func:`plot_upset`, and anything statsmodels or numpy warn while fitting the log-linear
models is captured and returned as plain-language notes.
"""

from __future__ import annotations

import itertools
import math
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats as sps

from . import stats
from .bounds import QUANTITIES, QUANTITY_WORDS, parse_witness
from .paths import DATA
from .schema import TOXIC_TRIO

BOUNDS_FILE = DATA / "reconstruction" / "bounds.csv"
SATISFIED_FILE = DATA / "reconstruction" / "satisfied.csv"
READINGS_FILE = DATA / "reconstruction" / "readings.csv"

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
#: Colours of the three factors in the Venn diagram.
FACTOR_COLOURS = ("#1b9e77", "#d95f02", "#7570b3")


def label(factor: str) -> str:
    """A factor column's name in words (``domestic_abuse`` -> ``Domestic abuse``)."""
    return LABELS.get(factor, factor.replace("_", " ").capitalize())


def short(factor: str) -> str:
    """A factor column's abbreviation (``domestic_abuse`` -> ``DA``)."""
    return SHORT.get(factor, factor.replace("_", " "))


def _share(k: int, n: int) -> str:
    return f"{k} of {n} ({100 * k / n:.0f}%)" if n else f"{k} of 0"


# =========================================================================== 1. identified


def load_bounds(path: Path | str = BOUNDS_FILE) -> pd.DataFrame:
    """The committed toxic-trio bounds (one row per scope and quantity), with ``n``."""
    bounds = pd.read_csv(path, dtype={"witness_min": str, "witness_max": str})
    bounds["n"] = bounds["margins"].str.rsplit(" of ", n=1).str[1].astype(int)
    return bounds


def bounds_table(bounds: pd.DataFrame) -> pd.DataFrame:
    """The bounds in words: per scope and quantity, the exact and the Frechet ranges."""
    out = pd.DataFrame(
        {
            "scope": bounds["scope"],
            "children": bounds["n"],
            "quantity": bounds["quantity"].map(QUANTITY_SHORT),
            "exact range (all consistent datasets)": [
                f"{lo} to {hi}" for lo, hi in zip(bounds["min"], bounds["max"], strict=True)
            ],
            "from the three totals alone (Frechet)": [
                f"{lo} to {hi}"
                for lo, hi in zip(bounds["frechet_min"], bounds["frechet_max"], strict=True)
            ],
            "narrower than the totals alone": (
                (bounds["min"] != bounds["frechet_min"]) | (bounds["max"] != bounds["frechet_max"])
            ).map({True: "yes", False: "no"}),
            "reconstruction (a choice, not a finding)": bounds["reconstruction"],
        }
    )
    return out.reset_index(drop=True)


def plot_bounds(bounds: pd.DataFrame, colours: dict[str, str] | None = None):
    """One panel per scope: Frechet range (wide, grey), exact range (narrow), reconstruction."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    from .style import PARTNERSHIP_COLOURS

    colours = PARTNERSHIP_COLOURS if colours is None else colours
    scopes = list(dict.fromkeys(bounds["scope"]))
    quantities = list(QUANTITIES)
    fig, axes = plt.subplots(1, len(scopes), figsize=(4.0 * len(scopes), 3.6), sharey=True)
    axes = np.atleast_1d(axes)
    for ax, scope in zip(axes, scopes, strict=True):
        part = bounds[bounds["scope"] == scope].set_index("quantity").loc[quantities]
        n = int(part["n"].iloc[0])
        y = np.arange(len(quantities))
        ax.barh(
            y, part["frechet_max"] - part["frechet_min"], left=part["frechet_min"], height=0.62,
            color="#dddddd", label="possible from the three totals alone (Frechet)",
        )  # fmt: skip
        ax.barh(
            y, part["max"] - part["min"], left=part["min"], height=0.3,
            color=colours.get(scope, "#4d4d4d"), label="possible given every published figure",
        )  # fmt: skip
        # A range of one value has zero width: mark its ends so it stays visible.
        ax.scatter(part["min"], y, marker="|", s=120, color=colours.get(scope, "#4d4d4d"))
        ax.scatter(part["max"], y, marker="|", s=120, color=colours.get(scope, "#4d4d4d"))
        ax.scatter(
            part["reconstruction"], y, s=30, facecolor="white", edgecolor="black", zorder=3,
            label="the reconstruction's value (a choice)",
        )  # fmt: skip
        ax.set_xlim(-0.5, n + 0.5)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(f"{scope} (n = {n} children)")
        ax.set_xlabel(f"children, of {n}")
        ax.set_yticks(y, [QUANTITY_SHORT[q] for q in quantities])
        ax.grid(axis="y", visible=False)
    axes[0].invert_yaxis()
    handles, labels_ = axes[0].get_legend_handles_labels()
    order = [1, 2, 0]  # grey range, coloured range, reconstruction
    fig.legend([handles[i] for i in order], [labels_[i] for i in order], loc="upper center",
               ncol=3, fontsize=8, frameon=False)  # fmt: skip
    fig.suptitle(" ", fontsize=20)  # room for the legend above the panels
    return fig


# =========================================================================== 2. case-level data


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


def witness_tables(
    bounds: pd.DataFrame, scope: str = "Tees", quantity: str = "all_three"
) -> dict[str, pd.Series]:
    """The trio tables of the datasets attaining the minimum and the maximum of ``quantity``.

    Witness strings hold each partnership's 8 cells; for a partnership scope only its cells
    are kept, for the all-partnership scope they are added up.
    """
    row = bounds[(bounds["scope"] == scope) & (bounds["quantity"] == quantity)]
    if len(row) != 1:
        raise KeyError(f"no bound for {scope} {quantity}")
    row = row.iloc[0]
    out = {}
    for kind, column in (("minimum", "witness_min"), ("maximum", "witness_max")):
        parsed = parse_witness(row[column])
        partnerships = {p for p, _ in parsed}
        cells: dict[tuple, int] = {}
        for (p, cell), count in parsed.items():
            if scope in partnerships and p != scope:
                continue
            cells[cell] = cells.get(cell, 0) + count
        out[kind] = table_from_cells(cells)
    return out


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
    maximum-likelihood odds ratio with its exact 95% interval, the sample odds ratio and
    Fisher's exact two-sided p-value (:func:`tees_analysis.stats.compare_two`)."""
    factors = _factors(table)
    rows = []
    for a, b in itertools.combinations(factors, 2):
        t = two_by_two(table, a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
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
    return pd.DataFrame(rows)


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


def _fit_poisson(y: np.ndarray, x: np.ndarray):
    """Poisson GLM fit; returns (fitted values, deviance, parameters, captured warnings)."""
    from statsmodels.genmod.families import Poisson
    from statsmodels.genmod.generalized_linear_model import GLM

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with np.errstate(all="warn"):
            result = GLM(y, x, family=Poisson()).fit()
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
    for name, order in HIERARCHY:
        order = k if order is None else order
        x, terms = design_matrix(k, order)
        mu, deviance, _params, caught = _fit_poisson(y, x)
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
            f"With {n} children (smallest fitted count {small:.2f} under the unsaturated models) "
            "the chi-square p-values of the deviance tests are rough approximations; read them "
            "as descriptive, not as confirmatory tests."
        )
    tests = []
    for a, b in itertools.pairwise(rows):
        change, dfc = a["deviance"] - b["deviance"], a["df"] - b["df"]
        tests.append(
            {
                "comparison": f"{a['model']} -> {b['model']}",
                "tests": "pairwise associations (all at once)"
                if b["model"] == "all pairwise associations"
                else "the three-factor interaction",
                "deviance change": max(change, 0.0),
                "df": dfc,
                "p_value": float(sps.chi2.sf(max(change, 0.0), dfc)),
            }
        )
    return LogLinear(models, pd.DataFrame(tests), pd.DataFrame(fitted), tuple(notes))


# --------------------------------------------------------------------------- figures


def plot_upset(table: pd.Series, title: str | None = None):
    """UpSet plot of every combination (``upsetplot``), its deprecation warnings silenced."""
    import matplotlib.pyplot as plt
    import upsetplot

    factors, n = _factors(table), int(table.sum())
    totals = margins(table)
    named = table.copy()
    # Leading spaces keep the labels clear of the totals bars (upsetplot measures them tight).
    named.index = named.index.set_names([f"      {short(f)} ({totals[f]} of {n})" for f in factors])
    fig = plt.figure(figsize=(8.0, 4.8))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pd.errors.Pandas4Warning)
        warnings.filterwarnings("ignore", category=FutureWarning, module="upsetplot")
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="upsetplot")
        plot = upsetplot.UpSet(
            named, show_counts=True, sort_by="cardinality", facecolor="#4d4d4d",
            element_size=None, intersection_plot_elements=6, totals_plot_elements=2,
        )  # fmt: skip
        axes = plot.plot(fig=fig)
    axes["intersections"].set_ylabel(f"children (of {n})")
    axes["totals"].set_title("with the factor", fontsize=8, fontweight="normal")
    fig.suptitle(title or f"Every combination of the three factors ({n} children)", x=0.02,
                 ha="left", fontsize=11, fontweight="bold")  # fmt: skip
    key = "\n".join(f"{short(f)} = {label(f).lower()}" for f in factors)
    fig.text(0.02, 0.82, f"{key}\n\nThe column with no dots:\nchildren with none of them.",
             fontsize=8, color="#555555", va="top")  # fmt: skip
    return fig


#: Where each region's count is written in the Venn diagram (cell -> x, y), circles of radius 1
#: centred at (-0.55, 0.35), (0.55, 0.35) and (0, -0.55).
_VENN_CENTRES = ((-0.55, 0.35), (0.55, 0.35), (0.0, -0.55))
_VENN_TEXT = {
    (True, False, False): (-1.0, 0.65),
    (False, True, False): (1.0, 0.65),
    (False, False, True): (0.0, -1.1),
    (True, True, False): (0.0, 0.85),
    (True, False, True): (-0.72, -0.38),
    (False, True, True): (0.72, -0.38),
    (True, True, True): (0.0, 0.03),
}


def plot_venn(table: pd.Series, title: str | None = None):
    """A three-set Venn diagram (circles, not to scale) with the count of every region."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Circle

    factors = _factors(table)
    if len(factors) != 3:
        raise ValueError("a Venn diagram of three sets needs exactly three factors")
    n = int(table.sum())
    totals = margins(table)
    counts = dict(zip(_cells(table), table.to_numpy(), strict=True))
    fig, ax = plt.subplots(figsize=(5.6, 5.0))
    for (x, y), colour in zip(_VENN_CENTRES, FACTOR_COLOURS, strict=True):
        ax.add_patch(Circle((x, y), 1.0, facecolor=colour, alpha=0.22, edgecolor=colour, lw=2))
    for cell, (x, y) in _VENN_TEXT.items():
        ax.text(x, y, str(int(counts[cell])), ha="center", va="center", fontsize=14,
                fontweight="bold")  # fmt: skip
    places = ((-1.15, 1.48, "center"), (1.15, 1.48, "center"), (0.0, -1.75, "center"))
    for f, colour, (x, y, ha) in zip(factors, FACTOR_COLOURS, places, strict=True):
        ax.text(x, y, f"{label(f)}\n{totals[f]} of {n}", ha=ha, va="center", fontsize=9,
                color=colour, fontweight="bold")  # fmt: skip
    ax.text(1.75, -1.55, f"none of the three:\n{int(counts[(False, False, False)])}",
            ha="right", va="center", fontsize=9)  # fmt: skip
    ax.set_xlim(-1.9, 1.9)
    ax.set_ylim(-2.0, 1.8)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title or f"The three factors among {n} children")
    ax.text(0, -1.98, "circles and regions not to scale", ha="center", fontsize=8,
            color="#555555")  # fmt: skip
    return fig


def plot_pairwise(table: pd.Series, title: str | None = None):
    """Heatmaps of the pairwise matrices: counts, Jaccard and P(column | row)."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    n = int(table.sum())
    mats = pairwise_matrices(table)
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.7))
    specs = (
        ("counts", f"children with both (of {n});\ndiagonal: with the factor", "d", None),
        ("jaccard", "Jaccard: both / either", ".2f", (0, 1)),
        ("conditional", "P(column factor | row factor)", ".0%", (0, 1)),
    )
    for ax, (key, heading, fmt, limits) in zip(axes, specs, strict=True):
        vmin, vmax = limits if limits else (0, n)
        sns.heatmap(mats[key], annot=True, fmt=fmt, cmap="Blues", vmin=vmin, vmax=vmax,
                    cbar=False, square=True, ax=ax, linewidths=0.5)  # fmt: skip
        ax.set_title(heading, fontsize=9.5)
        ax.set_xlabel("")
        ax.set_ylabel("")
        ax.tick_params(axis="y", rotation=0)
    names = ", ".join(f"{short(f)} = {label(f).lower()}" for f in _factors(table))
    fig.suptitle(title or f"Pairs of factors ({n} children): {names}", x=0.01, ha="left",
                 fontsize=11, fontweight="bold")  # fmt: skip
    return fig


def save_figure(fig, name: str, caption: str) -> list[Path]:
    """:func:`tees_analysis.style.save`, without matplotlib's tight-layout compatibility note.

    UpSet plots are laid out on their own grid, which matplotlib's tight layout reports as
    incompatible (a cosmetic note, not an error); only that message is silenced.
    """
    from . import style

    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=".*not compatible with tight_layout.*", category=UserWarning
        )
        return style.save(fig, name, caption)


# =========================================================================== 3. context


def exposure_names(factors=TOXIC_TRIO) -> list[str]:
    """Names of the exposures of :func:`exposures`, the number of factors last."""
    k = len(factors)
    words = "three" if k == 3 else f"{k} factors"
    return [
        *(label(f).lower() for f in factors),
        f"two or more of the {words}",
        "all three" if k == 3 else f"all {k} factors",
        f"number of factors (0 to {k})",
    ]


def exposures(children: pd.DataFrame, factors=TOXIC_TRIO) -> pd.DataFrame:
    """Yes/no exposures of each child: each factor, two or more of them, all of them."""
    values = children[list(factors)].astype("boolean").fillna(False).astype(bool)
    names = exposure_names(factors)
    out = {name: values[f] for name, f in zip(names, factors, strict=False)}
    count = values.sum(axis=1)
    out[names[len(factors)]] = count >= 2
    out[names[len(factors) + 1]] = count == len(factors)
    return pd.DataFrame(out, index=children.index)


@dataclass(frozen=True)
class Context:
    """A yes/no context of each child: ``True`` (first group), ``False`` (second), or
    missing (left out)."""

    name: str
    column: str
    groups: tuple[str, str]
    values: object  # callable: children -> Series of True/False/NA

    def of(self, children: pd.DataFrame) -> pd.Series:
        return self.values(children).astype("boolean")


def _outcome(children):
    values = children["outcome"].astype(object)
    return values.map({"died": True, "significant harm": False}).astype("boolean")


def _neglect(children):
    return children["neglect"].astype("boolean")


def _under_2(children):
    return children["under_2"].astype("boolean").fillna(False)


def _partnership(children):
    values = children["partnership"].astype(object)
    return (values == "HSSCP").astype("boolean").where(values.isin(["HSSCP", "STSCP"]))


#: The contexts crossed with the exposures in :func:`context_tests`.
CONTEXTS = (
    Context("outcome", "outcome", ("died", "significantly harmed"), _outcome),
    Context("neglect", "neglect", ("neglect", "no neglect recorded"), _neglect),
    Context("age", "under_2", ("recorded as under 2", "not recorded as under 2"), _under_2),
    Context("partnership", "partnership", ("HSSCP", "STSCP"), _partnership),
)


def exact_test(table) -> float:
    """Exact test of independence for a 2 x C (or R x 2) table (Fisher-Freeman-Halton).

    Every table with the observed margins is enumerated; its probability under independence is
    ``prod comb(r_i, x_i) / comb(N, c)`` (exact integers), and the p-value is the total
    probability of the tables no more probable than the observed one. For a 2 x 2 table this is
    Fisher's exact two-sided test.
    """
    t = np.asarray(table, dtype=int)
    if t.ndim != 2 or 2 not in t.shape:
        raise ValueError("need a 2 x C or R x 2 table")
    if (t < 0).any():
        raise ValueError("counts must not be negative")
    if t.shape[1] != 2:
        t = t.T
    rows = [int(r) for r in t.sum(axis=1)]
    first = int(t[:, 0].sum())
    total = math.comb(int(t.sum()), first)
    observed = math.prod(math.comb(r, int(x)) for r, x in zip(rows, t[:, 0], strict=True))
    mass = 0

    def walk(i: int, left: int, weight: int) -> None:
        nonlocal mass
        if i == len(rows) - 1:
            if left <= rows[i]:
                w = weight * math.comb(rows[i], left)
                if w <= observed:
                    mass += w
            return
        rest = sum(rows[i + 1 :])
        for x in range(max(0, left - rest), min(rows[i], left) + 1):
            walk(i + 1, left - x, weight * math.comb(rows[i], x))

    walk(0, first, 1)
    return min(1.0, mass / total)


def _counts_text(values: np.ndarray, levels) -> str:
    counts = "/".join(str(int((values == v).sum())) for v in levels)
    return f"{counts} with {'/'.join(map(str, levels))} factors"


def context_tests(children: pd.DataFrame, factors=TOXIC_TRIO, contexts=CONTEXTS) -> pd.DataFrame:
    """Each exposure against each context, with an exact test.

    For a yes/no exposure: the children with it in each group, the odds ratio (conditional
    maximum likelihood, exact 95% interval) and Fisher's exact p-value. For the number of
    factors (0 to k): the counts per number in each group, and the exact
    Fisher-Freeman-Halton p-value of the 2 x (k+1) table. Contexts whose column is absent are
    skipped; children with a missing context value are left out of that context.
    """
    expo = exposures(children, factors)
    count = children[list(factors)].astype("boolean").fillna(False).astype(bool).sum(axis=1)
    k = len(factors)
    rows = []
    for ctx in contexts:
        if ctx.column not in children:
            continue
        group = ctx.of(children)
        keep = group.notna().to_numpy()
        g = group[keep].astype(bool).to_numpy()
        first, second = ctx.groups
        for name in expo.columns:
            x = expo[name].to_numpy()[keep]
            a, na, b, nb = int(x[g].sum()), int(g.sum()), int(x[~g].sum()), int((~g).sum())
            c = stats.compare_two(a, na, b, nb) if na and nb else None
            rows.append(
                {
                    "context": ctx.name, "exposure": name, "group": first, "other": second,
                    "in group": _share(a, na), "in other": _share(b, nb),
                    "odds ratio": c.odds_ratio if c else np.nan,
                    "ci_low": c.or_low if c else np.nan, "ci_high": c.or_high if c else np.nan,
                    "p_value": c.p_value if c else np.nan, "test": "Fisher exact (2 x 2)",
                }
            )  # fmt: skip
        x = count.to_numpy()[keep]
        levels = range(k + 1)
        t = np.array([[int(((x == v) & g).sum()) for v in levels],
                      [int(((x == v) & ~g).sum()) for v in levels]])  # fmt: skip
        t = t[:, t.sum(axis=0) > 0]
        rows.append(
            {
                "context": ctx.name, "exposure": exposure_names(factors)[-1], "group": first,
                "other": second, "in group": _counts_text(x[g], levels),
                "in other": _counts_text(x[~g], levels), "odds ratio": np.nan,
                "ci_low": np.nan, "ci_high": np.nan,
                "p_value": exact_test(t) if t.shape[1] > 1 and g.any() and (~g).any() else np.nan,
                "test": f"Fisher-Freeman-Halton exact (2 x {t.shape[1]})",
            }
        )  # fmt: skip
    return pd.DataFrame(rows)


def context_view(results: pd.DataFrame, context: str) -> pd.DataFrame:
    """One context's rows of :func:`context_tests` (joined with :func:`identification`),
    laid out for reading: counts per group, odds ratio with interval, p-value, status."""
    part = results[results["context"] == context]
    if part.empty:
        raise KeyError(f"no context {context!r}")
    first, second = part["group"].iloc[0], part["other"].iloc[0]
    view = pd.DataFrame(
        {
            "exposure": part["exposure"],
            f"among {first}": part["in group"],
            f"among {second}": part["in other"],
            "odds ratio (95% CI)": [
                "" if pd.isna(r) else f"{fmt_ratio(r)} ({fmt_ratio(lo)} to {fmt_ratio(hi)})"
                for r, lo, hi in zip(
                    part["odds ratio"], part["ci_low"], part["ci_high"], strict=True
                )
            ],
            "p": part["p_value"].round(3),
            "test": part["test"],
        }
    )
    if "identification" in part:
        view["status"] = part["identification"]
    return view.reset_index(drop=True)


def low_p_lines(results: pd.DataFrame, alpha: float = 0.05, data_label: str = "these data"):
    """The tables of :func:`context_tests` with p below ``alpha``, as lines of text.

    Grouped by status when the results carry :func:`identification` (identified by the report
    first); otherwise all under ``data_label`` (data other than the report's, about which the
    published figures identify nothing).
    """
    if "identification" in results:
        groups = [
            (name, results[results["identification"] == name]) for name in (IDENTIFIED, SPECIFIC)
        ]
    else:
        groups = [(data_label, results)]
    lines = []
    for name, part in groups:
        hits = part[part["p_value"] < alpha]
        lines.append(f"{name}: {len(part)} tables, {len(hits)} with p < {alpha:g} (uncorrected)")
        lines += [f"    {r.context} x {r.exposure}: p = {r.p_value:.3f}" for r in hits.itertuples()]
    return lines


# --------------------------------------------------------------------------- identification


@dataclass
class ConsistentModel:
    """The reconstruction's integer program with every satisfied figure imposed.

    Its feasible solutions are exactly the datasets consistent with the report as the
    reconstruction reads it (chosen readings, the 49 figures that can hold together).
    """

    model: object
    fix: dict
    n_satisfied: int

    @classmethod
    def from_files(
        cls, satisfied: Path | str = SATISFIED_FILE, readings: Path | str = READINGS_FILE
    ) -> ConsistentModel:
        """Built from the committed ``satisfied.csv`` and ``readings.csv`` (no solving)."""
        from .published import load_published
        from .reconstruct import CaseModel, build_plan
        from .rules import load_rules

        figures = load_published()
        rules = load_rules(figures=figures)
        model = CaseModel(build_plan(rules, figures, chosen_readings(readings)))
        table = pd.read_csv(satisfied)
        ids = list(table.loc[table["satisfied"].astype(bool), "figure_id"])
        return cls(model, model.hard(ids), len(ids))

    @classmethod
    def from_reconstruction(cls, result) -> ConsistentModel:
        """From a :class:`tees_analysis.reconstruct.Reconstruction` in memory."""
        ids = result.satisfied_ids
        return cls(result.model, result.model.hard(ids), len(ids))

    def trio_range(self, partnership: str, test) -> tuple[int, int]:
        """Fewest and most children of ``partnership`` whose (DA, PMH, SM) cell passes
        ``test``, over every consistent dataset."""
        from .bounds import trio_cells
        from .reconstruct import Expr

        cells = trio_cells(self.model, partnership)
        expr = Expr.total(e for cell, e in cells.items() if test(cell))
        low = self.model.ilp.solve(expr, maximize=False, fix=self.fix)
        high = self.model.ilp.solve(expr, maximize=True, fix=self.fix)
        return low.count(expr), high.count(expr)

    def size_range(self, partnership: str) -> tuple[int, int]:
        expr = self.model.n[partnership]
        low = self.model.ilp.solve(expr, maximize=False, fix=self.fix)
        high = self.model.ilp.solve(expr, maximize=True, fix=self.fix)
        return low.count(expr), high.count(expr)


def chosen_readings(path: Path | str = READINGS_FILE) -> dict[str, str]:
    """The reading options the reconstruction chose (``chosen`` column of readings.csv)."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    chosen = table[table["chosen"].str.casefold() == "true"]
    return dict(zip(chosen["reading"], chosen["option"], strict=True))


#: Exposures as tests on the (DA, PMH, SM) cell, for the integer program.
_CELL_TESTS = {
    "domestic abuse": lambda c: c[0],
    "parental mental ill-health": lambda c: c[1],
    "substance misuse": lambda c: c[2],
    "two or more of the three": lambda c: sum(c) >= 2,
    "all three": lambda c: all(c),
}
#: Columns exchanged between two children to build an alternative dataset: a whole
#: component of linked fields at a time, so that every link between fields still holds.
SWAP_GROUPS = {
    "toxic trio": TOXIC_TRIO,
    "outcome": ("outcome",),
    "neglect": ("neglect", "csc_status", "harm_category", "plan_category"),
    "age": ("age_months", "age_band"),
}
_CONTEXT_GROUP = {"outcome": "outcome", "neglect": "neglect", "age": "age"}


def _links_hold(dataset, rules, readings) -> bool:
    """Every link between a child's fields and every reading's theme link hold in ``dataset``."""
    from .measures import _matches
    from .schema import THEMES, theme_field

    children, reviews = dataset.children, dataset.reviews
    for link in rules.links:
        when = _matches(children, link.when.field, link.when.value)
        then = np.zeros(len(children), dtype=bool)
        for value in link.then_values:
            then |= _matches(children, link.then_field, value).to_numpy()
        if (when.to_numpy() & ~then).any():
            return False
    codes = {name: code for code, name in THEMES}
    for theme, indicator in rules.themes.items():
        reading = rules.reading_for(rules.children_measure, theme)
        if reading is None or theme not in codes:
            continue
        link = reading.option(readings[reading.id]).params.get("link", "none")
        flag_col = theme_field(codes[theme])
        flags = reviews.set_index("review_id")[flag_col].astype("boolean").fillna(False)
        has = _matches(children, indicator, True).groupby(children["review_id"]).agg(["any", "all"])
        has = has.reindex(flags.index, fill_value=False)
        flagged = flags.astype(bool)
        if link in ("iff", "review_implies_child") and (flagged & ~has["any"]).any():
            return False
        if link in ("iff", "child_implies_review") and (has["any"] & ~flagged).any():
            return False
        if link == "all_children_have_indicator" and (flagged & ~has["all"]).any():
            return False
    return True


def _linked_flags(rules, columns) -> list[str]:
    """Review flag columns of the themes whose child indicator is among ``columns``."""
    from .schema import THEMES, theme_field

    codes = {name: code for code, name in THEMES}
    fields = set(columns) | ({"under_2"} if {"age_band", "age_months"} & set(columns) else set())
    return [
        theme_field(codes[theme])
        for theme, indicator in rules.themes.items()
        if indicator in fields and theme in codes
    ]


def _swapped(dataset, i: int, j: int, columns, flags=()) -> object:
    """``dataset`` with ``columns`` exchanged between children ``i`` and ``j`` and, when each
    is the only child of its review, the review ``flags`` exchanged between their reviews."""
    from .derive import under_2
    from .pipeline import Dataset

    children = dataset.children.copy()
    cols = [c for c in columns if c in children]
    first, second = children.loc[i, cols].copy(), children.loc[j, cols].copy()
    for c in cols:
        children.at[i, c], children.at[j, c] = second[c], first[c]
    if "age_band" in cols or "age_months" in cols:
        children["under_2"] = under_2(children)
    reviews = dataset.reviews
    if flags:
        reviews = reviews.copy()
        ri = reviews.index[reviews["review_id"] == children.at[i, "review_id"]][0]
        rj = reviews.index[reviews["review_id"] == children.at[j, "review_id"]][0]
        for f in flags:
            reviews.at[ri, f], reviews.at[rj, f] = reviews.at[rj, f], reviews.at[ri, f]
    return Dataset(reviews, children, dataset.changes, dataset.files)


def _figure_values(dataset, rules, readings) -> pd.DataFrame:
    from .measures import compute_figures

    return compute_figures(dataset, rules, readings)[["figure_id", "count", "denominator"]]


def identification(
    dataset,
    consistent: ConsistentModel | None = None,
    rules=None,
    readings=None,
    factors=TOXIC_TRIO,
    contexts=CONTEXTS,
) -> pd.DataFrame:
    """Is each table of :func:`context_tests` identified by the report?

    * context **partnership**: the integer program gives, for each partnership, the fewest and
      most children with the exposure over every consistent dataset; the table is *identified*
      when every count is a single value, else *specific to the reconstruction*.
    * other contexts: a search for an alternative dataset -- two children of the same
      partnership exchange a whole group of linked fields (the toxic trio, or the context's
      group) -- that changes the table while reproducing **every** published figure's count
      and denominator exactly as ``dataset`` does and keeping every link and reading. If one
      is found the table is *specific to the reconstruction* (the exchange is named); if none
      is, it is still called *specific to the reconstruction* (not shown to be identified:
      no figure links these fields).
    """
    from .published import load_published
    from .rules import load_rules

    if tuple(factors) != TOXIC_TRIO:
        raise ValueError("identification is defined for the toxic-trio factors of the report")
    if rules is None:
        rules = load_rules(figures=load_published())
    readings = rules.check_readings(chosen_readings() if readings is None else readings)
    children = dataset.children.reset_index(drop=True)
    dataset = type(dataset)(dataset.reviews, children, dataset.changes, dataset.files)
    expo = exposures(children, factors)
    count = expo.iloc[:, : len(factors)].sum(axis=1).to_numpy()
    names = exposure_names(factors)
    rows = []
    reference = None
    partnership = children["partnership"].astype(object).to_numpy()
    for ctx in contexts:
        if ctx.column not in children:
            continue
        if ctx.name == "partnership":
            rows += _identify_partnership(ctx, names, consistent, rules)
            continue
        if reference is None:
            reference = _figure_values(dataset, rules, readings)
        group = ctx.of(children)
        resolved = _search_swaps(
            dataset, ctx, expo, count, names, group, partnership, reference, rules, readings
        )
        for name in names:
            evidence = resolved.get(name)
            rows.append(
                {
                    "context": ctx.name,
                    "exposure": name,
                    "identification": SPECIFIC,
                    "evidence": evidence
                    or "not shown to be identified: no published figure links these fields, "
                    "but no single exchange of two children's values that keeps every figure "
                    "changes this table",
                }
            )
    return pd.DataFrame(rows)


def _identify_partnership(ctx, names, consistent, rules) -> list[dict]:
    rows = []
    if consistent is None:
        return [
            {"context": ctx.name, "exposure": name, "identification": SPECIFIC,
             "evidence": "not checked (no integer program given)"}
            for name in names
        ]  # fmt: skip
    partnerships = list(rules.partnerships)
    sizes = {p: consistent.size_range(p) for p in partnerships}
    tests = dict(_CELL_TESTS)
    counts = {v: f"with {v} factor{'' if v == 1 else 's'}" for v in range(4)}
    for v, key in counts.items():
        tests[key] = lambda c, v=v: sum(c) == v
    for name in names:
        keys = list(counts.values()) if name.startswith("number") else [name]
        ranges = {(p, key): consistent.trio_range(p, tests[key]) for p in partnerships
                  for key in keys}  # fmt: skip
        fixed = all(lo == hi for lo, hi in ranges.values()) and all(
            lo == hi for lo, hi in sizes.values()
        )
        if fixed:
            parts = [f"{p} {ranges[p, keys[0]][0]} of {sizes[p][0]}" for p in partnerships]
            evidence = (
                f"the same in all datasets consistent with the {consistent.n_satisfied} "
                "satisfied figures (exact bounds: " + ", ".join(parts) + ")"
                if len(keys) == 1
                else f"the same in every dataset consistent with the {consistent.n_satisfied} "
                "satisfied figures"
            )
        else:
            spans = [
                f"{p} {key if len(keys) > 1 else ''}: {lo} to {hi}".replace(" :", ":")
                for (p, key), (lo, hi) in ranges.items()
                if lo != hi
            ]
            evidence = (
                "varies over the datasets consistent with the report (exact bounds: "
                + "; ".join(spans) + ")"
            )  # fmt: skip
        rows.append(
            {
                "context": ctx.name,
                "exposure": name,
                "identification": IDENTIFIED if fixed else SPECIFIC,
                "evidence": evidence,
            }
        )
    return rows


def _signature(x: np.ndarray, g: pd.Series) -> tuple:
    values = g.to_numpy(dtype=object, na_value=None)
    keep = np.array([v is not None for v in values])
    pairs = {}
    for xi, gi in zip(x[keep], values[keep], strict=True):
        key = (int(xi), bool(gi))
        pairs[key] = pairs.get(key, 0) + 1
    return tuple(sorted(pairs.items()))


def _search_swaps(dataset, ctx, expo, count, names, group, partnership, reference, rules,
                  readings, max_checks: int = 40) -> dict[str, str]:  # fmt: skip
    """Exchanges that keep every figure and change some tables: exposure name -> evidence."""
    children = dataset.children
    columns = {name: expo[name].to_numpy().astype(int) for name in expo.columns}
    columns[names[-1]] = count.astype(int)
    base = {name: _signature(columns[name], group) for name in names}
    groups = [("toxic trio", SWAP_GROUPS["toxic trio"])]
    if ctx.name in _CONTEXT_GROUP:
        groups.append((ctx.name, SWAP_GROUPS[_CONTEXT_GROUP[ctx.name]]))
    reviews = children["review_id"].astype(object).to_numpy()
    sizes = pd.Series(reviews).value_counts()
    ids = children["child_id"].astype(object).to_numpy()
    pairs = [
        (i, j)
        for i, j in itertools.combinations(range(len(children)), 2)
        if partnership[i] == partnership[j]
    ]
    resolved: dict[str, str] = {}
    checks = 0
    for gname, cols in groups:
        present = [c for c in cols if c in children]
        flags = _linked_flags(rules, present)
        for i, j in pairs:
            if len(resolved) == len(names) or checks >= max_checks:
                return resolved
            if all(_same(children.at[i, c], children.at[j, c]) for c in present):
                continue
            changed = []
            for name in names:
                if name in resolved:
                    continue
                x, g = columns[name].copy(), group.copy()
                if gname == "toxic trio":
                    x[[i, j]] = x[[j, i]]
                else:
                    g.iloc[i], g.iloc[j] = group.iloc[j], group.iloc[i]
                if _signature(x, g) != base[name]:
                    changed.append(name)
            if not changed:
                continue
            singles = reviews[i] != reviews[j] and sizes[reviews[i]] == sizes[reviews[j]] == 1
            alternative = _swapped(dataset, i, j, present, flags if singles else ())
            if not _links_hold(alternative, rules, readings):
                continue
            checks += 1
            if not _figure_values(alternative, rules, readings).equals(reference):
                continue
            if reviews[i] == reviews[j]:
                how = "two children of the same review"
            elif singles:
                how = "each the only child of its review; their reviews exchange the matching "
                how += "theme flags too"
            else:
                how = "two children of the same partnership"
            text = (
                f"another dataset gives a different table: exchange the {gname} values of "
                f"{ids[i]} and {ids[j]} ({how}); every published figure keeps its count and "
                "denominator, and every link and reading still holds"
            )
            for name in changed:
                resolved[name] = text
    return resolved


def _same(a, b) -> bool:
    if isinstance(a, tuple) or isinstance(b, tuple):
        return a == b
    if pd.isna(a) or pd.isna(b):
        return bool(pd.isna(a) and pd.isna(b))
    return bool(a == b)


# =========================================================================== 4. sensitivity


def sensitivity(tables: dict[str, pd.Series]) -> dict[str, pd.DataFrame]:
    """The analyses of one table repeated on several (e.g. chosen, fewest, most all-three).

    Returns ``cells`` (children per combination), ``margins`` (children per factor -- equal
    in all tables when they are consistent with the same report), ``conditional`` (P(B | A)),
    ``odds_ratios`` (odds ratio with exact interval, and p-value), ``loglinear`` (deviance,
    df and p-value of each model) and ``tests`` (each step of the hierarchy), each with one
    column (or block of columns) per table, and ``notes`` (the log-linear notes per table).
    """
    cells = pd.DataFrame({name: combinations(t).set_index("combination")["children"]
                          for name, t in tables.items()})  # fmt: skip
    margin = pd.DataFrame({name: margins(t) for name, t in tables.items()})
    margin.index = [label(f) for f in margin.index]
    conditional = pd.DataFrame(
        {name: pairwise(t).set_index(["A", "B"])["P(B | A)"] for name, t in tables.items()}
    )
    ors, models, tests, notes = {}, {}, {}, []
    for name, t in tables.items():
        o = odds_ratios(t).set_index("pair")
        ors[name] = pd.DataFrame(
            {
                "odds ratio (95% CI)": [
                    f"{fmt_ratio(r)} ({fmt_ratio(lo)} to {fmt_ratio(hi)})"
                    for r, lo, hi in zip(o["odds ratio"], o["ci_low"], o["ci_high"], strict=True)
                ],
                "p": o["p_value"].round(3),
            },
            index=o.index,
        )
        fit = loglinear(t)
        models[name] = fit.models.set_index("model")[["deviance", "df", "p_value"]].round(3)
        tests[name] = fit.tests.set_index("comparison")[["deviance change", "df", "p_value"]]
        tests[name] = tests[name].round(3)
        notes += [{"table": name, "note": note} for note in fit.notes]
    return {
        "cells": cells,
        "margins": margin,
        "conditional": conditional.round(2),
        "odds_ratios": pd.concat(ors, axis=1),
        "loglinear": pd.concat(models, axis=1),
        "tests": pd.concat(tests, axis=1),
        "notes": pd.DataFrame(notes),
    }


def fmt_ratio(value: float) -> str:
    """An odds ratio for display: two significant digits, 'inf' and '0' kept."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if math.isinf(value):
        return "inf"
    if value == 0:
        return "0"
    return f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 100 else f"{value:.0f}"


def plot_sensitivity(tables: dict[str, pd.Series], colours: dict[str, str] | None = None):
    """Combination counts and pairwise odds ratios (log scale, exact 95% CI) per table."""
    import matplotlib.pyplot as plt

    names = list(tables)
    palette = colours or dict(zip(names, ("#4d4d4d", "#2c7fb8", "#d95f0e", "#31a354"),
                                  strict=False))  # fmt: skip
    n = int(next(iter(tables.values())).sum())
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2),
                                      gridspec_kw={"width_ratios": [1.25, 1]})  # fmt: skip
    frames = {name: combinations(t) for name, t in tables.items()}
    order = frames[names[0]]["combination"].tolist()
    width = 0.8 / len(names)
    x = np.arange(len(order))
    for k, name in enumerate(names):
        counts = frames[name].set_index("combination").loc[order, "children"]
        left.bar(x + (k - (len(names) - 1) / 2) * width, counts, width, label=name,
                 color=palette[name])  # fmt: skip
    left.set_xticks(x, order, rotation=35, ha="right")
    left.set_ylabel(f"children (of {n})")
    left.set_title("Children in each combination")
    left.legend(fontsize=8, frameon=False)
    low_lim, high_lim = 0.02, 1000.0
    pairs = None
    for k, name in enumerate(names):
        o = odds_ratios(tables[name])
        pairs = o["pair"].tolist()
        y = np.arange(len(o)) + (k - (len(names) - 1) / 2) * 0.22
        est = o["odds ratio"].clip(low_lim, high_lim).fillna(1.0)
        lo = o["ci_low"].clip(low_lim, high_lim)
        hi = o["ci_high"].clip(low_lim, high_lim)
        right.hlines(y, lo, hi, color=palette[name], lw=2)
        right.scatter(est, y, color=palette[name], s=25, zorder=3, label=name)
    right.axvline(1, color="#999999", lw=1, ls="--")
    right.set_xscale("log")
    right.set_xlim(low_lim, high_lim)
    right.set_yticks(np.arange(len(pairs)), pairs)
    right.invert_yaxis()
    right.set_xlabel("odds ratio, log scale (exact 95% interval;\nclipped at the axis ends)")
    right.set_title(f"Pairwise odds ratios ({n} children)")
    return fig


__all__ = [
    "CONTEXTS",
    "IDENTIFIED",
    "QUANTITY_WORDS",
    "SPECIFIC",
    "ConsistentModel",
    "LogLinear",
    "bounds_table",
    "combinations",
    "combinations_by",
    "context_tests",
    "context_view",
    "exact_test",
    "identification",
    "load_bounds",
    "loglinear",
    "low_p_lines",
    "odds_ratios",
    "pairwise",
    "pairwise_matrices",
    "plot_bounds",
    "plot_pairwise",
    "plot_sensitivity",
    "plot_upset",
    "plot_venn",
    "save_figure",
    "sensitivity",
    "table_from_cells",
    "tables_by",
    "trio_table",
    "witness_tables",
]
