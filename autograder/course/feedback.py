"""Feedback pages for a course: one HTML page per graded student, where release_feedback looks."""

from __future__ import annotations

import shutil
from pathlib import Path

from autograder.course.gradebook import stored_results
from autograder.course.layout import Course
from autograder.reports import write_text
from autograder.reports.html import html_report


def write_feedback(course: Course, assignment: str) -> int:
    """Write ``feedback/<student>/<assignment>/<notebook>.html`` for every stored result; returns how many."""
    stem = Path(course.notebook_name(assignment)).stem
    results = stored_results(course, assignment)
    for student, result in results.items():
        folder = course.root / "feedback" / student / assignment
        write_text(folder / f"{stem}.html", html_report(result))
        for kept in ("timestamp.txt", "submission_secret.txt"):
            submitted = course.submission_dir(student, assignment) / kept
            if submitted.is_file():
                shutil.copy2(submitted, folder / kept)
    return len(results)
