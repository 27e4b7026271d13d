"""Counting rules: how each published figure is counted from the case-level tables.

The rules are data, in ``data/config/counting_rules.toml``; this module reads them, checks
them against :mod:`tees_analysis.data.schema` and the published-figures file, and exposes them as
frozen dataclasses. Every problem found is reported at once in a :class:`RulesError` naming
the place in the TOML file (``measures.sex.kind: ...``).

What the rules say, in brief:

* for every published measure, the schema field and category each figure row maps to, and
  whether the block is a *partition* (single-valued) or *multi* (multi-valued, or independent
  yes/no indicators), possibly differently per partnership;
* the percent rule a figure is judged by (round half up) and the alternatives that are only
  reported (largest remainder; any rounding forced to total 100);
* the readings of the ambiguous items, each with its options in order of preference;
* consistency links between fields of one child, and the neutral construction rules.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import pandas as pd

from ..data.schema import DERIVED, FIELDS, NOT_RECORDED, THEMES, TOXIC_TRIO
from ..paths import DATA
from .figures import load_published

RULES_PATH = DATA / "config" / "counting_rules.toml"

#: The rule a figure is judged by (the only one that is a condition on one figure at a time)
#: and the block-level alternatives that are tested and reported.
PRIMARY_RULES = ("half_up",)
ALTERNATIVE_RULES = ("largest_remainder", "total_100")
MEASURE_KINDS = ("partition", "multi", "theme")
READING_KINDS = ("partnership", "theme_children", "population")
THEME_COUNTS = (
    "children_in_flagged_reviews",
    "children_with_indicator",
    "indicator_children_in_flagged_reviews",
)
THEME_LINKS = (
    "none",
    "iff",
    "child_implies_review",
    "review_implies_child",
    "all_children_have_indicator",
)
#: The figure category that stands for the size of a measure's population.
POPULATION = "population"


class RulesError(ValueError):
    """The counting rules are invalid; ``problems`` lists every problem found."""

    def __init__(self, source: str, problems: list[str]):
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(
            f"{source}: {len(self.problems)} problem(s) in the counting rules:\n{lines}"
        )


# --------------------------------------------------------------------------- dataclasses


@dataclass(frozen=True)
class Target:
    """What a figure's category counts: the children (or reviews) with ``field == value``.

    ``value`` is a schema label, or ``True``/``False`` for a yes/no field. ``field`` is
    ``None`` for the figure that is the size of the population itself.
    """

    field: str | None
    value: str | bool | None


@dataclass(frozen=True)
class Block:
    """How one partnership's figures of a measure are counted."""

    kind: str
    exhaustive: bool
    max_labels: int = 1
    why: str = ""


@dataclass(frozen=True)
class Measure:
    """A published measure: its table, block rule(s) and category mapping."""

    name: str
    table: str
    kind: str
    field: str | None
    categories: MappingProxyType  # figure category -> Target
    block: Block
    overrides: MappingProxyType  # partnership -> Block
    population: str | None = None

    def block_for(self, partnership: str) -> Block:
        """The block rule that applies to ``partnership``."""
        return self.overrides.get(partnership, self.block)


@dataclass(frozen=True)
class Link:
    """A child with ``when`` has a value of ``then_field`` among ``then_values``."""

    id: str
    when: Target
    then_field: str
    then_values: tuple
    why: str


@dataclass(frozen=True)
class Option:
    """One option of a reading; ``params`` holds the option's settings."""

    id: str
    meaning: str
    params: MappingProxyType


@dataclass(frozen=True)
class Reading:
    """An ambiguous item: the figures it covers and the options for reading them."""

    id: str
    kind: str
    question: str
    measure: str
    categories: tuple[str, ...] | None
    exclude: tuple[str, ...]
    condition: Target | None
    options: tuple[Option, ...]

    def covers(self, measure: str, category: str) -> bool:
        """Whether the figure ``(measure, category)`` is read by this reading."""
        if measure != self.measure or category in self.exclude:
            return False
        return self.categories is None or category in self.categories

    def option(self, option_id: str) -> Option:
        for opt in self.options:
            if opt.id == option_id:
                return opt
        raise KeyError(f"reading {self.id!r} has no option {option_id!r}")


