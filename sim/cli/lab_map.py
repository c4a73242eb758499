"""labsim map: sweep the case study's map (public-market x open-closed) and draw its heatmaps."""

from __future__ import annotations

from sim.cli import options


def add_parser(sub) -> None:
    """The map command."""
    p = sub.add_parser("map", help="sweep the case study's map (public-market x open-closed) and draw heatmaps",
                       parents=[
        options.out("results folder"), options.years("measured years, after each point's warm-up (default 1)"),
        options.seed("root seed (default 1)"), options.workers(), options.quiet(),
        options.force("replace a folder that holds another map"), options.allow_large(),
        options.allow_failures()])
    p.add_argument("--resolution", type=options.integer(2, 50), default=5,
                   help="grid points per axis, 2 to 50 (default 5)")
    p.add_argument("--reps", type=options.integer(1, 1_000), default=3, help="replications per point (default 3)")


def run(args) -> int:
    """Sweep the map and draw it."""
    from sim.cli.folders import output_folder
    from sim.io import OutputKind

    with output_folder(args, OutputKind.MAP) as folder:  # its batches check that they are this map's
        from sim import figures  # the model, pandas and matplotlib: only once --out is claimed
        from sim.analysis.lab_map import CORNERS, OUTCOMES, run_map
        from sim.batch.failures import Failures
        from sim.cli.results import write_results
        from sim.cli.tables import grid_table
        from sim.config.scenario import preset_names

        grid, meta = run_map(args.out, resolution=args.resolution, reps=args.reps, workers=args.workers,
                             years=args.years, root_seed=args.seed, quiet=args.quiet, force=args.force,
                             allow_large=args.allow_large)
        failures = Failures.from_dict(meta.get("failures"))
        failures.check(args.allow_failures, "map", each=False)  # exit 1 unless allowed; a cell without runs is blank
        write_results(folder.tmp, {"map.csv": grid}, {"map.json": meta})
        figures.save(figures.map_figure(grid, OUTCOMES, meta["presets"], meta["preset_results"]),
                     folder.tmp / "map.png")
        folder.record([*CORNERS.values(), *preset_names()])
    if failures:
        print(failures.warning())
    print(grid_table(grid, OUTCOMES))
    print(f"\nmap.csv and map.png in {args.out}/")
    return 0
