"""The reproduction audit: one verdict per published figure, and the committed reports/audit.csv."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from tees_analysis.analysis import audit, bases, tables
from tees_analysis.data import pipeline
from tees_analysis.published.figures import load_published
from tees_analysis.published.rules import load_rules
from tees_analysis.report import site

FIXTURES = Path(__file__).parent / "fixtures"
MISSING = "a child missing from the block"


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
    assert list(reconstructed.columns) == audit.COLUMNS == list(audit.COLUMN_MEANINGS)
    assert reconstructed["status"].isin(audit.STATUSES).all()
    assert set(audit.STATUS_MEANINGS) == set(audit.STATUSES)
    assert reconstructed["note"].str.len().gt(20).all()


def test_every_exact_row_equals_the_published_value(reconstructed):
    published = load_published().set_index("figure_id")["value"]
    exact = reconstructed[reconstructed["status"] == audit.EXACT].set_index("figure_id")
    assert (exact["recomputed"] == published[exact.index]).all()
    others = reconstructed[reconstructed["status"] != audit.EXACT].set_index("figure_id")
    assert (others["recomputed"] != published[others.index]).all()
    assert (exact["explanations"] == "").all()
    assert others["explanations"].str.len().gt(0).all()


def test_exact_count_is_what_the_reconstruction_satisfied(reconstructed, satisfied):
    held = set(satisfied.loc[satisfied["satisfied"], "figure_id"])
    exact = set(reconstructed.loc[reconstructed["status"] == audit.EXACT, "figure_id"])
    assert exact == held


def test_rounding_is_a_reading_where_the_reconstruction_holds_under_total_100(
    reconstructed, satisfied
):
    holds = satisfied["holds_total_100"].astype("boolean").fillna(False).astype(bool)
    expected = set(satisfied.loc[~satisfied["satisfied"] & holds, "figure_id"])
    either = reconstructed["status"].isin([audit.BASE_OR_ROUNDING, audit.ROUNDING_ONLY])
    assert set(reconstructed.loc[either, "figure_id"]) == expected


def test_misses_are_explained_by_the_source(reconstructed):
    conflicts = audit.load_conflicts().set_index("conflict")
    missed = reconstructed[reconstructed["status"] != audit.EXACT]
    assert missed["status"].isin(audit.EXPLAINED).all()
    for row in missed.itertuples():
        assert row.conflicts, row.figure_id
        for cid in row.conflicts.split():
            assert cid in row.note
            assert row.figure_id in conflicts.loc[cid, "figures"].split()


def explanations_of(row) -> dict[str, tuple[str, str]]:
    """An audit row's explanations: name -> (verdict, reason)."""
    found = {}
    for line in row["explanations"].split("\n"):
        name, _, rest = line.partition(": ")
        verdict, _, reason = rest.partition(" — ")
        assert verdict in bases.VERDICTS, line
        found[name] = (verdict, reason)
    return found


def test_the_bases_are_those_of_the_denominators_table(reconstructed):
    """block_bases are the inferred denominators up to the report's 27 children (24 reviews)."""
    table = pd.read_csv(tables.RECONSTRUCTION / "denominators.csv", keep_default_na=False)
    rows = reconstructed[reconstructed["block_bases"] != ""]
    assert set(rows["partnership"]) == {"STSCP", "HSSCP"}
    assert (reconstructed.loc[reconstructed["partnership"] == "Tees", "block_bases"] == "").all()
    for row in rows.itertuples():
        cap = 24 if row.measure == "review_type" else 27
        for rule, column in (("half_up", "block_bases"), ("total_100", "block_bases_total_100")):
            if row.unit == "count":
                if column == "block_bases_total_100":
                    assert getattr(row, column) == "", row.figure_id
                    continue
                rule = "count"
            entry = table[
                (table["partnership"] == row.partnership)
                & (table["measure"] == row.measure)
                & (table["rule"] == rule)
            ]
            cell = getattr(row, column)
            if entry.empty:
                assert cell == "", (row.figure_id, column)
                continue
            (n_values,) = entry["n_values"]
            expected = [n for n in map(int, n_values.split()) if n <= cap]
            assert cell == (" ".join(map(str, expected)) or f"none up to {cap}"), row.figure_id


