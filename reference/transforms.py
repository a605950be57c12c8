"""Small gradient transformations that named optimizers are composed from.

A :class:`Transform` maps the incoming update direction ``u`` (the gradient, for the
first transform of a chain) to a new direction, carrying its own state. Every update
receives the current parameters ``theta`` and the learning rate ``lr`` of this step, so
lr-dependent pieces (decoupled decay, the lessons' velocity form) stay explicit.

Notation in the docstrings: ``g`` gradient, ``t`` the 1-based update counter (torch
increments before use, so the first update has t = 1), ``mu``/``nu`` first/second
moments, ``lr`` learning rate. Nothing here modifies its inputs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

Array = np.ndarray


class Transform(NamedTuple):
    """An ``(init, update)`` pair: ``update(u, state, theta, lr) -> (u_new, state_new)``."""

    init: Callable[[Array], Any]
    update: Callable[[Array, Any, Array, float], tuple[Array, Any]]


def chain(*transforms: Transform) -> Transform:
    """Apply transforms in order; the state is the tuple of their states."""

    def init(theta: Array) -> tuple:
        return tuple(t.init(theta) for t in transforms)

    def update(u: Array, state: tuple, theta: Array, lr: float) -> tuple[Array, tuple]:
        new_states = []
        for transform, inner_state in zip(transforms, state, strict=True):
            u, inner_state = transform.update(u, inner_state, theta, lr)
            new_states.append(inner_state)
        return u, tuple(new_states)

    return Transform(init, update)


def _stateless(fn: Callable[[Array, Array, float], Array]) -> Transform:
    return Transform(lambda theta: (), lambda u, state, theta, lr: (fn(u, theta, lr), state))


def add_l2_decay(weight_decay: float) -> Transform:
    """L2-coupled weight decay: ``u = g + weight_decay * theta`` (before any moment)."""
    return _stateless(lambda u, theta, lr: u + weight_decay * theta if weight_decay else u)


def add_decoupled_decay(weight_decay: float) -> Transform:
    """Decoupled decay, placed after scaling: with the lr scale it is theta(1 - lr*wd) - lr*u."""
    return _stateless(lambda u, theta, lr: u + weight_decay * theta if weight_decay else u)


def scale_by_learning_rate() -> Transform:
    """The descent step: ``u = -lr * u``."""
    return _stateless(lambda u, theta, lr: -lr * u)


def scale(factor: float) -> Transform:
    """Multiply the direction by a constant."""
    return _stateless(lambda u, theta, lr: factor * u)


class TraceState(NamedTuple):
    buffer: Array | None


def trace(momentum: float, dampening: float = 0.0, nesterov: bool = False) -> Transform:
    """torch's momentum buffer.

    b_1 = g_1 (not dampened); b_t = momentum b_{t-1} + (1 - dampening) g_t;
    direction d_t = g_t + momentum b_t if nesterov else b_t.
    """

    def update(u: Array, state: TraceState, theta: Array, lr: float):
        if momentum == 0:
            return u, state
        if state.buffer is None:
            buffer = np.array(u, dtype=np.float64)
        else:
            buffer = momentum * state.buffer + (1.0 - dampening) * u
        direction = u + momentum * buffer if nesterov else buffer
        return direction, TraceState(buffer)

    return Transform(lambda theta: TraceState(None), update)


class VelocityState(NamedTuple):
    velocity: Array


def lesson_velocity(momentum: float) -> Transform:
    """The lessons' (CS231n/Keras) velocity: v = momentum v - lr g; the step is v itself.

    Equals torch's buffer form exactly when lr is constant (v = -lr b); the two differ
    once the lr changes, because v keeps each gradient's own lr.
    """

    def update(u: Array, state: VelocityState, theta: Array, lr: float):
        velocity = momentum * state.velocity - lr * u
        return velocity, VelocityState(velocity)

    return Transform(lambda theta: VelocityState(np.zeros_like(theta)), update)


def ema_velocity(momentum: float) -> Transform:
    """deeplearning.ai's momentum: v = momentum v + (1 - momentum) g (v_0 = 0); the direction is v."""

    def update(u: Array, state: VelocityState, theta: Array, lr: float):
        velocity = momentum * state.velocity + (1.0 - momentum) * u
        return velocity, VelocityState(velocity)

    return Transform(lambda theta: VelocityState(np.zeros_like(theta)), update)


