"""Reports: every format, written from results by one function.

Formats: JSON (all results), HTML feedback pages (:mod:`.html`, plots from :mod:`.plots`),
JUnit (:mod:`.junit`), Gradescope (:mod:`.gradescope`), CSV and Markdown (:mod:`.tables`),
and the class report (:mod:`.class_report`).

Each report is written on its own: a failure in one (a bug, a full disk) is reported and
the others are still written. Text is written as UTF-8 with anything unencodable replaced,
so no string a submission produced can stop a report.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from autograder.journal import write_atomically
from autograder.reports.class_report import class_report_csv, class_report_html, class_summary
from autograder.reports.gradescope import gradescope_results
from autograder.reports.html import html_report
from autograder.reports.junit import junit_xml
from autograder.reports.tables import csv_summary, markdown_summary
from autograder.results import SubmissionResult


@dataclass(frozen=True)
class ReportTargets:
    """Where each report goes (None: not wanted)."""

    json: Path | None = None
    html: Path | None = None  # a folder: one page per submission
    junit: Path | None = None
    csv: Path | None = None
    gradescope: Path | None = None  # one submission's results.json
    summary: Path | None = None  # a Markdown table appended (a CI job summary)
    class_report: Path | None = None  # a folder: class-report.html and class-report.csv
    language: str = "en"  # of the pages (the assignment's)


def write_text(path: Path, text: str) -> None:
    """Write text as UTF-8, replacing what cannot be encoded (lone surrogates)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8", "replace"))


def _html_pages(folder: Path, results: list[SubmissionResult], language: str) -> str:
    for result in results:
        write_text(folder / f"{result.student}.html", html_report(result, language=language))
    return f"{folder}/ ({len(results)} pages)"


def _appended_summary(path: Path, results: list[SubmissionResult], language: str) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("ab") as handle:
        for result in results:
            handle.write(markdown_summary(result, language).encode("utf-8", "replace"))
    return str(path)


def _writers(targets: ReportTargets, results: list[SubmissionResult]) -> list[tuple[str, Path, object]]:
    return [
        ("JSON", targets.json, lambda p: write_atomically(p, {"results": [r.to_json() for r in results]}) or str(p)),
        ("HTML", targets.html, lambda p: _html_pages(p, results, targets.language)),
        ("JUnit", targets.junit, lambda p: write_text(p, junit_xml(results)) or str(p)),
        ("CSV", targets.csv, lambda p: write_text(p, csv_summary(results)) or str(p)),
        ("Gradescope", targets.gradescope, lambda p: write_atomically(p, gradescope_results(results[0])) or str(p)),
        ("summary", targets.summary, lambda p: _appended_summary(p, results, targets.language)),
        ("class", targets.class_report, lambda p: write_class_report(p, results, targets.language)),
    ]


def write_class_report(folder: Path, results: list[SubmissionResult], language: str) -> str:
    """``class-report.html`` and ``class-report.csv`` in ``folder``; returns what was written."""
    summary = class_summary(results)
    write_text(folder / "class-report.html", class_report_html(summary, language))
    write_text(folder / "class-report.csv", class_report_csv(summary))
    return f"{folder}/class-report.html (and .csv)"


def write_reports(results: list[SubmissionResult], targets: ReportTargets) -> tuple[list[str], dict[str, str]]:
    """Write every wanted report; returns what was written and, per failed report, why."""
    written, failed = [], {}
    for name, target, write in _writers(targets, results):
        if target is None or (name == "Gradescope" and not results):
            continue
        try:
            written.append(write(target))
        except Exception as error:  # a report is never worth losing the others
            failed[name] = f"{type(error).__name__}: {error}"
    return written, failed
