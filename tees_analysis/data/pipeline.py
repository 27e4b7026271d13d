"""The one flow from raw files to clean tables: read -> clean -> validate -> derive -> write.

``load(paths)`` returns a :class:`Dataset` (with the warnings found, which never stop
loading) or raises :class:`~tees_analysis.data.problems.ValidationError` listing every error
and warning in every file; ``write_processed`` writes the clean tables atomically, and only
from a valid dataset.
"""

from __future__ import annotations

import contextlib
import gc
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from ..paths import PROCESSED, RAW, display
from . import atomic, csvsafe
from .clean import CHANGE_COLUMNS, SOURCE_COLUMNS, clean_table, written
from .derive import derive_children, derive_reviews
from .problems import Problem, ProblemLog, UnexpectedError, ValidationError
from .read import CSV_SUFFIXES, XLSX_SUFFIXES, read_files
from .schema import FIELDS, TABLES, field
from .validate import validate


@dataclass(frozen=True)
class Dataset:
    """Clean, validated case-level tables with derived fields, the cleaning log and the
    warnings found (things to check that did not stop loading)."""

    reviews: pd.DataFrame
    children: pd.DataFrame
    changes: pd.DataFrame
    files: tuple[str, ...]
    warnings: tuple[Problem, ...] = ()


def data_files(directory: Path | str = RAW) -> list[Path]:
    """The ``.csv``/``.xlsx`` files of a folder, in name order (README and the like skipped)."""
    suffixes = CSV_SUFFIXES + XLSX_SUFFIXES
    if not Path(directory).is_dir():
        return []
    return sorted(
        p
        for p in Path(directory).iterdir()
        if p.is_file() and p.suffix.casefold() in suffixes and not p.name.startswith((".", "~$"))
    )


def clean_files(paths, log: ProblemLog) -> tuple[dict[str, pd.DataFrame | None], pd.DataFrame]:
    """Read and clean ``paths`` (problems go to ``log``): one frame per table, ``None`` if absent.

    The frames still carry the provenance columns (file, sheet, row, headers) that validation
    rules use to name where a problem is; :func:`load` drops them. The second item is the
    change log (:data:`CHANGE_COLUMNS`): every cell that cleaning rewrote.
    """
    shown = {str(p): display(p) for p in paths}
    parts: dict[str, list[pd.DataFrame]] = {t: [] for t in TABLES}
    changes: list[pd.DataFrame] = []
    start = len(log.problems)
    raws = read_files(list(paths), log)
    # problems found while reading name the file as every later problem does
    log.problems[start:] = [
        replace(p, file=shown.get(p.file, p.file)) for p in log.problems[start:]
    ]
    for raw in raws:
        raw.file = shown.get(raw.file, raw.file)
        try:
            cleaned = clean_table(raw, log)
        except Exception as err:  # a bug, not a problem of the file: say which file
            raise UnexpectedError(raw.file) from err
        parts[raw.table].append(cleaned.frame)
        changes.append(cleaned.changes)
    frames = {t: pd.concat(parts[t], ignore_index=True) if parts[t] else None for t in TABLES}
    changes = [c for c in changes if not c.empty]
    log_of_changes = (
        pd.concat(changes, ignore_index=True) if changes else pd.DataFrame(columns=CHANGE_COLUMNS)
    )
    return frames, log_of_changes


def change_summary(changes: pd.DataFrame) -> pd.DataFrame:
    """What cleaning rewrote: one row per table, column and (typed -> cleaned) pair, counted."""
    if changes.empty:
        return pd.DataFrame(columns=["table", "column", "typed", "cleaned", "cells"])
    return (
        changes.groupby(["table", "column", "typed", "cleaned"], sort=True)
        .size()
        .rename("cells")
        .reset_index()
    )


#: How the rewrites of each kind of field are described, in :func:`change_sentence`:
#: (one cell, several cells).
_CHANGE_KINDS = {
    "category": ("label normalised", "labels normalised"),
    "multi_category": ("label normalised", "labels normalised"),
    "yes_no": ("yes/no value written as yes or no", "yes/no values written as yes or no"),
    "blank_yes_no": ("blank yes/no cell read as 'no'", "blank yes/no cells read as 'no'"),
    "integer": ("number written as a whole number", "numbers written as whole numbers"),
    "not_recorded_number": ("number not recorded left blank", "numbers not recorded left blank"),
    "id": ("code or text tidied", "codes and texts tidied"),
    "text": ("code or text tidied", "codes and texts tidied"),
}


def _change_kind(change) -> str:
    kind = field(change["table"], change["column"]).kind
    if kind == "yes_no" and not str(change["typed"]).strip():
        return "blank_yes_no"
    if kind == "integer" and change["cleaned"] == "":
        return "not_recorded_number"
    return kind


