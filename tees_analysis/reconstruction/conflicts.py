"""Which published figures cannot all hold, and why, in plain words generated from the numbers.

For every figure the best reconstruction does not satisfy, :func:`minimal_conflict` finds a
*minimal conflicting set*: that figure together with satisfied figures such that the set
cannot hold at once (the integer program with all of them forced is infeasible), while every
proper subset can. It uses a deletion filter -- try dropping each other member; keep the drop
if the rest is still infeasible -- with a first pass that tries halves, quarters ... of the
candidates at once (a shortcut that does not change what "minimal" means: the final pass tests
every remaining member on its own).

:func:`explain` turns a set into a sentence from the figures' numbers: what each block of the
set implies about a partnership's number of children (via
:mod:`tees_analysis.published.denominators`), what the review counts imply, and the clash.
:func:`alternative_rounding` lists the failed figures that would hold under the alternative
percent rules (largest remainder; forced to total 100).
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from ..published.denominators import BlockSpec, count_vectors
from ..published.measures import half_up_counts
from .ilp import Row, Solution, parallel_map
from .model import CaseModel
from .plan import Plan

# --------------------------------------------------------------------------- deletion filter


def deletion_filter(required: list[str], candidates: list[str], infeasible) -> list[str]:
    """A minimal subset ``M`` of ``candidates`` with ``infeasible(required + M)``.

    ``infeasible(required + candidates)`` must be true. Chunks of the candidates are dropped
    while the rest stays infeasible, halving the chunk size down to single figures.
    """
    kept = list(candidates)
    size = max(len(kept) // 2, 1)
    while True:
        i = 0
        while i < len(kept):
            trial = kept[:i] + kept[i + size :]
            if infeasible(required + trial):
                kept = trial
            else:
                i += size
        if size == 1:
            return kept
        size = max(size // 2, 1)


class Oracle:
    """Decides whether a set of figures can hold together, solving as little as possible.

    Sound shortcuts come before the integer program: a set is infeasible if no split of the
    children among the partnerships lets every block's figures of the set hold
    (:meth:`CaseModel.compatible_splits`) or a counting argument proves it (:func:`proof`);
    it is feasible if a dataset already found meets all of them. Only the remaining cases are
    solved, so the answers are the integer program's and the shortcuts never change a result.
    """

    def __init__(self, model: CaseModel):
        self.model = model
        self.known: list[Solution] = []

    def infeasible(self, ids: list[str]) -> bool:
        if not self.model.compatible_splits(ids) or proof(self.model.plan, ids) is not None:
            return True
        if any(all(self.model.holds(sol, fid) for fid in ids) for sol in self.known):
            return False
        solution = self.model.feasible(ids)
        if solution is not None:
            self.known.append(solution)
        return solution is None


def minimal_conflict(model: CaseModel, failed: str, satisfied: list[str]) -> list[str]:
    """A minimal set of figures containing ``failed`` that cannot all hold (file order)."""
    infeasible = Oracle(model).infeasible
    if not infeasible([failed, *satisfied]):
        raise ValueError(f"{failed} can hold together with every satisfied figure")
    order = sorted(satisfied, key=lambda fid: _closeness(model.plan, failed, fid))
    kept = set(deletion_filter([failed], order, infeasible)) | {failed}
    return [fid for fid in model.z if fid in kept]


def _closeness(plan: Plan, failed: str, other: str) -> tuple[int, int]:
    """Sort key putting the figures nearest to ``failed`` last, so that the filter keeps them.

    The filter drops figures from the front first, so sets made of the failed figure's own
    block and partnership are preferred: they give the most direct explanations.
    """
    a, b = plan.figure(failed), plan.figure(other)
    same_partnership = a.scope == b.scope
    return (same_partnership and a.measure == b.measure, same_partnership)


# --------------------------------------------------------------------------- explanations


def _lower_first(text: str) -> str:
    """``'All children'`` -> ``'all children'``; words in capitals (``'HSSCP'``) stay."""
    first = text.split(" ", 1)[0]
    return text[0].lower() + text[1:] if len(first) == 1 or first[1:].islower() else text


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _numbers(values, top: int) -> str:
    values = sorted(values)
    return "{" + ", ".join(str(v) for v in values) + "}" if values else f"none up to {top}"


def _block_of(plan: Plan, specs) -> BlockSpec:
    """The published block restricted to ``specs`` (exhaustive only if it is all there)."""
    p, name = specs[0].scope[0], specs[0].measure
    rule = plan.rules.measures[name].block_for(p)
    whole = [f for f in plan.figures if f.measure == name and f.scope == (p,)]
    complete = len(whole) == len(specs)
    return BlockSpec(p, name, tuple(s.figure_id for s in specs), tuple(s.value for s in specs),
                     specs[0].unit, rule.kind, rule.exhaustive and complete)  # fmt: skip


def _describe_block(block: BlockSpec, specs, top: int) -> list[tuple[str, set[int]]]:
    """What a block says about its partnership's number of children ``n`` (``n <= top``).

    A complete exhaustive block is described as a whole (its counts must add up to ``n``);
    otherwise each figure on its own.
    """
    label = block.measure.replace("_", " ")
    if block.unit == "count":
        parts = _join([f"{s.category} {s.value}" for s in specs])
        total = sum(block.values)
        if block.exhaustive:
            return [(f"{block.partnership} {label} counts ({parts}) total {total} children",
                     {total})]  # fmt: skip
        text = f"{block.partnership} {label} counts ({parts}) need at least {total} children"
        return [(text, set(range(total, top + 1)))]
    if block.exhaustive:
        sizes = {n for n in range(1, top + 1) if count_vectors(block, "half_up", n)}
        parts = _join([f"'{s.category}' {s.value}%" for s in specs])
        return [(f"{block.partnership} {parts} ({label}) need n in {_numbers(sizes, top)}", sizes)]
    out = []
    for s in specs:
        sizes = set(half_up_sizes(s.value, top))
        text = f"{block.partnership} '{s.category}' {s.value}% ({label}) needs n in "
        out.append((text + _numbers(sizes, top), sizes))
    return out


def _review_facts(plan: Plan, specs) -> tuple[list[str], dict[str, int]]:
    """Statements and known review counts from complete, exhaustive review-type blocks."""
    facts, reviews = [], {}
    by_p = defaultdict(list)
    for s in specs:
        by_p[s.scope[0]].append(s)
    for p, group in by_p.items():
        if len(group) == len(plan.review_types.get(p, ())) and plan.review_exhaustive.get(p):
            reviews[p] = sum(s.value for s in group)
            parts = " + ".join(str(s.value) for s in group)
            facts.append(f"{p} review types {parts} = {reviews[p]} reviews")
    return facts, reviews


def _ranges(plan: Plan, reviews: dict[str, int]) -> dict[str, tuple[int, int]]:
    """Possible numbers of children per partnership given known review counts.

    A partnership has at least as many children as reviews; when one partnership's reviews
    are known, the other has the rest of the reviews, hence at least that many children.
    """
    low = {}
    for p in plan.partnerships:
        if p in reviews:
            low[p] = reviews[p]
        elif len(reviews) == len(plan.partnerships) - 1:
            low[p] = plan.n_reviews - sum(reviews.values())
        else:
            low[p] = 0
    others = {p: sum(low[q] for q in plan.partnerships if q != p) for p in plan.partnerships}
    return {p: (low[p], plan.n_children - others[p]) for p in plan.partnerships}


def _theme_capacity(plan: Plan, specs) -> str | None:
    """A theme's reviews and children counts that clash under the theme's reading, if any.

    When the counted children must sit in the flagged reviews (membership, or a child's
    factor flagging its review), ``R`` flagged reviews hold at most ``R`` plus the children
    beyond one per review; when every flagged review needs a child with the factor, ``R``
    flagged reviews need at least ``R`` such children.
    """
    by_theme = defaultdict(dict)
    for s in specs:
        if s.kind in ("theme_reviews", "theme_children"):
            by_theme[s.theme][s.kind] = s.value
    for theme in plan.themes:
        counts = by_theme.get(theme.theme, {})
        if len(counts) < 2:
            continue
        reviews, children = counts["theme_reviews"], counts["theme_children"]
        inside = theme.count == "children_in_flagged_reviews" or theme.link in (
            "iff",
            "child_implies_review",
        )
        most = reviews + plan.excess
        if inside and children > most:
            return (
                f"'{theme.theme}' is flagged in {reviews} of {plan.n_reviews} reviews and counts "
                f"{children} of {plan.n_children} children; under the reading "
                f"({theme.count}, link {theme.link}) those children sit in the flagged reviews, "
                f"which hold at most {reviews} + {plan.excess} = {most} children (every other "
                "review has a child of its own)."
            )
        needs = theme.link in ("iff", "review_implies_child")
        if needs and theme.count == "children_with_indicator" and children < reviews:
            return (
                f"'{theme.theme}' is flagged in {reviews} reviews, each needing a child with the "
                f"factor under the reading (link {theme.link}), but only {children} children "
                "are counted."
            )
    return None


def _size_argument(plan: Plan, specs) -> str | None:
    """A clash about the partnerships' numbers of children, if the figures imply one."""
    facts, reviews = _review_facts(plan, [s for s in specs if s.kind == "reviews"])
    ranges = _ranges(plan, reviews)
    statements = list(facts)
    if len(reviews) == 1 and len(plan.partnerships) == 2:
        (p,) = reviews
        other = next(q for q in plan.partnerships if q != p)
        statements.append(
            f"so {other} has {plan.n_reviews - reviews[p]} reviews and at least as many "
            f"children, leaving {p} {ranges[p][0]} to {ranges[p][1]} children"
        )
    sizes = {}
    blocks = defaultdict(list)
    for s in specs:
        if s.kind == "children" and not s.population and len(s.scope) == 1:
            blocks[s.scope[0], s.measure].append(s)
    for (p, _), group in blocks.items():
        low, high = ranges[p]
        for text, allowed in _describe_block(_block_of(plan, group), group, plan.n_children):
            statements.append(text)
            sizes[p] = sizes.get(p, set(range(low, high + 1))) & allowed
    for p, inside in sizes.items():
        if not inside:
            low, high = ranges[p]
            where = f" between {low} and {high}" if (low, high) != (0, plan.n_children) else ""
            return "; ".join(statements) + f": no number of {p} children{where} fits them all."
    if len(sizes) == len(plan.partnerships) == 2:
        a, b = plan.partnerships
        if not any(x + y == plan.n_children for x in sizes[a] for y in sizes[b]):
            total = f"the {plan.n_children} children of both partnerships"
            return "; ".join(statements) + f": no pair of sizes adds up to {total}."
    return None


