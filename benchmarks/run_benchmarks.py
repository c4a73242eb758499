"""labsim's performance targets, measured as ratios within one run.

    .venv/bin/python benchmarks/run_benchmarks.py            # or: make bench (prints only)
    .venv/bin/python benchmarks/run_benchmarks.py --quick    # skips the 100x year and the batches
    .venv/bin/python benchmarks/run_benchmarks.py --startup  # only the command line's start-up (seconds)
    .venv/bin/python benchmarks/run_benchmarks.py --write    # or: make bench-update (rewrites the tracked files)
    .venv/bin/python benchmarks/run_benchmarks.py --calibrate  # only the ABC calibration end to end (calibration.py)

Each measurement runs in a fresh subprocess, so that its peak memory (ru_maxrss)
is its own; times are the best of a few repetitions, because this is a shared
machine. The results are printed; only with --write do they go to
benchmarks/results.json and into the table of benchmarks/README.md (between the
BEGIN/END markers), so that `make bench` leaves the work tree clean.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]

import baseline  # noqa: E402  (benchmarks/baseline.py: the code before issue 19)
import calibration  # noqa: E402  (benchmarks/calibration.py: issue 31's calibration end to end)

TARGETS = {
    "vs_before": ("one measured open-lab year, warm-up and summary included / the same with the code before issue 19",
                  "<=", 0.25),
    "sim_vs_skeleton": ("one measured open-lab year, warm-up and summary included / reference skeleton", "<=", 0.5),
    "metrics_vs_sim": ("summary + network metrics / simulation", "<=", 1.0),
    "scale_10x": ("time at 10x / time at 1x", "<=", 11.0),
    "bytes_per_person": ("simulation's peak memory growth per person created (bytes)", "<=", 2048),
    "bytes_per_person_with_metrics": ("the same, including the metrics (bytes; no target)", "info", 0),
    "multi_year_growth": ("people held at year 5 / at year 2", "<=", 1.25),
    "metrics_per_tie_10x": ("metrics time per tie at 10x / at 1x (no target: the graph outgrows the CPU caches)", "info", 0),
    "metrics_per_tie_100x": ("metrics time per tie at 100x / at 10x (near-linear)", "<=", 2.0),
    "scale_100x": ("time at 100x / time at 10x (the 100x year completes; no bound: memory-bound at 2 GB)", "info", 0),
    "batch_speedup_2_workers": ("40 runs: 1 worker / 2 workers", ">=", 1.7),
    "dask_overhead": ("40 runs: Dask LocalCluster / process pool", "<=", 1.3),
    "batch_parent_memory": ("batch parent's peak memory: 160 runs / 40 runs", "<=", 1.15),
    "startup_help": ("start-up of `labsim --help` / `python -c pass` (same run)", "<=", 5.0),
    "startup_validate": ("start-up of `labsim validate <preset>` / `python -c pass`", "<=", 6.0),
    "abc_fork_targets": ("ABC-style run of the open preset's measured year forked from a saved lab, asked for a log's "
                         "targets only (no network measures) / every outcome (same run)", "info", 0),
    "abc_full_targets": ("the same with the preset's 4-year warm-up in each run (ABC without --from)", "info", 0),
}
ABC_TARGETS = ("visitors", "returning_visitors", "visitors_4plus_share", "gini_visits", "visits_max", "visits_q50",
               "visits_q75", "visits_q90", "visits_q99")  # what calibrate --from-log fits: no network measure
STARTUP_REPS = 15  # best of: a start-up is ~0.1 s, and the machine is shared
BENCH_WARMUP = 2.0  # years of warm-up of the benchmarked year: the open preset's before issue 19, so both codes do the same work



def scaled(k: float):
    """The open preset at k times its population: footfall, programme, staff and space scale with it.

    Workshops scale in number; big events in size (a k-times larger host holds
    k-times larger events), so the calendar keeps its shape.
    """
    import sim

    if (Path(sim.__file__).parent / "config").is_dir():
        from sim.config.scenario import load_scenario
    else:  # the code before issue 19 (baseline.py) has sim/scenario.py; the venv's editable install would
        from sim.scenario import load_scenario  # otherwise find the work tree's sim.config beside the old sim

    sc = load_scenario("carrefour_numerique")
    p = sc.settings
    return sc.with_settings(
        warmup_years=BENCH_WARMUP,
        host_footfall_per_day=p.host_footfall_per_day * k,
        workshops_per_year=p.workshops_per_year * k,
        event_newcomers=p.event_newcomers * k,
        event_reach=p.event_reach * k,
        doc_reach_per_year=p.doc_reach_per_year * k,
        mediators=max(1, round(p.mediators * k)),
        space_capacity=max(1, round(p.space_capacity * k)),
        initial_contributors=round(p.initial_contributors * k),
        initial_partners=round(p.initial_partners * k),
        initial_dormant=round(p.initial_dormant * k),
        initial_former_regulars=round(p.initial_former_regulars * k),
        initial_awareness=p.initial_awareness * k,
    )


# -- measurements, each run in its own process ----------------------------------
def measure_year(k: float, reps: int, years: float = 1.0, code: str = "") -> dict:
    """Simulate k-times the open lab (best of reps), then time its metrics; with `code`, the `sim` found there."""
    import gc

    if code:  # the code before issue 19 (benchmarks/baseline.py), imported instead of the work tree's
        sys.path.insert(0, code)
        sys.modules.pop("sim", None)
    import sim
    try:  # imported before timing: Mesa and igraph take a second or two to import
        import sim.model.model
    except ModuleNotFoundError:  # the code before issue 19: the model is one module, sim/model.py
        import sim.model
    from sim.metrics import summary
    from sim.run import relaxed_gc, simulate

    assert sim.__file__.startswith(code or str(ROOT)), sim.__file__

    best, model = float("inf"), None
    for rep in range(reps):
        model = None
        gc.collect()  # free the previous repetition's model before building the next
        t0 = time.perf_counter()
        model = simulate(scaled(k), seed=rep, years=years)
        best = min(best, time.perf_counter() - t0)
    sim_peak = _peak_mb()
    t0 = time.perf_counter()
    with relaxed_gc():
        s = summary(model)
    metrics = time.perf_counter() - t0
    people = getattr(model, "people", None)  # the engine of issue 19 keeps a table of people; the one before, agents
    created = people.n if people is not None else model.people_created
    held = int((~people.gone[: people.n]).sum()) if people is not None else len(model.agents)
    return {
        "scale": k, "years": years, "warmup_years": BENCH_WARMUP, "sim_s": best, "metrics_s": metrics,
        "visits": s["visits"], "participants": s["visitors"] + s["mediators"],
        "visits_per_s": s["visits"] / best, "people_created": created,
        "people_held": held, "sim_peak_mb": sim_peak, "peak_mb": _peak_mb(), "ties": s["edges"],
    }


def measure_marginal(reps: int, code: str = "") -> dict:
    """The open lab's next mature year: the warm-up and a measured year run, then one more year timed (best of reps).

    The day's own speed (issue 31's marginal year): neither the model's start nor the summary; with
    `code`, the `sim` found there (the code before issue 19, as `measure_year`).
    """
    if code:
        sys.path.insert(0, code)
        sys.modules.pop("sim", None)
    import sim
    from sim.run import relaxed_gc, simulate

    assert sim.__file__.startswith(code or str(ROOT)), sim.__file__
    best = float("inf")
    for rep in range(reps):
        model = simulate(scaled(1.0), seed=rep, years=1.0)
        with relaxed_gc():
            t0 = time.perf_counter()
            model.run_years(1.0)
            best = min(best, time.perf_counter() - t0)
    return {"marginal_s": best}


def measure_skeleton(n: int, reps: int) -> dict:
    """The bare time-stepped Mesa model at the same population and horizon."""
    from skeleton import run_skeleton

    best = float("inf")
    for rep in range(reps):
        t0 = time.perf_counter()
        run_skeleton(n, days=365, seed=rep)
        best = min(best, time.perf_counter() - t0)
    return {"people": n, "skeleton_s": best, "peak_mb": _peak_mb()}


def measure_batch(workers: int, executor: str, runs: int) -> dict:
    """A batch of one-year open-lab runs through labsim's batch engine."""
    import tempfile

    from sim.batch.experiment import Experiment
    from sim.batch.runner import run_batch

    exp = Experiment.simple("carrefour_numerique", replications=runs, root_seed=1)
    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter()
        run_batch(exp, Path(out), workers=workers, executor=executor, quiet=True)
        wall = time.perf_counter() - t0
    return {"workers": workers, "executor": executor, "runs": runs, "wall_s": wall, "peak_mb": _peak_mb()}


