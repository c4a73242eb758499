"""labsim warmup: each seed's warm-up once, its mature lab saved for policies applied from now on (--from)."""

from __future__ import annotations

import time

from sim.cli import options
from sim.text import counted


def add_parser(sub) -> None:
    """The warmup command."""
    p = sub.add_parser("warmup", help="warm a scenario up once per seed and save each mature lab, for policies "
                                      "applied from now on (--from)", parents=[
        options.out("the states folder (new, the same warm-up again, or another one's with --force)"),
        options.seed("root seed of the labs' seeds (default 1, as compare's)"), options.settings(),
        options.workers(), options.quiet(), options.force("replace the states already in --out"),
        options.allow_large()])
    p.add_argument("scenario", help="a preset name or a scenario file (its warm-up is warmup_years)")
    p.add_argument("--seeds", type=options.integer(1, 10_000), required=True,
                   help="mature labs to save, one per seed (1 to 10,000)")


def run(args) -> int:
    """Warm the scenario up once per seed (sim.batch.warmup), each mature lab saved (sim.model.state)."""
    from sim.cli.folders import output_folder
    from sim.cli.progress import Bar
    from sim.config.scenario import load_scenario, parse_settings, resolved
    from sim.io import OutputKind

    settings = parse_settings(args.set)
    scenario = load_scenario(args.scenario)
    if settings:
        scenario = scenario.with_settings(**settings)
    request = {"scenario": resolved(scenario), "seeds": args.seeds, "seed": args.seed}
    folder = output_folder(args, OutputKind.STATES, request)  # the same warm-up again, or another with --force
    from sim.batch.warmup import warm_up  # the model: only once the input is checked

    t0 = time.perf_counter()
    with Bar("warm-ups", args.seeds, quiet=args.quiet) as bar:
        manifest = warm_up(scenario, args.seeds, args.out, root_seed=args.seed, workers=args.workers,
                           force=args.force, progress=lambda failed: bar.advance(), allow_large=args.allow_large,
                           extra=folder.what_ran(scenario, settings), claimed=True)
    years = manifest["warmup_years"]
    print(f"{counted(len(manifest['seeds']), 'mature lab')} of {scenario.name} ({counted(years, 'year')} of warm-up "
          "each) saved in "
          f"{args.out}/ in {time.perf_counter() - t0:.1f} s; apply policies from now on with --from {args.out}")
    return 0
