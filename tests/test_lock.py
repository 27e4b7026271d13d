"""The lock that keeps add-year to one writer at a time (tees_analysis/data/lock.py)."""

from __future__ import annotations

import os
import socket

import pytest

from tees_analysis.data import lock


def test_the_lock_file_names_its_holder_while_held(tmp_path):
    path = tmp_path / ".lock"
    with lock.hold(path, wait=0):
        assert path.read_text().startswith(f"{os.getpid()} {socket.gethostname()} ")
        with pytest.raises(lock.Held) as held:
            lock.acquire(path, wait=0.05)  # another open file: another holder, as a process
        assert held.value.holder.startswith(f"process {os.getpid()} on {socket.gethostname()}")
    assert path.read_text() == ""  # kept, and silent once free
    assert lock.holder(path) == "another process (it has not said which)"
    lock.release(lock.acquire(path, wait=0))


def test_a_lock_file_deleted_while_being_taken_is_taken_again(tmp_path, monkeypatch):
    """Deleted (by hand, say) between our open and our lock: we must not end up holding a
    lock on a file nobody else can open, while a newcomer locks the new one."""
    path = tmp_path / ".lock"
    path.write_text("")
    real, calls = lock._try_lock, []

    def try_lock(fd):
        if not calls:
            path.unlink()
        calls.append(fd)
        return real(fd)

    monkeypatch.setattr(lock, "_try_lock", try_lock)
    fd = lock.acquire(path, wait=1)
    monkeypatch.undo()
    assert len(calls) == 2 and path.is_file()
    with pytest.raises(lock.Held):
        lock.acquire(path, wait=0)  # the file at the path is the one held
    lock.release(fd)
