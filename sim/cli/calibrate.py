"""labsim calibrate: fit a scenario's settings to a lab's own numbers (a point fit, or ABC-SMC's posterior)."""

from __future__ import annotations

import dataclasses
import sys
import time
from pathlib import Path

from sim.cli import options
from sim.cli.parser import choice
from sim.errors import LabsimError
from sim.text import counted, frame_text

# ABC's defaults: sim.analysis.abc's POPULATION and GENERATIONS (why there), not imported here so that the parser
# stays light (tests/unit checks that the two agree)
ABC_POPULATION, ABC_GENERATIONS = 50, 4


def add_parser(sub) -> None:
    """The calibrate command."""
    p = sub.add_parser("calibrate", help="fit parameters so that mean outcomes match a lab's own numbers", parents=[
        options.columns("with --from-log: the column of dates (default date; with --no-header, 2)",
                        "with --from-log: the column of person identifiers (default person; with --no-header, 1)"),
        options.log_format(),
        options.out("results folder (calibrated.toml, fit.csv, history.csv)"),
        options.seed("root seed of the runs' seeds (default 1)"), options.workers(),
        options.quiet("no progress line"), options.allow_large(),
        options.years("abc: simulated years per particle (default 1)", default=None),
        options.force("replace an earlier calibration in --out asked otherwise"), options.allow_failures()])
    p.add_argument("scenario", help="the preset or scenario file to fit")
    p.add_argument("--target", action="append", default=[], metavar="NAME=NUMBER", help="e.g. visitors=3000")
    p.add_argument("--param", "--free", dest="param", action="append", default=[], metavar="NAME=LOW:HIGH",
                   help="a setting to fit within its box, e.g. discovery_rate=0.001:0.01 (--free is the same option)")
    p.add_argument("--from-log", type=Path, default=None, metavar="LOG",
                   help="a visit log (CSV or Parquet, columns person and date, as labsim log describe reads): its "
                        "published outcomes become the targets (a --target of the same name replaces one), and each "
                        "simulation covers as many measured years as the log; --method abc is then the default")
    p.add_argument("--from", dest="from_refs", type=Path, action="append", default=[],
                   help="a TOML file with [targets] and [params], and/or a folder of saved mature labs (labsim "
                        "warmup): every candidate is then a policy forked from them (repeatable)")
    p.add_argument("--reps", type=options.integer(2, 1_000), default=5, help="replications per evaluation (default 5)")
    p.add_argument("--budget", type=options.integer(4, 10_000), default=None,
                   help="evaluations, 4 to 10,000 (default 40); with --method abc: most simulations "
                        "(default 20 x population x generations)")
    p.add_argument("--method", type=choice("--method", ("point", "abc")), default=None,
                   help="point: one best fit with a profile interval per setting (the default with --target); abc: "
                        "a posterior sample of the settings, ABC-SMC (the default with --from-log)")
    p.add_argument("--seasons", type=choice("--seasons", ("log", "scenario")), default="log",
                   help="with --from-log: whose seasons the simulated lab has: log (the default: the log's closed "
                        "months and dips, as monthly_opening, when the log shows some and the scenario has none) or "
                        "scenario (the scenario's own)")
    p.add_argument("--population", type=options.integer(10, 10_000), default=ABC_POPULATION,
                   help=f"abc: particles (default {ABC_POPULATION})")
    p.add_argument("--generations", type=options.integer(1, 50), default=ABC_GENERATIONS,
                   help=f"abc: generations (default {ABC_GENERATIONS})")


def _split_from(args) -> None:
    """Calibrate's --from: a targets file (at most one) and a folder of saved labs (at most one)."""
    folders = [f for f in args.from_refs if f.is_dir()]
    files = [f for f in args.from_refs if not f.is_dir()]
    if len(folders) > 1 or len(files) > 1:
        raise LabsimError("--from: give at most one targets file and one folder of saved labs")
    args.from_file = files[0] if files else None
    args.states = str(folders[0].resolve()) if folders else None


