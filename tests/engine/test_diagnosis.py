"""Naming a mistake and describing a departure, on hand-made numbers."""

import numpy as np

from autograder.engine.compare import Tolerance, compare_sequences
from autograder.engine.diagnosis import describe_departure, diagnose, first_step_ratio, name_mistake
from reference.mistakes import MISTAKES

TIGHT = Tolerance(rtol=1e-7, atol=1e-10)
TWO = [m for m in MISTAKES if m.kind == "optimizer"][:2]


def _line(step: float, n: int = 5) -> np.ndarray:
    return np.array([[1.0 - step * k, 2.0] for k in range(n)])


def test_first_step_ratio_compares_the_lengths_of_step_one():
    assert abs(first_step_ratio(_line(0.3), _line(0.1)) - 3.0) < 1e-12


def test_first_step_ratio_is_undefined_without_a_reference_step():
    assert first_step_ratio(_line(0.1), _line(0.0)) is None
    assert first_step_ratio(np.array([1.0, 2.0]), np.array([1.0, 2.0])) is None
    assert first_step_ratio(_line(0.1)[:1], _line(0.1)[:1]) is None


def test_name_mistake_returns_the_first_candidate_whose_numbers_match():
    student = _line(0.5)
    produced = {TWO[0].id: _line(0.2), TWO[1].id: _line(0.5)}
    assert name_mistake(TWO, lambda m: produced[m.id], student, TIGHT) is TWO[1]


def test_name_mistake_skips_a_candidate_that_cannot_run_on_the_probe():
    def produce(mistake):
        if mistake is TWO[0]:
            raise ZeroDivisionError
        return _line(0.5)

    assert name_mistake(TWO, produce, _line(0.5), TIGHT) is TWO[1]


def test_name_mistake_is_none_when_nothing_matches():
    assert name_mistake(TWO, lambda m: _line(0.9), _line(0.5), TIGHT) is None


def test_a_named_mistake_leads_with_the_first_step_ratio_in_the_spec_language():
    reference, student = _line(0.1), _line(0.3)
    comparison = compare_sequences(student, reference, TIGHT)
    found = diagnose(TWO, lambda m: student, student, reference, comparison, TIGHT, "en")
    assert found.id == TWO[0].id
    assert found.message.startswith("Your first step is 3x the reference's.") and found.message.endswith(TWO[0].en)
    korean = diagnose(TWO, lambda m: student, student, reference, comparison, TIGHT, "ko")
    assert korean.message.startswith("첫 스텝이 기준의 3배입니다.") and korean.message.endswith(TWO[0].ko)


def test_without_a_match_the_departure_is_described_by_step_and_component():
    reference, student = _line(0.1), _line(0.1)
    student[2, 1] = 2.5
    comparison = compare_sequences(student, reference, TIGHT)
    found = diagnose(TWO, lambda m: reference * 7, student, reference, comparison, TIGHT, "en")
    assert found.id is None
    assert found.message == describe_departure(comparison, "en")
    assert found.message.startswith("Step 2 departs") and "component 1 is 2.5" in found.message


def test_a_ratio_close_to_one_is_not_mentioned():
    reference, student = _line(0.1), _line(0.1)
    student[3, 0] += 1.0
    comparison = compare_sequences(student, reference, TIGHT)
    assert "first step" not in diagnose([], lambda m: student, student, reference, comparison, TIGHT, "en").message
