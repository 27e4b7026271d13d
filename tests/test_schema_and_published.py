"""The schema, its generated codebook and the published-figures table."""

from __future__ import annotations

import pandas as pd
import pytest

from tees_analysis.data import schema
from tees_analysis.paths import CODEBOOK, PUBLISHED
from tees_analysis.published.figures import check_published, load_published
from tees_analysis.report import codebook


def test_committed_codebook_is_current():
    assert CODEBOOK.read_text(encoding="utf-8") == codebook.render(), (
        "data/codebook.md is stale: run `python -m tees_analysis.report.codebook` and commit it"
    )


def test_codebook_lists_every_field_and_label():
    text = codebook.render()
    for fields in schema.FIELDS.values():
        for f in fields:
            assert f"`{f.name}`" in text
            for label in f.labels:
                assert f"`{label}`" in text


def test_synonyms_are_unambiguous():
    for fields in schema.FIELDS.values():
        for f in fields:
            if f.categories:
                f.lookup()  # raises on a synonym shared by two categories


def test_ten_themes_each_with_a_flag():
    assert len(schema.THEMES) == 10
    names = {f.name for f in schema.REVIEWS}
    assert all(schema.theme_field(code) in names for code, _ in schema.THEMES)


@pytest.mark.parametrize(
    ("header", "looks_like"),
    [("Name", "a name"), ("Child name", "a name"), ("Surname", "a name"),
     ("DOB", "a date of birth"), ("Date of birth", "a date of birth"),
     ("Address", "an address"), ("Postcode", "an address"), ("NHS number", "an NHS number"),
     ("NHS No.", "an NHS number"), ("Email", "contact details")],
)  # fmt: skip
def test_identifier_headers(header, looks_like):
    assert schema.identifier_header(header) == looks_like


@pytest.mark.parametrize("header", ["Review ID", "Published pseudonym", "Sex", "Outcome"])
def test_schema_headers_are_not_identifiers(header):
    assert schema.identifier_header(header) is None


def test_schema_field_that_feeds_figures_names_real_figures():
    published = load_published()
    for fields in schema.FIELDS.values():
        for f in fields:
            for measure, category in f.figures:
                rows = published[published["measure"] == measure]
                if category is not None:
                    rows = rows[rows["category"] == category]
                assert len(rows), f"{f.name} names ({measure}, {category}), not in {PUBLISHED}"


def test_published_table_shape():
    published = load_published()
    assert len(published) == 57
    assert published["figure_id"].is_unique
    assert set(published["partnership"]) == {"STSCP", "HSSCP", "Tees"}


def test_published_stated_denominators_only_on_tees_lines():
    published = load_published()
    stated = published[published["stated_denominator"].notna()]
    assert set(stated["partnership"]) == {"Tees"}
    assert set(published.loc[published.unit == "percent", "stated_denominator"].isna()) == {True}


def test_published_source_lines_point_at_the_figure():
    """Each figure's value appears on the report line it cites."""
    from tees_analysis.paths import ROOT

    source = sorted((ROOT.parent / "shared" / "source").glob("*.txt"))
    if not source:
        pytest.skip("the report text (../shared/source) is not beside this checkout")
    lines = source[0].read_text(encoding="utf-8").splitlines()
    for rec in load_published().to_dict("records"):
        line = lines[rec["source_line"] - 1]
        token = f"{rec['value']}%" if rec["unit"] == "percent" else str(rec["value"])
        assert token in line, f"{rec['figure_id']}: {token!r} not on line {rec['source_line']}"


def test_check_published_catches_bad_rows():
    published = load_published()
    bad = pd.concat([published, published.head(1)], ignore_index=True)
    bad.loc[0, "unit"] = "ratio"
    problems = check_published(bad)
    assert any("duplicate ids" in p for p in problems)
    assert any("unit has ['ratio']" in p for p in problems)


def test_codebook_figure_links_follow_the_counting_rules():
    """Each theme's children figure is listed under the field the counting rules count."""
    from tees_analysis.published.rules import load_rules

    rules = load_rules()
    by_field = {f.name: f for fields in schema.FIELDS.values() for f in fields}
    by_field.update({d.name: d for d in schema.DERIVED})
    for theme, indicator in rules.themes.items():
        assert ("theme_children", theme) in by_field[indicator].figures, (theme, indicator)
