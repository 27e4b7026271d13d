"""An exact integer-programming attacker on a set of publication tables from one dataset.

Given the tables that ``tees-analysis export --suppress`` writes for several sets of years
(all years, every single year, some ranges), the attacker looks for every count that a table
shows as ``c`` although its true value is from 1 to the threshold. It knows only what is
published -- the shown counts and the denominators of every table -- and the public layout of the
tables (which categories of a measure add up to the denominator; the complement of a yes/no item
is the denominator minus the count). For one such count it computes, by integer programming
(scipy's ``milp``), the least and the greatest value the count takes over every dataset of
non-negative whole numbers at the finest grain -- year x partnership x category -- that agrees
with every published number.

A count is

* **pinned** when its least and greatest values are equal: the attacker knows it;
* **narrowed** when its interval holds neither 0 nor any value above the threshold: the attacker
  cannot tell its exact value, but knows that it is a small count of at least one child -- what
  suppression is meant to hide. (Pinned counts are narrowed too.)

Protection, as documented in :mod:`tees_analysis.report.disclosure`, is that no count is
narrowed. The attacker shares no code with the suppression: it reads the published frames.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from tees_analysis.report import disclosure

PARTS = {"STSCP": (0,), "HSSCP": (1,), "Tees": (0, 1)}


@dataclass(frozen=True)
class Finding:
    """A suppressed small count and what the attacker can say about it."""

    years: tuple[int, ...]
    partnership: str
    measure: str
    category: str
    true: int
    low: int
    high: int
    threshold: int

    @property
    def pinned(self) -> bool:
        return self.low == self.high

    @property
    def narrowed(self) -> bool:
        return self.low >= 1 and self.high <= self.threshold

    def __str__(self) -> str:
        span = "-".join(map(str, sorted({self.years[0], self.years[-1]})))
        return (
            f"{span} {self.partnership} {self.measure} / {self.category}: "
            f"{self.true} in [{self.low}, {self.high}]"
        )


def subset(dataset, years):
    """The reviews of ``years`` and their children (the data of one table)."""
    reviews = dataset.reviews[dataset.reviews["year"].isin(set(years))]
    children = dataset.children[dataset.children["review_id"].isin(set(reviews["review_id"]))]
    return reviews, children


def held_years(dataset) -> list[int]:
    return sorted({int(y) for y in dataset.reviews["year"]})


def publish(dataset, year_sets, threshold: int = 5, table=None, earlier=()) -> dict:
    """The published frame of every set of years in ``year_sets``, as the tool makes them
    (``export --suppress [--year ...] [--previous-release ...]``: every year when a set holds
    every year the data hold); ``table(dataset, threshold, years)`` makes them another way."""
    keys = [tuple(sorted(s)) for s in year_sets]
    if table is not None:
        return {key: table(dataset, threshold, list(key)) for key in keys}
    every = tuple(held_years(dataset))
    asked = [None if key == every else list(key) for key in keys]
    frames = disclosure.publication_tables(dataset, threshold, asked, earlier)
    return dict(zip(keys, frames, strict=True))


def family(dataset, ranges=()) -> list[tuple[int, ...]]:
    """All years, every single year, and the ``ranges`` (pairs first, last) given."""
    years = held_years(dataset)
    sets = [tuple(years)] + [(y,) for y in years]
    sets += [tuple(y for y in years if a <= y <= b) for a, b in ranges]
    return list(dict.fromkeys(s for s in sets if s))


def _truths(dataset, keys) -> dict:
    """True values of every cell of the table of each of ``keys`` (tuples of years),
    complement rows included: key -> (measure, category) -> 3 counts. Counted year by year."""
    per_year = {}
    for year in {y for key in keys for y in key}:
        for block in disclosure.blocks(*subset(dataset, [year])):
            for category, row in zip(block.categories, block.values, strict=True):
                per_year[(year, block.measure, category)] = row
    out = {}
    for key in keys:
        out[key] = {}
        for year, measure, category in per_year:
            if year == key[0]:
                rows = [per_year[(y, measure, category)] for y in key]
                counts = [sum(row[p] for row in rows) for p in (0, 1)]
                out[key][(measure, category)] = (*counts, sum(counts))
    return out


class _Block:
    """The attacker's integer program for one measure: x[y, i, p] >= 0 for every year y,
    category i (complements included) and partnership p."""

    def __init__(self, layout, years, denominators):
        self.layout, self.years = layout, list(years)
        self.index = {}
        upper = []
        for y in self.years:
            for i in range(len(layout.categories)):
                for p in (0, 1):
                    self.index[(y, i, p)] = len(upper)
                    upper.append(denominators[y][p])
        self.upper = np.array(upper, float)
        self.rows, self.values = [], []
        for y in self.years:  # every year's categories add up to its denominator
            for p in (0, 1):
                cells = [(y, i, p) for i in range(len(layout.categories))]
                self.equal(cells, denominators[y][p])

    def cells(self, years, i, partnership):
        return [(y, i, p) for y in years for p in PARTS[partnership]]

    def equal(self, cells, value):
        row = np.zeros(len(self.upper))
        for cell in cells:
            row[self.index[cell]] += 1
        self.rows.append(row)
        self.values.append(value)

    def vector(self, cells) -> np.ndarray:
        out = np.zeros(len(self.upper))
        for cell in cells:
            out[self.index[cell]] += 1
        return out

    def program(self, objective):
        """The integer program minimising ``objective`` over the consistent datasets."""
        values = np.array(self.values, float)
        return np.array(self.rows), values, np.zeros(len(self.upper)), self.upper, objective


def _optima(programs) -> list[np.ndarray]:
    """Optimal solutions of independent ``programs`` (matrix, values, lower, upper, objective),
    solved as one program: they share no unknown, so its optimum is each one's."""
    result = milp(
        np.concatenate([p[4] for p in programs]),
        constraints=LinearConstraint(
            sparse.block_diag([p[0] for p in programs], format="csr"),
            np.concatenate([p[1] for p in programs]),
            np.concatenate([p[1] for p in programs]),
        ),
        integrality=np.ones(sum(len(p[4]) for p in programs)),
        bounds=Bounds(
            np.concatenate([p[2] for p in programs]), np.concatenate([p[3] for p in programs])
        ),
        options={"disp": False, "mip_rel_gap": 0},
    )
    assert result.status == 0, result.message  # the true dataset is always consistent
    x = np.round(result.x)
    cuts = np.cumsum([0] + [len(p[4]) for p in programs])
    return [x[a:b] for a, b in itertools.pairwise(cuts)]


