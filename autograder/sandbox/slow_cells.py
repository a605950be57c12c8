"""Saying which cell is running when one is slow (``gdgrade check``: the student is waiting).

:func:`announcing_slow_cells` turns it on for the code inside its ``with``; the kernel wraps
each cell in :func:`watching`, which prints one line if the cell is still running after
``after`` seconds. Batches leave it off: their progress is per submission.
"""

from __future__ import annotations

import contextlib
import contextvars
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TextIO

from autograder.messages import localise


@dataclass(frozen=True)
class Announcer:
    """Where, and after how many seconds, a slow cell is named."""

    after: float
    stream: TextIO
    language: str = "en"
    timer: Callable[[float, Callable[[], None]], threading.Timer] = threading.Timer  # what fires after ``after`` s


_ANNOUNCER: contextvars.ContextVar[Announcer | None] = contextvars.ContextVar("slow_cells", default=None)


@contextlib.contextmanager
def announcing_slow_cells(after: float = 5.0, stream: TextIO | None = None, language: str = "en",
                          timer=threading.Timer) -> Iterator[None]:  # fmt: skip
    """Inside this block, a cell still running after ``after`` seconds is named on ``stream``
    (stderr), in ``language``; ``timer(seconds, function)`` makes what fires it."""
    token = _ANNOUNCER.set(Announcer(after, stream or sys.stderr, language, timer))
    try:
        yield
    finally:
        _ANNOUNCER.reset(token)


def first_line(source: str, width: int = 60) -> str:
    """A cell's first line of code, as a reminder of which cell it is."""
    line = next((text.strip() for text in source.splitlines() if text.strip() and not text.strip().startswith("#")), "")
    return line if len(line) <= width else line[: width - 1] + "…"


@contextlib.contextmanager
def watching(number: int, source: str, limit: float) -> Iterator[None]:
    """Name code cell ``number`` if it is still running after the announcer's delay (when one is on)."""
    announcer = _ANNOUNCER.get()
    if announcer is None or limit <= announcer.after:
        yield
        return
    line = localise(f"still running code cell {number} ({first_line(source)}); it may run up to {limit:g} s",
                    announcer.language)  # fmt: skip
    timer = announcer.timer(announcer.after, lambda: print(line, file=announcer.stream, flush=True))
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
