"""Add a new year of reviews to an analyst-maintained dataset (``tees-analysis add-year``).

The dataset folder
------------------
``add-year`` merges new files into a *dataset folder*, by default ``data/dataset/``
(``--dataset DIR`` to choose another). It is not ``data/raw``: that folder is read-only by
project rule and holds the report's inputs, while a dataset folder is the analyst's own,
growing copy. A missing or empty folder is started by the first ``add-year``. Layout::

    data/dataset/
        CURRENT                  one line naming the current version, e.g. "versions/0003"
        versions/0001/           reviews.csv, children.csv (analyst layout), manifest.json and
                                 COMMITTED (the mark of a complete version)
        versions/0002/           ... one folder per successful add-year, never changed later
        versions/0003.abandoned/ what an interrupted add-year had written (see below)
        replaced/2021-1/         rows removed by --replace-year (reviews.csv, children.csv)
        README.md, .gitignore    written when the dataset is started; the .gitignore ("*")
                                 keeps git from ever picking up case-level data
        .lock                    the lock file (below); kept, empty unless add-year is running
        .tmp/                    add-year's temporary files, only while it runs

The current dataset is ``pipeline.load(current_files(folder))``. Earlier versions stay as they
were, so an add-year can be undone by writing the previous version's name into ``CURRENT``.

Rules
-----
The new files are cleaned and validated like any input, then checked against the dataset:
an id already in the dataset is refused (as a duplicate when the row is the same, as a conflict
when it differs, naming the columns that differ); a child's review must be in the new files or
the dataset; a review year already in the dataset is refused unless ``replace_year`` is given,
in which case every review of that year and their children are removed and kept under
``replaced/<year>-<n>/``. The dataset folder must be writable (checked by writing a temporary
file, also by a dry run). Every problem is collected and raised at once
(:class:`~tees_analysis.data.problems.ValidationError`), before anything is written. Warnings
(contradictions between cells, columns the new files do not have) are kept in the plan
(:attr:`Plan.warnings`) and never stop the merge.

One add-year at a time
----------------------
Writing holds an operating-system lock on ``.lock`` in the dataset folder (:mod:`.lock`:
``flock``, or ``msvcrt.locking`` on Windows). Another add-year waits up to :data:`LOCK_WAIT`
seconds for it, then stops with :class:`DatasetBusy` naming the holder (process, machine,
since when), having changed nothing. The system frees the lock when its holder ends, however
it ends, so a lock left by a killed add-year stops nobody; the file is never deleted, and its
content (empty, or left by an older version of add-year) does not matter. The files are
checked before waiting; if the dataset changed meanwhile (the other add-year finished), they
are checked again against the new current version under the lock, so two add-years run
together both add their years or one is refused with its problems: a year is never lost.

Crash safety
------------
Versioned folders and an atomic pointer. Under the lock a merge writes a complete new version
folder (``atomic.write_files``, temporary files in ``.tmp/``), checks it with
``pipeline.load``, writes the backups of replaced rows, marks the version ``COMMITTED``, and
only then replaces ``CURRENT`` (one ``os.replace``: the commit point). Until that rename the
pointer names the old, untouched version, so a crash or kill at any step before it (for
instance between writing ``reviews.csv`` and ``children.csv``) leaves the dataset exactly as
before, and one after it exactly as after; ``CURRENT`` only ever names a complete version.

The next add-year, under the lock, first tidies what an interrupted one left (:func:`recover`):
it removes the temporary files (``.tmp/``, and the ``.*.tmp`` files older versions of
add-year wrote beside their targets), marks the current version ``COMMITTED`` if an older
version of add-year was killed before marking it, and moves each unmarked version newer than
the current one -- an interrupted add-year's, never complete and never current -- to
``versions/NNNN.abandoned`` (its backups to ``replaced/<year>-<n>.abandoned``), naming it in
a warning (:attr:`Result.abandoned`); the analyst may delete these. Nothing else is moved,
and no version folder is ever deleted. (One case from datasets written by add-year before
the mark came first: a version made current by an add-year killed before marking it, then
undone before any later add-year ran, is moved aside too -- kept, never deleted.)

Guarantees: a version that is or was current is never deleted or changed (only its
``COMMITTED`` mark may be added), even after an undo by editing ``CURRENT``; a version
number is never used twice -- the next is one more than the highest ever made, complete,
abandoned or undone (``versions/NNNN*``); after any add-year that ran to its end, whether
or not earlier ones were killed, the dataset folder holds no temporary file.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import re
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..paths import DATASET as DEFAULT_DATASET
from ..paths import RAW, display
from . import atomic, lock, pipeline
from .clean import written
from .problems import Problem, ProblemLog, ValidationError
from .read import CSV_SUFFIXES, XLSX_SUFFIXES
from .schema import CASE_RECORDS, FIELDS, KEYS, TABLES
from .validate import add_problem, check_ages, check_contradictions, check_unique

POINTER = "CURRENT"
VERSIONS = "versions"
REPLACED = "replaced"
MANIFEST = "manifest.json"
COMMITTED = "COMMITTED"
LOCK = ".lock"
TMP = ".tmp"
ABANDONED = ".abandoned"
#: Seconds an add-year waits for another one on the same dataset to finish.
LOCK_WAIT = 10.0
FILE_NAMES = {table: f"{table}.csv" for table in TABLES}
_FIELD_NAMES = {f.name for t in TABLES for f in FIELDS[t]}

_README = """\
# Case-level dataset (maintained by `tees-analysis add-year`)

