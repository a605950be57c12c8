"""A seccomp filter that keeps student code out of new user namespaces.

Inside a user namespace of its own a process holds every capability (over that namespace),
which is how many kernel exploits start. The sandboxed kernel installs this filter before
any student code exists, and every process it starts inherits it:

* ``unshare`` and ``clone`` with ``CLONE_NEWUSER`` fail with EPERM;
* ``clone3`` fails with ENOSYS, as under Docker's default profile: its flags sit behind a
  pointer a filter cannot read, and libc then falls back to ``clone``;
* system calls of a foreign ABI (i386 or x32 on x86_64) fail with EPERM.

The module uses the standard library only: its source is also sent, as text, into the
programs that start kernels (where gdgrade itself is not importable).
"""

import ctypes
import platform
import struct

CLONE_NEWUSER = 0x10000000
EPERM, ENOSYS = 1, 38
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
# machine -> (audit arch, unshare, clone, clone3)
ARCHES = {
    "x86_64": (0xC000003E, 272, 56, 435),
    "aarch64": (0xC00000B7, 97, 220, 435),
}
LOAD, JEQ, JGE, AND, RET = 0x20, 0x15, 0x35, 0x54, 0x06
ALLOW, ERRNO = 0x7FFF0000, 0x00050000
FOREIGN_ABI = 0x40000000  # x32 system calls carry this bit


def filter_program(machine: str) -> list[tuple[int, int, int, int]]:
    """The filter as (code, jump if true, jump if false, k) BPF instructions."""
    arch, unshare, clone, clone3 = ARCHES[machine]
    return [
        (LOAD, 0, 0, 4),  # 0: the system call's architecture
        (JEQ, 1, 0, arch),
        (RET, 0, 0, ERRNO | EPERM),  # 2: a foreign architecture
        (LOAD, 0, 0, 0),  # 3: the system call's number
        (JGE, 0, 1, FOREIGN_ABI),
        (RET, 0, 0, ERRNO | EPERM),  # 5: x32
        (JEQ, 0, 1, clone3),
        (RET, 0, 0, ERRNO | ENOSYS),  # 7: clone3
        (JEQ, 1, 0, unshare),
        (JEQ, 0, 4, clone),
        (LOAD, 0, 0, 16),  # 10: the low half of the first argument (flags)
        (AND, 0, 0, CLONE_NEWUSER),
        (JEQ, 1, 0, 0),
        (RET, 0, 0, ERRNO | EPERM),  # 13: a new user namespace
        (RET, 0, 0, ALLOW),
    ]


class _Program(ctypes.Structure):
    _fields_ = [("length", ctypes.c_ushort), ("instructions", ctypes.c_void_p)]


def install_filter() -> None:
    """Install the filter on this process (and all it will start); OSError if the kernel refuses."""
    machine = platform.machine()
    if machine not in ARCHES:
        raise OSError(f"no user-namespace filter for {machine}")
    instructions = filter_program(machine)
    code = ctypes.create_string_buffer(b"".join(struct.pack("HBBI", *i) for i in instructions))
    program = _Program(len(instructions), ctypes.addressof(code))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(program), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_SECCOMP) failed")
