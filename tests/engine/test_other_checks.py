"""Gradient, value, batches and divergence checks."""

import numpy as np
import pytest

from autograder.assignment import parse_spec
from autograder.engine.grade import grade
from autograder.errors import SpecError
from reference.batching import minibatch_epoch
from reference.lessons import lesson_run


def _one_question(convention, symbol, reference, kind, probes, **extra):
    question = {"id": "q", "convention": convention, "symbol": symbol, "reference": reference, **extra}
    question["checks"] = [{"kind": kind, "points": 1, "probes": probes}]
    return parse_spec({"id": "other", "questions": [question]})


def mse_grad(w, x, y):
    residual = w[1] * x + w[0] - y
    return np.array([2 * np.mean(residual), 2 * np.mean(residual * x)])


def test_analytic_gradient_check_and_the_dropped_two_over_n():
    spec = _one_question(
        "gradient-function", "mse_grad", "sgd", "gradient", [{"problem": "tiny-regression", "steps": 4}]
    )
    assert grade(spec, {"mse_grad": mse_grad}).score == 1
    dropped = grade(spec, {"mse_grad": lambda w, x, y: mse_grad(w, x, y) * len(x) / 2}).checks[0]
    assert not dropped.passed and "1.5x the analytic gradient" in dropped.message


def test_numerical_gradient_check():
    def central(f, w, h=1e-5):
        return np.array([(f(w + h * e) - f(w - h * e)) / (2 * h) for e in np.eye(len(w))])

    def forward(f, w, h=1e-2):
        return np.array([(f(w + h * e) - f(w)) / h for e in np.eye(len(w))])

    spec = _one_question(
        "numerical-gradient", "numerical_grad", "sgd", "gradient", [{"problem": "elliptic", "steps": 3}]
    )
    assert grade(spec, {"numerical_grad": central}).score == 1
    assert grade(spec, {"numerical_grad": forward}).score == 0


def test_notebook_variable_against_a_lesson_run():
    probe = {"params": {"lesson": "adam-tricky", "run": "adam", "field": "losses_before_update"}}
    spec = _one_question("variable", "adam_losses", "lesson-run", "value", [probe])
    losses = lesson_run("adam-tricky")["adam"].losses[:-1]
    assert grade(spec, {"adam_losses": list(losses)}).score == 1
    assert grade(spec, {"adam_losses": list(losses[:-1])}).checks[0].message.endswith("got (59,)")
    assert grade(spec, {}).checks[0].message == "adam_losses is not defined"


def _batch_spec(expect=None):
    question = {"id": "b", "convention": "batches", "symbol": "make_batches", "reference": "minibatch"}
    check = {
        "kind": "property",
        "points": 1,
        "probes": [{"params": {"n": 11, "batch_size": 4, "epochs": 3, "seed": 5}}],
    }
    if expect:
        check["expect"] = expect
    question["checks"] = [check]
    return parse_spec({"id": "batches", "questions": [question]})


def test_batches_that_follow_the_convention_pass_both_levels():
    make = minibatch_epoch
    assert grade(_batch_spec(), {"make_batches": make}).score == 1
    assert grade(_batch_spec("permutation"), {"make_batches": make}).score == 1


def test_valid_but_different_shuffles_pass_the_property_but_not_the_exact_convention():
    def other_shuffle(n, batch_size, rng):
        order = rng.choice(n, size=n, replace=False)
        return [order[i : i + batch_size] for i in range(0, n, batch_size)]

    assert grade(_batch_spec(), {"make_batches": other_shuffle}).score == 1
    assert grade(_batch_spec("permutation"), {"make_batches": other_shuffle}).score == 0


def test_divergence_check_wants_lr_0_5_to_diverge_on_tiny_regression():
    probes = [
        {"problem": "tiny-regression", "steps": 30, "lr": 0.5},
        {"problem": "tiny-regression", "steps": 30, "lr": 0.1},
    ]
    spec = _one_question("gd-runner", "gradient_descent", "sgd", "divergence", probes)

    def gradient_descent(grad_fn, w0, lr, n_steps):
        path = [np.array(w0, dtype=float)]
        for _ in range(n_steps):
            path.append(path[-1] - lr * grad_fn(path[-1]))
        return np.array(path)

    def clipped(grad_fn, w0, lr, n_steps):  # "fixes" divergence by clipping: not the method asked for
        path = [np.array(w0, dtype=float)]
        for _ in range(n_steps):
            path.append(path[-1] - lr * np.clip(grad_fn(path[-1]), -1, 1))
        return np.array(path)

    assert grade(spec, {"gradient_descent": gradient_descent}).score == 1
    result = grade(spec, {"gradient_descent": clipped})
    assert result.checks[0].score == 0.5 and "should diverge" in result.checks[0].message


def test_a_gd_runner_probe_with_a_schedule_is_refused_when_the_spec_loads():
    probe = {"problem": "quadratic", "steps": 5, "schedule": {"name": "step", "params": {"lr": 0.1, "step_size": 2}}}
    with pytest.raises(SpecError, match="a gd-runner takes one lr"):
        _one_question("gd-runner", "gradient_descent", "sgd", "closed-loop", [probe])
