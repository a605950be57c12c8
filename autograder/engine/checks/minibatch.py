"""Mini-batch checks: an SGD loop over the reference's batches, per update or per epoch.

Rows are numbered by updates either way: after e epochs of B batches the row is step e * B.

The batches follow :mod:`reference.batching`'s convention (each epoch cuts one
``rng.permutation(n)`` into consecutive slices); a loop that runs its own epochs gets the
seed instead, and its batching mistakes are named from the catalog.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from autograder.engine.checks.registry import register
from autograder.engine.compare import step_numbers
from autograder.engine.probe import ProbeOutcome, observe, require, series, tolerance_for
from autograder.engine.verdict import Mistakes, judge
from reference.batching import epoch_batches
from reference.mistakes import mistakes_for
from reference.optimizers import sgd
from reference.problems import PROBLEMS, get_problem
from reference.trajectory import run


@dataclass(frozen=True)
class BatchPlan:
    """One mini-batch run: the batches the reference uses and how they were drawn."""

    batches: list
    batch_size: int
    epochs: int
    seed: int

    def to_data(self) -> dict:
        """What the student's side gets: the batches, their size, the epochs and the seed."""
        return {"batches": self.batches, "batch_size": self.batch_size, "epochs": self.epochs, "seed": self.seed}


def _plan(problem, probe) -> BatchPlan:
    batch_size, epochs, seed = (int(probe.params[k]) for k in ("batch_size", "epochs", "seed"))
    batches = epoch_batches(problem.n_samples, batch_size, epochs, np.random.default_rng(seed))
    return BatchPlan(batches, batch_size, epochs, seed)


def _every_epoch(params: np.ndarray, batch_count: int, epochs: int) -> np.ndarray:
    return params[:: batch_count // epochs]


def _minibatch_probe(check, probe, question, student_code, language) -> ProbeOutcome:
    """SGD over the reference's batches: every update, or the parameters after every epoch."""
    problem, lr = get_problem(probe.problem), probe.lr
    plan = _plan(problem, probe)
    reference = run(sgd(lr=lr), problem, len(plan.batches), batches=plan.batches).params
    observed = observe(student_code, "batch_run", question, problem, lr, plan.to_data(), np.array(problem.start))
    student = observed.result
    per_update = student.shape[0] == len(plan.batches) + 1
    expected = reference if per_update else _every_epoch(reference, len(plan.batches), plan.epochs)
    steps = step_numbers(len(expected), every=1 if per_update else len(plan.batches) // plan.epochs)

    def produce(mistake):
        batches = mistake.build(problem.n_samples, plan.batch_size, plan.epochs, np.random.default_rng(plan.seed))
        return _every_epoch(run(sgd(lr=lr), problem, len(batches), batches=batches).params, len(batches), plan.epochs)

    mistakes = Mistakes([] if per_update else mistakes_for("minibatch"), produce)
    return judge(probe, student, expected, tolerance_for(check, observed.dtypes), language, mistakes=mistakes,
                 plot=series("params", student, expected, probe.problem, steps=steps), steps=steps)  # fmt: skip


def _validate(probe, question) -> None:
    require(probe.problem in PROBLEMS and get_problem(probe.problem).is_dataset, "needs a dataset problem")
    require(probe.lr is not None, "mini-batch probes need an lr")
    for key in ("batch_size", "epochs", "seed"):
        require(key in probe.params, f"mini-batch probes need params.{key}")
    size, epochs = int(probe.params["batch_size"]), int(probe.params["epochs"])
    require(size >= 1 and epochs >= 1, f"batch_size and epochs must be >= 1, got {size} and {epochs}")


register("minibatch", ("batch-runner",), _minibatch_probe, _validate)
