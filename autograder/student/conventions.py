"""Calling conventions: how a question's student code is called, and nothing more.

Each convention belongs to a family and builds the object its operations drive:

* ``optimizer``: a :class:`Stepper` (``init(theta) -> state``, ``update(theta, grad, state,
  lr) -> (theta, state)``) around the student's code;
* ``closed-loop``: ``run(surface, lrs, start) -> params``, for code that takes a gradient
  function itself (look-ahead Nesterov, a whole gradient-descent loop);
* ``schedule``: ``lrs(n_steps)``; ``gradient``: ``grad(w)`` on a surface;
* ``batches``: ``make(n, batch_size, rng)``; ``value``: a notebook variable;
* ``function``: ``call(*args)`` with inputs a check chooses;
* ``batch-runner``: ``run(surface, lr, plan, start) -> params`` for a mini-batch loop;
* ``training``: ``losses(setup)`` for a PyTorch training loop.

Hyperparameters arrive with torch's names; ``question["names"]`` renames them to the
student's (``lr = "learning_rate"``, ``betas = ["beta1", "beta2"]``). A *surface* is what
the grader lends for a loss: an object with ``loss``, ``grad``, ``grad_on``,
``loss_and_grad``, ``n_samples`` and ``data``, whose functions are callbacks to the grader.
"""

from __future__ import annotations

import numpy as np

from . import torch_side
from .calls import Calls, StudentCodeError


def student_kwargs(hparams: dict, names: dict) -> dict:
    """Rename torch-named hyperparameters to the student's names; a list splits a tuple."""
    renamed = {}
    for key, value in hparams.items():
        target = names.get(key, key)
        if isinstance(target, (list, tuple)):
            renamed.update(zip(target, value, strict=True))
        elif target:
            renamed[target] = value
    return renamed


def lookup(namespace, name: str):
    """The student's symbol, or a fault saying it is missing."""
    if name not in namespace:
        raise StudentCodeError("missing", f"{name} is not defined")
    return namespace[name]


def _main(namespace, question):
    name = question["symbols"]["main"]
    return lookup(namespace, name), name


class Stepper:
    """An optimizer made of the student's code, driven like the reference's."""

    __slots__ = ("init", "update")

    def __init__(self, init, update):
        self.init, self.update = init, update


def _pair(result, name: str):
    """``(new_w, new_state)`` from anything that unpacks into exactly two: a tuple, a list, a (2, n) array."""
    if isinstance(result, (tuple, list)) and len(result) >= 2:
        return result[0], result[1]
    if isinstance(result, np.ndarray) and result.ndim >= 2 and len(result) == 2:
        return result[0], result[1]
    raise StudentCodeError("returned", f"{name}() must return (new_w, new_state), got {type(result).__name__}")


def split_parameters(theta: np.ndarray) -> list[np.ndarray]:
    """The flat parameter vector as the tensors a multi-tensor convention is given: ``[w0]`` and
    ``[w1, ...]`` (one piece when there is one number), so that per-tensor state bugs show."""
    return [theta[:1].copy(), theta[1:].copy()] if theta.size > 1 else [theta.copy()]


def _write_into(pieces: list[np.ndarray], theta: np.ndarray) -> None:
    """Put ``theta`` into the student's arrays in place: their identity is kept (state keyed by id())."""
    start = 0
    for piece in pieces:
        piece[...] = theta[start : start + piece.size].reshape(piece.shape)
        start += piece.size


def _read_from(pieces, what: str, calls: Calls, size: int) -> np.ndarray:
    flat = np.concatenate([calls.array(piece, what).ravel() for piece in pieces])
    if flat.size != size:
        raise StudentCodeError("returned", f"{what} left {flat.size} parameters, expected {size}")
    return flat


# --- optimizer family ------------------------------------------------------------------------


