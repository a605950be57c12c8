"""The ``property`` check: what must hold of the student's code beyond its numbers.

For a batch maker: every epoch partitions the data, shuffled anew (:mod:`.batches`). For an
optimizer or a loop: a few steps leave the arrays it was given unchanged, as the grader
tells from what it sent (:mod:`autograder.engine.student_code`).
"""

from __future__ import annotations

import numpy as np

from autograder.engine.checks.batches import batches_probe, validate_batches
from autograder.engine.checks.registry import register
from autograder.engine.conventions import CONVENTIONS
from autograder.engine.probe import ProbeOutcome, observe, require
from autograder.messages import say
from reference.problems import PROBLEMS, get_problem


def inputs_unchanged_probe(check, probe, question, student_code, language) -> ProbeOutcome:
    """A few steps must leave the caller's parameters and gradients untouched."""
    problem = get_problem(probe.problem)
    lr = probe.lr if probe.lr is not None else 0.01
    hparams, lrs = {"lr": lr, **probe.hparams}, np.full(probe.steps, lr)
    observed = observe(student_code, "closed_loop", question, hparams, problem, lrs, np.array(problem.start), lr)
    if observed.mutated:
        message = say("changed inputs", language, label=probe.label, call=observed.mutated[0])
        return ProbeOutcome(probe, False, message, fault="mutated")
    return ProbeOutcome(probe, True, say("inputs unchanged", language, label=probe.label))


def _property_probe(check, probe, question, student_code, language) -> ProbeOutcome:
    batches = CONVENTIONS[question.convention].family == "batches"
    return (batches_probe if batches else inputs_unchanged_probe)(check, probe, question, student_code, language)


def _validate(probe, question) -> None:
    if CONVENTIONS[question.convention].family == "batches":
        validate_batches(probe, question)
    else:
        require(probe.problem in PROBLEMS, f"unknown problem {probe.problem!r}")


register("property", ("batches", "optimizer", "closed-loop"), _property_probe, _validate, options={"expect": str})