@dataclass(frozen=True)
class Rules:
    """The validated counting rules."""

    version: int
    primary: str
    alternatives: tuple[str, ...]
    partnerships: tuple[str, ...]
    all_label: str
    reviews_measure: str
    children_measure: str
    measures: MappingProxyType  # name -> Measure
    themes: MappingProxyType  # theme name -> indicator field
    joint: MappingProxyType  # name -> tuple of fields
    links: tuple[Link, ...]
    readings: tuple[Reading, ...]
    construction: MappingProxyType
    source: str = field(default="", compare=False)

    def reading(self, reading_id: str) -> Reading:
        for r in self.readings:
            if r.id == reading_id:
                return r
        raise KeyError(f"no reading {reading_id!r}")

    def default_readings(self) -> dict[str, str]:
        """The first (preferred) option of every reading."""
        return {r.id: r.options[0].id for r in self.readings}

    def reading_for(self, measure: str, category: str) -> Reading | None:
        """The reading that covers a figure, if any."""
        hits = [r for r in self.readings if r.covers(measure, category)]
        return hits[0] if hits else None

    def check_readings(self, readings: dict[str, str]) -> dict[str, str]:
        """``readings`` completed with defaults; raises ``KeyError`` on an unknown option."""
        chosen = {**self.default_readings(), **readings}
        for reading_id, option_id in chosen.items():
            self.reading(reading_id).option(option_id)
        return chosen


# --------------------------------------------------------------------------- schema helpers


def field_kind(table: str, name: str) -> str | None:
    """The kind of a schema field or derived field (``None`` if there is none)."""
    for f in FIELDS.get(table, ()):
        if f.name == name:
            return f.kind
    for d in DERIVED:
        if d.table == table and d.name == name:
            return d.kind
    return None


def field_labels(table: str, name: str) -> tuple[str, ...]:
    """The category labels of a schema field (empty for non-category fields)."""
    for f in FIELDS.get(table, ()):
        if f.name == name:
            return f.labels
    return ()


def residual(table: str, name: str):
    """The value written for a child outside every published category of ``name``.

    ``'not recorded'`` for category fields (the empty set for multi-valued ones), ``False``
    for yes/no fields (a blank cell: not recorded as present).
    """
    kind = field_kind(table, name)
    if kind == "yes_no":
        return False
    if kind == "multi_category":
        return frozenset()
    return NOT_RECORDED


# --------------------------------------------------------------------------- parsing


class _Checker:
    """Collects problems with their place in the TOML file."""

    def __init__(self):
        self.problems: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def get(self, table: dict, key: str, where: str, kind: type | tuple, default=...):
        if key not in table:
            if default is ...:
                self.add(f"{where}.{key}", "is required")
                return None
            return default
        value = table[key]
        if not isinstance(value, kind):
            self.add(f"{where}.{key}", f"must be {_kind_name(kind)}, found {value!r}")
            return None if default is ... else default
        return value

    def one_of(self, value, allowed, where: str) -> None:
        if value is not None and value not in allowed:
            self.add(where, f"{value!r} is not one of {list(allowed)}")

    def unknown_keys(self, table: dict, allowed: set[str], where: str) -> None:
        for key in sorted(set(table) - allowed):
            self.add(f"{where}.{key}", f"unknown key; allowed: {sorted(allowed)}")


def _kind_name(kind) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {
        str: "text",
        int: "a whole number",
        bool: "true/false",
        list: "a list",
        dict: "a table",
    }
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _value(table: str, fld: str, raw, where: str, check: _Checker):
    """A TOML value of field ``fld`` as used by the rules (labels, or bools for yes/no)."""
    kind = field_kind(table, fld)
    if kind is None:
        check.add(where, f"unknown {table} field {fld!r}")
        return None
    if kind == "yes_no":
        if raw not in ("yes", "no"):
            check.add(where, f"{fld} is a yes/no field: use 'yes' or 'no', not {raw!r}")
            return None
        return raw == "yes"
    labels = field_labels(table, fld)
    if raw not in labels:
        check.add(where, f"{raw!r} is not a label of {fld}; labels: {list(labels)}")
        return None
    return raw


def _target(table: str, default_field, raw, where: str, check: _Checker) -> Target | None:
    if raw == POPULATION:
        return Target(None, None)
    if isinstance(raw, dict):
        check.unknown_keys(raw, {"field", "value"}, where)
        fld = check.get(raw, "field", where, str)
        value = check.get(raw, "value", where, str)
        if fld is None or value is None:
            return None
        return Target(fld, _value(table, fld, value, where, check))
    if not isinstance(raw, str):
        check.add(where, f"must be a label, a table {{field, value}} or '{POPULATION}'")
        return None
    if default_field is None:
        check.add(where, "the measure has no field: give {field, value}")
        return None
    return Target(default_field, _value(table, default_field, raw, where, check))


_BLOCK_KEYS = {"kind", "exhaustive", "max_labels", "why"}


