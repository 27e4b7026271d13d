"""The integer program of a :class:`~.plan.Plan`: one dataset's counts as linear variables.

Children are not variables one by one. Per partnership the model counts the children in each
*cell* of each component (:mod:`.plan`). The partnership sizes ``n_p`` and review counts
``r_p`` are variables, so no denominator is assumed: a printed percent ``P`` holds for a count
``k`` when ``(2P - 1) n <= 200 k < (2P + 1) n`` (round half up), a linear condition. Every
review has at least one child; with ``R`` reviews and ``C`` children at most ``C - R`` reviews
have more than one, so those are modelled as ``C - R`` explicit review *slots* (size
``1 + e_m``) and all other reviews are single-child reviews counted by their child's cell.
Theme flags of the single-child reviews are counted by the child's indicator value, which
makes the readings that link a review's theme to its children's factors exact.

Each figure has a binary "satisfied" variable; its constraint is enforced only when it is 1.
Which dataset is chosen among the optima is decided in :mod:`.solve`.
"""

from __future__ import annotations

from collections import defaultdict

from ..published.denominators import BlockSpec, block_capacity, count_vectors, sub_block
from ..published.measures import half_up_counts, round_half_up
from .ilp import Expr, Ilp, Solution, index_of
from .plan import (
    Component,
    FigureSpec,
    Plan,
    ThemePlan,
    holds,
    size_splits,
)

# =========================================================================== the model


