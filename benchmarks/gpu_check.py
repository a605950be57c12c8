"""GPU check: the 06 (PyTorch) assignment graded on a CUDA device against the same on the CPU.

    python benchmarks/gpu_check.py [--n 5] [--allow-cpu]

Run on a machine with an NVIDIA GPU. The solution notebook of 06-pytorch is graded ``--n``
times on the GPU (the ``none`` backend, which reaches the device; bwrap's own /dev has no
GPU) and ``--n`` times in the CPU sandbox, one at a time with a warm kernel pool. It prints
the device, torch and CUDA versions, each side's median wall time per submission and its
scores, and the agreement of the two sides (the largest relative difference between the
loss curves and trajectories the student's code produced on each), and checks that both
sides give full marks, that the GPU side's results say ``cuda`` and that the curves agree
within the spec's float32 tolerance. Exit 0 when every check holds (or when there is no CUDA device: it says so and
checks nothing), 1 otherwise. ``--allow-cpu`` runs the same comparison where there is no
GPU, to try the script itself.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assignments import source_notebook, spec_path  # noqa: E402
from autograder.assignment import load_spec  # noqa: E402
from autograder.engine.compare import DEFAULT_TOLERANCES  # noqa: E402
from autograder.sandbox.backends import Sandbox, available_backend, preload_for  # noqa: E402
from autograder.sandbox.pool import KernelPool  # noqa: E402
from autograder.submission import grade_submission  # noqa: E402

ASSIGNMENT = "06-pytorch"
FLOAT32 = DEFAULT_TOLERANCES["float32"]  # what the grader allows a float32 run against the reference
AGREEMENT = 2 * FLOAT32.rtol  # each side within it of the reference: within twice it of each other


def device_summary() -> dict | None:
    """The CUDA device as torch sees it here, or None when there is none."""
    import torch

    if not torch.cuda.is_available():
        return None
    return {"name": torch.cuda.get_device_name(0), "torch": torch.__version__, "cuda": torch.version.cuda,
            "count": torch.cuda.device_count()}  # fmt: skip


def grade_side(sandbox: Sandbox, spec, count: int) -> list[dict]:
    """Grade the solution notebook ``count`` times in ``sandbox``; each run's wall, score and device."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="gdgrade-gpu-check-") as folder:
        pool = KernelPool(sandbox)
        try:
            for number in range(count):
                path = Path(folder) / f"student{number:02d}.ipynb"
                shutil.copy(source_notebook(ASSIGNMENT), path)
                started = time.perf_counter()
                result = grade_submission(path, spec, sandbox, pool=pool)
                payload = result.to_json()
                rows.append({"wall": time.perf_counter() - started, "score": result.score,
                             "max_score": result.max_score, "device": payload["versions"]["device"],
                             "error": result.error, "curves": student_curves(payload)})  # fmt: skip
        finally:
            pool.close()
    return rows


def student_curves(payload: dict) -> dict[str, np.ndarray]:
    """The numbers the student's code produced, per check: loss curves, lrs or trajectories."""
    curves = {}
    for check in payload["checks"]:
        series = check.get("series") or {}
        if series.get("student"):
            curves[check["name"]] = np.asarray(series["student"], dtype=float)
    return curves


def agreement(gpu_rows: list[dict], cpu_rows: list[dict]) -> float:
    """The largest relative difference between the two sides' curves (first submission of each)."""
    gpu, cpu = gpu_rows[0]["curves"], cpu_rows[0]["curves"]
    worst = 0.0
    for name in sorted(set(gpu) & set(cpu)):
        if gpu[name].shape != cpu[name].shape:
            return float("inf")
        scale = np.maximum(np.abs(cpu[name]), FLOAT32.atol / FLOAT32.rtol)  # near zero, atol's scale
        worst = max(worst, float(np.nanmax(np.abs(gpu[name] - cpu[name]) / scale, initial=0.0)))
    return worst


def report(side: str, rows: list[dict], device: str) -> bool:
    """Print one side's figures; True when every run got full marks on the expected device."""
    wall = statistics.median(row["wall"] for row in rows)
    scores = sorted({f"{row['score']:g}/{row['max_score']:g}" for row in rows})
    devices = sorted({row["device"] for row in rows})
    print(f"{side:4} {len(rows)} submissions: median wall {wall:.2f} s (first {rows[0]['wall']:.2f} s), "
          f"scores {', '.join(scores)}, device {', '.join(devices)}")  # fmt: skip
    for row in rows:
        if row["error"]:
            print(f"     error: {row['error'][:300]}")
    return all(row["score"] == row["max_score"] and row["device"] == device for row in rows)


def main(argv: list[str] | None = None) -> int:
    """Compare GPU and CPU grading of 06; exit 1 if a check fails."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5, help="submissions per side (default 5)")
    parser.add_argument("--allow-cpu", action="store_true", help="run where there is no GPU (tries the script)")
    arguments = parser.parse_args(argv)
    summary = device_summary()
    if summary is None and not arguments.allow_cpu:
        print("gpu_check: no CUDA device here (torch.cuda.is_available() is False); nothing checked")
        return 0
    print(f"device: {summary or 'none (--allow-cpu: the GPU side runs on the CPU)'}")
    spec = load_spec(spec_path(ASSIGNMENT))
    preload = preload_for(spec)
    gpu_sandbox = Sandbox("none", gpu=True, preload=preload)
    cpu_sandbox = Sandbox(available_backend(), preload=preload)
    expected = "cuda" if summary else "cpu"
    gpu_rows, cpu_rows = grade_side(gpu_sandbox, spec, arguments.n), grade_side(cpu_sandbox, spec, arguments.n)
    held = report("gpu", gpu_rows, expected) & report("cpu", cpu_rows, "cpu")
    difference = agreement(gpu_rows, cpu_rows)
    ratio = statistics.median(r["wall"] for r in gpu_rows) / statistics.median(r["wall"] for r in cpu_rows)
    print(f"agreement: largest relative difference of the student's curves, gpu against cpu: {difference:.3g} "
          f"(limit {AGREEMENT:g}); gpu time per submission {ratio:.2f}x cpu's")  # fmt: skip
    held &= difference <= AGREEMENT
    print("all checks hold" if held else "a check FAILED")
    return 0 if held else 1


if __name__ == "__main__":
    sys.exit(main())
