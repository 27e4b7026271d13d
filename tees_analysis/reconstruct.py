"""Reconstruct a case-level dataset (every review and child) from the published figures.

No case-level data are public. This module finds, by an exact integer program (scipy
``milp`` / HiGHS), a dataset under which as many of the published figures hold as
possible, and writes it in the analyst layout. The whole flow is one call,
:func:`reconstruct_all`; ``python -m tees_analysis.reconstruct`` regenerates every output.

**The model.** Children are not variables one by one. Per partnership, the fields that the
figures link to each other form *components* (e.g. the toxic trio; neglect with the plan
category, the social-care status and the harm category) and the model counts the children in
each *cell* of a component (each combination of its values); unlinked fields are components
of their own. The partnership sizes ``n_p`` and review counts ``r_p`` are variables, so no
denominator is assumed: a printed percent ``P`` holds for a count ``k`` when
``(2P - 1) n <= 200 k < (2P + 1) n`` (round half up), a linear condition. Every review has at
least one child; with ``R`` reviews and ``C`` children at most ``C - R`` reviews have more
than one, so those are modelled as ``C - R`` explicit review *slots* (size ``1 + e_m``) and
all other reviews are single-child reviews counted by their child's cell. Theme flags of the
single-child reviews are counted by the child's indicator value, which makes the readings
that link a review's theme to its children's factors exact.

Each figure has a binary "satisfied" variable; its constraint is enforced only when it is 1.

**Choosing one dataset among the optima** (a lexicographic sequence of stages, each keeping
the optimum of the previous ones):

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

Whatever the model leaves open (which child sits where, years, unpublished review types) is
decided by the neutral construction rules of :func:`build_dataset`, listed in the output
README. The result is deterministic: the same bytes on every run.
"""

from __future__ import annotations

import hashlib
import itertools
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from .denominators import BlockSpec, block_capacity, count_vectors, sub_block
from .measures import half_up_counts, round_half_up
from .published import load_published
from .rules import (
    Rules,
    Target,
    field_kind,
    field_labels,
    figure_partnership,
    load_rules,
    population_totals,
    residual,
)
from .schema import CHILDREN, NOT_RECORDED, RECONSTRUCTED, THEMES, theme_field

INF = float("inf")
#: Tolerance when an optimal objective value is kept as a constraint for later stages.
TOL = 1e-6

# =========================================================================== linear algebra


class Expr:
    """A linear expression: ``sum(coef * x[i]) + const`` over variable indices ``i``."""

    __slots__ = ("const", "terms")

    def __init__(self, terms: dict[int, float] | None = None, const: float = 0.0):
        self.terms = dict(terms or {})
        self.const = const

    @classmethod
    def total(cls, items) -> Expr:
        """The sum of expressions and numbers (linear time, unlike ``sum``)."""
        out = cls()
        for item in items:
            out._add(item, 1)
        return out

    def _add(self, other, sign: float) -> Expr:
        if isinstance(other, Expr):
            for i, c in other.terms.items():
                self.terms[i] = self.terms.get(i, 0.0) + sign * c
            self.const += sign * other.const
        else:
            self.const += sign * other
        return self

    def copy(self) -> Expr:
        return Expr(self.terms, self.const)

    def __add__(self, other) -> Expr:
        return self.copy()._add(other, 1)

    __radd__ = __add__

    def __sub__(self, other) -> Expr:
        return self.copy()._add(other, -1)

    def __rsub__(self, other) -> Expr:
        return (self * -1)._add(other, 1)

    def __mul__(self, k: float) -> Expr:
        return Expr({i: c * k for i, c in self.terms.items()}, self.const * k)

    __rmul__ = __mul__

    def __neg__(self) -> Expr:
        return self * -1


@dataclass(frozen=True)
class Row:
    """A linear constraint ``lo <= expr <= hi``."""

    expr: Expr
    lo: float = -INF
    hi: float = INF


@dataclass
class Solution:
    """Values of the variables at a solution."""

    x: np.ndarray

    def value(self, expr: Expr) -> float:
        return float(sum(c * self.x[i] for i, c in expr.terms.items()) + expr.const)

    def count(self, expr: Expr) -> int:
        """The value of an integer-valued expression."""
        return round(self.value(expr))


def parallel_map(function, items: list, threads: int) -> list:
    """``[function(item) for item in items]``, ``threads`` at a time.

    The solver releases the interpreter lock, so threads run integer programs in parallel;
    results come back in the order of ``items`` whatever the scheduling.
    """
    items = list(items)
    if threads <= 1 or len(items) <= 1:
        return [function(item) for item in items]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(function, items))


def _index(expr: Expr) -> int:
    """The variable index of an expression that is a single variable."""
    (i,) = expr.terms
    return i


class Ilp:
    """Named variables and linear rows, solved with :func:`scipy.optimize.milp` (HiGHS)."""

    def __init__(self):
        self.names: list[str] = []
        self.lb: list[float] = []
        self.ub: list[float] = []
        self.integer: list[int] = []
        self.rows: list[Row] = []
        self._matrix = None

    def var(self, name: str, lb: float = 0, ub: float = INF, integer: bool = True) -> Expr:
        self.names.append(name)
        self.lb.append(lb)
        self.ub.append(ub)
        self.integer.append(int(integer))
        return Expr({len(self.names) - 1: 1.0})

    def add(self, expr: Expr, lo: float = -INF, hi: float = INF) -> None:
        self.rows.append(Row(expr, lo, hi))
        self._matrix = None

    def eq(self, expr: Expr, value: float = 0) -> None:
        self.add(expr, value, value)

    def _stack(self, rows: list[Row]):
        data, ri, ci, lo, hi = [], [], [], [], []
        for r, row in enumerate(rows):
            for i, c in row.expr.terms.items():
                if c:
                    data.append(c)
                    ri.append(r)
                    ci.append(i)
            lo.append(row.lo - row.expr.const)
            hi.append(row.hi - row.expr.const)
        shape = (len(rows), len(self.names))
        return sparse.csr_array((data, (ri, ci)), shape=shape), lo, hi

    def solve(
        self,
        objective: Expr | None = None,
        maximize: bool = False,
        fix: dict[int, tuple[float, float]] | None = None,
        extra: list[Row] = (),
    ) -> Solution | None:
        """An optimal solution, or ``None`` when the rows (and ``extra`` rows) are infeasible.

        ``fix`` overrides variable bounds; ``objective`` ``None`` asks for feasibility only.
        """
        if self._matrix is None:
            self._matrix = self._stack(self.rows)
        matrix, lo, hi = self._matrix
        if extra:
            more, lo2, hi2 = self._stack(list(extra))
            matrix, lo, hi = sparse.vstack([matrix, more]), [*lo, *lo2], [*hi, *hi2]
        c = np.zeros(len(self.names))
        for i, coef in (objective.terms if objective else {}).items():
            c[i] = -coef if maximize else coef
        lb, ub = np.array(self.lb, float), np.array(self.ub, float)
        for i, (low, high) in (fix or {}).items():
            lb[i], ub[i] = low, high
        res = milp(
            c,
            constraints=LinearConstraint(matrix, lo, hi),
            integrality=np.array(self.integer),
            bounds=Bounds(lb, ub),
            options={"disp": False, "mip_rel_gap": 0, "time_limit": 60},
        )
        if res.status == 2:
            return None
        if res.status != 0 or res.x is None:
            raise RuntimeError(f"the integer program was not solved: {res.message}")
        x = np.where(np.array(self.integer) == 1, np.round(res.x), res.x)
        return Solution(x)


# =========================================================================== the plan

#: Canonical order of the child-level dimensions (schema order; under_2 stands for the age).
DIM_ORDER = tuple("under_2" if f.name == "age_band" else f.name for f in CHILDREN)
_THEME_CODES = {name: code for code, name in THEMES}


