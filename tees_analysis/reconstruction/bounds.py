"""Identification bounds for the co-occurrence of the toxic-trio factors.

The report publishes how many children had domestic abuse (DA), parental mental ill-health
(PMH) and substance misuse (SM) -- never how many had two or three of them. With every figure
the best reconstruction satisfies imposed as a hard constraint (the readings fixed at the
chosen ones), :func:`trio_bounds` finds the exact minimum and maximum, over *all* datasets
consistent with those figures, of

* ``all_three`` -- children with DA, PMH and SM;
* ``da_pmh``, ``da_sm``, ``pmh_sm`` -- children with both factors of a pair (whatever the third);
* ``exactly_one`` -- children with exactly one of the three;
* ``none`` -- children with none of them;

per partnership and for Tees (both together), with a *witness* for every bound: the counts of
the 8 DA x PMH x SM cells per partnership in a dataset attaining it. Beside them stand the
Frechet bounds: the sharp bounds from the three marginal counts alone (an 8-cell integer
program with nothing but the marginals), and the reconstruction's own value.
"""

from __future__ import annotations

import itertools

import pandas as pd

from ..data.schema import TOXIC_TRIO
from .ilp import Expr, Ilp, Solution, parallel_map
from .model import CaseModel

#: The quantities bounded, each a test on the (DA, PMH, SM) cell.
QUANTITIES = {
    "all_three": lambda c: all(c),
    "da_pmh": lambda c: c[0] and c[1],
    "da_sm": lambda c: c[0] and c[2],
    "pmh_sm": lambda c: c[1] and c[2],
    "exactly_one": lambda c: sum(c) == 1,
    "none": lambda c: not any(c),
}
CELLS = tuple(itertools.product((False, True), repeat=3))


def cell_label(cell) -> str:
    """``(True, False, True)`` -> ``'101'`` (DA, PMH, SM)."""
    return "".join("1" if v else "0" for v in cell)


def trio_cells(model: CaseModel, p: str) -> dict[tuple, object]:
    """Partnership ``p``'s count of children in each DA x PMH x SM cell, as expressions."""
    comp = model.plan.component_of(TOXIC_TRIO[0])
    at = [comp.at(d) for d in TOXIC_TRIO]
    cells = {c: Expr() for c in CELLS}
    for cell in comp.cells[p]:
        cells[tuple(bool(cell[i]) for i in at)] += model.x[p, comp.name, cell]
    return cells


def _scope(model: CaseModel, scope: str) -> list[str]:
    return list(model.plan.partnerships) if scope == model.plan.rules.all_label else [scope]


def quantity(model: CaseModel, scope: str, name: str):
    """The expression counting quantity ``name`` in ``scope`` (a partnership or Tees)."""
    test = QUANTITIES[name]
    return Expr.total(
        expr for p in _scope(model, scope) for c, expr in trio_cells(model, p).items() if test(c)
    )


def witness(model: CaseModel, solution: Solution) -> str:
    """The trio cells of ``solution``: ``'STSCP 000=1 001=0 ... ; HSSCP ...'``."""
    parts = []
    for p in model.plan.partnerships:
        cells = trio_cells(model, p)
        parts.append(
            p + " " + " ".join(f"{cell_label(c)}={solution.count(e)}" for c, e in cells.items())
        )
    return "; ".join(parts)


def parse_witness(text: str) -> dict[tuple[str, tuple], int]:
    """``{(partnership, cell): count}`` from a :func:`witness` string."""
    out = {}
    for part in text.split(";"):
        p, *cells = part.split()
        for item in cells:
            label, count = item.split("=")
            out[p, tuple(ch == "1" for ch in label)] = int(count)
    return out


def witness_quantity(
    cells: dict[tuple[str, tuple], int], scope: str, name: str, everyone: str
) -> int:
    """Quantity ``name`` of ``scope`` computed from parsed witness cells."""
    test = QUANTITIES[name]
    return sum(k for (p, c), k in cells.items() if test(c) and scope in (p, everyone))


