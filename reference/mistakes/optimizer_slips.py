"""Wrong optimizers students write, as runnable Optimizers with the reference's hyperparameters.

Each builder takes the same keywords as the optimizer it corrupts (plus, for a few, a
knob such as the gradient scale), so the grader can replay it on the reference
gradient sequence exactly like the reference itself.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from reference import optimizers as opt
from reference import transforms as tx

Array = np.ndarray


# --- transforms that only mistakes need ---------------------------------------------------


class SumState(NamedTuple):
    total: Array


def accumulate() -> tx.Transform:
    """What a missing ``zero_grad()`` feeds the optimizer: the running sum of gradients."""

    def update(u: Array, state: SumState, theta: Array, lr: float):
        total = state.total + u
        return total, SumState(total)

    return tx.Transform(lambda theta: SumState(np.zeros_like(theta)), update)


def _with_gradient_transform(optimizer: opt.Optimizer, first: tx.Transform) -> opt.Optimizer:
    """Run ``first`` on the raw gradient before ``optimizer`` sees it."""

    def init(theta):
        return first.init(np.asarray(theta, dtype=np.float64)), optimizer.init(theta)

    def update(theta, grad, state, lr):
        grad, first_state = first.update(np.asarray(grad, dtype=np.float64), state[0], theta, lr)
        new_theta, inner_state = optimizer.update(theta, grad, state[1], lr)
        return new_theta, (first_state, inner_state)

    return optimizer._replace(init=init, update=update)


def scaled_gradient(target: str, factor: float, **hparams) -> opt.Optimizer:
    """The target optimizer fed ``factor * g`` (sum instead of mean, dropped 2/N, ...)."""
    return _with_gradient_transform(opt.get_optimizer(target, **hparams), tx.scale(factor))


def without_zero_grad(target: str, **hparams) -> opt.Optimizer:
    """The target optimizer fed the running sum of all gradients so far."""
    return _with_gradient_transform(opt.get_optimizer(target, **hparams), accumulate())


def sgd_wrong_sign(lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
    """theta <- theta + lr d: ascent instead of descent."""
    reference = opt.sgd(lr, momentum, dampening, weight_decay, nesterov)
    return reference._replace(update=lambda theta, g, s, lr: reference.update(theta, -np.asarray(g), s, lr))


def sgd_dampened_first_step(lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
    """Momentum buffer started at zero, so the first gradient is dampened too: b_1 = (1-tau) g_1."""
    buffer_from_zero = tx.Transform(
        lambda theta: tx.TraceState(np.zeros_like(theta)),
        tx.trace(momentum, dampening, nesterov).update,
    )
    return opt.descent("sgd", lr, buffer_from_zero, weight_decay)


def sgd_nesterov_ignored(lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
    """Plain heavy-ball momentum where Nesterov's g + momentum b was asked for."""
    return opt.sgd(lr, momentum, dampening, weight_decay, nesterov=False)


