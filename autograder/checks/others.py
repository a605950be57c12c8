"""Schedule, property, gradient and value checks."""

from __future__ import annotations

import numpy as np

from autograder.adapters import CONVENTIONS
from autograder.checks import ProbeOutcome, observe, register, require, series, tolerance_for
from autograder.compare import Tolerance, compare_sequences
from autograder.diagnosis import Diagnosis, diagnose
from reference.batching import minibatch_epoch
from reference.lessons import LESSON_RUNS, lesson_run
from reference.mistakes import get_mistake, mistakes_for
from reference.problems import PROBLEMS, get_problem
from reference.schedules import SCHEDULES, make_schedule

# --- schedule ---------------------------------------------------------------------------------


def _validate_schedule_probe(probe, question) -> None:
    require(question.reference in SCHEDULES, f"reference {question.reference!r} is not a schedule")
    make_schedule(question.reference, **probe.params)


def _schedule_probe(check, probe, question, student_code, language) -> ProbeOutcome:
    """The student's lr for every 0-based step of the probe's range, against the reference."""
    expected_fn = make_schedule(question.reference, **probe.params)
    expected = np.array([expected_fn(k) for k in range(probe.steps)])
    observed = observe(student_code, "schedule_lrs", question, probe.params, probe.steps)
    student = observed.result
    tolerance = tolerance_for(check, observed.dtypes)
    comparison = compare_sequences(student, expected, tolerance)
    plot = series("lrs", student, expected)
    if comparison.passed:
        return ProbeOutcome(probe, True, f"{probe.label}: matches the reference", comparison, series=plot)
    candidates = [m for m in mistakes_for(question.reference) if m.kind == "schedule"]

    def produce(mistake):
        variant = mistake.build(question.reference, **probe.params, **mistake.probe.knobs)
        return np.array([variant(k) for k in range(probe.steps)])

    diagnosis = diagnose(candidates, produce, student, expected, comparison, tolerance, language)
    return ProbeOutcome(probe, False, f"{probe.label}: {diagnosis.message}", comparison, diagnosis, plot)


# --- property ----------------------------------------------------------------------------------


_BATCH_MESSAGES = {
    "minibatch-with-replacement": (
        "an epoch is not a partition of range(n)",
        "한 에폭이 range(n)의 분할이 아닙니다",
    ),
    "minibatch-drops-last": ("the leftover examples are missing", "남은 예제가 빠졌습니다"),
    "minibatch-no-shuffle": ("the examples are not shuffled", "예제를 섞지 않았습니다"),
    "minibatch-same-order-every-epoch": ("every epoch has the same order", "모든 에폭의 순서가 같습니다"),
}


def _batch_problem(epochs: list[list[np.ndarray]], n: int, batch_size: int) -> str | None:
    """The catalog id of the first property the epochs break, or None."""
    for epoch in epochs:
        order = np.concatenate(epoch) if epoch else np.array([], dtype=int)
        if len(order) < n and len(set(order.tolist())) == len(order) and set(order.tolist()) < set(range(n)):
            return "minibatch-drops-last"
        if sorted(order.tolist()) != list(range(n)):
            return "minibatch-with-replacement"
        if any(len(batch) != batch_size for batch in epoch[:-1]) or not 0 < len(epoch[-1]) <= batch_size:
            return "minibatch-with-replacement"
        if np.array_equal(order, np.arange(n)):
            return "minibatch-no-shuffle"
    if all(np.array_equal(np.concatenate(epochs[0]), np.concatenate(e)) for e in epochs[1:]):
        return "minibatch-same-order-every-epoch"
    return None


def _batches_probe(check, probe, question, student_code, language) -> ProbeOutcome:
    n, batch_size, epochs = (int(probe.params[k]) for k in ("n", "batch_size", "epochs"))
    seed = int(probe.params.get("seed", 0))
    student = observe(student_code, "epochs_of_batches", question, n, batch_size, seed, epochs).result
    broken = _batch_problem(student, n, batch_size)
    if broken is None and check.options.get("expect") == "permutation":
        reference_rng = np.random.default_rng(seed)
        expected = [minibatch_epoch(n, batch_size, reference_rng) for _ in range(epochs)]
        if not all(
            np.array_equal(np.concatenate(a), np.concatenate(b)) for a, b in zip(student, expected, strict=True)
        ):
            message = "batches are valid but not rng.permutation(n) cut in order"
            return ProbeOutcome(probe, False, f"{probe.label}: {message}")
    if broken is None:
        return ProbeOutcome(probe, True, f"{probe.label}: every epoch partitions the data, shuffled anew")
    english, korean = _BATCH_MESSAGES[broken]
    diagnosis = Diagnosis(broken, get_mistake(broken).explanation(language))
    return ProbeOutcome(probe, False, f"{probe.label}: {korean if language == 'ko' else english}", diagnosis=diagnosis)


def _no_mutation_probe(check, probe, question, student_code, language) -> ProbeOutcome:
    """A few steps must leave the caller's parameters and gradients untouched."""
    problem, lr = get_problem(probe.problem), probe.lr or 0.01
    hparams, lrs = {"lr": lr, **probe.hparams}, np.full(probe.steps, lr)
    observed = observe(student_code, "closed_loop", question, hparams, problem, lrs, np.array(problem.start), lr)
    if observed.mutated:
        message = f"{observed.mutated[0]} changed its input w or g in place; return a new array instead"
        return ProbeOutcome(probe, False, f"{probe.label}: {message}", fault="mutated")
    return ProbeOutcome(probe, True, f"{probe.label}: inputs are left unchanged")


