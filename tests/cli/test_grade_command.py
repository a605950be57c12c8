"""gdgrade grade / demo from the command line: batches, resume after a kill, every report."""

import base64
import csv
import io
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path
from xml.etree import ElementTree

import pytest

from autograder.cli import main
from autograder.sandbox.backends import docker_engine_running

pytestmark = pytest.mark.sandbox
EXAMPLES = Path(__file__).resolve().parents[2] / "autograder" / "examples" / "cs231n"
GDGRADE = shutil.which("gdgrade")


def _twenty_submissions(folder: Path) -> Path:
    folder.mkdir()
    for index in range(20):
        source = EXAMPLES / ("alice_correct.py" if index % 2 == 0 else "bob_no_bias_correction.py")
        shutil.copy(source, folder / f"student{index:02d}.py")
    return folder


def _command(submissions, out, *extra):
    return [GDGRADE, "grade", str(submissions), "--assignment", "cs231n-optim", "--out", str(out), *extra]


def test_a_batch_of_twenty_resumes_after_being_killed(tmp_path):
    submissions, out = _twenty_submissions(tmp_path / "subs"), tmp_path / "out"
    results = out / "results"
    first = subprocess.Popen(_command(submissions, out, "--workers", "2"), start_new_session=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and len(list(results.glob("*.json"))) < 4:
        time.sleep(0.2)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    done_before = {p.name: p.stat().st_mtime_ns for p in results.glob("*.json")}
    assert 4 <= len(done_before) < 20, "the kill must land mid-batch"
    for path in results.glob("*.json"):  # whatever the kill interrupted, no result is half-written
        assert json.loads(path.read_text())["max_score"] == 15

    reports = ["--json", str(out / "all.json"), "--html", str(out / "html"), "--junit", str(out / "junit.xml"),
               "--class-report", str(out / "class")]  # fmt: skip
    second = subprocess.run(_command(submissions, out, "--workers", "2", *reports, "--csv", str(out / "s.csv")),
                            capture_output=True, text=True, timeout=600)  # fmt: skip
    assert second.returncode == 0, second.stderr
    assert second.stderr.count("(already graded)") == len(done_before)
    for name, mtime in done_before.items():
        assert (results / name).stat().st_mtime_ns == mtime  # kept, not redone
    payloads = [json.loads(p.read_text()) for p in sorted(results.glob("*.json"))]
    assert len(payloads) == 20
    assert sorted({p["score"] for p in payloads}) == [10, 15]
    _check_reports(out, payloads)


def _check_reports(out: Path, payloads: list[dict]) -> None:
    assert len(json.loads((out / "all.json").read_text())["results"]) == 20
    suites = ElementTree.parse(out / "junit.xml").getroot()
    assert suites.tag == "testsuites" and len(suites.findall("testsuite")) == 20
    failed_cases = [case for case in suites.iter("testcase") if case.find("failure") is not None]
    assert len(failed_cases) == 20  # ten bob copies x (adam/replay, adam/one-step)
    assert {case.get("classname").split(".")[-1] for case in failed_cases} == {"adam"}
    rows = list(csv.DictReader(io.StringIO((out / "s.csv").read_text())))
    assert len(rows) == 20 and {"student", "score", "max_score", "adam", "error"} <= set(rows[0])
    assert "adam-no-bias-correction: 10" in (out / "class" / "class-report.html").read_text(encoding="utf-8")
    page = (out / "html" / "student01.html").read_text()
    assert "<!DOCTYPE html>" in page and "Bias correction is missing" in page
    images = [src.split(",", 1)[1] for src in page.split("src='")[1:] if src.startswith("data:image/png")]
    assert images and all(base64.b64decode(i.split("'")[0])[:8] == b"\x89PNG\r\n\x1a\n" for i in images)


def test_gradescope_results_for_one_submission(tmp_path, capsys):
    target = tmp_path / "results.json"
    code = main(["grade", str(EXAMPLES / "bob_no_bias_correction.py"), "--assignment", "cs231n-optim",
                 "--out", str(tmp_path / "out"), "--gradescope", str(target)])  # fmt: skip
    assert code == 0
    results = json.loads(target.read_text())
    assert results["score"] == 10 and {"score", "execution_time", "output", "tests"} <= set(results)
    test = next(t for t in results["tests"] if t["name"] == "adam/replay")
    assert test["status"] == "failed" and test["max_score"] == 4 and "Bias correction" in test["output"]
    assert all(t["visibility"] == "visible" for t in results["tests"])


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["grade", str(EXAMPLES)], "one of the arguments --assignment --spec is required"),
        (["grade", str(EXAMPLES), "--assignment", "nope"], "no built-in assignment 'nope'"),
        (["grade", "/nonexistent/*.ipynb", "--assignment", "cs231n-optim"], "no submission found"),
        (["grade", str(EXAMPLES), "--assignment", "cs231n-optim", "--fail-under", "120"], "percentage from 0 to 100"),
        (["grade", str(EXAMPLES), "--assignment", "cs231n-optim", "--gradescope", "x.json"], "one submission"),
        (["grade", str(EXAMPLES), "--assignment", "cs231n-optim", "--workers", "0"], "--workers must be >= 1"),
    ],
)
def test_usage_errors_exit_2_in_one_line(arguments, message, capsys, tmp_path):
    assert main([*arguments, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


@pytest.mark.skipif(docker_engine_running(), reason="a Docker engine runs here, so the docker backend is usable")
def test_docker_backend_without_an_engine_is_a_usage_error(tmp_path, capsys):
    arguments = ["grade", str(EXAMPLES), "--assignment", "cs231n-optim", "--sandbox", "docker", "--out", str(tmp_path)]
    assert main(arguments) == 2
    assert "--sandbox docker needs a running Docker engine" in capsys.readouterr().err


def test_fail_under_turns_a_low_score_into_exit_1(tmp_path, capsys):
    command = ["grade", str(EXAMPLES / "bob_no_bias_correction.py"), "--assignment", "cs231n-optim"]
    assert main([*command, "--out", str(tmp_path), "--fail-under", "50"]) == 0
    assert main([*command, "--out", str(tmp_path), "--fail-under", "90"]) == 1
    assert "below 90%: bob_no_bias_correction" in capsys.readouterr().err


def test_demo_grades_the_examples_and_writes_every_report(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path), "--workers", "2"]) == 0
    scores = {p["student"]: p["score"] for p in json.loads((tmp_path / "results.json").read_text())["results"]}
    assert scores == {"alice_correct": 15, "bob_no_bias_correction": 10, "carol_notebook": 15, "dave_typo": 11}
    assert (tmp_path / "junit.xml").is_file() and (tmp_path / "summary.csv").is_file()
    assert len(list((tmp_path / "html").glob("*.html"))) == 4
    shown = capsys.readouterr().out
    assert "dave_typo" in shown and "most common mistakes:" in shown and "adam-no-bias-correction (1)" in shown
    table = (tmp_path / "class" / "class-report.csv").read_text(encoding="utf-8")
    assert "adam,0.750,adam-no-bias-correction,1,bob_no_bias_correction" in table


