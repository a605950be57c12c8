"""How a student's kernel is started: the sandbox's command line and limits.

Backends:

* ``bwrap`` (default where bubblewrap exists): an allowlist of read-only mounts (system
  directories and the Python installation only; never the grader's code, the specs or
  other submissions), a private /tmp, one writable job directory, no network (a new
  network namespace), its own PID/IPC/UTS namespaces, a scrubbed environment, and the
  kernel running as uid 65534 with no capabilities and ``no_new_privs``. Limits come from
  ``prlimit`` (address space, CPU time, file size, processes, open files, no core dumps).
  As root, a grading process forks its kernels from a fork server instead (same
  isolation, built by each forked job itself; see :mod:`autograder.sandbox.forkserver`).
* ``docker``: one container per submission from the image docker-compose.yml builds
  (network none, read-only root, non-root, cap_drop ALL); the kernel talks over IPC
  sockets in the bind-mounted job directory.
* ``none``: the kernel runs as a plain child process. Explicit only; prints a warning.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from autograder.errors import UsageError
from autograder.sandbox.jobdir import SANDBOX_UID

BACKENDS = ("bwrap", "docker", "none")
WORK_DIR = "/work"  # the kernel's working folder: a capped tmpfs inside the sandbox
KERNEL_ENV = {
    "HOME": "/tmp",
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "MPLBACKEND": "Agg",
    "MPLCONFIGDIR": "/tmp",
    "PYTHONHASHSEED": "0",
    "CUBLAS_WORKSPACE_CONFIG": ":4096:8",
    "PYTHONDONTWRITEBYTECODE": "1",
}


# What every kernel imports as it boots, before any client connects, unless the assignment
# says otherwise: numpy, torch and torch's lazily imported optimizer machinery (dynamo).
DEFAULT_PRELOAD = ("numpy", "torch", "torch._dynamo")
GRADER_PACKAGES = ("reference", "autograder", "assignments")  # never visible to student code
_LAUNCH = """
try:
    install_filter()
except OSError as error:
    if {required!r}:
        raise SystemExit("gdgrade: the kernel cannot start without its seccomp filter: %s" % error)
import importlib, runpy, sys
for name in {modules!r}:
    try:
        importlib.import_module(name)
    except ImportError:
        pass
sys.argv[0] = "ipykernel_launcher"
runpy.run_module("ipykernel_launcher", run_name="__main__", alter_sys=True)"""


@functools.cache
def seccomp_source() -> str:
    """The seccomp filter module's source, for programs that run where gdgrade is not importable."""
    from autograder.sandbox import seccomp

    return Path(seccomp.__file__).read_text(encoding="utf-8")


TORCH_CONVENTIONS = ("torch-optimizer", "torch-scheduler", "torch-train")


def preload_for(spec) -> tuple[str, ...]:
    """What a waiting kernel imports for an assignment: the spec's list, else numpy, plus torch
    (and its optimizer machinery) for torch questions."""
    if spec.preload is not None:
        return spec.preload
    uses_torch = any(q.convention in TORCH_CONVENTIONS for q in spec.questions)
    return DEFAULT_PRELOAD if uses_torch else ("numpy",)


def launch_code(preload: tuple[str, ...], filter_required: bool = True) -> str:
    """The kernel's ``python -c`` program: the user-namespace filter, ``preload`` (what is
    installed), then ipykernel. Without ``filter_required`` a missing filter is not fatal."""
    return seccomp_source() + _LAUNCH.format(modules=tuple(preload), required=filter_required)


def hidden_grader_code(prefixes: list[str]) -> list[str]:
    """Folders of gdgrade's own packages that lie inside mounted Python installations (a
    non-editable install): the sandbox covers each with an empty tmpfs."""
    import importlib.util

    hidden = []
    for name in GRADER_PACKAGES:
        spec = importlib.util.find_spec(name)
        for folder in (spec.submodule_search_locations or []) if spec else []:
            folder = os.path.realpath(folder)
            if any(folder.startswith(prefix + os.sep) for prefix in prefixes):
                hidden.append(folder)
    return hidden


@dataclass(frozen=True)
class Limits:
    """Resource limits for one submission's kernel."""

    memory_bytes: int = 4 * 1024**3  # address space; torch alone maps ~0.7 GiB
    cpu_seconds: int = 600
    file_size_bytes: int = 64 * 1024**2
    scratch_bytes: int = 256 * 1024**2  # each of the kernel's writable folders, /tmp and /work
    job_dir_bytes: int = 16 * 1024**2  # the shared job folder (connection file, sockets), as root
    processes: int = 64
    open_files: int = 256
    cell_timeout: float = 60.0  # seconds per notebook cell
    submission_timeout: float = 300.0  # seconds for all of a submission's cells
    grading_timeout: float = 300.0  # seconds for all of the grader's probes of one submission

    def __post_init__(self):
        for name in ("cell_timeout", "submission_timeout", "grading_timeout"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and value > 0 and value == value and value != float("inf")):
                raise UsageError(f"{name.replace('_', '-')} must be a positive number of seconds, got {value!r}")

    def rlimits(self) -> dict[str, int]:
        """The kernel's resource limits, by their ``resource`` module names (no core dumps)."""
        return {
            "RLIMIT_AS": self.memory_bytes,
            "RLIMIT_CPU": self.cpu_seconds,
            "RLIMIT_FSIZE": self.file_size_bytes,
            "RLIMIT_NPROC": self.processes,
            "RLIMIT_NOFILE": self.open_files,
            "RLIMIT_CORE": 0,
        }


