"""Reconstruct a case-level dataset (every review and child) from the published figures.

No case-level data are public. The whole flow is one call, :func:`reconstruct_all`: inferred
denominators (:mod:`tees_analysis.published.denominators`) -> readings chosen and the integer
program solved (:mod:`.readings`, :mod:`.model`, :mod:`.solve`) -> the dataset built
(:mod:`.build`) -> conflicts explained (:mod:`.conflicts`) -> toxic-trio bounds
(:mod:`.bounds`). :func:`write_reconstruction` writes every output atomically, the raw tables
too (the one sanctioned writer of ``data/raw``); ``python -m tees_analysis.reconstruction``
regenerates them all. The result is deterministic: the same bytes on every run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import paths
from ..data import atomic
from ..data.pipeline import to_csv_text
from ..published.denominators import denominators_table
from ..published.figures import load_published
from ..published.measures import round_half_up
from ..published.rules import (
    Rules,
    load_rules,
)
from .bounds import trio_bounds
from .build import build_dataset
from .conflicts import alternative_rounding, conflicts_table
from .ilp import Solution
from .model import CaseModel
from .readings import ReadingSearch
from .readme import RAW_CHILDREN, RAW_REVIEWS, method_readme, raw_readme
from .solve import choose_dataset

# =========================================================================== result and outputs


@dataclass
class Reconstruction:
    """Everything :func:`reconstruct_all` found, and the files it writes."""

    rules: Rules
    figures: pd.DataFrame
    readings: dict[str, str]
    readings_table: pd.DataFrame
    model: CaseModel
    solution: Solution
    stages: list[tuple[str, float]]
    reviews: pd.DataFrame
    children: pd.DataFrame
    satisfied: pd.DataFrame
    denominators: pd.DataFrame
    conflicts: pd.DataFrame
    bounds: pd.DataFrame
    timings: dict[str, float]

    @property
    def satisfied_ids(self) -> list[str]:
        return self.model.satisfied_ids(self.solution)

    def files(self, data_dir: Path | None = None) -> dict[Path, bytes]:
        """Every output file's path and bytes (raw tables, READMEs and the tables)."""
        data_dir = paths.DATA if data_dir is None else Path(data_dir)
        raw, out = data_dir / "raw", data_dir / "reconstruction"
        texts = {
            raw / RAW_REVIEWS: to_csv_text(self.reviews, "reviews"),
            raw / RAW_CHILDREN: to_csv_text(self.children, "children"),
            raw / "README.md": raw_readme(self),
            out / "README.md": method_readme(self),
            out / "satisfied.csv": _csv(self.satisfied),
            out / "readings.csv": _csv(self.readings_table),
            out / "denominators.csv": _csv(self.denominators),
            out / "conflicts.csv": _csv(self.conflicts),
            out / "bounds.csv": _csv(self.bounds),
        }
        return {path: text.encode("utf-8") for path, text in texts.items()}


def _csv(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, lineterminator="\n")


def satisfied_table(
    model: CaseModel, solution: Solution, alternatives: pd.DataFrame
) -> pd.DataFrame:
    """Per figure: published and reconstructed values, satisfied or not, alternative rules."""
    rows = []
    for spec in model.plan.figures:
        k = solution.count(model.count[spec.figure_id])
        n = solution.count(model.denominator[spec.figure_id])
        value = k if spec.unit == "count" else (round_half_up(k, n) if n else None)
        row = {
            "figure_id": spec.figure_id,
            "partnership_counted": spec.partnership,
            "measure": spec.measure,
            "category": spec.category,
            "unit": spec.unit,
            "published": spec.value,
            "count": k,
            "denominator": n,
            "reconstructed": value,
            "satisfied": solution.value(model.z[spec.figure_id]) > 0.5,
        }
        for rule in model.plan.rules.alternatives:
            hit = alternatives[
                (alternatives.figure_id == spec.figure_id) & (alternatives.rule == rule)
            ]
            row[f"holds_{rule}"] = bool(hit["holds"].iloc[0]) if len(hit) else pd.NA
        rows.append(row)
    return pd.DataFrame(rows)


def reconstruct_all(rules: Rules | None = None, figures: pd.DataFrame | None = None,
                    threads: int = 2) -> Reconstruction:  # fmt: skip
    """Rules -> denominators -> readings and ILP -> dataset -> conflicts -> bounds."""
    clock, timings = time.perf_counter(), {}

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name], clock = now - clock, now

    figures = load_published() if figures is None else figures
    rules = load_rules(figures=figures) if rules is None else rules
    denominators = denominators_table(rules, figures)
    lap("denominators")
    search = ReadingSearch(rules, figures, threads)
    chosen = search.choose()
    table = search.table(chosen)
    evaluation = search.evaluate([chosen])[0]
    lap("ilp_readings")
    solution, stages = choose_dataset(evaluation.model, evaluation.solution)
    reviews, children = build_dataset(evaluation.model, solution)
    lap("ilp_dataset")
    conflicts = conflicts_table(evaluation.model, solution, threads)
    alternatives = alternative_rounding(evaluation.model, solution)
    lap("conflicts")
    bounds = trio_bounds(evaluation.model, solution, threads)
    lap("bounds")
    return Reconstruction(
        rules, figures, chosen, table, evaluation.model, solution, stages, reviews, children,
        satisfied_table(evaluation.model, solution, alternatives), denominators, conflicts,
        bounds, timings,
    )  # fmt: skip


def write_reconstruction(result: Reconstruction | None = None, data_dir: Path | None = None):
    """Write every output atomically (the raw tables too: the one sanctioned writer of raw)."""
    result = reconstruct_all() if result is None else result
    return atomic.write_files(result.files(data_dir), allow_raw=True)


def main() -> None:
    """Regenerate every output and print a summary."""
    result = reconstruct_all()
    for path in write_reconstruction(result):
        print(f"wrote {path}")
    print(f"{len(result.satisfied_ids)} of {len(result.figures)} figures satisfied")


if __name__ == "__main__":
    main()
