"""Writing gdgrade's results into nbgrader's gradebook, and reading the final scores back.

Each question of a spec is one nbgrader grade cell (the test cell whose ``grade_id`` is the
question id): gdgrade sets its ``auto_score`` to the question's score, and writes every
check's verdict as the ``auto_comment`` of the question's solution cell. ``manual_score``
is never touched, so an instructor's manual grade in formgrader survives re-grading.
Each submission is written in one transaction; late penalties follow nbgrader's plugin.
"""

from __future__ import annotations

import shutil
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy.exc import OperationalError, SQLAlchemyError

from autograder.course.layout import Course, submission_timestamp
from autograder.course.tools import open_gradebook
from autograder.errors import InfrastructureError, UsageError
from autograder.journal import read_result
from autograder.results import SubmissionResult


def question_scores(result: SubmissionResult) -> dict[str, float]:
    """Points earned per question."""
    scores: dict[str, float] = defaultdict(float)
    for check in result.checks:
        scores[check.question] += check.score
    return dict(scores)


def question_comments(result: SubmissionResult) -> dict[str, str]:
    """Each question's check verdicts as plain text lines."""
    lines: dict[str, list[str]] = defaultdict(list)
    for check in result.checks:
        mark = "passed" if check.passed else "FAILED"
        lines[check.question].append(f"{check.name}: {check.score:g}/{check.max_score:g} {mark}. {check.message}")
    if result.error:
        for question in lines:
            lines[question].insert(0, f"The notebook could not be graded normally: {result.error}")
    return {question: "\n".join(text) for question, text in lines.items()}


def late_penalty_plugin(config):
    """nbgrader's late-submission plugin as the course configures it."""
    from nbgrader.plugins import LateSubmissionPlugin
    from traitlets.utils.importstring import import_item

    chosen = config.AssignLatePenalties.get("plugin_class", LateSubmissionPlugin)
    plugin_class = import_item(chosen) if isinstance(chosen, str) else chosen
    return plugin_class(config=config)


def _submission(gradebook, assignment: str, student: str):
    """The student's submission, created with nbgrader's structure if new (not committed)."""
    from nbgrader.api import Comment, Grade, MissingEntry, Student, SubmittedAssignment, SubmittedNotebook

    try:
        return gradebook.find_submission(assignment, student)
    except MissingEntry:
        pass
    with gradebook.db.no_autoflush:  # build the whole structure, then add it in one piece
        owner = gradebook.db.get(Student, student) or Student(id=student)
        submission = SubmittedAssignment(assignment=gradebook.find_assignment(assignment), student=owner)
        for notebook in submission.assignment.notebooks:
            submitted = SubmittedNotebook(notebook=notebook, assignment=submission)
            for cell in notebook.grade_cells:
                Grade(cell=cell, notebook=submitted)
            for cell in notebook.solution_cells:
                Comment(cell=cell, notebook=submitted)
        gradebook.db.add(submission)
    return submission


def record_result(gradebook, assignment: str, student: str, result: SubmissionResult, timestamp, plugin) -> None:
    """Write one result into the gradebook in a single transaction (all of it or nothing)."""
    scores, comments = question_scores(result), question_comments(result)
    try:
        submission = _submission(gradebook, assignment, student)
        submission.timestamp = timestamp.replace(tzinfo=None) if timestamp else None
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                grade.auto_score = min(scores.get(grade.cell.name, 0.0), grade.cell.max_score)
            for comment in notebook.comments:
                question = comment.cell.name.removesuffix("-code")
                comment.auto_comment = comments.get(question)
            _apply_late_penalty(notebook, submission, student, plugin)
        gradebook.db.commit()
    except OperationalError as error:
        gradebook.db.rollback()
        raise InfrastructureError(f"the gradebook is unavailable (locked or down): {error.orig}") from None
    except BaseException:  # anything else, even a kill signal: this submission is not half-written
        gradebook.db.rollback()
        raise


def grade_points(grade) -> float:
    """A grade cell's points: the instructor's manual score when there is one, else gdgrade's."""
    return grade.manual_score if grade.manual_score is not None else (grade.auto_score or 0.0)