def functional(namespace, question, hparams: dict, calls: Calls) -> Stepper:
    """``init(w) -> state``; ``step(w, g, state, **hparams) -> (w_new, state_new)``."""
    init_name, step_name = question["symbols"]["init"], question["symbols"]["step"]
    init_fn, step_fn = lookup(namespace, init_name), lookup(namespace, step_name)

    def init(theta):
        return calls.call(f"{init_name}()", init_fn, theta.copy())

    def update(theta, grad, state, lr):
        kwargs = student_kwargs({**hparams, "lr": lr}, question["names"])
        given = theta.copy(), grad.copy()
        result = calls.call(f"{step_name}()", step_fn, *given, state, **kwargs)
        calls.inputs_after(f"{step_name}()", *given)
        new_theta, new_state = _pair(result, step_name)
        return calls.array(new_theta, f"{step_name}()", theta.shape), new_state

    return Stepper(init, update)


def cs231n(namespace, question, hparams: dict, calls: Calls) -> Stepper:
    """CS231n: ``rule(w, dw, config) -> (next_w, config)``; config carries the state."""
    rule, name = _main(namespace, question)
    lr_key = question["names"].get("lr", "learning_rate")

    def init(theta):
        return student_kwargs(hparams, {"lr": lr_key, **question["names"]})

    def update(theta, grad, config, lr):
        config = {**config, lr_key: lr}
        given = theta.copy(), grad.copy()
        next_w, config = _pair(calls.call(f"{name}()", rule, *given, config), name)
        calls.inputs_after(f"{name}()", *given)
        if not isinstance(config, dict):
            raise StudentCodeError("returned", f"{name}() must return its config dict second")
        return calls.array(next_w, f"{name}()", theta.shape), config

    return Stepper(init, update)


def dlai_layer(theta: np.ndarray, prefix: str = "") -> dict:
    """A flat [w0, w1, ...] as one layer: b1 = w0 (1, 1), W1 = the rest as (1, d - 1)."""
    return {f"{prefix}W1": theta[1:].reshape(1, -1).copy(), f"{prefix}b1": theta[:1].reshape(1, 1).copy()}


def _from_dlai(parameters, what: str, calls: Calls, size: int) -> np.ndarray:
    if not isinstance(parameters, dict) or not {"W1", "b1"} <= set(parameters):
        raise StudentCodeError("returned", f"{what} must return the parameters dict with W1 and b1")
    bias = calls.array(parameters["b1"], what, (1, 1))
    weights = calls.array(parameters["W1"], what, (1, size - 1))
    return np.concatenate([bias.ravel(), weights.ravel()])


DLAI_NAMES = {"lr": "learning_rate", "momentum": "beta", "betas": ["beta1", "beta2"], "eps": "epsilon"}


def dlai(namespace, question, hparams: dict, calls: Calls) -> Stepper:
    """deeplearning.ai's ``update_parameters_with_*`` over W1/b1 and dW1/db1 dicts."""
    update_fn, name = _main(namespace, question)
    init_name = question["symbols"].get("init")
    init_fn = lookup(namespace, init_name) if init_name else None
    names = {**DLAI_NAMES, **question["names"]}

    def init(theta):
        if init_fn is None:
            return (0, ())
        moments = calls.call(f"{init_name}()", init_fn, dlai_layer(theta))
        return (0, moments if isinstance(moments, tuple) else (moments,))

    def update(theta, grad, state, lr):
        t, moments = state[0] + 1, state[1]
        kwargs = student_kwargs({**hparams, "lr": lr}, names)
        extra = (*moments, t) if question["reference"] == "adam" else moments
        result = calls.call(f"{name}()", update_fn, dlai_layer(theta), dlai_layer(grad, "d"), *extra, **kwargs)
        parameters, *rest = result if isinstance(result, tuple) else (result,)
        return _from_dlai(parameters, f"{name}()", calls, theta.size), (t, tuple(rest[: len(moments)]))

    return Stepper(init, update)


