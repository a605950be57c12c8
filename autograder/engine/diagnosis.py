"""Naming what went wrong: run the catalog's mistakes through the same check.

When the student's numbers match a mistake variant (and not the reference), the
diagnosis names it in the spec's language. Otherwise it says where and by how much the
run departs from the reference.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

import numpy as np

from autograder.engine.compare import Tolerance, matches
from autograder.messages import number, say
from autograder.results import Comparison, Diagnosis
from autograder.timing import phase
from reference.mistakes import Mistake

MATCH_SLACK = 10.0  # a variant may be matched a little more loosely than the reference
FIRST_STEP_WORDS = ("first step", "첫 스텝")


def first_step_ratio(student: np.ndarray, reference: np.ndarray) -> float | None:
    """|student step 1| / |reference step 1| for parameter sequences, when both are defined."""
    if student.ndim != 2 or len(student) < 2:
        return None
    with np.errstate(all="ignore"):
        mine = np.linalg.norm(student[1] - student[0])
        theirs = np.linalg.norm(reference[1] - reference[0])
    if not (np.isfinite(mine) and np.isfinite(theirs)) or theirs == 0:
        return None
    return float(mine / theirs)


def _ratio_text(ratio: float | None, language: str) -> str:
    """The first-step ratio sentence, only when it says something (never "0x" or "infx")."""
    if ratio is None or not np.isfinite(ratio) or abs(ratio - 1.0) < 0.02 or not 1e-3 <= ratio <= 1e3:
        return ""
    return say("first step ratio", language, ratio=number(ratio, 3))


def _speaks_of_the_first_step(explanation: str) -> bool:
    """Whether a mistake's own explanation already gives the first step (not said twice)."""
    return any(words in explanation.lower() for words in FIRST_STEP_WORDS)


def name_mistake(
    candidates: Iterable[Mistake],
    produce: Callable[[Mistake], np.ndarray],
    student: np.ndarray,
    tolerance: Tolerance,
) -> Mistake | None:
    """The first candidate whose numbers (from ``produce``) match the student's."""
    loose = replace(tolerance, rtol=tolerance.rtol * MATCH_SLACK, atol=tolerance.atol * MATCH_SLACK)
    for mistake in candidates:
        try:
            with np.errstate(all="ignore"):
                numbers = produce(mistake)
        except (ValueError, TypeError, ZeroDivisionError, OverflowError):
            continue  # this variant cannot run on this probe
        if matches(student, numbers, loose):
            return mistake
    return None


def describe_departure(comparison: Comparison, language: str) -> str:
    """Where (step, component) and by how much the student's run leaves the reference."""
    step, component = comparison.first_bad_step, comparison.first_bad_component
    row = next((r for r in comparison.rows if r.step == step), None)
    if row is None or component is None or component >= len(row.student):
        return say("departs at", language, step=step)
    yours, theirs = row.student[component], row.reference[component]
    with np.errstate(all="ignore"):
        off = abs(yours - theirs) / abs(theirs) if theirs else float("inf")
    return say("departs at component", language, step=step, component=component, yours=number(yours),
               theirs=number(theirs), off=number(off, 2))  # fmt: skip


def diagnose(
    candidates: Iterable[Mistake],
    produce: Callable[[Mistake], np.ndarray],
    student: np.ndarray,
    reference: np.ndarray,
    comparison: Comparison,
    tolerance: Tolerance,
    language: str,
) -> Diagnosis:
    """Name the matching mistake, or describe the departure; with the first-step ratio."""
    with phase("diagnosis"):
        ratio = _ratio_text(first_step_ratio(student, reference), language)
        mistake = name_mistake(candidates, produce, student, tolerance)
        if mistake is not None:
            explanation = mistake.explanation(language)
            return Diagnosis(mistake.id, ("" if _speaks_of_the_first_step(explanation) else ratio) + explanation)
        return Diagnosis(None, ratio + describe_departure(comparison, language))
