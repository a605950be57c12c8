"""``gdgrade ci init``: the workflow's YAML is valid and its check step works as CI runs it."""

import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml

from autograder.cli import main
from tests.course.conftest import notebook_with

ASSIGNMENT = "03-momentum"
WRONG = {"momentum-code": ("return w + velocity, velocity", "return w + velocity, state")}


def _repository(tmp_path: Path, notebook: str) -> Path:
    repository = tmp_path / "student-repo"
    (repository / "work").mkdir(parents=True)
    (repository / "work" / "momentum.ipynb").write_text(notebook, encoding="utf-8")
    assert main(["ci", "init", str(repository), "--assignment", ASSIGNMENT, "--notebook", "work/momentum.ipynb"]) == 0
    return repository


def _workflow(repository: Path) -> dict:
    return yaml.safe_load((repository / ".github" / "workflows" / "gdgrade.yml").read_text(encoding="utf-8"))


def _run_check_step(repository: Path, fail_under: str | None = None) -> tuple[subprocess.CompletedProcess, str]:
    """The check step's script under bash, with the job's env, as the runner would run it."""
    job = _workflow(repository)["jobs"]["public-checks"]
    step = next(s for s in job["steps"] if s.get("name") == "Run the public checks")
    summary = repository.parent / "step-summary.md"
    environment = {**os.environ, **job["env"], "GITHUB_STEP_SUMMARY": str(summary)}
    environment["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{environment['PATH']}"
    if fail_under is not None:
        environment["FAIL_UNDER"] = fail_under
    done = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=repository, env=environment,
                          capture_output=True, text=True, timeout=600)  # fmt: skip
    return done, summary.read_text(encoding="utf-8") if summary.exists() else ""


def test_the_workflow_is_valid_and_installs_cpu_torch(tmp_path):
    workflow = _workflow(_repository(tmp_path, notebook_with(ASSIGNMENT)))
    assert set(workflow[True]) == {"push", "pull_request", "workflow_dispatch"}  # YAML 1.1 reads "on" as True
    job = workflow["jobs"]["public-checks"]
    assert job["env"] == {"NOTEBOOK": "work/momentum.ipynb", "ASSIGNMENT": ASSIGNMENT, "FAIL_UNDER": "0"}
    uses = [step.get("uses", "") for step in job["steps"]]
    assert uses[0].startswith("actions/checkout@") and uses[1].startswith("actions/setup-python@")
    install = job["steps"][2]["run"]
    assert "--index-url https://download.pytorch.org/whl/cpu" in install and '"gdgrade"' in install
    upload = job["steps"][-1]
    assert upload["uses"].startswith("actions/upload-artifact@") and upload["if"] == "always()"
    text = (tmp_path / "student-repo" / ".github" / "workflows" / "gdgrade.yml").read_text(encoding="utf-8")
    assert "hidden" not in text.replace("Hidden checks never live", "")


def test_the_check_step_passes_on_a_correct_notebook(tmp_path):
    repository = _repository(tmp_path, notebook_with(ASSIGNMENT))
    done, summary = _run_check_step(repository)
    assert done.returncode == 0, done.stdout + done.stderr
    suite = ElementTree.parse(repository / "gdgrade-report" / "junit.xml").getroot().find("testsuite")
    assert suite.get("failures") == "0" and int(suite.get("tests")) >= 4
    assert (repository / "gdgrade-report" / "momentum.html").is_file()
    assert "— 10/10 (03-momentum)" in summary and "❌" not in summary


def test_the_check_step_reports_failures_and_fails_only_under_the_threshold(tmp_path):
    repository = _repository(tmp_path, notebook_with(ASSIGNMENT, WRONG))
    done, summary = _run_check_step(repository)
    assert done.returncode == 0, done.stdout + done.stderr  # FAIL_UNDER 0: report, do not fail
    suite = ElementTree.parse(repository / "gdgrade-report" / "junit.xml").getroot().find("testsuite")
    failure = suite.find("testcase/failure")
    assert int(suite.get("failures")) >= 1 and "속도 0에서 다시 시작" in failure.get("message")
    assert "❌ `momentum/replay`" in summary
    failing, _ = _run_check_step(repository, fail_under="100")
    assert failing.returncode == 1


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--assignment", "nope", "--notebook", "x.ipynb"], "no built-in assignment 'nope'"),
        (["--assignment", ASSIGNMENT, "--notebook", "missing.ipynb"], "missing.ipynb is not in"),
        (["--assignment", ASSIGNMENT, "--notebook", "work/momentum.ipynb"], "exists; pass --force"),
    ],
)
def test_ci_init_usage_errors(arguments, message, tmp_path, capsys):
    repository = _repository(tmp_path, notebook_with(ASSIGNMENT))
    capsys.readouterr()
    assert main(["ci", "init", str(repository), *arguments]) == 2
    assert message in capsys.readouterr().err
