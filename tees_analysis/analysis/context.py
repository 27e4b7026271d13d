"""Co-occurrence against outcome and context, with exact tests.

:func:`context_tests` crosses each factor, "two or more" and "all of them" with the outcome
(died or significantly harmed), neglect, age under 2 and the partnership: counts per group,
the odds ratio with its central exact interval and the matched exact conditional (central)
test (:func:`tees_analysis.analysis.stats.compare_two`), and for the number of factors the
exact Fisher-Freeman-Halton test (:func:`exact_test`); Holm-adjusted p-values over all the
tables of one call. :func:`context_view` lays one context out for reading; :func:`low_p_lines`
lists the tables with a small p-value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data.schema import TOXIC_TRIO
from . import stats
from .cooccurrence import IDENTIFIED, SPECIFIC, _share, fmt_ratio, label, recorded

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


#: The ``test`` of a yes/no exposure in :func:`context_tests`.
TWO_BY_TWO = "exact conditional, central (2 x 2)"
#: The columns of :func:`context_tests` (``p_holm`` follows ``p_value``).
COLUMNS = ["context", "exposure", "group", "other", "in group", "in other", "odds ratio",
           "ci_low", "ci_high", "p_value", "test"]  # fmt: skip


def _counts_text(values: np.ndarray, levels) -> str:
    counts = "/".join(str(int((values == v).sum())) for v in levels)
    return f"{counts} with {'/'.join(map(str, levels))} factors"


def context_tests(children: pd.DataFrame, factors=TOXIC_TRIO, contexts=CONTEXTS) -> pd.DataFrame:
    """Each exposure against each context, with an exact test.

    For a yes/no exposure: the children with it in each group, the odds ratio (conditional
    maximum likelihood, central exact 95% interval) and the central p-value of the same exact
    conditional test, so the interval excludes 1 exactly when p < 0.05
    (:func:`tees_analysis.analysis.stats.compare_two`). For the number of factors (0 to k):
    the counts per number in each group, and the exact Fisher-Freeman-Halton p-value of the
    2 x (k+1) table. ``p_holm`` is Holm's adjustment over every table of this call with a
    p-value (one family). Contexts whose column is absent are skipped; children with a
    missing context value are left out of that context, and so are children with a factor not
    recorded (:func:`~.cooccurrence.recorded`). A test that cannot be computed (a group with no
    child, or an exposure that no child or every child has) has no p-value, and its ``test``
    says why.
    """
    children = recorded(children, factors)
    expo = exposures(children, factors)
    count = children[list(factors)].astype(bool).sum(axis=1)
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
            c = stats.compare_two(a, na, b, nb)
            test = _not_computed(na, nb, first, second, a + b) if c.reason else TWO_BY_TWO
            rows.append(
                {
                    "context": ctx.name, "exposure": name, "group": first, "other": second,
                    "in group": _share(a, na), "in other": _share(b, nb),
                    "odds ratio": c.odds_ratio, "ci_low": c.or_low, "ci_high": c.or_high,
                    "p_value": c.p_value, "test": test,
                }
            )  # fmt: skip
        x = count.to_numpy()[keep]
        levels = range(k + 1)
        t = np.array([[int(((x == v) & g).sum()) for v in levels],
                      [int(((x == v) & ~g).sum()) for v in levels]])  # fmt: skip
        t = t[:, t.sum(axis=0) > 0]
        computable = t.shape[1] > 1 and g.any() and (~g).any()
        test = f"Fisher-Freeman-Halton exact (2 x {t.shape[1]})"
        if not (g.any() and (~g).any()):
            test = _not_computed(int(g.sum()), int((~g).sum()), first, second)
        elif t.shape[1] <= 1:
            test = "not computed: every child has the same number of factors"
        rows.append(
            {
                "context": ctx.name, "exposure": exposure_names(factors)[-1], "group": first,
                "other": second, "in group": _counts_text(x[g], levels),
                "in other": _counts_text(x[~g], levels), "odds ratio": np.nan,
                "ci_low": np.nan, "ci_high": np.nan,
                "p_value": exact_test(t) if computable else np.nan, "test": test,
            }
        )  # fmt: skip
    out = pd.DataFrame(rows, columns=COLUMNS)
    out.insert(out.columns.get_loc("p_value") + 1, "p_holm", stats.holm(out["p_value"]))
    return out


def _not_computed(
    n_first: int, n_second: int, first: str, second: str, exposed: int | None = None
) -> str:
    """Why a comparison of two groups cannot be computed: a group with no child, or (given
    the number ``exposed`` of children with the exposure) no child or every child exposed."""
    empty = [name for name, n in ((first, n_first), (second, n_second)) if n == 0]
    if empty:
        return f"not computed: no child among {' or '.join(empty)}"
    if exposed == 0:
        return "not computed: no child has this exposure"
    return "not computed: every child has this exposure"


def context_view(results: pd.DataFrame, context: str) -> pd.DataFrame:
    """One context's rows of :func:`context_tests` (joined with :func:`identification`),
    laid out for reading: counts per group, odds ratio with interval, p-value and Holm-adjusted
    p-value, status."""
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
            "p (Holm)": part["p_holm"].round(3),
            "test": part["test"],
        }
    )
    if "identification" in part:
        view["status"] = part["identification"]
    return view.reset_index(drop=True)


def low_p_lines(results: pd.DataFrame, alpha: float = 0.05, data_label: str = "these data"):
    """The tables of :func:`context_tests` with p below ``alpha``, as Markdown list lines.

    Grouped by status when the results carry :func:`identification` (identified by the report
    first); otherwise all under ``data_label`` (data other than the report's, about which the
    published figures identify nothing). Tables whose test could not be computed are counted
    apart.
    """
    if "identification" in results:
        groups = [
            (name, results[results["identification"] == name]) for name in (IDENTIFIED, SPECIFIC)
        ]
    else:
        groups = [(data_label, results)]
    lines = []
    for name, part in groups:
        tested = part[part["p_value"].notna()]
        hits = tested[tested["p_value"] < alpha]
        untested = len(part) - len(tested)
        extra = f"; {untested} not computed" if untested else ""
        lines.append(
            f"- **{name}**: {len(tested)} tables tested, {len(hits)} with p < {alpha:g} "
            f"(uncorrected){extra}"
        )
        lines += [f"  - {r.context} × {r.exposure}: p = {r.p_value:.3f}" for r in hits.itertuples()]
    return lines
