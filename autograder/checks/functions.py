"""Function, mini-batch loop and PyTorch training checks.

* ``function``: the check chooses the inputs (points, data, a loss curve), calls the
  student's function and compares with a named reference function. Known wrong variants
  of each reference name the student's mistake.
* ``minibatch``: a mini-batch SGD loop, per update or per epoch, against the reference run
  on the same batches (:mod:`reference.batching`'s convention).
* ``training``: a PyTorch training loop, run in the kernel on the reference MLP, against the
  reference losses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from autograder.boundary import Lent
from autograder.checks import ProbeOutcome, observe, register, require, series, tolerance_for
from autograder.checks.others import gradient_points
from autograder.compare import compare_sequences, matches
from autograder.diagnosis import Diagnosis, diagnose
from autograder.errors import SubmissionError
from autograder.reference_cache import remembered_array, remembered_per_mistake
from reference.batching import epoch_batches
from reference.mistakes import get_mistake, mistakes_for
from reference.optimizers import sgd
from reference.problems import PROBLEMS, get_problem, linear_predict
from reference.range_test import lr_range_test, suggest_lr
from reference.trajectory import run

# --- function ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    """A known wrong version of a reference function: ``compute(args, problem, probe)``."""

    english: str
    korean: str
    compute: Callable[..., np.ndarray]

    def explanation(self, language: str) -> str:
        """The explanation in ``en`` or ``ko``."""
        return self.korean if language == "ko" else self.english


@dataclass(frozen=True)
class FunctionReference:
    """Inputs to call the student with, the expected result of each, and known wrong variants.

    ``cases(problem, probe)`` gives argument tuples; ``expected(problem, probe, args)`` the
    right answer; ``output`` is ``"array"`` or ``"pair"`` (two arrays returned as a tuple).
    """

    cases: Callable[..., list[tuple]]
    expected: Callable[..., np.ndarray]
    needs: tuple[str, ...] = ()
    output: str = "array"
    variants: tuple[Variant, ...] = field(default_factory=tuple)


def _data_cases(with_targets: bool):
    def cases(problem, probe) -> list[tuple]:
        x, y = problem.data
        return [(w, x, y) if with_targets else (w, x) for w in gradient_points(problem, probe.steps)]

    return cases


def _range_settings(probe) -> tuple[float, float, int]:
    return float(probe.params["lr_min"]), float(probe.params["lr_max"]), int(probe.params["n_steps"])


def _range_curve(problem, probe, spacing: str = "exp", after_update: bool = False) -> np.ndarray:
    """Plain GD with a growing lr, every loss kept (no smoothing, no early stop): lrs then losses."""
    lr_min, lr_max, n_steps = _range_settings(probe)
    test = lr_range_test(sgd(), problem, lr_min, lr_max, n_steps, spacing, smooth_f=1.0, diverge_th=np.inf)
    losses = test.losses
    if after_update:
        losses = run(sgd(), problem, n_steps, schedule=lambda k: test.lrs[k]).losses[1:]
    return np.concatenate([test.lrs, losses])


def _suggestion_cases(problem, probe) -> list[tuple]:
    curve = _range_curve(problem, probe)
    half = len(curve) // 2
    return [(curve[:half], curve[half:])]


def _steepest(lrs, losses, skip_start: int = 0, skip_end: int = 0) -> float:
    window = np.asarray(losses)[skip_start : len(losses) - skip_end]
    return float(np.asarray(lrs)[skip_start : len(losses) - skip_end][np.argmin(np.gradient(window))])


FUNCTIONS: dict[str, FunctionReference] = {
    "linear-predict": FunctionReference(
        _data_cases(False),
        lambda problem, probe, args: linear_predict(args[0], args[1]),
        ("dataset",),
        variants=(
            Variant(
                "w0 and w1 are swapped: w[0] is the intercept, w[1] the slope",
                "w0과 w1이 바뀌었습니다: w[0]이 절편, w[1]이 기울기입니다",
                lambda args, *_: linear_predict(args[0][::-1], args[1]),
            ),
        ),
    ),
    "mse-loss": FunctionReference(
        _data_cases(True),
        lambda problem, probe, args: np.array(problem.loss(args[0])),
        ("dataset",),
        variants=(
            Variant(
                "the squared errors are summed, not averaged (divide by N)",
                "제곱 오차를 평균하지 않고 더했습니다(N으로 나누세요)",
                lambda args, *_: np.sum((linear_predict(args[0], args[1]) - args[2]) ** 2),
            ),
            Variant(
                "this is half the MSE: the lesson's loss has no 1/2",
                "MSE의 절반입니다: 이 수업의 손실에는 1/2이 없습니다",
                lambda args, *_: 0.5 * np.mean((linear_predict(args[0], args[1]) - args[2]) ** 2),
            ),
            Variant(
                "the errors are not squared (or the square root was taken)",
                "오차를 제곱하지 않았거나 제곱근을 취했습니다",
                lambda args, *_: np.sqrt(np.mean((linear_predict(args[0], args[1]) - args[2]) ** 2)),
            ),
        ),
    ),
    "range-test": FunctionReference(
        lambda problem, probe: [(Lent(problem, "loss_and_grad"), np.array(problem.start), *_range_settings(probe))],
        lambda problem, probe, args: _range_curve(problem, probe),
        ("range",),
        output="pair",
        variants=(
            Variant(
                "the lrs are evenly spaced; the range test spaces them geometrically (exponentially)",
                "lr 간격이 균등합니다; 범위 테스트는 lr을 지수적으로(등비) 늘립니다",
                lambda args, problem, probe: _range_curve(problem, probe, spacing="linear"),
            ),
            Variant(
                "each loss is recorded after the update; record it before, at the parameters the lr is tried on",
                "손실을 업데이트 후에 기록했습니다; 업데이트 전 손실을 기록하세요",
                lambda args, problem, probe: _range_curve(problem, probe, after_update=True),
            ),
        ),
    ),
    "suggest-lr": FunctionReference(
        _suggestion_cases,
        lambda problem, probe, args: np.array(suggest_lr(args[0], args[1])),
        ("range",),
        variants=(
            Variant(
                "the first 10 and last 5 points must be skipped before looking for the steepest slope",
                "가장 가파른 기울기를 찾기 전에 처음 10개와 마지막 5개 점을 건너뛰어야 합니다",
                lambda args, *_: np.array(_steepest(args[0], args[1])),
            ),
            Variant(
                "this is the lr of the lowest loss; the suggestion is where the loss falls fastest",
                "손실이 가장 낮은 lr입니다; 제안값은 손실이 가장 빨리 떨어지는 지점입니다",
                lambda args, *_: np.array(np.asarray(args[0])[np.argmin(args[1])]),
            ),
        ),
    ),
}


def _as_output(value, reference: FunctionReference, what: str) -> np.ndarray:
    """The student's result as one flat array: a pair (lrs, losses) or a (2, n) array for a pair."""
    parts = value if isinstance(value, list) else [value]
    if reference.output == "pair":
        if len(parts) == 1 and parts[0].ndim == 2 and parts[0].shape[0] == 2:
            parts = list(parts[0])
        if len(parts) != 2:
            raise SubmissionError(f"{what} must return two arrays (lrs, losses)", kind="returned")
    elif len(parts) != 1:
        raise SubmissionError(f"{what} returned {len(parts)} arrays, expected one", kind="returned")
    return np.concatenate([np.ravel(part) for part in parts])