def stateful_class(namespace, question, hparams: dict, calls: Calls) -> Stepper:
    """``opt = Cls(**hparams)``; ``w_new = opt.step(w, g)``; the lr is set as an attribute."""
    cls, name = _main(namespace, question)
    lr_attribute = question["names"].get("lr", "lr")

    def init(theta):
        return calls.call(f"{name}()", cls, **student_kwargs(hparams, question["names"]))

    def update(theta, grad, instance, lr):
        calls.call(f"setting {name}.{lr_attribute}", setattr, instance, lr_attribute, lr)
        given = theta.copy(), grad.copy()
        new_theta = calls.call(f"{name}.step()", lambda *arrays: instance.step(*arrays), *given)
        calls.inputs_after(f"{name}.step()", *given)
        return calls.array(new_theta, f"{name}.step()", theta.shape), instance

    return Stepper(init, update)


def in_place_class(namespace, question, hparams: dict, calls: Calls) -> Stepper:
    """``opt = Cls(**hparams)``; ``opt.step(params, grads)`` changes the arrays of ``params`` in place.

    ``params`` and ``grads`` are lists of arrays (two when there are two numbers or more); the
    same array objects come back at every step, so state kept by ``id(param)`` works. What
    ``step`` returns is ignored; the lr is set as an attribute before each step.
    """
    cls, name = _main(namespace, question)
    lr_attribute = question["names"].get("lr", "lr")

    def init(theta):
        instance = calls.call(f"{name}()", cls, **student_kwargs(hparams, question["names"]))
        return instance, split_parameters(theta)

    def update(theta, grad, state, lr):
        instance, pieces = state
        _write_into(pieces, theta)
        calls.call(f"setting {name}.{lr_attribute}", setattr, instance, lr_attribute, lr)
        calls.call(f"{name}.step()", lambda *lists: instance.step(*lists), pieces, split_parameters(grad))
        return _read_from(pieces, f"{name}.step()", calls, theta.size), state

    return Stepper(init, update)


YANDEX_NAMES = {"lr": "learning_rate", "betas": ["beta1", "beta2"], "eps": "epsilon"}


def nested_lists(namespace, question, hparams: dict, calls: Calls) -> Stepper:
    """``update(variables, gradients, config, state)`` (Yandex practical_dl style), in place.

    ``variables`` and ``gradients`` are lists of layers, each a list of arrays; the student
    changes the arrays of ``variables`` in place and keeps what it needs in the ``state``
    dict, which is passed again at every step. ``config`` holds the hyperparameters (the lr
    as ``learning_rate``) and is passed as built at every step.
    """
    update_fn, name = _main(namespace, question)
    names = {**YANDEX_NAMES, **question["names"]}

    def init(theta):
        return {}, [split_parameters(theta)]

    def update(theta, grad, state, lr):
        memory, variables = state
        _write_into(variables[0], theta)
        config = student_kwargs({**hparams, "lr": lr}, names)
        calls.call(f"{name}()", update_fn, variables, [split_parameters(grad)], config, memory)
        return _read_from(variables[0], f"{name}()", calls, theta.size), state

    return Stepper(init, update)


def torch_optimizer(namespace, question, hparams: dict, calls: Calls) -> Stepper:
    """A ``torch.optim.Optimizer`` subclass, driven by setting ``p.grad`` and ``step()``."""
    cls, name = _main(namespace, question)

    def init(theta):
        kwargs = student_kwargs(hparams, question["names"])
        return calls.call(f"{name}()", torch_side.start_optimizer, cls, theta, kwargs)

    def update(theta, grad, state, lr):
        new_theta = calls.call(f"{name}.step()", torch_side.step_optimizer, state, theta, grad, lr)
        return calls.array(new_theta, f"{name}.step()", theta.shape), state

    return Stepper(init, update)


# --- closed-loop family ------------------------------------------------------------------------


def look_ahead(namespace, question, hparams: dict, calls: Calls):
    """``init(w) -> state``; ``step(w, grad_fn, state, **hparams) -> (w_new, state_new)``."""
    init_name, step_name = question["symbols"]["init"], question["symbols"]["step"]
    init_fn, step_fn = lookup(namespace, init_name), lookup(namespace, step_name)

    def run(surface, lrs, start, next_lr=None):
        theta = np.array(start, dtype=np.float64)
        state, path = calls.call(f"{init_name}()", init_fn, theta.copy()), [theta]
        for lr in lrs:
            kwargs = student_kwargs({**hparams, "lr": float(lr)}, question["names"])
            given = theta.copy()
            result = calls.call(f"{step_name}()", step_fn, given, surface.grad, state, **kwargs)
            calls.inputs_after(f"{step_name}()", given)
            theta, state = _pair(result, step_name)
            path.append(theta := calls.array(theta, f"{step_name}()", start.shape))
        return np.array(path)

    return run


