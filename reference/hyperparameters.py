"""Checking keyword hyperparameters against the function that takes them."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any


def hyperparameters(function: Callable, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """The keyword names ``function`` accepts (less ``skip``), with their defaults.

    A required name maps to ``inspect.Parameter.empty``.
    """
    return {
        name: parameter.default
        for name, parameter in inspect.signature(function).parameters.items()
        if name not in skip
    }


def check_names(kind: str, name: str, function: Callable, given: dict[str, Any], skip: tuple[str, ...] = ()) -> None:
    """Raise ValueError for the first unknown or missing keyword in ``given``."""
    accepted = hyperparameters(function, skip)
    unknown = sorted(set(given) - set(accepted))
    if unknown:
        raise ValueError(f"unknown {kind} parameter {unknown[0]!r} for {name}; expected one of: " + ", ".join(accepted))
    missing = [key for key, default in accepted.items() if default is inspect.Parameter.empty]
    missing = [key for key in missing if key not in given]
    if missing:
        raise ValueError(f"{kind} {name} needs " + ", ".join(f"{key}=..." for key in missing))
