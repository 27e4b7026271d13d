"""Benchmark of the whole collection against its floor, measured in the same run.

Run ``python benchmarks/bench_collection.py [runs] [detail_runs]`` (defaults 5 and 1) from the
repository root, after ``python3 tasks.py setup``. The floor of a notebook is a fresh kernel
that executes only the notebook's own import statements (and ``%matplotlib inline``): what no
notebook can avoid. Each of ``runs`` rounds times, one after the other (same machine load):

* **floor** -- the import-only copies of all notebooks, executed the way the main job executes
  the notebooks (``tees_analysis.run_all.execute_all``: fresh kernels, the same number at once);
* **main job** -- README's main-job command, ``python3 tasks.py run``, end to end (set-up
  check, processed tables, every notebook executed and written in place; a deterministic rerun
  leaves the committed files byte-identical).

The ratio is median main job / median floor (target <= 1.3). To show where the rest goes,
``detail_runs`` further rounds execute each notebook alone, with per-cell timings, next to its
own floor. Results go to ``benchmarks/results/collection.json``.
"""

from __future__ import annotations

import ast
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import nbformat
from common import save_record

from tees_analysis.run_all import default_jobs, execute_all, notebook_client, notebooks

ROOT = Path(__file__).resolve().parents[1]
TARGET_RATIO = 1.3
ENV = {"PYTHONHASHSEED": "0", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}


def import_source(nb) -> str:
    """The notebook's import statements and ``%matplotlib`` magics, as one cell."""
    lines = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        source = cell.source
        magics = [ln for ln in source.splitlines() if ln.startswith("%matplotlib")]
        code = "\n".join(ln for ln in source.splitlines() if not ln.startswith(("%", "!")))
        try:
            tree = ast.parse(code)
        except SyntaxError:
            continue
        lines += magics
        for node in tree.body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                lines.append(ast.unparse(node))
    return "\n".join(dict.fromkeys(lines))  # in order, without repeats


def floor_notebook(path: Path):
    """The import-only copy of the notebook at ``path``: its floor."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(import_source(nbformat.read(path, as_version=4)))]
    return nb


def floor_once(path: Path) -> float:
    """Seconds for a fresh kernel to start and run only the notebook's imports."""
    nb = floor_notebook(path)
    start = time.perf_counter()
    notebook_client(nb, path.parent).execute()
    return time.perf_counter() - start


def _cell_seconds(cell) -> float | None:
    timing = cell.get("metadata", {}).get("execution", {})
    try:
        begin = datetime.fromisoformat(timing["iopub.execute_input"].replace("Z", "+00:00"))
        end = datetime.fromisoformat(timing["shell.execute_reply"].replace("Z", "+00:00"))
    except (KeyError, ValueError):
        return None
    return (end - begin).total_seconds()


def notebook_once(path: Path) -> tuple[float, list[tuple[int, float, str]]]:
    """Seconds to execute one notebook in a fresh kernel, and (cell, seconds, first line)."""
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    notebook_client(nb, path.parent, record_timing=True).execute()
    total = time.perf_counter() - start
    cells = []
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    for i, cell in enumerate(code_cells):
        seconds = _cell_seconds(cell)
        if seconds is not None:
            first = next((ln for ln in cell.source.splitlines() if ln.strip()), "")
            cells.append((i, seconds, first[:70]))
    return total, cells


def main_job_once() -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "tasks.py", "run"],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        env={**os.environ, **ENV},
    )
    return time.perf_counter() - start


def floor_copies(paths: list[Path], folder: Path) -> list[Path]:
    """Import-only copies of ``paths`` in ``folder`` (same names, same sizes order)."""
    copies = [folder / path.name for path in paths]
    for path, copy in zip(paths, copies, strict=True):
        nbformat.write(floor_notebook(path), copy)
    return copies


def timed(function, *args) -> float:
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


def main(runs: int = 5, detail_runs: int = 1) -> dict:
    os.environ.update(ENV)
    med = statistics.median
    paths = notebooks()
    jobs = default_jobs()
    floor_runs, job_runs = [], []
    with tempfile.TemporaryDirectory() as tmp:
        copies = floor_copies(paths, Path(tmp))
        for run in range(1, runs + 1):
            floor_runs.append(timed(execute_all, copies, jobs, lambda _line: None))
            job_runs.append(main_job_once())
            print(
                f"run {run}/{runs}: floor {floor_runs[-1]:.1f} s, main job {job_runs[-1]:.1f} s",
                flush=True,
            )
        # Alone, notebook by notebook: where the time goes. Figures of the notebooks that
        # honour the selection go to the temporary folder; the others rewrite equal bytes.
        os.environ["TEES_OUTPUT_DIR"] = tmp
        floors: dict[str, list[float]] = {p.stem: [] for p in paths}
        nb_times: dict[str, list[float]] = {p.stem: [] for p in paths}
        cell_times: dict[str, dict[int, list[float]]] = {p.stem: {} for p in paths}
        cell_names: dict[str, dict[int, str]] = {p.stem: {} for p in paths}
        try:
            for _ in range(detail_runs):
                for path in paths:
                    floors[path.stem].append(floor_once(path))
                    total, cells = notebook_once(path)
                    nb_times[path.stem].append(total)
                    for i, seconds, first in cells:
                        cell_times[path.stem].setdefault(i, []).append(seconds)
                        cell_names[path.stem][i] = first
        finally:
            del os.environ["TEES_OUTPUT_DIR"]

    per_notebook = {}
    for name in floors:
        slow = sorted(cell_times[name].items(), key=lambda kv: -med(kv[1]))[:3]
        per_notebook[name] = {
            "floor_s": round(med(floors[name]), 2),
            "notebook_s": round(med(nb_times[name]), 2),
            "excess_s": round(med(nb_times[name]) - med(floors[name]), 2),
            "ratio": round(med(nb_times[name]) / med(floors[name]), 2),
            "slowest_cells": [
                {"cell": i, "median_s": round(med(t), 2), "first_line": cell_names[name][i]}
                for i, t in slow
            ],
        }
    record = {
        "runs": runs,
        "detail_runs": detail_runs,
        "cores": os.cpu_count(),
        "jobs": jobs,
        "python": sys.version.split()[0],
        "main_job_s": round(med(job_runs), 2),
        "main_job_runs_s": [round(t, 2) for t in job_runs],
        "floor_s": round(med(floor_runs), 2),
        "floor_runs_s": [round(t, 2) for t in floor_runs],
        "ratio": round(med(job_runs) / med(floor_runs), 2),
        "target_ratio": TARGET_RATIO,
        "alone_notebooks_s": round(sum(med(v) for v in nb_times.values()), 2),
        "alone_floor_s": round(sum(med(v) for v in floors.values()), 2),
        "per_notebook": per_notebook,
    }
    record["met"] = record["ratio"] <= TARGET_RATIO
    print(f"{'notebook (alone)':<28} {'floor s':>8} {'run s':>7} {'ratio':>6}")
    for name, row in per_notebook.items():
        print(f"{name:<28} {row['floor_s']:>8.2f} {row['notebook_s']:>7.2f} {row['ratio']:>6.2f}")
    print(
        f"main job {record['main_job_s']:.1f} s; floor {record['floor_s']:.1f} s "
        f"({jobs} at a time); ratio {record['ratio']:.2f} (target <= {TARGET_RATIO})"
    )
    save_record("collection", record)
    return record


if __name__ == "__main__":
    main(*[int(a) for a in sys.argv[1:3]])
