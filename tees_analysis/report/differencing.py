"""One suppression pattern for every table that one dataset gives, whatever years are asked for.

Each table that ``export --suppress`` writes is protected on its own
(:mod:`tees_analysis.report.suppression`), but tables of overlapping years could be set side by
side: all years minus 2017-2020 is 2021. So the pattern is decided once, from the whole dataset,
on its finest grain -- year x partnership x category -- and every table follows it:

1. **single years**: each year's table is suppressed on its own, as any table;
2. **all years**: its small counts are suppressed, and every count that would give away the one
   hidden count of a year (when a single year hides it) or what the years hiding it hold
   together when that is from 1 to the threshold (a range of those years would print it); then
   further counts until an exact check finds every hidden small count **protected** -- of one
   year, of all years and of every range of consecutive years -- taken together with every
   single-year table;
3. **a range of consecutive years** (2020-2022, say) shows a count only when it follows from
   the tables of steps 1 and 2: when no year of the range hides it (it is the sum of shown
   single-year counts), or when the range holds every year that hides it and the all-years
   count is shown (all years minus the shown counts of the years left out). Every other count
   of the range is suppressed.

So all the tables one dataset gives, taken together, tell no more than the single-year and
all-years tables, and the check covers every count that any of them hides. A count is
protected when some dataset consistent with everything published gives it 0, or some gives it
more than the threshold: a reader cannot tell it from no child, nor from a count that would
have been shown. The pattern depends on the data alone, not on which table is asked for first.

**Earlier releases.** The tool keeps no record of what was exported before. Tables made from
an earlier version of the dataset -- before a year was added -- are not among the tables of
this one, and the all-years counts of then and of now differ by the years added since. When
such tables were published, name the last year of each earlier version (``earlier``, the
option ``--previous-release`` of ``export``): the all-years table of that version, as this rule
made it from the same data, is then counted as published, and the new all-years table is
suppressed further until nothing hidden can be worked out beside it. Tables published by
other means (the report itself, or an older version of this tool) are outside the check.

The exact check is an integer program per measure (scipy's ``milp``): the unknowns are the
counts of every year, category and partnership, whole numbers from 0 to the year's
denominator, with every published count and every year's denominators as constraints. Most
counts are settled without one: by moves inside single years (each year's table is a network,
:func:`~tees_analysis.report.suppression.room`), or by datasets found earlier. The measures
are independent, so the programs of all measures asked at one step are solved as one.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from .suppression import lines, pick, room, suppress

Mask = tuple[tuple[bool, ...], ...]
Values = tuple[tuple[int, ...], ...]
_CACHE: dict = {}


@dataclass(frozen=True)
class Pattern:
    """Which cells of one measure are suppressed, for every range of years of a dataset.

    ``years`` are the years the dataset holds; ``by_year`` the mask of each year's table and
    ``all_years`` that of the table of every year. A mask has one row per category and one
    column per partnership, then the total column; ``True`` marks a suppressed cell.
    """

    years: tuple[int, ...]
    by_year: tuple[Mask, ...]
    all_years: Mask

    def mask(self, years) -> list[list[bool]]:
        """The mask of the table of ``years``: consecutive years among :attr:`years`."""
        inside = [k for k, y in enumerate(self.years) if y in set(years)]
        if len(inside) != len(set(years)):
            raise ValueError(
                f"the years {sorted(set(years) - set(self.years))} are not in the data"
            )
        if inside != list(range(inside[0], inside[-1] + 1)):
            raise ValueError(not_consecutive(self.years, years))
        if len(inside) == 1:
            return [list(row) for row in self.by_year[inside[0]]]
        out = []
        for i, row in enumerate(self.all_years):
            out.append([])
            for j, all_hidden in enumerate(row):
                hiding = {k for k, mask in enumerate(self.by_year) if mask[i][j]}
                none_inside = not hiding & set(inside)
                every_one = hiding <= set(inside) and not all_hidden
                out[-1].append(not (none_inside or every_one))
        return out


def not_consecutive(held, years) -> str | None:
    """Why the table of ``years`` cannot be published beside the others: the years asked for
    are not consecutive among the years the data ``held``; ``None`` when they are."""
    held = sorted(int(y) for y in held)
    inside = [k for k, y in enumerate(held) if y in {int(y) for y in years}]
    if not inside or inside == list(range(inside[0], inside[-1] + 1)):
        return None
    skipped = [str(held[k]) for k in range(inside[0], inside[-1]) if k not in inside]
    return (
        f"with --suppress, the years asked for must follow one another, a single year or one "
        f"range such as {held[inside[0]]}-{held[inside[-1]]} (the data hold "
        f"{', '.join(skipped)} between them): tables of scattered years could be set beside "
        "the others to give a suppressed count away"
    )


def patterns(years, measures, threshold: int, earlier=()) -> list[Pattern]:
    """The pattern of each measure. ``measures`` holds, for each measure, its table in each of
    ``years`` (in that order: categories x partnerships, without totals); ``earlier`` the last
    years of earlier versions of the dataset whose tables were published."""
    years = tuple(int(y) for y in years)
    lengths = tuple(sorted({k + 1 for k, y in enumerate(years) if y in set(earlier)} - {1}))
    keys = []
    for year_values in measures:
        key = tuple(tuple(tuple(int(v) for v in row) for row in values) for values in year_values)
        if len(key) != len(years) or not years:
            raise ValueError("one table per year, and at least one year")
        keys.append(key)
    if int(threshold) < 1:
        raise ValueError("the threshold must be at least 1")
    wanted = {(key, int(threshold), tuple(m for m in lengths if m < len(key))) for key in keys}
    _run(wanted)
    out = []
    for key in keys:
        by_year = tuple(tuple(tuple(row) for row in suppress(v, threshold)) for v in key)
        earlier_here = tuple(m for m in lengths if m < len(key))
        out.append(Pattern(years, by_year, _CACHE[(key, int(threshold), earlier_here)]))
    return out


def _run(wanted) -> None:
    """Compute the all-years masks of ``wanted`` (keys of :data:`_CACHE`) not known yet,
    all measures together: each step's integer programs, one per measure, are stacked into
    one program, whose optimum is every measure's optimum (they share no unknown)."""
    if len(_CACHE) > 100_000:  # a long session with many datasets
        _CACHE.clear()
    running = {}
    for key in sorted(wanted - _CACHE.keys()):
        running[key] = _all_years(*key)
    requests = {}
    for key, steps in list(running.items()):
        _advance(key, steps, None, running, requests)
    while requests:
        keys = list(requests)
        solutions = _solve([requests[key] for key in keys])
        requests = {}
        for key, x in zip(keys, solutions, strict=True):
            _advance(key, running[key], x, running, requests)


