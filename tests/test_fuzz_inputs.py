"""The bad-input fuzz (issue 16): malformed variants of the templates and fixtures
(``malformed_inputs``) through ``tees-analysis validate`` and ``add-year``, in-process.

Whatever the file, the command ends with status 0 (valid) or 1 (problems listed), never with a
traceback, the guard's "unexpected error" line (status 2) or a Python warning printed, and
within a time limit; an input file is never changed, and ``add-year`` writes nothing to the
dataset folder when it refuses the files. By default 300 variants (seed 0) run in a few
seconds; for a longer fuzz set ``TEES_FUZZ_VARIANTS`` (and ``TEES_FUZZ_SEED`` for other
variants), e.g. ``TEES_FUZZ_VARIANTS=20000 TEES_FUZZ_SEED=7 python -m pytest
tests/test_fuzz_inputs.py`` (README, "Bad input files"). A failure names the variant (its
number, base and edits): rerun with the same count and seed to get it again.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import time
import warnings
from pathlib import Path

import pytest
from fixture_files import NEW
from malformed_inputs import variants
from time_limit import Hang, time_limit

from tees_analysis import cli
from tees_analysis.data import merge

N = int(os.environ.get("TEES_FUZZ_VARIANTS", "300"))
SEED = int(os.environ.get("TEES_FUZZ_SEED", "0"))
#: Seconds one variant may take before it counts as a hang (each takes milliseconds).
HANG = 20
#: Every this many variants also go through add-year.
ADD_YEAR_EVERY = 15
FORMATS = ("text", "table", "csv")


def run(argv: list[str]) -> tuple[int, str, str]:
    """Exit status, stdout and stderr of one command; a Python warning (which the command
    would print on stderr) is added to stderr as a line ``Warning: ...``."""
    out, err = io.StringIO(), io.StringIO()
    with (
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
        warnings.catch_warnings(record=True) as caught,
        time_limit(HANG),
    ):
        warnings.simplefilter("always")
        code = cli.main(argv)
    shown = "".join(f"Warning: {w.category.__name__}: {w.message}\n" for w in caught)
    return code, out.getvalue(), err.getvalue() + shown


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


def check(variant, argv: list[str], code: int, out: str, err: str) -> list[str]:
    """What is wrong with one run (nothing, when it behaved)."""
    wrong = []
    if code not in (0, 1):
        wrong.append(f"exit status {code}")
    for text in (out, err):
        for line in text.splitlines():
            if line.startswith(("Traceback", "unexpected error", "Warning: ")):
                wrong.append(line[:300])
    if code == 1 and "nothing was written" not in err:
        wrong.append("status 1 without 'nothing was written'")
    return [f"{variant.name}: {' '.join(argv[:3])}...: {w}" for w in wrong]


def test_malformed_inputs_give_messages_never_tracebacks(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    dataset = tmp_path / "dataset"
    merge.add_year([NEW], dataset)
    failures, counts, slowest = [], {0: 0, 1: 0}, (0.0, "")
    for k, variant in enumerate(variants(N, SEED)):
        for old in folder.iterdir():
            old.unlink()
        paths = []
        for name, data in variant.files.items():
            (folder / name).write_bytes(data)
            paths.append(str(folder / name))
        argv = ["validate", "--format", FORMATS[k % len(FORMATS)], *paths]
        start = time.perf_counter()
        try:
            code, out, err = run(argv)
        except Hang as hang:
            failures.append(f"{variant.name}: {hang}")
            continue
        slowest = max(slowest, (time.perf_counter() - start, variant.name))
        failures += check(variant, argv, code, out, err)
        counts[code] = counts.get(code, 0) + 1
        if k % ADD_YEAR_EVERY == 0:
            before = snapshot(dataset)
            argv = ["add-year", "--dataset", str(dataset), *paths]
            code, out, err = run(argv)
            failures += check(variant, argv, code, out, err)
            if code != 0 and snapshot(dataset) != before:
                failures.append(f"{variant.name}: add-year refused the files but wrote")
        for name, data in variant.files.items():  # raw data are never modified
            if (folder / name).read_bytes() != data:
                failures.append(f"{variant.name}: {name} was changed")
    assert not failures, "\n".join(failures[:20])
    assert counts[1] >= N // 2, counts  # most variants are refused, with messages
    assert slowest[0] < HANG, slowest


@pytest.mark.parametrize("seed", [0, 1])
def test_the_variants_are_the_same_for_a_seed_and_differ_between_seeds(seed):
    first = [v.files for v in variants(12, seed)]
    assert first == [v.files for v in variants(12, seed)]
    assert first != [v.files for v in variants(12, seed + 1)]