def attack(dataset, published, threshold: int = 5, measures=None) -> list[Finding]:
    """Every count that a table of ``published`` shows as ``c`` although it is from 1 to
    ``threshold``, with its exact least and greatest values given everything published.

    ``published`` maps a tuple of years to the frame ``export`` writes for those years (or is
    a list of such pairs: the same years may be published twice, from two versions of a
    dataset); ``measures`` (names) limits the search to those measures. The measures are
    independent: their integer programs are solved together, one from each at a time.
    """
    years = held_years(dataset)
    layouts = disclosure.blocks(*subset(dataset, years[:1]))  # the public layout of the tables
    where = {}
    for b, layout in enumerate(layouts):
        for i, (category, shown) in enumerate(zip(layout.categories, layout.shown, strict=True)):
            if shown:
                where[(layout.measure, category)] = (b, i)
    published = list(published.items()) if isinstance(published, dict) else list(published)
    counts: dict[str, list] = {}  # measure -> (years, category, partnership, count) shown
    denominators = {}  # (year, measure, category, partnership) -> denominator
    columns = ["measure", "category", "partnership", "count", "denominator"]
    for key, frame in published:
        for measure, category, partnership, count, denominator in frame[columns].to_numpy():
            if count != disclosure.SUPPRESSED:
                counts.setdefault(measure, []).append((key, category, partnership, int(count)))
            if len(key) == 1:
                denominators[(key[0], measure, category, partnership)] = int(denominator)
    missing = [y for y in years if (y, *next(iter(where)), "STSCP") not in denominators]
    assert not missing, f"the attacker needs every single-year table (missing {missing})"
    truth = _truths(dataset, {key for key, _ in published})
    searches = []
    for b, layout in enumerate(layouts):
        if measures is not None and layout.measure not in measures:
            continue
        first = (layout.measure, layout.categories[0])
        per_year = {y: tuple(denominators[(y, *first, p)] for p in ("STSCP", "HSSCP"))
                    for y in years}  # fmt: skip
        program = _Block(layout, years, per_year)
        for key, category, partnership, count in counts.get(layout.measure, ()):
            b_row, i = where[(layout.measure, category)]
            if b_row == b:
                program.equal(program.cells(key, i, partnership), count)
        targets = []
        for key, _ in published:
            for i, category in enumerate(layout.categories):
                true = truth[key][(layout.measure, category)]
                for j, partnership in enumerate(("STSCP", "HSSCP", "Tees")):
                    if 1 <= true[j] <= threshold:
                        targets.append((key, i, partnership, category, true[j]))
        searches.append(_search(program, targets, layout.measure, threshold))
    findings, asked = [], {}
    for search in searches:
        _step(search, None, asked, findings)
    while asked:
        pending = list(asked.items())
        asked = {}
        solutions = _optima([program for _, program in pending])
        for (search, _), x in zip(pending, solutions, strict=True):
            _step(search, x, asked, findings)
    return findings


def _step(search, x, asked, findings) -> None:
    try:
        asked[search] = search.send(x)
    except StopIteration as done:
        findings += done.value


def _search(program: _Block, targets, measure: str, threshold: int):
    """The targets of one measure that are narrowed, with their exact least and greatest values.
    A generator: it yields the integer programs it needs and is sent their solutions.

    Every dataset found on the way is kept as a witness: a target that some witness gives 0 or a
    value above the threshold is protected, and needs no program of its own. Minimising the sum
    of the open targets first settles most of them with a few programs.
    """
    vectors = [program.vector(program.cells(key, i, p)) for key, i, p, _, _ in targets]
    witnesses: list[np.ndarray] = []

    def settled(c):
        return any(w @ c == 0 or w @ c > threshold for w in witnesses)

    # push the open targets down together, then those that could be large up together
    can_grow = [c @ program.upper > threshold for c in vectors]
    for sign in (1, -1):
        while True:
            open_ = [c for c, g in zip(vectors, can_grow, strict=True)
                     if not settled(c) and (sign > 0 or g)]  # fmt: skip
            if not open_:
                break
            witnesses.append((yield program.program(sign * sum(open_))))
            if all(not settled(c) for c in open_):
                break
    findings = []
    for (key, _, partnership, category, true), c in zip(targets, vectors, strict=True):
        if settled(c):
            continue
        witnesses.append((yield program.program(c)))
        low = int(witnesses[-1] @ c)
        if low == 0:
            continue  # protected: it may be 0
        witnesses.append((yield program.program(-c)))
        high = int(witnesses[-1] @ c)
        finding = Finding(key, partnership, measure, category, true, low, high, threshold)
        if finding.narrowed:
            findings.append(finding)
    return findings
