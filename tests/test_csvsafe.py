"""CSV cells a spreadsheet cannot run as formulas (tees_analysis.data.csvsafe)."""

from __future__ import annotations

import csv
import io
import math

import pandas as pd
import pytest

from tees_analysis.data.csvsafe import PREFIX, TRIGGERS, inert, inert_text


@pytest.mark.parametrize(
    "text", ["=1+1", '=HYPERLINK("http://x")', "+cmd", "-x", "@SUM(A1)", "\tx", "\r=1", "-", "+"]
)
def test_text_starting_with_a_formula_character_gets_a_quote(text):
    assert inert_text(text) == PREFIX + text


@pytest.mark.parametrize("text", ["-5", "+1.5e3", "-.5", "-0.25", "+7", "-1E-3"])
def test_plain_numbers_are_left_as_numbers(text):
    assert inert_text(text) == text


@pytest.mark.parametrize("value", ["abc", "", "a=b", "5-3", "'=x", 5, -3.5, None, True])
def test_other_values_are_unchanged(value):
    assert inert_text(value) == value


def test_missing_values_are_unchanged():
    assert math.isnan(inert_text(float("nan")))
    assert inert_text(pd.NA) is pd.NA


def test_every_trigger_is_defused():
    for trigger in TRIGGERS:
        assert inert_text(f"{trigger}A1").startswith(PREFIX)


def test_a_frame_is_made_inert_cells_and_labels_and_the_original_kept():
    frame = pd.DataFrame(
        {"=label": ["=1+1", "-5", "plain", None], "n": [-1, 2, 3, 4]},
        index=pd.Index(["@a", "b", "c", "d"], name="row"),
    )
    out = inert(frame)
    assert list(out["'=label"][:3]) == ["'=1+1", "-5", "plain"]
    assert pd.isna(out["'=label"].iloc[3])
    assert list(out["n"]) == [-1, 2, 3, 4]
    assert list(out.index) == ["'@a", "b", "c", "d"]
    assert out.index.name == "row"
    assert frame.iloc[0, 0] == "=1+1" and frame.columns[0] == "=label"


def test_multiindex_columns_and_an_empty_frame():
    columns = pd.MultiIndex.from_tuples([("=a", "b"), ("c", "-d")], names=["x", "y"])
    out = inert(pd.DataFrame([["+1x", 2]], columns=columns))
    assert list(out.columns) == [("'=a", "b"), ("c", "'-d")]
    assert out.columns.names == ["x", "y"]
    assert out.iloc[0, 0] == "'+1x"
    assert inert(pd.DataFrame()).empty


def test_the_written_csv_holds_no_cell_a_spreadsheet_would_run():
    frame = pd.DataFrame({"cell": ["=cmd|' /C calc'!A0", "@x", "-2", "ok"]})
    written = inert(frame).to_csv(index=False, lineterminator="\n")
    cells = [row[0] for row in csv.reader(io.StringIO(written))][1:]
    risky = [c for c in cells if c.startswith(TRIGGERS) and c != "-2"]
    assert risky == []
    assert cells == ["'=cmd|' /C calc'!A0", "'@x", "-2", "ok"]
