"""Benchmark of ``export --suppress``: its time as the dataset gains years.

Run ``python benchmarks/bench_export.py [runs]`` (default 3) from the repository root. Since
issue 16 the cells to suppress are decided for every table one dataset gives -- every year,
all years and every range of years (:mod:`tees_analysis.report.differencing`) -- with integer
programs whose size and number grow with the years. Measured:

* ``command`` -- ``python -m tees_analysis.cli export --suppress --out TMP`` on ``data/raw``
  (five years), a fresh process as an analyst runs it: imports, reading, the tables, the CSV
  and the workbook;
* for datasets of 5, 10, 20 and 30 years made from ``data/raw`` -- each year 2 to 6 reviews
  drawn (seeded) from the reconstruction's, with their children, so the tables keep the shape
  of the real ones -- the suppressed table of every year from an empty cache (``suppressed``)
  and the same table unsuppressed (``floor``: counting alone, no disclosure control).

Targets, on 2 cores: the command on ``data/raw`` in at most 5 s, and the suppressed table of 20
years in at most 10 s (a partnership adding a year of reviews each year has 20 years of data
in 2036). Results go to ``benchmarks/results/export.json``.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from common import save_record

from tees_analysis.data import pipeline
from tees_analysis.paths import RAW
from tees_analysis.report import differencing, disclosure, suppression

ROOT = Path(__file__).resolve().parents[1]
YEARS = (5, 10, 20, 30)
TARGET_COMMAND = 5.0
TARGET_20_YEARS = 10.0
SEED = 20170401


def grown(data, years: int, seed: int = SEED):
    """A dataset of ``years`` years, each of 2 to 6 reviews drawn from ``data`` with their
    children (new ids, the year set)."""
    rng = np.random.default_rng(seed)
    reviews, children = [], []
    for k in range(years):
        year = 2000 + k
        for q, r in enumerate(rng.choice(len(data.reviews), size=rng.integers(2, 7))):
            review = data.reviews.iloc[[r]].copy()
            old, new = review["review_id"].iloc[0], f"B{year}-R{q}"
            review["review_id"], review["year"] = new, year
            kids = data.children[data.children["review_id"] == old].copy()
            kids["review_id"], kids["year"] = new, year
            kids["child_id"] = [f"{new}-C{i}" for i in range(len(kids))]
            reviews.append(review)
            children.append(kids)
    return dataclasses.replace(
        data,
        reviews=pd.concat(reviews, ignore_index=True),
        children=pd.concat(children, ignore_index=True),
    )


def fresh_table(data, threshold) -> float:
    """Seconds for the table of every year, with nothing remembered from an earlier run."""
    differencing._CACHE.clear()
    suppression._suppress.cache_clear()
    start = time.perf_counter()
    disclosure.publication_table(data, threshold)
    return time.perf_counter() - start


def command() -> float:
    with tempfile.TemporaryDirectory(prefix="tees-bench-export-") as out:
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "tees_analysis.cli", "export", "--suppress", "--out", out],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - start
    if done.returncode:
        sys.exit(f"export failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    return seconds


def main(runs: int = 3) -> dict:
    raw = pipeline.load(pipeline.data_files(RAW))
    commands = [command() for _ in range(runs)]
    print(f"command on data/raw: median {statistics.median(commands):.2f} s", flush=True)
    sizes = {}
    for years in YEARS:
        data = grown(raw, years)
        suppressed = [fresh_table(data, 5) for _ in range(runs)]
        floor = [fresh_table(data, None) for _ in range(runs)]
        sizes[years] = {
            "reviews": len(data.reviews),
            "children": len(data.children),
            "suppressed_s": round(statistics.median(suppressed), 3),
            "floor_s": round(statistics.median(floor), 3),
        }
        print(f"{years} years: {sizes[years]}", flush=True)
    growth = {
        f"{a}->{b}": round(
            math.log(sizes[b]["suppressed_s"] / sizes[a]["suppressed_s"]) / math.log(b / a), 2
        )
        for a, b in itertools.pairwise(YEARS)
    }
    met = {
        "command": statistics.median(commands) <= TARGET_COMMAND,
        "20_years": sizes[20]["suppressed_s"] <= TARGET_20_YEARS,
    }
    met["all"] = all(met.values())
    record = {
        "runs": runs,
        "python": sys.version.split()[0],
        "command_s": round(statistics.median(commands), 2),
        "command_runs_s": [round(t, 2) for t in commands],
        "sizes": {str(k): v for k, v in sizes.items()},
        "growth_exponent": growth,
        "target_command_s": TARGET_COMMAND,
        "target_20_years_s": TARGET_20_YEARS,
        "met": met,
    }
    print(f"growth exponents (time ~ years^b): {growth}; targets met: {met}")
    save_record("export", record)
    return record


if __name__ == "__main__":
    main(*[int(a) for a in sys.argv[1:2]])
