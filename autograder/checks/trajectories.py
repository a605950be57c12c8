"""Trajectory checks for optimizers: replay, one-step, closed-loop and divergence."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from autograder.adapters import CONVENTIONS
from autograder.boundary import RECORDS_ONCE
from autograder.checks import ProbeOutcome, ensure_spec, observe, register, require, series, tolerance_for
from autograder.compare import compare_sequences, matches
from autograder.diagnosis import diagnose
from autograder.reference_cache import remembered, remembered_array, remembered_per_mistake
from reference.mistakes import mistakes_for
from reference.optimizers import OPTIMIZERS, Optimizer, get_optimizer
from reference.problems import PROBLEMS, Problem, get_problem
from reference.schedules import make_schedule
from reference.trajectory import Trajectory, replay, run


@dataclass(frozen=True)
class Setting:
    """Everything a probe fixes: problem, lr, hyperparameters, schedule, reference run."""

    problem: Problem
    lr: float
    hparams: dict
    schedule: object
    reference: Trajectory

    @property
    def grads(self) -> np.ndarray:
        return self.reference.grads

    def optimizer(self, name: str, extra: dict | None = None) -> Optimizer:
        return get_optimizer(name, lr=self.lr, **{**self.hparams, **(extra or {})})


def _setting(probe, question) -> Setting:
    hparams = {**question.hparams, **probe.hparams}
    lr = probe.lr or OPTIMIZERS[question.reference]().lr
    schedule = make_schedule(probe.schedule[0], **probe.schedule[1]) if probe.schedule else None
    problem = get_problem(probe.problem)

    def reference_run():
        optimizer = get_optimizer(question.reference, lr=lr, **hparams)
        trajectory = run(optimizer, problem, probe.steps, lr=lr, schedule=schedule)
        return trajectory.params, trajectory.losses, trajectory.lrs, trajectory.grads

    reference = Trajectory(*remembered(_key(question, probe, "reference run"), reference_run))
    return Setting(problem, lr, hparams, schedule, reference)


def _key(question, probe, *what) -> str:
    """A reference cache key: the numbers depend on the question and the probe alone."""
    return "|".join([question.id, repr(probe), *map(str, what)])


def _validate_optimizer_probe(probe, question) -> None:
    require(probe.problem in PROBLEMS, f"unknown problem {probe.problem!r}")
    require(question.reference in OPTIMIZERS, f"reference {question.reference!r} is not an optimizer")
    require(
        not (probe.schedule and question.convention == "gd-runner"),
        "a gd-runner takes one lr; its probes cannot use a schedule",
    )
    get_optimizer(question.reference, lr=probe.lr or 1e-3, **{**question.hparams, **probe.hparams})
    if probe.schedule:
        make_schedule(probe.schedule[0], **probe.schedule[1])
    for name, extra in question.accept:
        get_optimizer(name, lr=probe.lr or 1e-3, **{**question.hparams, **probe.hparams, **extra})


def _validate_one_step_probe(probe, question) -> None:
    convention = CONVENTIONS[question.convention]
    require(
        convention.teacher_state is not None, f"one-step checks need a known state format; {convention.name} has none"
    )
    _validate_optimizer_probe(probe, question)


def _student_hparams(setting: Setting) -> dict:
    return {"lr": setting.lr, **setting.hparams}


def _verdict(probe, student, expected, tolerance, produce, candidates, language, accepted=(), view=None, *, key):
    """Compare; on a miss, diagnose on ``view`` of the numbers (``produce`` gives that view).

    With a ``view`` (one-step checks) the numbers are not a trajectory, so nothing is plotted.
    ``key`` names the reference cache entries of the mistakes' numbers.
    """
    produce = remembered_per_mistake(produce, key)
    comparison = compare_sequences(student, expected, tolerance)
    plot = None if view else series("params", student, expected, probe.problem)
    if comparison.passed or any(matches(student, alternative(), tolerance) for alternative in accepted):
        return ProbeOutcome(probe, True, f"{probe.label}: matches the reference", comparison, series=plot)
    view = view or (lambda numbers: numbers)
    diagnosis = diagnose(candidates, produce, view(student), view(expected), comparison, tolerance, language)
    return ProbeOutcome(probe, False, f"{probe.label}: {diagnosis.message}", comparison, diagnosis, plot)


def _optimizer_mistakes(question):
    return [m for m in mistakes_for(question.reference) if m.kind == "optimizer"]


def _variant(mistake, setting: Setting) -> Optimizer:
    return mistake.build(lr=setting.lr, **setting.hparams, **mistake.probe.knobs)


# --- replay ------------------------------------------------------------------------------------


def _replay_probe(check, probe, question, student_code, language) -> ProbeOutcome:
    """Feed the student the reference gradient sequence; compare every step's parameters."""
    setting = _setting(probe, question)
    grads, start, lrs = setting.grads * probe.grad_scale, setting.reference.params[0], setting.reference.lrs
    expected = remembered_array(
        _key(question, probe, "replay"), lambda: replay(setting.optimizer(question.reference), grads, start, lrs)
    )
    observed = observe(student_code, "replay", question, _student_hparams(setting), grads, start, lrs)
    student = observed.result
    accepted = [
        lambda n=n, e=e: remembered_array(
            _key(question, probe, "replay", n, e), lambda: replay(setting.optimizer(n, e), grads, start, lrs)
        )
        for n, e in question.accept
    ]
    return _verdict(
        probe, student, expected, tolerance_for(check, observed.dtypes),
        lambda mistake: replay(_variant(mistake, setting), grads, start, lrs),
        _optimizer_mistakes(question), language, accepted, key=_key(question, probe, "replay"),
    )  # fmt: skip


