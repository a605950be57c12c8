"""Named optimizers as ``(init, update)`` pairs over float64 numpy vectors.

Each named optimizer is a chain of small transforms (see :mod:`reference.transforms`),
so ``adamw`` reads as "Adam scaling, then decoupled decay, then the learning rate".
Hyperparameter names and defaults follow ``torch.optim``. An optimizer's ``update``
takes the lr of the current step, so schedules apply to every optimizer the same way:

    state = opt.init(theta0)
    theta1, state = opt.update(theta0, grad_at(opt.gradient_point(theta0, state)), state, lr0)
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from reference import transforms as tx
from reference.hyperparameters import check_names

Array = np.ndarray


def _gradient_at_params(params: Array, state: Any) -> Array:
    return params


class Optimizer(NamedTuple):
    """``init(theta) -> state``; ``update(theta, g, state, lr) -> (theta_new, state_new)``.

    ``gradient_point(theta, state)`` is where the next gradient must be taken: ``theta``
    for every optimizer except look-ahead Nesterov (``theta + momentum * v``).
    """

    name: str
    lr: float
    init: Callable[[Array], Any]
    update: Callable[[Array, Array, Any, float], tuple[Array, Any]]
    gradient_point: Callable[[Array, Any], Array] = _gradient_at_params


def from_transform(name: str, lr: float, transform: tx.Transform, gradient_point=None) -> Optimizer:
    """Wrap a transform whose output is the parameter increment into an Optimizer."""

    def update(theta: Array, grad: Array, state: Any, step_lr: float):
        theta = np.asarray(theta, dtype=np.float64)
        increment, new_state = transform.update(np.asarray(grad, dtype=np.float64), state, theta, step_lr)
        return theta + increment, new_state

    def init(theta: Array):
        return transform.init(np.asarray(theta, dtype=np.float64))

    return Optimizer(name, lr, init, update, gradient_point or _gradient_at_params)


# --- validation: torch's ValueErrors, as one-line messages --------------------------------


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


def _real(name: str, value: Any, minimum: float = 0.0) -> float:
    _require(
        isinstance(value, numbers.Real) and not isinstance(value, bool),
        f"{name} must be a number, got {value!r}",
    )
    _require(np.isfinite(value) and value >= minimum, f"{name} must be >= {minimum}, got {value}")
    return float(value)


def _flag(name: str, value: Any) -> bool:
    _require(isinstance(value, bool), f"{name} must be true or false, got {value!r}")
    return value


def _betas(value: Any) -> tuple[float, float]:
    _require(
        isinstance(value, (tuple, list)) and len(value) == 2,
        f"betas must be two numbers like 0.9,0.999, got {value!r}",
    )
    beta1, beta2 = (_real(f"betas[{i}]", b) for i, b in enumerate(value))
    _require(beta1 < 1.0 and beta2 < 1.0, f"betas must be in [0, 1), got {tuple(value)}")
    return beta1, beta2


def descent(
    name: str, lr: float, direction: tx.Transform, weight_decay: float = 0.0, decoupled: bool = False
) -> Optimizer:
    """theta <- theta - lr * direction(g + wd theta)   (L2-coupled weight decay), or
    theta <- theta - lr * (direction(g) + wd theta)    (decoupled: theta (1 - lr wd) - lr d).
    """
    weight_decay = _real("weight_decay", weight_decay)
    coupled = 0.0 if _flag("decoupled_weight_decay", decoupled) else weight_decay
    chain = tx.chain(
        tx.add_l2_decay(coupled),
        direction,
        tx.add_decoupled_decay(weight_decay - coupled),
        tx.scale_by_learning_rate(),
    )
    return from_transform(name, _real("lr", lr), chain)


# --- the optimizers ------------------------------------------------------------------------


def sgd(lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False) -> Optimizer:
    """torch.optim.SGD.

    g <- g + weight_decay * theta
    b_1 = g_1;  b_t = momentum b_{t-1} + (1 - dampening) g_t
    d_t = g_t + momentum b_t (nesterov) or b_t;  theta <- theta - lr d_t
    """
    momentum, dampening = _real("momentum", momentum), _real("dampening", dampening)
    _require(
        not _flag("nesterov", nesterov) or (momentum > 0 and dampening == 0),
        "nesterov requires momentum > 0 and dampening = 0",
    )
    return descent("sgd", lr, tx.trace(momentum, dampening, nesterov), weight_decay)


def momentum(lr=1e-3, momentum=0.9) -> Optimizer:
    """The lessons' momentum form: v = momentum v - lr g;  theta <- theta + v.

    Equals ``sgd(lr, momentum)`` while lr is constant; differs after an lr change.
    """
    lr, rho = _real("lr", lr), _real("momentum", momentum)
    return from_transform("momentum", lr, tx.lesson_velocity(rho))


def ema_momentum(lr=1e-3, momentum=0.9) -> Optimizer:
    """deeplearning.ai's momentum: v = momentum v + (1 - momentum) g;  theta <- theta - lr v.

    Equals ``sgd(lr * (1 - momentum), momentum)`` for any lr sequence.
    """
    return descent("ema-momentum", lr, tx.ema_velocity(_real("momentum", momentum)))


def nesterov(lr=1e-3, momentum=0.9) -> Optimizer:
    """Look-ahead (Sutskever) Nesterov: g = grad(theta + momentum v); v = momentum v - lr g;
    theta <- theta + v.

    Its look-ahead point theta + momentum v equals torch's ``SGD(nesterov=True)`` parameters.
    """
    lr, rho = _real("lr", lr), _real("momentum", momentum)

    def look_ahead(theta: Array, state: tx.VelocityState) -> Array:
        return np.asarray(theta, dtype=np.float64) + rho * state.velocity

    return from_transform("nesterov", lr, tx.lesson_velocity(rho), look_ahead)


def adagrad(lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10):
    """torch.optim.Adagrad.

    g <- g + weight_decay theta;  s_t = s_{t-1} + g^2  (s_0 = initial_accumulator_value)
    theta <- theta - lr / (1 + (t - 1) lr_decay) * g / (sqrt(s_t) + eps)
    """
    direction = tx.scale_by_adagrad(
        _real("lr_decay", lr_decay),
        _real("initial_accumulator_value", initial_accumulator_value),
        _real("eps", eps),
    )
    return descent("adagrad", lr, direction, weight_decay)


def rmsprop(lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False):
    """torch.optim.RMSprop.

    g <- g + weight_decay theta;  v_t = alpha v + (1 - alpha) g^2
    den = sqrt(v_t - gbar_t^2) + eps (centered) or sqrt(v_t) + eps
    momentum > 0: b_t = momentum b + g/den, theta <- theta - lr b_t; else theta -= lr g/den
    """
    direction = tx.chain(
        tx.scale_by_rms(_real("alpha", alpha), _real("eps", eps), _flag("centered", centered)),
        tx.trace(_real("momentum", momentum)),
    )
    return descent("rmsprop", lr, direction, weight_decay)


def adam(
    lr=1e-3,
    betas=(0.9, 0.999),
    eps=1e-8,
    weight_decay=0.0,
    amsgrad=False,
    decoupled_weight_decay=False,
) -> Optimizer:
    """torch.optim.Adam: L2 weight decay by default, decoupled (= AdamW) on request.

    mu_t = b1 mu + (1 - b1) g;  nu_t = b2 nu + (1 - b2) g^2;  t counts from 1
    theta <- theta - lr * [mu_t / (1 - b1^t)] / (sqrt(nu_t / (1 - b2^t)) + eps)
    """
    direction = tx.scale_by_adam(_betas(betas), _real("eps", eps), _flag("amsgrad", amsgrad))
    return descent("adam", lr, direction, weight_decay, decoupled_weight_decay)


def adam_efficient(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False) -> Optimizer:
    """Adam in the paper's "efficient" form: lr_t = lr sqrt(1 - b2^t) / (1 - b1^t);
    theta <- theta - lr_t mu_t / (sqrt(nu_t) + eps). Equal to torch's Adam but for where eps
    sits, which shows when gradients are small; a spec may accept it (``accept``)."""
    direction = tx.scale_by_adam(_betas(betas), _real("eps", eps), _flag("amsgrad", amsgrad), efficient=True)
    return descent("adam-efficient", lr, direction, weight_decay)


def adamw(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False) -> Optimizer:
    """torch.optim.AdamW: theta <- theta (1 - lr weight_decay), then Adam's step on raw g."""
    optimizer = adam(lr, betas, eps, weight_decay, amsgrad, decoupled_weight_decay=True)
    return optimizer._replace(name="adamw")


