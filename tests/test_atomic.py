"""Atomic writes and the read-only raw folder."""

from __future__ import annotations

import pytest

from tees_analysis.data import atomic
from tees_analysis.paths import RAW


def test_writes_all_files(tmp_path):
    written = atomic.write_files({tmp_path / "a.csv": b"a\n", tmp_path / "sub" / "b.csv": b"b\n"})
    assert [p.read_bytes() for p in written] == [b"a\n", b"b\n"]


def test_failure_part_way_changes_no_target(tmp_path):
    (tmp_path / "a.csv").write_bytes(b"old\n")
    (tmp_path / "blocker").write_text("a file where a folder is needed")
    with pytest.raises(OSError):
        atomic.write_files({tmp_path / "a.csv": b"new\n", tmp_path / "blocker" / "b.csv": b"b\n"})
    assert (tmp_path / "a.csv").read_bytes() == b"old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "blocker"]  # no temp left


def test_raw_folder_is_read_only():
    with pytest.raises(atomic.RawDataIsReadOnly):
        atomic.write_text(RAW / "children.csv", "x")
    assert not (RAW / "children.csv").exists()


def test_new_files_follow_the_umask_and_replacements_keep_their_mode(tmp_path):
    import os

    new = atomic.write_text(tmp_path / "new.csv", "x")
    umask = os.umask(0)
    os.umask(umask)
    assert new.stat().st_mode & 0o777 == 0o666 & ~umask
    os.chmod(new, 0o600)
    assert atomic.write_text(new, "y").stat().st_mode & 0o777 == 0o600


def test_temporary_files_can_live_in_a_folder_of_their_own(tmp_path, monkeypatch):
    """Where a later run can find and remove what a killed process left."""
    import os

    tmp = tmp_path / ".tmp"
    seen = []
    real = os.replace
    monkeypatch.setattr(os, "replace", lambda a, b: seen.append(a) or real(a, b))
    atomic.write_files({tmp_path / "v" / "a.csv": b"a\n"}, tmp_dir=tmp)
    assert [os.path.dirname(a) for a in seen] == [str(tmp)]
    assert (tmp_path / "v" / "a.csv").read_bytes() == b"a\n" and list(tmp.iterdir()) == []