# --- one-step (teacher-forced) ---------------------------------------------------------------------


def _reference_states(optimizer: Optimizer, grads, start, lrs) -> list:
    states, theta, state = [], np.array(start), optimizer.init(start)
    for gradient, lr in zip(grads, lrs, strict=True):
        states.append((theta, state))
        theta, state = optimizer.update(theta, gradient, state, lr)
    return states


def _one_step_probe(check, probe, question, student_code, language) -> ProbeOutcome:
    """At every step, hand the student the reference's parameters and state; compare one update."""
    to_student = CONVENTIONS[question.convention].teacher_state
    ensure_spec(to_student is not None, f"one-step checks need a known state format, not {question.convention}")
    setting = _setting(probe, question)
    grads, start, lrs = setting.grads * probe.grad_scale, setting.reference.params[0], setting.reference.lrs
    reference = setting.optimizer(question.reference)
    states = _reference_states(reference, grads, start, lrs)
    expected = np.array(
        [reference.update(theta, g, s, lr)[0] for (theta, s), g, lr in zip(states, grads, lrs, strict=True)]
    )
    thetas = [theta for theta, _ in states]
    taught = [to_student(s, question, setting.hparams) for _, s in states]
    hparams = _student_hparams(setting)
    observed = observe(student_code, "one_step", question, hparams, thetas, taught, grads, lrs)
    return _verdict(
        probe, observed.result, expected, tolerance_for(check, observed.dtypes),
        lambda mistake: replay(_variant(mistake, setting), grads, start, lrs)[:2],
        _optimizer_mistakes(question), language,
        view=lambda steps: np.vstack([start, steps[:1]]),  # the first update, from the start point
        key=_key(question, probe, "one-step"),
    )  # fmt: skip


# --- closed loop ---------------------------------------------------------------------------------


def _student_closed_loop(question, student_code, setting):
    lrs, start, hparams = setting.reference.lrs, setting.reference.params[0], _student_hparams(setting)
    next_lr = float(setting.schedule(len(lrs))) if setting.schedule else (float(lrs[-1]) if len(lrs) else None)
    return observe(student_code, "closed_loop", question, hparams, setting.problem, lrs, start, next_lr)


