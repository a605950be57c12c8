"""``gdgrade release`` and ``gdgrade check``: the course's assignments, from the students' side.

* ``gdgrade release 04-adaptive`` writes the student version of a shipped assignment through
  nbgrader's generate_assignment (see :mod:`autograder.course.release`).
* ``gdgrade check my-notebook.ipynb`` runs the public checks on a student's notebook and
  prints readable verdicts. Exit code 1 when the score is below ``--fail-under`` percent
  (default 100: when some public check fails), as for ``gdgrade grade``; else 0.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from assignments import ASSIGNMENTS
from autograder.assignment import builtin_spec, load_spec
from autograder.cli.exits import ExitCode
from autograder.cli.options import positive_seconds, report_failures, require_backend, require_percentage
from autograder.course.layout import CONFIG_NAME, open_course
from autograder.course.release import release_assignment, release_in_course
from autograder.errors import SubmissionError, UsageError
from autograder.notebooks import SUBMISSION_KINDS, is_submission_file, load_submission
from autograder.reports import ReportTargets, write_reports
from autograder.results import SubmissionResult
from autograder.sandbox.backends import BACKENDS, Limits, Sandbox, preload_for
from autograder.sandbox.slow_cells import announcing_slow_cells
from autograder.selfcheck import verdict_lines
from autograder.spec import AssignmentSpec
from autograder.submission import grade_submission


def add_parsers(commands) -> None:
    """Register ``release`` and ``check``."""
    release = commands.add_parser("release", help="write the student version of an assignment (nbgrader)")
    release.add_argument("assignment", metavar="ASSIGNMENT", help=", ".join(ASSIGNMENTS) + ", or a course's own")
    release.add_argument("-o", "--out", type=Path, default=Path("release"), help="folder for the notebook (no course)")
    release.add_argument("--course", type=Path, help="an nbgrader course (default: here, if it is one)")
    release.add_argument("--duedate", help="due date for late penalties, e.g. '2026-12-01 23:59:00 UTC'")
    release.add_argument(
        "--student-install", metavar="REQUIREMENT", help="where students pip install gdgrade from (default gdgrade)"
    )
    release.set_defaults(handler=release_command)

    check = commands.add_parser("check", help="run an assignment's public checks on a notebook")
    check.add_argument("notebook", type=Path, metavar="NOTEBOOK")
    source = check.add_mutually_exclusive_group()
    source.add_argument("--assignment", help="default: the assignment named in the notebook's metadata")
    source.add_argument("--spec", type=Path, help="an assignment spec file")
    check.add_argument("--lang", choices=("en", "ko"), help="language of the verdicts (default: the assignment's)")
    check.add_argument("--sandbox", choices=BACKENDS, default="none", help="default none: it is your own code")
    check.add_argument("--timeout", type=positive_seconds, default=300.0,
                       help="seconds for the whole notebook (default 300)")  # fmt: skip
    check.add_argument("--cell-timeout", type=positive_seconds, default=60.0,
                       help="seconds per notebook cell (default 60), as in grade")  # fmt: skip
    check.add_argument("--junit", type=Path, metavar="FILE", help="also write JUnit XML")
    check.add_argument("--html", type=Path, metavar="DIR", help="also write the HTML report (with plots) here")
    check.add_argument("--summary", type=Path, metavar="FILE", help="append a Markdown table (CI job summary)")
    check.add_argument("--fail-under", type=float, metavar="PERCENT", default=100.0,
                       help="exit 1 if the score is below this %% (default 100: every public check "
                       "passes), as in grade")  # fmt: skip
    check.set_defaults(handler=check_command)


def release_command(arguments: argparse.Namespace) -> int:
    """``gdgrade release``: in a course when given one (or run inside one), else a throw-away course."""
    course_root = arguments.course or (Path(".") if (Path(".") / CONFIG_NAME).is_file() else None)
    if course_root is not None:
        if arguments.student_install:
            raise UsageError("in a course, students install from the course's setting (GdgradeCourse.student_install)")
        path = release_in_course(open_course(course_root), arguments.assignment, arguments.duedate)
    elif arguments.duedate:
        raise UsageError("--duedate needs a course (--course DIR): it is stored in the course's gradebook")
    else:
        path = release_assignment(arguments.assignment, arguments.out, arguments.student_install or "gdgrade")
    print(f"released {arguments.assignment}: {path}")
    return ExitCode.GRADED


def notebook_assignment(path: Path) -> str | None:
    """The assignment id a notebook names in its ``gdgrade`` metadata, if any."""
    try:
        notebook = load_submission(path)
    except SubmissionError as error:
        raise UsageError(str(error)) from None
    return notebook.metadata.get("gdgrade", {}).get("assignment")


def check_spec(notebook: Path, spec_file: Path | None, assignment: str | None, lang: str | None) -> AssignmentSpec:
    """The spec a self-check uses: a file, a built-in id, or the one the notebook names."""
    if spec_file is not None:
        spec = load_spec(spec_file)
    else:
        assignment = assignment or notebook_assignment(notebook)
        if assignment is None:
            raise UsageError(f"{notebook.name} names no assignment; pass --assignment or --spec")
        spec = builtin_spec(assignment)
    return dataclasses.replace(spec, language=lang) if lang else spec


def check_command(arguments: argparse.Namespace) -> int:
    """``gdgrade check``: public checks only, verdicts printed."""
    if not arguments.notebook.is_file():
        raise UsageError(f"no such notebook: {arguments.notebook}")
    if not is_submission_file(arguments.notebook):
        raise UsageError(f"{arguments.notebook.name} is not a notebook; gdgrade check reads {SUBMISSION_KINDS} files")
    require_percentage(arguments.fail_under)
    spec = check_spec(arguments.notebook, arguments.spec, arguments.assignment, arguments.lang)
    require_backend(arguments.sandbox)
    limits = Limits(cell_timeout=arguments.cell_timeout, submission_timeout=arguments.timeout)
    sandbox = Sandbox(arguments.sandbox, limits, preload=preload_for(spec))
    print(f"checking {arguments.notebook.name} against {spec.id} (public checks)\n", file=sys.stderr)
    with announcing_slow_cells(language=spec.language):
        result = grade_submission(arguments.notebook, spec, sandbox, include_hidden=False)
    for problem in problems_running(result):
        print(f"! {problem}")
    print("\n".join(verdict_lines(result, spec.language)))
    targets = ReportTargets(junit=arguments.junit, html=arguments.html, summary=arguments.summary,
                            language=spec.language)  # fmt: skip
    return max(report_failures(write_reports([result], targets)[1]), _check_verdict(result, arguments.fail_under))


def problems_running(result: SubmissionResult) -> list[str]:
    """What went wrong loading or running the notebook, each said once (the error a dead
    kernel leaves is also its last cell issue)."""
    issues = [str(issue["message"]) for issue in result.execution.get("issues", [])]
    return issues + ([result.error] if result.error and result.error not in issues else [])


def _check_verdict(result: SubmissionResult, fail_under: float) -> ExitCode:
    """``--fail-under`` means what it means for grade: exit 1 below that percentage."""
    percent = 100 * result.score / result.max_score if result.max_score else 100.0
    return ExitCode.GRADED if percent >= fail_under else ExitCode.NOT_PASSING
