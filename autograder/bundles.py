"""Submissions of several files: a notebook (or a .py file) with the helper modules beside it.

CS231n, for one, ships ``cs231n/optim.py`` next to its notebooks; a student hands in the
folder or a zip of it. A *bundle* is a ``.zip`` file, or a folder that holds a notebook and
the Python code that notebook imports (a module or package beside it). Its *entry* is what
runs: the one notebook at the top of the bundle, else its one ``.py`` file at the top, else
(only a package inside) the one module of that package, imported with ``from pkg.mod import *``.
Every other file goes into the kernel's working folder first, at the same relative path, so
the student's imports find them.

Reading is bounded and refuses what could make the grader read what it must not: links,
absolute or ``..`` paths, more than :data:`MAX_MEMBERS` files, more than
:data:`MAX_BUNDLE_BYTES` unpacked, and zip members that compress suspiciously well.
"""

from __future__ import annotations

import os
import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from autograder.errors import SubmissionError

MAX_BUNDLE_BYTES = 20 * 1024**2
MAX_MEMBERS = 500
MAX_RATIO = 200
IGNORED_PARTS = ("__MACOSX", ".ipynb_checkpoints", "__pycache__", ".git")
ENTRY_SUFFIXES = (".ipynb", ".py")


@dataclass(frozen=True)
class Bundle:
    """What a multi-file submission holds: the entry to run and the files to put beside it."""

    entry_name: str  # for messages: "hw.ipynb", or "cs231n/optim.py" for a package entry
    entry: bytes | None  # the notebook's or script's bytes; None for a package entry
    module: str | None  # the dotted module a package entry imports everything from
    files: dict[str, bytes]  # relative posix path -> bytes


def is_bundle(path: Path) -> bool:
    """A zip file, or a folder given as one submission."""
    return path.suffix.lower() == ".zip" or (path.is_dir() and not path.is_symlink())


def folder_is_bundle(folder: Path) -> bool:
    """Whether a folder found among submissions is one student's bundle, not a folder of submissions:
    it holds exactly one notebook at its top, and that notebook imports code that lies beside it."""
    notebooks = [p for p in folder.glob("*.ipynb") if p.is_file() and not p.is_symlink()]
    if len(notebooks) != 1:
        return False
    local = {p.stem for p in folder.glob("*.py")} | {p.name for p in folder.iterdir() if _is_package(p)}
    try:
        text = notebooks[0].read_text(encoding="utf-8-sig", errors="replace")[:MAX_BUNDLE_BYTES]
    except OSError:
        return False
    imported = set(re.findall(r"(?:from|import)\s+([A-Za-z_]\w*)", text))
    return bool(local & imported)


def _is_package(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink() and any(path.glob("*.py"))


def _usable(relative: PurePosixPath) -> bool:
    return not any(part in IGNORED_PARTS or part.startswith(".") for part in relative.parts)


def _checked_path(name: str, where: str) -> PurePosixPath:
    relative = PurePosixPath(name.replace("\\", "/"))
    if relative.is_absolute() or ".." in relative.parts or re.match(r"^[A-Za-z]:", name):
        raise SubmissionError(f"{where} holds {name!r}, a path outside itself; nothing in it was graded")
    return relative


def _zip_files(path: Path) -> dict[str, bytes]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise SubmissionError(f"{path.name} is not a readable zip file: {error}") from None
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) > MAX_MEMBERS:
            raise SubmissionError(f"{path.name} holds {len(members)} files; the limit is {MAX_MEMBERS}")
        files, total = {}, 0
        for member in members:
            relative = _checked_path(member.filename, path.name)
            if stat.S_ISLNK(member.external_attr >> 16):
                raise SubmissionError(f"{path.name} holds a symbolic link ({member.filename}); nothing was graded")
            if not _usable(relative):
                continue
            if member.file_size > MAX_RATIO * max(member.compress_size, 1) + 4096:
                raise SubmissionError(f"{path.name}: {member.filename} compresses suspiciously well (a zip bomb?)")
            total += member.file_size
            if total > MAX_BUNDLE_BYTES:
                raise SubmissionError(f"{path.name} unpacks to over {MAX_BUNDLE_BYTES // 1024**2} MiB, the limit")
            with archive.open(member) as handle:
                files[str(relative)] = handle.read(member.file_size + 1)[: member.file_size]
        return files


def _folder_files(folder: Path) -> dict[str, bytes]:
    files, total = {}, 0
    for root, folders, names in os.walk(folder):
        folders[:] = sorted(f for f in folders if _usable(PurePosixPath(f)))
        for name in sorted(names):
            path = Path(root) / name
            relative = PurePosixPath(path.relative_to(folder).as_posix())
            if not _usable(relative):
                continue
            status = path.lstat()
            if stat.S_ISLNK(status.st_mode) or not stat.S_ISREG(status.st_mode) or status.st_nlink > 1:
                raise SubmissionError(f"{folder.name}/{relative} is a link or not a plain file; nothing was graded")
            total += status.st_size
            if len(files) >= MAX_MEMBERS or total > MAX_BUNDLE_BYTES:
                raise SubmissionError(f"{folder.name} is over the bundle limit ({MAX_MEMBERS} files, "
                                      f"{MAX_BUNDLE_BYTES // 1024**2} MiB)")  # fmt: skip
            files[str(relative)] = path.read_bytes()
    return files


def _common_root(files: dict[str, bytes]) -> str:
    """The folder everything sits in when a zip wraps it in one (``hw/...``), else ''."""
    tops = {PurePosixPath(name).parts[0] for name in files}
    if len(tops) != 1 or not all(len(PurePosixPath(name).parts) > 1 for name in files):
        return ""
    root = next(iter(tops)) + "/"
    return "" if root + "__init__.py" in files else root  # a package at the top is code, not a wrapper


def read_bundle(path: Path) -> Bundle:
    """The entry and helper files of a zip or folder submission; SubmissionError naming any problem."""
    files = _zip_files(path) if path.suffix.lower() == ".zip" else _folder_files(path)
    root = _common_root(files)
    files = {name[len(root) :]: data for name, data in files.items()}
    top = sorted(name for name in files if "/" not in name)
    for suffix in ENTRY_SUFFIXES:
        entries = [name for name in top if name.lower().endswith(suffix)]
        if len(entries) == 1:
            entry = entries[0]
            return Bundle(entry, files[entry], None, {k: v for k, v in files.items() if k != entry})
        if len(entries) > 1:
            listed = ", ".join(entries[:5])
            raise SubmissionError(f"{path.name} holds {len(entries)} {suffix} files at its top ({listed}); "
                                  "a submission runs one: hand in only the one to grade with its helpers")  # fmt: skip
    modules = [name for name in files if name.endswith(".py") and not name.endswith("__init__.py")]
    if len(modules) == 1:
        module = modules[0].removesuffix(".py").replace("/", ".")
        return Bundle(modules[0], None, module, files)
    raise SubmissionError(f"{path.name} holds no notebook or Python file to run (a .ipynb or .py at its top)")