class AdagradState(NamedTuple):
    step: int
    sum_of_squares: Array


def scale_by_adagrad(lr_decay: float, initial_accumulator_value: float, eps: float) -> Transform:
    """s_t = s_{t-1} + g^2; u = g / (sqrt(s_t) + eps) / (1 + (t - 1) lr_decay)."""

    def update(u: Array, state: AdagradState, theta: Array, lr: float):
        step = state.step + 1
        sum_of_squares = state.sum_of_squares + u * u
        direction = u / (np.sqrt(sum_of_squares) + eps) / (1.0 + (step - 1) * lr_decay)
        return direction, AdagradState(step, sum_of_squares)

    def init(theta: Array) -> AdagradState:
        return AdagradState(0, np.full_like(theta, initial_accumulator_value))

    return Transform(init, update)


class RmsState(NamedTuple):
    square_avg: Array
    grad_avg: Array


def scale_by_rms(alpha: float, eps: float, centered: bool) -> Transform:
    """v_t = alpha v + (1 - alpha) g^2 (no bias correction); u = g / (sqrt(v_t) + eps).

    centered: gbar_t = alpha gbar + (1 - alpha) g and the denominator is
    sqrt(v_t - gbar_t^2) + eps.
    """

    def update(u: Array, state: RmsState, theta: Array, lr: float):
        square_avg = alpha * state.square_avg + (1.0 - alpha) * u * u
        grad_avg = state.grad_avg + (1.0 - alpha) * (u - state.grad_avg) if centered else None
        variance = square_avg - grad_avg * grad_avg if centered else square_avg
        return u / (np.sqrt(variance) + eps), RmsState(square_avg, grad_avg)

    def init(theta: Array) -> RmsState:
        return RmsState(np.zeros_like(theta), np.zeros_like(theta) if centered else None)

    return Transform(init, update)


class AdamState(NamedTuple):
    step: int
    mu: Array
    nu: Array
    nu_max: Array | None


def scale_by_adam(betas: tuple[float, float], eps: float, amsgrad: bool, efficient: bool = False) -> Transform:
    """Adam's direction, torch's form (eps outside the root of the corrected nu).

    mu_t = b1 mu + (1 - b1) g;  nu_t = b2 nu + (1 - b2) g^2
    (amsgrad: nu_max_t = max(nu_max, nu_t) replaces nu_t below)
    u = [mu_t / (1 - b1^t)] / (sqrt(nu_t) / sqrt(1 - b2^t) + eps)

    ``efficient``: the paper's "efficient" form (Kingma & Ba, end of section 2), the bias
    corrections folded into the step size and eps added to sqrt(nu_t) before them:
    u = [mu_t / (1 - b1^t)] / ((sqrt(nu_t) + eps) / sqrt(1 - b2^t)).
    """
    beta1, beta2 = betas

    def update(u: Array, state: AdamState, theta: Array, lr: float):
        step = state.step + 1
        mu = state.mu + (1.0 - beta1) * (u - state.mu)
        nu = beta2 * state.nu + (1.0 - beta2) * u * u
        nu_max = np.maximum(state.nu_max, nu) if amsgrad else None
        mu_hat = mu / (1.0 - beta1**step)
        root = np.sqrt(nu_max if amsgrad else nu)
        correction = np.sqrt(1.0 - beta2**step)
        denominator = (root + eps) / correction if efficient else root / correction + eps
        return mu_hat / denominator, AdamState(step, mu, nu, nu_max)

    def init(theta: Array) -> AdamState:
        zeros = np.zeros_like(theta)
        return AdamState(0, zeros, zeros, zeros if amsgrad else None)

    return Transform(init, update)


class NadamState(NamedTuple):
    step: int
    mu_product: float
    mu: Array
    nu: Array


