"""Tables of recomputed figures, checked by hand on the fictional fixture.

The fixture (tests/fixtures/fictional_*.csv) has STSCP reviews R1, R2 with children C1-C3 and
HSSCP reviews R3, R4 with children C4-C6; the figures below are counted from those files by
hand, under the first-listed readings, so these tests fail if the counting or the layout is
wrong whatever the reconstruction does.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from tees_analysis.analysis import audit, tables
from tees_analysis.data import pipeline
from tees_analysis.published.figures import load_published
from tees_analysis.published.rules import load_rules

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def rules():
    return load_rules()


@pytest.fixture(scope="module")
def figures(rules):
    data = pipeline.load([FIXTURES / "fictional_reviews.csv", FIXTURES / "fictional_children.csv"])
    return tables.recompute(data, rules, readings={})  # {}: the rules' default readings


def wilson(k, n, z=1.959963984540054):
    """The Wilson score interval written out, in percent."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return 100 * max(centre - half, 0), 100 * min(centre + half, 1)


# --------------------------------------------------------------------------- readings


def test_chosen_readings_come_from_the_readings_file(rules, tmp_path):
    table = pd.read_csv(tables.READINGS_FILE)
    chosen = table[table["chosen"]]
    assert tables.chosen_readings(rules=rules) == dict(
        zip(chosen["reading"], chosen["option"], strict=True)
    )
    assert tables.chosen_readings(tmp_path / "missing.csv", rules) == rules.default_readings()
    one = tmp_path / "readings.csv"
    one.write_text(
        "reading,option,chosen\nneglect_subgroup,Tees,True\nneglect_subgroup,STSCP,False\n"
    )
    assert tables.chosen_readings(one, rules) == {
        **rules.default_readings(),
        "neglect_subgroup": "Tees",
    }


def test_readings_table_names_the_option_in_force(rules):
    shown = tables.readings_table(rules, {"neglect_subgroup": "HSSCP"}, ids=["neglect_subgroup"])
    assert list(shown["option"]) == ["HSSCP"]
    assert shown["meaning"].iloc[0] == "HSSCP's children with neglect."


# --------------------------------------------------------------------------- recomputation


def test_recompute_adds_interval_and_denominator(figures):
    row = figures.set_index("figure_id").loc["ST-SEX-F"]
    assert (row["count"], row["denominator"], row["percent_half_up"]) == (2, 3, 67)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(wilson(2, 3))
    assert row["counts"] == "children"
    zero = figures.set_index("figure_id").loc["ST-SEX-NR"]
    assert (zero["ci_low"], zero["ci_high"]) == (0, pytest.approx(wilson(0, 3)[1]))
    reviews = figures.set_index("figure_id").loc["TH-DA-RV"]
    assert (reviews["count"], reviews["denominator"], reviews["counts"]) == (3, 4, "reviews")


def test_report_layout_orders_partnership_measure_category(figures):
    layout = tables.report_layout(figures)
    assert len(layout) == len(figures)
    assert list(layout.index.get_level_values(0).unique()) == ["STSCP", "HSSCP", "Tees"]
    row = layout.loc[("HSSCP", "risk_factor", "domestic abuse")]
    assert (row["count"], row["denominator"], row["percent_half_up"]) == (2, 3, 67)
    assert list(layout.loc["STSCP"].index.get_level_values(0).unique())[:3] == [
        "review_type",
        "outcome",
        "age",
    ]


def test_population_figure_is_flagged(figures):
    flagged = figures.loc[figures["population"], "figure_id"]
    assert list(flagged) == ["NG-SUBGROUP"]


def test_no_published_value_enters_the_tables(figures, rules):
    data = pipeline.load([FIXTURES / "fictional_reviews.csv", FIXTURES / "fictional_children.csv"])
    published = load_published()
    scrambled = published.assign(value=published["value"] * 7 + 3, stated_denominator=pd.NA)
    again = tables.recompute(data, rules, readings={}, definitions=scrambled)
    pd.testing.assert_frame_equal(figures, again)


# --------------------------------------------------------------------------- layout


def test_side_by_side_sex(figures):
    table = tables.side_by_side(figures, "sex")
    assert list(table.index) == ["male", "female", "not recorded"]
    assert list(table.columns.get_level_values(0).unique()) == ["STSCP", "HSSCP"]
    assert list(table[("STSCP", "counted")]) == ["1/3", "2/3", "0/3"]
    assert list(table[("STSCP", "% (half up)")]) == ["33%", "67%", "0%"]
    # Wilson 1/3: 6.1-79.2%; 2/3: 20.8-93.9%; 0/3: 0-56.1%
    assert list(table[("STSCP", "95% CI")]) == ["6–79%", "21–94%", "0–56%"]
    assert list(table[("HSSCP", "counted")]) == ["1/3", "1/3", tables.NOT_PUBLISHED]
    # without an audit table (as for data other than the report's) nothing published shows
    assert set(table.columns.get_level_values(1)) == {"counted", "% (half up)", "95% CI"}