def gd_runner(namespace, question, hparams: dict, calls: Calls):
    """``run(grad_fn, w0, lr, n_steps) -> (n_steps + 1, d)`` trajectory, w0 first."""
    runner, name = _main(namespace, question)

    def run(surface, lrs, start, next_lr=None):
        given = np.array(start, dtype=np.float64)
        result = calls.call(f"{name}()", runner, surface.grad, given, float(lrs[0]), len(lrs))
        calls.inputs_after(f"{name}()", given)
        return calls.array(result, f"{name}()", (len(lrs) + 1, start.size))

    return run


class LrTable:
    """A schedule handed to a student's loop: ``table(k)`` is the lr of update ``k``.

    It knows one step past the last update too, so a loop that logs "the next lr" is fine.
    """

    def __init__(self, lrs):
        self.lrs = [float(lr) for lr in lrs]

    def __call__(self, step):
        if not 0 <= int(step) < len(self.lrs):
            last = len(self.lrs) - 2
            message = f"schedule({step}) was asked for, but the updates are 0..{last}: update k uses schedule(k)"
            raise ValueError(message)
        return self.lrs[int(step)]

    def __repr__(self) -> str:
        return f"schedule over {len(self.lrs) - 1} steps"


def schedule_runner(namespace, question, hparams: dict, calls: Calls):
    """``run(grad_fn, w0, schedule, n_steps) -> (n_steps + 1, d)``; update k uses ``schedule(k)``.

    The schedule also knows ``next_lr``, the lr after the last update.
    """
    runner, name = _main(namespace, question)

    def run(surface, lrs, start, next_lr=None):
        given, steps = np.array(start, dtype=np.float64), len(lrs)
        table = LrTable([*lrs, lrs[-1] if next_lr is None else next_lr])
        result = calls.call(f"{name}()", runner, surface.grad, given, table, steps)
        calls.inputs_after(f"{name}()", given)
        return calls.array(result, f"{name}()", (steps + 1, start.size))

    return run


# --- mini-batch loops, training, functions ------------------------------------------------------------


def minibatch_runner(namespace, question, hparams: dict, calls: Calls):
    """``f(grad_fn, w0, lr, batches) -> (len(batches) + 1, d)`` with ``grad_fn(w, idx)``."""
    runner, name = _main(namespace, question)

    def run(surface, lr, plan, start):
        given = np.array(start, dtype=np.float64)
        batches = [np.array(batch) for batch in plan["batches"]]
        result = calls.call(f"{name}()", runner, surface.grad_on, given, lr, batches)
        calls.inputs_after(f"{name}()", given)
        return calls.array(result, f"{name}()", (len(plan["batches"]) + 1, start.size))

    return run


def epoch_runner(namespace, question, hparams: dict, calls: Calls):
    """``f(grad_fn, w0, lr, n, batch_size, n_epochs, rng) -> (n_epochs + 1, d)``, one row per epoch."""
    runner, name = _main(namespace, question)

    def run(surface, lr, plan, start):
        given, rng = np.array(start, dtype=np.float64), np.random.default_rng(plan["seed"])
        arguments = (surface.grad_on, given, lr, surface.n_samples, plan["batch_size"], plan["epochs"], rng)
        result = calls.call(f"{name}()", runner, *arguments)
        calls.inputs_after(f"{name}()", given)
        return calls.array(result, f"{name}()", (plan["epochs"] + 1, start.size))

    return run


def torch_train(namespace, question, hparams: dict, calls: Calls):
    """``train(model, optimizer, loss_fn, X, y, n_steps, scheduler) -> losses``."""
    train, name = _main(namespace, question)

    def losses(setup: dict) -> np.ndarray:
        returned = calls.call(f"{name}()", torch_side.train_losses, train, setup)
        return calls.array(returned, f"{name}()", (setup["n_steps"],))

    return losses


