"""Tolerant comparison of a student's numbers with the reference's.

Tolerances read like ``pytest.approx``: an element passes when
``|s - r| <= atol + rtol * |r|``. NaN or inf only match the same non-finite value.
Defaults depend on the dtype of the student's numbers, as in torch's own tests.
"""

from __future__ import annotations

import numpy as np

from autograder.results import Comparison, Row
from autograder.spec import Tolerance
from autograder.timing import phase

MAX_ROWS = 10


DEFAULT_TOLERANCES = {
    "float64": Tolerance(rtol=1e-7, atol=1e-10),
    "float32": Tolerance(rtol=2e-5, atol=1e-6),
}


def default_tolerance(dtype: str) -> Tolerance:
    """float32 (or lower) numbers get float32's tolerance; everything else float64's."""
    return DEFAULT_TOLERANCES["float32" if dtype in ("float32", "float16", "bfloat16") else "float64"]


def _as_steps(values) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    return array.reshape(array.shape[0], -1) if array.ndim else array.reshape(1, 1)


def _bad_mask(student: np.ndarray, reference: np.ndarray, tolerance: Tolerance) -> np.ndarray:
    with np.errstate(all="ignore"):
        close = np.abs(student - reference) <= tolerance.atol + tolerance.rtol * np.abs(reference)
    same_non_finite = ~np.isfinite(reference) & ((student == reference) | (np.isnan(student) & np.isnan(reference)))
    return ~(close | same_non_finite)


def _errors(student: np.ndarray, reference: np.ndarray) -> tuple[float, float]:
    with np.errstate(all="ignore"):
        absolute = np.abs(student - reference)
        relative = absolute / np.maximum(np.abs(reference), np.finfo(np.float64).tiny)
    finite = np.isfinite(absolute)
    if not finite.all():
        return float("inf"), float("inf")
    return float(absolute.max(initial=0.0)), float(relative.max(initial=0.0))


def _rows(student: np.ndarray, reference: np.ndarray, around: int | None) -> tuple[Row, ...]:
    start = 0 if around is None else max(around - 2, 0)
    steps = range(start, min(start + MAX_ROWS, reference.shape[0]))
    return tuple(Row(k, student[k][:4].tolist(), reference[k][:4].tolist()) for k in steps)


def compare_sequences(student, reference, tolerance: Tolerance) -> Comparison:
    """Compare two step-by-step sequences of equal shape (the caller checks shapes)."""
    with phase("comparison"):
        return _compare(_as_steps(student), _as_steps(reference), tolerance)


def _compare(student: np.ndarray, reference: np.ndarray, tolerance: Tolerance) -> Comparison:
    bad = _bad_mask(student, reference, tolerance)
    if bad.any():
        step, component = (int(i) for i in np.argwhere(bad)[0])
    else:
        step = component = None
    max_abs, max_rel = _errors(student, reference)
    return Comparison(not bad.any(), step, component, max_abs, max_rel, _rows(student, reference, step))


def matches(student, reference, tolerance: Tolerance) -> bool:
    """True when the two sequences have one shape and agree within the tolerance."""
    with phase("comparison"):
        student, reference = np.asarray(student, dtype=np.float64), np.asarray(reference, dtype=np.float64)
        return student.shape == reference.shape and not _bad_mask(student, reference, tolerance).any()
