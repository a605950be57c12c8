"""Grade many submissions: in parallel, with progress, resumable, nothing lost.

Each submission's result is written atomically (temp file + rename) to
``OUT/results/<student>.json`` as soon as it is known, tagged with a fingerprint of the
spec. A re-run skips every submission whose result is already there for the same spec
(unless ``force``), so an interrupted batch resumes where it stopped. A submission that
breaks never affects another; a failure of the grader itself is reported and leaves no
result, so the next run retries it instead of recording a zero.
"""

from __future__ import annotations

import glob
import json
import math
import multiprocessing
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path

from autograder.errors import InfrastructureError
from autograder.pool import pool_for
from autograder.sandbox import Sandbox
from autograder.spec import AssignmentSpec, load_spec
from autograder.submission import grade_submission

SUBMISSION_SUFFIXES = (".ipynb", ".py")


def collect_submissions(arguments: Iterable[str]) -> list[Path]:
    """Files, folders (their .ipynb and .py files) and glob patterns, in a stable order."""
    found: list[Path] = []
    for argument in arguments:
        path = Path(argument)
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix in SUBMISSION_SUFFIXES and p.is_file())
        elif path.is_file():
            found.append(path)
        else:
            matches = sorted(Path(p) for p in glob.glob(argument) if Path(p).is_file())
            if not matches:
                raise ValueError(f"no submission found at {argument}")
            found += matches
    unique = list(dict.fromkeys(p.resolve() for p in found))
    if not unique:
        raise ValueError("no submissions to grade")
    return unique


def result_names(submissions: list[Path]) -> dict[Path, str]:
    """A unique, readable result name per submission (the file stem, or folder_stem)."""
    stems = [p.stem for p in submissions]
    names = {}
    for path in submissions:
        name = path.stem if stems.count(path.stem) == 1 else f"{path.parent.name}_{path.stem}"
        names[path] = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
    return names


def json_safe(value):
    """``value`` with every NaN or infinity replaced by None (JSON has neither)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(item) for item in value]
    return value


def write_atomically(path: Path, payload: dict) -> None:
    """Write JSON so that a crash leaves either the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(json_safe(payload), indent=1, allow_nan=False)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def load_result(path: Path, fingerprint: str) -> dict | None:
    """A stored result graded under the same spec, or None."""
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    return payload if payload.get("spec_fingerprint") == fingerprint else None


@dataclass(frozen=True)
class Job:
    """What a worker needs to grade one submission (picklable)."""

    submission: str
    spec_source: str  # a spec file path, or "builtin:<id>"
    sandbox: Sandbox
    include_hidden: bool


def _load(spec_source: str) -> AssignmentSpec:
    from autograder.spec import builtin_spec

    if spec_source.startswith("builtin:"):
        return builtin_spec(spec_source.removeprefix("builtin:"))
    return load_spec(spec_source)


def run_job(job: Job) -> dict:
    """Grade one submission (in a worker process, with that process's pool of pre-started
    kernels); returns its native result JSON."""
    spec = _load(job.spec_source)
    return grade_submission(job.submission, spec, job.sandbox, job.include_hidden, pool_for(job.sandbox)).to_json()


@dataclass
class BatchOutcome:
    """Everything a batch produced: results in submission order and grader failures."""

    results: list[dict] = field(default_factory=list)
    infrastructure_failures: dict[str, str] = field(default_factory=dict)
    reused: int = 0


class Progress:
    """One line per finished submission on stderr: counts, failures and an ETA."""

    def __init__(self, total: int, stream=None):
        self.total, self.done, self.failed, self.started = total, 0, 0, time.monotonic()
        self.stream = stream or sys.stderr

    def update(self, name: str, payload: dict | None, note: str = "") -> None:
        self.done += 1
        if payload is None or payload.get("error") or payload.get("score", 0) < payload.get("max_score", 0):
            self.failed += 1
        elapsed = time.monotonic() - self.started
        eta = elapsed / self.done * (self.total - self.done)
        score = f"{payload['score']:g}/{payload['max_score']:g}" if payload else "grader failure"
        line = f"[{self.done:>{len(str(self.total))}}/{self.total}] {name}: {score}{note}"
        print(f"{line}   (not full marks: {self.failed}, ETA {eta:.0f} s)", file=self.stream, flush=True)


