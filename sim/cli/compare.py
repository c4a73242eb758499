"""labsim compare: scenarios side by side, with common random numbers: means, 95% CIs, paired differences, figures."""

from __future__ import annotations

import sys
from pathlib import Path

from sim.cli import inert, options
from sim.errors import LabsimError
from sim.text import counted


def add_parser(sub) -> None:
    """The compare command."""
    p = sub.add_parser("compare", help="scenarios side by side: means, 95%% CIs, paired differences, figures",
                       parents=[
        options.out("results folder"), options.years("measured years, after each scenario's warm-up (default 1)"),
        options.seed("root seed (default 1)"), options.workers(), options.quiet(),
        options.force("replace a folder that holds another comparison"),
        options.settings(options.SET_HELP.replace("change one scenario key",
                                                  "change one key of every scenario compared")),
        options.states(), options.focus(), options.allow_large()])
    p.add_argument("scenarios", nargs="+", help="two or more presets or scenario files")
    p.add_argument("--reps", type=options.reps_type, default=30, help="replications per scenario (default 30)")
    p.add_argument("--fork", action="store_true",
                   help="policies from now on without saved labs: warm the first scenario up once per replication "
                        "(kept in --out/states) and fork every scenario from it")


def run(args) -> int:
    """Compare scenarios with common random numbers; write the table, CSV and figures, all at the end."""
    from sim.batch.experiment import check_compare_args, check_states
    from sim.cli.folders import output_folder
    from sim.config.cost import check_batch
    from sim.config.files import cap
    from sim.config.scenario import load_scenario, parse_settings
    from sim.io import OutputKind

    check_compare_args(args.scenarios, args.reps)
    focus = options.focus_of(args)
    if args.fork and args.states is not None:
        raise LabsimError("--fork and --from: give one (--from uses saved labs; --fork warms the first scenario up)")
    settings = parse_settings(args.set)
    loaded = [load_scenario(ref).with_settings(**settings) for ref in args.scenarios]  # all before pandas loads
    check_compare_args(args.scenarios, args.reps, loaded, args.years)
    check_batch(loaded, [{}], args.reps, args.years, args.allow_large,
                where="compare --set" if settings else "experiment compare")  # as the batch checks it, sooner
    if args.states is not None:  # the saved labs' manifest, as the comparison checks it, before numpy and Mesa
        problems = check_states(args.states, loaded, [{}], args.reps, "--from")
        if problems:
            raise LabsimError(cap(problems))
    notes = inert.comparison(args, settings)  # printed first: levers that cannot move these scenarios
    with output_folder(args, OutputKind.COMPARISON) as folder:  # its batch checks that it is this comparison's
        from sim import figures  # the model, pandas and matplotlib: only once the input is checked
        from sim.analysis.compare import format_table, run_comparison
        from sim.batch.executors import Pool, default_workers
        from sim.batch.experiment import replication_seeds
        from sim.batch.store import Store
        from sim.cli.progress import Bar

        tmp = folder.tmp
        refs = (_with_settings(args.scenarios, settings, args.out / "scenarios", args.years, args.reps, args.allow_large)
                if settings else args.scenarios)
        states = args.states
        if args.fork:
            states = _fork_states(refs[0], args.reps, args.seed, args.out / "states", args.workers, args.quiet,
                                  args.allow_large)
        table = run_comparison(refs, args.reps, args.out, workers=args.workers, years=args.years,
                               root_seed=args.seed, quiet=args.quiet, force=args.force,
                               allow_large=args.allow_large, dest=tmp, states=states, focus=focus,
                               changes=settings)
        print(format_table(table, focus=focus))
        store = Store(args.out / "batch")
        runs = store.runs()
        scenario_of = dict(zip(runs["run_id"], runs["scenario"], strict=True))
        figures.save(figures.funnel_ci_figure(table), tmp / "funnels.png")
        figures.save(figures.network_metrics_figure(table), tmp / "network_metrics.png")
        warmup = ({n: float(w) for n, w in runs.groupby("scenario")["warmup_years"].first().items()}
                  if "warmup_years" in runs.columns else None)
        warmup = warmup and {n: warmup[n] for n in dict.fromkeys(runs["scenario"]) if n in warmup}
        figures.save(figures.timeseries_bands_figure(store.timeseries(), scenario_of, warmup), tmp / "timeseries.png")
        if states is not None:
            from sim.model.state import LabStates

            seed = LabStates(states).seeds[0]
        else:
            seed = replication_seeds(args.seed, 1)[0]
        caption = (f"saved lab 1 of {args.reps}" if states is not None else
                   f"replication 1 of {args.reps}, root seed {args.seed}") + f" (seed {figures.seed_label(seed)})"
        jobs = [(str(ref), seed, args.years, states and str(states), str(tmp), caption) for ref in refs]
        with Pool(min(len(jobs), args.workers or default_workers())) as pool, \
                Bar("network pictures", len(jobs), quiet=args.quiet) as bar:  # one replication again per scenario
            for _ in pool.executor.map(network_pictures, jobs):
                bar.advance()
        inert.keep(tmp / "comparison.json", notes)
        folder.record([] if settings else refs, settings)
    print(f"\ncomparison.csv and figures in {args.out}/; `labsim report {args.out}` makes the HTML page")
    return 0


