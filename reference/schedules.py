"""Learning-rate schedules as plain functions of a 0-based step.

``schedule(k)`` is the lr that update ``k`` uses (k = 0 for the first update). This is
torch's convention: building a scheduler sets the lr to f(0), and after k calls of
``scheduler.step()`` (each after ``optimizer.step()``) the lr is f(k). See
:mod:`reference.trajectory` for how an update k consumes it.

Every function takes the step first and its hyperparameters by torch's names; use
:func:`make_schedule` to bind them into a one-argument schedule.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence

from reference.hyperparameters import check_names

Schedule = Callable[[int], float]


def constant(step: int, lr: float) -> float:
    """lr at every step."""
    return lr


def step_lr(step: int, lr: float, step_size: int, gamma: float = 0.1) -> float:
    """torch StepLR: lr * gamma^floor(step / step_size)."""
    return lr * gamma ** (step // step_size)


def multistep(step: int, lr: float, milestones: Sequence[int], gamma: float = 0.1) -> float:
    """torch MultiStepLR: lr * gamma^(number of milestones <= step); repeats count twice."""
    return lr * gamma ** sum(1 for milestone in milestones if milestone <= step)


def exponential(step: int, lr: float, gamma: float) -> float:
    """torch ExponentialLR: lr * gamma^step."""
    return lr * gamma**step


def cosine(step: int, lr: float, T_max: int, eta_min: float = 0.0) -> float:
    """torch CosineAnnealingLR: eta_min + (lr - eta_min)(1 + cos(pi step / T_max)) / 2.

    Like torch, it is not clamped: past T_max the lr rises again (period 2 T_max).
    """
    return eta_min + (lr - eta_min) * (1.0 + math.cos(math.pi * step / T_max)) / 2.0


def cosine_clamped(step: int, lr: float, T_max: int, eta_min: float = 0.0) -> float:
    """Cosine annealing that stays at eta_min after T_max (optax's and most hand-written)."""
    return cosine(min(step, T_max), lr, T_max, eta_min)


def linear(step: int, lr: float, start_factor: float = 1.0 / 3, end_factor: float = 1.0, total_iters: int = 5) -> float:
    """torch LinearLR (linear warm-up or decay):
    lr * (start_factor + (end_factor - start_factor) * min(step, total_iters) / total_iters).
    """
    progress = min(step, total_iters) / total_iters
    return lr * (start_factor + (end_factor - start_factor) * progress)


def warmup_cosine(
    step: int,
    lr: float,
    warmup_steps: int,
    total_steps: int,
    eta_min: float = 0.0,
    start_factor: float = 1.0 / 3,
) -> float:
    """Linear warm-up to lr over ``warmup_steps``, then cosine down to eta_min at ``total_steps``.

    Equals torch SequentialLR([LinearLR(start_factor, 1, warmup_steps),
    CosineAnnealingLR(T_max=total_steps - warmup_steps, eta_min)], milestones=[warmup_steps]).
    """
    if step < warmup_steps:
        return linear(step, lr, start_factor, 1.0, warmup_steps)
    return cosine(step - warmup_steps, lr, total_steps - warmup_steps, eta_min)


def linear_warmup(step: int, lr: float, warmup_steps: int) -> float:
    """lr * (step + 1) / warmup_steps up to lr, then lr: update 0 already moves.

    Equals torch LinearLR(start_factor=1/W, end_factor=1, total_iters=W-1) (W = warmup_steps;
    ConstantLR's lr when W = 1).
    """
    return lr * min(1.0, (step + 1) / warmup_steps)


def linear_warmup_cosine(step: int, lr: float, warmup_steps: int, total_steps: int, eta_min: float = 0.0) -> float:
    """:func:`linear_warmup` for ``warmup_steps`` updates, then cosine from lr to eta_min.

    Update ``warmup_steps`` is the first at the full lr. Equals torch SequentialLR([
    LinearLR(start_factor=1/W, total_iters=W-1), CosineAnnealingLR(T_max=total_steps - W,
    eta_min)], milestones=[W]).
    """
    if step < warmup_steps:
        return linear_warmup(step, lr, warmup_steps)
    return cosine(step - warmup_steps, lr, total_steps - warmup_steps, eta_min)


def _cyclic_scale(mode: str, gamma: float, cycle: int, step: int) -> float:
    if mode == "triangular":
        return 1.0
    if mode == "triangular2":
        return 1.0 / 2.0 ** (cycle - 1)
    return gamma**step  # exp_range scales per iteration, not per cycle


def cyclic(
    step: int,
    base_lr: float,
    max_lr: float,
    step_size_up: int = 2000,
    step_size_down: int | None = None,
    mode: str = "triangular",
    gamma: float = 1.0,
) -> float:
    """torch CyclicLR: a triangle between base_lr and max_lr, up in ``step_size_up`` steps.

    triangular2 halves the amplitude each cycle; exp_range multiplies it by gamma^step.
    """
    down = step_size_up if step_size_down is None else step_size_down
    total = step_size_up + down
    up_ratio = step_size_up / total
    cycle = math.floor(1 + step / total)
    x = 1.0 + step / total - cycle
    height = x / up_ratio if x <= up_ratio else (x - 1) / (up_ratio - 1)
    return base_lr + (max_lr - base_lr) * height * _cyclic_scale(mode, gamma, cycle, step)


def _anneal(start: float, end: float, fraction: float, strategy: str) -> float:
    if strategy == "cos":
        return end + (start - end) / 2.0 * (math.cos(math.pi * fraction) + 1)
    return (end - start) * fraction + start


def onecycle(
    step: int,
    max_lr: float,
    total_steps: int,
    pct_start: float = 0.3,
    anneal_strategy: str = "cos",
    div_factor: float = 25.0,
    final_div_factor: float = 1e4,
    three_phase: bool = False,
) -> float:
    """torch OneCycleLR: max_lr/div_factor up to max_lr at step pct_start*T - 1, then down to
    max_lr/(div_factor*final_div_factor) at step T - 1 (three_phase: back to the initial lr at
    2*pct_start*T - 2 first). Steps past T - 1 are an error, as in torch.
    """
    if step >= total_steps:
        raise ValueError(f"onecycle has {total_steps} steps; step {step} is past its end")
    initial = max_lr / div_factor
    minimum = initial / final_div_factor
    up_end = pct_start * total_steps - 1
    phases = [(up_end, initial, max_lr)]
    if three_phase:
        phases.append((2 * pct_start * total_steps - 2, max_lr, initial))
    phases.append((total_steps - 1, phases[-1][2], minimum))
    phase_start = 0.0
    for index, (phase_end, start_lr, end_lr) in enumerate(phases):
        if step <= phase_end or index == len(phases) - 1:
            fraction = (step - phase_start) / (phase_end - phase_start)
            return _anneal(start_lr, end_lr, fraction, anneal_strategy)
        phase_start = phase_end
    raise AssertionError("unreachable: the last phase always answers")


def cosine_restarts(step: int, lr: float, T_0: int, T_mult: int = 1, eta_min: float = 0.0) -> float:
    """torch CosineAnnealingWarmRestarts: cosine over cycles of length T_0, T_0*T_mult, ..."""
    position, cycle_length = step, T_0
    while position >= cycle_length:
        position -= cycle_length
        cycle_length *= T_mult
    return eta_min + (lr - eta_min) * (1.0 + math.cos(math.pi * position / cycle_length)) / 2.0


def inverse_sqrt(step: int, lr: float, warmup_steps: int = 0, timescale: int | None = None) -> float:
    """Linear warm-up from 0, then lr / sqrt((step + timescale - warmup_steps) / timescale).

    The Hugging Face ``get_inverse_sqrt_schedule`` form; timescale defaults to warmup_steps,
    or 10000 when there is no warm-up. torch has no built-in equivalent.
    """
    if timescale is None:
        timescale = warmup_steps or 10_000
    if step < warmup_steps:
        return lr * step / warmup_steps
    return lr / math.sqrt((step + timescale - warmup_steps) / timescale)


SCHEDULES: dict[str, Callable[..., float]] = {
    "constant": constant,
    "step": step_lr,
    "multistep": multistep,
    "exponential": exponential,
    "cosine": cosine,
    "cosine-clamped": cosine_clamped,
    "linear": linear,
    "warmup-cosine": warmup_cosine,
    "linear-warmup": linear_warmup,
    "linear-warmup-cosine": linear_warmup_cosine,
    "cyclic": cyclic,
    "onecycle": onecycle,
    "cosine-restarts": cosine_restarts,
    "inverse-sqrt": inverse_sqrt,
}

_POSITIVE_INTEGERS = (
    "step_size",
    "T_max",
    "total_iters",
    "warmup_steps",
    "total_steps",
    "step_size_up",
    "T_0",
    "T_mult",
)


def _validate(name: str, params: dict) -> None:
    for key in _POSITIVE_INTEGERS:
        if key in params and (not isinstance(params[key], int) or isinstance(params[key], bool) or params[key] < 1):
            raise ValueError(f"{key} must be a positive integer, got {params[key]!r}")
    if "mode" in params and params["mode"] not in ("triangular", "triangular2", "exp_range"):
        raise ValueError(f"mode must be triangular, triangular2 or exp_range, got {params['mode']!r}")
    if "anneal_strategy" in params and params["anneal_strategy"] not in ("cos", "linear"):
        raise ValueError(f"anneal_strategy must be cos or linear, got {params['anneal_strategy']!r}")
    if name.endswith("warmup-cosine") and params.get("total_steps", 0) <= params.get("warmup_steps", 0):
        raise ValueError(f"{name} needs total_steps > warmup_steps")
    if "milestones" in params and not isinstance(params["milestones"], (list, tuple)):
        params["milestones"] = [params["milestones"]]


def schedule_function(name: str) -> Callable[..., float]:
    """The named schedule's function of (step, **params); unknown names raise ValueError."""
    if name not in SCHEDULES:
        raise ValueError(f"unknown schedule {name!r}; known schedules: {', '.join(SCHEDULES)}")
    return SCHEDULES[name]


def make_schedule(name: str, **params) -> Schedule:
    """Bind a named schedule's hyperparameters; returns ``schedule(step) -> lr``.

    Unknown names, unknown or missing hyperparameters and impossible values raise
    ValueError, and the schedule is evaluated once at step 0 to catch bad types early.
    """
    function = schedule_function(name)
    params = dict(params)
    check_names("schedule", name, function, params, skip=("step",))
    _validate(name, params)
    schedule = functools.partial(function, **params)
    try:
        schedule(0)
    except TypeError as error:
        raise ValueError(f"schedule {name}: {error}") from None
    return schedule
