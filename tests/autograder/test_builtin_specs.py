"""The ready-made CS231n and deeplearning.ai specs grade real-style implementations."""

from pathlib import Path

import numpy as np
import pytest

from autograder.assignment import builtin_spec
from autograder.engine.grade import grade
from tests.conftest import load_module
from tests.support.students import dlai_optimization

EXAMPLE = Path(__file__).resolve().parents[2] / "autograder" / "examples" / "cs231n" / "alice_correct.py"


cs231n_optim = load_module(EXAMPLE)  # the demo's correct submission


def rel_error(x, y):
    """CS231n's relative error."""
    return np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y)))


CS231N_W = np.linspace(-0.4, 0.6, num=20).reshape(4, 5)
CS231N_DW = np.linspace(-0.6, 0.4, num=20).reshape(4, 5)


def test_cs231n_student_reproduces_the_published_momentum_arrays():
    config = {"learning_rate": 1e-3, "velocity": np.linspace(0.6, 0.9, num=20).reshape(4, 5)}
    next_w, config = cs231n_optim.sgd_momentum(CS231N_W, CS231N_DW, config)
    expected_w_first_row = [0.1406, 0.20738947, 0.27417895, 0.34096842, 0.40775789]
    expected_velocity_last_row = [0.75296842, 0.76712632, 0.78128421, 0.79544211, 0.8096]
    assert rel_error(next_w[0], np.array(expected_w_first_row)) < 1e-8
    assert rel_error(config["velocity"][3], np.array(expected_velocity_last_row)) < 1e-8


def test_cs231n_student_reproduces_the_published_rmsprop_and_adam_arrays():
    cache = np.linspace(0.6, 0.9, num=20).reshape(4, 5)
    next_w, config = cs231n_optim.rmsprop(CS231N_W, CS231N_DW, {"learning_rate": 1e-2, "cache": cache})
    assert rel_error(next_w[0], np.array([-0.39223849, -0.34037513, -0.28849239, -0.23659121, -0.18467247])) < 2e-7
    assert rel_error(config["cache"][3], np.array([0.82883269, 0.84469141, 0.86060554, 0.87657507, 0.8926])) < 1e-8
    m, v = np.linspace(0.6, 0.9, num=20).reshape(4, 5), np.linspace(0.7, 0.5, num=20).reshape(4, 5)
    next_w, config = cs231n_optim.adam(CS231N_W, CS231N_DW, {"learning_rate": 1e-2, "m": m, "v": v, "t": 5})
    assert rel_error(next_w[0], np.array([-0.40094747, -0.34836187, -0.29577703, -0.24319299, -0.19060977])) < 2e-7
    assert rel_error(config["m"][0], np.array([0.48, 0.49947368, 0.51894737, 0.53842105, 0.55789474])) < 1e-8
    assert rel_error(config["v"][3], np.array([0.54159906, 0.53110598, 0.52061845, 0.51013645, 0.49966])) < 1e-8


def _cs231n_namespace(**overrides):
    namespace = {name: getattr(cs231n_optim, name) for name in ("sgd", "sgd_momentum", "rmsprop", "adam")}
    return {**namespace, **overrides}


def test_cs231n_spec_gives_the_correct_student_full_marks():
    result = grade(builtin_spec("cs231n-optim"), _cs231n_namespace())
    assert result.score == result.max_score == 15
    assert all(check.passed for check in result.checks)


def _adam_without_bias_correction(w, dw, config=None):
    config = dict(config)
    m = config["beta1"] * config.get("m", 0 * w) + (1 - config["beta1"]) * dw
    v = config["beta2"] * config.get("v", 0 * w) + (1 - config["beta2"]) * dw**2
    config.update(m=m, v=v, t=config.get("t", 0) + 1)
    return w - config["learning_rate"] * m / (np.sqrt(v) + config["epsilon"]), config


def _adam_t_used_before_increment(w, dw, config=None):
    config = dict(config)
    t = config.get("t", 0)
    m = config["beta1"] * config.get("m", 0 * w) + (1 - config["beta1"]) * dw
    v = config["beta2"] * config.get("v", 0 * w) + (1 - config["beta2"]) * dw**2
    m_hat, v_hat = m / (1 - config["beta1"] ** t), v / (1 - config["beta2"] ** t)
    config.update(m=m, v=v, t=t + 1)
    return w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"]), config


