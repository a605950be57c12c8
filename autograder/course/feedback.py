"""Feedback pages for a course: one HTML page per graded student, where release_feedback looks."""

from __future__ import annotations

import shutil
from pathlib import Path

from autograder.assignment import load_spec
from autograder.course.gradebook import final_scores, stored_results
from autograder.course.layout import Course
from autograder.errors import UsageError
from autograder.reports import write_text
from autograder.reports.html import html_report


def late_rows(course: Course, assignment: str) -> dict:
    """The gradebook's rows of students whose late penalty took points (none before release)."""
    try:
        rows = final_scores(course, assignment)
    except UsageError:  # not in the gradebook yet: nothing was late
        return {}
    return {row.student: row for row in rows if row.status == "graded" and row.late_penalty > 0}


def write_feedback(course: Course, assignment: str) -> int:
    """Write ``feedback/<student>/<assignment>/<notebook>.html`` for every stored result; returns how many."""
    stem = Path(course.notebook_name(assignment)).stem
    language = load_spec(course.spec_path(assignment)).language
    results = stored_results(course, assignment)
    if not results:  # as export says when nothing is in the gradebook: one line, exit 2
        raise UsageError(f"nothing of {assignment} is graded yet (autograde it first)")
    late = late_rows(course, assignment)
    for student, result in results.items():
        folder = course.root / "feedback" / student / assignment
        write_text(folder / f"{stem}.html", html_report(result, late.get(student), language))
        for kept in ("timestamp.txt", "submission_secret.txt"):
            submitted = course.submission_dir(student, assignment) / kept
            if submitted.is_file():
                shutil.copy2(submitted, folder / kept)
    return len(results)
