"""The calling conventions real courses use beyond the functional one: each graded, right and wrong."""

import numpy as np
import pytest
import torch

from autograder.assignment import parse_spec
from autograder.engine.grade import grade

ADAM = {"betas": [0.9, 0.999], "eps": 1e-8}
PROBES = [{"problem": "tricky", "steps": 12, "lr": 0.05}, {"problem": "elliptic", "steps": 8, "lr": 0.01}]


def _spec(convention: str, symbol: str, reference: str = "adam", hparams=None, names=None, kinds=("replay",)):
    question = {"id": "q", "convention": convention, "symbol": symbol, "reference": reference,
                "hparams": hparams if hparams is not None else ADAM, "names": names or {},
                "checks": [{"kind": kind, "points": 1, "probes": PROBES} for kind in kinds]}  # fmt: skip
    return parse_spec({"id": convention, "questions": [question]})


class InPlaceAdam:
    """A numpy class in the CS231n/d2l style: state per array, keyed by id(), arrays changed in place."""

    def __init__(self, lr=0.001, betas=(0.9, 0.999), eps=1e-8):
        self.lr, self.betas, self.eps, self.state = lr, betas, eps, {}

    def step(self, params, grads):
        b1, b2 = self.betas
        for p, g in zip(params, grads, strict=True):
            s = self.state.setdefault(id(p), {"t": 0, "m": np.zeros_like(p), "v": np.zeros_like(p)})
            s["t"] += 1
            s["m"] = b1 * s["m"] + (1 - b1) * g
            s["v"] = b2 * s["v"] + (1 - b2) * g * g
            m_hat, v_hat = s["m"] / (1 - b1 ** s["t"]), s["v"] / (1 - b2 ** s["t"])
            p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


class SharedCounterAdam(InPlaceAdam):
    """The usual slip: one step counter for the whole optimizer, advanced once per array."""

    def step(self, params, grads):
        b1, b2 = self.betas
        self.t = getattr(self, "t", 0)
        for p, g in zip(params, grads, strict=True):
            self.t += 1
            s = self.state.setdefault(id(p), {"m": np.zeros_like(p), "v": np.zeros_like(p)})
            s["m"] = b1 * s["m"] + (1 - b1) * g
            s["v"] = b2 * s["v"] + (1 - b2) * g * g
            m_hat, v_hat = s["m"] / (1 - b1**self.t), s["v"] / (1 - b2**self.t)
            p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


def test_an_in_place_class_keyed_by_id_gets_full_marks_and_a_shared_counter_does_not():
    spec = _spec("in-place-class", "Adam", kinds=("replay", "closed-loop"))
    assert grade(spec, {"Adam": InPlaceAdam}).score == 2
    result = grade(spec, {"Adam": SharedCounterAdam})
    assert result.score == 0


def yandex_adam(variables, gradients, config, state):
    """practical_dl's signature: lists of layers of arrays, changed in place; state kept in a dict."""
    state.setdefault("m", {})
    state.setdefault("v", {})
    state.setdefault("t", 0)
    state["t"] += 1
    lr, b1, b2, eps = config["learning_rate"], config["beta1"], config["beta2"], config["epsilon"]
    corrected_lr = lr * np.sqrt(1 - b2 ** state["t"]) / (1 - b1 ** state["t"])
    index = 0
    for layer_vars, layer_grads in zip(variables, gradients, strict=True):
        for var, grad in zip(layer_vars, layer_grads, strict=True):
            m = state["m"].setdefault(index, np.zeros_like(grad))
            v = state["v"].setdefault(index, np.zeros_like(grad))
            np.add(b1 * m, (1 - b1) * grad, out=m)
            np.add(b2 * v, (1 - b2) * grad**2, out=v)
            np.add(var, -corrected_lr * m / (np.sqrt(v) + eps * np.sqrt(1 - b2 ** state["t"])), out=var)
            index += 1


def yandex_momentum(variables, gradients, config, state):
    state.setdefault("accumulated_grads", {})
    index = 0
    for layer_vars, layer_grads in zip(variables, gradients, strict=True):
        for var, grad in zip(layer_vars, layer_grads, strict=True):
            old = state["accumulated_grads"].setdefault(index, np.zeros_like(grad))
            np.add(config["momentum"] * old, config["learning_rate"] * grad, out=old)
            var -= old
            index += 1


def test_the_nested_lists_convention_grades_practical_dl_style_updates():
    assert grade(_spec("nested-lists", "adam_optimizer"), {"adam_optimizer": yandex_adam}).score == 1
    momentum = _spec("nested-lists", "sgd_momentum", reference="momentum", hparams={"momentum": 0.9})
    assert grade(momentum, {"sgd_momentum": yandex_momentum}).score == 1


class TorchStyleSGD:
    """Not a torch.optim.Optimizer subclass: iterates over params and their .grad."""

    def __init__(self, params, lr=0.01, momentum=0.0):
        self.params, self.lr, self.momentum = list(params), lr, momentum
        self.buffers = [None] * len(self.params)

    @torch.no_grad()
    def step(self):
        for i, p in enumerate(self.params):
            d = p.grad
            if self.momentum:
                self.buffers[i] = d.clone() if self.buffers[i] is None else self.momentum * self.buffers[i] + d
                d = self.buffers[i]
            p -= self.lr * d


class OneBufferSGD(torch.optim.Optimizer):
    """A subclass whose momentum buffer is one attribute, not per parameter: wrong with two tensors."""

    def __init__(self, params, lr=0.01, momentum=0.0):
        super().__init__(params, {"lr": lr, "momentum": momentum})
        self.buffer = None

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if self.buffer is None or self.buffer.shape != p.shape:
                    self.buffer = p.grad.clone()
                else:
                    self.buffer = group["momentum"] * self.buffer + p.grad
                p -= group["lr"] * self.buffer


class PerParameterSGD(torch.optim.Optimizer):
    def __init__(self, params, lr=0.01, momentum=0.0):
        super().__init__(params, {"lr": lr, "momentum": momentum})

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                buffer = state.get("buffer")
                state["buffer"] = p.grad.clone() if buffer is None else group["momentum"] * buffer + p.grad
                p -= group["lr"] * state["buffer"]


@pytest.mark.parametrize("cls, score", [(TorchStyleSGD, 1), (PerParameterSGD, 1), (OneBufferSGD, 0)])
def test_torch_style_classes_are_driven_with_several_tensors_and_groups(cls, score):
    spec = _spec("torch-optimizer", "SGD", reference="sgd", hparams={"momentum": 0.9})
    assert grade(spec, {"SGD": cls}).score == score
