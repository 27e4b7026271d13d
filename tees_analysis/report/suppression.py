"""Primary and secondary suppression of one table of categories x partnerships.

A table has one row per category and one column per partnership; its rows partition each
column's population, so the columns add up to the denominators (published), and a last column,
the row total (both partnerships together), is printed beside them. :func:`suppress` says which
cells to show as ``c``:

* **primary suppression**: counts from 1 to the threshold (default 5); zeros are shown;
* **secondary suppression**: wherever a row or column has exactly one unpublished cell, the
  smallest other published cell of that line is suppressed too (a non-zero one when there is
  one), until no line has exactly one; so no suppressed cell can be recovered by subtracting
  the others from the total;
* an **exact check** follows, because sums plus "no count is negative" can still give a cell
  away (a published row total of 0 says every suppressed cell of that row is 0): every
  suppressed count from 1 to the threshold must be **protected** -- some table of whole
  numbers consistent with everything published gives it the value 0, or some gives it a value
  above the threshold (:func:`protected`), so a reader cannot tell it from zero or from a
  count that would have been shown. If one is not, a further cell of its row or column is
  suppressed and the loop repeats.

Tables of several years are suppressed together with the tables of each year by
:mod:`tees_analysis.report.differencing`, with the same protection.
"""

from __future__ import annotations

import functools
from collections import deque

THRESHOLD = 5

Cell = tuple[int, int]


def lines(rows: int, columns: int) -> list[list[Cell]]:
    """The sums of a grid with a total column: every column (to its published total) and every
    row (its partnership cells to its total cell, the last column)."""
    by_column = [[(i, j) for i in range(rows)] for j in range(columns + 1)]
    by_row = [[(i, j) for j in range(columns + 1)] for i in range(rows)]
    return by_column + by_row


def pick(cells, value) -> Cell | None:
    """The cell to suppress next among ``cells``: the smallest non-zero, else the smallest
    (``value(cell)`` is its count; ties go to the first cell in row order)."""
    cells = list(cells)
    if not cells:
        return None
    return min(cells, key=lambda c: (value(c) == 0, value(c), c))


def _max_flow(arcs: dict, source, sink, need: int) -> int:
    """The largest flow from ``source`` to ``sink`` (at most ``need``) through ``arcs``
    (node -> {node: capacity}); Edmonds-Karp on a small graph."""
    residual = {u: dict(vs) for u, vs in arcs.items()}
    for u, vs in arcs.items():
        for v in vs:
            residual.setdefault(v, {}).setdefault(u, 0)
    flow = 0
    while flow < need:
        parent = {source: None}
        queue = deque([source])
        while queue and sink not in parent:
            u = queue.popleft()
            for v, capacity in residual.get(u, {}).items():
                if capacity > 0 and v not in parent:
                    parent[v] = u
                    queue.append(v)
        if sink not in parent:
            break
        path, v = [], sink
        while parent[v] is not None:
            path.append((parent[v], v))
            v = parent[v]
        step = min(need - flow, *(residual[u][v] for u, v in path))
        for u, v in path:
            residual[u][v] -= step
            residual[v][u] += step
        flow += step
    return flow


def protected(grid: list[list[int]], hidden: set[Cell], cell: Cell, threshold: int) -> bool:
    """Whether the suppressed ``cell`` can be 0, or above ``threshold``, in some table of
    non-negative whole numbers consistent with what is published (:func:`room`)."""
    value = grid[cell[0]][cell[1]]
    down, up = room(grid, hidden, cell, value, threshold + 1 - value)
    return down >= value or up >= threshold + 1 - value


def room(grid: list[list[int]], hidden: set[Cell], cell: Cell, down: int, up: int):
    """How far the suppressed ``cell`` can fall (at most ``down``) and rise (at most ``up``)
    with every other cell not in ``hidden`` kept as it is, every published sum kept and no
    count negative.

    What is published fixes every column sum and every row's "partnerships minus total". Each
    suppressed cell links its row and its column: a partnership cell is an arc row -> column, a
    total cell an arc total column -> row, and the changes that keep every published sum are
    the circulations on these arcs. An arc can carry any increase and a decrease down to 0 (its
    value), so the cell can fall by ``k`` iff ``k`` units can flow from its arc's tail back to
    its head through the other arcs (forward without limit, backward up to their values), and
    rise by ``k`` iff ``k`` units can flow the other way. The matrix is a network matrix, so
    whole-number flows are exact.
    """
    total = len(grid[0]) - 1
    big = sum(sum(row) for row in grid) + down + up + 1

    def arc(edge: Cell):
        i, j = edge
        return (("column", j), ("row", i)) if j == total else (("row", i), ("column", j))

    arcs: dict = {}
    for edge in set(hidden) - {cell}:
        tail, head = arc(edge)
        arcs.setdefault(tail, {}).setdefault(head, 0)
        arcs[tail][head] += big
        arcs.setdefault(head, {}).setdefault(tail, 0)
        arcs[head][tail] += grid[edge[0]][edge[1]]
    tail, head = arc(cell)
    return _max_flow(arcs, tail, head, down), _max_flow(arcs, head, tail, up)


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
    table_lines = lines(rows, columns)

    def value(c: Cell) -> int:
        return grid[c[0]][c[1]]

    while True:
        changed = False
        for line in table_lines:
            unknown = [c for c in line if c in hidden]
            if len(unknown) == 1:
                chosen = pick([c for c in line if c not in hidden], value)
                if chosen is None:  # a one-cell line: its value is its published total
                    raise ValueError("a table needs at least two categories")
                hidden.add(chosen)
                changed = True
        if changed:
            continue
        exposed = [c for c in sorted(sensitive) if not protected(grid, hidden, c, threshold)]
        if not exposed:
            break
        cell = exposed[0]
        near = {c for line in table_lines if cell in line for c in line if c not in hidden}
        chosen = pick(sorted(near), value) or pick([c for c in cells if c not in hidden], value)
        if chosen is None:
            raise RuntimeError("cannot protect the table")  # everything is already suppressed
        hidden.add(chosen)
    return tuple(tuple((i, j) in hidden for j in range(columns + 1)) for i in range(rows))
