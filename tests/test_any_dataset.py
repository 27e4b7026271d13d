"""Every function the data notebooks call, on generated valid datasets (not the reconstruction).

The datasets are drawn from the schema (:mod:`strategies`): 1 to 60 children, any subset of the
partnerships, one year or several with gaps, categories used or never used, factors all yes,
all no, not recorded or mixed, optional columns present or absent. They are loaded through the
same cleaning and validation as an analyst's files, then put through what notebooks 01, 03, 04
and 06 call, in the order they call it. Each test checks that nothing fails or warns, and the
properties that make the tables honest: a share with no denominator has no percent and no
interval, counts add up, no Python missing-value marker reaches a table.
"""

from __future__ import annotations

import re
import warnings

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
import pytest
from chart_checks import every_chart, reader_problems
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import examples, load, raw_datasets

from tees_analysis import selection
from tees_analysis.analysis import context, stats, tables
from tees_analysis.analysis import cooccurrence as co
from tees_analysis.analysis.loglinear import loglinear
from tees_analysis.data import pipeline
from tees_analysis.data.schema import TOXIC_TRIO
from tees_analysis.published.rules import load_rules
from tees_analysis.report import charts, findings, prose

matplotlib.use("Agg")
RULES = load_rules()
READINGS = tables.chosen_readings(rules=RULES)
#: Text a reader must never see in a table: Python's missing-value markers.
PYTHON_MARKERS = ("nan", "NaN", "<NA>", "None", "inf")


@pytest.fixture(autouse=True)
def no_warnings():
    """A warning would reach a notebook's output: every one is an error here."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def cells_of(frame: pd.DataFrame) -> list[str]:
    return [str(v) for v in frame.to_numpy().ravel()]


def check_points(points: list[str], data) -> None:
    """Main points: 1 to 7 bullets of plain words; none quotes the report or a Python value."""
    assert 1 <= len(points) <= 7, points
    for point in points:
        assert point.strip() and "\n" not in point
        for marker in (*PYTHON_MARKERS, "True", "False", "(the report:"):
            assert not re.search(rf"(?<![\w-]){re.escape(marker)}(?![\w-])", point), point
    if len(data.children) == 1:
        assert not any("1 children" in p or "1 reviews" in p for p in points), points


def check_shares(frame: pd.DataFrame) -> None:
    """Display cells: no Python markers, and every "no children" share has no percent."""
    for value in cells_of(frame):
        assert value not in PYTHON_MARKERS, frame
    for column in frame.columns:
        if column[-1] != "counted":
            continue
        group = column[:-1]
        for category, counted in frame[column].items():
            if counted in (tables.NO_CHILDREN, tables.NO_REVIEWS):
                assert frame.at[category, (*group, "% (half up)")] == tables.NOT_COMPUTED
                assert frame.at[category, (*group, "95% CI")] == tables.NOT_COMPUTED


@settings(max_examples=examples(35))
@given(raw_datasets())
def test_notebooks_01_03_04_on_any_dataset(raw):
    """Cleaning summaries (01), the children's blocks (03) and the themes (04)."""
    data = load(raw)
    assert len(data.children) == raw.n_children
    summary = pipeline.change_summary(data.changes)
    assert int(summary["cells"].sum()) == len(data.changes)
    assert "no" in prose.cleaning_note(data) or str(len(data.changes)) in prose.cleaning_note(data)
    by = data.children.groupby("partnership", observed=True).size()
    assert int(by.sum()) == len(data.children)
    assert f"of {prose.children(len(data.children))}" in prose.dataset_summary(data)
    pd.crosstab(data.reviews["partnership"], data.reviews["review_type"], margins=True)

    figures = tables.recompute(data, RULES, READINGS)
    assert (figures["count"] <= figures["denominator"]).all()
    empty = figures["denominator"] == 0
    assert figures.loc[empty, ["ci_low", "ci_high"]].isna().all().all()
    tables.readings_table(RULES, READINGS)
    for measure in ("review_type", *tables.CHILDREN_BLOCKS):
        check_shares(tables.side_by_side(figures, measure))
    comparisons = tables.compare_partnerships(figures)
    shown = prose.table_or(tables.format_comparisons(comparisons), "no comparison to show")
    sizes = prose.sizes_by_partnership(data.children)
    if len(sizes) < 2:  # a comparison of the partnerships needs both
        assert comparisons.empty and isinstance(shown, prose.Markdown)
    summary = prose.comparison_summary(comparisons, data)
    assert ("No comparison" in summary) == comparisons.empty
    assert prose.interval_note(data).count(" points") == len(sizes)

    years = selection.year_spans(data.reviews["year"])
    check_points(findings.children_points(figures, data, years, comparisons), data)
    check_points(findings.themes_points(figures, years), data)

    themes = tables.theme_table(figures)
    assert len(themes) == 10
    for value in cells_of(themes):
        assert value not in PYTHON_MARKERS
    for ids in (tables.neglect_ids(figures), tables.babies_ids(figures)):
        listed = tables.figure_list(figures, ids)
        for value in cells_of(listed):
            assert value not in PYTHON_MARKERS
        no_one = listed["counted"].isin([tables.NO_CHILDREN, tables.NO_REVIEWS])
        assert (listed.loc[no_one, "95% CI"] == tables.NOT_COMPUTED).all()


