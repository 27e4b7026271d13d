"""Every table a reader sees, and every number in prose, written the same way.

Notebooks show a table with :func:`table` and never a bare DataFrame; prose formats a number
with the scalar formatters (:func:`number`, :func:`percent`, :func:`p_value`, :func:`ratio`,
:func:`interval`, :func:`words`, :func:`yes_no`). Readers are not programmers, so what they see
holds no Python: no tuples, ``<NA>``, ``NaN``, ``inf``, ``True``/``False``, ``433.0``, no
0, 1, 2 … index column and no snake_case header.

The rules
---------
* **Numbers.** Whole numbers (ints, and floats such as ``433.0``) as whole numbers with thousands
  separators (``12,345``); other numbers with a fixed number of decimals, rounded half up as the
  report rounds (``2.675`` -> ``2.68``). Missing (``None``, ``NaN``, ``pd.NA``, ``NaT``) shows
  ``–``; infinity shows ``infinite`` (``minus infinite``). Percentages are given in percent
  units (38 for 38%) and show ``38%``; p-values show three decimals (``0.046``) and
  ``< 0.001`` below 0.001; ratios two decimals, ``0`` for zero, ``infinite`` for infinity.
* **Tables.** :func:`table` returns a :class:`Table`, which Jupyter shows as HTML and plain-text
  viewers as an aligned text table. A column is formatted by its values: whole numbers, numbers
  with ``decimals`` (2 unless given, per column by a mapping), yes/no for booleans, tuples and
  lists as words (``a, b and c``; a 1-tuple as its element), missing values as ``missing``
  (per column by a mapping, e.g. ``{"sex": "not recorded"}``), text as it is (escaped). Empty
  text, and text that only says a value is missing (``"nan"``, ``"None"``, ``"<NA>"``,
  ``"NaT"``), is shown as missing. P-value columns are given (``p_columns``) or found by name
  (``p``, ``p_value``, ``p-value``, ``p (Holm)``, ``exact p``, …); ratio and percent columns
  are given (``ratio_columns``, ``percent_columns``).
* **Headers.** ``headers`` (a mapping from a label to its header) wins; otherwise a snake_case
  label becomes words with a capital first letter (``percent_half_up`` -> ``Percent half up``,
  ``p_value`` -> ``p-value``, ``ci_low`` -> ``CI low``, ``count_STSCP`` -> ``Count STSCP``)
  and any other label is kept. An unnamed RangeIndex or integer index (row positions, as left
  by filtering or sorting) is dropped; any other index becomes the leading column(s), marked
  as row headers, headed by its name (blank when it has none: ``rename_axis`` names it).
  MultiIndex columns become a header of several rows with spanning cells.
* **Infinity.** A ratio from a table with a zero count is unbounded: such a cell shows
  ``infinite`` and a note saying why is added under the table (:data:`INFINITE_NOTE`), unless
  one of the caller's notes already speaks of ``infinite`` values.
* **Long tables** (more than ``max_rows`` rows) show the caller's ``summary`` (a smaller frame)
  or the first ``show_rows`` rows, then a line saying how many rows are not shown, linking the
  CSV file with the full table; a long table needs a ``name``.
* **Wide tables** (more than :data:`WIDE_COLUMNS` columns, or more than
  :data:`WIDE_HEADER_CHARS` characters of headers) get a line before them saying they scroll
  sideways. Every table sits in a scroll container, so a phone never cuts one off silently.
* **Downloads.** With a ``name``, the full table is written (when :func:`table` is called,
  atomically) to ``folder/tables/NAME.csv`` and linked under the table as
  ``../figures/tables/NAME.csv`` (:data:`LINK_BASE`: from ``notebooks/`` to
  ``figures/tables/``, in the repository and in a rerun's output folder alike). The CSV is UTF-8
  with ``\\n`` line ends and the same headers (the rows of a multi-row header joined by ``": "``);
  numbers are plain numbers at full precision without thousands separators, booleans ``yes`` or
  ``no``, missing values empty cells, and infinity the words ``infinite`` or ``minus infinite``
  (a spreadsheet has no infinite number, and the word cannot be mistaken for a huge value).
  Text that a spreadsheet would run as a formula is made inert (:mod:`tees_analysis.data.csvsafe`).

The HTML
--------
The HTML has no ``<style>``, ``style=`` or script, so that JupyterLab's and GitHub's sanitizers
keep it (they may drop ``role``, ``aria-label``, ``tabindex`` and ``download``, which only help:
the table reads the same without them); the site's stylesheet styles these classes (keep the
names in step with it):

* ``tees-table`` -- the ``<table>`` (its ``<caption>`` is the caption);
* ``tees-scroll`` -- the ``<div role="region" tabindex="0">`` scroll container around every
  table, labelled with the caption;
* ``tees-scroll-cue`` -- the line before a wide table saying it scrolls sideways;
* ``num`` / ``text`` -- cells (and their column's header) of numbers (right-aligned) and text;
* ``tees-table-notes`` -- the notes under the table (and the "rows not shown" line);
* ``tees-download`` -- the link to the table's CSV file.

Header cells carry ``scope="col"``; the cells of columns that came from the index carry
``scope="row"``. Output is deterministic: the same table gives the same bytes on every run.
The layout itself (spans, alignment, CSV bytes) is in :mod:`.table_layout`.

In a notebook::

    from tees_analysis.report import present

    present.table(odds, "Odds ratios by partnership", name="06_odds_ratios",
                  folder=chosen.figures, ratio_columns=["odds_ratio"],
                  notes=["Exact conditional intervals."])
    f"{present.percent(38)} of children (95% CI {present.interval(29, 77, kind='percent')})"
"""

