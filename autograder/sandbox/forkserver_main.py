"""The kernel fork server's own program, run as ``python -c SOURCE SOCKET PRELOADS_JSON``
inside its bubblewrap sandbox, where gdgrade is not installed (the seccomp filter's source is
sent in front of it).

The fork server imports the assignment's preloads once, then answers each launch request by
forking a kernel that sets up its own sandbox before any student code exists:

* fork 1 (the job's keeper) unshares mount, PID and IPC namespaces, mounts a fresh capped
  ``/tmp`` and ``/work``, and hides every other job's folder, keeping only its own;
* fork 2 is PID 1 of the new PID namespace: it mounts a ``/proc`` that shows only the job's
  processes and reaps orphans;
* fork 3 is the kernel: resource limits, no supplementary groups, the job's own uid, no
  capabilities (the bounding set dropped too), ``no_new_privs``, a new session, then
  ipykernel with the preloaded modules already in memory.

Each fork dies with its parent. The launcher is what jupyter_client starts and manages as
"the kernel process": it asks the fork server for a kernel, and exits with the kernel's exit
status. Killing it closes its connection, and the fork server then kills the job's keeper,
which takes the whole job (namespace and all) with it.
"""

import contextlib
import ctypes
import gc
import importlib
import json
import os
import resource
import select
import signal
import socket
import sys

if "install_filter" not in globals():  # imported (tests, tools); as a program the filter's source comes first
    from autograder.sandbox.seccomp import install_filter

# what every kernel imports as it starts: preloaded, a forked kernel only initialises
KERNEL_MODULES = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "ipykernel_launcher")

LIBC = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNS, CLONE_NEWIPC, CLONE_NEWPID = 0x00020000, 0x08000000, 0x20000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT = 1, 2, 4, 8, 32
MS_BIND, MS_MOVE, MS_REC, MS_PRIVATE = 4096, 8192, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 1, 24, 38


def checked(result, what):
    if result != 0:
        number = ctypes.get_errno()
        raise OSError(number, what + ": " + os.strerror(number))


def _bytes(text):
    return None if text is None else text.encode()


def mount(source, target, fstype, flags, data=None):
    encode = _bytes
    checked(
        LIBC.mount(encode(source), encode(target), encode(fstype), ctypes.c_ulong(flags), encode(data)),
        "mount " + target,
    )


def die_with_parent(parent):
    checked(LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl(PDEATHSIG)")
    if os.getppid() != parent:
        os._exit(70)  # the parent died before we asked to die with it


def isolate(request):
    """Fork 1: own mount, PID and IPC namespaces; fresh /tmp and /work; only this job's folder.

    The Python installation may live below /tmp or /work (a virtualenv in a CI checkout): the
    fresh tmpfs would hide it, so it is mounted again, read-only, from a handle kept open.
    """
    checked(LIBC.unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC), "unshare")
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    covered = [path for path in request["read_only"] if path.startswith(("/tmp/", "/work/"))]
    handles = {path: os.open(path, os.O_PATH) for path in covered}
    job_dir, scratch = request["job_dir"], f"size={request['scratch_bytes']},mode=1777"
    mount(job_dir, "/work", None, MS_BIND)  # held aside while /tmp (and every job folder) is replaced
    mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, scratch)
    os.makedirs(job_dir, mode=0o755)
    mount("/work", job_dir, None, MS_MOVE)
    mount("tmpfs", "/work", "tmpfs", MS_NOSUID | MS_NODEV, scratch)
    for path, handle in handles.items():
        os.makedirs(path, mode=0o755, exist_ok=True)
        mount(f"/proc/self/fd/{handle}", path, None, MS_BIND | MS_REC)
        mount(None, path, None, MS_BIND | MS_REMOUNT | MS_RDONLY)
        os.close(handle)


