"""Grade many submissions: in parallel, with progress, resumable, nothing lost.

Each submission's result is written atomically (temp file + rename) to
``OUT/results/<student>.json`` as soon as it is known, tagged with a key of everything it
was graded from: the submission's bytes, the spec, gdgrade's code and the limits. A re-run
skips every submission whose result is there under the same key (unless ``force``), so an
interrupted batch resumes where it stopped, and a changed file is always graded again. A submission that
breaks never affects another; a failure of the grader itself is reported and leaves no
result, so the next run retries it instead of recording a zero.
"""

from __future__ import annotations

import glob
import hashlib
import json
import multiprocessing
import os
import stat
import sys
import time
import unicodedata
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from autograder.assignment import load_spec
from autograder.bundles import folder_is_bundle
from autograder.errors import InfrastructureError, UsageError
from autograder.hidden_draws import PUBLIC_SECRET, secret_digest, with_drawn_probes
from autograder.journal import file_digest, load_result, write_atomically
from autograder.notebooks import SUBMISSION_KINDS, is_submission_file
from autograder.results import SubmissionResult
from autograder.sandbox.backends import Sandbox, preload_for
from autograder.sandbox.pool import pool_for
from autograder.spec import AssignmentSpec
from autograder.submission import grade_submission


@dataclass(frozen=True)
class Found:
    """What a batch was given: the submissions to grade, the files refused (file -> reason),
    and the files inside given folders that are not submissions (left alone, but said)."""

    submissions: list[Path]
    refused: dict[str, str]
    ignored: list[Path] = field(default_factory=list)


def refusal(path: Path) -> str | None:
    """Why a file (or a bundle folder) must not be graded: a link could make the grader read what it must not."""
    try:
        status = path.lstat()
    except OSError as error:
        return f"cannot be read: {error.strerror or error}"
    if stat.S_ISLNK(status.st_mode):
        return "it is a symbolic link; submit the file itself"
    if stat.S_ISDIR(status.st_mode):
        return _folder_refusal(path)
    if not stat.S_ISREG(status.st_mode):
        return "it is not a regular file"
    if not is_submission_file(path):
        return f"a {path.suffix or 'suffix-less'} file is not a submission; gdgrade grades {SUBMISSION_KINDS}"
    if status.st_nlink > 1:
        return "it has other hard links; submit a copy of the file"
    return None


def _folder_refusal(folder: Path) -> str | None:
    for root, folders, files in os.walk(folder):
        for name in folders + files:
            inner = Path(root) / name
            status = inner.lstat()
            if stat.S_ISLNK(status.st_mode) or (stat.S_ISREG(status.st_mode) and status.st_nlink > 1):
                return f"it holds a link ({inner.relative_to(folder)}); submit copies of the files"
    return None


def _walk(folder: Path) -> tuple[list[Path], list[Path]]:
    """Submissions in a folder, without following links: files, and bundle folders as one
    each; and the folder's other files (not hidden ones), which are not graded."""
    if folder_is_bundle(folder):
        return [folder], []
    found, ignored = [], []
    for root, folders, files in os.walk(folder):
        bundles = [f for f in folders if not f.startswith(".") and folder_is_bundle(Path(root) / f)]
        found += [Path(root) / name for name in sorted(bundles)]
        folders[:] = sorted(f for f in folders if not f.startswith(".") and f not in bundles)
        for name in sorted(files):
            wanted = is_submission_file(name)
            if wanted or not name.startswith("."):
                (found if wanted else ignored).append(Path(root) / name)
    return found, ignored


def _candidates(argument: str) -> tuple[list[Path], list[Path]]:
    path = Path(argument)
    if path.is_dir() and not path.is_symlink():
        return _walk(path)
    if path.exists() or path.is_symlink():
        return [path], []
    matches = sorted(Path(p) for p in glob.glob(argument))
    if not matches:
        raise UsageError(f"no submission found at {argument}")
    found, ignored = [], []
    for match in matches:  # a pattern's other files are passed over, as a folder's are
        if match.is_dir() and not match.is_symlink():
            inner, skipped = _walk(match)
        elif is_submission_file(match) or match.is_symlink():
            inner, skipped = [match], []
        else:
            inner, skipped = [], [match]
        found, ignored = found + inner, ignored + skipped
    return found, ignored


