"""An nbgrader course run by gdgrade: its folders, ``course init``, and collecting an LMS download.

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
    COURSE/gdgrade/results/<assignment>/       one JSON result per student (the journal)
    COURSE/gdgrade/archive/                    earlier submissions replaced by a newer one
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import re
import secrets
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

from assignments import ASSIGNMENTS, source_notebook, spec_path

CONFIG_NAME = "nbgrader_config.py"
FOLDERS = ("source", "release", "submitted", "autograded", "feedback")
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"
PATTERNS = {
    # alice.ipynb, alice_04-adaptive.ipynb, alice-submission.ipynb -> alice
    "plain": r"^(?P<student>[A-Za-z0-9.]+)(?:[_\- ].*)?\.(?:ipynb|py)$",
    # Canvas: lastfirst_12345_67890_name.ipynb, lastfirst_LATE_12345_67890_name.ipynb -> 12345
    "canvas": r"^[^_]+_(?:LATE_)?(?P<student>\d+)_\d+_.*\.(?:ipynb|py)$",
}


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
            raise ValueError(f"source/{assignment}/ must hold exactly one notebook, found {len(found)}")
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
        raise ValueError(f"{root} is not a course (no {CONFIG_NAME}); create one with: gdgrade course init {root}")
    return Course(root)


def require_assignment(course: Course, assignment: str) -> None:
    """The assignment must have a source folder and a spec in the course."""
    if not (course.root / "source" / assignment).is_dir():
        known = ", ".join(course.assignments()) or "none"
        raise ValueError(f"the course has no assignment {assignment!r} (in source/: {known})")
    if not course.spec_path(assignment).is_file():
        raise ValueError(f"no spec for {assignment} at {course.spec_path(assignment)}")


# --- course init ---------------------------------------------------------------------------------------


def _config_text(db_url: str | None, late_penalty: str) -> str:
    lines = [
        "# nbgrader configuration of a course created by `gdgrade course init`.",
        "# gdgrade reads it too: the gradebook URL and the late-submission settings below apply to both.",
        "c = get_config()  # noqa: F821",
        "",
        'c.CourseDirectory.course_id = "gdgrade-course"',
        "# Keep the exchange inside the course; point it at the shared exchange on a JupyterHub.",
        'c.Exchange.root = __file__.rsplit("/", 1)[0] + "/exchange"',
        "# Late submissions: 'none' (no penalty) or 'zero' (a late notebook scores 0), or a plugin class.",
        'c.AssignLatePenalties.plugin_class = "nbgrader.plugins.LateSubmissionPlugin"',
        f"c.LateSubmissionPlugin.penalty_method = {late_penalty!r}",
    ]
    if db_url:
        lines += [
            "# The gradebook: any SQLAlchemy URL (PostgreSQL for a shared server).",
            f"c.CourseDirectory.db_url = {db_url!r}",
        ]
    return "\n".join(lines) + "\n"


def init_course(
    root: Path, assignments=ASSIGNMENTS, db_url: str | None = None, late_penalty: str = "none", roster=None
) -> Course:
    """Create a course folder holding gdgrade's assignments (sources and specs).

    Refuses to touch an existing course: nothing in it is overwritten.
    """
    root = Path(root).resolve()
    if (root / CONFIG_NAME).exists():
        raise ValueError(f"{root} is already a course ({CONFIG_NAME} exists); nothing was changed")
    if late_penalty not in ("none", "zero"):
        raise ValueError(f"--late-penalty must be none or zero, got {late_penalty!r}")
    for folder in FOLDERS:
        (root / folder).mkdir(parents=True, exist_ok=True)
    for assignment in assignments:
        target = root / "source" / assignment
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source_notebook(assignment), target)
        (root / "gdgrade" / "specs").mkdir(parents=True, exist_ok=True)
        shutil.copy2(spec_path(assignment), root / "gdgrade" / "specs" / f"{assignment}.toml")
    (root / CONFIG_NAME).write_text(_config_text(db_url, late_penalty), encoding="utf-8")
    course = Course(root)
    if roster is not None:
        add_students(course, read_roster(Path(roster)))
    return course


def read_roster(path: Path) -> list[dict]:
    """Students from a CSV with an ``id`` column (``first_name``, ``last_name``, ``email`` optional)."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as error:
        raise ValueError(f"cannot read the roster {path}: {error.strerror or error}") from None
    if not rows or "id" not in rows[0]:
        raise ValueError(f"{path} needs a header row with an 'id' column")
    fields = ("first_name", "last_name", "email")
    return [{"id": row["id"].strip(), **{k: row[k] for k in fields if row.get(k)}} for row in rows if row["id"]]