def proof(plan: Plan, ids: list[str]) -> str | None:
    """A counting argument showing that the figures ``ids`` cannot all hold, or ``None``.

    Every argument returned is a proof (theme capacity, or no possible number of children),
    so a feasibility oracle may rely on it instead of the solver.
    """
    specs = [plan.figure(i) for i in ids]
    return _theme_capacity(plan, specs) or _size_argument(plan, specs)


def explain(plan: Plan, ids: list[str]) -> str:
    """A plain-words account of why the figures ``ids`` cannot all hold.

    A counting argument (:func:`proof`) when there is one; otherwise what each figure says
    and the hard rules that tie them together (links and sub-group readings), as found by
    the solver.
    """
    found = proof(plan, ids)
    if found is not None:
        return found
    specs = [plan.figure(i) for i in ids]
    statements = []
    blocks = defaultdict(list)
    for s in specs:
        if s.kind == "children" and not s.population and len(s.scope) == 1:
            blocks[s.scope[0], s.measure].append(s)
    for group in blocks.values():
        statements += [
            t for t, _ in _describe_block(_block_of(plan, group), group, plan.n_children)
        ]
    statements += [_describe_figure(s) for s in specs if s.kind != "children" or s.population]
    rules = _rules_in_play(plan, specs)
    return "; ".join(statements) + f": these cannot all hold together with {rules}."


