"""Calling conventions: how a student's code is called, turned into gdgrade's own objects.

Each convention belongs to a family, and builds the object that family's checks use:

* ``optimizer``: a :class:`reference.optimizers.Optimizer` wrapping the student's code,
  so replay and closed-loop checks run it exactly like the reference;
* ``closed-loop``: ``run(problem, lrs, start) -> params``, for code that takes a gradient
  function rather than a gradient (look-ahead Nesterov, a whole GD loop);
* ``schedule``: ``lr(step)``; ``gradient``: ``grad(w)`` for a probe's problem;
* ``batches``: ``make(n, batch_size, rng) -> list of index arrays``; ``value``: a variable;
* ``function``: ``call(*args) -> the student's raw result``, for checks that choose the inputs;
* ``batch-runner``: ``run(problem, lr, plan, start) -> params`` for a mini-batch loop;
* ``training``: ``losses(setup) -> array`` for a PyTorch training loop.

Hyperparameters arrive with torch's names; ``question.names`` renames them to the
student's (``lr = "learning_rate"``, ``betas = ["beta1", "beta2"]``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograder import kernel_runtime
from autograder.errors import SubmissionError
from autograder.guard import Guard
from reference import transforms as tx
from reference.optimizers import Optimizer
from reference.problems import Problem


def student_kwargs(hparams: dict[str, Any], names: dict[str, Any]) -> dict[str, Any]:
    """Rename torch-named hyperparameters to the student's names; a list splits a tuple."""
    renamed = {}
    for key, value in hparams.items():
        target = names.get(key, key)
        if isinstance(target, (list, tuple)):
            renamed.update(zip(target, value, strict=True))
        elif target:
            renamed[target] = value
    return renamed


def lookup(namespace: dict[str, Any], name: str) -> Any:
    """The student's symbol, or a SubmissionError saying it is missing."""
    if name not in namespace:
        raise SubmissionError(f"{name} is not defined")
    return namespace[name]


def helper(namespace, name: str):
    """A kernel-runtime helper: run in the kernel when the namespace lives there."""
    remote = getattr(namespace, "helper", None)
    return remote(name) if remote is not None else kernel_runtime.HELPERS[name]


def value_of(namespace, name: str):
    """A variable's value (fetched as plain data from a sandboxed kernel)."""
    lookup(namespace, name)
    remote = getattr(namespace, "value", None)
    return remote(name) if remote is not None else namespace[name]


@dataclass(frozen=True)
class Convention:
    """A calling convention: its family, the symbol roles it needs, and its builder.

    ``teacher_state(reference_state, question, hparams)`` translates a reference state into
    the student's state format, where that format is known (for one-step checks).
    """

    name: str
    family: str
    roles: tuple[str, ...]
    build: Callable[..., Any]
    teacher_state: Callable[..., Any] | None = None

    def validate(self, question, where) -> None:
        """Raise SpecError when the question's symbols do not fit this convention."""
        missing = [role for role in self.roles if role not in question.symbols]
        if self.roles == ("main",) and "main" not in question.symbols:
            raise where.error("symbol", f'convention {self.name} takes one name, e.g. symbol = "adam"')
        if missing:
            raise where.error("symbol", f"convention {self.name} needs a table with: {', '.join(self.roles)}")


# --- optimizer family ------------------------------------------------------------------------


def _functional(namespace, question, hparams: dict, guard: Guard) -> Optimizer:
    """(a) ``init(w) -> state``; ``step(w, g, state, **hparams) -> (w_new, state_new)``."""
    init_fn, step_fn = (
        lookup(namespace, question.symbols["init"]),
        lookup(namespace, question.symbols["step"]),
    )
    names, step_name = question.names, question.symbols["step"]

    def init(theta):
        return guard.call(f"{question.symbols['init']}()", init_fn, theta.copy())

    def update(theta, grad, state, lr):
        kwargs = student_kwargs({**hparams, "lr": lr}, names)
        given = theta.copy(), grad.copy()
        result = guard.call(f"{step_name}()", step_fn, *given, state, **kwargs)
        guard.watch(f"{step_name}()", (given[0], theta), (given[1], grad))
        new_theta, new_state = _pair(result, step_name)
        return guard.array(new_theta, f"{step_name}()", theta.shape), new_state

    return Optimizer(question.reference, hparams.get("lr", 0.0), init, update)


def _pair(result, name: str):
    if not isinstance(result, tuple) or len(result) < 2:
        raise SubmissionError(f"{name}() must return (new_w, new_state), got {type(result).__name__}")
    return result[0], result[1]


