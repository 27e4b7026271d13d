"""Hypothesis strategies for valid case-level datasets, drawn from the schema.

:func:`raw_datasets` draws the two tables as an analyst would type them -- headers and cell
text -- from the fields, kinds and categories of :mod:`tees_analysis.data.schema`, so that a new
field or category is drawn without touching this file. Every drawn dataset is valid: the
property tests load it through the same cleaning and validation as an analyst's file
(:func:`load`), and a dataset that fails to load is a bug in this strategy or in the cleaning.

What varies: 1 to 60 children in 1 to 60 reviews; any non-empty subset of the partnerships;
one year or several, with gaps; any categories (a category may never be used, or be the only
one); multi-valued fields with one or several labels; yes/no factors all yes, all no, all
blank, all not recorded, or mixed; optional columns present or absent; blank optional cells;
labels typed as canonical labels or as the schema's synonyms; blank provenance (case records)
or one made-up provenance for every review.
"""

from __future__ import annotations

import csv
import functools
import tempfile
from dataclasses import dataclass
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st

from tees_analysis.data import pipeline
from tees_analysis.data.schema import (
    CASE_RECORDS,
    FICTIONAL,
    FIELDS,
    NO_TOKENS,
    NOT_RECORDED,
    RECONSTRUCTED,
    YES_TOKENS,
    Field,
    field,
)
from tees_analysis.data.validate import UNDER_2_MONTHS

PARTNERSHIPS = field("reviews", "partnership").labels
#: How the yes/no columns of one dataset are filled.
YES_NO_MODES = ("mixed", "all yes", "all no", "all blank", "all not recorded")
#: What the provenance column holds (the same for every review: made-up rows never mix).
PROVENANCES = ("", CASE_RECORDS, FICTIONAL, RECONSTRUCTED)


@dataclass(frozen=True)
class RawDataset:
    """Two tables as text: headers and rows of cells, as an analyst's CSV files hold them."""

    reviews: tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]
    children: tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]

    @property
    def n_children(self) -> int:
        return len(self.children[1])

    def write(self, folder: Path) -> list[Path]:
        """The two tables as CSV files in ``folder``."""
        paths = []
        for name, (headers, rows) in (("reviews", self.reviews), ("children", self.children)):
            path = Path(folder) / f"{name}.csv"
            with path.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(headers)
                writer.writerows(rows)
            paths.append(path)
        return paths


def load(raw: RawDataset) -> pipeline.Dataset:
    """Load a drawn dataset the way an analyst's files are loaded (files in a temporary folder)."""
    with tempfile.TemporaryDirectory(prefix="tees-hypothesis-") as folder:
        return pipeline.load(raw.write(Path(folder)))


@functools.cache
def _spellings(f: Field, labels: tuple[str, ...]) -> tuple[str, ...]:
    """Every way the schema lets an analyst type the ``labels`` of ``f``."""
    return tuple(
        typed for c in f.categories if c.label in labels for typed in (c.label, *c.synonyms)
    )


_BOOLEANS = st.booleans()
_MONTHS = st.integers(0, 215)


@functools.cache
def _sampled(values: tuple) -> st.SearchStrategy:
    """``st.sampled_from(values)``, built once (building strategies dominates the draw time)."""
    return st.sampled_from(values)


def _typed(draw, f: Field, labels: tuple[str, ...]) -> str:
    """One label of ``f`` (from ``labels``), typed as the label or one of its synonyms."""
    return draw(_sampled(_spellings(f, labels)))


def _category(draw, f: Field, used: tuple[str, ...]) -> str:
    return _typed(draw, f, used)


def _multi(draw, f: Field, used: tuple[str, ...]) -> str:
    real = tuple(label for label in used if label != NOT_RECORDED)
    if not real or (NOT_RECORDED in used and draw(_BOOLEANS)):
        return _typed(draw, f, (NOT_RECORDED,))
    chosen = draw(st.lists(_sampled(real), min_size=1, max_size=3, unique=True))
    return "; ".join(_typed(draw, f, (label,)) for label in chosen)


_YES_NO = {
    "all yes": YES_TOKENS[:4],
    "all no": tuple(t for t in NO_TOKENS if t),
    "all blank": ("",),
    "all not recorded": (NOT_RECORDED, "N/K", "unknown"),
    "mixed": (*YES_TOKENS[:3], *NO_TOKENS[:3], "", NOT_RECORDED),
}


def _yes_no(draw, mode: str) -> str:
    return draw(_sampled(_YES_NO[mode]))


def _used_labels(draw, f: Field) -> tuple[str, ...]:
    """The categories a dataset uses for ``f``: any non-empty subset (some never used)."""
    labels = f.labels
    return tuple(draw(st.lists(st.sampled_from(labels), min_size=1, unique=True)))


