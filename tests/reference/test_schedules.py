"""Schedules equal torch.optim.lr_scheduler over at least three cycles or periods."""

import math
import warnings

import numpy as np
import pytest
import torch
from torch.optim import lr_scheduler as torch_schedulers

from reference.schedules import SCHEDULES, make_schedule
from tests.conftest import assert_matches


def torch_lrs(build_scheduler, lr, n_steps):
    """The lr each update uses under torch's order: optimizer.step(), then scheduler.step()."""
    parameter = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([parameter], lr=lr)
    scheduler = build_scheduler(optimizer)
    used = []
    for _ in range(n_steps):
        used.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. OneCycleLR's last-step notices
            scheduler.step()
    return np.array(used)


CASES = [
    (
        "step",
        {"lr": 0.1, "step_size": 3, "gamma": 0.5},
        lambda o: torch_schedulers.StepLR(o, 3, 0.5),
        0.1,
        30,
    ),
    (
        "multistep",
        {"lr": 0.1, "milestones": [2, 5, 5, 9]},
        lambda o: torch_schedulers.MultiStepLR(o, [2, 5, 5, 9]),
        0.1,
        20,
    ),
    ("exponential", {"lr": 0.1, "gamma": 0.9}, lambda o: torch_schedulers.ExponentialLR(o, 0.9), 0.1, 60),
    (
        "cosine",
        {"lr": 0.1, "T_max": 7, "eta_min": 1e-3},
        lambda o: torch_schedulers.CosineAnnealingLR(o, 7, 1e-3),
        0.1,
        50,
    ),
    ("cosine", {"lr": 0.3, "T_max": 10}, lambda o: torch_schedulers.CosineAnnealingLR(o, 10), 0.3, 70),
    ("linear", {"lr": 0.1}, lambda o: torch_schedulers.LinearLR(o), 0.1, 12),
    (
        "linear",
        {"lr": 0.1, "start_factor": 1.0, "end_factor": 0.0, "total_iters": 10},
        lambda o: torch_schedulers.LinearLR(o, 1.0, 0.0, 10),
        0.1,
        15,
    ),
    (
        "warmup-cosine",
        {"lr": 0.1, "warmup_steps": 5, "total_steps": 20, "start_factor": 0.01},
        lambda o: torch_schedulers.SequentialLR(
            o, [torch_schedulers.LinearLR(o, 0.01, 1.0, 5), torch_schedulers.CosineAnnealingLR(o, 15)], [5]
        ),
        0.1,
        21,
    ),
    (
        "linear-warmup",
        {"lr": 0.1, "warmup_steps": 5},
        lambda o: torch_schedulers.LinearLR(o, 1 / 5, 1.0, 4),
        0.1,
        12,
    ),
    (
        "linear-warmup-cosine",
        {"lr": 0.1, "warmup_steps": 4, "total_steps": 20, "eta_min": 0.001},
        lambda o: torch_schedulers.SequentialLR(
            o,
            [torch_schedulers.LinearLR(o, 1 / 4, 1.0, 3), torch_schedulers.CosineAnnealingLR(o, 16, eta_min=0.001)],
            [4],
        ),
        0.1,
        30,
    ),
    (
        "cyclic",
        {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 4},
        lambda o: torch_schedulers.CyclicLR(o, 0.01, 0.1, 4, cycle_momentum=False),
        0.1,
        40,
    ),
    (
        "cyclic",
        {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 4, "step_size_down": 6, "mode": "triangular2"},
        lambda o: torch_schedulers.CyclicLR(o, 0.01, 0.1, 4, 6, mode="triangular2", cycle_momentum=False),
        0.1,
        50,
    ),
    (
        "cyclic",
        {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 3, "mode": "exp_range", "gamma": 0.97},
        lambda o: torch_schedulers.CyclicLR(o, 0.01, 0.1, 3, mode="exp_range", gamma=0.97, cycle_momentum=False),
        0.1,
        40,
    ),
    (
        "onecycle",
        {"max_lr": 0.1, "total_steps": 20},
        lambda o: torch_schedulers.OneCycleLR(o, 0.1, total_steps=20, cycle_momentum=False),
        0.1,
        20,
    ),
    (
        "onecycle",
        {"max_lr": 0.2, "total_steps": 33, "pct_start": 0.25, "anneal_strategy": "linear"},
        lambda o: torch_schedulers.OneCycleLR(
            o, 0.2, total_steps=33, pct_start=0.25, anneal_strategy="linear", cycle_momentum=False
        ),
        0.1,
        33,
    ),
    (
        "onecycle",
        {"max_lr": 0.1, "total_steps": 30, "three_phase": True},
        lambda o: torch_schedulers.OneCycleLR(o, 0.1, total_steps=30, three_phase=True, cycle_momentum=False),
        0.1,
        30,
    ),
    (
        "cosine-restarts",
        {"lr": 0.1, "T_0": 5},
        lambda o: torch_schedulers.CosineAnnealingWarmRestarts(o, 5),
        0.1,
        20,
    ),
    (
        "cosine-restarts",
        {"lr": 0.1, "T_0": 3, "T_mult": 2, "eta_min": 1e-3},
        lambda o: torch_schedulers.CosineAnnealingWarmRestarts(o, 3, 2, 1e-3),
        0.1,
        50,
    ),
    (
        "inverse-sqrt",
        {"lr": 0.1, "warmup_steps": 4},
        lambda o: torch_schedulers.LambdaLR(o, lambda k: k / 4 if k < 4 else 1 / math.sqrt(k / 4)),
        0.1,
        30,
    ),
]


