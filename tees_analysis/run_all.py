"""The main job: raw -> processed, then execute every notebook in order, writing its outputs.

``python -m tees_analysis.run_all`` (or ``python3 tasks.py run``) does, in order:

1. clean and validate ``data/raw`` and write ``data/processed`` (nothing written on a problem);
2. execute ``notebooks/NN_*.ipynb``, each in a fresh kernel with the notebook's folder as
   working directory, and save it with its outputs (the notebooks write the figures and tables
   they own). They are independent of each other, so ``--jobs`` of them (default: one per
   core, at most 4) run at once; ``--jobs 1`` runs them one after another in name order.

Executed notebooks are saved without timing metadata, so a rerun that computes the same results
leaves the files byte-identical.

A notebook that fails is never saved over its committed copy. The job goes on with the others,
then says in a few lines which notebook failed, at which cell, with what error, and where the
executed copy with the full traceback was saved (``reports/failed/`` for the main job, the
output folder for ``tees-analysis reproduce``, as ``NN_name.FAILED.ipynb``).

``tees-analysis reproduce`` reruns the notebooks that analyse data (metadata
``tees.selection``) on other data (:func:`reproduce`). For data other than the report's, the
cells tagged :data:`REPORT_DATA_TAG` -- passages about the report's own reviews and their
published figures -- are left out of the rerun, each run of them replaced by one line that says
so (:func:`for_other_data`).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from .data import atomic, pipeline
from .data.problems import ValidationError
from .paths import NOTEBOOKS, PROCESSED, RAW, ROOT, display

#: Cell tag: the cell is about the report's own data; a rerun on other data leaves it out.
REPORT_DATA_TAG = "report-data"
#: What stands in a rerun where cells about the report's own data were left out.
LEFT_OUT = (
    "*A passage about the report's own (reconstructed) data is left out of this rerun: it "
    "describes the report's reviews, not the data analysed here.*"
)
#: Where the main job saves a notebook that failed (never over the committed notebook).
FAILED_DIR = ROOT / "reports" / "failed"
#: The marker of an output folder written by :func:`reproduce` (so that it may be cleared).
REPRODUCE_MARKER = ".tees-reproduce"
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


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


# --------------------------------------------------------------------------- failures


@dataclass(frozen=True)
class Failure:
    """A notebook that stopped with an error: where, what, and where its copy was saved."""

    notebook: str
    cell: int  # the code cell's number, counting code cells from 1
    cells: int
    first_line: str
    error: str
    saved: Path

    def message(self) -> str:
        """A few plain lines for the user: no traceback, no terminal colour codes."""
        return (
            f"{self.notebook} failed at code cell {self.cell} of {self.cells} "
            f"({self.first_line}): {self.error}\n"
            f"  the executed notebook, with the full traceback, is {display(self.saved)}"
        )


class NotebookFailed(Exception):
    """Raised by :func:`execute` when a cell fails; carries the :class:`Failure`."""

    def __init__(self, failure: Failure):
        super().__init__(failure.message())
        self.failure = failure


def one_line(text: str, limit: int = 200) -> str:
    """``text`` as one line without terminal colour codes, cut at ``limit`` characters."""
    flat = " ".join(_ANSI.sub("", str(text)).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def failed_path(target: Path) -> Path:
    """Where the executed copy of a failed notebook is saved: ``NN_name.FAILED.ipynb``."""
    return target.with_name(f"{target.stem}.FAILED.ipynb")


# --------------------------------------------------------------------------- execution


def for_other_data(nb):
    """``nb`` without the cells tagged :data:`REPORT_DATA_TAG`, for a rerun on other data.

    Each run of consecutive tagged cells becomes one Markdown cell saying what was left out
    (:data:`LEFT_OUT`).
    """
    from nbformat.v4 import new_markdown_cell

    cells, skipping = [], False
    for cell in nb.cells:
        if REPORT_DATA_TAG in cell.get("metadata", {}).get("tags", []):
            if not skipping:
                cells.append(new_markdown_cell(LEFT_OUT))
            skipping = True
            continue
        skipping = False
        cells.append(cell)
    for number, cell in enumerate(cells):  # stable ids for the cells added
        if cell.get("id") is None or cell.source == LEFT_OUT:
            cell["id"] = f"left-out-{number}"
    nb.cells = cells
    return nb


def execute(
    path: Path,
    timeout: int = 600,
    out: Path | None = None,
    on_cell=None,
    other_data: bool = False,
    failed_dir: Path | None = None,
) -> None:
    """Execute one notebook in a fresh ``python3`` kernel; save it (atomically) to ``out``.

    ``out`` defaults to ``path`` itself. The kernel inherits this process's environment, so
    the variables of :mod:`tees_analysis.selection` reach the notebook. ``on_cell(name, k, n)``
    is called as code cell ``k`` of ``n`` starts. ``other_data`` leaves out the cells about
    the report's own data (:func:`for_other_data`). On an error the notebook is not saved to
    ``out``: the executed copy goes to ``failed_dir`` (default: beside ``out``) and
    :class:`NotebookFailed` is raised.
    """
    import nbformat
    from nbclient.exceptions import CellExecutionError

    target = path if out is None else Path(out)
    nb = nbformat.read(path, as_version=4)
    if other_data:
        nb = for_other_data(nb)
    code = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"]
    current = {"index": None}

    def started(cell, cell_index, **_):
        if cell.cell_type == "code":
            current["index"] = cell_index
            if on_cell is not None:
                on_cell(path.stem, code.index(cell_index) + 1, len(code))

    client = notebook_client(nb, path.parent, timeout=timeout)
    client.on_cell_start = started
    try:
        client.execute()
    except CellExecutionError as error:
        index = current["index"]
        saved = failed_path(target if failed_dir is None else Path(failed_dir) / target.name)
        atomic.write_text(saved, nbformat.writes(_tidy(nb)) + "\n")
        lines = [line for line in nb.cells[index].source.splitlines() if line.strip()]
        failure = Failure(
            notebook=path.name,
            cell=code.index(index) + 1,
            cells=len(code),
            first_line=one_line(lines[0] if lines else "", 80),
            error=one_line(f"{error.ename}: {error.evalue}"),
            saved=saved,
        )
        raise NotebookFailed(failure) from None
    atomic.write_text(target, nbformat.writes(_tidy(nb)) + "\n")


def _tidy(nb):
    """No timing metadata, and printed text joined as nbval compares it."""
    for cell in nb.cells:
        cell.get("metadata", {}).pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = coalesce_streams(cell.outputs)
    return nb


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


# --------------------------------------------------------------------------- reruns


#: What the notebooks write into a figures folder: charts, their data, the tables' CSV files.
FIGURE_FILES = ("*.png", "*.svg", "*.csv", "tables/*.csv")


class OutputFolderInUse(ValueError):
    """The output folder of a rerun holds files that a rerun did not write."""


def prepare_output(out_dir: Path) -> None:
    """An empty output folder for :func:`reproduce`, marked as one.

    A folder written by an earlier rerun (it holds the marker) is cleared of that rerun's
    notebooks and figures, so nothing in it can be mistaken for this run's results; any other
    non-empty folder is refused, untouched.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and any(out_dir.iterdir()) and not (out_dir / REPRODUCE_MARKER).exists():
        raise OutputFolderInUse(
            f"{display(out_dir)} is not empty and was not written by tees-analysis reproduce: "
            "choose another folder with --out (nothing was written)"
        )
    for sub, patterns in (("notebooks", ("*.ipynb",)), ("figures", FIGURE_FILES)):
        for pattern in patterns:
            for old in (out_dir / sub).glob(pattern):
                old.unlink()
    (out_dir / "notebooks").mkdir(parents=True, exist_ok=True)
    (out_dir / REPRODUCE_MARKER).write_text(
        "written by tees-analysis reproduce; its notebooks and figures are replaced by the "
        "next rerun into this folder\n",
        encoding="utf-8",
    )


