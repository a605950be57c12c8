"""What a check needs from the student's code, as one operation run where that code lives.

A check asks the student's code for numbers: a replayed trajectory, one update from each
of many states, a closed-loop run, a schedule's learning rates, gradients at a few points,
some epochs of batches. Each of those is an *operation* here. It builds the student's
object with the question's calling convention, drives it (hundreds of calls, if need be)
and returns plain numbers.

In-process, the operation runs right here. For a sandboxed kernel the whole operation runs
inside the kernel in one round trip (this module and what it imports are installed there,
see :mod:`autograder.remote`); only its numbers come back, and every decision about the
grade is still made outside, by the check that asked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

from autograder.adapters import CONVENTIONS
from autograder.errors import SubmissionError
from autograder.guard import Guard
from autograder.kernel_runtime import decode, encode
from reference.optimizers import Optimizer
from reference.problems import get_problem
from reference.trajectory import replay, run

QUESTION_FIELDS = ("id", "convention", "symbols", "names", "reference", "hparams", "time_limit", "forbidden")


@dataclass(frozen=True)
class Operation:
    """A named way of driving the student's object: how many calls into it that makes, and
    the shape of the float array it returns (None: a list of epochs of index arrays)."""

    perform: Callable
    calls: Callable[..., int]
    shape: Callable[..., tuple[int, ...]] | None

    def flaw(self, result, args: tuple) -> str | None:
        """What is wrong with a result that came back from a kernel (which may be tampered with)."""
        if self.shape is None:
            return _epochs_flaw(result)
        expected = self.shape(*args)
        if not isinstance(result, np.ndarray) or result.dtype.kind != "f" or result.shape != expected:
            return f"expected a float array of shape {expected}, got {_described(result)}"
        return None


def _described(value) -> str:
    if isinstance(value, np.ndarray):
        return f"a {value.dtype} array of shape {value.shape}"
    return type(value).__name__


def _epochs_flaw(result) -> str | None:
    if not isinstance(result, list) or not all(isinstance(epoch, list) for epoch in result):
        return f"expected a list of epochs, got {_described(result)}"
    for epoch in result:
        if not all(isinstance(b, np.ndarray) and b.ndim == 1 and b.dtype.kind in "iu" for b in epoch):
            return "expected each epoch as a list of integer index arrays"
    return None


OPERATIONS: dict[str, Operation] = {}


def operation(calls: Callable[..., int], shape: Callable[..., tuple[int, ...]] | None):
    """Register the decorated function as an operation (see :class:`Operation`)."""

    def register(function):
        OPERATIONS[function.__name__] = Operation(function, calls, shape)
        return function

    return register


@operation(
    calls=lambda hparams, grads, start, lrs: len(lrs) + 1,
    shape=lambda hparams, grads, start, lrs: (len(lrs) + 1, np.size(start)),
)
def replay_params(make, hparams: dict, grads: np.ndarray, start: np.ndarray, lrs: np.ndarray) -> np.ndarray:
    """The student's optimizer fed the reference's gradient sequence: its parameters at every step."""
    return replay(make(hparams), grads, start, lrs)


@operation(
    calls=lambda hparams, thetas, states, grads, lrs: len(lrs) + 1,
    shape=lambda hparams, thetas, states, grads, lrs: (len(lrs), np.size(thetas[0])),
)
def one_step_params(make, hparams: dict, thetas: list, states: list, grads: np.ndarray, lrs: np.ndarray) -> np.ndarray:
    """One update from each given (parameters, state) pair, in the student's state format."""
    student = make(hparams)
    steps = zip(thetas, states, grads, lrs, strict=True)
    return np.array([student.update(theta, grad, state, lr)[0] for theta, state, grad, lr in steps])


@operation(
    calls=lambda hparams, problem, lrs, start: len(lrs) + 1,
    shape=lambda hparams, problem, lrs, start: (len(lrs) + 1, np.size(start)),
)
def closed_loop_params(make, hparams: dict, problem: str, lrs: np.ndarray, start: np.ndarray) -> np.ndarray:
    """The student's own iterates on a problem (update k uses ``lrs[k]``), start included."""
    built, surface = make(hparams), get_problem(problem)
    if isinstance(built, Optimizer):
        return run(built, surface, len(lrs), schedule=lambda k: lrs[k], start=start).params
    return built(surface, lrs, start)


@operation(calls=lambda params, n_steps: n_steps, shape=lambda params, n_steps: (n_steps,))
def schedule_lrs(make, params: dict, n_steps: int) -> np.ndarray:
    """The student's learning rate at 0-based steps ``0 .. n_steps - 1``."""
    return make(params)(n_steps)


@operation(calls=lambda problem, points: len(points), shape=lambda problem, points: (len(points), np.size(points[0])))
def gradients_at(make, problem: str, points: list) -> np.ndarray:
    """The student's gradient of a problem's loss at each point."""
    gradient = make(get_problem(problem))
    return np.array([gradient(np.asarray(w)) for w in points])


@operation(calls=lambda n, batch_size, seed, epochs: epochs, shape=None)
def epochs_of_batches(make, n: int, batch_size: int, seed: int, epochs: int) -> list:
    """``epochs`` calls of the student's batch maker, sharing one Generator seeded with ``seed``."""
    make_batches, rng = make({}), np.random.default_rng(seed)
    return [make_batches(n, batch_size, rng) for _ in range(epochs)]


def perform(namespace, question, guard: Guard, name: str, args: tuple):
    """Run operation ``name`` on the student's symbols in ``namespace`` (here, not remotely)."""
    convention = CONVENTIONS[question.convention]
    return OPERATIONS[name].perform(lambda params: convention.build(namespace, question, params, guard), *args)


def student_run(namespace, question, guard: Guard, name: str, *args):
    """Operation ``name`` with ``args``, where the student's code is: here, or in its kernel.

    The student's failures raise SubmissionError; ``guard`` collects the output dtypes and
    in-place changes either way.
    """
    remote = getattr(namespace, "student_run", None)
    if remote is not None:
        return remote(question, guard, name, args)
    return perform(namespace, question, guard, name, args)


def question_data(question) -> dict:
    """What the kernel needs to know about a question to drive the student's code."""
    return encode({field: getattr(question, field) for field in QUESTION_FIELDS})


def kernel_side(namespace: dict, request: dict) -> dict:
    """Inside the kernel: perform a requested operation; the reply is plain data."""
    question = SimpleNamespace(**decode(request["question"]))
    guard = Guard(question.time_limit, tuple(question.forbidden))
    try:
        outcome = {"result": encode(perform(namespace, question, guard, request["operation"], decode(request["args"])))}
    except SubmissionError as error:
        outcome = {"error": str(error)}
    return outcome | {"dtypes": sorted(guard.dtypes), "mutations": guard.mutations}
