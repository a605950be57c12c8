"""The learning-rate range test ("LR finder") with a suggested lr.

Follows torch-lr-finder 0.2.2 (Smith's test with exponential spacing by default):

* iteration i uses lr_i = start (end/start)^(i/(num_iter-1)) ("exp") or
  start + (end - start) i/(num_iter-1) ("linear"), so the last lr is ``end_lr``;
* the recorded loss of iteration i is the loss at the parameters before its update;
* losses are smoothed by an EMA without bias correction,
  L~_0 = L_0, L~_i = smooth_f L_i + (1 - smooth_f) L~_{i-1};
* the test stops after the first iteration whose smoothed loss exceeds
  ``diverge_th`` times the best one (or is not finite);
* the suggestion is the lr at the steepest descent of the smoothed curve,
  argmin of ``np.gradient`` after skipping ``skip_start`` and ``skip_end`` points.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from reference.optimizers import Optimizer
from reference.problem import Problem


@dataclass(frozen=True)
class RangeTest:
    """Per-iteration lrs, raw and smoothed losses, and the suggested lr (None if too short)."""

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    suggested_lr: float | None


def range_test_lrs(start_lr: float, end_lr: float, num_iter: int, step_mode: str = "exp") -> np.ndarray:
    """The lr of each iteration, from ``start_lr`` to exactly ``end_lr``."""
    if num_iter < 2:
        raise ValueError(f"num_iter must be >= 2, got {num_iter}")
    if not 0 < start_lr < end_lr:
        raise ValueError(f"need 0 < start_lr < end_lr, got {start_lr} and {end_lr}")
    fraction = np.arange(num_iter) / (num_iter - 1)
    if step_mode == "exp":
        return start_lr * (end_lr / start_lr) ** fraction
    if step_mode == "linear":
        return start_lr + fraction * (end_lr - start_lr)
    raise ValueError(f"step_mode must be exp or linear, got {step_mode!r}")


def suggest_lr(lrs: Sequence[float], losses: Sequence[float], skip_start: int = 10, skip_end: int = 5):
    """The lr where the (smoothed) loss falls fastest; None when too few points remain."""
    end = len(losses) - skip_end
    window_losses = np.asarray(losses[skip_start:end], dtype=np.float64)
    if window_losses.size < 2:
        return None
    return float(np.asarray(lrs)[skip_start:end][np.argmin(np.gradient(window_losses))])


def lr_range_test(
    optimizer: Optimizer,
    problem: Problem,
    start_lr: float = 1e-7,
    end_lr: float = 10.0,
    num_iter: int = 100,
    step_mode: str = "exp",
    smooth_f: float = 0.05,
    diverge_th: float = 5.0,
    batches: Sequence[np.ndarray] | None = None,
) -> RangeTest:
    """Train with a growing lr from ``problem.start`` and record the loss curve.

    With ``batches``, iteration i uses ``batches[i]`` for both its loss and gradient.
    The problem's start point is never modified: nothing needs restoring afterwards.
    """
    planned = range_test_lrs(start_lr, end_lr, num_iter, step_mode)
    theta = np.array(problem.start, dtype=np.float64)
    state = optimizer.init(theta)
    losses, smoothed = [], []
    for i, lr in enumerate(planned):
        loss, grad = _loss_and_grad(problem, theta, None if batches is None else batches[i])
        losses.append(loss)
        smoothed.append(loss if i == 0 else smooth_f * loss + (1 - smooth_f) * smoothed[-1])
        theta, state = optimizer.update(theta, grad, state, lr)
        if not np.isfinite(smoothed[-1]) or smoothed[-1] > diverge_th * min(smoothed):
            break
    lrs = planned[: len(losses)]
    return RangeTest(lrs, np.array(losses), np.array(smoothed), suggest_lr(lrs, smoothed))


def _loss_and_grad(problem: Problem, theta: np.ndarray, batch):
    with np.errstate(all="ignore"):
        if batch is None:
            return problem.loss(theta), problem.grad(theta)
        return problem.loss_on(theta, batch), problem.grad_on(theta, batch)
