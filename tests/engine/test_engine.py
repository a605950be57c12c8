"""The grading engine on itself: references pass through every adapter, mistakes are named."""

import numpy as np
import pytest
import torch

from autograder.assignment import parse_spec
from autograder.engine.grade import grade
from reference.mistakes import MISTAKES, mistakes_for
from reference.optimizers import get_optimizer
from reference.schedules import make_schedule
from tests.support import synthetic

OPTIMIZER_CONVENTIONS = {
    "functional": (synthetic.FUNCTIONAL, synthetic.functional_student),
    "cs231n": ("rule", synthetic.cs231n_student),
    "stateful-class": ("Opt", synthetic.stateful_class_student),
    "torch-optimizer": ("NumpyBacked", synthetic.torch_optimizer_student),
}


def _spec(target, convention, symbol, kind="replay"):
    candidates = [m for m in mistakes_for(target) if m.kind == "optimizer"]
    return synthetic.optimizer_spec(target, convention, symbol, candidates, kind)


@pytest.mark.parametrize("convention", sorted(OPTIMIZER_CONVENTIONS))
@pytest.mark.parametrize("name", synthetic.optimizer_names())
def test_reference_gets_full_marks_through_every_optimizer_adapter(name, convention):
    symbol, make_student = OPTIMIZER_CONVENTIONS[convention]
    result = grade(_spec(name, convention, symbol), make_student(synthetic.reference_factory(name)))
    assert result.score == result.max_score, [c.message for c in result.checks]


@pytest.mark.parametrize("name", synthetic.optimizer_names())
def test_reference_passes_closed_loop_and_property_checks(name):
    student = synthetic.functional_student(synthetic.reference_factory(name))
    for kind in ("closed-loop", "property", "divergence"):
        result = grade(_spec(name, "functional", synthetic.FUNCTIONAL, kind), student)
        assert result.score == result.max_score, (kind, [c.message for c in result.checks])


def test_look_ahead_nesterov_passes_and_torch_form_is_accepted_only_when_allowed():
    look_ahead = synthetic.look_ahead_student(synthetic.reference_factory("nesterov"))
    spec = _spec("nesterov", "functional-look-ahead", synthetic.FUNCTIONAL, "closed-loop")
    assert grade(spec, look_ahead).score == 1

    def torch_form(**hparams):  # torch's SGD(nesterov=True), which tracks theta + momentum v
        momentum = hparams.pop("momentum", 0.9)
        return get_optimizer("sgd", momentum=momentum, nesterov=True, **hparams)

    torch_student = synthetic.look_ahead_student(torch_form)
    assert grade(spec, torch_student).score == 0
    question = {
        "id": "nesterov", "convention": "functional-look-ahead", "symbol": synthetic.FUNCTIONAL,
        "reference": "nesterov", "accept": [{"reference": "sgd", "hparams": {"nesterov": True}}],
        "hparams": {"momentum": 0.9},
        "checks": [{"kind": "closed-loop", "points": 1, "probes": [{"problem": "elliptic", "steps": 25, "lr": 0.02}]}],
    }  # fmt: skip
    assert grade(parse_spec({"id": "n", "questions": [question]}), torch_student).score == 1


STEP_DROP = {"lr": 0.01, "step_size": 5}


def test_lesson_momentum_passes_a_torch_momentum_question_under_constant_lr_only():
    question = {
        "id": "sgd", "convention": "functional", "symbol": synthetic.FUNCTIONAL, "reference": "sgd",
        "hparams": {"momentum": 0.9},
        "checks": [
            {"kind": "replay", "points": 1, "probes": [{"problem": "tricky", "steps": 20, "lr": 0.01}]},
            {"kind": "replay", "points": 1, "probes": [
                {"problem": "tricky", "steps": 20, "schedule": {"name": "step", "params": STEP_DROP}},
            ]},
        ],
    }  # fmt: skip
    lesson = synthetic.functional_student(
        lambda lr=1e-3, momentum=0.9: get_optimizer("momentum", lr=lr, momentum=momentum)
    )
    result = grade(parse_spec({"id": "m", "questions": [question]}), lesson)
    assert [check.passed for check in result.checks] == [True, False]
    assert result.checks[1].diagnosis.id == "sgd-lesson-momentum-form"


