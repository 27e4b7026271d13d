"""The reproduction audit: one verdict per published figure, and the committed reports/audit.csv."""

from __future__ import annotations

from dataclasses import replace
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
def reconstructed(rules):
    """The audit of the reconstructed dataset in data/raw, as the main job computes it."""
    return audit.build_audit(rules=rules)


@pytest.fixture(scope="module")
def satisfied():
    return pd.read_csv(audit.SATISFIED_FILE)


@pytest.fixture(scope="module")
def fictional():
    return pipeline.load([FIXTURES / "fictional_reviews.csv", FIXTURES / "fictional_children.csv"])


# --------------------------------------------------------------------------- the reconstruction


def test_every_published_row_has_a_status(reconstructed):
    published = load_published()
    assert list(reconstructed["figure_id"]) == list(published["figure_id"])
    assert list(reconstructed.columns) == audit.COLUMNS
    assert reconstructed["status"].isin(audit.STATUSES).all()
    assert reconstructed["note"].str.len().gt(20).all()


def test_every_exact_row_equals_the_published_value(reconstructed):
    published = load_published().set_index("figure_id")["value"]
    exact = reconstructed[reconstructed["status"] == audit.EXACT].set_index("figure_id")
    assert (exact["recomputed"] == published[exact.index]).all()
    others = reconstructed[reconstructed["status"] != audit.EXACT].set_index("figure_id")
    assert (others["recomputed"] != published[others.index]).all()


def test_exact_count_is_what_the_reconstruction_satisfied(reconstructed, satisfied):
    held = set(satisfied.loc[satisfied["satisfied"], "figure_id"])
    exact = set(reconstructed.loc[reconstructed["status"] == audit.EXACT, "figure_id"])
    assert exact == held


def test_rounding_rows_are_those_holding_under_total_100(reconstructed, satisfied):
    holds = satisfied["holds_total_100"].astype("boolean").fillna(False).astype(bool)
    expected = set(satisfied.loc[~satisfied["satisfied"] & holds, "figure_id"])
    rounding = set(reconstructed.loc[reconstructed["status"] == audit.ROUNDING, "figure_id"])
    assert rounding == expected


def test_misses_are_explained_by_the_source(reconstructed):
    conflicts = audit.load_conflicts()
    missed = reconstructed[reconstructed["status"] == audit.INCONSISTENT]
    for row in missed.itertuples():
        assert row.conflicts, row.figure_id
        for cid in row.conflicts.split():
            assert cid in row.note
            assert row.figure_id in conflicts.set_index("conflict").loc[cid, "figures"].split()
    assert not reconstructed["status"].isin([audit.DIFFERS, audit.NOT_COMPUTABLE]).any()


def test_headline_counts_the_statuses(reconstructed):
    counts = reconstructed["status"].value_counts()
    line = audit.headline(reconstructed)
    assert line.startswith(f"{counts[audit.EXACT]} of {len(reconstructed)} published figures")
    for status in (audit.ROUNDING, audit.INCONSISTENT):
        if counts.get(status, 0):
            assert f"{counts[status]} " in line
    summary = audit.status_counts(reconstructed).set_index("status")["figures"]
    assert summary["total"] == len(reconstructed)


def test_committed_audit_is_up_to_date(reconstructed):
    committed = audit.AUDIT_FILE.read_text(encoding="utf-8")
    assert committed == audit.to_csv_text(reconstructed), (
        "reports/audit.csv is stale: run `python -m tees_analysis.run_all 05`"
    )


def test_write_audit_is_deterministic(reconstructed, tmp_path):
    first = audit.write_audit(reconstructed, tmp_path / "a.csv").read_bytes()
    second = audit.write_audit(reconstructed, tmp_path / "b.csv").read_bytes()
    assert first == second
    assert b"\r" not in first


# --------------------------------------------------------------------------- fictional data


