"""An nbgrader course run by gdgrade: its folders and ``course init``.

The layout is nbgrader's, so ``nbgrader formgrader`` and the other nbgrader commands keep
working in it::

    COURSE/nbgrader_config.py        nbgrader's configuration (gdgrade reads it too)
    COURSE/gradebook.db              the gradebook (or any SQLAlchemy URL in the config)
    COURSE/source/<assignment>/      instructor notebooks, with solutions
    COURSE/release/<assignment>/     student versions (``gdgrade release``)
    COURSE/submitted/<student>/<assignment>/   collected submissions and timestamp.txt
    COURSE/autograded/<student>/<assignment>/  what formgrader shows for manual grading
    COURSE/feedback/<student>/<assignment>/    HTML feedback for release_feedback
    COURSE/gdgrade/specs/<assignment>.toml     gdgrade's checks (hidden probes: never released)
    COURSE/gdgrade/secret                      what hidden probes draw their values from (never released)
    COURSE/gdgrade/results/<assignment>/       one JSON result per student (the journal)
    COURSE/gdgrade/archive/                    earlier submissions replaced by a newer one
"""

from __future__ import annotations

import csv
import datetime
import shutil
from dataclasses import dataclass
from pathlib import Path

from assignments import ASSIGNMENTS, source_notebook, spec_path
from autograder.course.tools import open_gradebook
from autograder.errors import UsageError
from autograder.hidden_draws import read_or_create_secret

CONFIG_NAME = "nbgrader_config.py"
DEFAULT_STUDENT_INSTALL = "gdgrade"  # what students pip install the self-check from, unless the course says
FOLDERS = ("source", "release", "submitted", "autograded", "feedback")
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"


@dataclass(frozen=True)
class Course:
    """An nbgrader course folder that gdgrade works in."""

    root: Path

    def config(self):
        """nbgrader's configuration, read from the course's ``nbgrader_config.py``."""
        from traitlets.config.loader import PyFileConfigLoader

        config = PyFileConfigLoader(CONFIG_NAME, path=str(self.root)).load_config()
        config.CourseDirectory.root = str(self.root)
        return config

    @property
    def db_url(self) -> str:
        """The gradebook's SQLAlchemy URL: the config's, else ``gradebook.db`` in the course."""
        configured = self.config().CourseDirectory.get("db_url")
        return str(configured) if configured else f"sqlite:///{self.root / 'gradebook.db'}"

    @property
    def student_install(self) -> str:
        """Where students install the checker from (a PyPI name, a git URL or a wheel): the course's switch."""
        configured = self.config().get("GdgradeCourse", {}).get("student_install")
        return str(configured) if configured else DEFAULT_STUDENT_INSTALL

    @property
    def secret_path(self) -> Path:
        """The course's secret, which hidden probes draw their values from (never released)."""
        return self.root / "gdgrade" / "secret"

    def spec_path(self, assignment: str) -> Path:
        """Where the course keeps an assignment's spec."""
        return self.root / "gdgrade" / "specs" / f"{assignment}.toml"

    def results_dir(self, assignment: str) -> Path:
        """The folder holding ``results/<student>.json`` for an assignment."""
        return self.root / "gdgrade" / "results" / assignment

    def notebook_name(self, assignment: str) -> str:
        """The file name of the assignment's notebook (the one in ``source/``)."""
        found = sorted((self.root / "source" / assignment).glob("*.ipynb"))
        if len(found) != 1:
            raise UsageError(f"source/{assignment}/ must hold exactly one notebook, found {len(found)}")
        return found[0].name

    def submission_dir(self, student: str, assignment: str) -> Path:
        """``submitted/<student>/<assignment>/``."""
        return self.root / "submitted" / student / assignment

    def assignments(self) -> list[str]:
        """The assignments with a source folder."""
        return sorted(p.name for p in (self.root / "source").iterdir() if p.is_dir())


def open_course(root: Path) -> Course:
    """The course at ``root``; a clear error when it is not one."""
    root = Path(root).resolve()
    if not (root / CONFIG_NAME).is_file():
        raise UsageError(f"{root} is not a course (no {CONFIG_NAME}); create one with: gdgrade course init {root}")
    return Course(root)


def require_assignment(course: Course, assignment: str) -> None:
    """The assignment must have a source folder and a spec in the course."""
    if not (course.root / "source" / assignment).is_dir():
        known = ", ".join(course.assignments()) or "none"
        raise UsageError(f"the course has no assignment {assignment!r} (in source/: {known})")
    if not course.spec_path(assignment).is_file():
        raise UsageError(f"no spec for {assignment} at {course.spec_path(assignment)}")


# --- course init ---------------------------------------------------------------------------------------


