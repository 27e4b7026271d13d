"""Which numbers of children could lie behind each block of published percentages?

The report prints percentages without denominators. For every block (one partnership's
figures of one measure) and every candidate denominator ``n`` in ``1..n_max``, this module
lists the integer counts ``k`` that reproduce the printed percents:

* ``half_up`` -- ``round_half_up(100 k_i / n) == P_i`` for every figure of the block, and for
  an exhaustive partition block also ``sum(k) == n`` (at most ``n`` for a non-exhaustive one);
* ``largest_remainder`` -- an exhaustive partition block whose Hamilton rounding is the
  printed block;
* ``total_100`` -- an exhaustive partition block printed as *some* floor/ceiling rounding
  of its exact percents summing to 100.

No partnership size is assumed: the result is pure arithmetic on the printed numbers. Blocks
of counts (e.g. outcomes) give their sum when they are an exhaustive partition.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations, product

import pandas as pd

from .figures import load_published
from .measures import half_up_counts, largest_remainder_matches, total_100_matches
from .rules import Rules, load_rules

N_MAX = 100


@dataclass(frozen=True)
class BlockSpec:
    """The printed numbers of one block and how the block is counted."""

    partnership: str
    measure: str
    figure_ids: tuple[str, ...]
    values: tuple[int, ...]
    unit: str
    kind: str
    exhaustive: bool


def _near_counts(percent: int, n: int) -> list[int]:
    """Counts whose exact percent is within one point of ``percent`` (rounding candidates)."""
    return [k for k in range(n + 1) if abs(100 * k - percent * n) < n]


def _candidates(rule: str, percent: int, n: int) -> list[int]:
    return half_up_counts(percent, n) if rule == "half_up" else _near_counts(percent, n)


def count_vectors(spec: BlockSpec, rule: str, n: int) -> list[tuple[int, ...]]:
    """Every count vector ``k`` of the block that reproduces its printed percents at ``n``."""
    if spec.unit == "count":
        total = sum(spec.values)
        ok = total == n if spec.exhaustive and spec.kind == "partition" else total <= n
        return [spec.values] if ok and rule == "half_up" else []
    ranges = [_candidates(rule, p, n) for p in spec.values]
    return [k for k in product(*ranges) if _accepts(spec, rule, k, n)]


def _accepts(spec: BlockSpec, rule: str, k: tuple[int, ...], n: int) -> bool:
    if spec.kind == "partition" and (sum(k) > n or (spec.exhaustive and sum(k) != n)):
        return False
    if rule == "half_up":
        return True
    if spec.kind != "partition" or not spec.exhaustive:
        return False
    if rule == "largest_remainder":
        return largest_remainder_matches(k, spec.values)
    return total_100_matches(k, spec.values)


def feasible_denominators(spec: BlockSpec, rule: str, n_max: int = N_MAX) -> dict[int, list]:
    """``{n: count vectors}`` for every ``n`` in ``1..n_max`` with at least one vector."""
    found = {}
    for n in range(1, n_max + 1):
        vectors = count_vectors(spec, rule, n)
        if vectors:
            found[n] = vectors
    return found


def sub_block(spec: BlockSpec, keep: tuple[int, ...]) -> BlockSpec:
    """The block restricted to the figures at positions ``keep`` (no longer exhaustive)."""
    whole = len(keep) == len(spec.values)
    return BlockSpec(
        spec.partnership,
        spec.measure,
        tuple(spec.figure_ids[i] for i in keep),
        tuple(spec.values[i] for i in keep),
        spec.unit,
        spec.kind,
        spec.exhaustive and whole,
    )


def block_capacity(spec: BlockSpec, n: int) -> int:
    """The most figures of the block that can hold together (round half up) at ``n``.

    For a multi block the figures are independent; for a partition block the largest subset
    with a count vector is searched, largest subsets first (a subset of a partition block is
    not exhaustive: its counts need only add up to at most ``n``).
    """
    alone = [
        i for i in range(len(spec.values)) if count_vectors(sub_block(spec, (i,)), "half_up", n)
    ]
    if spec.kind != "partition":
        return len(alone)
    for size in range(len(alone), 0, -1):
        for keep in combinations(alone, size):
            if count_vectors(sub_block(spec, keep), "half_up", n):
                return size
    return 0


def block_specs(rules: Rules, figures: pd.DataFrame) -> list[BlockSpec]:
    """The partnership blocks of the figures file (Tees-wide figures are not blocks)."""
    specs = []
    blocks = figures[figures["partnership"].isin(rules.partnerships)]
    for (partnership, name), block in blocks.groupby(["partnership", "measure"], sort=False):
        rule = rules.measures[name].block_for(partnership)
        specs.append(
            BlockSpec(
                partnership=partnership,
                measure=name,
                figure_ids=tuple(block["figure_id"]),
                values=tuple(int(v) for v in block["value"]),
                unit=block["unit"].iloc[0],
                kind=rule.kind,
                exhaustive=rule.exhaustive,
            )
        )
    return specs


def _rules_for(spec: BlockSpec, rules: Rules) -> list[str]:
    if spec.unit == "count":
        return ["half_up"]
    if spec.kind == "partition" and spec.exhaustive:
        return [rules.primary, *rules.alternatives]
    return [rules.primary]


def _fmt(vector) -> str:
    return "/".join(str(v) for v in vector)


def denominators_table(
    rules: Rules | None = None, figures: pd.DataFrame | None = None, n_max: int = N_MAX
) -> pd.DataFrame:
    """One row per block and rounding rule: the feasible ``n``, the least one and its counts.

    ``n_values`` lists every feasible ``n`` up to ``n_max``; ``k_at_min_n`` every count
    vector at the least ``n`` (``;``-separated, each ``k1/k2/...`` in the block's order).
    """
    figures = load_published() if figures is None else figures
    rules = load_rules(figures=figures) if rules is None else rules
    rows = []
    for spec in block_specs(rules, figures):
        for rule in _rules_for(spec, rules):
            found = feasible_denominators(spec, rule, n_max)
            least = min(found) if found else None
            rows.append(
                {
                    "partnership": spec.partnership,
                    "measure": spec.measure,
                    "kind": spec.kind,
                    "exhaustive": spec.exhaustive,
                    "unit": spec.unit,
                    "figures": " ".join(spec.figure_ids),
                    "printed": _fmt(spec.values),
                    "printed_sum": sum(spec.values),
                    "rule": "count" if spec.unit == "count" else rule,
                    "min_n": least,
                    "k_at_min_n": "; ".join(_fmt(k) for k in found[least]) if found else "",
                    "n_values": " ".join(str(n) for n in found),
                }
            )
    return pd.DataFrame(rows).astype({"min_n": "Int64"})
