"""Operations: one way each of driving the student's code for one probe, in one round trip.

An operation builds the student's object with the question's calling convention, calls it
as often as the probe needs (a replay's steps, a schedule's lrs, a function's input cases)
and returns the raw numbers. The inputs are the grader's: gradient sequences, states,
points, seeds, data and callbacks. What comes back is judged outside.
"""

from __future__ import annotations

import numpy as np

from .calls import Calls, StudentCodeError
from .conventions import BUILDERS, Stepper


def build(namespace, question: dict, extra, calls: Calls):
    """The student's object for this question's convention (``extra``: hparams or a surface)."""
    return BUILDERS[question["convention"]](namespace, question, extra, calls)


def replay(namespace, question, calls, hparams: dict, grads, start, lrs) -> np.ndarray:
    """The student's optimizer fed the grader's gradient sequence: its parameters at every step."""
    stepper = build(namespace, question, hparams, calls)
    theta = np.array(start, dtype=np.float64)
    state, path = stepper.init(theta), [theta]
    for gradient, lr in zip(grads, lrs, strict=True):
        theta, state = stepper.update(theta, np.array(gradient, dtype=np.float64), state, float(lr))
        path.append(theta)
    return np.array(path)


def one_step(namespace, question, calls, hparams: dict, thetas, states, grads, lrs) -> np.ndarray:
    """One update from each given (parameters, state) pair, the state in the student's format."""
    stepper = build(namespace, question, hparams, calls)
    steps = zip(thetas, states, grads, lrs, strict=True)
    return np.array([stepper.update(np.array(t), np.array(g), s, float(lr))[0] for t, s, g, lr in steps])


def closed_loop(namespace, question, calls, hparams: dict, surface, lrs, start, next_lr=None) -> np.ndarray:
    """The student's own iterates on a surface (update k uses ``lrs[k]``), start included.

    ``next_lr`` is the schedule's lr after the last update, for code that asks for it.
    """
    built = build(namespace, question, hparams, calls)
    if not isinstance(built, Stepper):
        return built(surface, np.asarray(lrs, dtype=np.float64), np.array(start, dtype=np.float64), next_lr)
    theta = np.array(start, dtype=np.float64)
    state, path = built.init(theta), [theta]
    for lr in lrs:
        gradient = np.asarray(surface.grad(theta), dtype=np.float64)
        theta, state = built.update(theta, gradient, state, float(lr))
        path.append(theta)
    return np.array(path)


def schedule_lrs(namespace, question, calls, params: dict, n_steps: int) -> np.ndarray:
    """The student's learning rate at 0-based steps ``0 .. n_steps - 1``."""
    return build(namespace, question, params, calls)(int(n_steps))


def gradients_at(namespace, question, calls, surface, points) -> np.ndarray:
    """The student's gradient of a surface's loss at each point."""
    gradient = build(namespace, question, surface, calls)
    return np.array([gradient(np.array(w, dtype=np.float64)) for w in points])


def epochs_of_batches(namespace, question, calls, n: int, batch_size: int, seed: int, epochs: int) -> list:
    """``epochs`` calls of the student's batch maker, sharing one Generator seeded with ``seed``."""
    make, rng = build(namespace, question, {}, calls), np.random.default_rng(int(seed))
    return [make(int(n), int(batch_size), rng) for _ in range(int(epochs))]


def _numbers(value, calls: Calls, what: str):
    """A result as an array, or a short sequence of arrays (a pair of lrs and losses, say)."""
    if isinstance(value, (tuple, list)) and 0 < len(value) <= 8 and any(np.ndim(part) > 0 for part in value):
        return [calls.array(part, what) for part in value]
    return calls.array(value, what)


def call_each(namespace, question, calls, cases) -> list:
    """The student's function on each case of arguments: what it returned, as numbers."""
    call, what = build(namespace, question, {}, calls), f"{question['symbols']['main']}()"
    return [_numbers(call(*case), calls, what) for case in cases]


def batch_run(namespace, question, calls, surface, lr: float, plan: dict, start) -> np.ndarray:
    """A mini-batch loop over the grader's batches (or seed): parameters per update or epoch."""
    return build(namespace, question, {}, calls)(surface, float(lr), plan, np.array(start, dtype=np.float64))


def training_losses(namespace, question, calls, setup: dict) -> np.ndarray:
    """The losses the student's training loop returns for the grader's setup."""
    return build(namespace, question, {}, calls)(setup)


def step_twice(namespace, question, calls, hparams: dict, theta, grad, lr: float) -> np.ndarray:
    """Two updates from the same fresh state: the same rows unless the step changed that state in place."""
    stepper = build(namespace, question, hparams, calls)
    theta, grad = np.array(theta, dtype=np.float64), np.array(grad, dtype=np.float64)
    state = stepper.init(theta)
    first = stepper.update(theta, grad, state, float(lr))[0]
    return np.array([first, stepper.update(theta, grad, state, float(lr))[0]])


def read_value(namespace, question, calls) -> np.ndarray:
    """A notebook variable's value, as numbers."""
    return build(namespace, question, {}, calls)


OPERATIONS = {
    operation.__name__: operation
    for operation in (
        replay, one_step, closed_loop, schedule_lrs, gradients_at, epochs_of_batches, call_each, batch_run,
        training_losses, read_value, step_twice,
    )
}  # fmt: skip


def perform(namespace, question: dict, name: str, args: list, calls: Calls):
    """Run operation ``name``; the student's failures raise StudentCodeError."""
    if name not in OPERATIONS:
        raise StudentCodeError("tampered", f"unknown operation {name!r}")
    return OPERATIONS[name](namespace, question, calls, *args)
