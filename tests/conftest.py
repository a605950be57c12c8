"""Shared fixtures: float64 tolerances stated once."""

import atexit
import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest

# Every test run starts with an empty reference cache of its own (the CLI subprocesses inherit it).
os.environ["GDGRADE_CACHE_DIR"] = tempfile.mkdtemp(prefix="gdgrade-test-cache-")
atexit.register(shutil.rmtree, os.environ["GDGRADE_CACHE_DIR"], ignore_errors=True)

# The reference must equal torch.optim to rtol 1e-10; atol covers values crossing zero.
TORCH_RTOL = 1e-10
TORCH_ATOL = 1e-12


def assert_matches(actual, expected, rtol=TORCH_RTOL, atol=TORCH_ATOL):
    """``|a - e| <= atol + rtol |e|`` elementwise, NaNs equal."""
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, equal_nan=True)


def pytest_collection_modifyitems(config, items):
    """Tests marked ``sandbox`` need bubblewrap: skipped, with the reason, where it is missing.

    With ``GDGRADE_REQUIRE_SANDBOX=1`` (CI sets it) a missing sandbox is an error instead:
    the run must not pass by skipping every sandboxed test.
    """
    from autograder.sandbox.backends import available_backend

    if available_backend() == "bwrap":
        return
    if os.environ.get("GDGRADE_REQUIRE_SANDBOX") == "1" and any("sandbox" in item.keywords for item in items):
        raise pytest.UsageError("GDGRADE_REQUIRE_SANDBOX=1 but bubblewrap, prlimit or setpriv is missing")
    skip = pytest.mark.skip(reason="needs bubblewrap, prlimit and setpriv (the bwrap sandbox)")
    for item in items:
        if "sandbox" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


def load_module(path: Path):
    """Import a Python file (e.g. an example student submission) as a module."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