def change_sentence(changes: pd.DataFrame) -> str:
    """What cleaning rewrote, in one sentence: cells per kind of rewrite, with an example.

    ``"cleaning rewrote 14 cells: 12 labels normalised (e.g. 'Grandparents' -> 'other
    family'), 2 yes/no values written as yes or no (e.g. 'Y' -> 'yes')"``; the example is the
    most frequent rewrite of its kind. ``"cleaning rewrote no cells"`` when there is none.
    """
    if changes.empty:
        return "cleaning rewrote no cells"
    # one group per description (multi_category with category, text with id)
    plural = changes.apply(_change_kind, axis=1).map(lambda kind: _CHANGE_KINDS[kind][1])
    parts = []
    for names in dict.fromkeys(_CHANGE_KINDS.values()):
        mine = changes[plural == names[1]]
        if mine.empty:
            continue
        what = f"{len(mine)} {names[len(mine) != 1]}"
        if names == _CHANGE_KINDS["blank_yes_no"]:
            parts.append(what)
            continue
        pairs = mine.groupby(["typed", "cleaned"], sort=True).size()
        typed, cleaned = pairs.sort_values(ascending=False, kind="stable").index[0]
        typed, cleaned = (_shown(v) for v in (typed, cleaned))
        parts.append(f"{what} (e.g. {typed} -> {cleaned})")
    n = len(changes)
    return f"cleaning rewrote {n} cell{'s' if n != 1 else ''}: " + ", ".join(parts)


def _shown(value: str) -> str:
    """A typed or cleaned value in a sentence: quoted, on one line; ``blank`` when blank."""
    if not str(value).strip():
        return "blank"
    return "'" + str(value).replace("\n", " [line break] ") + "'"


def problems(paths, *, warnings: bool = False) -> list[Problem]:
    """Every error in the files ``paths`` (then every warning, with ``warnings``).

    Empty when the files are valid (and, with ``warnings``, raise no warning).
    """
    try:
        data = load(paths)
    except ValidationError as err:
        return err.problems + (err.warnings if warnings else [])
    return list(data.warnings) if warnings else []


@contextlib.contextmanager
def _collector_paused():
    """Pause Python's cyclic garbage collector while the files are read and cleaned.

    Reading makes a list per row and cleaning a column of values per field: at 100,000 rows
    the collector would spend about a fifth of the time scanning them, and they hold no
    reference cycles to collect. Whatever was paused is collected as usual afterwards.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def load(paths=None) -> Dataset:
    """Read, clean, validate and derive; raise ``ValidationError`` with all problems."""
    paths = data_files() if paths is None else [Path(p) for p in paths]
    log = ProblemLog()
    with _collector_paused():
        frames, changes = clean_files(paths, log)
    for table, frame in frames.items():
        if frame is None and not log:
            log.add("(input)", f"no {table} table in the files given")
    validate(frames["reviews"], frames["children"], log)
    log.raise_if_any()  # errors, with the warnings after them
    reviews = frames["reviews"].drop(columns=list(SOURCE_COLUMNS)).reset_index(drop=True)
    children = frames["children"].drop(columns=list(SOURCE_COLUMNS)).reset_index(drop=True)
    return Dataset(
        reviews=derive_reviews(reviews, children),
        children=derive_children(children, reviews),
        changes=changes,
        files=tuple(display(p) for p in paths),
        warnings=tuple(log.warnings),
    )


def to_csv_text(frame: pd.DataFrame, table: str) -> str:
    """A clean table in the analyst layout (schema columns, canonical labels, yes/no)."""
    out = pd.DataFrame(
        {
            f.name: [written(plain_value(v), f.kind) for v in frame[f.name]]
            for f in FIELDS[table]
            if f.name in frame
        }
    )
    return out.to_csv(index=False, lineterminator="\n")


def plain_value(value):
    """A cell of a clean frame as a plain Python value, ``None`` when missing."""
    return None if _missing(value) else _plain(value)


def _missing(value) -> bool:
    return value is None or (not isinstance(value, tuple) and pd.isna(value))


def _plain(value):
    if isinstance(value, bool | tuple | str):
        return value
    if hasattr(value, "item"):
        return value.item()
    return value


def write_processed(dataset: Dataset, out_dir: Path | str = PROCESSED) -> list[Path]:
    """Write the clean tables and the cleaning log atomically to ``out_dir``."""
    out_dir = Path(out_dir)
    files = {
        out_dir / "reviews.csv": to_csv_text(dataset.reviews, "reviews"),
        out_dir / "children.csv": to_csv_text(dataset.children, "children"),
        # the log holds what analysts typed: formula-like cells made inert for spreadsheets
        out_dir / "cleaning_log.csv": csvsafe.inert(dataset.changes).to_csv(
            index=False, lineterminator="\n"
        ),
    }
    return atomic.write_files({p: t.encode("utf-8") for p, t in files.items()})


def build(paths=None, out_dir: Path | str = PROCESSED) -> list[Path]:
    """raw -> processed: load (raising on any problem, before anything is written), then write."""
    return write_processed(load(paths), out_dir)
