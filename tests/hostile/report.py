"""Grade the hostile corpus in the sandbox and print a table: case, expected, got.

    python -m tests.hostile.report [--sandbox bwrap|docker|none] [--workers N]

The corpus (hostile submissions, one batch) comes first, then the batch-integrity checks
(stale, crossed and linked submissions, zip bombs).

Exit code 0 when every case holds, 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from autograder.batch import grade_batch
from autograder.sandbox.backends import BACKENDS, Limits, Sandbox, available_backend
from tests.hostile.corpus import CASES, Case, corpus_spec, seen_by_student, write_case
from tests.hostile.integrity import run_all

LIMITS = Limits(cell_timeout=5, submission_timeout=60, grading_timeout=30)


@dataclass(frozen=True)
class Row:
    """One case's expectation next to what the grader did."""

    case: Case
    score: float | None
    seen: str
    payload: dict | None = None

    @property
    def in_time(self) -> bool:
        """Its grading took no longer than the limits allow (plus a small constant)."""
        return self.payload is not None and self.payload.get("seconds", 0) <= self.case.seconds

    @property
    def holds(self) -> bool:
        """The expected score and words, in time, and the case's own further condition."""
        said = self.case.says is None or self.case.says in self.seen
        further = self.case.holds is None or (self.payload is not None and self.case.holds(self.payload))
        return self.score == self.case.score and said and self.in_time and further


def grade_corpus(folder: Path, sandbox: Sandbox, workers: int = 2, cases=CASES) -> tuple[list[Row], dict]:
    """Write the cases (all unless told), grade them in one batch, and pair each with its result."""
    submissions_dir, out = folder / "submissions", folder / "out"
    submissions_dir.mkdir(parents=True)
    replacements = {"submissions": str(submissions_dir), "results": str(out / "results")}
    paths = [write_case(case, submissions_dir, replacements) for case in cases]
    outcome = grade_batch(paths, str(corpus_spec(folder)), sandbox, out, workers)
    results = {result.student: result.to_json() for result in outcome.results}
    rows = []
    for case in cases:
        payload = results.get(case.name)
        seen = seen_by_student(payload) if payload else ""
        rows.append(Row(case, payload["score"] if payload else None, seen, payload))
    return rows, outcome.infrastructure_failures


def selected_cases(request, cases=CASES) -> list[Case]:
    """The cases whose own tests this pytest run selected (``-k NAME`` grades that case and the
    correct one, not the whole corpus); every case when none was picked out."""
    names = {item.callspec.params.get("name") for item in request.session.items
             if item.module is request.module and hasattr(item, "callspec")}  # fmt: skip
    if not names:
        return list(cases)
    return [case for case in cases if case.name in names or case.name == "correct"]


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
    print(f"sandbox: {arguments.sandbox}\n")
    print(table(rows))
    for name, failure in failures.items():
        print(f"grader failure on {name}: {failure}", file=sys.stderr)
    checks = run_all()
    print(integrity_table(checks))
    return 0 if all(row.holds for row in rows) and not failures and all(c.holds for c in checks) else 1


def integrity_table(outcomes) -> str:
    """The batch-integrity checks: name, expected, got, and whether each held."""
    lines = ["", f"{'integrity check':40} {'ok':3} expected / got"]
    lines += [f"{o.name:40} {'yes' if o.holds else 'NO':3} {o.expected} / {o.got}" for o in outcomes]
    lines.append(f"\n{sum(o.holds for o in outcomes)}/{len(outcomes)} integrity checks hold")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
