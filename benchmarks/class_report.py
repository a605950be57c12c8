"""The class report of a large class: build time and page size, against per-student pages.

500 synthetic stored results spread over the mistakes catalog (named, unnamed and hidden
failures, with step tables and loss curves) are summarised into one class report. The
baseline, in the same run, is what an instructor has without it: the 500 feedback pages.
Targets: the report in under 5 s and under 5 MB.

    python benchmarks/class_report.py [--students 500]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from autograder.reports.class_report import class_report_csv, class_report_html, class_summary  # noqa: E402
from autograder.reports.html import html_report  # noqa: E402
from tests.support.class_results import class_results  # noqa: E402

TARGET_SECONDS, TARGET_BYTES = 5.0, 5 * 1024**2


def main(argv: list[str] | None = None) -> int:
    """Build the report; exit 1 if it misses a target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=500)
    arguments = parser.parse_args(argv)
    results = class_results(arguments.students)
    started = time.perf_counter()
    summary = class_summary(results)
    page, table = class_report_html(summary, "en"), class_report_csv(summary)
    seconds = time.perf_counter() - started
    size = len(page.encode("utf-8"))
    started = time.perf_counter()
    pages = sum(len(html_report(result).encode("utf-8")) for result in results)
    baseline = time.perf_counter() - started
    mistakes = sum(len(question.mistakes) for question in summary.questions)
    print(f"{arguments.students} students, {len(summary.questions)} questions, {mistakes} named mistake groups")
    print(f"class report:            {seconds:6.2f} s   {size / 1024**2:6.2f} MB   (+ {len(table) / 1024:.0f} KB CSV)")
    print(f"baseline, every feedback page: {baseline:6.2f} s   {pages / 1024**2:6.2f} MB")
    verdict = seconds < TARGET_SECONDS and size < TARGET_BYTES
    print(f"targets {TARGET_SECONDS:g} s and {TARGET_BYTES / 1024**2:g} MB: {'met' if verdict else 'MISSED'}")
    return 0 if verdict else 1


if __name__ == "__main__":
    sys.exit(main())
