"""The plan of the integer program: what the model counts, resolved before any solving.

:func:`build_plan` reads the counting rules, the published-figures file (its definition
columns) and one choice of readings, and resolves them into a :class:`Plan`:

* each figure as a :class:`FigureSpec` -- which children (or reviews) of which partnerships it
  counts, and under which conditions;
* each learning theme as a :class:`ThemePlan` -- whether its review flags are coupled to a
  child-level factor, and how the theme's children line is counted;
* the child-level dimensions (:class:`Dim`) the figures reference, with the values allowed in
  each partnership;
* the *components* (:class:`Component`): dimensions that the figures or the links between
  fields tie together are modelled jointly, and a component's *cells* are the combinations of
  its values that every link and sub-group partition allows.

No solver is involved; :mod:`.model` turns a plan into an integer program.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass

import pandas as pd

from ..data.schema import CHILDREN, NOT_RECORDED, THEMES
from ..published.rules import (
    Rules,
    Target,
    field_kind,
    field_labels,
    figure_partnership,
    population_totals,
    residual,
)

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


def size_splits(plan: Plan) -> list[dict[str, int]]:
    """Every way to split the children among the partnerships (each part 0 or more)."""
    *first, last = plan.partnerships
    splits = []
    for sizes in itertools.product(range(plan.n_children + 1), repeat=len(first)):
        rest = plan.n_children - sum(sizes)
        if rest >= 0:
            splits.append({**dict(zip(first, sizes, strict=True)), last: rest})
    return splits


def value_key(value):
    """A sort key that is the same on every run (sets sorted, never by hash)."""
    if isinstance(value, frozenset):
        return (2, tuple(sorted(value)))
    if isinstance(value, bool):
        return (0, int(value))
    return (1, str(value))
