"""The instructor's commands on an nbgrader course: ``course init``, ``collect``, ``autograde``,
``feedback`` and ``export``. Each takes ``--course DIR`` (default: the current folder).

``autograde`` grades with gdgrade's engine in the sandbox, keeps one JSON result per
student (the journal a re-run resumes from), and writes every result into nbgrader's
gradebook, one transaction per submission. Exit codes as ``gdgrade grade``: 0, 2 for
usage errors, 3 when the grader or the gradebook failed (nothing already graded is lost;
run it again).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import sys
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from autograder.assignment import load_spec
from autograder.batch import grade_batch, load_result, refusal, summary_table, write_atomically
from autograder.course import (
    PATTERNS,
    Course,
    collect,
    init_course,
    open_course,
    require_assignment,
    submission_timestamp,
)
from autograder.engine.grade import failed_result
from autograder.errors import InfrastructureError
from autograder.gradebook import late_penalty_plugin, record_result, score_rows
from autograder.hidden_draws import grading_secret
from autograder.html_report import html_report

INFRASTRUCTURE_FAILURE = 3


def add_parsers(commands) -> None:
    """Register ``course``, ``collect``, ``autograde``, ``feedback`` and ``export``."""
    from autograder.grade_command import add_sandbox_options

    course = commands.add_parser("course", help="create an nbgrader course holding gdgrade's assignments")
    actions = course.add_subparsers(dest="action", required=True)
    init = actions.add_parser("init", help="create the course folder")
    init.add_argument("directory", type=Path, metavar="DIR")
    init.add_argument("--db", metavar="URL", help="gradebook SQLAlchemy URL (default: DIR/gradebook.db)")
    init.add_argument("--roster", type=Path, metavar="CSV", help="students: a CSV with an id column")
    init.add_argument("--late-penalty", choices=("none", "zero"), default="none", help="nbgrader's late penalty")
    init.set_defaults(handler=init_command)

    gather = commands.add_parser("collect", help="take an LMS download (zip or folder) into submitted/")
    gather.add_argument("assignment", metavar="ASSIGNMENT")
    gather.add_argument("download", type=Path, metavar="ZIP|DIR")
    gather.add_argument(
        "--pattern", default="plain", help=f"student id in file names: {', '.join(PATTERNS)} or a regex"
    )
    _course_option(gather)
    gather.set_defaults(handler=collect_command)

    grade = commands.add_parser("autograde", help="grade submitted/ and write the scores into the gradebook")
    grade.add_argument("assignment", metavar="ASSIGNMENT")
    grade.add_argument("--student", help="grade only this student")
    grade.add_argument("--force", action="store_true", help="regrade students already graded")
    add_sandbox_options(grade)
    _course_option(grade)
    grade.set_defaults(handler=autograde_command)

    feedback = commands.add_parser("feedback", help="per-student HTML feedback where release_feedback expects it")
    feedback.add_argument("assignment", metavar="ASSIGNMENT")
    _course_option(feedback)
    feedback.set_defaults(handler=feedback_command)

    export = commands.add_parser("export", help="final scores from the gradebook (manual grades and penalties in)")
    export.add_argument("assignment", metavar="ASSIGNMENT")
    export.add_argument("--format", choices=("csv", "gradescope", "canvas"), default="csv")
    export.add_argument("--out", type=Path, help="file to write (default: print)")
    _course_option(export)
    export.set_defaults(handler=export_command)


def _course_option(parser) -> None:
    parser.add_argument("--course", type=Path, default=Path("."), help="the course folder (default: here)")


def init_command(arguments) -> int:
    """``gdgrade course init``."""
    course = init_course(arguments.directory, db_url=arguments.db, late_penalty=arguments.late_penalty,
                         roster=arguments.roster)  # fmt: skip
    print(f"created the course {course.root} with {', '.join(course.assignments())}")
    print(f"next: cd {arguments.directory} && gdgrade release {course.assignments()[0]}")
    return 0


def collect_command(arguments) -> int:
    """``gdgrade collect``."""
    course = open_course(arguments.course)
    report = collect(course, arguments.assignment, arguments.download, arguments.pattern)
    for student, name in sorted(report.taken.items()):
        print(f"collected {student}: {name}")
    for name, reason in sorted(report.skipped.items()):
        print(f"skipped {name}: {reason}", file=sys.stderr)
    print(f"{len(report.taken)} submission(s) in submitted/*/{arguments.assignment}/, {len(report.skipped)} skipped")
    return 0


# --- autograde -------------------------------------------------------------------------------------------


def _submission_of(folder: Path, assignment: str) -> Path | str:
    """A student's notebook in ``submitted/<student>/<assignment>/``, or why there is none to grade."""
    where = f"submitted/{folder.parent.name}/{assignment}/"
    if folder.is_symlink() or folder.parent.is_symlink():
        return f"{where} is a symbolic link; nothing in it was graded"
    notebooks = sorted(folder.glob("*.ipynb")) + sorted(folder.glob("*.py"))
    if not notebooks:
        return f"no notebook in {where}"
    reason = refusal(notebooks[0])
    return f"{where}{notebooks[0].name} was refused: {reason}" if reason else notebooks[0]


