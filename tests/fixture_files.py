"""Editable copies of the fictional fixture files, for tests that break or rename things.

Rows are held as the spreadsheet shows them (the header is row 1) and written back as CSV
files or a workbook in a test's temporary folder; the fixtures themselves are never changed.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl

from tees_analysis.data import template
from tees_analysis.data.schema import FIELDS

FIXTURES = Path(__file__).parent / "fixtures"
REVIEWS = FIXTURES / "fictional_reviews.csv"
CHILDREN = FIXTURES / "fictional_children.csv"
NEW = FIXTURES / "fictional_2022.xlsx"


def read_rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


class FixtureCopy:
    """The fictional reviews and children, to change and save in ``folder``."""

    def __init__(self, folder: Path):
        self.dir = Path(folder)
        self.dir.mkdir(exist_ok=True)
        self.rows = {"reviews": read_rows(REVIEWS), "children": read_rows(CHILDREN)}

    def set(self, table: str, row: int, header: str, value: str) -> None:
        """Set spreadsheet row ``row`` (header = row 1) of the column headed ``header``."""
        self.rows[table][row - 1][self.rows[table][0].index(header)] = value

    def rename(self, table: str, header: str, new: str) -> None:
        self.rows[table][0][self.rows[table][0].index(header)] = new

    def drop(self, table: str, *headers: str) -> None:
        for header in headers:
            k = self.rows[table][0].index(header)
            for row in self.rows[table]:
                del row[k]

    drop_column = drop

    def add_column(self, table: str, header: str, value: str) -> None:
        self.rows[table][0].append(header)
        for row in self.rows[table][1:]:
            row.append(value)

    def csv(self, table: str, name: str | None = None, encoding="utf-8", **options) -> Path:
        path = self.dir / (name or f"{table}.csv")
        text = io.StringIO()
        csv.writer(text, **options).writerows(self.rows[table])
        path.write_bytes(text.getvalue().encode(encoding))
        return path

    def both(self) -> list[Path]:
        """Both tables as ``reviews.csv`` and ``children.csv``."""
        return [self.csv("reviews"), self.csv("children")]

    def workbook(self, sheets: dict[str, str]) -> Path:
        """The tables as one workbook, each sheet named ``sheets[table]`` (values as typed)."""
        book = openpyxl.Workbook()
        book.remove(book.active)
        for table, title in sheets.items():
            ws = book.create_sheet(title)
            for row in self.rows[table]:
                ws.append([int(c) if c.isdigit() else c for c in row])
        path = self.dir / "cases.xlsx"
        book.save(path)
        return path

    def template_workbook(self):
        """The rows in the data-entry template (headers mapped to field names by position)."""
        records = {}
        for table, rows in self.rows.items():
            names = [f.name for f in FIELDS[table]]
            records[table] = [dict(zip(names, r, strict=True)) for r in rows[1:]]
        return template.build_workbook(records)

    def xlsx(self, wb, name: str = "cases.xlsx") -> Path:
        path = self.dir / name
        path.write_bytes(template.xlsx_bytes(wb))
        return path