def _property_probe(check, probe, question, student_code, language) -> ProbeOutcome:
    family = CONVENTIONS[question.convention].family
    probe_kind = _batches_probe if family == "batches" else _no_mutation_probe
    return probe_kind(check, probe, question, student_code, language)


def _validate_property_probe(probe, question) -> None:
    if CONVENTIONS[question.convention].family == "batches":
        for key in ("n", "batch_size", "epochs"):
            require(key in probe.params, f"batch probes need params.{key}")
        require(int(probe.params["epochs"]) >= 2, "use at least 2 epochs so shuffling can be checked")
    else:
        require(probe.problem in PROBLEMS, f"unknown problem {probe.problem!r}")


# --- gradient ------------------------------------------------------------------------------------


def gradient_points(problem, count: int) -> list[np.ndarray]:
    """The start point and ``count - 1`` fixed random points around it (seeded)."""
    rng = np.random.default_rng(0)
    return [np.array(problem.start)] + [
        problem.start + rng.normal(scale=0.5, size=problem.dim) for _ in range(count - 1)
    ]


def _gradient_probe(check, probe, question, student_code, language) -> ProbeOutcome:
    """The student's gradient (analytic or numerical) against the analytic one at a few points."""
    problem = get_problem(probe.problem)
    points = gradient_points(problem, probe.steps)
    observed = observe(student_code, "gradients_at", question, problem, points)
    student = observed.result
    expected = np.array([problem.grad(w) for w in points])
    default = Tolerance(1e-5, 1e-7) if question.convention == "numerical-gradient" else None
    tolerance = check.tolerance or default or tolerance_for(check, observed.dtypes)
    comparison = compare_sequences(student, expected, tolerance)
    if comparison.passed:
        return ProbeOutcome(probe, True, f"{probe.label}: gradient matches at {len(points)} points", comparison)
    hint = _gradient_hint(student, expected, comparison, question.convention == "numerical-gradient")
    return ProbeOutcome(
        probe,
        False,
        f"{probe.label}: gradient differs at point {comparison.first_bad_step}{hint}",
        comparison,
    )


def _gradient_hint(student: np.ndarray, expected: np.ndarray, comparison, numerical: bool) -> str:
    """A constant factor (a dropped 2/N, a 2h that became h), or a near miss of a difference quotient."""
    ratio = _scale(student, expected)
    if ratio is not None and abs(ratio - 1.0) > 1e-3:
        return f" (yours is {ratio:.3g}x the analytic gradient)"
    if numerical and comparison.max_rel_error < 1e-2:
        return (
            f" (close, but off by {comparison.max_rel_error:.1g} relative: a one-sided difference leaves an error"
            " proportional to h; use the central difference (f(w + h e_i) - f(w - h e_i)) / 2h)"
        )
    return ""


def _scale(student: np.ndarray, expected: np.ndarray) -> float | None:
    """A constant factor between the two gradients, if there is one (a dropped 2/N, say)."""
    with np.errstate(all="ignore"):
        ratios = student[expected != 0] / expected[expected != 0]
    if ratios.size and np.all(np.isfinite(ratios)) and np.ptp(ratios) < 1e-6 * max(1.0, abs(ratios[0])):
        return float(ratios[0])
    return None


def _validate_gradient_probe(probe, question) -> None:
    require(probe.problem in PROBLEMS, f"unknown problem {probe.problem!r}")


# --- value ---------------------------------------------------------------------------------------

_FIELDS = ("params", "losses", "losses_before_update", "lrs", "final_loss")


def _lesson_value(params: dict) -> np.ndarray:
    trajectory = lesson_run(params["lesson"])[params["run"]]
    field = params["field"]
    if field == "losses_before_update":
        return trajectory.losses[:-1]
    if field == "final_loss":
        return np.array(trajectory.final_loss)
    return getattr(trajectory, field)


def _value_probe(check, probe, question, student_code, language) -> ProbeOutcome:
    """A notebook variable against the numbers of a reference lesson run."""
    observed = observe(student_code, "read_value", question)
    student = observed.result
    expected = _lesson_value(probe.params)
    if student.shape != expected.shape:
        return ProbeOutcome(probe, False, f"{probe.label}: expected shape {expected.shape}, got {student.shape}")
    tolerance = tolerance_for(check, observed.dtypes)
    comparison = compare_sequences(np.atleast_1d(student), np.atleast_1d(expected), tolerance)
    verdict = "matches the reference" if comparison.passed else f"differs from index {comparison.first_bad_step}"
    return ProbeOutcome(probe, comparison.passed, f"{probe.label}: {verdict}", comparison)


def _validate_value_probe(probe, question) -> None:
    require(probe.params.get("lesson") in LESSON_RUNS, f"unknown lesson run {probe.params.get('lesson')!r}")
    require(probe.params.get("field") in _FIELDS, f"field must be one of {', '.join(_FIELDS)}")
    require(
        probe.params.get("run") in lesson_run(probe.params["lesson"]),
        f"unknown run {probe.params.get('run')!r}",
    )


register("schedule", ("schedule",), _schedule_probe, _validate_schedule_probe)
register("property", ("batches", "optimizer"), _property_probe, _validate_property_probe)
register("gradient", ("gradient",), _gradient_probe, _validate_gradient_probe)
register("value", ("value",), _value_probe, _validate_value_probe)