from __future__ import annotations

import html
import math
import numbers
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .. import paths
from ..data import atomic
from ..formats import (  # the scalar formatters, re-exported (documented above)
    INFINITE,
    MINUS_INFINITE,
    MISSING,
    MISSING_TEXT,
    SEQUENCES,
    fixed,
    infinite_word,
    interval,
    is_missing,
    number,
    p_value,
    percent,
    plain,
    ratio,
    words,
    yes_no,
)
from .table_layout import Column, csv_bytes, html_table, text_table

__all__ = [
    "INFINITE",
    "MINUS_INFINITE",
    "MISSING",
    "Table",
    "interval",
    "is_missing",
    "number",
    "p_value",
    "percent",
    "ratio",
    "table",
    "words",
    "yes_no",
]

#: Where the CSV files are linked from, relative to the notebooks (``notebooks/`` -> figures).
LINK_BASE = "../figures/tables"
#: The subfolder of the figures folder that holds the tables' CSV files.
TABLES = "tables"
#: A table is wide (and gets the scroll cue) above this many columns ...
WIDE_COLUMNS = 6
#: ... or above this many characters of headers in all.
WIDE_HEADER_CHARS = 80
#: The note added under a table with an infinite value.
INFINITE_NOTE = (
    "Infinite: a count of zero in the table makes this ratio unbounded, so there is no finite "
    "estimate."
)
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_SNAKE = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+|[a-z][a-z0-9]+")
_ACRONYMS = frozenset({"ci", "id", "or", "da", "pmh", "sm", "csc", "stscp", "hsscp", "ilp", "csv"})
_P_NAME = re.compile(
    r"^(?:[\w-]+ )*p(?:[ _-]?values?)?(?: \([^)]*\))?$"  # p, exact p, p (Holm), p_value
    r"|(?<![a-z0-9])(?:p[ _-]values?|p_holm)"  # ... or containing p-value, p_value, p_holm
)


# --------------------------------------------------------------------------- columns


@dataclass
class _Options:
    headers: Mapping
    decimals: int | Mapping | None
    p: frozenset
    ratios: frozenset
    percents: frozenset
    missing: str | Mapping