@dataclass(frozen=True)
class FigureSpec:
    """One published figure as the model counts it under the chosen readings.

    ``kind`` is ``children`` (children of ``scope`` with every ``population`` and
    ``target`` condition), ``reviews`` (reviews of ``scope`` of a type), ``theme_reviews`` or
    ``theme_children``. Conditions are ``(dimension, value)`` pairs.
    """

    figure_id: str
    measure: str
    category: str
    unit: str
    value: int
    partnership: str
    kind: str
    scope: tuple[str, ...]
    population: tuple[tuple[str, object], ...] = ()
    target: tuple[tuple[str, object], ...] = ()
    theme: str | None = None

    @property
    def conditions(self) -> tuple[tuple[str, object], ...]:
        return self.population + self.target


@dataclass(frozen=True)
class ThemePlan:
    """How one theme's flags relate to the children (from its children-figure reading)."""

    theme: str
    code: str
    indicator: str | None  # None: flags are not coupled to any child field
    count: str
    link: str


@dataclass
class Dim:
    """A child-level dimension: its kind and the values allowed in each partnership."""

    name: str
    kind: str  # binary | category | subset
    values: dict[str, tuple]
    referenced: set[str]


@dataclass
class Component:
    """Dimensions modelled jointly; ``cells[p]`` lists the allowed value combinations."""

    name: str
    dims: tuple[str, ...]
    cells: dict[str, tuple[tuple, ...]]
    linked: tuple[str, ...]  # dims whose values the review flags depend on

    def at(self, dim: str) -> int:
        return self.dims.index(dim)

    def project(self, cell: tuple) -> tuple:
        return tuple(cell[self.at(d)] for d in self.linked)


def holds(kind: str, value, wanted) -> bool:
    """Whether a dimension value satisfies a condition (a label in a set, for subsets)."""
    return wanted in value if kind == "subset" else value == wanted


@dataclass
class Plan:
    """Everything the model needs, resolved from rules, figures and readings (no solver)."""

    rules: Rules
    readings: dict[str, str]
    partnerships: tuple[str, ...]
    n_reviews: int
    n_children: int
    figures: tuple[FigureSpec, ...]
    themes: tuple[ThemePlan, ...]
    dims: dict[str, Dim]
    components: tuple[Component, ...]
    review_types: dict[str, tuple[str, ...]]  # partnership -> type labels with figures
    review_exhaustive: dict[str, bool]

    @property
    def excess(self) -> int:
        return self.n_children - self.n_reviews

    def component_of(self, dim: str) -> Component:
        for comp in self.components:
            if dim in comp.dims:
                return comp
        raise KeyError(dim)

    def component_of_name(self, name: str) -> Component:
        return next(c for c in self.components if c.name == name)

    def figure(self, figure_id: str) -> FigureSpec:
        return next(f for f in self.figures if f.figure_id == figure_id)


def _conditions(target: Target) -> tuple[tuple[str, object], ...]:
    return () if target.field is None else ((target.field, target.value),)


def figure_spec(rules: Rules, row, readings: dict[str, str]) -> FigureSpec:
    """How the model counts the figure ``row`` of the published-figures file."""
    measure = rules.measures[row.measure]
    base = {
        "figure_id": row.figure_id,
        "measure": row.measure,
        "category": row.category,
        "unit": row.unit,
        "value": int(row.value),
        "partnership": figure_partnership(rules, row, readings),
    }
    if measure.kind == "theme":
        kind = "theme_reviews" if measure.table == "reviews" else "theme_children"
        return FigureSpec(**base, kind=kind, scope=rules.partnerships, theme=row.category)
    target = _conditions(measure.categories[row.category])
    if measure.table == "reviews":
        return FigureSpec(**base, kind="reviews", scope=(base["partnership"],), target=target)
    if measure.population is not None:
        reading = rules.reading(measure.population)
        scope = reading.option(readings[reading.id]).params["partnerships"]
        population = _conditions(reading.condition)
        return FigureSpec(
            **base, kind="children", scope=scope, population=population, target=target
        )
    return FigureSpec(**base, kind="children", scope=(base["partnership"],), target=target)


def _theme_plans(rules: Rules, figures: pd.DataFrame, readings) -> tuple[ThemePlan, ...]:
    names = [
        name
        for _, name in THEMES
        if name in set(figures.loc[_is_theme(rules, figures), "category"])
    ]
    plans = []
    for name in names:
        reading = rules.reading_for(rules.children_measure, name)
        params = reading.option(readings[reading.id]).params if reading else {}
        count, link = params.get("count", "children_in_flagged_reviews"), params.get("link", "none")
        coupled = count != "children_in_flagged_reviews" or link != "none"
        indicator = rules.themes.get(name) if coupled else None
        plans.append(ThemePlan(name, _THEME_CODES[name], indicator, count, link))
    return tuple(plans)


def _is_theme(rules: Rules, figures: pd.DataFrame) -> pd.Series:
    return figures["measure"].map(lambda m: rules.measures[m].kind == "theme")


class _Dims:
    """Collects, per partnership, which dimensions the figures reference and with what values."""

    def __init__(self, rules: Rules):
        self.rules = rules
        self.listed: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        self.blocks: dict[tuple[str, str], object] = {}
        self.modelled: dict[str, set[str]] = defaultdict(set)

    def note(self, p: str, dim: str, value) -> None:
        if value not in self.listed[p][dim]:
            self.listed[p][dim].append(value)

    def add_figure(self, spec: FigureSpec) -> None:
        if spec.kind != "children":
            return
        measure = self.rules.measures[spec.measure]
        for p in spec.scope:
            for dim, value in spec.conditions:
                self.note(p, dim, value)
            if measure.field is not None and measure.population is None:
                self.blocks[(p, measure.field)] = measure.block_for(p)

    def close_links(self) -> None:
        """Add what the links imply: a child with ``when`` needs the ``then`` field."""
        changed = True
        while changed:
            changed = False
            for link in self.rules.links:
                for p in list(self.listed):
                    if link.when.value not in self.listed[p].get(link.when.field, ()):
                        continue
                    for value in link.then_values:
                        if value not in self.listed[p].get(link.then_field, ()):
                            self.note(p, link.then_field, value)
                            changed = True

    def dim(self, name: str, partnerships) -> Dim:
        kind = {"yes_no": "binary", "multi_category": "subset"}.get(
            field_kind("children", name), "category"
        )
        referenced = {p for p in partnerships if name in self.listed[p]}
        values = {p: self._values(name, kind, p, p in referenced) for p in partnerships}
        return Dim(name, kind, values, referenced)

    def _values(self, name: str, kind: str, p: str, referenced: bool) -> tuple:
        if kind == "binary":
            return (False, True) if referenced or name in self.modelled[p] else (False,)
        if not referenced:
            return (residual("children", name),)
        block = self.blocks.get((p, name))
        listed = [v for v in field_labels("children", name) if v in self.listed[p][name]]
        exhaustive = block is not None and block.exhaustive
        if kind == "category":
            keep_residual = not (exhaustive and block.kind == "partition")
            return tuple(
                listed + ([NOT_RECORDED] if keep_residual and NOT_RECORDED not in listed else [])
            )
        most = block.max_labels if block is not None and block.kind == "multi" else 1
        sizes = range(1 if exhaustive else 0, most + 1)
        return tuple(frozenset(c) for s in sizes for c in itertools.combinations(listed, s))


def _union_find(dims: list[str], groups) -> list[tuple[str, ...]]:
    parent = {d: d for d in dims}

    def root(d):
        while parent[d] != d:
            d = parent[d]
        return d

    for group in groups:
        present = [d for d in group if d in parent]
        for other in present[1:]:
            parent[root(other)] = root(present[0])
    comps = defaultdict(list)
    for d in dims:
        comps[root(d)].append(d)
    return sorted((tuple(c) for c in comps.values()), key=lambda c: dims.index(c[0]))


def _dim_key(name: str) -> int:
    return DIM_ORDER.index(name) if name in DIM_ORDER else len(DIM_ORDER)


