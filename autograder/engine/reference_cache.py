"""Reference numbers computed once per assignment, and kept on disk by a hash of the spec.

What a probe expects (the reference run, the expected replay, the reference training
losses, a catalog mistake's numbers for diagnosis) depends on the spec and on gdgrade's
own code, never on the student. So the first submission graded computes them, and every
later one, in any worker process and in any later run, reads them back.

One ``.npz`` file per (spec, code) pair lives in ``$GDGRADE_CACHE_DIR`` (default
``~/.cache/gdgrade/references``); the name hashes the spec's content together with the
source of ``reference/`` and the check kinds, so editing either starts a fresh file. Only
numbers are stored (``allow_pickle=False``). The cache can only make grading faster: a
file that cannot be read is ignored and one that cannot be written is skipped, and the
numbers are computed as if there were no cache.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import zipfile
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from pathlib import Path

import numpy as np

from autograder.journal import replace_atomically

MAX_ENTRY_BYTES = 8 * 1024**2  # bigger results are cheaper to recompute than to store with every save
_ACTIVE: ContextVar[ReferenceCache | None] = ContextVar("gdgrade_reference_cache", default=None)


def cache_dir() -> Path:
    """Where cache files live: ``$GDGRADE_CACHE_DIR``, else the user's cache folder."""
    configured = os.environ.get("GDGRADE_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "gdgrade" / "references"


@functools.cache
def code_fingerprint() -> str:
    """A hash of the code reference numbers come from: ``reference/`` and the engine (read, not imported)."""
    import reference

    digest = hashlib.sha256()
    for folder in (Path(reference.__file__).parent, Path(__file__).parent):
        for path in sorted(folder.rglob("*.py")):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class ReferenceCache:
    """One spec's remembered numbers: in memory, loaded from and saved to one file."""

    def __init__(self, path: Path | None):
        self.path, self.entries, self.unsaved = path, {}, False
        if path is not None:
            self.entries = _read(path)

    def remember(self, key: str, compute: Callable[[], tuple[np.ndarray, ...]]) -> tuple[np.ndarray, ...]:
        """The arrays stored under ``key``, computing (and keeping) them the first time."""
        name = hashlib.sha256(key.encode()).hexdigest()[:24]
        if name in self.entries:
            return self.entries[name]
        arrays = tuple(np.asarray(array) for array in compute())
        for array in arrays:
            array.setflags(write=False)  # shared by every later submission: nobody may change it
        if all(a.dtype.kind in "biuf" for a in arrays) and sum(a.nbytes for a in arrays) <= MAX_ENTRY_BYTES:
            self.entries[name], self.unsaved = arrays, True
        return arrays

    def save(self) -> None:
        """Write new entries (merged with what other processes saved meanwhile); never raises."""
        if self.path is None or not self.unsaved:
            return
        try:
            _write(self.path, _read(self.path) | self.entries)
        except OSError:
            return  # a read-only or full cache folder: grading goes on without
        self.unsaved = False


def _read(path: Path) -> dict[str, tuple[np.ndarray, ...]]:
    """Entries of a cache file (array ``name-i`` is part i of entry ``name``); damaged counts as empty."""
    try:
        with np.load(path, allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in stored.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError):
        return {}
    parts: dict[str, dict[int, np.ndarray]] = {}
    for name, array in arrays.items():
        entry, _, index = name.rpartition("-")
        parts.setdefault(entry, {})[int(index)] = array
    for array in arrays.values():
        array.setflags(write=False)
    return {entry: tuple(found[i] for i in sorted(found)) for entry, found in parts.items()}


def _write(path: Path, entries: dict[str, tuple[np.ndarray, ...]]) -> None:
    arrays = {f"{name}-{index}": array for name, value in entries.items() for index, array in enumerate(value)}
    replace_atomically(path, lambda handle: np.savez(handle, **arrays), mode="wb")


_OPEN: dict[str, ReferenceCache] = {}


def cache_for(spec) -> ReferenceCache:
    """This process's cache for a spec (read from disk the first time it is asked for)."""
    name = f"{spec.fingerprint()}-{code_fingerprint()}"
    if name not in _OPEN:
        folder = cache_dir()
        _OPEN[name] = ReferenceCache(folder / f"{name}.npz")
    return _OPEN[name]


@contextlib.contextmanager
def using(cache: ReferenceCache) -> Iterator[ReferenceCache]:
    """Make ``cache`` the one :func:`remembered` uses in the block; save it afterwards."""
    token = _ACTIVE.set(cache)
    try:
        yield cache
    finally:
        _ACTIVE.reset(token)
        cache.save()


def remembered(key: str, compute: Callable[[], tuple[np.ndarray, ...]]) -> tuple[np.ndarray, ...]:
    """``compute()`` (a tuple of arrays), or its stored result when a cache is active and has ``key``."""
    cache = _ACTIVE.get()
    return tuple(compute()) if cache is None else cache.remember(key, compute)


def remembered_array(key: str, compute: Callable[[], np.ndarray]) -> np.ndarray:
    """:func:`remembered` for a single array."""
    return remembered(key, lambda: (compute(),))[0]


def remembered_per_mistake(produce: Callable, key: str) -> Callable:
    """``produce(mistake)``, with each mistake's numbers kept under ``key`` and the mistake's id."""
    return lambda mistake: remembered_array(f"{key}|{mistake.id}", lambda: produce(mistake))
