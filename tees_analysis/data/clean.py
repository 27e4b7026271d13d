"""Clean raw text into typed tables: match headers, normalise labels, parse yes/no and numbers.

Each cell is parsed by the kind of its field in :mod:`tees_analysis.data.schema`. What the analyst
typed is kept in a change log whenever the cleaned value is written differently, so that a
reader can see exactly what cleaning did. Problems never stop the cleaning: they are collected,
and the caller raises them all at once.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .problems import ProblemLog, quote_list
from .read import RawTable
from .schema import (
    FIELDS,
    HEADERS,
    IDENTIFIER_VALUES,
    MULTI_SEPARATORS,
    NO_TOKENS,
    NOT_RECORDED,
    NOT_RECORDED_TOKENS,
    YES_TOKENS,
    Field,
    header_key,
    identifier_header,
    identifier_value,
    normalise_key,
)

#: Provenance carried through cleaning and validation, dropped from the final tables: the file,
#: sheet and spreadsheet row of each record, the headers as typed in that file (field name ->
#: header), and the fields whose cell could not be cleaned (so that later rules do not report
#: the same mistake again).
SOURCE_COLUMNS = ("_file", "_sheet", "_row", "_headers", "_invalid")
#: The columns of the change log: what cleaning rewrote, one row per cell.
CHANGE_COLUMNS = ["table", "file", "row", "column", "typed", "cleaned"]

YES_NO_ALLOWED = (
    "yes or no (Y, N, Yes, No, TRUE, FALSE, 1, 0, X); blank means no; "
    f"'{NOT_RECORDED}' (N/K, unknown) where the source does not say"
)
_NOT_RECORDED_KEYS = frozenset(normalise_key(t) for t in NOT_RECORDED_TOKENS)
#: How close a typed value or header must be to a known one for a "did you mean" hint
#: (``difflib`` ratio of the normalised keys).
CLOSE = 0.75


class _Invalid(Exception):
    """A cell value that cannot be cleaned; the message says why."""

    def __init__(self, message: str, allowed: str | None = None):
        super().__init__(message)
        self.allowed = allowed


@dataclass
class CleanTable:
    """A cleaned table and the log of the values cleaning rewrote."""

    table: str
    frame: pd.DataFrame
    changes: pd.DataFrame


def tidy_text(value: str) -> str:
    """Trim, fold runs of white space and use plain quotes and dashes."""
    value = unicodedata.normalize("NFKC", value)
    value = value.translate(str.maketrans({"\u2018": "'", "\u2019": "'", "\u2013": "-"}))
    return re.sub(r"[ \t\r\f\v]+", " ", value).strip()


def suggest_header(table: str, header: str) -> list[str]:
    """The fields an unknown ``header`` of ``table`` probably means (at most two), best first.

    A header close to an accepted one (a name, label or header synonym of the schema) by
    ``difflib`` (the closest, and any nearly as close), else one whose words hold all the
    words of an accepted header or are all among them, closest first ("Age" -> age_band or
    age_months, "Child's gender" -> sex).
    """
    by_key = HEADERS[table]
    key = header_key(header)
    ratios = {}  # only headers that may be close: the quick upper bounds rule out the rest
    for k in by_key:
        match = difflib.SequenceMatcher(None, key, k)
        if match.real_quick_ratio() >= CLOSE and match.quick_ratio() >= CLOSE:
            ratios[k] = match.ratio()
    best = max(ratios.values(), default=0.0)
    close = sorted((k for k, r in ratios.items() if r >= max(CLOSE, best - 0.05)),
                   key=lambda k: -ratios[k])  # fmt: skip
    found = list(dict.fromkeys(by_key[k].name for k in close))
    if not found:
        words = set(key.split())
        overlaps = [
            (-difflib.SequenceMatcher(None, key, k).ratio(), k)
            for k in by_key
            if words and (set(k.split()) <= words or words <= set(k.split()))
        ]
        found = list(dict.fromkeys(by_key[k].name for _, k in sorted(overlaps)))
    return found[:2]


def match_headers(raw: RawTable, log: ProblemLog) -> dict[int, Field]:
    """Map column positions of ``raw`` to fields; report unknown, doubled and missing columns.

    A header is matched by a field's name, label or header synonyms (any case, spaces or
    underscores). A missing column is an error, but for a field that may be "not recorded"
    (:attr:`~tees_analysis.data.schema.Field.not_recorded_if_absent`): that gives a warning,
    and :func:`clean_table` reads the column as not recorded on every row.
    """
    fields = FIELDS[raw.table]
    by_key = HEADERS[raw.table]
    names = [f.name for f in fields]
    where = {"file": raw.file, "sheet": raw.sheet}
    matched: dict[int, Field] = {}
    seen: dict[str, int] = {}
    for pos, header in enumerate(raw.headers):
        if not header:
            if any(cells[pos].strip() for _, cells in raw.rows):
                log.add(message=f"column {pos + 1} has values but no header", row=1, **where)
            continue
        what = identifier_header(header)
        if what:
            log.add(
                message=f"the column looks like a direct identifier ({what}); this project "
                "accepts no direct identifiers: delete the column",
                row=1,
                column=header,
                **where,
            )
            continue
        f = by_key.get(header_key(header))
        if f is None:
            guess = suggest_header(raw.table, header)
            named = " or ".join(f"'{name}'" for name in guess)
            hint = f"; did you mean {named}?" if guess else ""
            log.add(
                message=f"unknown column{hint}",
                row=1,
                column=header,
                allowed=quote_list(names),
                **where,
            )
            continue
        if f.name in seen:
            log.add(
                message=f"the column '{f.name}' appears twice (columns {seen[f.name] + 1} "
                f"and {pos + 1})",
                row=1,
                column=header,
                **where,
            )
            continue
        seen[f.name] = pos
        matched[pos] = f
    for f in fields:
        if f.name in seen or not f.required:
            continue
        if f.not_recorded_if_absent:
            read_as = (
                f"'{NOT_RECORDED}' (missing) on every row, not as 'no'"
                if f.kind == "yes_no"
                else f"'{NOT_RECORDED}' on every row"
            )
            log.warn(
                message=f"no column '{f.name}' in the file: read as {read_as}; add the "
                "column if the data hold it",
                column=f.name,
                allowed=f"a header '{f.name}' or '{f.label}'",
                **where,
            )
        else:
            log.add(
                message="required column is missing",
                column=f.name,
                allowed=f"a header '{f.name}' or '{f.label}'",
                **where,
            )
    return matched


def absent_value(f: Field):
    """The value of every row of a field whose column a file does not have."""
    if f.kind == "multi_category":
        return (NOT_RECORDED,)
    if f.kind == "category":
        return NOT_RECORDED
    return None


def parse_value(f: Field, text: str, lookup: dict[str, str] | None = None):
    """Parse one cell of field ``f``; raise :class:`_Invalid` with the reason if it cannot."""
    text = tidy_text(text)
    if f.kind == "yes_no":
        token = text.casefold()
        if token in YES_TOKENS:
            return True
        if token in NO_TOKENS:
            return False
        if normalise_key(token) in _NOT_RECORDED_KEYS:
            return None
        raise _Invalid("not a yes/no value" + _did_you_mean(token, _YES_NO_WORDS), YES_NO_ALLOWED)
    if f.kind == "integer" and normalise_key(text) in _NOT_RECORDED_KEYS:
        if f.blank_allowed:
            return None  # N/K in an optional number: not recorded, i.e. blank
        raise _Invalid(f"a value is required; {f.label.lower()} cannot be '{NOT_RECORDED}'")
    if not text:
        if f.blank_allowed:
            return None
        allowed = quote_list(f.labels) if f.categories else None
        hint = f" (type '{NOT_RECORDED}' if unknown)" if NOT_RECORDED in f.labels else ""
        raise _Invalid(f"a value is required{hint}", allowed)
    if f.kind == "category":
        return _category(f, text, lookup)
    if f.kind == "multi_category":
        return _multi_category(f, text, lookup)
    if f.kind == "integer":
        return _integer(f, text)
    # id and text
    if f.pattern and not re.match(f.pattern, text):
        raise _Invalid(f"not a valid {f.label.lower()}", _pattern_help(f))
    what = identifier_value(text)
    if what:
        raise _Invalid(f"looks like a direct identifier ({what}), which is not accepted")
    return text


def _pattern_help(f: Field) -> str:
    if f.kind == "id":
        return "a code of letters, digits, '_', '-' or '.', up to 40 characters"
    return "letters, spaces, ' and -, up to 40 characters"


#: What a yes/no cell may say, for "did you mean" hints (normalised key -> what to type).
_YES_NO_WORDS = {
    **{normalise_key(t): "yes" for t in ("yes", "true")},
    **{normalise_key(t): "no" for t in ("no", "false")},
    **{k: NOT_RECORDED for k in _NOT_RECORDED_KEYS},
}


def _did_you_mean(text: str, lookup: dict[str, str]) -> str:
    """``"; did you mean 'x'?"`` when ``text`` is close to a key of ``lookup`` (label or
    synonym, normalised), naming what the key stands for; else ``""``."""
    key = normalise_key(text)
    if len(key) < 3:  # too short to guess from
        return ""
    close = difflib.get_close_matches(key, list(lookup), n=3, cutoff=CLOSE)
    meant = list(dict.fromkeys(lookup[k] for k in close))
    return f"; did you mean '{meant[0]}'?" if len(meant) == 1 else ""


def _category(f: Field, text: str, lookup: dict[str, str] | None, part: bool = False) -> str:
    lookup = lookup if lookup is not None else f.lookup()
    label = lookup.get(normalise_key(text))
    if label is None:
        which = f" '{tidy_text(text)}'" if part else ""
        hint = _did_you_mean(text, lookup)
        raise _Invalid(f"unknown category{which}{hint}", quote_list(f.labels))
    return label


def _multi_category(f: Field, text: str, lookup: dict[str, str] | None) -> tuple[str, ...]:
    parts = [text]
    for sep in MULTI_SEPARATORS:
        parts = [p for part in parts for p in part.split(sep)]
    several = sum(1 for p in parts if p.strip()) > 1
    labels = {_category(f, p, lookup, part=several) for p in parts if p.strip()}
    if not labels:
        raise _Invalid("a value is required", quote_list(f.labels))
    if NOT_RECORDED in labels and len(labels) > 1:
        raise _Invalid(f"'{NOT_RECORDED}' cannot be combined with other values")
    return tuple(label for label in f.labels if label in labels)


def _integer(f: Field, text: str) -> int:
    try:
        number = float(text.replace(",", ""))
    except ValueError:
        raise _Invalid("not a whole number") from None
    if not number.is_integer():
        raise _Invalid("not a whole number")
    value = int(number)
    high = f.maximum if f.maximum is not None else current_year() if f.name == "year" else None
    if (f.minimum is not None and value < f.minimum) or (high is not None and value > high):
        message = "is in the future" if f.name == "year" and value > high else "out of range"
        raise _Invalid(message, f"whole numbers from {f.minimum} to {high}")
    return value


def current_year() -> int:
    return dt.date.today().year


def written(value, kind: str | None = None) -> str:
    """How a cleaned value of a field of ``kind`` is written back to a CSV file.

    A missing yes/no value is written ``not recorded``: a blank would read back as "no".
    """
    if value is None:
        return NOT_RECORDED if kind == "yes_no" else ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple):
        return "; ".join(value)
    return str(value)


#: Text that :func:`tidy_text` leaves as it is (ASCII letters, digits, ``_ . -``).
_PLAIN = r"[A-Za-z0-9_.\-]+"
#: Any of the patterns of :data:`~tees_analysis.data.schema.IDENTIFIER_VALUES`.
_IDENTIFIER_VALUE = re.compile("|".join(f"(?:{pattern})" for pattern, _ in IDENTIFIER_VALUES))


def parse_distinct(f: Field, texts: list[str]) -> tuple[list, dict[str, _Invalid]]:
    """Parse distinct cell texts of field ``f``: their values (``None`` where invalid) and the
    reason for each invalid one, exactly as :func:`parse_value` cell by cell.

    Ids (unique on every row) are checked in bulk: a plain code that matches the field's
    pattern and looks like no direct identifier is its own value; any other text is parsed
    one by one.
    """
    lookup = _lookup(f) if f.categories else None
    own = set()
    if f.kind == "id" and f.pattern and len(texts) > 100:
        plain, pattern = re.compile(_PLAIN).fullmatch, re.compile(f.pattern).match
        identifier = _IDENTIFIER_VALUE.search
        own = {
            typed
            for typed in texts
            if plain(typed) and pattern(typed) and identifier(typed) is None
        }
    values, bad = [], {}
    for typed in texts:
        if typed in own:
            values.append(typed)
            continue
        try:
            values.append(parse_value(f, typed, lookup))
        except _Invalid as err:
            values.append(None)
            bad[typed] = err
    return values, bad


def clean_table(raw: RawTable, log: ProblemLog) -> CleanTable:
    """Clean one raw table. Rows with problems are kept (with missing values) for later checks.

    A column the file does not have, of a field that may be "not recorded", is read as not
    recorded on every row (:func:`absent_value`); :func:`match_headers` warns about it.

    Each distinct text of a column is parsed once and the result mapped back to its rows (a
    national collection repeats a few dozen labels over 100,000 rows); problems and the change
    log are the same as cell by cell.
    """
    matched = match_headers(raw, log)
    present = {f.name for f in matched.values()}
    absent = [f for f in FIELDS[raw.table] if f.name not in present and f.not_recorded_if_absent]
    headers = {f.name: raw.headers[pos] for pos, f in matched.items()}
    n = len(raw.rows)
    rows = [row for row, _ in raw.rows]
    texts_of = list(zip(*(cells for _, cells in raw.rows), strict=True)) if n else []
    invalid: dict[int, set[str]] = {}
    same = np.zeros(n, dtype=np.intp)
    columns = {f.name: typed_values(f, [absent_value(f)], same) for f in absent}
    changed_cells: list[tuple[list[int], int, str, list[str], list[str]]] = []
    for pos, f in matched.items():
        texts = np.asarray(texts_of[pos] if n else (), dtype=object)
        codes, uniques = pd.factorize(texts)
        values, bad = parse_distinct(f, list(uniques))
        columns[f.name] = typed_values(f, values, codes)
        if bad:
            bad_codes = [k for k, typed in enumerate(uniques) if typed in bad]
            for i in np.flatnonzero(np.isin(codes, bad_codes)).tolist():
                err = bad[texts[i]]
                log.add(
                    raw.file,
                    str(err),
                    sheet=raw.sheet,
                    row=rows[i],
                    column=raw.headers[pos],
                    value=texts[i],
                    allowed=err.allowed,
                )
                invalid.setdefault(i, set()).add(f.name)
        shown = [
            None if typed in bad else written(value, f.kind)
            for typed, value in zip(uniques, values, strict=True)
        ]
        rewritten = np.array(
            [s is not None and s != typed for typed, s in zip(uniques, shown, strict=True)]
            + [False]
        )
        where = np.flatnonzero(rewritten[codes])
        if len(where):
            cleaned = _objects(shown)[codes[where]]
            changed_cells.append((where, pos, f.name, texts[where], cleaned))
    none: frozenset[str] = frozenset()
    source = {
        "_file": [raw.file] * n,
        "_sheet": [raw.sheet] * n,
        "_row": rows,
        "_headers": [headers] * n,
        "_invalid": [invalid.get(i, none) for i in range(n)],
    }
    source["_row"] = np.asarray(rows, dtype=np.int64)
    fields = [f.name for f in FIELDS[raw.table] if f.name in columns]
    frame = pd.DataFrame({**source, **{name: columns[name] for name in fields}}, copy=False)
    return CleanTable(raw.table, frame, _change_log(raw, rows, changed_cells))


def typed_values(f: Field, values: list, codes: np.ndarray):
    """The column of field ``f`` whose row ``i`` holds ``values[codes[i]]`` (``None`` for
    missing), in the field's dtype: ``boolean`` (yes/no), ``Int64`` (integers), a categorical
    of the field's labels (category), tuples (multi_category), else ``string``."""
    known = np.array([v is not None for v in values], dtype=bool)[codes]
    if f.kind == "yes_no":
        truth = np.array([v is True for v in values], dtype=bool)
        return pd.arrays.BooleanArray(truth[codes], ~known)
    if f.kind == "integer":
        numbers = np.array([0 if v is None else v for v in values], dtype=np.int64)
        return pd.arrays.IntegerArray(numbers[codes], ~known)
    if f.kind == "category":
        index = {label: k for k, label in enumerate(f.labels)}
        labels = np.array([-1 if v is None else index[v] for v in values], dtype=np.intp)
        return pd.Categorical.from_codes(labels[codes], dtype=_categories(f.labels))
    if f.kind == "multi_category":
        return _objects(values)[codes]
    return pd.array(_objects(values)[codes], dtype="string")


