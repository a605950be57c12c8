"""Which notebook each student submitted for an assignment, and why some have none to grade."""

from __future__ import annotations

import hashlib
from pathlib import Path

from autograder.batch import refusal
from autograder.bundles import folder_is_bundle
from autograder.course.layout import Course
from autograder.engine.grade import failed_result
from autograder.errors import UsageError
from autograder.journal import load_result, write_atomically
from autograder.results import SubmissionResult


def submission_of(folder: Path, assignment: str) -> Path | str:
    """A student's notebook in ``submitted/<student>/<assignment>/``, or why there is none to grade."""
    where = f"submitted/{folder.parent.name}/{assignment}/"
    if folder.is_symlink() or folder.parent.is_symlink():
        return f"{where} is a symbolic link; nothing in it was graded"
    if folder_is_bundle(folder):  # a notebook with the helper modules it imports: graded together
        reason = refusal(folder)
        return f"{where} was refused: {reason}" if reason else folder
    notebooks = sorted(folder.glob("*.ipynb")) + sorted(folder.glob("*.py")) + sorted(folder.glob("*.zip"))
    if not notebooks:
        return f"no notebook in {where}"
    reason = refusal(notebooks[0])
    return f"{where}{notebooks[0].name} was refused: {reason}" if reason else notebooks[0]


def course_submissions(course: Course, assignment: str, student: str | None) -> dict[str, Path | str]:
    """Student -> their notebook, or why there is none to grade, for this assignment."""
    folders = sorted((course.root / "submitted").glob(f"*/{assignment}"))
    found = {f.parent.name: submission_of(f, assignment) for f in folders if not student or f.parent.name == student}
    if student and student not in found:
        raise UsageError(f"no submission of {assignment} by {student} in submitted/")
    return found


def record_missing(course: Course, assignment: str, empty: dict[str, str], spec) -> None:
    """Students whose folder has no gradable notebook get a zero with the reason (kept as results)."""
    fingerprint = spec.fingerprint()
    for student, message in empty.items():
        key = f"missing-{fingerprint}-{hashlib.sha256(message.encode()).hexdigest()[:8]}"
        path = course.results_dir(assignment) / "results" / f"{student}.json"
        if load_result(path, key) is None:
            result = SubmissionResult(None, student, failed_result(spec), error=message)
            write_atomically(path, result.stored(student, key, fingerprint).to_json())
