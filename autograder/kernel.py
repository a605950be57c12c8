"""A sandboxed Jupyter kernel for one submission, driven by nbclient over IPC sockets.

The client (the grader) stays outside the sandbox; the kernel's connection file and IPC
sockets live in the job directory, the only place both can reach. nbclient gets an
``AsyncKernelManager``: with a synchronous manager its timeouts and dead-kernel
detection never fire.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import json
import os
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty

import nbformat
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import run_sync

from autograder import kernel_runtime
from autograder.notebooks import cell_number
from autograder.sandbox import (
    KERNEL_ENV,
    SANDBOX_UID,
    Sandbox,
    job_uid,
    limit_job_dir,
    prepare_job_dir,
    release_job_dir,
)

KERNEL_NAME = "gdgrade-sandbox"
COLLECT_ZOMBIES = """import os as _os
while True:
    try:
        if _os.waitpid(-1, _os.WNOHANG)[0] == 0:
            break
    except ChildProcessError:
        break
del _os"""
TIMEOUT_ERROR = "GdgradeCellTimeout"


class PromptKernelClient(AsyncKernelClient):
    """A kernel client with two changes for grading.

    * Its readiness wait has no fixed cost: jupyter_client's keeps listening to IOPub for
      0.2 s of silence after the kernel_info reply, a fifth of a second per submission.
    * A grader request can ride along in the next execute_request's content instead of in
      the cell's code: IPython transforms and compiles code twice, which for a request of
      50 MB of arrays takes seconds, while the message content is only parsed as JSON.
    """

    attached_request: str | None = None

    def execute(self, code: str, silent=False, store_history=True, user_expressions=None, allow_stdin=None,
                stop_on_error=True) -> str:  # fmt: skip
        """Send an execute_request (with the attached grader request, if any); returns its msg_id."""
        content = {
            "code": code,
            "silent": silent,
            "store_history": store_history,
            "user_expressions": user_expressions or {},
            "allow_stdin": self.allow_stdin if allow_stdin is None else allow_stdin,
            "stop_on_error": stop_on_error,
        }
        if self.attached_request is not None:
            content[kernel_runtime.REQUEST_FIELD], self.attached_request = self.attached_request, None
        message = self.session.msg("execute_request", content)
        self.shell_channel.send(message)
        return message["header"]["msg_id"]

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        """Return once the kernel answers kernel_info and IOPub delivers (RuntimeError if it dies)."""
        deadline = time.monotonic() + (timeout if timeout is not None else float("inf"))
        while not await self._iopub_answers():
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")
        with contextlib.suppress(Empty):  # drop what is already queued, without waiting for more
            while True:
                await self.iopub_channel.get_msg(timeout=0.005)

    async def _iopub_answers(self) -> bool:
        self.kernel_info()
        try:
            reply = await self.shell_channel.get_msg(timeout=1)
            if reply["msg_type"] != "kernel_info_reply":
                return False
            await self.iopub_channel.get_msg(timeout=0.2)  # a status message: IOPub is subscribed
        except Empty:
            return False
        self._handle_kernel_info_reply(reply)
        return True


class SandboxKernelManager(AsyncKernelManager):
    """Hands the connection file to the job's user, who must read it."""

    job_uid = SANDBOX_UID

    def _client_factory_default(self):
        return PromptKernelClient

    async def _async_wait(self, pollinterval: float = 0.1) -> None:
        # jupyter_client polls a killed kernel every 0.1 s; a one-use kernel dies in a few ms
        await super()._async_wait(pollinterval=min(pollinterval, 0.005))

    def write_connection_file(self, **kwargs) -> None:
        super().write_connection_file(**kwargs)
        if os.geteuid() == 0:
            os.chown(self.connection_file, self.job_uid, self.job_uid)


class KernelDiedError(Exception):
    """The kernel process ended (crash, exit, memory or CPU limit)."""


@dataclass
class CellIssue:
    """Something that went wrong in one student cell."""

    index: int
    kind: str  # "error", "timeout", "died", "deadline"
    message: str


@dataclass
class ExecutionReport:
    """What running the student's cells produced."""

    issues: list[CellIssue] = field(default_factory=list)
    cells_run: int = 0
    seconds: float = 0.0
    kernel_alive: bool = True
    strays_killed: int = 0


