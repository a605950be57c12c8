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

from autograder.batch import collect_submissions, grade_batch, summary_table, write_atomically
from autograder.errors import SpecError
from autograder.html_report import html_report
from autograder.reports import csv_summary, gradescope_results, junit_xml
from autograder.sandbox import BACKENDS, Limits, Sandbox, available_backend
from autograder.spec import builtin_spec, load_spec

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


def sandbox_from(arguments) -> Sandbox:
    """The sandbox the options ask for; a usage error if it cannot run here."""
    backend = arguments.sandbox or available_backend()
    if backend == "none":
        print("gdgrade: warning: running student code WITHOUT a sandbox (--sandbox none)", file=sys.stderr)
    require_docker_engine(backend)
    if arguments.workers < 1:
        raise ValueError(f"--workers must be >= 1, got {arguments.workers}")
    limits = Limits(cell_timeout=arguments.cell_timeout, submission_timeout=arguments.timeout)
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


def _write_reports(arguments, results: list[dict]) -> list[str]:
    written = []
    if getattr(arguments, "json", None):
        write_atomically(arguments.json, {"results": results})
        written.append(str(arguments.json))
    if getattr(arguments, "html", None):
        arguments.html.mkdir(parents=True, exist_ok=True)
        for payload in results:
            page = arguments.html / f"{payload['student']}.html"
            page.write_text(html_report(payload), encoding="utf-8")
        written.append(f"{arguments.html}/ ({len(results)} pages)")
    for option, render in (("junit", junit_xml), ("csv", csv_summary)):
        target = getattr(arguments, option, None)
        if target:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(render(results), encoding="utf-8")
            written.append(str(target))
    if getattr(arguments, "gradescope", None):
        write_atomically(arguments.gradescope, gradescope_results(results[0]))
        written.append(str(arguments.gradescope))
    return written


def _run(arguments, submissions: list[Path], spec_source: str, include_hidden: bool = True) -> int:
    sandbox = sandbox_from(arguments)
    force = getattr(arguments, "force", False)
    outcome = grade_batch(
        submissions, spec_source, sandbox, arguments.out, arguments.workers, force, include_hidden,
        cluster=arguments.cluster,
    )  # fmt: skip
    print(summary_table(outcome))
    written = _write_reports(arguments, outcome.results)
    print(f"\nresults: {arguments.out / 'results'}/" + "".join(f"\nreport: {item}" for item in written))
    if outcome.infrastructure_failures:
        print(f"gdgrade: {len(outcome.infrastructure_failures)} submission(s) hit a grader failure", file=sys.stderr)
        return INFRASTRUCTURE_FAILURE
    return _fail_under(arguments, outcome.results)


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
    submissions = collect_submissions(arguments.submissions)
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