def test_side_by_side_multi_valued_block_keeps_every_denominator(figures):
    table = tables.side_by_side(figures, "living_arrangements")
    # C3 lives with mother and in care: counted in both, each out of all 3 STSCP children.
    assert table.loc["mother", ("STSCP", "counted")] == "1/3"
    assert table.loc["in our care", ("STSCP", "counted")] == "1/3"
    assert table.loc["father", ("STSCP", "counted")] == tables.NOT_PUBLISHED
    assert table.loc["father", ("HSSCP", "counted")] == "2/3"  # C5 'Father', C6 'Dad'


def test_side_by_side_with_audit_shows_published_and_status(figures, rules):
    checked = audit.audit_table(figures, rules)
    table = tables.side_by_side(figures, "csc_status", checked)
    row = table.loc["in our care"]
    assert row[("HSSCP", "counted")] == "0/3"
    assert row[("HSSCP", "published")] == "0%"
    assert row[("HSSCP", "audit")] == "exact"
    assert table.loc["CP plan", ("STSCP", "published")] == "36%"


def test_review_types_count_reviews(figures):
    table = tables.side_by_side(figures, "review_type")
    assert list(table[("STSCP", "counted")]) == ["1/2", "1/2", "0/2"]


def test_theme_table(figures):
    table = tables.theme_table(figures)
    assert len(table) == 10
    assert table.loc["Multi-agency working", ("reviews", "counted")] == tables.NO_COUNT
    # default reading: children of the flagged reviews (R1, R2, R3 flag domestic abuse)
    assert table.loc["Domestic abuse", ("reviews", "counted")] == "3/4"
    assert table.loc["Domestic abuse", ("children", "counted")] == "5/6"
    assert table.loc["Domestic abuse", ("children", "% (half up)")] == "83%"
    long = tables.theme_long(figures)
    assert len(long) == 20
    assert long["count"].isna().sum() == 8


def test_neglect_and_babies_lists(figures):
    neglect = tables.figure_list(figures, tables.neglect_ids(figures))
    assert list(neglect["counted"]) == ["2", "1/2", "1/2"]  # the sub-group is shown as a size
    assert neglect["% (half up)"].iloc[0] == ""
    babies = tables.figure_list(figures, tables.babies_ids(figures))
    assert list(babies["figure"]) == ["TH-BABIES-RV", "TH-BABIES-CH", "ST-AGE-U2", "HS-AGE-U2"]
    # FICT-C4's age is not recorded: the HSSCP under-2 share is 1 of all 3 children
    assert list(babies["counted"]) == ["1/4", "1/6", "2/3", "1/3"]


# --------------------------------------------------------------------------- comparisons


def test_compare_partnerships_only_where_both_report(figures):
    comparisons = tables.compare_partnerships(figures)
    pairs = set(zip(comparisons["measure"], comparisons["category"], strict=True))
    assert len(pairs) == 14
    assert ("sex", "not recorded") not in pairs  # STSCP only
    assert ("living_arrangements", "father") not in pairs  # HSSCP only
    assert not any(m in ("harm_category", "risk_factor") for m, _ in pairs)


def test_exact_conditional_test_by_hand(figures):
    comparisons = tables.compare_partnerships(figures).set_index(["measure", "category"])
    # CP plan: STSCP 2/3, HSSCP 0/3. With margins 3, 3 and 2, the count in STSCP is 0, 1 or 2
    # with probabilities 3/15, 9/15, 3/15; central two-sided p = 2 * P(X >= 2) = 2 * 3/15 = 0.4.
    row = comparisons.loc[("csc_status", "CP plan")]
    assert (row["count_STSCP"], row["n_STSCP"], row["count_HSSCP"], row["n_HSSCP"]) == (2, 3, 0, 3)
    assert row["p_value"] == pytest.approx(0.4)
    assert math.isinf(row["odds_ratio"])
    same = comparisons.loc[("outcome", "died")]  # 1/3 against 1/3
    assert same["p_value"] == pytest.approx(1.0)
    assert same["odds_ratio"] == pytest.approx(1.0)
    # Holm over the 14 comparisons: every other p is 1, and 14 * 0.4 is capped at 1.
    assert (comparisons["p_holm"] == 1).all()
    assert (comparisons["reason"] == "").all()


