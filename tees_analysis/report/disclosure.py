"""Publication tables of the main counts, with statistical disclosure control.

``tees-analysis export --suppress`` writes one long table (CSV and ``.xlsx``): for each
partnership (STSCP, HSSCP and Tees, the two together), measure and category, the count, the
denominator and the percent. Measures come from :mod:`tees_analysis.data.schema`: every category
field, each label of a multi-valued field, each yes/no factor, each learning theme (counted in
reviews and in the children of those reviews) and the derived age band (under 2).

Disclosure control follows the style of the DfE's children's social care statistics:

* **primary suppression**: counts from 1 to the threshold (default 5) are shown as ``c``;
  zeros are shown;
* **secondary suppression**: each measure is a table of categories x partnerships whose
  columns add up to the denominators (published) and whose rows add up to the Tees column.
  Wherever a row or column has exactly one unpublished cell, the smallest other published cell
  of that line is suppressed too (a non-zero one when there is one), until no line has exactly
  one; so no suppressed cell can be recovered by subtracting the others from the total. An
  exact check follows, because sums plus "no count is negative" can still pin a cell (a
  published row total of 0 says every suppressed cell of that row is 0): each suppressed
  small count must be able to take another value consistent with everything published
  (:func:`_free`); if one cannot, a further cell of its row or column is suppressed and the
  loop repeats;
* yes/no items (a factor, a theme, one label of a multi-valued field) are tables of two rows,
  the item and its complement; the complement row is not printed (it is the denominator minus
  the count) but it is protected like any cell, so "26 of 27" is suppressed as well as "1 of 27";
* percentages of suppressed counts are suppressed; a percent with a zero denominator is ``z``
  (not applicable). Percents are whole numbers, rounded half up.

Denominators (the numbers of reviews and children in each partnership) are not suppressed:
each review is published by its partnership, so they are public already.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..data import atomic
from ..data.schema import FIELDS, THEMES, field, theme_field

THRESHOLD = 5
SUPPRESSED = "c"
NOT_APPLICABLE = "z"
PARTNERSHIPS = ("STSCP", "HSSCP")
TOTAL = "Tees"
COLUMNS = ["partnership", "measure", "category", "counts", "count", "denominator", "percent"]
NAMES = {True: "publication_tables", False: "UNSUPPRESSED_counts"}

Cell = tuple[int, int]


# --------------------------------------------------------------------------- suppression core


def _lines(rows: int, columns: int) -> list[list[Cell]]:
    """The sums of a grid with a total column: every column (to its published total) and every
    row (its partnership cells to its total cell, the last column)."""
    by_column = [[(i, j) for i in range(rows)] for j in range(columns + 1)]
    by_row = [[(i, j) for j in range(columns + 1)] for i in range(rows)]
    return by_column + by_row


def _pick(cells: list[Cell], grid: list[list[int]]) -> Cell | None:
    """The cell to suppress next among ``cells``: the smallest non-zero, else the smallest."""
    if not cells:
        return None
    return min(cells, key=lambda c: (grid[c[0]][c[1]] == 0, grid[c[0]][c[1]], c))


def _free(grid: list[list[int]], hidden: set[Cell], cell: Cell) -> bool:
    """Whether the suppressed ``cell`` can take another value consistent with what is published.

    What is published fixes every column sum and every row's "partnerships minus total". Each
    suppressed cell links its row and its column; negating the total column turns the
    equations into those of a bipartite graph (rows and columns as nodes, suppressed cells as
    edges), whose solutions move along cycles, alternately up and down. A cell can change iff
    some cycle through it can move without taking a zero cell below zero (a zero partnership
    cell may only be crossed row -> column, a zero total cell only column -> row): a search
    for a path back, by conformal decomposition exact, and with whole-number moves.
    """
    total = len(grid[0]) - 1

    def directions(edge: Cell):
        i, j = edge
        row, column = ("row", i), ("column", j)
        if grid[i][j] > 0:
            return [(row, column), (column, row)]
        return [(column, row)] if j == total else [(row, column)]

    arcs: dict[tuple, list[tuple]] = {}
    for edge in hidden - {cell}:
        for start, end in directions(edge):
            arcs.setdefault(start, []).append(end)
    for start, end in directions(cell):
        seen, todo = {end}, [end]
        while todo:
            node = todo.pop()
            if node == start:
                return True
            for following in arcs.get(node, ()):
                if following not in seen:
                    seen.add(following)
                    todo.append(following)
    return False


def suppress(values, threshold: int = THRESHOLD) -> list[list[bool]]:
    """Which cells of a categories x partnerships table to suppress.

    ``values`` is the table without totals (one row per category, one column per
    partnership; the rows partition each column's population). The result has one more
    column, the row total (both partnerships together); ``True`` marks a suppressed cell.
    """
    key = tuple(tuple(int(v) for v in row) for row in values)
    return [list(row) for row in _suppress(key, int(threshold))]


@functools.lru_cache(maxsize=4096)
def _suppress(values: tuple[tuple[int, ...], ...], threshold: int) -> tuple[tuple[bool, ...], ...]:
    if threshold < 1:
        raise ValueError("the threshold must be at least 1")
    grid = [[int(v) for v in row] + [int(sum(row))] for row in values]
    rows, columns = len(grid), len(grid[0]) - 1
    cells = [(i, j) for i in range(rows) for j in range(columns + 1)]
    sensitive = {c for c in cells if 1 <= grid[c[0]][c[1]] <= threshold}
    hidden = set(sensitive)
    lines = _lines(rows, columns)
    while True:
        changed = False
        for line in lines:
            unknown = [c for c in line if c in hidden]
            if len(unknown) == 1:
                pick = _pick([c for c in line if c not in hidden], grid)
                if pick is None:  # a one-cell line: its value is its published total
                    raise ValueError("a table needs at least two categories")
                hidden.add(pick)
                changed = True
        if changed:
            continue
        pinned = [c for c in sorted(sensitive) if not _free(grid, hidden, c)]
        if not pinned:
            break
        cell = pinned[0]
        near = {c for line in lines if cell in line for c in line if c not in hidden}
        pick = _pick(sorted(near), grid) or _pick([c for c in cells if c not in hidden], grid)
        if pick is None:
            raise RuntimeError("cannot protect the table")  # everything is already suppressed
        hidden.add(pick)
    return tuple(tuple((i, j) in hidden for j in range(columns + 1)) for i in range(rows))


# --------------------------------------------------------------------------- the measures


@dataclass(frozen=True)
class Block:
    """One measure as a categories x partnerships table whose rows partition each column.

    ``shown`` says which rows are printed: the complement row of a yes/no item is not.
    """

    measure: str
    counts: str
    categories: tuple[str, ...]
    shown: tuple[bool, ...]
    values: tuple[tuple[int, ...], ...]
    denominators: tuple[int, ...]


def _by_partnership(frame: pd.DataFrame) -> list[pd.DataFrame]:
    partnership = frame["partnership"].astype("string")
    return [frame[partnership == p] for p in PARTNERSHIPS]


def _binary(measure, counts, label, parts, test) -> Block:
    yes = tuple(int(test(part).sum()) for part in parts)
    sizes = tuple(len(part) for part in parts)
    return Block(
        measure,
        counts,
        (label, f"not {label}"),
        (True, False),
        (yes, tuple(n - y for n, y in zip(sizes, yes, strict=True))),
        sizes,
    )


def _partition(measure, counts, labels, parts, column) -> Block:
    values = tuple(
        tuple(int((part[column].astype("string") == label).sum()) for part in parts)
        for label in labels
    )
    sizes = tuple(len(part) for part in parts)
    return Block(measure, counts, tuple(labels), (True,) * len(labels), values, sizes)


def blocks(reviews: pd.DataFrame, children: pd.DataFrame) -> list[Block]:
    """Every measure of the publication tables, from clean tables with derived fields."""
    review_parts, child_parts = _by_partnership(reviews), _by_partnership(children)
    out: list[Block] = []
    for f in FIELDS["reviews"]:
        if f.kind == "category" and f.name not in ("partnership", "provenance"):
            out.append(_partition(f.name, "reviews", f.labels, review_parts, f.name))
    flagged = {}
    for code, name in THEMES:
        column = theme_field(code)
        out.append(_binary("theme_reviews", "reviews", name, review_parts,
                           lambda p, c=column: p[c].fillna(False).astype(bool)))  # fmt: skip
        flagged[name] = set(reviews.loc[reviews[column].fillna(False).astype(bool), "review_id"])
    for name in flagged:
        ids = flagged[name]
        out.append(_binary("theme_children", "children", name, child_parts,
                           lambda p, ids=ids: p["review_id"].isin(ids)))  # fmt: skip
    under_2 = children["under_2"].astype("boolean")
    band = pd.Series("not recorded", index=children.index, dtype="string")
    band = band.mask(under_2.fillna(False), "under 2").mask(~under_2.fillna(True), "2 and over")
    aged = children.assign(_age=band)
    out.append(
        _partition(
            "age", "children", field("children", "age_band").labels, _by_partnership(aged), "_age"
        )
    )
    for f in FIELDS["children"]:
        if f.kind == "category" and f.name != "age_band":
            out.append(_partition(f.name, "children", f.labels, child_parts, f.name))
        elif f.kind == "multi_category":
            for label in f.labels:
                test = lambda p, c=f.name, lab=label: p[c].map(lambda v: lab in v)  # noqa: E731
                out.append(_binary(f.name, "children", label, child_parts, test))
        elif f.kind == "yes_no":
            out.append(_binary("factor", "children", f.label.lower(), child_parts,
                               lambda p, c=f.name: p[c].fillna(False).astype(bool)))  # fmt: skip
    return out


# --------------------------------------------------------------------------- the table


def percent(count: int, denominator: int) -> int | str:
    """Whole-number percent, rounded half up; ``z`` when the denominator is zero."""
    if denominator == 0:
        return NOT_APPLICABLE
    return (200 * count + denominator) // (2 * denominator)


def block_rows(block: Block, threshold: int | None = THRESHOLD) -> list[dict]:
    """The printed rows of one block; ``threshold`` ``None`` = no suppression."""
    width = len(PARTNERSHIPS)
    mask = (
        suppress(block.values, threshold)
        if threshold is not None
        else [[False] * (width + 1) for _ in block.values]
    )
    denominators = (*block.denominators, sum(block.denominators))
    rows = []
    for i, category in enumerate(block.categories):
        if not block.shown[i]:
            continue
        values = (*block.values[i], sum(block.values[i]))
        for j, partnership in enumerate((*PARTNERSHIPS, TOTAL)):
            hidden = mask[i][j]
            rows.append(
                {
                    "partnership": partnership,
                    "measure": block.measure,
                    "category": category,
                    "counts": block.counts,
                    "count": SUPPRESSED if hidden else values[j],
                    "denominator": denominators[j],
                    "percent": SUPPRESSED if hidden else percent(values[j], denominators[j]),
                }
            )
    return rows


def missing_years(reviews: pd.DataFrame, years) -> str | None:
    """Why ``years`` cannot be exported from ``reviews``: the years asked for that the data do
    not hold, and the years they hold; ``None`` when every year asked for is there.

    A year without reviews would give a table of zeros that looks like a result.
    """
    held = sorted({int(y) for y in reviews["year"].dropna()})
    missing = sorted({int(y) for y in years} - set(held))
    if not missing:
        return None
    return (
        f"no reviews of {_and_list(missing)} in the data, which hold "
        f"{'the years ' + _and_list(held) if held else 'no reviews'}; choose years among "
        "those, or leave out --year for every year"
    )


def _and_list(values) -> str:
    """``[2017, 2018, 2020]`` -> ``"2017, 2018 and 2020"``."""
    values = [str(v) for v in values]
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " and " + values[-1]


def publication_table(dataset, threshold: int | None = THRESHOLD, years=None) -> pd.DataFrame:
    """The long table of every measure; ``threshold`` ``None`` = unsuppressed counts.

    ``dataset`` is a :class:`~tees_analysis.data.pipeline.Dataset`; ``years`` keeps only the
    reviews of those years (and their children). Raises ``ValueError`` when the data hold no
    review of a year asked for (:func:`missing_years`).
    """
    reviews, children = dataset.reviews, dataset.children
    if years is not None:
        problem = missing_years(reviews, years)
        if problem:
            raise ValueError(problem)
        keep = set(years)
        reviews = reviews[reviews["year"].isin(keep)]
        children = children[children["review_id"].isin(set(reviews["review_id"]))]
    rows = [row for block in blocks(reviews, children) for row in block_rows(block, threshold)]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    for column in ("count", "percent"):
        frame[column] = frame[column].astype(object)
    return frame


def notes(threshold: int | None) -> list[str]:
    """The notes printed with the tables."""
    lines = [
        "Tees child safeguarding practice reviews: counts by partnership, measure and category.",
        "Tees = STSCP and HSSCP together. counts = what is counted (children or reviews); "
        "denominator = all children (or reviews) of the partnership; percent = count / "
        "denominator, a whole number rounded half up.",
        "A child may count in several categories of living_arrangements and csc_status, and "
        "factors and themes are counted one by one, so those categories do not add up to the "
        "denominator.",
    ]
    if threshold is None:
        lines.insert(0, "UNSUPPRESSED COUNTS: NOT FOR PUBLICATION OR SHARING.")
    else:
        lines += [
            f"{SUPPRESSED} = suppressed to protect confidentiality: counts from 1 to "
            f"{threshold}, and further cells from which such a count could be worked out "
            "(secondary suppression). Zeros are shown. Percentages of suppressed counts are "
            "suppressed.",
            "Denominators (numbers of reviews and children) are not suppressed: every review "
            "is published by its partnership.",
        ]
    lines.append(f"{NOT_APPLICABLE} = not applicable (no children or reviews).")
    return lines


def xlsx_bytes(frame: pd.DataFrame, threshold: int | None) -> bytes:
    """The table as a reproducible workbook: a 'notes' sheet and a 'tables' sheet."""
    import openpyxl
    from openpyxl.styles import Alignment, Font

    from ..data.template import xlsx_bytes as save

    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "notes"
    for r, line in enumerate(notes(threshold), start=1):
        sheet.cell(row=r, column=1, value=line).alignment = Alignment(wrap_text=True)
    sheet.column_dimensions["A"].width = 110
    table = wb.create_sheet("tables")
    table.append(COLUMNS)
    for cell in table[1]:
        cell.font = Font(bold=True)
    for record in frame.itertuples(index=False):
        table.append(list(record))
    for letter, width in zip("ABCDEFG", (12, 22, 42, 10, 8, 12, 8), strict=True):
        table.column_dimensions[letter].width = width
    table.freeze_panes = "A2"
    return save(wb)


def write_export(frame: pd.DataFrame, out_dir: Path | str, threshold: int | None) -> list[Path]:
    """Write the table as CSV and ``.xlsx`` to ``out_dir`` atomically."""
    out_dir = Path(out_dir)
    name = NAMES[threshold is not None]
    files = {
        out_dir / f"{name}.csv": frame.to_csv(index=False, lineterminator="\n").encode("utf-8"),
        out_dir / f"{name}.xlsx": xlsx_bytes(frame, threshold),
    }
    return atomic.write_files(files)
