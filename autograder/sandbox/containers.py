"""The docker backend's containers: named and labelled per job, removed when the job ends.

``docker run --rm`` removes a container when it exits, but not when its client is killed (as
a kernel's client is at a deadline, or with the grader): the engine keeps it running. Every
container gdgrade starts carries the grading process's id in a label and a name of its own;
the session removes it when the job ends, and each new pool removes those of graders that no
longer run. The grader packages the image holds are covered inside the container, as the
bwrap sandbox covers them.
"""

from __future__ import annotations

import functools
import json
import os
import socket
import subprocess
from pathlib import Path

LABEL = "gdgrade.grader"  # "<host>:<pid>" of the grading process that started the container


def grader_label() -> str:
    """This grading process, as its containers' label says it."""
    return f"{socket.gethostname()}:{os.getpid()}"


def container_name(job_dir: Path) -> str:
    """A container's name, unique per job: the job folder's, which names the grading process."""
    return "gdgrade-" + job_dir.parent.name.removeprefix("gdgrade-")


def remove_container(name: str) -> None:
    """Remove a job's container, running or not (nothing happens if it is gone)."""
    subprocess.run(["docker", "rm", "-f", name], capture_output=True, timeout=60)


def _running_here(label: str) -> bool:
    host, _, pid = label.rpartition(":")
    return host != socket.gethostname() or (pid.isdigit() and Path(f"/proc/{pid}").exists())


def remove_stale_containers() -> int:
    """Remove the containers of grading processes on this host that no longer run; how many went."""
    try:
        listed = subprocess.run(["docker", "ps", "-a", "--filter", f"label={LABEL}", "--format", "{{json .}}"],
                                capture_output=True, text=True, timeout=60)  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return 0
    stale = []
    for line in listed.stdout.splitlines():
        row = json.loads(line)
        labels = dict(item.split("=", 1) for item in row.get("Labels", "").split(",") if "=" in item)
        if not _running_here(labels.get(LABEL, "")):
            stale.append(row["ID"])
    if stale:
        subprocess.run(["docker", "rm", "-f", *stale], capture_output=True, timeout=120)
    return len(stale)


@functools.cache
def image_grader_folders(image: str, packages: tuple[str, ...]) -> tuple[str, ...]:
    """Where the image holds gdgrade's own packages (to cover them in every kernel's container)."""
    program = (f"import importlib.util as u\nfor n in {packages!r}:\n    s = u.find_spec(n)\n"
               "    print(*(s.submodule_search_locations or []) if s else [], sep='\\n')")  # fmt: skip
    done = subprocess.run(["docker", "run", "--rm", "--network", "none", "--entrypoint", "python", image, "-c",
                           program], capture_output=True, text=True, timeout=300)  # fmt: skip
    return tuple(line for line in done.stdout.splitlines() if line.startswith("/"))
