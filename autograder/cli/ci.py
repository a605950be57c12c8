"""``gdgrade ci init``: a GitHub Actions workflow for a student's assignment repository.

On every push the workflow installs gdgrade with the CPU build of torch, runs the public
checks on the student's notebook (``gdgrade check``), uploads the JUnit and HTML report,
and writes a job summary. It fails only when the score is below ``--fail-under`` (default
0: never). Hidden checks never live in the student's repository: the workflow uses only
the public probes of the spec shipped with gdgrade.
"""

from __future__ import annotations

import json
from pathlib import Path

from autograder.assignment import builtin_spec
from autograder.cli.exits import ExitCode
from autograder.cli.options import require_percentage
from autograder.course.layout import open_course
from autograder.errors import UsageError

WORKFLOW_PATH = Path(".github") / "workflows" / "gdgrade.yml"
CPU_TORCH_INDEX = "https://download.pytorch.org/whl/cpu"
CHECK_STEP = "Run the public checks"


def add_parsers(commands) -> None:
    """Register ``ci init``."""
    ci = commands.add_parser("ci", help="continuous integration for assignment repositories")
    actions = ci.add_subparsers(dest="action", required=True)
    init = actions.add_parser("init", help="write a GitHub Actions workflow that self-checks on every push")
    init.add_argument("directory", type=Path, nargs="?", default=Path("."), metavar="REPO")
    init.add_argument("--assignment", required=True, help="the assignment id, e.g. 04-adaptive")
    init.add_argument("--notebook", required=True, help="the notebook's path inside the repository")
    init.add_argument("--fail-under", type=float, default=0.0, help="fail the job below this score %% (default 0)")
    init.add_argument("--install", help="pip requirement for gdgrade (default: the course's, else gdgrade)")
    init.add_argument("--course", type=Path, help="take --install from this course's student_install setting")
    init.add_argument("--python", default="3.11", help="Python version (default 3.11)")
    init.add_argument("--force", action="store_true", help="replace an existing workflow")
    init.set_defaults(handler=init_command)


def _quoted(value: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(str(value))


def workflow_text(assignment: str, notebook: str, fail_under: float, install: str, python: str) -> str:
    """The workflow file's content."""
    check = (
        'gdgrade check "$NOTEBOOK" --assignment "$ASSIGNMENT" --junit gdgrade-report/junit.xml '
        '--html gdgrade-report --summary "$GITHUB_STEP_SUMMARY" --fail-under "$FAIL_UNDER"'
    )
    return f"""# Written by `gdgrade ci init`: the public checks of {assignment} on every push.
# Hidden checks never live in this repository; the instructor grades them separately.
name: gdgrade
on:
  push:
  pull_request:
  workflow_dispatch:
jobs:
  public-checks:
    runs-on: ubuntu-latest
    timeout-minutes: 30
    env:
      NOTEBOOK: {_quoted(notebook)}
      ASSIGNMENT: {_quoted(assignment)}
      FAIL_UNDER: {_quoted(f"{fail_under:g}")}
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: {_quoted(python)}
      - name: Install gdgrade with the CPU build of torch
        run: |
          python -m pip install --upgrade pip
          python -m pip install torch --index-url {CPU_TORCH_INDEX}
          python -m pip install {_quoted(install)}
      - name: {CHECK_STEP}
        run: {check}
      - name: Upload the report
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: gdgrade-report
          path: gdgrade-report/
"""


def init_command(arguments) -> int:
    """``gdgrade ci init``."""
    builtin_spec(arguments.assignment)  # an unknown assignment is a usage error now, not in CI
    repository = arguments.directory.resolve()
    if not (repository / arguments.notebook).is_file():
        raise UsageError(f"{arguments.notebook} is not in {repository}; --notebook is its path in the repository")
    require_percentage(arguments.fail_under)
    target = repository / WORKFLOW_PATH
    if target.exists() and not arguments.force:
        raise UsageError(f"{target} exists; pass --force to replace it")
    target.parent.mkdir(parents=True, exist_ok=True)
    install = arguments.install or (open_course(arguments.course).student_install if arguments.course else "gdgrade")
    text = workflow_text(arguments.assignment, arguments.notebook, arguments.fail_under, install,
                         arguments.python)  # fmt: skip
    target.write_text(text, encoding="utf-8")
    ignore_reports(repository / ".gitignore")
    print(f"wrote {target}; commit it and every push runs the public checks of {arguments.assignment}")
    return ExitCode.GRADED


REPORT_FOLDERS = ("gdgrade-out/", "gdgrade-report/")  # what gdgrade writes in a repository: never committed


def ignore_reports(gitignore: Path) -> None:
    """Add gdgrade's report folders to a repository's .gitignore (those not in it already)."""
    lines = gitignore.read_text(encoding="utf-8").splitlines() if gitignore.is_file() else []
    missing = [folder for folder in REPORT_FOLDERS if folder not in lines and folder.rstrip("/") not in lines]
    if missing:
        gitignore.write_text("\n".join([*lines, "# gdgrade's reports", *missing]) + "\n", encoding="utf-8")
