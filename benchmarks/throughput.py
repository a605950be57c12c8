"""Throughput against nbgrader: the same submissions, the same course, the same machine.

    python benchmarks/throughput.py [--n 40] [--workers 2] [--assignments 01-gradient-descent,06-pytorch]

For each assignment it creates an nbgrader course with ``gdgrade course init``, releases
the assignment, submits the solution notebook ``--n`` times (one per student), and times:

* ``nbgrader autograde``: nbgrader runs every notebook, test cells included; the test cells
  call gdgrade's checks in the student's kernel (public and hidden probes);
* ``gdgrade autograde --workers N``: every notebook in the sandbox, probes from outside.

It prints seconds per submission for each and the ratio (nbgrader / gdgrade). Both write
the same gradebook; gdgrade's run comes second and regrades everything (``--force``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from assignments import source_notebook


def _run(command: list[str], cwd: Path) -> float:
    """Run a command to completion; returns its wall time in seconds (fails loudly)."""
    tools = str(Path(sys.executable).parent)  # nbgrader and gdgrade of this environment, venv active or not
    environment = {**os.environ, "PATH": tools + os.pathsep + os.environ.get("PATH", "")}
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=environment)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        output = done.stdout[-2000:] + done.stderr[-2000:]
        raise SystemExit(f"{' '.join(command[:3])} failed ({done.returncode}):\n{output}")
    return elapsed


def _course(root: Path, assignment: str, count: int) -> Path:
    gdgrade = [sys.executable, "-m", "autograder.cli"]
    _run([*gdgrade, "course", "init", str(root / "course")], root)
    course = root / "course"
    _run([*gdgrade, "release", assignment], course)
    notebook = source_notebook(assignment)
    for number in range(count):
        folder = course / "submitted" / f"student{number:03d}" / assignment
        folder.mkdir(parents=True)
        shutil.copy(notebook, folder / notebook.name)
    return course


def measure(assignment: str, count: int, workers: int) -> tuple[float, float]:
    """Seconds per submission for nbgrader and for gdgrade."""
    with tempfile.TemporaryDirectory(prefix="gdgrade-throughput-") as folder:
        course = _course(Path(folder), assignment, count)
        nbgrader = _run(["nbgrader", "autograde", assignment, "--force", "--create"], course)
        gdgrade = _run([sys.executable, "-m", "autograder.cli", "autograde", assignment, "--force",
                        "--workers", str(workers)], course)  # fmt: skip
    return nbgrader / count, gdgrade / count


def main(argv: list[str] | None = None) -> int:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40, help="submissions per assignment (default 40)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--assignments", default="01-gradient-descent,06-pytorch")
    arguments = parser.parse_args(argv)
    print(f"{'assignment':22} {'n':>4} {'nbgrader s/sub':>15} {'gdgrade s/sub':>14} {'ratio':>7}")
    for assignment in arguments.assignments.split(","):
        nbgrader, gdgrade = measure(assignment, arguments.n, arguments.workers)
        print(f"{assignment:22} {arguments.n:>4} {nbgrader:>15.2f} {gdgrade:>14.2f} {nbgrader / gdgrade:>6.2f}x",
              flush=True)  # fmt: skip
    print(f"\ngdgrade: {arguments.workers} workers, bwrap sandbox where installed; nbgrader: one notebook at a time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
