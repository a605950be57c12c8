"""The usual mistakes that leave no catalog trajectory of their own are still named."""

import numpy as np

from autograder.assignment import parse_spec
from autograder.engine.grade import grade
from tests.engine.test_new_conventions import SharedCounterAdam
from tests.engine.test_new_conventions import _spec as convention_spec
from tests.support import synthetic

ADAM = {"betas": [0.9, 0.999], "eps": 1e-8}
REPLAY = {"kind": "replay", "points": 1, "probes": [{"problem": "elliptic", "steps": 10, "lr": 0.05},
                                                    {"problem": "tricky", "steps": 8, "lr": 0.02}]}  # fmt: skip
PROPERTY = {"kind": "property", "points": 1, "expect": "new-state", "probes": [{"problem": "elliptic", "steps": 4}]}
TINY = {"kind": "replay", "points": 1, "probes": [{"problem": "elliptic", "steps": 10, "lr": 0.05, "grad_scale": 1e-6}]}


def _spec(reference, hparams, *checks, accept=()):
    question = {"id": "q", "convention": "functional", "symbol": synthetic.FUNCTIONAL, "reference": reference,
                "hparams": hparams, "accept": list(accept), "checks": list(checks)}  # fmt: skip
    return parse_spec({"id": "named", "questions": [question]})


def _diagnoses(result):
    return {check.name: (check.diagnosis.id if check.diagnosis else None, check.message) for check in result.checks}


def test_a_global_lr_used_instead_of_the_argument_is_named_with_its_value():
    honest = synthetic.functional_student(synthetic.reference_factory("adam"))
    step = honest["opt_step"]
    student = dict(honest, opt_step=lambda w, g, state, lr, **h: step(w, g, state, 0.001, **h))
    found, message = _diagnoses(grade(_spec("adam", ADAM, REPLAY), student))["replay"]
    assert found == "lr-not-the-argument" and "0.001" in message and "0.05" in message


def test_a_state_changed_in_place_is_named_where_the_api_promises_a_new_one():
    def opt_init(w):
        return {"v": np.zeros_like(w)}

    def opt_step(w, g, state, lr, momentum=0.9):
        state["v"] *= momentum
        state["v"] -= lr * g
        return w + state["v"], state

    result = grade(_spec("momentum", {"momentum": 0.9}, PROPERTY), {"opt_init": opt_init, "opt_step": opt_step})
    assert _diagnoses(result)["property"][0] == "state-updated-in-place"


def test_a_global_step_counter_is_named():
    counter = {"t": 0}

    def opt_init(w):
        return (np.zeros_like(w), np.zeros_like(w))

    def opt_step(w, g, state, lr, betas=(0.9, 0.999), eps=1e-8):
        counter["t"] += 1
        m, v = betas[0] * state[0] + (1 - betas[0]) * g, betas[1] * state[1] + (1 - betas[1]) * g * g
        m_hat, v_hat = m / (1 - betas[0] ** counter["t"]), v / (1 - betas[1] ** counter["t"])
        return w - lr * m_hat / (np.sqrt(v_hat) + eps), (m, v)

    result = grade(_spec("adam", ADAM, PROPERTY), {"opt_init": opt_init, "opt_step": opt_step})
    assert _diagnoses(result)["property"][0] == "state-outside-init"


def _efficient_adam():
    def opt_init(w):
        return (0, np.zeros_like(w), np.zeros_like(w))

    def opt_step(w, g, state, lr, betas=(0.9, 0.999), eps=1e-8):
        t, m, v = state[0] + 1, state[1], state[2]
        m, v = betas[0] * m + (1 - betas[0]) * g, betas[1] * v + (1 - betas[1]) * g * g
        step_size = lr * np.sqrt(1 - betas[1] ** t) / (1 - betas[0] ** t)
        return w - step_size * m / (np.sqrt(v) + eps), (t, m, v)

    return {"opt_init": opt_init, "opt_step": opt_step}


def test_adams_efficient_form_is_refused_with_its_name_or_accepted_with_a_note():
    refused = grade(_spec("adam", ADAM, TINY), _efficient_adam())
    assert _diagnoses(refused)["replay"][0] == "adam-efficient-form" and refused.score == 0
    accepted = grade(_spec("adam", ADAM, TINY, accept=[{"reference": "adam-efficient"}]), _efficient_adam())
    assert accepted.score == 1 and "adam-efficient, a form this assignment accepts" in accepted.checks[0].message


def test_a_step_counter_advanced_per_tensor_is_named():
    spec = convention_spec("in-place-class", "Adam")
    failed = grade(spec, {"Adam": SharedCounterAdam}).checks[0]
    assert failed.diagnosis is not None and failed.diagnosis.id == "adam-step-per-tensor", failed.message
