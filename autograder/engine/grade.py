"""Grade a student's callables against a spec: the engine's one entry point.

``grade(spec, student)`` takes the student's code (a namespace of symbols, however
obtained, or a :class:`~autograder.engine.student_code.StudentCode` such as a sandboxed kernel) and
returns a :class:`GradeResult`. Student failures are check results; a broken spec raises
SpecError. A hidden probe's verdict never shows its label, its inputs or anything the
student's code produced on it: only that it failed, and why in general terms.
"""

from __future__ import annotations

import platform

import numpy as np

from autograder.engine.checks import run_probe
from autograder.engine.forbidden_scan import scan
from autograder.engine.probe import ProbeOutcome
from autograder.engine.reference_cache import cache_for, using
from autograder.engine.student_code import as_student
from autograder.hidden_draws import PUBLIC_SECRET, has_draws, with_drawn_probes
from autograder.messages import say
from autograder.results import CheckResult, Diagnosis, GradeResult
from autograder.spec import AssignmentSpec, CheckSpec, QuestionSpec
from reference.mistakes import MISTAKES

KNOWN_MISTAKES = {mistake.id: mistake for mistake in MISTAKES}


def installed_version(package: str) -> str | None:
    """A package's installed version, from its metadata (importing torch costs seconds)."""
    import importlib.metadata

    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


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
    """Whose rows and plot the student sees: those of the probe the message names (the failing one,
    else the first with a note), else the first public one; never a hidden probe's (its data stays secret)."""
    if failure is not None:
        return None if failure.probe.hidden else failure
    public = [outcome for outcome in outcomes if not outcome.probe.hidden]
    return next((outcome for outcome in public if outcome.note), public[0] if public else None)


def _public_notes(outcomes: list[ProbeOutcome]) -> list[str]:
    """What passing probes noted (an accepted form, say), once each; a hidden probe's note would name it."""
    return list(dict.fromkeys(outcome.note for outcome in outcomes if outcome.note and not outcome.probe.hidden))


HIDDEN_WHY = {
    "en": {
        None: "the result differs from the reference", "raised": "your code raised an error on it",
        "timeout": "your code did not finish in time",
        "returned": "your code returned something of the wrong shape or type",
        "missing": "a function it needs is not defined", "forbidden": "your code used an API this question forbids",
        "mutated": "your code changed an input array in place", "tampered": "the grading code was interfered with",
        "recursion": "your code recursed too deeply", "broken": "the grading code could not run in your kernel",
    },
    "ko": {
        None: "결과가 기준과 다릅니다", "raised": "코드가 오류를 냈습니다",
        "timeout": "코드가 제한 시간 안에 끝나지 않았습니다",
        "returned": "코드가 돌려준 값의 모양이나 형식이 맞지 않습니다",
        "missing": "필요한 함수가 정의되어 있지 않습니다",
        "forbidden": "이 문제에서 금지한 API를 썼습니다", "mutated": "입력 배열을 제자리에서 바꿨습니다",
        "tampered": "채점 코드를 건드렸습니다", "recursion": "재귀가 너무 깊습니다",
        "broken": "채점 코드가 여러분의 커널에서 실행되지 못했습니다",
    },
}  # fmt: skip
HIDDEN_FAILED = {"en": "a hidden probe failed: {why}", "ko": "숨겨진 검사가 실패했습니다: {why}"}


def hidden_verdict(outcome: ProbeOutcome, language: str) -> tuple[str, Diagnosis | None]:
    """What a failed hidden probe may say: a fixed reason, or the name of a known mistake."""
    words, failed = HIDDEN_WHY.get(language, HIDDEN_WHY["en"]), HIDDEN_FAILED.get(language, HIDDEN_FAILED["en"])
    mistake = KNOWN_MISTAKES.get(outcome.diagnosis.id) if outcome.diagnosis and outcome.diagnosis.id else None
    if mistake is not None:
        explanation = mistake.explanation(language)
        return failed.format(why=explanation), Diagnosis(mistake.id, explanation)
    why = words.get(outcome.fault, words["raised"]) if outcome.fault else words[None]
    return failed.format(why=why), None


