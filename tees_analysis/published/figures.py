"""The report's published figures (``data/published/figures.csv``), read for comparison only.

This is the only file in the project where published values live. Code may read it to compare
a recomputed figure with the published one, to constrain the reconstruction, or to name figures
in documentation; it never feeds a published value into the computation of a figure.
"""

from __future__ import annotations

import pandas as pd

from ..paths import PUBLISHED

COLUMNS = {
    "figure_id": "Stable identifier: partnership or section prefix, measure, category.",
    "section": "Heading of the report section where the figure stands.",
    "partnership": "STSCP, HSSCP, or Tees for figures about both partnerships.",
    "measure": "What is measured (outcome, sex, csc_status, theme_children...).",
    "category": "The category the figure is about, in the report's words (lower case).",
    "value": "The published value (a count, or a whole-number percent).",
    "unit": "count or percent.",
    "stated_denominator": "The denominator where the report states one (e.g. 27 in '11 out of "
    "27 children'); blank where it is not stated and must be inferred.",
    "counts": "What is counted: children or reviews.",
    "source_line": "Line of the report text (shared/source) where the figure stands.",
}
PARTNERSHIPS = ("STSCP", "HSSCP", "Tees")
UNITS = ("count", "percent")


def load_published(path=PUBLISHED) -> pd.DataFrame:
    """The published figures, one row each, checked for shape; raises ``ValueError`` if bad."""
    frame = pd.read_csv(path, dtype={"stated_denominator": "Int64"})
    problems = check_published(frame)
    if problems:
        raise ValueError(f"{path}: " + "; ".join(problems))
    return frame


def check_published(frame: pd.DataFrame) -> list[str]:
    """Every way ``frame`` departs from the documented layout of the published-figures file."""
    problems = []
    if list(frame.columns) != list(COLUMNS):
        problems.append(f"columns must be {list(COLUMNS)}, found {list(frame.columns)}")
        return problems
    if frame["figure_id"].duplicated().any():
        problems.append(
            f"duplicate ids {sorted(frame.loc[frame.figure_id.duplicated(), 'figure_id'])}"
        )
    for column, allowed in (("partnership", PARTNERSHIPS), ("unit", UNITS)):
        bad = sorted(set(frame[column]) - set(allowed))
        if bad:
            problems.append(f"{column} has {bad}; allowed {list(allowed)}")
    bad_counts = sorted(set(frame["counts"]) - {"children", "reviews"})
    if bad_counts:
        problems.append(f"counts has {bad_counts}")
    percent = frame["unit"] == "percent"
    if ((frame.loc[percent, "value"] < 0) | (frame.loc[percent, "value"] > 100)).any():
        problems.append("a percent outside 0-100")
    return problems
