"""The results journal: one JSON file per student, written atomically, reused only by key.

Each result is written the moment it is known (temporary file, fsync, rename: a crash
leaves the old file or the new one, never half) and tagged with a *grade key*: a hash of
everything the grade depends on (:func:`autograder.batch.grade_key`). A re-run reuses a
stored result only under the same key, so an interrupted batch resumes and a changed file
is graded again.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from autograder.results import SubmissionResult


@functools.cache
def created_file_mode() -> int:
    """The permissions a file created the ordinary way gets (0o666 less the umask), read
    without changing the umask where Linux shows it."""
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii").splitlines()
        umask = next(int(line.split()[1], 8) for line in status if line.startswith("Umask:"))
    except (OSError, StopIteration, ValueError, IndexError):
        umask = os.umask(0o022)
        os.umask(umask)
    return 0o666 & ~umask


def replace_atomically(path: Path, write: Callable, mode: str = "w", shared: bool = False) -> None:
    """Write ``path`` through ``write(handle)`` so that a crash leaves the old file or the new one.

    ``shared``: the file gets the permissions of any other file gdgrade writes (results and
    reports alike); otherwise it stays the owner's only (a cache of reference numbers).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        if shared:
            os.fchmod(descriptor, created_file_mode())
        with os.fdopen(descriptor, mode, **({"encoding": "utf-8"} if "b" not in mode else {})) as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def json_safe(value):
    """``value`` with every NaN or infinity replaced by None (JSON has neither)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(item) for item in value]
    return value


def write_atomically(path: Path, payload: dict) -> None:
    """Write JSON so that a crash leaves either the old file or the new one, never half."""
    text = json.dumps(json_safe(payload), indent=1, allow_nan=False)
    replace_atomically(path, lambda handle: handle.write(text), shared=True)


def read_result(path: Path) -> SubmissionResult | None:
    """A stored result, or None when there is none (or it is damaged)."""
    try:
        return SubmissionResult.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def load_result(path: Path, key: str) -> SubmissionResult | None:
    """A stored result graded from the same submission, spec, code and limits (see grade_key), or None."""
    stored = read_result(path)
    return stored if stored is not None and stored.grade_key == key else None


def file_digest(path: Path) -> str:
    """sha256 of a file's bytes, or of a folder's files and their paths (an unreadable file has a
    digest of its error)."""
    if path.is_dir() and not path.is_symlink():
        return _folder_digest(path)
    try:
        with open(path, "rb", opener=lambda name, flags: os.open(name, flags | os.O_NOFOLLOW)) as handle:
            digest = hashlib.sha256()
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
            return digest.hexdigest()
    except OSError as error:
        return f"unreadable:{error.errno}"


def _folder_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for root, folders, files in os.walk(folder):
        folders.sort()
        for name in sorted(files):
            path = Path(root) / name
            digest.update(f"{path.relative_to(folder).as_posix()}\0{file_digest(path)}\0".encode())
    return digest.hexdigest()
