"""The kernel manager removes a docker kernel's container whenever it cleans up after the kernel."""

import subprocess
import time
from pathlib import Path

import nbformat
import pytest
from nbclient.util import run_sync

from autograder.sandbox import kernel
from autograder.sandbox.backends import Sandbox
from autograder.sandbox.jobdir import WorkFolder
from autograder.sandbox.kernel import KernelSession, SandboxKernelManager


def test_cleaning_up_removes_the_manager_s_container_and_nothing_without_one(monkeypatch):
    removed = []
    monkeypatch.setattr(kernel, "remove_container", removed.append)
    manager = SandboxKernelManager()
    run_sync(manager.cleanup_resources)()  # no container: the bwrap and none backends
    manager.container = "gdgrade-cleanup-test"
    run_sync(manager.cleanup_resources)()  # the sync alias, as a session closes a killed kernel
    run_sync(manager.cleanup_resources)(restart=True)
    assert removed == ["gdgrade-cleanup-test", "gdgrade-cleanup-test"]


def _container_id(name: str) -> str | None:
    found = subprocess.run(["docker", "inspect", "--format", "{{.Id}}", name], capture_output=True, text=True)
    return found.stdout.strip() if found.returncode == 0 else None


@pytest.mark.docker
def test_a_docker_kernel_s_container_goes_at_restart_and_at_shutdown():
    work = WorkFolder()
    session = KernelSession(Sandbox("docker"), Path(work.name)).attach(nbformat.v4.new_notebook())
    try:
        with session:
            name = session.km.container
            first = _container_id(name)
            assert first, "the kernel runs in its own named container"
            # the name is free again only if the killed kernel's container was removed
            assert session.recover(time.monotonic() + 120), "the kernel came back after a restart"
            second = _container_id(name)
            assert second is not None and second != first
        assert _container_id(name) is None, "shutting the kernel down removes its container"
    finally:
        work.cleanup()
