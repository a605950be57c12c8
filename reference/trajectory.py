"""Running an optimizer on a problem, and replaying it on a recorded gradient sequence.

Step-indexing convention (the one place it is written down): steps are 0-based. Update
``k`` (k = 0 .. n_steps-1) uses ``lrs[k] = schedule(k)`` and the gradient ``grads[k]``
taken at ``params[k]`` (or at the optimizer's look-ahead point), and produces
``params[k + 1]``. ``params`` and ``losses`` include the start point, so they are one
row longer than ``lrs`` and ``grads``. This is torch's order: ``optimizer.step()`` then
``scheduler.step()``, so the first update uses the schedule's value at step 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from reference.optimizers import Optimizer
from reference.problem import Problem
from reference.schedules import Schedule


@dataclass(frozen=True)
class Trajectory:
    """Parameters and losses at every step (start included), and the lrs and gradients used."""

    params: np.ndarray  # (n_steps + 1, dim)
    losses: np.ndarray  # (n_steps + 1,)
    lrs: np.ndarray  # (n_steps,)
    grads: np.ndarray  # (n_steps, dim): what the optimizer was fed at each update

    @property
    def n_steps(self) -> int:
        """Number of updates."""
        return int(self.lrs.shape[0])

    @property
    def final_params(self) -> np.ndarray:
        """Parameters after the last update."""
        return self.params[-1]

    @property
    def final_loss(self) -> float:
        """Loss after the last update."""
        return float(self.losses[-1])

    def to_json(self) -> dict:
        """Plain lists for JSON output; non-finite numbers become None (JSON has no NaN)."""
        return {
            "params": _finite_or_none(self.params),
            "losses": _finite_or_none(self.losses),
            "lrs": _finite_or_none(self.lrs),
        }


def _finite_or_none(array: np.ndarray) -> list:
    as_objects = np.where(np.isfinite(array), array, None).astype(object)
    return [list(map(_plain, row)) if np.ndim(row) else _plain(row) for row in as_objects.tolist()]


def _plain(value):
    return None if value is None else float(value)


def lr_sequence(lr: float | None, schedule: Schedule | None, n_steps: int) -> np.ndarray:
    """The lr used by each update: ``schedule(k)`` if given, else the constant ``lr``."""
    if schedule is not None:
        return np.array([float(schedule(k)) for k in range(n_steps)])
    if lr is None:
        raise ValueError("give an lr or a schedule")
    return np.full(n_steps, float(lr))


def _step_gradients(problem: Problem, batches: Sequence[np.ndarray] | None, n_steps: int):
    """One gradient function per update: the full gradient, or the k-th batch's."""
    if batches is None:
        return [problem.grad] * n_steps
    if problem.grad_on is None:
        raise ValueError(f"problem {problem.name!r} is not a dataset; it cannot be batched")
    if len(batches) < n_steps:
        raise ValueError(f"{len(batches)} batches given for {n_steps} steps")
    return [lambda w, idx=idx: problem.grad_on(w, idx) for idx in batches[:n_steps]]


def run(
    optimizer: Optimizer,
    problem: Problem,
    n_steps: int,
    lr: float | None = None,
    schedule: Schedule | None = None,
    start: np.ndarray | None = None,
    batches: Sequence[np.ndarray] | None = None,
) -> Trajectory:
    """Run ``optimizer`` on ``problem`` in closed loop for ``n_steps`` updates.

    ``lr`` defaults to the optimizer's own default. With ``batches``, update k uses the
    mean gradient over ``batches[k]``; losses are always the full-data loss.
    """
    if n_steps < 0:
        raise ValueError(f"n_steps must be >= 0, got {n_steps}")
    lrs = lr_sequence(optimizer.lr if lr is None else lr, schedule, n_steps)
    params = [np.array(problem.start if start is None else start, dtype=np.float64)]
    state = optimizer.init(params[0])
    grads = []
    with np.errstate(all="ignore"):  # divergence is a result (inf/NaN in the data), not an error
        for k, gradient_of in enumerate(_step_gradients(problem, batches, n_steps)):
            grads.append(gradient_of(optimizer.gradient_point(params[-1], state)))
            new_params, state = optimizer.update(params[-1], grads[-1], state, lrs[k])
            params.append(new_params)
    return _trajectory(problem, params, lrs, grads)


def _trajectory(problem: Problem, params: list, lrs: np.ndarray, grads: list) -> Trajectory:
    dim = params[0].size
    with np.errstate(all="ignore"):
        losses = np.array([problem.loss(w) for w in params])
    return Trajectory(
        params=np.array(params),
        losses=losses,
        lrs=lrs,
        grads=np.array(grads).reshape(len(grads), dim),
    )


def replay(optimizer: Optimizer, grads: np.ndarray, start: np.ndarray, lrs: np.ndarray) -> np.ndarray:
    """Feed a recorded gradient sequence to ``optimizer``; return the (n+1, dim) parameters.

    Replay ignores where the gradients were taken, so errors in the optimizer cannot be
    amplified by the loss surface: the grader's tightest check.
    """
    params = [np.array(start, dtype=np.float64)]
    state = optimizer.init(params[0])
    with np.errstate(all="ignore"):
        for gradient, lr in zip(grads, lrs, strict=True):
            new_params, state = optimizer.update(params[-1], np.asarray(gradient), state, lr)
            params.append(new_params)
    return np.array(params)
