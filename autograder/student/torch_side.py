"""What the torch conventions do next to the student's objects: build, set, step, read back.

torch is imported inside each function, so a kernel for a numpy assignment never pays for it.
Everything runs in float64, on the GPU when the kernel has one.
"""

from __future__ import annotations

import numpy as np


class OptimizerState:
    """The parameter tensors and the student's optimizer built on them; stays in the kernel."""

    def __init__(self, parameters, optimizer):
        self.parameters, self.optimizer = parameters, optimizer


def device() -> str:
    """``cuda`` when the kernel has a GPU, else ``cpu``."""
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def _pieces(theta) -> list[np.ndarray]:
    """[w0] and [w1, ...] (one piece for one number): several tensors, so per-tensor state bugs show."""
    flat = np.asarray(theta, dtype=np.float64)
    return [flat[:1], flat[1:]] if flat.size > 1 else [flat]


def start_optimizer(cls, theta, hparams):
    """Build the student's optimizer on float64 parameter tensors.

    A ``torch.optim.Optimizer`` subclass gets two parameter groups (one tensor each), as
    torch's own optimizers take them; a class in torch's style that is not a subclass (it
    iterates over ``params`` and their ``.grad``) gets the list of tensors.
    """
    import torch

    if not isinstance(cls, type):
        raise TypeError(f"{getattr(cls, '__name__', cls)} is not a class")
    parameters = [torch.tensor(piece, device=device(), requires_grad=True) for piece in _pieces(theta)]
    if issubclass(cls, torch.optim.Optimizer):
        return OptimizerState(parameters, cls([{"params": [p]} for p in parameters], **hparams))
    return OptimizerState(parameters, cls(list(parameters), **hparams))


def _set_lr(optimizer, lr: float) -> None:
    groups = getattr(optimizer, "param_groups", None)
    if isinstance(groups, list) and groups and all(isinstance(group, dict) for group in groups):
        for group in groups:
            group["lr"] = lr
    else:
        optimizer.lr = lr


def step_optimizer(state, theta, grad, lr):
    """Set the parameters to ``theta`` and their gradients to ``grad``, step, return the parameters."""
    import torch

    for parameter, value, gradient in zip(state.parameters, _pieces(theta), _pieces(grad), strict=True):
        with torch.no_grad():
            parameter.copy_(torch.from_numpy(value.copy()).to(parameter.device))
        parameter.grad = torch.from_numpy(gradient.copy()).to(parameter.device)
    _set_lr(state.optimizer, lr)
    state.optimizer.step()
    return np.concatenate([p.detach().cpu().numpy().ravel() for p in state.parameters])


def scheduler_lrs(cls, lr, params, n_steps):
    """The lr each of ``n_steps`` updates uses under the student's scheduler class."""
    import torch

    parameter = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([parameter], lr=lr)
    scheduler = cls(optimizer, **params)
    used = []
    for _ in range(n_steps):
        used.append(float(optimizer.param_groups[0]["lr"]))
        optimizer.step()
        scheduler.step()
    return used


def mlp(initial, hidden: int, where: str):
    """A 1 -> hidden -> 1 tanh MLP in float64 holding the weights ``initial`` (the grader's)."""
    import torch

    model = torch.nn.Sequential(torch.nn.Linear(1, hidden), torch.nn.Tanh(), torch.nn.Linear(hidden, 1))
    model = model.double().to(where)
    with torch.no_grad():
        vector = torch.tensor(np.array(initial, dtype=np.float64), device=where)  # a copy: training writes to it
        torch.nn.utils.vector_to_parameters(vector, model.parameters())
    return model


def train_losses(train, setup: dict):
    """Call the student's ``train(model, optimizer, loss_fn, X, y, n_steps, scheduler)``.

    ``setup`` (the grader's) fixes everything else: the initial weights, the data, the
    optimizer class and options and an optional scheduler. Returns what ``train`` returned.
    """
    import torch

    where = device()
    model = mlp(setup["initial"], int(setup["hidden"]), where)
    x, y = (torch.from_numpy(np.asarray(setup[k], dtype=np.float64)).to(where) for k in ("x", "y"))
    optimizer = getattr(torch.optim, setup["optimizer"])(model.parameters(), lr=setup["lr"], **setup["hparams"])
    scheduler = None
    if setup.get("scheduler"):
        scheduler = getattr(torch.optim.lr_scheduler, setup["scheduler"])(optimizer, **setup["scheduler_params"])
    losses = train(model, optimizer, torch.nn.MSELoss(), x, y, int(setup["n_steps"]), scheduler)
    return [float(loss.detach().cpu()) if hasattr(loss, "detach") else float(loss) for loss in losses]