Do not edit the files here by hand. `CURRENT` names the current version folder; each
`versions/NNNN/` holds `reviews.csv` and `children.csv` in the analyst layout of
`data/codebook.md` and a `manifest.json` saying what was added. `replaced/<year>-<n>/` keeps
the rows removed by `add-year --replace-year`. To undo the last add-year, write the previous
version's name (e.g. `versions/0002`) into `CURRENT`; the undone version is kept, and the
next add-year takes a new number. `versions/NNNN.abandoned` holds what an interrupted
add-year had written (never a current version): it may be deleted. `.lock` is the lock that
stops two add-years running at once: leave it in place (it is free when no add-year runs).

This folder holds case-level data: `.gitignore` keeps it out of git. Never commit it.
"""


class DatasetBusy(RuntimeError):
    """Another add-year holds the dataset's lock, or changed the dataset while merging."""


class DatasetNotWritable(RuntimeError):
    """The dataset folder (or a folder in it) cannot be written; the message says which."""


#: ``OSError`` numbers that mean "you may not write here".
_NOT_WRITABLE = (errno.EACCES, errno.EPERM, errno.EROFS)


# --------------------------------------------------------------------------- reading the dataset


def current_version(folder: Path | str = DEFAULT_DATASET) -> Path | None:
    """The current version folder of a dataset, or ``None`` if the dataset has not started."""
    pointer = Path(folder) / POINTER
    if not pointer.is_file():
        return None
    return Path(folder) / pointer.read_text(encoding="utf-8").strip()


def current_files(folder: Path | str = DEFAULT_DATASET) -> list[Path]:
    """The dataset's current ``reviews.csv`` and ``children.csv`` (empty if not started)."""
    version = current_version(folder)
    return [] if version is None else [version / FILE_NAMES[t] for t in TABLES]


# --------------------------------------------------------------------------- planning (no writes)


@dataclass
class Plan:
    """A checked merge, ready to be written by :func:`apply`."""

    folder: Path
    base: Path | None
    texts: dict[str, str]
    backups: dict[int, dict[str, str]]
    counts: dict[str, int]
    years_added: list[int]
    years_replaced: list[int]
    sources: list[dict] = field(default_factory=list)
    replaced_counts: dict[int, dict[str, int]] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    #: the files and option checked, to check them again if the dataset changes meanwhile
    paths: list[Path] = field(default_factory=list)
    replace_year: bool = False