def test_stscp_social_care_block_needs_a_base_of_14(reconstructed):
    rows = reconstructed[reconstructed["figure_id"].str.startswith("ST-CSC-")]
    assert (rows["status"] == audit.OTHER_BASE).all()
    assert (rows["denominator"] == 13).all()
    assert (rows["block_bases"] == "14").all()
    for row in rows.to_dict("records"):
        assert "block holds with a base of 14 children, where STSCP has 13 children" in row["note"]
        found = explanations_of(row)
        assert found[bases.ANOTHER_BASE][0] == bases.FITS
        assert "(5/3/3/2/1 of 14)" in found[bases.ANOTHER_BASE][1]
        assert found["a child counted in two categories"][0] == bases.FITS
        assert found["a child missing from the block"][0] == bases.NO_FIT
        assert found[bases.ALONE][0] == bases.NO_FIT
        assert found[bases.FORCED_100] == (
            bases.NO_FIT,
            "the printed percentages total 99, not 100",
        )


def test_hsscp_outcome_counts_total_13(reconstructed):
    row = reconstructed.set_index("figure_id").loc["HS-OUT-NR"]
    assert (row["status"], row["denominator"], row["block_bases"]) == (audit.OTHER_BASE, 14, "13")
    found = explanations_of(row)
    assert found["a child missing from the block"][0] == bases.FITS
    assert found["a child counted in two categories"][0] == bases.NO_FIT
    assert found[bases.FORCED_100][0] == bases.NOT_APPLY
    assert "HS-OUT-DIED, HS-OUT-HARM" in row["note"]  # they hold; this one takes the difference


def test_the_8_percent_figures_say_both_readings_and_neither_as_fact(reconstructed):
    rows = reconstructed.set_index("figure_id").loc[["HS-LIV-FATHER", "HS-CSC-CPPP"]]
    assert (rows["status"] == audit.BASE_OR_ROUNDING).all()
    assert (rows["figure_bases"] == "12 13 24 25 26").all()
    assert (rows["block_bases"] == "none up to 27").all()
    assert list(rows["block_bases_total_100"].str.split().str[0]) == ["14", "14"]
    for _, row in rows.iterrows():
        note = row["note"]
        assert "1 of 13 = 7.7%" in note and "1 of 14 = 7.1%, rounded up to 8%" in note
        assert "which one the report used is not known" in note
        assert "adjusted" not in note
        found = explanations_of(row)
        assert found[bases.ALONE][0] == found[bases.FORCED_100][0] == bases.FITS
        assert found[bases.ANOTHER_BASE][0] == bases.NO_FIT


def test_text_has_no_python_values(reconstructed):
    text = " ".join(reconstructed["note"]) + " ".join(reconstructed["explanations"])
    for token in ("None", "nan", "<NA>", "np.", "Int64", "[", "]", "()", "{}"):
        assert token not in text, token


def test_headline_names_one_base_per_partnership(reconstructed):
    counts = reconstructed["status"].value_counts()
    line = audit.headline(reconstructed)
    assert line.startswith(f"{counts[audit.EXACT]} of {len(reconstructed)} published figures")
    assert f"{counts[audit.OTHER_BASE]} hold only with another base" in line
    assert "one base discrepancy per partnership" in line
    assert "in STSCP the social-care status block needs a base of 14 children" in line
    assert "every other figure about STSCP's children holds at 13 and no other block at 14" in line
    assert "in HSSCP the outcome counts total 13 and two 8% figures fit 13 (1 of 13)" in line
    assert "HSSCP's living arrangements and social-care status blocks only with rounding" in line
    summary = audit.status_counts(reconstructed).set_index("status")["figures"]
    assert summary["total"] == len(reconstructed)


