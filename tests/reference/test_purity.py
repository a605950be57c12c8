"""Reference functions never modify their inputs: params, gradients or state."""

import numpy as np
import pytest

from reference.mistakes import MISTAKES
from reference.optimizers import OPTIMIZERS, get_optimizer

HPARAMS = {
    "sgd": {"momentum": 0.9, "weight_decay": 0.1},
    "rmsprop": {"centered": True, "momentum": 0.5},
    "adam": {"amsgrad": True, "weight_decay": 0.1},
}


def _freeze(value):
    """Make every ndarray inside (nested tuples too) read-only, so in-place writes raise."""
    if isinstance(value, np.ndarray):
        value.setflags(write=False)
    elif isinstance(value, tuple):
        for item in value:
            _freeze(item)
    return value


def _three_steps(optimizer):
    theta = _freeze(np.array([1.0, -2.0, 0.5]))
    state = _freeze(optimizer.init(theta))
    for k in range(3):
        grad = _freeze(np.array([0.3, -1.0, 2.0]) * (k + 1))
        new_theta, state = optimizer.update(theta, grad, state, 0.1)
        assert new_theta is not theta and not np.array_equal(new_theta, theta)
        theta, state = _freeze(new_theta), _freeze(state)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_optimizer_updates_do_not_write_to_their_inputs(name):
    _three_steps(get_optimizer(name, **HPARAMS.get(name, {})))


@pytest.mark.parametrize("mistake", [m for m in MISTAKES if m.kind == "optimizer"], ids=lambda m: m.id)
def test_mistake_variants_do_not_write_to_their_inputs(mistake):
    with np.errstate(all="ignore"):
        _three_steps(mistake.build(lr=0.1, **mistake.probe.hparams, **mistake.probe.knobs))