def _advance(key, steps, x, running, requests) -> None:
    try:
        requests[key] = steps.send(x)
    except StopIteration as done:
        _CACHE[key] = done.value
        del running[key]


def _solve(programs) -> list[np.ndarray]:
    """Optimal whole-number solutions of ``programs`` (each: matrix, values, lower, upper,
    objective; minimise objective x subject to matrix x = values and the bounds), as one."""
    matrix = sparse.block_diag([p[0] for p in programs], format="csr")
    values = np.concatenate([p[1] for p in programs])
    lower = np.concatenate([p[2] for p in programs])
    upper = np.concatenate([p[3] for p in programs])
    objective = np.concatenate([p[4] for p in programs])
    result = milp(
        objective,
        constraints=LinearConstraint(matrix, values, values),
        integrality=np.ones(len(objective)),
        bounds=Bounds(lower, upper),
        options={"disp": False, "mip_rel_gap": 0},
    )
    if result.status != 0:  # the data themselves are a solution of each
        raise RuntimeError(f"the integer program was not solved: {result.message}")
    x = np.round(result.x)
    cuts = np.cumsum([0] + [len(p[4]) for p in programs])
    return [x[a:b] for a, b in itertools.pairwise(cuts)]


def _all_years(year_values: tuple[Values, ...], threshold: int, earlier: tuple[int, ...]):
    """The all-years mask of one measure, as a generator: it yields integer programs (see
    :func:`_solve`) and is sent their solutions. ``earlier`` are the numbers of first years
    of the earlier versions whose tables count as published."""
    grids = [[[*row, sum(row)] for row in values] for values in year_values]
    masks = [suppress(values, threshold) for values in year_values]
    if len(grids) == 1:
        return tuple(tuple(row) for row in masks[0])
    before = {}
    for m in earlier:  # the earlier versions' own all-years tables, by the same rule
        key = (year_values[:m], threshold, tuple(e for e in earlier if e < m))
        if key not in _CACHE:
            _CACHE[key] = yield from _all_years(*key)
        before[m] = _CACHE[key]
    rows, width = len(grids[0]), len(grids[0][0])
    total = [[sum(g[i][j] for g in grids) for j in range(width)] for i in range(rows)]
    hiding = {(i, j): [k for k, mask in enumerate(masks) if mask[i][j]]
              for i in range(rows) for j in range(width)}  # fmt: skip
    # a cell no year hides is the sum of shown counts: hiding it would protect nothing
    informative = {c for c, ks in hiding.items() if ks}
    columns = [[sum(row[j] for row in g) for j in range(width)] for g in grids]

    def gives_away(c) -> bool:
        """Whether showing ``c`` tells what the years that hide it hold together, when that
        gives a count away: the one hidden count of a year, or a sum from 1 to the threshold
        (all years minus the shown counts; a range holding those years would print it). Beside
        nothing, or beside an earlier version's all-years count (the years added since)."""
        for m in (0, *earlier):
            known = m == 0 or not before[m][c[0]][c[1]] or not any(h < m for h in hiding[c])
            later = [h for h in hiding[c] if h >= m]
            together = sum(grids[h][c[0]][c[1]] for h in later)
            if known and (len(later) == 1 or 1 <= together <= threshold):
                return True
        return False

    def crowded(c) -> bool:
        """Whether the hidden counts of ``c`` add up to more than all but one hiding year can
        hold, so that year's small count cannot be 0 (a quick case of the exact check)."""
        i, j = c
        hidden_sum = sum(grids[k][i][j] for k in hiding[c])
        space = sum(columns[k][j] for k in hiding[c])
        return any(
            1 <= grids[k][i][j] <= threshold
            and columns[k][j] <= threshold
            and hidden_sum > space - columns[k][j]
            for k in hiding[c]
        )

    def value(c):
        return total[c[0]][c[1]]

    hidden = {c for c in informative
              if 1 <= value(c) <= threshold or gives_away(c) or crowded(c)}  # fmt: skip
    table_lines = lines(rows, width - 1)
    check = Check(grids, masks, threshold, before)

    def candidates(line):
        return [c for c in line if c in informative and c not in hidden]

    while True:
        changed = False
        for line in table_lines:
            if sum(c in hidden for c in line) == 1:
                # each year's lines hide none or at least two cells, so a line with one
                # informative cell has another
                chosen = pick(candidates(line), value)
                if chosen is None:
                    raise RuntimeError("a line of the all-years table has one unknown count")
                hidden.add(chosen)
                changed = True
        if changed:
            continue
        if informative <= hidden:  # the single years alone: each is protected on its own
            break
        found = yield from check.exposed(hidden)
        if found is None:
            break
        i, j = found[2:]
        if (i, j) in informative and (i, j) not in hidden:
            chosen = (i, j)
        else:
            near = {c for line in table_lines if (i, j) in line for c in candidates(line)}
            chosen = pick(sorted(near), value) or pick(sorted(informative - hidden), value)
        hidden.add(chosen)
    return tuple(tuple((i, j) in hidden for j in range(width)) for i in range(rows))


