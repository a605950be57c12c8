"""A sandboxed Jupyter kernel for one submission: boot it, run the notebook's cells, close it.

The client (the grader) stays outside the sandbox; the kernel's connection file and IPC
sockets live in the job directory, the only place both can reach. Every run goes through
:class:`~autograder.sandbox.channel.KernelChannel`, which enforces its deadline from the grader's
side (interrupt, then kill) and caps what the kernel may send back.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient.util import run_sync

from autograder.errors import KernelDiedError
from autograder.notebooks import cell_number
from autograder.sandbox.backends import KERNEL_ENV, Sandbox
from autograder.sandbox.channel import Caps, Execution, KernelChannel
from autograder.sandbox.containers import container_name, remove_container
from autograder.sandbox.jobdir import (
    SANDBOX_UID,
    job_uid,
    limit_job_dir,
    prepare_job_dir,
    reap_strays,
    release_job_dir,
)
from autograder.sandbox.slow_cells import watching
from autograder.student.codec import clean_text
from autograder.student.endpoint import REQUEST_FIELD

KERNEL_NAME = "gdgrade-sandbox"
STARTUP_TIMEOUT = 90.0
CELL_CAPS = Caps()  # student cells: output beyond 64 MiB or 20,000 messages is dropped unread
COLLECT_ZOMBIES = """import os as _os
while True:
    try:
        if _os.waitpid(-1, _os.WNOHANG)[0] == 0:
            break
    except ChildProcessError:
        break
del _os"""
STDIN_UNAVAILABLE = "StdinNotImplementedError"


class SandboxKernelManager(AsyncKernelManager):
    """Hands the connection file to the job's user, who must read it, and removes the kernel's
    container (docker backend) whenever it cleans up after a kernel: at shutdown and at restart."""

    job_uid = SANDBOX_UID
    container: str | None = None  # the docker backend's container name for this job; None otherwise

    async def _async_wait(self, pollinterval: float = 0.1) -> None:
        # jupyter_client polls a killed kernel every 0.1 s; a one-use kernel dies in a few ms
        await super()._async_wait(pollinterval=min(pollinterval, 0.005))

    def write_connection_file(self, **kwargs) -> None:
        super().write_connection_file(**kwargs)
        if os.geteuid() == 0:
            os.chown(self.connection_file, self.job_uid, self.job_uid)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        try:
            await super()._async_cleanup_resources(restart=restart)
        finally:
            if self.container is not None:  # a killed `docker run` client leaves its container running
                await asyncio.to_thread(remove_container, self.container)  # and its name taken, for a restart

    # AsyncKernelManager's alias is bound to KernelManager's function, not to an override
    cleanup_resources = _async_cleanup_resources


@dataclass
class CellIssue:
    """Something that went wrong in one student cell."""

    index: int
    kind: str  # "error", "timeout", "died", "deadline", "output", "input", "restarted"
    message: str


@dataclass
class ExecutionReport:
    """What running the student's cells produced."""

    issues: list[CellIssue] = field(default_factory=list)
    cells_run: int = 0
    seconds: float = 0.0
    kernel_alive: bool = True
    strays_killed: int = 0


def _write_kernelspec(spec_root: Path, argv: list[str]) -> None:
    spec_dir = spec_root / KERNEL_NAME
    spec_dir.mkdir(parents=True, exist_ok=True)
    # "message": a SIGINT would reach bwrap and end the sandbox; the kernel interrupts itself instead
    spec = {"argv": argv, "display_name": "gdgrade sandbox", "language": "python", "env": {},
            "interrupt_mode": "message"}  # fmt: skip
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")


