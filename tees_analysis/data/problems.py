"""Problems found in an input file, collected so that all of them are reported at once.

A problem is an *error* (the file is refused: nothing is loaded or written while one remains)
or a *warning* (something to check, e.g. two cells of a row that contradict each other, or a
column the file does not have; warnings never stop loading or writing). Both are listed with
the file, the spreadsheet row, the column and the value.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import pandas as pd


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input file.

    ``row`` is the spreadsheet row as the user sees it (the header is row 1, the first data row
    is row 2); ``None`` for problems of the whole file or a whole column. ``severity`` is
    ``"error"`` or ``"warning"`` (see the module docstring).
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    message: str
    allowed: str | None = None
    sheet: str | None = None
    severity: str = "error"

    @property
    def is_warning(self) -> bool:
        return self.severity == WARNING

    def where(self) -> str:
        place = self.file if self.sheet is None else f"{self.file} [sheet {self.sheet}]"
        if self.row is not None:
            place += f", row {self.row}"
        if self.column is not None:
            place += f", column '{self.column}'"
        return place

    def __str__(self) -> str:
        text = f"{self.where()}: {self.message}"
        if self.value is not None:
            text += f" (value: {self.value!r})"
        if self.allowed:
            text += f"; allowed: {self.allowed}"
        return text


ERROR, WARNING = "error", "warning"


class ValidationError(Exception):
    """Raised when input files have errors; carries every error, and every warning, found.

    ``problems`` holds the errors, ``warnings`` the warnings (each sorted by file and row).
    """

    def __init__(self, problems: list[Problem]):
        self.problems = sorted({p for p in problems if not p.is_warning}, key=_sort_key)
        self.warnings = sorted({p for p in problems if p.is_warning}, key=_sort_key)
        n = len(self.problems)
        lines = [f"{n} problem{'s' if n != 1 else ''} found; nothing was written:"]
        lines += [f"  - {p}" for p in self.problems]
        lines += warning_lines(self.warnings)
        super().__init__("\n".join(lines))


class UnexpectedError(Exception):
    """An exception nobody expected while reading ``file``: a bug to report, not a problem of
    the file that the analyst can correct. The original exception is its ``__cause__``."""

    def __init__(self, file: str):
        super().__init__(f"unexpected error reading {file}")
        self.file = file


def warning_lines(warnings) -> list[str]:
    """The warnings as text lines, after a heading saying what a warning is; none if none."""
    warnings = sorted(set(warnings), key=_sort_key)
    if not warnings:
        return []
    n = len(warnings)
    lines = [
        f"{n} warning{'s' if n != 1 else ''} (to check; warnings do not stop loading or writing):"
    ]
    return lines + [f"  - {p}" for p in warnings]


def _sort_key(p: Problem) -> tuple:
    return (p.file, p.sheet or "", p.row is not None, p.row or 0, p.column or "", p.message)


class ProblemLog:
    """Collects problems while files are read, cleaned and validated.

    A log is true when it holds an error; warnings alone do not make it true.
    """

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(
        self,
        file,
        message,
        *,
        row=None,
        column=None,
        value=None,
        allowed=None,
        sheet=None,
        severity=ERROR,
    ):
        if severity not in (ERROR, WARNING):
            raise ValueError(f"unknown severity {severity!r}")
        self.problems.append(
            Problem(str(file), row, column, value, message, allowed, sheet, severity)
        )

    def warn(self, file, message, **where) -> None:
        """Add a warning: something to check that does not stop loading or writing."""
        self.add(file, message, severity=WARNING, **where)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_warning]

    @property
    def warnings(self) -> list[Problem]:
        return sorted({p for p in self.problems if p.is_warning}, key=_sort_key)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        """Raise :class:`ValidationError` (with the warnings too) if there is any error."""
        if self.errors:
            raise ValidationError(self.problems)


def quote_list(values) -> str:
    """``'a', 'b', 'c'`` — a readable list of allowed values."""
    return ", ".join(f"'{v}'" for v in values)


def problems_frame(problems, severity: bool | None = None) -> pd.DataFrame:
    """Problems as a table (file, sheet, row, column, value, problem, allowed), for display.

    With ``severity`` a first column says ``error`` or ``warning``; by default it is there
    when any of the problems is a warning. Errors come before warnings.
    """
    problems = sorted(set(problems), key=lambda p: (p.is_warning, *_sort_key(p)))
    if severity is None:
        severity = any(p.is_warning for p in problems)
    rows = [
        {
            "severity": p.severity,
            "file": p.file,
            "sheet": p.sheet or "",
            "row": p.row,
            "column": p.column or "",
            "value": "" if p.value is None else p.value,
            "problem": p.message,
            "allowed": p.allowed or "",
        }
        for p in problems
    ]
    columns = ["severity", "file", "sheet", "row", "column", "value", "problem", "allowed"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["row"] = frame["row"].astype("Int64")
    return frame if severity else frame.drop(columns=["severity"])


def relative_to(problems, folder) -> list[Problem]:
    """``problems`` with every path under ``folder`` written relative to it.

    For showing the problems of files in a folder whose own location does not matter (a
    temporary folder, say): ``/tmp/abc123/dataset/reviews.csv`` becomes ``dataset/reviews.csv``
    in the file and in the message, whichever way the path was written (as given, resolved,
    or relative to the repository).
    """
    from ..paths import display

    folder = Path(folder)
    prefixes = {str(folder), str(folder.resolve()), display(folder)}
    prefixes = sorted((p.rstrip("/\\") for p in prefixes if p not in ("", ".")), key=len)

    def strip(text):
        if text is None:
            return None
        if text in prefixes:  # the folder itself
            return "."
        for prefix in reversed(prefixes):  # longest first
            for sep in ("/", "\\"):
                text = text.replace(prefix + sep, "")
        return text

    return [dataclasses.replace(p, file=strip(p.file), message=strip(p.message)) for p in problems]
