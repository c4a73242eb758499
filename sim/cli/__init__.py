"""The `labsim` command: one face over the package's functions.

Every problem with the user's input becomes one line per problem on stderr and
exit status 2; nothing is written before the input has been checked.

Each command group is a module of this package with `add_parser(sub)` (its options,
shared ones from sim.cli.options) and `run(args) -> int`; `COMMANDS` lists them, in
the order --help shows them. Adding a command is one module and one line here. The
modules import the model, pandas and the like only inside `run`, so that a bad argument
is refused before any of it is loaded.
"""

from __future__ import annotations

import sys
import warnings

from sim.cli import (
    batch,
    calibrate,
    casestudy,
    check_model,
    compare,
    discover,
    explore,
    lab_map,
    logs,
    optimize,
    report,
    run,
    scenarios,
    sensitivity,
    warmup,
)
from sim.cli.parser import Parser
from sim.config.files import cap
from sim.errors import LabsimError

# The command groups, in the order of --help and of "allowed:" in an unknown command's message.
COMMANDS = [run, warmup, scenarios, check_model, batch, compare, lab_map, sensitivity, calibrate, discover, optimize,
            explore, report, logs, casestudy]


def build_parser() -> Parser:
    """All commands and their options (each command module adds its own)."""
    from sim.version import __version__

    parser = Parser(prog="labsim", description="Simulate participation in open labs.")
    parser.add_argument("--version", action="version", version=f"labsim {__version__}")
    sub = parser.add_commands("command")
    for module in COMMANDS:
        known = set(parser.commands)
        module.add_parser(sub)
        parser.handlers |= dict.fromkeys(set(parser.commands) - known, module.run)
    return parser


def _one_line(text: str) -> str:
    """A problem on one line: line breaks and control characters from a file's keys are escaped."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def _terminate(signum, frame):
    """SIGTERM stops a command as Ctrl-C does, so pools and clusters are shut down."""
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Entry point of `labsim` and `python -m sim`."""
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminate)
    args = None
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        args.argv = list(sys.argv[1:] if argv is None else argv)
        with warnings.catch_warnings():  # numeric warnings (nan means of constant outputs) are not for the user
            warnings.simplefilter("ignore", RuntimeWarning)
            return parser.handlers[args.command](args)
    except OSError as exc:
        if isinstance(exc, BrokenPipeError):  # output piped into `head` and the like
            return 0
        where = exc.filename or (getattr(args, "out", None) if args is not None else None) or "output"
        print(f"error: {where}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except LabsimError as exc:
        for problem in cap(exc.problems):  # one line each, whatever a file's keys hold; 20 at most, then a count
            print(f"error: {_one_line(problem)}", file=sys.stderr)
        return getattr(exc, "exit_code", 2)  # 1 when runs failed (sim.batch.failures.RunsFailedError), else bad input
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