def _losses(problem: Problem, params: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.array([problem.loss(w) for w in params])


def _closed_loop_mistakes(question, probe):
    """Optimizer slips; for plain GD also loop slips, and with a schedule, schedule slips."""
    loops = [m for m in mistakes_for("gd") if m.kind == "loop"] if question.reference == "sgd" else []
    schedules = [m for m in mistakes_for(probe.schedule[0]) if m.kind == "schedule"] if probe.schedule else []
    return _optimizer_mistakes(question) + loops + schedules


def _closed_loop_variant(mistake, setting: Setting, probe, question) -> np.ndarray:
    steps = len(setting.reference.lrs)
    if mistake.kind == "loop":
        return mistake.build(setting.problem, setting.lr, steps).params
    if mistake.kind == "schedule":
        name, params = probe.schedule
        wrong = mistake.build(name, **params, **mistake.probe.knobs)
        return run(setting.optimizer(question.reference), setting.problem, steps, schedule=wrong).params
    return run(_variant(mistake, setting), setting.problem, steps, lr=setting.lr, schedule=setting.schedule).params


def _closed_loop_probe(check, probe, question, student_code, language) -> ProbeOutcome:
    """The student's own iterates: early steps tightly, the loss curve and final loss loosely."""
    setting = _setting(probe, question)
    observed = _student_closed_loop(question, student_code, setting)
    student = observed.result
    ensure_spec(student.shape == setting.reference.params.shape, "closed-loop run shapes disagree")
    if observed.mutated and question.convention in RECORDS_ONCE:
        message = f"{observed.mutated[0]} changed the w0 it was given in place; work on a copy"
        return ProbeOutcome(probe, False, f"{probe.label}: {message}", fault="mutated")
    tight = int(check.options.get("tight_steps", 10)) + 1
    tolerance = tolerance_for(check, observed.dtypes)
    steps = len(setting.reference.lrs)
    candidates = [setting.reference.params] + [
        remembered_array(
            _key(question, probe, "closed loop", name, extra),
            lambda n=name, e=extra: run(setting.optimizer(n, e), setting.problem, steps, schedule=setting.schedule,
                                        lr=setting.lr).params,
        )
        for name, extra in question.accept
    ]  # fmt: skip
    matched = next((params for params in candidates if matches(student[:tight], params[:tight], tolerance)), None)
    if matched is None:
        return _verdict(
            probe, student[:tight], setting.reference.params[:tight], tolerance,
            lambda mistake: _closed_loop_variant(mistake, setting, probe, question)[:tight],
            _closed_loop_mistakes(question, probe), language, key=_key(question, probe, "closed loop", tight),
        )  # fmt: skip
    loss_tolerance = type(tolerance)(rtol=float(check.options.get("loss_rtol", 1e-2)), atol=1e-8)
    losses = compare_sequences(_losses(setting.problem, student), _losses(setting.problem, matched), loss_tolerance)
    if not losses.passed:
        return ProbeOutcome(
            probe, False, f"{probe.label}: the loss curve departs at step {losses.first_bad_step}", losses
        )
    return ProbeOutcome(probe, True, f"{probe.label}: matches the reference", losses)


# --- divergence ------------------------------------------------------------------------------------


def diverged(losses: np.ndarray) -> bool:
    """Non-finite, or the last loss over 1000x (|first| + 1): the run blew up."""
    return not np.all(np.isfinite(losses)) or abs(losses[-1]) > 1e3 * (abs(losses[0]) + 1.0)


def _divergence_probe(check, probe, question, student_code, language) -> ProbeOutcome:
    """A run the reference says diverges must diverge too (and a converging one converge)."""
    setting = _setting(probe, question)
    student = _losses(setting.problem, _student_closed_loop(question, student_code, setting).result)
    expected = diverged(setting.reference.losses)
    if diverged(student) == expected:
        return ProbeOutcome(probe, True, f"{probe.label}: {'diverges' if expected else 'converges'} like the reference")
    verdict = "should diverge at this lr but stays bounded" if expected else "diverges where the reference converges"
    return ProbeOutcome(probe, False, f"{probe.label}: the run {verdict} (final loss {student[-1]:.4g})")


_OPTIMIZERS = ("optimizer",)
register("replay", _OPTIMIZERS, _replay_probe, _validate_optimizer_probe)
register("one-step", _OPTIMIZERS, _one_step_probe, _validate_one_step_probe)
register("closed-loop", ("optimizer", "closed-loop"), _closed_loop_probe, _validate_optimizer_probe)
register("divergence", ("optimizer", "closed-loop"), _divergence_probe, _validate_optimizer_probe)