def _rules_in_play(plan: Plan, specs) -> str:
    """The links and sub-group readings acting on the fields the figures ``specs`` count."""
    fields = {d for s in specs for d, _ in s.conditions}
    fields |= {
        t.indicator for t in plan.themes if t.indicator and t.theme in {s.theme for s in specs}
    }
    touched = {d for comp in plan.components if set(comp.dims) & fields for d in comp.dims}
    parts = [
        f"the link '{link.id}' ({_lower_first(link.why.rstrip('.'))})"
        for link in plan.rules.links
        if {link.when.field, link.then_field} & touched
    ]
    for measure in plan.rules.measures.values():
        reading = plan.rules.reading(measure.population) if measure.population else None
        if reading is None or reading.condition.field not in touched:
            continue
        option = reading.option(plan.readings[reading.id])
        kinds = _join([f"'{c}'" for c, t in measure.categories.items() if t.field is not None])
        meaning = _lower_first(option.meaning.rstrip("."))
        parts.append(
            f"the sub-group of the reading {reading.id} = {option.id} ({meaning}), "
            f"each of whose children is one of {kinds}"
        )
    readings = ", ".join(f"{k} = {v}" for k, v in plan.readings.items())
    return _join([*parts, f"the readings ({readings})"])


def _describe_figure(spec) -> str:
    what = spec.category if spec.kind != "theme_reviews" else f"{spec.category} reviews"
    unit = "%" if spec.unit == "percent" else ""
    where = spec.partnership if spec.kind == "children" else "Tees"
    return f"{where} {spec.measure.replace('_', ' ')} '{what}' = {spec.value}{unit}"


