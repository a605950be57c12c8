"""Optimizer checks: replay, one-step, closed-loop and divergence.

* ``replay`` feeds the student the reference's gradient sequence and compares every step:
  the loss surface cannot amplify an error, so tolerances can be tight (the main oracle);
* ``one-step`` hands the student the reference's parameters and state at every step
  (teacher forcing), for the CS231n and deeplearning.ai state formats;
* ``closed-loop`` lets the student's code take its own steps: the early steps are compared
  tightly, the loss curve loosely;
* ``divergence``: a run the reference says diverges must diverge too, and a converging one converge.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from autograder.engine.checks.registry import register
from autograder.engine.compare import compare_sequences, matches, step_numbers
from autograder.engine.conventions import CONVENTIONS
from autograder.engine.diagnosis import Diagnosis
from autograder.engine.probe import ProbeOutcome, ensure_spec, observe, require, series, tolerance_for
from autograder.engine.reference_cache import remembered, remembered_array, remembered_per_mistake
from autograder.engine.student_code import RECORDS_ONCE
from autograder.engine.verdict import Mistakes, judge
from autograder.messages import number, say
from reference.mistakes import mistakes_for
from reference.optimizers import OPTIMIZERS, Optimizer, get_optimizer
from reference.problem import Problem
from reference.problems import PROBLEMS, get_problem
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
    schedule = make_schedule(probe.schedule[0], **probe.schedule[1]) if probe.schedule else None
    # the lr an optimizer is built with: the schedule's first, as torch code builds it before a scheduler
    lr = float(schedule(0)) if schedule else probe.lr if probe.lr is not None else OPTIMIZERS[question.reference]().lr
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
    lr = probe.lr if probe.lr is not None else 1e-3
    get_optimizer(question.reference, lr=lr, **{**question.hparams, **probe.hparams})
    if probe.schedule:
        make_schedule(probe.schedule[0], **probe.schedule[1])
    for name, extra in question.accept:
        get_optimizer(name, lr=lr, **{**question.hparams, **probe.hparams, **extra})


def _validate_one_step_probe(probe, question) -> None:
    convention = CONVENTIONS[question.convention]
    require(
        convention.teacher_state is not None, f"one-step checks need a known state format; {convention.name} has none"
    )
    _validate_optimizer_probe(probe, question)


def _student_hparams(setting: Setting) -> dict:
    return {"lr": setting.lr, **setting.hparams}


def _optimizer_mistakes(question):
    return [m for m in mistakes_for(question.reference) if m.kind == "optimizer"]


def _variant(mistake, setting: Setting) -> Optimizer:
    return mistake.build(lr=setting.lr, **setting.hparams, **mistake.probe.knobs)


def _mistakes(candidates, produce, key: str, view=None) -> Mistakes:
    """Known mistakes whose numbers are kept in the reference cache under ``key``."""
    return Mistakes(candidates, remembered_per_mistake(produce, key), view)


# --- replay ------------------------------------------------------------------------------------


def _replay_probe(check, probe, question, student_code, language) -> ProbeOutcome:
    """Feed the student the reference gradient sequence; compare every step's parameters."""
    setting = _setting(probe, question)
    grads, start, lrs = setting.grads * probe.grad_scale, setting.reference.params[0], setting.reference.lrs
    key = _key(question, probe, "replay")
    expected = remembered_array(key, lambda: replay(setting.optimizer(question.reference), grads, start, lrs))
    observed = observe(student_code, "replay", question, _student_hparams(setting), grads, start, lrs)

    def accepted_replay(name, extra):
        return remembered_array(
            f"{key}|{name}|{extra}", lambda: replay(setting.optimizer(name, extra), grads, start, lrs)
        )

    accepted = [(form_name(n, e), lambda n=n, e=e: accepted_replay(n, e)) for n, e in question.accept]
    produce = lambda mistake: replay(_variant(mistake, setting), grads, start, lrs)  # noqa: E731
    tolerance = tolerance_for(check, observed.dtypes)
    outcome = judge(probe, observed.result, expected, tolerance, language,
                    mistakes=_mistakes(_optimizer_mistakes(question), produce, key), accepted=accepted,
                    plot=_plot(observed.result, expected, setting))  # fmt: skip
    return _with_fixed_lr(
        outcome,
        observed.result,
        expected,
        lrs,
        tolerance,
        language,
        lambda lr: replay(setting.optimizer(question.reference), grads, start, np.full_like(lrs, lr)),
    )


