"""The main job: raw -> processed, then execute every notebook in order, writing its outputs.

``python -m tees_analysis.run_all`` (or ``python3 tasks.py run``) does, in order:

1. clean and validate ``data/raw`` and write ``data/processed`` (nothing written on a problem);
2. execute ``notebooks/NN_*.ipynb`` in name order, each in a fresh kernel with the notebook's
   folder as working directory, and save it with its outputs (the notebooks write the figures
   and tables they own).

Executed notebooks are saved without timing metadata, so a rerun that computes the same results
leaves the files byte-identical.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import atomic, pipeline
from .paths import NOTEBOOKS, PROCESSED, RAW, display
from .problems import ValidationError


def notebooks(folder: Path = NOTEBOOKS) -> list[Path]:
    """The collection's notebooks in reading order (``01_...``, ``02_...``)."""
    return sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))


def execute(path: Path, timeout: int = 600) -> None:
    """Execute one notebook in place (atomically), in a fresh ``python3`` kernel."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,
        # ipykernel warns on every start that its local TCP sockets are unencrypted; the
        # kernel is ours and local, so keep that line out of the job's output.
        extra_arguments=["--IPKernelApp.log_level=ERROR"],
    )
    client.execute()
    for cell in nb.cells:
        cell.get("metadata", {}).pop("execution", None)
    atomic.write_text(path, nbformat.writes(nb) + "\n")


def build_processed() -> None:
    files = pipeline.data_files(RAW)
    if not files:
        print(f"no data files in {display(RAW)}; skipping the processed tables")
        return
    written = pipeline.build(files, PROCESSED)
    print("processed: " + ", ".join(display(p) for p in written))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("only", nargs="*", help="run only notebooks whose name contains these")
    args = parser.parse_args(argv)
    try:
        build_processed()
    except ValidationError as err:
        print(err, file=sys.stderr)
        return 1
    chosen = [nb for nb in notebooks() if not args.only or any(k in nb.name for k in args.only)]
    for i, path in enumerate(chosen, start=1):
        start = time.perf_counter()
        print(f"[{i}/{len(chosen)}] {display(path)} ...", end=" ", flush=True)
        execute(path)
        print(f"done in {time.perf_counter() - start:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
