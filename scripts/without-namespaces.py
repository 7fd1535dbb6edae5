#!/usr/bin/env python3
"""Run a command the way a Docker container (default seccomp profile, no
CAP_SYS_ADMIN) would: creating namespaces is refused, everything else is
allowed. Used to measure the sandbox's fallback level on a machine that
allows namespaces:

    python3 scripts/without-namespaces.py node bin/chatgrade doctor

A seccomp filter (x86_64 only) makes unshare(2) and setns(2), and clone(2)
with any CLONE_NEW* flag, fail with EPERM, and clone3(2) with ENOSYS (so
that the C library falls back to clone, whose flags the filter can read),
as Docker's default profile does. The filter is inherited by every child
and cannot be lifted.
"""

import ctypes
import os
import struct
import sys

AUDIT_ARCH_X86_64 = 0xC000003E
NR_CLONE, NR_UNSHARE, NR_SETNS, NR_CLONE3 = 56, 272, 308, 435
CLONE_NEW_ANY = 0x7E020000  # NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET
ALLOW, ERRNO = 0x7FFF0000, 0x00050000
EPERM, ENOSYS = 1, 38
LD, JEQ, AND, RET = 0x20, 0x15, 0x54, 0x06


def ins(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("HBBI", code, jt, jf, k)


PROGRAM = [
    ins(LD, 0, 0, 4),                    # 0: arch
    ins(JEQ, 0, 8, AUDIT_ARCH_X86_64),   # 1: another arch: allow
    ins(LD, 0, 0, 0),                    # 2: syscall number
    ins(JEQ, 7, 0, NR_UNSHARE),          # 3: -> EPERM
    ins(JEQ, 6, 0, NR_SETNS),            # 4: -> EPERM
    ins(JEQ, 6, 0, NR_CLONE3),           # 5: -> ENOSYS
    ins(JEQ, 0, 3, NR_CLONE),            # 6: not clone: allow
    ins(LD, 0, 0, 16),                   # 7: clone's flags (low word of args[0])
    ins(AND, 0, 0, CLONE_NEW_ANY),       # 8
    ins(JEQ, 0, 1, 0),                   # 9: no new namespace: allow, else EPERM
    ins(RET, 0, 0, ALLOW),               # 10
    ins(RET, 0, 0, ERRNO | EPERM),       # 11
    ins(RET, 0, 0, ERRNO | ENOSYS),      # 12
]


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit("usage: without-namespaces.py COMMAND [ARGS...]")
    if os.uname().machine != "x86_64":
        sys.exit("without-namespaces.py: x86_64 only")
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl.argtypes = [ctypes.c_int] + [ctypes.c_ulong] * 4
    code = b"".join(PROGRAM)
    buf = ctypes.create_string_buffer(code, len(code))
    fprog = struct.pack("HxxxxxxQ", len(PROGRAM), ctypes.addressof(buf))
    fbuf = ctypes.create_string_buffer(fprog, len(fprog))
    if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
        sys.exit(f"prctl(PR_SET_NO_NEW_PRIVS): {os.strerror(ctypes.get_errno())}")
    if libc.prctl(22, 2, ctypes.addressof(fbuf), 0, 0) != 0:  # PR_SET_SECCOMP, SECCOMP_MODE_FILTER
        sys.exit(f"prctl(PR_SET_SECCOMP): {os.strerror(ctypes.get_errno())}")
    os.execvp(sys.argv[1], sys.argv[1:])


if __name__ == "__main__":
    main()