def reproduce(
    chosen,
    out_dir: Path,
    progress=print,
    folder: Path = NOTEBOOKS,
    jobs: int | None = None,
    other_data: bool = True,
    on_cell=None,
) -> list[Path]:
    """Rerun the notebooks that analyse data for selection ``chosen`` into ``out_dir``.

    The committed notebooks and figures are not touched: executed copies go to
    ``out_dir/notebooks`` and figures to ``out_dir/figures``. ``other_data`` (the data are not
    the report's) leaves out the cells about the report's own data. Returns the notebooks
    written; raises :class:`RunFailed` when any notebook failed (the others are still run).
    """
    from .selection import Selection

    chosen = Selection(chosen.files, chosen.years, chosen.partnership, Path(out_dir))
    saved = dict(os.environ)
    os.environ.update(chosen.environment())
    try:
        return _run_selected(folder, Path(out_dir), progress, jobs, other_data, on_cell)
    finally:  # the selection is for the kernels started here, not for the caller afterwards
        os.environ.clear()
        os.environ.update(saved)


def _run_selected(folder, out_dir, progress, jobs=None, other_data=True, on_cell=None):
    todo = [nb for nb in notebooks(folder) if uses_selection(nb)]
    prepare_output(out_dir)
    jobs = jobs or default_jobs()
    progress(f"running {len(todo)} notebooks, {min(jobs, len(todo))} at a time")
    return execute_all(
        todo, jobs, progress, out_dir=out_dir / "notebooks", on_cell=on_cell,
        other_data=other_data,
    )  # fmt: skip


