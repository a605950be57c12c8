"""How closely torch.optim itself meets the default tolerances, on every shipped replay probe.

A correct implementation can agree with the float64 reference only as closely as torch's own
optimizers do when run the way students run them: default settings (float32 step scalars),
the foreach path, float32 parameters. For each shipped question whose reference is a
torch.optim class, each replay probe (hidden ones drawn with the public secret) is replayed
through torch in those four ways, and how much of the default tolerance for the student's
precision the run uses is printed as a margin. The
baseline, in the same run, is the float64 for-loop path with float64 scalars, the setting
the reference is verified against. The margin is 1 / max |s - r| / (atol + rtol |r|): how many
times over the run would still pass.

    python benchmarks/tolerance_calibration.py [--min-margin 3]

Exit 1 if any margin is below ``--min-margin``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from autograder.assignment import builtin_spec  # noqa: E402
from autograder.engine.checks.optimizer import _setting  # noqa: E402
from autograder.engine.compare import DEFAULT_TOLERANCES  # noqa: E402
from autograder.hidden_draws import PUBLIC_SECRET, with_drawn_probes  # noqa: E402
from reference.torch_mirror import TORCH_OPTIMIZERS, float64_scalars  # noqa: E402
from reference.trajectory import replay  # noqa: E402

SPECS = ("04-adaptive", "cs231n-optim", "dlai-optimization", "06-pytorch")
WAYS = {  # name: (parameter dtype, foreach, float64 scalars)
    "float64, for-loop, float64 scalars (baseline)": (torch.float64, False, True),
    "float64, defaults (float32 scalars)": (torch.float64, None, False),
    "float64, foreach": (torch.float64, True, False),
    "float32, defaults": (torch.float32, None, False),
    "float32, foreach": (torch.float32, True, False),
}


def torch_replay(name: str, hparams: dict, grads, start, lrs, dtype, foreach) -> np.ndarray:
    """torch.optim's ``name`` fed the gradient sequence, parameters after every step (start first)."""
    options = {key: tuple(value) if isinstance(value, list) else value for key, value in hparams.items()}
    parameter = torch.tensor(np.asarray(start), dtype=dtype, requires_grad=True)
    optimizer = TORCH_OPTIMIZERS[name]([parameter], lr=float(lrs[0]), foreach=foreach, **options)
    path = [parameter.detach().numpy().astype(np.float64).copy()]
    for gradient, lr in zip(grads, lrs, strict=True):
        parameter.grad = torch.as_tensor(np.asarray(gradient), dtype=dtype)
        optimizer.param_groups[0]["lr"] = float(lr)
        optimizer.step()
        path.append(parameter.detach().numpy().astype(np.float64).copy())
    return np.array(path)


def tolerance_used(student: np.ndarray, reference: np.ndarray, rtol: float, atol: float) -> float:
    """max |s - r| / (atol + rtol |r|): 1 is the edge of the tolerance, below 1 passes."""
    with np.errstate(all="ignore"):
        used = np.abs(student - reference) / (atol + rtol * np.abs(reference))
    return float(np.max(used)) if np.all(np.isfinite(used)) else float("inf")


def replay_probes():
    """(spec id, question, probe) for every replay probe of a torch-backed question."""
    for spec_id in SPECS:
        spec = with_drawn_probes(builtin_spec(spec_id), PUBLIC_SECRET)
        for question in spec.questions:
            if question.reference not in TORCH_OPTIMIZERS:
                continue
            for check in question.checks:
                if check.kind == "replay":
                    yield from ((spec_id, question, probe) for probe in check.probes)


def measure(spec_id, question, probe) -> dict[str, float]:
    """The margin (1 / the share of the default tolerance used) of each way of running torch on this probe."""
    setting = _setting(probe, question)
    grads, start, lrs = setting.grads * probe.grad_scale, setting.reference.params[0], setting.reference.lrs
    reference = replay(setting.optimizer(question.reference), grads, start, lrs)
    margins = {}
    for way, (dtype, foreach, float64_steps) in WAYS.items():
        tolerance = DEFAULT_TOLERANCES["float32" if dtype == torch.float32 else "float64"]
        if float64_steps:
            with float64_scalars():
                path = torch_replay(question.reference, setting.hparams, grads, start, lrs, dtype, foreach)
        else:
            path = torch_replay(question.reference, setting.hparams, grads, start, lrs, dtype, foreach)
        used = tolerance_used(path, reference, tolerance.rtol, tolerance.atol)
        margins[way] = 1.0 / used if used > 0 else float("inf")
    return margins


def main(argv: list[str] | None = None) -> int:
    """Print the margins; exit 1 if one is below the minimum."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-margin", type=float, default=3.0)
    arguments = parser.parse_args(argv)
    rows = [((spec_id, question.id, probe.label), measure(spec_id, question, probe))
            for spec_id, question, probe in replay_probes()]  # fmt: skip
    shown = "; ".join(f"{name} rtol {t.rtol:g} atol {t.atol:g}" for name, t in DEFAULT_TOLERANCES.items())
    print(f"defaults: {shown}\n")
    print(f"{'smallest margin (default tolerance / what torch needs)':58} {'probes':>6}  {'margin':>8}  worst probe")
    worst_overall = float("inf")
    for way in WAYS:
        margins = [(row[1][way], row[0]) for row in rows]
        margin, where = min(margins)
        worst_overall = min(worst_overall, margin) if "baseline" not in way else worst_overall
        shown = "exact" if margin == float("inf") else f"{margin:.3g}x"
        print(f"  {way:56} {len(rows):>6}  {shown:>8}  {'/'.join(where)}")
    verdict = worst_overall >= arguments.min_margin
    print(f"\nevery default-settings run passes with margin >= {arguments.min_margin:g}: {'yes' if verdict else 'NO'}")
    return 0 if verdict else 1


if __name__ == "__main__":
    sys.exit(main())
