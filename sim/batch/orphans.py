"""Worker processes end with the labsim process that started them, even when it is killed with SIGKILL.

A `kill -9` of `labsim batch` gives it no chance to stop its pool: the
forkserver and the idle workers would go on running (~650 MB each time, never
exiting). On Linux the kernel can send a process a signal when its parent
dies (`prctl(PR_SET_PDEATHSIG)`). The forkserver imports
`sim.batch.forkserver` (it is in `executors.PRELOAD`, and nothing else imports
it), which asks for it, so the forkserver dies with labsim; each worker, forked
by the forkserver, asks for the same in its initializer, so it dies with the
forkserver. Elsewhere than Linux this does nothing.
"""

from __future__ import annotations

import os
import signal
import sys

PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent() -> None:
    """Ask the kernel to kill this process (SIGKILL) when its parent dies; if it is already gone, exit now."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    parent = os.getppid()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # no prctl here: nothing more can be done
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)

