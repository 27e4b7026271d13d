"""Main points (:mod:`tees_analysis.report.findings`): computed from the data in hand.

On generated datasets they are checked in ``tests/test_any_dataset.py``; here on the report's
(reconstructed) data, where every count that a choice of the reconstruction made differ from
the published figure must carry the published value beside it, and on small hand-made cases.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from tees_analysis.analysis import audit, national, tables
from tees_analysis.analysis import cooccurrence as co
from tees_analysis.data import pipeline
from tees_analysis.published.rules import load_rules
from tees_analysis.report import findings


@pytest.fixture(scope="module")
def report():
    rules = load_rules()
    data = pipeline.load()
    figures = tables.recompute(data, rules, tables.chosen_readings(rules=rules))
    return data, figures, audit.audit_table(figures, rules), rules


def numbers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\b\d+\b", text)]


def test_children_points_name_the_published_value_beside_every_count_that_differs(report):
    data, figures, checked, _ = report
    points = findings.children_points(figures, data, "2017–2021", None, checked)
    text = "\n".join(points)
    shown = checked[checked["measure"].isin(["outcome", "age"]) & (checked["status"] != "exact")]
    assert len(shown)  # the check below can fail: some outcome count differs in these data
    for row in shown.itertuples():
        assert f"(the report: {row.published}" in text, row.figure_id
    assert f"**{len(data.reviews)} reviews of {len(data.children)} children**" in points[0]
    last = points[-1]
    in_blocks = checked[~checked["measure"].isin(findings.THEME_MEASURES)]
    assert numbers(last)[:2] == [int((in_blocks["status"] == "exact").sum()), len(in_blocks)]


def test_no_mark_without_the_audit(report):
    data, figures, _, _ = report
    points = findings.children_points(figures, data, "2017–2021")
    assert not any("the report" in p for p in points)


def test_audit_points_count_every_status(report):
    _, _, checked, rules = report
    points = findings.audit_points(checked, rules)
    exact = int((checked["status"] == "exact").sum())
    assert numbers(points[0]) == [exact, len(checked)]
    others = sum(n for n in numbers(points[1])[: checked["status"].nunique() - 1])
    assert exact + others == len(checked)


def test_themes_points_rank_the_themes_by_their_counts(report):
    _, figures, _, _ = report
    first = findings.themes_points(figures, "")[0]
    rows = figures[figures["measure"] == "theme_reviews"].dropna(subset=["count"])
    top = rows.sort_values(["count", "category"], ascending=[False, True]).iloc[0]
    assert f"{top['category']} {int(top['count'])} of {int(top['denominator'])}" in first


def test_trio_points_qualify_every_joint_count():
    recorded = pd.DataFrame(
        {
            "partnership": ["STSCP", "STSCP", "HSSCP"],
            **{c: [True, True, False] for c in co.TOXIC_TRIO},
        }
    )
    points = findings.trio_points(recorded, {c: c for c in co.TOXIC_TRIO}, "in these data")
    joint = [p for p in points if "all three" in p]
    assert joint and all("in these data" in p for p in joint)
    assert "2 of 3 (67%) had all three" in points[1]
    assert findings.trio_points(recorded.iloc[:0], {}, "x")[0].startswith("**No child")


def test_the_report_trio_points_say_what_is_identified():
    points = findings.trio_main_points(None, report=True)
    assert 4 <= len(points) <= 7
    assert points[0].startswith("**Identified:**") and points[1].startswith("**A range")


def test_national_points_put_published_measures_first():
    reference = national.load_national()
    comparison = national.comparison(reference, national.load_tees_measures())
    points = findings.national_points(comparison, reference)
    assert 2 <= len(points) <= 7
    fixed = [i for i, p in enumerate(points) if "fixed by the published figures" in p]
    ranged = [i for i, p in enumerate(points) if "a range over" in p]
    assert fixed and (not ranged or max(fixed) < min(ranged))


def test_main_points_tell_the_site_how_many_to_lift():
    shown = findings.main_points(["one", "two"], index=5)
    assert shown.index == 2 and str(shown).startswith(findings.HEADING)
    assert findings.share(1, 1) == "1 of 1 (100%)" and findings.share(0, 0) == "none of 0"
