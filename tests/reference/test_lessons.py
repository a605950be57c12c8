"""The lesson runs reproduce what the lessons show and print."""

import numpy as np
import pytest

from reference.lessons import LESSON_RUNS, lesson_run
from reference.problems import get_problem

# Lesson 001 prints the MSE after each update (5 decimals) and f(x) = w1 x + w0 (2 decimals).
LESSON_001_ERRORS = {
    0.1: {1: 0.35560, 2: 0.26300, 3: 0.19452, 20: 0.00115, 30: 0.00006},
    0.5: {1: 9.58333, 2: 4.06250, 3: 39.76562, 29: 537407805.94885, 30: 5223270089.75743},
}
LESSON_001_LINES = {1: (1.60, -0.14), 2: (1.66, -0.26), 3: (1.70, -0.36), 20: (1.98, -0.95)}


@pytest.mark.parametrize("lr", [0.1, 0.5])
def test_lesson001_loop_reproduces_the_printed_errors(lr):
    trajectory = lesson_run("lr-comparison-lesson001")[f"lr={lr}"]
    for step, printed in LESSON_001_ERRORS[lr].items():
        assert f"{trajectory.losses[step]:.5f}" == f"{printed:.5f}"


def test_lesson001_loop_reproduces_the_printed_lines():
    params = lesson_run("lr-comparison-lesson001")["lr=0.1"].params
    for step, (w1, w0) in LESSON_001_LINES.items():
        assert (f"{params[step][1]:.2f}", f"{params[step][0]:.2f}") == (f"{w1:.2f}", f"{w0:.2f}")


def test_textbook_update_is_the_default_and_differs_from_lesson001():
    textbook = lesson_run("lr-comparison")
    assert f"{textbook['lr=0.1'].losses[1]:.5f}" != "0.35560"
    # residuals at w = [0, 1] are (1, 0, -2): w0 -= 0.1 * (2/3) * (-1), w1 -= 0.1 * (2/3) * (-6)
    np.testing.assert_allclose(textbook["lr=0.1"].params[1], [0.1 * 2 / 3, 1.4])
    assert textbook["lr=0.1"].final_loss < 0.01  # lr 0.1 converges
    assert textbook["lr=0.5"].final_loss > 1e6  # lr 0.5 diverges (2/lambda_max is about 0.25)


def test_momentum_elliptic_is_the_lessons_loop():
    problem, runs = get_problem("elliptic"), lesson_run("momentum-elliptic")
    w, v = np.array([3.0, 3.0]), np.zeros(2)
    for step in range(30):
        v = 0.9 * v - 0.04 * problem.grad(w)
        w = w + v
        np.testing.assert_allclose(runs["momentum"].params[step + 1], w, rtol=1e-13)
    assert runs["sgd"].params.shape == (31, 2)


def test_adam_tricky_reaches_a_lower_loss_than_sgd():
    runs = lesson_run("adam-tricky")
    assert runs["adam"].final_loss < runs["sgd"].final_loss
    assert np.all(runs["adam"].lrs == 0.1) and np.all(runs["sgd"].lrs == 0.01)


def test_schedules_quadratic_uses_the_lessons_lrs():
    runs = lesson_run("schedules-quadratic")
    assert runs["step-decay"].lrs[[0, 30, 60]] == pytest.approx([0.3, 0.15, 0.075])
    assert runs["cosine"].lrs[0] == 0.3 and runs["fixed"].lrs[99] == 0.1
    assert all(run.final_loss < 1e-6 for run in runs.values())


def test_batch_vs_minibatch_counts_and_convergence():
    runs = lesson_run("batch-vs-minibatch")
    assert {label: run.n_steps for label, run in runs.items()} == {
        "batch": 50,
        "sgd": 10000,
        "minibatch-32": 350,
    }
    floor = get_problem("linear-regression").loss(get_problem("linear-regression").minimum)
    for run in runs.values():
        assert run.final_loss < floor + 0.1  # all three approach w = 3, b = 2


def test_every_lesson_run_has_a_known_problem_and_runs():
    for name, entry in LESSON_RUNS.items():
        runs = lesson_run(name)
        dim = get_problem(entry.problem).dim
        assert runs and all(run.params.shape[1] == dim for run in runs.values())
    with pytest.raises(ValueError, match="unknown lesson run"):
        lesson_run("nope")
