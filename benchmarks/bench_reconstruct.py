"""Benchmark of the reconstruction: median wall time of each step over several runs.

Run ``python benchmarks/bench_reconstruct.py [runs] [threads]`` (defaults: 5 runs, 2 threads).
Steps, as timed inside :func:`tees_analysis.reconstruction.reconstruct.reconstruct_all`:

* ``ilp`` -- the readings compared (one integer program per combination) and the chosen
  dataset's lexicographic stages and construction;
* ``conflicts`` -- minimal conflicting sets and the alternative-rounding checks;
* ``bounds`` -- the toxic-trio bounds with their witnesses;
* ``total`` -- the whole call, including the denominator table.

The target is a total under 5 s on 2 cores.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time

from common import save_record

from tees_analysis.published.figures import load_published
from tees_analysis.published.rules import load_rules
from tees_analysis.reconstruction.reconstruct import reconstruct_all

STEPS = {
    "ilp": ("ilp_readings", "ilp_dataset"),
    "conflicts": ("conflicts",),
    "bounds": ("bounds",),
}
TARGET = 5.0


def run_once(threads: int) -> dict[str, float]:
    """Time one full reconstruction; returns seconds per step and in total."""
    figures = load_published()
    rules = load_rules(figures=figures)
    start = time.perf_counter()
    result = reconstruct_all(rules, figures, threads=threads)
    total = time.perf_counter() - start
    times = {step: sum(result.timings[k] for k in keys) for step, keys in STEPS.items()}
    return {**times, "total": total}


def main(runs: int = 5, threads: int = 2) -> dict[str, float]:
    samples = [run_once(threads) for _ in range(runs)]
    medians = {step: statistics.median(s[step] for s in samples) for step in samples[0]}
    print(f"reconstruction benchmark: median of {runs} runs, {threads} threads")
    print(f"{'step':<10} {'median s':>9} {'min s':>7} {'max s':>7}")
    for step, median in medians.items():
        values = [s[step] for s in samples]
        print(f"{step:<10} {median:>9.3f} {min(values):>7.3f} {max(values):>7.3f}")
    verdict = "meets" if medians["total"] < TARGET else "misses"
    print(f"total median {medians['total']:.2f} s {verdict} the {TARGET:.0f} s target")
    record = {
        "runs": runs,
        "threads": threads,
        "cores": os.cpu_count(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "median_seconds": {step: round(value, 2) for step, value in medians.items()},
        "target_seconds": TARGET,
    }
    save_record("reconstruct", record)
    return medians


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    main(*args)