def test_fictional_data_mostly_differ(fictional, rules):
    checked = audit.audit_table(tables.recompute(fictional, rules, readings={}), rules)
    status = checked.set_index("figure_id")["status"]
    assert status["HS-CSC-CARE"] == audit.EXACT  # 0 of 3 children, 0% published
    assert status["NG-CIN"] == audit.EXACT  # 1 child in need, 1 published
    # ST-LIV-CARE (1/3) misses, and so does every other figure of its conflicts: no conflict
    # of the source explains either.
    assert status["ST-CSC-CP"] == audit.DIFFERS
    assert status["ST-LIV-CARE"] == audit.DIFFERS
    assert "C01" in checked.set_index("figure_id").loc["ST-LIV-CARE", "conflicts"]


def test_conflict_explains_a_miss_only_when_the_others_hold(fictional, rules):
    figures = tables.recompute(fictional, rules, readings={})
    published = load_published()
    # Make ST-LIV-CARE (1 of 3 = 33%) hold; ST-CSC-CP (2 of 3 = 67%) still misses 36%.
    published.loc[published["figure_id"] == "ST-LIV-CARE", "value"] = 33
    conflicts = pd.DataFrame(
        [["X1", "ST-CSC-CP", "2", "ST-LIV-CARE ST-CSC-CP", "no group size fits both"]],
        columns=audit.CONFLICT_COLUMNS,
    )
    row = audit.audit_table(figures, rules, published, conflicts).set_index("figure_id")
    assert row.loc["ST-CSC-CP", "status"] == audit.INCONSISTENT
    assert "X1" in row.loc["ST-CSC-CP", "note"]
    assert "no group size fits both" in row.loc["ST-CSC-CP", "note"]
    assert row.loc["ST-LIV-CARE", "status"] == audit.EXACT


def test_rounding_forced_to_total_100(fictional, rules):
    figures = tables.recompute(fictional, rules, readings={})
    published = load_published()
    # STSCP sex is 1, 2 and 0 of 3: half up 33/67/0. Printed 34/66/0 rounds 33.3 up and 66.7
    # down and totals 100, so both fail half up but hold "forced to total 100".
    for fid, value in (("ST-SEX-M", 34), ("ST-SEX-F", 66), ("ST-SEX-NR", 0)):
        published.loc[published["figure_id"] == fid, "value"] = value
    checked = audit.audit_table(figures, rules, published, audit.load_conflicts())
    status = checked.set_index("figure_id")["status"]
    assert status["ST-SEX-M"] == status["ST-SEX-F"] == audit.ROUNDING
    assert status["ST-SEX-NR"] == audit.EXACT
    detail = audit.rounding_detail(checked)
    assert list(detail["figure_id"]) == ["ST-SEX-M", "ST-SEX-F", "ST-SEX-NR"]
    assert list(detail["exact %"]) == ["33.33", "66.67", "0.00"]
    totals = audit.rounding_totals(checked).iloc[0]
    assert (totals["total half up"], totals["total published"], totals["children"]) == (100, 100, 3)
    # 35/65/0 also totals 100, but 35 is not 33.3 rounded either way.
    published.loc[published["figure_id"] == "ST-SEX-M", "value"] = 35
    published.loc[published["figure_id"] == "ST-SEX-F", "value"] = 65
    checked = audit.audit_table(figures, rules, published, audit.load_conflicts())
    assert checked.set_index("figure_id").loc["ST-SEX-M", "status"] == audit.DIFFERS
    assert audit.rounding_detail(checked).empty


def test_no_children_of_a_partnership_is_not_computable(fictional, rules):
    keep = fictional.reviews["partnership"].astype(str) == "STSCP"
    only_st = replace(
        fictional,
        reviews=fictional.reviews[keep].reset_index(drop=True),
        children=fictional.children[
            fictional.children["partnership"].astype(str) == "STSCP"
        ].reset_index(drop=True),
    )
    checked = audit.audit_table(tables.recompute(only_st, rules, readings={}), rules)
    hs = checked[checked["figure_id"].str.startswith("HS-")]
    assert (hs["status"] == audit.NOT_COMPUTABLE).all()
    assert hs["note"].str.contains("HSSCP").all()
    assert "not computable" in audit.headline(checked)
