"""Student code that raises, loops, returns nonsense or cheats gives a failed check, not a crash."""

import time

import numpy as np
import pytest

from autograder.assignment import parse_spec
from autograder.engine.grade import grade


def _spec(forbidden=(), time_limit=2.0, kind="replay"):
    question = {
        "id": "adam", "convention": "functional", "symbol": {"init": "adam_init", "step": "adam_step"},
        "reference": "adam", "forbidden": list(forbidden), "time_limit": time_limit,
        "checks": [{"kind": kind, "points": 3, "probes": [{"problem": "tricky", "steps": 8, "lr": 0.05}]}],
    }  # fmt: skip
    return parse_spec({"id": "failures", "questions": [question]})


def adam_init(w):
    return (np.zeros_like(w), np.zeros_like(w), 0)


def adam_step(w, g, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    m, v, t = state
    t += 1
    m = betas[0] * m + (1 - betas[0]) * g
    v = betas[1] * v + (1 - betas[1]) * g * g
    return w - lr * (m / (1 - betas[0] ** t)) / (np.sqrt(v / (1 - betas[1] ** t)) + eps), (m, v, t)


def _grade(step=adam_step, init=adam_init, **spec_options):
    namespace = {"adam_init": init, "adam_step": step}
    return grade(_spec(**spec_options), {k: v for k, v in namespace.items() if v is not None})


def test_correct_student_scores_full():
    assert _grade().score == 3


@pytest.mark.parametrize(
    "step, message",
    [
        (lambda w, g, s, **k: 1 / 0, "adam_step() raised ZeroDivisionError: division by zero"),
        (lambda w, g, s, **k: (np.zeros(5), s), "adam_step() returned shape (5,), expected (2,)"),
        (lambda w, g, s, **k: w - g, "adam_step() must return (new_w, new_state)"),
        (lambda w, g, s, **k: ("fast", s), "adam_step() returned str, not numbers"),
        (lambda w, g, s: (w, s), "adam_step() raised TypeError"),
    ],
)
def test_broken_steps_fail_with_a_clear_message(step, message):
    result = _grade(step)
    assert result.score == 0 and message in result.checks[0].message


def test_nan_results_fail_without_crashing():
    result = _grade(lambda w, g, s, **k: (w * np.nan, s))
    check = result.checks[0]
    assert check.score == 0 and check.comparison.first_bad_step == 1 and check.comparison.max_abs_error == float("inf")
    assert check.to_json()["max_abs_error"] is None  # JSON has no inf


def test_a_step_that_never_returns_hits_the_time_limit():
    def forever(w, g, s, **k):
        while True:
            pass

    started = time.monotonic()
    result = _grade(forever, time_limit=0.5)
    assert result.score == 0 and "adam_step() did not return within 0.5 s" in result.checks[0].message
    assert time.monotonic() - started < 10


def test_missing_functions_are_named():
    result = _grade(init=None)
    assert result.score == 0 and result.checks[0].message == "adam_init is not defined"


def test_torch_optim_is_caught_at_run_time_in_a_from_scratch_question():
    import torch

    def adam_via_torch(w, g, state, lr=1e-3, **k):
        if state is None:
            optimizer_module = __import__("torch").optim  # hidden from a source scan
            parameter = torch.tensor(w, requires_grad=True)
            state = parameter, optimizer_module.Adam([parameter], lr=lr)
        parameter, optimizer = state
        with torch.no_grad():
            parameter.copy_(torch.from_numpy(w))
        parameter.grad = torch.from_numpy(g.copy())
        optimizer.step()
        return parameter.detach().numpy().copy(), state

    assert _grade(adam_via_torch, init=lambda w: None).score > 0  # allowed when not forbidden
    result = _grade(adam_via_torch, init=lambda w: None, forbidden=["torch.optim"])
    assert result.score == 0 and "uses torch.optim, which this question forbids" in result.checks[0].message


def test_in_place_updates_fail_the_property_check():
    def in_place(w, g, state, **k):
        new_w, state = adam_step(w, g, state, **k)
        w[:] = new_w
        return w, state

    assert _grade(in_place).score == 3  # the trajectory itself is right
    result = _grade(in_place, kind="property")
    assert result.score == 0 and "changed its input w or g in place" in result.checks[0].message


def test_one_bad_question_does_not_touch_the_others():
    sgd_question = {
        "id": "sgd", "convention": "cs231n", "symbol": "sgd", "reference": "sgd",
        "checks": [{"kind": "replay", "points": 1, "probes": [{"problem": "elliptic", "steps": 3, "lr": 0.01}]}],
    }  # fmt: skip
    adam_question = {
        "id": "adam", "convention": "functional", "symbol": {"init": "adam_init", "step": "adam_step"},
        "reference": "adam", "checks": [{"kind": "replay", "points": 3, "probes": [{"problem": "tricky", "steps": 4}]}],
    }  # fmt: skip
    spec = parse_spec({"id": "two", "questions": [adam_question, sgd_question]})
    namespace = {
        "adam_init": adam_init,
        "adam_step": lambda w, g, s, **k: 1 / 0,
        "sgd": lambda w, dw, config: (w - config["learning_rate"] * dw, config),
    }
    result = grade(spec, namespace)
    assert [(check.question, check.score) for check in result.checks] == [("adam", 0.0), ("sgd", 1.0)]
