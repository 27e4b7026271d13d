"""Disclosure control across the tables of one dataset: single years, all years, ranges.

Issue 16: each table was safe alone, but all years minus 2017-2020 gave 2021 away, and after
2022 was added, all years minus 2017-2021 gave 2022 away. The exact attacker
(:mod:`disclosure_attacker`) is given the published tables of several sets of years and looks,
by integer programming, for a suppressed count from 1 to 5 that it can pin or narrow to "from 1
to 5" (it cannot tell from 0, nor from a count that would be shown).
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from disclosure_attacker import attack, family, held_years, publish, subset
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import examples, load, raw_datasets

from tees_analysis import cli
from tees_analysis.data import pipeline
from tees_analysis.paths import FIXTURES, RAW
from tees_analysis.report import differencing as rules
from tees_analysis.report import disclosure

GOOD = [FIXTURES / "fictional_reviews.csv", FIXTURES / "fictional_children.csv"]
YEAR_2022 = FIXTURES / "fictional_2022.xlsx"
KEY = ["partnership", "measure", "category"]
T, F = True, False


@pytest.fixture(scope="module")
def before():
    """The shipped (reconstructed) 2017-2021 data."""
    return pipeline.load(pipeline.data_files(RAW))


@pytest.fixture(scope="module")
def with_2022():
    """The same and the fictional 2022, as notebook 08 merges them."""
    return pipeline.load([*pipeline.data_files(RAW), YEAR_2022])


def per_table(dataset, threshold, years):
    """The tables as the export made them before issue 16: each suppressed on its own."""
    blocks = disclosure.blocks(*subset(dataset, years))
    rows = [row for block in blocks for row in disclosure.block_rows(block, threshold)]
    return pd.DataFrame(rows, columns=disclosure.COLUMNS)


def span(first, last):
    return tuple(range(first, last + 1))


def recovered(tables, whole, part, rest) -> dict:
    """The counts that the table of ``rest`` shows as ``c`` and that the table of ``whole``
    minus the table of ``part`` gives away (both shown): (partnership, measure, category) ->
    count. Plain subtraction, as a reader of the issue did it."""
    a, b, c = (tables[key].set_index(KEY)["count"] for key in (whole, part, rest))
    return {k: a[k] - b[k] for k in a.index if "c" not in (a[k], b[k]) and c[k] == "c"}


# --------------------------------------------------------------------------- the issue


def test_all_years_minus_2017_2020_no_longer_gives_2021_away(before):
    # Issue 16: "the all-years export minus the --year 2017..2020 export recovered 87
    # suppressed cells of 2021 (e.g. STSCP significant harm 7 - 6 = 1)".
    sets = [span(2017, 2021), span(2017, 2020), (2021,)]
    old = recovered(publish(before, sets, table=per_table), *sets)
    assert len(old) == 87
    assert old[("STSCP", "outcome", "significant harm")] == 1
    assert sum(1 <= v <= 5 for v in old.values()) == 25
    assert recovered(publish(before, sets), *sets) == {}


def test_adding_2022_no_longer_gives_its_small_counts_away(with_2022):
    # Issue 16: "after adding 2022, all-years minus 2017-21 recovered the 20 counts of 1-5 that
    # the --year 2022 table hides".
    sets = [span(2017, 2022), span(2017, 2021), (2022,)]
    old = recovered(publish(with_2022, sets, table=per_table), *sets)
    assert sum(1 <= v <= 5 for v in old.values()) == 20
    assert recovered(publish(with_2022, sets), *sets) == {}


def test_the_attacker_finds_what_per_table_suppression_gives_away(with_2022):
    # the attacker must find the leaks of the old rule, or a clean result below proves nothing
    ranges = [(2017, 2020), (2017, 2021)]
    published = publish(with_2022, family(with_2022, ranges), table=per_table)
    found = attack(with_2022, published, measures={"outcome"})
    assert "2021 STSCP outcome / significant harm: 1 in [1, 1]" in {str(f) for f in found}
    assert any(f.pinned and f.years == (2022,) for f in found)  # the fictional year as well


# --------------------------------------------------------------------------- the attacker


def test_nothing_is_given_away_by_every_table_of_one_dataset(with_2022):
    # all years, each of the six years, and ranges that overlap each other and the years
    ranges = [(2017, 2020), (2017, 2021), (2018, 2022), (2020, 2021)]
    published = publish(with_2022, family(with_2022, ranges))
    assert attack(with_2022, published) == []
    everything = published[span(2017, 2022)]
    assert (everything["count"] != "c").sum() > 40  # not everything is suppressed


def test_tables_from_before_and_after_adding_a_year(before, with_2022):
    # The tables of 2017-2021 were published; then 2022 was added. New all years minus old all
    # years is 2022, unless the export is told of the old release (--previous-release 2021).
    old = publish(before, family(before, [(2017, 2020)]))
    sets = family(with_2022, [(2017, 2021), (2018, 2022)])
    unnamed = publish(with_2022, sets)
    tables = {
        "new": unnamed[span(2017, 2022)],
        "old": old[span(2017, 2021)],
        2022: unnamed[(2022,)],
    }
    found = recovered(tables, "new", "old", 2022)
    assert found[("Tees", "outcome", "died")] == 1  # 7 - 6
    assert found[("STSCP", "outcome", "significant harm")] == 2  # 9 - 7
    named = publish(with_2022, sets, earlier=[2021])
    assert recovered({**tables, "new": named[span(2017, 2022)]}, "new", "old", 2022) == {}
    assert attack(with_2022, [*named.items(), *old.items()]) == []


@settings(max_examples=examples(4))
@given(raw=raw_datasets(max_children=25), threshold=st.integers(1, 5), added=st.booleans())
def test_nothing_is_given_away_in_any_dataset(raw, threshold, added):
    """Every year, all years and every range of a random dataset; with ``added``, also the
    tables of the dataset before its last year was added (named as a previous release)."""
    data = load(raw)
    years = held_years(data)
    ranges = [(a, b) for a in years for b in years if a < b]
    earlier = years[-2:-1] if added else []
    published = list(publish(data, family(data, ranges), threshold, earlier=earlier).items())
    if earlier:
        reviews, children = subset(data, years[:-1])
        old = dataclasses.replace(data, reviews=reviews, children=children)
        published += publish(old, family(old, ranges[:1]), threshold).items()
    assert attack(data, published, threshold) == []


# --------------------------------------------------------------------------- the rule


def test_a_count_one_year_hides_is_hidden_in_all_years():
    # rows died and significant harm, columns STSCP and HSSCP. 2017 shows every count; 2018
    # hides its STSCP counts 1 and 2 (and their Tees totals): all years minus 2017 would give
    # them away (the all-years STSCP significant harm is 11, 11 - 9 = 2), so all years hides
    # them too.
    died = [[(0, 0), (9, 7)], [(1, 0), (2, 7)]]
    (found,) = rules.patterns([2017, 2018], [died], 5)
    assert found.by_year[0] == ((F, F, F), (F, F, F))
    assert found.by_year[1][0][0] and found.by_year[1][1][0]
    assert found.all_years[0][0] and found.all_years[1][0]
    assert found.mask([2017]) == [[F, F, F], [F, F, F]]


def test_a_range_never_shows_what_the_years_hiding_a_count_add_up_to():
    # Rows died and not died. 2017 hides its STSCP 2 and 2018 its STSCP 1; 2019 shows 10. The
    # all-years count 13 gave neither year away, and was shown -- so the 2017-2018 table showed
    # 13 - 10 = 3, a small count in print.
    died = [[(2, 20), (20, 20)], [(1, 20), (20, 20)], [(10, 20), (20, 20)]]
    (found,) = rules.patterns([2017, 2018, 2019], [died], 5)
    assert found.by_year[0][0][0] and found.by_year[1][0][0]
    assert found.all_years[0][0]
    assert found.mask([2017, 2018])[0][0]


def test_one_year_of_data_gives_the_same_table_however_asked():
    (found,) = rules.patterns([2022], [[[(2, 1), (0, 3)]]], 5)
    assert found.all_years == found.by_year[0]
    assert found.mask([2022]) == [list(row) for row in found.by_year[0]]


def test_the_pattern_does_not_depend_on_what_was_asked_first(monkeypatch):
    data = pipeline.load(GOOD)
    orders = [[None, (2021,), (2020, 2021)], [(2020, 2021), (2021,), None]]
    results = []
    for order in orders:
        monkeypatch.setattr(rules, "_CACHE", {})  # as a fresh run of the command
        results.append({s: disclosure.publication_table(data, 3, years=s) for s in order})
    for s in orders[0]:
        pd.testing.assert_frame_equal(results[0][s], results[1][s])


# --------------------------------------------------------------------------- the command


def _export(tmp_path, *options):
    argv = ["export", "--out", str(tmp_path), *options, *map(str, GOOD)]
    return cli.main(argv)


def test_scattered_years_are_refused_with_suppression(tmp_path, capsys):
    data = pipeline.load(GOOD)  # reviews of 2018, 2020 and 2021
    with pytest.raises(ValueError, match="must follow one another"):
        disclosure.publication_table(data, 5, years=[2018, 2021])
    assert _export(tmp_path, "--suppress", "--year", "2018", "--year", "2021") == 1
    err = capsys.readouterr().err
    assert "export --year: with --suppress, the years asked for must follow one another" in err
    assert "(the data hold 2020 between them)" in err
    assert "nothing was written" in err and "Traceback" not in err
    assert not list(tmp_path.iterdir())
    # internal counts may be of any years
    assert _export(tmp_path, "--unsuppressed", "--year", "2018", "--year", "2021") == 0


def test_a_previous_release_the_data_do_not_hold_is_refused(tmp_path, capsys):
    assert _export(tmp_path, "--suppress", "--previous-release", "2019") == 1
    err = capsys.readouterr().err
    expected = "export --previous-release: no reviews of 2019 in the data, which hold the years "
    assert expected + "2018, 2020 and 2021" in err and "nothing was written" in err
    assert not list(tmp_path.iterdir())


def test_a_previous_release_is_for_suppressed_tables_only(tmp_path, capsys):
    assert _export(tmp_path, "--unsuppressed", "--previous-release", "2020") == 2
    assert "--previous-release is for --suppress" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_a_previous_release_that_is_no_year_is_refused(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        _export(tmp_path, "--suppress", "--previous-release", "last year")
    assert stop.value.code == 2
    assert "a year looks like 2022, or 2020-2022; not 'last year'" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_the_command_writes_the_tables_of_the_rule(tmp_path, capsys, with_2022):
    files = [*map(str, pipeline.data_files(RAW)), str(YEAR_2022)]
    argv = ["export", "--suppress", "--out", str(tmp_path), "--previous-release", "2021"]
    assert cli.main([*argv, *files]) == 0
    written = pd.read_csv(tmp_path / "publication_tables.csv", dtype=str, keep_default_na=False)
    expected = disclosure.publication_table(with_2022, 5, earlier=[2021])
    pd.testing.assert_frame_equal(written, expected.astype(str))
    # the previous release is taken into account: without it, all years hide less
    unnamed = disclosure.publication_table(with_2022, 5)
    assert (unnamed["count"] == "c").sum() < (expected["count"] == "c").sum()
    capsys.readouterr()
