"""The probe pipeline every check kind shares: compare, accepted alternatives, diagnose, outcome.

A kind computes the expected numbers and observes the student's; :func:`judge` does the
rest. When the numbers miss, the known mistakes (:class:`Mistakes`) are run through the same
probe, and the first that matches names the student's mistake; otherwise the message says
where and by how much the run departs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from autograder.engine.compare import Tolerance, compare_sequences, matches
from autograder.engine.diagnosis import diagnose
from autograder.engine.probe import ProbeOutcome
from autograder.messages import say
from autograder.spec import ProbeSpec


@dataclass(frozen=True)
class Mistakes:
    """The known mistakes a miss is checked against.

    ``produce(mistake)`` gives a mistake's numbers in the layout of the student's;
    ``view(numbers)`` narrows both to what the diagnosis compares (one-step checks: the
    first update only).
    """

    candidates: Sequence
    produce: Callable
    view: Callable[[np.ndarray], np.ndarray] | None = None


NO_MISTAKES = Mistakes((), lambda mistake: None)


def judge(probe: ProbeSpec, student, expected, tolerance: Tolerance, language: str, *,
          mistakes: Mistakes = NO_MISTAKES, accepted: Sequence[tuple[str, Callable]] = (), plot: dict | None = None,
          passed: str = "matches", steps=None, rows_are: str = "steps") -> ProbeOutcome:  # fmt: skip
    """The verdict on one probe's numbers; ``accepted`` are other right answers, (name of the form,
    its numbers computed lazily): a match passes with a note that names the form. ``steps``
    numbers the rows when row k is not step k (see :mod:`autograder.engine.compare`); ``rows_are``
    says whether they are steps or inputs."""
    comparison = compare_sequences(student, expected, tolerance, steps, rows_are)
    if comparison.passed:
        return ProbeOutcome(probe, True, say(passed, language, label=probe.label), comparison, series=plot)
    form = next((name for name, alternative in accepted if matches(student, alternative(), tolerance)), None)
    if form is not None:
        note = say("accepted form", language, label=probe.label, form=form)
        return ProbeOutcome(probe, True, note, comparison, series=plot, note=note)
    view = mistakes.view or (lambda numbers: numbers)
    diagnosis = diagnose(mistakes.candidates, mistakes.produce, view(student), view(expected), comparison, tolerance,
                         language)  # fmt: skip
    message = say("mistake", language, label=probe.label, text=diagnosis.message)
    return ProbeOutcome(probe, False, message, comparison, diagnosis, plot)
