"""Coverage of `calibrate --from-log --method abc` (issue 31, item 5): simulation-based calibration on a young lab.

    .venv/bin/python benchmarks/coverage.py            # 20 logs, ~30 minutes on a shared 2-core machine; prints
    .venv/bin/python benchmarks/coverage.py --write    # also records its table in benchmarks/README.md, docs/ODD.md
    .venv/bin/python benchmarks/coverage.py --logs 4 --population 20 --generations 2   # a quick look

K settings of `discovery_rate` and `return_base_visitor` are drawn from the
prior boxes of docs/strategist.md's log example, each synthesised as a one-year
visit log on a seed of its own, each log calibrated as `calibrate --from-log
--method abc` does (`sim.analysis.coverage`); the table says, per setting, how
often the 90% interval covered the hidden value (target 80-97%). The lab is the
young one of that example (`tiny.toml`: the open preset with 500 passers-by a
day, no warm-up, no initial population), not the open preset itself: a
particle of the open preset carries its 4-year warm-up (about 2 s, 10 times a
young lab's year), so 20 calibrations of it would take hours on 2 cores. Not
part of `make bench` (too long); a benchmark, not a test: it exits 0 whatever
the coverage (tests/statistical/test_coverage.py asserts it on a cheaper lab).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

# docs/strategist.md's young lab (tiny.toml) and its --free boxes
LAB = ('extends = "carrefour_numerique"\nname = "tiny_open"\nhost_footfall_per_day = 500.0\nwarmup_years = 0.0\n'
       "initial_contributors = 0\ninitial_partners = 0\ninitial_dormant = 0\ninitial_former_regulars = 0\n"
       "initial_awareness = 0.0\nevent_reach = 20.0\ndoc_reach_per_year = 200.0\n")
BOXES = {"discovery_rate": (0.002, 0.012), "return_base_visitor": (0.02, 0.3)}
BEGIN, END = "<!-- BEGIN COVERAGE -->", "<!-- END COVERAGE -->"
PLACES = (HERE / "README.md", ROOT / "docs" / "ODD.md")


def record(text: str, table_csv: str) -> None:
    """Replace the text between the markers in benchmarks/README.md and docs/ODD.md; the per-log table beside."""
    for path in PLACES:
        old = path.read_text()
        a, b = old.index(BEGIN), old.index(END)
        path.write_text(old[: a + len(BEGIN)] + "\n" + text + "\n" + old[b:])
    (HERE / "coverage.csv").write_text(table_csv)


def main() -> int:
    """Run the study, print a line per log and the summary; with --write, record it."""
    from sim.analysis import coverage
    from sim.batch.executors import make_pool

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logs", type=int, default=20)
    parser.add_argument("--population", type=int, default=40)
    parser.add_argument("--generations", type=int, default=3)
    parser.add_argument("--seed", type=int, default=31)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--write", action="store_true", help="record the table in benchmarks/README.md, docs/ODD.md")
    args = parser.parse_args()
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="labsim-coverage-") as tmp, make_pool("local", args.workers) as pool:
        lab = Path(tmp) / "tiny.toml"
        lab.write_text(LAB)
        study = coverage.Study(str(lab), BOXES, logs=args.logs, population=args.population,
                               generations=args.generations, seed=args.seed)
        print(f"{time.ctime()}: {study.settings()}; {args.workers} workers", flush=True)

        def say(i: int, rows: list[dict]) -> None:
            cells = "; ".join(f"{r['setting']} {r['truth']:.4g} in [{r['q05']:.4g}, {r['q95']:.4g}] "
                              f"{'yes' if r['covered'] else 'NO'}" for r in rows)
            print(f"log {i + 1}/{study.logs} ({rows[0]['simulations']} simulations, "
                  f"{time.perf_counter() - t0:.0f} s): {cells}", flush=True)

        table = coverage.run(study, pool, Path(tmp), progress=say)
    minutes = (time.perf_counter() - t0) / 60
    summary = coverage.summarise(table)
    load = os.getloadavg()[0]
    text = (f"Measured {time.ctime()} on {platform.machine()} ({os.cpu_count()} cores, shared: load average "
            f"{load:.1f} at the end), Python {platform.python_version()}, in {minutes:.0f} minutes: "
            f"{study.settings()} (each calibration at most {int(table['simulations'].max())} one-year "
            f"simulations, {table['simulations'].sum() // len(BOXES):,} in all); `python benchmarks/coverage.py "
            f"--logs {args.logs} --population {args.population} --generations {args.generations} --seed "
            f"{args.seed}`.\n\n" + coverage.markdown(summary))
    print("\n" + text)
    if args.write:
        record(text, table.to_csv(index=False, float_format="%.6g"))
        print(f"recorded in {', '.join(str(p.relative_to(ROOT)) for p in PLACES)} and benchmarks/coverage.csv")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