@pytest.mark.parametrize("name, params, build, lr, n_steps", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_schedule_equals_torch(name, params, build, lr, n_steps):
    schedule = make_schedule(name, **params)
    assert_matches([schedule(k) for k in range(n_steps)], torch_lrs(build, lr, n_steps), atol=1e-15)


def test_every_schedule_has_a_torch_comparison():
    compared = {case[0] for case in CASES}
    assert set(SCHEDULES) - compared == {"constant", "cosine-clamped"}


def lrs(name, n, **params):
    schedule = make_schedule(name, **params)
    return [schedule(k) for k in range(n)]


def test_closed_form_tables():
    assert lrs("step", 7, lr=0.1, step_size=3, gamma=0.5) == pytest.approx([0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025])
    assert lrs("multistep", 6, lr=0.1, milestones=[2, 5]) == pytest.approx([0.1, 0.1, 0.01, 0.01, 0.01, 0.001])
    assert lrs("linear", 6, lr=0.1) == pytest.approx([0.1 / 3, 0.14 / 3, 0.06, 0.22 / 3, 0.26 / 3, 0.1])
    onecycle = lrs("onecycle", 20, max_lr=0.1, total_steps=20)
    assert int(np.argmax(onecycle)) == 5 and onecycle[5] == pytest.approx(0.1)
    assert onecycle[0] == pytest.approx(0.1 / 25) and onecycle[19] == pytest.approx(4e-7)
    restarts = lrs("cosine-restarts", 25, lr=1.0, T_0=3, T_mult=2)
    assert [k for k in range(25) if restarts[k] == 1.0] == [0, 3, 9, 21]


def test_cosine_rises_after_t_max_and_the_clamped_variant_does_not():
    torch_like = lrs("cosine", 21, lr=0.1, T_max=10)
    clamped = lrs("cosine-clamped", 21, lr=0.1, T_max=10)
    assert torch_like[10] == pytest.approx(0.0, abs=1e-18) and torch_like[20] == pytest.approx(0.1)
    assert clamped[:11] == torch_like[:11] and clamped[11:] == [0.0] * 10


def test_schedules_match_the_lessons_step_decay_and_cosine():
    """Lesson 000: lr 0.3 halved when t == 30 and t == 60; cosine 0.3 * (1 + cos(pi t / 100)) / 2."""
    decay = lrs("multistep", 100, lr=0.3, milestones=[30, 60], gamma=0.5)
    assert decay[29] == 0.3 and decay[30] == 0.15 and decay[59] == 0.15 and decay[60] == 0.075
    cosine = lrs("cosine", 100, lr=0.3, T_max=100)
    assert cosine == pytest.approx([0.3 * 0.5 * (1 + np.cos(np.pi * t / 100)) for t in range(100)], rel=1e-14)


@pytest.mark.parametrize(
    "name, params, message",
    [
        ("cosine", {"lr": 0.1}, "needs T_max"),
        ("cosine", {"lr": 0.1, "T_max": 0}, "T_max must be a positive integer"),
        ("step", {"lr": 0.1, "step_size": 2.5}, "step_size must be a positive integer"),
        ("cyclic", {"base_lr": 0.1, "max_lr": 1.0, "mode": "sine"}, "mode must be"),
        ("warmup-cosine", {"lr": 0.1, "warmup_steps": 10, "total_steps": 10}, "total_steps > warmup_steps"),
        ("exponential", {"lr": 0.1, "gamma": 0.9, "T_max": 3}, "unknown schedule parameter 'T_max'"),
        ("exponential", {"lr": "fast", "gamma": 0.9}, "exponential"),
        ("sawtooth", {}, "unknown schedule 'sawtooth'"),
    ],
)
def test_bad_schedules_are_refused_with_a_named_problem(name, params, message):
    with pytest.raises(ValueError, match=message):
        make_schedule(name, **params)


def test_onecycle_refuses_steps_past_its_end():
    schedule = make_schedule("onecycle", max_lr=0.1, total_steps=10)
    with pytest.raises(ValueError, match="past its end"):
        schedule(10)
