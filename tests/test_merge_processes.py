"""add-year across processes: killed at every step, and two at once over a dead process's lock.

The children run in tests/add_year_children.py, one process that imports the package once and
forks a child per run (see its docstring). POSIX only (fork, SIGKILL, flock).
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_merge import BASE, table_text

from tees_analysis.data import merge, pipeline

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="forks child processes")

HELPER = Path(__file__).with_name("add_year_children.py")


def run_children(job: dict, tmp_path: Path) -> Iterator[dict]:
    """Run a job of the helper (one process, one thread); its reports, as they come."""
    path = tmp_path / "job.json"
    path.write_text(json.dumps(job))
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    errors = tmp_path / "helper.err"
    with (
        errors.open("w") as stderr,
        subprocess.Popen(
            [sys.executable, str(HELPER), str(path)],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env=env,
        ) as helper,
    ):
        try:
            for line in helper.stdout:
                yield json.loads(line)
        finally:
            helper.stdout.close()
            helper.kill()  # a no-op once it has finished; ends it if a check failed meanwhile
        assert helper.wait(timeout=60) == 0, errors.read_text()


def year_files(folder: Path, year: int, edit=lambda text: text) -> list[str]:
    """fictional_2022.xlsx as two CSV files, moved to ``year`` (ids too) and edited."""
    data = pipeline.load([BASE[0].parent / "fictional_2022.xlsx"])
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for table in ("reviews", "children"):
        text = pipeline.to_csv_text(getattr(data, table), table)
        text = text.replace(",2022,", f",{year},").replace("FICT22-", f"FICT{year % 100}-")
        path = folder / f"{table}.csv"
        path.write_text(edit(text), encoding="utf-8")
        paths.append(str(path))
    return paths


def temporary_files(folder: Path) -> list[str]:
    """Temporary files anywhere in a dataset folder (an empty lock file is not one)."""
    return [
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and (p.suffix == ".tmp" or ".tmp" in p.relative_to(folder).parts)
    ]


def current_bytes(folder: Path) -> dict[str, bytes]:
    """The current version's tables, as written (a quick stand-in for the loaded tables)."""
    return {p.name: p.read_bytes() for p in merge.current_files(folder)}


def numbers(folder: Path) -> set[int]:
    """The number of every version folder ever made (``0003``, ``0003.abandoned``...)."""
    found = (re.match(r"\d+", p.name) for p in (folder / "versions").iterdir())
    return {int(m[0]) for m in found if m}


def test_a_kill_at_any_step_leaves_the_dataset_before_or_after(tmp_path):
    """SIGKILL before each file-system call of add-year: never a third state, never a lost
    version, and the next add-year works and leaves no temporary file."""
    template = tmp_path / "template"
    merge.add_year(BASE, template)
    merge.add_year(year_files(tmp_path / "y2022", 2022), template)
    # the killed add-year replaces 2022 (a review's type corrected): a version and a backup
    fixed = year_files(tmp_path / "fixed", 2022, lambda t: t.replace("learning review", "CSPR"))
    before = current_bytes(template)
    done = tmp_path / "done"
    shutil.copytree(template, done)
    merge.add_year(fixed, done, replace_year=True)
    after = current_bytes(done)
    assert table_text(done) != table_text(template)
    again = {  # the next add-year: the same replacement, from either state
        "before": merge.plan(fixed, template, replace_year=True),
        "after": merge.plan(fixed, done, replace_year=True),
    }

    job = {"job": "kill", "template": str(template), "files": fixed, "replace_year": True}
    states, end = [], None
    for run in run_children({**job, "work": str(tmp_path / "runs")}, tmp_path):
        if "exit" in run:
            end = run
            continue
        folder = Path(run["folder"])
        state = "before" if current_bytes(folder) == before else "after"
        assert current_bytes(folder) == (before if state == "before" else after), run
        current = merge.current_version(folder)
        assert (current / "COMMITTED").is_file(), run  # CURRENT names only complete versions
        made = numbers(folder)
        plan = dataclasses.replace(again[state], folder=folder, base=current)
        result = merge.apply(plan)  # the next add-year
        assert current_bytes(folder) == after, run
        assert int(result.version.name) == max(made) + 1, run  # no number used twice
        assert numbers(folder) == made | {int(result.version.name)}, run  # none deleted
        assert temporary_files(folder) == [], run
        states.append((run["killed"], state))
    assert end == {"exit": 0}  # the last child was not killed: it ran add-year to its end
    assert states[-1] == (False, "after")
    assert len(states) > 20  # every change add-year makes was a kill point
    # killed before the switch of CURRENT: as before; from then on: as after
    seen = [state for _, state in states]
    switch = seen.index("after")
    assert seen == ["before"] * switch + ["after"] * (len(seen) - switch) and switch > 0
    assert all(killed for killed, _ in states[:-1])


def test_two_add_years_over_a_dead_process_lock_lose_no_year(tmp_path):
    """Regression (issue 16): the takeover of a dead process's lock let two add-years run at
    once; both said they had added their year and one of the years was lost."""
    template = tmp_path / "template"
    merge.add_year(BASE, template)
    job = {
        "job": "race",
        "template": str(template),
        "work": str(tmp_path / "runs"),
        "pairs": 2,
        "files_a": year_files(tmp_path / "y2022", 2022),
        "files_b": year_files(tmp_path / "y2023", 2023),
    }
    for pair in run_children(job, tmp_path):
        folder, exits = Path(pair["folder"]), pair["exit"]
        assert set(exits.values()) <= {0, 1}, pair["logs"]  # added, or refused with a message
        assert 0 in exits.values(), pair["logs"]  # the dead process's lock stopped nobody
        years = set(pipeline.load(merge.current_files(folder)).reviews["year"])
        added = {2022 if role == "A" else 2023 for role, code in exits.items() if code == 0}
        assert added <= years, pair["logs"]  # every year said to be added is in the dataset
        assert not temporary_files(folder)
