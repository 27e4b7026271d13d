"""What the published figures identify about co-occurrence, and what is specific to a dataset.

The report gives how many children had each factor, never how many had two or three.
:func:`load_bounds` reads the exact bounds of every co-occurrence count over *all* datasets
consistent with the report (computed by :func:`tees_analysis.reconstruction.bounds.trio_bounds`,
committed in ``data/reconstruction/bounds.csv``) and :func:`bounds_table` shows them beside the
Frechet bounds from the three totals alone; :func:`witness_tables` rebuilds the trio tables of
the datasets attaining the bounds.

:func:`identification` says, for each table of :func:`tees_analysis.analysis.context.context_tests`,
whether the report pins it down: *identified* only when an exact integer program over every
dataset consistent with the satisfied figures (:class:`ConsistentModel`) finds a single value;
*specific to the reconstruction* when another dataset, reproducing every figure exactly as the
reconstruction does, gives a different table (the dataset is exhibited) -- or when neither can
be shown.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..data.derive import under_2
from ..data.pipeline import Dataset
from ..data.schema import THEMES, TOXIC_TRIO, theme_field
from ..paths import DATA
from ..published.figures import load_published
from ..published.measures import _matches, compute_figures
from ..published.rules import load_rules
from ..reconstruction.bounds import parse_witness, trio_cells
from ..reconstruction.ilp import Expr
from ..reconstruction.model import CaseModel
from ..reconstruction.plan import build_plan
from .context import CONTEXTS, exposure_names, exposures
from .cooccurrence import IDENTIFIED, QUANTITY_SHORT, SPECIFIC, table_from_cells

BOUNDS_FILE = DATA / "reconstruction" / "bounds.csv"
SATISFIED_FILE = DATA / "reconstruction" / "satisfied.csv"
READINGS_FILE = DATA / "reconstruction" / "readings.csv"

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

        figures = load_published()
        rules = load_rules(figures=figures)
        model = CaseModel(build_plan(rules, figures, chosen_readings(readings)))
        table = pd.read_csv(satisfied)
        ids = list(table.loc[table["satisfied"].astype(bool), "figure_id"])
        return cls(model, model.hard(ids), len(ids))

    @classmethod
    def from_reconstruction(cls, result) -> ConsistentModel:
        """From a :class:`tees_analysis.reconstruction.reconstruct.Reconstruction` in memory."""
        ids = result.satisfied_ids
        return cls(result.model, result.model.hard(ids), len(ids))

    def trio_range(self, partnership: str, test) -> tuple[int, int]:
        """Fewest and most children of ``partnership`` whose (DA, PMH, SM) cell passes
        ``test``, over every consistent dataset."""

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
