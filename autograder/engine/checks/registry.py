"""The one door for check kinds: built-in and custom kinds are registered the same way.

``register("my-kind", families=("optimizer",), run_probe=..., validate_probe=...,
options={"window": int})`` makes a kind that a spec may name (``kind = "my-kind"``, with
``window = 5`` beside it); loading the spec validates it against the registration
(:func:`autograder.assignment.validate`), and grading runs it.
"""

from __future__ import annotations

import numpy as np

from autograder.engine.probe import CheckKind, ProbeOutcome
from autograder.errors import SubmissionError
from autograder.messages import localise
from autograder.spec import CheckSpec, ProbeSpec, QuestionSpec

CHECK_KINDS: dict[str, CheckKind] = {}


def register(kind: str, families: tuple[str, ...], run_probe, validate_probe, options: dict | None = None) -> None:
    """Add a check kind: the convention families it applies to, its probe runner and validator,
    and the options a spec may give it (name -> type)."""
    CHECK_KINDS[kind] = CheckKind(tuple(families), run_probe, validate_probe, dict(options or {}))


def run_probe(check: CheckSpec, probe: ProbeSpec, question: QuestionSpec, student, language: str) -> ProbeOutcome:
    """Run one probe; the student's failures become a failed outcome, never an exception."""
    try:
        with np.errstate(all="ignore"):
            return CHECK_KINDS[check.kind].run_probe(check, probe, question, student, language)
    except SubmissionError as error:
        return ProbeOutcome(probe, False, localise(str(error), language), fault=error.kind)