def form_name(name: str, extra: dict) -> str:
    """How a note names an accepted form: the reference, with the hyperparameters it changes."""
    shown = ", ".join(f"{key}={value}" for key, value in extra.items())
    return f"{name} ({shown})" if shown else name


def _with_fixed_lr(outcome: ProbeOutcome, student, expected, lrs, tolerance, language, run_at) -> ProbeOutcome:
    """A miss no catalog mistake explains, that is the reference run at one fixed lr: a global lr."""
    if outcome.passed or (outcome.diagnosis is not None and outcome.diagnosis.id is not None) or len(student) < 2:
        return outcome
    with np.errstate(all="ignore"):
        ratio = np.linalg.norm(student[1] - student[0]) / np.linalg.norm(expected[1] - expected[0])
    fixed = float(ratio * lrs[0])
    if not np.isfinite(fixed) or fixed <= 0 or np.allclose(lrs, fixed, rtol=1e-3):
        return outcome
    loose = type(tolerance)(rtol=max(tolerance.rtol * 10, 1e-6), atol=tolerance.atol * 10)
    if not matches(student, run_at(fixed), loose):
        return outcome
    given = ", ".join(dict.fromkeys(number(lr, 4) for lr in lrs))
    diagnosis = Diagnosis("lr-not-the-argument", say("fixed lr", language, lr=number(fixed, 4), given=given))
    message = say("mistake", language, label=outcome.probe.label, text=diagnosis.message)
    return replace(outcome, message=message, diagnosis=diagnosis)


def _plot(student, expected, setting: Setting) -> dict | None:
    problem = setting.problem
    losses = (_losses(problem, student), _losses(problem, expected)) if problem.dim <= MAX_PLOTTED_DIM else None
    return series("params", student, expected, problem.name, losses)


MAX_PLOTTED_DIM = 100  # loss curves are drawn for problems up to this many parameters


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
    steps = zip(states, grads, lrs, strict=True)
    expected = np.array([reference.update(theta, g, s, lr)[0] for (theta, s), g, lr in steps])
    thetas, taught = [theta for theta, _ in states], [to_student(s, question, setting.hparams) for _, s in states]
    observed = observe(student_code, "one_step", question, _student_hparams(setting), thetas, taught, grads, lrs)
    produce = lambda mistake: replay(_variant(mistake, setting), grads, start, lrs)[:2]  # noqa: E731
    first_update = lambda rows: np.vstack([start, rows[:1]])  # noqa: E731  (from the start point)
    mistakes = _mistakes(_optimizer_mistakes(question), produce, _key(question, probe, "one-step"), first_update)
    updates = step_numbers(len(expected), first=1)  # each row is one update, numbered by the step it makes
    return judge(probe, observed.result, expected, tolerance_for(check, observed.dtypes), language, mistakes=mistakes,
                 steps=updates)  # fmt: skip


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


def _accepted_runs(question, probe, setting: Setting) -> list[np.ndarray]:
    steps = len(setting.reference.lrs)

    def accepted(name, extra):
        optimizer = setting.optimizer(name, extra)
        return run(optimizer, setting.problem, steps, schedule=setting.schedule, lr=setting.lr).params

    keys = [(_key(question, probe, "closed loop", n, e), n, e) for n, e in question.accept]
    return [(None, setting.reference.params)] + [
        (form_name(n, e), remembered_array(k, lambda n=n, e=e: accepted(n, e))) for k, n, e in keys
    ]