def run(args) -> int:
    """Fit a scenario to targets; write the fitted scenario file and the fit table, all at the end."""
    _split_from(args)
    if args.from_log is not None:  # a log of the wrong kind or columns: refused before pandas and the model load
        from sim.logs.logfile import check_log

        args.log_format = options.log_format_of(args)
        check_log(args.from_log, args.person_col, args.date_col, fmt=args.log_format)
    else:  # targets and boxes: refused before pandas and the model load (a log's targets are known only once read)
        from sim.analysis.calibrate_spec import check_inputs

        if args.no_header or args.sep != ",":
            raise LabsimError("--sep and --no-header: only with --from-log (they say how its CSV file is laid out)")
        check_inputs(args.scenario, args.target, args.param, args.from_file)
    import pandas as pd

    from sim.analysis.calibrate import (
        PROFILE,
        build_spec,
        calibrate,
        check_cost,
        failed_runs,
        misfits,
        profile,
        profile_correlation,
        scenario_file,
        uninformed_line,
        verdict_lines,
    )
    from sim.batch.executors import default_workers
    from sim.batch.failures import COMMENT
    from sim.cli.folders import output_folder
    from sim.cli.progress import Bar
    from sim.config.scenario import load_scenario, resolved
    from sim.csvfile import csv_bytes
    from sim.io import OutputKind, atomic_write

    _check_before_log(args)
    found = _log_targets(args)
    carried = _log_seasons(args, found)
    args.method = args.method or ("abc" if found is not None else "point")
    if args.method == "abc":
        return _abc(args, found, carried)
    if args.years is not None:
        raise LabsimError("--years: only with --method abc (the point fit simulates one year, or the log's years)")
    args.budget = 40 if args.budget is None else args.budget
    spec = build_spec(args.scenario, args.target, args.param, args.from_file, args.reps, args.budget, args.seed,
                      states=args.states, years=found.years if found else 1.0,
                      log_targets=found.targets if found else None)
    check_cost(spec, allow_large=args.allow_large)
    spec.notes[:0] = args.seasons_note
    _say_log_targets(args, found, spec.targets)
    _say_notes(args, spec.notes)
    known = len(spec.notes)
    scenario = load_scenario(spec.scenario)
    request = {"method": "point", "scenario": resolved(scenario), "targets": spec.targets, "params": spec.params,
               "reps": spec.reps, "budget": spec.budget, "seed": spec.root_seed, "from": args.states,
               "from_log": str(args.from_log.resolve()) if found else None, "years": spec.years, **_layout(args)}
    folder = output_folder(args, OutputKind.CALIBRATION, request, replace=args.force)
    t0 = time.perf_counter()
    evaluations = spec.budget + 1  # the screen and the search, then the check on fresh seeds
    source = "the log" if found else "the target"
    with folder, Bar("calibrate: evaluations", evaluations, args.quiet, poll=lambda: len(spec.history)):
        fitted, table = calibrate(spec, workers=args.workers or default_workers())  # all losses infinite: refused
        intervals = profile(spec, fitted)
        head = _with_start(verdict_lines(table, source), found)
        uninformed = uninformed_line(intervals, _informer(found))
        lines = [*head, *(f"note: {n}" for n in spec.notes), *([f"note: {uninformed}"] if uninformed else [])]
        failures = dataclasses.replace(spec.failures, where=str(args.out / "history.csv")) if spec.failures else None
        text = scenario_file(dataclasses.replace(spec, scenario=args.base_scenario), fitted, table, args.out,
                             intervals, carried)
        if failures:  # said in the file (the report's first screen reads it), as on the terminal
            text = f"{COMMENT}{failures.sentence()}\n{text}"
        atomic_write(folder.tmp / "calibrated.toml", text.encode())
        atomic_write(folder.tmp / "fit.csv", csv_bytes(table))
        atomic_write(folder.tmp / "history.csv", csv_bytes(pd.DataFrame(spec.history)))
        atomic_write(folder.tmp / "intervals.csv", csv_bytes(intervals))
        atomic_write(folder.tmp / "correlation.csv", csv_bytes(profile_correlation(spec)))
        atomic_write(folder.tmp / "verdict.txt", ("\n".join(lines) + "\n").encode())
        folder.record(scenario=scenario)
    code = failed_first(failures, args, "calibrate")  # the failed runs first, then the verdict
    _say_notes(args, spec.notes[known:])
    print("\n".join(head))
    print("fitted: " + ", ".join(f"{k} = {v:g}" for k, v in fitted.items()))
    failed = failed_runs(spec, table)
    shown = table.drop(columns=["far"]) if failed else table.drop(columns=["runs", "failed_runs", "far"])
    print(frame_text(shown))
    print(f"profile intervals (the evaluations within {PROFILE:.2f} of the best loss):")
    print(frame_text(intervals))
    if uninformed:
        print(uninformed)
    for message in [*misfits(spec, fitted, table), *([failed] if failed else [])]:
        print(f"warning: {message}", file=sys.stderr)
    print(f"\n{args.out / 'calibrated.toml'} (run it: labsim run {args.out / 'calibrated.toml'}); "
          f"{len(spec.history)} evaluations in {time.perf_counter() - t0:.0f} s; fit.csv, intervals.csv, "
          f"correlation.csv, history.csv, verdict.txt in {args.out}/")
    return code


