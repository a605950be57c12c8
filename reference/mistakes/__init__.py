"""The catalog of known wrong variants, for the grader to recognise a student's mistake.

Each :class:`Mistake` names the reference it corrupts (``target``), says what went wrong
in English and Korean, builds the wrong variant, and carries a :class:`Probe`: a small
run on which the variant and the reference visibly differ. Kinds:

* ``optimizer``: ``build(**hparams, **knobs) -> Optimizer`` with the target's keywords;
* ``schedule``: ``build(schedule_name, **params, **knobs) -> f(step)``; target ``"*"``
  means it applies to every schedule;
* ``loop``: ``build(problem, lr, n_steps) -> Trajectory`` (target ``"gd"``);
* ``batching``: ``build(n, batch_size, n_epochs, rng) -> batches`` (target ``"minibatch"``);
* ``function``: ``build(args, problem, params) -> numbers``, a wrong version of a reference
  function of :mod:`reference.functions` (the target), on the same arguments.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from reference import optimizers as opt
from reference.batching import epoch_batches
from reference.functions import FUNCTIONS
from reference.problems import get_problem
from reference.schedules import SCHEDULES, make_schedule
from reference.trajectory import replay, run

KINDS = ("optimizer", "schedule", "loop", "batching", "function")


@dataclass(frozen=True)
class Probe:
    """A run that tells the mistake from the reference.

    ``schedule`` is the lr schedule of an optimizer probe, or the schedule a schedule
    mistake corrupts. ``grad_scale`` multiplies the replayed gradients (tiny gradients
    reveal eps placement). ``closed_loop`` runs both on the problem instead of replaying
    one gradient sequence (needed where only the gradient's location differs).
    """

    problem: str = "elliptic"
    n_steps: int = 10
    lr: float = 0.01
    hparams: dict[str, Any] = field(default_factory=dict)
    schedule: tuple[str, dict[str, Any]] | None = None
    grad_scale: float = 1.0
    closed_loop: bool = False
    knobs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Mistake:
    """A named wrong variant with a one-line explanation in English and Korean."""

    id: str
    kind: str
    target: str
    en: str
    ko: str
    build: Callable[..., Any]
    probe: Probe

    def explanation(self, language: str = "en") -> str:
        """The one-line explanation in ``en`` or ``ko``."""
        return self.ko if language == "ko" else self.en


def _optimizer_outputs(mistake: Mistake) -> tuple[np.ndarray, np.ndarray]:
    probe = mistake.probe
    reference = opt.get_optimizer(mistake.target, lr=probe.lr, **probe.hparams)
    wrong = mistake.build(lr=probe.lr, **probe.hparams, **probe.knobs)
    schedule = make_schedule(probe.schedule[0], **probe.schedule[1]) if probe.schedule else None
    problem = get_problem(probe.problem)
    reference_run = run(reference, problem, probe.n_steps, schedule=schedule)
    if probe.closed_loop:
        return reference_run.params, run(wrong, problem, probe.n_steps, schedule=schedule).params
    grads = reference_run.grads * probe.grad_scale
    start, lrs = reference_run.params[0], reference_run.lrs
    return replay(reference, grads, start, lrs), replay(wrong, grads, start, lrs)


def _schedule_outputs(mistake: Mistake) -> tuple[np.ndarray, np.ndarray]:
    name, params = mistake.probe.schedule
    steps = range(mistake.probe.n_steps)
    reference = make_schedule(name, **params)
    wrong = mistake.build(name, **params, **mistake.probe.knobs)
    return np.array([reference(k) for k in steps]), np.array([wrong(k) for k in steps])


def _loop_outputs(mistake: Mistake) -> tuple[np.ndarray, np.ndarray]:
    probe = mistake.probe
    problem = get_problem(probe.problem)
    reference = run(opt.sgd(lr=probe.lr), problem, probe.n_steps)
    return reference.params, mistake.build(problem, probe.lr, probe.n_steps).params


def _batching_outputs(mistake: Mistake) -> tuple[np.ndarray, np.ndarray]:
    n, batch_size, n_epochs = (mistake.probe.hparams[k] for k in ("n", "batch_size", "n_epochs"))
    seed = mistake.probe.hparams.get("seed", 0)
    reference = epoch_batches(n, batch_size, n_epochs, np.random.default_rng(seed))
    wrong = mistake.build(n, batch_size, n_epochs, np.random.default_rng(seed))
    return _indices_and_sizes(reference), _indices_and_sizes(wrong)


def _indices_and_sizes(batches) -> np.ndarray:
    return np.concatenate([np.concatenate(batches), [len(batch) for batch in batches]])


def _function_outputs(mistake: Mistake) -> tuple[np.ndarray, np.ndarray]:
    reference, problem, params = FUNCTIONS[mistake.target], get_problem(mistake.probe.problem), mistake.probe.hparams
    cases = reference.cases(problem, mistake.probe.n_steps, params)
    right = [np.ravel(reference.expected(problem, params, args)) for args in cases]
    wrong = [np.ravel(mistake.build(args, problem, params)) for args in cases]
    return np.concatenate(right), np.concatenate(wrong)


_OUTPUTS = {
    "function": _function_outputs,
    "optimizer": _optimizer_outputs,
    "schedule": _schedule_outputs,
    "loop": _loop_outputs,
    "batching": _batching_outputs,
}


def probe_outputs(mistake: Mistake) -> tuple[np.ndarray, np.ndarray]:
    """Run the mistake's probe: (reference numbers, mistaken numbers), same layout.

    Optimizers give parameters per step, schedules lrs per step, loops parameters, and
    batching the concatenated example indices of all epochs, then every batch's size.
    """
    return _OUTPUTS[mistake.kind](mistake)


from reference.mistakes.catalog import MISTAKES  # noqa: E402  (the entries use the classes above)


def get_mistake(mistake_id: str) -> Mistake:
    """The catalog entry with this id; unknown ids raise ValueError."""
    for mistake in MISTAKES:
        if mistake.id == mistake_id:
            return mistake
    raise ValueError(f"unknown mistake {mistake_id!r}")


def mistakes_for(target: str) -> list[Mistake]:
    """Entries that corrupt ``target`` (schedule-wide ``"*"`` entries included for schedules)."""
    return [m for m in MISTAKES if m.target == target or (m.target == "*" and target in SCHEDULES)]
