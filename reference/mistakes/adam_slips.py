"""Wrong Adam-family optimizers: one configurable Adam with the slips students make.

Each slip is a keyword of :func:`slipped_adam`; with none set it is torch's Adam.
The first-step size of each slip (defaults, |g| >> eps) is its signature:

    no bias correction 3.16x | m corrected only 31.6x | v corrected only 0.1x
    t off by one 0.744x      | t = 0 -> inf/NaN       | m decays with (1 - b2) 0.01x
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from reference import optimizers as opt
from reference import transforms as tx

Array = np.ndarray


class SlipState(NamedTuple):
    step: int
    mu: Array
    nu: Array


def _moments(state: SlipState, u: Array, beta1: float, beta2: float, slips: dict, lr: float):
    if slips.get("float32_moments"):  # buffers made with dtype float32 beside float64 parameters
        mu = (beta1 * state.mu + (1.0 - beta1) * u).astype(np.float32)
        nu = (beta2 * state.nu + (1.0 - beta2) * u * u).astype(np.float32)
        return mu.astype(np.float64), nu.astype(np.float64)
    if slips.get("aliased"):
        shared = state.mu + (1.0 - beta1) * (u - state.mu)  # m and v are one array, updated in place
        shared = beta2 * shared + (1.0 - beta2) * u * u
        return shared, shared
    mu_weight = (1.0 - beta2) if slips.get("m_uses_beta2") else (1.0 - beta1)
    mu_weight = lr if slips.get("lr_for_one_minus_beta1") else mu_weight
    nu_decay = beta1 if slips.get("v_uses_beta1") else beta2
    return beta1 * state.mu + mu_weight * u, nu_decay * state.nu + (1.0 - beta2) * u * u


def _counter(step: int, size: int, slips: dict):
    """The bias-correction step: per component when a shared counter advanced once per tensor.

    With the parameters given as two tensors, [w0] and [w1, ...], a counter shared by both and
    advanced for each of them reads 2k - 1 for the first and 2k for the second at step k.
    """
    if not slips.get("t_per_tensor") or size < 2:
        return step
    return np.concatenate([[2 * step - 1], np.full(size - 1, 2 * step)]).astype(np.float64)


def slipped_adam_transform(betas, eps, **slips) -> tx.Transform:
    """Adam's direction with the given slips (see the module docstring for their names)."""
    beta1, beta2 = betas

    def update(u: Array, state: SlipState, theta: Array, lr: float):
        step = state.step + 1
        t = _counter(step, u.size, slips) + slips.get("t_offset", 0)
        mu, nu = _moments(state, u, beta1, beta2, slips, lr)
        with np.errstate(all="ignore"):
            mu_hat = mu / (1.0 - beta1**t) if slips.get("correct_m", True) else mu
            nu_hat = nu / (1.0 - beta2**t) if slips.get("correct_v", True) else nu
            if slips.get("no_sqrt"):
                denominator = nu_hat + eps
            elif slips.get("eps_inside"):
                denominator = np.sqrt(nu_hat + eps)
            elif slips.get("eps_before_correction"):  # the paper's "efficient" form
                denominator = (np.sqrt(nu) + eps) / np.sqrt(1.0 - beta2**t)
            else:
                denominator = np.sqrt(nu_hat) + eps
            return mu_hat / denominator, SlipState(step, mu, nu)

    return tx.Transform(lambda theta: SlipState(0, np.zeros_like(theta), np.zeros_like(theta)), update)


def slipped_adam(
    lr=1e-3,
    betas=(0.9, 0.999),
    eps=1e-8,
    weight_decay=0.0,
    amsgrad=False,
    decoupled_weight_decay=False,
    **slips,
):
    """Adam (torch's keywords) with slips; ``amsgrad`` is accepted and ignored (never probed)."""
    direction = slipped_adam_transform(tuple(betas), eps, **slips)
    return opt.descent("adam", lr, direction, weight_decay, decoupled_weight_decay)


