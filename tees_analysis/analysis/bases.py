"""Which base each block of published figures needs, and the rival explanations of a miss.

A *block* is one partnership's published figures of one measure (STSCP's five social-care
status percentages, HSSCP's three outcome counts). Its *base* is the number of children (or
reviews) the block's figures are counted out of. The report prints no base; for any block and
rounding rule, :mod:`tees_analysis.published.denominators` lists the bases whose counts
reproduce the printed numbers. This module asks that question of each block of the audit, for
every base up to the report's own number of children (or reviews), and sets the answers beside
the base the data give the block: the partnership's number of children (or reviews) in the data.

:func:`blocks` builds the blocks of an audit table; :func:`explain` lists, for one figure
that does not hold, the rival explanations, each with whether it fits the printed numbers:

``the block counted on another base``
    the whole block holds, rounded half up, with a base other than the data's;
``a child counted in two categories``
    (partition blocks) that base is larger than the data's: the block's counts add up to more
    children than the partnership has;
``a child missing from the block``
    that base is smaller: the block counts fewer children than the partnership has;
``this figure alone counted on another base``
    (percentages) the figure holds only with another base, while the block's other figures
    hold together with the data's;
``rounding forced to total 100%``
    (exhaustive blocks of percentages) with the data's base, each printed percentage is the
    exact one rounded down *or* up and the block totals 100.

Every number in the sentences is computed here from the printed numbers and the bases.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pandas as pd

from ..published.denominators import BlockSpec, count_vectors, sub_block
from ..published.figures import load_published
from ..published.measures import half_up_counts, largest_remainder_matches, round_half_up
from ..published.rules import Rules, load_rules, population_totals

FITS, NO_FIT, NOT_APPLY = "fits", "does not fit", "does not apply"
VERDICTS = (FITS, NO_FIT, NOT_APPLY)
#: The rival explanations, in the order they are listed (``{one}``: a child, a review).
ANOTHER_BASE = "the block counted on another base"
TWO_CATEGORIES = "{one} counted in two categories"
MISSING = "{one} missing from the block"
ALONE = "this figure alone counted on another base"
FORCED_100 = "rounding forced to total 100%"
#: Plain names of the blocks (measures) in sentences; others are named after the measure.
BLOCK_NAMES = {
    "review_type": "review types",
    "outcome": "outcome",
    "age": "age",
    "sex": "sex",
    "living_arrangements": "living arrangements",
    "csc_status": "social-care status",
    "harm_category": "harm category",
    "risk_factor": "risk factors",
}
ONE = {"children": "a child", "reviews": "a review"}
SINGULAR = {"children": "child", "reviews": "review"}
_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def number_word(n: int) -> str:
    """``2`` -> ``"two"`` (up to ten; digits beyond)."""
    return _WORDS[n] if 0 <= n < len(_WORDS) else str(n)


def how_many(n: int, noun: str) -> str:
    """``"1 child"``, ``"2 children"``."""
    return f"{n} {SINGULAR.get(noun, noun) if n == 1 else noun}"


def or_list(values) -> str:
    """``[12, 13, 24]`` -> ``"12, 13 or 24"``."""
    items = [str(v) for v in values]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def bases_text(values, cap: int) -> str:
    """Bases as a cell of the audit: ``"14"``, ``"12 13 24"`` or ``"none up to 27"``."""
    return " ".join(str(v) for v in values) if values else f"none up to {cap}"


@cache
def _bases(spec: BlockSpec, rule: str, cap: int) -> tuple[int, ...]:
    return tuple(n for n in range(1, cap + 1) if count_vectors(spec, rule, n))


@dataclass(frozen=True)
class Block:
    """One partnership's published figures of one measure, beside the data's base."""

    spec: BlockSpec  # the printed numbers (partnership as counted in the data)
    noun: str  # what the base counts: "children" or "reviews"
    size: int | None  # the block's base in the data; None when there is nothing to count
    cap: int  # the report's number of children (or reviews): bases are sought up to it

    @property
    def partnership(self) -> str:
        return self.spec.partnership

    @property
    def label(self) -> str:
        return BLOCK_NAMES.get(self.spec.measure, self.spec.measure.replace("_", " "))

    @property
    def name(self) -> str:
        """``"STSCP social-care status"``."""
        return f"{self.partnership} {self.label}"

    @property
    def percent(self) -> bool:
        return self.spec.unit == "percent"

    @property
    def sums_to_base(self) -> bool:
        """Whether the block's counts must add up to its base (an exhaustive partition)."""
        return self.spec.kind == "partition" and self.spec.exhaustive

    def printed(self, spec: BlockSpec | None = None) -> str:
        """``"36/21/21/14/7%"`` or ``"3/7/3"``."""
        spec = self.spec if spec is None else spec
        return "/".join(str(v) for v in spec.values) + ("%" if self.percent else "")

    def bases(self, rule: str = "half_up") -> list[int]:
        """Every base up to :attr:`cap` whose counts reproduce the block under ``rule``."""
        return list(_bases(self.spec, rule, self.cap))

    def forced_100_applies(self) -> bool:
        return self.percent and self.sums_to_base

    def forced_100_bases(self) -> list[int] | None:
        """Bases that reproduce the block rounded to total 100; None when that cannot apply."""
        return self.bases("total_100") if self.forced_100_applies() else None

    def value(self, figure_id: str) -> int:
        return self.spec.values[self.spec.figure_ids.index(figure_id)]

    def figure_bases(self, figure_id: str) -> list[int] | None:
        """Bases up to :attr:`cap` at which the percentage ``figure_id`` alone holds half up."""
        if not self.percent:
            return None
        p = self.value(figure_id)
        return [n for n in range(1, self.cap + 1) if half_up_counts(p, n)]

    def rest(self, figure_id: str) -> BlockSpec | None:
        """The block without ``figure_id`` (None for a block of one figure)."""
        keep = tuple(i for i, f in enumerate(self.spec.figure_ids) if f != figure_id)
        return sub_block(self.spec, keep) if keep else None

    def without(self, figure_ids) -> BlockSpec | None:
        """The block without the figures ``figure_ids`` (None if none is left)."""
        keep = tuple(i for i, f in enumerate(self.spec.figure_ids) if f not in set(figure_ids))
        return sub_block(self.spec, keep) if keep else None


