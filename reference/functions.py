"""Reference functions a check calls on inputs of its own choosing, and the inputs it chooses.

Each :class:`FunctionReference` says which argument tuples to try (``cases``), what the
right answer is for each (``expected``), what the problem must offer (``needs``: a data
set, or a range-test setting) and whether the answer is one array or a pair. Known wrong
variants are catalog entries of kind ``function`` (:mod:`reference.mistakes`).

Inputs: a gradient-like check samples :func:`gradient_points`, the start point and fixed
random points around it; a range test runs plain gradient descent with a growing lr and
keeps every loss, before each update, unsmoothed (``range_curve``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from reference.optimizers import sgd
from reference.problem import Problem
from reference.problems import linear_predict
from reference.range_test import lr_range_test, suggest_lr
from reference.trajectory import run


def gradient_points(problem: Problem, count: int) -> list[np.ndarray]:
    """The start point and ``count - 1`` fixed random points around it (seeded)."""
    rng = np.random.default_rng(0)
    return [np.array(problem.start)] + [
        problem.start + rng.normal(scale=0.5, size=problem.dim) for _ in range(count - 1)
    ]


def range_settings(params: Mapping) -> tuple[float, float, int]:
    """A range test's (lr_min, lr_max, n_steps)."""
    return float(params["lr_min"]), float(params["lr_max"]), int(params["n_steps"])


def range_curve(problem: Problem, params: Mapping, spacing: str = "exp", after_update: bool = False,
                stop_at: float = np.inf) -> np.ndarray:  # fmt: skip
    """Plain GD with a growing lr, every loss kept (no smoothing, no early stop): lrs then losses.

    ``stop_at`` stops once a loss exceeds that multiple of the best (a mistake's variant).
    """
    lr_min, lr_max, n_steps = range_settings(params)
    test = lr_range_test(sgd(), problem, lr_min, lr_max, n_steps, spacing, smooth_f=1.0, diverge_th=stop_at)
    losses = test.losses
    if after_update:
        losses = run(sgd(), problem, n_steps, schedule=lambda k: test.lrs[k]).losses[1:]
    return np.concatenate([test.lrs, losses])


def steepest(lrs, losses, skip_start: int = 0, skip_end: int = 0, slope: str = "gradient") -> float:
    """The lr where the losses fall fastest, after skipping points at both ends.

    ``slope``: ``gradient`` (np.gradient, the reference), or a mistake's ``diff`` (np.diff,
    the lr at the start of the steepest step) or ``ratio`` (the smallest L[i+1] / L[i]).
    """
    window = np.asarray(losses, dtype=np.float64)[skip_start : len(losses) - skip_end]
    kept = np.asarray(lrs)[skip_start : len(losses) - skip_end]
    with np.errstate(all="ignore"):
        slopes = {"gradient": np.gradient, "diff": np.diff, "ratio": lambda v: v[1:] / v[:-1]}[slope](window)
    return float(kept[np.argmin(slopes)])


@dataclass(frozen=True)
class FunctionReference:
    """``cases(problem, steps, params)`` gives argument tuples; ``expected(problem, params, args)``
    the right answer; ``output`` is ``"array"`` or ``"pair"`` (two arrays returned together)."""

    cases: Callable[..., list[tuple]]
    expected: Callable[..., np.ndarray]
    needs: tuple[str, ...] = ()
    output: str = "array"


def _data_cases(with_targets: bool):
    def cases(problem: Problem, steps: int, params: Mapping) -> list[tuple]:
        x, y = problem.data
        return [(w, x, y) if with_targets else (w, x) for w in gradient_points(problem, steps)]

    return cases


def _suggestion_cases(problem: Problem, steps: int, params: Mapping) -> list[tuple]:
    curve = range_curve(problem, params)
    half = len(curve) // 2
    return [(curve[:half], curve[half:])]


def _range_cases(problem: Problem, steps: int, params: Mapping) -> list[tuple]:
    return [(problem.loss_and_grad, np.array(problem.start), *range_settings(params))]


FUNCTIONS: dict[str, FunctionReference] = {
    "linear-predict": FunctionReference(
        _data_cases(False), lambda problem, params, args: linear_predict(args[0], args[1]), ("dataset",)
    ),
    "mse-loss": FunctionReference(
        _data_cases(True), lambda problem, params, args: np.array(problem.loss(args[0])), ("dataset",)
    ),
    "range-test": FunctionReference(
        _range_cases, lambda problem, params, args: range_curve(problem, params), ("range",), output="pair"
    ),
    "suggest-lr": FunctionReference(
        _suggestion_cases, lambda problem, params, args: np.array(suggest_lr(args[0], args[1])), ("range",)
    ),
}