def failed_first(failures, args, command: str) -> int:
    """Say the failed runs first: a warning with --allow-failures (exit 0), else one error line (exit 1).

    A calibration is not resumable, so its results (from the runs that finished) are written either way.
    """
    if not failures:
        return 0
    if args.allow_failures:
        print(failures.warning().replace("the results below use", "the results use"))
        return 0
    print(f"error: {command}: {failures.sentence()}; the results in {args.out}/ use the runs that finished; add "
          "--allow-failures to accept them", file=sys.stderr)
    return 1


def _check_before_log(args) -> None:
    """With --from-log: --out and the cost checked before the log is read (it may take a minute).

    The cost is checked at the least span a log gives (one measured year a simulation) with a stand-in
    target; once the log is read, its own span is checked again. Nothing is written here.
    """
    if args.from_log is None:
        return
    from sim.analysis.calibrate import build_spec, check_cost
    from sim.cli.folders import command_line
    from sim.io import OutputKind, claim_out

    method = args.method or "abc"  # (--from-log's default)
    kind = OutputKind.ABC if method == "abc" else OutputKind.CALIBRATION
    claim_out(args.out, kind, None, force=args.force, command=command_line(args))
    stand_in = {"visitors": 1.0}  # the log's targets are not known yet; a target is needed to check the rest
    if method == "abc":
        years = args.years or 1.0
        from sim.analysis.abc import abc_spec

        spec = abc_spec(args.scenario, args.target, args.param, args.from_file, args.seed, years, states=args.states,
                        log_targets=stand_in)
        _abc_cost(args, spec, years)
    else:
        spec = build_spec(args.scenario, args.target, args.param, args.from_file, args.reps,
                          40 if args.budget is None else args.budget, args.seed, states=args.states, years=1.0,
                          log_targets=stand_in)
        check_cost(spec, allow_large=args.allow_large)


def _abc_cost(args, spec, years: float) -> None:
    """Refuse an ABC calibration whose simulations (at the top of every box) cost more than the limits."""
    from sim.analysis import abc
    from sim.config.cost import check_batch
    from sim.config.scenario import load_scenario
    from sim.config.schema import PARAM_BY_NAME

    cap = args.budget or 20 * args.population * args.generations
    if cap < args.population:
        raise LabsimError(f"--budget: got {cap}; allowed with --method abc: at least --population ({args.population})")
    top = {k: (round(hi) if PARAM_BY_NAME[k].kind is int else hi) for k, (_, hi) in spec.params.items()}
    check_batch([load_scenario(spec.scenario).with_settings(**top)], [{}], cap + abc.PREDICTIVE_DRAWS, years,
                allow_large=args.allow_large, where=f"calibrate --method abc (--budget {cap} simulations)")


def _informer(found) -> str:
    return "the log" if found is not None else "the targets"


def _say_notes(args, notes: list[str]) -> None:
    """Targets dropped (and why), on stderr."""
    for note in notes:
        print(f"note: {note}", file=sys.stderr)


def _log_targets(args):
    """The targets of --from-log (None without it), said on stderr: which were used, which left out and why."""
    if args.from_log is None:
        return None
    from sim.logs.targets import from_log

    found = from_log(args.from_log, args.scenario, args.person_col, args.date_col, args.log_format,
                     states=bool(args.states))
    if not found.targets:
        raise LabsimError(f"--from-log {args.from_log}: no outcome with 5 people or more behind it; a log this small "
                          "cannot be calibrated to")
    return found


