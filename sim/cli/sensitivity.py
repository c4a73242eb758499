"""labsim sensitivity: Morris or Sobol indices (SALib) over named parameters, via batches."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from sim.cli import inert, options
from sim.cli.parser import choice
from sim.errors import LabsimError


def add_parser(sub) -> None:
    """The sensitivity command."""
    p = sub.add_parser("sensitivity", help="Morris or Sobol indices (SALib) over named parameters, via batches "
                                          "(the analysis extra)", parents=[
        options.out("results folder (re-run the same command to resume)"),
        options.states(options.FROM_HELP + " (or the file's 'from' key)"), options.workers(), options.executor(),
        options.quiet(), options.force("replace a folder that holds another sensitivity analysis"),
        options.allow_large(), options.allow_failures()])
    p.add_argument("experiment", type=Path, help="a sensitivity file (see scenarios/experiments/sensitivity_open.toml)")
    p.add_argument("--method", type=choice("--method", ("morris", "sobol")), default="morris",
                   help="morris: screening, few runs (default); sobol: variance shares, n (d + 2) points")


def run(args) -> int:
    """Run a sensitivity analysis and print its indices beside the noise."""
    from sim.analysis.sensitivity_spec import load_spec
    from sim.batch.experiment import check_states
    from sim.cli.extras import require_analysis, require_extra
    from sim.cli.folders import output_folder
    from sim.config.files import cap
    from sim.config.saved_labs import SavedLabs
    from sim.config.scenario import load_scenario
    from sim.io import OutputKind

    require_analysis("sensitivity")
    if args.executor == "dask":
        require_extra("distributed", "dask", "--executor dask")
    if args.states is not None:  # saved labs' manifest first: reading the file's outputs loads sim.metrics (numpy)
        SavedLabs(args.states, "--from")
    spec = load_spec(args.experiment)  # the file's kind and keys, before pandas, SALib and the model are loaded
    if args.states is not None:  # checked as the file's 'from' key is, before pandas, SALib and the model load
        problems = check_states(args.states, [load_scenario(spec.scenario)], [dict.fromkeys(spec.names, 0)],
                                spec.replications, "--from")
        if problems:
            raise LabsimError(cap(problems))
        spec = dataclasses.replace(spec, states=str(args.states))
    notes = inert.sensitivity(spec)  # printed first: factors that cannot move the scenario
    folder = output_folder(args, OutputKind.SENSITIVITY)  # --out claimed (its batch checks it is this analysis')
    if spec.states:  # the saved labs by meaning (numpy, the model): --out is good, nothing written yet
        from sim.batch.experiment import verify_states

        where = "--from" if args.states is not None else f"{args.experiment}: key 'from'"
        verify_states(spec.states, spec.replications, where)
    with folder:
        from sim import figures  # the model, pandas, SALib and matplotlib: only once --out is claimed
        from sim.analysis.sensitivity import format_table, run_sensitivity
        from sim.batch.failures import Failures
        from sim.cli.results import write_results

        indices, noise, meta = run_sensitivity(spec, args.method, args.out, workers=args.workers,
                                               executor=args.executor, scheduler=args.scheduler, quiet=args.quiet,
                                               force=args.force, allow_large=args.allow_large)
        failures = Failures.from_dict(meta.get("failures"))
        failures.check(args.allow_failures, "sensitivity")  # exit 1 before any result is written, unless allowed
        write_results(folder.tmp, {"sensitivity.csv": indices, "noise.csv": noise},
                      {"sensitivity.json": inert.keep(meta, notes)})
        figures.save(figures.sensitivity_figure(indices, args.method), folder.tmp / "sensitivity.png")
        folder.record([spec.scenario])
    if failures:
        print(failures.warning())
    print(format_table(indices, noise, args.method))
    print(f"\nsensitivity.csv, noise.csv and sensitivity.png in {args.out}/")
    return 0
