"""CSV cells that a spreadsheet cannot run: defusing formula injection.

A spreadsheet opening a CSV file treats a cell that starts with ``=``, ``+``, ``-`` or ``@``
as a formula (and a leading tab or carriage return can hide one), so a label typed by an analyst
-- or any text that reaches a table -- could run when a reader opens the download. Following the
OWASP advice on CSV injection, every text cell that starts with one of those characters and is
not a plain number is written with a leading apostrophe (``'``), which spreadsheets show as
text and never evaluate. Numbers such as ``-5`` or ``+1.5e3`` are left as they are, so a
spreadsheet still reads them as numbers.

:func:`inert_text` does this to one value; :func:`inert` to every text cell and text label of a
table. Use :func:`inert` on any table just before it is written as CSV for readers.
"""

from __future__ import annotations

import re

import pandas as pd

#: The first characters that make a spreadsheet read a cell as a formula.
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
#: What is put in front of such a cell (OWASP: a single quote).
PREFIX = "'"
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def inert_text(value):
    """``value`` made safe for a CSV cell: text starting with a formula character gets a ``'``.

    Text that is a plain decimal number (``-5``, ``+0.25``, ``-1e-3``) is returned unchanged, as
    is any value that is not text (numbers, missing values).
    """
    if not isinstance(value, str) or not value.startswith(TRIGGERS):
        return value
    if _NUMBER.fullmatch(value):
        return value
    return PREFIX + value


def inert(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell, column label and index label made inert."""
    out = frame.map(inert_text) if frame.size else frame.copy()
    out.columns = _labels(frame.columns)
    out.index = _labels(frame.index)
    return out


def _labels(index: pd.Index) -> pd.Index:
    if isinstance(index, pd.MultiIndex):
        tuples = [tuple(inert_text(v) for v in key) for key in index]
        return pd.MultiIndex.from_tuples(tuples, names=index.names) if tuples else index
    return index.map(inert_text) if len(index) else index
