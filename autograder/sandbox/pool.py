"""A one-use pool of pre-started sandboxed kernels.

Each kernel serves exactly one submission and is then shut down: no state can leak from
one student to the next. What the pool saves is waiting. The next kernel is launched
before the current submission is graded, so its start-up (the interpreter, ipykernel,
and numpy and torch, which the kernel imports on its own as it boots) overlaps with
grading.
"""

from __future__ import annotations

import atexit
import multiprocessing.util
import os
import sys
from collections import deque
from pathlib import Path

from autograder.sandbox.backends import Sandbox
from autograder.sandbox.containers import remove_stale_containers
from autograder.sandbox.forkserver import ForkServer, fork_server_applies
from autograder.sandbox.jobdir import WorkFolder, release_stale_job_dirs, remove_stale_work_folders
from autograder.sandbox.kernel import KernelSession


class KernelPool:
    """Keeps ``size`` booted kernels waiting; ``take()`` hands one out and refills."""

    def __init__(self, sandbox: Sandbox, size: int = 1):
        self.sandbox, self.size, self.owner = sandbox, size, os.getpid()
        self._waiting: deque[tuple[WorkFolder, KernelSession]] = deque()
        self.fork_server: ForkServer | None = None
        self._fork = fork_server_applies(sandbox)
        atexit.register(self.close)
        # multiprocessing workers leave through os._exit, which skips atexit; their finalizers run
        multiprocessing.util.Finalize(self, self.close, exitpriority=10)
        if sandbox.backend == "bwrap":
            release_stale_job_dirs()
        remove_stale_work_folders()
        if sandbox.backend == "docker":
            remove_stale_containers()

    def _boot_one(self) -> None:
        server = self._server()
        work = WorkFolder(server.root if server else None)
        try:
            session = KernelSession(self.sandbox, Path(work.name), server).boot()
        except BaseException:
            work.cleanup()
            raise
        self._waiting.append((work, session))

    def _server(self) -> ForkServer | None:
        """The fork server (started, or restarted if it died); None to boot kernels one by one."""
        if not self._fork:
            return None
        if self.fork_server is not None and not self.fork_server.alive():
            self.fork_server.close()
            self.fork_server = None
        if self.fork_server is None:
            try:
                self.fork_server = ForkServer(self.sandbox)
            except OSError as error:
                print(f"gdgrade: kernels start one by one ({error})", file=sys.stderr)
                self._fork = False
        return self.fork_server

    def take(self) -> tuple[WorkFolder, KernelSession]:
        """A booted kernel and its work directory; the caller closes both when done."""
        if not self._waiting:
            self._boot_one()
        taken = self._waiting.popleft()
        while len(self._waiting) < self.size:
            self._boot_one()  # starts now, boots while the caller grades
        return taken

    def close(self) -> None:
        """Shut down the kernels still waiting (only in the process that started them)."""
        if os.getpid() != self.owner:
            return
        while self._waiting:
            work, session = self._waiting.popleft()
            try:
                session.close()
            finally:
                work.cleanup()
        if self.fork_server is not None:
            self.fork_server.close()
            self.fork_server = None


_POOLS: dict[tuple[int, Sandbox], KernelPool] = {}


def pool_for(sandbox: Sandbox) -> KernelPool:
    """This process's pool for a sandbox configuration.

    Keyed by process id: a forked worker inherits its parent's pools, whose zmq sockets do
    not survive a fork, so it must boot kernels of its own.
    """
    key = (os.getpid(), sandbox)
    if key not in _POOLS:
        _POOLS[key] = KernelPool(sandbox)
    return _POOLS[key]