def frechet(margins: tuple[int, int, int], n: int) -> dict[str, tuple[int, int]]:
    """Sharp bounds of every quantity from the three marginal counts and ``n`` alone."""
    ilp = Ilp()
    cells = {c: ilp.var(cell_label(c), 0, n) for c in CELLS}
    ilp.eq(Expr.total(cells.values()), n)
    for k, margin in enumerate(margins):
        ilp.eq(Expr.total(x for c, x in cells.items() if c[k]), margin)
    out = {}
    for name, test in QUANTITIES.items():
        expr = Expr.total(x for c, x in cells.items() if test(c))
        low, high = (ilp.solve(expr, maximize=m) for m in (False, True))
        out[name] = (low.count(expr), high.count(expr))
    return out


def _margins(model: CaseModel, solution: Solution, scope: str) -> tuple[tuple[int, int, int], int]:
    n = sum(solution.count(model.n[p]) for p in _scope(model, scope))
    margins = []
    for k in range(3):
        margins.append(
            sum(
                solution.count(e)
                for p in _scope(model, scope)
                for c, e in trio_cells(model, p).items()
                if c[k]
            )
        )
    return tuple(margins), n


def _bound(model: CaseModel, fix: dict, scope: str, name: str, maximize: bool):
    expr = quantity(model, scope, name)
    solution = model.ilp.solve(expr, maximize=maximize, fix=fix)
    if solution is None:
        raise RuntimeError("the satisfied figures are infeasible together")
    return solution.count(expr), witness(model, solution)


def trio_bounds(model: CaseModel, solution: Solution, threads: int = 2) -> pd.DataFrame:
    """Exact bounds of every trio quantity per partnership and for Tees, with witnesses.

    Columns: ``scope``, ``quantity``, ``min``, ``max``, ``frechet_min``, ``frechet_max``,
    ``reconstruction``, ``margins`` (DA/PMH/SM of n in the reconstruction), ``witness_min``,
    ``witness_max``.
    """
    fix = model.hard(model.satisfied_ids(solution))
    scopes = [*model.plan.partnerships, model.plan.rules.all_label]
    jobs = [(s, q, m) for s in scopes for q in QUANTITIES for m in (False, True)]
    results = parallel_map(lambda job: _bound(model, fix, *job), jobs, threads)
    found = dict(zip(jobs, results, strict=True))
    rows = []
    for scope in scopes:
        margins, n = _margins(model, solution, scope)
        sharp = frechet(margins, n)
        for name in QUANTITIES:
            (low, w_low), (high, w_high) = found[scope, name, False], found[scope, name, True]
            rows.append(
                {
                    "scope": scope,
                    "quantity": name,
                    "min": low,
                    "max": high,
                    "frechet_min": sharp[name][0],
                    "frechet_max": sharp[name][1],
                    "reconstruction": solution.count(quantity(model, scope, name)),
                    "margins": f"{'/'.join(map(str, margins))} of {n}",
                    "witness_min": w_low,
                    "witness_max": w_high,
                }
            )
    return pd.DataFrame(rows)


QUANTITY_WORDS = {
    "all_three": "had all three factors",
    "da_pmh": "had domestic abuse and parental mental ill-health",
    "da_sm": "had domestic abuse and substance misuse",
    "pmh_sm": "had parental mental ill-health and substance misuse",
    "exactly_one": "had exactly one of the three",
    "none": "had none of the three",
}


def plain_words(bounds: pd.DataFrame, quantities=("all_three",)) -> list[str]:
    """Each bound as a sentence: what every dataset consistent with the report must show.

    Built from the numbers of ``bounds`` (as :func:`trio_bounds` returns), e.g. "HSSCP: at
    least 5 and at most 11 of the 14 children had all three factors".
    """
    lines = []
    for row in bounds[bounds["quantity"].isin(quantities)].itertuples(index=False):
        n = int(str(row.margins).rsplit(" of ", 1)[1])
        if row.min == row.max:
            span = f"exactly {row.min}"
        elif row.min == 0:
            span = f"at most {row.max}"
        else:
            span = f"at least {row.min} and at most {row.max}"
        narrower = (row.min, row.max) != (row.frechet_min, row.frechet_max)
        extra = (
            f" (the three totals alone would allow {row.frechet_min} to {row.frechet_max})"
            if narrower
            else " (no narrower than the three totals alone allow)"
        )
        lines.append(f"{row.scope}: {span} of the {n} children {QUANTITY_WORDS[row.quantity]}"
                     f"{extra}.")  # fmt: skip
    return lines
