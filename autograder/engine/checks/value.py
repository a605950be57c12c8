"""Value checks: a notebook variable against the numbers of a reference lesson run."""

from __future__ import annotations

import numpy as np

from autograder.engine.checks.registry import register
from autograder.engine.compare import compare_sequences
from autograder.engine.probe import ProbeOutcome, observe, require, tolerance_for
from autograder.messages import say
from reference.lessons import LESSON_RUNS, lesson_run

FIELDS = ("params", "losses", "losses_before_update", "lrs", "final_loss")


def _lesson_value(params: dict) -> np.ndarray:
    trajectory = lesson_run(params["lesson"])[params["run"]]
    field = params["field"]
    if field == "losses_before_update":
        return trajectory.losses[:-1]
    if field == "final_loss":
        return np.array(trajectory.final_loss)
    return getattr(trajectory, field)


def _value_probe(check, probe, question, student_code, language) -> ProbeOutcome:
    """A notebook variable against the numbers of a reference lesson run."""
    observed = observe(student_code, "read_value", question)
    student, expected = observed.result, _lesson_value(probe.params)
    if student.shape != expected.shape:
        message = say("value shape", language, label=probe.label, want=expected.shape, got=student.shape)
        return ProbeOutcome(probe, False, message)
    tolerance = tolerance_for(check, observed.dtypes)
    comparison = compare_sequences(np.atleast_1d(student), np.atleast_1d(expected), tolerance, rows_are="inputs")
    if comparison.passed:
        return ProbeOutcome(probe, True, say("matches", language, label=probe.label), comparison)
    message = say("value differs", language, label=probe.label, index=comparison.first_bad_step)
    return ProbeOutcome(probe, False, message, comparison)


def _validate(probe, question) -> None:
    require(probe.params.get("lesson") in LESSON_RUNS, f"unknown lesson run {probe.params.get('lesson')!r}")
    require(probe.params.get("field") in FIELDS, f"field must be one of {', '.join(FIELDS)}")
    require(probe.params.get("run") in lesson_run(probe.params["lesson"]), f"unknown run {probe.params.get('run')!r}")


register("value", ("value",), _value_probe, _validate)
