"""A bounded wait for tests: a block that runs too long fails instead of hanging the suite."""

from __future__ import annotations

import contextlib
import signal


class Hang(BaseException):
    """Raised by the alarm: not an ``Exception``, so code under test that turns exceptions into
    messages (the CLI's guard, a reader's error handling) cannot swallow it."""


@contextlib.contextmanager
def time_limit(seconds: float):
    """Raise :class:`Hang` in the block if it runs for more than ``seconds`` (SIGALRM)."""

    def stop(*_):
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