def add_students(course: Course, students: list[dict]) -> None:
    """Add (or update) students in the course's gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(course.db_url) as gradebook:
        for student in students:
            gradebook.update_or_create_student(student["id"], **{k: v for k, v in student.items() if k != "id"})


# --- collect ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Download:
    """One file of an LMS download: its name, bytes and modification time (UTC)."""

    name: str
    data: bytes
    modified: datetime.datetime


@dataclass(frozen=True)
class CollectReport:
    """What collect did with every file: taken (student -> file) and skipped (file -> reason)."""

    taken: dict[str, str]
    skipped: dict[str, str]


def read_download(source: Path) -> list[Download]:
    """The files of a zip or a folder (recursively), skipping folders and system litter."""
    source = Path(source)
    if source.is_dir():
        files = [p for p in sorted(source.rglob("*")) if p.is_file()]
        return [Download(p.name, p.read_bytes(), _utc(p.stat().st_mtime)) for p in files if not _litter(p.name)]
    if not source.is_file():
        raise ValueError(f"no such file or folder: {source}")
    try:
        with zipfile.ZipFile(source) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            return [
                Download(
                    Path(m.filename).name,
                    archive.read(m),
                    datetime.datetime(*m.date_time, tzinfo=datetime.timezone.utc),
                )
                for m in members
                if not _litter(m.filename)
            ]
    except zipfile.BadZipFile:
        raise ValueError(f"{source} is not a zip file or a folder") from None


def _utc(seconds: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(seconds, tz=datetime.timezone.utc)


def _litter(name: str) -> bool:
    return name.startswith("__MACOSX") or Path(name).name.startswith(".")


def student_of(name: str, pattern: str) -> str | None:
    """The student id in a file name, by a preset (plain, canvas) or a regex with (?P<student>...)."""
    match = re.match(PATTERNS.get(pattern, pattern), name)
    return match.group("student") if match else None


def collect(course: Course, assignment: str, source: Path, pattern: str = "plain") -> CollectReport:
    """Take an LMS download into ``submitted/<student>/<assignment>/``.

    One notebook per student (the newest when a download holds several). A submission that
    replaces a different earlier one moves the earlier one to ``gdgrade/archive/`` first.
    """
    require_assignment(course, assignment)
    if pattern not in PATTERNS:
        _check_pattern(pattern)
    notebook_name = course.notebook_name(assignment)
    taken: dict[str, Download] = {}
    skipped: dict[str, str] = {}
    for item in read_download(source):
        student = student_of(item.name, pattern)
        if Path(item.name).suffix not in (".ipynb", ".py"):
            skipped[item.name] = "not a notebook (.ipynb) or .py file"
        elif student is None:
            skipped[item.name] = f"no student id in the file name (pattern {pattern})"
        elif student in taken and taken[student].modified >= item.modified:
            skipped[item.name] = f"an older file of {student} (the newest is kept)"
        else:
            if student in taken:
                skipped[taken[student].name] = f"an older file of {student} (the newest is kept)"
            taken[student] = item
    for student, item in taken.items():
        _store(course, assignment, student, notebook_name, item)
    return CollectReport({s: item.name for s, item in taken.items()}, skipped)


def _check_pattern(pattern: str) -> None:
    try:
        compiled = re.compile(pattern)
    except re.error as error:
        raise ValueError(f"--pattern is not a valid regular expression: {error}") from None
    if "student" not in compiled.groupindex:
        raise ValueError("--pattern needs a named group (?P<student>...), or use a preset: plain, canvas")


def _store(course: Course, assignment: str, student: str, notebook_name: str, item: Download) -> None:
    folder = course.submission_dir(student, assignment)
    target = folder / notebook_name
    if target.is_file() and target.read_bytes() == item.data:
        return  # the same submission, already collected
    if folder.exists():
        stamp = hashlib.sha256(target.read_bytes() if target.is_file() else b"").hexdigest()[:8]
        archive = course.root / "gdgrade" / "archive" / assignment / f"{student}-{stamp}"
        if archive.exists():
            shutil.rmtree(folder)
        else:
            archive.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(folder), archive)
    folder.mkdir(parents=True)
    target.write_bytes(item.data)
    (folder / "timestamp.txt").write_text(item.modified.strftime(TIMESTAMP_FORMAT), encoding="utf-8")
    (folder / "submission_secret.txt").write_text(secrets.token_hex(16), encoding="utf-8")


def submission_timestamp(folder: Path) -> datetime.datetime | None:
    """The time in ``timestamp.txt`` (nbgrader's format), or None."""
    from nbgrader.utils import parse_utc

    try:
        return parse_utc((folder / "timestamp.txt").read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return None
