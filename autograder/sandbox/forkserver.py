"""A kernel fork server: one per grading process, so a kernel costs a fork, not an interpreter.

Starting a kernel the ordinary way is a new Python process importing ipykernel, numpy,
matplotlib and perhaps torch: about a second of CPU for a numpy assignment, two with torch,
for every submission. The fork server pays that once. It runs in a bubblewrap sandbox like
a kernel's, imports the assignment's preloads, and forks each kernel, which builds its own
job sandbox before any student code exists (see :mod:`autograder.sandbox.forkserver_main`). Every
kernel is still used by one submission only.

It is used with the bwrap backend when gdgrade runs as root (each job needs its own uid,
and mounting the job's scratch space needs the capabilities that only a root-started
sandbox has); elsewhere kernels start the ordinary way. ``GDGRADE_FORK_SERVER=0`` turns it
off.

The job folders of a fork server's kernels live in one size-capped tmpfs, its root: mounts
made on the host later would not be seen inside the server's sandbox.
"""

from __future__ import annotations

import functools
import json
import os
import selectors
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from autograder.sandbox.backends import KERNEL_ENV, Sandbox, available_backend, python_prefixes
from autograder.sandbox.jobdir import release_job_dir, work_dir_prefix

READY_TIMEOUT = 120.0  # seconds for the server to import its preloads (torch on a slow disk)
JOBS_PER_ROOT = 3  # the job being graded, the next one waiting, and room to spare


def fork_server_applies(sandbox: Sandbox) -> bool:
    """Whether kernels for this sandbox come from a fork server."""
    wanted = os.environ.get("GDGRADE_FORK_SERVER", "1") != "0"
    return wanted and sandbox.backend == "bwrap" and os.geteuid() == 0 and available_backend() == "bwrap"


class ForkServer:
    """A running fork server and the capped folder its kernels' job folders live in."""

    def __init__(self, sandbox: Sandbox):
        self.sandbox = sandbox
        self.root = Path(tempfile.mkdtemp(prefix=f"{work_dir_prefix()}zygote-"))
        self.socket = self.root / "fork-server.sock"
        self.process = None
        self._log = tempfile.TemporaryFile()  # noqa: SIM115  (its complaints, outside the capped root; close())
        try:
            self._mount_root()
            self._start()
        except BaseException:
            self.close()
            raise

    def _mount_root(self) -> None:
        size = JOBS_PER_ROOT * self.sandbox.limits.job_dir_bytes
        options = f"size={size},mode=0711,nosuid,nodev"
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(self.root)], capture_output=True)
        if done.returncode != 0:
            raise OSError(f"cannot mount the fork server's job space: {done.stderr.decode(errors='replace')}")

    def _start(self) -> None:
        program = [sys.executable, "-c", fork_server_code(), str(self.socket), json.dumps(list(self.sandbox.preload))]
        argv = self.sandbox.fork_server_argv(self.root, program)
        self.process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self._log)
        line = _read_line(self.process.stdout, READY_TIMEOUT)
        if line.strip() != b"ready":
            self._log.seek(0)
            raise OSError(f"the kernel fork server did not start: {self._log.read()[-2000:].decode(errors='replace')}")

    def kernel_argv(self, job_dir: Path, uid: int) -> list[str]:
        """The command jupyter_client starts for a kernel: the launcher, which asks this server."""
        request = {
            "job_dir": str(job_dir),
            "uid": uid,
            "scratch_bytes": self.sandbox.limits.scratch_bytes,
            "limits": self.sandbox.limits.rlimits(),
            "env": dict(KERNEL_ENV),
            "read_only": python_prefixes(),
        }
        return [
            sys.executable,
            "-S",
            "-c",
            _source("launcher"),
            str(self.socket),
            json.dumps(request),
            "{connection_file}",
        ]

    def alive(self) -> bool:
        """Whether the server still runs."""
        return self.process is not None and self.process.poll() is None

    def close(self) -> None:
        """Stop the server (its kernels die with it) and release its job space."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self.process is not None:
            self.process.stdout.close()
        self._log.close()
        release_job_dir(self.root)
        shutil.rmtree(self.root, ignore_errors=True)


@functools.cache
def _source(module: str) -> str:
    return (Path(__file__).parent / f"{module}.py").read_text(encoding="utf-8")


def fork_server_code() -> str:
    """The fork server's ``python -c`` program: the seccomp filter, then the server itself."""
    return _source("seccomp") + "\n" + _source("forkserver_main")


def _read_line(stream, timeout: float) -> bytes:
    """One line from a pipe, or b"" after ``timeout`` seconds or at its end."""
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        if not selector.select(timeout):
            return b""
    return stream.readline()