def grade_batch(
    submissions: list[Path],
    spec_source: str,
    sandbox: Sandbox,
    out_dir: Path,
    workers: int = 1,
    force: bool = False,
    include_hidden: bool = True,
    progress: Progress | None = None,
    cluster: str | None = None,
    names: dict[Path, str] | None = None,
) -> BatchOutcome:
    """Grade every submission not already graded under this spec; results land in OUT/results.

    ``names`` gives each submission's student id (default: from the file names).
    """
    spec = _load(spec_source)
    sandbox = replace(sandbox, preload=spec.kernel_preload())
    fingerprint, names = spec.fingerprint(), names or result_names(submissions)  # another spec: regrade
    results_dir, outcome = out_dir / "results", BatchOutcome()
    progress = progress or Progress(len(submissions))
    stored: dict[Path, dict] = {}
    for path in submissions:
        previous = None if force else load_result(results_dir / f"{names[path]}.json", fingerprint)
        if previous is not None:
            stored[path] = previous
            outcome.reused += 1
            progress.update(names[path], previous, " (already graded)")
    jobs = [Job(str(p), spec_source, sandbox, include_hidden) for p in submissions if p not in stored]
    finished = _execute_on_cluster(jobs, cluster) if cluster else _execute(jobs, workers)
    for path_text, payload, failure in finished:
        path = Path(path_text)
        if failure is not None:
            outcome.infrastructure_failures[names[path]] = failure
            progress.update(names[path], None)
            continue
        payload.update(student=names[path], spec_fingerprint=fingerprint)
        try:
            write_atomically(results_dir / f"{names[path]}.json", payload)
        except OSError as error:  # a full disk, say: this result is not kept, the earlier ones are intact
            outcome.infrastructure_failures[names[path]] = f"could not write the result: {error.strerror or error}"
            progress.update(names[path], None)
            continue
        stored[path] = payload
        progress.update(names[path], payload)
    outcome.results = [stored[p] for p in submissions if p in stored]
    return outcome


def _execute(jobs: list[Job], workers: int):
    """Yield (submission, result, grader failure) as jobs finish."""
    if workers <= 1:
        for job in jobs:
            yield _guarded(run_job, job)
        return
    # forkserver: workers start from a clean single-threaded process. Forking the grader
    # itself, which may already run threads (jupyter_client, Dask), can hang the children.
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("forkserver")) as pool:
        futures = {pool.submit(run_job, job): job for job in jobs}
        for future in as_completed(futures):
            job = futures[future]
            try:
                yield job.submission, future.result(), None
            except (InfrastructureError, OSError, RuntimeError) as failure:
                yield job.submission, None, str(failure)
            except Exception as failure:  # a worker process that died (BrokenProcessPool) and the like
                yield job.submission, None, f"{type(failure).__name__}: {failure}"


def _execute_on_cluster(jobs: list[Job], address: str):
    """The same jobs on a Dask distributed cluster; a GPU job asks the worker for a GPU resource."""
    try:
        from dask.distributed import Client
        from dask.distributed import as_completed as dask_completed
    except ImportError:
        raise ValueError("--cluster needs Dask: pip install 'gdgrade[dask]'") from None
    try:
        client = Client(address, timeout=10)
    except OSError as error:
        raise ValueError(f"cannot reach the Dask scheduler at {address}: {error}") from None
    with client:
        futures = {}
        for job in jobs:
            resources = {"GPU": 1} if job.sandbox.gpu else None
            futures[client.submit(run_job, job, pure=False, resources=resources)] = job
        for future in dask_completed(futures):
            job = futures[future]
            try:
                yield job.submission, future.result(), None
            except Exception as failure:  # the worker's exception, re-raised here
                yield job.submission, None, f"{type(failure).__name__}: {failure}"


def _guarded(function: Callable[[Job], dict], job: Job):
    try:
        return job.submission, function(job), None
    except (InfrastructureError, OSError, RuntimeError) as failure:
        return job.submission, None, str(failure)
    except Exception as failure:  # a grader bug one submission triggers must not stop the batch
        return job.submission, None, f"{type(failure).__name__}: {failure}"


def summary_table(outcome: BatchOutcome) -> str:
    """A plain-text table: student, score, max score and any submission error."""
    rows = [("student", "score", "max", "note")]
    for payload in outcome.results:
        note = (payload.get("error") or "")[:60]
        rows.append((payload["student"], f"{payload['score']:g}", f"{payload['max_score']:g}", note))
    for name, failure in outcome.infrastructure_failures.items():
        rows.append((name, "-", "-", f"grader failure, will retry: {failure[:50]}"))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [f"{r[0]:<{widths[0]}}  {r[1]:>{widths[1]}}  {r[2]:>{widths[2]}}  {r[3]}".rstrip() for r in rows]
    return "\n".join([lines[0], "-" * len(lines[0])] + lines[1:])