def _layout(args) -> dict:
    """A log's layout in the request, when not the default (so that an earlier folder's request still matches)."""
    fmt = getattr(args, "log_format", None)
    return fmt.request() if fmt is not None else {}


def _with_start(head: list[str], found) -> list[str]:
    """The verdict's first lines, the log's start against the scenario's second (a mismatch that biases the fit)."""
    if found is None or not found.start:
        return head
    return [*head[:1], found.start, *head[1:]]


def _log_seasons(args, found) -> dict:
    """--seasons log: a log with seasons, fitted with a scenario without any, is simulated with the log's.

    The log's profile (`sim.logs.seasons`) becomes the simulated lab's `monthly_opening`: `args.scenario`
    becomes a stand-in file (in a temporary folder, for the command's life) that extends the scenario
    with it, so every simulation, here or in a worker, loads it by path; `args.base_scenario` keeps the
    scenario for calibrated.toml's `extends`. Returns the keys calibrated.toml carries on top of the
    scenario; `args.seasons_note` is the one line that says so (stderr and the report's head).
    """
    args.base_scenario, args.seasons_note = args.scenario, []
    if found is None or found.description is None:
        return {}
    import tempfile

    import tomli_w

    from sim.config.scenario import is_path_like, load_scenario
    from sim.config.settings import Settings
    from sim.io import slug
    from sim.logs.seasons import opening_line

    seasons = found.description.summary["seasons"]
    if not seasons["seasonal"]:
        return {}
    base = load_scenario(args.scenario)
    if args.seasons == "scenario" or base.settings.monthly_opening != Settings().monthly_opening:
        whose = "--seasons scenario" if args.seasons == "scenario" else "the scenario has its own monthly_opening"
        args.seasons_note = [f"{seasons['line']} in the log; not simulated ({whose})"]
        return {}
    args.seasons_folder = tempfile.TemporaryDirectory(prefix="labsim-seasons-")  # removed when the command ends
    ref = str(Path(args.scenario).resolve()) if is_path_like(str(args.scenario)) else str(args.scenario)
    stand_in = Path(args.seasons_folder.name) / f"{slug(base.name)}.toml"
    stand_in.write_text(tomli_w.dumps({"extends": ref, "name": base.name,
                                       "monthly_opening": list(seasons["monthly_opening"])}))
    args.scenario = str(stand_in)
    args.seasons_note = [f"{seasons['line']}: simulated with the log's {opening_line(seasons)} "
                         "(--seasons scenario: the scenario's own)"]
    return {"monthly_opening": tuple(seasons["monthly_opening"])}


def _say_log_targets(args, found, targets: dict) -> None:
    """On stderr, once every input is checked: the log's targets used (a --target may replace one) and left out."""
    if found is None or args.quiet:
        return
    print(f"targets from {args.from_log.name} ({counted(found.days, 'day')}: {counted(found.years, 'measured year')} a "
          "simulation): " + ", ".join(f"{k}={v:g}" for k, v in (found.targets | targets).items()), file=sys.stderr)
    if found.left_out:
        print("left out: " + "; ".join(found.left_out), file=sys.stderr)
    if found.ignored:
        from sim.cli.logs import ignored_line

        print(ignored_line(found.ignored), file=sys.stderr)


