"""Rounding rules and the recomputation of every figure from a cleaned dataset."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest

from tees_analysis.data import pipeline
from tees_analysis.published.figures import load_published
from tees_analysis.published.measures import (
    compare_figures,
    compute_figures,
    half_up_counts,
    largest_remainder,
    largest_remainder_matches,
    round_half_up,
    total_100_matches,
)
from tees_analysis.published.rules import load_rules

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def rules():
    return load_rules()


@pytest.fixture(scope="module")
def fixture_dataset():
    return pipeline.load([FIXTURES / "fictional_reviews.csv", FIXTURES / "fictional_children.csv"])


# --------------------------------------------------------------------------- rounding


@pytest.mark.parametrize(
    ("k", "n", "percent"),
    [(1, 8, 13), (3, 8, 38), (5, 8, 63), (1, 200, 1), (1, 201, 0), (1, 3, 33), (2, 3, 67),
     (0, 5, 0), (5, 5, 100), (1, 14, 7), (7, 13, 54), (1, 40, 3), (199, 200, 100)],
)  # fmt: skip
def test_round_half_up_edge_cases(k, n, percent):
    assert round_half_up(k, n) == percent


def test_halves_go_up_unlike_python_round():
    assert round(12.5) == 12  # banker's rounding: the report's rule is not Python's round
    assert round_half_up(1, 8) == 13
    assert round_half_up(1, 40) == 3  # 2.5 -> 3


def test_round_half_up_agrees_with_exact_arithmetic():
    for n in range(1, 60):
        for k in range(n + 1):
            exact = Fraction(100 * k, n) + Fraction(1, 2)
            assert round_half_up(k, n) == exact.numerator // exact.denominator


def test_half_up_counts_inverts_rounding():
    for n in range(1, 60):
        for percent in range(101):
            expected = [k for k in range(n + 1) if round_half_up(k, n) == percent]
            assert half_up_counts(percent, n) == expected


def test_zero_denominator_is_an_error():
    with pytest.raises(ValueError):
        round_half_up(0, 0)


def test_largest_remainder():
    assert largest_remainder((1, 1, 1)) == (34, 33, 33)  # tie: the earlier category
    assert largest_remainder((8, 3, 1, 2)) == (57, 22, 7, 14)
    assert sum(largest_remainder((5, 3, 3, 2, 1))) == 100
    assert largest_remainder((1, 1)) == (50, 50)


def test_largest_remainder_matches_any_tie_break():
    assert largest_remainder_matches((1, 1, 1), (33, 34, 33))
    assert largest_remainder_matches((1, 1, 1), (34, 33, 33))
    assert not largest_remainder_matches((1, 1, 1), (33, 33, 33))
    # 1 of 14 is 7.14%: Hamilton gives the spare point to 3 of 14 (21.43%), never to it.
    assert not largest_remainder_matches((8, 3, 1, 2), (57, 21, 8, 14))


def test_total_100_allows_any_floor_or_ceiling():
    assert total_100_matches((8, 3, 1, 2), (57, 21, 8, 14))
    assert total_100_matches((2, 1, 2, 0, 2, 7), (14, 8, 14, 0, 14, 50))
    assert not total_100_matches((8, 3, 1, 2), (57, 21, 7, 14))  # sums to 99
    assert not total_100_matches((8, 3, 1, 2), (56, 22, 8, 14))  # 57.1% printed as 56
    assert not total_100_matches((1, 1), (49, 51))  # exact 50 cannot move


# --------------------------------------------------------------------------- figures

# Counted by hand from tests/fixtures (STSCP: reviews R1, R2, children C1-C3; HSSCP: R3, R4,
# children C4-C6), under the first-listed readings (theme children = children of the
# flagged reviews; the neglect sub-group = STSCP's children with neglect).
EXPECTED = {
    "ST-TYPE-CSPR": (1, 2), "ST-TYPE-SCR": (1, 2), "ST-TYPE-LR": (0, 2),
    "ST-OUT-DIED": (1, 3), "ST-OUT-HARM": (1, 3), "ST-OUT-NR": (1, 3),
    "ST-AGE-U2": (2, 3), "ST-SEX-M": (1, 3), "ST-SEX-F": (2, 3), "ST-SEX-NR": (0, 3),
    "ST-LIV-BOTH": (1, 3), "ST-LIV-MOTHER": (1, 3), "ST-LIV-MPARTNER": (1, 3),
    "ST-LIV-CARE": (1, 3), "ST-CSC-CP": (2, 3), "ST-CSC-CPPP": (0, 3), "ST-CSC-NK": (0, 3),
    "ST-CSC-CARE": (1, 3), "ST-CSC-CIN": (1, 3),
    "HS-OUT-DIED": (1, 3), "HS-OUT-HARM": (2, 3), "HS-OUT-NR": (0, 3), "HS-AGE-U2": (1, 3),
    "HS-SEX-M": (1, 3), "HS-SEX-F": (1, 3), "HS-LIV-BOTH": (0, 3), "HS-LIV-MOTHER": (0, 3),
    "HS-LIV-FATHER": (2, 3), "HS-LIV-MPARTNER": (1, 3), "HS-HARM-NEGLECT": (0, 3),
    "HS-HARM-PHYS": (1, 3), "HS-RISK-DA": (2, 3), "HS-RISK-MH": (1, 3), "HS-RISK-SM": (2, 3),
    "HS-RISK-EXPL": (1, 3), "HS-RISK-FII": (1, 3), "HS-CSC-CP": (0, 3), "HS-CSC-CPPP": (1, 3),
    "HS-CSC-NK": (1, 3), "HS-CSC-CARE": (0, 3), "HS-CSC-CIN": (0, 3), "HS-CSC-CLOSED": (1, 3),
    "TH-BABIES-CH": (1, 6), "TH-BABIES-RV": (1, 4), "TH-SUBST-RV": (2, 4), "TH-SUBST-CH": (4, 6),
    "TH-NEGLECT-RV": (2, 4), "TH-NEGLECT-CH": (4, 6), "NG-SUBGROUP": (2, 2),
    "NG-PLAN-NEGLECT": (1, 2), "NG-CIN": (1, 2), "TH-ROH-RV": (1, 4), "TH-ROH-CH": (2, 6),
    "TH-DA-RV": (3, 4), "TH-DA-CH": (5, 6), "TH-PMH-RV": (2, 4), "TH-PMH-CH": (3, 6),
}  # fmt: skip


def test_every_figure_recomputed_by_hand(fixture_dataset, rules):
    computed = compute_figures(fixture_dataset, rules).set_index("figure_id")
    assert set(computed.index) == set(EXPECTED)
    for fid, (count, denominator) in EXPECTED.items():
        row = computed.loc[fid]
        assert (row["count"], row["denominator"]) == (count, denominator), fid
        expected = count if row["unit"] == "count" else round_half_up(count, denominator)
        assert row["value"] == expected, fid


def test_readings_change_what_is_counted(fixture_dataset, rules):
    individual = {"theme_children": "individual_unlinked", "babies_children": "under_2_in_flagged"}
    computed = compute_figures(fixture_dataset, rules, individual).set_index("figure_id")
    assert computed.loc["TH-ROH-CH", "count"] == 1  # one exploited child, two in the review
    assert computed.loc["TH-DA-CH", "count"] == 5
    assert computed.loc["TH-BABIES-CH", "count"] == 1
    moved = compute_figures(fixture_dataset, rules, {"review_type_partnership": "HSSCP"})
    row = moved.set_index("figure_id").loc["ST-TYPE-CSPR"]
    assert (row["partnership_counted"], row["count"], row["denominator"]) == ("HSSCP", 1, 2)


def test_largest_remainder_column_for_partition_blocks(fixture_dataset, rules):
    computed = compute_figures(fixture_dataset, rules).set_index("figure_id")
    block = computed.loc[["ST-SEX-M", "ST-SEX-F", "ST-SEX-NR"], "percent_largest_remainder"]
    assert list(block) == [33, 67, 0]
    assert pd.isna(computed.loc["HS-RISK-DA", "percent_largest_remainder"])


def test_published_values_are_never_used(fixture_dataset, rules):
    published = load_published()
    scrambled = published.assign(value=published["value"] * 7 + 3, stated_denominator=pd.NA)
    plain = compute_figures(fixture_dataset, rules, definitions=published)
    assert plain.equals(compute_figures(fixture_dataset, rules, definitions=scrambled))
    without = published.drop(columns=["value", "stated_denominator"])
    assert plain.equals(compute_figures(fixture_dataset, rules, definitions=without))


def test_comparison_is_a_separate_step(fixture_dataset, rules):
    computed = compute_figures(fixture_dataset, rules)
    assert "published" not in computed
    compared = compare_figures(computed).set_index("figure_id")
    assert compared.loc["HS-CSC-CARE", "matches"]  # 0 of 3 and 0% published
    assert not compared.loc["HS-RISK-DA", "matches"]
