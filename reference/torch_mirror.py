"""The PyTorch side of the references: the MLP problem and torch.optim drivers.

Everything here runs in float64 with ``foreach=False`` (torch's for-loop path), which is
the reference configuration: deterministic and free of TF32. torch is imported only
by this module, so numpy-only users never pay for it.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Iterator

import numpy as np
import torch

from reference.problem import Problem
from reference.trajectory import Trajectory

HIDDEN_UNITS = 16
TORCH_OPTIMIZERS: dict[str, type[torch.optim.Optimizer]] = {
    "sgd": torch.optim.SGD,
    "adagrad": torch.optim.Adagrad,
    "rmsprop": torch.optim.RMSprop,
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "nadam": torch.optim.NAdam,
    "radam": torch.optim.RAdam,
}


def mlp_regression_data(seed: int = 0, n: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """x ~ U(-2, 2), y = sin(2x) + 0.1 N(0, 1), drawn with ``np.random.default_rng(seed)``.

    Shapes (n, 1), as ``nn.Linear`` expects.
    """
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2.0, 2.0, size=(n, 1))
    y = np.sin(2.0 * x) + 0.1 * rng.standard_normal((n, 1))
    return x, y


def build_mlp(seed: int = 0) -> torch.nn.Sequential:
    """1 -> 16 -> 1 tanh MLP in float64, initialised by torch's defaults under ``seed``."""
    generator_state = torch.random.get_rng_state()
    torch.manual_seed(seed)
    try:
        model = torch.nn.Sequential(torch.nn.Linear(1, HIDDEN_UNITS), torch.nn.Tanh(), torch.nn.Linear(HIDDEN_UNITS, 1))
    finally:
        torch.random.set_rng_state(generator_state)
    return model.double()


def flat_parameters(model: torch.nn.Module) -> np.ndarray:
    """The model's parameters as one float64 vector, in ``model.parameters()`` order."""
    return torch.nn.utils.parameters_to_vector(model.parameters()).detach().numpy().copy()


