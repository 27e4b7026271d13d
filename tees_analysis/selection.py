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

import os
import re
from dataclasses import dataclass
from pathlib import Path

from . import pipeline
from .paths import FIGURES, RAW, ROOT

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
    return pipeline.Dataset(
        reviews=reviews[keep].reset_index(drop=True),
        children=children.reset_index(drop=True),
        changes=dataset.changes,
        files=dataset.files,
    )


def load(selection: Selection | None = None) -> pipeline.Dataset:
    """Load, clean and validate the selection's files, then apply its filters."""
    selection = current() if selection is None else selection
    return apply(pipeline.load(selection.files), selection)