# --------------------------------------------------------------------------- tables


def conflicts_table(model: CaseModel, solution: Solution, threads: int = 1) -> pd.DataFrame:
    """One minimal conflicting set per figure the reconstruction fails, with its explanation.

    The sets are independent searches, run ``threads`` at a time (the solver releases the
    interpreter lock); the result does not depend on ``threads``.
    """
    satisfied = model.satisfied_ids(solution)
    failed = [fid for fid in model.z if fid not in set(satisfied)]

    def search(fid: str) -> list[str]:
        return minimal_conflict(model, fid, satisfied)

    sets = parallel_map(search, failed, threads)
    rows = [
        {
            "conflict": f"C{i:02d}",
            "failed_figure": fid,
            "size": len(ids),
            "figures": " ".join(ids),
            "explanation": explain(model.plan, ids),
        }
        for i, (fid, ids) in enumerate(zip(failed, sets, strict=True), start=1)
    ]
    return pd.DataFrame(
        rows, columns=["conflict", "failed_figure", "size", "figures", "explanation"]
    )


def alternative_rounding(model: CaseModel, solution: Solution) -> pd.DataFrame:
    """For each failed percent figure: does it hold under each alternative rule?

    The figure's partnership size is kept at the reconstruction's; for every count vector of the
    figure's exhaustive partition block that reproduces the printed block under the rule
    (:func:`~tees_analysis.published.denominators.count_vectors`), the model is asked whether those
    counts can hold together with every figure the reconstruction satisfies (outside the block).
    """
    plan, rules = model.plan, model.plan.rules
    satisfied = model.satisfied_ids(solution)
    rows = []
    for spec in plan.figures:
        if spec.figure_id in satisfied or spec.unit != "percent" or spec.kind != "children":
            continue
        p = spec.scope[0]
        group = [f for f in plan.figures if f.measure == spec.measure and f.scope == (p,)]
        block = _block_of(plan, group)
        n = solution.count(model.n[p])
        for rule in rules.alternatives:
            holds, counts = _holds_under(model, satisfied, group, block, rule, n)
            rows.append({"figure_id": spec.figure_id, "rule": rule, "n": n, "holds": holds,
                         "block_counts": counts})  # fmt: skip
    return pd.DataFrame(rows, columns=["figure_id", "rule", "n", "holds", "block_counts"])


def _holds_under(model, satisfied, group, block, rule, n) -> tuple[bool, str]:
    ids = {f.figure_id for f in group}
    others = [fid for fid in satisfied if fid not in ids]
    for vector in count_vectors(block, rule, n) if block.kind == "partition" else []:
        rows = [Row(model.count[f.figure_id], k, k) for f, k in zip(group, vector, strict=True)]
        if model.feasible(others, extra=rows) is not None:
            return True, "/".join(str(k) for k in vector)
    return False, ""


def half_up_sizes(percent: int, top: int) -> list[int]:
    """Numbers of children up to ``top`` for which some count rounds (half up) to ``percent``."""
    return [n for n in range(1, top + 1) if half_up_counts(percent, n)]