def _rmsprop_without_one_minus_decay(w, dw, config=None):
    config = dict(config)
    cache = config["decay_rate"] * config.get("cache", 0 * w) + dw**2
    config["cache"] = cache
    return w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"]), config


def _rmsprop_eps_inside(w, dw, config=None):
    config = dict(config)
    cache = config["decay_rate"] * config.get("cache", 0 * w) + (1 - config["decay_rate"]) * dw**2
    config["cache"] = cache
    return w - config["learning_rate"] * dw / np.sqrt(cache + config["epsilon"]), config


def _momentum_torch_form(w, dw, config=None):
    config = dict(config)
    buffer = config["momentum"] * config.get("buffer", 0 * w) + dw
    config["buffer"] = buffer
    return w - config["learning_rate"] * buffer, config


@pytest.mark.parametrize(
    "question, implementation, mistake_id",
    [
        ("adam", _adam_without_bias_correction, "adam-no-bias-correction"),
        ("adam", _adam_t_used_before_increment, "adam-t-zero"),
        ("rmsprop", _rmsprop_without_one_minus_decay, "rmsprop-missing-one-minus-alpha"),
        ("rmsprop", _rmsprop_eps_inside, "rmsprop-eps-inside-sqrt"),
        ("sgd_momentum", _momentum_torch_form, "momentum-buffer-form"),
    ],
)
def test_cs231n_spec_fails_and_names_known_bad_variants(question, implementation, mistake_id):
    result = grade(builtin_spec("cs231n-optim"), _cs231n_namespace(**{question: implementation}))
    failed = [check for check in result.checks if not check.passed]
    assert failed and {check.question for check in failed} == {question}
    assert failed[0].diagnosis is not None and failed[0].diagnosis.id == mistake_id


def _dlai_test_data():
    """The notebook's test case: np.random.seed(1), then parameters and gradients in order."""
    np.random.seed(1)
    shapes = [("W1", (2, 3)), ("b1", (2, 1)), ("W2", (3, 3)), ("b2", (3, 1))]
    parameters = {name: np.random.randn(*shape) for name, shape in shapes}
    grads = {f"d{name}": np.random.randn(*shape) for name, shape in shapes}
    return parameters, grads


def test_dlai_student_reproduces_the_published_gd_momentum_and_adam_values():
    parameters, grads = _dlai_test_data()
    gd = dlai_optimization.update_parameters_with_gd(parameters, grads, 0.01)
    np.testing.assert_allclose(gd["W1"][0], [1.63535156, -0.62320365, -0.53718766], atol=1e-8)
    np.testing.assert_allclose(gd["b2"].ravel(), [-0.88020257, 0.02561572, 0.57539477], atol=1e-8)
    v = dlai_optimization.initialize_velocity(parameters)
    momentum, v = dlai_optimization.update_parameters_with_momentum(parameters, grads, v, 0.9, 0.01)
    np.testing.assert_allclose(momentum["W1"][1], [-1.07347112, 0.86450677, -2.30085497], atol=1e-8)
    np.testing.assert_allclose(v["dW1"][0], [-0.11006192, 0.11447237, 0.09015907], atol=1e-8)
    v, s = dlai_optimization.initialize_adam(parameters)
    adam = dlai_optimization.update_parameters_with_adam(parameters, grads, v, s, t=2, learning_rate=0.01)[0]
    np.testing.assert_allclose(adam["W1"][0], [1.63178673, -0.61919778, -0.53561312], atol=1e-8)


def _dlai_namespace(**overrides):
    names = [
        "update_parameters_with_gd", "initialize_velocity", "update_parameters_with_momentum",
        "initialize_adam", "update_parameters_with_adam",
    ]  # fmt: skip
    return {**{name: getattr(dlai_optimization, name) for name in names}, **overrides}


def test_dlai_spec_gives_the_correct_student_full_marks():
    result = grade(builtin_spec("dlai-optimization"), _dlai_namespace())
    assert result.score == result.max_score == 11


def test_dlai_spec_fails_torch_style_momentum():
    def torch_style(parameters, grads, v, beta, learning_rate):
        v = {key: beta * v[key] + grads[key] for key in v}
        return {k: parameters[k] - learning_rate * v["d" + k] for k in parameters}, v

    result = grade(builtin_spec("dlai-optimization"), _dlai_namespace(update_parameters_with_momentum=torch_style))
    failed = {check.question for check in result.checks if not check.passed}
    assert failed == {"update_parameters_with_momentum"}
