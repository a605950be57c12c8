"""Conventions that must agree, and where they must not."""

import numpy as np
import pytest

from reference import optimizers as opt
from reference.problems import get_problem
from reference.schedules import make_schedule
from reference.torch_mirror import torch_trajectory
from reference.trajectory import replay, run
from tests.conftest import assert_matches


def test_lesson_momentum_equals_torch_momentum_under_constant_lr():
    problem = get_problem("elliptic")
    lesson = run(opt.momentum(lr=0.04, momentum=0.9), problem, 60)
    torch_form = torch_trajectory("sgd", problem, 60, 0.04, {"momentum": 0.9})
    assert_matches(lesson.params, torch_form.params, rtol=1e-9)


def test_lesson_momentum_differs_from_torch_after_an_lr_change():
    problem = get_problem("elliptic")
    drop = make_schedule("step", lr=0.04, step_size=20, gamma=0.1)
    lesson = run(opt.momentum(lr=0.04, momentum=0.9), problem, 60, schedule=drop)
    torch_form = run(opt.sgd(momentum=0.9), problem, 60, schedule=drop)
    before, after = slice(0, 21), slice(21, None)
    assert_matches(lesson.params[before], torch_form.params[before], rtol=1e-9)
    assert np.max(np.abs(lesson.params[after] - torch_form.params[after])) > 0.1


def test_adam_with_decoupled_weight_decay_equals_adamw():
    problem = get_problem("tricky")
    adam = run(opt.adam(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True), problem, 80)
    adamw = run(opt.adamw(lr=0.05, weight_decay=0.1), problem, 80)
    assert_matches(adam.params, adamw.params, rtol=0, atol=0)
    l2 = run(opt.adam(lr=0.05, weight_decay=0.1), problem, 80)
    assert np.max(np.abs(l2.params - adamw.params)) > 1e-2  # L2 and decoupled really differ


def test_look_ahead_nesterov_point_equals_torch_nesterov_parameters():
    """Sutskever's theta + momentum v is exactly what torch's nesterov=True tracks."""
    problem = get_problem("elliptic")
    look_ahead = opt.nesterov(lr=0.02, momentum=0.9)
    theta, state = np.array(problem.start), look_ahead.init(problem.start)
    points = [look_ahead.gradient_point(theta, state)]
    for _ in range(40):
        theta, state = look_ahead.update(theta, problem.grad(points[-1]), state, 0.02)
        points.append(look_ahead.gradient_point(theta, state))
    torch_form = torch_trajectory("sgd", problem, 40, 0.02, {"momentum": 0.9, "nesterov": True})
    assert_matches(np.array(points), torch_form.params, rtol=1e-9)


def _adabelief_paper(grads, theta, lr, beta1=0.9, beta2=0.999, eps=1e-16):
    """AdaBelief Algorithm 2 of the paper, transcribed line by line."""
    m, s, path = np.zeros_like(theta), np.zeros_like(theta), [theta]
    for t, g in enumerate(grads, start=1):
        m = beta1 * m + (1 - beta1) * g
        s = beta2 * s + (1 - beta2) * (g - m) ** 2 + eps
        m_hat, s_hat = m / (1 - beta1**t), s / (1 - beta2**t)
        path.append(path[-1] - lr * m_hat / (np.sqrt(s_hat) + eps))
    return np.array(path)


@pytest.mark.parametrize("problem_name", ["elliptic", "tricky", "logistic-regression"])
def test_adabelief_equals_the_paper_form(problem_name):
    problem = get_problem(problem_name)
    ours = run(opt.adabelief(lr=0.02), problem, 60)
    assert_matches(ours.params, _adabelief_paper(ours.grads, np.array(problem.start), 0.02))


def test_adabelief_first_step_is_lr_over_beta1():
    step = opt.adabelief(lr=0.01).update(
        np.zeros(3), np.array([2.0, -0.5, 0.1]), opt.adabelief().init(np.zeros(3)), 0.01
    )[0]
    np.testing.assert_allclose(np.abs(step), 0.01 / 0.9, rtol=1e-9)


def test_radam_first_adaptive_update_is_step_six():
    """Steps 1-5 are plain m_hat steps (size proportional to |g|); step 6 is rectified."""
    radam, grads = opt.radam(lr=0.01), np.full((7, 1), 4.0)
    params = replay(radam, grads, np.zeros(1), np.full(7, 0.01))
    steps = np.abs(np.diff(params[:, 0]))
    np.testing.assert_allclose(steps[:5], 0.01 * 4.0, rtol=1e-12)  # m_hat = g for a constant g
    assert steps[5] < 0.01 * 4.0 / 2  # normalised: about lr * r_6, far below lr*|g|


def test_forgetting_zero_grad_in_sgd_is_momentum_one():
    from reference.mistakes.optimizer_slips import without_zero_grad

    problem = get_problem("quadratic")
    forgot = run(without_zero_grad("sgd", lr=0.01), problem, 30)
    assert_matches(forgot.params, run(opt.sgd(lr=0.01, momentum=1.0), problem, 30).params, rtol=0, atol=1e-15)


def test_ema_momentum_equals_torch_sgd_with_scaled_lr_under_any_schedule():
    problem = get_problem("elliptic")
    drop = make_schedule("step", lr=0.05, step_size=7, gamma=0.3)
    ema = run(opt.ema_momentum(momentum=0.9), problem, 30, schedule=drop)
    scaled = make_schedule("step", lr=0.05 * (1 - 0.9), step_size=7, gamma=0.3)
    constant = run(opt.ema_momentum(lr=0.05, momentum=0.9), problem, 30)
    assert_matches(constant.params, torch_trajectory("sgd", problem, 30, 0.005, {"momentum": 0.9}).params, rtol=1e-9)
    assert_matches(ema.params, run(opt.sgd(momentum=0.9), problem, 30, schedule=scaled).params, rtol=1e-9)
