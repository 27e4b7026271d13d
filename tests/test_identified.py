"""The identified set of the toxic trio, and every statistic of notebook 06 over it.

The set is listed exactly (every consistent STSCP table with every consistent HSSCP table);
these tests check the listing against the integer program directly, check the committed files
against a fresh computation, and check the ranges against the exact bounds (``bounds.csv``),
the reconstruction and the two witnesses of those bounds.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from tees_analysis.analysis import ranges
from tees_analysis.reconstruction.bounds import CELLS, QUANTITIES, cell_label, parse_witness
from tees_analysis.reconstruction.identified import (
    Totals,
    candidate_tables,
    maximum_rows,
    multinomial,
)
from tees_analysis.reconstruction.ilp import Row

BOUNDS = pd.read_csv(ranges.RECONSTRUCTION / "bounds.csv", dtype=str)


@pytest.fixture(scope="module")
def ident():
    return ranges.identified()


@pytest.fixture(scope="module")
def committed():
    return ranges.load()


def test_committed_files_equal_a_fresh_computation(ident):
    for path, data in ranges.files(ident).items():
        assert path.exists(), f"{path} is missing: run python -m tees_analysis.analysis.ranges"
        assert path.read_bytes() == data, f"{path} is stale: run python -m " + (
            "tees_analysis.analysis.ranges"
        )


def compositions(n: int, parts: int):
    """Every tuple of ``parts`` non-negative integers summing to ``n`` (stars and bars)."""
    for cut in itertools.combinations(range(n + parts - 1), parts - 1):
        bounds = (-1, *cut, n + parts - 1)
        yield tuple(b - a - 1 for a, b in itertools.pairwise(bounds))


@pytest.mark.parametrize(
    "totals",
    [Totals(5, 3, 2, 1), Totals(0, 0, 0, 0), Totals(1, 1, 1, 1), Totals(4, 4, 0, 2),
     Totals(6, 2, 3, 4), Totals(3, 4, 0, 0), Totals(5, 5, 5, 5)],
)  # fmt: skip
def test_candidate_tables_are_every_table_with_the_totals(totals):
    found = candidate_tables(totals)
    brute = [
        t
        for t in compositions(totals.n, 8)
        if [sum(k for c, k in zip(CELLS, t, strict=True) if c[i]) for i in range(3)]
        == [totals.da, totals.pmh, totals.sm]
    ]
    assert found == sorted(brute) and len(set(found)) == len(found)
    assert multinomial((2, 1, 0, 0, 0, 0, 0, 2)) == 30  # 5! / (2! 1! 2!)


def fixed(model, tables: dict) -> dict:
    """Bounds fixing each partnership's trio cells to ``tables[p]``."""
    from tees_analysis.reconstruction.bounds import trio_cells

    fix = {}
    for p, table in tables.items():
        cells = trio_cells(model, p)
        for cell, count in zip(CELLS, table, strict=True):
            (i,) = cells[cell].terms
            fix[i] = (count, count)
    return fix


def test_every_listed_table_is_in_a_dataset_that_keeps_every_satisfiable_figure(ident):
    """Each partnership's listed tables, and combinations of them (the extremes of each
    partnership's all-three count with each other, and every table with the reconstruction's
    table of the other partnership), hold jointly with the 49 figures."""
    model, best = ranges.consistent_model()
    extra = maximum_rows(model, best)
    tables = ident.trio.tables
    own = {p: tuple(int(k) for k in ident.reconstruction[p]) for p in tables}
    combos = []
    for p, q in itertools.permutations(tables, 2):
        combos += [{p: t, q: own[q]} for t in tables[p]]
    extremes = {p: [min(v, key=lambda t: t[-1]), max(v, key=lambda t: t[-1])] for p, v in
                tables.items()}  # fmt: skip
    combos += [
        dict(zip(extremes, pair, strict=True)) for pair in itertools.product(*extremes.values())
    ]
    for combo in combos:
        solution = model.ilp.solve(None, fix=fixed(model, combo), extra=extra)
        assert solution is not None, combo
        assert sum(solution.value(z) > 0.5 for z in model.z.values()) >= best
    # and a combination outside the set is refused: a table with the wrong totals
    wrong = dict(own)
    first = next(iter(wrong))
    wrong[first] = (wrong[first][0] + 1, *wrong[first][1:-1], wrong[first][-1] - 1)
    assert model.ilp.solve(None, fix=fixed(model, wrong), extra=extra) is None


def test_the_set_is_every_combination_and_its_weights_add_up(ident):
    sizes = [len(v) for v in ident.trio.tables.values()]
    assert len(ident.trio.pairs) == math.prod(sizes)
    assert ident.weights.sum() == pytest.approx(1.0)
    listed = pd.read_csv(ranges.TABLES_FILE)
    assert listed.groupby("partnership").size().to_dict() == {
        p: len(v) for p, v in ident.trio.tables.items()
    }
    assert listed.groupby("partnership")["weight"].sum().round(4).eq(1).all()


