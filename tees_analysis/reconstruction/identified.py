"""The identified set of the toxic trio: every DA x PMH x SM table consistent with the report.

A dataset is *consistent with the report* when it satisfies as many published figures as any
dataset can (49 of 57: the figures outside a maximum consistent subset contradict others). The
trio tables of the consistent datasets are what the report identifies about how domestic abuse
(DA), parental mental ill-health (PMH) and substance misuse (SM) occur together; anything else
is a choice of one dataset.

:func:`trio_set` finds them exactly:

1. the number of children and the children with each factor, per partnership, over every
   consistent dataset (integer programs; in the report's case each is a single value);
2. every 8-cell table with those totals (:func:`candidate_tables`), each checked by the integer
   program with its cells fixed: it is kept when some consistent dataset has exactly that
   table;
3. which tables of the two partnerships combine: with everything outside one partnership held
   at a *reference* dataset, and that partnership's share of every constraint the two share
   held too, a table of that partnership that is still feasible can be combined with any
   table of the other partnership that is feasible in the same way: the parts of the two
   solutions meet every shared constraint exactly as the reference does. A few references
   cover every combination (:func:`_combine`); a combination no reference covers is checked
   with a program of its own.

The result is exact: a pair of tables is in the set if and only if a consistent dataset has it.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import defaultdict
from dataclasses import dataclass

from .bounds import CELLS, trio_cells
from .ilp import Expr, Row, Solution, index_of, parallel_map
from .model import CaseModel

#: Variables whose only role is an objective (a distance or a disagreement): free upward, so a
#: row that holds one can always be met; they are left out of the split between partnerships.
AUXILIARY = ("d", "q1", "q2", "gap")
#: Variables describing the review slots themselves, held at the reference dataset.
STRUCTURE = ("e", "pi", "ee", "z")


@dataclass(frozen=True)
class Totals:
    """A partnership's number of children and its children with DA, PMH and SM."""

    n: int
    da: int
    pmh: int
    sm: int


@dataclass
class TrioSet:
    """Every consistent (per partnership) trio table, and how the tables combine.

    ``tables[p]`` lists partnership ``p``'s tables, each a tuple of 8 counts in the order of
    :data:`tees_analysis.reconstruction.bounds.CELLS` (``000`` none ... ``111`` all three).
    ``pairs`` holds every consistent combination of the partnerships' tables (as indices into
    ``tables``). ``checks`` counts the integer programs solved, ``references`` the reference
    datasets of step 3.
    """

    partnerships: tuple[str, ...]
    totals: dict[str, list[Totals]]
    tables: dict[str, list[tuple[int, ...]]]
    pairs: list[tuple[int, ...]]
    best: int
    checks: int = 0
    references: int = 0

    def combinations(self) -> list[dict[str, tuple[int, ...]]]:
        """Every consistent combination: partnership -> its table."""
        return [
            {p: self.tables[p][i] for p, i in zip(self.partnerships, pair, strict=True)}
            for pair in self.pairs
        ]


def maximum_rows(model: CaseModel, best: int) -> list[Row]:
    """The constraint "at least ``best`` figures hold": consistent with the report."""
    return [Row(Expr.total(model.z.values()), lo=best)]


def candidate_tables(totals: Totals) -> list[tuple[int, ...]]:
    """Every 8-cell table (order of ``CELLS``) with ``n`` children and the three totals, sorted.

    The four cells with two or three factors are chosen freely; the three one-factor cells and
    the no-factor cell then follow from the totals, and a choice is kept when none is negative.
    """
    n, (da, pmh, sm) = totals.n, (totals.da, totals.pmh, totals.sm)
    where = {tuple(bool(f) for f in cell): i for i, cell in enumerate(CELLS)}
    out = []
    for all3 in range(min(da, pmh, sm) + 1):
        for dm in range(min(da, pmh) - all3 + 1):
            for ds in range(min(da - dm, sm) - all3 + 1):
                for ms in range(min(pmh - dm, sm - ds) - all3 + 1):
                    d, m, s = da - all3 - dm - ds, pmh - all3 - dm - ms, sm - all3 - ds - ms
                    none = n - all3 - dm - ds - ms - d - m - s
                    if min(d, m, s, none) < 0:
                        continue
                    table = [0] * len(CELLS)
                    for cell, k in (
                        ((1, 1, 1), all3), ((1, 1, 0), dm), ((1, 0, 1), ds), ((0, 1, 1), ms),
                        ((1, 0, 0), d), ((0, 1, 0), m), ((0, 0, 1), s), ((0, 0, 0), none),
                    ):  # fmt: skip
                        table[where[tuple(map(bool, cell))]] = k
                    out.append(tuple(table))
    return sorted(out)


