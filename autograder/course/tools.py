"""The programs nbgrader runs by name (``alembic``), found in gdgrade's own environment.

nbgrader creates and migrates its gradebook by running ``alembic`` from PATH. Installed with
pipx, or run as ``.venv/bin/gdgrade`` without activating the environment, that program is
not on PATH and every release fails. :func:`own_tools_on_path` puts the folder that holds
each tool's console script (read from its distribution's file list) in front of PATH.
"""

from __future__ import annotations

import functools
import importlib.metadata
import os
import sys
from pathlib import Path

TOOLS = {"alembic": "alembic"}  # console script -> the distribution that installs it


def tool_folder(script: str, distribution: str) -> Path | None:
    """The folder of ``script`` as ``distribution`` installed it (else beside this Python), or None."""
    try:
        dist = importlib.metadata.distribution(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None
    metadata = getattr(dist, "_path", None)  # the .dist-info folder, through any link to it
    sites = [Path(metadata).resolve().parent] if metadata else []
    for file in dist.files or []:
        if file.name not in (script, f"{script}.exe") or file.parent.name not in ("bin", "Scripts"):
            continue
        for located in [*(site / file for site in sites), Path(file.locate())]:
            if located.resolve().is_file():
                return located.resolve().parent
    beside = Path(sys.executable).parent / script
    return beside.parent if beside.is_file() else None


@functools.cache
def own_tools_on_path() -> None:
    """Prepend the folders of nbgrader's tools to PATH (once), for every subprocess started later."""
    folders = [str(folder) for script, dist in TOOLS.items() if (folder := tool_folder(script, dist))]
    current = os.environ.get("PATH", "").split(os.pathsep)
    missing = [folder for folder in dict.fromkeys(folders) if folder not in current]
    if missing:
        os.environ["PATH"] = os.pathsep.join([*missing, *current])


def open_gradebook(db_url: str):
    """nbgrader's Gradebook on ``db_url``, with its tools found."""
    from nbgrader.api import Gradebook

    own_tools_on_path()
    return Gradebook(db_url)