def _apply_late_penalty(notebook, submission, student: str, plugin) -> None:
    late = submission.total_seconds_late  # nbgrader's: the due date plus any extension
    notebook.late_submission_penalty = None
    if late <= 0:
        return
    score = sum(grade_points(g) for g in notebook.grades)
    penalty = plugin.late_submission_penalty(student, score, late)
    if penalty is not None:
        notebook.late_submission_penalty = min(max(penalty, 0.0), score)


@dataclass(frozen=True)
class ScoreRow:
    """A student's final numbers for one assignment, as the gradebook holds them."""

    student: str
    status: str  # "graded", "missing"
    raw_score: float
    late_penalty: float
    max_score: float
    seconds_late: float
    first_name: str = ""
    last_name: str = ""
    email: str = ""

    @property
    def score(self) -> float:
        """The score after the late penalty."""
        return max(self.raw_score - self.late_penalty, 0.0)


def score_rows(gradebook, assignment: str) -> list[ScoreRow]:
    """One row per student of the course, submitted or not, manual grades included."""
    from nbgrader.api import MissingEntry

    found = gradebook.find_assignment(assignment)
    max_score = sum(cell.max_score for notebook in found.notebooks for cell in notebook.grade_cells)
    rows = []
    for student in sorted(gradebook.students, key=lambda s: s.id):
        names = {
            "first_name": student.first_name or "",
            "last_name": student.last_name or "",
            "email": student.email or "",
        }
        try:
            submission = gradebook.find_submission(assignment, student.id)
        except MissingEntry:
            rows.append(ScoreRow(student.id, "missing", 0.0, 0.0, max_score, 0.0, **names))
            continue
        grades = [g for notebook in submission.notebooks for g in notebook.grades]
        raw = sum(grade_points(g) for g in grades)
        penalty = sum(n.late_submission_penalty or 0.0 for n in submission.notebooks)
        late = submission.total_seconds_late
        rows.append(ScoreRow(student.id, "graded", raw, penalty, max_score, late, **names))
    return rows


def final_scores(course: Course, assignment: str) -> list[ScoreRow]:
    """The gradebook's final numbers for an assignment; a usage error if it is not in the gradebook."""
    from nbgrader.api import MissingEntry

    try:
        with open_gradebook(course.db_url) as gradebook:
            return score_rows(gradebook, assignment)
    except MissingEntry:
        raise UsageError(f"{assignment} is not in the gradebook (release and autograde it first)") from None
    except SQLAlchemyError as error:
        raise InfrastructureError(f"the gradebook is unavailable: {error}") from None


def roster(course: Course) -> set[str]:
    """The ids of the students in the gradebook (the roster init added, and any added since)."""
    try:
        with open_gradebook(course.db_url) as gradebook:
            return {student.id for student in gradebook.students}
    except SQLAlchemyError as error:
        raise InfrastructureError(f"the gradebook is unavailable: {error}") from None


def stored_results(course: Course, assignment: str, students: list[str] | None = None) -> dict[str, SubmissionResult]:
    """The results on disk for these students (every student when None; graded under any spec version)."""
    folder = course.results_dir(assignment) / "results"
    paths = sorted(folder.glob("*.json")) if students is None else [folder / f"{s}.json" for s in students]
    found = {path.stem: read_result(path) for path in paths if path.is_file()}
    return {student: result for student, result in found.items() if result is not None}


def write_gradebook(course: Course, assignment: str, students: list[str]) -> int:
    """Write the stored results of ``students`` into the gradebook; returns how many.

    Idempotent: writing the same results again leaves the gradebook as it was.
    """
    from nbgrader.api import MissingEntry

    plugin = late_penalty_plugin(course.config())
    results = stored_results(course, assignment, students)
    try:
        with open_gradebook(course.db_url) as gradebook:
            try:
                gradebook.find_assignment(assignment)
            except MissingEntry:
                raise UsageError(
                    f"{assignment} is not in the gradebook yet: run gdgrade release {assignment}"
                ) from None
            for student, result in results.items():
                timestamp = submission_timestamp(course.submission_dir(student, assignment))
                record_result(gradebook, assignment, student, result, timestamp, plugin)
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
