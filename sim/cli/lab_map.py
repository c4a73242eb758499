"""labsim map: sweep the case study's map (public-market x open-closed) and draw its heatmaps."""

from __future__ import annotations

from sim.cli import options


def add_parser(sub) -> None:
    """The map command."""
    p = sub.add_parser("map", help="sweep the case study's map (public-market x open-closed) and draw heatmaps",
                       parents=[
        options.out("results folder"), options.years("measured years, after each point's warm-up (default 1)"),
        options.seed("root seed (default 1)"), options.workers(), options.quiet(),
        options.force("replace a folder that holds another map"), options.allow_large()])
    p.add_argument("--resolution", type=options.integer(2, 50), default=5,
                   help="grid points per axis, 2 to 50 (default 5)")
    p.add_argument("--reps", type=options.integer(1, 1_000), default=3, help="replications per point (default 3)")


def run(args) -> int:
    """Sweep the map and draw it."""
    import json

    from sim.cli.folders import output_folder
    from sim.io import OutputKind

    with output_folder(args, OutputKind.MAP) as folder:  # its batches check that they are this map's
        from sim import figures  # the model, pandas and matplotlib: only once --out is claimed
        from sim.analysis.lab_map import CORNERS, OUTCOMES, preset_positions, run_map
        from sim.cli.tables import grid_table
        from sim.config.scenario import preset_names

        grid = run_map(args.out, resolution=args.resolution, reps=args.reps, workers=args.workers, years=args.years,
                       root_seed=args.seed, quiet=args.quiet, force=args.force, allow_large=args.allow_large,
                       dest=folder.tmp)
        own = json.loads((folder.tmp / "map.json").read_text())["preset_results"]
        figures.save(figures.map_figure(grid, OUTCOMES, preset_positions(), own), folder.tmp / "map.png")
        folder.record([*CORNERS.values(), *preset_names()])
    print(grid_table(grid, OUTCOMES))
    print(f"\nmap.csv and map.png in {args.out}/")
    return 0
