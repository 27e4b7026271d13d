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


def test_the_shipped_data_are_the_reports_data():
    about = selection.about(selection.load(selection.current({})), selection.current({}))
    assert about.report and about.note() == ""
    assert about.label == "reconstructed"
    assert about.caption.startswith("Case-level data reconstructed from the published figures")


def test_the_reports_data_in_another_order_or_folder_still_count(tmp_path):
    raw = selection.load(selection.current({}))
    shuffled = raw.__class__(
        reviews=raw.reviews.iloc[::-1].reset_index(drop=True),
        children=raw.children.iloc[::-1].reset_index(drop=True),
        changes=raw.changes,
        files=("elsewhere.csv",),
    )
    assert selection.is_report_data(shuffled)


def test_other_data_are_described_and_not_compared_with_the_report():
    raw = selection.current({})
    years = selection.load(selection.Selection(raw.files, (2017, 2020)))
    assert not selection.is_report_data(years)
    about = selection.about(years, selection.Selection(raw.files, (2017, 2020)))
    assert about.label == "reconstructed 2017–2020"
    assert about.caption == (
        "Case-level data 2017–2020, both partnerships: 2017–2020 reconstructed from the "
        "published figures (not the partnerships' records)."
    )
    note = about.note("the audit")
    assert note.startswith("**This run analyses other data than the committed notebook:** ")
    assert "(20 reviews, 22 children; 2017-2020, both partnerships;" in note
    assert "Left out: the audit, and the passages about the report's own data." in note


def test_mixed_provenance_and_one_partnership():
    both = (*selection.current({}).files, FIXTURES / "fictional_2022.xlsx")
    chosen = selection.Selection(both, None, "STSCP")
    about = selection.about(selection.load(chosen), chosen)
    assert not about.report
    assert about.label == "reconstructed 2017–2021, fictional 2022"
    assert about.caption == (
        "Case-level data 2017–2022, STSCP: 2017–2021 reconstructed from the published figures; "
        "2022 fictional (not the partnerships' records)."
    )


def test_provenance_years_count_blank_or_missing_provenance_as_case_records():
    import pandas as pd

    reviews = pd.DataFrame({"year": [2019, 2018, 2022], "provenance": [None, None, "fictional"]})
    assert selection.provenance_years(reviews) == {
        "case records": "2018–2019",
        "fictional": "2022",
    }
    assert selection.provenance_years(reviews.drop(columns="provenance")) == {
        "case records": "2018–2019, 2022"
    }


@pytest.mark.parametrize(
    ("years", "text"),
    [([2019, 2017, 2018, 2022, 2018], "2017–2019, 2022"), ([2021], "2021"), ([], "")],
)
def test_year_spans(years, text):
    assert selection.year_spans(years) == text