def _first_failure(outcomes: list[ProbeOutcome]) -> ProbeOutcome | None:
    """The failure a check reports: a public one when there is one (the student may see all of
    it), else the first hidden one (which says only a fixed reason)."""
    failures = [outcome for outcome in outcomes if not outcome.passed]
    return next((outcome for outcome in failures if not outcome.probe.hidden), failures[0] if failures else None)


def _check_result(question: QuestionSpec, check: CheckSpec, outcomes: list[ProbeOutcome], language: str) -> CheckResult:
    passed = sum(outcome.passed for outcome in outcomes)
    failure = _first_failure(outcomes)
    shown = _shown(outcomes, failure)
    diagnosis = failure.diagnosis if failure else None
    if failure is None:
        passed_words = say("passed probes", language, count=passed, plural="s" if passed != 1 else "")
        message = "; ".join([passed_words, *_public_notes(outcomes)])
    elif failure.probe.hidden:
        message, diagnosis = hidden_verdict(failure, language)
    else:
        message = failure.message
    return CheckResult(
        question=question.id,
        name=check.name,
        score=check.points * passed / len(outcomes),
        max_score=check.points,
        passed=failure is None,
        message=message,
        diagnosis=diagnosis,
        comparison=shown.comparison if shown else None,
        probes_passed=passed,
        probes_run=len(outcomes),
        series=shown.series if shown else None,
        hidden_failure=failure is not None and failure.probe.hidden,
        shown_probe=shown.probe.label if shown else None,
    )


def _forbidden_in_source(question: QuestionSpec, sources: list[str] | None, language: str) -> str | None:
    """The static layer of the forbidden-API check: a message when the source uses a forbidden module."""
    if not question.forbidden or sources is None:
        return None
    hits = scan(sources, list(question.symbols.values()), question.forbidden)
    if not hits:
        return None
    hit = hits[0]
    return say("forbidden in source", language, symbol=hit.symbol, module=hit.module, line=hit.line)


def grade_question(question: QuestionSpec, student, language: str, include_hidden: bool = True, sources=None):
    """The check results of one question (``student``: a StudentCode; ``sources``: the submission's code)."""
    forbidden = _forbidden_in_source(question, sources, language)
    results = []
    for check in question.checks:
        probes = [p for p in check.probes if include_hidden or not p.hidden]
        if not probes:
            continue
        if forbidden:
            outcomes = [ProbeOutcome(probe, False, forbidden, fault="forbidden") for probe in probes]
        else:
            outcomes = [run_probe(check, probe, question, student, language) for probe in probes]
        results.append(_check_result(question, check, outcomes, language))
    return results


def failed_result(spec: AssignmentSpec, include_hidden: bool = True) -> GradeResult:
    """Every check failed, unrun: the submission could not be run at all. Each check says only
    that; the reason is said once, as the submission's error."""
    message = say("not graded", spec.language)
    checks = []
    for question in spec.questions:
        for check in question.checks:
            probes = [p for p in check.probes if include_hidden or not p.hidden]
            if probes:
                checks.append(
                    CheckResult(question.id, check.name, 0.0, check.points, False, message, None, None, 0, len(probes))
                )
    return GradeResult(spec.id, tuple(checks), versions())


def grade(spec: AssignmentSpec, student, include_hidden: bool = True, questions=None, sources=None) -> GradeResult:
    """Grade the student's code against ``spec``: a namespace (symbol name -> object) or a StudentCode.

    ``include_hidden=False`` runs only the public probes (the student's self-check);
    ``questions`` limits grading to those question ids; ``sources`` (the submission's code
    cells) adds the source scan to the run-time check of forbidden APIs.
    """
    if has_draws(spec):
        spec = with_drawn_probes(spec, PUBLIC_SECRET)  # gdgrade grade and autograde draw from a real secret
    chosen = [q for q in spec.questions if questions is None or q.id in questions]
    student = as_student(student)
    with using(cache_for(spec)):
        checks = [r for q in chosen for r in grade_question(q, student, spec.language, include_hidden, sources)]
    return GradeResult(spec.id, tuple(checks), versions())