def _block(raw: dict, where: str, check: _Checker, base: Block | None = None) -> Block:
    kind = check.get(raw, "kind", where, str, base.kind if base else ...)
    check.one_of(kind, MEASURE_KINDS, f"{where}.kind")
    exhaustive = check.get(raw, "exhaustive", where, bool, base.exhaustive if base else False)
    max_labels = check.get(raw, "max_labels", where, int, base.max_labels if base else 1)
    if max_labels is not None and max_labels < 1:
        check.add(f"{where}.max_labels", "must be at least 1")
    why = check.get(raw, "why", where, str, "")
    return Block(kind or "multi", bool(exhaustive), max_labels or 1, why)


def _measure(name: str, raw: dict, partnerships, check: _Checker) -> Measure:
    where = f"measures.{name}"
    allowed = _BLOCK_KEYS | {"table", "field", "categories", "partnership", "population"}
    check.unknown_keys(raw, allowed, where)
    table = check.get(raw, "table", where, str)
    check.one_of(table, ("reviews", "children"), f"{where}.table")
    fld = check.get(raw, "field", where, str, None)
    if fld is not None and table in FIELDS and field_kind(table, fld) is None:
        check.add(f"{where}.field", f"unknown {table} field {fld!r}")
        fld = None
    block = _block({k: v for k, v in raw.items() if k in _BLOCK_KEYS}, where, check)
    overrides = {}
    for partnership, over in check.get(raw, "partnership", where, dict, {}).items():
        check.one_of(partnership, partnerships, f"{where}.partnership.{partnership}")
        overrides[partnership] = _block(over, f"{where}.partnership.{partnership}", check, block)
    categories = {}
    for category, target in check.get(raw, "categories", where, dict, {}).items():
        parsed = _target(table or "children", fld, target, f"{where}.categories.{category}", check)
        if parsed is not None:
            categories[category] = parsed
    if block.kind == "theme" and categories:
        check.add(f"{where}.categories", "a theme measure takes its categories from [themes]")
    return Measure(
        name=name,
        table=table or "children",
        kind=block.kind,
        field=fld,
        categories=MappingProxyType(categories),
        block=block,
        overrides=MappingProxyType(overrides),
        population=check.get(raw, "population", where, str, None),
    )


def _themes(raw: dict, check: _Checker) -> dict[str, str]:
    names = {name for _, name in THEMES}
    themes = {}
    for theme, indicator in raw.items():
        where = f"themes.{theme}"
        if theme not in names:
            check.add(where, f"not one of the schema's themes {sorted(names)}")
        elif field_kind("children", indicator) != "yes_no":
            check.add(where, f"{indicator!r} is not a yes/no field of the children table")
        else:
            themes[theme] = indicator
    return themes


def _joint(raw: dict, check: _Checker) -> dict[str, tuple[str, ...]]:
    joint = {}
    for name, fields in raw.items():
        where = f"joint.{name}"
        if not isinstance(fields, list) or not all(
            field_kind("children", f) == "yes_no" for f in fields
        ):
            check.add(where, "must be a list of yes/no fields of the children table")
            continue
        joint[name] = tuple(fields)
    if joint.get("toxic_trio") != TOXIC_TRIO:
        check.add("joint.toxic_trio", f"must be the schema's TOXIC_TRIO {list(TOXIC_TRIO)}")
    return joint


def _link(i: int, raw: dict, check: _Checker) -> Link | None:
    where = f"links[{i}]"
    check.unknown_keys(raw, {"id", "when", "then", "why"}, where)
    when = _target("children", None, check.get(raw, "when", where, dict), f"{where}.when", check)
    then = check.get(raw, "then", where, dict) or {}
    check.unknown_keys(then, {"field", "values"}, f"{where}.then")
    then_field = check.get(then, "field", f"{where}.then", str)
    values = check.get(then, "values", f"{where}.then", list) or []
    parsed = tuple(_value("children", then_field, v, f"{where}.then", check) for v in values)
    if when is None or then_field is None or not parsed:
        return None
    return Link(
        str(check.get(raw, "id", where, str)), when, then_field, parsed, str(raw.get("why", ""))
    )


_OPTION_KEYS = {
    "partnership": {"partnership"},
    "theme_children": {"count", "link"},
    "population": {"partnerships"},
}


