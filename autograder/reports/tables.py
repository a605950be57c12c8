"""Tables: a CSV summary of a batch, and a Markdown table of one submission (a CI job summary)."""

from __future__ import annotations

import csv
import io

from autograder.messages import say
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


def markdown_summary(result: SubmissionResult, language: str = "en") -> str:
    """A Markdown table of one submission's checks, in the assignment's language, for a CI job summary."""
    heads = " | ".join(say(key, language) for key in ("page check", "page score", "page verdict"))
    lines = [f"### gdgrade: {result.student} — {result.score:g}/{result.max_score:g} ({result.assignment})", "",
             f"| {heads} |", "|---|---|---|"]  # fmt: skip
    for check in result.checks:
        verdict = say("word passed", language) if check.passed else _cell(check.message)
        mark = "✅" if check.passed else "❌"
        lines.append(f"| {mark} `{check.full_name}` | {check.score:g}/{check.max_score:g} | {verdict} |")
    if result.error:
        lines += ["", say("summary error", language, error=result.error)]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    """Text that stays inside one cell of a Markdown table."""
    return text.replace("|", "\\|").replace("\n", " ")
