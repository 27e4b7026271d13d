"""The national reference file is well-formed and the Tees measures come from the data."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tees_analysis.analysis import national, stats
from tees_analysis.published.figures import load_published


@pytest.fixture(scope="module")
def raw():
    return national.read_national()


@pytest.fixture(scope="module")
def loaded():
    return national.load_national()


@pytest.fixture(scope="module")
def tees():
    return national.tees_measures()


def test_national_file_is_well_formed(raw):
    assert national.problems(raw) == []
    assert list(raw.columns) == list(national.COLUMNS)
    assert raw["id"].is_unique


def test_every_row_cites_a_source_with_title_and_url(raw):
    for row in raw.itertuples():
        assert row.source_title.strip(), row.id
        assert row.publisher.strip(), row.id
        assert row.url.startswith("https://"), row.id
        assert row.location.strip(), row.id
        assert 2000 <= int(row.year) <= 2030, row.id
        if row.source_kind == "secondary":
            assert row.reports_on.strip(), row.id


def test_readme_lists_every_figure_and_source(raw):
    readme = national.NATIONAL_README.read_text(encoding="utf-8")
    for row in raw.itertuples():
        assert row.id in readme, row.id
        assert row.url in readme, row.url


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_a_damaged_row_is_reported(raw, data):
    damaged = raw.copy()
    i = data.draw(st.integers(0, len(raw) - 1))
    how = data.draw(st.sampled_from(["blank", "url", "unit", "percent", "ratio", "kind", "key"]))
    if how == "blank":
        damaged.loc[i, data.draw(st.sampled_from(national.REQUIRED))] = ""
    elif how == "url":
        damaged.loc[i, "url"] = "www.example.org"
    elif how == "unit":
        damaged.loc[i, "unit"] = "per cent"
    elif how == "percent":
        damaged.loc[i, ["unit", "value", "numerator", "denominator"]] = ["percent", "101", "", ""]
    elif how == "ratio":
        damaged.loc[i, ["numerator", "denominator"]] = ["12", "10"]
    elif how == "kind":
        damaged.loc[i, "source_kind"] = "tertiary"
    else:
        damaged.loc[i, "compare_with"] = "not_a_measure"
    assert national.problems(damaged)


def test_percent_is_the_printed_percent_or_the_ratio(loaded):
    for row in loaded.itertuples():
        if row.unit == "percent":
            assert row.percent == row.value
        elif pd.notna(row.denominator):
            assert row.percent == pytest.approx(100 * row.numerator / row.denominator)
        else:
            assert pd.isna(row.percent)


def test_tees_measures_add_up_the_figures_that_hold(tees):
    satisfied = pd.read_csv(national.SATISFIED_FILE).set_index("figure_id")
    published = load_published().set_index("figure_id")
    for key, (_, ids) in national.TEES_FIGURES.items():
        row = tees.set_index("key").loc[key]
        part = satisfied.loc[list(ids)]
        assert part["satisfied"].all()
        assert row["count_low"] == row["count_high"] == part["count"].sum()
        assert row["n"] == part["denominator"].sum()
        for fid in ids:  # count figures are the published counts themselves
            if published.loc[fid, "unit"] == "count":
                assert satisfied.loc[fid, "count"] == published.loc[fid, "value"]


def test_tees_intervals_are_wilson(tees):
    for row in tees.itertuples():
        low = stats.proportion_interval(row.count_low, row.n)[0]
        high = stats.proportion_interval(row.count_high, row.n)[1]
        assert row.ci_low == pytest.approx(100 * low)
        assert row.ci_high == pytest.approx(100 * high)
        assert row.ci_low <= row.percent_low <= row.percent_high <= row.ci_high


def test_trio_ranges_are_the_exact_bounds(tees):
    bounds = pd.read_csv(national.BOUNDS_FILE)
    tees_bounds = bounds[bounds["scope"] == "Tees"].set_index("quantity")
    rows = tees.set_index("key")
    assert rows.loc["all_three", "count_low"] == tees_bounds.loc["all_three", "min"]
    assert rows.loc["all_three", "count_high"] == tees_bounds.loc["all_three", "max"]
    n = rows.loc["any_of_three", "n"]
    assert rows.loc["any_of_three", "count_low"] == n - tees_bounds.loc["none", "max"]
    assert rows.loc["any_of_three", "count_high"] == n - tees_bounds.loc["none", "min"]


def test_comparison_has_one_row_per_comparable_figure(loaded, tees):
    table = national.comparison(loaded, tees)
    comparable = loaded[loaded["compare_with"] != ""]
    assert list(table["id"]) == list(comparable["id"])
    assert table["what differs"].str.len().min() > 40
    by_key = tees.set_index("key")
    for (_, row), (_, figure) in zip(table.iterrows(), comparable.iterrows(), strict=True):
        t = by_key.loc[figure["compare_with"]]
        inside = t["ci_low"] <= figure["percent"] <= t["ci_high"]
        assert row["national inside the Tees 95% interval"] == ("yes" if inside else "no")


@pytest.mark.parametrize(
    ("column", "text", "message"),
    [
        ("value", "", "value is blank"),
        ("denominator", "0", "denominator must be positive"),
        ("value", "nan", "value 'nan' is not a number"),
        ("denominator", "inf", "denominator 'inf' is not a number"),
    ],
)
def test_blank_zero_and_non_finite_numbers_are_problems_not_crashes(raw, column, text, message):
    """Found by the property test above: a blank value beside a ratio raised TypeError, a zero
    denominator ZeroDivisionError, and ``nan`` passed as a number."""
    damaged = raw.copy()
    row = damaged.index[(damaged["unit"] == "percent") & (damaged["denominator"] != "")][0]
    damaged.loc[row, column] = text
    found = national.problems(damaged)
    assert any(message in problem for problem in found), found
