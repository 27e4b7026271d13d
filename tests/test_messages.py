"""Titles, subtitles and alt text: computed from the rows handed in, in plain English.

The rows here are made up for each case (no figure of the report): what is checked is that the
words follow the numbers -- the winner, a tie, an equal share, a group with nobody, one child.
"""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest
from chart_checks import reprs

from tees_analysis.analysis.cooccurrence import trio_table
from tees_analysis.report import charts, messages, plots, trio_plots

OUTCOME = ("outcome", "outcomes")


def test_counts_agree_with_their_number():
    assert messages.of(1, 1, "children") == "1 of 1 child"
    assert messages.of(0, 3, "children") == "0 of 3 children"
    assert messages.of(2, 5, "reviews") == "2 of 5 reviews"
    assert messages.counted(1, "reviews") == "1 review"
    assert messages.counted(0, "children") == "0 children"
    assert messages.percent(1, 8) == "13%"  # halves rounded up
    assert messages.percent(0, 0) == ""


def test_most_common_names_the_winner_of_each_group():
    same = {"A": [("died", 1, 4), ("harmed", 3, 4)], "B": [("died", 2, 9), ("harmed", 5, 9)]}
    assert messages.most_common(same, OUTCOME, "children") == (
        "Most common outcome in both partnerships: harmed (A 3 of 4 children, B 5 of 9)"
    )
    different = {"A": [("died", 3, 4), ("harmed", 1, 4)], "B": [("died", 2, 9), ("harmed", 5, 9)]}
    assert messages.most_common(different, OUTCOME, "children") == (
        "Most common outcome: died in A (3 of 4 children); harmed in B (5 of 9)"
    )


def test_a_tie_is_stated_as_a_tie():
    tied = {"B": [("neglect", 2, 4), ("physical", 2, 4), ("other", 0, 4)]}
    title = messages.most_common(tied, ("harm category", "harm categories"), "children")
    assert title == (
        "Most common harm categories in B: neglect and physical equally (2 of 4 children each)"
    )


def test_a_group_with_nobody_says_so():
    groups = {"A": [("died", 1, 1), ("harmed", 0, 1)], "B": [("died", 0, 0), ("harmed", 0, 0)]}
    assert messages.most_common(groups, OUTCOME, "children") == (
        "Most common outcome in A: died (1 of 1 child); no children to count in B"
    )
    nobody = {"B": [("died", 0, 0)]}
    assert messages.most_common(nobody, OUTCOME, "children") == "No children to count in B"
    none_counted = {"A": [("exploitation", 0, 3), ("FII", 0, 3)]}
    assert messages.most_common(none_counted, ("risk factor", "risk factors"), "children") == (
        "No risk factor counted for the 3 children in A"
    )


def test_one_category_compares_shares_or_says_they_are_equal():
    larger = messages.larger_share("under 2", {"A": ("under 2", 1, 2), "B": ("under 2", 3, 4)},
                                   "children")  # fmt: skip
    assert larger == "Under 2: a larger share of children in B (3 of 4) than in A (1 of 2)"
    same = messages.larger_share("under 2", {"A": ("u", 1, 2), "B": ("u", 2, 4)}, "children")
    assert same == "Under 2: the same share of children in A (1 of 2) and B (2 of 4)"
    one = messages.larger_share("under 2", {"A": ("u", 1, 1), "B": ("u", 0, 0)}, "children")
    assert one == "Under 2: 1 of 1 child in A; no children to count in B"


def test_subtitle_leaves_out_what_is_unknown():
    assert messages.subtitle("Children", "HSSCP (x)", "", "14") == "Children, HSSCP (x), n = 14"
    text = messages.subtitle("Children in 3 reviews", "A", "2019–2020", "4", "fictional data")
    assert text == "Children in 3 reviews, A, 2019–2020, n = 4; fictional data"


def test_alt_text_is_summarised_to_its_limit():
    rows = [(f"category number {i} with a long name", i, 40) for i in range(40)]
    alt = messages.bar_alt("Horizontal bar chart.", {"A": rows, "B": rows})
    assert len(alt) <= messages.ALT_LIMIT
    assert "category number 39 with a long name 39 of 40 (98%)" in alt  # largest kept
    assert alt.endswith("more.") and reprs(alt) == []


