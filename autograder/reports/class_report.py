"""The class report: what a whole class got wrong, from the stored results alone.

:func:`class_summary` gathers, per question, how many students earned all its points and
which named mistakes the failing checks carry (ranked by how many students made them), the
failures no catalog entry names (where the catalog is blind), and the failures of hidden
probes, which are counted and never described beyond their question. :func:`class_report_html`
draws it as one self-contained page (a score histogram and one representative step table and
plot per mistake, embedded), :func:`class_report_csv` as a table, and :func:`summary_lines`
as the few lines ``autograde`` and ``grade`` print.
"""

from __future__ import annotations

import base64
import csv
import html
import io
from collections import defaultdict
from dataclasses import dataclass, field

from autograder.messages import say
from autograder.reports.html import page, plot_images, rows_table
from autograder.results import CheckResult, SubmissionResult

UNNAMED, HIDDEN = "(unnamed)", "(hidden)"


@dataclass
class MistakeGroup:
    """Students whose failing checks of one question carry the same named mistake."""

    mistake: str
    students: list[str] = field(default_factory=list)
    message: str = ""  # what the first of them was shown
    example: CheckResult | None = None  # a failed check with a step table or a plot, if any


@dataclass
class QuestionSummary:
    """One question across the class."""

    question: str
    max_score: float = 0.0
    full_marks: list[str] = field(default_factory=list)
    graded: list[str] = field(default_factory=list)
    mistakes: dict[str, MistakeGroup] = field(default_factory=dict)
    unnamed: dict[str, str] = field(default_factory=dict)  # student -> the failing check's message
    hidden: list[str] = field(default_factory=list)  # students who failed only a hidden probe, unnamed

    @property
    def pass_rate(self) -> float:
        """The share of graded students with every point of the question."""
        return len(self.full_marks) / len(self.graded) if self.graded else 0.0

    def ranked(self) -> list[MistakeGroup]:
        """Named mistakes, most students first."""
        return sorted(self.mistakes.values(), key=lambda group: (-len(group.students), group.mistake))


@dataclass
class ClassSummary:
    """The whole class: scores and the per-question picture."""

    assignment: str
    scores: dict[str, tuple[float, float]]  # student -> (score, max score)
    questions: list[QuestionSummary]
    errors: dict[str, str]  # student -> why the notebook could not be graded normally


def _note(summary: QuestionSummary, student: str, check: CheckResult) -> None:
    if check.diagnosis is not None and check.diagnosis.id:
        group = summary.mistakes.setdefault(check.diagnosis.id, MistakeGroup(check.diagnosis.id))
        if student not in group.students:
            group.students.append(student)
            group.message = group.message or check.message
        if group.example is None and (check.series or (check.comparison and check.comparison.rows)):
            group.example = check
    elif check.hidden_failure:
        if student not in summary.hidden:
            summary.hidden.append(student)
    else:
        summary.unnamed.setdefault(student, f"{check.name}: {check.message}")


def class_summary(results: list[SubmissionResult]) -> ClassSummary:
    """Gather every stored result of one assignment into the class picture."""
    questions: dict[str, QuestionSummary] = {}
    for result in sorted(results, key=lambda r: r.student):
        earned: dict[str, float] = defaultdict(float)
        for check in result.checks:
            tally = questions.setdefault(check.question, QuestionSummary(check.question))
            earned[check.question] += check.score
            if not check.passed and not result.error:  # a notebook that could not run made no mistake
                _note(tally, result.student, check)
        for question, tally in questions.items():
            points = sum(c.max_score for c in result.checks if c.question == question)
            if points:
                tally.max_score = max(tally.max_score, points)
                tally.graded.append(result.student)
                if earned[question] >= points:
                    tally.full_marks.append(result.student)
    assignment = next((r.assignment for r in results if r.assignment), "")
    scores = {r.student: (r.score, r.max_score) for r in results}
    errors = {r.student: r.error for r in results if r.error}
    return ClassSummary(assignment, scores, list(questions.values()), errors)


def summary_lines(summary: ClassSummary, language: str = "en", top: int = 3) -> list[str]:
    """What a batch prints at its end: the top mistakes of each question (none when all is well)."""
    lines = []
    for question in summary.questions:
        ranked = question.ranked()[:top]
        blind = len(question.unnamed)
        if not ranked and not blind:
            continue
        counted = [say("class mistake count", language, mistake=g.mistake, count=len(g.students)) for g in ranked]
        if blind:
            counted.append(say("class unnamed count", language, count=blind))
        rate = f"{100 * question.pass_rate:.0f}%"
        lines.append(f"  {question.question} ({say('class pass rate', language, rate=rate)}): " + ", ".join(counted))
    if summary.errors:
        lines.append("  " + say("class errors count", language, count=len(summary.errors)))
    return [say("class mistakes heading", language)] + lines if lines else []