def _function_probe(check, probe, question, student_code, language) -> ProbeOutcome:
    """The student's function on the reference's inputs, case by case."""
    reference, problem = FUNCTIONS[question.reference], get_problem(probe.problem)
    name = f"{question.symbols['main']}()"
    cases = reference.cases(problem, probe)
    expected = [np.ravel(reference.expected(problem, probe, args)) for args in cases]
    observed = observe(student_code, "call_each", question, cases)
    student = [_as_output(value, reference, name) for value in observed.result]
    for mine, theirs in zip(student, expected, strict=True):
        if mine.shape != theirs.shape:
            message = f"{name} returned {mine.size} number(s), expected {theirs.size}"
            return ProbeOutcome(probe, False, f"{probe.label}: {message}")
    tolerance = tolerance_for(check, observed.dtypes)
    comparison = compare_sequences(np.array(student), np.array(expected), tolerance)
    if comparison.passed:
        return ProbeOutcome(probe, True, f"{probe.label}: matches the reference on {len(cases)} input(s)", comparison)
    for variant in reference.variants:
        produced = [np.ravel(variant.compute(args, problem, probe)) for args in cases]
        if all(matches(m, p, tolerance) for m, p in zip(student, produced, strict=True)):
            diagnosis = Diagnosis(None, variant.explanation(language))
            return ProbeOutcome(probe, False, f"{probe.label}: {diagnosis.message}", comparison, diagnosis)
    bad = comparison.first_bad_step
    where = f"입력 {bad}에서 기준과 다릅니다" if language == "ko" else f"differs from the reference on input {bad}"
    return ProbeOutcome(probe, False, f"{probe.label}: {where}{_shown(student[bad], expected[bad])}", comparison)


