"""The reconstruction: files current, figures reproduced, conflicts minimal, bounds attained."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

from tees_analysis.data import pipeline
from tees_analysis.data.schema import NOT_RECORDED
from tees_analysis.paths import RAW
from tees_analysis.published.measures import compute_figures
from tees_analysis.reconstruction.bounds import (
    QUANTITIES,
    parse_witness,
    trio_cells,
    witness_quantity,
)
from tees_analysis.reconstruction.build import build_dataset, hash_order
from tees_analysis.reconstruction.ilp import Expr, Row
from tees_analysis.reconstruction.readme import RAW_CHILDREN, RAW_REVIEWS
from tees_analysis.reconstruction.reconstruct import reconstruct_all


@pytest.fixture(scope="module")
def result():
    return reconstruct_all()


@pytest.fixture(scope="module")
def recomputed(result):
    dataset = pipeline.load([RAW / RAW_REVIEWS, RAW / RAW_CHILDREN])
    return dataset, compute_figures(dataset, result.rules, result.readings).set_index("figure_id")


def test_committed_outputs_equal_a_fresh_regeneration(result):
    for path, data in result.files().items():
        assert path.exists(), f"{path} is missing: run python -m tees_analysis.reconstruction"
        assert path.read_bytes() == data, (
            f"{path} is stale: run python -m tees_analysis.reconstruction"
        )


def test_raw_files_load_cleanly_and_have_the_population(result, recomputed):
    dataset, _ = recomputed
    assert len(dataset.reviews) == result.model.plan.n_reviews
    assert len(dataset.children) == result.model.plan.n_children
    assert (dataset.reviews["n_children"] >= 1).all()


def test_every_figure_recomputed_equals_the_model(result, recomputed):
    _, computed = recomputed
    model, solution = result.model, result.solution
    for fid in model.z:
        assert computed.loc[fid, "count"] == solution.count(model.count[fid]), fid
        assert computed.loc[fid, "denominator"] == solution.count(model.denominator[fid]), fid


def test_satisfied_figures_hold_and_failed_ones_do_not(result, recomputed):
    _, computed = recomputed
    published = result.figures.set_index("figure_id")["value"]
    satisfied = set(result.satisfied_ids)
    assert satisfied, "the reconstruction satisfies nothing"
    for fid, value in computed["value"].items():
        assert (value == published[fid]) == (fid in satisfied), fid


def test_no_dataset_satisfies_more(result):
    """Solved again with the sizes free (no branch and bound): the same maximum."""
    model = result.model
    total = Expr.total(model.z.values())
    free = model.ilp.solve(total, maximize=True)
    assert free.count(total) == len(result.satisfied_ids)


def test_chosen_readings_satisfy_the_most(result):
    table = result.readings_table
    for _, group in table.groupby("reading"):
        chosen = group[group["chosen"]]
        assert len(chosen) == 1
        assert chosen["figures_satisfied"].iloc[0] == group["figures_satisfied"].max()
    other = table[(table.reading == "review_type_partnership") & (table.option == "HSSCP")]
    assert "ST-TYPE" in other["figures_failed"].iloc[0]


def test_theme_links_of_the_chosen_reading_hold(result, recomputed):
    dataset, _ = recomputed
    children = dataset.children
    for theme in result.model.plan.themes:
        if theme.link != "review_implies_child":
            continue
        flagged = dataset.reviews.loc[
            dataset.reviews[f"theme_{theme.code}"].fillna(False).astype(bool)
        ]
        with_factor = children.loc[
            children[theme.indicator].fillna(False).astype(bool), "review_id"
        ]
        assert set(flagged["review_id"]) <= set(with_factor), theme.theme


def test_unpublished_fields_are_not_invented(result, recomputed):
    dataset, _ = recomputed
    children = dataset.children
    plan = result.model.plan
    for name in ("harm_category", "plan_category"):
        silent = [p for p in plan.partnerships if p not in plan.dims[name].referenced]
        assert silent, name
        values = children.loc[children["partnership"].astype(object).isin(silent), name]
        assert set(values.astype(object)) == {NOT_RECORDED}, name
    assert children["age_months"].isna().all()
    assert dataset.reviews["pseudonym"].isna().all()


def test_dataset_is_deterministic(result):
    reviews, children = build_dataset(result.model, result.solution)
    assert reviews.equals(result.reviews) and children.equals(result.children)
    assert hash_order(range(10), "salt") == hash_order(list(range(10)), "salt")
    assert hash_order(range(10), "salt") != hash_order(range(10), "other salt")


def test_conflicts_are_infeasible_and_minimal(result):
    model = result.model
    failed = set(model.z) - set(result.satisfied_ids)
    assert set(result.conflicts["failed_figure"]) == failed
    for row in result.conflicts.itertuples(index=False):
        ids = row.figures.split()
        assert row.failed_figure in ids and len(ids) == row.size
        assert model.feasible(ids) is None, row.conflict
        for smaller in itertools.combinations(ids, len(ids) - 1):
            assert model.feasible(list(smaller)) is not None, (row.conflict, smaller)


def test_conflict_explanations_come_from_the_numbers(result):
    published = result.figures.set_index("figure_id")["value"]
    for row in result.conflicts.itertuples(index=False):
        for fid in row.figures.split():
            assert str(published[fid]) in row.explanation, (row.conflict, fid)
        assert row.explanation.endswith(".")


def test_forced_to_100_figures_are_listed(result):
    satisfied = result.satisfied.set_index("figure_id")
    forced = satisfied[satisfied["holds_total_100"].fillna(False).astype(bool)]
    assert len(forced) and not forced["satisfied"].any()
    assert not satisfied["holds_largest_remainder"].fillna(False).astype(bool).any()


def test_bounds_contain_the_reconstruction_and_sit_inside_frechet(result):
    bounds = result.bounds
    assert set(bounds["quantity"]) == set(QUANTITIES)
    assert (bounds["min"] <= bounds["reconstruction"]).all()
    assert (bounds["reconstruction"] <= bounds["max"]).all()
    assert (bounds["frechet_min"] <= bounds["min"]).all()
    assert (bounds["max"] <= bounds["frechet_max"]).all()


def test_each_bound_is_attained_by_its_witness(result):
    model, everyone = result.model, result.rules.all_label
    witnesses = set()
    for row in result.bounds.itertuples(index=False):
        for bound, text in ((row.min, row.witness_min), (row.max, row.witness_max)):
            cells = parse_witness(text)
            assert witness_quantity(cells, row.scope, row.quantity, everyone) == bound
            witnesses.add(text)
    for text in sorted(witnesses):  # each distinct witness is a dataset meeting every figure
        cells = parse_witness(text)
        rows = [
            Row(expr, cells[p, cell], cells[p, cell])
            for p in model.plan.partnerships
            for cell, expr in trio_cells(model, p).items()
        ]
        assert model.feasible(result.satisfied_ids, extra=rows) is not None, text


def test_trio_margins_are_identified(result):
    """The Frechet columns use the reconstruction's margins: every consistent dataset has them."""
    model = result.model
    fix = model.hard(result.satisfied_ids)
    for p in model.plan.partnerships:
        cells = trio_cells(model, p)
        for k in range(3):
            margin = Expr.total(e for c, e in cells.items() if c[k])
            low, high = (model.ilp.solve(margin, maximize=m, fix=fix) for m in (False, True))
            assert low.count(margin) == high.count(margin) == result.solution.count(margin)


