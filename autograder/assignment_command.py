"""``gdgrade release`` and ``gdgrade check``: the course's assignments, from the students' side.

* ``gdgrade release 04-adaptive`` writes the student version of a shipped assignment through
  nbgrader's generate_assignment: solutions and hidden-test regions removed, read-only cells
  locked and checksummed.
* ``gdgrade check my-notebook.ipynb`` runs the public checks on a student's notebook and
  prints readable verdicts. Exit code 0 when every public check passes, 1 otherwise.
"""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
import sys
import tempfile
from pathlib import Path

from assignments import ASSIGNMENTS, source_notebook
from autograder.errors import SpecError, SubmissionError
from autograder.grade_command import docker_engine_running
from autograder.notebooks import load_submission
from autograder.sandbox import BACKENDS, Limits, Sandbox, available_backend
from autograder.selfcheck import verdict_lines
from autograder.spec import AssignmentSpec, builtin_spec, load_spec
from autograder.submission import grade_submission


def add_parsers(commands) -> None:
    """Register ``release`` and ``check``."""
    release = commands.add_parser("release", help="write the student version of an assignment (nbgrader)")
    release.add_argument("assignment", choices=ASSIGNMENTS, metavar="ASSIGNMENT", help=", ".join(ASSIGNMENTS))
    release.add_argument("--out", type=Path, default=Path("release"), help="folder for the notebook (default release)")
    release.add_argument("--course", type=Path, help="an nbgrader course folder (default: a temporary one)")
    release.set_defaults(handler=release_command)

    check = commands.add_parser("check", help="run an assignment's public checks on a notebook")
    check.add_argument("notebook", type=Path, metavar="NOTEBOOK")
    source = check.add_mutually_exclusive_group()
    source.add_argument("--assignment", help="default: the assignment named in the notebook's metadata")
    source.add_argument("--spec", type=Path, help="an assignment spec file")
    check.add_argument("--lang", choices=("en", "ko"), help="language of the verdicts (default: the assignment's)")
    check.add_argument("--sandbox", choices=BACKENDS, default="none", help="default none: it is your own code")
    check.add_argument("--timeout", type=float, default=300.0, help="seconds for the whole notebook")
    check.set_defaults(handler=check_command)


# --- release ---------------------------------------------------------------------------------------


def _generate(course: Path, assignment: str, private_exchange: bool) -> None:
    """nbgrader's generate_assignment in ``course``; its errors become one readable ValueError."""
    from nbgrader.apps import NbGraderAPI
    from traitlets.config import Config

    config = Config()
    config.CourseDirectory.root = str(course)
    if private_exchange:  # a throw-away course: keep nbgrader away from the system-wide exchange
        config.Exchange.root = str(course / "exchange")
    outcome = NbGraderAPI(config=config).generate_assignment(assignment, force=True, create=True)
    if not outcome["success"]:
        errors = [line for line in outcome["log"].splitlines() if "Error" in line or "[ERROR]" in line]
        raise ValueError(f"nbgrader could not release {assignment}: {(errors or ['see its log'])[0].strip()}")


def release_assignment(assignment: str, out: Path | None = None, course: Path | None = None) -> Path:
    """Release one shipped assignment; returns the student notebook's path.

    In a given ``course`` the instructor's own ``source/<assignment>/`` copy is used when it
    exists (never overwritten) and the result stays in its ``release/``. Without one, a
    temporary course is used and the notebook is copied into ``out``.
    """
    notebook = source_notebook(assignment)
    holder = contextlib.nullcontext(str(course)) if course else tempfile.TemporaryDirectory(prefix="gdgrade-course-")
    with holder as root:
        root = Path(root)
        source = root / "source" / assignment / notebook.name
        if not source.exists():
            source.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(notebook, source)
        _generate(root, assignment, private_exchange=course is None)
        released = root / "release" / assignment / notebook.name
        if course:
            return released
        out = out or Path("release")
        out.mkdir(parents=True, exist_ok=True)
        return Path(shutil.copy2(released, out / notebook.name))


def release_command(arguments) -> int:
    """``gdgrade release``."""
    path = release_assignment(arguments.assignment, arguments.out, arguments.course)
    print(f"released {arguments.assignment}: {path}")
    return 0


# --- check -------------------------------------------------------------------------------------------


def notebook_assignment(path: Path) -> str | None:
    """The assignment id a notebook names in its ``gdgrade`` metadata, if any."""
    try:
        notebook = load_submission(path)
    except SubmissionError as error:
        raise ValueError(str(error)) from None
    return notebook.metadata.get("gdgrade", {}).get("assignment")


def _check_spec(arguments) -> AssignmentSpec:
    try:
        if arguments.spec is not None:
            spec = load_spec(arguments.spec)
        else:
            assignment = arguments.assignment or notebook_assignment(arguments.notebook)
            if assignment is None:
                raise ValueError(f"{arguments.notebook.name} names no assignment; pass --assignment or --spec")
            spec = builtin_spec(assignment)
    except SpecError as error:
        raise ValueError(str(error)) from None
    return dataclasses.replace(spec, language=arguments.lang) if arguments.lang else spec


def check_command(arguments) -> int:
    """``gdgrade check``: public checks only, verdicts printed, exit 1 if any check failed."""
    if not arguments.notebook.is_file():
        raise ValueError(f"no such notebook: {arguments.notebook}")
    spec = _check_spec(arguments)
    if arguments.sandbox == "bwrap" and available_backend() != "bwrap":
        raise ValueError("--sandbox bwrap needs bubblewrap and prlimit (apt-get install bubblewrap)")
    if arguments.sandbox == "docker" and not docker_engine_running():
        raise ValueError("--sandbox docker needs a running Docker engine ('docker info' failed)")
    sandbox = Sandbox(arguments.sandbox, Limits(submission_timeout=arguments.timeout))
    print(f"checking {arguments.notebook.name} against {spec.id} (public checks)\n", file=sys.stderr)
    result = grade_submission(arguments.notebook, spec, sandbox, include_hidden=False)
    for issue in result.execution.get("issues", []):
        print(f"! {issue['message']}")
    print("\n".join(verdict_lines(result.to_json(), spec.language)))
    return 0 if all(check.passed for check in result.result.checks) else 1