def report_totals(rules: Rules, published: pd.DataFrame) -> dict[str, int]:
    """The report's numbers of children and of reviews (its stated denominators)."""
    reviews, children = population_totals(rules, published)
    return {"children": children, "reviews": reviews}


def blocks(
    audit: pd.DataFrame, rules: Rules | None = None, published: pd.DataFrame | None = None
) -> dict[tuple[str, str], Block]:
    """The partnership blocks of an audit table, keyed by (partnership, measure).

    The printed values are the audit's ``published`` column and the partnership is the one
    the figures are counted for; the data's base is the block's ``denominator``. Figures about
    both partnerships together (Tees) form no block.
    """
    rules = load_rules() if rules is None else rules
    published = load_published() if published is None else published
    totals = report_totals(rules, published)
    found = {}
    rows = audit[audit["partnership"].isin(rules.partnerships)]
    for (partnership, name), block in rows.groupby(["partnership", "measure"], sort=False):
        measure = rules.measures[name]
        rule = measure.block_for(partnership)
        spec = BlockSpec(
            partnership=partnership,
            measure=name,
            figure_ids=tuple(block["figure_id"]),
            values=tuple(int(v) for v in block["published"]),
            unit=block["unit"].iloc[0],
            kind=rule.kind,
            exhaustive=rule.exhaustive,
        )
        sizes = pd.to_numeric(block["denominator"], errors="coerce").dropna()
        size = int(sizes.iloc[0]) if len(sizes) and sizes.iloc[0] > 0 else None
        found[partnership, name] = Block(spec, measure.table, size, totals[measure.table])
    return found


