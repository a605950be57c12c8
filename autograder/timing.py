"""Where a submission's grading time goes: wall seconds per phase, for the overhead benchmark.

A submission's phases nest (a probe's student calls happen inside the check that computes
references), so each phase records its *exclusive* time: seconds spent in a nested phase
count for that phase alone, and the phases of one submission add up to its wall time.
Nothing is recorded unless a :class:`PhaseClock` is active, so library use costs nothing.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from contextvars import ContextVar

_ACTIVE: ContextVar[PhaseClock | None] = ContextVar("gdgrade_phase_clock", default=None)


class PhaseClock:
    """Exclusive wall seconds per named phase."""

    def __init__(self):
        self.seconds: dict[str, float] = {}
        self._open: list[list] = []  # [name, started, seconds spent in nested phases]

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Time the block as ``name``, minus whatever nested phases inside it take."""
        frame = [name, time.perf_counter(), 0.0]
        self._open.append(frame)
        try:
            yield
        finally:
            self._open.pop()
            total = time.perf_counter() - frame[1]
            self.seconds[name] = self.seconds.get(name, 0.0) + total - frame[2]
            if self._open:
                self._open[-1][2] += total

    def rounded(self) -> dict[str, float]:
        """The phases in milliseconds precision, for a result's JSON."""
        return {name: round(seconds, 4) for name, seconds in self.seconds.items()}


@contextlib.contextmanager
def measuring() -> Iterator[PhaseClock]:
    """Activate a fresh clock for the block (one submission) and hand it out."""
    clock = PhaseClock()
    token = _ACTIVE.set(clock)
    try:
        yield clock
    finally:
        _ACTIVE.reset(token)


def phase(name: str):
    """Time a block as ``name`` on the active clock; does nothing when none is active."""
    clock = _ACTIVE.get()
    return clock.phase(name) if clock is not None else contextlib.nullcontext()
