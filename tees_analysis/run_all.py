"""The main job: raw -> processed, then execute every notebook in order, writing its outputs.

``python -m tees_analysis.run_all`` (or ``python3 tasks.py run``) does, in order:

1. clean and validate ``data/raw`` and write ``data/processed`` (nothing written on a problem);
2. execute ``notebooks/NN_*.ipynb``, each in a fresh kernel with the notebook's folder as
   working directory, and save it with its outputs (the notebooks write the figures and tables
   they own). They are independent of each other, so ``--jobs`` of them (default: one per
   core, at most 4) run at once; ``--jobs 1`` runs them one after another in name order.

Executed notebooks are saved without timing metadata, so a rerun that computes the same results
leaves the files byte-identical.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path

from .data import atomic, pipeline
from .data.problems import ValidationError
from .paths import NOTEBOOKS, PROCESSED, RAW, display


def notebooks(folder: Path = NOTEBOOKS) -> list[Path]:
    """The collection's notebooks in reading order (``01_...``, ``02_...``)."""
    return sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))


def uses_selection(path: Path) -> bool:
    """Whether a notebook analyses the selected data (metadata ``tees.selection``).

    Such notebooks are rerun by ``tees-analysis reproduce``; the others are about the report
    itself (the reconstruction, the audit against the published figures).
    """
    import nbformat

    nb = nbformat.read(path, as_version=4)
    return bool(nb.metadata.get("tees", {}).get("selection", False))


def notebook_client(nb, folder: Path, timeout: int = 600, record_timing: bool = False):
    """An nbclient client that runs ``nb`` in a fresh ``python3`` kernel in ``folder``."""
    from nbclient import NotebookClient

    return NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(folder)}},
        record_timing=record_timing,
        # ipykernel warns on every start that its local TCP sockets are unencrypted; the
        # kernel is ours and local, so keep that line out of the job's output.
        extra_arguments=["--IPKernelApp.log_level=ERROR"],
    )


def execute(path: Path, timeout: int = 600, out: Path | None = None) -> None:
    """Execute one notebook in a fresh ``python3`` kernel; save it (atomically) to ``out``.

    ``out`` defaults to ``path`` itself. The kernel inherits this process's environment, so
    the variables of :mod:`tees_analysis.selection` reach the notebook.
    """
    import nbformat

    nb = nbformat.read(path, as_version=4)
    notebook_client(nb, path.parent, timeout=timeout).execute()
    for cell in nb.cells:
        cell.get("metadata", {}).pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = coalesce_streams(cell.outputs)
    atomic.write_text(path if out is None else out, nbformat.writes(nb) + "\n")


def coalesce_streams(outputs: list) -> list:
    """Join consecutive stdout (or stderr) outputs into one, as nbval compares them.

    How a kernel splits printed text into messages depends on timing (one ``print`` may arrive
    as two), so without this a rerun that prints the same text could save different files.
    """
    joined: list = []
    for output in outputs:
        previous = joined[-1] if joined else None
        if (
            output.get("output_type") == "stream"
            and previous is not None
            and previous.get("output_type") == "stream"
            and previous.get("name") == output.get("name")
        ):
            previous["text"] = previous["text"] + output["text"]
        else:
            joined.append(output)
    return joined


def build_processed() -> None:
    files = pipeline.data_files(RAW)
    if not files:
        print(f"no data files in {display(RAW)}; skipping the processed tables")
        return
    written = pipeline.build(files, PROCESSED)
    print("processed: " + ", ".join(display(p) for p in written))


def reproduce(
    chosen, out_dir: Path, progress=print, folder: Path = NOTEBOOKS, jobs: int | None = None
) -> list[Path]:
    """Rerun the notebooks that analyse data for selection ``chosen`` into ``out_dir``.

    The committed notebooks and figures are not touched: executed copies go to
    ``out_dir/notebooks`` and figures to ``out_dir/figures``.
    """
    import os

    from .selection import Selection

    chosen = Selection(chosen.files, chosen.years, chosen.partnership, Path(out_dir))
    saved = dict(os.environ)
    os.environ.update(chosen.environment())
    try:
        return _run_selected(folder, out_dir, progress, jobs)
    finally:  # the selection is for the kernels started here, not for the caller afterwards
        os.environ.clear()
        os.environ.update(saved)


def _run_selected(folder: Path, out_dir: Path, progress, jobs: int | None = None) -> list[Path]:
    todo = [nb for nb in notebooks(folder) if uses_selection(nb)]
    (Path(out_dir) / "notebooks").mkdir(parents=True, exist_ok=True)
    progress(f"running {len(todo)} notebooks, {min(jobs or default_jobs(), len(todo))} at a time")
    return execute_all(todo, jobs or default_jobs(), progress, out_dir=Path(out_dir) / "notebooks")


def default_jobs() -> int:
    """Notebooks executed at once by the main job: one per core, at most 4."""
    return max(1, min(os.cpu_count() or 1, 4))


def _timed_execute(path: Path, out: Path | None = None) -> float:
    start = time.perf_counter()
    execute(path, out=out)
    return time.perf_counter() - start


def execute_all(
    paths: list[Path], jobs: int = 1, progress=print, out_dir: Path | None = None
) -> list[Path]:
    """Execute ``paths``, ``jobs`` at a time, each in its own kernel, reporting each as done.

    Each executed notebook is saved in place, or into ``out_dir`` under its own name. The
    notebooks do not read each other's outputs (each reads the data and writes only its own
    figures and tables), so the order in which they finish does not matter. Returns the paths
    written, in the order of ``paths``.
    """
    targets = {p: (p if out_dir is None else Path(out_dir) / p.name) for p in paths}
    total = len(paths)
    if jobs <= 1 or total <= 1:
        for i, path in enumerate(paths, start=1):
            seconds = _timed_execute(path, targets[path])
            progress(f"[{i}/{total}] {display(path)} done in {seconds:.1f} s")
        return list(targets.values())
    # Processes, not threads: each notebook client runs its own event loop and kernel. The
    # largest files (most outputs, usually the longest runs) start first, to finish sooner.
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn")) as pool:
        ordered = sorted(paths, key=lambda p: -p.stat().st_size)
        futures = {pool.submit(_timed_execute, p, targets[p]): p for p in ordered}
        for i, future in enumerate(as_completed(futures), start=1):
            seconds = future.result()  # re-raises a notebook's error here
            progress(f"[{i}/{total}] {display(futures[future])} done in {seconds:.1f} s")
    return list(targets.values())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("only", nargs="*", help="run only notebooks whose name contains these")
    parser.add_argument(
        "--jobs",
        type=int,
        default=default_jobs(),
        help="notebooks executed at once (default: one per core, at most 4; 1 = in order)",
    )
    args = parser.parse_args(argv)
    try:
        build_processed()
    except ValidationError as err:
        print(err, file=sys.stderr)
        return 1
    chosen = [nb for nb in notebooks() if not args.only or any(k in nb.name for k in args.only)]
    print(f"executing {len(chosen)} notebooks, {min(args.jobs, len(chosen))} at a time", flush=True)
    execute_all(chosen, args.jobs, progress=lambda line: print(line, flush=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
