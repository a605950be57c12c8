"""Typed results, from one check up to one submission, and their JSON (with a schema version).

Everything after grading (batches, reports, the gradebook, the self-check, the class report)
takes these objects; ``from_json`` reads a stored result back. The JSON is the native result
format: ``schema_version`` says which layout it is (results written before the field existed
are version 1, which reads the same).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace

SCHEMA_VERSION = 2


@dataclass(frozen=True)
class Row:
    """One step of the side-by-side table a student sees (at most four components)."""

    step: int
    student: list[float]
    reference: list[float]


@dataclass(frozen=True)
class Comparison:
    """How a student's sequence matches the reference's, row by row: steps of a run, or (for
    functions, gradients and values) the inputs they were called on (``rows_are``)."""

    passed: bool
    first_bad_step: int | None
    first_bad_component: int | None
    max_abs_error: float
    max_rel_error: float
    rows: tuple[Row, ...]
    rows_are: str = "steps"  # or "inputs"


@dataclass(frozen=True)
class Diagnosis:
    """A recognised mistake (``id`` from the catalog) or a description of where the run departs."""

    id: str | None
    message: str


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


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
    hidden_failure: bool = False  # the failing probe was a hidden one (its numbers are never shown)
    shown_probe: str | None = None  # the label of the probe whose rows and series these are (never a hidden one)

    @property
    def full_name(self) -> str:
        """``question/check``, as reports name it."""
        return f"{self.question}/{self.name}"

    def to_json(self) -> dict:
        """Plain data: name, score, max_score, passed, message, diagnosis, errors, rows and the probe shown."""
        comparison = self.comparison
        return {
            "name": self.full_name,
            "score": self.score,
            "max_score": self.max_score,
            "passed": self.passed,
            "message": self.message,
            "diagnosis": asdict(self.diagnosis) if self.diagnosis else None,
            "first_divergent_step": comparison.first_bad_step if comparison else None,
            "max_abs_error": _finite(comparison.max_abs_error) if comparison else None,
            "max_rel_error": _finite(comparison.max_rel_error) if comparison else None,
            "rows": [asdict(row) for row in comparison.rows] if comparison and not self.passed else [],
            "rows_are": comparison.rows_are if comparison else None,
            "probes": {"passed": self.probes_passed, "run": self.probes_run},
            "series": self.series,
            "hidden_failure": self.hidden_failure,
            "shown_probe": self.shown_probe,
        }

    @classmethod
    def from_json(cls, data: dict) -> CheckResult:
        """A CheckResult read back from its JSON."""
        question, _, name = data["name"].partition("/")
        found = data.get("diagnosis")
        diagnosis = Diagnosis(found.get("id"), found["message"]) if found else None
        probes = data.get("probes") or {}
        return cls(question, name, float(data["score"]), float(data["max_score"]), bool(data["passed"]),
                   data["message"], diagnosis, _comparison_from(data), int(probes.get("passed", 0)),
                   int(probes.get("run", 0)), data.get("series"), bool(data.get("hidden_failure")),
                   data.get("shown_probe"))  # fmt: skip


def _comparison_from(data: dict) -> Comparison | None:
    if data.get("first_divergent_step") is None and data.get("max_abs_error") is None and not data.get("rows"):
        return None
    rows = tuple(Row(r["step"], r["student"], r["reference"]) for r in data.get("rows") or [])
    nan = float("inf")
    absolute, relative = data.get("max_abs_error"), data.get("max_rel_error")
    return Comparison(bool(data["passed"]), data.get("first_divergent_step"), None,
                      nan if absolute is None else absolute, nan if relative is None else relative, rows,
                      data.get("rows_are") or "steps")  # fmt: skip


@dataclass(frozen=True)
class GradeResult:
    """All check results of one submission, with the total score."""

    assignment: str
    checks: tuple[CheckResult, ...]
    versions: dict = field(default_factory=dict)

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
            "versions": dict(self.versions),
        }

    @classmethod
    def from_json(cls, data: dict) -> GradeResult:
        """A GradeResult read back from its JSON."""
        checks = tuple(CheckResult.from_json(check) for check in data.get("checks", []))
        return cls(data.get("assignment", ""), checks, dict(data.get("versions") or {}))


@dataclass(frozen=True)
class SubmissionResult:
    """A submission's grade with what happened while running it, and what it was graded from."""

    submission: str | None
    student: str
    result: GradeResult
    error: str | None = None
    execution: dict = field(default_factory=dict)
    seconds: float = 0.0
    grade_key: str | None = None  # see autograder.batch.grade_key
    spec_fingerprint: str | None = None

    @property
    def score(self) -> float:
        """Points earned."""
        return self.result.score

    @property
    def max_score(self) -> float:
        """Points available."""
        return self.result.max_score

    @property
    def checks(self) -> tuple[CheckResult, ...]:
        """The check results."""
        return self.result.checks

    @property
    def assignment(self) -> str:
        """The assignment's id."""
        return self.result.assignment

    def stored(self, student: str, grade_key: str | None, spec_fingerprint: str) -> SubmissionResult:
        """This result as a batch keeps it: under the student's id, with what it was graded from."""
        return replace(self, student=student, grade_key=grade_key, spec_fingerprint=spec_fingerprint)

    def to_json(self) -> dict:
        """The native result JSON for one submission."""
        payload = self.result.to_json()
        payload.update(submission=self.submission, student=self.student, error=self.error)
        payload.update(execution=self.execution, seconds=round(self.seconds, 3), schema_version=SCHEMA_VERSION)
        payload["versions"]["sandbox"] = self.execution.get("sandbox")
        payload["versions"]["device"] = self.execution.get("device", payload["versions"].get("device", "cpu"))
        if self.grade_key is not None:
            payload.update(grade_key=self.grade_key, spec_fingerprint=self.spec_fingerprint)
        return payload

    @classmethod
    def from_json(cls, data: dict) -> SubmissionResult:
        """A SubmissionResult read back from its JSON; ValueError if it is no result of ours."""
        if not isinstance(data, dict) or not isinstance(data.get("checks"), list):
            raise ValueError("not a gdgrade result")
        if int(data.get("schema_version", 1)) > SCHEMA_VERSION:
            raise ValueError(f"result schema {data['schema_version']} is newer than this gdgrade ({SCHEMA_VERSION})")
        return cls(data.get("submission"), str(data.get("student", "")), GradeResult.from_json(data),
                   data.get("error"), dict(data.get("execution") or {}), float(data.get("seconds") or 0.0),
                   data.get("grade_key"), data.get("spec_fingerprint"))  # fmt: skip
