"""Denominator inference: which numbers of children reproduce each printed block."""

from __future__ import annotations

import pytest

from tees_analysis.published.denominators import (
    BlockSpec,
    block_capacity,
    count_vectors,
    denominators_table,
    feasible_denominators,
)


def block(values, kind="partition", exhaustive=True, unit="percent") -> BlockSpec:
    ids = tuple(f"F{i}" for i in range(len(values)))
    return BlockSpec("P", "m", ids, tuple(values), unit, kind, exhaustive)


@pytest.fixture(scope="module")
def table():
    return denominators_table().set_index(["partnership", "measure", "rule"])


def test_partition_needs_counts_adding_up():
    halves = block((50, 50))
    assert count_vectors(halves, "half_up", 2) == [(1, 1)]
    assert count_vectors(halves, "half_up", 3) == []  # 2/3 and 1/3 round to 67 and 33
    assert count_vectors(block((50, 50), exhaustive=False), "half_up", 4) == [(2, 2)]


def test_multi_block_figures_are_independent():
    thirds = block((33, 33, 67), kind="multi", exhaustive=False)
    assert count_vectors(thirds, "half_up", 3) == [(1, 1, 2)]
    assert min(feasible_denominators(thirds, "half_up")) == 3


def test_count_blocks_give_their_total():
    counts = block((3, 7, 3), unit="count")
    assert list(feasible_denominators(counts, "half_up", 30)) == [13]
    assert count_vectors(counts, "largest_remainder", 13) == []


def test_alternative_rules_only_for_exhaustive_partitions():
    forced = block((57, 21, 8, 14))
    assert count_vectors(forced, "half_up", 14) == []
    assert count_vectors(forced, "largest_remainder", 14) == []
    assert count_vectors(forced, "total_100", 14) == [(8, 3, 1, 2)]
    assert count_vectors(block((57, 21, 8, 14), kind="multi"), "total_100", 14) == []


def test_block_capacity():
    assert block_capacity(block((57, 21, 8, 14)), 14) == 3
    assert block_capacity(block((3, 7, 3), unit="count"), 14) == 2
    assert block_capacity(block((3, 7, 3), unit="count"), 13) == 3
    assert block_capacity(block((79, 79, 7), kind="multi", exhaustive=False), 14) == 3
    assert block_capacity(block((79, 79, 7), kind="multi", exhaustive=False), 13) == 0


def test_stscp_blocks_fit_13_except_social_care(table):
    for measure in ("age", "sex", "living_arrangements", "outcome"):
        rule = "count" if measure == "outcome" else "half_up"
        assert table.loc[("STSCP", measure, rule), "min_n"] == 13, measure
    social = table.loc[("STSCP", "csc_status", "half_up")]
    assert social["min_n"] == 14
    assert social["k_at_min_n"] == "5/3/3/2/1"
    assert "13" not in social["n_values"].split()


def test_hsscp_blocks_fit_14_and_the_8s_need_forcing(table):
    for measure in ("sex", "harm_category", "risk_factor", "age"):
        assert 14 in map(int, table.loc[("HSSCP", measure, "half_up"), "n_values"].split())
    for measure in ("living_arrangements", "csc_status"):
        assert table.loc[("HSSCP", measure, "half_up"), "min_n"] > 27
        assert table.loc[("HSSCP", measure, "largest_remainder"), "min_n"] > 27
        assert table.loc[("HSSCP", measure, "total_100"), "min_n"] == 14
    assert table.loc[("HSSCP", "outcome", "count"), "min_n"] == 13


def test_no_alternative_rule_for_blocks_not_summing_to_100(table):
    assert table.loc[("STSCP", "sex", "largest_remainder"), "n_values"] == ""
    assert table.loc[("STSCP", "sex", "total_100"), "n_values"] == ""
