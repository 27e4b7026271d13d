"""How a formatted table is laid out: HTML with spanning headers, aligned text, CSV bytes.

The rules (what each cell shows, which classes the HTML uses) are in
:mod:`tees_analysis.report.present`; this module only lays out the columns it has formatted.
"""

from __future__ import annotations

import html
import unicodedata
from dataclasses import dataclass, field

import pandas as pd

from ..data.csvsafe import inert


@dataclass
class Column:
    """One column as shown: its header rows, kind, cells, and whether it heads its row."""

    labels: tuple[str, ...]
    numeric: bool
    row_header: bool
    cells: list[str]
    csv: list[str] = field(default_factory=list)


def header_cells(columns: list[Column]) -> list[list[tuple[str, int, int, int]]]:
    """The header rows: per row, cells ``(label, first column, colspan, rowspan)``."""
    n_levels = len(columns[0].labels) if columns else 1
    rows = []
    for level in range(n_levels):
        row: list[tuple[str, int, int, int]] = []
        for j, column in enumerate(columns):
            labels = column.labels
            if any(labels[up] and not any(labels[up + 1 :]) for up in range(level)):
                continue  # covered by a cell spanning down from above
            down = n_levels - level if labels[level] and not any(labels[level + 1 :]) else 1
            same = (
                row
                and level < n_levels - 1
                and row[-1][1] + row[-1][2] == j
                and row[-1][3] == down
                and columns[row[-1][1]].labels[: level + 1] == labels[: level + 1]
            )
            if same:
                row[-1] = (row[-1][0], row[-1][1], row[-1][2] + 1, down)
            else:
                row.append((labels[level], j, 1, down))
        rows.append(row)
    return rows


def html_table(caption: str, columns: list[Column], n_rows: int) -> str:
    """The ``<table>``: caption, header rows with spans, and the first ``n_rows`` rows."""
    lines = ['<table class="tees-table">', f"<caption>{html.escape(caption)}</caption>"]
    n_levels = len(columns[0].labels) if columns else 1
    lines.append("<thead>" if columns else "")
    for level, row in enumerate(header_cells(columns) if columns else []):
        cells = []
        for label, j, colspan, rowspan in row:
            spans = (f' colspan="{colspan}"' if colspan > 1 else "") + (
                f' rowspan="{rowspan}"' if rowspan > 1 else ""
            )
            if not label:
                cells.append(f"<td{spans}></td>")
                continue
            bottom = level + rowspan == n_levels and colspan == 1
            kind = f' class="{"num" if columns[j].numeric else "text"}"' if bottom else ""
            cells.append(f'<th scope="col"{kind}{spans}>{html.escape(label)}</th>')
        lines.append(f"<tr>{''.join(cells)}</tr>")
    lines += ["</thead>" if columns else "", "<tbody>"]
    for i in range(n_rows):
        cells = []
        for column in columns:
            kind = "num" if column.numeric else "text"
            value = html.escape(column.cells[i])
            if column.row_header:
                cells.append(f'<th scope="row" class="{kind}">{value}</th>')
            else:
                cells.append(f'<td class="{kind}">{value}</td>')
        lines.append(f"<tr>{''.join(cells)}</tr>")
    if not n_rows:
        empty = "This table has no rows." if columns else "This table is empty."
        lines.append(f'<tr><td class="text" colspan="{max(len(columns), 1)}">{empty}</td></tr>')
    lines += ["</tbody>", "</table>"]
    return "\n".join(line for line in lines if line)


def width(text: str) -> int:
    """Columns a text takes in a monospaced font (wide East Asian characters take two)."""
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
        for c in text
    )


def _pad(text: str, size: int, right: bool) -> str:
    space = " " * (size - width(text))
    return space + text if right else text + space


def text_table(columns: list[Column], n_rows: int) -> list[str]:
    """The header rows, a rule and the first ``n_rows`` rows, aligned in columns."""
    if not columns:
        return ["(This table is empty.)"]
    header = [[""] * len(columns) for _ in columns[0].labels]
    for level, row in enumerate(header_cells(columns)):
        for label, j, _, _ in row:
            header[level][j] = label
    widths = [
        max(width(t) for t in [*column.cells[:n_rows], *(h[j] for h in header)])
        for j, column in enumerate(columns)
    ]
    lines = []
    for cells in [*header, ["-" * w for w in widths]]:
        pads = [_pad(c, w, col.numeric) for c, w, col in zip(cells, widths, columns, strict=True)]
        lines.append("  ".join(pads).rstrip())
    for i in range(n_rows):
        pads = [_pad(col.cells[i], w, col.numeric) for col, w in zip(columns, widths, strict=True)]
        lines.append("  ".join(pads).rstrip())
    if not n_rows:
        lines.append("(This table has no rows.)")
    return lines


def csv_bytes(columns: list[Column], n_rows: int) -> bytes:
    """The whole table as CSV (UTF-8, ``\\n``): a header row, then every row; text made inert."""
    headers = [": ".join(label for label in column.labels if label) for column in columns]
    data = {j: column.csv for j, column in enumerate(columns)}
    frame = pd.DataFrame(data, index=range(n_rows), dtype=object)
    frame.columns = headers
    return inert(frame).to_csv(index=False, lineterminator="\n").encode("utf-8")