def _plain(value):
    """A cleaned cell as a plain Python value (``None`` when missing)."""
    if value is None or (not isinstance(value, tuple) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def _records(frame: pd.DataFrame | None) -> list[dict]:
    if frame is None:
        return []
    records = frame.to_dict("records")
    for rec in records:
        for name in _FIELD_NAMES:
            if name in rec:
                rec[name] = _plain(rec[name])
    return records


def _clean(paths, log: ProblemLog) -> dict[str, pd.DataFrame | None]:
    """Read and clean files (problems to ``log``); one frame per table, ``None`` if absent."""
    return pipeline.clean_files(paths, log)[0]


def _signature(rec: dict, table: str) -> dict[str, str]:
    return {f.name: written(pipeline.plain_value(rec.get(f.name)), f.kind) for f in FIELDS[table]}


def _header(rec: dict, name: str) -> str:
    return rec["_headers"].get(name, name)


def _check_folder(folder: Path, log: ProblemLog) -> bool:
    """Problems of the dataset folder itself; ``True`` when it can be read and written."""
    where = display(folder)
    resolved = folder.resolve()
    if resolved == RAW.resolve() or RAW.resolve() in resolved.parents:
        log.add(
            where,
            "data/raw is read-only by project rule; keep your dataset in another folder",
            allowed="--dataset data/dataset (the default) or a folder of your own",
        )
        return False
    if folder.exists() and not folder.is_dir():
        log.add(where, "the dataset must be a folder, not a file")
        return False
    if folder.is_dir() and current_version(folder) is None:
        loose = sorted(
            p.name
            for p in folder.iterdir()
            if p.is_file() and p.suffix.casefold() in CSV_SUFFIXES + XLSX_SUFFIXES
        )
        if loose:
            log.add(
                where,
                f"the folder holds data files ({', '.join(loose)}) but is not a dataset made "
                f"by add-year (no {POINTER} file); start the dataset in a new folder with "
                "`tees-analysis add-year FILES --dataset NEW_FOLDER`",
            )
            return False
    version = current_version(folder)
    if version is not None and not version.is_dir():
        log.add(
            display(folder / POINTER),
            f"names the version '{display(version)}', which does not exist",
            allowed=f"the name of a folder under {display(folder / VERSIONS)}",
        )
        return False
    unwritable = not_writable(folder)
    if unwritable is not None:
        log.add(where, unwritable)
        return False
    return True


def _probe_write(directory: Path) -> None:
    """Create and remove a temporary file in ``directory``; raise ``OSError`` if it cannot.

    Trying is the only test that holds everywhere: ``os.access`` says yes to root on a
    read-only folder, and knows nothing of read-only file systems or access control lists.
    On Linux the file never has a name (``O_TMPFILE``), so a kill leaves nothing behind;
    elsewhere a named ``.tees-write-check.*.tmp`` left by a kill is removed by :func:`recover`.
    """
    with tempfile.TemporaryFile(dir=directory, prefix=".tees-write-check.", suffix=".tmp"):
        pass


def not_writable(folder: Path | str) -> str | None:
    """Why add-year could not write the dataset in ``folder``; ``None`` when it can.

    Checks the folder (or, when it does not exist yet, the nearest folder above it that
    does) and its ``versions`` and ``replaced`` folders, by writing a temporary file. Takes no
    lock: a dry run never waits.
    """
    folder = Path(folder)
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    targets = [existing] + [folder / sub for sub in (VERSIONS, REPLACED) if (folder / sub).is_dir()]
    for target in targets:
        try:
            _probe_write(target)
        except OSError as err:  # permissions, a read-only file system, a file in the way...
            return _not_writable_message(folder, target, err)
    return None


def _not_writable_message(folder: Path, target: Path, err: OSError) -> str:
    reason = err.strerror or "permission denied"
    fix = (
        f"make it writable for you (e.g. chmod u+w {display(target)}), or give another folder "
        "with --dataset DIR"
    )
    if target == folder:
        return f"the dataset folder is not writable ({reason.lower()}): {fix}"
    if not folder.exists():
        return (
            f"the dataset folder does not exist and cannot be created: {display(target)} is "
            f"not writable ({reason.lower()}); {fix}"
        )
    return f"the dataset's folder {display(target)} is not writable ({reason.lower()}): {fix}"


def _kind(rec: dict) -> str:
    return rec.get("provenance") or CASE_RECORDS


def _check_provenance(kept: list[dict], new: list[dict], log: ProblemLog) -> None:
    """Refuse new reviews whose provenance would mix case records with made-up reviews."""
    old_kinds = {_kind(r) for r in kept}
    if not old_kinds:
        return
    made_up = sorted(old_kinds - {CASE_RECORDS})
    for rec in new:
        kind = _kind(rec)
        if kind == CASE_RECORDS and made_up:
            message = (
                f"the dataset holds {' and '.join(made_up)} reviews, not case records; add "
                "case records to a dataset of their own (add-year --dataset FOLDER)"
            )
        elif kind != CASE_RECORDS and CASE_RECORDS in old_kinds:
            message = (
                f"a {kind} review cannot join a dataset of case records; keep {kind} data "
                "apart (add-year --dataset FOLDER)"
            )
        else:
            continue
        add_problem(log, rec, message, "provenance", rec.get("provenance") or "")


def plan(paths, folder: Path | str = DEFAULT_DATASET, *, replace_year: bool = False) -> Plan:
    """Check new files against the dataset; raise ``ValidationError`` listing every problem.

    Writes nothing. The returned plan holds the merged tables as text.
    """
    folder = Path(folder)
    paths = [Path(p) for p in paths]
    log = ProblemLog()
    folder_ok = _check_folder(folder, log)
    base = current_version(folder) if folder_ok else None
    old = _clean(current_files(folder), log) if base is not None else dict.fromkeys(TABLES)
    # the dataset's own warnings were shown when its rows were added: not again
    log.problems = [p for p in log.problems if not p.is_warning]
    dataset_broken = bool(log)
    new = _clean(paths, log)
    if new["reviews"] is None and new["children"] is None and not log:
        log.add("(input)", "no reviews or children table in the files given")
    for table in TABLES:
        if new[table] is not None:
            check_unique(new[table], table, log)
    if new["children"] is not None:
        check_ages(new["children"], log)
        check_contradictions(new["children"], log)
    if dataset_broken:
        log.raise_if_any()

    old_reviews, old_children = _records(old["reviews"]), _records(old["children"])
    new_reviews, new_children = _records(new["reviews"]), _records(new["children"])

    # years already in the dataset
    old_years = Counter(r["year"] for r in old_reviews)
    replaced_years: set[int] = set()
    for rec in new_reviews:
        year = rec.get("year")
        if year is None or year not in old_years:
            continue
        if replace_year:
            replaced_years.add(year)
        else:
            add_problem(
                log,
                rec,
                f"year {year} is already in the dataset ({old_years[year]} review"
                f"{'s' if old_years[year] != 1 else ''}); to replace that year's reviews and "
                "their children, run add-year again with --replace-year",
                "year",
                year,
            )
    removed_ids = {r["review_id"] for r in old_reviews if r["year"] in replaced_years}
    kept_reviews = [r for r in old_reviews if r["review_id"] not in removed_ids]
    kept_children = [c for c in old_children if c["review_id"] not in removed_ids]

    # ids already in the dataset: duplicates and conflicts
    for table, news, olds in (
        ("reviews", new_reviews, kept_reviews),
        ("children", new_children, kept_children),
    ):
        key = KEYS[table]
        existing = {r[key]: r for r in olds}
        for rec in news:
            other = existing.get(rec.get(key))
            if other is None:
                continue
            where = f"{other['_file']} row {other['_row']}"
            mine, theirs = _signature(rec, table), _signature(other, table)
            differ = [name for name in mine if mine[name] != theirs[name]]
            if not differ:
                message = (
                    f"duplicate {key}: this row is already in the dataset ({where}); "
                    "remove it from the new file"
                )
            else:
                message = (
                    f"conflicting {key}: the dataset has a different row with this id ({where}; "
                    f"differs in {', '.join(differ)}); ids must be unique: give this row a new "
                    "id, or correct the dataset"
                )
            add_problem(log, rec, message, key, rec[key])

    # provenance: made-up reviews never join case records (as validate.check_provenance)
    _check_provenance(kept_reviews, new_reviews, log)

    # links between children and reviews
    new_review_ids = {r["review_id"] for r in new_reviews if r.get("review_id")}
    known = new_review_ids | {r["review_id"] for r in kept_reviews}
    for rec in new_children:
        rid = rec.get("review_id")
        if rid is None or rid in known:
            continue
        if rid in removed_ids:
            message = (
                "the child's review is in a year this run replaces, and is not in the files "
                "given; add the review to the new reviews table"
            )
        else:
            message = "the child's review is neither in the files given nor in the dataset"
        add_problem(log, rec, message, "review_id", rid)
    child_review_ids = {c["review_id"] for c in new_children if c.get("review_id")}
    kept_ids = {r["review_id"] for r in kept_reviews}
    for rec in new_reviews:
        rid = rec.get("review_id")
        if rid is not None and rid not in child_review_ids and rid not in kept_ids:
            add_problem(log, rec, "the review has no children in the files given", "review_id", rid)

    log.raise_if_any()

    merged = {"reviews": kept_reviews + new_reviews, "children": kept_children + new_children}
    texts = {t: _csv(merged[t], t) for t in TABLES}
    backups, replaced_counts = {}, {}
    for year in sorted(replaced_years):
        ids = {r["review_id"] for r in old_reviews if r["year"] == year}
        rows = {
            "reviews": [r for r in old_reviews if r["review_id"] in ids],
            "children": [c for c in old_children if c["review_id"] in ids],
        }
        backups[year] = {t: _csv(rows[t], t) for t in TABLES}
        replaced_counts[year] = {t: len(rows[t]) for t in TABLES}
    return Plan(
        folder=folder,
        base=base,
        texts=texts,
        backups=backups,
        counts={
            "reviews_added": len(new_reviews),
            "children_added": len(new_children),
            "reviews": len(merged["reviews"]),
            "children": len(merged["children"]),
        },
        years_added=sorted({r["year"] for r in new_reviews}),
        years_replaced=sorted(replaced_years),
        sources=[
            {"file": display(p), "sha256": hashlib.sha256(p.read_bytes()).hexdigest()}
            for p in paths
        ],
        replaced_counts=replaced_counts,
        warnings=log.warnings,
        paths=paths,
        replace_year=replace_year,
    )


def _csv(records: list[dict], table: str) -> str:
    columns = [f.name for f in FIELDS[table]]
    frame = pd.DataFrame(
        [[rec.get(c) for c in columns] for rec in records], columns=columns, dtype=object
    )
    return pipeline.to_csv_text(frame, table)


# --------------------------------------------------------------------------- writing


@dataclass(frozen=True)
class Result:
    """What :func:`apply` wrote."""

    version: Path
    backups: dict[int, Path]
    plan: Plan
    #: what interrupted add-years had left, moved aside: ``{old path: new path}``
    abandoned: dict[Path, Path] = field(default_factory=dict)
    #: whether the files were checked again, another add-year having changed the dataset
    rechecked: bool = False


#: ``OSError`` numbers of a file system that cannot lock files.
_CANNOT_LOCK = (errno.ENOLCK, errno.ENOSYS, errno.EOPNOTSUPP)


@contextlib.contextmanager
def _locked(folder: Path, wait: float | None = None):
    """Hold the dataset's lock (see the module docstring); :class:`DatasetBusy` after ``wait``."""
    path = folder / LOCK
    wait = LOCK_WAIT if wait is None else wait
    try:
        fd = lock.acquire(path, wait)
    except lock.Held as held:
        raise DatasetBusy(
            f"{display(path)}: another add-year is running on this dataset ({held.holder}); "
            f"this one waited {wait:g} seconds for it and has changed nothing. Run add-year "
            "again when the other has finished (its lock is freed when it ends, even if it "
            "is stopped: do not delete the lock file)"
        ) from None
    except OSError as err:
        if err.errno not in _CANNOT_LOCK:
            raise
        raise DatasetNotWritable(
            f"{display(path)}: the file system cannot lock files ({err.strerror}), so add-year "
            "cannot keep two runs apart; keep the dataset on a local disk or a network share "
            "that supports locks (--dataset DIR)"
        ) from None
    try:
        yield
    finally:
        lock.release(fd)


def _leading_number(name: str, prefix: str = "") -> int | None:
    """``3`` for ``0003`` and ``0003.abandoned`` (after ``prefix``); ``None`` for others."""
    match = re.fullmatch(rf"{re.escape(prefix)}(\d+)(\..*)?", name)
    return int(match[1]) if match else None


def _aside(path: Path) -> Path:
    """Rename ``path`` to ``NAME.abandoned`` (or ``NAME.abandoned-2``...); return the new path."""
    target, n = path.with_name(path.name + ABANDONED), 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}{ABANDONED}-{n}")
    path.rename(target)
    return target


