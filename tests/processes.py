"""Processes a test starts, reaped on any exit of the test (the `processes` fixtures of conftest.py).

Every test that starts a process does it through `Processes`: each process starts
in a session (a process group) of its own, so that a Ctrl-C at the terminal does not
reach it half-way, and when the test ends (passed, failed, interrupted, its fixture
torn down) the whole group is killed (`os.killpg`, SIGKILL) and reaped: a labsim
command's pool and forkserver with it. On Linux each process also dies with the
test process itself (PR_SET_PDEATHSIG), should that be killed with SIGKILL.
Interrupting `make test` once left a test's `labsim optimize` running for good.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from contextlib import suppress

from sim.batch.orphans import dies_with_me

TIMEOUT_S = 600  # a liveness bound, never a timing: a process that hangs fails its test instead of the suite


class Processes:
    """Start processes in groups of their own; `reap()` (or leaving `with`) kills every group and waits for it."""

    def __init__(self) -> None:
        """No process yet."""
        self.started: list[subprocess.Popen] = []

    def popen(self, cmd: list[str], **options) -> subprocess.Popen:
        """subprocess.Popen(cmd, **options), in a new session, dying with this process; reaped with the others."""
        options.setdefault("start_new_session", True)
        options.setdefault("preexec_fn", dies_with_me())
        proc = subprocess.Popen(cmd, **options)
        self.started.append(proc)
        return proc

    def run(self, cmd: list[str], timeout: float = TIMEOUT_S, check: bool = False, capture_output: bool = False,
            input: str | bytes | None = None, **options) -> subprocess.CompletedProcess:
        """subprocess.run's promise (CompletedProcess) through `popen`: on a timeout or an interrupt, reaped too."""
        if capture_output:
            options["stdout"] = options["stderr"] = subprocess.PIPE
        if input is not None:
            options["stdin"] = subprocess.PIPE
        proc = self.popen(cmd, **options)
        try:
            stdout, stderr = proc.communicate(input, timeout=timeout)
        except BaseException:
            self.kill(proc)
            raise
        done = subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)
        if check:
            done.check_returncode()
        return done

    def kill_when(self, cmd: list[str], ready: Callable[[], bool], timeout: float = TIMEOUT_S,
                  **options) -> subprocess.Popen:
        """Start `cmd` and `kill -9` it (it alone, as a user would; its pool dies with it) once `ready()` holds.

        `ready` is looked at as often as can be: a moment of the command's life, told by what it has written.
        """
        options.setdefault("stdout", subprocess.DEVNULL)
        options.setdefault("stderr", subprocess.PIPE)
        proc = self.popen(cmd, **options)
        deadline = time.monotonic() + timeout  # a liveness bound, not a timing
        while not ready():
            if proc.poll() is not None or time.monotonic() > deadline:
                err = proc.stderr.read() if proc.stderr else ""
                raise AssertionError(f"the command ended (or hung) before the moment to kill it came: {err!r}")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        return proc

    @staticmethod
    def kill(proc: subprocess.Popen) -> None:
        """Kill a process's whole group (it and everything it started that did not leave it) and reap it."""
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        with suppress(ProcessLookupError):
            proc.kill()
        with suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=30)
        for pipe in (proc.stdin, proc.stdout, proc.stderr):
            if pipe is not None:
                with suppress(OSError):
                    pipe.close()

    def reap(self) -> None:
        """Kill and reap every group started (also those whose leader has ended: its children may be left)."""
        while self.started:
            self.kill(self.started.pop())

    def __enter__(self) -> Processes:
        return self

    def __exit__(self, *exc) -> None:
        self.reap()