def default_jobs() -> int:
    """Notebooks executed at once by the main job: one per core, at most 4."""
    return max(1, min(os.cpu_count() or 1, 4))


class RunFailed(Exception):
    """Some notebooks failed; the others ran and were saved."""

    def __init__(self, failures: list[Failure], written: list[Path]):
        super().__init__("\n".join(f.message() for f in failures))
        self.failures, self.written = failures, written


def _timed_execute(path, out=None, queue=None, other_data=False, failed_dir=None):
    """Execute one notebook; returns (seconds, failure or None). Runs in a worker process."""
    on_cell = None if queue is None else (lambda *event: queue.put(event))
    start = time.perf_counter()
    try:
        execute(path, out=out, on_cell=on_cell, other_data=other_data, failed_dir=failed_dir)
    except NotebookFailed as failed:
        return time.perf_counter() - start, failed.failure
    return time.perf_counter() - start, None


def execute_all(
    paths: list[Path],
    jobs: int = 1,
    progress=print,
    out_dir: Path | None = None,
    on_cell=None,
    other_data: bool = False,
    failed_dir: Path | None = None,
) -> list[Path]:
    """Execute ``paths``, ``jobs`` at a time, each in its own kernel, reporting each as done.

    Each executed notebook is saved in place, or into ``out_dir`` under its own name. The
    notebooks do not read each other's outputs (each reads the data and writes only its own
    figures and tables), so the order in which they finish does not matter. ``on_cell(name,
    k, n)`` is called as each code cell starts (from the worker processes too). Returns the
    paths written, in the order of ``paths``; when a notebook fails the others still run, and
    :class:`RunFailed` is raised at the end.
    """
    targets = {p: (p if out_dir is None else Path(out_dir) / p.name) for p in paths}
    total, failures, done = len(paths), [], []

    def finished(i, path, seconds, failure):
        if failure is None:
            done.append(path)
            progress(f"[{i}/{total}] {display(path)} done in {seconds:.1f} s")
        else:
            failures.append(failure)
            progress(f"[{i}/{total}] {display(path)} FAILED after {seconds:.1f} s")

    if jobs <= 1 or total <= 1:
        for i, path in enumerate(paths, start=1):
            start = time.perf_counter()
            try:
                execute(path, out=targets[path], on_cell=on_cell, other_data=other_data,
                        failed_dir=failed_dir)  # fmt: skip
                failure = None
            except NotebookFailed as failed:
                failure = failed.failure
            finished(i, path, time.perf_counter() - start, failure)
    else:
        _execute_parallel(paths, targets, jobs, finished, on_cell, other_data, failed_dir)
    written = [targets[p] for p in paths if p in done]
    if failures:
        raise RunFailed(failures, written)
    return written


def _execute_parallel(paths, targets, jobs, finished, on_cell, other_data, failed_dir) -> None:
    """Processes, not threads: each notebook client runs its own event loop and kernel.

    The largest files (most outputs, usually the longest runs) start first, to finish sooner.
    Cell events come back from the workers through a managed queue, read by a thread here.
    """
    context = get_context("spawn")
    manager = context.Manager() if on_cell is not None else None
    queue = manager.Queue() if manager is not None else None
    reader = None
    if queue is not None:

        def relay():
            while (event := queue.get()) is not None:
                on_cell(*event)

        reader = threading.Thread(target=relay, daemon=True)
        reader.start()
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            ordered = sorted(paths, key=lambda p: -p.stat().st_size)
            futures = {
                pool.submit(_timed_execute, p, targets[p], queue, other_data, failed_dir): p
                for p in ordered
            }
            for i, future in enumerate(as_completed(futures), start=1):
                seconds, failure = future.result()
                finished(i, futures[future], seconds, failure)
    finally:
        if queue is not None:
            queue.put(None)
            reader.join()
            manager.shutdown()


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
    try:
        execute_all(
            chosen, args.jobs, progress=lambda line: print(line, flush=True),
            failed_dir=FAILED_DIR,
        )  # fmt: skip
    except RunFailed as failed:
        print("\n".join(f.message() for f in failed.failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