def _temporary_files(folder: Path) -> list[Path]:
    """Temporary files in a dataset: ``.tmp/`` and those older versions wrote beside targets."""
    found = [folder / TMP] if (folder / TMP).exists() else []
    places = [folder]
    for sub in (VERSIONS, REPLACED):
        if (folder / sub).is_dir():
            places += [folder / sub, *(p for p in (folder / sub).iterdir() if p.is_dir())]
    for place in places:
        found += [p for p in place.glob(".*.tmp") if p.is_file()]
    return found


def _recover(folder: Path) -> tuple[list[Path], dict[Path, Path]]:
    """:func:`recover`, the lock held: what was removed, and what was moved aside (old: new)."""
    removed, moved = _temporary_files(folder), {}
    for path in removed:
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    current = current_version(folder)
    if current is not None and current.is_dir() and not (current / COMMITTED).is_file():
        # it is current, so it was complete: an older add-year was stopped before marking it
        atomic.write_text(current / COMMITTED, "", tmp_dir=folder / TMP)
    current_n = (current and _leading_number(current.name)) or 0

    def abandoned(version: Path) -> bool:
        """Newer than the current version and never marked complete: never current either."""
        number = _leading_number(version.name)
        return (
            number is not None
            and number > current_n
            and version != current
            and not (version / COMMITTED).is_file()
        )

    replaced = folder / REPLACED
    for path in sorted(replaced.iterdir()) if replaced.is_dir() else []:
        if not path.is_dir() or ABANDONED in path.name:
            continue
        try:
            made_for = json.loads((path / MANIFEST).read_text(encoding="utf-8"))["version"]
        except (OSError, ValueError, KeyError, TypeError):
            made_for = None  # stopped while writing it: before its version was marked
        if made_for is None or abandoned(folder / made_for):
            moved[path] = _aside(path)
    versions = folder / VERSIONS
    for path in sorted(versions.iterdir()) if versions.is_dir() else []:
        if path.is_dir() and path.name.isdigit() and abandoned(path):
            moved[path] = _aside(path)
    with contextlib.suppress(OSError):
        (folder / TMP).rmdir()
    return removed, moved