class KernelSession:
    """A sandboxed kernel for one submission: boot it (early, if you like), then attach the
    notebook, run its cells, and answer the grader's requests. Each kernel serves one submission."""

    def __init__(self, sandbox: Sandbox, work_dir: Path, fork_server=None):
        """``fork_server`` (an :class:`autograder.sandbox.forkserver.ForkServer`) forks the kernel, and
        ``work_dir`` must then lie in its capped job space."""
        self.sandbox, self.work_dir = sandbox, work_dir
        spec_root = work_dir / "kernels"
        self.log_path = spec_root / "kernel.log"
        uid = self.uid = job_uid()
        self.job_dir = prepare_job_dir(work_dir / "job", uid)
        if fork_server is not None:
            self.job_dir_mounted, argv = False, fork_server.kernel_argv(self.job_dir, uid)
        else:
            capped = sandbox.backend == "bwrap" and limit_job_dir(self.job_dir, uid, sandbox.limits.job_dir_bytes)
            self.job_dir_mounted, argv = capped, sandbox.kernel_argv(self.job_dir, uid)
        _write_kernelspec(spec_root, argv)
        self.km = SandboxKernelManager(
            kernel_name=KERNEL_NAME, kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(spec_root)])
        )
        self.km.job_uid = uid
        self.km.container = container_name(self.job_dir) if sandbox.backend == "docker" else None
        self.km.transport, self.km.ip = "ipc", str(self.job_dir / "kernel")
        self.km.connection_file = str(self.job_dir / "connection.json")
        self.notebook = self.channel = None
        self.files: dict[str, bytes] = {}
        self.completed: list[int] = []  # the cells that ran to completion, to run again after a restart
        self._log = open(self.log_path, "ab")  # noqa: SIM115  (open for the session; close() closes it)

    def boot(self) -> KernelSession:
        """Launch the kernel process now; it imports its preloads while nobody waits."""
        if not self.km.has_kernel:
            run_sync(self.km.start_kernel)(env=dict(KERNEL_ENV), stdout=self._log, stderr=self._log,
                                           **self._working_folder())  # fmt: skip
        return self

    def _working_folder(self) -> dict:
        """Without a sandbox the kernel works in its own job folder, not in the grader's (sandboxes chdir)."""
        if self.sandbox.backend != "none":
            return {}
        folder = self.job_dir / "work"
        folder.mkdir(exist_ok=True)
        return {"cwd": str(folder)}

    def attach(self, notebook, files: dict[str, bytes] | None = None) -> KernelSession:
        """Give the session its notebook (before entering it), and the files a bundle puts beside it."""
        self.notebook, self.files = notebook, dict(files or {})
        return self

    def __enter__(self) -> KernelSession:
        self.boot()
        self.channel = KernelChannel(self.km)
        self.channel.wait_for_ready(STARTUP_TIMEOUT)
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        """Stop the kernel (if it runs), release the sockets, the log and the job folder's mount."""
        try:
            if self.channel is not None:
                self.channel.close()
                self.channel = None
            if self.km.has_kernel:
                run_sync(self.km.shutdown_kernel)(now=True)
            else:  # never started, or killed at a deadline: only its resources are left
                run_sync(self.km.cleanup_resources)()
        finally:
            self._log.close()
            if self.job_dir_mounted:
                release_job_dir(self.job_dir)
                self.job_dir_mounted = False

    def alive(self) -> bool:
        """Whether the kernel still runs."""
        return self.channel is not None and self.channel.alive()

    def run_extra(self, code: str, timeout: float, request: dict | None = None, **options) -> Execution:
        """Run a grader cell (not part of the notebook); ``request`` rides in the execute_request.

        Raises KernelDiedError when the kernel was gone before or died during it.
        """
        if not self.alive():
            raise KernelDiedError("the kernel is no longer running")
        attached = {REQUEST_FIELD: json.dumps(request)} if request is not None else None
        outcome = self.channel.execute(code, timeout, attached=attached, **options)
        if outcome.died and not outcome.timed_out:
            raise KernelDiedError("the kernel died")
        return outcome

    def prepare(self) -> None:
        """Seeds, deterministic torch (TF32 off) and the output cap, before any student code."""
        files = {name: base64.b64encode(data).decode("ascii") for name, data in self.files.items()}
        outcome = self.run_extra(PREPARE_CELL, 120, request={**_prepare_sources(), "files": files})
        if outcome.error or outcome.died:
            detail = outcome.error[1] if outcome.error else "it stopped"
            raise KernelDiedError(f"the sandbox could not be prepared: {detail}")

    def run_student_cells(self) -> ExecutionReport:
        """Run every code cell in order, within the per-cell and whole-submission limits.

        A cell the grader had to kill (it ignored the interrupt) costs that cell only: the
        kernel is restarted, the cells that had finished run again, and grading goes on.
        """
        report, started = ExecutionReport(), time.monotonic()
        deadline = started + self.sandbox.limits.submission_timeout
        self.completed = []
        for index, cell in enumerate(self.notebook.cells):
            if cell.cell_type != "code":
                continue
            if not self._run_one(index, cell, deadline, report):
                break
        report.seconds = time.monotonic() - started
        self._reap(report)
        return report

    def _run_one(self, index: int, cell, deadline: float, report: ExecutionReport) -> bool:
        """Run one cell; False when grading of the cells must stop here."""
        number, remaining = cell_number(cell, index), deadline - time.monotonic()
        if remaining <= 0:
            report.issues.append(CellIssue(index, "deadline", "the notebook ran past its total time limit"))
            return False
        limit = min(self.sandbox.limits.cell_timeout, remaining)
        with watching(number, cell.source, limit):  # gdgrade check names a slow cell
            outcome = self.channel.execute(cell.source, limit, store_history=True, caps=CELL_CAPS)
        report.cells_run += 1
        report.issues += _cell_issues(index, number, outcome, limit)
        if outcome.timed_out and outcome.died and self.recover(deadline):
            message = f"the kernel was restarted after code cell {number}; the cells before it ran again"
            report.issues.append(CellIssue(index, "restarted", message))
            return True
        if outcome.died or not self.alive():
            report.issues.append(CellIssue(index, "died", f"the kernel died in code cell {number}"))
            report.kernel_alive = False
            return False
        if not outcome.timed_out:
            self.completed.append(index)
        return True

    def recover(self, deadline: float) -> bool:
        """A fresh kernel with the finished cells run again (before ``deadline``); False if that fails."""
        self.channel.close()
        run_sync(self.km.restart_kernel)(now=True)
        self.channel = KernelChannel(self.km)
        try:
            self.channel.wait_for_ready(STARTUP_TIMEOUT)
            self.prepare()
        except (RuntimeError, KernelDiedError):
            return False
        for index in self.completed:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            outcome = self.channel.execute(self.notebook.cells[index].source, min(self.sandbox.limits.cell_timeout,
                                           remaining), store_history=True, caps=CELL_CAPS)  # fmt: skip
            if outcome.died or outcome.timed_out:
                return False
        return self.alive()

    def _reap(self, report: ExecutionReport) -> None:
        if self.sandbox.backend == "bwrap" and os.geteuid() == 0 and report.kernel_alive:
            report.strays_killed = reap_strays(self.uid)  # the job's own uid: nobody else's processes
            if report.strays_killed:
                self.run_extra(COLLECT_ZOMBIES, 30)  # killed children count against NPROC until waited for


