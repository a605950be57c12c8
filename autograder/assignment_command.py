"""``gdgrade release`` and ``gdgrade check``: the course's assignments, from the students' side.

* ``gdgrade release 04-adaptive`` writes the student version of a shipped assignment through
  nbgrader's generate_assignment: solutions and hidden-test regions removed, read-only cells
  locked and checksummed.
* ``gdgrade check my-notebook.ipynb`` runs the public checks on a student's notebook and
  prints readable verdicts. Exit code 0 when every public check passes, 1 otherwise.
"""

from __future__ import annotations

import dataclasses
import shutil
import sys
import tempfile
from pathlib import Path

from assignments import ASSIGNMENTS, source_notebook
from autograder.assignment import builtin_spec, load_spec
from autograder.course import CONFIG_NAME, Course, open_course, require_assignment
from autograder.errors import SpecError, SubmissionError
from autograder.grade_command import require_docker_engine
from autograder.notebooks import load_submission
from autograder.report_writer import ReportTargets, write_reports
from autograder.sandbox.backends import BACKENDS, Limits, Sandbox, available_backend, preload_for
from autograder.selfcheck import verdict_lines
from autograder.spec import AssignmentSpec
from autograder.submission import grade_submission


def add_parsers(commands) -> None:
    """Register ``release`` and ``check``."""
    release = commands.add_parser("release", help="write the student version of an assignment (nbgrader)")
    release.add_argument("assignment", metavar="ASSIGNMENT", help=", ".join(ASSIGNMENTS) + ", or a course's own")
    release.add_argument("--out", type=Path, default=Path("release"), help="folder for the notebook (no course)")
    release.add_argument("--course", type=Path, help="an nbgrader course (default: here, if it is one)")
    release.add_argument("--duedate", help="due date for late penalties, e.g. '2026-12-01 23:59:00 UTC'")
    release.set_defaults(handler=release_command)

    check = commands.add_parser("check", help="run an assignment's public checks on a notebook")
    check.add_argument("notebook", type=Path, metavar="NOTEBOOK")
    source = check.add_mutually_exclusive_group()
    source.add_argument("--assignment", help="default: the assignment named in the notebook's metadata")
    source.add_argument("--spec", type=Path, help="an assignment spec file")
    check.add_argument("--lang", choices=("en", "ko"), help="language of the verdicts (default: the assignment's)")
    check.add_argument("--sandbox", choices=BACKENDS, default="none", help="default none: it is your own code")
    check.add_argument("--timeout", type=float, default=300.0, help="seconds for the whole notebook")
    check.add_argument("--junit", type=Path, metavar="FILE", help="also write JUnit XML")
    check.add_argument("--html", type=Path, metavar="DIR", help="also write the HTML report (with plots) here")
    check.add_argument("--summary", type=Path, metavar="FILE", help="append a Markdown table (CI job summary)")
    check.add_argument("--fail-under", type=float, metavar="PERCENT", help="exit 1 only below this score %%")
    check.set_defaults(handler=check_command)


# --- release ---------------------------------------------------------------------------------------


def _generate(config, assignment: str, duedate: str | None = None) -> None:
    """nbgrader's generate_assignment under ``config``; its errors become one readable ValueError."""
    from nbgrader.apps import NbGraderAPI

    api = NbGraderAPI(config=config)
    if duedate:
        from nbgrader.api import Gradebook

        with Gradebook(api.coursedir.db_url) as gradebook:
            try:
                gradebook.update_or_create_assignment(assignment, duedate=duedate)
            except ValueError as error:
                raise ValueError(f"--duedate {duedate!r} is not a date nbgrader understands: {error}") from None
    outcome = api.generate_assignment(assignment, force=True, create=True)
    if not outcome["success"]:
        errors = [line for line in outcome["log"].splitlines() if "Error" in line or "[ERROR]" in line]
        raise ValueError(f"nbgrader could not release {assignment}: {(errors or ['see its log'])[0].strip()}")


def _scratch_config(root: Path):
    from traitlets.config import Config

    config = Config()
    config.CourseDirectory.root = str(root)
    config.Exchange.root = str(root / "exchange")  # keep nbgrader away from the system-wide exchange
    return config