def multinomial(table: tuple[int, ...]) -> int:
    """The number of ways to give ``table``'s cells to its children: n! / prod(k!)."""
    out = math.factorial(sum(table))
    for k in table:
        out //= math.factorial(k)
    return out


def _range(model: CaseModel, expr: Expr, extra: list[Row]) -> tuple[int, int]:
    low = model.ilp.solve(expr, maximize=False, extra=extra)
    high = model.ilp.solve(expr, maximize=True, extra=extra)
    if low is None or high is None:
        raise RuntimeError("no dataset satisfies that many figures")
    return low.count(expr), high.count(expr)


def partnership_totals(model: CaseModel, extra: list[Row]) -> dict[str, list[Totals]]:
    """Every combination of (n, DA, PMH, SM) a partnership has in a consistent dataset."""
    out = {}
    for p in model.plan.partnerships:
        cells = trio_cells(model, p)
        exprs = [model.n[p]] + [Expr.total(e for c, e in cells.items() if c[k]) for k in range(3)]
        ranges = [_range(model, e, extra) for e in exprs]
        combos = []
        for values in itertools.product(*(range(lo, hi + 1) for lo, hi in ranges)):
            fix = {index_of(model.n[p]): (values[0], values[0])}
            rows = [Row(e, v, v) for e, v in zip(exprs[1:], values[1:], strict=True)]
            if model.ilp.solve(None, fix=fix, extra=[*extra, *rows]) is not None:
                combos.append(Totals(*values))
        out[p] = combos
    return out


def _fix_table(model: CaseModel, p: str, table: tuple[int, ...]) -> dict[int, tuple[int, int]]:
    cells = trio_cells(model, p)
    fix = {}
    for cell, count in zip(CELLS, table, strict=True):
        (i,) = cells[cell].terms  # one variable per cell: the trio is a component of its own
        fix[i] = (count, count)
    return fix


class _Split:
    """Which variables belong to which partnership in a reference dataset ``reference``."""

    def __init__(self, model: CaseModel, reference: Solution):
        self.model, self.reference = model, reference
        names = model.ilp.names
        partnerships = model.plan.partnerships
        slot_owner = {
            m: p for m in model.slots for p in partnerships if reference.count(model.pi[m, p])
        }
        self.owner: dict[int, str | None] = {}
        self.auxiliary: set[int] = set()
        for i, name in enumerate(names):
            kind, _, args = name.partition("[")
            parts = re.split(r",", args.rstrip("]"))
            if kind in AUXILIARY:
                self.auxiliary.add(i)
                self.owner[i] = None
            elif kind in STRUCTURE:
                self.owner[i] = None
            elif parts and parts[0] in partnerships:
                self.owner[i] = parts[0]
            elif len(parts) > 1 and parts[1] in partnerships:  # a slot's count for a partnership
                self.owner[i] = parts[1]
            elif parts and parts[0].isdigit():  # a slot's own variable: its owner's
                self.owner[i] = slot_owner.get(int(parts[0]))
            else:
                raise ValueError(f"cannot tell whose variable {name} is")

    def hold_other(self, p: str) -> tuple[dict[int, tuple[float, float]], list[Row]]:
        """Bounds and rows that keep everything but ``p``'s part at the reference dataset."""
        ref = self.reference
        fix = {
            i: (ref.x[i], ref.x[i])
            for i, owner in self.owner.items()
            if i not in self.auxiliary and owner != p
        }
        rows = []
        for row in self.model.ilp.rows:
            terms = row.expr.terms
            if any(i in self.auxiliary for i in terms):
                continue
            owners = {self.owner[i] for i in terms if self.owner[i] is not None}
            if p in owners and len(owners) > 1:
                mine = Expr({i: c for i, c in terms.items() if self.owner[i] == p})
                value = ref.value(mine)
                rows.append(Row(mine, value - 1e-6, value + 1e-6))
        return fix, rows


def trio_set(model: CaseModel, best: int, threads: int = 2) -> TrioSet:
    """Every consistent trio table of every partnership, and which combine (see the module)."""
    extra = maximum_rows(model, best)
    partnerships = tuple(model.plan.partnerships)
    totals = partnership_totals(model, extra)
    candidates = {
        p: [t for combo in totals[p] for t in candidate_tables(combo)] for p in partnerships
    }
    checks = sum(len(v) for v in candidates.values())

    def alone(job):
        p, table = job
        return model.ilp.solve(None, fix=_fix_table(model, p, table), extra=extra) is not None

    jobs = [(p, t) for p in partnerships for t in candidates[p]]
    kept = dict(zip(jobs, parallel_map(alone, jobs, threads), strict=True))
    tables = {p: [t for t in candidates[p] if kept[p, t]] for p in partnerships}

    pairs, checks_made, references = _combine(model, partnerships, tables, extra, threads)
    return TrioSet(partnerships, totals, tables, pairs, best, checks + checks_made, references)