class Check:
    """The exact check of one measure: the single-year tables (``masks`` over ``grids``, each
    grid with its total column), the all-years tables of earlier versions (``before``: first
    years -> mask) and an all-years table, taken together.

    The unknowns are the counts of every year, category and partnership: whole numbers from 0
    to the year's denominator, fixed where a year's table shows them, adding up to each year's
    denominators and to every shown total. Solutions found are kept: suppressing more in the
    all-years table only drops constraints, so they stay solutions.
    """

    def __init__(self, grids, masks, threshold: int, before: dict):
        self.grids, self.masks, self.threshold = grids, masks, threshold
        years, rows, width = len(grids), len(grids[0]), len(grids[0][0])
        self.years, self.rows, self.parts = years, rows, width - 1
        self.index = {(k, i, p): (k * rows + i) * self.parts + p for k in range(years)
                      for i in range(rows) for p in range(self.parts)}  # fmt: skip
        n = len(self.index)
        self.lower, self.upper = np.zeros(n), np.zeros(n)
        for (k, i, p), at in self.index.items():
            column = sum(grids[k][r][p] for r in range(rows))
            fixed = grids[k][i][p]
            self.lower[at], self.upper[at] = (0, column) if masks[k][i][p] else (fixed, fixed)
        self._spans: dict = {}
        self.equations, self.values = [], []
        for k in range(years):
            for p in range(self.parts):
                self.equations.append(self.vector([(k, i, p) for i in range(rows)]))
                self.values.append(sum(grids[k][i][p] for i in range(rows)))
            for i in range(rows):
                if not masks[k][i][self.parts]:
                    self.equations.append(self.vector(self.members(k, i, self.parts)))
                    self.values.append(grids[k][i][self.parts])
        # earlier versions' all-years counts: the first m years of cell (i, j)
        self.earlier: dict[tuple[int, int], list[int]] = {}
        for m, mask in before.items():
            for i in range(rows):
                for j in range(width):
                    if not mask[i][j] and any(masks[k][i][j] for k in range(m)):
                        self.equations.append(self.span(0, m - 1, i, j))
                        self.values.append(sum(grids[k][i][j] for k in range(m)))
                        self.earlier.setdefault((i, j), []).append(m)
        self.witnesses = np.zeros((0, n))  # datasets consistent with what is published
        self.safe: set = set()
        self.last = None  # the count found exposed last

    def vector(self, cells) -> np.ndarray:
        out = np.zeros(len(self.index))
        for cell in cells:
            out[self.index[cell]] += 1
        return out

    def members(self, k: int, i: int, j: int) -> list:
        return [(k, i, p) for p in (range(self.parts) if j == self.parts else (j,))]

    def span(self, a: int, b: int, i: int, j: int) -> np.ndarray:
        """The count of cell ``(i, j)`` over the years ``a`` to ``b`` (indices, inclusive);
        kept, since the check asks for the same ones at every step (do not change it)."""
        key = (a, b, i, j)
        if key not in self._spans:
            cells = [m for k in range(a, b + 1) for m in self.members(k, i, j)]
            self._spans[key] = self.vector(cells)
        return self._spans[key]

    def targets(self, hidden) -> list:
        """Every hidden small count of every range of years (single years and all years
        included), given the all-years cells ``hidden``: ``((a, b, i, j), vector)``."""
        out = []
        for i in range(self.rows):
            for j in range(self.parts + 1):
                counts = np.cumsum([0] + [g[i][j] for g in self.grids])
                hides = np.cumsum([0] + [int(m[i][j]) for m in self.masks])
                for a in range(self.years):
                    for b in range(a, self.years):
                        value = counts[b + 1] - counts[a]
                        inside = hides[b + 1] - hides[a]  # years of the range that hide it
                        shown = not inside or (
                            a < b and inside == hides[-1] and (i, j) not in hidden
                        )
                        if not shown and 1 <= value <= self.threshold:
                            out.append(((a, b, i, j), self.span(a, b, i, j)))
        return out

    def _rooms(self, i: int, j: int, hidden):
        """How far each year's count of cell ``(i, j)`` can fall and rise by changes inside
        that year that touch only the cell itself and cells whose counts are published for no
        set of years holding that year (:func:`~tees_analysis.report.suppression.room`)."""
        need = self.threshold + 1
        down, up = [0] * self.years, [0] * self.years
        for k in range(self.years):
            if self.masks[k][i][j]:
                free = {(i, j)} | {
                    (r, c)
                    for (r, c) in hidden
                    if self.masks[k][r][c] and all(m <= k for m in self.earlier.get((r, c), ()))
                }
                down[k], up[k] = room(self.grids[k], free, (i, j), self.grids[k][i][j], need)
        return down, up

    def _moves(self, where, hidden, rooms) -> bool:
        """A quick sufficient test: whether the count ``where`` is protected by the changes of
        :meth:`_rooms` (``rooms`` caches them by cell), each year on its own. When the
        all-years count of the cell is shown, what the years asked for lose the other years
        must gain, and the other way round. No integer program is needed."""
        a, b, i, j = where
        if (i, j) in self.earlier:
            return False  # an earlier version shows it: left to the integer program
        if (i, j) not in rooms:
            rooms[(i, j)] = self._rooms(i, j, hidden)
        down, up = rooms[(i, j)]
        inside = range(a, b + 1)
        outside = [k for k in range(self.years) if k < a or k > b]
        total = sum(self.grids[k][i][j] for k in inside)
        fall = min(total, sum(down[k] for k in inside))
        rise = min(self.threshold + 1, sum(up[k] for k in inside))
        if (i, j) not in hidden:  # the all-years count is shown: the sum over years is kept
            fall = min(fall, sum(up[k] for k in outside))
            rise = min(rise, sum(down[k] for k in outside))
        return fall == total or total + rise > self.threshold

    def _settled(self, vectors: np.ndarray) -> np.ndarray:
        """Which counts (rows of ``vectors``) some witness gives 0 or more than the threshold."""
        if not len(self.witnesses) or not len(vectors):
            return np.zeros(len(vectors), bool)
        values = vectors @ self.witnesses.T
        return np.any((values == 0) | (values > self.threshold), axis=1)

    def exposed(self, hidden):
        """The first hidden small count left unprotected when the all-years table hides the
        cells ``hidden``: ``(a, b, i, j)`` for cell ``(i, j)`` over the years ``a`` to ``b``
        (indices); ``None`` when every one is protected. A generator: it yields the integer
        programs it needs (:func:`_solve`) and is sent their solutions."""
        equations, values = list(self.equations), list(self.values)
        for i in range(self.rows):
            for j in range(self.parts + 1):
                if (i, j) not in hidden and any(m[i][j] for m in self.masks):
                    equations.append(self.span(0, self.years - 1, i, j))
                    values.append(sum(g[i][j] for g in self.grids))
        rooms: dict = {}
        targets = []
        for where, c in self.targets(hidden):
            if where in self.safe:
                continue
            if self._moves(where, hidden, rooms):
                self.safe.add(where)  # hiding more only leaves more room
            else:
                targets.append((where, c))
        if not targets:
            return None
        matrix = sparse.csr_matrix(np.array(equations))
        program = (matrix, np.array(values, float), self.lower, self.upper)
        vectors = np.array([c for _, c in targets])
        # A count that can never exceed the threshold (its denominators are small) is
        # protected only by a solution where it is 0: no need to look for large ones.
        can_grow = vectors @ self.upper > self.threshold
        settled = self._settled(vectors)

        def witness(x) -> None:
            """Keep the solution ``x``: it stays one as more is hidden."""
            self.witnesses = np.vstack([self.witnesses, x])
            found = vectors @ x
            settled[:] |= (found == 0) | (found > self.threshold)

        def alone(t):
            """Whether target ``t`` is protected, with programs of its own if the witnesses do
            not say so already."""
            c = vectors[t]
            for objective in (None, c, -c):
                if objective is not None and (objective is c or can_grow[t]):
                    witness((yield (*program, objective)))
                if settled[t]:
                    self.safe.add(targets[t][0])
                    return True
            return False

        # the count exposed last time first: it is often exposed still
        for t, (where, _) in enumerate(targets):
            if where == self.last and not (yield from alone(t)):
                return where
        # push every open count down together (then up), while that settles some
        for sign in (1, -1):
            while True:
                open_ = ~settled if sign > 0 else ~settled & can_grow
                if open_.sum() < 2:
                    break
                witness((yield (*program, sign * vectors[open_].sum(axis=0))))
                if not settled[open_].any():
                    break
        for t, (where, _) in enumerate(targets):
            if not (yield from alone(t)):
                self.last = where
                return where
        return None
