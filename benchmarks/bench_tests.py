"""Benchmark of the test suite: wall time of README's test command, ``python3 tasks.py test``.

Run ``python benchmarks/bench_tests.py [runs]`` (default 1) from the repository root, after
``python3 tasks.py setup``. Each run is the whole command as CI runs it (set-up check, ruff,
pytest with its worker processes and every notebook under nbval); the median is compared with
the target of 90 s on 2 cores. One run by default, not five: a run takes about two minutes,
and five would take the whole benchmark (``python3 tasks.py bench``) well past its ten-minute
budget; ``python benchmarks/bench_tests.py 5`` gives five. Results go to
``benchmarks/results/tests.json``.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import save_record

ROOT = Path(__file__).resolve().parents[1]
TARGET = 90.0


def once() -> float:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "tasks.py", "test"], cwd=ROOT, capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    if done.returncode:
        sys.exit(f"the test suite failed (exit {done.returncode}):\n{done.stdout[-3000:]}")
    return seconds


def main(runs: int = 1) -> dict:
    times = []
    for run in range(1, runs + 1):
        times.append(once())
        print(f"run {run}/{runs}: {times[-1]:.1f} s", flush=True)
    median = statistics.median(times)
    record = {
        "runs": runs,
        "cores": os.cpu_count(),
        "python": sys.version.split()[0],
        "command": "python3 tasks.py test",
        "median_s": round(median, 1),
        "runs_s": [round(t, 1) for t in times],
        "target_s": TARGET,
        "met": median <= TARGET,
    }
    print(f"test suite median {median:.1f} s (target <= {TARGET:.0f} s)")
    save_record("tests", record)
    return record


if __name__ == "__main__":
    main(*[int(a) for a in sys.argv[1:2]])
