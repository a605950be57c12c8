"""Function checks: the check chooses the inputs and compares with a reference function.

The references and the inputs they are tried on are :mod:`reference.functions`; their
known wrong variants are catalog entries of kind ``function``, which name the mistake.
"""

from __future__ import annotations

import numpy as np

from autograder.engine.checks.registry import register
from autograder.engine.compare import compare_sequences, matches
from autograder.engine.diagnosis import Diagnosis
from autograder.engine.probe import ProbeOutcome, observe, require, tolerance_for
from autograder.engine.student_code import SURFACE_FUNCTIONS, Lent
from autograder.engine.verdict import Mistakes, judge
from autograder.errors import SubmissionError
from autograder.messages import say
from reference.functions import FUNCTIONS, FunctionReference
from reference.mistakes import get_mistake, mistakes_for
from reference.problems import PROBLEMS, get_problem


def _lent(value, problem):
    """A problem's own function among a case's arguments goes to the student as a callback."""
    for name in SURFACE_FUNCTIONS:
        if callable(value) and getattr(problem, name, None) is not None and getattr(problem, name) == value:
            return Lent(problem, name)
    return value


def _as_output(value, reference: FunctionReference, what: str, language: str) -> np.ndarray:
    """The student's result as one flat array: a pair (lrs, losses), or a (2, n) array, for a pair."""
    parts = value if isinstance(value, list) else [value]
    if reference.output == "pair":
        if len(parts) == 1 and parts[0].ndim == 2 and parts[0].shape[0] == 2:
            parts = list(parts[0])
        if len(parts) != 2:
            raise SubmissionError(say("pair expected", language, name=what), kind="returned")
    elif len(parts) != 1:
        raise SubmissionError(say("one array expected", language, name=what, count=len(parts)), kind="returned")
    return np.concatenate([np.ravel(part) for part in parts])


def _shown(mine: np.ndarray, theirs: np.ndarray, language: str) -> str:
    if mine.size > 4:
        return ""
    as_text = lambda values: np.array2string(values, precision=6)  # noqa: E731
    return say("yours and expected", language, yours=as_text(mine), theirs=as_text(theirs))


def _function_probe(check, probe, question, student_code, language) -> ProbeOutcome:
    """The student's function on the reference's inputs, case by case."""
    reference, problem = FUNCTIONS[question.reference], get_problem(probe.problem)
    name = f"{question.symbols['main']}()"
    cases = [tuple(_lent(a, problem) for a in case) for case in reference.cases(problem, probe.steps, probe.params)]
    expected = [np.ravel(reference.expected(problem, probe.params, args)) for args in reference.cases(problem,
                probe.steps, probe.params)]  # fmt: skip
    observed = observe(student_code, "call_each", question, cases)
    student = [_as_output(value, reference, name, language) for value in observed.result]
    tolerance = tolerance_for(check, observed.dtypes)
    for mine, theirs in zip(student, expected, strict=True):
        if mine.shape != theirs.shape:
            return _wrong_length(probe, mine, theirs, reference, name, tolerance, language)
    raw_cases = reference.cases(problem, probe.steps, probe.params)

    def produce(mistake):
        return np.concatenate([np.ravel(mistake.build(args, problem, probe.params)) for args in raw_cases])

    candidates = [m for m in mistakes_for(question.reference) if m.kind == "function"]
    verdict = judge(probe, np.concatenate(student), np.concatenate(expected), tolerance, language,
                    mistakes=Mistakes(candidates, produce), rows_are="inputs")  # fmt: skip
    return _per_input(verdict, probe, student, expected, tolerance, language, len(cases))


def _wrong_length(probe, mine, theirs, reference: FunctionReference, name: str, tolerance, language) -> ProbeOutcome:
    """Too few or too many numbers; a pair that is the reference's cut short is a stopped range test."""
    message = say("returned count", language, label=probe.label, name=name, got=mine.size, want=theirs.size)
    if reference.output == "pair" and mine.size < theirs.size and mine.size % 2 == 0:
        kept, planned = mine.size // 2, theirs.size // 2
        both = np.concatenate([theirs[:kept], theirs[planned : planned + kept]])
        if matches(mine, both, tolerance):
            mistake = get_mistake("range-test-stops-early")
            diagnosis = Diagnosis(mistake.id, mistake.explanation(language))
            return ProbeOutcome(probe, False, f"{message}: {diagnosis.message}", diagnosis=diagnosis)
    return ProbeOutcome(probe, False, message)


def _per_input(verdict: ProbeOutcome, probe, student, expected, tolerance, language, count: int) -> ProbeOutcome:
    """Say which input differs when no known mistake explains the miss."""
    if verdict.passed:
        return ProbeOutcome(probe, True, say("matches on inputs", language, label=probe.label, count=count),
                            verdict.comparison)  # fmt: skip
    if verdict.diagnosis is not None and verdict.diagnosis.id is not None:
        return verdict
    comparison = compare_sequences(np.array(student), np.array(expected), tolerance, rows_are="inputs")
    bad = comparison.first_bad_step
    shown = _shown(student[bad], expected[bad], language)
    return ProbeOutcome(probe, False, say("differs on input", language, label=probe.label, index=bad, shown=shown),
                        comparison)  # fmt: skip


def _validate(probe, question) -> None:
    require(question.reference in FUNCTIONS, f"reference must be one of {', '.join(FUNCTIONS)}")
    require(probe.problem in PROBLEMS, f"unknown problem {probe.problem!r}")
    needs = FUNCTIONS[question.reference].needs
    if "dataset" in needs:
        require(get_problem(probe.problem).data is not None, f"{probe.problem} is not a dataset problem")
    if "range" in needs:
        for key in ("lr_min", "lr_max", "n_steps"):
            require(key in probe.params, f"range-test probes need params.{key}")


register("function", ("function",), _function_probe, _validate)
