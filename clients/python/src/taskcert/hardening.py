"""Process hardening a supervisor applies before it makes a key."""

from __future__ import annotations

import ctypes
import resource
import sys

_PR_GET_DUMPABLE = 3
_PR_SET_DUMPABLE = 4


def make_undumpable() -> bool:
    """Turns core dumps off and, on Linux, sets ``PR_SET_DUMPABLE`` to 0.

    The kernel then refuses ptrace and ``/proc/<pid>/mem`` of this process to other processes of the
    same Unix user (without ``CAP_SYS_PTRACE``), such as a task the supervisor forked. Returns
    whether the dumpable flag is off. ``execve`` resets it; a forked child inherits it until then.
    """
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ValueError, OSError):
        pass
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    prctl = libc.prctl
    prctl.restype = ctypes.c_int
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    if prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
        return False
    return prctl(_PR_GET_DUMPABLE, 0, 0, 0, 0) == 0