@functools.cache
def _lookup(f: Field) -> dict[str, str]:
    """``f.lookup()``, made once per field (callers only read it)."""
    return f.lookup()


@functools.cache
def _categories(labels: tuple[str, ...]) -> pd.CategoricalDtype:
    return pd.CategoricalDtype(list(labels))


def _objects(values: list) -> np.ndarray:
    """``values`` as a one-dimensional object array (tuples stay whole, as elements)."""
    array = np.empty(len(values), dtype=object)
    for k, value in enumerate(values):
        array[k] = value
    return array


def _change_log(raw: RawTable, rows: list[int], changed) -> pd.DataFrame:
    """The rewritten cells, row by row and in column order within a row."""
    if not changed:
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    where = np.concatenate([np.asarray(w, dtype=np.int64) for w, *_ in changed])
    pos = np.concatenate([np.full(len(w), p, dtype=np.int64) for w, p, *_ in changed])
    order = np.lexsort((pos, where))
    names = np.concatenate([np.full(len(w), name, dtype=object) for w, _, name, *_ in changed])
    typed = np.concatenate([np.asarray(t, dtype=object) for *_, t, _ in changed])
    cleaned = np.concatenate([np.asarray(c, dtype=object) for *_, c in changed])
    return pd.DataFrame(
        {
            "table": raw.table,
            "file": raw.file,
            "row": np.asarray(rows, dtype=np.int64)[where[order]],
            "column": names[order],
            "typed": typed[order],
            "cleaned": cleaned[order],
        },
        columns=CHANGE_COLUMNS,
    )
