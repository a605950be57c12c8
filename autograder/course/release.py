"""Releasing an assignment: nbgrader's generate_assignment on a course, or on a throw-away one.

The student version has the solutions and hidden-test regions removed and its read-only
cells locked and checksummed; its set-up cell installs the self-check from where the course
says students install it from. nbgrader's failures come back as one readable UsageError.
"""

from __future__ import annotations

import re
import shlex
import shutil
import tempfile
from pathlib import Path

import nbformat

from assignments import ASSIGNMENTS, source_notebook
from autograder.course.layout import DEFAULT_STUDENT_INSTALL, Course, require_assignment
from autograder.course.tools import open_gradebook, own_tools_on_path
from autograder.errors import UsageError

SETUP_MARK = "from autograder.selfcheck import checker"
PIP_LINE = re.compile(r"^\s*[%!]\s*pip3?\s+install\b")


def with_install_line(notebook_path: Path, student_install: str) -> None:
    """Make the notebook's set-up cell install the checker from ``student_install``.

    Done to the source before nbgrader releases it, so the locked cell's checksum stays right.
    """
    notebook = nbformat.read(notebook_path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code" and SETUP_MARK in cell.source:
            lines = [line for line in cell.source.split("\n") if not PIP_LINE.match(line)]
            first_code = next(i for i, line in enumerate(lines) if line.strip() and not line.startswith("#"))
            lines.insert(first_code, f"%pip install -q {shlex.quote(student_install)}")
            cell.source = "\n".join(lines)
            nbformat.write(notebook, notebook_path)
            return


def release_assignment(
    assignment: str, out: Path | None = None, student_install: str = DEFAULT_STUDENT_INSTALL
) -> Path:
    """Release a shipped assignment through a temporary course; returns the copy in ``out``."""
    if assignment not in ASSIGNMENTS:
        raise UsageError(f"no assignment {assignment!r}; the course has: {', '.join(ASSIGNMENTS)}")
    notebook = source_notebook(assignment)
    with tempfile.TemporaryDirectory(prefix="gdgrade-course-") as root:
        root = Path(root)
        (root / "source" / assignment).mkdir(parents=True)
        source = Path(shutil.copy2(notebook, root / "source" / assignment / notebook.name))
        with_install_line(source, student_install)
        _generate(_scratch_config(root), assignment)
        out = out or Path("release")
        out.mkdir(parents=True, exist_ok=True)
        return Path(shutil.copy2(root / "release" / assignment / notebook.name, out / notebook.name))


def release_in_course(course: Course, assignment: str, duedate: str | None = None) -> Path:
    """Release an assignment of a course (its own source, config and gradebook)."""
    require_assignment(course, assignment)
    with_install_line(course.root / "source" / assignment / course.notebook_name(assignment), course.student_install)
    _generate(course.config(), assignment, duedate)
    return course.root / "release" / assignment / course.notebook_name(assignment)


def _generate(config, assignment: str, duedate: str | None = None) -> None:
    """nbgrader's generate_assignment under ``config``."""
    from nbgrader.apps import NbGraderAPI

    own_tools_on_path()
    api = NbGraderAPI(config=config)
    if duedate:
        _set_duedate(api.coursedir.db_url, assignment, duedate)
    outcome = api.generate_assignment(assignment, force=True, create=True)
    if not outcome["success"]:
        errors = [line for line in outcome["log"].splitlines() if "Error" in line or "[ERROR]" in line]
        raise UsageError(f"nbgrader could not release {assignment}: {(errors or ['see its log'])[0].strip()}")


def _set_duedate(db_url: str, assignment: str, duedate: str) -> None:

    with open_gradebook(db_url) as gradebook:
        try:
            gradebook.update_or_create_assignment(assignment, duedate=duedate)
        except ValueError as error:
            raise UsageError(f"--duedate {duedate!r} is not a date nbgrader understands: {error}") from None


def _scratch_config(root: Path):
    from traitlets.config import Config

    config = Config()
    config.CourseDirectory.root = str(root)
    config.Exchange.root = str(root / "exchange")  # keep nbgrader away from the system-wide exchange
    return config