def _lookup(options, key, default=None):
    """The option for column ``key``: by the whole key, else by any of its levels."""
    candidates = [key, *key] if isinstance(key, tuple) else [key]
    for candidate in candidates:
        try:
            if candidate in options:
                return options[candidate] if isinstance(options, Mapping) else True
        except TypeError:  # an unhashable label
            continue
    return default


def readable(label, headers: Mapping | None = None) -> str:
    """A header for readers: ``headers[label]`` if given, else snake_case turned into words."""
    try:
        if headers and label in headers:
            return str(headers[label])
    except TypeError:  # an unhashable label
        pass
    if label is None or is_missing(label):
        return ""
    if not isinstance(label, str):
        return plain(label) if isinstance(label, SEQUENCES) else str(_csv_value(label))
    if not _SNAKE.fullmatch(label):
        return label
    text = re.sub(r"^p_holm$", "p (Holm)", re.sub(r"^p_values?(?=_|$)", "p-value", label))
    tokens = [t.upper() if t in _ACRONYMS else t for t in text.split("_")]
    first = tokens[0]
    if first.islower() and first != "p" and not first.startswith(("p-", "p (")):
        tokens[0] = first[:1].upper() + first[1:]
    return " ".join(tokens)


def is_p_column(label) -> bool:
    """Whether a column label names p-values (``p``, ``p_value``, ``p (Holm)``, ``exact p``…)."""
    labels = label if isinstance(label, tuple) else (label,)
    return any(isinstance(x, str) and _P_NAME.search(x.strip().lower()) for x in labels)


def _kind(key, options: _Options) -> str:
    if _lookup(options.p, key):
        return "p"
    if _lookup(options.ratios, key):
        return "ratio"
    if _lookup(options.percents, key):
        return "percent"
    return "p" if is_p_column(key) else "auto"


def _numbers(values) -> list[float]:
    return [
        float(v)
        for v in values
        if isinstance(v, numbers.Real) and not isinstance(v, bool | np.bool_) and not is_missing(v)
    ]


def _csv_value(v) -> str:
    """One cell as the CSV holds it: plain numbers at full precision, empty when missing."""
    if isinstance(v, SEQUENCES):
        return words(v)
    if _blank(v):
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, bool | np.bool_):
        return yes_no(v)
    if isinstance(v, numbers.Integral):
        return str(int(v))
    if isinstance(v, numbers.Real):
        x = float(v)
        if math.isinf(x):
            return infinite_word(x)
        return str(int(x)) if x.is_integer() else repr(x)
    return plain(v)


def _blank(v) -> bool:
    """Whether a cell holds nothing: a missing value, empty text or text saying it is missing."""
    if isinstance(v, str):
        return not v.strip() or v in MISSING_TEXT
    return not isinstance(v, SEQUENCES) and is_missing(v)


def _cell(v, kind: str, whole: bool, decimals: int, missing: str) -> str:
    """One cell as shown."""
    if isinstance(v, SEQUENCES):
        return words(v) or missing
    if _blank(v):
        return missing
    if isinstance(v, bool | np.bool_) or not isinstance(v, numbers.Real):
        return plain(v)
    if kind == "p":
        return p_value(v)
    if kind == "ratio":
        return ratio(v, decimals)
    if kind == "percent":
        return percent(v, decimals)
    if isinstance(v, numbers.Integral) or whole or math.isinf(float(v)):
        return number(v)
    return fixed(float(v), decimals)


