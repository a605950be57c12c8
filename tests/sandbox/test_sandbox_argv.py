"""The sandbox's command line: namespaces, limits, mounts and the per-job user."""

import os
import sys
from pathlib import Path

import pytest

from autograder.sandbox.backends import (
    DEFAULT_PRELOAD,
    Limits,
    Sandbox,
    bwrap_sizes_tmpfs,
    launch_code,
    python_prefixes,
)
from autograder.sandbox.jobdir import JOB_UIDS, job_uid

ROOT = Path(__file__).resolve().parents[2]


def _argv(uid=201234, **limits):
    return Sandbox("bwrap", Limits(**limits)).kernel_argv(Path("/tmp/gdgrade-x/job"), uid)


def test_bwrap_isolates_network_pids_and_environment():
    argv = _argv()
    for flag in ("--unshare-net", "--unshare-pid", "--unshare-ipc", "--die-with-parent", "--new-session", "--clearenv"):
        assert flag in argv
    assert argv[-5:] == [sys.executable, "-c", launch_code(DEFAULT_PRELOAD), "-f", "{connection_file}"]
    assert "import_module(name)" in argv[-3] and "'torch'" in argv[-3]  # warm kernels


def test_the_kernel_preloads_what_the_sandbox_names():
    argv = Sandbox("bwrap", preload=("numpy", "matplotlib.pyplot")).kernel_argv(Path("/tmp/gdgrade-x/job"), 201234)
    assert "('numpy', 'matplotlib.pyplot')" in argv[-3] and "torch" not in argv[-3]


def test_limits_are_applied_with_prlimit():
    argv = _argv(memory_bytes=1024, cpu_seconds=7, processes=9)
    assert argv[:4] == ["setpriv", "--pdeathsig", "KILL", "--"]  # the sandbox dies with the grader
    assert argv[4] == "prlimit" and {"--as=1024", "--cpu=7", "--nproc=9", "--core=0"} <= set(argv)


def test_only_system_python_and_the_job_directory_are_mounted():
    argv = _argv()
    sources = {argv[i + 1] for i, flag in enumerate(argv) if flag in ("--ro-bind", "--bind")}
    assert sources == {"/usr", "/etc", "/tmp/gdgrade-x/job", *python_prefixes()}
    assert not any(
        str(ROOT) == source or str(ROOT).startswith(source + os.sep) for source in sources - set(python_prefixes())
    )
    assert argv[argv.index("--bind") + 1] == "/tmp/gdgrade-x/job"  # the only writable host mount


def test_the_kernels_writable_folders_are_capped_tmpfs():
    argv = _argv(scratch_bytes=12345)
    tmpfs = [argv[i + 1] for i, flag in enumerate(argv) if flag == "--tmpfs"]
    assert tmpfs == ["/tmp", "/work"] and argv[argv.index("--chdir") + 1] == "/work"
    if bwrap_sizes_tmpfs():
        assert [argv[i + 1] for i, flag in enumerate(argv) if flag == "--size"] == ["12345", "12345"]


@pytest.mark.skipif(os.geteuid() != 0, reason="as root the kernel drops to a per-job uid with setpriv")
def test_each_job_gets_its_own_uid_so_process_limits_stay_per_job():
    argv = _argv(uid=201234)
    assert "setpriv" in argv and "--reuid=201234" in argv and "--no-new-privs" in argv
    uids = {job_uid() for _ in range(50)}
    assert uids <= set(JOB_UIDS) and len(uids) > 40


def test_unknown_backends_are_refused():
    with pytest.raises(ValueError, match="unknown sandbox 'chroot'"):
        Sandbox("chroot")


def test_job_folders_of_dead_graders_are_released(tmp_path, monkeypatch):
    import tempfile

    from autograder.sandbox import jobdir as sandbox

    base = tempfile.gettempdir()
    dead, alive = 2**22 + 12345, os.getpid()  # above the default pid_max: never a running process
    (tmp_path / "mounts").write_text(
        f"tmpfs {base}/gdgrade-{dead}-abc/job tmpfs rw,size=16384k 0 0\n"
        f"tmpfs {base}/gdgrade-{alive}-def/job tmpfs rw,size=16384k 0 0\n"
        f"tmpfs {base}/other-{dead}-abc/job tmpfs rw 0 0\n"
        f"/dev/sda1 {base}/gdgrade-{dead}-xyz/job ext4 rw 0 0\n",
        encoding="utf-8",
    )
    released = []
    monkeypatch.setattr(sandbox, "release_job_dir", released.append)
    assert sandbox.release_stale_job_dirs(tmp_path / "mounts") == 1
    assert released == [Path(f"{base}/gdgrade-{dead}-abc/job")]
    assert sandbox.work_dir_prefix() == f"gdgrade-{alive}-"