def collect_submissions(arguments: Iterable[str]) -> Found:
    """Files, folders (their .ipynb, .py and .zip files, and bundle folders) and glob patterns,
    in a stable order; links and other kinds of file refused."""
    found, refused, ignored = [], {}, []
    for argument in arguments:
        paths, skipped = _candidates(argument)
        ignored += skipped
        for path in paths:
            reason = refusal(path)
            if reason is None:
                found.append(path.resolve())
            else:
                refused[str(path)] = reason
    unique = list(dict.fromkeys(found))
    if not unique:
        raise UsageError("no submissions to grade" + "".join(f"; {p}: {r}" for p, r in refused.items()))
    return Found(unique, refused, ignored)


def ignored_line(ignored: list[Path], shown: int = 3) -> str | None:
    """One line about the files in given folders that were not graded (None if there are none)."""
    if not ignored:
        return None
    names = ", ".join(printable(str(path)) for path in ignored[:shown]) + (", ..." if len(ignored) > shown else "")
    return f"not graded: {len(ignored)} file(s) in the given folders are not submissions ({SUBMISSION_KINDS}): {names}"


def _safe_name(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in text)


def result_names(submissions: list[Path]) -> dict[Path, str]:
    """A unique, readable student id per submission (the file stem, or folder_stem when stems repeat).

    Two files that would get the same id are refused, naming both: results are never merged.
    """
    stems = [p.stem for p in submissions]
    names: dict[Path, str] = {}
    owners: dict[str, Path] = {}
    for path in submissions:
        name = _safe_name(path.stem if stems.count(path.stem) == 1 else f"{path.parent.name}_{path.stem}")
        if name in owners:
            raise UsageError(f"{owners[name]} and {path} would both be student {name!r}; rename one of them")
        owners[name], names[path] = path, name
    return names


def grade_key(submission: Path, spec: AssignmentSpec, sandbox: Sandbox, include_hidden: bool, secret: str) -> str:
    """What a stored result must have been graded from to be reused: the submission's bytes,
    the spec (its hidden probes drawn from ``secret``), gdgrade's code, the limits and which
    probes ran."""
    from autograder import __version__
    from autograder.engine.reference_cache import code_fingerprint

    parts = [file_digest(submission), spec.fingerprint(), __version__, code_fingerprint(), secret_digest(secret),
             json.dumps(asdict(sandbox.limits), sort_keys=True), sandbox.backend, str(include_hidden)]  # fmt: skip
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]


@dataclass(frozen=True)
class Job:
    """What a worker needs to grade one submission (picklable)."""

    submission: str
    spec_source: str  # a spec file path, or "builtin:<id>"
    sandbox: Sandbox
    include_hidden: bool
    secret: str = PUBLIC_SECRET  # what hidden probes draw their values from


def _load(spec_source: str, secret: str = PUBLIC_SECRET) -> AssignmentSpec:
    from autograder.assignment import builtin_spec

    if spec_source.startswith("builtin:"):
        spec = builtin_spec(spec_source.removeprefix("builtin:"))
    else:
        spec = load_spec(spec_source)
    return with_drawn_probes(spec, secret)


def run_job(job: Job) -> dict:
    """Grade one submission (in a worker process, with that process's pool of pre-started
    kernels); returns its native result JSON."""
    spec = _load(job.spec_source, job.secret)
    return grade_submission(job.submission, spec, job.sandbox, job.include_hidden, pool_for(job.sandbox)).to_json()


@dataclass
class BatchOutcome:
    """Everything a batch produced: results in submission order and grader failures."""

    results: list[SubmissionResult] = field(default_factory=list)
    infrastructure_failures: dict[str, str] = field(default_factory=dict)
    reused: int = 0


