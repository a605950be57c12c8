"""Every optimizer equals torch.optim step by step in float64 (rtol 1e-10)."""

import numpy as np
import pytest
import torch

from reference.optimizers import get_optimizer
from reference.problems import get_problem
from reference.torch_mirror import (
    build_mlp,
    flat_parameters,
    float64_scalars,
    make_torch_optimizer,
    mlp_regression_data,
    torch_trajectory,
    train_module,
)
from reference.trajectory import run
from tests.conftest import assert_matches

STEPS = 60
PROBLEMS = ["elliptic", "tricky", "logistic-regression", "rosenbrock"]

# (optimizer, lr, hyperparameters): defaults and the variants that change the update rule.
CASES = [
    ("sgd", 0.01, {}),
    ("sgd", 0.01, {"momentum": 0.9}),
    ("sgd", 0.01, {"momentum": 0.9, "dampening": 0.3, "weight_decay": 0.05}),
    ("sgd", 0.01, {"momentum": 0.9, "nesterov": True, "weight_decay": 0.05}),
    ("adagrad", 0.1, {}),
    ("adagrad", 0.1, {"lr_decay": 0.01, "weight_decay": 0.1, "initial_accumulator_value": 0.2, "eps": 1e-6}),
    ("rmsprop", 0.01, {}),
    ("rmsprop", 0.01, {"centered": True}),
    ("rmsprop", 0.005, {"momentum": 0.5, "weight_decay": 0.05}),
    ("rmsprop", 0.005, {"centered": True, "momentum": 0.5, "alpha": 0.9}),
    ("adam", 0.05, {}),
    ("adam", 0.05, {"amsgrad": True}),
    ("adam", 0.05, {"weight_decay": 0.1, "betas": (0.8, 0.99)}),
    ("adam", 0.05, {"weight_decay": 0.1, "amsgrad": True, "decoupled_weight_decay": True}),
    ("adamw", 0.05, {}),
    ("adamw", 0.05, {"weight_decay": 0.1, "amsgrad": True}),
    ("nadam", 0.05, {}),
    ("nadam", 0.05, {"weight_decay": 0.1, "momentum_decay": 0.01}),
    ("nadam", 0.05, {"weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("radam", 0.05, {}),
    ("radam", 0.05, {"weight_decay": 0.1}),
    ("radam", 0.05, {"weight_decay": 0.1, "decoupled_weight_decay": True}),
]


def _case_id(case):
    name, lr, hparams = case
    return name + "".join(f"-{k}={v}" for k, v in hparams.items())


def _lr_for(problem_name, lr):
    return lr / 20 if problem_name == "rosenbrock" else lr  # its gradients are ~100x larger


@pytest.mark.parametrize("problem_name", PROBLEMS)
@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_reference_equals_torch_step_by_step(case, problem_name):
    name, lr, hparams = case
    problem, lr = get_problem(problem_name), _lr_for(problem_name, lr)
    ours = run(get_optimizer(name, lr=lr, **hparams), problem, STEPS)
    theirs = torch_trajectory(name, problem, STEPS, lr, hparams)
    assert np.all(np.isfinite(theirs.params)), "the case must not diverge to be a useful comparison"
    assert np.max(np.abs(theirs.params[-1] - theirs.params[0])) > 1e-3, "the run must move"
    assert_matches(ours.params, theirs.params)
    assert_matches(ours.losses, theirs.losses)


@pytest.mark.parametrize(
    "name, lr, hparams",
    [("sgd", 0.05, {"momentum": 0.9}), ("adam", 0.01, {"weight_decay": 0.01}), ("radam", 0.03, {})],
)
def test_reference_on_torch_mlp_equals_training_the_real_module(name, lr, hparams):
    """The numpy reference on the flat MLP problem vs torch.optim on the nn.Module itself."""
    ours = run(get_optimizer(name, lr=lr, **hparams), get_problem("torch-mlp"), 50)
    model = build_mlp()
    x, y = (torch.from_numpy(a) for a in mlp_regression_data())
    with float64_scalars():
        optimizer = make_torch_optimizer(name, model.parameters(), lr, hparams)
        losses = train_module(model, optimizer, x, y, 50)
    assert_matches(ours.losses[:-1], losses, rtol=1e-9)
    assert_matches(ours.params[-1], flat_parameters(model), rtol=1e-9)
    assert losses[-1] < 0.9 * losses[0], "the module must actually train"
