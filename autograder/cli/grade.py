"""``gdgrade grade`` and ``gdgrade demo``.

Exit codes (see :class:`~autograder.cli.exits.ExitCode`): 0 whenever grading happened
(whatever the scores), 1 when ``--fail-under`` is given and a submission scored below it,
2 for usage errors, 3 when the grader itself failed on some submission (those get no
result and are retried on the next run) or a report could not be written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograder.assignment import builtin_spec, load_spec
from autograder.batch import Progress, collect_submissions, grade_batch, ignored_line, missing_warning, printable
from autograder.cli.exits import ExitCode
from autograder.cli.options import (
    add_output_options,
    add_sandbox_options,
    batch_table,
    grader_failures,
    report_failures,
    require_percentage,
    sandbox_from,
)
from autograder.errors import UsageError
from autograder.hidden_draws import PUBLIC_SECRET, grading_secret
from autograder.reports import ReportTargets, write_reports
from autograder.reports.class_report import class_summary, summary_lines
from autograder.results import SubmissionResult
from autograder.spec import AssignmentSpec

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "cs231n"
REPORT_FORMATS = ("json", "html", "junit", "csv", "gradescope", "class_report")


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
    grade.add_argument("--class-report", type=Path, metavar="DIR",
                       help="what the class got wrong: class-report.html and .csv in DIR")  # fmt: skip
    grade.add_argument(
        "--fail-under",
        type=float,
        metavar="PERCENT",
        help="exit 1 if any score is below this %% (default: none, exit 0 whatever the scores)",
    )
    grade.add_argument("--force", action="store_true", help="regrade submissions already graded")
    grade.add_argument("--public-only", action="store_true", help="run only the public probes (self-check)")
    grade.set_defaults(handler=grade_command)

    demo = commands.add_parser("demo", help="grade the built-in example submissions and write their reports")
    _common_options(demo)
    demo.set_defaults(handler=demo_command)


def _common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-o", "--out", type=Path, default=Path("gdgrade-out"), help="results folder (default gdgrade-out)"
    )
    add_sandbox_options(parser)
    add_output_options(parser)


def spec_source(spec_file: Path | None, assignment: str | None) -> tuple[str, AssignmentSpec]:
    """Validate the spec now (a bad one is a usage error); how workers load it, and the spec."""
    if spec_file is not None:
        return str(spec_file.resolve()), load_spec(spec_file)
    return f"builtin:{assignment}", builtin_spec(assignment)


def _run(arguments: argparse.Namespace, submissions: list[Path], source: str, targets: ReportTargets,
         include_hidden: bool = True) -> int:  # fmt: skip
    sandbox = sandbox_from(arguments)
    secret = grading_secret(arguments.secret_file) if include_hidden else PUBLIC_SECRET
    outcome = grade_batch(
        submissions, source, sandbox, arguments.out, arguments.workers, getattr(arguments, "force", False),
        include_hidden, cluster=arguments.cluster, secret=secret,
        progress=Progress(len(submissions), quiet=arguments.quiet),
    )  # fmt: skip
    print(batch_table(outcome, arguments.verbose))
    if warning := missing_warning(outcome.results):
        print(f"gdgrade: {warning}", file=sys.stderr)
    if len(outcome.results) > 1:
        print("\n".join(["", *summary_lines(class_summary(outcome.results), targets.language)]).rstrip())
    written, failed = write_reports(outcome.results, targets)
    print(f"\nresults: {arguments.out / 'results'}/" + "".join(f"\nreport: {item}" for item in written))
    return max(  # every problem is said; the worst decides the exit code
        grader_failures(len(outcome.infrastructure_failures)),
        report_failures(failed),
        below_threshold(outcome.results, getattr(arguments, "fail_under", None)),
    )


def below_threshold(results: list[SubmissionResult], threshold: float | None) -> ExitCode:
    """NOT_PASSING (and say who) when a threshold is given and some score is below it."""
    if threshold is None:
        return ExitCode.GRADED
    below = [r.student for r in results if r.max_score and 100 * r.score / r.max_score < threshold]
    if below:
        print(f"gdgrade: below {threshold:g}%: {', '.join(below)}", file=sys.stderr)
        return ExitCode.NOT_PASSING
    return ExitCode.GRADED


def grade_command(arguments: argparse.Namespace) -> int:
    """``gdgrade grade``."""
    source, spec = spec_source(arguments.spec, arguments.assignment)
    require_percentage(arguments.fail_under)
    found = collect_submissions(arguments.submissions)
    for path, reason in found.refused.items():
        print(printable(f"gdgrade: refused {path}: {reason}"), file=sys.stderr)
    if found.ignored:
        print(f"gdgrade: {ignored_line(found.ignored)}", file=sys.stderr)
    if arguments.gradescope and len(found.submissions) != 1:
        raise UsageError(f"--gradescope writes one submission's results.json; {len(found.submissions)} were given")
    targets = ReportTargets(**{name: getattr(arguments, name) for name in REPORT_FORMATS}, language=spec.language)
    return _run(arguments, found.submissions, source, targets, include_hidden=not arguments.public_only)


def demo_command(arguments: argparse.Namespace) -> int:
    """``gdgrade demo``: four example CS231n submissions, graded, with every report written."""
    submissions = sorted(p for p in EXAMPLES.iterdir() if p.suffix in (".py", ".ipynb"))  # not an installed __pycache__
    out = arguments.out
    targets = ReportTargets(json=out / "results.json", html=out / "html", junit=out / "junit.xml",
                            csv=out / "summary.csv", class_report=out / "class")  # fmt: skip
    print(f"grading {len(submissions)} example submissions to cs231n/optim.py ({EXAMPLES})\n")
    return _run(arguments, submissions, "builtin:cs231n-optim", targets)
