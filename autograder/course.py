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
    COURSE/gdgrade/secret                      what hidden probes draw their values from (never released)
    COURSE/gdgrade/results/<assignment>/       one JSON result per student (the journal)
    COURSE/gdgrade/archive/                    earlier submissions replaced by a newer one
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import hashlib
import os
import re
import secrets
import shutil
import stat
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from assignments import ASSIGNMENTS, source_notebook, spec_path
from autograder.hidden_draws import read_or_create_secret

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
    read_or_create_secret(course.secret_path)
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


MAX_COLLECTED_BYTES = 100 * 1024**2  # one file of a download; a notebook's saved outputs count here
MAX_RATIO = 200  # a zip member this much bigger than its compressed size is a zip bomb, not a notebook
SUFFIXES = (".ipynb", ".py")


@dataclass(frozen=True)
class Download:
    """One file of an LMS download: its name, modification time (UTC) and size, read only on demand.

    ``refused`` says why it must not be read at all (a link, a zip bomb, too big).
    """

    name: str
    modified: datetime.datetime
    size: int
    read: Callable[[], bytes]
    refused: str | None = None


@dataclass(frozen=True)
class CollectReport:
    """What collect did with every file: taken (student -> file) and skipped (file -> reason)."""

    taken: dict[str, str]
    skipped: dict[str, str]


def _bounded(read_at_most: Callable[[int], bytes]) -> Callable[[], bytes]:
    def read() -> bytes:
        data = read_at_most(MAX_COLLECTED_BYTES + 1)
        if len(data) > MAX_COLLECTED_BYTES:
            raise ValueError(f"more than {MAX_COLLECTED_BYTES // 1024**2} MiB")
        return data

    return read


def _folder_file(path: Path) -> Download:
    status = path.lstat()
    refused = "a symbolic link" if path.is_symlink() else ("a hard link" if status.st_nlink > 1 else None)

    def read_at_most(limit: int) -> bytes:
        with open(path, "rb", opener=lambda name, flags: os.open(name, flags | os.O_NOFOLLOW)) as handle:
            return handle.read(limit)

    return Download(path.name, _utc(status.st_mtime), status.st_size, _bounded(read_at_most), refused)


def _zip_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> Download:
    is_link = stat.S_ISLNK(member.external_attr >> 16)
    ratio = member.file_size / max(member.compress_size, 1)
    refused = "a symbolic link" if is_link else ("compressed suspiciously well" if ratio > MAX_RATIO else None)

    def read_at_most(limit: int) -> bytes:
        with archive.open(member) as handle:
            return handle.read(limit)

    modified = datetime.datetime(*member.date_time, tzinfo=datetime.timezone.utc)
    return Download(Path(member.filename).name, modified, member.file_size, _bounded(read_at_most), refused)


def _folder_files(source: Path) -> list[Path]:
    found = []
    for root, folders, files in os.walk(source):  # links to folders are not followed
        folders.sort()
        found += [Path(root) / name for name in sorted(files)]
    return found


@contextlib.contextmanager
def open_download(source: Path) -> Iterator[list[Download]]:
    """The files of a zip or a folder (recursively), system litter left out; nothing is read yet."""
    source = Path(source)
    if source.is_dir():
        yield [_folder_file(p) for p in _folder_files(source) if not _litter(p.name)]
        return
    if not source.is_file():
        raise ValueError(f"no such file or folder: {source}")
    try:
        archive = zipfile.ZipFile(source)
    except zipfile.BadZipFile:
        raise ValueError(f"{source} is not a zip file or a folder") from None
    with archive:
        yield [_zip_member(archive, m) for m in archive.infolist() if not m.is_dir() and not _litter(m.filename)]


def _utc(seconds: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(seconds, tz=datetime.timezone.utc)


def _litter(name: str) -> bool:
    return name.startswith("__MACOSX") or Path(name).name.startswith(".")


def student_of(name: str, pattern: str) -> str | None:
    """The student id in a file name, by a preset (plain, canvas) or a regex with (?P<student>...)."""
    match = re.match(PATTERNS.get(pattern, pattern), name)
    return match.group("student") if match else None


def _why_not(item: Download, student: str | None, pattern: str) -> str | None:
    """Why a file of a download is not taken, judged before it is read."""
    if Path(item.name).suffix not in SUFFIXES:
        return "not a notebook (.ipynb) or .py file"
    if item.refused:
        return f"refused: {item.refused}"
    if item.size > MAX_COLLECTED_BYTES:
        return f"refused: larger than {MAX_COLLECTED_BYTES // 1024**2} MiB"
    if student is None:
        return f"no student id in the file name (pattern {pattern})"
    return None


def _newest(items: list[Download], pattern: str, skipped: dict[str, str]) -> dict[str, Download]:
    taken: dict[str, Download] = {}
    for item in items:
        student = student_of(item.name, pattern)
        reason = _why_not(item, student, pattern)
        if reason:
            skipped[item.name] = reason
        elif student in taken and taken[student].modified >= item.modified:
            skipped[item.name] = f"an older file of {student} (the newest is kept)"
        else:
            if student in taken:
                skipped[taken[student].name] = f"an older file of {student} (the newest is kept)"
            taken[student] = item
    return taken


def collect(course: Course, assignment: str, source: Path, pattern: str = "plain") -> CollectReport:
    """Take an LMS download into ``submitted/<student>/<assignment>/``.

    One notebook per student (the newest when a download holds several). Only the files
    taken are read, each at most :data:`MAX_COLLECTED_BYTES`; links and zip bombs are
    refused unread. A submission that replaces a different earlier one moves the earlier
    one to ``gdgrade/archive/`` first.
    """
    require_assignment(course, assignment)
    if pattern not in PATTERNS:
        _check_pattern(pattern)
    notebook_name, skipped, stored = course.notebook_name(assignment), {}, {}
    with open_download(source) as items:
        for student, item in _newest(items, pattern, skipped).items():
            try:
                data = item.read()
            except (ValueError, OSError, zipfile.BadZipFile) as error:
                skipped[item.name] = f"refused: {error}"
                continue
            _store(course, assignment, student, notebook_name, item, data)
            stored[student] = item.name
    return CollectReport(stored, skipped)


def _check_pattern(pattern: str) -> None:
    try:
        compiled = re.compile(pattern)
    except re.error as error:
        raise ValueError(f"--pattern is not a valid regular expression: {error}") from None
    if "student" not in compiled.groupindex:
        raise ValueError("--pattern needs a named group (?P<student>...), or use a preset: plain, canvas")


def _store(course: Course, assignment: str, student: str, notebook_name: str, item: Download, data: bytes) -> None:
    folder = course.submission_dir(student, assignment)
    target = folder / notebook_name
    if target.is_file() and target.read_bytes() == data:
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
    target.write_bytes(data)
    (folder / "timestamp.txt").write_text(item.modified.strftime(TIMESTAMP_FORMAT), encoding="utf-8")
    (folder / "submission_secret.txt").write_text(secrets.token_hex(16), encoding="utf-8")


def submission_timestamp(folder: Path) -> datetime.datetime | None:
    """The time in ``timestamp.txt`` (nbgrader's format), or None."""
    from nbgrader.utils import parse_utc

    try:
        return parse_utc((folder / "timestamp.txt").read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return None
