"""Which data the notebooks analyse, and where they write: the parameters of a rerun.

The committed notebooks analyse ``data/raw`` (all years, both partnerships) and write to
``figures/``. ``tees-analysis reproduce`` reruns them for another selection — an analyst's
dataset with a new year, a range of years, one partnership — by setting environment variables
that the notebooks' kernels inherit; notebooks read them only through this module:

=====================  ==================================================================
``TEES_DATA_FILES``    data files, separated by the OS path separator (default: data/raw)
``TEES_YEARS``         ``2017-2022`` or ``2021``: keep reviews completed in these years
``TEES_PARTNERSHIP``   ``STSCP`` or ``HSSCP``: keep one partnership's reviews
``TEES_OUTPUT_DIR``    folder for figures and tables (default: the repository's own)
=====================  ==================================================================
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

from .data import pipeline
from .data.schema import CASE_RECORDS, FICTIONAL, KEYS, RECONSTRUCTED, TABLES
from .data.validate import provenance_kinds
from .paths import FIGURES, RAW, ROOT
from .report import prose
from .report.captions import RECONSTRUCTED as REPORT_CAPTION
from .report.prose import year_spans

ENV_FILES = "TEES_DATA_FILES"
ENV_YEARS = "TEES_YEARS"
ENV_PARTNERSHIP = "TEES_PARTNERSHIP"
ENV_OUTPUT = "TEES_OUTPUT_DIR"
PARTNERSHIPS = ("STSCP", "HSSCP")


@dataclass(frozen=True)
class Selection:
    """Data files, filters and output folder of one run of the notebooks."""

    files: tuple[Path, ...]
    years: tuple[int, int] | None = None
    partnership: str | None = None
    output: Path | None = None

    @property
    def figures(self) -> Path:
        return FIGURES if self.output is None else self.output / "figures"

    @property
    def reports(self) -> Path:
        return ROOT / "reports" if self.output is None else self.output / "reports"

    @property
    def is_default(self) -> bool:
        return self.years is None and self.partnership is None and self.output is None

    def describe(self) -> str:
        years = "all years" if self.years is None else "-".join(map(str, sorted(set(self.years))))
        who = self.partnership or "both partnerships"
        return f"{years}, {who}; files: " + ", ".join(pipeline.display(f) for f in self.files)

    def environment(self) -> dict[str, str]:
        """The environment variables that make a kernel see this selection."""
        env = {ENV_FILES: os.pathsep.join(str(Path(f).resolve()) for f in self.files)}
        if self.years is not None:
            env[ENV_YEARS] = f"{self.years[0]}-{self.years[1]}"
        if self.partnership is not None:
            env[ENV_PARTNERSHIP] = self.partnership
        if self.output is not None:
            env[ENV_OUTPUT] = str(Path(self.output).resolve())
        return env


def parse_years(text: str) -> tuple[int, int]:
    """``"2017-2022"`` -> (2017, 2022); ``"2021"`` -> (2021, 2021)."""
    match = re.fullmatch(r"\s*(\d{4})\s*(?:-\s*(\d{4})\s*)?", text)
    if not match:
        raise ValueError(f"years must look like 2017-2022 or 2021, not {text!r}")
    first, last = int(match[1]), int(match[2] or match[1])
    if last < first:
        raise ValueError(f"years {text!r}: the range runs backwards")
    return first, last


def parse_partnership(text: str) -> str:
    value = text.strip().upper()
    if value not in PARTNERSHIPS:
        raise ValueError(f"partnership must be one of {', '.join(PARTNERSHIPS)}, not {text!r}")
    return value


def current(environ=None) -> Selection:
    """The selection the environment asks for (the committed default when nothing is set)."""
    environ = os.environ if environ is None else environ
    files = environ.get(ENV_FILES)
    paths = (
        tuple(Path(p) for p in files.split(os.pathsep) if p)
        if files
        else tuple(pipeline.data_files(RAW))
    )
    years = parse_years(environ[ENV_YEARS]) if environ.get(ENV_YEARS) else None
    who = environ.get(ENV_PARTNERSHIP)
    output = environ.get(ENV_OUTPUT)
    return Selection(
        paths,
        years,
        parse_partnership(who) if who else None,
        Path(output) if output else None,
    )


def apply(dataset: pipeline.Dataset, selection: Selection) -> pipeline.Dataset:
    """``dataset`` restricted to the selection's years and partnership."""
    reviews = dataset.reviews
    keep = reviews["review_id"].notna()
    if selection.years is not None:
        first, last = selection.years
        keep &= reviews["year"].between(first, last).fillna(False).astype(bool)
    if selection.partnership is not None:
        keep &= reviews["partnership"].astype(object).eq(selection.partnership)
    kept = reviews.loc[keep, "review_id"]
    children = dataset.children[dataset.children["review_id"].isin(kept)]
    return replace(
        dataset,
        reviews=reviews[keep].reset_index(drop=True),
        children=children.reset_index(drop=True),
    )