def run_init(request, keeper):
    """Fork 2, PID 1 of the job: a /proc of its own, the kernel as PID 2, orphans reaped."""
    die_with_parent(keeper)
    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    for part in ("sys", "sysrq-trigger", "irq", "bus"):  # read-only, as bwrap leaves them
        place = "/proc/" + part
        if os.path.exists(place):
            mount(place, place, None, MS_BIND | MS_REC)
            mount(None, place, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC)
    kernel = os.fork()
    if kernel == 0:
        run_kernel(request, 1)
    while True:
        pid, status = os.waitpid(-1, 0)
        if pid == kernel:
            os._exit(os.waitstatus_to_exitcode(status) & 0xFF)


def run_kernel(request, init):
    """Fork 3: limits, the job's uid, no capabilities, then ipykernel."""
    die_with_parent(init)
    null = os.open("/dev/null", os.O_RDWR)
    for descriptor in (0, 1, 2):  # not the server's pipe: what a kernel prints goes to its client
        os.dup2(null, descriptor)
    os.close(null)
    for name, value in request["limits"].items():
        resource.setrlimit(getattr(resource, name), (value, value))
    for capability in range(64):
        if LIBC.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            break  # past the last capability this kernel knows
    uid = request["uid"]
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    checked(LIBC.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(NO_NEW_PRIVS)")
    install_filter()  # no new user namespaces (the seccomp module's source comes first)
    os.setsid()
    os.chdir("/work")
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv = ["ipykernel_launcher", "-f", request["connection_file"]]
    import runpy

    runpy.run_module("ipykernel_launcher", run_name="__main__", alter_sys=True)
    os._exit(0)


def start_job(request, server):
    """Fork 1 and its descendants; returns the keeper's pid in the fork server."""
    parent = os.getpid()
    keeper = os.fork()
    if keeper:
        return keeper
    try:
        os.closerange(3, 4096)  # the server's socket, other jobs' connections, the wake-up pipe
        die_with_parent(parent)
        isolate(request)
        init = os.fork()
        if init == 0:
            run_init(request, os.getppid())
        status = os.waitpid(init, 0)[1]
        os._exit(os.waitstatus_to_exitcode(status) & 0xFF)
    except BaseException as error:
        print("gdgrade fork server: the job could not start:", repr(error), file=sys.stderr, flush=True)
        os._exit(71)


def read_request(connection):
    data = b""
    while not data.endswith(b"\n"):
        chunk = connection.recv(65536)
        if not chunk:
            return None
        data += chunk
    return json.loads(data)


def serve(path):
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    os.chmod(path, 0o600)
    server.listen(64)
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    jobs, connections = {}, {}  # keeper pid -> connection, connection -> keeper pid
    print("ready", flush=True)
    while True:
        readable = select.select([server, wake_read, *connections], [], [])[0]
        for ready in readable:
            if ready is server:
                connection = server.accept()[0]
                request = read_request(connection)
                if request is None:
                    connection.close()
                    continue
                keeper = start_job(request, server)
                jobs[keeper], connections[connection] = connection, keeper
            elif ready == wake_read:
                os.read(wake_read, 4096)
            elif not ready.recv(1):  # the launcher is gone: so is its job
                with contextlib.suppress(ProcessLookupError):
                    os.kill(connections[ready], signal.SIGKILL)
        while jobs:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            connection = jobs.pop(pid, None)
            if connection is not None:
                connections.pop(connection, None)
                with contextlib.suppress(OSError):
                    connection.sendall(str(os.waitstatus_to_exitcode(status) & 0xFF).encode())
                connection.close()


def preload(modules) -> None:
    """Import what every kernel needs, then freeze the heap.

    Forked kernels share these objects copy-on-write. The garbage collector would walk (and
    so copy) all of them in every kernel; frozen, it leaves them alone.
    """
    for name in [*modules, *KERNEL_MODULES]:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    gc.collect()
    gc.freeze()


if __name__ == "__main__":
    preload(json.loads(sys.argv[2]))
    serve(sys.argv[1])