def _mlp_forward(w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    h = HIDDEN_UNITS
    w1, b1 = w[:h].reshape(h, 1), w[h : 2 * h]
    w2, b2 = w[2 * h : 3 * h].reshape(1, h), w[3 * h :]
    return torch.tanh(x @ w1.T + b1) @ w2.T + b2


def _mlp_loss_and_grad(w: np.ndarray, x: torch.Tensor, y: torch.Tensor) -> tuple[float, np.ndarray]:
    weights = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    loss = torch.mean((_mlp_forward(weights, x) - y) ** 2)
    loss.backward()
    return float(loss.detach()), weights.grad.numpy().copy()


def mlp_problem(seed: int = 0) -> Problem:
    """MSE of the 1-16-1 tanh MLP on :func:`mlp_regression_data`; gradient by autograd.

    The flat parameter layout equals ``flat_parameters(build_mlp(seed))``, so numpy
    optimizers and torch.optim on the real module can be compared step by step.
    """
    x_np, y_np = mlp_regression_data(seed)
    x, y = torch.from_numpy(x_np), torch.from_numpy(y_np)

    def on(idx):
        return x[idx], y[idx]

    start = flat_parameters(build_mlp(seed))
    start.setflags(write=False)
    return Problem(
        name="torch-mlp",
        description="MSE of a 1-16-1 tanh MLP on y = sin(2x) + noise (n=64, seed 0)",
        loss=lambda w: _mlp_loss_and_grad(w, x, y)[0],
        grad=lambda w: _mlp_loss_and_grad(w, x, y)[1],
        start=start,
        n_samples=int(x_np.shape[0]),
        loss_on=lambda w, idx: _mlp_loss_and_grad(w, *on(idx))[0],
        grad_on=lambda w, idx: _mlp_loss_and_grad(w, *on(idx))[1],
        data=(x_np, y_np),
    )


@contextlib.contextmanager
def float64_scalars() -> Iterator[None]:
    """Make torch's optimizer scalars (step, NAdam's mu_product) float64, not float32."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        yield
    finally:
        torch.set_default_dtype(previous)


SchedulerFactory = Callable[[torch.optim.Optimizer], torch.optim.lr_scheduler.LRScheduler]


def make_torch_optimizer(name: str, params, lr: float, hparams: dict) -> torch.optim.Optimizer:
    """``torch.optim`` class for ``name`` on the for-loop path; tuples for betas."""
    options = {k: tuple(v) if isinstance(v, list) else v for k, v in hparams.items()}
    return TORCH_OPTIMIZERS[name](params, lr=lr, foreach=False, **options)


def torch_trajectory(
    name: str,
    problem: Problem,
    n_steps: int,
    lr: float,
    hparams: dict | None = None,
    scheduler: SchedulerFactory | None = None,
) -> Trajectory:
    """Run torch.optim's ``name`` on ``problem`` in closed loop, setting ``p.grad`` each step."""
    with float64_scalars():
        return _torch_trajectory(name, problem, n_steps, lr, hparams, scheduler)


def _torch_trajectory(name, problem, n_steps, lr, hparams, scheduler) -> Trajectory:
    parameter = torch.tensor(np.array(problem.start), dtype=torch.float64)
    optimizer = make_torch_optimizer(name, [parameter], lr, hparams or {})
    lr_scheduler = scheduler(optimizer) if scheduler else None
    params, grads, lrs = [parameter.numpy().copy()], [], []
    for _ in range(n_steps):
        grads.append(problem.grad(parameter.detach().numpy().copy()))
        parameter.grad = torch.from_numpy(grads[-1])
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        if lr_scheduler:
            lr_scheduler.step()
        params.append(parameter.detach().numpy().copy())
    losses = np.array([problem.loss(w) for w in params])
    return Trajectory(np.array(params), losses, np.array(lrs), np.array(grads))


def train_module(
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    x: torch.Tensor,
    y: torch.Tensor,
    n_steps: int,
    scheduler: torch.optim.lr_scheduler.LRScheduler | None = None,
    zero_grad: bool = True,
    scheduler_first: bool = False,
) -> list[float]:
    """Full-batch MSE training, the PyTorch lesson's loop; returns the loss before each step.

    Order per step: zero_grad, forward, backward, optimizer.step(), scheduler.step().
    ``zero_grad=False`` and ``scheduler_first=True`` give the two classic broken loops
    (gradients that accumulate; a scheduler stepped before the optimizer).
    """
    losses = []
    for _ in range(n_steps):
        if zero_grad:
            optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        if scheduler is not None and scheduler_first:
            scheduler.step()
        optimizer.step()
        if scheduler is not None and not scheduler_first:
            scheduler.step()
        losses.append(float(loss.detach()))
    return losses


def training_setup(
    optimizer: str,
    lr: float,
    n_steps: int,
    hparams: dict | None = None,
    seed: int = 0,
    n_samples: int = 64,
    scheduler: str | None = None,
    scheduler_params: dict | None = None,
) -> dict:
    """Plain data fixing one training run of the MLP: weights, data, optimizer, scheduler.

    ``optimizer`` and ``scheduler`` are class names in ``torch.optim`` and
    ``torch.optim.lr_scheduler`` (``"SGD"``, ``"StepLR"``).
    """
    x, y = mlp_regression_data(seed, n_samples)
    return {
        "initial": flat_parameters(build_mlp(seed)), "hidden": HIDDEN_UNITS, "x": x, "y": y,
        "optimizer": optimizer, "lr": lr, "hparams": dict(hparams or {}), "n_steps": n_steps,
        "scheduler": scheduler, "scheduler_params": dict(scheduler_params or {}),
    }  # fmt: skip


def setup_training_losses(setup: dict, zero_grad: bool = True, scheduler_first: bool = False) -> np.ndarray:
    """The reference losses of a :func:`training_setup` run, on the CPU in float64."""
    model = build_mlp(0)
    with torch.no_grad():
        # the parameters become views of this vector, so it must be a copy of the setup's
        torch.nn.utils.vector_to_parameters(torch.tensor(np.array(setup["initial"])), model.parameters())
    options = {"foreach": False, **setup["hparams"]}
    optimizer = getattr(torch.optim, setup["optimizer"])(model.parameters(), lr=setup["lr"], **options)
    scheduler = None
    if setup["scheduler"]:
        scheduler = getattr(torch.optim.lr_scheduler, setup["scheduler"])(optimizer, **setup["scheduler_params"])
    x, y = (torch.from_numpy(np.array(setup[k])) for k in ("x", "y"))
    with warnings.catch_warnings():  # torch warns about the very order scheduler_first asks for
        warnings.simplefilter("ignore", UserWarning)
        losses = train_module(model, optimizer, x, y, setup["n_steps"], scheduler, zero_grad, scheduler_first)
    return np.array(losses)
