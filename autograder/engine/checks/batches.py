"""Batch checks: every epoch partitions range(n), shuffled anew (and, if asked, exactly
rng.permutation(n) cut in order); the usual batching mistakes are named."""

from __future__ import annotations

import numpy as np

from autograder.engine.diagnosis import Diagnosis
from autograder.engine.probe import ProbeOutcome, observe, require
from autograder.messages import say
from reference.batching import minibatch_epoch
from reference.mistakes import get_mistake


def _batch_problem(epochs: list[list[np.ndarray]], n: int, batch_size: int) -> str | None:
    """The catalog id of the first property the epochs break, or None."""
    for epoch in epochs:
        order = np.concatenate(epoch) if epoch else np.array([], dtype=int)
        if len(order) < n and len(set(order.tolist())) == len(order) and set(order.tolist()) < set(range(n)):
            return "minibatch-drops-last"
        if sorted(order.tolist()) != list(range(n)):
            return "minibatch-with-replacement"
        if any(len(batch) != batch_size for batch in epoch[:-1]) or not 0 < len(epoch[-1]) <= batch_size:
            return "minibatch-unequal-sizes"  # a partition, cut into pieces of the wrong sizes
        if np.array_equal(order, np.arange(n)):
            return "minibatch-no-shuffle"
    if all(np.array_equal(np.concatenate(epochs[0]), np.concatenate(e)) for e in epochs[1:]):
        return "minibatch-same-order-every-epoch"
    return None


def batches_probe(check, probe, question, student_code, language) -> ProbeOutcome:
    """Epochs of the student's batches, from one seeded Generator, against the batching convention."""
    n, batch_size, epochs = (int(probe.params[k]) for k in ("n", "batch_size", "epochs"))
    seed = int(probe.params.get("seed", 0))
    student = observe(student_code, "epochs_of_batches", question, n, batch_size, seed, epochs).result
    broken = _batch_problem(student, n, batch_size)
    if broken is None and check.options.get("expect") == "permutation":
        reference_rng = np.random.default_rng(seed)
        expected = [minibatch_epoch(n, batch_size, reference_rng) for _ in range(epochs)]
        if not all(
            np.array_equal(np.concatenate(a), np.concatenate(b)) for a, b in zip(student, expected, strict=True)
        ):
            return ProbeOutcome(probe, False, say("not the permutation", language, label=probe.label))
    if broken is None:
        return ProbeOutcome(probe, True, say("batches fine", language, label=probe.label))
    diagnosis = Diagnosis(broken, get_mistake(broken).explanation(language))
    message = say("batch problem", language, label=probe.label, problem=say(broken, language))
    return ProbeOutcome(probe, False, message, diagnosis=diagnosis)


def validate_batches(probe, question) -> None:
    """Batch probes need n, batch_size and at least two epochs (to see the shuffling)."""
    for key in ("n", "batch_size", "epochs"):
        require(key in probe.params, f"batch probes need params.{key}")
    require(int(probe.params["epochs"]) >= 2, "use at least 2 epochs so shuffling can be checked")
