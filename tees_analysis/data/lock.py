"""An exclusive lock between processes, held by the operating system on a file that stays put.

Used by ``add-year`` (:mod:`.merge`) so that two merges never run on one dataset at once.

The operating system holds the lock -- ``fcntl.flock`` on Linux and macOS, ``msvcrt.locking``
on Windows -- and releases it when the holder ends, however it ends (a crash, a kill, a power
cut). A lock left by a process that died is therefore simply free: there is no takeover of a
"stale" lock, and so no race between two processes taking one over. The lock file is created
when first needed and never deleted: deleting it would let a newcomer lock a fresh file while
the holder still held the old one. Its content is only a note, for the message a waiting
process gives: while a process holds the lock, the file says which process, on which machine
and since when; it is emptied on release. The content is never trusted, so an empty file, or
one left by an older version of add-year (which wrote ``PID HOST`` into it), is no obstacle.

Like every advisory lock it binds only the programs that take it, and a network file system
must support locks (NFS does; SMB mounts with ``nobrl`` do not).
"""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None
    import msvcrt

#: Where the Windows lock sits in the file: one byte far past the note, which stays readable.
_WINDOWS_BYTE = 1 << 30
#: How often a waiting process tries again (seconds).
POLL = 0.05


class Held(RuntimeError):
    """Another process held the lock for the whole wait; ``holder`` says which, if known."""

    def __init__(self, path: Path, holder: str, waited: float):
        self.path, self.holder, self.waited = path, holder, waited
        super().__init__(f"{path}: locked by {holder} (waited {waited:g} s)")


def _try_lock(fd: int) -> bool:
    """Take the lock on ``fd`` if it is free; ``False`` if another process holds it."""
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:  # pragma: no cover - Windows
            os.lseek(fd, _WINDOWS_BYTE, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError as err:
        if err.errno in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES, errno.EDEADLK):
            return False
        raise
    return True


def _unlock(fd: int) -> None:
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)
    else:  # pragma: no cover - Windows
        os.lseek(fd, _WINDOWS_BYTE, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)


def _still_there(fd: int, path: Path) -> bool:
    """Whether ``path`` is still the file open as ``fd`` (not deleted or replaced meanwhile).

    Windows keeps an open file from being deleted; elsewhere a file deleted by hand between our
    open and our lock would leave us holding a lock nobody else can see.
    """
    if fcntl is None:  # pragma: no cover - Windows
        return True
    try:
        now = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (held.st_dev, held.st_ino) == (now.st_dev, now.st_ino)


def _open(path: Path) -> int:
    """The lock file, opened (created if missing, with the umask's permissions like any file).

    A lock file made by another user may be read-only for us: the lock works on a read-only
    descriptor too (only the note is then left as it is).
    """
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o666)
    except PermissionError:
        if not path.is_file():
            raise
        return os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))


def _write_note(fd: int, text: str) -> None:
    """Replace the lock file's note (best effort: the note is only ever shown to people)."""
    with contextlib.suppress(OSError):
        os.ftruncate(fd, 0)
        if text:
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, text.encode("utf-8"))


def holder(path: Path | str) -> str:
    """Who holds the lock, as the lock file says: e.g. ``process 4242 on pc-17 since 10:02 UTC``.

    Read without locking: only meaningful while someone holds the lock.
    """
    try:
        words = Path(path).read_text(encoding="utf-8", errors="replace").split()
    except OSError:
        words = []
    if len(words) >= 2 and words[0].isdigit():
        since = f" since {words[2]}" if len(words) >= 3 else ""
        return f"process {words[0]} on {words[1]}{since}"
    return "another process (it has not said which)"


def acquire(path: Path | str, wait: float) -> int:
    """Take the lock on the file ``path`` (created if missing); return the descriptor holding it.

    Waits up to ``wait`` seconds for another holder to finish, then raises :class:`Held`.
    Raises ``OSError`` when the file cannot be opened or the file system cannot lock. Give the
    descriptor to :func:`release` (or simply end the process).
    """
    path = Path(path)
    deadline = time.monotonic() + wait
    while True:
        fd = _open(path)
        try:
            locked = _try_lock(fd)
            if locked and _still_there(fd, path):
                break
            if locked:  # the file was deleted or replaced: lock the one that is there now
                _unlock(fd)
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
        left = deadline - time.monotonic()
        if left <= 0:
            raise Held(path, holder(path), wait)
        if not locked:
            time.sleep(min(POLL, left))
    since = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    _write_note(fd, f"{os.getpid()} {socket.gethostname()} {since}\n")
    return fd


def release(fd: int) -> None:
    """Empty the lock file's note and release the lock held on ``fd``."""
    try:
        _write_note(fd, "")
        _unlock(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def hold(path: Path | str, wait: float) -> Iterator[None]:
    """Hold the lock on ``path`` for a ``with`` block (:func:`acquire`, then :func:`release`)."""
    fd = acquire(path, wait)
    try:
        yield
    finally:
        release(fd)