def _cs231n(namespace, question, hparams: dict, guard: Guard) -> Optimizer:
    """(b) CS231n: ``rule(w, dw, config) -> (next_w, config)``; config carries the state."""
    rule, name = lookup(namespace, question.symbols["main"]), question.symbols["main"]
    lr_key = question.names.get("lr", "learning_rate")

    def init(theta):
        return student_kwargs(hparams, {"lr": lr_key, **question.names})

    def update(theta, grad, config, lr):
        config = {**config, lr_key: lr}
        given = theta.copy(), grad.copy()
        next_w, config = _pair(guard.call(f"{name}()", rule, *given, config), name)
        guard.watch(f"{name}()", (given[0], theta), (given[1], grad))
        if not isinstance(config, dict):
            raise SubmissionError(f"{name}() must return its config dict second")
        return guard.array(next_w, f"{name}()", theta.shape), config

    return Optimizer(question.reference, hparams.get("lr", 0.0), init, update)


def dlai_layer(theta: np.ndarray, prefix: str = "") -> dict[str, np.ndarray]:
    """A flat [w0, w1, ...] as one layer: b1 = w0 (1, 1), W1 = the rest as (1, d - 1)."""
    return {f"{prefix}W1": theta[1:].reshape(1, -1).copy(), f"{prefix}b1": theta[:1].reshape(1, 1).copy()}


def _from_dlai(parameters, what: str, guard: Guard, size: int) -> np.ndarray:
    if not isinstance(parameters, dict) or not {"W1", "b1"} <= set(parameters):
        raise SubmissionError(f"{what} must return the parameters dict with W1 and b1")
    bias = guard.array(parameters["b1"], what, (1, 1))
    weights = guard.array(parameters["W1"], what, (1, size - 1))
    return np.concatenate([bias.ravel(), weights.ravel()])


def _dlai(namespace, question, hparams: dict, guard: Guard) -> Optimizer:
    """(c) deeplearning.ai's ``update_parameters_with_*`` over W1/b1 and dW1/db1 dicts."""
    update_fn, name = lookup(namespace, question.symbols["main"]), question.symbols["main"]
    init_fn = lookup(namespace, question.symbols["init"]) if "init" in question.symbols else None
    names = {"lr": "learning_rate", "momentum": "beta", "betas": ["beta1", "beta2"], "eps": "epsilon"}
    names.update(question.names)

    def init(theta):
        if init_fn is None:
            return (0, ())
        moments = guard.call(f"{question.symbols['init']}()", init_fn, dlai_layer(theta))
        return (0, moments if isinstance(moments, tuple) else (moments,))

    def update(theta, grad, state, lr):
        t, moments = state[0] + 1, state[1]
        kwargs = student_kwargs({**hparams, "lr": lr}, names)
        extra = (*moments, t) if question.reference == "adam" else moments
        result = guard.call(f"{name}()", update_fn, dlai_layer(theta), dlai_layer(grad, "d"), *extra, **kwargs)
        parameters, *rest = result if isinstance(result, tuple) else (result,)
        moments = tuple(rest[: len(moments)])
        return _from_dlai(parameters, f"{name}()", guard, theta.size), (t, moments)

    return Optimizer(question.reference, hparams.get("lr", 0.0), init, update)


def _stateful_class(namespace, question, hparams: dict, guard: Guard) -> Optimizer:
    """(d) ``opt = Cls(**hparams)``; ``w_new = opt.step(w, g)``; the lr is set as an attribute."""
    cls, name = lookup(namespace, question.symbols["main"]), question.symbols["main"]
    lr_attribute = question.names.get("lr", "lr")

    def init(theta):
        return guard.call(f"{name}()", cls, **student_kwargs(hparams, question.names))

    def update(theta, grad, instance, lr):
        guard.call(f"setting {name}.{lr_attribute}", setattr, instance, lr_attribute, lr)
        given = theta.copy(), grad.copy()
        new_theta = guard.call(f"{name}.step()", instance.step, *given)
        guard.watch(f"{name}.step()", (given[0], theta), (given[1], grad))
        return guard.array(new_theta, f"{name}.step()", theta.shape), instance

    return Optimizer(question.reference, hparams.get("lr", 0.0), init, update)


def _torch_optimizer(namespace, question, hparams: dict, guard: Guard) -> Optimizer:
    """(e) a ``torch.optim.Optimizer`` subclass, driven by setting ``p.grad`` and ``step()``."""
    cls, name = lookup(namespace, question.symbols["main"]), question.symbols["main"]
    start, step = helper(namespace, "torch_optimizer_start"), helper(namespace, "torch_optimizer_step")

    def init(theta):
        return guard.call(f"{name}()", start, cls, theta, student_kwargs(hparams, question.names))

    def update(theta, grad, state, lr):
        new_theta = guard.call(f"{name}.step()", step, state, theta, grad, lr)
        return guard.array(new_theta, f"{name}.step()", theta.shape), state

    return Optimizer(question.reference, hparams.get("lr", 0.0), init, update)