def build_plan(rules: Rules, figures: pd.DataFrame, readings: dict[str, str]) -> Plan:
    """Resolve figures, themes, dimensions and components under ``readings``."""
    readings = rules.check_readings(readings)
    specs = tuple(figure_spec(rules, row, readings) for row in figures.itertuples(index=False))
    themes = _theme_plans(rules, figures, readings)
    collected = _Dims(rules)
    for spec in specs:
        collected.add_figure(spec)
    for theme in themes:
        if theme.indicator is not None:
            for p in rules.partnerships:
                collected.note(p, theme.indicator, True)
    collected.close_links()
    for fields in rules.joint.values():
        for p in rules.partnerships:
            collected.modelled[p].update(fields)
    names = {
        d for p in rules.partnerships for d in set(collected.listed[p]) | collected.modelled[p]
    }
    dims = {n: collected.dim(n, rules.partnerships) for n in sorted(names, key=_dim_key)}
    groups = [
        *rules.joint.values(),
        *((link.when.field, link.then_field) for link in rules.links),
        *(tuple(d for d, _ in spec.conditions) for spec in specs),
    ]
    linked = {t.indicator for t in themes if t.indicator is not None}
    components = tuple(
        _component(rules, dims, comp, linked, readings) for comp in _union_find(list(dims), groups)
    )
    n_reviews, n_children = population_totals(rules, figures)
    review_types, exhaustive = _review_blocks(rules, specs)
    return Plan(
        rules, readings, rules.partnerships, n_reviews, n_children, specs, themes, dims,
        components, review_types, exhaustive,
    )  # fmt: skip


def _review_blocks(rules: Rules, specs) -> tuple[dict, dict]:
    types, exhaustive = {}, {}
    for spec in specs:
        if spec.kind == "reviews":
            measure = rules.measures[spec.measure]
            p = spec.scope[0]
            types[p] = tuple(t.value for t in measure.categories.values())
            exhaustive[p] = measure.block_for(p).exhaustive
    return types, exhaustive


def _component(rules, dims, names, linked, readings) -> Component:
    """A component's allowed cells per partnership (links and sub-group partitions hold)."""
    cells = {}
    for p in rules.partnerships:
        product = itertools.product(*(dims[d].values[p] for d in names))
        cells[p] = tuple(c for c in product if _cell_allowed(rules, dims, names, c, p, readings))
    return Component("+".join(names), names, cells, tuple(d for d in names if d in linked))


def _cell_allowed(rules, dims, names, cell, p, readings) -> bool:
    """Whether a combination of values may describe a child of ``p``.

    Every link must hold, and inside a population reading's sub-group the child must be in
    exactly one category of the sub-group's partition (at most one if not exhaustive).
    """
    value = dict(zip(names, cell, strict=True))

    def has(dim, wanted):
        return dim in value and holds(dims[dim].kind, value[dim], wanted)

    for link in rules.links:
        applies = link.when.field in value and has(link.when.field, link.when.value)
        met = link.then_field not in value or any(has(link.then_field, v) for v in link.then_values)
        if applies and not met:
            return False
    for measure in rules.measures.values():
        if measure.population is None:
            continue
        reading = rules.reading(measure.population)
        if p not in reading.option(readings[reading.id]).params["partnerships"]:
            continue
        if not has(reading.condition.field, reading.condition.value):
            continue
        targets = [t for t in measure.categories.values() if t.field is not None]
        if not all(t.field in value for t in targets):
            continue
        met = sum(has(t.field, t.value) for t in targets)
        if met > 1 or (measure.block.exhaustive and met != 1):
            return False
    return True


# =========================================================================== the model