def _config_text(db_url: str | None, late_penalty: str, student_install: str, course_id: str) -> str:
    lines = [
        "# nbgrader configuration of a course created by `gdgrade course init`.",
        "# gdgrade reads it too: the gradebook URL and the late-submission settings below apply to both.",
        "c = get_config()  # noqa: F821",
        "",
        f"c.CourseDirectory.course_id = {course_id!r}",
        "# Keep the exchange inside the course; point it at the shared exchange on a JupyterHub.",
        'c.Exchange.root = __file__.rsplit("/", 1)[0] + "/exchange"',
        "# Late submissions: 'none' (no penalty) or 'zero' (a late notebook scores 0), or a plugin class.",
        'c.AssignLatePenalties.plugin_class = "nbgrader.plugins.LateSubmissionPlugin"',
        f"c.LateSubmissionPlugin.penalty_method = {late_penalty!r}",
        "# Where students install gdgrade's self-check from: a PyPI name, a git URL or a wheel you publish.",
        "# gdgrade release writes it into each notebook's set-up cell; gdgrade ci init into the workflow.",
        f"c.GdgradeCourse.student_install = {student_install!r}",
    ]
    if db_url:
        lines += [
            "# The gradebook: any SQLAlchemy URL (PostgreSQL for a shared server).",
            f"c.CourseDirectory.db_url = {db_url!r}",
        ]
    return "\n".join(lines) + "\n"


def init_course(
    root: Path, assignments=ASSIGNMENTS, db_url: str | None = None, late_penalty: str = "none", roster=None,
    student_install: str = DEFAULT_STUDENT_INSTALL, course_id: str | None = None,
) -> Course:  # fmt: skip
    """Create a course folder holding gdgrade's assignments (sources and specs).

    All or nothing: the roster is read and the gradebook reached before anything stays; if
    a step fails, what this call made is removed again (an existing course is never touched).
    ``course_id`` defaults to the folder's name.
    """
    root = Path(root).resolve()
    if (root / CONFIG_NAME).exists():
        raise UsageError(f"{root} is already a course ({CONFIG_NAME} exists); nothing was changed")
    if late_penalty not in ("none", "zero"):
        raise UsageError(f"--late-penalty must be none or zero, got {late_penalty!r}")
    students = read_roster(Path(roster)) if roster is not None else []
    existed = root.exists()
    before = set(root.iterdir()) if existed else set()
    try:
        course = _make_course(root, assignments, db_url, late_penalty, student_install, course_id or root.name)
        add_students(course, students)
    except BaseException:
        _remove_made(root, existed, before)
        raise
    return course


def _make_course(root: Path, assignments, db_url, late_penalty: str, student_install: str, course_id: str) -> Course:
    for folder in FOLDERS:
        (root / folder).mkdir(parents=True, exist_ok=True)
    for assignment in assignments:
        target = root / "source" / assignment
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source_notebook(assignment), target)
        (root / "gdgrade" / "specs").mkdir(parents=True, exist_ok=True)
        shutil.copy2(spec_path(assignment), root / "gdgrade" / "specs" / f"{assignment}.toml")
    config = _config_text(db_url, late_penalty, student_install, course_id)
    (root / CONFIG_NAME).write_text(config, encoding="utf-8")
    course = Course(root)
    read_or_create_secret(course.secret_path)
    return course


def _remove_made(root: Path, existed: bool, before: set[Path]) -> None:
    """Undo a failed init: the folder if this call created it, else only the entries it added."""
    if not existed:
        shutil.rmtree(root, ignore_errors=True)
        return
    for entry in set(root.iterdir()) - before:
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def read_roster(path: Path) -> list[dict]:
    """Students from a CSV with an ``id`` column (``first_name``, ``last_name``, ``email`` optional)."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as error:
        raise UsageError(f"cannot read the roster {path}: {error.strerror or error}") from None
    if not rows or "id" not in rows[0]:
        raise UsageError(f"{path} needs a header row with an 'id' column")
    fields = ("first_name", "last_name", "email")
    return [{"id": row["id"].strip(), **{k: row[k] for k in fields if row.get(k)}} for row in rows if row["id"]]


def add_students(course: Course, students: list[dict]) -> None:
    """Add (or update) students in the course's gradebook (reaching it even for none)."""
    with connected_gradebook(course.db_url) as gradebook:
        for student in students:
            gradebook.update_or_create_student(student["id"], **{k: v for k, v in student.items() if k != "id"})


def connected_gradebook(db_url: str):
    """The gradebook, or a one-line usage error that says what is missing or unreachable."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        return open_gradebook(db_url)
    except ModuleNotFoundError as error:
        raise UsageError(f"the gradebook {safe_url(db_url)} needs the Python database driver {error.name!r} "
                         f"(pip install {error.name}); pip install 'gdgrade[postgres]' gives psycopg2, for "
                         "postgresql+psycopg2:// URLs") from None  # fmt: skip
    except SQLAlchemyError as error:
        first_line = str(error.orig if getattr(error, "orig", None) else error).strip().splitlines()[0]
        raise UsageError(f"cannot reach the gradebook {safe_url(db_url)}: {first_line}") from None


def safe_url(db_url: str) -> str:
    """The URL without its password."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(db_url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001  (a URL SQLAlchemy cannot parse is shown as it is)
        return db_url


def submission_timestamp(folder: Path) -> datetime.datetime | None:
    """The time in ``timestamp.txt`` (nbgrader's format), or None."""
    from nbgrader.utils import parse_utc

    try:
        return parse_utc((folder / "timestamp.txt").read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return None
