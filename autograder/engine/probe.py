"""One probe of one check: what a check kind gets, and what it returns.

A check kind is three small functions (run a probe, validate a probe at load, and the
options it takes); it returns a :class:`ProbeOutcome`. The helpers here are what kinds
share: how to ask the student's code for numbers, which tolerance applies, what to plot.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from autograder.engine.compare import Comparison, Tolerance, default_tolerance
from autograder.engine.diagnosis import Diagnosis
from autograder.engine.student_code import Observed, Request
from autograder.errors import SpecError
from autograder.spec import CheckSpec, ProbeSpec, QuestionSpec

MAX_SERIES_STEPS = 500
MAX_SERIES_NUMBERS = 20_000  # per side: a million-parameter run is not plotted into every result file


@dataclass(frozen=True)
class ProbeOutcome:
    """One probe's verdict."""

    probe: ProbeSpec
    passed: bool
    message: str
    comparison: Comparison | None = None
    diagnosis: Diagnosis | None = None
    series: dict | None = None  # what to plot: {"kind", "problem", "student", "reference"}
    fault: str | None = None  # the student's code failed (a FAULT_KINDS word) rather than disagreed
    note: str | None = None  # said even when it passed (an accepted alternative form, say)


@dataclass(frozen=True)
class CheckKind:
    """A check kind: the convention families it applies to, how it runs and validates one
    probe, and the options a spec may give it (name -> type), beyond ``name``, tolerances and probes."""

    families: tuple[str, ...]
    run_probe: Callable[[CheckSpec, ProbeSpec, QuestionSpec, object, str], ProbeOutcome]
    validate_probe: Callable[[ProbeSpec, QuestionSpec], None]
    options: dict[str, type | tuple[type, ...]] = field(default_factory=dict)


def precision(dtypes) -> str:
    """float32 if any of the student's outputs was single precision (or lower), else float64."""
    low = {"float32", "float16", "bfloat16"} & set(dtypes)
    return sorted(low)[0] if low else "float64"


def tolerance_for(check: CheckSpec, dtypes) -> Tolerance:
    """The check's own tolerance if the spec gives one, else the default for the student's dtypes."""
    return check.tolerance or default_tolerance(precision(dtypes))


def observe(student, operation: str, question: QuestionSpec, *args) -> Observed:
    """Run ``operation`` on the student's code (here or in its kernel) with ``args``."""
    return student.run(Request(operation, question, args))


def require(condition: bool, message: str) -> None:
    """Raise ValueError (reported as a SpecError at load) when a probe is unusable."""
    if not condition:
        raise ValueError(message)


def ensure_spec(condition: bool, message: str) -> None:
    """At grading time, a broken spec is the instructor's fault: raise SpecError."""
    if not condition:
        raise SpecError(message)


def series(kind: str, student, reference, problem: str | None = None, losses=None, steps=None) -> dict | None:
    """Plot data for a report: the student's and the reference's numbers per step (None if too big).

    ``losses`` (student's, reference's) lets a report draw loss curves without recomputing them;
    ``steps`` numbers the rows (the plot's x axis) when row k is not step k, as in the comparison.
    """
    student, reference = (np.asarray(values, dtype=np.float64)[:MAX_SERIES_STEPS] for values in (student, reference))
    if max(student.size, reference.size) > MAX_SERIES_NUMBERS:
        return None

    def as_list(values):
        return np.where(np.isfinite(values), values, np.nan).tolist()

    plot = {"kind": kind, "problem": problem, "student": as_list(student), "reference": as_list(reference)}
    if steps is not None:
        plot["steps"] = [int(step) for step in steps[:MAX_SERIES_STEPS]]
    if losses is not None:
        plot["losses"] = {name: as_list(np.asarray(values, dtype=np.float64)[:MAX_SERIES_STEPS])
                          for name, values in zip(("student", "reference"), losses, strict=True)}  # fmt: skip
    return plot
