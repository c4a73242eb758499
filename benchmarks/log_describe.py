"""`labsim log describe` on a 1-million-visit log: wall time and peak memory (issue 22: <= 15 s and 1 GB, 2 cores).

    .venv/bin/python benchmarks/log_describe.py              # CSV and Parquet, best of 2 each (~1 minute)
    .venv/bin/python benchmarks/log_describe.py --visits 200000 --reps 1

A synthetic log is written into a temporary folder (heavy-tailed visits per
person, three years of days, a few membership rows, a channel), then described
by the command line in a fresh process each time, so that its peak memory
(ru_maxrss of that process, read at its end) is its own. A benchmark, not a
test: it prints the measurements against the issue's bounds and exits 0.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
CHILD = """
import json, resource, sys, time
t0 = time.perf_counter()
from sim.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "seconds": time.perf_counter() - t0,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""
BOUNDS = {"seconds": 15.0, "peak_mb": 1024.0}


def make_log(folder: Path, visits: int, seed: int = 22) -> tuple[Path, Path]:
    """A CSV and a Parquet log of `visits` rows: people with lognormal visit rates over three years."""
    rng = np.random.default_rng(seed)
    people = max(10, visits // 6)
    rate = rng.lognormal(0, 1.6, size=people)
    who = rng.choice(people, size=visits, p=rate / rate.sum())
    days = rng.integers(0, 3 * 365, size=visits)
    kind = np.where(rng.random(visits) < 0.002, "membership_start", np.where(rng.random(visits) < 0.05, "workshop",
                                                                            "visit"))
    channel = rng.choice(np.array(["footfall", "word_of_mouth", "event", "web"]), size=visits)
    dates = (np.datetime64("2021-01-04") + days.astype("timedelta64[D]")).astype(str)
    log = pd.DataFrame({"person": pd.Series(who).map("member-{:07d}".format), "date": dates, "kind": kind,
                        "channel": channel})
    csv, parquet = folder / "log.csv", folder / "log.parquet"
    log.to_csv(csv, index=False)
    log.to_parquet(parquet, index=False)
    return csv, parquet


def describe_once(log: Path, out: Path) -> dict:
    """One `labsim log describe` in a fresh process: its exit code, wall time and peak memory."""
    done = subprocess.run([sys.executable, "-c", CHILD, "log", "describe", str(log), "--out", str(out), "--quiet",
                           "--force"], capture_output=True, text=True, cwd=ROOT, check=False)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    """Write the log, describe it a few times in fresh processes, print the best time and the largest peak."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=1_000_000)
    parser.add_argument("--reps", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="labsim-log-bench-") as tmp:
        t0 = time.perf_counter()
        csv, parquet = make_log(Path(tmp), args.visits)
        print(f"{args.visits:,} rows written in {time.perf_counter() - t0:.1f} s "
              f"(CSV {csv.stat().st_size / 2**20:.0f} MB, Parquet {parquet.stat().st_size / 2**20:.0f} MB); "
              f"{time.ctime()} on {platform.machine()}, Python {platform.python_version()}")
        for log in (csv, parquet):
            runs = [describe_once(log, Path(tmp) / f"out_{log.suffix[1:]}") for _ in range(args.reps)]
            assert all(r["code"] == 0 for r in runs), runs
            best, peak = min(r["seconds"] for r in runs), max(r["peak_mb"] for r in runs)
            verdict = "ok" if best <= BOUNDS["seconds"] and peak <= BOUNDS["peak_mb"] else "MISSED"
            print(f"{log.name:12} best of {args.reps}: {best:5.1f} s (bound {BOUNDS['seconds']:g} s), peak memory "
                  f"{peak:6.0f} MB (bound {BOUNDS['peak_mb']:g} MB): {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
