"""One step numbering in every table, message and plot: step 0 is the start point, step k
comes after k updates, and the lr at step k is the one the update from step k uses."""

import math
from pathlib import Path

import numpy as np

from autograder.assignment import builtin_spec, parse_spec
from autograder.engine.grade import grade
from reference.batching import minibatch_epoch
from reference.problems import get_problem
from reference.schedules import make_schedule
from tests.conftest import load_module

EXAMPLES = Path(__file__).resolve().parents[2] / "autograder" / "examples" / "cs231n"


def _halved_second_coordinate() -> dict:
    """Alice's correct cs231n code, but Adam moves the second coordinate half as far: no catalog mistake."""
    alice = vars(load_module(EXAMPLES / "alice_correct.py"))

    def adam(w, dw, config=None):
        next_w, config = alice["adam"](w, dw, config)
        return next_w - np.array([0.0, 0.5]) * (next_w - w), config

    return {**alice, "adam": adam}


def _adam_checks(student: dict) -> dict:
    checks = grade(builtin_spec("cs231n-optim"), student, questions=["adam"]).checks
    return {check.name: check for check in checks}


def test_replay_and_one_step_number_the_first_wrong_update_alike():
    checks = _adam_checks(_halved_second_coordinate())
    for check in checks.values():
        assert not check.passed and check.comparison.first_bad_step == 1, check.message
        assert "Step 1 departs from the reference: component 1 is" in check.diagnosis.message
    assert checks["replay"].comparison.rows[0].step == 0  # the start point, which every run shares
    assert checks["one-step"].comparison.rows[0].step == 1  # one update per row: the first makes step 1


def test_a_named_mistake_departs_at_the_same_step_in_replay_and_one_step():
    checks = _adam_checks(vars(load_module(EXAMPLES / "bob_no_bias_correction.py")))
    assert checks["replay"].comparison.first_bad_step == checks["one-step"].comparison.first_bad_step == 1


EPOCHS, BATCH_SIZE = 3, 32


def _epoch_spec():
    probe = {"label": "3 epochs", "problem": "linear-regression", "lr": 0.05,
             "params": {"batch_size": BATCH_SIZE, "epochs": EPOCHS, "seed": 4}}  # fmt: skip
    question = {"id": "run_epochs", "convention": "epoch-runner", "symbol": "run_epochs", "reference": "sgd",
                "checks": [{"kind": "minibatch", "points": 1, "probes": [probe]}]}  # fmt: skip
    return parse_spec({"id": "epochs", "questions": [question]})


def _run_epochs_at_twice_the_lr(grad_fn, w0, lr, n, batch_size, n_epochs, rng):
    w, history = np.array(w0, dtype=float), [np.array(w0, dtype=float)]
    for _ in range(n_epochs):
        for batch in minibatch_epoch(n, batch_size, rng):
            w = w - 2 * lr * grad_fn(w, batch)
        history.append(w)
    return np.array(history)


def test_epoch_rows_are_numbered_by_the_updates_they_took():
    per_epoch = math.ceil(get_problem("linear-regression").n_samples / BATCH_SIZE)
    check = grade(_epoch_spec(), {"run_epochs": _run_epochs_at_twice_the_lr}).checks[0]
    assert not check.passed and check.comparison.first_bad_step == per_epoch  # the end of the first epoch
    assert [row.step for row in check.comparison.rows] == [per_epoch * e for e in range(EPOCHS + 1)]
    assert check.series["steps"] == [per_epoch * e for e in range(EPOCHS + 1)]  # the plot's x axis, the same
    assert f"Step {per_epoch} departs" in check.message


STEP_DROP = {"lr": 0.1, "step_size": 5, "gamma": 0.5}


def _schedule_spec():
    schedule = {
        "id": "step_decay",
        "convention": "schedule-function",
        "symbol": "step_decay",
        "reference": "step",
        "checks": [{"kind": "schedule", "points": 1, "probes": [{"steps": 20, "params": STEP_DROP}]}],
    }
    runner = {
        "id": "train",
        "convention": "schedule-runner",
        "symbol": "train",
        "reference": "sgd",
        "checks": [
            {
                "kind": "closed-loop",
                "points": 1,
                "tight_steps": 20,
                "probes": [{"problem": "quadratic", "steps": 20, "schedule": {"name": "step", "params": STEP_DROP}}],
            }
        ],
    }
    return parse_spec({"id": "one-early", "questions": [schedule, runner]})


def _one_step_early():
    reference = make_schedule("step", **STEP_DROP)

    def step_decay(step, lr, step_size, gamma):
        return reference(step + 1)  # the lr of the next step: first wrong at step 4, the last before the drop

    def train(grad_fn, w0, schedule, n_steps):
        path = [np.array(w0, dtype=float)]
        for k in range(n_steps):
            path.append(path[-1] - schedule(k + 1) * grad_fn(path[-1]))
        return np.array(path)

    return {"step_decay": step_decay, "train": train}


def test_a_wrong_lr_at_step_k_shows_in_the_parameters_from_step_k_plus_one():
    schedule, closed_loop = grade(_schedule_spec(), _one_step_early()).checks
    assert schedule.comparison.first_bad_step == 4 and closed_loop.comparison.first_bad_step == 5
    row = next(row for row in schedule.comparison.rows if row.step == 4)
    assert row.student == [0.05] and row.reference == [0.1]  # the table's step 4 is schedule(4)
    assert len(schedule.series["student"]) == 20 and "steps" not in schedule.series  # x axis 0..19, as the table