@pytest.mark.parametrize("name", ["sgd", "adam", "rmsprop", "adamw"])
def test_float32_implementations_pass_with_float32_tolerances(name):
    student = synthetic.as_float32(synthetic.functional_student(synthetic.reference_factory(name)), "opt_step")
    result = grade(_spec(name, "functional", synthetic.FUNCTIONAL), student)
    assert result.score == result.max_score, [c.message for c in result.checks]


SCHEDULE_CASES = {
    "step": {"lr": 0.1, "step_size": 3, "gamma": 0.5},
    "multistep": {"lr": 0.1, "milestones": [3, 7]},
    "exponential": {"lr": 0.1, "gamma": 0.9},
    "cosine": {"lr": 0.1, "T_max": 10},
    "linear": {"lr": 0.1, "start_factor": 0.1, "total_iters": 8},
    "cyclic": {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 4, "mode": "triangular2"},
    "onecycle": {"max_lr": 0.1, "total_steps": 30},
    "cosine-restarts": {"lr": 0.1, "T_0": 3, "T_mult": 2},
    "cosine-clamped": {"lr": 0.1, "T_max": 10},
    "warmup-cosine": {"lr": 0.1, "warmup_steps": 5, "total_steps": 20},
    "linear-warmup": {"lr": 0.1, "warmup_steps": 5},
    "linear-warmup-cosine": {"lr": 0.1, "warmup_steps": 5, "total_steps": 20},
    "inverse-sqrt": {"lr": 0.1, "warmup_steps": 4},
    "constant": {"lr": 0.1},
}
TORCH_SCHEDULERS = {
    "step": torch.optim.lr_scheduler.StepLR,
    "multistep": torch.optim.lr_scheduler.MultiStepLR,
    "exponential": torch.optim.lr_scheduler.ExponentialLR,
    "cosine": torch.optim.lr_scheduler.CosineAnnealingLR,
    "linear": torch.optim.lr_scheduler.LinearLR,
    "cosine-restarts": torch.optim.lr_scheduler.CosineAnnealingWarmRestarts,
}


def test_every_reference_schedule_is_covered():
    from reference.schedules import SCHEDULES

    assert set(SCHEDULE_CASES) == set(SCHEDULES)


@pytest.mark.parametrize("name", sorted(SCHEDULE_CASES))
def test_reference_schedules_pass_as_functions(name):
    spec = synthetic.schedule_spec(name, SCHEDULE_CASES[name], 30)
    assert grade(spec, synthetic.schedule_student(synthetic.lesson_schedule(name))).score == 1


@pytest.mark.parametrize("name", sorted(TORCH_SCHEDULERS))
def test_torch_scheduler_classes_pass_through_the_scheduler_adapter(name):
    question = {
        "id": name, "convention": "torch-scheduler", "symbol": "Scheduler", "reference": name,
        "checks": [{"kind": "schedule", "points": 1, "probes": [{"steps": 30, "params": SCHEDULE_CASES[name]}]}],
    }  # fmt: skip
    result = grade(parse_spec({"id": "s", "questions": [question]}), {"Scheduler": TORCH_SCHEDULERS[name]})
    assert result.score == 1, result.checks[0].message


def test_every_catalog_mistake_fails_and_top1_diagnosis_is_at_least_90_percent():
    rows = synthetic.diagnosis_report()
    assert len(rows) == len(MISTAKES)
    assert all(score < max_score for _, _, score, max_score in rows)
    correct = sum(mistake_id == diagnosed for mistake_id, diagnosed, _, _ in rows)
    assert correct / len(rows) >= 0.9, [row for row in rows if row[0] != row[1]]


def test_diagnosis_speaks_the_specs_language():
    spec = _spec("adam", "functional", synthetic.FUNCTIONAL)
    korean = parse_spec({"id": "k", "language": "ko", "questions": [_question_table(spec)]})
    bad = next(m for m in MISTAKES if m.id == "adam-no-bias-correction")
    student = synthetic.functional_student(lambda **hp: bad.build(**hp))
    message = grade(korean, student).checks[0].diagnosis.message
    assert "첫 스텝이 기준의 약 3.16배입니다" in message and "편향 보정" in message
    assert message.count("3.16") == 1, "the first step's ratio is said once"


