"""The tolerant comparison on its own: where it fails, what it reports, and the edge values."""

import math

import numpy as np
import pytest

from autograder.engine.compare import DEFAULT_TOLERANCES, Tolerance, compare_sequences, default_tolerance, matches

TIGHT = Tolerance(rtol=1e-7, atol=1e-10)


def test_equal_sequences_pass_with_zero_error():
    values = np.arange(12.0).reshape(4, 3)
    comparison = compare_sequences(values, values.copy(), TIGHT)
    assert comparison.passed and comparison.first_bad_step is None and comparison.first_bad_component is None
    assert comparison.max_abs_error == 0.0 and comparison.max_rel_error == 0.0


def test_the_first_bad_step_and_component_are_the_earliest_outside_the_tolerance():
    reference = np.ones((6, 3))
    student = reference.copy()
    student[3, 2] = 1.5
    student[4, 0] = 9.0
    comparison = compare_sequences(student, reference, TIGHT)
    assert not comparison.passed
    assert (comparison.first_bad_step, comparison.first_bad_component) == (3, 2)
    assert comparison.max_abs_error == pytest.approx(8.0) and comparison.max_rel_error == pytest.approx(8.0)


def test_rows_start_two_steps_before_the_departure_and_show_at_most_four_components():
    reference = np.zeros((30, 7))
    student = reference.copy()
    student[12, 5] = 1.0
    rows = compare_sequences(student, reference, TIGHT).rows
    assert rows[0].step == 10 and len(rows) == 10
    assert all(len(row.student) == 4 and len(row.reference) == 4 for row in rows)


def test_the_tolerance_is_atol_plus_rtol_times_the_reference():
    reference = np.array([[100.0]])
    inside = Tolerance(rtol=1e-3, atol=0.0)
    assert compare_sequences(reference + 0.099, reference, inside).passed
    assert not compare_sequences(reference + 0.101, reference, inside).passed


def test_non_finite_values_match_only_the_same_non_finite_value():
    reference = np.array([[np.inf], [np.nan], [1.0]])
    assert compare_sequences(reference.copy(), reference, TIGHT).passed
    swapped = np.array([[np.nan], [np.inf], [1.0]])
    comparison = compare_sequences(swapped, reference, TIGHT)
    assert not comparison.passed and comparison.first_bad_step == 0
    assert math.isinf(comparison.max_abs_error)


def test_a_student_nan_against_a_finite_reference_fails():
    comparison = compare_sequences(np.array([[1.0], [np.nan]]), np.array([[1.0], [2.0]]), TIGHT)
    assert not comparison.passed and comparison.first_bad_step == 1


def test_scalars_and_vectors_are_compared_as_sequences():
    assert compare_sequences(3.0, 3.0, TIGHT).passed
    assert compare_sequences([1.0, 2.0], [1.0, 2.0], TIGHT).passed
    assert compare_sequences([1.0, 2.0], [1.0, 2.5], TIGHT).first_bad_step == 1


def test_matches_refuses_a_different_shape():
    assert matches([1.0, 2.0], [1.0, 2.0], TIGHT)
    assert not matches([1.0, 2.0], [1.0, 2.0, 3.0], TIGHT)
    assert not matches([[1.0, 2.0]], [1.0, 2.0], TIGHT)


@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16"])
def test_low_precision_numbers_get_float32_tolerance(dtype):
    assert default_tolerance(dtype) == DEFAULT_TOLERANCES["float32"]


def test_other_dtypes_get_float64_tolerance():
    assert default_tolerance("float64") == DEFAULT_TOLERANCES["float64"]
    assert default_tolerance("int64") == DEFAULT_TOLERANCES["float64"]
