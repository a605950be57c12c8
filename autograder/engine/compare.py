"""Tolerant comparison of a student's numbers with the reference's.

Tolerances read like ``pytest.approx``: an element passes when
``|s - r| <= atol + rtol * |r|``. NaN or inf only match the same non-finite value.
Defaults depend on the dtype of the student's numbers, as in torch's own tests.

Step numbering (what tables, messages and plots call "step k"): step 0 is the start point,
the parameters before any update, and step k comes after k updates. A sequence that starts
elsewhere (one update per row, from step 1; the end of every epoch) passes its rows' step
numbers; a learning rate is numbered by the step it is used from (the lr at step k makes
step k + 1), as ``schedule(k)`` and torch's schedulers count.
"""

from __future__ import annotations

from dataclasses import replace

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


def _rows(student: np.ndarray, reference: np.ndarray, steps: np.ndarray, around: int | None) -> tuple[Row, ...]:
    start = 0 if around is None else max(around - 2, 0)
    shown = range(start, min(start + MAX_ROWS, reference.shape[0]))
    return tuple(Row(int(steps[k]), student[k][:4].tolist(), reference[k][:4].tolist()) for k in shown)


def step_numbers(count: int, first: int = 0, every: int = 1) -> np.ndarray:
    """The step number of each of ``count`` rows: ``first``, ``first + every``, ..."""
    return first + every * np.arange(count)


def compare_sequences(student, reference, tolerance: Tolerance, steps=None, rows_are: str = "steps") -> Comparison:
    """Compare two step-by-step sequences of equal shape (the caller checks shapes).

    ``steps`` numbers the rows (see the module's step numbering); by default row k is step k.
    ``rows_are="inputs"``: the rows are the inputs a function was called on, numbered from 0.
    """
    with phase("comparison"):
        student, reference = _as_steps(student), _as_steps(reference)
        numbers = step_numbers(reference.shape[0]) if steps is None else np.asarray(steps, dtype=int)
        return replace(_compare(student, reference, tolerance, numbers), rows_are=rows_are)


def _compare(student: np.ndarray, reference: np.ndarray, tolerance: Tolerance, steps: np.ndarray) -> Comparison:
    bad = _bad_mask(student, reference, tolerance)
    if bad.any():
        row, component = (int(i) for i in np.argwhere(bad)[0])
    else:
        row = component = None
    max_abs, max_rel = _errors(student, reference)
    first_bad = None if row is None else int(steps[row])
    return Comparison(not bad.any(), first_bad, component, max_abs, max_rel, _rows(student, reference, steps, row))


def matches(student, reference, tolerance: Tolerance) -> bool:
    """True when the two sequences have one shape and agree within the tolerance."""
    with phase("comparison"):
        student, reference = np.asarray(student, dtype=np.float64), np.asarray(reference, dtype=np.float64)
        return student.shape == reference.shape and not _bad_mask(student, reference, tolerance).any()