def release_assignment(assignment: str, out: Path | None = None) -> Path:
    """Release a shipped assignment through a temporary course; returns the copy in ``out``."""
    notebook = source_notebook(assignment)
    with tempfile.TemporaryDirectory(prefix="gdgrade-course-") as root:
        root = Path(root)
        (root / "source" / assignment).mkdir(parents=True)
        shutil.copy2(notebook, root / "source" / assignment / notebook.name)
        _generate(_scratch_config(root), assignment)
        out = out or Path("release")
        out.mkdir(parents=True, exist_ok=True)
        return Path(shutil.copy2(root / "release" / assignment / notebook.name, out / notebook.name))


def release_in_course(course: Course, assignment: str, duedate: str | None = None) -> Path:
    """Release an assignment of a course (its own source, config and gradebook)."""
    require_assignment(course, assignment)
    _generate(course.config(), assignment, duedate)
    return course.root / "release" / assignment / course.notebook_name(assignment)


def release_command(arguments) -> int:
    """``gdgrade release``: in a course when given one (or run inside one), else a throw-away course."""
    course_root = arguments.course or (Path(".") if (Path(".") / CONFIG_NAME).is_file() else None)
    if course_root is not None:
        path = release_in_course(open_course(course_root), arguments.assignment, arguments.duedate)
    elif arguments.assignment not in ASSIGNMENTS:
        raise ValueError(f"no assignment {arguments.assignment!r}; the course has: {', '.join(ASSIGNMENTS)}")
    elif arguments.duedate:
        raise ValueError("--duedate needs a course (--course DIR): it is stored in the course's gradebook")
    else:
        path = release_assignment(arguments.assignment, arguments.out)
    print(f"released {arguments.assignment}: {path}")
    return 0


# --- check -------------------------------------------------------------------------------------------


def notebook_assignment(path: Path) -> str | None:
    """The assignment id a notebook names in its ``gdgrade`` metadata, if any."""
    try:
        notebook = load_submission(path)
    except SubmissionError as error:
        raise ValueError(str(error)) from None
    return notebook.metadata.get("gdgrade", {}).get("assignment")


def _check_spec(arguments) -> AssignmentSpec:
    try:
        if arguments.spec is not None:
            spec = load_spec(arguments.spec)
        else:
            assignment = arguments.assignment or notebook_assignment(arguments.notebook)
            if assignment is None:
                raise ValueError(f"{arguments.notebook.name} names no assignment; pass --assignment or --spec")
            spec = builtin_spec(assignment)
    except SpecError as error:
        raise ValueError(str(error)) from None
    return dataclasses.replace(spec, language=arguments.lang) if arguments.lang else spec


def check_command(arguments) -> int:
    """``gdgrade check``: public checks only, verdicts printed.

    Exit 1 if any check failed, or with ``--fail-under``, only if the score is below it.
    """
    if not arguments.notebook.is_file():
        raise ValueError(f"no such notebook: {arguments.notebook}")
    if arguments.fail_under is not None and not 0 <= arguments.fail_under <= 100:
        raise ValueError(f"--fail-under is a percentage from 0 to 100, got {arguments.fail_under:g}")
    spec = _check_spec(arguments)
    if arguments.sandbox == "bwrap" and available_backend() != "bwrap":
        raise ValueError("--sandbox bwrap needs bubblewrap and prlimit (apt-get install bubblewrap)")
    require_docker_engine(arguments.sandbox)
    sandbox = Sandbox(arguments.sandbox, Limits(submission_timeout=arguments.timeout), preload=preload_for(spec))
    print(f"checking {arguments.notebook.name} against {spec.id} (public checks)\n", file=sys.stderr)
    result = grade_submission(arguments.notebook, spec, sandbox, include_hidden=False)
    for issue in result.execution.get("issues", []):
        print(f"! {issue['message']}")
    print("\n".join(verdict_lines(result.to_json(), spec.language)))
    if _write_check_reports(arguments, result.to_json()):
        return 3
    if arguments.fail_under is not None:
        percent = 100 * result.score / result.max_score if result.max_score else 100.0
        return 1 if percent < arguments.fail_under else 0
    return 0 if all(check.passed for check in result.result.checks) else 1


def _write_check_reports(arguments, payload: dict) -> int:
    from autograder.grade_command import report_failures

    targets = ReportTargets(junit=arguments.junit, html=arguments.html, summary=arguments.summary)
    return report_failures(write_reports([payload], targets)[1])