def _combine(model, partnerships, tables, extra, threads):
    """The consistent combinations of the partnerships' tables, proved with few programs.

    A *reference* dataset covers a combination when, with everything outside one partnership
    held at the reference (and that partnership's share of every shared constraint too), each
    partnership's table of the combination is feasible: the two parts then form one consistent
    dataset. References are added, each a dataset with a combination not yet covered, until
    every combination is covered or shown infeasible by a program of its own.
    """
    index = list(itertools.product(*(range(len(tables[p])) for p in partnerships)))
    covered: set[tuple[int, ...]] = set()
    infeasible: set[tuple[int, ...]] = set()
    checks, references = 0, 0
    solution = model.ilp.solve(None, extra=extra)
    while solution is not None:
        references += 1
        split = _Split(model, solution)
        held = {p: split.hold_other(p) for p in partnerships}

        def within(job, held=held):
            p, i = job
            fix, rows = held[p]
            fix = {**fix, **_fix_table(model, p, tables[p][i])}
            return model.ilp.solve(None, fix=fix, extra=[*extra, *rows]) is not None

        jobs = [(p, i) for p in partnerships for i in range(len(tables[p]))]
        ok = dict(zip(jobs, parallel_map(within, jobs, threads), strict=True))
        checks += len(jobs)
        covered |= {
            pair for pair in index if all(ok[p, i] for p, i in zip(partnerships, pair, strict=True))
        }
        solution = None
        for pair in index:
            if pair in covered or pair in infeasible:
                continue
            fix = {}
            for p, i in zip(partnerships, pair, strict=True):
                fix.update(_fix_table(model, p, tables[p][i]))
            checks += 1
            solution = model.ilp.solve(None, fix=fix, extra=extra)
            if solution is not None:
                break  # a new reference, which covers at least this combination
            infeasible.add(pair)
    return [pair for pair in index if pair in covered], checks, references


# --------------------------------------------------------------------------- review level


def review_cells(model: CaseModel, themes=None) -> dict[tuple[str, tuple[bool, ...]], Expr]:
    """Each partnership's reviews flagged with each combination of the trio's three themes.

    Keys ``(partnership, (DA, PMH, SM flags))``. The model counts each theme's flags alone;
    this adds what it leaves open, how the flags combine on one review: for a single-child
    review, by its child's DA x PMH x SM cell (a flag needs the child's factor where the
    reading links them), for a review with several children, by the review's own three flags.
    ``themes``: the themes whose indicators are domestic abuse, parental mental ill-health and
    substance misuse, in that order (default: found from the plan).
    """
    plan, ilp = model.plan, model.ilp
    comp = plan.component_of("domestic_abuse")
    order = ("domestic_abuse", "parental_mental_ill_health", "substance_misuse")
    by_indicator = {t.indicator: t for t in plan.themes}
    themes = themes or [by_indicator[d] for d in order]
    at = [comp.linked.index(d) for d in order]
    flagsets = list(itertools.product((False, True), repeat=3))
    out = {(p, f): Expr() for p in plan.partnerships for f in flagsets}
    split: dict[tuple, Expr] = defaultdict(Expr)  # flagged singles by theme and child's value
    for (p, name, proj), single in model.single_proj.items():
        if name != comp.name:
            continue
        cell = tuple(bool(proj[i]) for i in at)
        parts = {f: ilp.var(f"rs[{p},{cell_key(cell)},{cell_key(f)}]", 0) for f in flagsets}
        ilp.eq(Expr.total(parts.values()) - single)
        for f, s in parts.items():
            out[p, f] += s
        for k, theme in enumerate(themes):  # keep the model's count of flagged singles
            split[p, theme.theme, cell[k]] += Expr.total(s for f, s in parts.items() if f[k])
    for key, total in split.items():
        ilp.eq(total - model.h[key])
    for m in model.slots:  # a review with several children: its own three flags
        flags = [model.flag[m, t.theme] for t in themes]
        for p in plan.partnerships:
            parts = {f: ilp.var(f"rf[{m},{p},{cell_key(f)}]", 0, 1) for f in flagsets}
            ilp.eq(Expr.total(parts.values()) - model.pi[m, p])
            for f, u in parts.items():
                for k, flag in enumerate(flags):
                    if f[k]:
                        ilp.add(u - flag, hi=0)
                    else:
                        ilp.add(u + flag, hi=1)
                out[p, f] += u
    return out


def cell_key(cell) -> str:
    return "".join("1" if v else "0" for v in cell)
