"""Benchmark of ``tees-analysis validate`` on a national-scale collection of analyst files.

Run ``python benchmarks/bench_validate.py [runs] [children]`` (defaults: 5 runs, 100,000
children). The files are made once, untimed, from
:func:`tees_analysis.analysis.synthetic.synthetic` (its fixed seed) written in the analyst
layout of the codebook, as an analyst would type them: labels typed as the schema's synonyms
(``Mother & Partner``, ``South Tees``, ``CIN``, ``Y``/``n``/blank...) so that cleaning has real
work, every row valid (no errors; no contradiction warnings). They are written twice: as
``reviews.csv`` and ``children.csv``, and as one workbook ``cases.xlsx`` with sheets
``reviews`` and ``children``.

For each format it takes the median over the runs of:

* ``validate`` -- :func:`tees_analysis.data.pipeline.load` on the files, in-process: reading,
  cleaning, validating and deriving, what ``tees-analysis validate`` does before it prints;
* ``floor`` -- only reading the same files, measured in the same run just before:
  ``pandas.read_csv(dtype=str, keep_default_na=False)`` of both CSV files (C code, no
  checks); for the workbook, unzipping each sheet and parsing its XML with the standard
  library's expat parser, with no handler (the least any reader of the file must do). The
  usual way to read a workbook, openpyxl's read-only ``iter_rows``, is slower than our whole
  ``validate`` here (it parses with pure Python when defusedxml is installed): no floor.

It reports the ratio validate / floor and the peak memory of one validate (``tracemalloc``,
untimed). Targets for 100,000 children on 2 cores: CSV at most 5 s, workbook at most 20 s.
Results go to ``benchmarks/results/validate.json``.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
from common import rounded, save_record

from tees_analysis.analysis import synthetic
from tees_analysis.data import pipeline
from tees_analysis.data.schema import FIELDS, THEMES, theme_field

N_CHILDREN = 100_000
TARGETS = {"csv": 5.0, "xlsx": 20.0}
#: First year of the synthetic reviews; they span eight years from it.
FIRST_YEAR = 2017

# What an analyst types for each label: the canonical label and some of its synonyms.
PARTNERSHIPS = (("STSCP", "South Tees", "South Tees SCP"),
                ("HSSCP", "Hartlepool and Stockton", "North Tees"))  # fmt: skip
REVIEW_TYPES = ("CSPR", "serious case review", "learning review", "LCSPR", "SCR")
YES = ("yes", "Y", "y", "TRUE", "1")
NO = ("no", "N", "n", "", "")
SEX = ("male", "female", "M", "F", "boy", "girl", "not recorded")
OUTCOMES = {"died": ("died", "Died", "death"), "significant harm": ("significant harm", "SH"),
            "not recorded": ("not recorded", "N/K")}  # fmt: skip
BANDS = {"under 2": ("under 2", "Under 2", "u2"), "2 and over": ("2 and over", "2+"),
         "not recorded": ("not recorded", "N/K")}  # fmt: skip
LIVING = ("mother", "Mother & Partner", "both parents", "in care; mother", "Grandparents",
          "father", "not recorded", "mum and dad")  # fmt: skip
CSC = ("CP plan", "CIN", "in our care", "early help", "CP Plan ; LAC", "recently closed")
HARM = ("NAI", "emotional", "sexual abuse", "other", "not recorded")
PLAN = ("physical abuse", "emotional abuse", "multiple", "no plan", "n/a", "not recorded")


def _pick(rng: np.random.Generator, choices, n: int) -> np.ndarray:
    return np.asarray(choices, dtype=object)[rng.integers(0, len(choices), n)]


def _yes_no(rng: np.random.Generator, flags) -> np.ndarray:
    flags = np.asarray(flags, dtype=bool)
    return np.where(flags, _pick(rng, YES, len(flags)), _pick(rng, NO, len(flags)))


def tables(n_children: int = N_CHILDREN) -> dict[str, pd.DataFrame]:
    """The synthetic collection as typed text, one frame per table, headed by field name."""
    data = synthetic.synthetic(n_children, n_factors=6)
    rng = np.random.default_rng(synthetic.SEED)
    reviews, children = data.reviews, data.children
    n_reviews = len(reviews)
    side = np.asarray(reviews["partnership"].cat.codes) % 2
    typed_partnership = np.where(
        side == 0, _pick(rng, PARTNERSHIPS[0], n_reviews), _pick(rng, PARTNERSHIPS[1], n_reviews)
    )
    review_ids = np.char.add("R", np.char.zfill(reviews["review_id"].to_numpy().astype(str), 6))
    out_reviews = {
        "review_id": review_ids,
        "partnership": typed_partnership,
        "review_type": _pick(rng, REVIEW_TYPES, n_reviews),
        "year": (FIRST_YEAR + rng.integers(0, 8, n_reviews)).astype(str),
        "provenance": np.full(n_reviews, "", dtype=object),
        "pseudonym": np.full(n_reviews, "", dtype=object),
    }
    for code, _ in THEMES:
        name = theme_field(code)
        flags = reviews[name] if name in reviews else rng.random(n_reviews) < 0.3
        out_reviews[name] = _yes_no(rng, flags)
    n = len(children)
    neglect = np.asarray(children["neglect"], dtype=bool)
    harm = np.where(neglect & (rng.random(n) < 0.5), "neglect", _pick(rng, HARM, n))
    plan = np.where(neglect & (rng.random(n) < 0.3), "neglect", _pick(rng, PLAN, n))
    out_children = {
        "child_id": np.char.add("C", np.char.zfill(children["child_id"].to_numpy().astype(str), 7)),
        "review_id": review_ids[children["review_id"].to_numpy()],
        "age_months": np.full(n, "", dtype=object),
        "age_band": _typed(rng, children["age_band"], BANDS),
        "sex": _pick(rng, SEX, n),
        "outcome": _typed(rng, children["outcome"], OUTCOMES),
        "living_arrangements": _pick(rng, LIVING, n),
        "csc_status": _pick(rng, CSC, n),
        "harm_category": harm,
        "plan_category": plan,
        **{
            f.name: _yes_no(rng, children[f.name]) for f in FIELDS["children"] if f.kind == "yes_no"
        },
    }
    return {"reviews": pd.DataFrame(out_reviews), "children": pd.DataFrame(out_children)}


def _typed(rng, labels: pd.Series, synonyms: dict[str, tuple[str, ...]]) -> np.ndarray:
    out = np.empty(len(labels), dtype=object)
    labels = labels.astype(str).to_numpy()
    for label, typed in synonyms.items():
        where = labels == label
        out[where] = _pick(rng, typed, int(where.sum()))
    return out


def write_files(n_children: int, folder: Path) -> dict[str, list[Path]]:
    """Write the collection as two CSV files and as one workbook; return the paths by format."""
    import openpyxl

    folder.mkdir(parents=True, exist_ok=True)
    frames = tables(n_children)
    csvs = []
    for table, frame in frames.items():
        path = folder / f"{table}.csv"
        frame.to_csv(path, index=False, lineterminator="\n")
        csvs.append(path)
    book = openpyxl.Workbook(write_only=True)
    for table, frame in frames.items():
        sheet = book.create_sheet(table)
        sheet.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            sheet.append([int(v) if v.isdigit() else v or None for v in row])
    workbook = folder / "cases.xlsx"
    book.save(workbook)
    return {"csv": csvs, "xlsx": [workbook]}


def floor_csv(paths) -> None:
    for path in paths:
        pd.read_csv(path, dtype=str, keep_default_na=False)


def floor_xlsx(paths) -> None:
    import xml.parsers.expat
    import zipfile

    for path in paths:
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    xml.parsers.expat.ParserCreate().Parse(archive.read(name), True)


FLOORS = {"csv": floor_csv, "xlsx": floor_xlsx}


def _timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def peak_memory_mb(function) -> float:
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def bench_format(fmt: str, paths, runs: int) -> dict:
    data = pipeline.load(paths)  # warm-up, and the files must be valid
    assert not data.warnings, data.warnings[:3]
    floors, ours = [], []
    for _ in range(runs):
        floors.append(_timed(lambda: FLOORS[fmt](paths)))
        ours.append(_timed(lambda: pipeline.load(paths)))
    floor, median = statistics.median(floors), statistics.median(ours)
    return {
        "files": [p.name for p in paths],
        "bytes": sum(p.stat().st_size for p in paths),
        "reviews": len(data.reviews),
        "children": len(data.children),
        "cells_rewritten": len(data.changes),
        "validate_median_seconds": median,
        "validate_runs_seconds": [round(s, 3) for s in ours],
        "floor_median_seconds": floor,
        "floor_runs_seconds": [round(s, 3) for s in floors],
        "ratio": median / floor,
        "peak_memory_mb": peak_memory_mb(lambda: pipeline.load(paths)),
        "target_seconds": TARGETS[fmt],
        "met": median <= TARGETS[fmt],
    }


def main(runs: int = 5, n_children: int = N_CHILDREN) -> dict:
    load_before = os.getloadavg() if hasattr(os, "getloadavg") else None
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        files = write_files(n_children, Path(tmp))
        made = time.perf_counter() - start
        results = {fmt: bench_format(fmt, paths, runs) for fmt, paths in files.items()}
    record = {
        "benchmark": "validate: reading, cleaning and validating a national-scale collection",
        "command": f"python benchmarks/bench_validate.py {runs} {n_children}",
        "machine": platform.machine(),
        "load_average_at_start": list(load_before) if load_before else None,
        "python": platform.python_version(),
        "pandas": pd.__version__,
        "runs": runs,
        "n_children": n_children,
        "seed": synthetic.SEED,
        "files_made_seconds": round(made, 1),
        "formats": results,
        "met": {fmt: r["met"] for fmt, r in results.items()}
        | {"all": all(r["met"] for r in results.values())},
    }
    _print(record)
    save_record("validate", rounded(record, 4))
    return record


def _print(record: dict) -> None:
    print(f"validate benchmark: {record['n_children']:,} children, median of {record['runs']} runs")
    print(f"{'format':<6} {'validate s':>11} {'floor s':>8} {'ratio':>6} {'peak MB':>8} target")
    for fmt, r in record["formats"].items():
        verdict = "met" if r["met"] else "MISSED"
        print(
            f"{fmt:<6} {r['validate_median_seconds']:>11.2f} {r['floor_median_seconds']:>8.2f} "
            f"{r['ratio']:>6.2f} {r['peak_memory_mb']:>8.0f} <= {r['target_seconds']:.0f} s "
            f"{verdict}"
        )


if __name__ == "__main__":
    main(*[int(a) for a in sys.argv[1:3]])
