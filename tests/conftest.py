"""Shared fixtures: float64 tolerances stated once."""

import atexit
import importlib.util
import os
import shutil
import subprocess
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

# The image the docker tests use, as docker/build-offline and docker-compose.yml name it.
DOCKER_IMAGE = "gdgrade-grader:latest"


def assert_matches(actual, expected, rtol=TORCH_RTOL, atol=TORCH_ATOL):
    """``|a - e| <= atol + rtol |e|`` elementwise, NaNs equal."""
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, equal_nan=True)


def pytest_collection_modifyitems(config, items):
    """Tests marked ``sandbox`` need bubblewrap, those marked ``docker`` an engine and the grader
    image: skipped, with the reason, where they are missing.

    With ``GDGRADE_REQUIRE_SANDBOX=1`` or ``GDGRADE_REQUIRE_DOCKER=1`` (CI sets them) a missing
    one is an error instead: the run must not pass by skipping every such test.
    """
    _gate(items, "sandbox", "GDGRADE_REQUIRE_SANDBOX", _sandbox_missing)
    _gate(items, "docker", "GDGRADE_REQUIRE_DOCKER", _docker_missing)


def _gate(items, marker: str, require: str, missing) -> None:
    marked = [item for item in items if marker in item.keywords]
    reason = missing() if marked else None
    if reason is None:
        return
    if os.environ.get(require) == "1":
        raise pytest.UsageError(f"{require}=1 but {reason}")
    for item in marked:
        item.add_marker(pytest.mark.skip(reason=f"needs {reason.split(' is ')[0]}"))


def _sandbox_missing() -> str | None:
    from autograder.sandbox.backends import available_backend

    return None if available_backend() == "bwrap" else "bubblewrap, prlimit or setpriv is missing"


def _docker_missing() -> str | None:
    from autograder.sandbox.backends import docker_engine_running

    if not docker_engine_running():
        return "a running Docker engine is missing"
    image = subprocess.run(["docker", "image", "inspect", DOCKER_IMAGE], capture_output=True, check=False)
    return None if image.returncode == 0 else f"the image {DOCKER_IMAGE} is missing (docker/build-offline)"


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


def load_module(path: Path):
    """Import a Python file (e.g. an example student submission) as a module."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
