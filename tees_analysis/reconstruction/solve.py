"""Choosing one dataset: the most figures satisfied, then a lexicographic sequence of stages.

Each stage keeps the optimum of the previous ones as a constraint:

1. the most figures satisfied;
2. among the sets of that size, the one whose satisfied figures weigh most, a figure's weight
   being the number of figures after it in ``figures.csv`` plus one (earlier figures first);
3. the counts as close as possible to every published value (sum of absolute deviations);
4. as few children as possible with two values of a multi-valued field;
5. review sizes as equal as possible (the largest review as small as possible, then the next);
6. review theme flags agreeing with the children's factors as much as possible (fewest
   flagged reviews without a child with the factor, and children with the factor in
   unflagged reviews);
7. with every marginal count fixed, the cells of each component as close as possible to
   independence of its fields (L1 distance to ``n * prod(marginal shares)``);
8. a tie-break with pseudo-random weights, so that one optimum is singled out whatever path
   the solver takes.

Stages 1-2 are :func:`solve_max_satisfied` (branch and bound over the partnership sizes);
stages 3-8 are :func:`choose_dataset`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

from .ilp import TOL, Expr, Row, Solution
from .model import CaseModel, size_splits
from .plan import (
    value_key,
)

# =========================================================================== choosing a dataset


def preference_objective(model: CaseModel) -> Expr:
    """Most figures satisfied; among equal numbers, figures earlier in the file preferred.

    Each satisfied figure scores ``W + (N - i)`` for its position ``i`` in ``figures.csv``
    (``N`` figures); ``W`` exceeds the sum of all ``N - i``, so one more figure satisfied
    always outweighs any preference among them.
    """
    ids = list(model.z)
    rank = {fid: len(ids) - i for i, fid in enumerate(ids)}
    weight = sum(rank.values()) + 1
    return Expr.total((weight + rank[fid]) * z for fid, z in model.z.items())


def solve_max_satisfied(model: CaseModel) -> Solution:
    """Stages 1-2: the most figures satisfied, earlier figures preferred among ties.

    Branch and bound over the partnership sizes: every split of the children among the
    partnerships gets an arithmetic upper bound (:meth:`CaseModel.upper_bound`); splits are
    solved with the sizes fixed, in decreasing order of their bound, until the bound falls
    below the most figures already satisfied. The result is the exact optimum over all sizes
    (solving with the sizes free gives the same answer, only more slowly).
    """
    objective = preference_objective(model)
    splits = sorted(size_splits(model.plan), key=lambda s: -model.upper_bound(s))
    best, best_count = None, -1
    for sizes in splits:
        if model.upper_bound(sizes) < best_count:
            break
        solution = model.ilp.solve(objective, maximize=True, fix=model.fix_sizes(sizes))
        if solution is None:
            continue
        count = len(model.satisfied_ids(solution))
        if best is None or solution.value(objective) > best.value(objective) + 0.5:
            best, best_count = solution, max(best_count, count)
    if best is None:
        raise RuntimeError("the structure alone is infeasible (every figure relaxed)")
    return best


@dataclass
class Lexicographic:
    """Optimise objectives one after another, keeping every earlier optimum as a constraint."""

    model: CaseModel
    fix: dict
    rows: list[Row] = field(default_factory=list)
    log: list[tuple[str, float]] = field(default_factory=list)
    solution: Solution | None = None

    def minimise(self, name: str, objective: Expr, integral: bool = True) -> Solution:
        solution = self.model.ilp.solve(objective, fix=self.fix, extra=self.rows)
        if solution is None:
            raise RuntimeError(f"stage {name!r} is infeasible")
        best = solution.value(objective)
        slack = 0.5 if integral else TOL * max(1.0, abs(best))
        self.rows.append(Row(objective, hi=best + slack))
        self.log.append((name, best))
        self.solution = solution
        return solution

    def keep(self, expr: Expr) -> None:
        """Fix ``expr`` at its value in the current solution."""
        value = self.solution.value(expr)
        self.rows.append(Row(expr, value - TOL, value + TOL))


def independence_gap(model: CaseModel, stages: Lexicographic) -> Expr:
    """L1 distance of every multi-field component's cells from independence of its fields.

    The marginal counts of each field are first fixed at their current values; the expected
    count of a cell is then ``n * prod(marginal / n)``, a constant.
    """
    plan, sol, gap = model.plan, stages.solution, Expr()
    for comp in plan.components:
        if len(comp.dims) < 2:
            continue
        for p in plan.partnerships:
            cells = comp.cells[p]
            n = sol.count(model.n[p])
            margins = {}
            for k, dim in enumerate(comp.dims):
                for value in {value_key(c[k]): c[k] for c in cells}.values():
                    expr = Expr.total(model.x[p, comp.name, c] for c in cells if c[k] == value)
                    stages.keep(expr)
                    margins[dim, value_key(value)] = sol.value(expr)
            for k, cell in enumerate(cells):
                shares = [
                    margins[d, value_key(v)] / n for d, v in zip(comp.dims, cell, strict=True)
                ]
                share = float(np.prod(shares)) if n else 0.0
                dev = model.ilp.var(f"gap[{p},{comp.name},{k}]", 0, integer=False)
                x = model.x[p, comp.name, cell]
                model.ilp.add(dev - x + n * share, lo=0)
                model.ilp.add(dev + x - n * share, lo=0)
                gap += dev
    return gap


def choose_dataset(model: CaseModel, start: Solution) -> tuple[Solution, list[tuple[str, float]]]:
    """Stages 3-8 from the stage-2 solution ``start``: the dataset that is written.

    The satisfied figures of ``start`` are hard constraints throughout. Stage 7 adds its
    distance variables to the model (they are free and constrain nothing else).
    """
    stages = Lexicographic(model, model.hard(model.satisfied_ids(start)))
    stages.solution = start
    stages.minimise(
        "distance to published values (1/100 child)", Expr.total(model.deviation.values())
    )
    stages.minimise("children with several values of a multi-valued field", model.multi_valued())
    if model.slots:
        stages.minimise("review sizes (largest first, lexicographic)", model.size_spread())
    stages.minimise("flag/factor disagreements", model.disagreement)
    stages.minimise(
        "L1 distance from independence", independence_gap(model, stages), integral=False
    )
    stages.minimise("deterministic tie-break (hashed weights)", tie_break(model), integral=False)
    return stages.solution, stages.log


#: Variables that describe the dataset (the others are indicators and distances).
DATASET_VARIABLES = ("n", "r", "e", "pi", "ee", "x", "y", "type", "h", "f")


def tie_break(model: CaseModel) -> Expr:
    """``sum w_v v`` over the dataset's variables, each ``w_v`` in [1, 2) from SHA-256 of the
    variable's name: with such weights one optimum is (almost surely) unique, so the dataset
    does not depend on the path the solver happens to take among equally good ones."""
    terms = {}
    for i, name in enumerate(model.ilp.names):
        if name.split("[", 1)[0] in DATASET_VARIABLES:
            digest = hashlib.sha256(name.encode()).hexdigest()
            terms[i] = 1 + int(digest[:8], 16) / 2**32
    return Expr(terms)