def _shown(mine: np.ndarray, theirs: np.ndarray) -> str:
    if mine.size > 4:
        return ""
    return f" (yours {np.array2string(mine, precision=6)}, expected {np.array2string(theirs, precision=6)})"


def _validate_function_probe(probe, question) -> None:
    require(question.reference in FUNCTIONS, f"reference must be one of {', '.join(FUNCTIONS)}")
    require(probe.problem in PROBLEMS, f"unknown problem {probe.problem!r}")
    needs = FUNCTIONS[question.reference].needs
    if "dataset" in needs:
        require(get_problem(probe.problem).data is not None, f"{probe.problem} is not a dataset problem")
    if "range" in needs:
        for key in ("lr_min", "lr_max", "n_steps"):
            require(key in probe.params, f"range-test probes need params.{key}")


# --- mini-batch loops ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchPlan:
    """One mini-batch run: the batches the reference uses and how they were drawn."""

    batches: list
    batch_size: int
    epochs: int
    seed: int

    def to_data(self) -> dict:
        """What the student's side gets: the batches, their size, the epochs and the seed."""
        return {"batches": self.batches, "batch_size": self.batch_size, "epochs": self.epochs, "seed": self.seed}


def _plan(problem, probe) -> BatchPlan:
    batch_size, epochs, seed = (int(probe.params[k]) for k in ("batch_size", "epochs", "seed"))
    batches = epoch_batches(problem.n_samples, batch_size, epochs, np.random.default_rng(seed))
    return BatchPlan(batches, batch_size, epochs, seed)


