"""labsim log: a lab's own visit log, described (log describe), or the model's visits written as one (log synth)."""

from __future__ import annotations

import time
from pathlib import Path

from sim.cli import options
from sim.errors import LabsimError
from sim.text import counted


def add_parser(sub) -> None:
    """The log command and its two sub-commands."""
    p = sub.add_parser("log", help="a lab's own visit log: describe it (log describe), or write the model's visits "
                                   "as one (log synth)")
    logs = p.add_commands("log_command", metavar="{describe,synth}")
    p = logs.add_parser("describe", help="the model's outcomes measured on a visit log (CSV or Parquet): per year and "
                                         "over the whole log, tables, figures and a one-page report", parents=[
        options.out("output folder (new, or an earlier log description's)"),
        options.columns("the column of dates, ISO 8601 or YYYYMMDD (default date; with --no-header, 2)",
                        "the column of person identifiers (default person; with --no-header, 1)"),
        options.log_format(), options.no_figures(), options.quiet(),
        options.force("replace an earlier description in --out asked otherwise")])
    p.add_argument("log", type=Path, help="the visit log: delimited text (.csv, .tsv, .txt, .dat; UTF-8) or .parquet, one row per visit")
    p.add_argument("--kind-col", default=None, help="the column of kinds: visit, workshop, event, membership_start, "
                                                   "membership_end (default kind, if the log has it; with "
                                                   "--no-header, a position)")
    p.add_argument("--channel-col", default=None, help="the column of channels (default channel, if the log has it; "
                                                      "with --no-header, a position)")
    p.add_argument("--scenario", default=None, help="the preset or scenario file whose contributor rule "
                                                    "(contributor_visits, contributor_window_days) counts regulars "
                                                    "(default: the model's built-in defaults)")
    p.add_argument("--people", action="store_true", help="also write people.csv: one row per person, named by a "
                                                         "salted hash (never the log's identifier)")

    p = logs.add_parser("synth", help="the model's own visits of the measured years, written as a visit log "
                                      "(the format log describe reads)", parents=[
        options.seed(), options.years("measured years, after the warm-up (default 1; at most 25)"),
        options.out("the log file to write: .csv or .parquet"), options.settings(),
        options.force("replace an existing file at --out"), options.allow_large(),
        options.quiet("no progress (a bar on a terminal, else a line every few seconds)")])
    p.add_argument("scenario", help="a preset name or a scenario file")


def ignored_line(ignored: list[str]) -> str:
    """The log's columns not read, said once (by name, or by position in a log without a header line)."""
    names = ", ".join(repr(name[:40]) for name in ignored[:8]) + (", ..." if len(ignored) > 8 else "")
    return f"{counted(len(ignored), 'column')} of the log not used: {names}"


def run(args) -> int:
    """Labsim log describe | synth."""
    return {"describe": describe, "synth": synth}[args.log_command](args)


def synth(args) -> int:
    """Run the scenario with a visit recorder and write its measured visits as a log file (atomically)."""
    from sim.config.scenario import load_scenario, parse_settings
    from sim.io import atomic_write, check_out
    from sim.logs.logfile import LOG_SUFFIXES

    out = args.out
    if out.suffix.lower() not in LOG_SUFFIXES:
        raise LabsimError(f"--out {out}: a '{out.suffix or 'nameless'}' file; allowed: a log file ending in .csv or "
                          ".parquet")
    check_out(out)
    if out.is_symlink() or (out.exists() and not out.is_file()):
        raise LabsimError(f"--out {out}: not a regular file (a folder or a link); labsim writes the log as a new file")
    if out.exists() and not args.force:
        raise LabsimError(f"--out {out}: exists; labsim does not overwrite a file: add --force to replace it, or "
                          "choose another name")
    settings = parse_settings(args.set)
    scenario = load_scenario(args.scenario)
    if settings:
        scenario = scenario.with_settings(**settings)
    from sim.cli.progress import Bar, RunClock
    from sim.logs.synth import log_bytes  # pandas and the model: only once the input is checked
    from sim.logs.synth import synth as synthesise

    t0 = time.perf_counter()
    with Bar("log synth", 100, quiet=args.quiet, percent=True) as bar:
        clock = RunClock(args.years, bar, after="the log's rows")
        bar.poll = clock.percent
        log, summary = synthesise(scenario, args.seed, args.years, allow_large=args.allow_large, watch=clock.watch)
        atomic_write(out, log_bytes(log, out))
    print(f"{len(log):,} visits of {log['person'].nunique():,} people ({summary['scenario']}, seed {args.seed}, "
          f"{counted(args.years, 'measured year')}; the run's visitors {summary['visitors']:,}, returning visitors "
          f"{summary['returning_visitors']:,}, gini_visits {summary['gini_visits']:g}) written to {out} in "
          f"{time.perf_counter() - t0:.1f} s")
    return 0


