"""Check kinds, one module per thing a check is about; all come in through :mod:`.registry`.

Built in (importing this package registers them, as a custom kind would be registered):

* :mod:`.optimizer`: ``replay``, ``one-step``, ``closed-loop``, ``divergence``;
* :mod:`.schedule`: ``schedule``; :mod:`.gradient`: ``gradient``; :mod:`.value`: ``value``;
* :mod:`.batches` and :mod:`.properties`: ``property`` (batches partition the data; inputs unchanged);
* :mod:`.function`: ``function``; :mod:`.minibatch`: ``minibatch``; :mod:`.training`: ``training``.
"""

from autograder.engine.checks import (
    batches,
    function,
    gradient,
    minibatch,
    optimizer,
    properties,
    schedule,
    training,
    value,
)
from autograder.engine.checks.registry import CHECK_KINDS, register, run_probe

BUILTIN_KINDS = (optimizer, schedule, gradient, value, batches, properties, function, minibatch, training)
__all__ = ["BUILTIN_KINDS", "CHECK_KINDS", "register", "run_probe"]
