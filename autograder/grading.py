"""Grade a student's callables against a spec: the engine's one entry point.

``grade(spec, namespace)`` takes the student's symbols (a module's or a notebook's
namespace, however obtained) and returns a :class:`GradeResult`. Student failures are
check results; a broken spec raises SpecError; nothing here runs student code outside
the :class:`~autograder.guard.Guard`.
"""

from __future__ import annotations

import platform
from dataclasses import asdict, dataclass

import numpy as np

from autograder.checks import ProbeOutcome, run_probe
from autograder.compare import Comparison
from autograder.diagnosis import Diagnosis
from autograder.kernel_runtime import installed_version
from autograder.reference_cache import cache_for, using
from autograder.spec import AssignmentSpec, CheckSpec, QuestionSpec


@dataclass(frozen=True)
class CheckResult:
    """The verdict of one check of one question."""

    question: str
    name: str
    score: float
    max_score: float
    passed: bool
    message: str
    diagnosis: Diagnosis | None
    comparison: Comparison | None
    probes_passed: int
    probes_run: int
    series: dict | None = None

    def to_json(self) -> dict:
        """Plain data: name, score, max_score, passed, message, diagnosis, errors and rows."""
        comparison = self.comparison
        return {
            "name": f"{self.question}/{self.name}",
            "score": self.score,
            "max_score": self.max_score,
            "passed": self.passed,
            "message": self.message,
            "diagnosis": asdict(self.diagnosis) if self.diagnosis else None,
            "first_divergent_step": comparison.first_bad_step if comparison else None,
            "max_abs_error": _finite(comparison.max_abs_error) if comparison else None,
            "max_rel_error": _finite(comparison.max_rel_error) if comparison else None,
            "rows": [asdict(row) for row in comparison.rows] if comparison and not self.passed else [],
            "probes": {"passed": self.probes_passed, "run": self.probes_run},
            "series": self.series,
        }


def _finite(value: float) -> float | None:
    return value if np.isfinite(value) else None


@dataclass(frozen=True)
class GradeResult:
    """All check results of one submission, with the total score."""

    assignment: str
    checks: tuple[CheckResult, ...]

    @property
    def score(self) -> float:
        """Points earned."""
        return sum(check.score for check in self.checks)

    @property
    def max_score(self) -> float:
        """Points available."""
        return sum(check.max_score for check in self.checks)

    def to_json(self) -> dict:
        """The native result JSON: score, max_score, checks and versions."""
        return {
            "assignment": self.assignment,
            "score": self.score,
            "max_score": self.max_score,
            "checks": [check.to_json() for check in self.checks],
            "versions": versions(),
        }


def versions() -> dict[str, str]:
    """Versions of what took part in grading (torch's from its metadata: importing it costs seconds)."""
    from autograder import __version__

    return {
        "gdgrade": __version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": installed_version("torch"),
        "device": "cpu",
    }


def _shown(outcomes: list[ProbeOutcome], failure: ProbeOutcome | None) -> ProbeOutcome | None:
    """Whose rows and plot the student sees: never a hidden probe's (its data stays secret)."""
    if failure is not None:
        return None if failure.probe.hidden else failure
    return next((outcome for outcome in outcomes if not outcome.probe.hidden), None)


def _check_result(question: QuestionSpec, check: CheckSpec, outcomes: list[ProbeOutcome]) -> CheckResult:
    passed = sum(outcome.passed for outcome in outcomes)
    failure = next((outcome for outcome in outcomes if not outcome.passed), None)
    shown = _shown(outcomes, failure)
    if failure is None:
        message = f"passed ({passed} probe{'s' if passed != 1 else ''})"
    else:
        hidden = " (hidden probe)" if failure.probe.hidden else ""
        message = f"{failure.message}{hidden}"
    return CheckResult(
        question=question.id,
        name=check.name,
        score=check.points * passed / len(outcomes),
        max_score=check.points,
        passed=failure is None,
        message=message,
        diagnosis=failure.diagnosis if failure else None,
        comparison=shown.comparison if shown else None,
        probes_passed=passed,
        probes_run=len(outcomes),
        series=shown.series if shown else None,
    )


def grade_question(question: QuestionSpec, namespace: dict, language: str, include_hidden: bool = True):
    """The check results of one question."""
    results = []
    for check in question.checks:
        probes = [p for p in check.probes if include_hidden or not p.hidden]
        if probes:
            outcomes = [run_probe(check, probe, question, namespace, language) for probe in probes]
            results.append(_check_result(question, check, outcomes))
    return results


def failed_result(spec: AssignmentSpec, message: str, include_hidden: bool = True) -> GradeResult:
    """Every check failed with one message: the submission could not be run at all."""
    checks = []
    for question in spec.questions:
        for check in question.checks:
            probes = [p for p in check.probes if include_hidden or not p.hidden]
            if probes:
                checks.append(
                    CheckResult(question.id, check.name, 0.0, check.points, False, message, None, None, 0, len(probes))
                )
    return GradeResult(spec.id, tuple(checks))


def grade(spec: AssignmentSpec, namespace: dict, include_hidden: bool = True, questions=None) -> GradeResult:
    """Grade the student's ``namespace`` (symbol name -> object) against ``spec``.

    ``include_hidden=False`` runs only the public probes (the student's self-check);
    ``questions`` limits grading to those question ids.
    """
    chosen = [q for q in spec.questions if questions is None or q.id in questions]
    with using(cache_for(spec)):
        checks = [result for q in chosen for result in grade_question(q, namespace, spec.language, include_hidden)]
    return GradeResult(spec.id, tuple(checks))