class CaseModel:
    """The integer program of a :class:`Plan`: structure, components, themes and figures.

    Attributes used by the later steps: ``z`` (figure id -> satisfied indicator),
    ``count``/``denominator`` (figure id -> expression), ``deviation`` (figure id ->
    expression of the absolute deviation from the published value, in hundredths of a
    child), ``x`` (``(partnership, component, cell)`` -> count of children).
    """

    def __init__(self, plan: Plan):
        self.plan = plan
        self.ilp = Ilp()
        self._structure()
        self._slots()
        self._components()
        self._review_types()
        self._themes()
        self._figures()

    # ----------------------------------------------------------------- structure

    def _structure(self) -> None:
        plan, ilp = self.plan, self.ilp
        self.n = {p: ilp.var(f"n[{p}]", 0, plan.n_children) for p in plan.partnerships}
        self.r = {p: ilp.var(f"r[{p}]", 0, plan.n_reviews) for p in plan.partnerships}
        ilp.eq(Expr.total(self.n.values()), plan.n_children)
        ilp.eq(Expr.total(self.r.values()), plan.n_reviews)
        # n[p] == size as binaries: only a tightening (percent figures get cuts on them).
        self.is_n = {}
        for p in plan.partnerships:
            sizes = range(plan.n_children + 1)
            for size in sizes:
                self.is_n[p, size] = ilp.var(f"is_n[{p},{size}]", 0, 1)
            ilp.eq(Expr.total(self.is_n[p, s] for s in sizes), 1)
            ilp.eq(Expr.total(s * self.is_n[p, s] for s in sizes) - self.n[p])
        if plan.excess < 0:
            raise ValueError("fewer children than reviews: every review concerns a child")

    def _slots(self) -> None:
        """Reviews with more than one child: ``excess`` slots of size ``1 + e[m]``."""
        plan, ilp, big = self.plan, self.ilp, self.plan.excess
        self.slots = range(big)
        self.e = [ilp.var(f"e[{m}]", 0, big) for m in self.slots]
        self.pi, self.ee = {}, {}
        if big:
            ilp.eq(Expr.total(self.e), big)
        for m in self.slots:
            for p in plan.partnerships:
                self.pi[m, p] = ilp.var(f"pi[{m},{p}]", 0, 1)
                self.ee[m, p] = ilp.var(f"ee[{m},{p}]", 0, big)
                ilp.add(self.ee[m, p] - big * self.pi[m, p], hi=0)
            ilp.eq(Expr.total(self.pi[m, p] for p in plan.partnerships), 1)
            ilp.eq(Expr.total(self.ee[m, p] for p in plan.partnerships) - self.e[m])
            if m:
                # Slots are interchangeable: order them by size, then (equal sizes) by
                # partnership, which removes symmetric copies of every solution.
                ilp.add(self.e[m - 1] - self.e[m], lo=0)
                first = plan.partnerships[0]
                ilp.add(self.pi[m - 1, first] - self.pi[m, first] + self.e[m - 1] - self.e[m], lo=0)
        self.singles = {}
        for p in plan.partnerships:
            extra = Expr.total(self.ee[m, p] for m in self.slots)
            ilp.eq(self.n[p] - self.r[p] - extra)
            self.singles[p] = self.r[p] - Expr.total(self.pi[m, p] for m in self.slots)
            ilp.add(self.singles[p], lo=0)

    def size_spread(self) -> Expr:
        """``sum_m (E+1)^(S-1-m) e[m]``: minimising it minimises the largest review first,
        then the next (the extra children ``e`` are ordered and each at most ``E``)."""
        base, last = self.plan.excess + 1, len(self.e) - 1
        if base**last > 1e6:
            raise ValueError("too many children beyond one per review for one weighted stage")
        return Expr.total(base ** (last - m) * e for m, e in enumerate(self.e))

    def size(self, m: int) -> Expr:
        """Number of children of slot ``m``."""
        return self.e[m] + 1

    # ----------------------------------------------------------------- children

    def _components(self) -> None:
        plan, ilp = self.plan, self.ilp
        self.x, self.y, self.single_proj = {}, {}, {}
        for comp in plan.components:
            for p in plan.partnerships:
                cells = comp.cells[p]
                for k, cell in enumerate(cells):
                    self.x[p, comp.name, cell] = ilp.var(f"x[{p},{comp.name},{k}]", 0)
                ilp.eq(Expr.total(self.x[p, comp.name, c] for c in cells) - self.n[p])
                if comp.linked:
                    self._link_slots(comp, p)

    def _link_slots(self, comp: Component, p: str) -> None:
        """Children of each slot by their values of the review-linked dims."""
        ilp, big = self.ilp, self.plan.excess + 1
        projections = sorted({comp.project(c) for c in comp.cells[p]}, key=repr)
        for m in self.slots:
            for proj in projections:
                y = ilp.var(f"y[{m},{p},{comp.name},{proj}]", 0, big)
                self.y[m, p, comp.name, proj] = y
                ilp.add(y - big * self.pi[m, p], hi=0)
            members = Expr.total(self.y[m, p, comp.name, q] for q in projections)
            ilp.eq(members - self.pi[m, p] - self.ee[m, p])
        for proj in projections:
            total = Expr.total(
                self.x[p, comp.name, c] for c in comp.cells[p] if comp.project(c) == proj
            )
            single = total - Expr.total(self.y[m, p, comp.name, proj] for m in self.slots)
            ilp.add(single, lo=0)
            self.single_proj[p, comp.name, proj] = single

    def children(self, p: str, conditions) -> Expr:
        """Children of partnership ``p`` meeting every ``(dim, value)`` condition."""
        if not conditions:
            return self.n[p]
        dims = {d for d, _ in conditions}
        comp = self.plan.component_of(next(iter(dims)))
        if not dims <= set(comp.dims):
            raise ValueError(f"conditions {conditions} span several components")
        kinds = self.plan.dims
        return Expr.total(
            self.x[p, comp.name, c]
            for c in comp.cells[p]
            if all(holds(kinds[d].kind, c[comp.at(d)], v) for d, v in conditions)
        )

    def multi_valued(self) -> Expr:
        """Children with more than one value of a multi-valued field (summed over fields)."""
        return Expr.total(
            x
            for (p, name, cell), x in self.x.items()
            for dim, value in zip(self.plan.component_of_name(name).dims, cell, strict=True)
            if self.plan.dims[dim].kind == "subset" and len(value) > 1
        )

    def indicator_in_slot(self, m: int, dim: str) -> Expr:
        """Children of slot ``m`` with the yes/no dimension ``dim`` true."""
        comp = self.plan.component_of(dim)
        k = comp.linked.index(dim)
        return Expr.total(
            y
            for (slot, _, name, proj), y in self.y.items()
            if slot == m and name == comp.name and proj[k]
        )

    def indicator_in_singles(self, p: str, dim: str, value: bool) -> Expr:
        """Children of ``p``'s single-child reviews with ``dim`` equal to ``value``."""
        comp = self.plan.component_of(dim)
        k = comp.linked.index(dim)
        return Expr.total(
            s
            for (q, name, proj), s in self.single_proj.items()
            if q == p and name == comp.name and proj[k] == value
        )

    # ----------------------------------------------------------------- reviews

    def _review_types(self) -> None:
        self.types = {}
        for p, labels in self.plan.review_types.items():
            for label in labels:
                self.types[p, label] = self.ilp.var(f"type[{p},{label}]", 0, self.plan.n_reviews)
            total = Expr.total(self.types[p, label] for label in labels)
            if self.plan.review_exhaustive[p]:
                self.ilp.eq(total - self.r[p])
            else:
                self.ilp.add(total - self.r[p], hi=0)

    def _product(self, name: str, flag: Expr, amount: Expr, bound: int) -> Expr:
        """``flag * amount`` for a binary ``flag`` and ``0 <= amount <= bound``."""
        w = self.ilp.var(name, 0, bound)
        self.ilp.add(w - bound * flag, hi=0)
        self.ilp.add(w - amount, hi=0)
        self.ilp.add(w - amount - bound * flag, lo=-bound)
        return w

    def _themes(self) -> None:
        self.flag, self.h = {}, {}
        self.theme_reviews, self.theme_children, self.disagreement = {}, {}, Expr()
        for theme in self.plan.themes:
            for m in self.slots:
                self.flag[m, theme.theme] = self.ilp.var(f"f[{m},{theme.code}]", 0, 1)
            self._single_flags(theme)
            self._theme_link(theme)
            self.theme_reviews[theme.theme] = Expr.total(
                [*(h for (p, t, _), h in self.h.items() if t == theme.theme),
                 *(self.flag[m, theme.theme] for m in self.slots)]
            )  # fmt: skip
            self.theme_children[theme.theme] = self._theme_count(theme)

    def _single_flags(self, theme: ThemePlan) -> None:
        """Flagged single-child reviews, split by the child's indicator value if coupled."""
        for p in self.plan.partnerships:
            if theme.indicator is None:
                h = self.ilp.var(f"h[{p},{theme.code}]", 0)
                self.ilp.add(h - self.singles[p], hi=0)
                self.h[p, theme.theme, None] = h
                continue
            for value in (False, True):
                h = self.ilp.var(f"h[{p},{theme.code},{value}]", 0)
                self.ilp.add(h - self.indicator_in_singles(p, theme.indicator, value), hi=0)
                self.h[p, theme.theme, value] = h

    def _theme_link(self, theme: ThemePlan) -> None:
        """The reading's link between a review's flag and its children's indicator."""
        if theme.indicator is None:
            return
        ilp, big, t = self.ilp, self.plan.excess + 1, theme.theme
        link = theme.link
        for p in self.plan.partnerships:
            if link in ("iff", "review_implies_child", "all_children_have_indicator"):
                ilp.eq(self.h[p, t, False])
            if link in ("iff", "child_implies_review"):
                ilp.eq(self.h[p, t, True] - self.indicator_in_singles(p, theme.indicator, True))
            self.disagreement += self.h[p, t, False]
            self.disagreement += self.indicator_in_singles(p, theme.indicator, True)
            self.disagreement -= self.h[p, t, True]
        for m in self.slots:
            f, have = self.flag[m, t], self.indicator_in_slot(m, theme.indicator)
            if link in ("iff", "review_implies_child"):
                ilp.add(have - f, lo=0)
            if link in ("iff", "child_implies_review"):
                ilp.add(have - big * f, hi=0)
            if link == "all_children_have_indicator":
                ilp.add(have - self.size(m) - big * f, lo=-big)
            self.disagreement += self._excess_part(f"q1[{m},{theme.code}]", f - have)
            self.disagreement += self._excess_part(f"q2[{m},{theme.code}]", have - big * f)

    def _excess_part(self, name: str, expr: Expr) -> Expr:
        """A variable ``q >= max(0, expr)`` (equal to it when minimised)."""
        q = self.ilp.var(name, 0)
        self.ilp.add(q - expr, lo=0)
        return q

    def _theme_count(self, theme: ThemePlan) -> Expr:
        """Children counted by the theme line under the theme's reading."""
        t, big = theme.theme, self.plan.excess + 1
        if theme.count == "children_with_indicator":
            return Expr.total(
                self.children(p, ((theme.indicator, True),)) for p in self.plan.partnerships
            )
        if theme.count == "children_in_flagged_reviews":
            singles = [h for (p, name, _), h in self.h.items() if name == t]
            slots = [
                self._product(f"w[{m},{theme.code}]", self.flag[m, t], self.size(m), big)
                for m in self.slots
            ]
            return Expr.total(singles + slots)
        singles = [self.h[p, t, True] for p in self.plan.partnerships]
        slots = [
            self._product(
                f"wi[{m},{theme.code}]",
                self.flag[m, t],
                self.indicator_in_slot(m, theme.indicator),
                big,
            )
            for m in self.slots
        ]
        return Expr.total(singles + slots)

    # ----------------------------------------------------------------- figures

    def _figures(self) -> None:
        self.z, self.count, self.denominator, self.deviation = {}, {}, {}, {}
        for spec in self.plan.figures:
            count, denominator = self._count(spec)
            self.count[spec.figure_id], self.denominator[spec.figure_id] = count, denominator
            z = self.ilp.var(f"z[{spec.figure_id}]", 0, 1)
            self.z[spec.figure_id] = z
            if spec.unit == "percent":
                self._percent(spec, count, denominator, z)
            else:
                self._count_equal(spec, count, z)
            self.deviation[spec.figure_id] = self._deviation(spec, count, denominator)
        self._block_cuts()

    def _block_cuts(self) -> None:
        """Valid inequalities from denominator inference (they only speed the solver up).

        At most ``capacity(n)`` figures of a partnership's block can hold when the partnership
        has ``n`` children (:func:`tees_analysis.denominators.block_capacity`), so
        ``sum(z) <= sum_n capacity(n) * [n_p == n]``.
        """
        blocks, self.capacity, self._blocks = defaultdict(list), {}, {}
        self._splits, self._fit_cache = size_splits(self.plan), {}
        for spec in self.plan.figures:
            if spec.kind == "children" and not spec.population and len(spec.scope) == 1:
                blocks[spec.scope[0], spec.measure].append(spec)
        for (p, name), specs in blocks.items():
            rule = self.plan.rules.measures[name].block_for(p)
            block = BlockSpec(p, name, tuple(s.figure_id for s in specs),
                              tuple(s.value for s in specs), specs[0].unit, rule.kind,
                              rule.exhaustive)  # fmt: skip
            self._blocks[p, name] = block
            caps = [block_capacity(block, size) for size in range(self.plan.n_children + 1)]
            self.capacity[p, name] = (len(specs), caps)
            together = Expr.total(self.z[s.figure_id] for s in specs)
            capacity = Expr.total(cap * self.is_n[p, size] for size, cap in enumerate(caps))
            self.ilp.add(together - capacity, hi=0)

    def upper_bound(self, sizes: dict[str, int]) -> int:
        """Most figures that can hold when the partnerships have ``sizes`` children.

        Block figures count at most their block's capacity at that size; every other figure
        (reviews, themes, sub-groups) counts as if it held.
        """
        in_blocks = sum(total for total, _ in self.capacity.values())
        caps = sum(caps[sizes[p]] for (p, _), (_, caps) in self.capacity.items())
        return len(self.z) - in_blocks + caps

    def fix_sizes(self, sizes: dict[str, int]) -> dict[int, tuple[float, float]]:
        """Bounds fixing every partnership's number of children."""
        return {_index(self.n[p]): (n, n) for p, n in sizes.items()}

    def _count(self, spec: FigureSpec) -> tuple[Expr, Expr]:
        plan = self.plan
        if spec.kind == "theme_reviews":
            return self.theme_reviews[spec.theme], Expr(const=plan.n_reviews)
        if spec.kind == "theme_children":
            return self.theme_children[spec.theme], Expr(const=plan.n_children)
        if spec.kind == "reviews":
            p = spec.scope[0]
            return self.types[p, spec.target[0][1]], self.r[p]
        count = Expr.total(self.children(p, spec.conditions) for p in spec.scope)
        denominator = Expr.total(self.children(p, spec.population) for p in spec.scope)
        return count, denominator

    def _upper(self, spec: FigureSpec) -> int:
        """An upper bound of the figure's denominator (and so of its count)."""
        if spec.kind in ("reviews", "theme_reviews"):
            return self.plan.n_reviews
        return self.plan.n_children

    def _percent(self, spec: FigureSpec, k: Expr, n: Expr, z: Expr) -> None:
        """``round_half_up(100 k / n) == P`` when ``z`` is 1: (2P-1)n <= 200k < (2P+1)n.

        The big-M constants are the tightest valid ones given ``0 <= k <= n <= upper``.
        """
        p, upper = spec.value, self._upper(spec)
        low, high = max(0, 2 * p - 1) * upper, (199 - 2 * p) * upper + 1
        self.ilp.add(200 * k - (2 * p - 1) * n - low * z, lo=-low)
        self.ilp.add(200 * k - (2 * p + 1) * n + high * z, hi=high - 1)
        if not spec.population and len(spec.scope) == 1 and spec.kind == "children":
            q = spec.scope[0]
            possible = [s for s in range(1, self.plan.n_children + 1) if half_up_counts(p, s)]
            self.ilp.add(z - Expr.total(self.is_n[q, s] for s in possible), hi=0)

    def _count_equal(self, spec: FigureSpec, k: Expr, z: Expr) -> None:
        """``k == v`` when ``z`` is 1 (tight big-M constants, ``0 <= k <= upper``)."""
        v, upper = spec.value, self._upper(spec)
        self.ilp.add(k - v - v * z, lo=-v)
        self.ilp.add(k - v + max(upper - v, 0) * z, hi=max(upper - v, 0))

    def _deviation(self, spec: FigureSpec, k: Expr, n: Expr) -> Expr:
        """``|100 k - P n|`` (percent) or ``|100 (k - v)|`` (count), in hundredths of a child."""
        gap = 100 * k - spec.value * n if spec.unit == "percent" else 100 * (k - spec.value)
        d = self.ilp.var(f"d[{spec.figure_id}]", 0, integer=False)
        self.ilp.add(d - gap, lo=0)
        self.ilp.add(d + gap, lo=0)
        return d

    # ----------------------------------------------------------------- solving

    def fix_figures(self, satisfied, relaxed=None) -> dict[int, tuple[float, float]]:
        """Bounds forcing the figures ``satisfied`` to hold and relaxing the others."""
        satisfied = set(satisfied)
        return {_index(z): (1, 1) if fid in satisfied else (0, 0) for fid, z in self.z.items()}

    def compatible_splits(self, ids) -> list[dict[str, int]]:
        """Splits of the children among partnerships under which every block's figures in
        ``ids`` can hold together (arithmetic only; a necessary condition)."""
        wanted = set(ids)
        parts = []
        for (p, _), block in self._blocks.items():
            keep = tuple(i for i, fid in enumerate(block.figure_ids) if fid in wanted)
            if keep:
                parts.append((p, block, keep))
        return [
            sizes
            for sizes in self._splits
            if all(self._fits(block, keep, sizes[p]) for p, block, keep in parts)
        ]

    def _fits(self, block: BlockSpec, keep: tuple[int, ...], n: int) -> bool:
        key = (block.partnership, block.measure, keep, n)
        if key not in self._fit_cache:
            self._fit_cache[key] = bool(count_vectors(sub_block(block, keep), "half_up", n))
        return self._fit_cache[key]

    def hard(self, satisfied) -> dict[int, tuple[float, float]] | None:
        """Bounds making ``satisfied`` hard (others relaxed); the sizes too when they are
        the only split compatible with them. ``None`` if no split is compatible."""
        splits = self.compatible_splits(satisfied)
        if not splits:
            return None
        fix = self.fix_figures(satisfied)
        if len(splits) == 1:
            fix.update(self.fix_sizes(splits[0]))
        return fix

    def feasible(self, satisfied, extra=()) -> Solution | None:
        """A dataset meeting every figure in ``satisfied`` (the others relaxed), or ``None``."""
        fix = self.hard(satisfied)
        return None if fix is None else self.ilp.solve(None, fix=fix, extra=list(extra))

    def holds(self, solution: Solution, figure_id: str) -> bool:
        """Whether the dataset ``solution`` meets figure ``figure_id`` (whatever its ``z``)."""
        spec = self.plan.figure(figure_id)
        k = solution.count(self.count[figure_id])
        if spec.unit == "count":
            return k == spec.value
        n = solution.count(self.denominator[figure_id])
        return n > 0 and round_half_up(k, n) == spec.value

    def blocks(self) -> dict[tuple[str, str], BlockSpec]:
        """The partnership blocks of the figures (as in :mod:`tees_analysis.denominators`)."""
        return self._blocks

    def satisfied_ids(self, solution: Solution) -> list[str]:
        return [fid for fid, z in self.z.items() if solution.value(z) > 0.5]


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


