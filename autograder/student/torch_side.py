"""What the torch conventions do next to the student's objects: build, set, step, read back.

torch is imported inside each function, so a kernel for a numpy assignment never pays for it.
Everything runs in float64, on the GPU when the kernel has one.
"""

from __future__ import annotations

import numpy as np


class OptimizerState:
    """The parameter and the student's optimizer built on it; stays in the kernel."""

    def __init__(self, parameter, optimizer):
        self.parameter, self.optimizer = parameter, optimizer


def device() -> str:
    """``cuda`` when the kernel has a GPU, else ``cpu``."""
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def start_optimizer(cls, theta, hparams):
    """Build the student's torch optimizer on one float64 parameter."""
    import torch

    if not (isinstance(cls, type) and issubclass(cls, torch.optim.Optimizer)):
        raise TypeError(f"{getattr(cls, '__name__', cls)} is not a torch.optim.Optimizer subclass")
    parameter = torch.tensor(np.asarray(theta, dtype=np.float64), device=device(), requires_grad=True)
    return OptimizerState(parameter, cls([parameter], **hparams))


def step_optimizer(state, theta, grad, lr):
    """Set the parameter to ``theta`` and its gradient to ``grad``, step, return the parameter."""
    import torch

    parameter, optimizer = state.parameter, state.optimizer
    with torch.no_grad():
        parameter.copy_(torch.from_numpy(np.asarray(theta, dtype=np.float64)).to(parameter.device))
    parameter.grad = torch.from_numpy(np.array(grad, dtype=np.float64)).to(parameter.device)
    optimizer.param_groups[0]["lr"] = lr
    optimizer.step()
    return parameter.detach().cpu().numpy().copy()


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
