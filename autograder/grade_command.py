"""``gdgrade grade`` and ``gdgrade demo``.

Exit codes: 0 whenever grading happened (whatever the scores), 1 when ``--fail-under``
is given and a submission scored below it, 2 for usage errors, 3 when the grader itself
failed on some submission (those get no result and are retried on the next run).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from autograder.assignment import builtin_spec, load_spec
from autograder.batch import collect_submissions, grade_batch, summary_table
from autograder.errors import SpecError
from autograder.hidden_draws import PUBLIC_SECRET, grading_secret
from autograder.report_writer import ReportTargets, write_reports
from autograder.sandbox.backends import BACKENDS, Limits, Sandbox, available_backend

EXAMPLES = Path(__file__).parent / "examples" / "cs231n"
INFRASTRUCTURE_FAILURE = 3


def add_parsers(commands) -> None:
    """Register ``grade`` and ``demo``."""
    grade = commands.add_parser("grade", help="grade notebooks or .py files against an assignment")
    grade.add_argument("submissions", nargs="+", metavar="SUBMISSION", help="files, folders or globs")
    source = grade.add_mutually_exclusive_group(required=True)
    source.add_argument("--assignment", help="a built-in assignment id, e.g. cs231n-optim")
    source.add_argument("--spec", type=Path, help="an assignment spec file")
    _common_options(grade)
    grade.add_argument("--json", type=Path, metavar="FILE", help="all results as one JSON file")
    grade.add_argument("--html", type=Path, metavar="DIR", help="one HTML feedback page per submission")
    grade.add_argument("--junit", type=Path, metavar="FILE", help="JUnit XML")
    grade.add_argument("--gradescope", type=Path, metavar="FILE", help="Gradescope results.json (one submission)")
    grade.add_argument("--csv", type=Path, metavar="FILE", help="CSV summary")
    grade.add_argument("--fail-under", type=float, metavar="PERCENT", help="exit 1 if any score is below this %%")
    grade.add_argument("--force", action="store_true", help="regrade submissions already graded")
    grade.add_argument("--public-only", action="store_true", help="run only the public probes (self-check)")
    grade.set_defaults(handler=grade_command)

    demo = commands.add_parser("demo", help="grade the built-in example submissions and write their reports")
    _common_options(demo)
    demo.set_defaults(handler=demo_command)


def _common_options(parser) -> None:
    parser.add_argument("--out", type=Path, default=Path("gdgrade-out"), help="results folder (default gdgrade-out)")
    add_sandbox_options(parser)


def add_sandbox_options(parser) -> None:
    """Where and how submissions run: workers, a Dask cluster, the sandbox and time limits."""
    parser.add_argument("--workers", type=int, default=1, help="submissions graded in parallel")
    parser.add_argument("--cluster", metavar="ADDRESS", help="a Dask scheduler, e.g. tcp://host:8786")
    parser.add_argument("--sandbox", choices=BACKENDS, help="default: bwrap where available, else none")
    parser.add_argument("--cell-timeout", type=float, default=60.0, help="seconds per notebook cell")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds for a whole notebook")
    parser.add_argument("--grading-timeout", type=float, default=300.0,
                        help="seconds for all of a submission's probes (default 300)")  # fmt: skip
    parser.add_argument("--secret-file", type=Path, metavar="FILE",
                        help="the secret hidden probes draw their values from (default: $GDGRADE_SECRET, the "
                        "course's gdgrade/secret, else ~/.config/gdgrade/secret)")  # fmt: skip


def sandbox_from(arguments) -> Sandbox:
    """The sandbox the options ask for; a usage error if it cannot run here."""
    backend = arguments.sandbox or available_backend()
    if backend == "none":
        print("gdgrade: warning: running student code WITHOUT a sandbox (--sandbox none)", file=sys.stderr)
    require_docker_engine(backend)
    if arguments.workers < 1:
        raise ValueError(f"--workers must be >= 1, got {arguments.workers}")
    limits = Limits(cell_timeout=arguments.cell_timeout, submission_timeout=arguments.timeout,
                    grading_timeout=arguments.grading_timeout)  # fmt: skip
    return Sandbox(backend, limits)


def require_docker_engine(backend: str) -> None:
    """A usage error when the docker backend is asked for and no engine answers."""
    if backend == "docker" and not docker_engine_running():
        raise ValueError("--sandbox docker needs a running Docker engine ('docker info' failed)")


def docker_engine_running() -> bool:
    """True when the docker CLI can reach a running engine."""
    if not shutil.which("docker"):
        return False
    return subprocess.run(["docker", "info"], capture_output=True, timeout=20).returncode == 0


def _spec_source(arguments) -> str:
    """Validate the spec now (a bad one is a usage error) and say how workers load it."""
    try:
        if arguments.spec is not None:
            load_spec(arguments.spec)
            return str(arguments.spec.resolve())
        builtin_spec(arguments.assignment)
        return f"builtin:{arguments.assignment}"
    except SpecError as error:
        raise ValueError(str(error)) from None


def _targets(arguments) -> ReportTargets:
    return ReportTargets(*(getattr(arguments, name, None) for name in ("json", "html", "junit", "csv", "gradescope")))


def report_failures(failed: dict[str, str]) -> int:
    """Say which reports could not be written; the exit code that means (3: gdgrade's own fault)."""
    for name, why in failed.items():
        print(f"gdgrade: the {name} report could not be written: {why}", file=sys.stderr)
    return INFRASTRUCTURE_FAILURE if failed else 0


def _run(arguments, submissions: list[Path], spec_source: str, include_hidden: bool = True) -> int:
    sandbox = sandbox_from(arguments)
    force = getattr(arguments, "force", False)
    secret = grading_secret(arguments.secret_file) if include_hidden else PUBLIC_SECRET
    outcome = grade_batch(
        submissions, spec_source, sandbox, arguments.out, arguments.workers, force, include_hidden,
        cluster=arguments.cluster, secret=secret,
    )  # fmt: skip
    print(summary_table(outcome))
    written, failed = write_reports(outcome.results, _targets(arguments))
    print(f"\nresults: {arguments.out / 'results'}/" + "".join(f"\nreport: {item}" for item in written))
    if outcome.infrastructure_failures:
        print(f"gdgrade: {len(outcome.infrastructure_failures)} submission(s) hit a grader failure", file=sys.stderr)
        return INFRASTRUCTURE_FAILURE
    return report_failures(failed) or _fail_under(arguments, outcome.results)


def _fail_under(arguments, results: list[dict]) -> int:
    threshold = getattr(arguments, "fail_under", None)
    if threshold is None:
        return 0
    below = [p["student"] for p in results if p["max_score"] and 100 * p["score"] / p["max_score"] < threshold]
    if below:
        print(f"gdgrade: below {threshold:g}%: {', '.join(below)}", file=sys.stderr)
        return 1
    return 0


def grade_command(arguments) -> int:
    """``gdgrade grade``."""
    spec_source = _spec_source(arguments)
    found = collect_submissions(arguments.submissions)
    for path, reason in found.refused.items():
        print(f"gdgrade: refused {path}: {reason}", file=sys.stderr)
    submissions = found.submissions
    if arguments.gradescope and len(submissions) != 1:
        raise ValueError(f"--gradescope writes one submission's results.json; {len(submissions)} were given")
    if arguments.fail_under is not None and not 0 <= arguments.fail_under <= 100:
        raise ValueError(f"--fail-under is a percentage from 0 to 100, got {arguments.fail_under:g}")
    return _run(arguments, submissions, spec_source, include_hidden=not arguments.public_only)


def demo_command(arguments) -> int:
    """``gdgrade demo``: four example CS231n submissions, graded, with every report written."""
    submissions = sorted(EXAMPLES.iterdir())
    out = arguments.out
    arguments.json, arguments.html = out / "results.json", out / "html"
    arguments.junit, arguments.csv, arguments.gradescope = out / "junit.xml", out / "summary.csv", None
    print(f"grading {len(submissions)} example submissions to cs231n/optim.py ({EXAMPLES})\n")
    return _run(arguments, submissions, "builtin:cs231n-optim")