def network_pictures(job: tuple) -> None:
    """Run one scenario's first replication again (the model only) and draw its rings (a worker's job)."""
    from sim import figures
    from sim.config.scenario import load_scenario
    from sim.io import slug
    from sim.model.state import LabStates
    from sim.run import simulate

    ref, seed, years, states, tmp, caption = job
    scenario = load_scenario(ref)
    model = simulate(scenario, seed, years, LabStates(states).state(0) if states else None)
    name, safe, graph = scenario.name, slug(scenario.name), model.network.graph()
    figures.save(figures.role_shells_figure(graph, name, seed=seed, caption=caption), Path(tmp) / f"rings_{safe}.png")


def _fork_states(base: str, reps: int, root_seed: int, folder: Path, workers, quiet: bool, allow_large: bool) -> Path:
    """The first scenario's mature labs, one per replication: warmed up once into `folder`, reused if already there."""
    from sim.batch.experiment import replication_seeds
    from sim.batch.warmup import warm_up
    from sim.cli.progress import Bar
    from sim.config.scenario import load_scenario
    from sim.model.state import LabStates

    scenario = load_scenario(base)
    try:
        saved = LabStates(folder)
        if saved.seeds[:reps] == replication_seeds(root_seed, reps) and saved.settings == scenario.settings:
            print(f"forking every scenario from the {reps} mature labs of {scenario.name} already in {folder}/",
                  file=sys.stderr)
            return folder
    except LabsimError:
        pass
    print(f"warming {scenario.name} up once per replication ({reps} labs, "
          f"{counted(scenario.settings.warmup_years, 'year')} each) into {folder}/; every scenario then forks from them", file=sys.stderr)
    with Bar("warm-ups", reps, quiet=quiet) as bar:
        warm_up(scenario, reps, folder, root_seed=root_seed, workers=workers, force=True,
                progress=lambda failed: bar.advance(), allow_large=allow_large)
    return folder


def _with_settings(refs: list[str], settings: dict, folder: Path, years: float = 1.0, reps: int = 2,
                   allow_large: bool = False) -> list[str]:
    """Scenario files that extend each compared scenario with the --set keys, kept in --out/scenarios/.

    Each file is the scenario resolved (every key, the changes applied), so the
    comparison's batch runs (and resumes, and reports) them as files, and the
    folder says what ran.
    """
    from sim.config.cost import check_batch
    from sim.config.scenario import load_scenario, scenario_toml
    from sim.io import atomic_write, slug

    changed = [load_scenario(ref).with_settings(**settings) for ref in refs]  # every problem before anything is written
    check_batch(changed, [{}], reps, years, allow_large, where="compare --set")  # the cost too (issue 23)
    out = []
    for ref, scenario in zip(refs, changed, strict=True):
        path = folder / f"{slug(scenario.name)}.toml"
        note = f"{ref} with labsim compare --set {' '.join(f'{k}={v}' for k, v in settings.items())}, resolved"
        atomic_write(path, scenario_toml(scenario, note).encode())
        out.append(str(path))
    return out
