"""Calling student code safely in-process: time limits, forbidden APIs, output checks.

Every call into student code goes through :meth:`Guard.call`, which turns whatever goes
wrong (an exception, a time-out, a forbidden API, a wrong shape) into a
:class:`SubmissionError` whose message says which function, at which step, and why.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

import numpy as np

from autograder.errors import SubmissionError, raised_message
from autograder.kernel_runtime import is_tensor, watch_calls


@contextlib.contextmanager
def time_limit(seconds: float, what: str) -> Iterator[None]:
    """Raise SubmissionError in the main thread when ``seconds`` pass.

    Uses SIGALRM, so it interrupts Python-level loops; elsewhere than the main thread it
    cannot interrupt and does nothing (the sandboxed runner enforces its own limits).
    """
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_alarm(signum, frame):
        raise SubmissionError(f"{what} did not return within {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class ForbiddenApiError(SubmissionError):
    """The student's code called into a module the question forbids."""


@contextlib.contextmanager
def forbidden_calls(module_names: tuple[str, ...], what: str) -> Iterator[None]:
    """Fail when code running inside calls a Python function defined in a forbidden module.

    Detection is at run time (a profile hook sees each call's source file), so renaming
    an import or hiding it in a string does not get around it. The same hook runs inside
    sandboxed kernels (:func:`autograder.kernel_runtime.watch_calls`).
    """
    with watch_calls(module_names) as hits:
        yield
    if hits:
        raise ForbiddenApiError(f"{what} uses {hits[0]}, which this question forbids")


def to_array(value, what: str) -> tuple[np.ndarray, str]:
    """A student's number(s) as a float64 array plus the dtype they came in."""
    if is_tensor(value):
        value = value.detach().cpu().numpy()
    try:
        array = np.asarray(value)
        dtype = str(array.dtype)
        return array.astype(np.float64), dtype
    except (TypeError, ValueError):
        raise SubmissionError(f"{what} returned {type(value).__name__}, not numbers") from None


class Guard:
    """Calls student code under a time limit and API ban, and records output dtypes."""

    def __init__(self, time_limit_seconds: float = 10.0, forbidden: tuple[str, ...] = ()):
        self.time_limit = time_limit_seconds
        self.forbidden = forbidden
        self.dtypes: set[str] = set()
        self.mutations: list[str] = []

    def call(self, what: str, function, *args, **kwargs):
        """``function(*args, **kwargs)``; any failure becomes a SubmissionError about ``what``.

        A function living in the sandboxed kernel is called there, under the same limits.
        """
        remote_call = getattr(function, "remote_call", None)
        if remote_call is not None:
            result = remote_call(what, self.time_limit, self.forbidden, args, kwargs)
            if result.mutated:
                self.mutations.append(what)
            return result.value
        try:
            with time_limit(self.time_limit, what), forbidden_calls(self.forbidden, what):
                return function(*args, **kwargs)
        except SubmissionError:
            raise
        except RecursionError:
            raise SubmissionError(f"{what} recursed too deeply") from None
        except Exception as error:  # the student's code may raise anything
            raise SubmissionError(raised_message(what, type(error).__name__, str(error))) from None

    def array(self, value, what: str, shape: tuple[int, ...] | None = None) -> np.ndarray:
        """Convert a returned value, record its dtype, and check its shape if given."""
        array, dtype = to_array(value, what)
        self.dtypes.add(dtype)
        if shape is not None and array.size == int(np.prod(shape)) and array.shape != shape:
            array = array.reshape(shape)  # (2, 1) for (2,) is a layout, not an error
        if shape is not None and array.shape != shape:
            raise SubmissionError(f"{what} returned shape {array.shape}, expected {shape}")
        return array

    def watch(self, what: str, *given_and_original: tuple[np.ndarray, np.ndarray]) -> None:
        """Record ``what`` if the student changed any array it was given (it got copies)."""
        for given, original in given_and_original:
            if not np.array_equal(given, original, equal_nan=True):
                self.mutations.append(what)
                return

    @property
    def dtype(self) -> str:
        """float32 if any output was single precision, else float64."""
        low = {"float32", "float16", "bfloat16"} & self.dtypes
        return sorted(low)[0] if low else "float64"
