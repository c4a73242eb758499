"""labsim check-model: the calibration bands and stylised facts, measured over many seeds."""

from __future__ import annotations

from sim.cli import options


def add_parser(sub) -> None:
    """The check-model command."""
    seeds = options.integer(2, 1000)
    p = sub.add_parser("check-model", help="calibration bands and stylised facts, measured over many seeds",
                       parents=[options.workers("worker processes (default: up to 4 cores)"),
                                options.quiet("no progress line")])
    p.add_argument("--seeds", type=seeds, default=20, help="measured years per preset for calibration (default 20)")
    p.add_argument("--network-seeds", type=options.integer(2, 100), default=3,
                   help="runs for the network-shape checks (default 3)")
    p.add_argument("--paired-seeds", type=seeds, default=20, help="paired runs per governance check (default 20)")
    p.add_argument("--drift-seeds", type=seeds, default=12, help="eight-year runs for the steady-state checks (default 12)")
    p.add_argument("--formation-seeds", type=seeds, default=10,
                   help="eight-year runs of the open lab from empty, for the core-formation checks (default 10)")


def run(args) -> int:
    """Print the validation table; exit 1 if a check fails."""
    from sim.cli.progress import Bar
    from sim.validation import run_checks, table

    with Bar("check-model", None, args.quiet) as bar:
        rows = run_checks(seeds=args.seeds, network_seeds=args.network_seeds, paired_seeds=args.paired_seeds,
                          drift_seeds=args.drift_seeds, workers=args.workers, progress=bar.advance,
                          formation_seeds=args.formation_seeds)
    print(table(rows))
    failed = [r.fact for r in rows if not r.passed]
    print(f"\n{len(rows) - len(failed)} of {len(rows)} checks pass")
    return 1 if failed else 0
