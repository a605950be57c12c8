"""torch.optim itself written as a student, run as torch runs by default, to calibrate tolerances.

A correct implementation can agree with the reference no better than torch's own optimizers
do under their default settings: float32 step scalars (torch's default dtype), the foreach
path, and float32 parameters when the student works in float32. These students are those
runs, in the functional convention (``init(w)``, ``step(w, g, state, lr, **hparams)``).
"""

from __future__ import annotations

import numpy as np
import torch

from reference.torch_mirror import TORCH_OPTIMIZERS

PRECISIONS = {"float64": torch.float64, "float32": torch.float32}


def _torch_options(hparams: dict) -> dict:
    return {key: tuple(value) if isinstance(value, list) else value for key, value in hparams.items()}


def torch_functional(reference: str, precision: str = "float64", foreach: bool | None = None) -> dict:
    """``opt_init`` / ``opt_step`` driving ``torch.optim`` for ``reference`` in ``precision``."""
    cls, dtype = TORCH_OPTIMIZERS[reference], PRECISIONS[precision]

    def opt_init(w):
        return {"parameter": torch.tensor(np.asarray(w), dtype=dtype, requires_grad=True), "optimizer": None}

    def opt_step(w, g, state, lr, **hparams):
        parameter = state["parameter"]
        if state["optimizer"] is None:
            state["optimizer"] = cls([parameter], lr=lr, foreach=foreach, **_torch_options(hparams))
        with torch.no_grad():
            parameter.copy_(torch.as_tensor(np.asarray(w), dtype=dtype))
        parameter.grad = torch.as_tensor(np.array(g), dtype=dtype)
        state["optimizer"].param_groups[0]["lr"] = lr
        state["optimizer"].step()
        return parameter.detach().numpy().copy(), state

    return {"opt_init": opt_init, "opt_step": opt_step}
