"""The benchmark scripts still load against today's code, and the quick ones run to the end."""

import runpy
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = sorted((ROOT / "benchmarks").glob("*.py"))


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.stem)
def test_every_benchmark_script_loads(script):
    namespace = runpy.run_path(str(script), run_name="loaded-by-a-test")
    assert callable(namespace.get("main")), f"{script.name} has no main()"


def _run(*arguments: str, codes: tuple[int, ...] = (0,)) -> str:
    done = subprocess.run([sys.executable, *arguments], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode in codes, done.stdout[-2000:] + done.stderr[-2000:]
    return done.stdout


def test_the_diagnosis_benchmark_names_every_catalog_mistake():
    output = _run("benchmarks/diagnosis_accuracy.py")
    ours = output.splitlines()[0]
    assert ours.startswith("catalog replay (ours)") and "= 100.0%" in ours, output


@pytest.mark.sandbox
def test_the_overhead_benchmark_runs_on_one_submission():
    # exit 1 only says the target was missed, which a two-submission run with no settling may do
    arguments = ("--n", "2", "--assignments", "01-gradient-descent", "--settle", "0.5")
    output = _run("benchmarks/overhead.py", *arguments, codes=(0, 1))
    assert "01-gradient-descent (numpy, 2 submissions" in output and "median overhead" in output, output
