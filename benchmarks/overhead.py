"""Overhead against the floor: what grading costs beyond running the student's own cells.

    python benchmarks/overhead.py [--n 20] [--assignments 01-gradient-descent,06-pytorch]

For each assignment, ``--n`` copies of its solution notebook are graded one at a time in
the sandbox, with a warm kernel pool and the assignment's preloads, as a grading worker
does. Before each submission the benchmark waits ``--settle`` seconds so that the pool's
next kernel has finished booting: this measures the cost of grading one submission, not
how fast kernels boot (``throughput.py`` and ``scaling.py`` measure that).

The floor is the time the student's own cells take in the warm kernel; the overhead is
the submission's wall time (grading plus writing its result JSON) minus that floor. The
benchmark prints the median overhead against the issue's targets (0.35 s for a numpy
assignment, 0.5 s for a torch one) and the median of each phase: kernel hand-off,
preparing the kernel, student cells, attaching the grader, probes (round trips into the
kernel), reference, comparison, diagnosis, teardown and the result JSON. The HTML page
(with its plots) is rendered after grading, off the critical path, and printed apart.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assignments import source_notebook, spec_path  # noqa: E402
from autograder.assignment import load_spec  # noqa: E402
from autograder.journal import write_atomically  # noqa: E402
from autograder.reports.html import html_report  # noqa: E402
from autograder.sandbox.backends import Sandbox, available_backend, preload_for  # noqa: E402
from autograder.sandbox.pool import KernelPool  # noqa: E402
from autograder.submission import grade_submission  # noqa: E402

PHASES = ("handoff", "prepare", "student_cells", "attach", "probes", "reference", "comparison", "diagnosis",
          "teardown", "result_json")  # fmt: skip
TARGETS = {"numpy": 0.35, "torch": 0.5}


def _graded_once(path: Path, spec, sandbox: Sandbox, pool: KernelPool, out: Path) -> dict:
    """Grade one submission and write its result; returns its timings (seconds)."""
    started = time.perf_counter()
    result = grade_submission(path, spec, sandbox, pool=pool)
    written = time.perf_counter()
    payload = result.to_json()
    write_atomically(out / f"{path.stem}.json", payload)
    finished = time.perf_counter()
    if result.score != result.max_score:
        raise SystemExit(f"{path.name} lost points: {result.error or json.dumps(payload['checks'])[:500]}")
    page_started = time.perf_counter()
    html_report(result)
    timings = dict(result.execution["timings"], result_json=finished - written)
    return timings | {
        "wall": finished - started,
        "floor": result.execution["seconds"],
        "html": time.perf_counter() - page_started,
        "probe_calls": result.execution["probe_calls"],
    }


def measure(assignment: str, count: int, settle: float) -> list[dict]:
    """Per-submission timings of ``count`` gradings of the assignment's solution notebook."""
    spec = load_spec(spec_path(assignment))
    sandbox = Sandbox(available_backend(), preload=preload_for(spec))
    rows = []
    with tempfile.TemporaryDirectory(prefix="gdgrade-overhead-") as folder:
        folder = Path(folder)
        pool = KernelPool(sandbox)
        try:
            for number in range(count):
                path = folder / f"student{number:03d}.ipynb"
                shutil.copy(source_notebook(assignment), path)
                time.sleep(settle)
                rows.append(_graded_once(path, spec, sandbox, pool, folder / "results"))
        finally:
            pool.close()
    return rows


def report(assignment: str, rows: list[dict], kind: str) -> bool:
    """Print the medians and the breakdown; True when the median overhead meets the target."""
    overheads = [row["wall"] - row["floor"] for row in rows]
    overhead, target = statistics.median(overheads), TARGETS[kind]
    wall, floor = statistics.median(r["wall"] for r in rows), statistics.median(r["floor"] for r in rows)
    print(f"\n{assignment} ({kind}, {len(rows)} submissions, {rows[0]['probe_calls']} kernel round trips each)")
    print(f"  wall {wall:.3f} s   floor (student cells, warm kernel) {floor:.3f} s")
    verdict = "meets" if overhead < target else "MISSES"
    print(f"  median overhead {overhead:.3f} s  (target < {target} s: {verdict})")
    print(f"  first submission of the worker: wall {rows[0]['wall']:.3f} s, overhead {overheads[0]:.3f} s")
    print("  median per phase:")
    for phase in PHASES:
        print(f"    {phase:14} {statistics.median(r.get(phase, 0.0) for r in rows) * 1000:8.1f} ms")
    page = statistics.median(r["html"] for r in rows)
    print(f"  HTML page with plots (after grading, off the critical path): {page:.3f} s")
    return overhead < target


def main(argv: list[str] | None = None) -> int:
    """Measure each assignment; exit 1 if a median overhead misses its target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20, help="submissions per assignment (default 20)")
    parser.add_argument("--assignments", default="01-gradient-descent,06-pytorch")
    parser.add_argument("--settle", type=float, default=3.0, help="seconds for the next kernel to boot")
    arguments = parser.parse_args(argv)
    print(f"sandbox: {available_backend()}; one submission at a time, warm pool")
    verdicts = []
    for assignment in arguments.assignments.split(","):
        kind = "torch" if "torch" in preload_for(load_spec(spec_path(assignment))) else "numpy"
        verdicts.append(report(assignment, measure(assignment, arguments.n, arguments.settle), kind))
    return 0 if all(verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
