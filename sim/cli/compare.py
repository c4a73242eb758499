"""labsim compare: scenarios side by side, with common random numbers: means, 95% CIs, paired differences, figures."""

from __future__ import annotations

import sys
from pathlib import Path

from sim.cli import inert, options
from sim.config.posterior import DRAWS, SEEDS
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
        options.states(), options.focus(), options.allow_large(), options.allow_failures()])
    p.add_argument("scenarios", nargs="+", help="two or more presets or scenario files")
    p.add_argument("--reps", type=options.reps_type, default=None,
                   help="with --posterior: seeds per posterior draw (default 2); otherwise replications per scenario "
                        "(default 30)")
    p.add_argument("--posterior", type=Path, default=None, metavar="CALIBRATION",
                   help="a folder of labsim calibrate --method abc: run every scenario on --draws settings drawn from "
                        "its posterior x --reps seeds (paired), and say per outcome each policy's 90%% band and its "
                        "probability of beating the first scenario (posterior_effects.csv)")
    p.add_argument("--draws", type=options.integer(2, 1_000), default=None,
                   help="with --posterior: settings drawn from the posterior (default 20)")
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

    posterior = _posterior_args(args)
    check_compare_args(args.scenarios, args.reps)
    focus = options.focus_of(args)
    if args.fork and args.states is not None:
        raise LabsimError("--fork and --from: give one (--from uses saved labs; --fork warms the first scenario up)")
    settings = parse_settings(args.set)
    loaded = [load_scenario(ref).with_settings(**settings) for ref in args.scenarios]  # all before pandas loads
    check_compare_args(args.scenarios, args.reps, loaded, args.years)
    if posterior is not None:
        posterior = _draws(args, posterior, settings, loaded)
    check_batch(loaded, posterior["draws"] if posterior else [{}], args.reps, args.years, args.allow_large,
                where="compare --set" if settings else "experiment compare")  # as the batch checks it, sooner
    if args.states is not None:  # the saved labs' manifest, as the comparison checks it, before numpy and Mesa
        problems = check_states(args.states, loaded, [{}], args.reps, "--from")
        if problems:
            raise LabsimError(cap(problems))
    notes = inert.comparison(args, settings)  # printed first: levers that cannot move these scenarios
    folder = output_folder(args, OutputKind.COMPARISON)  # --out claimed (its batch checks it is this comparison's)
    if args.states is not None:  # the saved labs by meaning (numpy, the model): --out is good, nothing written yet
        from sim.batch.experiment import verify_states

        verify_states(args.states, args.reps)
    with folder:
        from sim import figures  # the model, pandas and matplotlib: only once the input is checked
        from sim.analysis.compare import format_table, run_comparison
        from sim.batch.executors import Pool, default_workers
        from sim.batch.experiment import point_seeds, replication_seeds
        from sim.batch.failures import Failures
        from sim.batch.store import Store
        from sim.cli.progress import Bar
        from sim.cli.results import write_results

        tmp = folder.tmp
        refs = (_with_settings(args.scenarios, settings, args.out / "scenarios", args.years, args.reps, args.allow_large)
                if settings else args.scenarios)
        states = args.states
        if args.fork:
            states = _fork_states(refs[0], args.reps, args.seed, args.out / "states", args.workers, args.quiet,
                                  args.allow_large)
        table, meta, drawn = run_comparison(refs, args.reps, args.out, workers=args.workers, years=args.years,
                                            root_seed=args.seed, quiet=args.quiet, force=args.force,
                                            allow_large=args.allow_large, states=states, focus=focus,
                                            changes=settings, posterior=posterior)
        failures = Failures.from_dict(meta.get("failures"))
        failures.check(args.allow_failures, "compare")  # exit 1 before any result is written, unless allowed
        write_results(tmp, {"comparison.csv": table, **({"posterior_effects.csv": drawn} if posterior else {})},
                      {"comparison.json": inert.keep(meta, notes)})
        if failures:
            print(failures.warning())
        print(_posterior_text(tmp, args) if posterior else format_table(table, focus=focus, asked=args.reps))
        store = Store(args.out / "batch")
        runs = store.runs()
        scenario_of = dict(zip(runs["run_id"], runs["scenario"], strict=True))
        figures.save(figures.funnel_ci_figure(table), tmp / "funnels.png")
        figures.save(figures.network_metrics_figure(table), tmp / "network_metrics.png")
        warmup = ({n: float(w) for n, w in runs.groupby("scenario")["warmup_years"].first().items()}
                  if "warmup_years" in runs.columns else None)
        warmup = warmup and {n: warmup[n] for n in dict.fromkeys(runs["scenario"]) if n in warmup}
        figures.save(figures.timeseries_bands_figure(store.timeseries(), scenario_of, warmup), tmp / "timeseries.png")
        if posterior:
            seed = point_seeds(args.seed, 1, 1)[0][0]
        elif states is not None:
            from sim.model.state import LabStates

            seed = LabStates(states).seeds[0]
        else:
            seed = replication_seeds(args.seed, 1)[0]
        caption = (f"posterior draw 1 of {args.draws}, seed 1 of {args.reps}" if posterior else
                   f"saved lab 1 of {args.reps}" if states is not None else
                   f"replication 1 of {args.reps}, root seed {args.seed}") + f" (seed {figures.seed_label(seed)})"
        first = posterior["draws"][0] if posterior else {}
        jobs = [(str(ref), seed, args.years, states and str(states), str(tmp), caption, first) for ref in refs]
        with Pool(min(len(jobs), args.workers or default_workers())) as pool, \
                Bar("network pictures", len(jobs), quiet=args.quiet) as bar:  # one replication again per scenario
            for _ in pool.executor.map(network_pictures, jobs):
                bar.advance()
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

    ref, seed, years, states, tmp, caption, draw = job
    scenario = load_scenario(ref).with_settings(**draw)
    model = simulate(scenario, seed, years, LabStates(states).state(0) if states else None)
    name, safe, graph = scenario.name, slug(scenario.name), model.network.graph()
    figures.save(figures.role_shells_figure(graph, name, seed=seed, caption=caption), Path(tmp) / f"rings_{safe}.png")


