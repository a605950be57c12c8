"""The grader's side of the boundary with student code: one interface, two places.

Checks ask a :class:`StudentCode` to run a :class:`Request`: an *operation* of
:mod:`autograder.student.operations` (a replay, a closed loop, a schedule's lrs, a
function on chosen inputs ...) on one question's symbols. :class:`LocalStudent` runs it
in this process (a self-check, library use); :class:`autograder.sandbox.remote.KernelStudent`
runs it in the sandboxed kernel, one round trip per request. Either way the answer is an
:class:`Observed`, checked here before any check sees it: the result's type and shape,
and whether the student changed the inputs it was given, decided from what the grader
sent. The student's failures raise :class:`~autograder.errors.SubmissionError`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from autograder.errors import SubmissionError
from autograder.student.calls import Calls, StudentCodeError
from autograder.student.codec import digest
from autograder.student.operations import perform
from reference.problem import Problem

QUESTION_FIELDS = ("id", "convention", "symbols", "names", "reference", "hparams", "time_limit", "forbidden")
SURFACE_FUNCTIONS = ("loss", "grad", "loss_on", "grad_on", "loss_and_grad")
SLACK_SECONDS = 5.0  # a request's time beyond time_limit x calls: the round trip and the loop itself


@dataclass(frozen=True)
class Lent:
    """One function of a problem, lent to the student's code as an argument (a callback)."""

    problem: Problem
    function: str


@dataclass(frozen=True)
class Request:
    """Run ``operation`` on ``question``'s symbols with ``args`` (plain data, problems, Lent)."""

    operation: str
    question: Any  # a QuestionSpec
    args: tuple

    @property
    def what(self) -> str:
        """The student's functions, as messages name them."""
        return ", ".join(f"{symbol}()" for symbol in self.question.symbols.values())

    def seconds(self) -> float:
        """How long the whole request may take: the per-call limit for each call, plus slack."""
        return self.question.time_limit * max(OPERATIONS[self.operation].calls(*self.args), 1) + SLACK_SECONDS


@dataclass(frozen=True)
class Observed:
    """What the student's code returned, and what the grader saw it do."""

    result: Any
    dtypes: frozenset[str]
    mutated: tuple[str, ...]  # the calls that changed an array they were given


class StudentCode(Protocol):
    """Where the student's code is: checks call nothing else."""

    def run(self, request: Request) -> Observed:
        """Run the request; the student's failures raise SubmissionError."""


def question_data(question) -> dict:
    """What the student's side needs to know about a question to call its code."""
    return {name: _plain(getattr(question, name)) for name in QUESTION_FIELDS}


def _plain(value):
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (tuple, list)):
        return [_plain(item) for item in value]
    return value


# --- what each operation is, seen from the grader ------------------------------------------------------


def _array_flaw(result, shape: tuple[int, ...] | None) -> str | None:
    if not isinstance(result, np.ndarray) or result.dtype.kind != "f":
        return f"expected a float array, got {_described(result)}"
    if shape is not None and result.shape != shape:
        return f"expected a float array of shape {shape}, got {_described(result)}"
    return None


def _described(value) -> str:
    if isinstance(value, np.ndarray):
        return f"a {value.dtype} array of shape {value.shape}"
    return type(value).__name__


def _epochs_flaw(result, args) -> str | None:
    if not isinstance(result, list) or len(result) != int(args[3]) or not all(isinstance(e, list) for e in result):
        return f"expected a list of {args[3]} epochs, got {_described(result)}"
    for epoch in result:
        if not all(isinstance(b, np.ndarray) and b.ndim == 1 and b.dtype.kind in "iu" for b in epoch):
            return "expected each epoch as a list of integer index arrays"
    return None


def _cases_flaw(result, args) -> str | None:
    if not isinstance(result, list) or len(result) != len(args[0]):
        return f"expected {len(args[0])} results, got {_described(result)}"
    for item in result:
        parts = item if isinstance(item, list) else [item]
        if not parts or any(_array_flaw(part, None) for part in parts):
            return "expected numbers for every input"
    return None


def _batch_run_flaw(result, args) -> str | None:
    _, _, plan, start = args
    rows = {len(plan["batches"]) + 1, int(plan["epochs"]) + 1}
    fits = _array_flaw(result, None) is None and result.ndim == 2 and result.shape[1] == np.size(start)
    if not fits or result.shape[0] not in rows:
        return f"expected the parameters after every update or epoch, got {_described(result)}"
    return None


def _replay_shape(hparams, grads, start, lrs) -> tuple[int, int]:
    return len(lrs) + 1, np.size(start)


def _one_step_shape(hparams, thetas, states, grads, lrs) -> tuple[int, int]:
    return len(lrs), np.size(thetas[0])


def _closed_loop_shape(hparams, surface, lrs, start, next_lr=None) -> tuple[int, int]:
    return len(lrs) + 1, np.size(start)


def _gradients_shape(surface, points) -> tuple[int, int]:
    return len(points), np.size(points[0])


@dataclass(frozen=True)
class OperationSpec:
    """How many student calls an operation makes (for its time budget) and how to check its result.

    ``shape(*args)`` is the float array it returns, when that is known; ``flaw`` checks others.
    """

    calls: Callable[..., int]
    shape: Callable[..., tuple] | None = None
    flaw: Callable[[Any, tuple], str | None] | None = None

    def problem(self, result, args: tuple) -> str | None:
        """What is wrong with a result, or None."""
        return self.flaw(result, args) if self.flaw else _array_flaw(result, self.shape(*args) if self.shape else None)