def size_splits(plan: Plan) -> list[dict[str, int]]:
    """Every way to split the children among the partnerships (each part 0 or more)."""
    *first, last = plan.partnerships
    splits = []
    for sizes in itertools.product(range(plan.n_children + 1), repeat=len(first)):
        rest = plan.n_children - sum(sizes)
        if rest >= 0:
            splits.append({**dict(zip(first, sizes, strict=True)), last: rest})
    return splits


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
                for value in {_key(c[k]): c[k] for c in cells}.values():
                    expr = Expr.total(model.x[p, comp.name, c] for c in cells if c[k] == value)
                    stages.keep(expr)
                    margins[dim, _key(value)] = sol.value(expr)
            for k, cell in enumerate(cells):
                shares = [margins[d, _key(v)] / n for d, v in zip(comp.dims, cell, strict=True)]
                share = float(np.prod(shares)) if n else 0.0
                dev = model.ilp.var(f"gap[{p},{comp.name},{k}]", 0, integer=False)
                x = model.x[p, comp.name, cell]
                model.ilp.add(dev - x + n * share, lo=0)
                model.ilp.add(dev + x - n * share, lo=0)
                gap += dev
    return gap


def _key(value):
    """A sort key that is the same on every run (sets sorted, never by hash)."""
    if isinstance(value, frozenset):
        return (2, tuple(sorted(value)))
    if isinstance(value, bool):
        return (0, int(value))
    return (1, str(value))


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