# --------------------------------------------------------------------------- explanations


@dataclass(frozen=True)
class Explanation:
    """One rival explanation of a figure that does not hold, and whether it fits."""

    name: str
    verdict: str  # fits, does not fit, does not apply
    reason: str
    base: int | None = None  # the base the explanation puts behind the block (or figure)
    counts: tuple[int, ...] | None = None  # the block's counts at that base, if one is named

    @property
    def fits(self) -> bool:
        return self.verdict == FITS

    def line(self) -> str:
        return f"{self.name}: {self.verdict} — {self.reason}"


def _nearest(values, n: int) -> int:
    return min(values, key=lambda v: (abs(v - n), v))


def _vector(values) -> str:
    return "/".join(str(v) for v in values)


def has_in_data(block: Block) -> str:
    """``"the 13 children STSCP has in the data"``."""
    return f"the {block.size} {block.noun} {block.partnership} has in the data"


def _another_base(block: Block) -> Explanation:
    n, found = block.size, block.bases()
    others = [b for b in found if b != n]
    whole = f"the whole block ({block.printed()})"
    if n in found:
        return Explanation(
            ANOTHER_BASE, NO_FIT, f"{whole} holds with a base of {n}, {has_in_data(block)}"
        )
    if not others:
        return Explanation(
            ANOTHER_BASE,
            NO_FIT,
            f"no base up to {block.cap} reproduces {whole} rounded half up",
        )
    m = _nearest(others, n)
    if block.sums_to_base and not block.percent:
        reason = (
            f"the counts ({block.printed()}) total {m}: they fit a base of {m}, not "
            f"{has_in_data(block)}"
        )
    else:
        vector = count_vectors(block.spec, "half_up", m)[0]
        reason = (
            f"{whole} holds with a base of {or_list(others)} {block.noun} "
            f"({_vector(vector)} of {m}), not with {has_in_data(block)}"
        )
    return Explanation(ANOTHER_BASE, FITS, reason, m)


def _more_or_fewer(block: Block, larger: bool) -> Explanation:
    """A child counted twice (a base larger than the data's) or missing (smaller)."""
    n, one = block.size, ONE.get(block.noun, "one")
    name = (TWO_CATEGORIES if larger else MISSING).format(one=one)
    others = [b for b in block.bases() if (n < b <= 2 * n if larger else b < n)]
    if not others:
        span = f"from {n + 1} to {min(2 * n, block.cap)}" if larger else f"below {n}"
        if larger and n + 1 > min(2 * n, block.cap):
            span = f"above {n} up to {block.cap}"
        return Explanation(name, NO_FIT, f"no base {span} reproduces the block")
    m = min(others) if larger else max(others)
    d = abs(m - n)
    what = (
        f"the block's counts add up to {m}"
        if block.sums_to_base
        else f"the block holds with a base of {m}"
    )
    how = "counted in two of its categories" if larger else "left out of the block"
    reason = (
        f"{what}, {d} {'more' if larger else 'fewer'} than {has_in_data(block)}: "
        f"{how_many(d, block.noun)} {how} would give this"
    )
    return Explanation(name, FITS, reason, m)


def _alone(block: Block, figure_id: str) -> Explanation | None:
    if not block.percent or len(block.spec.values) == 1:
        return None
    n, p = block.size, block.value(figure_id)
    alone = block.figure_bases(figure_id) or []
    rest = block.rest(figure_id)
    if n in alone:
        k = half_up_counts(p, n)[0]
        return Explanation(
            ALONE,
            NO_FIT,
            f"{p}% alone holds with a base of {n} ({k} of {n}); it fails only together with "
            "the block's other figures",
        )
    if not count_vectors(rest, "half_up", n):
        return Explanation(
            ALONE,
            NO_FIT,
            f"the block's other figures ({block.printed(rest)}) do not hold together with a "
            f"base of {n} either",
        )
    if not alone:
        return Explanation(ALONE, NO_FIT, f"no base up to {block.cap} gives {p}%")
    m = _nearest(alone, n)
    k = half_up_counts(p, m)[0]
    return Explanation(
        ALONE,
        FITS,
        f"{p}% alone is {k} of {m} ({100 * k / m:.1f}%); of the bases up to {block.cap} it "
        f"holds with {and_list(alone)}, not {n}; the block's other figures "
        f"({block.printed(rest)}) hold together with {has_in_data(block)}",
        m,
    )