def _process_table() -> dict[int, tuple[int, int]]:
    """pid -> (real uid, parent pid) for every process we can see."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = dict(
                line.split(":", 1) for line in Path(f"/proc/{entry}/status").read_text().splitlines() if ":" in line
            )
            table[int(entry)] = (int(fields["Uid"].split()[0]), int(fields["PPid"]))
        except (OSError, KeyError, ValueError):
            continue  # the process ended while we looked
    return table


def reap_strays(uid: int) -> int:
    """Kill every process of the job's uid whose parent is also the job's: what the student's
    code started (the kernel's parent is the sandbox itself). Returns how many were killed."""
    table = _process_table()
    owned = {pid for pid, (owner, _) in table.items() if owner == uid}
    strays = [pid for pid in owned if table[pid][1] in owned]
    for pid in strays:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    return len(strays)


def _write_kernelspec(spec_root: Path, argv: list[str]) -> None:
    spec_dir = spec_root / KERNEL_NAME
    spec_dir.mkdir(parents=True, exist_ok=True)
    # "message": a SIGINT would reach bwrap and end the sandbox; the kernel interrupts itself instead
    spec = {
        "argv": argv,
        "display_name": "gdgrade sandbox",
        "language": "python",
        "env": {},
        "interrupt_mode": "message",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")


class KernelSession:
    """A sandboxed kernel for one submission: boot it (early, if you like), then attach the
    notebook, run its cells, and answer one-off cells. Each kernel serves one submission."""

    def __init__(self, sandbox: Sandbox, work_dir: Path, fork_server=None):
        """``fork_server`` (an :class:`autograder.zygote.ForkServer`) forks the kernel, and
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
        self.km.transport, self.km.ip = "ipc", str(self.job_dir / "kernel")
        self.km.connection_file = str(self.job_dir / "connection.json")
        self.notebook = self.client = self._context = None
        self._log = open(self.log_path, "ab")  # noqa: SIM115  (open for the session; close() closes it)

    def boot(self) -> KernelSession:
        """Launch the kernel process now; it imports numpy and torch while nobody waits."""
        if not self.km.has_kernel:
            run_sync(self.km.start_kernel)(env=dict(KERNEL_ENV), stdout=self._log, stderr=self._log)
        return self

    def attach(self, notebook) -> KernelSession:
        """Give the session its notebook (before entering it)."""
        self.notebook = notebook
        self.client = NotebookClient(
            notebook,
            km=self.km,
            timeout=int(self.sandbox.limits.cell_timeout),
            startup_timeout=90,
            allow_errors=True,
            interrupt_on_timeout=True,
            error_on_timeout={"ename": TIMEOUT_ERROR, "evalue": "time limit", "traceback": []},
            record_timing=False,
            kernel_name=KERNEL_NAME,
            shutdown_kernel="immediate",  # a one-use kernel has nothing to save; a graceful stop waits
        )
        return self

    def __enter__(self) -> KernelSession:
        self.boot()
        self._context = self.client.setup_kernel()
        self._context.__enter__()
        return self

    def __exit__(self, *exc_info) -> None:
        try:
            if self._context is not None:
                self._context.__exit__(*exc_info)
        finally:
            self.close()

    def close(self) -> None:
        """Stop the kernel (if it runs), release the log and the job folder's mount."""
        try:
            if self.km.has_kernel:
                run_sync(self.km.shutdown_kernel)(now=True)
        finally:
            self._log.close()
            if self.job_dir_mounted:
                release_job_dir(self.job_dir)
                self.job_dir_mounted = False

    def run_extra(self, source: str, timeout: float, attached: str | None = None) -> list:
        """Run a grader cell that is not part of the notebook; returns its outputs.

        ``attached`` travels in the execute_request's content, where the kernel runtime
        reads it (see :class:`PromptKernelClient`).

        nbclient stores every executed cell at its index in the notebook, so the cell is
        appended for the run and removed afterwards: the student's cells stay untouched.
        """
        cell = code_cell(source)
        self.notebook.cells.append(cell)
        self.client.kc.attached_request = attached
        try:
            # no history: a request can carry megabytes, and IPython keeps every input it stores
            return self.run_cell(cell, len(self.notebook.cells) - 1, timeout, store_history=False)
        finally:
            self.notebook.cells.pop()

    def run_cell(self, cell, index: int, timeout: float, store_history: bool = True) -> list:
        """Execute one cell; returns its outputs. Raises KernelDiedError if the kernel is gone.

        A cell stopped by the time limit gets a single GdgradeCellTimeout error output.
        """
        self.client.timeout = max(1, int(round(timeout)))
        started = time.monotonic()
        try:
            self.client.execute_cell(cell, index, store_history=store_history)
        except DeadKernelError as error:
            raise KernelDiedError(str(error) or "the kernel died") from None
        except CellTimeoutError:  # only when the interrupt itself did not help
            cell.outputs = [{"output_type": "error", "ename": TIMEOUT_ERROR, "evalue": "", "traceback": []}]
        if not self.km.has_kernel or not run_sync(self.km.is_alive)():
            raise KernelDiedError("the kernel died")
        elapsed = time.monotonic() - started
        if elapsed >= self.client.timeout or (elapsed >= 0.9 * self.client.timeout and _interrupted(cell.outputs)):
            # interrupted at the limit (a kernel busy unwinding may not even say so)
            cell.outputs = [{"output_type": "error", "ename": TIMEOUT_ERROR, "evalue": "", "traceback": []}]
        return cell.outputs

    def prepare(self) -> None:
        """Seeds, deterministic torch (TF32 off) and the output cap, before any student code."""
        outputs = self.run_extra(_prepare_code(), 120)
        errors = [o for o in outputs if o.get("output_type") == "error"]
        if errors:
            raise KernelDiedError(f"the sandbox could not be prepared: {errors[0].get('evalue')}")

    def run_student_cells(self) -> ExecutionReport:
        """Run every code cell in order, within the per-cell and whole-submission limits."""
        report, started = ExecutionReport(), time.monotonic()
        deadline = started + self.sandbox.limits.submission_timeout
        for index, cell in enumerate(self.notebook.cells):
            if cell.cell_type != "code":
                continue
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                report.issues.append(CellIssue(index, "deadline", "the notebook ran past its total time limit"))
                break
            limit = min(self.sandbox.limits.cell_timeout, remaining)
            try:
                outputs = self.run_cell(cell, index, limit)
            except KernelDiedError as died:
                number = cell_number(cell, index)
                report.issues.append(CellIssue(index, "died", f"the kernel died in cell {number}: {died}"))
                report.kernel_alive = False
                break
            report.cells_run += 1
            report.issues += _cell_issues(index, cell_number(cell, index), outputs, limit)
        report.seconds = time.monotonic() - started
        if self.sandbox.backend == "bwrap" and os.geteuid() == 0 and report.kernel_alive:
            report.strays_killed = reap_strays(self.uid)  # the job's own uid: nobody else's processes
            if report.strays_killed:
                self.run_extra(COLLECT_ZOMBIES, 30)  # killed children count against NPROC until waited for
        return report


@functools.cache  # the same for every submission
def _prepare_code() -> str:
    source = inspect.getsource(kernel_runtime)
    return (
        "import types as _t, sys as _s\n"
        "_m = _t.ModuleType('_gdgrade_prepare'); _s.modules['_gdgrade_prepare'] = _m\n"
        f"exec(compile({source!r}, '<gdgrade-prepare>', 'exec'), _m.__dict__)\n"
        "_m.prepare_kernel()\ndel _t, _s, _m"
    )


def _interrupted(outputs: list) -> bool:
    """The cell ended in the KeyboardInterrupt (or our marker) that a time-out leaves.

    An interrupt that lands while IPython is still printing an earlier error shows up as
    text on stderr rather than as an error output.
    """
    names = {o.get("ename") for o in outputs if o.get("output_type") == "error"}
    printed = any(o.get("output_type") == "stream" and "KeyboardInterrupt" in o.get("text", "") for o in outputs)
    return bool(names & {"KeyboardInterrupt", TIMEOUT_ERROR}) or printed


def _cell_issues(index: int, number: int, outputs: list, limit: float) -> list[CellIssue]:
    issues = []
    for output in outputs:
        if output.get("output_type") != "error":
            continue
        if output.get("ename") == TIMEOUT_ERROR:
            issues.append(CellIssue(index, "timeout", f"cell {number} ran past the {limit:g} s limit"))
        else:
            detail = f": {output.get('evalue')}" if output.get("evalue") else ""
            issues.append(CellIssue(index, "error", f"cell {number} raised {output.get('ename')}{detail}"))
    return issues


def code_cell(source: str):
    """A fresh code cell for a one-off execution."""
    return nbformat.v4.new_code_cell(source)