class Progress:
    """Progress on stderr. On a terminal, a live bar (tqdm) with the rate and an ETA from the
    submissions graded so far, and one line per finished submission above it; in a log (not
    a terminal), the same lines, each with the counts and the ETA; nothing when ``quiet``."""

    def __init__(self, total: int, stream=None, quiet: bool = False):
        self.total, self.done, self.graded, self.failed = total, 0, 0, 0
        self.stream, self.quiet = stream or sys.stderr, quiet
        self.started = time.monotonic()
        self._bar = None

    def update(self, name: str, result: SubmissionResult | None, reused: bool = False) -> None:
        """One more submission done (``result`` None: a grader failure; ``reused``: graded before)."""
        self.done += 1
        self.graded += not reused
        if result is None or result.error or result.score < result.max_score:
            self.failed += 1
        if self.quiet:
            return
        score = f"{result.score:g}/{result.max_score:g}" if result else "grader failure"
        line = f"[{self.done:>{len(str(self.total))}}/{self.total}] {name}: {score}"
        line += " (already graded)" if reused else ""
        if not _is_terminal(self.stream):
            print(f"{line}   (not full marks: {self.failed}, ETA {self._eta():.0f} s)", file=self.stream, flush=True)
            return
        if self._bar is None and reused:  # the results graded before come first, as plain lines
            print(line, file=self.stream, flush=True)
            return
        bar = self._bar or self._start_bar()
        bar.write(line, file=self.stream)
        bar.set_postfix_str(f"not full marks: {self.failed}", refresh=False)
        bar.update(1)

    def _eta(self) -> float:
        if not self.graded:
            return 0.0
        return (time.monotonic() - self.started) / self.graded * (self.total - self.done)

    def _start_bar(self):
        from tqdm import tqdm

        self._bar = tqdm(total=self.total, initial=self.done - 1, file=self.stream, unit="submission", smoothing=0,
                         dynamic_ncols=True, leave=True)  # fmt: skip
        return self._bar

    def close(self) -> None:
        """End the bar (if one was drawn)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


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
    secret: str = PUBLIC_SECRET,
) -> BatchOutcome:
    """Grade every submission not already graded under this spec; results land in OUT/results.

    ``names`` gives each submission's student id (default: from the file names); ``secret``
    is what the hidden probes draw their values from.
    """
    spec = _load(spec_source, secret)
    sandbox = replace(sandbox, preload=preload_for(spec))
    names = names or result_names(submissions)
    keys = {path: grade_key(path, spec, sandbox, include_hidden, secret) for path in submissions}  # changed: regrade
    results_dir, outcome = out_dir / "results", BatchOutcome()
    progress = progress or Progress(len(submissions))
    stored: dict[Path, SubmissionResult] = {}
    for path in submissions:
        previous = None if force else load_result(results_dir / f"{names[path]}.json", keys[path])
        if previous is not None:
            stored[path] = previous
            outcome.reused += 1
            progress.update(names[path], previous, reused=True)
    jobs = [Job(str(p), spec_source, sandbox, include_hidden, secret) for p in submissions if p not in stored]
    finished = _execute_on_cluster(jobs, cluster) if cluster else _execute(jobs, workers)
    try:
        _collect(finished, names, keys, spec, results_dir, stored, outcome, progress)
    finally:
        progress.close()
    outcome.results = [stored[p] for p in submissions if p in stored]
    return outcome


def _collect(finished, names, keys, spec, results_dir: Path, stored: dict, outcome: BatchOutcome, progress) -> None:
    """Store each finished job's result as it comes (a grader failure is noted, never a zero)."""
    for path_text, payload, failure in finished:
        path = Path(path_text)
        if failure is not None:
            outcome.infrastructure_failures[names[path]] = failure
            progress.update(names[path], None)
            continue
        result = SubmissionResult.from_json(payload).stored(names[path], keys[path], spec.fingerprint())
        try:
            write_atomically(results_dir / f"{names[path]}.json", result.to_json())
        except OSError as error:  # a full disk, say: this result is not kept, the earlier ones are intact
            outcome.infrastructure_failures[names[path]] = f"could not write the result: {error.strerror or error}"
            progress.update(names[path], None)
            continue
        stored[path] = result
        progress.update(names[path], result)


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
        raise UsageError("--cluster needs Dask: pip install 'gdgrade[dask]'") from None
    try:
        client = Client(address, timeout=10)
    except OSError as error:
        raise UsageError(f"cannot reach the Dask scheduler at {address}: {error}") from None
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


