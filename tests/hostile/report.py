"""Grade the hostile corpus in the sandbox and print a table: case, expected, got.

    python -m tests.hostile.report [--sandbox bwrap|docker|none] [--workers N]

Exit code 0 when every case holds, 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from autograder.batch import grade_batch
from autograder.sandbox import BACKENDS, Limits, Sandbox, available_backend
from tests.hostile.corpus import CASES, Case, corpus_spec, seen_by_student, write_case

LIMITS = Limits(cell_timeout=5, submission_timeout=60)


@dataclass(frozen=True)
class Row:
    """One case's expectation next to what the grader did."""

    case: Case
    score: float | None
    seen: str

    @property
    def holds(self) -> bool:
        """The score is the expected one and the student sees the expected words."""
        return self.score == self.case.score and (self.case.says is None or self.case.says in self.seen)


def grade_corpus(folder: Path, sandbox: Sandbox, workers: int = 2) -> tuple[list[Row], dict]:
    """Write every case, grade them in one batch, and pair each with its result."""
    submissions_dir, out = folder / "submissions", folder / "out"
    submissions_dir.mkdir(parents=True)
    replacements = {"submissions": str(submissions_dir), "results": str(out / "results")}
    paths = [write_case(case, submissions_dir, replacements) for case in CASES]
    outcome = grade_batch(paths, str(corpus_spec(folder)), sandbox, out, workers)
    results = {payload["student"]: payload for payload in outcome.results}
    rows = []
    for case in CASES:
        payload = results.get(case.name)
        rows.append(Row(case, payload["score"] if payload else None, seen_by_student(payload) if payload else ""))
    return rows, outcome.infrastructure_failures


def table(rows: list[Row]) -> str:
    """The report: case, category, expected score and words, the score got, and whether it held."""
    lines = [f"{'case':34} {'category':10} {'expected':>8} {'got':>6}  {'ok':3} expected words / what the student saw"]
    for row in rows:
        got = "-" if row.score is None else f"{row.score:g}"
        seen = row.seen.strip(" |")[:90]
        words = f"{row.case.says!r} / {seen}" if row.case.says else seen
        mark = "yes" if row.holds else "NO"
        lines.append(f"{row.case.name:34} {row.case.category:10} {row.case.score:>8g} {got:>6}  {mark:3} {words}")
    held = sum(row.holds for row in rows)
    lines.append(f"\n{held}/{len(rows)} cases hold")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Grade the corpus and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sandbox", choices=BACKENDS, default=available_backend())
    parser.add_argument("--workers", type=int, default=2)
    arguments = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="gdgrade-corpus-") as folder:
        rows, failures = grade_corpus(Path(folder), Sandbox(arguments.sandbox, LIMITS), arguments.workers)
    print(table(rows))
    for name, failure in failures.items():
        print(f"grader failure on {name}: {failure}", file=sys.stderr)
    return 0 if all(row.holds for row in rows) and not failures else 1


if __name__ == "__main__":
    sys.exit(main())