# --- the known state formats, for teacher-forced one-step checks ---------------------------------


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


# --- closed-loop family ------------------------------------------------------------------------


def _look_ahead(namespace, question, hparams: dict, guard: Guard):
    """``init(w) -> state``; ``step(w, grad_fn, state, **hparams) -> (w_new, state_new)``."""
    init_fn, step_fn = (
        lookup(namespace, question.symbols["init"]),
        lookup(namespace, question.symbols["step"]),
    )
    step_name = question.symbols["step"]

    def run(problem: Problem, lrs: np.ndarray, start: np.ndarray) -> np.ndarray:
        theta = start.copy()
        state, path = guard.call(f"{question.symbols['init']}()", init_fn, theta.copy()), [theta]
        for lr in lrs:
            kwargs = student_kwargs({**hparams, "lr": lr}, question.names)
            theta, state = _pair(
                guard.call(f"{step_name}()", step_fn, theta.copy(), problem.grad, state, **kwargs), step_name
            )
            path.append(theta := guard.array(theta, f"{step_name}()", start.shape))
        return np.array(path)

    return run


def _gd_runner(namespace, question, hparams: dict, guard: Guard):
    """``run(grad_fn, w0, lr, n_steps) -> (n_steps + 1, d)`` trajectory, w0 first."""
    runner, name = lookup(namespace, question.symbols["main"]), question.symbols["main"]

    def run(problem: Problem, lrs: np.ndarray, start: np.ndarray) -> np.ndarray:
        given = start.copy()
        result = guard.call(f"{name}()", runner, problem.grad, given, float(lrs[0]), len(lrs))
        guard.watch(f"{name}()", (given, start))
        return guard.array(result, f"{name}()", (len(lrs) + 1, start.size))

    return run


def _schedule_runner(namespace, question, hparams: dict, guard: Guard):
    """``run(grad_fn, w0, schedule, n_steps) -> (n_steps + 1, d)``; update k uses ``schedule(k)``."""
    runner, name = lookup(namespace, question.symbols["main"]), question.symbols["main"]

    def run(problem: Problem, lrs: np.ndarray, start: np.ndarray) -> np.ndarray:
        given, schedule = start.copy(), kernel_runtime.LrTable(lrs)
        result = guard.call(f"{name}()", runner, problem.grad, given, schedule, len(lrs))
        guard.watch(f"{name}()", (given, start))
        return guard.array(result, f"{name}()", (len(lrs) + 1, start.size))

    return run


# --- mini-batch loops and PyTorch training ---------------------------------------------------------


@dataclass(frozen=True)
class BatchPlan:
    """One mini-batch run: the batches the reference uses and how they were drawn."""

    batches: list
    batch_size: int
    epochs: int
    seed: int


def _minibatch_runner(namespace, question, hparams: dict, guard: Guard):
    """``f(grad_fn, w0, lr, batches) -> (len(batches) + 1, d)`` with ``grad_fn(w, idx)``."""
    runner, name = lookup(namespace, question.symbols["main"]), question.symbols["main"]

    def run(problem: Problem, lr: float, plan: BatchPlan, start: np.ndarray) -> np.ndarray:
        result = guard.call(f"{name}()", runner, problem.grad_on, start.copy(), lr, [b.copy() for b in plan.batches])
        return guard.array(result, f"{name}()", (len(plan.batches) + 1, start.size))

    return run


def _epoch_runner(namespace, question, hparams: dict, guard: Guard):
    """``f(grad_fn, w0, lr, n, batch_size, n_epochs, rng) -> (n_epochs + 1, d)``, one row per epoch."""
    runner, name = lookup(namespace, question.symbols["main"]), question.symbols["main"]

    def run(problem: Problem, lr: float, plan: BatchPlan, start: np.ndarray) -> np.ndarray:
        rng = np.random.default_rng(plan.seed)
        arguments = (problem.grad_on, start.copy(), lr, problem.n_samples, plan.batch_size, plan.epochs, rng)
        result = guard.call(f"{name}()", runner, *arguments)
        return guard.array(result, f"{name}()", (plan.epochs + 1, start.size))

    return run


def _torch_train(namespace, question, hparams: dict, guard: Guard):
    """``train(model, optimizer, loss_fn, X, y, n_steps, scheduler) -> losses``, run in the kernel."""
    train, name = lookup(namespace, question.symbols["main"]), question.symbols["main"]
    run = helper(namespace, "torch_train_losses")

    def losses(setup: dict) -> np.ndarray:
        return guard.array(guard.call(f"{name}()", run, train, setup), f"{name}()", (setup["n_steps"],))

    return losses