# =========================================================================== readings


@dataclass
class Evaluation:
    """The best dataset under one combination of readings."""

    readings: dict[str, str]
    model: CaseModel
    solution: Solution

    @property
    def satisfied(self) -> list[str]:
        return self.model.satisfied_ids(self.solution)

    @property
    def failed(self) -> list[str]:
        return [fid for fid in self.model.z if fid not in set(self.satisfied)]


class ReadingSearch:
    """Evaluate combinations of readings (cached), solving two at a time in threads."""

    def __init__(self, rules: Rules, figures: pd.DataFrame, threads: int = 2):
        self.rules, self.figures, self.threads = rules, figures, threads
        self.cache: dict[tuple, Evaluation] = {}

    def _key(self, readings: dict[str, str]) -> tuple:
        return tuple(readings[r.id] for r in self.rules.readings)

    def _solve(self, readings: dict[str, str]) -> Evaluation:
        model = CaseModel(build_plan(self.rules, self.figures, readings))
        return Evaluation(dict(readings), model, solve_max_satisfied(model))

    def evaluate(self, combos: list[dict[str, str]]) -> list[Evaluation]:
        todo = [c for c in combos if self._key(c) not in self.cache]
        todo = list({self._key(c): c for c in todo}.values())
        done = self._map(self._solve, todo)
        for combo, evaluation in zip(todo, done, strict=True):
            self.cache[self._key(combo)] = evaluation
        return [self.cache[self._key(c)] for c in combos]

    def best_option(self, current: dict[str, str], reading) -> str:
        """The option under which most figures hold, the others fixed (ties: listed first)."""
        combos = [{**current, reading.id: o.id} for o in reading.options]
        scores = [len(e.satisfied) for e in self.evaluate(combos)]
        return reading.options[scores.index(max(scores))].id

    def choose(self) -> dict[str, str]:
        """Coordinate ascent: improve one reading at a time until none changes."""
        current = self.rules.default_readings()
        changed = True
        while changed:
            changed = False
            for reading in self.rules.readings:
                best = self.best_option(current, reading)
                if best != current[reading.id]:
                    current[reading.id], changed = best, True
        return current

    def table(self, chosen: dict[str, str]) -> pd.DataFrame:
        """Every option of every reading, the others at their chosen option.

        ``why_not`` explains an option under which fewer figures hold: a minimal conflicting
        set, under that option, for the first figure it loses that the chosen readings keep.
        """
        best = self.evaluate([chosen])[0]
        rows, losers = [], []
        for reading in self.rules.readings:
            combos = [{**chosen, reading.id: o.id} for o in reading.options]
            for option, ev in zip(reading.options, self.evaluate(combos), strict=True):
                rows.append(
                    {
                        "reading": reading.id,
                        "question": reading.question,
                        "option": option.id,
                        "meaning": option.meaning,
                        "figures_satisfied": len(ev.satisfied),
                        "figures_total": len(ev.model.z),
                        "chosen": option.id == chosen[reading.id],
                        "figures_failed": " ".join(ev.failed),
                        "why_not": "",
                    }
                )
                if len(ev.satisfied) < len(best.satisfied):
                    losers.append((len(rows) - 1, ev))
        texts = self._map(lambda job: _why_not(best, job[1]), losers)
        for (i, _), text in zip(losers, texts, strict=True):
            rows[i]["why_not"] = text
        return pd.DataFrame(rows)

    def _map(self, function, items: list) -> list:
        return parallel_map(function, items, self.threads)


def _why_not(best: Evaluation, other: Evaluation) -> str:
    """Why ``other``'s readings satisfy fewer figures than ``best``'s, in plain words."""
    from .conflicts import explain, minimal_conflict

    lost = next(fid for fid in other.failed if fid in set(best.satisfied))
    ids = minimal_conflict(other.model, lost, other.satisfied)
    return f"{' '.join(ids)}: {explain(other.model.plan, ids)}"


# =========================================================================== construction


def hash_order(items, salt: str, label=str) -> list:
    """``items`` in a fixed pseudo-random order: by SHA-256 of ``salt`` and ``label(item)``.

    A neutral, reproducible order with no relation to the data; used wherever the model
    leaves open which review or child gets which value. Labels must be stable text (never
    the printout of a set, whose order changes between runs).
    """

    def digest(item) -> str:
        return hashlib.sha256(f"{salt}|{label(item)}".encode()).hexdigest()

    return sorted(items, key=digest)


@dataclass
class _Review:
    key: str
    size: int
    slot: int | None = None
    flags: dict = field(default_factory=dict)
    children: list[dict] = field(default_factory=list)
    review_type: str | None = None
    year: int | None = None


class Builder:
    """Turn the counts of a solution into review and child records (one partnership at a time).

    Neutral rules: explicit slots first, then single-child reviews; every component's cells are
    laid over the children in :func:`hash_order` (so that fields of different components are
    paired with no systematic relation), respecting the slot projections the model fixed;
    flags of single-child reviews go to the first reviews in hash order among those whose
    child has (or has not) the theme's indicator, as counted by the model.
    """

    def __init__(self, model: CaseModel, solution: Solution):
        self.model, self.sol, self.plan = model, solution, model.plan

    def reviews(self, p: str) -> list[_Review]:
        sol, model = self.sol, self.model
        reviews = [
            _Review(f"{p}/slot{m}", sol.count(model.size(m)), slot=m)
            for m in model.slots
            if sol.count(model.pi[m, p])
        ]
        reviews += [_Review(f"{p}/single{j}", 1) for j in range(sol.count(model.singles[p]))]
        for review in reviews:
            review.children = [{} for _ in range(review.size)]
        for comp in self.plan.components:
            self._place(p, comp, reviews)
        for theme in self.plan.themes:
            self._flags(p, theme, reviews)
        return reviews

    def _copies(self, p: str, comp: Component) -> list[tuple]:
        """Every child's cell of ``comp`` in ``p``: ``(cell number, cell, copy number)``."""
        return [
            (k, cell, i)
            for k, cell in enumerate(comp.cells[p])
            for i in range(self.sol.count(self.model.x[p, comp.name, cell]))
        ]

    def _place(self, p: str, comp: Component, reviews: list[_Review]) -> None:
        salt = f"{p}|{comp.name}"
        pool = hash_order(self._copies(p, comp), salt, label=lambda item: (item[0], item[2]))
        if not comp.linked:
            self._assign(comp, pool, [c for r in reviews for c in r.children], salt)
            return
        singles = [r for r in reviews if r.slot is None]
        for review in (r for r in reviews if r.slot is not None):
            chosen = []
            for proj in sorted({comp.project(c) for _, c, _ in pool}, key=_key):
                want = self.sol.count(self.model.y.get((review.slot, p, comp.name, proj), Expr()))
                picked = [item for item in pool if comp.project(item[1]) == proj][:want]
                chosen += picked
                pool = [item for item in pool if item not in picked]
            self._assign(comp, chosen, review.children, f"{salt}|{review.key}")
        self._assign(comp, pool, [r.children[0] for r in singles], f"{salt}|singles")

    @staticmethod
    def _assign(comp: Component, items, children: list[dict], salt: str) -> None:
        if len(items) != len(children):
            raise RuntimeError(f"{comp.name}: {len(items)} cells for {len(children)} children")
        for child, (_, cell, _) in zip(hash_order(range(len(children)), salt), items, strict=True):
            children[child].update(zip(comp.dims, cell, strict=True))

    def _flags(self, p: str, theme: ThemePlan, reviews: list[_Review]) -> None:
        for review in reviews:
            if review.slot is not None:
                review.flags[theme.theme] = bool(
                    self.sol.count(self.model.flag[review.slot, theme.theme])
                )
        singles = [r for r in reviews if r.slot is None]
        groups = [None] if theme.indicator is None else [False, True]
        for value in groups:
            members = [
                r for r in singles if value is None or r.children[0][theme.indicator] == value
            ]
            wanted = self.sol.count(self.model.h[p, theme.theme, value])
            salt = f"{p}|{theme.theme}|{value}"
            for i, review in enumerate(hash_order(members, salt, label=_review_key)):
                review.flags[theme.theme] = i < wanted