def _figures(count_a: int, count_b: int, n_a: int, n_b: int) -> pd.DataFrame:
    rows = [("A-1", "A", "yes", count_a, n_a), ("B-1", "B", "yes", count_b, n_b)]
    columns = ["figure_id", "partnership_counted", "category", "count", "denominator"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.assign(measure="age", percent_half_up=0, ci_low=0.0, ci_high=0.0,
                        counts="children")  # fmt: skip


def test_block_chart_words_come_from_the_table_drawn():
    context = charts.Context(period="2030", partnerships=(("A", 2, 5), ("B", 1, 1)))
    chart = plots.block_figure(_figures(4, 1, 5, 1), "age", context=context, name="x")
    assert chart.title == "Yes: a larger share of children in B (1 of 1) than in A (4 of 5)"
    assert chart.subtitle == "Children in 3 reviews, A and B, 2030, n = 5 (A) and 1 (B)"
    assert chart.alt == (
        "Horizontal bar chart of the percentage of children by age group, by partnership, "
        "with 95% intervals. A: yes 4 of 5 (80%). B: yes 1 of 1 (100%)."
    )
    assert list(chart.data["count"]) == [4, 1]
    empty = plots.block_figure(_figures(4, 1, 5, 1).iloc[:0], "age", name="y")
    assert empty.title == "No age group figures to draw"
    for c in (chart, empty):
        c.figure.clf()


def _trio(cells: dict) -> pd.Series:
    names = ("domestic_abuse", "parental_mental_ill_health", "substance_misuse")
    rows = [dict(zip(names, cell, strict=True)) for cell, k in cells.items() for _ in range(k)]
    return trio_table(pd.DataFrame(rows, dtype="boolean"))


def test_trio_titles_qualify_joint_counts_and_state_margins_plainly():
    table = _trio({(True, True, True): 1, (True, False, False): 2, (False, True, True): 1})
    label = "in this made-up table"
    assert trio_plots.venn_title(table, label) == (
        f"Domestic abuse was the most common factor (3 of 4 children); 1 had all three {label}"
    )
    assert trio_plots.upset_title(table, label) == (
        "In this made-up table, the most common combination was domestic abuse only "
        "(2 of 4 children)"
    )
    assert trio_plots.pairs_title(table, label) == (
        "Parental mental ill-health and substance misuse occurred together most often "
        f"{label} (2 of 4 children)"
    )
    tied = _trio({(True, True, True): 1, (True, False, False): 2, (False, True, True): 2})
    assert trio_plots.venn_title(tied, label).startswith(
        "Domestic abuse, parental mental ill-health and substance misuse were equally common "
        "(3 of 5 children each)"
    )
    assert "the most common combinations were" in trio_plots.upset_title(tied, label)
    nothing = _trio({(False, False, False): 2})
    assert trio_plots.venn_title(nothing, label) == (
        "None of the 2 children had any of the 3 factors"
    )
    assert trio_plots.pairs_title(nothing, label) == (
        f"No child had two of the factors together {label}"
    )


def test_bounds_and_ranges_titles_follow_their_tables():
    bounds = pd.DataFrame({"scope": ["A", "Tees"], "quantity": ["all_three"] * 2,
                           "min": [0, 3], "max": [1, 3], "n": [2, 7]})  # fmt: skip
    assert trio_plots.bounds_title(bounds) == (
        "Tees: exactly 3 of the 7 children could have had all three factors, given every "
        "published figure"
    )
    frame = pd.DataFrame(
        {
            "statistic": ["odds ratio DA and SM", "odds ratio DA and PMH", "x"],
            "minimum": [0.5, 2.0, 0.0],
            "maximum": [float("inf"), 4.0, 9.0],
        }
    )
    assert trio_plots.ranges_title(frame).startswith("1 of 2 odds ratios could be below 1")


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([(30.0, 40.0, [10.0, 20.0])],
         "The Tees share was above every national figure for 1 of 1 measure"),
        ([(5.0, 6.0, [10.0]), (50.0, 60.0, [55.0])],
         "The Tees share was below every national figure for 1 of 2 measures"),
        ([(50.0, 60.0, [55.0])], "No Tees share lies wholly above or below"),
    ],
)  # fmt: skip
def test_comparison_title_counts_measures_above_and_below(rows, expected):
    assert plots.comparison_title(rows).startswith(expected)


def test_context_from_what_a_notebook_knows():
    both = SimpleNamespace(partnership=None)
    about = SimpleNamespace(report=True, years="2017–2021", reviews=24, children=27,
                            label="reconstructed", selection=both)  # fmt: skip
    context = charts.Context.from_about(about)
    assert (context.period, context.place, context.reviews) == ("2017–2021", "Tees", 24)
    assert context.data_label == charts.RECONSTRUCTION_LABEL
    assert context.provenance == charts.RECONSTRUCTED_DATA
    one = SimpleNamespace(partnership="HSSCP")
    other = SimpleNamespace(report=False, years="2022", reviews=2, children=3,
                            label="fictional 2022", selection=one)  # fmt: skip
    context = charts.Context.from_about(other)
    assert context.place == "HSSCP (Hartlepool & Stockton-on-Tees)"
    assert (context.data_label, context.provenance) == (charts.DATA_LABEL, "fictional 2022 data")
    records = SimpleNamespace(report=False, years="2022", reviews=2, children=3,
                              label="case records 2022", selection=None)  # fmt: skip
    assert charts.Context.from_about(records).provenance == ""


def test_context_from_a_dataset_of_one_partnership():
    reviews = pd.DataFrame({"partnership": ["HSSCP", "HSSCP"], "year": [2019, 2021]})
    children = pd.DataFrame({"partnership": ["HSSCP"] * 3})
    context = charts.Context.from_dataset(SimpleNamespace(reviews=reviews, children=children))
    assert context.period == "2019, 2021"
    assert context.place == "HSSCP (Hartlepool & Stockton-on-Tees)"
    assert context.partnerships == (("HSSCP", 2, 3),)
    assert context.reviews_of(["HSSCP"]) == 2 and context.reviews_of(["STSCP"]) == 0
    assert charts.Context().reviews_of(["STSCP"]) is None  # nothing known
