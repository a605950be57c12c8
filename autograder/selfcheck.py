"""Self-check for students: ``check("adam_step")`` inside the notebook, ``gdgrade check`` outside.

In a notebook (Jupyter or Colab, after ``pip install gdgrade``)::

    from autograder.selfcheck import checker
    check = checker("04-adaptive")
    check("adam_step")      # one question, by its id or any of its function names
    check()                 # every question

Only the public probes run, always: hidden probes are for ``gdgrade grade`` and
``gdgrade autograde``, which draw their values from a secret the student never sees. The verdicts are
printed in the assignment's language, with the diagnosis of a recognised mistake, and a
failed check raises :class:`CheckFailedError` so an nbgrader test cell fails with it.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

from autograder.assignment import builtin_spec
from autograder.engine.grade import grade
from autograder.errors import CheckFailedError, UsageError
from autograder.messages import localise, say
from autograder.results import GradeResult
from autograder.spec import AssignmentSpec

__all__ = ["CheckFailedError", "CheckOutcome", "checker", "run_check", "verdict_lines"]


def question_ids(spec: AssignmentSpec, name: str | None) -> list[str]:
    """The question ids ``name`` refers to: a question id or one of its symbol names."""
    if name is None:
        return [question.id for question in spec.questions]
    for question in spec.questions:
        if name == question.id or name in question.symbols.values():
            return [question.id]
    known = sorted({q.id for q in spec.questions} | {s for q in spec.questions for s in q.symbols.values()})
    raise UsageError(localise(f"{spec.id} has no question {name!r}; use one of: {', '.join(known)}", spec.language))


def verdict_lines(result, language: str) -> list[str]:
    """Readable verdicts, one block per check, of a GradeResult (or a SubmissionResult)."""
    lines, said = [], set()
    for check in result.checks:
        mark, state = ("✓", say("word passed", language)) if check.passed else ("✗", say("word failed", language))
        lines.append(f"{mark} {check.full_name}  {check.score:g}/{check.max_score:g}  {state}")
        reason = (check.message, check.diagnosis.message if check.diagnosis else None)
        if not check.passed and reason not in said:  # one reason for many checks is said once
            said.add(reason)
            lines += [f"    {check.message}", *_why(check, language)]
    lines.append(f"{say('word score', language)}: {result.score:g}/{result.max_score:g}")
    return lines


class CheckOutcome:
    """What ``check()`` returns: the verdicts were printed already, so Jupyter shows nothing
    more (no cell output for nbgrader to read as a score) and ``repr`` is one line. Its
    ``score``, ``max_score`` and ``checks`` are those of the GradeResult it holds."""

    def __init__(self, result: GradeResult):
        self.result = result

    def __getattr__(self, name: str):
        return getattr(self.result, name)

    def __repr__(self) -> str:
        passed = sum(check.passed for check in self.result.checks)
        return f"<check: {passed}/{len(self.result.checks)} passed, {self.result.score:g}/{self.result.max_score:g}>"

    def _ipython_display_(self) -> None:
        """Nothing: the verdicts above are the output."""


def failure_message(result: GradeResult, language: str) -> str:
    """The failed checks, each with what it saw and the diagnosis, as the error says them."""
    failed = [check for check in result.checks if not check.passed]
    lines = [say("checks failed", language, count=len(failed))]
    for check in failed:
        lines += [f"✗ {check.full_name}: {check.message}", *_why(check, language)]
    return "\n".join(lines)


def _why(check, language: str) -> list[str]:
    """The diagnosis line of a failed check, unless its message says it already."""
    if check.diagnosis and check.diagnosis.message and check.diagnosis.message not in check.message:
        return [f"    {say('word why', language)}: {check.diagnosis.message}"]
    return []


def run_check(spec: AssignmentSpec, namespace: dict, name: str | None = None, hidden: bool = False) -> CheckOutcome:
    """Grade the chosen question(s) on ``namespace`` (public probes only) and print the verdicts.

    ``hidden=True`` (what older notebooks' hidden test regions pass) still runs only the
    public probes: a self-check never sees a hidden probe, so none can be fitted. A failed
    check raises CheckFailedError with the verdicts; the traceback stops at the student's cell.
    """
    __tracebackhide__ = True  # IPython and pytest leave this frame out of tracebacks
    if hidden:
        print(say("hidden only autograde", spec.language))
    result = grade(spec, namespace, include_hidden=False, questions=question_ids(spec, name))
    print("\n".join(verdict_lines(result, spec.language)))
    if any(not check.passed for check in result.checks):
        raise CheckFailedError(failure_message(result, spec.language)) from None
    return CheckOutcome(result)


def checker(assignment: str | AssignmentSpec, namespace: dict | None = None) -> Callable[..., CheckOutcome]:
    """A ``check(name=None)`` function for a notebook; ``namespace`` defaults to the caller's globals."""
    spec = builtin_spec(assignment) if isinstance(assignment, str) else assignment
    if namespace is None:
        namespace = inspect.currentframe().f_back.f_globals

    def check(name: str | None = None, hidden: bool = False) -> CheckOutcome:
        """Run the public checks of question ``name`` (all questions when omitted)."""
        __tracebackhide__ = True
        return run_check(spec, namespace, name, hidden)

    return check