def _column(key, values, n_levels: int, row_header: bool, shown: int, options: _Options):
    """Format one column: ``shown`` cells for display and every cell for the CSV."""
    kind = _kind(key, options)
    found = _numbers(values)
    finite = [x for x in found if not math.isinf(x)]
    whole = all(x.is_integer() for x in finite)
    default = 0 if kind == "percent" else 2
    decimals = options.decimals
    if isinstance(decimals, Mapping):
        decimals = _lookup(decimals, key, default)
    decimals = default if decimals is None else int(decimals)
    missing = options.missing
    if isinstance(missing, Mapping):
        missing = _lookup(missing, key, MISSING)
    if row_header:
        labels = (readable(key, options.headers),) + ("",) * (n_levels - 1)
    elif n_levels > 1:
        labels = tuple(readable(k, options.headers) for k in key)
    else:
        labels = (readable(key, options.headers),)
    present = [v for v in values if not _blank(v)]
    numeric = len(found) == len(present) and bool(present or kind != "auto")
    cells = [_cell(v, kind, whole, decimals, missing) for v in values[:shown]]
    column = Column(labels, numeric, row_header, cells, [_csv_value(v) for v in values])
    return column, kind != "p" and len(finite) < len(found)


def _columns(frame: pd.DataFrame, shown: int, options: _Options) -> tuple[list[Column], bool]:
    """Every column of ``frame`` (index columns first) and whether any value is infinite."""
    n_levels = frame.columns.nlevels
    index = frame.index
    parts = []
    if index.name is not None or not pd.api.types.is_integer_dtype(index.dtype):
        for level in range(index.nlevels):
            parts.append((index.names[level], list(index.get_level_values(level)), True))
    for j, key in enumerate(frame.columns):
        parts.append((key, list(frame.iloc[:, j]), False))
    columns, infinite = [], False
    for key, values, row_header in parts:
        column, inf = _column(key, values, n_levels, row_header, shown, options)
        columns.append(column)
        infinite |= inf
    return columns, infinite


def _plural(n: int, word: str) -> str:
    return f"{number(n)} {word}{'' if n == 1 else 's'}"


# --------------------------------------------------------------------------- the table


@dataclass(frozen=True, repr=False)
class Table:
    """A table as readers see it: HTML in Jupyter and on the site, aligned text elsewhere.

    ``csv_path`` is where the full table was written (``None`` without a name) and ``link``
    the relative address the HTML links it by.
    """

    caption: str
    html: str
    text: str
    notes: tuple[str, ...]
    n_rows: int
    n_columns: int
    csv_path: Path | None = None
    link: str | None = None

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return self.text

    __str__ = __repr__

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        printer.text(self.text)


def _kinds(columns) -> frozenset:
    """A column option given as one label or many, as a set."""
    if isinstance(columns, str | tuple):
        return frozenset([columns])
    return frozenset(columns or ())


def _more(link: str, n_rows: int, shown: int, summary: bool) -> tuple[str, str]:
    """The line under a long table (HTML and text): what is not shown, and where it is."""
    if summary:
        start, rest = "Showing a summary; the full table's", f"{_plural(n_rows, 'row')} are in"
    else:
        start, rest = f"Showing the first {shown} of {number(n_rows)} rows;", "the other "
        rest += f"{number(n_rows - shown)} {'is' if n_rows - shown == 1 else 'are'} in"
    anchor = f'<a href="{html.escape(link)}" download>the CSV file</a>'
    return f"<p>{start} {rest} {anchor}.</p>", f"{start} {rest} the CSV file {link}."