def _option(kind: str, raw: dict, where: str, partnerships, check: _Checker) -> Option:
    check.unknown_keys(raw, {"id", "meaning", *_OPTION_KEYS.get(kind, ())}, where)
    params = {key: raw.get(key) for key in _OPTION_KEYS.get(kind, ())}
    for key, value in params.items():
        if value is None:
            check.add(f"{where}.{key}", "is required")
    if kind == "partnership":
        check.one_of(params["partnership"], partnerships, f"{where}.partnership")
    elif kind == "theme_children":
        check.one_of(params["count"], THEME_COUNTS, f"{where}.count")
        check.one_of(params["link"], THEME_LINKS, f"{where}.link")
    elif kind == "population":
        for p in params["partnerships"] or []:
            check.one_of(p, partnerships, f"{where}.partnerships")
        params["partnerships"] = tuple(params["partnerships"] or ())
    return Option(
        str(check.get(raw, "id", where, str)),
        str(raw.get("meaning", "")),
        MappingProxyType(params),
    )


def _reading(i: int, raw: dict, partnerships, check: _Checker) -> Reading:
    where = f"readings[{i}]"
    allowed = {"id", "kind", "question", "measure", "categories", "exclude", "condition"}
    check.unknown_keys(raw, allowed | {"options"}, where)
    kind = check.get(raw, "kind", where, str)
    check.one_of(kind, READING_KINDS, f"{where}.kind")
    condition = None
    if "condition" in raw:
        condition = _target("children", None, raw["condition"], f"{where}.condition", check)
    options = tuple(
        _option(kind, opt, f"{where}.options[{j}]", partnerships, check)
        for j, opt in enumerate(check.get(raw, "options", where, list) or [])
    )
    if not options:
        check.add(f"{where}.options", "a reading needs at least one option")
    ids = [o.id for o in options]
    if len(set(ids)) != len(ids):
        check.add(f"{where}.options", f"duplicate option ids {ids}")
    categories = raw.get("categories")
    return Reading(
        id=str(check.get(raw, "id", where, str)),
        kind=kind or "",
        question=str(raw.get("question", "")),
        measure=str(check.get(raw, "measure", where, str)),
        categories=tuple(categories) if categories is not None else None,
        exclude=tuple(raw.get("exclude", ())),
        condition=condition,
        options=options,
    )


def parse_rules(data: dict, source: str = "<rules>") -> Rules:
    """Build :class:`Rules` from parsed TOML ``data``; raise :class:`RulesError` if invalid."""
    check = _Checker()
    top = {"version", "percent", "population", "measures", "themes", "joint", "links"}
    check.unknown_keys(data, top | {"readings", "construction"}, "(top)")
    if check.get(data, "version", "(top)", int) not in (1, None):
        check.add("version", "only version 1 is understood")
    percent = check.get(data, "percent", "(top)", dict) or {}
    primary = check.get(percent, "primary", "percent", str)
    check.one_of(primary, PRIMARY_RULES, "percent.primary")
    alternatives = tuple(check.get(percent, "alternatives", "percent", list, []))
    for alt in alternatives:
        check.one_of(alt, ALTERNATIVE_RULES, "percent.alternatives")
    population = check.get(data, "population", "(top)", dict) or {}
    partnerships = tuple(check.get(population, "partnerships", "population", list) or ())
    schema_partnerships = field_labels("reviews", "partnership")
    for p in partnerships:
        check.one_of(p, schema_partnerships, "population.partnerships")
    measures = {
        name: _measure(name, raw, partnerships, check)
        for name, raw in (check.get(data, "measures", "(top)", dict) or {}).items()
    }
    rules = Rules(
        version=1,
        primary=primary or "half_up",
        alternatives=alternatives,
        partnerships=partnerships,
        all_label=str(check.get(population, "all", "population", str)),
        reviews_measure=str(check.get(population, "reviews", "population", str)),
        children_measure=str(check.get(population, "children", "population", str)),
        measures=MappingProxyType(measures),
        themes=MappingProxyType(_themes(check.get(data, "themes", "(top)", dict) or {}, check)),
        joint=MappingProxyType(_joint(check.get(data, "joint", "(top)", dict) or {}, check)),
        links=tuple(
            link
            for i, raw in enumerate(check.get(data, "links", "(top)", list, []))
            if (link := _link(i, raw, check)) is not None
        ),
        readings=tuple(
            _reading(i, raw, partnerships, check)
            for i, raw in enumerate(check.get(data, "readings", "(top)", list, []))
        ),
        construction=MappingProxyType(dict(data.get("construction", {}))),
        source=source,
    )
    _check_cross_references(rules, check)
    if check.problems:
        raise RulesError(source, check.problems)
    return rules


