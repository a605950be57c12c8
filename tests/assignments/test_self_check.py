"""Student self-check: ``check()`` inside a notebook and ``gdgrade check`` outside."""

import dataclasses
import subprocess
import sys

import pytest

from assignments import source_notebook
from autograder.assignment import builtin_spec
from autograder.cli import main
from autograder.selfcheck import CheckFailedError, checker
from tests.assignments.helpers import solution_namespace

WRONG_ADAM = """
def adam_step(w, g, state, lr=0.001, betas=(0.9, 0.999), eps=1e-8):
    b1, b2 = betas
    m = b1 * state["m"] + (1 - b1) * g
    v = b2 * state["v"] + (1 - b2) * g * g
    return w - lr * m / (np.sqrt(v) + eps), {"t": state["t"] + 1, "m": m, "v": v}
"""


def test_check_by_function_name_runs_public_probes_and_prints_verdicts(capsys):
    check = checker("04-adaptive", solution_namespace("04-adaptive"))
    result = check("adam_step")
    shown = capsys.readouterr().out
    assert {c.question for c in result.checks} == {"adam"}
    assert "✓ adam/replay" in shown and "통과" in shown and "점수: 4/4" in shown
    assert all(c.probes_run == 1 for c in result.checks)  # the hidden probes did not run


def test_a_failing_check_explains_and_raises_an_assertion(capsys):
    check = checker("04-adaptive", solution_namespace("04-adaptive", WRONG_ADAM))
    with pytest.raises(CheckFailedError, match="adam/replay") as raised:
        check("adam")
    assert isinstance(raised.value, AssertionError)  # nbgrader counts the test cell as failed
    shown = capsys.readouterr().out
    assert "✗ adam/replay  0/3  실패" in shown and "편향 보정이 빠졌습니다" in shown


def test_a_self_check_never_runs_hidden_probes(capsys):
    check = checker("04-adaptive", solution_namespace("04-adaptive"))
    assert sum(c.probes_run for c in check("adam", hidden=True).checks) == 3  # asked for, still public only
    assert "gdgrade autograde에서만" in capsys.readouterr().out
    assert sum(c.probes_run for c in check().checks) == 9  # every question, public probes only


def test_checker_defaults_to_the_callers_globals(capsys):
    namespace = solution_namespace("01-gradient-descent")
    exec("check = checker('01-gradient-descent')\nresult = check('predict')", {**namespace, "checker": checker})
    assert "✓ predict/function" in capsys.readouterr().out


def test_unknown_names_list_the_known_ones():
    check = checker("03-momentum", {})
    with pytest.raises(ValueError, match="'adam' 문제가 없습니다. 다음 가운데 하나를 쓰세요: momentum, momentum_init"):
        check("adam")
    english = checker(dataclasses.replace(builtin_spec("03-momentum"), language="en"), {})
    with pytest.raises(ValueError, match="no question 'adam'; use one of: momentum, momentum_init"):
        english("adam")


def test_gdgrade_check_on_the_solution_notebook_passes(capsys):
    assert main(["check", str(source_notebook("05-schedules")), "--lang", "en"]) == 0
    shown = capsys.readouterr().out
    assert "✓ lr_range_test/function" in shown and "score: 14/14" in shown


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["check", "nope.ipynb"], "no such notebook: nope.ipynb"),
        (["check", "{setup}", "--assignment", "99-nothing"], "no built-in assignment '99-nothing'"),
        (["release", "07-missing"], "no assignment '07-missing'; the course has: 01-gradient-descent"),
    ],
)
def test_usage_errors_are_one_line(arguments, message, tmp_path, capsys):
    arguments = [a.replace("{setup}", str(source_notebook("01-gradient-descent"))) for a in arguments]
    assert main(arguments) == 2
    error = capsys.readouterr().err.strip()
    assert message in error and len(error.splitlines()) == 1


def test_a_notebook_without_metadata_needs_an_assignment(tmp_path, capsys):
    bare = tmp_path / "mine.ipynb"
    bare.write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}', encoding="utf-8")
    assert main(["check", str(bare)]) == 2
    assert "mine.ipynb names no assignment; pass --assignment or --spec" in capsys.readouterr().err


def test_gdgrade_check_on_a_released_notebook_exits_one_with_messages(tmp_path):
    released = tmp_path / "release"
    done = subprocess.run(
        [sys.executable, "-m", "autograder.cli", "release", "02-minibatch", "--out", str(released)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    checked = subprocess.run(
        [sys.executable, "-m", "autograder.cli", "check", str(released / "02-minibatch.ipynb")],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert checked.returncode == 1, checked.stderr
    assert "make_batches()는 아직 구현되지 않았습니다" in checked.stdout
    assert "점수: 0/10" in checked.stdout
    assert "Traceback" not in checked.stderr


@pytest.mark.parametrize("assignment", ["04-adaptive", "06-pytorch"])
def test_the_solution_notebook_runs_top_to_bottom_in_jupyter_with_every_check_passing(assignment):
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(source_notebook(assignment), as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3").execute()  # raises on any cell error
    checks = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade")]
    shown = ["".join(o.get("text", "") for o in cell.outputs) for cell in checks]
    assert checks and all("✓" in text and "✗" not in text for text in shown), shown


def test_a_passing_check_shows_nothing_more_and_reprs_in_one_line(capsys):
    outcome = checker("04-adaptive", solution_namespace("04-adaptive"))("adam_step")
    assert repr(outcome) == "<check: 3/3 passed, 4/4>" and "\n" not in repr(outcome)
    assert outcome._ipython_display_() is None and outcome.score == 4


def test_the_failure_carries_the_verdicts_and_the_traceback_stops_at_the_students_cell(tmp_path):
    program = (
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "from tests.assignments.helpers import solution_namespace\n"
        f"namespace = solution_namespace('04-adaptive', {WRONG_ADAM!r})\n"
        "shell = InteractiveShell.instance(colors='NoColor')\n"
        "shell.user_ns.update(namespace)\n"
        "shell.run_cell('from autograder.selfcheck import checker\\ncheck = checker(\"04-adaptive\")')\n"
        "shell.run_cell('check(\"adam\")')\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=False)
    shown = done.stdout + done.stderr
    assert "CheckFailedError: 검사 2개를 통과하지 못했습니다:" in shown, shown[-2000:]
    assert "✗ adam/replay:" in shown and "편향 보정이 빠졌습니다" in shown
    assert shown.count("3.16배") == shown.count("✗ adam/"), "the first-step ratio once per check"
    assert "selfcheck.py" not in shown and "engine/grade.py" not in shown, shown[-2000:]