@pytest.mark.sandbox
@pytest.mark.parametrize("workers", ["1", "2"])
def test_ctrl_c_mid_batch_says_one_line_keeps_the_results_and_exits_130(tmp_path, workers):
    submissions, out = _twenty_submissions(tmp_path / "subs"), tmp_path / "out"
    batch = subprocess.Popen(_command(submissions, out, "--workers", workers), start_new_session=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)  # fmt: skip
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and len(list((out / "results").glob("*.json"))) < 2:
        time.sleep(0.2)
    os.killpg(batch.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole foreground group
    _, stderr = batch.communicate(timeout=120)
    assert batch.returncode == 130, stderr
    assert "interrupted: every result finished so far is kept" in stderr and "Traceback" not in stderr, stderr
    for path in (out / "results").glob("*.json"):
        assert json.loads(path.read_text())["max_score"] == 15


def test_bare_gdgrade_prints_usage_and_a_hint(capsys):
    assert main([]) == 2
    shown = capsys.readouterr().err
    assert shown.startswith("usage: gdgrade") and "gdgrade demo" in shown


def test_version_is_the_installed_one(capsys):
    from importlib import metadata

    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0 and capsys.readouterr().out.strip() == f"gdgrade {metadata.version('gdgrade')}"


def test_a_near_miss_assignment_name_gets_a_suggestion(tmp_path, capsys):
    assert main(["grade", str(EXAMPLES), "--assignment", "04-adaptiv", "--out", str(tmp_path)]) == 2
    assert "did you mean 04-adaptive?" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["grade", "check"])
@pytest.mark.parametrize("flag, value", [("--timeout", "0"), ("--cell-timeout", "-5"), ("--timeout", "inf")])
def test_time_limits_must_be_positive(tmp_path, capsys, command, flag, value):
    arguments = [command, str(EXAMPLES / "carol_notebook.ipynb"), "--assignment", "cs231n-optim", flag, value]
    assert main(arguments) == 2
    assert f"argument {flag}: a time limit must be a positive number of seconds" in capsys.readouterr().err


def _parsers(parser):
    import argparse

    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                yield from _parsers(child)


def test_every_help_gives_the_defaults():
    from autograder.cli import build_parser

    for parser in _parsers(build_parser()):
        shown = parser.format_help()
        for action in parser._actions:
            if action.option_strings and action.default not in (None, False) and action.help != "==SUPPRESS==":
                if action.dest in ("help", "version"):
                    continue
                assert action.help and "default" in parser._get_formatter()._get_help_string(action), (
                    f"{parser.prog} {action.option_strings[0]}: no default in its help"
                )
        assert "usage:" in shown