def scale_by_nadam(betas: tuple[float, float], eps: float, momentum_decay: float) -> Transform:
    """torch's NAdam (Dozat), with the momentum schedule m_t = b1 (1 - 0.96^(t psi) / 2).

    P_t = P_{t-1} m_t;  den = sqrt(nu_t / (1 - b2^t)) + eps
    u = (1 - m_t)/(1 - P_t) * g/den + m_{t+1}/(1 - P_t m_{t+1}) * mu_t/den
    """
    beta1, beta2 = betas

    def momentum_at(step: int) -> float:
        return beta1 * (1.0 - 0.5 * 0.96 ** (step * momentum_decay))

    def update(u: Array, state: NadamState, theta: Array, lr: float):
        step = state.step + 1
        mu_t, mu_next = momentum_at(step), momentum_at(step + 1)
        mu_product = state.mu_product * mu_t
        mu = state.mu + (1.0 - beta1) * (u - state.mu)
        nu = beta2 * state.nu + (1.0 - beta2) * u * u
        denominator = np.sqrt(nu / (1.0 - beta2**step)) + eps
        direction = (1.0 - mu_t) / (1.0 - mu_product) * u / denominator + mu_next / (
            1.0 - mu_product * mu_next
        ) * mu / denominator
        return direction, NadamState(step, mu_product, mu, nu)

    return Transform(lambda theta: NadamState(0, 1.0, np.zeros_like(theta), np.zeros_like(theta)), update)


def radam_rho(step: int, beta2: float) -> float:
    """Length of RAdam's approximated SMA at update t: rho_inf - 2 t b2^t / (1 - b2^t)."""
    rho_inf = 2.0 / (1.0 - beta2) - 1.0
    return rho_inf - 2.0 * step * beta2**step / (1.0 - beta2**step)


def scale_by_radam(
    betas: tuple[float, float], eps: float, threshold: float = 5.0, unrectified: str = "momentum"
) -> Transform:
    """torch's RAdam: un-normalised mu_hat while rho_t <= 5, rectified Adam after.

    rho_t > threshold:  u = mu_hat * r_t * sqrt(1 - b2^t) / (sqrt(nu_t) + eps)
                        r_t = sqrt((rho_t-4)(rho_t-2) rho_inf / ((rho_inf-4)(rho_inf-2) rho_t))
    else:               u = mu_hat      (mu_hat = mu_t / (1 - b1^t))
    With b2 = 0.999 the first adaptive update is t = 6. ``threshold`` and
    ``unrectified="adam"`` (an Adam step instead of mu_hat) exist for the mistakes catalog.
    """
    beta1, beta2 = betas
    rho_inf = 2.0 / (1.0 - beta2) - 1.0

    def update(u: Array, state: AdamState, theta: Array, lr: float):
        step = state.step + 1
        mu = state.mu + (1.0 - beta1) * (u - state.mu)
        nu = beta2 * state.nu + (1.0 - beta2) * u * u
        mu_hat = mu / (1.0 - beta1**step)
        rho = radam_rho(step, beta2)
        if rho > threshold:
            rect = np.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
            mu_hat = mu_hat * rect * np.sqrt(1.0 - beta2**step) / (np.sqrt(nu) + eps)
        elif unrectified == "adam":
            mu_hat = mu_hat / (np.sqrt(nu) / np.sqrt(1.0 - beta2**step) + eps)
        return mu_hat, AdamState(step, mu, nu, None)

    return Transform(lambda theta: AdamState(0, np.zeros_like(theta), np.zeros_like(theta), None), update)


def scale_by_belief(betas: tuple[float, float], eps: float) -> Transform:
    """AdaBelief, the paper's form: the second moment tracks (g - mu)^2, not g^2.

    mu_t = b1 mu + (1 - b1) g;  s_t = b2 s + (1 - b2)(g - mu_t)^2 + eps
    u = [mu_t / (1 - b1^t)] / (sqrt(s_t / (1 - b2^t)) + eps)
    """
    beta1, beta2 = betas

    def update(u: Array, state: AdamState, theta: Array, lr: float):
        step = state.step + 1
        mu = beta1 * state.mu + (1.0 - beta1) * u
        belief = beta2 * state.nu + (1.0 - beta2) * (u - mu) ** 2 + eps
        mu_hat = mu / (1.0 - beta1**step)
        direction = mu_hat / (np.sqrt(belief / (1.0 - beta2**step)) + eps)
        return direction, AdamState(step, mu, belief, None)

    return Transform(lambda theta: AdamState(0, np.zeros_like(theta), np.zeros_like(theta), None), update)
