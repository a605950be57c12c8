"""Calling student code: a time limit, a watch for forbidden APIs, and a record of each call.

:class:`Calls` wraps every call one operation makes into the student's code. It turns
whatever goes wrong into a :class:`StudentCodeError` with a *kind* (a fixed word the grader
can show even for a hidden probe) and a message, notes the dtypes the student returned,
and fingerprints the input arrays after each call so that the grader, which knows what
it sent, can tell whether the student changed them in place. It decides nothing.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import signal
import sys
import threading

import numpy as np

from .codec import digest, is_tensor

FAULT_KINDS = ("missing", "raised", "timeout", "returned", "recursion", "forbidden", "tampered", "broken")


class StudentCodeError(Exception):
    """The student's code failed: ``kind`` is one of FAULT_KINDS, ``message`` says how."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind, self.message = kind, message


def raised_message(what: str, error_type: str, message: str) -> str:
    """What the student sees when their function raised; an unfilled stub says so plainly."""
    if error_type == "NotImplementedError":
        return f"{what} is not implemented yet (it still raises NotImplementedError)"
    return f"{what} raised {error_type}: {message}"


RETRY_SECONDS = 0.05  # how soon a limit that fell inside an import or a hook looks again


@contextlib.contextmanager
def time_limit(seconds: float, what: str):
    """Raise a timeout fault in the main thread when ``seconds`` pass (one SIGALRM).

    The fault is never raised inside an import (an import cut short can leave a module
    half-made, or a lock held so that a later call hangs) nor inside the grader's own hooks
    (Python drops a profile hook that raises, which would read as tampering): there the
    alarm waits and looks again. The grader warms the modules a submission imports before
    its calls, so a lazy ``import torch`` costs a call nothing. An import that never ends,
    and anything outside the main thread, meets the grader's own deadline, which kills the
    kernel: that limit always holds.
    """
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_alarm(signum, frame):
        if frame is not None and (frame.f_code in HOOK_CODES or _importing(frame)):
            signal.setitimer(signal.ITIMER_REAL, RETRY_SECONDS)
            return
        raise StudentCodeError("timeout", f"{what} did not return within {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def module_location(module_name: str) -> str | None:
    """The file or folder (with a trailing separator) a module's code lives in.

    Nothing is imported to find out: ``find_spec("torch.optim")`` would import torch, which
    costs a numpy-only kernel seconds. A submodule is looked for inside its package's folder.
    """
    top, *rest = module_name.split(".")
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    if not spec.submodule_search_locations:
        return os.path.realpath(spec.origin) if spec.origin and not rest else None
    folder = os.path.join(os.path.realpath(next(iter(spec.submodule_search_locations))), *rest)
    if os.path.isdir(folder):
        return folder + os.sep
    return folder + ".py" if rest and os.path.isfile(folder + ".py") else None


def _importing(frame) -> bool:
    """Whether the call happens while a module is being imported (torch's own start-up)."""
    while frame is not None:
        if frame.f_code.co_filename.startswith("<frozen importlib"):
            return True
        frame = frame.f_back
    return False


class ForbiddenWatch:
    """While active, records the first call into a forbidden module's code, in any thread.

    Three layers: a profile hook on the calling thread, the same hook for every thread
    started while active, and torch's global optimizer-step hook (which sees an optimizer
    of a forbidden module's class stepped from any thread; the student's own subclasses of
    ``torch.optim.Optimizer`` are theirs). Calls made while a module is being
    imported are not uses. If student code removes or replaces a hook, ``tampered`` says so.
    """

    def __init__(self, locations: dict[str, str]):
        self.locations = locations  # module name -> where its code lives (see forbidden_locations)
        self.hit: str | None = None
        self.tampered: str | None = None
        self._torch_handle = None
        self._hook = self._profile  # one bound method, so that it can be recognised later

    def _profile(self, frame, event, arg):
        if event != "call" or self.hit is not None:
            return
        filename = frame.f_code.co_filename
        for name, location in self.locations.items():
            if (filename == location or filename.startswith(location)) and not _importing(frame):
                self.hit = name

    def _torch_step(self, optimizer, args, kwargs):
        module = type(optimizer).__module__
        for name in self.locations:
            if self.hit is None and (module == name or module.startswith(name + ".")):
                self.hit = name

    @contextlib.contextmanager
    def active(self):
        """Watch the block; afterwards ``hit`` and ``tampered`` tell what happened."""
        if not self.locations:
            yield self
            return
        previous, previous_threads = sys.getprofile(), threading.getprofile()
        self._hook_torch()
        sys.setprofile(self._hook)
        threading.setprofile(self._hook)
        try:
            yield self
        finally:
            still = sys.getprofile() is self._hook and threading.getprofile() is self._hook
            sys.setprofile(previous)
            threading.setprofile(previous_threads)
            if not still:
                self.tampered = "the grader's forbidden-API hook was removed or replaced during the call"
            self._unhook_torch()

    def verdict(self, what: str) -> StudentCodeError | None:
        """Tampering or a forbidden use seen during the call, which outranks how the call ended."""
        if self.tampered:
            return StudentCodeError("tampered", f"{what}: {self.tampered}")
        if self.hit:
            return StudentCodeError("forbidden", f"{what} uses {self.hit}, which this question forbids")
        return None

    def _hook_torch(self) -> None:
        optimizer = sys.modules.get("torch.optim.optimizer")
        if optimizer is not None and any(name.startswith("torch") for name in self.locations):
            self._torch_handle = optimizer.register_optimizer_step_pre_hook(self._torch_step)

    def _unhook_torch(self) -> None:
        if self._torch_handle is None:
            return
        hooks = getattr(sys.modules.get("torch.optim.optimizer"), "_global_optimizer_pre_hooks", {})
        if self._torch_handle.id not in hooks:
            self.tampered = "the grader's torch.optim step hook was removed during the call"
        self._torch_handle.remove()
        self._torch_handle = None


# Code that runs as the grader's hooks: a timeout is never raised inside it.
HOOK_CODES = frozenset({ForbiddenWatch._profile.__code__, ForbiddenWatch._torch_step.__code__, _importing.__code__})


def forbidden_locations(module_names) -> dict[str, str]:
    """Where each forbidden module's code lives, for the modules that are installed."""
    located = {name: module_location(name) for name in module_names}
    return {name: where for name, where in located.items() if where}


def _plain(value):
    """Tensors (also inside lists and tuples) as numpy arrays; anything else as it is."""
    if is_tensor(value):
        return value.detach().cpu().numpy()
    if isinstance(value, (list, tuple)) and any(is_tensor(item) or isinstance(item, (list, tuple)) for item in value):
        return [_plain(item) for item in value]
    return value


def to_numbers(value, what: str) -> tuple[np.ndarray, str]:
    """A student's number(s) as a float64 array plus the dtype they came in: an ndarray, a
    list, a tuple, a torch tensor (on any device, with or without grad) or a list of those."""
    value = _plain(value)
    try:
        array = np.asarray(value)
        if array.dtype == object:
            raise ValueError("ragged")
        dtype = str(array.dtype)
        return array.astype(np.float64), dtype
    except (TypeError, ValueError):
        raise StudentCodeError("returned", f"{what} returned {type(value).__name__}, not numbers") from None


class Calls:
    """Every call one operation makes into student code, and what each one left behind."""

    def __init__(self, time_limit_seconds: float = 10.0, forbidden=()):
        self.time_limit = time_limit_seconds
        self.forbidden = forbidden_locations(forbidden) if forbidden else {}
        self.dtypes: set[str] = set()
        self.inputs: list[list] = []  # per recorded call: [what, [digests of its inputs afterwards]]

    def call(self, what: str, function, *args, **kwargs):
        """``function(*args, **kwargs)``; any failure becomes a StudentCodeError about ``what``."""
        watch = ForbiddenWatch(self.forbidden)
        try:
            with time_limit(self.time_limit, what), watch.active():
                result = function(*args, **kwargs)
        except StudentCodeError as error:
            raise watch.verdict(what) or error from None
        except RecursionError:
            raise watch.verdict(what) or StudentCodeError("recursion", f"{what} recursed too deeply") from None
        except Exception as error:  # the student's code may raise anything
            failure = StudentCodeError("raised", raised_message(what, type(error).__name__, str(error)))
            raise watch.verdict(what) or failure from None
        verdict = watch.verdict(what)
        if verdict:
            raise verdict
        return result

    def array(self, value, what: str, shape: tuple[int, ...] | None = None) -> np.ndarray:
        """Convert a returned value, note its dtype, and check its shape if given."""
        array, dtype = to_numbers(value, what)
        self.dtypes.add(dtype)
        if shape is not None and array.size == int(np.prod(shape)) and array.shape != shape:
            array = array.reshape(shape)  # (2, 1) for (2,) is a layout, not an error
        if shape is not None and array.shape != shape:
            raise StudentCodeError("returned", f"{what} returned shape {array.shape}, expected {shape}")
        return array

    def inputs_after(self, what: str, *arrays) -> None:
        """Fingerprint the arrays a call was given, as they are after it returned."""
        self.inputs.append([what, [digest(array) for array in arrays]])
