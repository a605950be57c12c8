"""A synthetic class: stored results of many students, with named, unnamed and hidden failures."""

from __future__ import annotations

import numpy as np

from autograder.results import CheckResult, Comparison, Diagnosis, GradeResult, Row, SubmissionResult
from reference.mistakes import MISTAKES

QUESTIONS = ("momentum", "adam", "rmsprop")


def _failed(question: str, kind: str, rng, index: int) -> CheckResult:
    """A failing check: a named catalog mistake, no name, or a hidden probe."""
    steps = np.arange(12, dtype=float)
    student, reference = np.exp(-0.1 * steps) * (1 + 0.2 * rng.random()), np.exp(-0.1 * steps)
    rows = tuple(Row(k, [float(student[k])], [float(reference[k])]) for k in range(4))
    comparison = Comparison(False, 1, 0, 0.2, 0.2, rows)
    series = {"kind": "losses", "problem": "elliptic", "student": student.tolist(), "reference": reference.tolist()}
    if kind == "hidden":
        return CheckResult(question, "replay", 0.0, 2.0, False, "a hidden probe failed: the result differs", None,
                           None, 1, 2, None, hidden_failure=True)  # fmt: skip
    if kind == "unnamed":
        return CheckResult(question, "replay", 0.0, 2.0, False, "Step 1 departs from the reference.", None,
                           comparison, 0, 2, series)  # fmt: skip
    mistake = MISTAKES[index % len(MISTAKES)]
    return CheckResult(question, "replay", 0.0, 2.0, False, f"probe 1: {mistake.en}", Diagnosis(mistake.id, mistake.en),
                       comparison, 0, 2, series)  # fmt: skip


def class_results(count: int, seed: int = 0) -> list[SubmissionResult]:
    """``count`` students: each question passed, or failed with a named mistake, unnamed, or hidden."""
    rng = np.random.default_rng(seed)
    results = []
    for number in range(count):
        checks = []
        for question in QUESTIONS:
            outcome = rng.choice(["pass", "named", "named", "unnamed", "hidden"])
            if outcome == "pass":
                checks.append(CheckResult(question, "replay", 2.0, 2.0, True, "passed (2 probes)", None, None, 2, 2))
            else:
                checks.append(_failed(question, outcome, rng, int(rng.integers(0, 12))))
        student = f"student{number:04d}"
        results.append(SubmissionResult(f"{student}.ipynb", student, GradeResult("04-adaptive", tuple(checks))))
    return results
