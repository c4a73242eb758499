"""Processes labsim starts end with it, even when it is killed with SIGKILL, from the moment they exist.

A `kill -9` of `labsim batch` gives it no chance to stop its pool: the
forkserver and the idle workers would go on running (~650 MB each time, never
exiting). On Linux the kernel can send a process a signal when its parent
dies (`prctl(PR_SET_PDEATHSIG)`); the request covers only a parent alive when it
is made, so each process makes it, then checks that its parent is still the one
it was started by, a pid recorded *before* it started (never read after: by then
the parent may be dead and the process handed to init, which would look like a
living parent):

- labsim records its own pid in the environment (`PARENT_ENV`) and starts the
  forkserver at once (`start_forkserver`); the forkserver imports
  `sim.batch.forkserver` first (`executors.PRELOAD`), which asks to die with
  that pid (`guard_forkserver`);
- each worker, forked by the forkserver, asks the same right after the fork
  (an at-fork hook the forkserver registers), against the forkserver's pid
  noted before the fork; the pool's initializer asks again (`die_with_parent`);
- a server labsim runs (the explorer's) asks it between fork and exec
  (`dies_with_me`, a `preexec_fn`).

The resource tracker holds no work: it ends when the last of these has ended
(its pipe closes). Elsewhere than Linux this does nothing.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable

PR_SET_PDEATHSIG = 1  # linux/prctl.h
PARENT_ENV = "LABSIM_POOL_PARENT"  # labsim's pid, read by the forkserver it starts
_noted: list[int] = []  # in a process forked by a guarded forkserver: the pid that forked it


def die_with(parent: int) -> None:
    """Ask the kernel to kill this process (SIGKILL) when `parent` dies; if it is already gone, exit now."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # no prctl here: nothing more can be done
        return
    if os.getppid() != parent:  # the parent died before the request took effect: this one was orphaned
        os._exit(1)


def die_with_parent() -> None:
    """The pool's initializer: die with the process that forked this one (noted before the fork, if it was)."""
    die_with(_noted[-1] if _noted else os.getppid())


def start_forkserver() -> None:
    """Start (if not yet running) the forkserver of this process, telling it this process's pid first."""
    from multiprocessing import forkserver

    os.environ[PARENT_ENV] = str(os.getpid())
    forkserver.ensure_running()


def guard_forkserver() -> None:
    """In the forkserver: die with labsim (the pid it recorded), and have every process forked here die with this one."""
    recorded = os.environ.get(PARENT_ENV, "")
    die_with(int(recorded) if recorded.isdigit() else os.getppid())
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(before=_note_forker, after_in_child=_die_with_forker)


def _note_forker() -> None:
    _noted[:] = [os.getpid()]


def _die_with_forker() -> None:
    if _noted:
        die_with(_noted[-1])


def dies_with_me() -> Callable[[], None] | None:
    """A `preexec_fn` for a subprocess that must end with this process (a server), or None where it cannot."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    ctypes.CDLL(None)  # loaded before the fork: the child only calls it
    me = os.getpid()
    return lambda: die_with(me)
