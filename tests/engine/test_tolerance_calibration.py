"""The default tolerances leave room for torch.optim itself, run the ways students run it."""

import dataclasses
import importlib.util
from pathlib import Path

import pytest

from autograder.assignment import builtin_spec
from autograder.engine.grade import grade
from autograder.hidden_draws import PUBLIC_SECRET, with_drawn_probes
from tests.support.torch_students import torch_functional

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "tolerance_calibration.py"
WAYS = [("float64", None), ("float64", True), ("float32", None), ("float32", True)]


def _load_benchmark():
    spec = importlib.util.spec_from_file_location("tolerance_calibration", BENCHMARK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_shipped_replay_probe_leaves_a_margin_of_three_for_torch_itself(capsys):
    assert _load_benchmark().main(["--min-margin", "3"]) == 0, capsys.readouterr().out


@pytest.mark.parametrize("precision, foreach", WAYS)
@pytest.mark.parametrize("question", ["adagrad", "rmsprop", "adam", "adamw"])
def test_torch_optim_as_a_student_gets_full_marks_on_every_probe(question, precision, foreach):
    spec = with_drawn_probes(builtin_spec("04-adaptive"), PUBLIC_SECRET)
    chosen = spec.question(question)
    numeric = tuple(check for check in chosen.checks if check.kind in ("replay", "closed-loop"))
    chosen = dataclasses.replace(chosen, forbidden=(), checks=numeric, symbols={"init": "opt_init", "step": "opt_step"})
    result = grade(
        dataclasses.replace(spec, questions=(chosen,)), torch_functional(chosen.reference, precision, foreach)
    )
    assert result.score == result.max_score, [check.message for check in result.checks if not check.passed]
