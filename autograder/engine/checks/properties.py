"""The ``property`` check: what must hold of the student's code beyond its numbers.

For a batch maker: every epoch partitions the data, shuffled anew (:mod:`.batches`). For an
optimizer or a loop: a few steps leave the arrays it was given unchanged, as the grader
tells from what it sent (:mod:`autograder.engine.student_code`); the same steps run twice
give the same numbers (a global step counter does not); and with ``expect = "new-state"``
(a functional API that promises a new state) a step leaves the state it was given alone.
"""

from __future__ import annotations

import numpy as np

from autograder.engine.checks.batches import batches_probe, validate_batches
from autograder.engine.checks.registry import register
from autograder.engine.conventions import CONVENTIONS
from autograder.engine.diagnosis import Diagnosis
from autograder.engine.probe import ProbeOutcome, observe, require
from autograder.messages import say
from reference.problems import PROBLEMS, get_problem


def inputs_unchanged_probe(check, probe, question, student_code, language) -> ProbeOutcome:
    """A few steps leave the caller's parameters and gradients untouched, run again give the same
    numbers (no state outside what init returns), and, with ``expect = "new-state"``, a step
    leaves the state it was given as it was."""
    problem = get_problem(probe.problem)
    lr = probe.lr if probe.lr is not None else 0.01
    hparams, lrs = {"lr": lr, **probe.hparams}, np.full(probe.steps, lr)
    arguments = (hparams, problem, lrs, np.array(problem.start), lr)
    observed = observe(student_code, "closed_loop", question, *arguments)
    if observed.mutated:
        message = say("changed inputs", language, label=probe.label, call=observed.mutated[0])
        return ProbeOutcome(probe, False, message, fault="mutated")
    again = observe(student_code, "closed_loop", question, *arguments)
    if not np.array_equal(observed.result, again.result, equal_nan=True):
        return _named(probe, "state-outside-init", language)
    if check.options.get("expect") == "new-state" and question.convention == "functional":
        start = np.array(problem.start)
        twice = observe(student_code, "step_twice", question, hparams, start, problem.grad(start), lr).result
        if not np.array_equal(twice[0], twice[1], equal_nan=True):
            return _named(probe, "state-updated-in-place", language)
    return ProbeOutcome(probe, True, say("inputs unchanged", language, label=probe.label))


def _named(probe, mistake: str, language: str) -> ProbeOutcome:
    diagnosis = Diagnosis(mistake, say(mistake, language))
    return ProbeOutcome(probe, False, say("mistake", language, label=probe.label, text=diagnosis.message),
                        diagnosis=diagnosis)  # fmt: skip


def _property_probe(check, probe, question, student_code, language) -> ProbeOutcome:
    batches = CONVENTIONS[question.convention].family == "batches"
    return (batches_probe if batches else inputs_unchanged_probe)(check, probe, question, student_code, language)


def _validate(probe, question) -> None:
    if CONVENTIONS[question.convention].family == "batches":
        validate_batches(probe, question)
    else:
        require(probe.problem in PROBLEMS, f"unknown problem {probe.problem!r}")


register("property", ("batches", "optimizer", "closed-loop"), _property_probe, _validate, options={"expect": str})