def load(selection: Selection | None = None) -> pipeline.Dataset:
    """Load, clean and validate the selection's files, then apply its filters."""
    selection = current() if selection is None else selection
    return apply(pipeline.load(selection.files), selection)


# --------------------------------------------------------------------------- what is analysed

#: What each provenance is called in labels and captions.
_PROVENANCE_WORDS = {
    RECONSTRUCTED: "reconstructed from the published figures",
    FICTIONAL: "fictional",
    CASE_RECORDS: "from the partnerships' case records",
}


def _rows(frame, table: str) -> str:
    return pipeline.to_csv_text(frame.sort_values(KEYS[table], kind="stable"), table)


def is_report_data(dataset: pipeline.Dataset) -> bool:
    """Whether ``dataset`` holds exactly the reviews and children of ``data/raw``.

    ``data/raw`` is the reconstruction of the report's reviews; only for it do the parts of
    the notebooks that set results beside the published figures (the audit, the exact bounds,
    the reconstruction's witnesses) apply. Any other data — another year, one partnership, an
    analyst's own records — are compared row by row, not by file name, so a rerun of the same
    data into another folder still counts as the report's data.
    """
    files = pipeline.data_files(RAW)
    if not files:
        return False
    report = _report_rows(tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files))
    return all(
        len(getattr(dataset, t)) == report[t][0] and _rows(getattr(dataset, t), t) == report[t][1]
        for t in TABLES
    )


@functools.lru_cache(maxsize=4)
def _report_rows(files: tuple[tuple[str, int, int], ...]) -> dict[str, tuple[int, str]]:
    """Per table of ``data/raw``: its number of rows and its rows as sorted CSV text (cached
    while the files keep their size and time)."""
    report = pipeline.load([Path(name) for name, _, _ in files])
    return {t: (len(getattr(report, t)), _rows(getattr(report, t), t)) for t in TABLES}


def provenance_years(reviews) -> dict[str, str]:
    """Each provenance of the reviews (blank = case records) with its years, oldest first."""
    kinds = provenance_kinds(reviews)
    order = reviews.assign(_kind=kinds).groupby("_kind")["year"].min().sort_values(kind="stable")
    return {kind: year_spans(reviews.loc[kinds == kind, "year"]) for kind in order.index}


