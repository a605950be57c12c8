"""Synthetic students, made from the reference and from the mistakes catalog.

They let gdgrade grade itself: the reference written in every calling convention must
score full marks, and each catalog mistake written as a student must fail and be named.
``benchmarks/diagnosis_accuracy.py`` and the engine tests both use them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograder.assignment import parse_spec
from autograder.spec import AssignmentSpec
from reference.functions import FUNCTIONS
from reference.mistakes import MISTAKES, Mistake, mistakes_for
from reference.optimizers import OPTIMIZERS, Optimizer, get_optimizer
from reference.problems import get_problem
from reference.schedules import make_schedule

OptimizerFactory = Callable[..., Optimizer]

# --- the reference (or a mistake) written in each optimizer convention ----------------------------


def functional_student(factory: OptimizerFactory, fixed: dict | None = None) -> dict[str, Any]:
    """``opt_init(w)`` / ``opt_step(w, g, state, lr, **hparams)`` around an optimizer factory."""
    fixed = fixed or {}

    def opt_init(w):
        return factory(**fixed).init(w)

    def opt_step(w, g, state, lr=1e-3, **hparams):
        return factory(lr=lr, **{**fixed, **hparams}).update(w, g, state, lr)

    return {"opt_init": opt_init, "opt_step": opt_step}


def cs231n_student(factory: OptimizerFactory) -> dict[str, Any]:
    """``rule(w, dw, config) -> (next_w, config)``; the state rides in ``config['state']``."""

    def rule(w, dw, config=None):
        config = dict(config or {})
        lr = config.pop("learning_rate")
        state = config.pop("state", None)
        optimizer = factory(lr=lr, **config)
        next_w, state = optimizer.update(w, dw, optimizer.init(w) if state is None else state, lr)
        return next_w, {**config, "learning_rate": lr, "state": state}

    return {"rule": rule}


def stateful_class_student(factory: OptimizerFactory) -> dict[str, Any]:
    """``Opt(lr=..., **hparams)`` with ``step(w, g) -> w_new`` and an ``lr`` attribute."""

    class Opt:
        def __init__(self, lr=1e-3, **hparams):
            self.lr, self.hparams, self.state = lr, hparams, None

        def step(self, w, g):
            optimizer = factory(lr=self.lr, **self.hparams)
            if self.state is None:
                self.state = optimizer.init(w)
            new_w, self.state = optimizer.update(w, g, self.state, self.lr)
            return new_w

    return {"Opt": Opt}


def torch_optimizer_student(factory: OptimizerFactory) -> dict[str, Any]:
    """A ``torch.optim.Optimizer`` subclass that runs the numpy optimizer on each parameter."""
    import torch

    class NumpyBacked(torch.optim.Optimizer):
        def __init__(self, params, lr=1e-3, **hparams):
            super().__init__(params, {"lr": lr, **hparams})

        @torch.no_grad()
        def step(self, closure=None):
            for group in self.param_groups:
                hparams = {k: v for k, v in group.items() if k not in ("params", "lr")}
                optimizer = factory(lr=group["lr"], **hparams)
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    w = p.detach().numpy()
                    state = self.state[p].get("numpy", optimizer.init(w))
                    new_w, self.state[p]["numpy"] = optimizer.update(w, p.grad.numpy(), state, group["lr"])
                    p.copy_(torch.from_numpy(new_w))

    return {"NumpyBacked": NumpyBacked}


# --- specs that exercise a whole target ------------------------------------------------------------


def _optimizer_probes(target: str, mistakes: list[Mistake]) -> list[dict]:
    """One plain probe plus the discriminating probe of every mistake of ``target``."""
    probes = [{"problem": "tricky", "steps": 12, "lr": 0.05, "label": "plain"}]
    for mistake in mistakes:
        probe = mistake.probe
        entry = {"problem": probe.problem, "steps": probe.n_steps, "lr": probe.lr, "label": mistake.id}
        entry.update(hparams=dict(probe.hparams), grad_scale=probe.grad_scale)
        if probe.schedule:
            entry["schedule"] = {"name": probe.schedule[0], "params": dict(probe.schedule[1])}
        probes.append(entry)
    return probes


def optimizer_spec(
    target: str, convention: str, symbol, mistakes: list[Mistake], kind: str = "replay"
) -> AssignmentSpec:
    """A one-question spec grading ``target`` with probes that tell its mistakes apart."""
    question = {
        "id": target,
        "convention": convention,
        "symbol": symbol,
        "reference": target,
        "checks": [{"kind": kind, "points": 1, "probes": _optimizer_probes(target, mistakes)}],
    }
    if convention == "cs231n":
        question["names"] = {"lr": "learning_rate"}
    return parse_spec({"id": f"synthetic-{target}", "questions": [question]})


def schedule_spec(name: str, params: dict, steps: int) -> AssignmentSpec:
    """A one-question spec for a schedule function ``lr_at(step, **params)``."""
    question = {
        "id": name,
        "convention": "schedule-function",
        "symbol": "lr_at",
        "reference": name,
        "checks": [{"kind": "schedule", "points": 1, "probes": [{"steps": steps, "params": params}]}],
    }
    return parse_spec({"id": f"synthetic-{name}", "questions": [question]})


def schedule_student(schedule_fn: Callable[..., Callable[[int], float]]) -> dict[str, Any]:
    """``lr_at(step, **params)`` from a schedule builder ``(name, **params) -> f(step)``."""
    return {"lr_at": lambda step, **params: schedule_fn(**params)(step)}


def optimizer_names() -> list[str]:
    """Every reference optimizer that takes a plain gradient (look-ahead Nesterov does not)."""
    return [name for name in OPTIMIZERS if name != "nesterov"]


def reference_factory(name: str) -> OptimizerFactory:
    """``(**hparams) -> Optimizer`` for a reference optimizer."""
    return lambda **hparams: get_optimizer(name, **hparams)


def lesson_schedule(name: str) -> Callable[..., Callable[[int], float]]:
    """``(**params) -> f(step)`` for a reference schedule."""
    return lambda **params: make_schedule(name, **params)


def as_float32(namespace: dict[str, Any], step_name: str) -> dict[str, Any]:
    """The same functional student, computing and returning float32 (a common student setup)."""
    step = namespace[step_name]

    def step32(w, g, state, lr=1e-3, **hparams):
        new_w, state = step(np.float32(w).astype(np.float64), np.float32(g).astype(np.float64), state, lr, **hparams)
        return new_w.astype(np.float32), state

    return {**namespace, step_name: step32}


def look_ahead_student(factory: OptimizerFactory) -> dict[str, Any]:
    """``opt_init(w)`` / ``opt_step(w, grad_fn, state, lr, **hparams)``: takes the gradient itself."""

    def opt_init(w):
        return factory().init(w)

    def opt_step(w, grad_fn, state, lr=1e-3, **hparams):
        optimizer = factory(lr=lr, **hparams)
        return optimizer.update(w, grad_fn(optimizer.gradient_point(w, state)), state, lr)

    return {"opt_init": opt_init, "opt_step": opt_step}


# --- every catalog mistake as a student -----------------------------------------------------------

FUNCTIONAL = {"init": "opt_init", "step": "opt_step"}


def _optimizer_case(mistake: Mistake):
    candidates = [m for m in mistakes_for(mistake.target) if m.kind == "optimizer"]
    factory = lambda **hparams: mistake.build(**hparams, **mistake.probe.knobs)  # noqa: E731
    if mistake.target == "nesterov":
        return optimizer_spec(
            "nesterov", "functional-look-ahead", FUNCTIONAL, candidates, "closed-loop"
        ), look_ahead_student(factory)
    return optimizer_spec(mistake.target, "functional", FUNCTIONAL, candidates), functional_student(factory)


def _schedule_case(mistake: Mistake):
    name, params = mistake.probe.schedule
    variant = lambda **p: mistake.build(name, **p, **mistake.probe.knobs)  # noqa: E731
    return schedule_spec(name, params, mistake.probe.n_steps), schedule_student(variant)


def _loop_case(mistake: Mistake):
    probe = mistake.probe
    problem = get_problem(probe.problem)
    question = {
        "id": "gradient_descent",
        "convention": "gd-runner",
        "symbol": "gradient_descent",
        "reference": "sgd",
        "checks": [
            {
                "kind": "closed-loop",
                "points": 1,
                "probes": [{"problem": probe.problem, "steps": probe.n_steps, "lr": probe.lr}],
            }
        ],
    }

    def gradient_descent(grad_fn, w0, lr, n_steps):
        return mistake.build(problem, lr, n_steps).params

    return parse_spec({"id": "synthetic-gd", "questions": [question]}), {"gradient_descent": gradient_descent}


def _batching_case(mistake: Mistake):
    params = {"n": 10, "batch_size": 3, "epochs": 2, "seed": 0}
    question = {
        "id": "make_batches",
        "convention": "batches",
        "symbol": "make_batches",
        "reference": "minibatch",
        "checks": [{"kind": "property", "points": 1, "probes": [{"params": params}]}],
    }
    epochs: list = []

    def make_batches(n, batch_size, rng):
        if not epochs:
            batches = mistake.build(n, batch_size, params["epochs"], rng)
            per_epoch = len(batches) // params["epochs"]
            epochs.extend(batches[i : i + per_epoch] for i in range(0, len(batches), per_epoch))
        return epochs.pop(0)

    return parse_spec({"id": "synthetic-batches", "questions": [question]}), {"make_batches": make_batches}


def _function_case(mistake: Mistake):
    probe = mistake.probe
    problem, pair = get_problem(probe.problem), FUNCTIONS[mistake.target].output == "pair"
    question = {
        "id": "f", "convention": "function", "symbol": "f", "reference": mistake.target,
        "checks": [{"kind": "function", "points": 1,
                    "probes": [{"problem": probe.problem, "steps": probe.n_steps, "params": probe.hparams}]}],
    }  # fmt: skip

    def f(*args):
        numbers = np.ravel(mistake.build(args, problem, probe.hparams))
        return (numbers[: len(numbers) // 2], numbers[len(numbers) // 2 :]) if pair else numbers

    return parse_spec({"id": "synthetic-function", "questions": [question]}), {"f": f}


CASES = {
    "function": _function_case,
    "optimizer": _optimizer_case,
    "schedule": _schedule_case,
    "loop": _loop_case,
    "batching": _batching_case,
}


def mistake_case(mistake: Mistake) -> tuple[AssignmentSpec, dict[str, Any]]:
    """A spec and a student namespace that commits ``mistake``."""
    return CASES[mistake.kind](mistake)


def diagnosis_report() -> list[tuple[str, str | None, float, float]]:
    """For every catalog mistake: (id, the id diagnosed, score, max score)."""
    from autograder.engine.grade import grade

    rows = []
    for mistake in MISTAKES:
        spec, namespace = mistake_case(mistake)
        result = grade(spec, namespace)
        failed = [check for check in result.checks if not check.passed]
        diagnosed = failed[0].diagnosis.id if failed and failed[0].diagnosis else None
        rows.append((mistake.id, diagnosed, result.score, result.max_score))
    return rows
