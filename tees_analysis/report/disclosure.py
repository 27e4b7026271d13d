"""Publication tables of the main counts, with statistical disclosure control.

``tees-analysis export --suppress`` writes one long table (CSV and ``.xlsx``): for each
partnership (STSCP, HSSCP and Tees, the two together), measure and category, the count, the
denominator and the percent. Measures come from :mod:`tees_analysis.data.schema`: every category
field, each label of a multi-valued field, each yes/no factor, each learning theme (counted in
reviews and in the children of those reviews) and the derived age band (under 2).

Disclosure control follows the style of the DfE's children's social care statistics
(:mod:`tees_analysis.report.suppression` for one table):

* **primary suppression**: counts from 1 to the threshold (default 5) are shown as ``c``;
  zeros are not suppressed for being small (they may be as further cells);
* **secondary suppression**: each measure is a table of categories x partnerships whose
  columns add up to the denominators (published) and whose rows add up to the Tees column.
  Further cells are suppressed until no line has exactly one suppressed cell, and until an
  exact check finds every suppressed small count **protected**: some table of whole numbers
  consistent with everything published gives it 0, or some gives it more than the threshold,
  so a reader cannot tell it from no child, nor from a count that would have been shown;
* **across tables**: the tables of one dataset -- every single year, all years, and every
  range of consecutive years -- are suppressed together, so that no combination of them (all
  years minus 2017-2020, say) gives a hidden count away (:mod:`tees_analysis.report.differencing`):
  each single year is suppressed on its own; the all-years table further, until an integer
  program finds every hidden small count protected, of one year, of all years and of every
  range, given every table together; a range shows only the counts that follow from the
  single-year and all-years tables. So the pattern comes from the whole dataset and is the
  same whichever table is asked for first; years that do not follow one another (``--year
  2018 --year 2021`` when the data hold 2020) are refused. Tables published from an earlier
  version of the dataset are taken into account when named (``earlier``, ``--previous-release``);
* yes/no items (a factor, a theme, one label of a multi-valued field) are tables of two rows,
  the item and its complement; the complement row is not printed (it is the denominator minus
  the count) but it is protected like any cell, so "26 of 27" is suppressed as well as "1 of 27";
* percentages of suppressed counts are suppressed; a percent with a zero denominator is ``z``
  (not applicable). Percents are whole numbers, rounded half up.

Denominators (the numbers of reviews and children in each partnership) are not suppressed:
each review is published by its partnership, so they are public already.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..data import atomic
from ..data.csvsafe import inert
from ..data.schema import FIELDS, THEMES, field, theme_field
from . import differencing
from .suppression import THRESHOLD, suppress

SUPPRESSED = "c"
NOT_APPLICABLE = "z"
PARTNERSHIPS = ("STSCP", "HSSCP")
TOTAL = "Tees"
COLUMNS = ["partnership", "measure", "category", "counts", "count", "denominator", "percent"]
NAMES = {True: "publication_tables", False: "UNSUPPRESSED_counts"}


# --------------------------------------------------------------------------- the measures


@dataclass(frozen=True)
class Block:
    """One measure as a categories x partnerships table whose rows partition each column.

    ``shown`` says which rows are printed: the complement row of a yes/no item is not.
    """

    measure: str
    counts: str
    categories: tuple[str, ...]
    shown: tuple[bool, ...]
    values: tuple[tuple[int, ...], ...]
    denominators: tuple[int, ...]


def _groups(frame: pd.DataFrame, years=None) -> np.ndarray:
    """Each row's group: its partnership's index, or with ``years`` (the years of the rows,
    aligned with ``frame``) ``year index * 2 + partnership index``; -1 for rows of neither."""
    partnership = frame["partnership"].astype("string")
    codes = np.full(len(frame), -1)
    for k, p in enumerate(PARTNERSHIPS):
        codes[(partnership == p).fillna(False).to_numpy(bool)] = k
    if years is None:
        return codes
    return np.where((codes >= 0) & (years >= 0), years * len(PARTNERSHIPS) + codes, -1)


def _count(codes: np.ndarray, chosen, groups: int) -> tuple[int, ...]:
    chosen = np.asarray(chosen, bool) & (codes >= 0)
    return tuple(int(v) for v in np.bincount(codes[chosen], minlength=groups))


def _binary(measure, counts, label, codes, groups, chosen) -> Block:
    yes = _count(codes, chosen, groups)
    sizes = _count(codes, np.ones(len(codes), bool), groups)
    return Block(
        measure,
        counts,
        (label, f"not {label}"),
        (True, False),
        (yes, tuple(n - y for n, y in zip(sizes, yes, strict=True))),
        sizes,
    )


def _partition(measure, counts, labels, codes, groups, column: pd.Series) -> Block:
    column = column.astype("string")
    values = tuple(
        _count(codes, (column == label).fillna(False).to_numpy(bool), groups) for label in labels
    )
    sizes = _count(codes, np.ones(len(codes), bool), groups)
    return Block(measure, counts, tuple(labels), (True,) * len(labels), values, sizes)


def _flag(series: pd.Series) -> np.ndarray:
    return series.fillna(False).astype(bool).to_numpy(bool)


def blocks(reviews: pd.DataFrame, children: pd.DataFrame) -> list[Block]:
    """Every measure of the publication tables, from clean tables with derived fields."""
    return _blocks(reviews, children, _groups(reviews), _groups(children), len(PARTNERSHIPS))


def blocks_by_year(reviews: pd.DataFrame, children: pd.DataFrame, years) -> list[list[Block]]:
    """:func:`blocks` of each of ``years`` (in that order): the reviews of the year and their
    children; counted in one pass."""
    index = {int(y): k for k, y in enumerate(years)}
    of_review = reviews["year"].map(lambda y: index.get(int(y), -1) if pd.notna(y) else -1)
    year_of = dict(zip(reviews["review_id"], of_review, strict=True))
    of_child = children["review_id"].map(lambda r: year_of.get(r, -1))
    width = len(PARTNERSHIPS)
    every = _blocks(
        reviews,
        children,
        _groups(reviews, of_review.to_numpy(int)),
        _groups(children, of_child.to_numpy(int)),
        width * len(index),
    )
    out = []
    for k in range(len(index)):
        cut = slice(k * width, (k + 1) * width)
        out.append(
            [
                Block(
                    b.measure,
                    b.counts,
                    b.categories,
                    b.shown,
                    tuple(row[cut] for row in b.values),
                    b.denominators[cut],
                )
                for b in every
            ]
        )
    return out


def _blocks(reviews, children, review_codes, child_codes, groups) -> list[Block]:
    out: list[Block] = []
    for f in FIELDS["reviews"]:
        if f.kind == "category" and f.name not in ("partnership", "provenance"):
            out.append(
                _partition(f.name, "reviews", f.labels, review_codes, groups, reviews[f.name])
            )
    flagged = {}
    for code, name in THEMES:
        column = theme_field(code)
        chosen = _flag(reviews[column])
        out.append(_binary("theme_reviews", "reviews", name, review_codes, groups, chosen))
        flagged[name] = set(reviews.loc[chosen, "review_id"])
    for name, ids in flagged.items():
        chosen = children["review_id"].isin(ids).to_numpy(bool)
        out.append(_binary("theme_children", "children", name, child_codes, groups, chosen))
    under_2 = children["under_2"].astype("boolean")
    band = pd.Series("not recorded", index=children.index, dtype="string")
    band = band.mask(under_2.fillna(False), "under 2").mask(~under_2.fillna(True), "2 and over")
    labels = field("children", "age_band").labels
    out.append(_partition("age", "children", labels, child_codes, groups, band))
    for f in FIELDS["children"]:
        if f.kind == "category" and f.name != "age_band":
            out.append(
                _partition(f.name, "children", f.labels, child_codes, groups, children[f.name])
            )
        elif f.kind == "multi_category":
            for label in f.labels:
                chosen = children[f.name].map(lambda v, lab=label: lab in v).to_numpy(bool)
                out.append(_binary(f.name, "children", label, child_codes, groups, chosen))
        elif f.kind == "yes_no":
            chosen = _flag(children[f.name])
            out.append(_binary("factor", "children", f.label.lower(), child_codes, groups, chosen))
    return out


# --------------------------------------------------------------------------- the table


def percent(count: int, denominator: int) -> int | str:
    """Whole-number percent, rounded half up; ``z`` when the denominator is zero."""
    if denominator == 0:
        return NOT_APPLICABLE
    return (200 * count + denominator) // (2 * denominator)


def block_rows(block: Block, threshold: int | None = THRESHOLD, mask=None) -> list[dict]:
    """The printed rows of one block; ``threshold`` ``None`` = no suppression.

    ``mask`` (one row per category, one column per partnership and the total) says which cells
    to suppress; by default the block is suppressed as a table on its own.
    """
    width = len(PARTNERSHIPS)
    if mask is None:
        mask = (
            suppress(block.values, threshold)
            if threshold is not None
            else [[False] * (width + 1) for _ in block.values]
        )
    denominators = (*block.denominators, sum(block.denominators))
    rows = []
    for i, category in enumerate(block.categories):
        if not block.shown[i]:
            continue
        values = (*block.values[i], sum(block.values[i]))
        for j, partnership in enumerate((*PARTNERSHIPS, TOTAL)):
            hidden = mask[i][j]
            rows.append(
                {
                    "partnership": partnership,
                    "measure": block.measure,
                    "category": category,
                    "counts": block.counts,
                    "count": SUPPRESSED if hidden else values[j],
                    "denominator": denominators[j],
                    "percent": SUPPRESSED if hidden else percent(values[j], denominators[j]),
                }
            )
    return rows


def missing_years(reviews: pd.DataFrame, years) -> str | None:
    """Why ``years`` cannot be exported from ``reviews``: the years asked for that the data do
    not hold, and the years they hold; ``None`` when every year asked for is there.

    A year without reviews would give a table of zeros that looks like a result.
    """
    held = sorted({int(y) for y in reviews["year"].dropna()})
    missing = sorted({int(y) for y in years} - set(held))
    if not missing:
        return None
    return (
        f"no reviews of {_and_list(missing)} in the data, which hold "
        f"{'the years ' + _and_list(held) if held else 'no reviews'}; choose years among "
        "those, or leave out --year for every year"
    )


def _and_list(values) -> str:
    """``[2017, 2018, 2020]`` -> ``"2017, 2018 and 2020"``."""
    values = [str(v) for v in values]
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " and " + values[-1]


def publication_table(
    dataset, threshold: int | None = THRESHOLD, years=None, earlier=()
) -> pd.DataFrame:
    """The long table of every measure; ``threshold`` ``None`` = unsuppressed counts.

    ``dataset`` is a :class:`~tees_analysis.data.pipeline.Dataset`; ``years`` keeps only the
    reviews of those years (and their children). Raises ``ValueError`` when the data hold no
    review of a year asked for, or (with a threshold) when the years asked for do not follow
    one another (:func:`year_problem`).

    With a threshold, the cells to suppress come from the pattern of the whole dataset
    (:mod:`~tees_analysis.report.differencing`), so that the tables of every range of years
    can be published together; ``earlier`` names the last years of earlier versions of the
    dataset whose tables were published, which the new tables are then kept consistent with.
    """
    return publication_tables(dataset, threshold, [years], earlier)[0]


def publication_tables(
    dataset, threshold: int | None = THRESHOLD, year_sets=(None,), earlier=()
) -> list[pd.DataFrame]:
    """:func:`publication_table` of each of ``year_sets`` (``None`` = every year), counted
    once: the same tables as asked for one by one."""
    reviews, children = dataset.reviews, dataset.children
    for years in year_sets:
        problem = year_problem(reviews, years, threshold)
        if problem:
            raise ValueError(problem)
    if earlier and threshold is not None:
        problem = missing_years(reviews, earlier)
        if problem:
            raise ValueError(problem)
    held = sorted({int(y) for y in reviews["year"].dropna()})
    if threshold is None or not held:
        return [_frame(_alone(reviews, children, threshold, y)) for y in year_sets]
    by_year = blocks_by_year(reviews, children, held)
    measures = [[parts[k].values for parts in by_year] for k in range(len(by_year[0]))]
    patterns = differencing.patterns(held, measures, threshold, earlier)
    out = []
    for years in year_sets:
        chosen = set(held if years is None else (int(y) for y in years))
        rows = []
        for k, pattern in enumerate(patterns):
            inside = [parts[k] for y, parts in zip(held, by_year, strict=True) if y in chosen]
            rows += block_rows(_sum(inside), threshold, pattern.mask(sorted(chosen)))
        out.append(_frame(rows))
    return out


def _alone(reviews, children, threshold, years) -> list[dict]:
    """The rows of the table of ``years``, each measure suppressed on its own if at all."""
    if years is not None:
        reviews, children = _of_years(reviews, children, years)
    return [row for b in blocks(reviews, children) for row in block_rows(b, threshold)]


def _frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=COLUMNS)
    for column in ("count", "percent"):
        frame[column] = frame[column].astype(object)
    return frame


def year_problem(reviews: pd.DataFrame, years, threshold: int | None) -> str | None:
    """Why the table of ``years`` cannot be made from ``reviews``: years the data do not hold
    (:func:`missing_years`) or, for a suppressed table, years that do not follow one another
    (:func:`~tees_analysis.report.differencing.not_consecutive`); ``None`` when it can."""
    if years is None:
        return None
    problem = missing_years(reviews, years)
    if problem or threshold is None:
        return problem
    return differencing.not_consecutive(reviews["year"].dropna().unique(), years)


def _of_years(reviews: pd.DataFrame, children: pd.DataFrame, years):
    """The reviews of ``years`` and their children."""
    reviews = reviews[reviews["year"].isin(set(years))]
    return reviews, children[children["review_id"].isin(set(reviews["review_id"]))]


def _sum(parts: list[Block]) -> Block:
    """One block of several years: the counts and denominators of ``parts`` added up."""
    first = parts[0]
    values = tuple(
        tuple(sum(p.values[i][j] for p in parts) for j in range(len(first.values[i])))
        for i in range(len(first.values))
    )
    denominators = tuple(
        sum(p.denominators[j] for p in parts) for j in range(len(first.denominators))
    )
    return Block(first.measure, first.counts, first.categories, first.shown, values, denominators)


def notes(threshold: int | None) -> list[str]:
    """The notes printed with the tables."""
    lines = [
        "Tees child safeguarding practice reviews: counts by partnership, measure and category.",
        "Tees = STSCP and HSSCP together. counts = what is counted (children or reviews); "
        "denominator = all children (or reviews) of the partnership; percent = count / "
        "denominator, a whole number rounded half up.",
        "A child may count in several categories of living_arrangements and csc_status, and "
        "factors and themes are counted one by one, so those categories do not add up to the "
        "denominator.",
    ]
    if threshold is None:
        lines.insert(0, "UNSUPPRESSED COUNTS: NOT FOR PUBLICATION OR SHARING.")
    else:
        lines += [
            f"{SUPPRESSED} = suppressed to protect confidentiality: counts from 1 to "
            f"{threshold}, and further cells from which such a count could be worked out "
            "(secondary suppression; such a cell may be a zero). Percentages of suppressed "
            "counts are suppressed.",
            "Denominators (numbers of reviews and children) are not suppressed: every review "
            "is published by its partnership.",
            "The tables of single years, of all years and of ranges of years made from the same "
            "data are suppressed together, so that no combination of them gives a suppressed "
            "count away: a table of several years shows a count only where it follows from the "
            "tables of single years and of all years.",
        ]
    lines.append(f"{NOT_APPLICABLE} = not applicable (no children or reviews).")
    return lines


def xlsx_bytes(frame: pd.DataFrame, threshold: int | None) -> bytes:
    """The table as a reproducible workbook: a 'notes' sheet and a 'tables' sheet."""
    import openpyxl
    from openpyxl.styles import Alignment, Font

    from ..data.template import xlsx_bytes as save

    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "notes"
    for r, line in enumerate(notes(threshold), start=1):
        sheet.cell(row=r, column=1, value=line).alignment = Alignment(wrap_text=True)
    sheet.column_dimensions["A"].width = 110
    table = wb.create_sheet("tables")
    table.append(COLUMNS)
    for cell in table[1]:
        cell.font = Font(bold=True)
    for record in frame.itertuples(index=False):
        table.append(list(record))
        for cell in table[table.max_row]:
            if isinstance(cell.value, str) and cell.data_type == "f":
                cell.data_type = "s"  # text that looks like a formula stays text
    for letter, width in zip("ABCDEFG", (12, 22, 42, 10, 8, 12, 8), strict=True):
        table.column_dimensions[letter].width = width
    table.freeze_panes = "A2"
    return save(wb)


def write_export(frame: pd.DataFrame, out_dir: Path | str, threshold: int | None) -> list[Path]:
    """Write the table as CSV and ``.xlsx`` to ``out_dir`` atomically.

    No cell runs as a formula when a spreadsheet opens them: CSV text that starts like one gets
    a leading ``'`` (:func:`~tees_analysis.data.csvsafe.inert`); in the workbook it is text.
    """
    out_dir = Path(out_dir)
    name = NAMES[threshold is not None]
    text = inert(frame).to_csv(index=False, lineterminator="\n")
    files = {
        out_dir / f"{name}.csv": text.encode("utf-8"),
        out_dir / f"{name}.xlsx": xlsx_bytes(frame, threshold),
    }
    return atomic.write_files(files)
