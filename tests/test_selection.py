"""Selections of years and partnerships for reruns of the notebooks."""

from __future__ import annotations

from pathlib import Path

import pytest

from tees_analysis import selection

FIXTURES = Path(__file__).parent / "fixtures"
FILES = (FIXTURES / "fictional_reviews.csv", FIXTURES / "fictional_children.csv")


def test_default_is_the_shipped_raw_data():
    chosen = selection.current({})
    assert chosen.is_default
    assert [p.name for p in chosen.files] == [
        "reconstructed_children.csv",
        "reconstructed_reviews.csv",
    ]


@pytest.mark.parametrize(("text", "years"), [("2017-2022", (2017, 2022)), ("2021", (2021, 2021))])
def test_years(text, years):
    assert selection.parse_years(text) == years


@pytest.mark.parametrize("text", ["17-22", "2022-2017", "all"])
def test_bad_years(text):
    with pytest.raises(ValueError, match="years"):
        selection.parse_years(text)


def test_environment_round_trip(tmp_path):
    chosen = selection.Selection(FILES, (2020, 2021), "HSSCP", tmp_path)
    again = selection.current(chosen.environment())
    assert again.years == (2020, 2021) and again.partnership == "HSSCP"
    assert [p.name for p in again.files] == [p.name for p in FILES]
    assert again.figures == tmp_path.resolve() / "figures"


def test_filters_keep_reviews_and_their_children():
    data = selection.load(selection.Selection(FILES, (2020, 2021), "STSCP"))
    assert list(data.reviews["review_id"]) == ["FICT-R2"]
    assert sorted(data.children["child_id"]) == ["FICT-C2", "FICT-C3"]


def test_bad_partnership():
    with pytest.raises(ValueError, match="partnership must be one of STSCP, HSSCP"):
        selection.current({selection.ENV_PARTNERSHIP: "Durham"})
