"""Options more than one command takes, and what they turn into."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograder.batch import BatchOutcome, failed_checks, summary_table
from autograder.cli.exits import ExitCode
from autograder.errors import UsageError
from autograder.sandbox.backends import BACKENDS, Limits, Sandbox, available_backend, docker_engine_running


def positive_seconds(text: str) -> float:
    """A time limit from the command line: a finite number of seconds above zero."""
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < seconds < float("inf"):
        raise argparse.ArgumentTypeError(f"a time limit must be a positive number of seconds, got {text}")
    return seconds


def add_sandbox_options(parser: argparse.ArgumentParser) -> None:
    """Where and how submissions run: workers, a Dask cluster, the sandbox, time limits, the secret."""
    parser.add_argument("-w", "--workers", type=int, default=1, help="submissions graded in parallel (default 1)")
    parser.add_argument("--cluster", metavar="ADDRESS", help="a Dask scheduler, e.g. tcp://host:8786")
    parser.add_argument("--sandbox", choices=BACKENDS, help="default: bwrap where available, else none")
    parser.add_argument("--cell-timeout", type=positive_seconds, default=60.0,
                        help="seconds per notebook cell (default 60)")  # fmt: skip
    parser.add_argument("--timeout", type=positive_seconds, default=300.0,
                        help="seconds for a whole notebook (default 300)")  # fmt: skip
    parser.add_argument("--grading-timeout", type=positive_seconds, default=300.0,
                        help="seconds for all of a submission's probes (default 300)")  # fmt: skip
    parser.add_argument("--secret-file", type=Path, metavar="FILE",
                        help="the secret hidden probes draw their values from (default: $GDGRADE_SECRET, the "
                        "course's gdgrade/secret, else ~/.config/gdgrade/secret)")  # fmt: skip


def add_output_options(parser: argparse.ArgumentParser) -> None:
    """How much a command prints: ``-q`` only what it found, ``-v`` every failed check too."""
    loudness = parser.add_mutually_exclusive_group()
    loudness.add_argument("-q", "--quiet", action="store_true", help="no progress lines; the results only")
    loudness.add_argument("-v", "--verbose", action="store_true", help="also every failed check's verdict")


def batch_table(outcome: BatchOutcome, verbose: bool = False) -> str:
    """A batch's table, and with ``verbose`` every failed check below it."""
    details = failed_checks(outcome.results) if verbose else ""
    return summary_table(outcome) + (f"\n\n{details}" if details else "")


def sandbox_from(arguments: argparse.Namespace) -> Sandbox:
    """The sandbox the options ask for; a usage error if it cannot run here."""
    backend = arguments.sandbox or available_backend()
    if backend == "none":
        print("gdgrade: warning: running student code WITHOUT a sandbox (--sandbox none)", file=sys.stderr)
    require_backend(backend)
    if arguments.workers < 1:
        raise UsageError(f"--workers must be >= 1, got {arguments.workers}")
    limits = Limits(cell_timeout=arguments.cell_timeout, submission_timeout=arguments.timeout,
                    grading_timeout=arguments.grading_timeout)  # fmt: skip
    return Sandbox(backend, limits)


def require_backend(backend: str) -> None:
    """A usage error when the asked-for sandbox cannot run on this machine."""
    if backend == "docker" and not docker_engine_running():
        raise UsageError("--sandbox docker needs a running Docker engine ('docker info' failed)")
    if backend == "bwrap" and available_backend() != "bwrap":
        raise UsageError("--sandbox bwrap needs bubblewrap and prlimit (apt-get install bubblewrap)")


def require_percentage(value: float | None, flag: str = "--fail-under") -> None:
    """A usage error unless ``value`` is absent or a percentage from 0 to 100."""
    if value is not None and not 0 <= value <= 100:
        raise UsageError(f"{flag} is a percentage from 0 to 100, got {value:g}")


def report_failures(failed: dict[str, str]) -> ExitCode:
    """Say which reports could not be written; INFRASTRUCTURE if any, else GRADED."""
    for name, why in failed.items():
        print(f"gdgrade: the {name} report could not be written: {why}", file=sys.stderr)
    return ExitCode.INFRASTRUCTURE if failed else ExitCode.GRADED


def grader_failures(count: int) -> ExitCode:
    """Say how many submissions the grader itself failed on; INFRASTRUCTURE if any."""
    if count:
        print(f"gdgrade: {count} submission(s) hit a grader failure; run again to retry them", file=sys.stderr)
        return ExitCode.INFRASTRUCTURE
    return ExitCode.GRADED