def table(
    frame: pd.DataFrame,
    caption: str,
    *,
    name: str | None = None,
    folder: Path | None = None,
    notes: Iterable[str] | str = (),
    headers: Mapping | None = None,
    decimals: int | Mapping | None = None,
    p_columns: Iterable | None = None,
    ratio_columns: Iterable | None = None,
    percent_columns: Iterable | None = None,
    missing: str | Mapping = MISSING,
    max_rows: int = 25,
    show_rows: int = 10,
    summary: pd.DataFrame | None = None,
) -> Table:
    """``frame`` as a table for readers, following the rules of this module.

    ``caption`` names the table (required). ``name`` (a file stem such as ``"03_outcome"``)
    writes the full table to ``folder/tables/NAME.csv`` (``folder``: the figures folder) and
    links it; a table of more than ``max_rows`` rows needs one, and shows ``summary`` (a frame
    of at most ``max_rows`` rows) or its first ``show_rows`` rows. Column options are keyed by
    column label (for MultiIndex columns, the whole key or any level's label): ``headers``,
    ``decimals`` (or one number for every column), ``missing`` (or one text for every column);
    ``p_columns``, ``ratio_columns`` and ``percent_columns`` list columns of those kinds.
    Raises ``ValueError`` (and writes nothing) on a missing caption or name, or a bad option.
    """
    if not isinstance(caption, str) or not caption.strip():
        raise ValueError("a table needs a caption (readers and screen readers are told by it)")
    if name is not None and not _NAME.fullmatch(name):
        raise ValueError(f"table name {name!r}: use letters, digits, '_', '-' and '.' only")
    if show_rows < 1 or max_rows < show_rows:
        raise ValueError(f"need 1 <= show_rows <= max_rows, not {show_rows} and {max_rows}")
    notes = (notes,) if isinstance(notes, str) else tuple(notes)
    n_rows = len(frame)
    long = n_rows > max_rows
    if long and name is None:
        raise ValueError(
            f"table {caption!r} has {n_rows} rows (more than max_rows={max_rows}): give it a "
            "name, so that the full table is written as CSV and linked under it"
        )
    if long and summary is not None and len(summary) > max_rows:
        raise ValueError(f"the summary of {caption!r} has more than max_rows={max_rows} rows")
    kinds = (_kinds(p_columns), _kinds(ratio_columns), _kinds(percent_columns))
    options = _Options(headers or {}, decimals, *kinds, missing)
    columns, infinite = _columns(frame, show_rows if long else n_rows, options)
    shown, rows = columns, show_rows if long else n_rows
    if long and summary is not None:
        shown, summary_infinite = _columns(summary, len(summary), options)
        rows, infinite = len(summary), infinite or summary_infinite
    if infinite and not any("infinite" in note.lower() for note in notes):
        notes = (*notes, INFINITE_NOTE)

    link = f"{LINK_BASE}/{name}.csv" if name else None
    header_chars = sum(len(" ".join(c.labels)) for c in shown)
    parts = []
    if len(shown) > WIDE_COLUMNS or header_chars > WIDE_HEADER_CHARS:
        parts.append(
            '<p class="tees-scroll-cue">Wide table: scroll sideways to see all '
            f"{len(shown)} columns.</p>"
        )
    region = f'role="region" aria-label="{html.escape(caption)}" tabindex="0"'
    parts += [f'<div class="tees-scroll" {region}>', html_table(caption, shown, rows), "</div>"]
    text = [caption, "", *text_table(shown, rows)]
    below = [_more(link, n_rows, rows, summary is not None)] if long else []
    below += [(f"<p>{html.escape(note)}</p>", note) for note in notes]
    if below:
        parts += ['<div class="tees-table-notes">', *(h for h, _ in below), "</div>"]
        text += ["", *(t for _, t in below)]
    if link:
        download = f"Download this table (CSV, {_plural(n_rows, 'row')})"
        anchor = f'<a class="tees-download" href="{html.escape(link)}" download>{download}</a>'
        parts.append(f"<p>{anchor}</p>")
        text += ["", f"{download}: {link}"]

    csv_path = None
    if name:
        content = csv_bytes(columns, n_rows)
        csv_path = Path(folder if folder is not None else paths.FIGURES) / TABLES / f"{name}.csv"
        atomic.write_files({csv_path: content})
    return Table(
        caption=caption,
        html="\n".join(parts) + "\n",
        text="\n".join(text) + "\n",
        notes=notes,
        n_rows=n_rows,
        n_columns=len(shown),
        csv_path=csv_path,
        link=link,
    )