OPERATIONS: dict[str, OperationSpec] = {
    "replay": OperationSpec(lambda *args: _replay_shape(*args)[0], _replay_shape),
    "one_step": OperationSpec(lambda *args: _one_step_shape(*args)[0] + 1, _one_step_shape),
    "closed_loop": OperationSpec(lambda *args: _closed_loop_shape(*args)[0], _closed_loop_shape),
    "schedule_lrs": OperationSpec(lambda params, n_steps: n_steps, lambda params, n_steps: (n_steps,)),
    "gradients_at": OperationSpec(lambda *args: _gradients_shape(*args)[0], _gradients_shape),
    "epochs_of_batches": OperationSpec(lambda n, size, seed, epochs: epochs, flaw=_epochs_flaw),
    "call_each": OperationSpec(lambda cases: len(cases), flaw=_cases_flaw),
    "batch_run": OperationSpec(lambda *args: 1, flaw=_batch_run_flaw),
    "training_losses": OperationSpec(lambda setup: 1, lambda setup: (setup["n_steps"],)),
    "read_value": OperationSpec(lambda: 1),
    "step_twice": OperationSpec(lambda *args: 3, lambda hparams, theta, grad, lr: (2, np.size(theta))),
}


def check_result(request: Request, result) -> None:
    """A SubmissionError when a result cannot be what the operation produces.

    Worded apart from a value that cannot cross the boundary at all ("... cannot be graded: ..."),
    so that :func:`autograder.messages.localise` translates the flaw too, not only the sentence around it.
    """
    flaw = OPERATIONS[request.operation].problem(result, request.args)
    if flaw is not None:
        raise SubmissionError(f"{request.what} returned a value of the wrong type or shape: {flaw}", kind="returned")


# --- input arrays the student changed in place, decided from what the grader sent -----------------------

RECORDS_EACH_UPDATE = ("functional", "cs231n", "stateful-class")
RECORDS_ONCE = ("gd-runner", "schedule-runner", "minibatch-runner", "epoch-runner")


def expected_inputs(request: Request, result) -> list[list[str]] | None:
    """Fingerprints of the arrays each student call was given, as the grader sent them.

    None when the operation's convention records none (the call is then not checked).
    """
    op, convention, args = request.operation, request.question.convention, request.args
    if convention in RECORDS_ONCE and op in ("closed_loop", "batch_run"):
        return [[digest(np.asarray(args[3], dtype=np.float64))]]
    if op == "replay" and convention in RECORDS_EACH_UPDATE:
        return [[digest(result[k]), digest(g)] for k, g in enumerate(np.asarray(args[1], dtype=np.float64))]
    if op == "one_step" and convention in RECORDS_EACH_UPDATE:
        return [[digest(np.asarray(t, dtype=np.float64)), digest(np.asarray(g, dtype=np.float64))]
                for t, g in zip(args[1], args[3], strict=True)]  # fmt: skip
    if op == "closed_loop" and convention in RECORDS_EACH_UPDATE:
        problem = args[1]
        return [[digest(theta), digest(np.asarray(problem.grad(theta), dtype=np.float64))] for theta in result[:-1]]
    if op == "closed_loop" and convention == "functional-look-ahead":
        return [[digest(theta)] for theta in result[:-1]]
    if op == "gradients_at":
        return [[digest(np.asarray(w, dtype=np.float64))] for w in args[1]]
    if op == "call_each":
        return [[digest(a) for a in case if isinstance(a, np.ndarray)] for case in args[0]]
    return None


def mutated_calls(request: Request, result, reported: list) -> tuple[str, ...]:
    """The calls whose inputs came back changed; a record that does not fit is tampering."""
    expected = expected_inputs(request, result)
    if expected is None:
        return ()
    if len(reported) != len(expected):
        raise SubmissionError(
            f"{request.what}: the record of calls from the kernel does not fit what was asked (tampered with?)",
            kind="tampered",
        )
    return tuple(str(what) for (what, got), want in zip(reported, expected, strict=True) if list(got) != want)


# --- in this process ---------------------------------------------------------------------------------------


def _local(value):
    if isinstance(value, Lent):
        return getattr(value.problem, value.function)
    if isinstance(value, (list, tuple)):
        return type(value)(_local(item) for item in value)
    return value


class LocalStudent:
    """The student's symbols in this process (a module's or a notebook's namespace)."""

    def __init__(self, namespace: dict):
        self.namespace = namespace

    def run(self, request: Request) -> Observed:
        """Run the operation here, under the same per-call limits as in a kernel."""
        question = request.question
        calls = Calls(question.time_limit, question.forbidden)
        data = question_data(question)
        try:
            result = perform(self.namespace, data, request.operation, [_local(a) for a in request.args], calls)
        except StudentCodeError as fault:
            raise SubmissionError(fault.message, kind=fault.kind) from None
        check_result(request, result)
        return Observed(result, frozenset(calls.dtypes), mutated_calls(request, result, calls.inputs))


def as_student(namespace_or_student) -> StudentCode:
    """A StudentCode for a namespace dict (or the StudentCode itself)."""
    if isinstance(namespace_or_student, dict):
        return LocalStudent(namespace_or_student)
    return namespace_or_student