def _function(namespace, question, hparams: dict, guard: Guard):
    """Any function the check calls with inputs of its choosing; returns the raw result."""
    function, name = lookup(namespace, question.symbols["main"]), question.symbols["main"]
    return lambda *args: guard.call(f"{name}()", function, *args)


# --- schedules, gradients, batches, values -----------------------------------------------------------


def _schedule_function(namespace, question, params: dict, guard: Guard):
    """(f) ``f(step, **params) -> lr`` with a 0-based step; returns ``lrs(n_steps)``."""
    function, name = lookup(namespace, question.symbols["main"]), question.symbols["main"]
    kwargs = student_kwargs(params, question.names)

    def lr_at(step: int) -> float:
        return float(guard.array(guard.call(f"{name}({step})", function, step, **kwargs), f"{name}()", ()))

    return lambda n_steps: np.array([lr_at(step) for step in range(n_steps)])


def _torch_scheduler(namespace, question, params: dict, guard: Guard):
    """(f) a torch scheduler class ``Cls(optimizer, **params)``, stepped after each update."""
    cls, name = lookup(namespace, question.symbols["main"]), question.symbols["main"]
    params = dict(params)
    lr = params.pop("lr", params.get("max_lr", params.get("base_lr", 0.1)))
    run = helper(namespace, "torch_scheduler_lrs")
    kwargs = student_kwargs(params, question.names)
    return lambda n_steps: guard.array(guard.call(f"{name}()", run, cls, lr, kwargs, n_steps), f"{name}", (n_steps,))


def _gradient_function(namespace, question, problem: Problem, guard: Guard):
    """(h) ``grad(w)`` for a surface, ``grad(w, x, y)`` for a dataset problem."""
    function, name = lookup(namespace, question.symbols["main"]), question.symbols["main"]
    data = problem.data if problem.data is not None else ()
    return lambda w: guard.array(guard.call(f"{name}()", function, w.copy(), *data), f"{name}()", w.shape)


def _numerical_gradient(namespace, question, problem: Problem, guard: Guard):
    """``numerical_grad(f, w, h)``: central differences of the problem's loss."""
    function, name = lookup(namespace, question.symbols["main"]), question.symbols["main"]
    return lambda w: guard.array(guard.call(f"{name}()", function, problem.loss, w.copy()), f"{name}()", w.shape)


def _batches(namespace, question, hparams: dict, guard: Guard):
    """``make_batches(n, batch_size, rng) -> [index arrays]`` for one epoch."""
    function, name = lookup(namespace, question.symbols["main"]), question.symbols["main"]

    def make(n: int, batch_size: int, rng) -> list[np.ndarray]:
        batches = guard.call(f"{name}()", function, n, batch_size, rng)
        try:
            return [np.asarray(batch).astype(int).ravel() for batch in batches]
        except (TypeError, ValueError):
            raise SubmissionError(f"{name}() must return a list of index arrays") from None

    return make


def _variable(namespace, question, hparams: dict, guard: Guard):
    """(g) a notebook variable: an array or list of losses, parameters or lrs."""
    name = question.symbols["main"]
    return guard.array(value_of(namespace, name), name)


CONVENTIONS: dict[str, Convention] = {
    convention.name: convention
    for convention in (
        Convention("functional", "optimizer", ("init", "step"), _functional),
        Convention("cs231n", "optimizer", ("main",), _cs231n, _cs231n_config),
        Convention("dlai", "optimizer", ("main",), _dlai, _dlai_state),
        Convention("stateful-class", "optimizer", ("main",), _stateful_class),
        Convention("torch-optimizer", "optimizer", ("main",), _torch_optimizer),
        Convention("functional-look-ahead", "closed-loop", ("init", "step"), _look_ahead),
        Convention("gd-runner", "closed-loop", ("main",), _gd_runner),
        Convention("schedule-function", "schedule", ("main",), _schedule_function),
        Convention("torch-scheduler", "schedule", ("main",), _torch_scheduler),
        Convention("gradient-function", "gradient", ("main",), _gradient_function),
        Convention("numerical-gradient", "gradient", ("main",), _numerical_gradient),
        Convention("batches", "batches", ("main",), _batches),
        Convention("variable", "value", ("main",), _variable),
        Convention("schedule-runner", "closed-loop", ("main",), _schedule_runner),
        Convention("minibatch-runner", "batch-runner", ("main",), _minibatch_runner),
        Convention("epoch-runner", "batch-runner", ("main",), _epoch_runner),
        Convention("torch-train", "training", ("main",), _torch_train),
        Convention("function", "function", ("main",), _function),
    )
}
