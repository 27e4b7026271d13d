"""Numbers and lists in words, the same way everywhere a reader sees them.

Used by the tables of :mod:`tees_analysis.report.present` (which re-exports these functions and
documents the rules) and by every module that writes a number into text, at any stage of the
pipeline: whole numbers with thousands separators, fixed decimals rounded half up, ``–`` for a
missing value, ``infinite`` for infinity, ``< 0.001`` for a small p-value, lists as ``a, b and
c``. No Python shows through: no ``nan``, ``inf``, ``None``, ``True`` or tuple.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from decimal import ROUND_HALF_UP, Context, Decimal

import numpy as np
import pandas as pd

#: What a missing value shows.
MISSING = "–"
INFINITE = "infinite"
MINUS_INFINITE = "minus infinite"
#: Text that only says a value is missing (a missing value that was turned into text).
MISSING_TEXT = frozenset({"nan", "NaN", "None", "<NA>", "NaT"})
_CONTEXT = Context(prec=400)  # room for any float's digits
SEQUENCES = (tuple, list, set, frozenset, np.ndarray)


# --------------------------------------------------------------------------- scalars


def is_missing(x) -> bool:
    """Whether ``x`` is a missing value: ``None``, ``NaN``, ``pd.NA``, ``NaT``."""
    if x is None or x is pd.NA or x is pd.NaT:
        return True
    if isinstance(x, float | np.floating):
        return math.isnan(x)
    if isinstance(x, np.datetime64 | np.timedelta64):
        return bool(np.isnat(x))
    return False


def fixed(x: float, decimals: int) -> str:
    """``x`` with ``decimals`` decimals, rounded half up, with thousands separators; no ``-0``."""
    value = Decimal(repr(float(x))).quantize(
        Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP, context=_CONTEXT
    )
    if value == 0:
        value = abs(value)
    return f"{value:,.{decimals}f}"


def infinite_word(x: float) -> str:
    return INFINITE if x > 0 else MINUS_INFINITE


def number(x, decimals: int = 0) -> str:
    """A number for readers: ``"433"`` (for 433 and 433.0), ``"12,345"``, ``"2.68"``.

    Whole numbers show no decimals; others ``decimals`` decimals (rounded half up). Missing
    shows ``"–"``, infinity ``"infinite"`` or ``"minus infinite"``.
    """
    if is_missing(x):
        return MISSING
    if isinstance(x, bool | np.bool_):
        return yes_no(x)
    if isinstance(x, numbers.Integral):
        return f"{int(x):,}"
    if isinstance(x, str):
        raise TypeError(f"number() needs a number, not the text {x!r}")
    x = float(x)
    if math.isinf(x):
        return infinite_word(x)
    return f"{int(x):,}" if x.is_integer() else fixed(x, decimals)


def percent(x, decimals: int = 0) -> str:
    """A percentage given in percent units: ``percent(38) == "38%"``; missing shows ``"–"``."""
    if is_missing(x):
        return MISSING
    x = float(x)
    return infinite_word(x) if math.isinf(x) else f"{fixed(x, decimals)}%"


def p_value(p) -> str:
    """A p-value: three decimals (``"0.046"``), ``"< 0.001"`` below 0.001; missing ``"–"``."""
    if is_missing(p):
        return MISSING
    p = float(p)
    if math.isinf(p):
        return infinite_word(p)
    return "< 0.001" if p < 0.001 else fixed(p, 3)


def ratio(x, decimals: int = 2) -> str:
    """A ratio (an odds ratio, say): ``"1.75"``, ``"0"``, ``"infinite"``; missing ``"–"``.

    A positive ratio too small to show in ``decimals`` decimals shows ``"< 0.01"`` (never a
    misleading ``"0.00"``).
    """
    if is_missing(x):
        return MISSING
    x = float(x)
    if math.isinf(x):
        return infinite_word(x)
    if x == 0:
        return "0"
    smallest = 10.0**-decimals
    if 0 < x < smallest / 2:
        return f"< {smallest:.{decimals}f}"
    return fixed(x, decimals)


def interval(lo, hi, decimals: int | None = None, kind: str = "ratio") -> str:
    """An interval in words: ``"0.21 to infinite"`` (ratio), ``"12% to 45%"`` (percent).

    ``kind`` is ``"ratio"``, ``"number"`` or ``"percent"``; ``decimals`` defaults to 0 for
    percentages and 2 otherwise. An interval with a missing end shows ``"–"``.
    """
    formats = {"ratio": ratio, "number": number, "percent": percent}
    if kind not in formats:
        raise ValueError(f"kind must be one of {', '.join(formats)}, not {kind!r}")
    if is_missing(lo) or is_missing(hi):
        return MISSING
    if decimals is None:
        decimals = 0 if kind == "percent" else 2
    return f"{formats[kind](lo, decimals)} to {formats[kind](hi, decimals)}"


def yes_no(b) -> str:
    """``"yes"`` or ``"no"``; missing shows ``"–"``."""
    return MISSING if is_missing(b) else ("yes" if bool(b) else "no")


def plain(x, decimals: int = 2) -> str:
    """Any value as words (an element of a list, say)."""
    if isinstance(x, SEQUENCES):
        return words(x)
    if isinstance(x, str):
        return MISSING if x in MISSING_TEXT else x
    if is_missing(x) or isinstance(x, bool | np.bool_ | numbers.Real):
        return number(x, decimals)
    if isinstance(x, dt.datetime) and x.time() == dt.time(0) and x.tzinfo is None:
        return x.date().isoformat()
    if isinstance(x, dt.date):
        return x.isoformat()
    return str(x)


def words(seq) -> str:
    """A list in words: ``"a"``, ``"a and b"``, ``"a, b and c"``; a 1-tuple is its element.

    A set is listed in sorted order (its own order changes between runs); text is kept as it
    is, numbers are formatted by :func:`number`.
    """
    if isinstance(seq, str):
        return seq
    items = [plain(x) for x in seq]
    if isinstance(seq, set | frozenset):
        items.sort()
    if len(items) <= 1:  # (not prose.listing: importing prose takes seconds, for statsmodels)
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"
