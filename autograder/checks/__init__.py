"""Check kinds: each runs one probe and returns a :class:`ProbeOutcome`.

The registry maps a check kind to ``(families, run_probe, validate_probe)``; built-in
checks register themselves exactly as a custom one would, with :func:`register`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from autograder.boundary import Observed, Request
from autograder.compare import Comparison, Tolerance, default_tolerance
from autograder.diagnosis import Diagnosis
from autograder.errors import SpecError, SubmissionError
from autograder.hidden_draws import extremes
from autograder.spec import CheckSpec, ProbeSpec, QuestionSpec


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


@dataclass(frozen=True)
class CheckKind:
    """What a check kind runs on and how it runs and validates one probe."""

    families: tuple[str, ...]
    run_probe: Callable[[CheckSpec, ProbeSpec, QuestionSpec, dict, str], ProbeOutcome]
    validate_probe: Callable[[ProbeSpec, QuestionSpec], None]


CHECK_KINDS: dict[str, CheckKind] = {}


def register(kind: str, families: tuple[str, ...], run_probe, validate_probe) -> None:
    """Add a check kind to the registry (built-in kinds use this too)."""
    CHECK_KINDS[kind] = CheckKind(families, run_probe, validate_probe)


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


def run_probe(check: CheckSpec, probe: ProbeSpec, question: QuestionSpec, student, language: str):
    """Run one probe; the student's failures become a failed outcome, never an exception."""
    try:
        with np.errstate(all="ignore"):
            return CHECK_KINDS[check.kind].run_probe(check, probe, question, student, language)
    except SubmissionError as error:
        return ProbeOutcome(probe, False, str(error), fault=error.kind)


def validate(question: QuestionSpec, where) -> None:
    """Load-time validation of every check of a question: family fit and probe contents."""
    from autograder.adapters import CONVENTIONS

    family = CONVENTIONS[question.convention].family
    for index, check in enumerate(question.checks):
        kind = CHECK_KINDS[check.kind]
        if family not in kind.families:
            raise where.error(
                f"checks[{index}].kind",
                f"{check.kind} checks do not apply to convention {question.convention} ({family})",
            )
        for number, probe in enumerate(check.probes):
            try:
                for variant in extremes(probe):
                    kind.validate_probe(variant, question)
            except (ValueError, KeyError, TypeError) as error:
                message = error.args[0] if error.args else repr(error)
                raise where.error(f"checks[{index}].probes[{number}]", str(message)) from None


def require(condition: bool, message: str) -> None:
    """Raise ValueError (reported as a SpecError at load) when a probe is unusable."""
    if not condition:
        raise ValueError(message)


def ensure_spec(condition: bool, message: str) -> None:
    """At grading time, a broken spec is the instructor's fault: raise SpecError."""
    if not condition:
        raise SpecError(message)


MAX_SERIES_STEPS = 500
MAX_SERIES_NUMBERS = 20_000  # per side: a million-parameter run is not plotted into every result file


def series(kind: str, student, reference, problem: str | None = None) -> dict | None:
    """Plot data for a report: the student's and the reference's numbers per step (None if too big)."""
    student, reference = (np.asarray(values, dtype=np.float64)[:MAX_SERIES_STEPS] for values in (student, reference))
    if max(student.size, reference.size) > MAX_SERIES_NUMBERS:
        return None

    def as_list(values):
        return np.where(np.isfinite(values), values, np.nan).tolist()

    return {"kind": kind, "problem": problem, "student": as_list(student), "reference": as_list(reference)}


from autograder.checks import functions, others, trajectories  # noqa: E402,F401  (they register themselves)
