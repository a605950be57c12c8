"""Kernels forked from the fork server: each one is still sandboxed on its own.

The probe below is a student function that reports, from inside its kernel, what it can see
and what it may do (as the message of an exception, which the grader carries back).
"""

import ast
import os
import signal
import time
from pathlib import Path

import pytest

from assignments import source_notebook
from autograder.assignment import builtin_spec
from autograder.sandbox import jobdir as sandbox_module
from autograder.sandbox.backends import Sandbox, preload_for
from autograder.sandbox.forkserver import fork_server_applies
from autograder.sandbox.pool import KernelPool
from autograder.submission import grade_submission

pytestmark = [pytest.mark.sandbox, pytest.mark.skipif(os.geteuid() != 0, reason="the fork server needs root")]

REPORTER = """
import os, resource
from ipykernel.kernelapp import IPKernelApp
job = os.path.dirname(IPKernelApp.instance().connection_file)
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
info = {
    "uid": os.getuid(), "groups": os.getgroups(), "pid": os.getpid(),
    "processes": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
    "tmp": sorted(os.listdir("/tmp")), "work": sorted(os.listdir("/work")),
    "status": {k: v.strip() for k, v in status.items() if k.startswith(("Cap", "NoNewPrivs"))},
    "address_space": resource.getrlimit(resource.RLIMIT_AS)[0],
    "processes_limit": resource.getrlimit(resource.RLIMIT_NPROC)[0],
    "proc_sys_writable": os.access("/proc/sys/kernel", os.W_OK),
    "job_space": sorted(os.listdir(os.path.dirname(os.path.dirname(job)))),
    "work_folder": os.path.basename(os.path.dirname(job)),
}
open("/tmp/left-behind", "w").write("secret")  # for the next job to (not) find
open("/work/left-behind", "w").write("secret")
def momentum_init(w):
    return 0
def momentum_step(w, g, state, lr, momentum=0.9):
    raise RuntimeError(repr(info))
"""


def report(result) -> dict:
    message = next(check.message for check in result.result.checks if "RuntimeError" in check.message)
    return ast.literal_eval(message[message.index("{") : message.rindex("}") + 1])


@pytest.fixture(scope="module")
def pool():
    sandbox = Sandbox("bwrap", preload=preload_for(builtin_spec("03-momentum")))
    assert fork_server_applies(sandbox)
    pool = KernelPool(sandbox)
    yield pool
    pool.close()


@pytest.fixture(scope="module")
def two_jobs(pool, tmp_path_factory):
    student = tmp_path_factory.mktemp("students") / "reporter.py"
    student.write_text(REPORTER)
    spec = builtin_spec("03-momentum")
    return [report(grade_submission(student, spec, pool.sandbox, pool=pool)) for _ in range(2)]


def test_the_kernels_come_from_the_fork_server(pool, two_jobs):
    assert pool.fork_server is not None and pool.fork_server.alive()
    assert Path(pool.fork_server.root).is_mount()


