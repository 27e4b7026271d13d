"""Where things live in the repository (one-way flow: raw -> processed -> figures)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
RAW = DATA / "raw"  # read-only: the analyst layout, never modified by code
PROCESSED = DATA / "processed"  # written by the main job
DATASET = DATA / "dataset"  # an analyst's own case data, kept by `tees-analysis add-year`
PUBLISHED = DATA / "published" / "figures.csv"  # the report's figures, used only to compare
CODEBOOK = DATA / "codebook.md"
FIGURES = ROOT / "figures"
NOTEBOOKS = ROOT / "notebooks"
FIXTURES = ROOT / "tests" / "fixtures"
TEMPLATES = ROOT / "templates"


def display(path: Path | str) -> str:
    """A path as shown to users: relative to the repository when inside it."""
    path = Path(path)
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)
