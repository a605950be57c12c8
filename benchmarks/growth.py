"""How grading time grows: with the number of probes, the trajectory length and the parameter count.

    python benchmarks/growth.py [--repeats 3] [--quick]

One student (a correct functional Adam, a ``.py`` submission) is graded in the sandbox by
replay checks on generated specs, with a warm kernel pool, exactly as ``gdgrade grade``
grades it. Three sweeps:

* probes: 1 to 32 replay probes of 20 steps on ``tricky``;
* steps: one probe of 10 to 10,000 steps on ``bowl-2``;
* parameters: one probe of 5 steps on ``bowl-2`` to ``bowl-1000000``.

Each row prints the median wall time of ``--repeats`` gradings, its growth against the row
before (time ratio over size ratio; above 1 means worse than linear) and the seconds per
unit of size. The baseline for each sweep is its own first row: the fixed cost of grading a
submission at all (kernel hand-off, attaching, reports) shows there, and a sweep is linear
or better when no row grows faster than its size does. The verdict line says whether that
held (up to 25% of timing noise).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from autograder.assignment import parse_spec  # noqa: E402
from autograder.sandbox.backends import Sandbox, available_backend  # noqa: E402
from autograder.sandbox.pool import KernelPool  # noqa: E402
from autograder.submission import grade_submission  # noqa: E402

STUDENT = """import numpy as np


def adam_init(w):
    zeros = np.zeros_like(np.asarray(w, dtype=float))
    return {"t": 0, "m": zeros, "v": zeros.copy()}


def adam_step(w, g, state, lr=0.001, betas=(0.9, 0.999), eps=1e-8):
    beta1, beta2 = betas
    t = state["t"] + 1
    m = beta1 * state["m"] + (1 - beta1) * g
    v = beta2 * state["v"] + (1 - beta2) * g * g
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), {"t": t, "m": m, "v": v}
"""
NOISE = 1.25  # a row may grow up to 25% faster than its size before it counts as worse than linear


def replay_spec(probes: list[dict]):
    """A one-question spec: functional Adam, one replay check with these probes."""
    question = {
        "id": "adam",
        "convention": "functional",
        "symbol": {"init": "adam_init", "step": "adam_step"},
        "reference": "adam",
        "hparams": {"betas": [0.9, 0.999], "eps": 1e-8},
        "checks": [{"kind": "replay", "points": 1, "probes": probes}],
    }
    return parse_spec({"id": "growth", "language": "en", "questions": [question], "preload": ["numpy"]})


def grade_seconds(spec, student: Path, sandbox: Sandbox, pool: KernelPool, repeats: int) -> float:
    """Median wall seconds of grading ``student`` (each grading must earn full marks)."""
    times = []
    for _ in range(repeats):
        time.sleep(1.0)  # the pool's next kernel finishes booting: only grading is timed
        started = time.perf_counter()
        result = grade_submission(student, spec, sandbox, pool=pool)
        times.append(time.perf_counter() - started)
        if result.score != result.max_score:
            raise SystemExit(f"the reference student lost points: {result.error or result.to_json()['checks']}")
    return statistics.median(times)


def sweeps(quick: bool) -> dict[str, tuple[str, list[tuple[int, list[dict]]]]]:
    """Sweep name -> (unit, [(size, probes)])."""
    probe_counts = [1, 4, 16] if quick else [1, 2, 4, 8, 16, 32]
    step_counts = [10, 100, 1000] if quick else [10, 100, 1_000, 10_000]
    sizes = [2, 1_000, 100_000] if quick else [2, 100, 10_000, 100_000, 1_000_000]
    tricky = {"problem": "tricky", "steps": 20, "lr": 0.05}
    return {
        "probes": ("probe", [(n, [tricky | {"label": f"p{i}"} for i in range(n)]) for n in probe_counts]),
        "steps": ("step", [(n, [{"problem": "bowl-2", "steps": n, "lr": 0.01}]) for n in step_counts]),
        "parameters": ("parameter", [(n, [{"problem": f"bowl-{n}", "steps": 5, "lr": 0.01}]) for n in sizes]),
    }


def run_sweep(name: str, unit: str, rows, student: Path, sandbox: Sandbox, pool: KernelPool, repeats: int) -> bool:
    """Print one sweep's table; True when no row grew faster than linearly."""
    print(f"\n{name}: {'size':>9} {'seconds':>9} {'growth':>8} {'s per ' + unit:>16}")
    previous, linear = None, True
    for size, probes in rows:
        seconds = grade_seconds(replay_spec(probes), student, sandbox, pool, repeats)
        growth = "" if previous is None else f"{(seconds / previous[1]) / (size / previous[0]):.2f}"
        if previous is not None and seconds / previous[1] > NOISE * size / previous[0]:
            linear = False
        print(f"{'':{len(name) + 1}} {size:>9} {seconds:>9.3f} {growth:>8} {seconds / size:>16.3g}", flush=True)
        previous = (size, seconds)
    return linear


def main(argv: list[str] | None = None) -> int:
    """Run the three sweeps and print whether each was linear or better."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="smaller sweeps (a smoke run)")
    arguments = parser.parse_args(argv)
    sandbox = Sandbox(available_backend(), preload=("numpy",))
    print(f"sandbox: {sandbox.backend}; median of {arguments.repeats} gradings a row; growth = time ratio / size ratio")
    with tempfile.TemporaryDirectory(prefix="gdgrade-growth-") as folder:
        student = Path(folder) / "adam_student.py"
        student.write_text(STUDENT, encoding="utf-8")
        pool = KernelPool(sandbox)
        verdicts = {
            name: run_sweep(name, unit, rows, student, sandbox, pool, arguments.repeats)
            for name, (unit, rows) in sweeps(arguments.quick).items()
        }
        pool.close()
    print()
    for name, linear in verdicts.items():
        print(f"{name}: {'linear or better' if linear else 'WORSE THAN LINEAR somewhere'}")
    return 0 if all(verdicts.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