def class_report_csv(summary: ClassSummary) -> str:
    """One row per question and mistake: how many students, and which.

    In every language: a data file for spreadsheets and scripts, whose column names and
    ``(unnamed)``/``(hidden)`` markers stay fixed like the question and mistake ids beside them.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["question", "pass_rate", "mistake", "students", "student_ids"])
    for question in summary.questions:
        rate = f"{question.pass_rate:.3f}"
        for group in question.ranked():
            writer.writerow([question.question, rate, group.mistake, len(group.students), " ".join(group.students)])
        if question.unnamed:
            writer.writerow([question.question, rate, UNNAMED, len(question.unnamed), " ".join(question.unnamed)])
        if question.hidden:
            writer.writerow([question.question, rate, HIDDEN, len(question.hidden), " ".join(question.hidden)])
        if not (question.mistakes or question.unnamed or question.hidden):
            writer.writerow([question.question, rate, "", 0, ""])
    return buffer.getvalue()


def _histogram(summary: ClassSummary, language: str) -> str:
    from autograder.reports.plots import plot_histogram  # matplotlib: only when a page is drawn

    percents = [100 * score / total if total else 0.0 for score, total in summary.scores.values()]
    buffer = io.BytesIO()
    plot_histogram(percents, buffer, say("class histogram title", language), say("class histogram x", language))
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _example(group: MistakeGroup, language: str) -> str:
    check = group.example
    if check is None:
        return ""
    parts = []
    if check.comparison and check.comparison.rows:
        parts.append(rows_table(check.comparison, language, theirs="class student"))
    parts += [f"<img alt='{html.escape(group.mistake)}' src='{src}'>" for src in plot_images(check, language)[:1]]
    return "".join(parts)


def _heads(keys: tuple[str, ...], language: str) -> str:
    return "".join(f"<th>{html.escape(say(key, language))}</th>" for key in keys)


def _question_section(question: QuestionSummary, language: str) -> str:
    head = say("class question heading", language, question=question.question,
               passed=len(question.full_marks), total=len(question.graded))  # fmt: skip
    parts = [f"<h2>{html.escape(head)}</h2>"]
    for group in question.ranked():
        students = ", ".join(html.escape(s) for s in group.students)
        shown = f"<p class='diagnosis'>{html.escape(group.message)}</p><p>{students}</p>{_example(group, language)}"
        parts.append(f"<h3>{html.escape(group.mistake)}: {len(group.students)}</h3>{shown}")
    if question.unnamed:
        items = "".join(f"<li>{html.escape(s)}: {html.escape(m)}</li>" for s, m in question.unnamed.items())
        parts.append(f"<h3>{html.escape(say('class unnamed heading', language))}</h3><ul>{items}</ul>")
    if question.hidden:
        text = say("class hidden", language, count=len(question.hidden), students=", ".join(question.hidden))
        parts.append(f"<p>{html.escape(text)}</p>")
    return "\n".join(parts)


def class_report_html(summary: ClassSummary, language: str = "en") -> str:
    """One self-contained page: the score histogram, pass rates, and each question's mistakes."""
    title = say("class report title", language, assignment=summary.assignment, count=len(summary.scores))
    rates = "".join(f"<tr><td>{html.escape(q.question)}</td><td>{100 * q.pass_rate:.0f}%</td>"
                    f"<td>{len(q.full_marks)} / {len(q.graded)}</td></tr>" for q in summary.questions)  # fmt: skip
    headers = _heads(("class question", "class pass rate header", "class count header"), language)
    histogram = html.escape(say("class histogram title", language))
    body = [f"<h1>{html.escape(title)}</h1>", f"<img alt='{histogram}' src='{_histogram(summary, language)}'>",
            f"<table><tr>{headers}</tr>{rates}</table>"]  # fmt: skip
    if summary.errors:
        items = "".join(f"<li>{html.escape(s)}: {html.escape(e)}</li>" for s, e in sorted(summary.errors.items()))
        body.append(f"<h2>{html.escape(say('class errors heading', language))}</h2><ul>{items}</ul>")
    body += [_question_section(question, language) for question in summary.questions]
    return page(html.escape(title), "\n".join(body), language)