def _question_table(spec):
    question = spec.questions[0]
    probes = [{"problem": p.problem, "steps": p.steps, "lr": p.lr} for p in question.checks[0].probes[:1]]
    return {
        "id": question.id, "convention": question.convention, "symbol": dict(question.symbols),
        "reference": question.reference, "checks": [{"kind": "replay", "points": 1, "probes": probes}],
    }  # fmt: skip


def test_hidden_probes_run_only_when_asked():
    spec = synthetic.optimizer_spec("adam", "functional", synthetic.FUNCTIONAL, [])
    question = {**_question_table(spec)}
    question["checks"] = [
        {"kind": "replay", "points": 2, "probes": [
            {"problem": "tricky", "steps": 5, "lr": 0.05},
            {"problem": "elliptic", "steps": 5, "lr": 0.01, "grad_scale": 1e-6, "hidden": True},
        ]},
    ]  # fmt: skip
    eps_inside = next(m for m in MISTAKES if m.id == "adam-eps-inside-sqrt")
    student = synthetic.functional_student(lambda **hp: eps_inside.build(**hp))
    parsed = parse_spec({"id": "h", "questions": [question]})
    assert grade(parsed, student, include_hidden=False).score == 2  # the public probe cannot see it
    hidden = grade(parsed, student)
    assert hidden.score == 1 and hidden.checks[0].message.startswith("a hidden probe failed: ")
    shown = hidden.checks[0].to_json()  # what the student sees of the hidden probe: no data
    assert shown["rows"] == [] and shown["series"] is None and shown["first_divergent_step"] is None
    assert (
        grade(parsed, synthetic.functional_student(synthetic.reference_factory("adam"))).checks[0].series["problem"]
        == "tricky"
    )  # a passing check plots its public probe, not the hidden one


def test_schedule_mistakes_are_named():
    spec = synthetic.schedule_spec("cosine", {"lr": 0.1, "T_max": 10}, 25)
    clamped = synthetic.schedule_student(lambda **p: make_schedule("cosine-clamped", **p))
    check = grade(spec, clamped).checks[0]
    assert not check.passed and check.diagnosis.id == "cosine-clamped-past-t-max"
    assert check.comparison.first_bad_step == 11


def test_an_unknown_mistake_is_described_by_step_component_and_size():
    def halved_second_coordinate(**hparams):
        reference = get_optimizer("adam", **hparams)

        def update(theta, grad, state, lr):
            new_theta, state = reference.update(theta, grad, state, lr)
            return new_theta - np.array([0.0, 0.5]) * (new_theta - theta), state

        return reference._replace(update=update)

    spec = _spec("adam", "functional", synthetic.FUNCTIONAL)
    check = grade(spec, synthetic.functional_student(halved_second_coordinate)).checks[0]
    assert check.diagnosis.id is None
    assert check.diagnosis.message.startswith("Your first step is 0.")
    assert "Step 1 departs from the reference: component 1 is" in check.diagnosis.message
    assert "relative error" in check.diagnosis.message


def test_a_zero_learning_rate_probe_is_run_at_zero_and_catches_a_default_in_its_place():
    question = {
        "id": "sgd", "convention": "functional", "symbol": synthetic.FUNCTIONAL, "reference": "sgd",
        "checks": [{"kind": "replay", "points": 1, "probes": [{"problem": "elliptic", "steps": 5, "lr": 0}]}],
    }  # fmt: skip
    spec = parse_spec({"id": "zero", "questions": [question]})
    honest = synthetic.functional_student(synthetic.reference_factory("sgd"))
    assert grade(spec, honest).score == 1
    step = honest["opt_step"]
    falsy_default = dict(honest, opt_step=lambda w, g, state, lr, **h: step(w, g, state, lr or 0.01, **h))
    assert grade(spec, falsy_default).score == 0
