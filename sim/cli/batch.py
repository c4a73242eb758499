"""labsim batch (an experiment: designs x replications, resumable) and labsim summarize (its statistics)."""

from __future__ import annotations

import sys
from pathlib import Path

from sim.cli import options
from sim.text import counted


def add_parser(sub) -> None:
    """The batch and summarize commands."""
    p = sub.add_parser("batch", help="run an experiment: designs x replications, resumable Parquet results", parents=[
        options.out("results folder (re-run the same command to resume)"), options.workers(), options.executor(),
        options.quiet(), options.force("replace a folder that holds another experiment"),
        options.states(options.FROM_HELP + " (or the file's 'from' key)"), options.allow_large()])
    p.add_argument("experiment", type=Path, help="an experiment file (see scenarios/experiments/)")

    p = sub.add_parser("summarize", help="mean, sd and 95%% CI of each metric per design point of a batch")
    p.add_argument("out", type=Path, help="a batch's results folder")


def run(args) -> int:
    """Labsim batch or summarize."""
    return summarize(args) if args.command == "summarize" else batch(args)


def batch(args) -> int:
    """Run what an experiment still needs, then print the counts; exit 1 if a run failed or is missing."""
    from sim.batch.experiment import load_experiment
    from sim.cli.extras import require_extra
    from sim.cli.folders import output_folder
    from sim.io import OutputKind

    if args.executor == "dask":
        require_extra("distributed", "dask", "--executor dask")
    exp = load_experiment(args.experiment)
    if args.states is not None:
        exp.from_states(args.states)
    folder = output_folder(args, OutputKind.BATCH)  # and the batch's own check: this experiment's, or --force
    from sim.batch.runner import run_batch  # the model, pandas and pyarrow: only once the input is checked

    counts = run_batch(exp, args.out, workers=args.workers, executor=args.executor, scheduler=args.scheduler,
                       quiet=args.quiet, force=args.force, allow_large=args.allow_large,
                       what_ran=lambda staging: folder.record(exp.scenario_objects(), into=staging))
    print(f"{exp.name}: {counted(counts['total'], 'run')}, {counts['done']} done, {counts['failed']} failed, "
          f"{counts['missing']} missing ({counts['skipped']} already done before) in {counts['seconds']} s "
          f"-> {args.out}/")
    if counts["missing"]:
        print(f"error: {args.out}: {counts['missing']} of {counts['total']} runs are missing from the folder "
              "(was it changed while the batch ran?); run the same command again to complete it", file=sys.stderr)
    return 0 if counts["failed"] == 0 and counts["missing"] == 0 else 1


def summarize(args) -> int:
    """Print and write (summary.csv) the per-design-point statistics of a batch."""
    from sim.io import atomic_write, claim_folder, csv_bytes, locked

    claim_folder(args.out, ("batch",), "labsim summarize")  # the folder it reads is the one it writes into
    from sim.analysis.summary import summarize as summary_of
    from sim.analysis.summary import table

    with locked(args.out, check=False):  # not while a batch writes there
        summary = summary_of(args.out)
        atomic_write(args.out / "summary.csv", csv_bytes(summary))
    print(table(summary))
    print(f"\nall metrics: {args.out / 'summary.csv'}")
    return 0
