"""The national reference file is well-formed, the Tees measures come from the data (a count
labelled published only when every consistent dataset has it), and national figures are set
beside Tees shares of their own unit only."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import examples

from tees_analysis.analysis import national, ranges, stats
from tees_analysis.paths import NOTEBOOKS
from tees_analysis.published.figures import load_published
from tees_analysis.reconstruction.identified import maximum_rows
from tees_analysis.reconstruction.ilp import Expr, Row


@pytest.fixture(scope="module")
def raw():
    return national.read_national()


@pytest.fixture(scope="module")
def loaded():
    return national.load_national()


@pytest.fixture(scope="module")
def consistent():
    return ranges.consistent_model()


@pytest.fixture(scope="module")
def tees(consistent):
    return national.tees_measures(*consistent)


@pytest.fixture(scope="module")
def margins(consistent):
    return national.outcome_margins(*consistent)


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


@settings(max_examples=examples(30))
@given(st.data())
def test_a_damaged_row_is_reported(raw, data):
    damaged = raw.copy()
    i = data.draw(st.integers(0, len(raw) - 1))
    kinds = ["blank", "url", "unit", "percent", "ratio", "kind", "key", "other_unit"]
    how = data.draw(st.sampled_from(kinds))
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
    elif how == "other_unit":  # a Tees measure that does not count what the figure counts
        counted = national.national_unit(raw.loc[i])
        others = [k for k, unit in national.TEES_UNITS.items() if unit != counted]
        damaged.loc[i, "compare_with"] = data.draw(st.sampled_from(others))
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


@pytest.mark.parametrize(
    ("figure", "key"),
    [
        ("CAFCASS-2017-DA", "children_domestic_abuse"),
        ("SUTTON-PANEL-2020-DA", "reviews_domestic_abuse"),
    ],
)
def test_a_share_of_reviews_is_never_set_beside_a_share_of_children(raw, figure, key):
    damaged = raw.copy()
    damaged.loc[damaged["id"] == figure, "compare_with"] = key
    found = national.problems(damaged)
    assert any("not like with like" in problem for problem in found), found


def test_every_comparison_is_like_with_like(loaded):
    compared = loaded[loaded["compare_with"] != ""]
    for _, row in compared.iterrows():
        assert national.national_unit(row) == national.TEES_UNITS[row["compare_with"]], row["id"]
    reviews = compared[compared["denominator_unit"].str.contains("review")]
    assert len(reviews) and set(reviews["compare_with"].map(national.TEES_UNITS)) == {"reviews"}


def _holds_in_every_consistent_dataset(consistent, fid) -> bool:
    """No consistent dataset leaves the figure out (its indicator held at 0): an independent
    check of ``figure_ranges``."""
    model, best = consistent
    z = model.z[fid]
    return model.ilp.solve(None, extra=[*maximum_rows(model, best), Row(z, 0, 0)]) is None


def test_published_label_only_where_every_consistent_dataset_has_the_published_count(
    tees, consistent
):
    published = load_published().set_index("figure_id")
    figure_keys = {
        **{key: fids for key, (_, _, fids) in national.TEES_OUTCOMES.items()},
        **{f"children_{k}": (child,) for k, (_, child, _) in national.FACTORS.items()},
        **{f"reviews_{k}": (review,) for k, (_, _, review) in national.FACTORS.items()},
        **{key: fids for key, (_, fids) in national.TEES_FIGURES.items()},
    }
    rows = tees.set_index("key")
    assert set(rows["identified"]) <= {national.PUBLISHED, national.RANGE}
    for key, fids in figure_keys.items():
        row = rows.loc[key]
        every = all(_holds_in_every_consistent_dataset(consistent, f) for f in fids)
        fixed = row["count_low"] == row["count_high"]
        assert (row["identified"] == national.PUBLISHED) == (every and fixed), key
        for fid in fids:  # says where the count comes from
            assert fid in row["from"], key
        if row["identified"] == national.PUBLISHED:
            counts = published.loc[list(fids)]
            if (counts["unit"] == "count").all():
                assert row["count_low"] == counts["value"].sum(), key


def test_outcome_ranges_are_the_extremes_over_consistent_datasets(tees, consistent, margins):
    model, best = consistent
    extra = maximum_rows(model, best)
    rows = tees.set_index("key")
    published = load_published().set_index("figure_id")
    for key, (_, category, fids) in national.TEES_OUTCOMES.items():
        expr = Expr.total(
            model.children(p, (("outcome", category),)) for p in model.plan.partnerships
        )
        low = model.ilp.solve(expr, extra=extra).count(expr)
        high = model.ilp.solve(expr, maximize=True, extra=extra).count(expr)
        assert (rows.loc[key, "count_low"], rows.loc[key, "count_high"]) == (low, high), key
        assert low <= published.loc[list(fids), "value"].sum() <= high, key
    # the report's outcome counts do not all hold, so at least one outcome is a range
    assert (rows.loc[list(national.TEES_OUTCOMES), "identified"] == national.RANGE).any()
    # every margin listed is one some consistent dataset has, and adds up to its children
    columns = list(national.OUTCOME_COLUMNS)
    assert (margins[columns].sum(axis=1) == margins["children"]).all()
    for _, margin in margins[margins["scope"] != national.TEES].iterrows():
        fixed = [
            Row(model.children(margin["scope"], (("outcome", c),)), margin[col], margin[col])
            for c, col in zip(national.OUTCOMES, columns, strict=True)
        ]
        assert model.ilp.solve(None, extra=[*extra, *fixed]) is not None


def test_a_margin_names_the_published_counts_it_does_not_keep(margins):
    published = load_published()
    for _, margin in margins[margins["scope"] != national.TEES].iterrows():
        mine = published[(published["measure"] == "outcome")
                         & (published["partnership"] == margin["scope"])]  # fmt: skip
        for row in mine.itertuples():
            column = national.OUTCOME_COLUMNS[national.OUTCOMES.index(row.category)]
            named = row.figure_id in margin["published counts that do not hold"]
            assert named == (margin[column] != row.value), (margin["scope"], row.figure_id)


def test_review_measures_are_the_published_review_counts(tees):
    published = load_published().set_index("figure_id")
    rows = tees.set_index("key")
    for key, (_, _, review) in national.FACTORS.items():
        row = rows.loc[f"reviews_{key}"]
        assert row["unit"] == "reviews"
        assert row["count_low"] == row["count_high"] == published.loc[review, "value"]
        assert row["n"] == published.loc[review, "stated_denominator"]
        assert row["identified"] == national.PUBLISHED


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
    assert rows.loc["children_all_three", "count_low"] == tees_bounds.loc["all_three", "min"]
    assert rows.loc["children_all_three", "count_high"] == tees_bounds.loc["all_three", "max"]
    n = rows.loc["children_any_of_three", "n"]
    assert rows.loc["children_any_of_three", "count_low"] == n - tees_bounds.loc["none", "max"]
    assert rows.loc["children_any_of_three", "count_high"] == n - tees_bounds.loc["none", "min"]


def test_comparison_has_one_row_per_comparable_figure_of_its_unit(loaded, tees):
    table = national.comparison(loaded, tees)
    comparable = loaded[loaded["compare_with"] != ""]
    assert list(table["id"]) == list(comparable["id"])
    assert table["what differs"].str.len().min() > 40
    assert not [c for c in table.columns if "inside" in c]  # no pseudo-test of the interval
    units = tees.set_index("key")["unit"]
    for (_, row), (_, figure) in zip(table.iterrows(), comparable.iterrows(), strict=True):
        assert row["compared per"] == national.PER[units[figure["compare_with"]]]
        assert row["how the Tees value is known"] in (national.PUBLISHED, national.RANGE)


def _readings_choosing(tmp_path, option):
    table = pd.read_csv(national.READINGS_FILE, dtype=str, keep_default_na=False)
    theme = table["reading"] == "theme_children"
    table.loc[theme, "chosen"] = (table.loc[theme, "option"] == option).map(str)
    path = tmp_path / "readings.csv"
    table.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("option", ["individual_review_implies_child", "membership"])
def test_factor_words_follow_the_reading_of_the_children_counts(loaded, tees, tmp_path, option):
    readings = _readings_choosing(tmp_path, option)
    chosen = national.theme_reading("TH-DA-CH", readings=readings)
    assert chosen.id == option
    words = national.child_words("domestic abuse", chosen)
    expected = {"individual_review_implies_child": "children with domestic abuse",
                "membership": "children of reviews with the domestic abuse theme"}  # fmt: skip
    assert words == expected[option]
    table = national.comparison(loaded, tees, readings=readings).set_index("id")
    meaning = chosen.meaning.rstrip(".")
    assert (meaning[0].lower() + meaning[1:]) in table.loc["SUTTON-PANEL-2020-DA", "what differs"]


def test_outcome_note_says_what_gives_way_from_the_margins(margins, tees):
    note = national.outcome_note(margins, tees)
    tees_rows = margins[margins["scope"] == national.TEES]
    worst = int((tees_rows["died"] + tees_rows["outcome not recorded"]).max())
    assert f"at most {worst} of the" in note
    for scope, part in margins[margins["scope"] != national.TEES].groupby("scope"):
        if len(part) > 1:
            assert f"{scope}'s published outcome counts" in note and "cannot all hold" in note
            for _, m in part.iterrows():
                assert (
                    f"(died {m['died']}, significantly harmed {m['significantly harmed']}" in note
                )
    # with one margin per partnership that keeps every published count, nothing gives way
    kept = margins.drop_duplicates("scope").copy()
    kept["published counts that do not hold"] = "none"
    assert "cannot all hold" not in national.outcome_note(kept, tees)


def test_notebook_07_states_no_number_in_its_own_words():
    """Every number in the notebook's Markdown is computed: its own sentences hold none, only
    headings, the 95% level of the intervals and references to other notebooks."""
    notebook = json.loads((NOTEBOOKS / "07_national_context.ipynb").read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        for line in "".join(cell["source"]).splitlines():
            if line.startswith("#"):
                continue
            text = re.sub(r"95%|notebooks? \d\d|\bA\d\d\b", "", line)
            assert not re.search(r"\d", text), line


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


def test_unit_note_says_whether_the_shares_per_child_and_per_review_differ(tees):
    note = national.unit_note(tees)
    rows = tees.set_index("key")
    for key, (factor, _, _) in national.FACTORS.items():
        child, review = rows.loc[f"children_{key}"], rows.loc[f"reviews_{key}"]
        assert f"{factor}: {child['count_low']} of {child['n']} children" in note
        assert f"{review['count_low']} of {review['n']} reviews" in note
    same = tees.copy()
    for key in national.FACTORS:  # reviews with the children's shares: nothing differs
        child = same["key"] == f"children_{key}"
        for column in ("percent_low", "percent_high"):
            same.loc[same["key"] == f"reviews_{key}", column] = same.loc[child, column].iloc[0]
    assert "gives the same share" in national.unit_note(same)
    assert ("a different share" in note) != ("the same share" in note)


def test_the_cached_tables_equal_a_fresh_computation(tees, margins):
    for path, data in national.cache_bytes(tees, margins).items():
        assert path.exists(), f"{path} is missing: run python -m tees_analysis.analysis.national"
        assert path.read_bytes() == data, (
            f"{path} is stale: run python -m tees_analysis.analysis.national"
        )