@dataclass(frozen=True)
class Sandbox:
    """A backend and its limits; ``kernel_argv`` is the kernel's command line."""

    backend: str = "bwrap"
    limits: Limits = field(default_factory=Limits)
    image: str = "gdgrade-grader:latest"
    gpu: bool = False
    preload: tuple[str, ...] = DEFAULT_PRELOAD  # modules a kernel imports while it waits in the pool

    def __post_init__(self):
        if self.backend not in BACKENDS:
            raise UsageError(f"unknown sandbox {self.backend!r}; choose one of {', '.join(BACKENDS)}")

    def device(self) -> str:
        """The torch device this sandbox gives student code, as the grader sees it (not as a kernel claims).

        A bwrap sandbox has its own minimal /dev without GPUs; docker and ``none`` reach an
        NVIDIA GPU when one is there (docker only when asked to pass it through).
        """
        if self.backend == "bwrap" or (self.backend == "docker" and not self.gpu):
            return "cpu"
        return "cuda" if Path("/dev/nvidiactl").exists() else "cpu"

    def kernel_argv(self, job_dir: Path, uid: int = SANDBOX_UID) -> list[str]:
        """The command that starts an ipykernel for this backend; ``{connection_file}`` stays.

        ``uid`` is who the kernel runs as. RLIMIT_NPROC counts every process of a uid, so
        concurrent jobs get different uids: one fork bomb cannot starve another job.
        """
        if self.backend == "none":
            return [sys.executable, "-c", launch_code(self.preload, filter_required=False), "-f", "{connection_file}"]
        kernel = [sys.executable, "-c", launch_code(self.preload), "-f", "{connection_file}"]
        if self.backend == "docker":
            return self._docker_argv(job_dir, uid)
        return die_with_grader() + self._prlimit_argv() + self._bwrap_argv(job_dir) + _drop_privileges(uid) + kernel

    def _prlimit_argv(self) -> list[str]:
        flags = [f"--{name.removeprefix('RLIMIT_').lower()}={value}" for name, value in self.limits.rlimits().items()]
        return ["prlimit", *flags, "--"]

    def _docker_ulimits(self) -> list[str]:
        """The rlimits docker can set (the address space is capped by --memory instead)."""
        names = {"RLIMIT_CPU": "cpu", "RLIMIT_FSIZE": "fsize", "RLIMIT_NOFILE": "nofile", "RLIMIT_CORE": "core"}
        limits = self.limits.rlimits()
        return [option for rlimit, name in names.items() for option in ("--ulimit", f"{name}={limits[rlimit]}")]

    def fork_server_argv(self, root: Path, program: list[str]) -> list[str]:
        """bwrap around a kernel fork server: the kernel's sandbox, run as root with its
        capabilities (each job drops them, see :mod:`autograder.sandbox.forkserver_main`) and the
        server's whole folder of job folders in place of one job folder."""
        return die_with_grader() + self._bwrap_argv(root, ["--cap-add", "ALL"], chdir="/") + program

    def _bwrap_argv(self, job_dir: Path, extra: list[str] = (), chdir: str = WORK_DIR) -> list[str]:
        argv = ["bwrap", *extra, "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts"]
        argv += ["--unshare-cgroup-try"]
        argv += ["--die-with-parent", "--new-session", "--hostname", "sandbox", "--clearenv"]
        for name, value in KERNEL_ENV.items():
            argv += ["--setenv", name, value]
        argv += ["--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc", "--dev", "/dev", "--proc", "/proc"]
        scratch = ["--size", str(self.limits.scratch_bytes)] if bwrap_sizes_tmpfs() else []
        argv += ["--perms", "1777", *scratch, "--tmpfs", "/tmp", "--perms", "1777", *scratch, "--tmpfs", WORK_DIR]
        for top in ("/bin", "/sbin", "/lib", "/lib64", "/lib32"):
            argv += _system_link(top)
        prefixes = python_prefixes()
        for prefix in prefixes:
            argv += _traversable_parents(prefix) + ["--ro-bind", prefix, prefix]
        for folder in hidden_grader_code(prefixes):
            argv += ["--perms", "0555", "--tmpfs", folder]
        if os.geteuid() != 0:  # unprivileged: a user namespace maps us to the sandbox uid
            argv += ["--unshare-user", "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID)]
        argv += _traversable_parents(str(job_dir))
        return argv + ["--bind", str(job_dir), str(job_dir), "--chdir", chdir, "--"]

    def _docker_argv(self, job_dir: Path, uid: int) -> list[str]:
        from autograder.sandbox.containers import LABEL, container_name, grader_label, image_grader_folders

        argv = ["docker", "run", "--rm", "-i", "--network", "none", "--read-only", "--init"]
        argv += ["--name", container_name(job_dir), "--label", f"{LABEL}={grader_label()}"]
        argv += ["--user", f"{uid}:{uid}", "--cap-drop", "ALL", "--security-opt", "no-new-privileges"]
        argv += ["--memory", str(self.limits.memory_bytes), "--memory-swap", str(self.limits.memory_bytes)]
        argv += ["--pids-limit", str(self.limits.processes), *self._docker_ulimits()]
        argv += ["--tmpfs", f"/tmp:rw,size={self.limits.scratch_bytes}", "--tmpfs",
                 f"{WORK_DIR}:rw,size={self.limits.scratch_bytes},uid={uid},gid={uid}"]  # fmt: skip
        argv += ["-v", f"{job_dir}:{job_dir}", "-w", WORK_DIR, *docker_environment()]
        for folder in image_grader_folders(self.image, GRADER_PACKAGES):  # the student never sees gdgrade
            argv += ["--tmpfs", f"{folder}:ro,size=4k"]
        if self.gpu:
            argv += ["--gpus", "1"]
        argv += ["--entrypoint", "python"]  # the image's entry point is gdgrade itself
        return argv + [self.image, "-c", launch_code(self.preload), "-f", "{connection_file}"]


def docker_environment() -> list[str]:
    """``-e`` options giving a kernel's container the kernel environment. The image's own PATH
    stays (it finds the image's Python); its PYTHONPATH, which finds gdgrade, is emptied."""
    options = ["-e", "PYTHONPATH="]
    for name, value in KERNEL_ENV.items():
        if name != "PATH":
            options += ["-e", f"{name}={value}"]
    return options


def die_with_grader() -> list[str]:
    """A prefix that kills the sandbox when the grading process dies, even by SIGKILL.

    bwrap's ``--die-with-parent`` ties the sandboxed program to bwrap, not bwrap to the
    grader: without this, a killed grader could leave its kernels (and fork server) running.
    """
    return ["setpriv", "--pdeathsig", "KILL", "--"] if shutil.which("setpriv") else []


def _system_link(path: str) -> list[str]:
    if os.path.islink(path):
        return ["--symlink", os.readlink(path), path]
    if os.path.isdir(path):
        return ["--ro-bind", path, path]
    return []


def _traversable_parents(path: str) -> list[str]:
    """Create the mount point's parents as 0755: bwrap would make them 0700, which the
    sandbox user cannot walk through (e.g. /root for a pyenv interpreter)."""
    argv = []
    for parent in reversed(Path(path).parents[:-1]):  # top-down, without "/"
        if str(parent) not in ("/tmp", "/usr", "/etc") and not str(parent).startswith(("/usr/", "/etc/")):
            argv += ["--perms", "0755", "--dir", str(parent)]
    return argv


@functools.cache
def bwrap_sizes_tmpfs() -> bool:
    """bubblewrap >= 0.5 can cap a tmpfs (``--size``); older ones cannot."""
    try:
        shown = subprocess.run(["bwrap", "--help"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return False
    return "--size" in shown.stdout + shown.stderr


def _drop_privileges(uid: int) -> list[str]:
    """As root, bwrap builds the mounts and setpriv then becomes ``uid`` for good.

    A non-root real uid is what makes RLIMIT_NPROC bite (it is ignored for root).
    """
    if os.geteuid() != 0:
        return []
    uid = str(uid)
    return ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--inh-caps=-all"] + [
        "--bounding-set=-all",
        "--no-new-privs",
    ]


def python_prefixes() -> list[str]:
    """The directories the kernel's Python needs: its installation and its virtualenv."""
    candidates = {sys.prefix, sys.base_prefix, str(Path(sys.executable).resolve().parents[1])}
    resolved = sorted({str(Path(p).resolve()) for p in candidates})
    return [p for p in resolved if not any(p != q and p.startswith(q + os.sep) for q in resolved)]


def available_backend() -> str:
    """``bwrap`` when bubblewrap, prlimit (and setpriv as root) are installed, else ``none``."""
    needed = ["bwrap", "prlimit"] + (["setpriv"] if os.geteuid() == 0 else [])
    return "bwrap" if all(shutil.which(tool) for tool in needed) else "none"


def docker_engine_running() -> bool:
    """True when the docker CLI can reach a running engine."""
    if not shutil.which("docker"):
        return False
    return subprocess.run(["docker", "info"], capture_output=True, timeout=20).returncode == 0
