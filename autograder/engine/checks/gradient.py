"""Gradient checks: the student's gradient (analytic or numerical) against the analytic one.

The check samples the probe's start point and fixed random points around it. A miss by a
constant factor is named (a dropped 2, 2/N or 1/N of the mean's derivative), and so is a
one-sided difference quotient.
"""

from __future__ import annotations

import numpy as np

from autograder.engine.checks.registry import register
from autograder.engine.compare import Tolerance, compare_sequences
from autograder.engine.diagnosis import Diagnosis
from autograder.engine.probe import ProbeOutcome, observe, require, tolerance_for
from autograder.messages import number, say
from reference.functions import gradient_points
from reference.problems import PROBLEMS, get_problem

NUMERICAL_TOLERANCE = Tolerance(1e-5, 1e-7)  # central differences are exact to about 1e-9 on these surfaces
TWO_OVER_N = "gd-dropped-two-over-n"  # the catalog's name for a lost 2/N (or 1/N, or 2)


def _gradient_probe(check, probe, question, student_code, language) -> ProbeOutcome:
    """The student's gradient (analytic or numerical) against the analytic one at a few points."""
    problem = get_problem(probe.problem)
    points = gradient_points(problem, probe.steps)
    observed = observe(student_code, "gradients_at", question, problem, points)
    expected = np.array([problem.grad(w) for w in points])
    numerical = question.convention == "numerical-gradient"
    default = NUMERICAL_TOLERANCE if numerical else None
    tolerance = check.tolerance or default or tolerance_for(check, observed.dtypes)
    comparison = compare_sequences(observed.result, expected, tolerance, rows_are="inputs")  # one row per point
    if comparison.passed:
        return ProbeOutcome(probe, True, say("gradient matches", language, label=probe.label, count=len(points)),
                            comparison)  # fmt: skip
    hint, named = _gradient_hint(observed.result, expected, comparison, numerical, problem, language)
    message = say("gradient differs", language, label=probe.label, point=comparison.first_bad_step, hint=hint)
    diagnosis = Diagnosis(named, hint.strip(" ()")) if named else None
    return ProbeOutcome(probe, False, message, comparison, diagnosis=diagnosis)


def _factor_reason(ratio: float, problem, language: str) -> str:
    """Why a gradient would be off by this factor, for a mean over N examples."""
    n = problem.n_samples
    if n and any(abs(ratio - factor) < 1e-6 * factor for factor in (n / 2.0, 0.5, float(n))):
        return say("two over n", language)
    return ""


def _gradient_hint(student, expected, comparison, numerical: bool, problem, language: str) -> tuple[str, str | None]:
    """A constant factor (a dropped 2/N, a 2h that became h), or a near miss of a difference quotient;
    with the catalog id of the mistake when it is a dropped 2/N."""
    ratio = _scale(student, expected)
    if ratio is not None and abs(ratio - 1.0) > 1e-3:
        why = "" if numerical else _factor_reason(ratio, problem, language)
        return say("gradient factor", language, ratio=number(ratio, 3), why=why), TWO_OVER_N if why else None
    if numerical and comparison.max_rel_error < 1e-2:
        return say("one-sided difference", language, off=number(comparison.max_rel_error, 1)), None
    return "", None


def _scale(student: np.ndarray, expected: np.ndarray) -> float | None:
    """A constant factor between the two gradients, if there is one (a dropped 2/N, say)."""
    with np.errstate(all="ignore"):
        ratios = student[expected != 0] / expected[expected != 0]
    if ratios.size and np.all(np.isfinite(ratios)) and np.ptp(ratios) < 1e-6 * max(1.0, abs(ratios[0])):
        return float(ratios[0])
    return None


def _validate(probe, question) -> None:
    require(probe.problem in PROBLEMS, f"unknown problem {probe.problem!r}")


register("gradient", ("gradient",), _gradient_probe, _validate)
