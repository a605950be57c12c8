"""Tables: a CSV summary of a batch, and a Markdown table of one submission (a CI job summary)."""

from __future__ import annotations

import csv
import io

from autograder.results import SubmissionResult


def csv_summary(results: list[SubmissionResult]) -> str:
    """student, score, max_score, one column per question, error."""
    questions = list(dict.fromkeys(check.question for result in results for check in result.checks))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["student", "score", "max_score", *questions, "error"])
    for result in results:
        per_question = dict.fromkeys(questions, 0.0)
        for check in result.checks:
            per_question[check.question] += check.score
        row = [result.student, f"{result.score:g}", f"{result.max_score:g}"]
        writer.writerow(row + [f"{per_question[q]:g}" for q in questions] + [result.error or ""])
    return buffer.getvalue()


def markdown_summary(result: SubmissionResult) -> str:
    """A Markdown table of one submission's checks, for a CI job summary."""
    lines = [f"### gdgrade: {result.student} — {result.score:g}/{result.max_score:g} ({result.assignment})", "",
             "| check | score | verdict |", "|---|---|---|"]  # fmt: skip
    for check in result.checks:
        verdict = "passed" if check.passed else check.message.replace("|", "\\|").replace("\n", " ")
        mark = "✅" if check.passed else "❌"
        lines.append(f"| {mark} `{check.full_name}` | {check.score:g}/{check.max_score:g} | {verdict} |")
    if result.error:
        lines += ["", f"**The notebook could not be graded normally:** {result.error}"]
    return "\n".join(lines) + "\n"