def _review_key(review: _Review) -> str:
    return review.key


def _years_and_types(plan: Plan, sol: Solution, model: CaseModel, p: str, reviews) -> None:
    """Review types (published counts, else from the year) and years (spread evenly).

    Reviews are put in :func:`hash_order`; where the partnership's types are published they
    are dealt out in the configured type order (serious case reviews first); the years of the
    period are then spread evenly over that order, so earlier types get earlier years.
    Where the types are unpublished the type is written 'not recorded'.
    """
    construction = plan.rules.construction
    first, last = construction["years"]
    order = hash_order(reviews, f"{p}|years", label=_review_key)
    counts = {label: sol.count(model.types[p, label]) for label in plan.review_types.get(p, ())}
    if counts:
        labels = [t for t in construction["type_order"] if t in counts]
        dealt = [label for label in labels for _ in range(counts[label])]
        for review, label in zip(order, dealt, strict=False):
            review.review_type = label
    span = last - first + 1
    for i, review in enumerate(order):
        review.year = first + (span * i) // len(order)
        if review.review_type is None:
            review.review_type = NOT_RECORDED


_TYPE_RANK = {"SCR": 0, "learning review": 1, "CSPR": 2}


def _child_record(plan: Plan, p: str, values: dict) -> dict:
    """A child's schema fields from its dimension values (unpublished: 'not recorded'/blank)."""
    record = {"age_months": None}
    for f in CHILDREN:
        name = "under_2" if f.name == "age_band" else f.name
        if f.name in ("child_id", "review_id", "age_months"):
            continue
        dim = plan.dims.get(name)
        known = dim is not None and p in dim.referenced and name in values
        value = values.get(name) if known else None
        if f.name == "age_band":
            record[f.name] = "under 2" if value else NOT_RECORDED
        elif f.kind == "yes_no":
            record[f.name] = None if value is None else bool(value)
        elif f.kind == "multi_category":
            labels = tuple(label for label in f.labels if value and label in value)
            record[f.name] = labels or (NOT_RECORDED,)
        else:
            record[f.name] = NOT_RECORDED if value is None else value
    return record


def build_dataset(model: CaseModel, solution: Solution) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The reviews and children tables of ``solution`` (schema columns, typed values)."""
    plan, builder = model.plan, Builder(model, solution)
    review_rows, child_rows = [], []
    prefixes = plan.rules.construction["id_prefix"]
    for p in plan.partnerships:
        reviews = builder.reviews(p)
        _years_and_types(plan, solution, model, p, reviews)
        rank = {r.key: i for i, r in enumerate(hash_order(reviews, f"{p}|ids", _review_key))}
        reviews.sort(key=lambda r: (r.year, _TYPE_RANK.get(r.review_type, 9), rank[r.key]))
        for i, review in enumerate(reviews, start=1):
            review_id = f"{prefixes[p]}-R{i:02d}"
            review_rows.append(_review_record(plan, p, review_id, review))
            for values in review.children:
                child_id = f"{prefixes[p]}-C{len(child_rows) + 1:02d}"
                child_rows.append(
                    {"child_id": child_id, "review_id": review_id, **_child_record(plan, p, values)}
                )
    return pd.DataFrame(review_rows), pd.DataFrame(child_rows)


def _review_record(plan: Plan, p: str, review_id: str, review: _Review) -> dict:
    """A review's schema fields; themes the figures say nothing about stay blank."""
    record = {
        "review_id": review_id,
        "partnership": p,
        "review_type": review.review_type,
        "year": review.year,
        "provenance": RECONSTRUCTED,
        "pseudonym": None,
    }
    for code, name in THEMES:
        record[theme_field(code)] = review.flags.get(name)
    return record


# =========================================================================== result and outputs

RAW_REVIEWS = "reconstructed_reviews.csv"
RAW_CHILDREN = "reconstructed_children.csv"


@dataclass
class Reconstruction:
    """Everything :func:`reconstruct_all` found, and the files it writes."""

    rules: Rules
    figures: pd.DataFrame
    readings: dict[str, str]
    readings_table: pd.DataFrame
    model: CaseModel
    solution: Solution
    stages: list[tuple[str, float]]
    reviews: pd.DataFrame
    children: pd.DataFrame
    satisfied: pd.DataFrame
    denominators: pd.DataFrame
    conflicts: pd.DataFrame
    bounds: pd.DataFrame
    timings: dict[str, float]

    @property
    def satisfied_ids(self) -> list[str]:
        return self.model.satisfied_ids(self.solution)

    def files(self, data_dir: Path | None = None) -> dict[Path, bytes]:
        """Every output file's path and bytes (raw tables, READMEs and the tables)."""
        from .paths import DATA
        from .pipeline import to_csv_text

        data_dir = DATA if data_dir is None else Path(data_dir)
        raw, out = data_dir / "raw", data_dir / "reconstruction"
        texts = {
            raw / RAW_REVIEWS: to_csv_text(self.reviews, "reviews"),
            raw / RAW_CHILDREN: to_csv_text(self.children, "children"),
            raw / "README.md": raw_readme(self),
            out / "README.md": method_readme(self),
            out / "satisfied.csv": _csv(self.satisfied),
            out / "readings.csv": _csv(self.readings_table),
            out / "denominators.csv": _csv(self.denominators),
            out / "conflicts.csv": _csv(self.conflicts),
            out / "bounds.csv": _csv(self.bounds),
        }
        return {path: text.encode("utf-8") for path, text in texts.items()}


def _csv(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, lineterminator="\n")


def satisfied_table(
    model: CaseModel, solution: Solution, alternatives: pd.DataFrame
) -> pd.DataFrame:
    """Per figure: published and reconstructed values, satisfied or not, alternative rules."""
    from .measures import round_half_up

    rows = []
    for spec in model.plan.figures:
        k = solution.count(model.count[spec.figure_id])
        n = solution.count(model.denominator[spec.figure_id])
        value = k if spec.unit == "count" else (round_half_up(k, n) if n else None)
        row = {
            "figure_id": spec.figure_id,
            "partnership_counted": spec.partnership,
            "measure": spec.measure,
            "category": spec.category,
            "unit": spec.unit,
            "published": spec.value,
            "count": k,
            "denominator": n,
            "reconstructed": value,
            "satisfied": solution.value(model.z[spec.figure_id]) > 0.5,
        }
        for rule in model.plan.rules.alternatives:
            hit = alternatives[
                (alternatives.figure_id == spec.figure_id) & (alternatives.rule == rule)
            ]
            row[f"holds_{rule}"] = bool(hit["holds"].iloc[0]) if len(hit) else pd.NA
        rows.append(row)
    return pd.DataFrame(rows)


def reconstruct_all(rules: Rules | None = None, figures: pd.DataFrame | None = None,
                    threads: int = 2) -> Reconstruction:  # fmt: skip
    """Rules -> denominators -> readings and ILP -> dataset -> conflicts -> bounds."""
    from .bounds import trio_bounds
    from .conflicts import alternative_rounding, conflicts_table
    from .denominators import denominators_table

    clock, timings = time.perf_counter(), {}

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name], clock = now - clock, now

    figures = load_published() if figures is None else figures
    rules = load_rules(figures=figures) if rules is None else rules
    denominators = denominators_table(rules, figures)
    lap("denominators")
    search = ReadingSearch(rules, figures, threads)
    chosen = search.choose()
    table = search.table(chosen)
    evaluation = search.evaluate([chosen])[0]
    lap("ilp_readings")
    solution, stages = choose_dataset(evaluation.model, evaluation.solution)
    reviews, children = build_dataset(evaluation.model, solution)
    lap("ilp_dataset")
    conflicts = conflicts_table(evaluation.model, solution, threads)
    alternatives = alternative_rounding(evaluation.model, solution)
    lap("conflicts")
    bounds = trio_bounds(evaluation.model, solution, threads)
    lap("bounds")
    return Reconstruction(
        rules, figures, chosen, table, evaluation.model, solution, stages, reviews, children,
        satisfied_table(evaluation.model, solution, alternatives), denominators, conflicts,
        bounds, timings,
    )  # fmt: skip