def _closed_loop_probe(check, probe, question, student_code, language) -> ProbeOutcome:
    """The student's own iterates: early steps tightly, the loss curve and final loss loosely."""
    setting = _setting(probe, question)
    observed = _student_closed_loop(question, student_code, setting)
    student = observed.result
    ensure_spec(student.shape == setting.reference.params.shape, "closed-loop run shapes disagree")
    if observed.mutated and question.convention in RECORDS_ONCE:
        return ProbeOutcome(probe, False, say("changed w0", language, label=probe.label, call=observed.mutated[0]),
                            fault="mutated")  # fmt: skip
    tight, tolerance = int(check.options.get("tight_steps", 10)) + 1, tolerance_for(check, observed.dtypes)
    runs = _accepted_runs(question, probe, setting)
    form, matched = next(((f, p) for f, p in runs if matches(student[:tight], p[:tight], tolerance)), (None, None))
    if matched is None:
        produce = lambda mistake: _closed_loop_variant(mistake, setting, probe, question)[:tight]  # noqa: E731
        key = _key(question, probe, "closed loop", tight)
        mistakes = _mistakes(_closed_loop_mistakes(question, probe), produce, key)
        outcome = judge(probe, student[:tight], setting.reference.params[:tight], tolerance, language,
                        mistakes=mistakes, plot=_plot(student, setting.reference.params, setting))  # fmt: skip

        def fixed_run(lr):
            return run(
                setting.optimizer(question.reference), setting.problem, len(setting.reference.lrs), lr=lr
            ).params[:tight]

        return _with_fixed_lr(outcome, student[:tight], setting.reference.params[:tight], setting.reference.lrs,
                              tolerance, language, fixed_run)  # fmt: skip
    verdict = _loss_curve_verdict(probe, check, student, matched, setting, tolerance, language)
    if verdict.passed and form is not None:
        note = say("accepted form", language, label=probe.label, form=form)
        return replace(verdict, message=note, note=note)
    return verdict


def _loss_curve_verdict(probe, check, student, matched, setting: Setting, tolerance, language) -> ProbeOutcome:
    loss_tolerance = type(tolerance)(rtol=float(check.options.get("loss_rtol", 1e-2)), atol=1e-8)
    mine, theirs = _losses(setting.problem, student), _losses(setting.problem, matched)
    losses = compare_sequences(mine, theirs, loss_tolerance)
    plot = _plot(student, matched, setting)
    if not losses.passed:
        message = say("loss curve departs", language, label=probe.label, step=losses.first_bad_step)
        return ProbeOutcome(probe, False, message, losses, series=plot)
    return ProbeOutcome(probe, True, say("matches", language, label=probe.label), losses, series=plot)


# --- divergence ------------------------------------------------------------------------------------

DIVERGENCE_FACTOR = 1e3


def divergence_threshold(reference_losses: np.ndarray) -> float:
    """The loss over which a run has blown up: 1000x (|the reference's first loss| + 1)."""
    return DIVERGENCE_FACTOR * (abs(float(reference_losses[0])) + 1.0)


def diverged(losses: np.ndarray, threshold: float) -> bool:
    """Non-finite, or the last loss over the threshold."""
    return not np.all(np.isfinite(losses)) or abs(losses[-1]) > threshold


def _divergence_probe(check, probe, question, student_code, language) -> ProbeOutcome:
    """A run the reference says diverges must diverge too (and a converging one converge)."""
    setting = _setting(probe, question)
    student = _losses(setting.problem, _student_closed_loop(question, student_code, setting).result)
    threshold = divergence_threshold(setting.reference.losses)
    expected = diverged(setting.reference.losses, threshold)
    if diverged(student, threshold) == expected:
        return ProbeOutcome(
            probe, True, say("diverges like" if expected else "converges like", language, label=probe.label)
        )
    if expected:
        message = say("should diverge", language, label=probe.label, loss=number(threshold, 4))
    else:
        message = say("diverges wrongly", language, label=probe.label, loss=number(student[-1], 4))
    return ProbeOutcome(probe, False, message)


_OPTIMIZERS = ("optimizer",)
register("replay", _OPTIMIZERS, _replay_probe, _validate_optimizer_probe)
register("one-step", _OPTIMIZERS, _one_step_probe, _validate_one_step_probe)
register("closed-loop", ("optimizer", "closed-loop"), _closed_loop_probe, _validate_optimizer_probe,
         options={"tight_steps": int, "loss_rtol": (int, float)})  # fmt: skip
register("divergence", ("optimizer", "closed-loop"), _divergence_probe, _validate_optimizer_probe)