def test_frechet_bounds_of_the_triple_match_the_formula(result):
    for row in result.bounds[result.bounds.quantity == "all_three"].itertuples(index=False):
        margins, n = row.margins.split(" of ")
        a, b, c = map(int, margins.split("/"))
        assert row.frechet_min == max(0, a + b + c - 2 * int(n))
        assert row.frechet_max == min(a, b, c)


def test_satisfied_table_columns(result):
    table = result.satisfied
    assert list(table.columns[:4]) == ["figure_id", "partnership_counted", "measure", "category"]
    assert table["satisfied"].sum() == len(result.satisfied_ids)
    assert isinstance(table, pd.DataFrame)


def test_plain_words_say_what_the_bounds_say():
    import pandas as pd

    from tees_analysis.reconstruction.bounds import plain_words

    table = pd.DataFrame(
        [
            ["HSSCP", "all_three", 5, 11, 5, 11, 7, "11/11/11 of 14"],
            ["Tees", "all_three", 5, 15, 1, 15, 9, "22/18/15 of 27"],
            ["STSCP", "none", 0, 2, 0, 2, 1, "11/7/4 of 13"],
        ],
        columns=["scope", "quantity", "min", "max", "frechet_min", "frechet_max",
                 "reconstruction", "margins"],
    )  # fmt: skip
    assert plain_words(table, ("all_three", "none")) == [
        "HSSCP: at least 5 and at most 11 of the 14 children had all three factors (no narrower "
        "than the three totals alone allow).",
        "Tees: at least 5 and at most 15 of the 27 children had all three factors (the three "
        "totals alone would allow 1 to 15).",
        "STSCP: at most 2 of the 13 children had none of the three (no narrower than the three "
        "totals alone allow).",
    ]