def write_reconstruction(result: Reconstruction | None = None, data_dir: Path | None = None):
    """Write every output atomically (the raw tables too: the one sanctioned writer of raw)."""
    from . import atomic

    result = reconstruct_all() if result is None else result
    return atomic.write_files(result.files(data_dir), allow_raw=True)


# =========================================================================== READMEs


def _markdown(frame: pd.DataFrame) -> str:
    """A frame as a Markdown table (cells with ``|`` escaped)."""

    def cell(value) -> str:
        return "" if value is None or value is pd.NA else str(value).replace("|", "\\|")

    head = "| " + " | ".join(frame.columns) + " |"
    rule = "|" + "---|" * len(frame.columns)
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def _unpublished(result: Reconstruction) -> list[str]:
    """Per partnership, the child fields no figure or reading says anything about."""
    plan, lines = result.model.plan, []
    for p in plan.partnerships:
        missing = [
            f.name
            for f in CHILDREN
            if f.name not in ("child_id", "review_id", "age_months")
            and p
            not in plan.dims.get(
                "under_2" if f.name == "age_band" else f.name, Dim("", "", {}, set())
            ).referenced
        ]
        lines.append(f"- {p}: {', '.join(f'`{m}`' for m in missing) or 'none'}")
    return lines


def _readings_lines(result: Reconstruction) -> list[str]:
    lines = []
    for reading in result.rules.readings:
        option = reading.option(result.readings[reading.id])
        lines.append(f"- **{reading.id}** = `{option.id}`: {option.meaning}")
    return lines


def _construction_rules(result: Reconstruction) -> list[str]:
    c = result.rules.construction
    first, last = c["years"]
    return [
        "- Which child sits in which review, and how the fields of different components are "
        "paired on one child: a fixed pseudo-random order (SHA-256 of a label), never the data.",
        f"- Review years: spread evenly over {first}-{last} in that order, with published review "
        f"types dealt out first in the order {', '.join(c['type_order'])}.",
        f"- Review type where the partnership's types are unpublished: `{NOT_RECORDED}`.",
        f"- Every review's `provenance` is `{RECONSTRUCTED}`: cleaning refuses to mix these "
        "rows with case records.",
        "- Identifiers: `ST-R01`... / `HS-C14`..., reviews numbered by year; no pseudonyms.",
        "- Children not counted as under 2: age band `not recorded`, age in months blank.",
        "- Fields the report does not publish for a partnership, and the themes without "
        "published counts: `not recorded` (never counted as yes).",
    ]


#: The tables written to ``data/reconstruction/`` and what each holds.
OUTPUT_FILES = (
    ("`satisfied.csv`", "every figure: published and reconstructed value, satisfied or not, "
     "and whether a failed percent holds under an alternative rounding"),
    ("`readings.csv`", "every option of every ambiguous reading, the others at their chosen "
     "option: how many figures can hold"),
    ("`denominators.csv`", "every block of percentages: the numbers of children that reproduce "
     "it, under each rounding rule"),
    ("`conflicts.csv`", "for each failed figure a minimal set of figures that cannot all hold, "
     "explained"),
    ("`bounds.csv`", "exact bounds of the toxic-trio co-occurrence over all consistent "
     "datasets, with witnesses, beside the Frechet bounds"),
)  # fmt: skip


def raw_readme(result: Reconstruction) -> str:
    """``data/raw/README.md``: read-only notice and the provenance of the reconstructed files."""
    n_sat, n_all = len(result.satisfied_ids), len(result.figures)
    lines = [
        "# Raw case-level data — read-only",
        "",
        "Files here are inputs in the analyst layout (see `data/codebook.md`): a `reviews` table",
        "and a `children` table. **Code never modifies them**: `tees_analysis.atomic` refuses to",
        "write here and cleaning only reads. The one writer is the generator of the two",
        "reconstructed files below, `python -m tees_analysis.reconstruct`; a test checks that the",
        "committed files are byte for byte what it regenerates.",
        "",
        f"## `{RAW_REVIEWS}` and `{RAW_CHILDREN}`",
        "",
        "**These files are a reconstruction consistent with the published figures. They are NOT",
        "the partnerships' case records, and no row describes a real review or a real child.**",
        "No case-level data are public: the partnerships published aggregate figures only",
        "(`data/published/figures.csv`). The two files were computed from those figures by an",
        "exact integer program (`tees_analysis/reconstruct.py`, counting rules in",
        "`data/config/counting_rules.toml`). The statement is here and in the file names",
        "(`reconstructed_…`) because a CSV file has no room for it without breaking its layout.",
        "",
        f"- {len(result.reviews)} reviews and {len(result.children)} children; {n_sat} of the",
        f"  {n_all} published figures hold exactly in them, and no dataset satisfies more (the",
        f"  other {n_all - n_sat} contradict satisfied figures: "
        "`data/reconstruction/conflicts.csv`).",
        "- Many other datasets satisfy the same figures. Anything the figures do not determine —",
        "  for instance how many children had two or all three of domestic abuse, parental mental",
        "  ill-health and substance misuse — comes from the neutral rules below and is not a",
        "  finding; `data/reconstruction/bounds.csv` gives its range over all consistent datasets.",
        "",
        "### Readings of the ambiguous figures",
        "",
        *_readings_lines(result),
        "",
        "### Fields no published figure informs (written `not recorded` or blank)",
        "",
        *_unpublished(result),
        "",
        "### Neutral construction rules",
        "",
        *_construction_rules(result),
        "",
        "The method, the readings compared, the conflicts and the bounds are described in",
        "`data/reconstruction/README.md`.",
        "",
    ]
    return "\n".join(lines)


def method_readme(result: Reconstruction) -> str:
    """``data/reconstruction/README.md``: method, results and the tables written beside it."""
    satisfied = result.satisfied
    failed = satisfied.loc[~satisfied["satisfied"], "figure_id"].tolist()
    stages = pd.DataFrame(
        [(i + 3, name, f"{value:.3f}") for i, (name, value) in enumerate(result.stages)],
        columns=["stage", "objective (minimised)", "optimum"],
    )
    bounds = result.bounds.drop(columns=["witness_min", "witness_max"])
    only_alt = [
        f"`{row.figure_id}` ({rule})"
        for rule in result.rules.alternatives
        for row in satisfied.itertuples(index=False)
        if getattr(row, f"holds_{rule}") is True
    ]
    lines = [
        "# Reconstruction from the published figures",
        "",
        "Generated by `python -m tees_analysis.reconstruct` (do not edit by hand). The method is",
        "documented line by line in `tees_analysis/reconstruct.py`; the counting rules are data in",
        "`data/config/counting_rules.toml`.",
        "",
        _markdown(pd.DataFrame(OUTPUT_FILES, columns=["file", "what"])),
        "",
        f"## Result: {len(result.satisfied_ids)} of {len(satisfied)} figures hold",
        "",
        f"Failed: {', '.join(f'`{f}`' for f in failed) or 'none'}.",
        "",
        "Figures that hold only under an alternative rounding (same partnership size, together",
        f"with every satisfied figure): {', '.join(only_alt) or 'none'}.",
        "",
        "## Readings",
        "",
        _markdown(result.readings_table.drop(columns=["question", "meaning"])),
        "",
        "Readings are chosen one at a time (coordinate ascent from the first-listed options) until",
        "none changes; ties go to the option listed first in the rules.",
        "",
        "## Conflicts",
        "",
        _markdown(result.conflicts[["conflict", "figures", "explanation"]]),
        "",
        "## Toxic-trio bounds",
        "",
        _markdown(bounds),
        "",
        "## Choosing one dataset among the optima",
        "",
        "Stages 1-2: most figures satisfied, earlier figures of `figures.csv` preferred. Then:",
        "",
        _markdown(stages),
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    """Regenerate every output and print a summary."""
    result = reconstruct_all()
    for path in write_reconstruction(result):
        print(f"wrote {path}")
    print(f"{len(result.satisfied_ids)} of {len(result.figures)} figures satisfied")


if __name__ == "__main__":
    # Run the package's copy of this module, not ``__main__``: the sibling modules import
    # ``tees_analysis.reconstruct`` and must share its classes.
    from tees_analysis.reconstruct import main as package_main

    package_main()