def measure_abc(reps: int) -> dict:
    """One ABC particle's run of the open preset (a changed setting, its own seed): its targets only, or everything.

    As `labsim calibrate --method abc` runs it (`sim.run.summarise_run` with `outcomes=` its targets), forked
    from a saved mature lab (--from: the measured year alone) and from scratch (the preset's warm-up each
    time); each pair interleaved, best of `reps`, so that a busy moment slows both alike.
    """
    import tempfile

    import sim.model.model  # noqa: F401  (imported before timing)
    from sim.batch.warmup import warm_up
    from sim.config.scenario import load_scenario
    from sim.model.state import LabStates
    from sim.run import summarise_run

    scenario = load_scenario("carrefour_numerique").with_settings(discovery_rate=0.0015)  # a particle's setting
    out = {}
    with tempfile.TemporaryDirectory() as folder:
        warm_up(load_scenario("carrefour_numerique"), 1, Path(folder) / "states", workers=1)
        state = LabStates(Path(folder) / "states").state(0)
        for kind, saved in (("fork", state), ("full", None)):
            best = {"targets": float("inf"), "every": float("inf")}
            for rep in range(reps):
                for ask, outcomes in (("targets", ABC_TARGETS), ("every", None)):
                    t0 = time.perf_counter()
                    summarise_run(scenario, 1000 + rep, 1.0, state=saved, outcomes=outcomes)
                    best[ask] = min(best[ask], time.perf_counter() - t0)
            out |= {f"{kind}_targets_s": best["targets"], f"{kind}_every_s": best["every"]}
    return out


