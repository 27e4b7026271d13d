"""The counting rules (data/config/counting_rules.toml): loading, coverage and clear errors."""

from __future__ import annotations

import pytest

from tees_analysis.data.schema import TOXIC_TRIO
from tees_analysis.published.figures import load_published
from tees_analysis.published.rules import RULES_PATH, RulesError, load_rules, population_totals

TEXT = RULES_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def write(tmp_path, text: str):
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(tmp_path, text: str) -> list[str]:
    with pytest.raises(RulesError) as err:
        load_rules(write(tmp_path, text))
    return err.value.problems


def test_every_published_figure_is_mapped(rules):
    figures = load_published()
    for row in figures.itertuples(index=False):
        measure = rules.measures[row.measure]
        assert measure.kind == "theme" or row.category in measure.categories, row.figure_id


def test_blocks_can_differ_by_partnership(rules):
    living = rules.measures["living_arrangements"]
    assert living.block_for("STSCP").kind == "multi"
    assert living.block_for("STSCP").max_labels == 2
    assert living.block_for("HSSCP").kind == "partition"
    assert living.block_for("HSSCP").exhaustive


def test_yes_no_values_become_booleans(rules):
    target = rules.measures["risk_factor"].categories["domestic abuse"]
    assert (target.field, target.value) == ("domestic_abuse", True)
    assert (
        rules.measures["neglect_detail"].categories["children in the neglect sub-group"].field
        is None
    )


def test_readings_and_defaults(rules):
    ids = [r.id for r in rules.readings]
    assert ids == [
        "review_type_partnership",
        "theme_children",
        "babies_children",
        "neglect_subgroup",
    ]
    defaults = rules.default_readings()
    assert defaults == {r.id: r.options[0].id for r in rules.readings}
    assert rules.reading_for("theme_children", "Domestic abuse").id == "theme_children"
    assert (
        rules.reading_for("theme_children", "Safeguarding vulnerable babies").id
        == "babies_children"
    )
    with pytest.raises(KeyError):
        rules.check_readings({"theme_children": "no such option"})


def test_totals_come_from_the_stated_denominators(rules):
    figures = load_published()
    reviews, children = population_totals(rules, figures)
    stated = figures.set_index("measure")["stated_denominator"]
    assert reviews == stated["theme_reviews"].dropna().iloc[0]
    assert children == stated["theme_children"].dropna().iloc[0]


def test_joint_trio_is_the_schema_trio(rules):
    assert rules.joint["toxic_trio"] == TOXIC_TRIO


def test_invalid_toml_is_reported(tmp_path):
    problems = problems_of(tmp_path, TEXT + "\n[percent\n")
    assert len(problems) == 1 and "not valid TOML" in problems[0]


def test_unknown_kind_names_its_place(tmp_path):
    head = '[measures.outcome]\ntable = "children"\nfield = "outcome"\nkind = '
    text = TEXT.replace(head + '"partition"', head + '"bag"')
    assert text != TEXT
    problems = problems_of(tmp_path, text)
    assert any(p.startswith("measures.outcome.kind:") and "'bag'" in p for p in problems)


def test_unmapped_category_is_reported(tmp_path):
    text = TEXT.replace('"died" = "died"\n', "")
    problems = problems_of(tmp_path, text)
    assert any("HS-OUT-DIED" in p and "not mapped" in p for p in problems)
    assert any("ST-OUT-DIED" in p for p in problems)


def test_unknown_label_and_bad_yes_no(tmp_path):
    text = TEXT.replace('"male" = "male"', '"male" = "boy"').replace(
        '{ field = "fii", value = "yes" }', '{ field = "fii", value = "Y" }'
    )
    problems = problems_of(tmp_path, text)
    assert any("measures.sex.categories.male" in p and "'boy'" in p for p in problems)
    assert any("fii is a yes/no field" in p for p in problems)


def test_bad_reading_option_and_unknown_key(tmp_path):
    text = TEXT.replace('link = "iff"', 'link = "sometimes"').replace(
        "[construction]", "colour = 'red'\n\n[construction]", 1
    )
    problems = problems_of(tmp_path, text)
    assert any("readings[1].options[1].link" in p and "'sometimes'" in p for p in problems)
    assert any("colour" in p and "unknown key" in p for p in problems)


def test_percent_rules_are_checked(tmp_path):
    text = TEXT.replace('primary = "half_up"', 'primary = "total_100"').replace(
        'alternatives = ["largest_remainder", "total_100"]', 'alternatives = ["banker"]'
    )
    problems = problems_of(tmp_path, text)
    assert any(p.startswith("percent.primary") for p in problems)
    assert any(p.startswith("percent.alternatives") and "'banker'" in p for p in problems)


def test_trio_must_match_the_schema(tmp_path):
    text = TEXT.replace(
        'toxic_trio = ["domestic_abuse", "parental_mental_ill_health", "substance_misuse"]',
        'toxic_trio = ["domestic_abuse", "substance_misuse"]',
    )
    problems = problems_of(tmp_path, text)
    assert any(p.startswith("joint.toxic_trio") for p in problems)


def test_all_problems_are_reported_at_once(tmp_path):
    text = TEXT.replace('kind = "theme"', 'kind = "themes"').replace(
        '"male" = "male"', '"male" = "boy"'
    )
    problems = problems_of(tmp_path, text)
    assert sum(".kind:" in p for p in problems) >= 2
    assert any("'boy'" in p for p in problems)
    assert "problem(s) in the counting rules" in str(RulesError("x", problems))