def test_count_ranges_equal_the_exact_bounds(committed):
    for row in BOUNDS.itertuples(index=False):
        name = f"children: {row.quantity.replace('_', ' ')}"
        hit = committed[(committed["statistic"] == name) & (committed["scope"] == row.scope)]
        assert len(hit) == 1, (name, row.scope)
        assert hit["minimum"].iloc[0] == int(row.min) and hit["maximum"].iloc[0] == int(row.max)
        assert hit["reconstruction"].iloc[0] == int(row.reconstruction)


def witness_tables(text: str) -> dict[str, np.ndarray]:
    cells = parse_witness(text)
    out = {}
    for p in sorted({p for p, _ in cells}, key=["STSCP", "HSSCP"].index):
        out[p] = np.array([cells[p, c] for c in CELLS])
    out[ranges.EVERYONE] = sum(out.values())
    return out


def test_the_reconstruction_and_both_witnesses_lie_inside_every_range(committed, ident):
    row = BOUNDS[(BOUNDS["scope"] == "Tees") & (BOUNDS["quantity"] == "all_three")].iloc[0]
    datasets = {
        "reconstruction": {**ident.reconstruction},
        "fewest": witness_tables(row.witness_min),
        "most": witness_tables(row.witness_max),
    }
    rows = committed[~committed["statistic"].str.startswith(("context", "reviews"))]
    for name, tables in datasets.items():
        values = {}
        for scope in [*ident.trio.partnerships, ranges.EVERYONE]:
            values.update(
                {(k, scope): v for k, v in ranges.table_statistics(tables[scope]).items()}
            )
            stack = tables[scope].reshape(1, 2, 2, 2).astype(float)
            for key, v in ranges.deviance_statistics(stack, ranges.loglinear.POOLED).items():
                values[key, scope] = float(v[0])
        strata = {p: tables[p] for p in ident.trio.partnerships}
        values.update(
            {(k, ranges.STRATIFIED): v for k, v in ranges.stratified_statistics(strata).items()}
        )
        stack = ranges.loglinear.stratum_array(list(strata.values()))[np.newaxis]
        for key, v in ranges.deviance_statistics(stack, ranges.loglinear.STRATIFIED).items():
            values[key, ranges.STRATIFIED] = float(v[0])
        for r in rows.itertuples(index=False):
            value = values[r.statistic, r.scope]
            if isinstance(value, float) and math.isnan(value):
                continue
            assert r.minimum - 1e-3 <= value <= r.maximum + 1e-3, (name, r.statistic, r.scope)


def test_the_reconstruction_lies_inside_every_context_and_review_range(committed):
    rows = committed[committed["statistic"].str.startswith(("context", "reviews"))]
    assert len(rows) == 4 * 5 * 2 + 3 * 6
    for r in rows.itertuples(index=False):
        if not math.isnan(r.reconstruction):
            assert r.minimum - 1e-9 <= r.reconstruction <= r.maximum + 1e-9, r.statistic


def test_every_statistic_of_notebook_06_has_a_range(committed):
    """Counts, proportions, Jaccard, odds ratios (each partnership, pooled, Mantel-Haenszel),
    p-values, deviances (pooled and with partnership terms) and the context tests."""
    names = set(committed["statistic"])
    for cell in CELLS:
        assert f"children in cell {cell_label(cell)}" in names
    for quantity in QUANTITIES:
        assert f"children: {quantity.replace('_', ' ')}" in names
    expected = [
        "P(PMH | DA)", "Jaccard DA and SM", "odds ratio PMH and SM", "p-value DA and PMH",
        "Mantel-Haenszel odds ratio DA and SM", "deviance: mutual independence",
        "deviance: pairwise associations, the same in each partnership",
        "context outcome × all three: odds ratio", "context partnership × all three: p-value",
    ]  # fmt: skip
    assert set(expected) <= names
    assert set(committed["scope"]) == {"STSCP", "HSSCP", "Tees", ranges.STRATIFIED}
    assert committed["how"].str.startswith(("listed", "exact minimum and maximum")).all()


def test_the_weighted_distribution_of_all_three_is_a_distribution(ident):
    distribution = ranges.distribution(ident)
    assert sum(distribution.values()) == pytest.approx(1.0)
    low, high = min(distribution), max(distribution)
    bound = BOUNDS[(BOUNDS["scope"] == "Tees") & (BOUNDS["quantity"] == "all_three")].iloc[0]
    assert (low, high) == (int(bound["min"]), int(bound["max"]))


def test_a_maximum_of_figures_is_the_constraint():
    model, best = ranges.consistent_model()
    rows = maximum_rows(model, best)
    assert model.ilp.solve(None, extra=rows) is not None
    assert model.ilp.solve(None, extra=[Row(rows[0].expr, lo=best + 1)]) is None
