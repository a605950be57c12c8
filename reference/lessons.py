"""Every experiment the lessons show, reproducible by name.

Each lesson run returns labelled trajectories. Trajectories hold the loss after every
update and the start loss; the lessons' own loops record the loss *before* each
update, which is ``trajectory.losses[:-1]``.

``lr-comparison`` is the textbook update (simultaneous, with the 2/N of the MSE
gradient). ``lr-comparison-lesson001`` is what lesson 001's own code does: it updates
w1 first, then w0 with the new w1, and drops the 2/N. That variant reproduces the
numbers the lesson prints (errors 0.35560, 0.00115, 0.00006 at lr 0.1 and 9.58333 ...
5223270089.75743 at lr 0.5).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from reference import optimizers as opt
from reference.batching import epoch_batches
from reference.problem import Problem
from reference.problems import get_problem
from reference.schedules import make_schedule
from reference.trajectory import Trajectory, run


def coordinatewise_gd(
    problem: Problem,
    lr: float,
    n_steps: int,
    order: Sequence[int],
    grad_scale: float = 1.0,
    start: np.ndarray | None = None,
) -> Trajectory:
    """Gradient descent that updates one coordinate at a time, in ``order``.

    Each coordinate's partial derivative is taken at the parameters as already updated
    in this step (Gauss-Seidel style), then multiplied by ``grad_scale``. Lesson 001
    uses ``order=(1, 0)`` (w1 first) and ``grad_scale = N/2`` (its dropped 2/N).
    """
    params = [np.array(problem.start if start is None else start, dtype=np.float64)]
    grads = []
    for _ in range(n_steps):
        theta, used = params[-1].copy(), np.zeros_like(params[-1])
        for index in order:
            used[index] = grad_scale * problem.grad(theta)[index]
            theta[index] = theta[index] - lr * used[index]
        params.append(theta)
        grads.append(used)
    with np.errstate(all="ignore"):
        losses = np.array([problem.loss(w) for w in params])
    return Trajectory(np.array(params), losses, np.full(n_steps, float(lr)), np.array(grads))


def lesson001_gd(problem: Problem, lr: float, n_steps: int) -> Trajectory:
    """Lesson 001's loop: w1 first, then w0 with the new w1, gradient without the 2/N."""
    return coordinatewise_gd(problem, lr, n_steps, order=(1, 0), grad_scale=problem.n_samples / 2)


def _lr_comparison() -> dict[str, Trajectory]:
    problem = get_problem("tiny-regression")
    return {f"lr={lr}": run(opt.sgd(lr=lr), problem, 30) for lr in (0.1, 0.5)}


def _lr_comparison_lesson001() -> dict[str, Trajectory]:
    problem = get_problem("tiny-regression")
    return {f"lr={lr}": lesson001_gd(problem, lr, 30) for lr in (0.1, 0.5)}


def _batch_vs_minibatch() -> dict[str, Trajectory]:
    problem = get_problem("linear-regression")
    n, epochs, sgd = problem.n_samples, 50, opt.sgd(lr=0.05)
    runs = {}
    for label, batch_size in (("batch", None), ("sgd", 1), ("minibatch-32", 32)):
        batches = epoch_batches(n, batch_size, epochs, np.random.default_rng(42))
        runs[label] = run(sgd, problem, len(batches), batches=batches)
    return runs


def _momentum_elliptic() -> dict[str, Trajectory]:
    problem = get_problem("elliptic")
    return {
        "sgd": run(opt.sgd(lr=0.04), problem, 30),
        "momentum": run(opt.momentum(lr=0.04, momentum=0.9), problem, 30),
    }


def _adam_tricky() -> dict[str, Trajectory]:
    problem = get_problem("tricky")
    return {
        "sgd": run(opt.sgd(lr=0.01), problem, 60),
        "momentum": run(opt.momentum(lr=0.01, momentum=0.9), problem, 60),
        "adam": run(opt.adam(lr=0.1), problem, 60),
    }


def _schedules_quadratic() -> dict[str, Trajectory]:
    problem, sgd = get_problem("quadratic"), opt.sgd()
    step_decay = make_schedule("multistep", lr=0.3, milestones=[30, 60], gamma=0.5)
    return {
        "fixed": run(sgd, problem, 100, lr=0.1),
        "step-decay": run(sgd, problem, 100, schedule=step_decay),
        "cosine": run(sgd, problem, 100, schedule=make_schedule("cosine", lr=0.3, T_max=100)),
    }


@dataclass(frozen=True)
class LessonRun:
    """A named experiment from a lesson and the function that reproduces it."""

    name: str
    problem: str
    description: str
    build: Callable[[], dict[str, Trajectory]]


LESSON_RUNS: dict[str, LessonRun] = {
    entry.name: entry
    for entry in (
        LessonRun("lr-comparison", "tiny-regression", "GD from w=[0,1], lr 0.1 vs 0.5, 30 steps", _lr_comparison),
        LessonRun(
            "lr-comparison-lesson001",
            "tiny-regression",
            "lesson 001's own loop (w1 then w0, no 2/N), lr 0.1 vs 0.5, 30 steps",
            _lr_comparison_lesson001,
        ),
        LessonRun(
            "batch-vs-minibatch",
            "linear-regression",
            "lr 0.05, 50 epochs: full batch vs SGD (1) vs mini-batch (32)",
            _batch_vs_minibatch,
        ),
        LessonRun(
            "momentum-elliptic",
            "elliptic",
            "from (3,3), lr 0.04, 30 steps: SGD vs momentum 0.9",
            _momentum_elliptic,
        ),
        LessonRun(
            "adam-tricky",
            "tricky",
            "from (3,3), 60 steps: SGD 0.01 vs momentum 0.01/0.9 vs Adam 0.1",
            _adam_tricky,
        ),
        LessonRun(
            "schedules-quadratic",
            "quadratic",
            "from -3, 100 steps: fixed 0.1 vs step decay 0.3 (halved at 30, 60) vs cosine 0.3",
            _schedules_quadratic,
        ),
    )
}


def lesson_run(name: str) -> dict[str, Trajectory]:
    """Reproduce a named lesson experiment; unknown names raise ValueError."""
    if name not in LESSON_RUNS:
        raise ValueError(f"unknown lesson run {name!r}; known runs: {', '.join(LESSON_RUNS)}")
    return LESSON_RUNS[name].build()