def _abc(args, found=None, carried: dict | None = None) -> int:
    """Calibrate --method abc: the same targets and boxes as the point fit, a posterior sample instead of a point."""
    from sim.analysis import abc
    from sim.analysis.calibrate import measured_years, verdict_lines
    from sim.batch.executors import default_workers, make_pool
    from sim.batch.failures import Failures
    from sim.cli.folders import output_folder
    from sim.cli.progress import Bar
    from sim.config.scenario import load_scenario, resolved
    from sim.csvfile import csv_bytes
    from sim.io import OutputKind, atomic_write
    from sim.logs.synth import MAX_LOG_YEARS
    from sim.pages.abc import write as write_abc

    years = args.years or (found.years if found else 1.0)
    cap = args.budget or 20 * args.population * args.generations
    spec = abc.abc_spec(args.scenario, args.target, args.param, args.from_file, args.seed, years,  # checks all input
                        states=args.states, log_targets=found.targets if found else None)
    _abc_cost(args, spec, years)
    spec.notes[:0] = args.seasons_note
    if found is not None and years != found.years:
        spec.notes.append(f"the log covers {found.days} days ({measured_years(found.years)}), each simulation "
                          f"{measured_years(years)} (--years): counts such as visitors are not comparable")
    _say_log_targets(args, found, spec.targets)
    _say_notes(args, spec.notes)
    known = len(spec.notes)
    scenario = load_scenario(spec.scenario)
    request = {"method": "abc", "scenario": resolved(scenario), "targets": spec.targets, "params": spec.params,
               "population": args.population, "generations": args.generations, "budget": cap, "years": years,
               "seed": args.seed, "from": args.states, "from_log": str(args.from_log.resolve()) if found else None,
               **_layout(args)}
    folder = output_folder(args, OutputKind.ABC, request, replace=args.force)
    workers = args.workers or default_workers()
    source = "the log" if found else "the target"
    t0, share = time.perf_counter(), [0.0]
    with make_pool("local", workers) as pool, folder, \
            Bar("calibrate abc", 100, args.quiet, poll=lambda: share[0], percent=True) as bar:
        tmp = folder.tmp
        def progress(generations: float, simulations: int) -> None:  # the share of the generations done
            share[0] = 100 * min(generations / args.generations, 1.0)
            bar.stage(f"generation {min(int(generations) + 1, args.generations)} of {args.generations}, "
                      f"{simulations:,} simulations")

        bar.stage(f"generation 1 of {args.generations}")
        result, sim, integer = abc.fit(spec, pool, args.population, args.generations, cap, progress=progress)
        bar.stage("posterior draws for the verdict and the figures")
        spec.notes += result.notes
        abc.predictive(sim, result, args.seed, integer=integer)  # the verdict: fresh runs of posterior draws
        uninformed = abc.uninformed_line(result.intervals, _informer(found))
        head = _with_start(verdict_lines(result.verdict, source), found)
        lines = [*head, *(f"note: {n}" for n in spec.notes), *([f"note: {uninformed}"] if uninformed else [])]
        shown = []
        if found is not None and not args.states and years <= MAX_LOG_YEARS:  # the log against posterior draws
            from sim.analysis import predictive
            from sim.figures import predictive_figures

            draws = predictive.simulate(spec.scenario, result.posterior, list(spec.params), years, pool, args.seed)
            shown = predictive_figures(found.description, draws, tmp) if len(draws) >= 2 else []
        failed = int(result.generations["failed"].sum()) if len(result.generations) else 0
        simulated = int(result.generations["simulated"].sum()) if len(result.generations) else 0
        failures = Failures(failed, simulated, " ".join(sim.first_error.split())[:160],
                            where=str(args.out / "generations.csv")) if failed else None
        title = f"the log {args.from_log.name}" if found else str(args.scenario)
        write_abc(result, tmp, title, predictive=shown, head=lines,
                  failures=failures.sentence() + "; their particles were rejected" if failures else "")
        atomic_write(tmp / "verdict.csv", csv_bytes(result.verdict))
        atomic_write(tmp / "verdict.txt", ("\n".join(lines) + "\n").encode())
        atomic_write(tmp / "calibrated.toml", abc.scenario_file(args.base_scenario, result, args.out,
                                                                "the log " + args.from_log.name if found
                                                                else "its targets", carried).encode())
        folder.record(scenario=scenario)
    code = failed_first(failures, args, "calibrate --method abc")  # the failed runs first, then the verdict
    _say_notes(args, spec.notes[known:])
    print("\n".join(head))
    print(abc.statement(result))
    print(frame_text(result.intervals))
    if uninformed:
        print(uninformed)
    print(frame_text(result.verdict.drop(columns=["far"])))
    print(f"\n{len(result.posterior)} particles after {len(result.generations)} generations "
          f"({int(result.generations['simulated'].sum()):,} simulations, stopped after {result.stopped}; "
          f"{abc.PREDICTIVE_DRAWS} posterior draws for the verdict) in {time.perf_counter() - t0:.0f} s; "
          f"posterior.csv, intervals.csv, correlation.csv, verdict.csv, marginals.png, pairs.png, "
          f"{'predictive_*.png (the log against posterior draws), ' if shown else ''}abc.html, "
          f"calibrated.toml (the posterior medians: labsim run {args.out / 'calibrated.toml'}) in {args.out}/")
    return code