def describe(args) -> int:
    """Read and check the log first (nothing written if it is bad), then describe it into --out."""
    from sim.cli.folders import output_folder
    from sim.cli.progress import Bar
    from sim.config.settings import Settings
    from sim.io import OutputKind
    from sim.logs.logfile import check_log

    fmt = options.log_format_of(args)  # --no-header: the columns by position
    check_log(args.log, args.person_col, args.date_col, args.kind_col, args.channel_col, fmt)  # before pandas loads
    settings = Settings()
    if args.scenario is not None:
        from sim.config.scenario import load_scenario

        settings = load_scenario(args.scenario).settings
    log_path = args.log.resolve() if args.log.exists() else args.log
    request = {"log": str(log_path), "columns": [args.person_col, args.date_col, args.kind_col, args.channel_col],
               **fmt.request(),
               "scenario": args.scenario, "people": args.people, "figures": not args.no_figures,
               "rule": [settings.contributor_visits, settings.contributor_window_days]}
    folder = output_folder(args, OutputKind.LOG_DESCRIPTION, request, replace=args.force)  # before the long read
    from sim.logs.describe import HIDDEN, SUPPRESSED  # pandas, the figures: only once the input is checked
    from sim.logs.describe import describe as describe_log
    from sim.logs.seasons import opening_line
    from sim.logs.visitlog import read_log
    from sim.pages.log import write

    t0, share = time.perf_counter(), [0.0]
    with Bar("log describe", 100, args.quiet, poll=lambda: round(100 * share[0]), percent=True) as bar:
        bar.stage("reading the log")
        log = read_log(args.log, args.person_col, args.date_col, args.kind_col, args.channel_col,
                       progress=lambda x: share.__setitem__(0, x), fmt=fmt)
        bar.stage("the statistics")
        found = describe_log(log, settings)
        with folder:
            bar.stage("the tables" + ("" if args.no_figures else ", figures") + " and the report")
            written = write(found, folder.tmp, people=args.people, figures=not args.no_figures)
    s = found.summary
    shown = ["year", "visits", "visitors", "newcomers", "returning_visitors", "contributors", "gini_visits",
             "returner_survival_1y"]
    print(found.tables["years"][shown].to_string(index=False))
    members = s["log"]["membership_rows"]
    print(f"\n{s['log']['rows']:,} visit rows, {s['log']['same_day_repeats_dropped']:,} same-day repeats dropped"
          + (f", {members if isinstance(members, str) else format(members, ',')} membership rows" if members else "")
          + f"; {s['log']['first_day']} to {s['log']['last_day']}; counts of fewer than 5 people shown as "
          f"{SUPPRESSED}, counts that would give one away as {HIDDEN}")
    print(s["start"]["sentence"])
    if log.ignored:
        print(ignored_line(log.ignored))
    print(s["seasons"]["line"] + (f"; to simulate them, paste into the scenario: {opening_line(s['seasons'])}"
                                  if s["seasons"]["seasonal"] else ""))
    print(f"{len(written) + 1} files written to {args.out}/ in {time.perf_counter() - t0:.1f} s "
          f"(log_summary.json, report.html{', people.csv' if args.people else ''})")
    return 0