def test_headline_follows_the_printed_numbers(reconstructed, rules):
    """Print HSSCP's 'not recorded' outcome as 2: its counts total 12, a second HSSCP base."""
    published = load_published()
    published.loc[published["figure_id"] == "HS-OUT-NR", "value"] = 2
    figures = tables.recompute(pipeline.load(), rules)
    checked = audit.audit_table(figures, rules, published)
    row = checked.set_index("figure_id").loc["HS-OUT-NR"]
    assert (row["status"], row["block_bases"]) == (audit.OTHER_BASE, "12")
    found = explanations_of(row)
    assert "2 fewer than the 14 children HSSCP has in the data" in found[MISSING][1]
    assert "2 children left out of the block" in found[MISSING][1]
    line = audit.headline(checked, rules, published)
    assert "the outcome counts total 12 and two 8% figures fit 13" in line
    assert "one base discrepancy per partnership" not in line


def test_a_conflict_no_base_explains_is_in_conflict(rules):
    """A theme count printed one higher, in a (made-up) conflict with its reviews count."""
    published = load_published()
    published.loc[published["figure_id"] == "TH-DA-CH", "value"] = 23
    conflicts = pd.DataFrame(
        [["X2", "TH-DA-CH", "2", "TH-DA-RV TH-DA-CH", "too many children for the reviews"]],
        columns=audit.CONFLICT_COLUMNS,
    )
    checked = audit.audit_table(
        tables.recompute(pipeline.load(), rules), rules, published, conflicts
    )
    row = checked.set_index("figure_id").loc["TH-DA-CH"]
    assert (row["status"], row["block_bases"], row["explanations"]) == (audit.IN_CONFLICT, "", "")
    assert "X2 (TH-DA-RV, TH-DA-CH): too many children for the reviews" in row["note"]
    assert "1 conflict with other figures" in audit.headline(checked, rules, published)


def test_headline_of_the_written_file_is_the_same(reconstructed, tmp_path):
    path = audit.write_audit(reconstructed, tmp_path / "audit.csv")
    assert audit.headline(audit.read_audit(path)) == audit.headline(reconstructed)
    rows = site.read_audit(path)
    assert site.audit_headline(rows).startswith(audit.headline(reconstructed))


def test_bases_table_shows_each_block_beside_the_data(reconstructed):
    table = audit.bases_table(reconstructed).set_index(["partnership", "block"])
    assert table.loc[("STSCP", "social-care status"), "holds with the data's base"] == "no"
    assert table.loc[("STSCP", "sex"), "bases, half up"] == "13 26"
    holds = table.loc[("HSSCP", "living arrangements"), "holds with the data's base"]
    assert holds == "only rounded to total 100%"
    assert table.loc[("HSSCP", "outcome"), "base in the data"] == "14 children"


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
    assert row.loc["ST-CSC-CP", "status"] == audit.OTHER_BASE
    assert "X1" in row.loc["ST-CSC-CP", "note"]
    assert "no group size fits both" in row.loc["ST-CSC-CP", "note"]
    # the block's base (14) beside the data's: the fictional STSCP has 3 children
    assert "where STSCP has 3 children in the data" in row.loc["ST-CSC-CP", "note"]
    assert row.loc["ST-LIV-CARE", "status"] == audit.EXACT
    # without a conflict whose other figures hold, nothing says the source is at fault
    plain = audit.audit_table(figures, rules, published, conflicts.iloc[:0])
    assert plain.set_index("figure_id").loc["ST-CSC-CP", "status"] == audit.DIFFERS


def test_rounding_forced_to_total_100(fictional, rules):
    figures = tables.recompute(fictional, rules, readings={})
    published = load_published()
    # STSCP sex is 1, 2 and 0 of 3: half up 33/67/0. Printed 34/66/0 rounds 33.3 up and 66.7
    # down and totals 100, so both fail half up but hold "forced to total 100".
    for fid, value in (("ST-SEX-M", 34), ("ST-SEX-F", 66), ("ST-SEX-NR", 0)):
        published.loc[published["figure_id"] == fid, "value"] = value
    checked = audit.audit_table(figures, rules, published, audit.load_conflicts())
    status = checked.set_index("figure_id")["status"]
    assert status["ST-SEX-M"] == status["ST-SEX-F"] == audit.ROUNDING_ONLY
    assert status["ST-SEX-NR"] == audit.EXACT
    note = checked.set_index("figure_id").loc["ST-SEX-M", "note"]
    assert "1 of 3 = 33.3%, rounded up to 34%" in note and "is not known" in note
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
