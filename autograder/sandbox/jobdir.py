"""A job's own ground: its folder, its uid, its capped mounts, and the processes it leaves.

As root every job gets a fresh uid (so per-uid limits such as RLIMIT_NPROC stay per job)
and a size-capped tmpfs for its folder; what a killed grader left behind is found by the
grading process's id in the folder's name and released.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

SANDBOX_UID = 65534  # nobody: inside an unprivileged user namespace
JOB_UIDS = range(200_000, 260_000)  # as root: one unused uid per job, so per-uid limits stay per job


def limit_job_dir(job_dir: Path, uid: int, size: int) -> bool:
    """As root, put a size-capped tmpfs on the job folder, so no student can fill the host's disk
    through it. Returns whether it is mounted (False where mounting is not allowed)."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    options = f"size={size},mode=0700,uid={uid},gid={uid},nosuid,nodev"
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(job_dir)], capture_output=True)
    return done.returncode == 0


def release_job_dir(job_dir: Path) -> None:
    """Unmount what :func:`limit_job_dir` mounted (lazily: nothing may still use it)."""
    subprocess.run(["umount", "-l", str(job_dir)], capture_output=True)


WORK_PREFIX = "gdgrade-"


def work_dir_prefix() -> str:
    """Prefix of a job's work folder; it names the grading process, so leftovers can be found."""
    return f"{WORK_PREFIX}{os.getpid()}-"


class WorkFolder:
    """A job's private work folder, removed by ``cleanup()`` (after the kernel's session closed
    and unmounted its job folder). Unlike TemporaryDirectory it has no exit-time finalizer,
    which could run before the session is closed and trip over the still-mounted job folder."""

    def __init__(self, parent: Path | None = None):
        self.name = tempfile.mkdtemp(prefix=work_dir_prefix(), dir=parent)

    def cleanup(self) -> None:
        """Remove the folder and everything in it."""
        shutil.rmtree(self.name, ignore_errors=True)


def release_stale_job_dirs(mounts: Path = Path("/proc/self/mounts")) -> int:
    """Unmount and delete the job folders of grading processes that no longer run (a killed
    grader cannot clean up after itself). Returns how many were released."""
    pattern = re.compile(rf"^{re.escape(tempfile.gettempdir())}/{WORK_PREFIX}(\d+)-[^/]+(/job)?$")
    released = 0
    try:
        lines = mounts.read_text().splitlines()
    except OSError:
        return 0
    for line in lines:
        fields = line.split()
        match = pattern.match(fields[1]) if len(fields) > 2 and fields[2] == "tmpfs" else None
        if match and not Path(f"/proc/{match.group(1)}").exists():
            release_job_dir(Path(fields[1]))  # a job folder, or a fork server's folder of them
            shutil.rmtree(Path(fields[1]).parent if match.group(2) else Path(fields[1]), ignore_errors=True)
            released += 1
    return released


def remove_stale_work_folders(folder: Path | None = None) -> int:
    """Delete the work folders of grading processes that no longer run (whatever the backend:
    a kernel that died at start-up, or a grader that was killed). Returns how many went."""
    pattern = re.compile(rf"^{re.escape(WORK_PREFIX)}(\d+)-")
    removed = 0
    for entry in Path(folder or tempfile.gettempdir()).iterdir():
        match = pattern.match(entry.name)
        if not match or int(match.group(1)) == os.getpid() or Path(f"/proc/{match.group(1)}").exists():
            continue
        with contextlib.suppress(OSError):
            if entry.is_dir() and not entry.is_symlink():
                for mounted in (entry / "job", entry):
                    release_job_dir(mounted)
                shutil.rmtree(entry, ignore_errors=True)
                removed += 1
    return removed


def job_uid() -> int:
    """The uid a new job's kernel runs as: a fresh one per job when we are root."""
    if os.geteuid() != 0:
        return SANDBOX_UID
    return secrets.choice(JOB_UIDS)


def prepare_job_dir(job_dir: Path, uid: int) -> Path:
    """Create the job's private, writable directory, owned by the job's user."""
    job_dir.mkdir(parents=True, exist_ok=True)
    job_dir.chmod(0o700)
    if os.geteuid() == 0:
        os.chown(job_dir, uid, uid)
    return job_dir


def _process_table() -> dict[int, tuple[int, int]]:
    """pid -> (real uid, parent pid) for every process we can see."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = dict(
                line.split(":", 1) for line in Path(f"/proc/{entry}/status").read_text().splitlines() if ":" in line
            )
            table[int(entry)] = (int(fields["Uid"].split()[0]), int(fields["PPid"]))
        except (OSError, KeyError, ValueError):
            continue  # the process ended while we looked
    return table


def reap_strays(uid: int) -> int:
    """Kill every process of the job's uid whose parent is also the job's: what the student's
    code started (the kernel's parent is the sandbox itself). Returns how many were killed."""
    table = _process_table()
    owned = {pid for pid, (owner, _) in table.items() if owner == uid}
    strays = [pid for pid in owned if table[pid][1] in owned]
    for pid in strays:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    return len(strays)
