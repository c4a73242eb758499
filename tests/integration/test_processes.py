"""Processes end with their parent: a `kill -9` of labsim leaves no worker, forkserver or tracker behind."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")


def _descendants(pid: int) -> set[int]:
    """The living descendants of a process, from /proc."""
    found, todo = set(), [pid]
    while todo:
        p = todo.pop()
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                kids = [int(k) for k in (task / "children").read_text().split()]
            except OSError:
                continue
            for kid in kids:
                if kid not in found:
                    found.add(kid)
                    todo.append(kid)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; only its exit status waits for a reader


def test_no_process_outlives_a_batch_killed_with_sigkill(tmp_path):
    exp = tmp_path / "exp.toml"
    exp.write_text('scenarios = ["digital_arti"]\nreplications = 40\nyears = 1.0\n[grid]\nmediators = [4, 8]\n')
    proc = subprocess.Popen([sys.executable, "-m", "sim", "batch", str(exp), "--out", str(tmp_path / "out"),
                             "--workers", "2", "--quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120  # a liveness bound, not a timing: the pool starts within seconds
    kids: set[int] = set()
    while time.monotonic() < deadline and len(kids) < 3 and proc.poll() is None:  # forkserver and two workers
        kids |= _descendants(proc.pid)
        time.sleep(0.2)
    assert proc.poll() is None and len(kids) >= 3, "the batch's pool did not start"
    time.sleep(1.0)
    kids |= _descendants(proc.pid)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(_alive(k) for k in kids):
        time.sleep(0.2)
    left = [k for k in kids if _alive(k)]
    for k in left:  # do not leave them to the next test
        os.kill(k, signal.SIGKILL)
    assert not left, f"{len(left)} of {len(kids)} processes outlived their killed parent"