def _age(draw, mode: str) -> tuple[str, str]:
    """(age_months, age_band) that agree, for a file with ``mode``'s age columns."""
    if mode == "band only":
        return "", draw(_sampled(("under 2", "2 and over", NOT_RECORDED, "N/K", "baby")))
    months = draw(_MONTHS)
    if mode == "months only":
        return str(months), ""
    if draw(_BOOLEANS):  # both columns, the age in months left blank
        return "", draw(_sampled(("under 2", "2 and over", NOT_RECORDED)))
    band = "under 2" if months < UNDER_2_MONTHS else "2 and over"
    return str(months), draw(_sampled((band, "", NOT_RECORDED)))


def _cell(draw, f: Field, used: dict, yes_no_mode: str) -> str:
    """A cell of an ordinary field, by its kind (identifiers, years and ages are drawn apart)."""
    if f.kind == "yes_no":
        return _yes_no(draw, yes_no_mode)
    if f.kind == "category":
        return _category(draw, f, used[f.name])
    if f.kind == "multi_category":
        return _multi(draw, f, used[f.name])
    return ""  # free text (the pseudonym): left blank


@st.composite
def raw_datasets(draw, max_children: int = 60) -> RawDataset:
    """A valid dataset of 1 to ``max_children`` children, typed as an analyst would."""
    n_children = draw(st.integers(1, max_children))
    n_reviews = draw(st.integers(1, n_children))
    # every review has at least one child; the others are spread at random
    owners = list(range(n_reviews)) + draw(
        st.lists(st.integers(0, n_reviews - 1), min_size=n_children - n_reviews,
                 max_size=n_children - n_reviews)
    )  # fmt: skip
    partnerships = draw(st.lists(st.sampled_from(PARTNERSHIPS), min_size=1, unique=True))
    first = draw(st.integers(2010, 2020))  # the last year drawn is at most 2025: not the future
    years = draw(st.lists(st.integers(first, first + 5), min_size=1, max_size=4, unique=True))
    provenance = draw(st.sampled_from(PROVENANCES))
    yes_no_mode = draw(st.sampled_from(YES_NO_MODES))
    age_mode = draw(st.sampled_from(("months only", "band only", "both")))
    optional = {
        f.name: draw(st.booleans())
        for table in FIELDS.values()
        for f in table
        if not f.required and f.name not in ("age_months", "age_band", "provenance")
    }

    with_provenance = bool(provenance) or draw(st.booleans())
    review_fields = [
        f
        for f in FIELDS["reviews"]
        if f.required or optional.get(f.name) or (f.name == "provenance" and with_provenance)
    ]
    used = {
        f.name: _used_labels(draw, f)
        for table in FIELDS.values()
        for f in table
        if f.kind in ("category", "multi_category") and f.name not in ("partnership", "provenance")
    }
    review_rows = []
    for r in range(n_reviews):
        cells = []
        for f in review_fields:
            if f.name == "review_id":
                cells.append(f"R{r + 1:02d}")
            elif f.name == "partnership":
                cells.append(_typed(draw, f, tuple(partnerships)))
            elif f.name == "year":
                cells.append(str(draw(_sampled(tuple(years)))))
            elif f.name == "provenance":
                cells.append(provenance)
            else:
                cells.append(_cell(draw, f, used, yes_no_mode))
        review_rows.append(tuple(cells))

    child_fields = [
        f
        for f in FIELDS["children"]
        if (f.required or optional.get(f.name))
        or (f.name == "age_months" and age_mode != "band only")
        or (f.name == "age_band" and age_mode != "months only")
    ]
    child_rows = []
    for c, owner in enumerate(owners):
        months, band = _age(draw, age_mode)
        cells = []
        for f in child_fields:
            if f.name == "child_id":
                cells.append(f"C{c + 1:02d}")
            elif f.name == "review_id":
                cells.append(f"R{owner + 1:02d}")
            elif f.name == "age_months":
                cells.append(months)
            elif f.name == "age_band":
                cells.append(band)
            else:
                cells.append(_cell(draw, f, used, yes_no_mode))
        child_rows.append(tuple(cells))
    return RawDataset(
        (tuple(f.name for f in review_fields), tuple(review_rows)),
        (tuple(f.name for f in child_fields), tuple(child_rows)),
    )


def examples(n: int) -> int:
    """``n`` examples under the ``ci`` profile; proportionally more under ``dev``.

    Tests ask for the number that keeps the suite fast; the ``dev`` profile of
    ``tests/conftest.py`` (1,000 examples where ``ci`` has the default 100) scales it by ten.
    """
    return max(1, n * settings.default.max_examples // 100)
