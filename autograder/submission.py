"""Grade one submission end to end: load, run in the sandbox, probe, decide outside.

Nothing a submission does can raise out of :func:`grade_submission`: every problem with
the submission becomes part of its result. Only the grader's own failures raise
(InfrastructureError), and they are never turned into a student's zero.
"""

from __future__ import annotations

import re
import time
from dataclasses import asdict, replace
from pathlib import Path

from autograder.engine.grade import failed_result, grade
from autograder.errors import InfrastructureError, SubmissionError
from autograder.messages import localise
from autograder.notebooks import imported_modules, read_submission, student_notebook
from autograder.results import SubmissionResult
from autograder.sandbox.backends import GRADER_PACKAGES, Sandbox
from autograder.sandbox.jobdir import WorkFolder
from autograder.sandbox.kernel import CellIssue, ExecutionReport, KernelSession
from autograder.sandbox.pool import KernelPool
from autograder.sandbox.remote import KernelStudent, RemoteSession
from autograder.spec import AssignmentSpec
from autograder.student.calls import module_location
from autograder.timing import measuring, phase


def student_id(path: Path) -> str:
    """The student's id: the file name without its extension."""
    return path.stem


def _execution_summary(report: ExecutionReport, sandbox: Sandbox, calls: int) -> dict:
    return {
        "preloaded": list(sandbox.preload),
        "sandbox": sandbox.backend,
        "cells_run": report.cells_run,
        "seconds": round(report.seconds, 3),
        "kernel_alive": report.kernel_alive,
        "issues": [asdict(issue) for issue in report.issues],
        "stray_processes_killed": report.strays_killed,
        "probe_calls": calls,
    }


def _run(notebook, files: dict, spec: AssignmentSpec, sandbox: Sandbox, include_hidden: bool, session: KernelSession):
    with phase("handoff"):
        kernel = session.attach(notebook, files).__enter__()
    try:
        return _execute_and_grade(kernel, spec, sandbox, include_hidden)
    finally:
        with phase("teardown"):
            kernel.__exit__()


def _execute_and_grade(kernel: KernelSession, spec: AssignmentSpec, sandbox: Sandbox, include_hidden: bool):
    with phase("prepare"):
        kernel.prepare()
    with phase("student_cells"):
        report = kernel.run_student_cells()
    report.issues = [replace(issue, message=localise(issue.message, spec.language)) for issue in report.issues]
    if not report.kernel_alive:
        message = report.issues[-1].message
        return failed_result(spec, include_hidden), message, _execution_summary(report, sandbox, 0)
    sources = [cell.source for cell in kernel.notebook.cells if cell.cell_type == "code"]
    with phase("attach"):
        session = RemoteSession(kernel, sandbox.limits.grading_timeout)
        session.install(warm=modules_to_warm(sources, kernel.files))
        environment = session.environment()
    with phase("reference"):  # what grading spends outside student calls, comparison and diagnosis
        student = KernelStudent(session, why_missing=missing_because(kernel.notebook.cells, report.issues))
        result = grade(spec, student, include_hidden, sources=sources)
    summary = _execution_summary(report, sandbox, session.calls) | {"missing_symbols": sorted(student.missing)}
    return result, None, summary | {"kernel_reported": environment, "device": sandbox.device()}


FAILED_CELL_KINDS = ("error", "timeout", "input", "deadline", "restarted")


def modules_to_warm(sources: list[str], files: dict[str, bytes]) -> list[str]:
    """The installed modules the submission's code cells (``sources``) import (not its own
    helper files, never gdgrade's): imported in the kernel before the timed calls."""
    own = {Path(name).with_suffix("").parts[0] for name in files}
    wanted = sorted(name for name in imported_modules(sources) if name.split(".")[0] not in own | set(GRADER_PACKAGES))
    return [name for name in wanted if module_location(name.split(".")[0])]  # installed (nothing imported)


def missing_because(cells, issues: list[CellIssue]):
    """``why(name)``: the failed cell that would have defined ``name`` (else the first failed cell)."""
    failed = {issue.index: issue for issue in issues if issue.kind in FAILED_CELL_KINDS}

    def why(name: str) -> str:
        if not failed:
            return ""
        defining = re.compile(rf"^\s*(def|class)\s+{re.escape(name)}\b|^{re.escape(name)}\s*[:=]", re.M)
        chosen = next((failed[i] for i in sorted(failed) if defining.search(cells[i].source)), None)
        if chosen is None and not any(defining.search(cell.source) for cell in cells if cell.cell_type == "code"):
            return ""  # nothing in the notebook defines it: no failed cell is to blame
        issue = chosen or failed[min(failed)]
        return f"because {issue.message}" if chosen else f"(an earlier cell failed: {issue.message})"

    return why


START_ATTEMPTS = 2  # a kernel that fails to start is tried once more before it is the grader's failure


def grade_submission(
    path: str | Path,
    spec: AssignmentSpec,
    sandbox: Sandbox,
    include_hidden: bool = True,
    pool: KernelPool | None = None,
) -> SubmissionResult:
    """Grade one notebook, .py file or bundle (zip or folder) in a fresh sandboxed kernel (from ``pool`` if given)."""
    with measuring() as clock:
        graded = _grade_timed(Path(path), spec, sandbox, include_hidden, pool)
    if graded.execution:
        graded.execution["timings"] = clock.rounded()
    return graded


def _grade_timed(path: Path, spec: AssignmentSpec, sandbox: Sandbox, include_hidden: bool, pool) -> SubmissionResult:
    started = time.monotonic()
    try:
        with phase("load"):
            read, files = read_submission(path)
            notebook = student_notebook(read)
    except SubmissionError as problem:
        message = localise(str(problem), spec.language)
        result = failed_result(spec, include_hidden)
        return SubmissionResult(str(path), student_id(path), result, message, {}, time.monotonic() - started)
    for attempt in range(1, START_ATTEMPTS + 1):
        try:
            result, error, execution = _attempt(notebook, files, spec, sandbox, include_hidden, pool)
            break
        except (OSError, RuntimeError, TimeoutError) as failure:
            if attempt == START_ATTEMPTS:
                raise InfrastructureError(f"grading {path.name} failed in the grader: {failure}") from failure
    return SubmissionResult(str(path), student_id(path), result, error, execution, time.monotonic() - started)


def _attempt(notebook, files: dict, spec: AssignmentSpec, sandbox: Sandbox, include_hidden: bool, pool):
    with phase("handoff"):
        work, session = pool.take() if pool else _fresh_kernel(sandbox)
    try:
        return _run(notebook, files, spec, sandbox, include_hidden, session)
    except SubmissionError as problem:  # a kernel that died included
        message = localise(str(problem), spec.language)
        return failed_result(spec, include_hidden), message, {}
    finally:
        with phase("teardown"):
            session.close()
            work.cleanup()


def _fresh_kernel(sandbox: Sandbox):
    work = WorkFolder()
    return work, KernelSession(sandbox, Path(work.name))
