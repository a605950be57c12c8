"""Real notebooks graded end to end inside the bwrap sandbox, hostile ones included."""

import json
from pathlib import Path

import nbformat
import pytest

from autograder.assignment import parse_spec
from autograder.batch import grade_batch
from autograder.sandbox.backends import Limits, Sandbox

pytestmark = pytest.mark.sandbox

ROOT = Path(__file__).resolve().parents[2]
ADAM = """import numpy as np

def adam_init(w):
    return {"m": np.zeros_like(w), "v": np.zeros_like(w), "t": 0}

def adam_step(w, g, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    b1, b2 = betas
    t = state["t"] + 1
    m = b1 * state["m"] + (1 - b1) * g
    v = b2 * state["v"] + (1 - b2) * g * g
    return w - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps), {"m": m, "v": v, "t": t}
"""
SPEC = {
    "id": "sandbox-test",
    "questions": [
        {
            "id": "adam", "convention": "functional", "symbol": {"init": "adam_init", "step": "adam_step"},
            "reference": "adam", "time_limit": 3,
            "checks": [{"kind": "replay", "points": 2, "probes": [{"problem": "tricky", "steps": 5, "lr": 0.05}]}],
        }
    ],
}  # fmt: skip

# name: (cells after the correct Adam cell, expected score, words the student must see)
CASES = {
    "correct": ([], 2, None),
    "loops_forever": (["while True:\n    pass"], 2, "cell 2 ran past the 3 s limit"),
    "memory_bomb": (["hog = bytearray(16 * 1024**3)"], 2, "cell 2 raised MemoryError"),
    "fork_bomb": (
        ["import os, time\nwhile True:\n    if os.fork() == 0:\n        time.sleep(20)\n        os._exit(0)"],
        2,
        "cell 2 raised BlockingIOError",
    ),
    "prints_gigabytes": (["for _ in range(200_000):\n    print('x' * 10_000)"], 2, None),
    "sys_exit": (["import sys\nsys.exit(3)"], 2, "cell 2 raised SystemExit"),
    "os_exit": (["import os\nos._exit(0)"], 0, "the kernel died in code cell 2"),
    "segfault": (["import ctypes\nctypes.string_at(0)"], 0, "the kernel died in code cell 2"),
    "network": (["import socket\nsocket.create_connection(('1.1.1.1', 80), timeout=2)"], 2, "cell 2 raised"),
    "reads_the_grader": ([f"open({str(ROOT / 'reference' / 'optimizers.py')!r}).read()"], 2, "FileNotFoundError"),
    "slow_function": (
        ["def adam_step(w, g, state, **hparams):\n    while True:\n        pass"],
        0,
        "did not return within 3 s",
    ),
    "unreadable": (None, 0, "is not a notebook"),
}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("submissions")
    for name, (cells, _, _) in CASES.items():
        path = folder / f"{name}.ipynb"
        if cells is None:
            path.write_text("{ this is not json", encoding="utf-8")
            continue
        code = [nbformat.v4.new_code_cell(ADAM)] + [nbformat.v4.new_code_cell(c) for c in cells]
        nbformat.write(nbformat.v4.new_notebook(cells=code), path)
    spec_path = folder.parent / "spec.json"
    spec_path.write_text(json.dumps(SPEC))
    spec_toml = folder.parent / "spec.toml"
    spec_toml.write_text(_toml(SPEC))
    parse_spec(SPEC)
    sandbox = Sandbox("bwrap", Limits(cell_timeout=3, submission_timeout=60))
    submissions = sorted(folder.iterdir())
    outcome = grade_batch(submissions, str(spec_toml), sandbox, folder.parent / "out", workers=2)
    return {result.student: result.to_json() for result in outcome.results}, outcome


def _toml(spec):
    question = spec["questions"][0]
    probe = question["checks"][0]["probes"][0]
    return f"""id = "{spec["id"]}"
[[questions]]
id = "adam"
convention = "functional"
symbol = {{ init = "adam_init", step = "adam_step" }}
reference = "adam"
time_limit = {question["time_limit"]}
  [[questions.checks]]
  kind = "replay"
  points = 2
  probes = [{{ problem = "{probe["problem"]}", steps = {probe["steps"]}, lr = {probe["lr"]} }}]
"""


def _everything_the_student_sees(payload):
    issues = [issue["message"] for issue in payload.get("execution", {}).get("issues", [])]
    return " | ".join([payload.get("error") or ""] + issues + [c["message"] for c in payload["checks"]])


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_submission_gets_its_own_verdict(batch, name):
    results, outcome = batch
    assert not outcome.infrastructure_failures
    payload = results[name]
    _, expected_score, words = CASES[name]
    assert payload["score"] == expected_score, _everything_the_student_sees(payload)
    if words:
        assert words in _everything_the_student_sees(payload)


def test_processes_left_by_the_fork_bomb_are_reaped_before_probing(batch):
    results, _ = batch
    assert results["fork_bomb"]["execution"]["stray_processes_killed"] >= 30
    assert results["correct"]["execution"]["stray_processes_killed"] == 0


def test_the_result_records_the_sandbox_device_and_probe_calls(batch):
    results, _ = batch
    correct = results["correct"]
    assert correct["versions"]["sandbox"] == "bwrap" and correct["versions"]["device"] == "cpu"
    assert correct["execution"]["probe_calls"] > 0 and correct["max_score"] == 2