def figure_rows(rows) -> pd.DataFrame:
    """A figures table of ``(category, STSCP count, n, HSSCP count, n)`` rows of one measure."""
    records = []
    for category, *counts in rows:
        for partnership, (count, n) in zip(tables.PARTNERSHIPS, (counts[:2], counts[2:]),
                                           strict=True):  # fmt: skip
            records.append({"measure": "outcome", "category": category, "count": count,
                            "denominator": n, "partnership_counted": partnership})  # fmt: skip
    columns = ["measure", "category", "count", "denominator", "partnership_counted"]
    return pd.DataFrame(records, columns=columns)


def test_holm_within_the_call_and_rows_without_a_test():
    figures = figure_rows([("a", 0, 3, 0, 3), ("b", 3, 3, 0, 3), ("c", 2, 2, 1, 14)])
    comparisons = tables.compare_partnerships(figures).set_index("category")
    # a: no child in either partnership -- no test. b: margins 3, 3 and 3, X = 0..3 with
    # weights 1, 9, 9, 1 of 20; p = 2 * 1/20 = 0.1. c: margins 2, 14 and 3 of 16,
    # P(X >= 2) = comb(14, 1) / comb(16, 3) = 14/560 = 1/40; p = 0.05. Holm over the two
    # tests: 2 * 0.05 = 0.1, then max(0.1, 0.1) = 0.1.
    assert math.isnan(comparisons.loc["a", "p_value"]) and math.isnan(
        comparisons.loc["a", "p_holm"]
    )
    assert comparisons.loc["a", "reason"] == "no child in either group has it"
    assert comparisons.loc["b", "p_value"] == pytest.approx(0.1)
    assert comparisons.loc["c", "p_value"] == pytest.approx(0.05)
    assert comparisons.loc[["b", "c"], "p_holm"].tolist() == pytest.approx([0.1, 0.1])
    shown = tables.format_comparisons(comparisons.reset_index()).set_index("category")
    assert shown.loc["a", tables.P_COLUMN] == "not computed"
    assert shown.loc["a", "odds ratio (95% CI)"] == ""
    assert shown.loc["c", tables.P_HOLM_COLUMN] == "0.100"
    assert tables.compare_partnerships(figure_rows([])).empty


def test_format_comparisons(figures):
    shown = tables.format_comparisons(tables.compare_partnerships(figures))
    row = shown[shown["category"] == "CP plan"].iloc[0]
    assert row["STSCP"] == "2/3 (67%)"
    assert row["HSSCP"] == "0/3 (0%)"
    assert row["odds ratio (95% CI)"].startswith("infinite (")
    assert row["p (exact conditional, central)"] == "0.400"
    assert row["p (Holm-adjusted)"] == "1.000"


# --------------------------------------------------------------------------- formatting


@pytest.mark.parametrize(
    ("low", "high", "text"),
    [(0.0, 56.15, "0–56%"), (6.5, 79.49, "7–79%"), (20.8, 93.5, "21–94%"), (2.4999, 3.5, "2–4%")],
)
def test_interval_bounds_round_half_up(low, high, text):
    assert tables.fmt_interval(low, high) == text


def test_small_formatters():
    assert tables.fmt_count(7, 13) == "7/13"
    assert tables.fmt_count(pd.NA, 13) == ""
    assert tables.fmt_published(54, "percent") == "54%"
    assert tables.fmt_published(3, "count") == "3"
    assert tables.fmt_ratio(float("inf")) == "infinite"
    assert tables.fmt_ratio(float("nan")) == "undefined"
    assert tables.fmt_p(0.0004) == "< 0.001"


def test_by_year_counts_reviews_and_children_per_year_and_partnership():
    data = pipeline.load([FIXTURES / "fictional_reviews.csv", FIXTURES / "fictional_children.csv"])
    table = tables.by_year(data)
    assert list(table.index) == ["2018", "2020", "2021", "all years"]
    assert list(table[("STSCP", "reviews")]) == [1, 1, 0, 2]
    assert list(table[("STSCP", "children")]) == [1, 2, 0, 3]
    assert list(table[("HSSCP", "reviews")]) == [0, 0, 2, 2]
    assert list(table[("HSSCP", "children")]) == [0, 0, 3, 3]
    assert list(table[("Tees", "children")]) == [1, 2, 3, 6]
    assert set(table[("", "provenance")]) == {"fictional"}
    blank = pipeline.Dataset(
        data.reviews.drop(columns="provenance"), data.children, data.changes, data.files
    )
    assert set(tables.by_year(blank)[("", "provenance")]) == {"case records"}
