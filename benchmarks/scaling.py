"""Scaling: submissions per second with 1 and 2 workers and on a Dask LocalCluster, and memory.

    python benchmarks/scaling.py [--n 20] [--assignment 01-gradient-descent] [--no-dask]

The same ``--n`` copies of the assignment's solution notebook are graded three times by
``grade_batch`` (what ``gdgrade grade`` and ``gdgrade autograde`` run), sandboxed, from
scratch each time: with 1 worker (grading in this process), with 2 worker processes, and
on a Dask LocalCluster of 2 single-threaded worker processes. The baseline is the 1-worker
run: each row prints its speed-up over it.

Memory: while a run goes on, a sampler reads the peak resident set (VmHWM) of every process
below this one. It prints the largest grading process (this one for 1 worker, else the
largest worker), the largest kernel fork server (as root with bwrap) and the largest
student kernel.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assignments import source_notebook, spec_path  # noqa: E402
from autograder.batch import Progress, grade_batch  # noqa: E402
from autograder.sandbox.backends import Sandbox, available_backend  # noqa: E402
from autograder.sandbox.jobdir import JOB_UIDS, SANDBOX_UID


class PeakMemory:
    """Samples the peak RSS of this process and everything below it, every 0.1 s."""

    def __init__(self):
        self.peaks: dict[int, tuple[str, int]] = {}  # pid -> (role, peak kB)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.wait(0.1):
            for pid in _descendants(os.getpid()) | {os.getpid()}:
                peak, role = _peak_kb(pid), _role(pid)
                if peak and role:
                    self.peaks[pid] = (role, max(peak, self.peaks.get(pid, ("", 0))[1]))

    def largest(self, role: str) -> float:
        """The largest peak of a role, in MiB."""
        return max((kb for r, kb in self.peaks.values() if r == role), default=0) / 1024

    def count(self, role: str) -> int:
        """How many processes of a role were seen."""
        return sum(1 for r, _ in self.peaks.values() if r == role)


def _descendants(root: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    found, stack = set(), [root]
    while stack:
        for child in children.get(stack.pop(), []):
            found.add(child)
            stack.append(child)
    return found


def _peak_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _role(pid: int) -> str | None:
    """kernel (a student's: it runs as a job's uid), fork server (root, forks kernels), or grader."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    uid = int(next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1])
    if uid in JOB_UIDS or uid == SANDBOX_UID:
        return "kernel"
    if not command.startswith(("python", sys.executable)) or "-S -c" in command:
        return None  # bwrap, prlimit, a kernel's launcher
    return "fork server" if "PRELOAD = " in command else "grader"


def run(submissions: list[Path], sandbox: Sandbox, spec: str, out: Path, workers: int, cluster: str | None):
    """Grade everything once from scratch; returns (seconds, memory)."""
    shutil.rmtree(out, ignore_errors=True)
    quiet = Progress(len(submissions), stream=open(os.devnull, "w"))  # noqa: SIM115
    with PeakMemory() as memory:
        started = time.perf_counter()
        outcome = grade_batch(submissions, spec, sandbox, out, workers=workers, force=True, progress=quiet,
                              cluster=cluster)  # fmt: skip
        seconds = time.perf_counter() - started
    if outcome.infrastructure_failures or any(r.score != r.max_score for r in outcome.results):
        raise SystemExit(f"a solution lost points or failed: {outcome.infrastructure_failures}")
    return seconds, memory


def main(argv: list[str] | None = None) -> int:
    """Print one row per configuration."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20)
    parser.add_argument("--assignment", default="01-gradient-descent")
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask LocalCluster row")
    arguments = parser.parse_args(argv)
    sandbox = Sandbox(available_backend())
    print(f"{arguments.assignment}: {arguments.n} submissions, sandbox {sandbox.backend}, {os.cpu_count()} CPUs")
    header = ("configuration".ljust(24), "seconds".rjust(8), "subs/s".rjust(7), "speed-up".rjust(9))
    print(*header, "grader MiB".rjust(11), "fork server MiB".rjust(16), "kernel MiB".rjust(11))
    with tempfile.TemporaryDirectory(prefix="gdgrade-scaling-") as folder:
        folder = Path(folder)
        submissions = []
        for number in range(arguments.n):
            submissions.append(folder / "in" / f"student{number:03d}.ipynb")
            submissions[-1].parent.mkdir(exist_ok=True)
            shutil.copy(source_notebook(arguments.assignment), submissions[-1])
        spec = str(spec_path(arguments.assignment))
        configurations = [("1 worker", 1, None), ("2 workers", 2, None)]
        if not arguments.no_dask:
            configurations.append(("Dask LocalCluster, 2", 2, "local"))
        baseline = None
        for label, workers, cluster in configurations:
            if cluster == "local":
                seconds, memory = _on_local_cluster(submissions, sandbox, spec, folder / label, workers)
            else:
                seconds, memory = run(submissions, sandbox, spec, folder / label, workers, None)
            rate = arguments.n / seconds
            baseline = baseline or rate
            print(f"{label:24} {seconds:>8.1f} {rate:>7.2f} {rate / baseline:>8.2f}x {memory.largest('grader'):>11.0f}"
                  f" {memory.largest('fork server'):>16.0f} {memory.largest('kernel'):>11.0f}", flush=True)  # fmt: skip
    print("\npeak RSS (VmHWM) of the largest process of each kind. A kernel forked from the fork server counts")
    print("the pages it still shares with it: the memory it adds is smaller than its figure.")
    return 0


def _on_local_cluster(submissions, sandbox, spec, out, workers):
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        return run(submissions, sandbox, spec, out, workers, cluster.scheduler_address)


if __name__ == "__main__":
    sys.exit(main())