def measure_startup(reps: int = STARTUP_REPS) -> dict:
    """Best wall time of `python -c pass`, `labsim --help`, `labsim scenarios` and `labsim validate`, same run.

    `labsim` is the installed script beside this Python (the venv's), so the
    ratio is what a user waits for beyond the interpreter's own start.
    """
    labsim = str(Path(sys.executable).with_name("labsim"))
    commands = {
        "python_pass_s": [sys.executable, "-c", "pass"],
        "help_s": [labsim, "--help"],
        "scenarios_s": [labsim, "scenarios"],
        "validate_s": [labsim, "validate", str(ROOT / "scenarios" / "carrefour_numerique.toml")],
    }
    best = dict.fromkeys(commands, float("inf"))
    for _ in range(reps):
        for key, cmd in commands.items():  # interleaved: a busy moment slows every command alike
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
            best[key] = min(best[key], time.perf_counter() - t0)
    return best


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(kind: str, *args) -> dict:
    """Run one measurement in a fresh interpreter and return its JSON."""
    cmd = [sys.executable, __file__, "--child", kind, *map(str, args)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


# -- the report -------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="skip the 100x year and the batches (with --write, the last full run's are kept)")
    parser.add_argument("--startup", action="store_true", help="only the command line's start-up; prints, writes nothing")
    parser.add_argument("--write", action="store_true",
                        help="write results.json and the README's tables (make bench-update); default: print only")
    parser.add_argument("--render", action="store_true", help="only re-render README.md from results.json")
    parser.add_argument("--abc", action="store_true",
                        help="only ABC's runs with and without the network measures; prints, writes nothing")
    parser.add_argument("--calibrate", action="store_true",
                        help="only the ABC calibration of a year's log end to end, and the year against the code "
                             "before issue 19 (calibration.py; --write records them)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.calibrate:
        print("the calibration of a year's log (log synth, then calibrate --method abc: minutes) ...", flush=True)
        cal = calibration.measure_calibration()
        print(f"  {cal['wall_s']:.0f} s, {cal['simulations']:,} simulations, load average {cal['load_mean']:.1f}: "
              f"{json.dumps(cal)}", flush=True)  # all of it, should the next part fail
        print("the year and the marginal year, with the code before issue 19 (best of 3) ...", flush=True)
        years = calibration.measure_year_ratios(child, str(baseline.checkout()))
        return calibration.publish(cal, years, write=args.write)
    if args.render:
        res = json.loads((HERE / "results.json").read_text())
        return _publish(res, write=True)
    if args.startup:
        st = measure_startup()
        ratios = {"startup_help": st["help_s"] / st["python_pass_s"],
                  "startup_validate": st["validate_s"] / st["python_pass_s"]}
        print(_startup_line(st))
        for key, value in ratios.items():
            text, op, bound = TARGETS[key]
            print(f"{text}: {value:.2f} ({op} {bound:g}) {'ok' if _ok(key, value) else 'MISSED'}")
        return 0 if all(_ok(k, v) for k, v in ratios.items()) else 1
    if args.abc:
        ab = child("abc", 3)
        print(_abc_line(ab))
        for key, value in _abc_ratios(ab).items():
            print(f"{TARGETS[key][0]}: {value:.2f}")
        return 0
    if args.child:
        kind, *rest = args.child
        fn = {"year": measure_year, "skeleton": measure_skeleton, "batch": measure_batch, "abc": measure_abc,
              "marginal": measure_marginal}[kind]
        conv = [float(rest[0]), int(rest[1]), *(float(x) for x in rest[2:3]), *rest[3:]] if kind == "year" else (
            [int(rest[0]), int(rest[1])] if kind == "skeleton" else [int(rest[0])] if kind == "abc"
            else [int(rest[0]), *rest[1:]] if kind == "marginal" else [int(rest[0]), rest[1], int(rest[2])])
        print(json.dumps(fn(*conv)))
        return 0

    res: dict = {"machine": f"{platform.machine()}, {platform.python_version()}", "started": time.ctime()}
    print("start-up ...", flush=True)
    st = res["startup"] = measure_startup()
    print("1x year, and the same with the code before issue 19 ...", flush=True)
    before = str(baseline.checkout())
    y1, y0 = child("year", 1, 1, 1.0), child("year", 1, 1, 1.0, before)
    for _ in range(2):  # interleaved, best of three each: a busy moment slows both alike
        y1 = min(y1, child("year", 1, 1, 1.0), key=lambda r: r["sim_s"] + r["metrics_s"])
        y0 = min(y0, child("year", 1, 1, 1.0, before), key=lambda r: r["sim_s"] + r["metrics_s"])
    res["year_1x"], res["year_1x_before"] = y1, y0
    print("skeleton ...", flush=True)
    # the skeleton holds the people who take part in the measured year (visitors and staff), stepped daily
    sk = res["skeleton_1x"] = child("skeleton", y1["participants"], 3)
    print("10x year ...", flush=True)
    y10 = res["year_10x"] = child("year", 10, 2)
    print("multi-year ...", flush=True)
    y2 = res["years_2"] = child("year", 1, 1, 2)
    y5 = res["years_5"] = child("year", 1, 1, 5)
    ratios = {
        "vs_before": (y1["sim_s"] + y1["metrics_s"]) / (y0["sim_s"] + y0["metrics_s"]),
        "sim_vs_skeleton": (y1["sim_s"] + y1["metrics_s"]) / sk["skeleton_s"],
        "metrics_vs_sim": y1["metrics_s"] / y1["sim_s"],
        "scale_10x": y10["sim_s"] / y1["sim_s"],
        "bytes_per_person": (y10["sim_peak_mb"] - y1["sim_peak_mb"]) * 2**20
        / (y10["people_created"] - y1["people_created"]),
        "bytes_per_person_with_metrics": (y10["peak_mb"] - y1["peak_mb"]) * 2**20
        / (y10["people_created"] - y1["people_created"]),
        "multi_year_growth": y5["people_held"] / y2["people_held"],
        "metrics_per_tie_10x": (y10["metrics_s"] / y10["ties"]) / (y1["metrics_s"] / y1["ties"]),
        "startup_help": st["help_s"] / st["python_pass_s"],
        "startup_validate": st["validate_s"] / st["python_pass_s"],
    }
    print("ABC's runs, with and without the network measures ...", flush=True)
    ab = res["abc"] = child("abc", 3)
    ratios |= _abc_ratios(ab)
    if not args.quick:
        print("100x year (a few minutes) ...", flush=True)
        y100 = res["year_100x"] = child("year", 100, 1)
        ratios["metrics_per_tie_100x"] = (y100["metrics_s"] / y100["ties"]) / (y10["metrics_s"] / y10["ties"])
        ratios["scale_100x"] = y100["sim_s"] / y10["sim_s"]
        print("batches ...", flush=True)
        b1, b2 = child("batch", 1, "local", 40), child("batch", 2, "local", 40)
        bd = child("batch", 2, "dask", 40)
        b160 = child("batch", 2, "local", 160)
        res["batches"] = [b1, b2, bd, b160]
        ratios["batch_parent_memory"] = b160["peak_mb"] / b2["peak_mb"]
        ratios["batch_speedup_2_workers"] = b1["wall_s"] / b2["wall_s"]
        ratios["dask_overhead"] = bd["wall_s"] / b2["wall_s"]
    if args.quick and args.write and (HERE / "results.json").is_file():
        # keep the last full run's 100x year and batches (not measured now), and say when they were measured
        last = json.loads((HERE / "results.json").read_text())
        for key in ("year_100x", "batches"):
            if key in last:
                res[key] = last[key]
        kept = ("metrics_per_tie_100x", "scale_100x", "batch_parent_memory", "batch_speedup_2_workers", "dask_overhead")
        ratios.update({k: v for k, v in last.get("ratios", {}).items() if k in kept})
        res["kept_from"] = last.get("kept_from") or last.get("started")
    res["ratios"] = ratios
    if args.write and (HERE / "results.json").is_file() and "calibrate" in (last := json.loads((HERE / "results.json").read_text())):
        res["calibrate"] = last["calibrate"]  # measured only with --calibrate: kept
    if args.write:
        (HERE / "results.json").write_text(json.dumps(res, indent=2) + "\n")
    return _publish(res, write=args.write)


def _abc_ratios(ab: dict) -> dict[str, float]:
    return {"abc_fork_targets": ab["fork_targets_s"] / ab["fork_every_s"],
            "abc_full_targets": ab["full_targets_s"] / ab["full_every_s"]}


def _abc_line(ab: dict) -> str:
    return (f"ABC-style runs (best of 3): forked year {ab['fork_targets_s']:.2f} s with the targets only, "
            f"{ab['fork_every_s']:.2f} s with every outcome; with the warm-up {ab['full_targets_s']:.2f} s, "
            f"{ab['full_every_s']:.2f} s")


def _startup_line(st: dict) -> str:
    return (f"start-up (best of {STARTUP_REPS}): python -c pass {st['python_pass_s']:.3f} s, labsim --help "
            f"{st['help_s']:.3f} s, labsim scenarios {st['scenarios_s']:.3f} s, labsim validate {st['validate_s']:.3f} s")


def _publish(res: dict, write: bool = False) -> int:
    """Print the table; with `write`, put it into README.md; say which targets were missed."""
    ratios = res["ratios"]
    table = render(res)
    print(table)
    if write:
        readme = HERE / "README.md"
        text = readme.read_text()
        a, b = text.index("<!-- BEGIN RESULTS -->"), text.index("<!-- END RESULTS -->")
        readme.write_text(text[: a + len("<!-- BEGIN RESULTS -->")] + "\n" + table + "\n" + text[b:])
        print(f"\nwritten: {HERE / 'results.json'}, {readme}")
    else:
        print("\n(printed only; `make bench-update` writes benchmarks/README.md and results.json)")
    failed = [k for k, v in ratios.items() if not _ok(k, v)]
    print(f"\n{len(ratios) - len(failed)} of {len(ratios)} targets met" + (f"; missed: {failed}" if failed else ""))
    return 1 if failed else 0


def _ok(key: str, value: float) -> bool:
    _, op, bound = TARGETS[key]
    return True if op == "info" else value <= bound if op == "<=" else value >= bound


def render(res: dict) -> str:
    kept = (f" The 100x year and the batches are from the full run of {res['kept_from']} (`--quick` keeps them)."
            if res.get("kept_from") else "")
    lines = [f"Measured {res['started']} on {res['machine']}.{kept}", "",
             "| target | measured | bound | |", "|---|---|---|---|"]
    for key, value in res["ratios"].items():
        text, op, bound = TARGETS[key]
        verdict = "" if op == "info" else "ok" if _ok(key, value) else "MISSED"
        lines.append(f"| {text} | {value:,.3g} | {'' if op == 'info' else f'{op} {bound:g}'} | {verdict} |")
    lines += ["", "| run | people created | visits | simulation (s) | visits/s | metrics (s) | peak memory (MB) |",
              "|---|---|---|---|---|---|---|"]
    for key in ("year_1x", "year_1x_before", "year_10x", "year_100x", "years_2", "years_5"):
        if key in res:
            r = res[key]
            lines.append(f"| {key} | {r['people_created']:,} | {r['visits']:,} | {r['sim_s']:.2f} | "
                         f"{r['visits_per_s']:,.0f} | {r['metrics_s']:.2f} | {r['peak_mb']:,.0f} |")
    sk = res["skeleton_1x"]
    lines.append(f"| skeleton ({sk['people']:,} agents x 365 daily steps) | {sk['people']:,} | - | "
                 f"{sk['skeleton_s']:.2f} | - | - | {sk['peak_mb']:,.0f} |")
    for b in res.get("batches", []):
        lines.append(f"| batch: {b['runs']} runs, {b['executor']}, {b['workers']} workers | - | - | "
                     f"{b['wall_s']:.1f} | - | - | {b['peak_mb']:,.0f} |")
    if "startup" in res:
        lines += ["", _startup_line(res["startup"]) + "."]
    if "abc" in res:
        lines += ["", _abc_line(res["abc"]) + "."]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
