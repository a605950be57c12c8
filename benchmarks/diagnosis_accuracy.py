"""Top-1 diagnosis accuracy over the whole mistakes catalog, against a first-step-only baseline.

Every catalog mistake is written as a student (tests/support/synthetic.py), graded with a spec
whose probes are the target's discriminating probes, and the first failing check's
diagnosis is compared with the mistake's id.

Baseline, in the same run: the same grading, but a mistake variant is matched on the
first update alone (what a "first step is 3.16x" heuristic can see).

    python benchmarks/diagnosis_accuracy.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from autograder.engine import diagnosis  # noqa: E402
from tests.support import synthetic  # noqa: E402

_full_match = diagnosis.matches


def _first_step_only(student, numbers, tolerance):
    return _full_match(student[:2], numbers[:2], tolerance)


def measure(label: str) -> tuple[float, list]:
    started = time.perf_counter()
    rows = synthetic.diagnosis_report()
    seconds = time.perf_counter() - started
    correct = sum(mistake_id == diagnosed for mistake_id, diagnosed, _, _ in rows)
    failed = sum(score < max_score for _, _, score, max_score in rows)
    print(f"{label:<22} top-1 {correct}/{len(rows)} = {correct / len(rows):.1%}   "
          f"mistakes failed {failed}/{len(rows)}   {seconds:.2f} s")  # fmt: skip
    return correct / len(rows), rows


def main() -> int:
    accuracy, rows = measure("catalog replay (ours)")
    diagnosis.matches = _first_step_only
    try:
        baseline, baseline_rows = measure("first step only")
    finally:
        diagnosis.matches = _full_match
    print(f"\nimprovement over the baseline: {accuracy - baseline:+.1%}")
    print(f"\n{'mistake':<36} {'ours':<36} first-step baseline")
    for (mistake_id, ours, _, _), (_, theirs, _, _) in zip(rows, baseline_rows, strict=True):
        mark = " " if ours == mistake_id else "x"
        print(f"{mark} {mistake_id:<34} {ours or '-':<36} {theirs or '-'}")
    return 0 if accuracy >= 0.9 else 1


if __name__ == "__main__":
    sys.exit(main())