def nadam(
    lr=2e-3,
    betas=(0.9, 0.999),
    eps=1e-8,
    weight_decay=0.0,
    momentum_decay=4e-3,
    decoupled_weight_decay=False,
) -> Optimizer:
    """torch.optim.NAdam (see :func:`reference.transforms.scale_by_nadam`)."""
    direction = tx.scale_by_nadam(_betas(betas), _real("eps", eps), _real("momentum_decay", momentum_decay))
    return descent("nadam", lr, direction, weight_decay, decoupled_weight_decay)


def radam(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, decoupled_weight_decay=False):
    """torch.optim.RAdam (see :func:`reference.transforms.scale_by_radam`)."""
    direction = tx.scale_by_radam(_betas(betas), _real("eps", eps))
    return descent("radam", lr, direction, weight_decay, decoupled_weight_decay)


def adabelief(lr=1e-3, betas=(0.9, 0.999), eps=1e-16, weight_decay=0.0, decoupled_weight_decay=False):
    """AdaBelief, the paper's form (no rectification); eps 1e-16 as the paper and optax.

    s_t = b2 s + (1 - b2)(g - mu_t)^2 + eps
    theta <- theta - lr [mu_t / (1 - b1^t)] / (sqrt(s_t / (1 - b2^t)) + eps)
    """
    direction = tx.scale_by_belief(_betas(betas), _real("eps", eps))
    return descent("adabelief", lr, direction, weight_decay, decoupled_weight_decay)


OPTIMIZERS: dict[str, Callable[..., Optimizer]] = {
    "sgd": sgd,
    "momentum": momentum,
    "ema-momentum": ema_momentum,
    "nesterov": nesterov,
    "adagrad": adagrad,
    "rmsprop": rmsprop,
    "adam": adam,
    "adam-efficient": adam_efficient,
    "adamw": adamw,
    "nadam": nadam,
    "radam": radam,
    "adabelief": adabelief,
}


def get_optimizer(name: str, **hparams: Any) -> Optimizer:
    """Build a named optimizer; unknown names or hyperparameters raise ValueError."""
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; known optimizers: {', '.join(OPTIMIZERS)}")
    check_names("optimizer", name, OPTIMIZERS[name], hparams)
    return OPTIMIZERS[name](**hparams)
