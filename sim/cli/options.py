"""The options shared by several commands, written once, and labsim's own argument types.

Each shared option is a small parent parser (argparse `parents=`): a command lists the
ones it takes, e.g. `parents=[options.seed(), options.out("results folder")]`. Their help
may be worded for the command; their name, type, limits and default are the same
everywhere. Each type refuses a bad value with what is allowed, and carries its `limits`
so that they are read in --help (sim.cli.parser appends them), not first met in an error.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli.parser import Parser, choice, shown
from sim.config.cost import MAX_YEARS
from sim.errors import LabsimError

SET_HELP = ("change one scenario key, e.g. --set mediators=4 --set access=appointment (repeatable; checked as in a "
            "scenario file; see labsim scenarios --describe)")
FROM_HELP = ("a folder of saved mature labs (labsim warmup): each replication forks its saved lab and applies the "
             "scenario's settings from now on (common history and random numbers)")
LARGE_HELP = "knowingly accept a run or batch up to 100 times the stated cost limits (see README: Limits)"
FAILURES_HELP = ("when runs fail, use those that finished (the count and first reason are said first, in the "
                 "terminal and the report) and exit 0; without it, a command that lost a run exits 1")
FOCUS_HELP = ("the outcomes you ask about, comma-separated (e.g. contributors,partners,net_result): the table and "
              "the report's headline lead with them")


def integer(low: int, high: int | None = None, why: str = "", limits: str = ""):
    """An argparse type: an integer in [low, high], refused with the allowed range in words.

    Its `limits` (e.g. "2 to 10,000") are appended to the option's help by the parser,
    so that a limit is read in --help, not first met in an error.
    """
    allowed = f"an integer in [{low}, {high}]" if high is not None else f"an integer >= {low}"

    def parse(text: str) -> int:
        try:
            value = int(text) if len(text) <= 40 else None
        except ValueError:
            value = None
        if value is None or value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"got {shown(text)}; allowed: {allowed}{why}")
        return value

    parse.limits = limits or (f"{low:,} to {high:,}" if high is not None else f"at least {low:,}")
    return parse


def _number(low_open: float, high: float):
    """An argparse type: a number in (low_open, high]."""

    def parse(text: str) -> float:
        try:
            value = float(text) if len(text) <= 40 else float("nan")
        except ValueError:
            value = float("nan")
        if not low_open < value <= high:
            raise argparse.ArgumentTypeError(f"got {shown(text)}; allowed: a number in ({low_open:g}, {high:g}]")
        return value

    parse.limits = f"more than {low_open:g}, at most {high:g}"
    return parse


MAX_SEED = 2**63 - 1
seed_type = integer(0, MAX_SEED, limits="0 to 2^63 - 1")
seeds_type = integer(2, 1000)
reps_type = integer(2, 10_000, why=" (confidence intervals need two runs)")
years_type = _number(0, MAX_YEARS)
share_type = _number(0, 1)


def workers_type(text: str) -> int:
    """An argparse type: worker processes, 1 to four per core (the machine's, read when the option is given)."""
    from sim.batch.executors import max_workers

    return integer(1, max_workers(), why=" (four per core)")(text)


workers_type.limits = "1 to four per core"


def _parent() -> Parser:
    return Parser(add_help=False)


def out(help: str, required: bool = True, default: Path | None = None) -> Parser:
    """--out: the output folder (or file)."""
    p = _parent()
    p.add_argument("--out", type=Path, required=required, default=default, help=help)
    return p


def force(help: str) -> Parser:
    """--force: replace what an earlier command wrote in --out."""
    p = _parent()
    p.add_argument("--force", action="store_true", help=help)
    return p


def seed(help: str = "random seed (default 1)") -> Parser:
    """--seed: the (root) seed, 0 to 2^63 - 1, default 1."""
    p = _parent()
    p.add_argument("--seed", type=seed_type, default=1, help=help)
    return p


def years(help: str = "measured years, after the scenario's warm-up (default 1)", default: float | None = 1.0) -> Parser:
    """--years: measured years, after the warm-up."""
    p = _parent()
    p.add_argument("--years", type=years_type, default=default, help=help)
    return p


def workers(help: str = "worker processes (default: all cores)") -> Parser:
    """--workers: worker processes."""
    p = _parent()
    p.add_argument("--workers", type=workers_type, default=None, help=help)
    return p


def quiet(help: str = "no progress (a bar on a terminal, else a line every few seconds)") -> Parser:
    """--quiet: no progress on stderr."""
    p = _parent()
    p.add_argument("--quiet", action="store_true", help=help)
    return p


def allow_large() -> Parser:
    """--allow-large: accept a run or batch above the stated cost limits."""
    p = _parent()
    p.add_argument("--allow-large", action="store_true", help=LARGE_HELP)
    return p


def allow_failures() -> Parser:
    """--allow-failures: keep the results of the runs that finished when others failed (exit 0, said first)."""
    p = _parent()
    p.add_argument("--allow-failures", action="store_true", help=FAILURES_HELP)
    return p


def settings(help: str = SET_HELP) -> Parser:
    """--set KEY=VALUE (repeatable): scenario keys changed from the command line."""
    p = _parent()
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help=help)
    return p