def test_each_job_runs_as_its_own_uid_without_any_capability(two_jobs):
    first, second = two_jobs
    assert first["uid"] != second["uid"] and first["uid"] >= 200_000 and first["groups"] == []
    for job in two_jobs:
        assert {job["status"][k] for k in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")} == {"0000000000000000"}
        assert job["status"]["NoNewPrivs"] == "1"


def test_each_job_sees_only_its_own_processes_and_fresh_scratch_space(two_jobs):
    for job in two_jobs:
        assert job["pid"] == 2 and job["processes"] == [1, 2]  # PID 1 is the job's own init
        assert "left-behind" not in job["work"]
        assert "left-behind" not in job["tmp"]  # the first job's files are gone for the second
        assert job["job_space"] == [job["work_folder"]]  # not the server's socket, not the next job


def test_limits_apply_and_proc_sys_is_read_only(pool, two_jobs):
    for job in two_jobs:
        assert job["address_space"] == pool.sandbox.limits.memory_bytes
        assert job["processes_limit"] == pool.sandbox.limits.processes
        assert job["proc_sys_writable"] is False


def test_a_killed_launcher_takes_its_whole_job_down(pool):
    work, session = pool.take()
    try:
        session.attach(__import__("nbformat").v4.new_notebook())
        with session:
            session.run_extra("import subprocess; child = subprocess.Popen(['sleep', '300'])", 30)
            uid = session.uid
            assert _processes_of(uid)
            os.kill(session.km.provisioner.process.pid, signal.SIGKILL)
            deadline = time.monotonic() + 10
            while _processes_of(uid) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert not _processes_of(uid)
    finally:
        work.cleanup()


def test_a_dead_fork_server_is_replaced(pool):
    old = pool.fork_server
    old.process.kill()
    old.process.wait()
    work, session = pool.take()  # the waiting kernel died with the old server; a new one starts
    try:
        session.close()
    finally:
        work.cleanup()
    pool.take()[1].close()
    assert pool.fork_server is not old and pool.fork_server.alive()
    assert not Path(old.root).exists()


def test_closing_the_pool_stops_the_server_and_releases_its_space():
    sandbox = Sandbox("bwrap", preload=("numpy",))
    pool = KernelPool(sandbox)
    work, session = pool.take()
    session.close()
    work.cleanup()
    server = pool.fork_server
    pool.close()
    assert server.process.poll() is not None and not Path(server.root).exists()


def test_the_fork_server_can_be_turned_off(monkeypatch):
    monkeypatch.setenv("GDGRADE_FORK_SERVER", "0")
    assert not fork_server_applies(Sandbox("bwrap"))
    assert not fork_server_applies(Sandbox("none"))


def test_without_it_each_kernel_is_its_own_bwrap_and_grades_the_same(monkeypatch, tmp_path):
    monkeypatch.setenv("GDGRADE_FORK_SERVER", "0")
    spec = builtin_spec("03-momentum")
    sandbox = Sandbox("bwrap", preload=preload_for(spec))
    pool = KernelPool(sandbox)
    try:
        result = grade_submission(source_notebook("03-momentum"), spec, sandbox, pool=pool)
        assert pool.fork_server is None
        assert result.score == result.max_score and result.execution["sandbox"] == "bwrap"
    finally:
        pool.close()


def test_a_dead_graders_fork_server_space_is_released(tmp_path, monkeypatch):
    base, dead = sandbox_module.tempfile.gettempdir(), 2**22 + 7  # beyond any real pid
    (tmp_path / "mounts").write_text(f"tmpfs {base}/gdgrade-{dead}-zygote-abc tmpfs rw 0 0\n")
    released = []
    monkeypatch.setattr(sandbox_module, "release_job_dir", released.append)
    assert sandbox_module.release_stale_job_dirs(tmp_path / "mounts") == 1
    assert released == [Path(f"{base}/gdgrade-{dead}-zygote-abc")]


def _processes_of(uid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        try:
            if entry.isdigit() and os.stat(f"/proc/{entry}").st_uid == uid:
                found.append(int(entry))
        except OSError:
            continue
    return found


HOLDER = """
import sys, time
from autograder.sandbox.pool import KernelPool
from autograder.sandbox.backends import Sandbox
pool = KernelPool(Sandbox("bwrap", preload=("numpy",)))
work, session = pool.take()
print(session.uid, pool._waiting[0][1].uid, flush=True)
time.sleep(300)
"""


@pytest.mark.parametrize("fork_server", ["1", "0"])
def test_a_killed_grader_leaves_no_kernel_or_fork_server_behind(fork_server, tmp_path):
    import subprocess
    import sys

    environment = dict(os.environ, GDGRADE_FORK_SERVER=fork_server)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER], stdout=subprocess.PIPE, env=environment, text=True)
    uids = [int(uid) for uid in holder.stdout.readline().split()]
    deadline = time.monotonic() + 30
    while not all(_processes_of(uid) for uid in uids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(_processes_of(uid) for uid in uids)  # the kernel in use and the one waiting
    sandboxes = _sandboxes_below(holder.pid)
    assert sandboxes
    holder.kill()
    holder.wait()
    deadline = time.monotonic() + 10
    while (_alive(sandboxes) or any(_processes_of(uid) for uid in uids)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(sandboxes) and not any(_processes_of(uid) for uid in uids)


def _sandboxes_below(pid: int) -> list[int]:
    """The bwrap processes among the children of ``pid``."""
    found = []
    for entry in os.listdir("/proc"):
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            if entry.isdigit() and int(stat.rsplit(")", 1)[1].split()[1]) == pid and "(bwrap)" in stat:
                found.append(int(entry))
        except (OSError, ValueError):
            continue
    return found


def _alive(pids: list[int]) -> bool:
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            return True
    return False