def _every_epoch(params: np.ndarray, batch_count: int, epochs: int) -> np.ndarray:
    return params[:: batch_count // epochs]


def _minibatch_probe(check, probe, question, student_code, language) -> ProbeOutcome:
    """SGD over the reference's batches: every update, or the parameters after every epoch."""
    problem, lr = get_problem(probe.problem), probe.lr
    plan = _plan(problem, probe)
    reference = run(sgd(lr=lr), problem, len(plan.batches), batches=plan.batches).params
    observed = observe(student_code, "batch_run", question, problem, lr, plan.to_data(), np.array(problem.start))
    student = observed.result
    per_update = student.shape[0] == len(plan.batches) + 1
    expected = reference if per_update else _every_epoch(reference, len(plan.batches), plan.epochs)
    tolerance = tolerance_for(check, observed.dtypes)
    comparison = compare_sequences(student, expected, tolerance)
    plot = series("params", student, expected, probe.problem)
    if comparison.passed:
        return ProbeOutcome(probe, True, f"{probe.label}: matches the reference", comparison, series=plot)
    candidates = [] if per_update else mistakes_for("minibatch")

    def produce(mistake):
        rng = np.random.default_rng(plan.seed)
        batches = mistake.build(problem.n_samples, plan.batch_size, plan.epochs, rng)
        params = run(sgd(lr=lr), problem, len(batches), batches=batches).params
        return _every_epoch(params, len(batches), plan.epochs)

    diagnosis = diagnose(candidates, produce, student, expected, comparison, tolerance, language)
    return ProbeOutcome(probe, False, f"{probe.label}: {diagnosis.message}", comparison, diagnosis, plot)


def _validate_minibatch_probe(probe, question) -> None:
    require(probe.problem in PROBLEMS and get_problem(probe.problem).is_dataset, "needs a dataset problem")
    require(probe.lr is not None, "mini-batch probes need an lr")
    for key in ("batch_size", "epochs", "seed"):
        require(key in probe.params, f"mini-batch probes need params.{key}")
    size, epochs = int(probe.params["batch_size"]), int(probe.params["epochs"])
    require(size >= 1 and epochs >= 1, f"batch_size and epochs must be >= 1, got {size} and {epochs}")


# --- PyTorch training loops ------------------------------------------------------------------------

_TRAINING_MISTAKES = {
    "sgd-no-zero-grad": {"zero_grad": False},
    "scheduler-step-before-optimizer": {"scheduler_first": True},
}


def _training_setup(probe) -> dict:
    from reference.torch_mirror import training_setup

    params = probe.params
    return training_setup(
        params["optimizer"], float(probe.lr), probe.steps, probe.hparams, int(params.get("seed", 0)),
        int(params.get("n_samples", 64)), params.get("scheduler"), params.get("scheduler_params"),
    )  # fmt: skip


def _training_probe(check, probe, question, student_code, language) -> ProbeOutcome:
    """The student's training loop on the reference MLP and data: the losses it returns."""
    from reference.torch_mirror import setup_training_losses

    setup = _training_setup(probe)
    key = f"{question.id}|{probe!r}|training"
    expected = remembered_array(key, lambda: setup_training_losses(setup))
    observed = observe(student_code, "training_losses", question, setup)
    student = observed.result
    tolerance = tolerance_for(check, observed.dtypes)
    comparison = compare_sequences(student, expected, tolerance)
    plot = series("losses", student, expected)
    if comparison.passed:
        return ProbeOutcome(probe, True, f"{probe.label}: losses match the reference", comparison, series=plot)
    candidates = [get_mistake(key) for key in _TRAINING_MISTAKES if setup["scheduler"] or "scheduler" not in key]

    def produce(mistake):
        return setup_training_losses(setup, **_TRAINING_MISTAKES[mistake.id])

    diagnosis = diagnose(
        candidates, remembered_per_mistake(produce, key), student, expected, comparison, tolerance, language
    )
    return ProbeOutcome(probe, False, f"{probe.label}: {diagnosis.message}", comparison, diagnosis, plot)


def _validate_training_probe(probe, question) -> None:
    import torch

    require(probe.lr is not None, "training probes need an lr")
    name = probe.params.get("optimizer")
    require(isinstance(getattr(torch.optim, str(name), None), type), f"params.optimizer {name!r} is not in torch.optim")
    scheduler = probe.params.get("scheduler")
    if scheduler:
        found = getattr(torch.optim.lr_scheduler, str(scheduler), None)
        require(isinstance(found, type), f"params.scheduler {scheduler!r} is not in torch.optim.lr_scheduler")


register("function", ("function",), _function_probe, _validate_function_probe)
register("minibatch", ("batch-runner",), _minibatch_probe, _validate_minibatch_probe)
register("training", ("training",), _training_probe, _validate_training_probe)
