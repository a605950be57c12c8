"""The grader's own faults: a worker killed mid-grade, a full disk. No result already written
is lost or corrupted, and a re-run finishes the batch. (A run killed as a whole, the
"reboot", is tests/cli/test_grade_command.py; a locked gradebook, tests/course.)"""

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from autograder.batch import grade_batch
from autograder.sandbox.backends import Sandbox
from tests.hostile.corpus import CASES, corpus_spec, write_case
from tests.hostile.report import LIMITS

pytestmark = pytest.mark.sandbox
CORRECT = next(case for case in CASES if case.name == "correct")


def _submissions(folder: Path, count: int, slow: int = 0) -> list[Path]:
    """``count`` correct submissions; the first ``slow`` of them sleep 4 s in a cell first."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(count):
        case = CORRECT if number >= slow else replace(CORRECT, cells=("import time\ntime.sleep(4)",))
        path = write_case(case, folder, {})
        paths.append(path.rename(folder / f"student{number:02d}{path.suffix}"))
    return paths


def _descendants(root: int) -> list[int]:
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = [], [root]
    while frontier:
        children = [pid for pid, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


def _batch_worker(run: subprocess.Popen) -> int | None:
    """A grading worker of the run: a Python process whose children include a sandbox."""
    for pid in _descendants(run.pid):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"multiprocessing" in command and any(
            b"bwrap" in Path(f"/proc/{c}/cmdline").read_bytes()
            for c in _descendants(pid)
            if Path(f"/proc/{c}").exists()
        ):
            return pid
    return None


def _valid_results(folder: Path) -> dict[str, float]:
    return {p.stem: json.loads(p.read_text())["score"] for p in folder.glob("*.json")}  # raises if any is torn


def test_a_worker_killed_mid_grade_costs_nothing_already_graded(tmp_path):
    paths = _submissions(tmp_path / "subs", 6, slow=2)
    spec, out = corpus_spec(tmp_path), tmp_path / "out"
    command = [sys.executable, "-m", "autograder.cli", "grade", *map(str, paths), "--spec", str(spec),
               "--out", str(out), "--workers", "2", "--cell-timeout", "10"]  # fmt: skip
    run = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline, worker = time.monotonic() + 120, None
    while worker is None and time.monotonic() < deadline and run.poll() is None:
        worker = _batch_worker(run)
        time.sleep(0.2)
    assert worker is not None, "no grading worker was found"
    os.kill(worker, signal.SIGKILL)
    stdout, stderr = run.communicate(timeout=300)
    assert run.returncode == 3, stdout + stderr  # a grader failure, not a student's zero
    assert "grader failure" in stdout + stderr and "Traceback" not in stderr
    before = _valid_results(out / "results")
    assert len(before) < 6 and all(score == 10 for score in before.values())

    again = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stdout + again.stderr
    assert _valid_results(out / "results") == {f"student{n:02d}": 10 for n in range(6)}
    assert not _job_mounts_of(worker), "the killed worker's job folders are still mounted"


def _job_mounts_of(pid: int) -> list[str]:
    """The capped job folders (tmpfs, as root) a grading process left mounted."""
    mounts = Path("/proc/self/mounts").read_text().split("\n")
    return [line for line in mounts if f"/gdgrade-{pid}-" in line]


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small file system needs root")
def test_a_full_disk_keeps_the_results_already_written(tmp_path):
    paths = _submissions(tmp_path / "subs", 4)
    out = tmp_path / "out"
    (out / "results").mkdir(parents=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48k", "tmpfs", str(out / "results")])
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        outcome = grade_batch(paths, str(corpus_spec(tmp_path)), Sandbox("bwrap", LIMITS), out, workers=1)
        full = _valid_results(out / "results")
    finally:
        subprocess.run(["umount", "-l", str(out / "results")])
    assert outcome.infrastructure_failures, "the disk never filled up"
    assert all("No space left on device" in failure for failure in outcome.infrastructure_failures.values())
    assert 1 <= len(full) < 4 and all(score == 10 for score in full.values())
    assert not list((out / "results").glob(".*.tmp"))  # no torn temporary file is left behind
    rerun = grade_batch(paths, str(corpus_spec(tmp_path)), Sandbox("bwrap", LIMITS), out, workers=1)
    assert not rerun.infrastructure_failures and len(rerun.results) == 4
