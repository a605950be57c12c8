"""``gdgrade reference``: numbers, plots, and one-line errors with exit code 2."""

import json
import shutil
import subprocess

import numpy as np
import pytest

from autograder.cli import main
from reference.optimizers import adam
from reference.problems import get_problem
from reference.schedules import make_schedule
from reference.trajectory import run


def gdgrade(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_run_json_is_the_reference_trajectory(capsys):
    code, out, _ = gdgrade(
        capsys,
        "reference",
        "run",
        "adam",
        "--problem",
        "tricky",
        "--steps",
        "20",
        "--lr",
        "0.1",
        "--param",
        "betas=0.8,0.99",
        "--param",
        "amsgrad=true",
        "--json",
    )
    payload = json.loads(out)
    assert code == 0 and set(payload) == {"params", "losses", "lrs"}
    assert len(payload["params"]) == len(payload["losses"]) == 21 and len(payload["lrs"]) == 20
    expected = run(adam(lr=0.1, betas=(0.8, 0.99), amsgrad=True), get_problem("tricky"), 20)
    np.testing.assert_allclose(payload["params"], expected.params, rtol=1e-15)


def test_run_with_a_schedule_gives_the_schedule_the_runs_lr(capsys):
    code, out, _ = gdgrade(
        capsys,
        "reference",
        "run",
        "sgd",
        "--problem",
        "quadratic",
        "--steps",
        "12",
        "--lr",
        "0.3",
        "--schedule",
        "step",
        "--schedule-param",
        "step_size=5",
        "--schedule-param",
        "gamma=0.5",
        "--json",
    )
    assert code == 0
    assert json.loads(out)["lrs"] == pytest.approx(
        [make_schedule("step", lr=0.3, step_size=5, gamma=0.5)(k) for k in range(12)]
    )


def test_schedule_json_and_table(capsys):
    code, out, _ = gdgrade(
        capsys,
        "reference",
        "schedule",
        "cosine",
        "--steps",
        "11",
        "--param",
        "lr=0.1",
        "--param",
        "T_max=10",
        "--json",
    )
    lrs = json.loads(out)["lrs"]
    assert code == 0 and len(lrs) == 11 and lrs[0] == 0.1 and lrs[10] == pytest.approx(0.0, abs=1e-18)
    code, out, _ = gdgrade(
        capsys,
        "reference",
        "schedule",
        "multistep",
        "--steps",
        "4",
        "--param",
        "lr=1",
        "--param",
        "milestones=2",
    )
    assert code == 0 and out.split() == ["0", "1", "1", "1", "2", "0.1", "3", "0.1"]


def test_default_output_is_a_readable_table(capsys):
    code, out, _ = gdgrade(capsys, "reference", "run", "sgd", "--problem", "elliptic", "--steps", "30", "--lr", "0.04")
    assert code == 0 and out.startswith("sgd: 30 steps, final loss")
    assert "step" in out and "..." in out and out.rstrip().splitlines()[-1].split()[0] == "30"


def test_plots_are_png_files(capsys, tmp_path):
    for args in (
        ["reference", "run", "momentum", "--problem", "elliptic", "--steps", "30", "--lr", "0.04"],
        [
            "reference",
            "schedule",
            "onecycle",
            "--steps",
            "50",
            "--param",
            "max_lr=0.1",
            "--param",
            "total_steps=50",
        ],
        ["reference", "lesson", "schedules-quadratic"],
        ["reference", "run", "adam", "--problem", "torch-mlp", "--steps", "10"],
    ):
        target = tmp_path / f"{args[1]}-{args[2]}.png"
        code, out, _ = gdgrade(capsys, *args, "--plot", str(target))
        assert code == 0 and target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and str(target) in out


def test_lesson_json_has_every_run(capsys):
    code, out, _ = gdgrade(capsys, "reference", "lesson", "lr-comparison-lesson001", "--json")
    payload = json.loads(out)
    assert code == 0 and set(payload) == {"lr=0.1", "lr=0.5"}
    assert round(payload["lr=0.5"]["losses"][30], 5) == 5223270089.75743


def test_diverging_runs_warn_and_write_null_for_non_finite_numbers(capsys):
    code, out, err = gdgrade(
        capsys, "reference", "run", "sgd", "--problem", "quadratic", "--steps", "800", "--lr", "5", "--json"
    )
    assert code == 0 and "diverged" in err
    assert json.loads(out)["losses"][-1] is None


RUN_ADAM = "reference run adam --problem tricky --steps 3"
RUN_SGD = "reference run sgd --problem tricky --steps 3"
BAD_COMMANDS = [
    ("reference run adamm --problem tricky --steps 3", "unknown optimizer 'adamm'"),
    ("reference run adam --problem trick --steps 3", "unknown problem 'trick'"),
    ("reference run adam --problem tricky --steps 0", "positive integer"),
    (RUN_ADAM + " --param beta=0.9", "unknown optimizer parameter 'beta'"),
    (RUN_ADAM + " --param betas=0.9", "betas must be two numbers"),
    (RUN_ADAM + " --param eps", "takes key=value"),
    (RUN_ADAM + " --param eps=-1", "eps must be >= 0"),
    (RUN_SGD + " --param nesterov=true --param momentum=0.9 --param dampening=0.1", "nesterov requires"),
    (RUN_SGD + " --param nesterov=yes", "nesterov must be true or false"),
    (RUN_SGD + " --param lr=0.1", "as --lr"),
    (RUN_SGD + " --schedule cosine", "needs T_max"),
    (
        RUN_SGD + " --lr 0.1 --schedule cyclic --schedule-param base_lr=0.1 --schedule-param max_lr=1",
        "drop --lr",
    ),
    (RUN_SGD + " --json --plot x.png", "not allowed with"),
    ("reference schedule wave --steps 3", "unknown schedule 'wave'"),
    ("reference schedule step --steps 3 --param lr=0.1 --param step_size=0", "step_size must be a positive"),
    ("reference lesson nope", "unknown lesson run"),
    ("reference", "required"),
    ("frob", "invalid choice"),
]


@pytest.mark.parametrize("command, message", BAD_COMMANDS)
def test_bad_input_is_one_line_and_exit_code_2(capsys, command, message):
    code, out, err = gdgrade(capsys, *command.split())
    assert code == 2 and out == ""
    assert err.startswith("gdgrade: error: ") and message in err and err.count("\n") == 1


def test_unwritable_plot_path_is_a_one_line_error(capsys, tmp_path):
    code, _, err = gdgrade(
        capsys,
        "reference",
        "schedule",
        "exponential",
        "--steps",
        "3",
        "--param",
        "lr=1",
        "--param",
        "gamma=0.5",
        "--plot",
        str(tmp_path / "missing" / "x.png"),
    )
    assert code == 2 and err.startswith("gdgrade: error: ") and err.count("\n") == 1


def test_installed_console_script_exits_2_without_a_traceback():
    executable = shutil.which("gdgrade")
    assert executable, "the gdgrade console script must be installed (pip install -e .)"
    result = subprocess.run(
        [executable, "reference", "run", "adam", "--problem", "x", "--steps", "2"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    ok = subprocess.run([executable, "reference", "list", "mistakes"], capture_output=True, text=True)
    assert ok.returncode == 0 and "adam-no-bias-correction" in ok.stdout