def states(help: str = FROM_HELP) -> Parser:
    """--from: a folder of saved mature labs (labsim warmup)."""
    p = _parent()
    p.add_argument("--from", dest="states", type=Path, default=None, help=help)
    return p


def executor() -> Parser:
    """--executor and --scheduler: a local process pool or a Dask cluster."""
    p = _parent()
    p.add_argument("--executor", type=choice("--executor", ("local", "dask")), default="local",
                   help="process pool (default) or Dask")
    p.add_argument("--scheduler", default=None, help="address of a running Dask scheduler (with --executor dask)")
    return p


def focus(help: str = FOCUS_HELP) -> Parser:
    """--focus OUTCOME,...: the outcomes a table and a report lead with."""
    p = _parent()
    p.add_argument("--focus", default=None, metavar="OUTCOME,...", help=help)
    return p


def no_figures() -> Parser:
    """--no-figures: skip the PNG figures."""
    p = _parent()
    p.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    return p


def columns(date_help: str, person_help: str = "the column of person identifiers (default person)") -> Parser:
    """--person-col and --date-col: the columns of a visit log."""
    p = _parent()
    p.add_argument("--person-col", default="person", help=person_help)
    p.add_argument("--date-col", default="date", help=date_help)
    return p


def separator_type(text: str) -> str:
    """An argparse type: a CSV log's separator, one character or a name (tab, whitespace, semicolon, comma)."""
    from sim.logs.logfile import SEPARATOR_NAMES, WHITESPACE

    value = WHITESPACE if text == " " else SEPARATOR_NAMES.get(text.lower(), text)
    if value != WHITESPACE and (len(value) != 1 or value in '"\n\r' or value.isalnum()):
        raise argparse.ArgumentTypeError(f"got {shown(text)}; allowed: one character (e.g. ';' or '|'), tab, or "
                                         "whitespace (runs of spaces and tabs)")
    return value


separator_type.limits = "one character, tab or whitespace"


def log_format() -> Parser:
    """--sep and --no-header: how a CSV log is laid out (a Parquet log ignores them)."""
    from sim.logs.logfile import NO_HEADER_HELP, SEP_HELP

    p = _parent()
    p.add_argument("--sep", type=separator_type, default=",", metavar="SEP", help=SEP_HELP)
    p.add_argument("--no-header", action="store_true", help=NO_HEADER_HELP)
    return p


def log_format_of(args):
    """The log's layout (`sim.logs.logfile.LogFormat`), its columns checked before anything heavy loads.

    With --no-header the columns are named by position: --person-col and --date-col default to 1 and 2,
    and every column flag given must be a position (1, 2, ...), else one line says so.
    """
    from sim.logs.logfile import FLAGS, LogFormat

    if args.no_header:
        defaults = {"person_col": ("person", "1"), "date_col": ("date", "2")}
        for attr, (name, position) in defaults.items():
            if getattr(args, attr) == name:
                setattr(args, attr, position)
        for key, flag in FLAGS.items():
            value = getattr(args, f"{key}_col", None)
            if value is not None and not (value.strip().isdigit() and int(value) >= 1):
                raise LabsimError(f"{flag}: got {shown(value)}; allowed with --no-header: a column's position "
                                  "(1 for the first column, 2 for the second, ...)")
            if value is not None:
                setattr(args, f"{key}_col", str(int(value)))
    return LogFormat(sep=args.sep, header=not args.no_header)


def focus_of(args) -> list[str] | None:
    """The --focus outcomes, checked before anything runs: an unknown name is one line with a suggestion."""
    if args.focus is None:
        return None
    from sim.outcomes import parse_focus

    names, problems = parse_focus(args.focus)
    if problems:
        raise LabsimError(problems)
    return names