class CaseModel:
    """The integer program of a :class:`Plan`: structure, components, themes and figures.

    Attributes used by the later steps: ``z`` (figure id -> satisfied indicator),
    ``count``/``denominator`` (figure id -> expression), ``deviation`` (figure id ->
    expression of the absolute deviation from the published value, in hundredths of a
    child), ``x`` (``(partnership, component, cell)`` -> count of children).
    """

    def __init__(self, plan: Plan):
        self.plan = plan
        self.ilp = Ilp()
        self._structure()
        self._slots()
        self._components()
        self._review_types()
        self._themes()
        self._figures()

    # ----------------------------------------------------------------- structure

    def _structure(self) -> None:
        plan, ilp = self.plan, self.ilp
        self.n = {p: ilp.var(f"n[{p}]", 0, plan.n_children) for p in plan.partnerships}
        self.r = {p: ilp.var(f"r[{p}]", 0, plan.n_reviews) for p in plan.partnerships}
        ilp.eq(Expr.total(self.n.values()), plan.n_children)
        ilp.eq(Expr.total(self.r.values()), plan.n_reviews)
        # n[p] == size as binaries: only a tightening (percent figures get cuts on them).
        self.is_n = {}
        for p in plan.partnerships:
            sizes = range(plan.n_children + 1)
            for size in sizes:
                self.is_n[p, size] = ilp.var(f"is_n[{p},{size}]", 0, 1)
            ilp.eq(Expr.total(self.is_n[p, s] for s in sizes), 1)
            ilp.eq(Expr.total(s * self.is_n[p, s] for s in sizes) - self.n[p])
        if plan.excess < 0:
            raise ValueError("fewer children than reviews: every review concerns a child")

    def _slots(self) -> None:
        """Reviews with more than one child: ``excess`` slots of size ``1 + e[m]``."""
        plan, ilp, big = self.plan, self.ilp, self.plan.excess
        self.slots = range(big)
        self.e = [ilp.var(f"e[{m}]", 0, big) for m in self.slots]
        self.pi, self.ee = {}, {}
        if big:
            ilp.eq(Expr.total(self.e), big)
        for m in self.slots:
            for p in plan.partnerships:
                self.pi[m, p] = ilp.var(f"pi[{m},{p}]", 0, 1)
                self.ee[m, p] = ilp.var(f"ee[{m},{p}]", 0, big)
                ilp.add(self.ee[m, p] - big * self.pi[m, p], hi=0)
            ilp.eq(Expr.total(self.pi[m, p] for p in plan.partnerships), 1)
            ilp.eq(Expr.total(self.ee[m, p] for p in plan.partnerships) - self.e[m])
            if m:
                # Slots are interchangeable: order them by size, then (equal sizes) by
                # partnership, which removes symmetric copies of every solution.
                ilp.add(self.e[m - 1] - self.e[m], lo=0)
                first = plan.partnerships[0]
                ilp.add(self.pi[m - 1, first] - self.pi[m, first] + self.e[m - 1] - self.e[m], lo=0)
        self.singles = {}
        for p in plan.partnerships:
            extra = Expr.total(self.ee[m, p] for m in self.slots)
            ilp.eq(self.n[p] - self.r[p] - extra)
            self.singles[p] = self.r[p] - Expr.total(self.pi[m, p] for m in self.slots)
            ilp.add(self.singles[p], lo=0)

    def size_spread(self) -> Expr:
        """``sum_m (E+1)^(S-1-m) e[m]``: minimising it minimises the largest review first,
        then the next (the extra children ``e`` are ordered and each at most ``E``)."""
        base, last = self.plan.excess + 1, len(self.e) - 1
        if base**last > 1e6:
            raise ValueError("too many children beyond one per review for one weighted stage")
        return Expr.total(base ** (last - m) * e for m, e in enumerate(self.e))

    def size(self, m: int) -> Expr:
        """Number of children of slot ``m``."""
        return self.e[m] + 1

    # ----------------------------------------------------------------- children

    def _components(self) -> None:
        plan, ilp = self.plan, self.ilp
        self.x, self.y, self.single_proj = {}, {}, {}
        for comp in plan.components:
            for p in plan.partnerships:
                cells = comp.cells[p]
                for k, cell in enumerate(cells):
                    self.x[p, comp.name, cell] = ilp.var(f"x[{p},{comp.name},{k}]", 0)
                ilp.eq(Expr.total(self.x[p, comp.name, c] for c in cells) - self.n[p])
                if comp.linked:
                    self._link_slots(comp, p)

    def _link_slots(self, comp: Component, p: str) -> None:
        """Children of each slot by their values of the review-linked dims."""
        ilp, big = self.ilp, self.plan.excess + 1
        projections = sorted({comp.project(c) for c in comp.cells[p]}, key=repr)
        for m in self.slots:
            for proj in projections:
                y = ilp.var(f"y[{m},{p},{comp.name},{proj}]", 0, big)
                self.y[m, p, comp.name, proj] = y
                ilp.add(y - big * self.pi[m, p], hi=0)
            members = Expr.total(self.y[m, p, comp.name, q] for q in projections)
            ilp.eq(members - self.pi[m, p] - self.ee[m, p])
        for proj in projections:
            total = Expr.total(
                self.x[p, comp.name, c] for c in comp.cells[p] if comp.project(c) == proj
            )
            single = total - Expr.total(self.y[m, p, comp.name, proj] for m in self.slots)
            ilp.add(single, lo=0)
            self.single_proj[p, comp.name, proj] = single

    def children(self, p: str, conditions) -> Expr:
        """Children of partnership ``p`` meeting every ``(dim, value)`` condition."""
        if not conditions:
            return self.n[p]
        dims = {d for d, _ in conditions}
        comp = self.plan.component_of(next(iter(dims)))
        if not dims <= set(comp.dims):
            raise ValueError(f"conditions {conditions} span several components")
        kinds = self.plan.dims
        return Expr.total(
            self.x[p, comp.name, c]
            for c in comp.cells[p]
            if all(holds(kinds[d].kind, c[comp.at(d)], v) for d, v in conditions)
        )

    def multi_valued(self) -> Expr:
        """Children with more than one value of a multi-valued field (summed over fields)."""
        return Expr.total(
            x
            for (p, name, cell), x in self.x.items()
            for dim, value in zip(self.plan.component_of_name(name).dims, cell, strict=True)
            if self.plan.dims[dim].kind == "subset" and len(value) > 1
        )

    def indicator_in_slot(self, m: int, dim: str) -> Expr:
        """Children of slot ``m`` with the yes/no dimension ``dim`` true."""
        comp = self.plan.component_of(dim)
        k = comp.linked.index(dim)
        return Expr.total(
            y
            for (slot, _, name, proj), y in self.y.items()
            if slot == m and name == comp.name and proj[k]
        )

    def indicator_in_singles(self, p: str, dim: str, value: bool) -> Expr:
        """Children of ``p``'s single-child reviews with ``dim`` equal to ``value``."""
        comp = self.plan.component_of(dim)
        k = comp.linked.index(dim)
        return Expr.total(
            s
            for (q, name, proj), s in self.single_proj.items()
            if q == p and name == comp.name and proj[k] == value
        )

    # ----------------------------------------------------------------- reviews

    def _review_types(self) -> None:
        self.types = {}
        for p, labels in self.plan.review_types.items():
            for label in labels:
                self.types[p, label] = self.ilp.var(f"type[{p},{label}]", 0, self.plan.n_reviews)
            total = Expr.total(self.types[p, label] for label in labels)
            if self.plan.review_exhaustive[p]:
                self.ilp.eq(total - self.r[p])
            else:
                self.ilp.add(total - self.r[p], hi=0)

    def _product(self, name: str, flag: Expr, amount: Expr, bound: int) -> Expr:
        """``flag * amount`` for a binary ``flag`` and ``0 <= amount <= bound``."""
        w = self.ilp.var(name, 0, bound)
        self.ilp.add(w - bound * flag, hi=0)
        self.ilp.add(w - amount, hi=0)
        self.ilp.add(w - amount - bound * flag, lo=-bound)
        return w

    def _themes(self) -> None:
        self.flag, self.h = {}, {}
        self.theme_reviews, self.theme_children, self.disagreement = {}, {}, Expr()
        for theme in self.plan.themes:
            for m in self.slots:
                self.flag[m, theme.theme] = self.ilp.var(f"f[{m},{theme.code}]", 0, 1)
            self._single_flags(theme)
            self._theme_link(theme)
            self.theme_reviews[theme.theme] = Expr.total(
                [*(h for (p, t, _), h in self.h.items() if t == theme.theme),
                 *(self.flag[m, theme.theme] for m in self.slots)]
            )  # fmt: skip
            self.theme_children[theme.theme] = self._theme_count(theme)

    def _single_flags(self, theme: ThemePlan) -> None:
        """Flagged single-child reviews, split by the child's indicator value if coupled."""
        for p in self.plan.partnerships:
            if theme.indicator is None:
                h = self.ilp.var(f"h[{p},{theme.code}]", 0)
                self.ilp.add(h - self.singles[p], hi=0)
                self.h[p, theme.theme, None] = h
                continue
            for value in (False, True):
                h = self.ilp.var(f"h[{p},{theme.code},{value}]", 0)
                self.ilp.add(h - self.indicator_in_singles(p, theme.indicator, value), hi=0)
                self.h[p, theme.theme, value] = h

    def _theme_link(self, theme: ThemePlan) -> None:
        """The reading's link between a review's flag and its children's indicator."""
        if theme.indicator is None:
            return
        ilp, big, t = self.ilp, self.plan.excess + 1, theme.theme
        link = theme.link
        for p in self.plan.partnerships:
            if link in ("iff", "review_implies_child", "all_children_have_indicator"):
                ilp.eq(self.h[p, t, False])
            if link in ("iff", "child_implies_review"):
                ilp.eq(self.h[p, t, True] - self.indicator_in_singles(p, theme.indicator, True))
            self.disagreement += self.h[p, t, False]
            self.disagreement += self.indicator_in_singles(p, theme.indicator, True)
            self.disagreement -= self.h[p, t, True]
        for m in self.slots:
            f, have = self.flag[m, t], self.indicator_in_slot(m, theme.indicator)
            if link in ("iff", "review_implies_child"):
                ilp.add(have - f, lo=0)
            if link in ("iff", "child_implies_review"):
                ilp.add(have - big * f, hi=0)
            if link == "all_children_have_indicator":
                ilp.add(have - self.size(m) - big * f, lo=-big)
            self.disagreement += self._excess_part(f"q1[{m},{theme.code}]", f - have)
            self.disagreement += self._excess_part(f"q2[{m},{theme.code}]", have - big * f)

    def _excess_part(self, name: str, expr: Expr) -> Expr:
        """A variable ``q >= max(0, expr)`` (equal to it when minimised)."""
        q = self.ilp.var(name, 0)
        self.ilp.add(q - expr, lo=0)
        return q

    def _theme_count(self, theme: ThemePlan) -> Expr:
        """Children counted by the theme line under the theme's reading."""
        t, big = theme.theme, self.plan.excess + 1
        if theme.count == "children_with_indicator":
            return Expr.total(
                self.children(p, ((theme.indicator, True),)) for p in self.plan.partnerships
            )
        if theme.count == "children_in_flagged_reviews":
            singles = [h for (p, name, _), h in self.h.items() if name == t]
            slots = [
                self._product(f"w[{m},{theme.code}]", self.flag[m, t], self.size(m), big)
                for m in self.slots
            ]
            return Expr.total(singles + slots)
        singles = [self.h[p, t, True] for p in self.plan.partnerships]
        slots = [
            self._product(
                f"wi[{m},{theme.code}]",
                self.flag[m, t],
                self.indicator_in_slot(m, theme.indicator),
                big,
            )
            for m in self.slots
        ]
        return Expr.total(singles + slots)

    # ----------------------------------------------------------------- figures

    def _figures(self) -> None:
        self.z, self.count, self.denominator, self.deviation = {}, {}, {}, {}
        for spec in self.plan.figures:
            count, denominator = self._count(spec)
            self.count[spec.figure_id], self.denominator[spec.figure_id] = count, denominator
            z = self.ilp.var(f"z[{spec.figure_id}]", 0, 1)
            self.z[spec.figure_id] = z
            if spec.unit == "percent":
                self._percent(spec, count, denominator, z)
            else:
                self._count_equal(spec, count, z)
            self.deviation[spec.figure_id] = self._deviation(spec, count, denominator)
        self._block_cuts()

    def _block_cuts(self) -> None:
        """Valid inequalities from denominator inference (they only speed the solver up).

        At most ``capacity(n)`` figures of a partnership's block can hold when the partnership
        has ``n`` children (:func:`tees_analysis.published.denominators.block_capacity`), so
        ``sum(z) <= sum_n capacity(n) * [n_p == n]``.
        """
        blocks, self.capacity, self._blocks = defaultdict(list), {}, {}
        self._splits, self._fit_cache = size_splits(self.plan), {}
        for spec in self.plan.figures:
            if spec.kind == "children" and not spec.population and len(spec.scope) == 1:
                blocks[spec.scope[0], spec.measure].append(spec)
        for (p, name), specs in blocks.items():
            rule = self.plan.rules.measures[name].block_for(p)
            block = BlockSpec(p, name, tuple(s.figure_id for s in specs),
                              tuple(s.value for s in specs), specs[0].unit, rule.kind,
                              rule.exhaustive)  # fmt: skip
            self._blocks[p, name] = block
            caps = [block_capacity(block, size) for size in range(self.plan.n_children + 1)]
            self.capacity[p, name] = (len(specs), caps)
            together = Expr.total(self.z[s.figure_id] for s in specs)
            capacity = Expr.total(cap * self.is_n[p, size] for size, cap in enumerate(caps))
            self.ilp.add(together - capacity, hi=0)

    def upper_bound(self, sizes: dict[str, int]) -> int:
        """Most figures that can hold when the partnerships have ``sizes`` children.

        Block figures count at most their block's capacity at that size; every other figure
        (reviews, themes, sub-groups) counts as if it held.
        """
        in_blocks = sum(total for total, _ in self.capacity.values())
        caps = sum(caps[sizes[p]] for (p, _), (_, caps) in self.capacity.items())
        return len(self.z) - in_blocks + caps

    def fix_sizes(self, sizes: dict[str, int]) -> dict[int, tuple[float, float]]:
        """Bounds fixing every partnership's number of children."""
        return {index_of(self.n[p]): (n, n) for p, n in sizes.items()}

    def _count(self, spec: FigureSpec) -> tuple[Expr, Expr]:
        plan = self.plan
        if spec.kind == "theme_reviews":
            return self.theme_reviews[spec.theme], Expr(const=plan.n_reviews)
        if spec.kind == "theme_children":
            return self.theme_children[spec.theme], Expr(const=plan.n_children)
        if spec.kind == "reviews":
            p = spec.scope[0]
            return self.types[p, spec.target[0][1]], self.r[p]
        count = Expr.total(self.children(p, spec.conditions) for p in spec.scope)
        denominator = Expr.total(self.children(p, spec.population) for p in spec.scope)
        return count, denominator

    def _upper(self, spec: FigureSpec) -> int:
        """An upper bound of the figure's denominator (and so of its count)."""
        if spec.kind in ("reviews", "theme_reviews"):
            return self.plan.n_reviews
        return self.plan.n_children

    def _percent(self, spec: FigureSpec, k: Expr, n: Expr, z: Expr) -> None:
        """``round_half_up(100 k / n) == P`` when ``z`` is 1: (2P-1)n <= 200k < (2P+1)n.

        The big-M constants are the tightest valid ones given ``0 <= k <= n <= upper``.
        """
        p, upper = spec.value, self._upper(spec)
        low, high = max(0, 2 * p - 1) * upper, (199 - 2 * p) * upper + 1
        self.ilp.add(200 * k - (2 * p - 1) * n - low * z, lo=-low)
        self.ilp.add(200 * k - (2 * p + 1) * n + high * z, hi=high - 1)
        if not spec.population and len(spec.scope) == 1 and spec.kind == "children":
            q = spec.scope[0]
            possible = [s for s in range(1, self.plan.n_children + 1) if half_up_counts(p, s)]
            self.ilp.add(z - Expr.total(self.is_n[q, s] for s in possible), hi=0)

    def _count_equal(self, spec: FigureSpec, k: Expr, z: Expr) -> None:
        """``k == v`` when ``z`` is 1 (tight big-M constants, ``0 <= k <= upper``)."""
        v, upper = spec.value, self._upper(spec)
        self.ilp.add(k - v - v * z, lo=-v)
        self.ilp.add(k - v + max(upper - v, 0) * z, hi=max(upper - v, 0))

    def _deviation(self, spec: FigureSpec, k: Expr, n: Expr) -> Expr:
        """``|100 k - P n|`` (percent) or ``|100 (k - v)|`` (count), in hundredths of a child."""
        gap = 100 * k - spec.value * n if spec.unit == "percent" else 100 * (k - spec.value)
        d = self.ilp.var(f"d[{spec.figure_id}]", 0, integer=False)
        self.ilp.add(d - gap, lo=0)
        self.ilp.add(d + gap, lo=0)
        return d

    # ----------------------------------------------------------------- solving

    def fix_figures(self, satisfied, relaxed=None) -> dict[int, tuple[float, float]]:
        """Bounds forcing the figures ``satisfied`` to hold and relaxing the others."""
        satisfied = set(satisfied)
        return {index_of(z): (1, 1) if fid in satisfied else (0, 0) for fid, z in self.z.items()}

    def compatible_splits(self, ids) -> list[dict[str, int]]:
        """Splits of the children among partnerships under which every block's figures in
        ``ids`` can hold together (arithmetic only; a necessary condition)."""
        wanted = set(ids)
        parts = []
        for (p, _), block in self._blocks.items():
            keep = tuple(i for i, fid in enumerate(block.figure_ids) if fid in wanted)
            if keep:
                parts.append((p, block, keep))
        return [
            sizes
            for sizes in self._splits
            if all(self._fits(block, keep, sizes[p]) for p, block, keep in parts)
        ]

    def _fits(self, block: BlockSpec, keep: tuple[int, ...], n: int) -> bool:
        key = (block.partnership, block.measure, keep, n)
        if key not in self._fit_cache:
            self._fit_cache[key] = bool(count_vectors(sub_block(block, keep), "half_up", n))
        return self._fit_cache[key]

    def hard(self, satisfied) -> dict[int, tuple[float, float]] | None:
        """Bounds making ``satisfied`` hard (others relaxed); the sizes too when they are
        the only split compatible with them. ``None`` if no split is compatible."""
        splits = self.compatible_splits(satisfied)
        if not splits:
            return None
        fix = self.fix_figures(satisfied)
        if len(splits) == 1:
            fix.update(self.fix_sizes(splits[0]))
        return fix

    def feasible(self, satisfied, extra=()) -> Solution | None:
        """A dataset meeting every figure in ``satisfied`` (the others relaxed), or ``None``."""
        fix = self.hard(satisfied)
        return None if fix is None else self.ilp.solve(None, fix=fix, extra=list(extra))

    def holds(self, solution: Solution, figure_id: str) -> bool:
        """Whether the dataset ``solution`` meets figure ``figure_id`` (whatever its ``z``)."""
        spec = self.plan.figure(figure_id)
        k = solution.count(self.count[figure_id])
        if spec.unit == "count":
            return k == spec.value
        n = solution.count(self.denominator[figure_id])
        return n > 0 and round_half_up(k, n) == spec.value

    def blocks(self) -> dict[tuple[str, str], BlockSpec]:
        """The partnership blocks of the figures (as in :mod:`.denominators` of ``published``)."""
        return self._blocks

    def satisfied_ids(self, solution: Solution) -> list[str]:
        return [fid for fid, z in self.z.items() if solution.value(z) > 0.5]
