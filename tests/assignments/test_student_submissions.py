"""Typical wrong submissions lose points with the right diagnosis; other correct styles get full marks."""

from collections import Counter

import pytest

from autograder.assignment import builtin_spec
from autograder.engine.grade import grade
from tests.assignments.cases import CASES
from tests.assignments.helpers import solution_namespace


def _grade(case):
    return grade(builtin_spec(case.assignment), solution_namespace(case.assignment, case.source))


def test_every_assignment_has_five_mistakes_and_two_correct_styles():
    wrong = Counter(case.assignment for case in CASES if not case.correct)
    right = Counter(case.assignment for case in CASES if case.correct)
    assert len(wrong) == 6 and min(wrong.values()) >= 5
    assert len(right) == 6 and min(right.values()) >= 2


@pytest.mark.parametrize("case", [c for c in CASES if c.correct], ids=lambda c: f"{c.assignment}:{c.name}")
def test_correct_styles_get_full_marks(case):
    result = _grade(case)
    failures = [f"{c.question}/{c.name}: {c.message}" for c in result.checks if not c.passed]
    assert not failures
    assert result.score == result.max_score


@pytest.mark.parametrize("case", [c for c in CASES if not c.correct], ids=lambda c: f"{c.assignment}:{c.name}")
def test_mistakes_lose_points_with_the_right_diagnosis(case):
    result = _grade(case)
    failed = {f"{check.question}/{check.name}": check for check in result.checks if not check.passed}
    assert result.score < result.max_score
    for name, expected in case.expect.items():
        assert name in failed, f"{name} passed; failed: {sorted(failed)}"
        check = failed[name]
        diagnosis = check.diagnosis.id if check.diagnosis else None
        assert expected == diagnosis or expected in check.message, (diagnosis, check.message)
