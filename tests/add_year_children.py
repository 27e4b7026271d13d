"""Run add-year in child processes that die or race: a helper of tests/test_merge_processes.py.

Run as ``python tests/add_year_children.py JOB.json``; prints what happened, one JSON object a
line, each as soon as it is known (so that the caller can check it meanwhile).
Python and pandas are imported once, here; every child is a ``fork`` of this process (cheap),
and this process is single-threaded (the caller sets ``OPENBLAS_NUM_THREADS=1``), so forking
is safe. POSIX only.

Jobs:

``kill``
    For k = 1, 2, ...: copy the ``template`` dataset, fork, and in the child make the k-th
    call that changes the file system (:data:`WRITES`) end the process with SIGKILL first,
    while it runs add-year: the write checks of ``plan`` (``not_writable``), then ``apply`` of
    the plan of ``files`` against the template. Stops at the first k the child survives.
    Reports each copy's folder and whether the child was killed.
``race``
    For each of ``pairs`` copies of the ``template`` (holding a lock file left by a process
    that died): two children A and B add ``files_a`` and ``files_b`` at the same moment, with
    the lock-file operations of a takeover interleaved as badly as they can be (both read the
    dead process's lock before either goes on; B deletes the lock only once A has taken it).
    Reports each child's exit: 0 added, 1 refused with a message (busy, a problem of the
    files), 2 any other error.
"""

from __future__ import annotations

import dataclasses
import json
import os
import pathlib
import shutil
import signal
import socket
import sys
import time
import traceback
from collections.abc import Iterator
from pathlib import Path

from tees_analysis.data import merge
from tees_analysis.data.problems import ValidationError

#: The calls that are kill points: every change add-year makes to the file system goes through
#: one (``open`` when it creates or writes, ``mkdir`` of a folder not there yet). ``fsync`` and
#: ``chmod`` of a temporary file are not: a kill just before them leaves what a kill just
#: before the next counted call leaves.
WRITES = ("open", "write", "ftruncate", "replace", "rename", "mkdir", "rmdir", "unlink")
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT


def _changes(name: str, args: tuple) -> bool:
    if name == "open":
        return bool(args[1] & _WRITE_FLAGS)
    if name == "mkdir":
        return not os.path.isdir(args[0])
    return True


#: The longest a child waits for the other at a meeting point before going on alone.
MEET = 2.0


def die_at(step: int) -> None:
    """Make the ``step``-th counted file-system call of this process kill it (SIGKILL)."""
    calls = [0]

    def wrap(name, real):
        def call(*args, **kwargs):
            if _changes(name, args):
                calls[0] += 1
                if calls[0] == step:
                    os.kill(os.getpid(), signal.SIGKILL)
            return real(*args, **kwargs)

        return call

    for name in WRITES:
        setattr(os, name, wrap(name, getattr(os, name)))


def wait_for(condition, limit: float = MEET) -> None:
    deadline = time.monotonic() + limit
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.002)


def kill(job: dict) -> Iterator[dict]:
    template, work = Path(job["template"]), Path(job["work"])
    planned = merge.plan(job["files"], template, replace_year=job.get("replace_year", False))
    for step in range(1, job.get("max_steps", 400)):
        folder = Path(shutil.copytree(template, work / f"step{step:03d}"))
        mine = dataclasses.replace(
            planned, folder=folder, base=folder / planned.base.relative_to(template)
        )
        pid = os.fork()
        if pid == 0:  # the child
            code = 0
            try:
                die_at(step)
                merge.not_writable(folder)
                merge.apply(mine)
            except BaseException:
                traceback.print_exc()
                code = 2
            os._exit(code)
        _, status = os.waitpid(pid, 0)
        killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
        yield {"step": step, "folder": str(folder), "killed": killed}
        if not killed:
            yield {"exit": os.waitstatus_to_exitcode(status)}
            return


def race_child(role: str, files: list[str], folder: Path, meet: Path, other: int) -> int:
    """One add-year of a race; the lock-file operations of a takeover meet the other's."""
    real_read, real_unlink = pathlib.Path.read_text, pathlib.Path.unlink

    def read_text(self, *args, **kwargs):
        text = real_read(self, *args, **kwargs)
        if self.name == ".lock":  # both read the dead process's lock before either goes on
            (meet / f"read-{role}").touch()
            wait_for(lambda: len(list(meet.glob("read-*"))) == 2)
        return text

    def unlink(self, *args, **kwargs):
        if self.name == ".lock" and role == "B":  # B deletes the lock once A has taken it
            wait_for(lambda: self.is_file() and real_read(self).startswith(f"{other} "))
        return real_unlink(self, *args, **kwargs)

    pathlib.Path.read_text, pathlib.Path.unlink = read_text, unlink
    try:
        merge.add_year(files, folder)
    except (merge.DatasetBusy, merge.DatasetNotWritable, ValidationError) as err:
        print(err)
        return 1
    except BaseException:
        traceback.print_exc()
        return 2
    return 0


def race(job: dict) -> Iterator[dict]:
    template, work = Path(job["template"]), Path(job["work"])
    for n in range(job["pairs"]):
        meet = work / f"pair{n}"
        folder = Path(shutil.copytree(template, meet / "dataset"))
        (folder / ".lock").write_text(f"999999999 {socket.gethostname()}\n")  # died long ago
        pids, starts = {}, []
        for role in ("A", "B"):
            start_r, start_w = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child: waits for the start, then adds its files
                log = os.open(meet / f"{role}.log", os.O_WRONLY | os.O_CREAT, 0o644)
                os.dup2(log, 1)
                os.dup2(log, 2)
                os.read(start_r, 1)
                files = job[f"files_{role.lower()}"]
                code = race_child(role, files, folder, meet, pids.get("A", 0))
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
            os.close(start_r)
            pids[role] = pid
            starts.append(start_w)
        for start in starts:  # both at once
            os.write(start, b"x")
            os.close(start)
        exits = {role: os.waitstatus_to_exitcode(os.waitpid(p, 0)[1]) for role, p in pids.items()}
        logs = {role: (meet / f"{role}.log").read_text() for role in pids}
        yield {"folder": str(folder), "exit": exits, "logs": logs}


def main() -> None:
    job = json.loads(Path(sys.argv[1]).read_text())
    for report in {"kill": kill, "race": race}[job["job"]](job):
        print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