def _forced_100(block: Block, counts: tuple[int, ...] | None) -> Explanation:
    if not block.percent:
        return Explanation(FORCED_100, NOT_APPLY, "the block's figures are counts, not percentages")
    if not block.sums_to_base:
        why = "several of its categories" if block.spec.kind != "partition" else "none of them"
        return Explanation(
            FORCED_100,
            NOT_APPLY,
            f"the block's percentages need not total 100: a child may be in {why}",
        )
    n, printed = block.size, block.spec.values
    vectors = count_vectors(block.spec, "total_100", n)
    if not vectors:
        if sum(printed) != 100:
            return Explanation(
                FORCED_100, NO_FIT, f"the printed percentages total {sum(printed)}, not 100"
            )
        return Explanation(
            FORCED_100,
            NO_FIT,
            f"no counts out of {n} give the printed percentages rounded down or up",
        )
    k = counts if counts in vectors else vectors[0]
    exact = ", ".join(f"{100 * c / n:.1f}%" for c in k)
    half_up = tuple(round_half_up(c, n) for c in k)
    moved = [
        f"{100 * c / n:.1f}% {'up' if p > h else 'down'} to {p}%"
        for c, p, h in zip(k, printed, half_up, strict=True)
        if p != h
    ]
    if not moved:  # the counts give the printed block rounded half up as well
        return Explanation(
            FORCED_100,
            FITS,
            f"with {has_in_data(block)}, the counts {_vector(k)} ({exact}) give the printed "
            f"{block.printed()} rounded half up, which totals 100",
            n,
            k,
        )
    how = (
        "the largest-remainder method gives it too"
        if largest_remainder_matches(k, printed)
        else "the largest-remainder method would not"
    )
    reason = (
        f"with {has_in_data(block)}, the counts {_vector(k)} are {exact}; rounding "
        f"{' and '.join(moved)} gives the printed {block.printed()}, which totals 100 ({how})"
    )
    return Explanation(FORCED_100, FITS, reason, n, k)


def explain(
    block: Block, figure_id: str, counts: tuple[int, ...] | None = None
) -> list[Explanation]:
    """The rival explanations of ``figure_id`` (a figure of ``block``) not holding.

    ``counts`` are the data's counts of the block's figures, in its order, when known: the
    rounding explanation then shows them if they fit. Empty when the data give no base.
    """
    if block.size is None:
        return []
    found = [_another_base(block)]
    if block.spec.kind == "partition":
        found.append(_more_or_fewer(block, larger=True))
    found.append(_more_or_fewer(block, larger=False))
    alone = _alone(block, figure_id)
    if alone is not None:
        found.append(alone)
    found.append(_forced_100(block, counts))
    return found


def base_reading(explanations: list[Explanation]) -> Explanation | None:
    """The explanation that puts another base behind the figure, if one fits."""
    for name in (ANOTHER_BASE, ALONE):
        for e in explanations:
            if e.name == name and e.fits:
                return e
    return None


def forced_reading(explanations: list[Explanation]) -> Explanation | None:
    """The rounding explanation, if it fits."""
    return next((e for e in explanations if e.name == FORCED_100 and e.fits), None)


def and_list(items) -> str:
    """``["a", "b", "c"]`` -> ``"a, b and c"``."""
    items = [str(v) for v in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
