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


SEARCH = """name = "orphans"
replications = 4
root_seed = 2
years = 1.0
[search]
budget = 40
population = 20
knobs = { mediators = [2, 10] }
objectives = { contributors = "max", costs = "min" }
presets = false
"""


def _command(tmp_path: Path, what: str) -> list[str]:
    """A command whose pool stays busy for a while (each run is a year of a preset)."""
    out = ["--out", str(tmp_path / "out"), "--workers", "2", "--quiet"]
    if what == "batch":
        (tmp_path / "exp.toml").write_text('scenarios = ["digital_arti"]\nreplications = 40\nyears = 1.0\n'
                                           "[grid]\nmediators = [4, 8]\n")
        return ["batch", str(tmp_path / "exp.toml"), *out]
    if what == "optimize":
        pytest.importorskip("optuna", reason="the analysis extra")
        (tmp_path / "search.toml").write_text(SEARCH)
        return ["optimize", "digital_arti", "--search", str(tmp_path / "search.toml"), *out]
    return ["calibrate", "digital_arti", "--method", "abc", "--target", "visitors=3000", "--param",
            "discovery_rate=0.0005:0.005", "--population", "40", "--generations", "2", "--budget", "200", *out]


@pytest.mark.parametrize("what", ["batch", "optimize", "abc"])
def test_no_process_outlives_a_command_killed_with_sigkill(tmp_path, what):
    """kill -9 of labsim: its forkserver, resource tracker and workers end with it (PR_SET_PDEATHSIG)."""
    proc = subprocess.Popen([sys.executable, "-m", "sim", *_command(tmp_path, what)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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


TINY_LAB = ('extends = "carrefour_numerique"\nname = "tiny_open"\nhost_footfall_per_day = 300.0\nwarmup_years = 0.0\n'
            "initial_contributors = 0\ninitial_partners = 0\ninitial_dormant = 0\ninitial_former_regulars = 0\n"
            "initial_awareness = 0.0\nevent_reach = 10.0\ndoc_reach_per_year = 50.0\n")
# SIGTERM to itself once `after` runs have come back (and a run that never ends is in flight): deterministic
SIGTERM_AFTER = """
import os, signal, sys
import sim.batch.runner as runner
real, taken = runner._Buffer.add, [0]
def add(self, rows, series):
    real(self, rows, series)
    taken[0] += 1
    if taken[0] == int(os.environ["AFTER"]):
        os.kill(os.getpid(), signal.SIGTERM)
runner._Buffer.add = add
from sim.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_sigterm_of_a_batch_keeps_its_finished_runs_and_does_not_wait_for_those_in_flight(tmp_path):
    import pandas as pd

    from sim.batch.worker import HANG_HOOK
    from sim.cli import main

    (tmp_path / "tiny.toml").write_text(TINY_LAB)
    (tmp_path / "exp.toml").write_text('scenarios = ["tiny.toml"]\nreplications = 12\nyears = 0.1\n'
                                       "[grid]\nmediators = [2, 4]\n")
    out = tmp_path / "out"
    env = os.environ | {HANG_HOOK: "p00000-r0000", "AFTER": "6"}  # the first chunk never ends
    # a liveness bound: a batch that waited for the run in flight would wait an hour
    done = subprocess.run([sys.executable, "-c", SIGTERM_AFTER, "batch", str(tmp_path / "exp.toml"), "--out", str(out),
                           "--workers", "2", "--quiet"], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 130 and done.stderr.strip().splitlines()[-1] == "interrupted", done.stderr
    from sim.batch.store import Store

    kept = Store(out).runs()
    assert (kept["status"] == "ok").sum() >= 6, "the runs that came back before the signal are on disk"
    assert "p00000-r0000" not in set(kept["run_id"])
    assert main(["batch", str(tmp_path / "exp.toml"), "--out", str(out), "--workers", "2", "--quiet"]) == 0
    assert main(["batch", str(tmp_path / "exp.toml"), "--out", str(tmp_path / "whole"), "--workers", "2",
                 "--quiet"]) == 0
    keys = ["run_id", "seed", "status", "visitors", "contributors", "visits", "edges"]
    resumed, whole = (pd.read_parquet(p / "runs.parquet")[keys] for p in (out, tmp_path / "whole"))
    pd.testing.assert_frame_equal(resumed, whole)
    manifest = __import__("json").loads((out / "manifest.json").read_text())
    assert len(manifest["resumed"]) == 1


def _children(pid: int) -> set[int]:
    kids: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            kids |= {int(k) for k in (task / "children").read_text().split()}
        except OSError:
            continue
    return kids


@pytest.mark.parametrize("method", ["point", "abc"])
def test_calibrate_goes_on_when_a_pool_worker_is_killed_from_outside(tmp_path, method):
    """A worker of calibrate's pool (a child of the forkserver) killed by someone else: the crashed runs are
    isolated as a batch's are (retried, or failed and counted), never a traceback."""
    (tmp_path / "tiny.toml").write_text(TINY_LAB)
    out = tmp_path / "cal"
    extra = (["--budget", "8", "--reps", "2"] if method == "point" else
             ["--method", "abc", "--population", "10", "--generations", "2", "--budget", "60", "--years", "0.2"])
    proc = subprocess.Popen([sys.executable, "-m", "sim", "calibrate", str(tmp_path / "tiny.toml"), "--target",
                             "visitors=1500", "--param", "discovery_rate=0.002:0.01", *extra, "--workers", "2",
                             "--quiet", "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline, killed = time.monotonic() + 120, None  # a liveness bound: the pool starts within seconds
    while killed is None and time.monotonic() < deadline and proc.poll() is None:
        workers = sorted(_descendants(proc.pid) - _children(proc.pid))  # the forkserver's children
        if workers:
            time.sleep(0.5)  # into its runs
            killed = workers[0]
            try:
                os.kill(killed, signal.SIGKILL)
            except ProcessLookupError:
                killed = None
        time.sleep(0.05)
    _stdout, stderr = proc.communicate(timeout=600)
    assert killed is not None, "no worker was seen to kill"
    assert proc.returncode == 0 and "Traceback" not in stderr and "terminated abruptly" not in stderr, stderr
    assert (out / ("calibrated.toml" if method == "point" else "posterior.csv")).is_file()


@pytest.mark.parametrize("stop", [KeyboardInterrupt, RuntimeError])
def test_a_pool_left_by_an_interrupt_or_an_error_does_not_wait_for_the_work_in_flight(tmp_path, stop):
    # `with make_pool(...)` always shut down with wait=True: SIGTERM of calibrate --method abc (whose pool is a
    # context manager) waited for every simulation in flight before exiting
    from sim.batch.executors import make_pool

    done = tmp_path / "finished"
    code = f"import pathlib, time; time.sleep(4); pathlib.Path({str(done)!r}).touch()"
    with pytest.raises(stop), make_pool("local", 1) as pool:
        future = pool.executor.submit(exec, code)
        while not future.running():
            time.sleep(0.05)
        raise stop
    time.sleep(5)  # longer than the work: had the pool waited for it (or let it run on), the file would be there
    assert not done.exists(), "the work in flight was waited for, not stopped"
