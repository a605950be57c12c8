"""Collecting an LMS download (a zip or a folder) into ``submitted/<student>/<assignment>/``.

Only what is taken is read: the download's listing decides first (one notebook per student,
the newest), non-notebooks are skipped unread, links and zip bombs are refused, and every
file taken is read at most :data:`MAX_COLLECTED_BYTES`.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import os
import re
import secrets
import shutil
import stat
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from autograder.course.layout import TIMESTAMP_FORMAT, Course, require_assignment
from autograder.errors import UsageError

PATTERNS = {
    # alice.ipynb, alice_04-adaptive.ipynb, alice-submission.ipynb -> alice; 김민준.ipynb -> 김민준
    "plain": r"^(?P<student>(?:[^\W_]|\.)+?)(?:[_\- ].*)?\.(?:ipynb|py)$",
    # Canvas: lastfirst_12345_67890_name.ipynb, lastfirst_LATE_12345_67890_name.ipynb -> 12345
    "canvas": r"^[^_]+_(?:LATE_)?(?P<student>\d+)_\d+_.*\.(?:ipynb|py)$",
}


MAX_COLLECTED_BYTES = 100 * 1024**2  # one file of a download; a notebook's saved outputs count here
MAX_RATIO = 200  # a zip member this much bigger than its compressed size is a zip bomb, not a notebook
SUFFIXES = (".ipynb", ".py", ".zip")  # a student's zip: a notebook with its helper modules (see autograder.bundles)


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
        raise UsageError(f"no such file or folder: {source}")
    try:
        archive = zipfile.ZipFile(source)
    except zipfile.BadZipFile:
        raise UsageError(f"{source} is not a zip file or a folder") from None
    with archive:
        yield [_zip_member(archive, m) for m in archive.infolist() if not m.is_dir() and not _litter(m.filename)]


def _utc(seconds: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(seconds, tz=datetime.timezone.utc)


def _litter(name: str) -> bool:
    return name.startswith("__MACOSX") or Path(name).name.startswith(".")


def student_of(name: str, pattern: str) -> str | None:
    """The student id in a file name, by a preset (plain, canvas) or a regex with (?P<student>...)."""
    match = re.match(PATTERNS.get(pattern, pattern), unicodedata.normalize("NFC", name))  # macOS zips: NFD
    return match.group("student") if match else None


def _why_not(item: Download, student: str | None, pattern: str) -> str | None:
    """Why a file of a download is not taken, judged before it is read."""
    if Path(item.name).suffix not in SUFFIXES:
        return "not a notebook (.ipynb), .py or .zip file"
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


def collect(course: Course, assignment: str, source: Path, pattern: str = "plain",
            only: set[str] | None = None) -> CollectReport:  # fmt: skip
    """Take an LMS download into ``submitted/<student>/<assignment>/``.

    One notebook per student (the newest when a download holds several). Only the files
    taken are read, each at most :data:`MAX_COLLECTED_BYTES`; links and zip bombs are
    refused unread. A submission that replaces a different earlier one moves the earlier
    one to ``gdgrade/archive/`` first. ``only`` (the roster, for ``--strict``) skips, unread,
    the files of every other id.
    """
    require_assignment(course, assignment)
    if pattern not in PATTERNS:
        _check_pattern(pattern)
    notebook_name, skipped, stored = course.notebook_name(assignment), {}, {}
    with open_download(source) as items:
        for student, item in _newest(items, pattern, skipped).items():
            if only is not None and student not in only:
                skipped[item.name] = f"{student} is not on the roster (--strict)"
                continue
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
        raise UsageError(f"--pattern is not a valid regular expression: {error}") from None
    if "student" not in compiled.groupindex:
        raise UsageError("--pattern needs a named group (?P<student>...), or use a preset: plain, canvas")


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