@settings(max_examples=examples(100))
@given(raw_datasets())
def test_notebook_06_cooccurrence_on_any_dataset(raw):
    data = load(raw)
    children = data.children
    recorded = co.recorded(children)
    assert recorded[list(TOXIC_TRIO)].notna().all().all()
    note = prose.recorded_note(children, recorded, TOXIC_TRIO)
    if len(children) == 1:
        assert "only child" in note
    else:
        assert f"{len(recorded)} " in note or f"All {len(recorded)} " in note
    table = co.trio_table(recorded)
    assert int(table.sum()) == len(recorded)
    by = co.combinations_by(recorded)
    assert int(by.loc["total"].iloc[-1]) == len(recorded)
    pairs = co.pairwise(table)
    assert (pairs["with both"] <= pairs[["with A", "with B"]].min(axis=1)).all()
    co.odds_ratios(table)
    fit = loglinear(table)
    if len(recorded) == 0:
        assert fit.models["deviance"].isna().all() and fit.notes
    results = context.context_tests(recorded)
    untested = results["p_value"].isna()
    assert results.loc[untested, "test"].str.startswith("not computed").all()
    assert not results.loc[~untested, "test"].str.startswith("not computed").any()
    for name in results["context"].unique():
        context.context_view(results, name)
    lines = context.low_p_lines(results, data_label="these data")
    assert lines[0].startswith("- **these data**")
    stats.small_sample_caveat(prose.sizes_by_partnership(recorded).values())
    check_points(findings.trio_main_points(recorded, report=False), data)


@settings(max_examples=examples(3))
@given(raw_datasets(max_children=25))
def test_every_figure_draws_on_any_dataset(raw):
    """Each figure of notebooks 03, 04 and 06 draws; an empty group or panel says so; every
    title, subtitle and alt text is plain words, computed from the data."""
    data = load(raw)
    figures = tables.recompute(data, RULES, READINGS)
    context = charts.Context.from_dataset(data)
    drawn = every_chart(data, figures, context)
    try:
        for chart in drawn:
            chart.figure.canvas.draw()
        assert [p for chart in drawn for p in reader_problems(chart)] == []
    finally:
        for chart in drawn:
            plt.close(chart.figure)


@settings(max_examples=examples(25))
@given(raw_datasets(max_children=30), st.data())
def test_a_selection_is_run_or_refused_with_a_reason(raw, draw):
    """Any years and partnership asked for: the rerun is refused with a reason, or its data
    hold exactly the reviews asked for."""
    full = load(raw)
    held = sorted({int(y) for y in full.reviews["year"]})
    first = draw.draw(st.integers(held[0] - 1, held[-1] + 1))
    last = draw.draw(st.integers(first, held[-1] + 2))
    who = draw.draw(st.sampled_from((None, *selection.PARTNERSHIPS)))
    chosen = selection.Selection((), (first, last), who)
    why = selection.refusal(full, chosen)
    selected = selection.apply(full, chosen)
    if why is None:
        assert not selected.children.empty
        assert set(range(first, last + 1)) <= set(held)
        assert set(selected.reviews["year"]) <= set(range(first, last + 1))
    elif any(y not in held for y in range(first, last + 1)):
        assert "the data hold no reviews from" in why
    else:
        assert selected.children.empty and "holds no children" in why
