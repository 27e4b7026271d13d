"""Problems found in an input file, collected so that all of them are reported at once."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import pandas as pd


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input file.

    ``row`` is the spreadsheet row as the user sees it (the header is row 1, the first data row
    is row 2); ``None`` for problems of the whole file or a whole column.
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    message: str
    allowed: str | None = None
    sheet: str | None = None

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


class ValidationError(Exception):
    """Raised when input files have problems; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems), key=_sort_key)
        n = len(self.problems)
        lines = [f"{n} problem{'s' if n != 1 else ''} found; nothing was written:"]
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))


def _sort_key(p: Problem) -> tuple:
    return (p.file, p.sheet or "", p.row is not None, p.row or 0, p.column or "", p.message)


class ProblemLog:
    """Collects problems while files are read, cleaned and validated."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, file, message, *, row=None, column=None, value=None, allowed=None, sheet=None):
        self.problems.append(Problem(str(file), row, column, value, message, allowed, sheet))

    def __bool__(self) -> bool:
        return bool(self.problems)

    def raise_if_any(self) -> None:
        if self.problems:
            raise ValidationError(self.problems)


def quote_list(values) -> str:
    """``'a', 'b', 'c'`` — a readable list of allowed values."""
    return ", ".join(f"'{v}'" for v in values)


def problems_frame(problems) -> pd.DataFrame:
    """Problems as a table (file, sheet, row, column, value, problem, allowed), for display."""

    rows = [
        {
            "file": p.file,
            "sheet": p.sheet or "",
            "row": p.row,
            "column": p.column or "",
            "value": "" if p.value is None else p.value,
            "problem": p.message,
            "allowed": p.allowed or "",
        }
        for p in sorted(set(problems), key=_sort_key)
    ]
    frame = pd.DataFrame(
        rows, columns=["file", "sheet", "row", "column", "value", "problem", "allowed"]
    )
    frame["row"] = frame["row"].astype("Int64")
    return frame


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
