"""The instructor's commands on an nbgrader course: ``course init``, ``collect``, ``autograde``,
``feedback``, ``report`` and ``export``. Each takes ``--course DIR`` (default: the current folder).

``autograde`` grades with gdgrade's engine in the sandbox, keeps one JSON result per
student (the journal a re-run resumes from), and writes every result into nbgrader's
gradebook, one transaction per submission. Exit codes as ``gdgrade grade``: 0, 2 for
usage errors, 3 when the grader or the gradebook failed (nothing already graded is lost;
run it again).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograder.assignment import load_spec
from autograder.batch import Progress, grade_batch, missing_warning
from autograder.cli.exits import ExitCode
from autograder.cli.options import add_output_options, add_sandbox_options, batch_table, grader_failures, sandbox_from
from autograder.course.collect import PATTERNS, collect
from autograder.course.exports import EXPORTERS
from autograder.course.feedback import late_rows, write_feedback
from autograder.course.gradebook import final_scores, roster, stored_results, write_gradebook
from autograder.course.layout import DEFAULT_STUDENT_INSTALL, init_course, open_course, require_assignment, safe_url
from autograder.course.submissions import course_submissions, record_missing
from autograder.errors import InfrastructureError, UsageError
from autograder.hidden_draws import grading_secret
from autograder.reports import write_class_report
from autograder.reports.class_report import class_summary, summary_lines


def add_parsers(commands) -> None:
    """Register ``course``, ``collect``, ``autograde``, ``feedback``, ``report`` and ``export``."""
    course = commands.add_parser("course", help="create an nbgrader course holding gdgrade's assignments")
    actions = course.add_subparsers(dest="action", required=True)
    init = actions.add_parser("init", help="create the course folder")
    init.add_argument("directory", type=Path, metavar="DIR")
    init.add_argument("--db", metavar="URL", help="gradebook SQLAlchemy URL (default: DIR/gradebook.db)")
    init.add_argument("--roster", type=Path, metavar="CSV", help="students: a CSV with an id column")
    init.add_argument("--course-id", metavar="ID", help="nbgrader's course_id (default: the folder's name)")
    init.add_argument("--late-penalty", choices=("none", "zero"), default="none", help="nbgrader's late penalty")
    init.add_argument("--student-install", default=DEFAULT_STUDENT_INSTALL, metavar="REQUIREMENT",
                      help="where students pip install the self-check from: a PyPI name, a git URL or a wheel "
                      "(default: gdgrade)")  # fmt: skip
    init.set_defaults(handler=init_command)

    gather = commands.add_parser("collect", help="take an LMS download (zip or folder) into submitted/")
    gather.add_argument("assignment", metavar="ASSIGNMENT")
    gather.add_argument("download", type=Path, metavar="ZIP|DIR")
    gather.add_argument(
        "--pattern", default="plain", help=f"student id in file names: {', '.join(PATTERNS)} or a regex"
    )
    gather.add_argument("--strict", action="store_true", help="skip ids not on the roster (default: take them, "
                        "with a warning)")  # fmt: skip
    _course_option(gather)
    gather.set_defaults(handler=collect_command)

    grade = commands.add_parser("autograde", help="grade submitted/ and write the scores into the gradebook")
    grade.add_argument("assignment", metavar="ASSIGNMENT")
    grade.add_argument("--student", help="grade only this student")
    grade.add_argument("--force", action="store_true", help="regrade students already graded")
    add_sandbox_options(grade)
    add_output_options(grade)
    _course_option(grade)
    grade.set_defaults(handler=autograde_command)

    feedback = commands.add_parser("feedback", help="per-student HTML feedback where release_feedback expects it")
    feedback.add_argument("assignment", metavar="ASSIGNMENT")
    _course_option(feedback)
    feedback.set_defaults(handler=feedback_command)

    report = commands.add_parser("report", help="what the class got wrong: one HTML page and a CSV")
    report.add_argument("assignment", metavar="ASSIGNMENT")
    report.add_argument(
        "-o", "--out", type=Path, help="folder for the page (default: gdgrade/class-reports/ASSIGNMENT)"
    )
    _course_option(report)
    report.set_defaults(handler=report_command)

    export = commands.add_parser("export", help="final scores from the gradebook (manual grades and penalties in)")
    export.add_argument("assignment", metavar="ASSIGNMENT")
    export.add_argument("--format", choices=tuple(EXPORTERS), default="csv", help="what to write")
    export.add_argument("-o", "--out", type=Path, help="file to write (default: print)")
    _course_option(export)
    export.set_defaults(handler=export_command)


def _course_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--course", type=Path, default=Path("."), help="the course folder (default: here)")


def init_command(arguments: argparse.Namespace) -> int:
    """``gdgrade course init``."""
    course = init_course(arguments.directory, db_url=arguments.db, late_penalty=arguments.late_penalty,
                         roster=arguments.roster, student_install=arguments.student_install,
                         course_id=arguments.course_id)  # fmt: skip
    print(f"created the course {course.root} with {', '.join(course.assignments())}")
    print(f"next: cd {arguments.directory} && gdgrade release {course.assignments()[0]}")
    return ExitCode.GRADED


def collect_command(arguments: argparse.Namespace) -> int:
    """``gdgrade collect``."""
    course = open_course(arguments.course)
    known = roster(course)
    if arguments.strict and not known:
        raise UsageError("--strict needs a roster, and the gradebook has no students (course init --roster CSV)")
    only = known if arguments.strict else None
    report = collect(course, arguments.assignment, arguments.download, arguments.pattern, only)
    for student, name in sorted(report.taken.items()):
        print(f"collected {student}: {name}")
    for name, reason in sorted(report.skipped.items()):
        print(f"skipped {name}: {reason}", file=sys.stderr)
    print(f"{len(report.taken)} submission(s) in submitted/*/{arguments.assignment}/, {len(report.skipped)} skipped")
    strangers = sorted(set(report.taken) - known) if known else []
    if strangers:
        print(f"gdgrade: warning: not on the roster: {', '.join(strangers)} (a wrong --pattern, or students to add "
              "to the gradebook)", file=sys.stderr)  # fmt: skip
    return ExitCode.GRADED


def autograde_command(arguments: argparse.Namespace) -> int:
    """``gdgrade autograde``: grade (resumable), then write every result into the gradebook."""
    course = open_course(arguments.course)
    require_assignment(course, arguments.assignment)
    spec_file = course.spec_path(arguments.assignment)
    spec = load_spec(spec_file)
    found = course_submissions(course, arguments.assignment, arguments.student)
    if not found:
        print(f"no submissions in submitted/*/{arguments.assignment}/ (run gdgrade collect first)")
        return ExitCode.GRADED
    refused = {student: reason for student, reason in found.items() if isinstance(reason, str)}
    record_missing(course, arguments.assignment, refused, spec)
    paths = {path: student for student, path in found.items() if isinstance(path, Path)}
    secret = grading_secret(arguments.secret_file, course.secret_path)
    results_dir = course.results_dir(arguments.assignment)
    outcome = grade_batch(
        list(paths), str(spec_file), sandbox_from(arguments), results_dir, arguments.workers, arguments.force,
        cluster=arguments.cluster, names=paths, secret=secret, progress=Progress(len(paths), quiet=arguments.quiet),
    )  # fmt: skip
    print(batch_table(outcome, arguments.verbose))
    if warning := missing_warning(outcome.results):
        print(f"gdgrade: {warning}", file=sys.stderr)
    try:
        written = write_gradebook(course, arguments.assignment, list(found))
    except InfrastructureError as error:
        print(f"gdgrade: {error}; the results are kept in {results_dir}", file=sys.stderr)
        print("gdgrade: run autograde again to write them into the gradebook", file=sys.stderr)
        return ExitCode.INFRASTRUCTURE
    print(f"\ngradebook: {written} submission(s) written ({safe_url(course.db_url)})")
    absent = sorted(roster(course) - set(found)) if not arguments.student else []
    if absent:
        print(f"no submission from {len(absent)} student(s) on the roster: {', '.join(absent)}")
    for row in late_rows(course, arguments.assignment).values():
        print(f"late: {row.student} {row.raw_score:g} -> {row.score:g} of {row.max_score:g} "
              f"(penalty {row.late_penalty:g}, {row.seconds_late / 3600:.1f} h late)")  # fmt: skip
    stored = list(stored_results(course, arguments.assignment).values())
    if len(stored) > 1:
        print("\n".join(["", *summary_lines(class_summary(stored), spec.language)]).rstrip())
        print(f"the whole picture: gdgrade report {arguments.assignment}")
    return grader_failures(len(outcome.infrastructure_failures))


def feedback_command(arguments: argparse.Namespace) -> int:
    """``gdgrade feedback``: one HTML page per graded student, in feedback/<student>/<assignment>/."""
    course = open_course(arguments.course)
    require_assignment(course, arguments.assignment)
    written = write_feedback(course, arguments.assignment)
    print(f"feedback for {written} student(s) in {course.root / 'feedback'}/*/{arguments.assignment}/")
    return ExitCode.GRADED


def report_command(arguments: argparse.Namespace) -> int:
    """``gdgrade report``: the class report from the stored results (nothing is regraded)."""
    course = open_course(arguments.course)
    require_assignment(course, arguments.assignment)
    results = list(stored_results(course, arguments.assignment).values())
    if not results:
        raise UsageError(
            f"nothing of {arguments.assignment} is graded yet: run gdgrade autograde {arguments.assignment}"
        )
    language = load_spec(course.spec_path(arguments.assignment)).language
    folder = arguments.out or course.root / "gdgrade" / "class-reports" / arguments.assignment
    print(f"class report of {len(results)} student(s): {write_class_report(folder, results, language)}")
    return ExitCode.GRADED


def export_command(arguments: argparse.Namespace) -> int:
    """``gdgrade export``: final scores as CSV, Gradescope or Canvas import files."""
    course = open_course(arguments.course)
    rows = final_scores(course, arguments.assignment)
    text = EXPORTERS[arguments.format](rows, arguments.assignment)
    if arguments.out:
        arguments.out.parent.mkdir(parents=True, exist_ok=True)
        arguments.out.write_text(text, encoding="utf-8")
        print(f"wrote {arguments.out} ({len(rows)} students)")
    else:
        print(text, end="")
    return ExitCode.GRADED
