"""labsim run: one scenario, one seed, its results and figures in one folder."""

from __future__ import annotations

import time
from pathlib import Path

from sim.cli import options


def add_parser(sub) -> None:
    """The run command."""
    p = sub.add_parser("run", help="run one scenario and write its results and figures", parents=[
        options.seed(), options.years(),
        options.out("output folder, new or an earlier run's (default results/<scenario name as a slug>, with the "
                    "--set changes in the name when there are any)", required=False),
        options.no_figures(), options.settings(),
        options.states(options.FROM_HELP.replace("each replication forks its saved lab",
                                                 "fork one saved lab (--replication)")),
        options.force("replace an earlier run in --out (labsim does not overwrite a result asked otherwise without "
                      "it)"),
        options.allow_large(), options.quiet("no progress (a bar on a terminal, else a line every few seconds)")])
    p.add_argument("scenario", help="a preset name (e.g. carrefour_numerique) or a scenario file")
    p.add_argument("--replication", type=options.integer(0, 9_999), default=0,
                   help="with --from: which saved lab to fork, 0 for the first (default 0); its seed replaces --seed")


def _run_folder(name: str, settings: dict) -> Path:
    """`run`'s default folder: results/<name>, or, with --set, a folder of its own named by the changes."""
    from sim.io import request_hash, slug

    base = slug(name)
    if not settings:
        return Path("results") / base
    words = slug(base + "_" + "_".join(f"{k}-{v}" for k, v in settings.items()), limit=200)
    return Path("results") / (words if len(words) <= 64 else f"{base[:40]}_set-{request_hash(settings)[:8]}")


def run(args) -> int:
    """Labsim run: one scenario, one seed; the cost is checked and the folder claimed and locked before the run."""
    from sim.cli.folders import output_folder
    from sim.cli.progress import Bar, RunClock
    from sim.cli.tables import outcome_table
    from sim.config.cost import check_run
    from sim.config.scenario import load_scenario, parse_settings, resolved
    from sim.io import OutputKind
    from sim.output import write_result
    from sim.run import check_run_args
    from sim.run import run as run_scenario

    settings = parse_settings(args.set)
    scenario = load_scenario(args.scenario)
    if settings:
        scenario = scenario.with_settings(**settings)
    check_run_args(args.seed, args.years)
    scenario.check_horizon(args.years)
    check_run(scenario, args.years, allow_large=args.allow_large)
    state = None
    if args.states is not None:
        from sim.model.state import LabStates

        states = LabStates(args.states)
        states.check_replications(args.replication + 1, "--replication")
        states.check_scenario(scenario.settings, scenario.path or scenario.name)
        state = states.state(args.replication)
    out = args.out or _run_folder(scenario.name, settings)  # a name is a label, never a path
    request = {"scenario": resolved(scenario), "seed": args.seed, "years": args.years,
               "from": [str(args.states.resolve()), args.replication] if args.states is not None else None}
    t0 = time.perf_counter()
    with output_folder(args, OutputKind.RUN, request, out=out, stage=False) as folder, \
            Bar("run", 100, quiet=args.quiet, percent=True) as bar:  # write_result stages
        clock = RunClock(args.years, bar)
        bar.poll = clock.percent
        result = run_scenario(scenario, seed=args.seed, years=args.years, allow_large=True, state=state,
                              watch=clock.watch)
        clock.after = "writing the files" + ("" if args.no_figures else " and figures")
        result.summary["set"] = settings
        written = write_result(result, out, figures=not args.no_figures, replace=args.force,
                               extra=folder.what_ran(scenario, settings))
    print(outcome_table({scenario.name: result.summary}))
    print(f"\n{len(written)} files written to {out}/ in {time.perf_counter() - t0:.1f} s")
    return 0
