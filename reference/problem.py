"""What a problem is: a loss surface with its analytic gradient, start point and minimum.

The catalog of problems is in :mod:`reference.problems`; this module holds only the type,
so that code which builds problems elsewhere (the torch MLP) needs nothing from the catalog.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Vector = np.ndarray
IndexArray = np.ndarray


@dataclass(frozen=True)
class Problem:
    """A loss surface: loss, analytic gradient, start point and known minimum."""

    name: str
    description: str
    loss: Callable[[Vector], float]
    grad: Callable[[Vector], Vector]
    start: Vector
    minimum: Vector | None = None
    n_samples: int | None = None
    loss_on: Callable[[Vector, IndexArray], float] | None = None
    grad_on: Callable[[Vector, IndexArray], Vector] | None = None
    data: tuple[Vector, Vector] | None = None  # (inputs, targets) of a dataset problem

    @property
    def dim(self) -> int:
        """Number of parameters."""
        return int(self.start.size)

    @property
    def is_dataset(self) -> bool:
        """True when the loss is a mean over examples that can be batched."""
        return self.n_samples is not None

    def loss_and_grad(self, w: Vector) -> tuple[float, Vector]:
        """The loss and its gradient at ``w``, as an LR range test asks for them."""
        return self.loss(w), self.grad(w)