def _submissions(course: Course, assignment: str, student: str | None) -> dict[str, Path | str]:
    """Student -> their notebook, or why there is none to grade, for this assignment."""
    folders = sorted((course.root / "submitted").glob(f"*/{assignment}"))
    found = {f.parent.name: _submission_of(f, assignment) for f in folders if not student or f.parent.name == student}
    if student and student not in found:
        raise ValueError(f"no submission of {assignment} by {student} in submitted/")
    return found


def _record_missing_notebooks(course: Course, assignment: str, empty: dict[str, str], spec) -> None:
    """Students whose folder has no gradable notebook get a zero with the reason (kept as results)."""
    fingerprint = spec.fingerprint()
    for student, message in empty.items():
        key = f"missing-{fingerprint}-{hashlib.sha256(message.encode()).hexdigest()[:8]}"
        path = course.results_dir(assignment) / "results" / f"{student}.json"
        if load_result(path, key) is None:
            payload = failed_result(spec, message).to_json() | {"student": student, "error": message}
            write_atomically(path, payload | {"spec_fingerprint": fingerprint, "grade_key": key, "submission": None})


def autograde_command(arguments) -> int:
    """``gdgrade autograde``: grade (resumable), then write every result into the gradebook."""
    from autograder.grade_command import sandbox_from

    course = open_course(arguments.course)
    require_assignment(course, arguments.assignment)
    spec_file = course.spec_path(arguments.assignment)
    spec = load_spec(spec_file)
    found = _submissions(course, arguments.assignment, arguments.student)
    if not found:
        print(f"no submissions in submitted/*/{arguments.assignment}/ (run gdgrade collect first)")
        return 0
    refused = {student: reason for student, reason in found.items() if isinstance(reason, str)}
    _record_missing_notebooks(course, arguments.assignment, refused, spec)
    paths = {path: student for student, path in found.items() if isinstance(path, Path)}
    secret = grading_secret(arguments.secret_file, course.secret_path)
    outcome = grade_batch(
        list(paths), str(spec_file), sandbox_from(arguments), course.results_dir(arguments.assignment),
        arguments.workers, arguments.force, cluster=arguments.cluster, names=paths, secret=secret,
    )  # fmt: skip
    print(summary_table(outcome))
    try:
        written = write_gradebook(course, arguments.assignment, list(found))
    except InfrastructureError as error:
        print(f"gdgrade: {error}; the results are kept in {course.results_dir(arguments.assignment)}", file=sys.stderr)
        print("gdgrade: run autograde again to write them into the gradebook", file=sys.stderr)
        return INFRASTRUCTURE_FAILURE
    print(f"\ngradebook: {written} submission(s) written ({_safe_url(course.db_url)})")
    if outcome.infrastructure_failures:
        print(f"gdgrade: {len(outcome.infrastructure_failures)} submission(s) hit a grader failure", file=sys.stderr)
        return INFRASTRUCTURE_FAILURE
    return 0


