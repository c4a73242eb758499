"""Processes end with their parent: a `kill -9` of labsim, at any moment, leaves no worker, forkserver, tracker or
server behind; and the tests' own processes are reaped however a test ends."""

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
def test_no_process_outlives_a_command_killed_with_sigkill(tmp_path, what, processes):
    """kill -9 of labsim: its forkserver, resource tracker and workers end with it (PR_SET_PDEATHSIG)."""
    proc = processes.popen([sys.executable, "-m", "sim", *_command(tmp_path, what)],
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
    assert not left, f"{len(left)} of {len(kids)} processes outlived their killed parent"  # `processes` reaps them


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


def test_sigterm_of_a_batch_keeps_its_finished_runs_and_does_not_wait_for_those_in_flight(tmp_path, processes):
    import pandas as pd

    from sim.batch.worker import HANG_HOOK
    from sim.cli import main

    (tmp_path / "tiny.toml").write_text(TINY_LAB)
    (tmp_path / "exp.toml").write_text('scenarios = ["tiny.toml"]\nreplications = 12\nyears = 0.1\n'
                                       "[grid]\nmediators = [2, 4]\n")
    out = tmp_path / "out"
    env = os.environ | {HANG_HOOK: "p00000-r0000", "AFTER": "6"}  # the first chunk never ends
    # a liveness bound: a batch that waited for the run in flight would wait an hour
    done = processes.run([sys.executable, "-c", SIGTERM_AFTER, "batch", str(tmp_path / "exp.toml"), "--out", str(out),
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
def test_calibrate_goes_on_when_a_pool_worker_is_killed_from_outside(tmp_path, method, processes):
    """A worker of calibrate's pool (a child of the forkserver) killed by someone else: the crashed runs are
    isolated as a batch's are (retried, or failed and counted), never a traceback."""
    (tmp_path / "tiny.toml").write_text(TINY_LAB)
    out = tmp_path / "cal"
    extra = (["--budget", "8", "--reps", "2"] if method == "point" else
             ["--method", "abc", "--population", "10", "--generations", "2", "--budget", "60", "--years", "0.2"])
    proc = processes.popen([sys.executable, "-m", "sim", "calibrate", str(tmp_path / "tiny.toml"), "--target",
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


# -- a kill -9 at the first moment of a pool: the start-up race ------------------------------------------------
def _group(pgid: int) -> list[int]:
    """The living processes of a process group (zombies have ended), from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, _ppid, group = stat.read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, ValueError):
            continue
        if int(group) == pgid and state != "Z":
            found.append(int(stat.parent.name))
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _first(pid: int, moment: str) -> bool:
    """Whether `moment` has come: the pool's first process of that sort exists (looked for as fast as can be)."""
    kids = _children(pid)
    if moment == "tracker":
        return any("resource_tracker" in _cmdline(k) for k in kids)
    servers = [k for k in kids if "forkserver" in _cmdline(k)]
    if moment == "forkserver":
        return bool(servers)
    return any(_children(s) for s in servers)  # a worker: the forkserver's first child


def _pooled(tmp_path: Path, what: str) -> list[str]:
    """A pooled command on a tiny lab (its pool starts at once)."""
    (tmp_path / "tiny.toml").write_text(TINY_LAB.replace("warmup_years = 0.0", "warmup_years = 0.1"))
    out = ["--out", str(tmp_path / "out"), "--workers", "2", "--quiet"]
    if what == "warmup":
        return ["warmup", str(tmp_path / "tiny.toml"), "--seeds", "4", *out]
    (tmp_path / "exp.toml").write_text('scenarios = ["tiny.toml"]\nreplications = 8\nyears = 0.2\n')
    return ["batch", str(tmp_path / "exp.toml"), *out]


# the moments a pool starts in: its tracker, its forkserver (and a few hundredths of a second into its start-up,
# where labsim has asked for workers the forkserver forks once it has started: the window labsim's old code left
# open), its first worker
@pytest.mark.parametrize(("what", "moment", "after"), [
    ("batch", "tracker", 0.0), ("batch", "forkserver", 0.0), ("batch", "forkserver", 0.05),
    ("batch", "forkserver", 0.1), ("batch", "worker", 0.0), ("warmup", "forkserver", 0.05)])
def test_a_kill_at_the_first_moment_of_a_pool_leaves_no_process(tmp_path, what, moment, after, processes):
    """kill -9 of labsim as its pool starts: every process of its group ends (each recorded its parent's pid
    before it could have died; a pid read after, once the parent is gone, names init and looks alive)."""
    proc = processes.popen([sys.executable, "-m", "sim", *_pooled(tmp_path, what)], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120  # a liveness bound, not a timing: the pool starts within seconds
    while not _first(proc.pid, moment):
        assert proc.poll() is None and time.monotonic() < deadline, f"no {moment} was seen"
    time.sleep(after)  # which moment of the start-up, not a timing: each moment must leave nothing
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 30  # a liveness bound: an orphan lives for good (one was seen 45 minutes later)
    while _group(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = {pid: _cmdline(pid)[:120] for pid in _group(proc.pid)}
    assert not left, f"outlived labsim killed at the first {moment}: {left}"  # `processes` reaps them


def test_a_kill_of_labsim_explore_stops_its_server(tmp_path, processes):
    """kill -9 of `labsim explore`: its Solara server stops serving on the port (it dies with labsim)."""
    pytest.importorskip("solara", reason="labsim explore is the [explore] extra")
    import socket
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = processes.popen([sys.executable, "-m", "sim", "explore", "digital_arti", "--port", str(port)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url, deadline = f"http://127.0.0.1:{port}/", time.monotonic() + 600  # liveness bounds, not timings
    servers: list[int] = []
    while not servers:  # (its first children may be npm, fetching the front-end files)
        assert proc.poll() is None and time.monotonic() < deadline, "labsim explore started no server"
        time.sleep(0.1)
        servers = [k for k in _children(proc.pid) if "solara" in _cmdline(k)]
    server = servers[0]
    while True:  # serving: the page answers
        try:
            with urllib.request.urlopen(url, timeout=2):
                break
        except OSError:
            assert _alive(server) and time.monotonic() < deadline, "the explorer never answered"
            time.sleep(0.5)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 30
    while _group(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _group(proc.pid), "the server outlived labsim explore"
    with pytest.raises(OSError):
        urllib.request.urlopen(url, timeout=2)


def test_processes_started_by_a_test_are_reaped_with_their_group_however_the_test_ends(tmp_path):
    """The `processes` fixture's promise: a process and what it started, killed and reaped when the test ends,
    here by an error in the middle of the test."""
    from processes import Processes

    started = tmp_path / "started"
    code = ("import subprocess, sys, time, pathlib\n"
            "kid = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
            f"pathlib.Path({str(started)!r}).write_text(str(kid.pid))\n"
            "time.sleep(600)\n")
    with pytest.raises(RuntimeError), Processes() as processes:
        proc = processes.popen([sys.executable, "-c", code])
        deadline = time.monotonic() + 120  # a liveness bound
        while not started.exists() or not started.read_text():
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.05)
        raise RuntimeError("the test fails half-way")
    assert proc.returncode == -signal.SIGKILL
    grandchild = int(started.read_text())
    deadline = time.monotonic() + 30
    while _alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(grandchild) and not _group(proc.pid)


# -- every resumable command, killed at a moment of its start, runs again to its end with the same command -------
RESUMABLE = {"folder": lambda d: (d / "out").exists(),  # made, and nothing or its first mark written in it
             "first-runs": lambda d: any(d.glob("out/runs/part-*.parquet")),
             "first-lab": lambda d: any(d.glob(".out.staging-*/rep-*/state.json"))}  # warm-ups stage beside --out


@pytest.mark.parametrize(("what", "moment"), [("batch", "folder"), ("batch", "first-runs"), ("warmup", "folder"),
                                              ("warmup", "first-lab"), ("calibrate", "folder")])
def test_a_resumable_command_killed_at_its_start_runs_again_with_the_same_command(tmp_path, what, moment, processes):
    """kill -9, then the same command again and nothing else (as a user would): it ends well, its folder its own."""
    if what == "calibrate":
        (tmp_path / "tiny.toml").write_text(TINY_LAB)
        argv = ["calibrate", str(tmp_path / "tiny.toml"), "--target", "visitors=1500", "--param",
                "discovery_rate=0.002:0.01", "--budget", "4", "--reps", "2", "--workers", "2", "--quiet", "--out",
                str(tmp_path / "out")]
    else:
        argv = _pooled(tmp_path, what)
    cmd = [sys.executable, "-m", "sim", *argv]
    assert processes.kill_when(cmd, lambda: RESUMABLE[moment](tmp_path)).returncode == -signal.SIGKILL
    again = processes.run(cmd, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    marker = __import__("json").loads((tmp_path / "out" / "labsim.json").read_text())
    assert marker["kind"] == {"batch": "batch", "warmup": "states", "calibrate": "calibration"}[what]
    assert marker.get("finished", True) is True