def recover(folder: Path | str = DEFAULT_DATASET, *, wait: float | None = None) -> list[Path]:
    """Tidy what an interrupted add-year left (under the lock); return the paths acted on.

    Removes temporary files; moves each version newer than the current one that was never
    marked ``COMMITTED`` (an interrupted add-year's: never complete, never current) to
    ``versions/NNNN.abandoned``, with its backups; marks the current version if it lacks the
    mark. A version that is or was current is kept, even after an undo. Every add-year does
    this first; nothing needs to call it by hand.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    with _locked(folder, wait):
        removed, moved = _recover(folder)
    return removed + list(moved)


def _next_free(parent: Path, prefix: str) -> int:
    """One more than the highest number among ``parent/PREFIX<n>*`` (abandoned ones too)."""
    taken = [_leading_number(p.name, prefix) for p in parent.glob(f"{prefix}*")]
    return max((n for n in taken if n is not None), default=0) + 1


def _json(data) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def apply(plan: Plan, *, wait: float | None = None) -> Result:
    """Write a checked plan: new version folder, backups, then switch ``CURRENT`` atomically.

    Takes the dataset's lock (waiting up to ``wait`` seconds, default :data:`LOCK_WAIT`),
    tidies what an interrupted add-year left, and checks the plan's files again if the dataset
    changed since the plan was made (raising ``ValidationError`` if they no longer fit).
    Raises :class:`DatasetBusy` when another add-year holds the lock throughout, and
    :class:`DatasetNotWritable` when the system refuses a write (the dataset is then as before:
    see the module docstring).
    """
    folder = plan.folder
    locked, before = False, None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with _locked(folder, wait):
            locked = True
            _removed, moved = _recover(folder)
            before = current_version(folder)
            checked = plan if before == plan.base else _check_again(plan)
            result = _apply(checked)
            with contextlib.suppress(OSError):
                (folder / TMP).rmdir()
    except atomic.RawDataIsReadOnly:
        raise
    except OSError as err:
        if not isinstance(err, PermissionError) and err.errno not in _NOT_WRITABLE:
            raise
        where = Path(err.filename).parent if err.filename else folder
        unchanged = not locked or current_version(folder) == before
        raise DatasetNotWritable(
            f"{display(folder)}: cannot write in {display(where)} "
            f"({(err.strerror or 'permission denied').lower()}); make the dataset folder "
            "writable for you, or give another folder with --dataset DIR"
            + ("; the dataset's current version is unchanged" if unchanged else "")
        ) from None
    return Result(
        result.version, result.backups, checked, abandoned=moved, rechecked=checked is not plan
    )


def _check_again(checked: Plan) -> Plan:
    """The plan's files checked against the dataset as it is now (another add-year changed it)."""
    if not checked.paths:
        raise DatasetBusy(f"{display(checked.folder)} changed since it was checked; run again")
    return plan(checked.paths, checked.folder, replace_year=checked.replace_year)