def function(namespace, question, hparams: dict, calls: Calls):
    """Any function the check calls with inputs of its choosing; returns the raw result."""
    target, name = _main(namespace, question)

    def call(*args):
        given = [np.array(a) if isinstance(a, np.ndarray) else a for a in args]
        result = calls.call(f"{name}()", target, *given)
        calls.inputs_after(f"{name}()", *[a for a in given if isinstance(a, np.ndarray)])
        return result

    return call


# --- schedules, gradients, batches, values -----------------------------------------------------------


def schedule_function(namespace, question, params: dict, calls: Calls):
    """``f(step, **params) -> lr`` with a 0-based step; returns ``lrs(n_steps)``."""
    target, name = _main(namespace, question)
    kwargs = student_kwargs(params, question["names"])

    def lr_at(step: int) -> float:
        return float(calls.array(calls.call(f"{name}({step})", target, step, **kwargs), f"{name}()", ()))

    return lambda n_steps: np.array([lr_at(step) for step in range(n_steps)])


def torch_scheduler(namespace, question, params: dict, calls: Calls):
    """A torch scheduler class ``Cls(optimizer, **params)``, stepped after each update."""
    cls, name = _main(namespace, question)
    params = dict(params)
    lr = params.pop("lr", params.get("max_lr", params.get("base_lr", 0.1)))
    kwargs = student_kwargs(params, question["names"])

    def lrs(n_steps):
        returned = calls.call(f"{name}()", torch_side.scheduler_lrs, cls, lr, kwargs, n_steps)
        return calls.array(returned, f"{name}", (n_steps,))

    return lrs


def gradient_function(namespace, question, surface, calls: Calls):
    """``grad(w)`` for a surface, ``grad(w, x, y)`` for a dataset problem."""
    target, name = _main(namespace, question)
    data = tuple(np.array(part) for part in surface.data) if surface.data is not None else ()

    def grad(w):
        given = np.array(w, dtype=np.float64)
        result = calls.call(f"{name}()", target, given, *data)
        calls.inputs_after(f"{name}()", given)
        return calls.array(result, f"{name}()", w.shape)

    return grad


def numerical_gradient(namespace, question, surface, calls: Calls):
    """``numerical_grad(f, w, h)``: central differences of the surface's loss."""
    target, name = _main(namespace, question)

    def grad(w):
        given = np.array(w, dtype=np.float64)
        result = calls.call(f"{name}()", target, surface.loss, given)
        calls.inputs_after(f"{name}()", given)
        return calls.array(result, f"{name}()", w.shape)

    return grad


def batches(namespace, question, hparams: dict, calls: Calls):
    """``make_batches(n, batch_size, rng) -> [index arrays]`` for one epoch."""
    target, name = _main(namespace, question)

    def make(n: int, batch_size: int, rng) -> list:
        made = calls.call(f"{name}()", target, n, batch_size, rng)
        try:
            return [np.asarray(batch).astype(np.int64).ravel() for batch in made]
        except (TypeError, ValueError):
            raise StudentCodeError("returned", f"{name}() must return a list of index arrays") from None

    return make


def variable(namespace, question, hparams: dict, calls: Calls):
    """A notebook variable: an array or list of losses, parameters or lrs."""
    name = question["symbols"]["main"]
    return calls.array(lookup(namespace, name), name)


BUILDERS = {
    "functional": functional, "cs231n": cs231n, "dlai": dlai, "stateful-class": stateful_class,
    "torch-optimizer": torch_optimizer, "in-place-class": in_place_class, "nested-lists": nested_lists,
    "functional-look-ahead": look_ahead, "gd-runner": gd_runner,
    "schedule-runner": schedule_runner, "minibatch-runner": minibatch_runner, "epoch-runner": epoch_runner,
    "torch-train": torch_train, "function": function, "schedule-function": schedule_function,
    "torch-scheduler": torch_scheduler, "gradient-function": gradient_function,
    "numerical-gradient": numerical_gradient, "batches": batches, "variable": variable,
}  # fmt: skip
