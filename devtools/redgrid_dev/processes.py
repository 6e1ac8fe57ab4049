"""Child-process helpers: die with the parent, stop a whole process group."""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """preexec_fn: have Linux SIGTERM the child if the parent dies without cleaning up (e.g. kill -9)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def signal_group(pid: int, sig: int) -> None:
    """Send sig to the process group led by pid, ignoring one that is already gone."""
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        pass
