"""Atomic file writes: a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from ..paths import RAW


class RawDataIsReadOnly(PermissionError):
    """Raised when code tries to write into ``data/raw``."""


def _guard(path: Path, allow_raw: bool) -> None:
    if allow_raw:
        return
    resolved = path.resolve()
    if resolved == RAW.resolve() or RAW.resolve() in resolved.parents:
        raise RawDataIsReadOnly(f"{path}: data/raw is read-only; write processed data elsewhere")


def _mode(path: Path) -> int:
    """Permissions for a new file: those of the file it replaces, else the usual ones.

    ``mkstemp`` creates owner-only files; the files written here (tables, figures, templates)
    are meant to be read like any other file the user creates, so the umask decides.
    """
    if path.exists():
        return path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_files(
    files: dict[Path, bytes], *, allow_raw: bool = False, tmp_dir: Path | None = None
) -> list[Path]:
    """Write several files so that none is replaced unless all were written in full.

    Each file is first written and flushed to a temporary file (``.NAME.XXXXXXXX.tmp``) beside
    its target, or in ``tmp_dir`` when given (a folder on the same file system, where a later
    run can find and remove what a killed process left); only when every temporary file is
    complete are they renamed over their targets (``os.replace`` is atomic on one file
    system). On any error the temporary files are removed and no target has changed.
    """
    staged: list[tuple[str, Path]] = []
    try:
        for path, data in files.items():
            path = Path(path)
            _guard(path, allow_raw)
            path.parent.mkdir(parents=True, exist_ok=True)
            where = path.parent if tmp_dir is None else Path(tmp_dir)
            where.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=where, prefix=f".{path.name}.", suffix=".tmp")
            staged.append((tmp, path))
            os.chmod(tmp, _mode(path))
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
    except BaseException:
        for tmp, _ in staged:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        raise
    for tmp, path in staged:
        os.replace(tmp, path)
    return [path for _, path in staged]


def write_text(path: Path, text: str, **kwargs) -> Path:
    """Write one text file (UTF-8, ``\\n`` line ends) atomically."""
    return write_files({Path(path): text.encode("utf-8")}, **kwargs)[0]