def sgd_as_lesson_momentum(lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
    """The lessons' v = momentum v - lr g form where torch's buffer form is expected."""
    return opt.momentum(lr, momentum)


def sgd_as_ema_momentum(lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
    """deeplearning.ai's EMA form v = beta v + (1 - beta) g; theta -= lr v (v_0 = 0)."""
    return opt.ema_momentum(lr, momentum)._replace(name="sgd")


def momentum_lr_twice(lr=1e-3, momentum=0.9):
    """v = rho v + lr g; theta -= lr v: the learning rate applied twice."""

    def update(u, state, theta, step_lr):
        velocity = momentum * state.velocity + step_lr * u
        return -step_lr * velocity, tx.VelocityState(velocity)

    return opt.from_transform(
        "momentum", lr, tx.Transform(lambda theta: tx.VelocityState(np.zeros_like(theta)), update)
    )


def momentum_as_torch_buffer(lr=1e-3, momentum=0.9):
    """torch's buffer form b = rho b + g; theta -= lr b where the lessons' form is expected."""
    return opt.sgd(lr, momentum)


def momentum_state_not_carried(lr=1e-3, momentum=0.9):
    """The velocity is computed but the old one is handed back: plain GD with step lr."""
    lesson = tx.lesson_velocity(momentum)

    def update(u, state, theta, step_lr):
        velocity, _ = lesson.update(u, state, theta, step_lr)
        return velocity, state

    return opt.from_transform("momentum", lr, tx.Transform(lesson.init, update))


def nesterov_without_look_ahead(lr=1e-3, momentum=0.9):
    """Nesterov whose gradient is taken at theta, not theta + momentum v: plain momentum."""
    return opt.momentum(lr, momentum)._replace(name="nesterov")


def adagrad_with_accumulator(lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10):
    """Adagrad with optax's/Keras's s_0 = 0.1 instead of torch's 0."""
    return opt.adagrad(lr, lr_decay, weight_decay, 0.1, eps)


def adagrad_eps_inside(lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10):
    """theta -= lr g / sqrt(s + eps) instead of lr g / (sqrt(s) + eps)."""

    def update(u, state, theta, step_lr):
        total = state.sum_of_squares + u * u
        return u / np.sqrt(total + eps), tx.AdagradState(state.step + 1, total)

    initial = initial_accumulator_value
    direction = tx.Transform(lambda theta: tx.AdagradState(0, np.full_like(theta, initial)), update)
    return opt.descent("adagrad", lr, direction, weight_decay)


def adagrad_not_accumulated(lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10):
    """s = g^2 replaces s += g^2: every step becomes lr * sign(g)."""
    return rmsprop_variant(lr, alpha=0.0, eps=eps, weight_decay=weight_decay)._replace(name="adagrad")


def rmsprop_variant(
    lr=1e-2,
    alpha=0.99,
    eps=1e-8,
    weight_decay=0.0,
    momentum=0.0,
    centered=False,
    *,
    decay_new=None,
    eps_inside=False,
    bias_correct=False,
    lr_for_one_minus_alpha=False,
):
    """RMSprop with one slip: ``decay_new`` weight on g^2 (or the lr there), eps inside the root,
    or Adam-like bias correction. ``centered`` is accepted for torch's keywords but not modelled.
    """
    new_weight = 1.0 - alpha if decay_new is None else decay_new

    class StepState(NamedTuple):
        step: int
        square_avg: Array

    def update(u, state, theta, step_lr):
        step = state.step + 1
        weight = step_lr if lr_for_one_minus_alpha else new_weight
        square_avg = alpha * state.square_avg + weight * u * u
        corrected = square_avg / (1.0 - alpha**step) if bias_correct else square_avg
        denominator = np.sqrt(corrected + eps) if eps_inside else np.sqrt(corrected) + eps
        return u / denominator, StepState(step, square_avg)

    scaling = tx.Transform(lambda theta: StepState(0, np.zeros_like(theta)), update)
    return opt.descent("rmsprop", lr, tx.chain(scaling, tx.trace(momentum)), weight_decay)


def rmsprop_keras_alpha(lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False):
    """RMSprop with Keras's/optax's decay 0.9 whatever alpha was asked for."""
    return opt.rmsprop(lr, 0.9, eps, weight_decay, momentum, centered)


def momentum_as_ema(lr=1e-3, momentum=0.9):
    """The dampened (EMA) form v = beta v + (1 - beta) g; theta -= lr v where the lessons' form is asked."""
    return opt.ema_momentum(lr, momentum)._replace(name="momentum")


def nesterov_torch_form(lr=1e-3, momentum=0.9):
    """torch's (Sutskever's reformulated) Nesterov, b = mu b + g; theta -= lr (g + mu b), where the
    look-ahead form (gradient at theta + mu v) is asked: it tracks a shifted point."""
    return opt.sgd(lr, momentum, nesterov=True)._replace(name="nesterov")


def first_lr_forever(target: str, **hparams) -> opt.Optimizer:
    """The target optimizer that keeps the lr of its first step (``self.lr`` read once, the
    scheduler's changes to ``param_groups`` ignored)."""
    optimizer = opt.get_optimizer(target, **hparams)

    def init(theta):
        return (None, optimizer.init(theta))

    def update(theta, grad, state, lr):
        first = lr if state[0] is None else state[0]
        new_theta, inner = optimizer.update(theta, grad, state[1], first)
        return new_theta, (first, inner)

    return optimizer._replace(init=init, update=update)
