"""Calling conventions, seen from the grader: which family, which symbols, which state format.

How the student's code is actually called lives in :mod:`autograder.student.conventions`,
the part that runs beside it. Here: what a spec may name, which checks apply (by family),
and, for teacher-forced one-step checks, how a reference state is written in the
student's own state format before it is sent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from autograder.student.conventions import dlai_layer, student_kwargs
from reference import transforms as tx


@dataclass(frozen=True)
class Convention:
    """A calling convention: its family and the symbol roles it needs.

    ``teacher_state(reference_state, question, hparams)`` translates a reference state into
    the student's state format, where that format is known (for one-step checks).
    """

    name: str
    family: str
    roles: tuple[str, ...]
    teacher_state: Callable[..., Any] | None = None

    def validate(self, question, where) -> None:
        """Raise SpecError when the question's symbols do not fit this convention."""
        missing = [role for role in self.roles if role not in question.symbols]
        if self.roles == ("main",) and "main" not in question.symbols:
            raise where.error("symbol", f'convention {self.name} takes one name, e.g. symbol = "adam"')
        if missing:
            raise where.error("symbol", f"convention {self.name} needs a table with: {', '.join(self.roles)}")


def _find(state, cls):
    """The first NamedTuple of type ``cls`` inside a (nested) reference state."""
    if isinstance(state, cls):
        return state
    if isinstance(state, tuple):
        for item in state:
            found = _find(item, cls)
            if found is not None:
                return found
    return None


def _cs231n_config(reference_state, question, hparams) -> dict:
    config = student_kwargs(hparams, {"lr": "learning_rate", **question.names})
    if (velocity := _find(reference_state, tx.VelocityState)) is not None:
        config["velocity"] = velocity.velocity.copy()
    if (rms := _find(reference_state, tx.RmsState)) is not None:
        config["cache"] = rms.square_avg.copy()
    if (adam := _find(reference_state, tx.AdamState)) is not None:
        config.update(m=adam.mu.copy(), v=adam.nu.copy(), t=adam.step)
    return config


def _dlai_state(reference_state, question, hparams):
    if (adam := _find(reference_state, tx.AdamState)) is not None:
        return adam.step, (dlai_layer(adam.mu, "d"), dlai_layer(adam.nu, "d"))
    if (velocity := _find(reference_state, tx.VelocityState)) is not None:
        return 0, (dlai_layer(velocity.velocity, "d"),)
    return 0, ()


CONVENTIONS: dict[str, Convention] = {
    convention.name: convention
    for convention in (
        Convention("functional", "optimizer", ("init", "step")),
        Convention("cs231n", "optimizer", ("main",), _cs231n_config),
        Convention("dlai", "optimizer", ("main",), _dlai_state),
        Convention("stateful-class", "optimizer", ("main",)),
        Convention("torch-optimizer", "optimizer", ("main",)),
        Convention("in-place-class", "optimizer", ("main",)),
        Convention("nested-lists", "optimizer", ("main",)),
        Convention("functional-look-ahead", "closed-loop", ("init", "step")),
        Convention("gd-runner", "closed-loop", ("main",)),
        Convention("schedule-function", "schedule", ("main",)),
        Convention("torch-scheduler", "schedule", ("main",)),
        Convention("gradient-function", "gradient", ("main",)),
        Convention("numerical-gradient", "gradient", ("main",)),
        Convention("batches", "batches", ("main",)),
        Convention("variable", "value", ("main",)),
        Convention("schedule-runner", "closed-loop", ("main",)),
        Convention("minibatch-runner", "batch-runner", ("main",)),
        Convention("epoch-runner", "batch-runner", ("main",)),
        Convention("torch-train", "training", ("main",)),
        Convention("function", "function", ("main",)),
    )
}