PREPARE_CELL = f"""def _gdgrade_prepare():
    import json, types
    from IPython import get_ipython
    request = json.loads(get_ipython().kernel.get_parent("shell")["content"]["{REQUEST_FIELD}"])
    module = types.ModuleType("_gdgrade_prepare")
    exec(compile(request["source"], "<gdgrade-prepare>", "exec"), module.__dict__)
    module.prepare_kernel(files=request["files"])
_gdgrade_prepare()
del _gdgrade_prepare"""


@functools.cache  # the same for every submission
def _prepare_sources() -> dict:
    from autograder.student import prepare

    return {"source": Path(prepare.__file__).read_text(encoding="utf-8")}


def _cell_issues(index: int, number: int, outcome: Execution, limit: float) -> list[CellIssue]:
    issues = []
    if outcome.timed_out:
        issues.append(CellIssue(index, "timeout", f"code cell {number} ran past the {limit:g} s limit"))
    elif outcome.error and outcome.error[0] == STDIN_UNAVAILABLE:
        message = f"code cell {number} asked for keyboard input; grading has no keyboard, so the rest of it was skipped"
        issues.append(CellIssue(index, "input", message))
    elif outcome.error:
        ename, evalue = clean_text(outcome.error[0], 100), clean_text(outcome.error[1], 500)
        detail = f": {evalue}" if evalue else ""
        if ename == "ModuleNotFoundError":
            detail += " (the grading environment does not have it; the student guide lists what it provides)"
        issues.append(CellIssue(index, "error", f"code cell {number} raised {ename}{detail}"))
    if outcome.dropped:
        message = f"code cell {number} printed more than grading keeps; the rest was dropped"
        issues.append(CellIssue(index, "output", message))
    return issues