@dataclass(frozen=True)
class About:
    """What a notebook run analyses, and what follows for the notebook.

    ``report``: the data are the report's (:func:`is_report_data`), so comparisons with the
    published figures apply. ``label``: the data in a few words (``"reconstructed"`` for the
    report's). ``provenance``: each provenance of the reviews with its years. :attr:`caption`:
    the line under every figure, saying where the data come from.
    """

    selection: Selection
    report: bool
    label: str
    reviews: int
    children: int
    years: str
    provenance: dict[str, str]

    @property
    def caption(self) -> str:
        """The figures' caption: the collection's own for the report's data."""
        if self.report:
            return REPORT_CAPTION
        kinds = self.provenance
        parts = [f"{years} {_PROVENANCE_WORDS.get(k, k)}" for k, years in kinds.items()]
        who = self.selection.partnership or "both partnerships"
        caption = f"Case-level data {self.years or 'no reviews'}, {who}: " + "; ".join(parts)
        if CASE_RECORDS not in kinds:
            caption += " (not the partnerships' records)"
        return caption + "."

    def note(self, left_out: str = "") -> str:
        """What a reader of a rerun must know, as Markdown; empty for the report's data.

        ``left_out`` names the parts of the notebook that compare with the published figures.
        """
        if self.report:
            return ""
        parts = left_out or "the parts that compare with the report's published figures"
        return (
            f"**This run analyses other data than the committed notebook:** {self.label} "
            f"({prose.plural(self.reviews, 'review')}, {prose.children(self.children)}; "
            f"{self.selection.describe()}). Every number below is computed from these data. "
            "The report's published figures describe its own reviews, so comparisons with "
            f"them do not apply here. Left out: {parts}, and the passages about the report's "
            "own data."
        )

    def show_note(self, left_out: str = "") -> None:
        """Show :meth:`note` as Markdown in a notebook (nothing for the report's data)."""
        prose.show(self.note(left_out))


def about(dataset: pipeline.Dataset, chosen: Selection | None = None) -> About:
    """Describe the data a notebook analyses (``chosen`` defaults to :func:`current`)."""
    chosen = current() if chosen is None else chosen
    report = is_report_data(dataset)
    kinds = provenance_years(dataset.reviews)
    if report:
        label = RECONSTRUCTED
    elif len(kinds) == 1:
        label = f"{next(iter(kinds))} {next(iter(kinds.values()))}"
    else:
        label = ", ".join(f"{kind} {years}" for kind, years in kinds.items())
    return About(
        selection=chosen,
        report=report,
        label=label,
        reviews=len(dataset.reviews),
        children=len(dataset.children),
        years=year_spans(dataset.reviews["year"]),
        provenance=kinds,
    )


# --------------------------------------------------------------------------- before a rerun


def holdings(dataset: pipeline.Dataset) -> str:
    """What ``dataset`` holds, in one line: reviews, children, years, partnerships, provenance."""
    reviews, children = dataset.reviews, dataset.children
    if reviews.empty:
        return "no reviews"
    parts = []
    who = reviews["partnership"].astype(object)
    for name in [p for p in PARTNERSHIPS if p in set(who)] + sorted(set(who) - set(PARTNERSHIPS)):
        n_children = int((children["partnership"].astype(object) == name).sum())
        parts.append(
            f"{name} {prose.plural(int((who == name).sum()), 'review')} "
            f"({prose.children(n_children)})"
        )
    kinds = provenance_years(reviews)
    provenance = "; ".join(f"{_PROVENANCE_WORDS.get(k, k)} {years}" for k, years in kinds.items())
    return (
        f"{prose.plural(len(reviews), 'review')} of {prose.children(len(children))}, "
        f"years {year_spans(reviews['year'])}: {', '.join(parts)}; {provenance}"
    )


def refusal(full: pipeline.Dataset, chosen: Selection, allow_missing_years: bool = False):
    """Why the selection ``chosen`` of the data ``full`` cannot be rerun, or ``None``.

    Refused: asked-for years with no review in the data (unless ``allow_missing_years``: a
    year with no reviews may be real), and a selection that holds no children.
    """
    held = sorted({int(y) for y in full.reviews["year"].dropna()})
    if chosen.years is not None and not allow_missing_years:
        first, last = chosen.years
        absent = [y for y in range(first, last + 1) if y not in held]
        if absent:
            return (
                f"the data hold no reviews from {year_spans(absent)} (they hold "
                f"{year_spans(held) or 'no years'}), so a rerun for {first}-{last} would "
                "silently analyse fewer years than asked. Ask for the years the data hold, or "
                "add --allow-missing-years if those years truly had no reviews."
            )
    selected = apply(full, chosen)
    if selected.children.empty:
        return (
            f"the selection ({chosen.describe()}) holds no children; the data hold {holdings(full)}"
        )
    return None