NOTE_WIDTH = 100  # a table's note: one line; the whole text is in the reports


def summary_table(outcome: BatchOutcome) -> str:
    """A plain-text table: student, score, max score, and a one-line note: the submission's
    error, else what went wrong running its cells (timeouts, input(), failed imports)."""
    rows = [("student", "score", "max", "note")]
    for result in outcome.results:
        rows.append((one_line(result.student), f"{result.score:g}", f"{result.max_score:g}", table_note(result)))
    for name, failure in outcome.infrastructure_failures.items():
        rows.append((one_line(name), "-", "-", one_line(f"grader failure, will retry: {failure}")))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [f"{r[0]:<{widths[0]}}  {r[1]:>{widths[1]}}  {r[2]:>{widths[2]}}  {r[3]}".rstrip() for r in rows]
    return "\n".join([lines[0], "-" * len(lines[0])] + lines[1:])


def table_note(result: SubmissionResult) -> str:
    """What a batch table says about a submission besides its score, in one line (empty when
    nothing went wrong)."""
    if result.error:
        return one_line(result.error)
    issues = [str(issue.get("message", "")) for issue in result.execution.get("issues", [])]
    if not issues:
        return ""
    more = f" (+{len(issues) - 1} more)" if len(issues) > 1 else ""
    return one_line(issues[0]) + more


def printable(text: str) -> str:
    """``text`` safe for a terminal: control and format characters (escape sequences, bidi
    overrides) shown as ``?``, tabs as spaces; line breaks are kept."""
    return "".join(
        " " if c == "\t" else c if c == "\n" or unicodedata.category(c) not in ("Cc", "Cf") else "?" for c in text
    )


def one_line(text: str, width: int = NOTE_WIDTH) -> str:
    """``text``'s first line, printable, cut at a word before ``width`` characters (with an
    ellipsis) when longer."""
    lines = printable(text).strip().splitlines()
    first = lines[0] if lines else ""
    if len(first) <= width and len(lines) <= 1:
        return first
    cut = first[: width - 1]
    if len(first) > width - 1 and " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:") + "…"


def failed_checks(results: list[SubmissionResult]) -> str:
    """Every failed check of every submission, with its verdict (what ``-v`` adds to the table)."""
    blocks = []
    for result in results:
        lines, said = [f"{result.student}:"], set()
        for check in (check for check in result.checks if not check.passed):
            why = "" if check.message in said else f": {check.message}"  # one reason for many checks, once
            said.add(check.message)
            lines.append(f"  ✗ {check.full_name}  {check.score:g}/{check.max_score:g}{why}")
        if len(lines) > 1:
            blocks.append("\n".join(lines))
    return "\n".join(blocks)


def missing_everywhere(results: list[SubmissionResult]) -> list[str]:
    """The spec's symbols that no submission which ran defines (two or more ran): more likely
    a misspelt symbol in the spec than a whole class's mistake."""
    ran = [result for result in results if not result.error and "missing_symbols" in result.execution]
    if len(ran) < 2:
        return []
    return sorted(set.intersection(*(set(result.execution["missing_symbols"]) for result in ran)))


def missing_warning(results: list[SubmissionResult]) -> str | None:
    """The warning :func:`missing_everywhere` calls for (None when every symbol was found somewhere)."""
    names = missing_everywhere(results)
    if not names:
        return None
    return (f"warning: no submission defines {', '.join(names)}: is the spec's symbol misspelt? "
            "gdgrade spec check SPEC --notebook NOTEBOOK compares them with a notebook's")  # fmt: skip
