"""labsim optimize: many-objective search (NSGA-II) over settings; resumable."""

from __future__ import annotations

import dataclasses
import sys
import time
from pathlib import Path

from sim.cli import options
from sim.text import frame_text


def add_parser(sub) -> None:
    """The optimize command."""
    p = sub.add_parser("optimize", help="many-objective search (NSGA-II) over settings: Pareto set, scenario files, "
                                        "figure, report; resumable (the analysis extra)", parents=[
        options.out("results folder (run the same command again to resume)"),
        options.states(options.FROM_HELP + " (or the search file's 'from' key)"), options.workers(),
        options.executor(), options.quiet("no progress"), options.allow_large()])
    p.add_argument("scenario", help="the preset or scenario file whose settings are searched")
    p.add_argument("--search", type=Path, required=True,
                   help="a search file (see scenarios/experiments/optimize_open.toml)")


def run(args) -> int:
    """Search settings (NSGA-II on labsim's batches); write the Pareto set, its scenario files, figure and report."""
    from sim.analysis import optimize as opt
    from sim.cli.extras import require_analysis, require_extra
    from sim.cli.folders import output_folder
    from sim.config.scenario import load_scenario
    from sim.io import OutputKind

    require_analysis("optimize")
    if args.executor == "dask":
        require_extra("distributed", "dask", "--executor dask")
    spec = opt.load_search(args.search)
    if args.states is not None:
        spec = dataclasses.replace(spec, states=str(args.states.resolve()))
    base = opt.check_scenario(spec, args.scenario, allow_large=args.allow_large)  # all before anything is written
    folder = output_folder(args, OutputKind.OPTIMIZATION, forceable=False, stage=False)
    opt.open_study(spec, base, args.out, create=False)  # refuses a folder that holds another search
    from sim.pages.report import build  # pandas and the figures: only once the input is checked
    from sim.pages.search import write_outputs

    t0 = time.perf_counter()
    say = None if args.quiet else (lambda line: print(line, file=sys.stderr, flush=True))
    with folder:  # locked; the search writes its evaluations in place (resumable), its tables staged at the end
        ev = opt.BatchEvaluator(spec, args.out, args.workers, args.executor, args.scheduler, args.quiet)
        counts = opt.optimize(spec, args.scenario, args.out, ev, base=base, report=say)
        presets = opt.presets_table(spec, args.scenario, base, ev)
        with folder.staged() as tmp:
            found = write_outputs(spec, args.scenario, base, args.out, tmp, presets)
            folder.record(scenario=load_scenario(args.scenario))
        for stale in (args.out / "scenarios").glob("*_pareto_*.toml"):  # from an earlier, smaller front
            if stale.name not in found["files"]:
                stale.unlink()
        build(args.out)
    front = found["front"]
    print(frame_text(front))
    print(f"\n{len(front)} Pareto points of {len(found['table'])} evaluations ({counts['told_now']} evaluated now, "
          f"{counts['before']} before, {counts['resumed']} resumed; {ev.executed} runs now) "
          f"in {time.perf_counter() - t0:.0f} s")
    print(f"{args.out}/pareto.csv, scenarios/ (labsim run or compare them), front.png, report.html")
    return 0
