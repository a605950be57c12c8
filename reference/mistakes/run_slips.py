"""Wrong schedules, gradient-descent loops and batching, as runnable variants.

Schedule slips take the schedule's name and hyperparameters and return a schedule
``f(step) -> lr`` like :func:`reference.schedules.make_schedule`. Loop slips return a
:class:`~reference.trajectory.Trajectory`; batching slips return the batches of all
epochs like :func:`reference.batching.epoch_batches`.
"""

from __future__ import annotations

import numpy as np

from reference import optimizers as opt
from reference.lessons import coordinatewise_gd
from reference.problem import Problem
from reference.schedules import Schedule, make_schedule
from reference.trajectory import Trajectory, run

# --- schedules ---------------------------------------------------------------------------


def scheduler_stepped_first(name: str, **params) -> Schedule:
    """``scheduler.step()`` before ``optimizer.step()``: update k uses f(k + 1)."""
    schedule = make_schedule(name, **params)
    return lambda step: schedule(step + 1)


def schedule_one_step_late(name: str, **params) -> Schedule:
    """The lr set after finishing a step (d2l-style): update k uses f(k - 1), update 0 f(0)."""
    schedule = make_schedule(name, **params)
    return lambda step: schedule(max(step - 1, 0))


def schedule_stepped_per_batch(name: str, steps_per_epoch: int = 10, **params) -> Schedule:
    """A per-epoch schedule stepped every batch: update k uses f(k * steps_per_epoch)."""
    schedule = make_schedule(name, **params)
    return lambda step: schedule(step * steps_per_epoch)


def cosine_clamped_instead(name: str, **params) -> Schedule:
    """Cosine annealing that stops at eta_min where torch's keeps going (rises after T_max)."""
    return make_schedule("cosine-clamped", **params)


def warmup_from_zero(name: str, **params) -> Schedule:
    """Hugging Face-style warm-up lr * k / W, so update 0 has lr 0; the rest as the reference."""
    params = dict(params)
    if name == "warmup-cosine":
        params.pop("start_factor", None)
    reference = make_schedule(name, **params)
    lr, warmup_steps = params["lr"], params["warmup_steps"]
    return lambda step: lr * step / warmup_steps if step < warmup_steps else reference(step)


# --- gradient-descent loops ---------------------------------------------------------------


def sequential_update(problem: Problem, lr: float, n_steps: int, start=None) -> Trajectory:
    """w1 updated first and w0 then computed with the new w1 (not simultaneous)."""
    order = tuple(range(problem.dim))[::-1]
    return coordinatewise_gd(problem, lr, n_steps, order, start=start)


def lesson001_loop(problem: Problem, lr: float, n_steps: int, start=None) -> Trajectory:
    """Sequential update and the 2/N dropped: lesson 001's own code."""
    order = tuple(range(problem.dim))[::-1]
    return coordinatewise_gd(problem, lr, n_steps, order, problem.n_samples / 2, start)


def aliased_trajectory(problem: Problem, lr: float, n_steps: int, start=None) -> Trajectory:
    """``path.append(w)`` then ``w -= lr * g`` in place: every stored row is the final w."""
    honest = run(opt.sgd(lr=lr), problem, n_steps, start=start)
    params = np.repeat(honest.params[-1:], n_steps + 1, axis=0)
    losses = np.full(n_steps + 1, honest.losses[-1])
    return Trajectory(params, losses, honest.lrs, honest.grads)


# --- batching ---------------------------------------------------------------------------


def same_order_every_epoch(n: int, batch_size: int, n_epochs: int, rng: np.random.Generator):
    """One permutation drawn once and reused by every epoch."""
    order = rng.permutation(n)
    epoch = [order[start : start + batch_size] for start in range(0, n, batch_size)]
    return epoch * n_epochs


def with_replacement(n: int, batch_size: int, n_epochs: int, rng: np.random.Generator):
    """CS231n Solver-style sampling: each batch drawn independently, with replacement."""
    per_epoch = -(-n // batch_size)
    return [rng.choice(n, batch_size) for _ in range(per_epoch * n_epochs)]


def drops_last_partial(n: int, batch_size: int, n_epochs: int, rng: np.random.Generator):
    """Only full batches: the n % batch_size leftovers of each permutation are skipped."""
    batches = []
    for _ in range(n_epochs):
        order = rng.permutation(n)
        batches += [order[start : start + batch_size] for start in range(0, n - batch_size + 1, batch_size)]
    return batches


def no_shuffle(n: int, batch_size: int, n_epochs: int, rng: np.random.Generator):
    """Batches cut from 0, 1, ..., n-1 every epoch: no permutation at all."""
    order = np.arange(n)
    return [order[start : start + batch_size] for start in range(0, n, batch_size)] * n_epochs


def equal_size_pieces(n: int, batch_size: int, n_epochs: int, rng: np.random.Generator):
    """Each epoch's permutation cut with np.array_split into ceil(n / batch_size) near-equal pieces."""
    pieces = -(-n // batch_size)
    return [piece for _ in range(n_epochs) for piece in np.array_split(rng.permutation(n), pieces)]