def _posterior_args(args):
    """The --posterior options checked, and its folder's posterior read (standard library only); None without it."""
    if args.posterior is None:
        if args.draws is not None:
            raise LabsimError("--draws: only with --posterior (settings drawn from a calibration's posterior)")
        args.reps = 30 if args.reps is None else args.reps
        return None
    from sim.config.posterior import read_posterior

    if args.fork:
        raise LabsimError("--posterior and --fork: give one (--fork warms the first scenario up at its own settings, "
                          "not at each draw's); warm the calibrated scenario up with labsim warmup and give --from")
    args.reps = SEEDS if args.reps is None else args.reps
    args.draws = DRAWS if args.draws is None else args.draws
    return read_posterior(args.posterior)


def _draws(args, found, settings: dict, loaded: list) -> dict:
    """The posterior's draws for this comparison, once every scenario is known not to set a drawn key itself.

    The draws set the calibrated keys in every scenario; a scenario (or --set) that sets one differently
    would have its change silently replaced, so it is refused. Values are checked on every scenario.
    """
    import dataclasses

    set_too = [k for k in found.settings if k in settings]
    if set_too:
        raise LabsimError(f"--set {set_too[0]}: --posterior {found.folder} draws this key for every scenario; "
                          "drop the --set, or calibrate again without it")
    base = loaded[0]
    for sc in loaded[1:]:
        differ = [k for k in found.settings if getattr(sc.settings, k) != getattr(base.settings, k)]
        if differ:
            raise LabsimError(f"--posterior {found.folder}: {sc.name} sets {differ[0]} ({getattr(sc.settings, differ[0])!r}"
                              f", {base.name}: {getattr(base.settings, differ[0])!r}), which the posterior draws for "
                              "every scenario; a policy may change any other key")
    from sim.analysis.posterior import draw
    from sim.batch.experiment import check_points

    picks = draw(list(found.weights), args.draws, args.seed)
    draws = [dict(found.particles[i]) for i in picks]
    problems = check_points(draws, loaded, f"--posterior {found.folder}")
    if problems:
        raise LabsimError(problems[0])
    calibrated = found.folder / "scenario.toml"
    if calibrated.is_file() and not args.quiet:
        from sim.config.scenario import load_scenario

        fitted = dataclasses.asdict(load_scenario(calibrated).settings)
        differ = [k for k, v in dataclasses.asdict(base.settings).items() if k not in found.settings and fitted.get(k) != v]
        if differ:
            print(f"note: {base.name} differs from the calibrated scenario ({found.folder / 'scenario.toml'}) in "
                  f"{counted(len(differ), 'setting')} ({', '.join(differ[:4])}{', ...' if len(differ) > 4 else ''}); "
                  "the draws apply to each scenario as given", file=sys.stderr)
    return {"folder": found.folder, "draws": draws, "particles": picks}


def _posterior_text(folder: Path, args) -> str:
    """The headline and the effects' table of posterior_effects.csv, for the terminal."""
    from sim.analysis.posterior import LEVEL, UNDECIDED, format_effects, headline
    from sim.csvfile import read_csv

    table = read_csv(folder / "posterior_effects.csv")
    import textwrap

    lines = [*textwrap.wrap(f"Over {args.draws} posterior draws of {args.posterior} x {counted(args.reps, 'seed')} "
                            "(paired: draw i, seed j is the same lab under every scenario):", 100),
             *(line for said in headline(table) for line in textwrap.wrap(said, 100, subsequent_indent="  ")), "",
             format_effects(table), "", *textwrap.wrap(
             f"each policy's effect: median [{LEVEL:.0%} band] over the pairs (in % of the first scenario for counts "
             f"and money), and the probability of beating {table['base'].iloc[0]} (of a higher value where no "
             f"direction is better); undecided between {UNDECIDED[0]:g} and {UNDECIDED[1]:g}. "
             "posterior_effects.csv; every outcome's mean over the pairs: comparison.csv", 100)]
    return "\n".join(lines)


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
            saved.verify(reps)  # every lab whole (a warm-up killed while its labs moved in is warmed up again)
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
