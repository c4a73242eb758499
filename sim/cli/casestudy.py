"""labsim casestudy: one year of each of the case study's two labs, side by side."""

from __future__ import annotations

from pathlib import Path

from sim.cli import options

CASE_STUDY = ("carrefour_numerique", "digital_arti")


def add_parser(sub) -> None:
    """The casestudy command."""
    sub.add_parser("casestudy", help="one year of each case-study lab, side by side", parents=[
        options.seed("random seed of both runs (default 1)"),
        options.years("measured years, after each lab's warm-up (default 1)"),
        options.out("output folder, new or an earlier case study's (default results/casestudy)", required=False,
                    default=Path("results/casestudy")),
        options.force("replace an earlier case study in --out asked otherwise"),
        options.quiet("no progress (a bar on a terminal, else a line every few seconds)")])


def run(args) -> int:
    """Labsim casestudy: the open and the closed lab of the case study."""
    from sim.cli.folders import output_folder, what_ran
    from sim.cli.progress import Bar, RunClock
    from sim.cli.tables import outcome_table
    from sim.config.scenario import load_scenario, resolved
    from sim.io import OutputKind, slug

    scenarios = [load_scenario(name) for name in CASE_STUDY]
    requests = {sc.name: {"scenario": resolved(sc), "seed": args.seed, "years": args.years, "from": None}
                for sc in scenarios}
    summaries = {}
    with output_folder(args, OutputKind.CASESTUDY, list(requests.values()), replace=args.force) as folder:
        from sim import figures  # the model, pandas and matplotlib: only once --out is claimed
        from sim.output import write_result
        from sim.run import run as run_scenario

        for sc in scenarios:
            with Bar(f"run {sc.name}", 100, quiet=args.quiet, percent=True) as bar:
                clock = RunClock(args.years, bar)
                bar.poll = clock.percent
                result = run_scenario(sc, seed=args.seed, years=args.years, watch=clock.watch)
            result.summary["set"] = {}
            write_result(result, folder.tmp / slug(sc.name),
                         extra=what_ran(args, OutputKind.RUN, requests[sc.name], sc))
            summaries[sc.name] = result.summary
        figures.save(figures.funnel_figure(summaries), folder.tmp / "funnels.png")
    print(outcome_table(summaries))
    print(f"\nresults under {args.out}/: " + ", ".join(f"{slug(s.name)}/" for s in scenarios) + ", funnels.png")
    return 0
