"""From the counts of a solution to review and child records, by neutral rules.

The model fixes counts; which child sits in which review, and how the fields of different
components are paired on one child, it leaves open. :func:`build_dataset` decides those by
a fixed pseudo-random order (:func:`hash_order`: SHA-256 of a label, never the data), spreads
the review years evenly over the period and deals out the published review types, and writes
every field the figures say nothing about as ``not recorded`` or blank. The result is
deterministic: the same records on every run.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import pandas as pd

from ..data.schema import CHILDREN, NOT_RECORDED, RECONSTRUCTED, THEMES, theme_field
from .ilp import Expr, Solution
from .model import CaseModel
from .plan import (
    Component,
    Plan,
    ThemePlan,
    value_key,
)

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
            for proj in sorted({comp.project(c) for _, c, _ in pool}, key=value_key):
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