def _safe_url(url: str) -> str:
    """A database URL without its password."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def stored_results(course: Course, assignment: str, students: list[str]) -> dict[str, dict]:
    """The results on disk for these students (graded under any spec version)."""
    found = {}
    for student in students:
        path = course.results_dir(assignment) / "results" / f"{student}.json"
        if path.is_file():
            found[student] = json.loads(path.read_text(encoding="utf-8"))
    return found


def write_gradebook(course: Course, assignment: str, students: list[str]) -> int:
    """Write the stored results of ``students`` into the gradebook; returns how many.

    Idempotent: writing the same results again leaves the gradebook as it was.
    """
    from nbgrader.api import Gradebook, MissingEntry

    plugin = late_penalty_plugin(course.config())
    results = stored_results(course, assignment, students)
    try:
        with Gradebook(course.db_url) as gradebook:
            try:
                gradebook.find_assignment(assignment)
            except MissingEntry:
                raise ValueError(
                    f"{assignment} is not in the gradebook yet: run gdgrade release {assignment}"
                ) from None
            for student, payload in results.items():
                timestamp = submission_timestamp(course.submission_dir(student, assignment))
                record_result(gradebook, assignment, student, payload, timestamp, plugin)
                _copy_for_formgrader(course, assignment, student)
    except SQLAlchemyError as error:  # raised at connect time for an unreachable server, say
        raise InfrastructureError(f"the gradebook is unavailable: {error}") from None
    return len(results)


def _copy_for_formgrader(course: Course, assignment: str, student: str) -> None:
    """Put the submission where formgrader looks for it (autograded/<student>/<assignment>/)."""
    source = course.submission_dir(student, assignment)
    target = course.root / "autograded" / student / assignment
    if source.is_dir():
        shutil.copytree(source, target, dirs_exist_ok=True)


# --- feedback and export ---------------------------------------------------------------------------------


def feedback_command(arguments) -> int:
    """``gdgrade feedback``: one HTML page per graded student, in feedback/<student>/<assignment>/."""
    course = open_course(arguments.course)
    require_assignment(course, arguments.assignment)
    stem = Path(course.notebook_name(arguments.assignment)).stem
    results = sorted((course.results_dir(arguments.assignment) / "results").glob("*.json"))
    for path in results:
        payload = json.loads(path.read_text(encoding="utf-8"))
        folder = course.root / "feedback" / path.stem / arguments.assignment
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{stem}.html").write_text(html_report(payload), encoding="utf-8")
        for kept in ("timestamp.txt", "submission_secret.txt"):
            submitted = course.submission_dir(path.stem, arguments.assignment) / kept
            if submitted.is_file():
                shutil.copy2(submitted, folder / kept)
    print(f"feedback for {len(results)} student(s) in {course.root / 'feedback'}/*/{arguments.assignment}/")
    return 0


def export_command(arguments) -> int:
    """``gdgrade export``: final scores as CSV, Gradescope or Canvas import files."""
    from nbgrader.api import Gradebook, MissingEntry

    course = open_course(arguments.course)
    try:
        with Gradebook(course.db_url) as gradebook:
            rows = score_rows(gradebook, arguments.assignment)
    except MissingEntry:
        raise ValueError(f"{arguments.assignment} is not in the gradebook (release and autograde it first)") from None
    text = EXPORTERS[arguments.format](rows, arguments.assignment)
    if arguments.out:
        arguments.out.parent.mkdir(parents=True, exist_ok=True)
        arguments.out.write_text(text, encoding="utf-8")
        print(f"wrote {arguments.out} ({len(rows)} students)")
    else:
        print(text, end="")
    return 0


def _csv(header: list[str], rows: list[list]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def export_csv(rows, assignment: str) -> str:
    """Every number: raw score, late penalty, final score, status."""
    header = ["student", "assignment", "status", "raw_score", "late_penalty", "score", "max_score", "seconds_late"]
    return _csv(header, [
        [r.student, assignment, r.status, f"{r.raw_score:g}", f"{r.late_penalty:g}", f"{r.score:g}",
         f"{r.max_score:g}", f"{r.seconds_late:g}"] for r in rows
    ])  # fmt: skip


def export_gradescope(rows, assignment: str) -> str:
    """Gradescope's score upload: Name, SID, Email, Total Score."""
    table = [[f"{r.first_name} {r.last_name}".strip() or r.student, r.student, r.email, f"{r.score:g}"] for r in rows]
    return _csv(["Name", "SID", "Email", "Total Score"], table)


def export_canvas(rows, assignment: str) -> str:
    """Canvas's gradebook import: a Points Possible row, then one row per student (ID = Canvas id)."""
    header = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", assignment]
    possible = ["Points Possible", "", "", "", "", f"{rows[0].max_score:g}" if rows else ""]
    table = [[f"{r.last_name}, {r.first_name}".strip(", ") or r.student, r.student, "", "", "", f"{r.score:g}"]
             for r in rows]  # fmt: skip
    return _csv(header, [possible, *table])


EXPORTERS = {"csv": export_csv, "gradescope": export_gradescope, "canvas": export_canvas}