def _check_cross_references(rules: Rules, check: _Checker) -> None:
    for name in (rules.reviews_measure, rules.children_measure):
        if name not in rules.measures:
            check.add("population", f"names the unknown measure {name!r}")
    for reading in rules.readings:
        where = f"readings.{reading.id}"
        measure = rules.measures.get(reading.measure)
        if measure is None:
            check.add(f"{where}.measure", f"unknown measure {reading.measure!r}")
        elif reading.kind == "theme_children" and measure.kind != "theme":
            check.add(f"{where}.measure", "a theme_children reading needs a theme measure")
        if reading.kind == "population" and reading.condition is None:
            check.add(f"{where}.condition", "a population reading needs a condition")
    for name, measure in rules.measures.items():
        if measure.population is not None and measure.population not in {
            r.id for r in rules.readings if r.kind == "population"
        }:
            check.add(
                f"measures.{name}.population", f"no population reading {measure.population!r}"
            )


# --------------------------------------------------------------------------- coverage


def check_coverage(rules: Rules, figures: pd.DataFrame) -> list[str]:
    """Problems with the mapping of the figures file: every figure must be counted somehow."""
    problems = []
    for row in figures.itertuples(index=False):
        where = f"figure {row.figure_id}"
        measure = rules.measures.get(row.measure)
        if measure is None:
            problems.append(f"{where}: no rule for measure {row.measure!r}")
            continue
        if measure.table != row.counts:
            problems.append(f"{where}: counts {row.counts}, the rule counts {measure.table}")
        if measure.kind == "theme":
            if row.category not in rules.themes and row.measure == rules.children_measure:
                problems.append(f"{where}: theme {row.category!r} has no indicator in [themes]")
            if row.category not in {name for _, name in THEMES}:
                problems.append(f"{where}: {row.category!r} is not a schema theme")
        elif row.category not in measure.categories:
            problems.append(f"{where}: category {row.category!r} is not mapped")
        if row.partnership == rules.all_label and not _tees_counted(rules, row):
            problems.append(f"{where}: a {rules.all_label} figure needs a theme or a reading")
    for measure in (rules.reviews_measure, rules.children_measure):
        stated = figures.loc[figures["measure"] == measure, "stated_denominator"].dropna()
        if stated.nunique() != 1:
            problems.append(f"measure {measure}: stated denominators must agree, found "
                            f"{sorted(stated.unique())}")  # fmt: skip
    return problems


def _tees_counted(rules: Rules, row) -> bool:
    measure = rules.measures[row.measure]
    return measure.kind == "theme" or measure.population is not None


def load_rules(path: Path | str = RULES_PATH, figures: pd.DataFrame | None = None) -> Rules:
    """Read and validate the counting rules (and their coverage of the published figures).

    Raises :class:`RulesError` listing every problem, including a TOML syntax error.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise RulesError(str(path), [f"not valid TOML: {err}"]) from None
    rules = parse_rules(data, str(path))
    figures = load_published() if figures is None else figures
    problems = check_coverage(rules, figures)
    if problems:
        raise RulesError(str(path), problems)
    return rules


def population_totals(rules: Rules, figures: pd.DataFrame) -> tuple[int, int]:
    """Numbers of reviews and of children in all, from the stated denominators."""

    def stated(measure: str) -> int:
        values = figures.loc[figures["measure"] == measure, "stated_denominator"].dropna()
        return int(values.iloc[0])

    return stated(rules.reviews_measure), stated(rules.children_measure)


def figure_partnership(rules: Rules, row, readings: dict[str, str]) -> str:
    """The partnership a figure is about under ``readings`` (a partnership reading may move it)."""
    reading = rules.reading_for(row.measure, row.category)
    if reading is not None and reading.kind == "partnership":
        return reading.option(readings[reading.id]).params["partnership"]
    return row.partnership


def measures_table(rules: Rules) -> pd.DataFrame:
    """The counting rules of every measure as a table, one row per measure and partnership rule.

    ``applies to`` is ``all`` for the measure's rule and a partnership's name for an override.
    """
    rows = []
    for measure in rules.measures.values():
        blocks = [("all", measure.block), *measure.overrides.items()]
        for scope, block in blocks:
            rows.append(
                {
                    "measure": measure.name,
                    "table": measure.table,
                    "applies to": scope,
                    "kind": block.kind if measure.kind != "theme" else "theme",
                    "exhaustive": block.exhaustive,
                    "why": block.why,
                }
            )
    return pd.DataFrame(rows)


def readings_options(rules: Rules) -> pd.DataFrame:
    """Every option of every ambiguous reading, in the order they are preferred on ties."""
    return pd.DataFrame(
        [
            {"reading": r.id, "option": o.id, "meaning": o.meaning}
            for r in rules.readings
            for o in r.options
        ]
    )
