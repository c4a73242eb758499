"""labsim discover: scenario discovery (PRIM), the box of settings where a condition on a batch's outcomes holds."""

from __future__ import annotations

from pathlib import Path

from sim.cli import options
from sim.cli.parser import choice
from sim.text import frame_text


def add_parser(sub) -> None:
    """The discover command."""
    p = sub.add_parser("discover", help="scenario discovery (PRIM): the box of settings where a condition on a "
                                       "batch's outcomes holds (the analysis extra)", parents=[
        options.out("output folder (default BATCH/discover)", required=False),
        options.force("replace an earlier discovery in --out asked otherwise")])
    p.add_argument("batch", type=Path, help="a folder written by labsim batch (a [grid] or [sample] design)")
    p.add_argument("--where", required=True, help='the condition, e.g. "contributors >= 100 and net_result >= -400000" '
                                                  "(NAME OP NUMBER joined by and/or)")
    p.add_argument("--by", type=choice("--by", ("run", "point")), default="run",
                   help="a case is each run (default) or each design point's mean over its replications")
    p.add_argument("--min-coverage", type=options.share_type, default=0.8,
                   help="the chosen box is the densest with at least this coverage (default 0.8)")
    p.add_argument("--no-tree", action="store_true", help="skip the classification tree (scikit-learn)")


def run(args) -> int:
    """Scenario discovery: read the batch, check the condition, run PRIM, then write everything at the end."""
    from sim.analysis import condition
    from sim.batch.store import Store
    from sim.cli.extras import require_analysis
    from sim.cli.folders import output_folder
    from sim.io import OutputKind, atomic_write, read_limited

    require_analysis("discover")
    condition.check(args.where)  # a condition no batch could satisfy, then a folder that is not a batch: both
    Store(args.batch).require_manifest()  # refused before pandas and PRIM are loaded
    from sim.analysis import discover
    from sim.pages import discovery

    x, y, where = discover.load_batch(args.batch, args.where, args.by)  # every input problem before writing
    found = discover.discover(x, y, where, min_coverage=args.min_coverage)
    if not args.no_tree:
        found.tree = discover.tree_view(found)
    out = args.out or args.batch / "discover"
    request = {"batch": str(args.batch.resolve()), "where": args.where, "by": args.by,
               "min_coverage": args.min_coverage, "tree": not args.no_tree}
    with output_folder(args, OutputKind.DISCOVERY, request, out=out, replace=args.force) as folder:
        written = discovery.write(found, args.batch, folder.tmp)
        for toml in sorted((args.batch / "scenarios").glob("*.toml")):  # the batch's scenarios, resolved: what ran
            if toml.is_file() and not toml.is_symlink():
                atomic_write(folder.tmp / "scenarios" / toml.name, read_limited(toml, 1_000_000))
    print(discover.sentence(found))
    print(frame_text(found.limits))
    print(f"\n{len(written)} files in {out}/: {', '.join(written)}")
    return 0
