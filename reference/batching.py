"""Which examples each update sees: full batch, mini-batch and single-sample epochs.

The convention, so a student can reproduce it exactly:

* a mini-batch epoch draws ONE permutation ``rng.permutation(n)`` from a
  ``numpy.random.Generator`` (``np.random.default_rng(seed)``) and cuts it into
  consecutive slices of ``batch_size``; the last slice holds the ``n % batch_size``
  leftovers when there are any (nothing is dropped);
* every epoch draws a fresh permutation from the same generator, so epochs differ;
* a single-sample (stochastic) epoch is a mini-batch epoch with ``batch_size = 1``;
* a full-batch epoch is ``[arange(n)]`` and draws nothing from the generator (the
  order of a full-batch mean does not matter, and this keeps the lesson's batch run
  independent of the others).
"""

from __future__ import annotations

import numpy as np


def _check_sizes(n: int, batch_size: int) -> None:
    if n < 1:
        raise ValueError(f"need at least one example, got n={n}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")


def full_batch_epoch(n: int) -> list[np.ndarray]:
    """One batch holding every example in order."""
    _check_sizes(n, 1)
    return [np.arange(n)]


def minibatch_epoch(n: int, batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """One epoch: ``rng.permutation(n)`` cut into slices of ``batch_size``."""
    _check_sizes(n, batch_size)
    order = rng.permutation(n)
    return [order[start : start + batch_size] for start in range(0, n, batch_size)]


def single_sample_epoch(n: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Stochastic gradient descent in the strict sense: one example per update."""
    return minibatch_epoch(n, 1, rng)


def epoch_batches(
    n: int, batch_size: int | None, n_epochs: int, rng: np.random.Generator | None = None
) -> list[np.ndarray]:
    """All batches of ``n_epochs`` epochs in order; ``batch_size=None`` means full batch."""
    if batch_size is None or batch_size >= n:
        return full_batch_epoch(n) * n_epochs
    if rng is None:
        raise ValueError("mini-batch epochs need a numpy Generator, e.g. np.random.default_rng(0)")
    return [batch for _ in range(n_epochs) for batch in minibatch_epoch(n, batch_size, rng)]