def _apply(plan: Plan) -> Result:
    """Write a plan whose base is the current version; the lock is held."""
    folder = plan.folder
    tmp = folder / TMP
    versions = folder / VERSIONS
    versions.mkdir(exist_ok=True)
    number = _next_free(versions, "")
    staged = versions / f"{number:04d}"
    staged.mkdir()
    name = f"{VERSIONS}/{staged.name}"
    manifest = {
        "version": name,
        "previous": None if plan.base is None else f"{VERSIONS}/{plan.base.name}",
        "created_utc": pd.Timestamp.now(tz="UTC").isoformat(timespec="seconds"),
        "files_added": plan.sources,
        "years_added": plan.years_added,
        "years_replaced": plan.years_replaced,
        **plan.counts,
    }
    files = {staged / FILE_NAMES[t]: plan.texts[t].encode("utf-8") for t in TABLES}
    files[staged / MANIFEST] = _json(manifest)
    if plan.base is None:
        files.setdefault(folder / ".gitignore", b"*\n")
        if not (folder / "README.md").exists():
            files[folder / "README.md"] = _README.encode("utf-8")
    atomic.write_files(files, tmp_dir=tmp)
    pipeline.load([staged / FILE_NAMES[t] for t in TABLES])  # the merged dataset is valid

    backups: dict[int, Path] = {}
    for year, texts in plan.backups.items():
        parent = folder / REPLACED
        parent.mkdir(exist_ok=True)
        target = parent / f"{year}-{_next_free(parent, f'{year}-')}"
        about = {"version": name, "year": year, "rows": plan.replaced_counts[year]}
        backup = {target / FILE_NAMES[t]: texts[t].encode("utf-8") for t in TABLES}
        backup[target / MANIFEST] = _json(about)
        atomic.write_files(backup, tmp_dir=tmp)
        backups[year] = target

    atomic.write_text(staged / COMMITTED, "", tmp_dir=tmp)  # complete: kept from now on
    try:
        atomic.write_text(folder / POINTER, name + "\n", tmp_dir=tmp)  # the commit point
    except BaseException:
        if current_version(folder) != staged:  # never current: the next run moves it aside
            with contextlib.suppress(OSError):
                (staged / COMMITTED).unlink()
        raise
    return Result(version=staged, backups=backups, plan=plan)