def decay_after_step(target: str, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False,
                     decoupled_weight_decay=False):  # fmt: skip
    """Adam's step on the raw gradient first, then theta *= (1 - lr wd) on the updated parameter."""
    adam_step = tx.chain(tx.scale_by_adam(tuple(betas), eps, amsgrad), tx.scale_by_learning_rate())
    inner = opt.from_transform(target, lr, adam_step)

    def update(theta, grad, state, step_lr):
        stepped, state = inner.update(theta, grad, state, step_lr)
        return stepped * (1.0 - step_lr * weight_decay), state

    return inner._replace(update=update)


def adamw_as_l2(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False):
    """AdamW written as Adam with L2: the decay goes through the moments."""
    return opt.adam(lr, betas, eps, weight_decay, amsgrad)._replace(name="adamw")


def adamw_decay_without_lr(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False):
    """theta <- theta (1 - weight_decay): the decay not multiplied by the lr."""
    adam_step = tx.chain(tx.scale_by_adam(tuple(betas), eps, amsgrad), tx.scale_by_learning_rate())
    chain = tx.chain(adam_step, tx.Transform(lambda theta: (), lambda u, s, theta, lr: (u - weight_decay * theta, s)))
    return opt.from_transform("adamw", lr, chain)


def adam_decoupled_for_l2(
    lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False, decoupled_weight_decay=False
):
    """Adam's L2 weight decay implemented as AdamW's decoupled decay."""
    return opt.adam(lr, betas, eps, weight_decay, amsgrad, decoupled_weight_decay=True)._replace(name="adam")


def nadam_as_adam_nesterov(
    lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, momentum_decay=4e-3, decoupled_weight_decay=False
):
    """optax/Keras-style NAdam: Adam with a Nesterov m_hat, no mu_t schedule (first step 1.47x).

    m_hat = b1 m_t / (1 - b1^(t+1)) + (1 - b1) g / (1 - b1^t)
    """
    beta1, beta2 = betas

    def update(u, state: SlipState, theta, step_lr):
        step = state.step + 1
        mu = beta1 * state.mu + (1.0 - beta1) * u
        nu = beta2 * state.nu + (1.0 - beta2) * u * u
        mu_hat = beta1 * mu / (1.0 - beta1 ** (step + 1)) + (1.0 - beta1) * u / (1.0 - beta1**step)
        return mu_hat / (np.sqrt(nu / (1.0 - beta2**step)) + eps), SlipState(step, mu, nu)

    direction = tx.Transform(lambda theta: SlipState(0, np.zeros_like(theta), np.zeros_like(theta)), update)
    return opt.descent("nadam", lr, direction, weight_decay, decoupled_weight_decay)


def radam_slipped(
    lr=1e-3,
    betas=(0.9, 0.999),
    eps=1e-8,
    weight_decay=0.0,
    decoupled_weight_decay=False,
    *,
    threshold=5.0,
    unrectified="momentum",
):
    """RAdam with the paper's rho_t > 4 threshold, or Adam-normalised steps while rho_t <= 5."""
    direction = tx.scale_by_radam(tuple(betas), eps, threshold, unrectified)
    return opt.descent("radam", lr, direction, weight_decay, decoupled_weight_decay)


def adabelief_stale_mean(lr=1e-3, betas=(0.9, 0.999), eps=1e-16, weight_decay=0.0, decoupled_weight_decay=False):
    """AdaBelief's belief term built from the previous mean: (g - mu_{t-1})^2, not (g - mu_t)^2."""
    beta1, beta2 = betas

    def update(u, state: tx.AdamState, theta, step_lr):
        step = state.step + 1
        belief = beta2 * state.nu + (1.0 - beta2) * (u - state.mu) ** 2 + eps
        mu = beta1 * state.mu + (1.0 - beta1) * u
        mu_hat = mu / (1.0 - beta1**step)
        return mu_hat / (np.sqrt(belief / (1.0 - beta2**step)) + eps), tx.AdamState(step, mu, belief, None)

    direction = tx.Transform(lambda theta: tx.AdamState(0, np.zeros_like(theta), np.zeros_like(theta), None), update)
    return opt.descent("adabelief", lr, direction, weight_decay, decoupled_weight_decay)
