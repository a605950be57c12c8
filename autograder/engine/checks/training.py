"""Training checks: the student's PyTorch loop, run in the kernel on the reference MLP and data,
against float64 CPU reference losses. A missing ``zero_grad()`` and a scheduler stepped before
the optimizer are named (catalog entries, reproduced by the reference loop's own switches)."""

from __future__ import annotations

from autograder.engine.checks.registry import register
from autograder.engine.probe import ProbeOutcome, observe, require, series, tolerance_for
from autograder.engine.reference_cache import remembered_array, remembered_per_mistake
from autograder.engine.verdict import Mistakes, judge
from reference.mistakes import get_mistake

# catalog id -> the switch of the reference training loop that makes the same mistake
TRAINING_SLIPS = {
    "sgd-no-zero-grad": {"zero_grad": False},
    "scheduler-step-before-optimizer": {"scheduler_first": True},
}


def _training_setup(probe) -> dict:
    from reference.torch_mirror import training_setup

    params = probe.params
    return training_setup(
        params["optimizer"], float(probe.lr), probe.steps, probe.hparams, int(params.get("seed", 0)),
        int(params.get("n_samples", 64)), params.get("scheduler"), params.get("scheduler_params"),
    )  # fmt: skip


def _training_probe(check, probe, question, student_code, language) -> ProbeOutcome:
    """The student's training loop on the reference MLP and data: the losses it returns."""
    from reference.torch_mirror import setup_training_losses

    setup = _training_setup(probe)
    key = f"{question.id}|{probe!r}|training"
    expected = remembered_array(key, lambda: setup_training_losses(setup))
    observed = observe(student_code, "training_losses", question, setup)
    slips = [get_mistake(i) for i in TRAINING_SLIPS if setup["scheduler"] or "scheduler" not in i]
    produce = remembered_per_mistake(lambda mistake: setup_training_losses(setup, **TRAINING_SLIPS[mistake.id]), key)
    return judge(probe, observed.result, expected, tolerance_for(check, observed.dtypes), language,
                 mistakes=Mistakes(slips, produce), plot=series("losses", observed.result, expected),
                 passed="losses match")  # fmt: skip


def _validate(probe, question) -> None:
    import torch

    require(probe.lr is not None, "training probes need an lr")
    name = probe.params.get("optimizer")
    require(isinstance(getattr(torch.optim, str(name), None), type), f"params.optimizer {name!r} is not in torch.optim")
    scheduler = probe.params.get("scheduler")
    if scheduler:
        found = getattr(torch.optim.lr_scheduler, str(scheduler), None)
        require(isinstance(found, type), f"params.scheduler {scheduler!r} is not in torch.optim.lr_scheduler")


register("training", ("training",), _training_probe, _validate)