def add_year(
    paths,
    folder: Path | str = DEFAULT_DATASET,
    *,
    replace_year: bool = False,
    wait: float | None = None,
) -> Result:
    """Check, then merge new files into the dataset in ``folder`` (see the module docstring)."""
    return apply(plan(paths, folder, replace_year=replace_year), wait=wait)


# --------------------------------------------------------------------------- looking at a dataset


def manifest(folder: Path | str = DEFAULT_DATASET, version: Path | str | None = None) -> dict:
    """The ``manifest.json`` of a version (default: the current one) of the dataset."""
    version = current_version(folder) if version is None else Path(folder) / version
    if version is None:
        raise FileNotFoundError(f"{display(Path(folder))} is not a dataset (no {POINTER} file)")
    return json.loads((version / MANIFEST).read_text(encoding="utf-8"))


def manifest_table(folder: Path | str = DEFAULT_DATASET, version=None) -> pd.DataFrame:
    """What a version added, for reading: one row per item of its manifest.

    The time of the add-year and the files' checksums are left out (they are in the file).
    """
    about = manifest(folder, version)

    def years(values) -> str:
        return ", ".join(map(str, values)) or "none"

    rows = {
        "version": about["version"],
        "previous version": about["previous"] or "none (the dataset started here)",
        "files added": ", ".join(f["file"] for f in about["files_added"]),
        "years added": years(about["years_added"]),
        "years replaced": years(about["years_replaced"]),
        "reviews added": about["reviews_added"],
        "children added": about["children_added"],
        "reviews in the dataset": about["reviews"],
        "children in the dataset": about["children"],
    }
    return pd.DataFrame({"item": list(rows), "value": [str(v) for v in rows.values()]})


def snapshot(folder: Path | str) -> dict[str, str]:
    """Every file under ``folder`` (relative path, ``/``-separated) with the hash of its bytes.

    Two snapshots are equal iff nothing was written, changed or removed in between. Lock files
    (``.lock``: kept by add-year, empty unless it is running, never data) are left out.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return {}
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != LOCK
    }


__all__ = [
    "DEFAULT_DATASET",
    "DatasetBusy",
    "DatasetNotWritable",
    "Plan",
    "Result",
    "ValidationError",
    "add_year",
    "apply",
    "current_files",
    "current_version",
    "manifest",
    "manifest_table",
    "plan",
    "recover",
    "snapshot",
]
