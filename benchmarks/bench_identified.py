"""Benchmark of the identified set: median wall time of each step over several runs.

Run ``python benchmarks/bench_identified.py [runs] [threads]`` (defaults: 3 runs, 2 threads).
Steps:

* ``set`` -- every consistent trio table of each partnership, checked by the integer program,
  and the proof of how the partnerships' tables combine
  (:func:`tees_analysis.analysis.ranges.identified`);
* ``statistics`` -- every statistic of notebook 06 over the set, the context tests over every
  coupling and the review-level bounds (:func:`tees_analysis.analysis.ranges.statistics`);
* ``total`` -- both, as ``python -m tees_analysis.analysis.ranges`` runs them;
* ``floor`` -- one feasibility solve of the same integer program, times the number of programs
  the set needs: the time the set's checks would take with nothing else around them.

The target is a total under 15 s on 2 cores.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time

from common import save_record

from tees_analysis.analysis import ranges
from tees_analysis.reconstruction.identified import maximum_rows

TARGET = 15.0


def run_once(threads: int) -> dict[str, float]:
    start = time.perf_counter()
    ident = ranges.identified(threads)
    middle = time.perf_counter()
    ranges.statistics(ident)
    end = time.perf_counter()
    model, best = ranges.consistent_model()
    extra = maximum_rows(model, best)
    model.ilp.solve(None, extra=extra)  # warm: the matrix is built once
    floor_start = time.perf_counter()
    model.ilp.solve(None, extra=extra)
    one = time.perf_counter() - floor_start
    return {
        "set": middle - start,
        "statistics": end - middle,
        "total": end - start,
        "floor": one * ident.trio.checks / max(threads, 1),
        "programs": ident.trio.checks,
    }


def main(runs: int = 3, threads: int = 2) -> dict[str, float]:
    samples = [run_once(threads) for _ in range(runs)]
    medians = {step: statistics.median(s[step] for s in samples) for step in samples[0]}
    print(f"identified-set benchmark: median of {runs} runs, {threads} threads")
    for step, median in medians.items():
        print(f"{step:<12} {median:>9.3f}")
    ratio = medians["set"] / medians["floor"]
    verdict = "meets" if medians["total"] < TARGET else "misses"
    print(f"total median {medians['total']:.2f} s {verdict} the {TARGET:.0f} s target; the set's "
          f"checks take {ratio:.1f} x their floor")  # fmt: skip
    record = {
        "runs": runs,
        "threads": threads,
        "cores": os.cpu_count(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "median_seconds": {k: round(v, 2) for k, v in medians.items() if k != "programs"},
        "programs": int(medians["programs"]),
        "set_over_floor": round(ratio, 2),
        "target_seconds": TARGET,
    }
    save_record("identified", record)
    return medians


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    main(*args)
