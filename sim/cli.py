"""The `labsim` command: one face over the package's functions.

Every problem with the user's input becomes one line per problem on stderr and
exit status 2; nothing is written before the input has been checked.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
import warnings
from pathlib import Path

from sim.config.cost import MAX_YEARS
from sim.config.files import cap
from sim.errors import LabsimError
from sim.text import frame_text, wrapped_table

CASE_STUDY = ("carrefour_numerique", "digital_arti")
SHOWN = (
    "visitors",
    "returning_visitors",
    "contributors",
    "partners",
    "mediators",
    "artists",
    "workshops_held",
    "events_held",
    "residencies_completed",
    "works_produced",
    "revenue",
    "blog_articles_published",
    "gini_visits",
    "nodes",
    "edges",
    "density",
    "giant_component_share",
    "mediator_betweenness_share",
)


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit status 2."""

    def error(self, message: str):
        """Print one line, not the usage block; a mistyped command or choice gets a "did you mean"."""
        raise LabsimError(f"{self.prog}: {_did_you_mean(message)} (see {self.prog} --help)")


def _did_you_mean(message: str) -> str:
    """Argparse's "invalid choice" message, with the nearest choice first (difflib), e.g. 'rnu' -> 'run'."""
    import difflib
    import re

    match = re.match(r"argument (\S+): invalid choice: '(.*)' \(choose from (.*)\)$", message, re.S)
    if match is None:
        return message
    what, got, choices = match.group(1), match.group(2), re.findall(r"'([^']*)'", match.group(3))
    near = difflib.get_close_matches(got, choices, n=1, cutoff=0.6)
    kind = "command" if what == "command" else f"{what} value"
    hint = f" (did you mean '{near[0]}'?)" if near else ""
    return f"unknown {kind} {_shown(got)}{hint}; allowed: {', '.join(choices)}"


def _shown(text: str, limit: int = 40) -> str:
    """An argument echoed in a message, cut short (a 5,000-digit seed is not printed back)."""
    return repr(text) if len(text) <= limit else repr(text[: limit - 3] + "...") + f" ({len(text)} characters)"


def _integer(low: int, high: int | None = None, why: str = "", limits: str = ""):
    """An argparse type: an integer in [low, high], refused with the allowed range in words.

    Its `limits` (e.g. "2 to 10,000") are appended to the option's help by `_show_limits`,
    so that a limit is read in --help, not first met in an error.
    """
    allowed = f"an integer in [{low}, {high}]" if high is not None else f"an integer >= {low}"

    def parse(text: str) -> int:
        try:
            value = int(text) if len(text) <= 40 else None
        except ValueError:
            value = None
        if value is None or value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"got {_shown(text)}; allowed: {allowed}{why}")
        return value

    parse.limits = limits or (f"{low:,} to {high:,}" if high is not None else f"at least {low:,}")
    return parse


def _max_workers() -> int:
    from sim.batch.executors import max_workers

    return max_workers()


MAX_SEED = 2**63 - 1
_seed = _integer(0, MAX_SEED, limits="0 to 2^63 - 1")
_seeds = _integer(2, 1000)
_network_seeds = _integer(2, 100)
_reps = _integer(2, 10_000, why=" (confidence intervals need two runs)")
_map_reps = _integer(1, 1_000)
_cal_reps = _integer(2, 1_000)
_resolution = _integer(2, 50)
_budget = _integer(4, 10_000)
_port = _integer(1, 65535)


def _workers(text: str) -> int:
    return _integer(1, _max_workers(), why=" (four per core)")(text)


_workers.limits = "1 to four per core"


def _years(text: str) -> float:
    try:
        value = float(text) if len(text) <= 40 else float("nan")
    except ValueError:
        value = float("nan")
    if not 0 < value <= MAX_YEARS:
        raise argparse.ArgumentTypeError(f"got {_shown(text)}; allowed: a number in (0, {MAX_YEARS}]")
    return value


_years.limits = f"more than 0, at most {MAX_YEARS}"


def _share(text: str) -> float:
    try:
        value = float(text) if len(text) <= 40 else float("nan")
    except ValueError:
        value = float("nan")
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"got {_shown(text)}; allowed: a number in (0, 1]")
    return value


_share.limits = "more than 0, at most 1"


SET_HELP = ("change one scenario key, e.g. --set mediators=4 --set access=appointment (repeatable; checked as in a "
            "scenario file; see labsim scenarios --describe)")
FROM_HELP = ("a folder of saved mature labs (labsim warmup): each replication forks its saved lab and applies the "
             "scenario's settings from now on (common history and random numbers)")
LARGE_HELP = "knowingly accept a run or batch up to 100 times the stated cost limits (see README: Limits)"


def build_parser() -> argparse.ArgumentParser:
    """All commands and their options."""
    from sim.version import __version__

    parser = _Parser(prog="labsim", description="Simulate participation in open labs.")
    parser.add_argument("--version", action="version", version=f"labsim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("run", help="run one scenario and write its results and figures")
    p.add_argument("scenario", help="a preset name (e.g. carrefour_numerique) or a scenario file")
    p.add_argument("--seed", type=_seed, default=1, help="random seed (default 1)")
    p.add_argument("--years", type=_years, default=1.0, help="measured years, after the scenario's warm-up (default 1)")
    p.add_argument("--out", type=Path, default=None, help="output folder, new or an earlier run's (default "
                   "results/<scenario name as a slug>, with the --set changes in the name when there are any)")
    p.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help=SET_HELP)
    p.add_argument("--from", dest="states", type=Path, default=None, help=FROM_HELP.replace(
        "each replication forks its saved lab", "fork one saved lab (--replication)"))
    p.add_argument("--replication", type=_integer(0, 9_999), default=0,
                   help="with --from: which saved lab to fork, 0 for the first (default 0); its seed replaces --seed")
    p.add_argument("--force", action="store_true", help="replace an earlier run in --out (labsim does not overwrite "
                                                        "a result asked otherwise without it)")
    p.add_argument("--allow-large", action="store_true", help=LARGE_HELP)

    p = sub.add_parser("warmup", help="warm a scenario up once per seed and save each mature lab, for policies "
                                      "applied from now on (--from)")
    p.add_argument("scenario", help="a preset name or a scenario file (its warm-up is warmup_years)")
    p.add_argument("--seeds", type=_integer(1, 10_000), required=True, help="mature labs to save, one per seed (1 to 10,000)")
    p.add_argument("--out", type=Path, required=True, help="the states folder (new, or a states folder with --force)")
    p.add_argument("--seed", type=_seed, default=1, help="root seed of the labs' seeds (default 1, as compare's)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help=SET_HELP)
    p.add_argument("--workers", type=_workers, default=None, help="worker processes (default: all cores)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--force", action="store_true", help="replace the states already in --out")
    p.add_argument("--allow-large", action="store_true", help=LARGE_HELP)

    p = sub.add_parser("scenarios", help="list the presets with their place on the case study's map")
    p.add_argument("--describe", action="store_true", help="describe every scenario key instead")
    p.add_argument("--markdown", action="store_true", help="with --describe: print docs/scenarios.md")
    p.add_argument("--json-schema", action="store_true", help="print the JSON Schema of scenario files (for editors)")

    p = sub.add_parser("validate", help="check files of any kind (scenario, experiment, sensitivity, search, targets) "
                                        "and their cost, without running them")
    p.add_argument("files", nargs="+", help="scenario, experiment, sensitivity, search or targets files, or preset names")
    p.add_argument("--years", type=_years, default=1.0, help="horizon a scenario is checked for (default 1)")
    p.add_argument("--allow-large", action="store_true", help=LARGE_HELP)

    p = sub.add_parser("check-model", help="calibration bands and stylised facts, measured over many seeds")
    p.add_argument("--seeds", type=_seeds, default=20, help="measured years per preset for calibration (default 20)")
    p.add_argument("--network-seeds", type=_network_seeds, default=3, help="runs for the network-shape checks (default 3)")
    p.add_argument("--paired-seeds", type=_seeds, default=20, help="paired runs per governance check (default 20)")
    p.add_argument("--drift-seeds", type=_seeds, default=12, help="eight-year runs for the steady-state checks (default 12)")
    p.add_argument("--formation-seeds", type=_seeds, default=10,
                   help="eight-year runs of the open lab from empty, for the core-formation checks (default 10)")
    p.add_argument("--workers", type=_workers, default=None, help="worker processes (default: up to 4 cores)")
    p.add_argument("--quiet", action="store_true", help="no progress line")

    p = sub.add_parser("batch", help="run an experiment: designs x replications, resumable Parquet results")
    p.add_argument("experiment", type=Path, help="an experiment file (see scenarios/experiments/)")
    p.add_argument("--out", type=Path, required=True, help="results folder (re-run the same command to resume)")
    p.add_argument("--workers", type=_workers, default=None, help="worker processes (default: all cores)")
    p.add_argument("--executor", choices=("local", "dask"), default="local", help="process pool (default) or Dask")
    p.add_argument("--scheduler", default=None, help="address of a running Dask scheduler (with --executor dask)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--force", action="store_true", help="replace a folder that holds another experiment")
    p.add_argument("--from", dest="states", type=Path, default=None, help=FROM_HELP + " (or the file's 'from' key)")
    p.add_argument("--allow-large", action="store_true", help=LARGE_HELP)

    p = sub.add_parser("summarize", help="mean, sd and 95%% CI of each metric per design point of a batch")
    p.add_argument("out", type=Path, help="a batch's results folder")

    p = sub.add_parser("compare", help="scenarios side by side: means, 95%% CIs, paired differences, figures")
    p.add_argument("scenarios", nargs="+", help="two or more presets or scenario files")
    p.add_argument("--reps", type=_reps, default=30, help="replications per scenario (default 30)")
    p.add_argument("--out", type=Path, required=True, help="results folder")
    p.add_argument("--years", type=_years, default=1.0, help="measured years, after each scenario's warm-up (default 1)")
    p.add_argument("--seed", type=_seed, default=1, help="root seed (default 1)")
    p.add_argument("--workers", type=_workers, default=None, help="worker processes (default: all cores)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--force", action="store_true", help="replace a folder that holds another comparison")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help=SET_HELP.replace("change one scenario key", "change one key of every scenario compared"))
    p.add_argument("--from", dest="states", type=Path, default=None, help=FROM_HELP)
    p.add_argument("--fork", action="store_true",
                   help="policies from now on without saved labs: warm the first scenario up once per replication "
                        "(kept in --out/states) and fork every scenario from it")
    p.add_argument("--focus", default=None, metavar="OUTCOME,...", help=FOCUS_HELP)
    p.add_argument("--allow-large", action="store_true", help=LARGE_HELP)

    p = sub.add_parser("map", help="sweep the case study's map (public-market x open-closed) and draw heatmaps")
    p.add_argument("--out", type=Path, required=True, help="results folder")
    p.add_argument("--resolution", type=_resolution, default=5, help="grid points per axis, 2 to 50 (default 5)")
    p.add_argument("--reps", type=_map_reps, default=3, help="replications per point (default 3)")
    p.add_argument("--years", type=_years, default=1.0, help="measured years, after each point's warm-up (default 1)")
    p.add_argument("--seed", type=_seed, default=1, help="root seed (default 1)")
    p.add_argument("--workers", type=_workers, default=None, help="worker processes (default: all cores)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--force", action="store_true", help="replace a folder that holds another map")
    p.add_argument("--allow-large", action="store_true", help=LARGE_HELP)

    p = sub.add_parser("sensitivity", help="Morris or Sobol indices (SALib) over named parameters, via batches "
                                          "(the analysis extra)")
    p.add_argument("experiment", type=Path, help="a sensitivity file (see scenarios/experiments/sensitivity_open.toml)")
    p.add_argument("--method", choices=("morris", "sobol"), default="morris",
                   help="morris: screening, few runs (default); sobol: variance shares, n (d + 2) points")
    p.add_argument("--out", type=Path, required=True, help="results folder (re-run the same command to resume)")
    p.add_argument("--from", dest="states", type=Path, default=None, help=FROM_HELP + " (or the file's 'from' key)")
    p.add_argument("--workers", type=_workers, default=None, help="worker processes (default: all cores)")
    p.add_argument("--executor", choices=("local", "dask"), default="local", help="process pool (default) or Dask")
    p.add_argument("--scheduler", default=None, help="address of a running Dask scheduler (with --executor dask)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--force", action="store_true", help="replace a folder that holds another sensitivity analysis")
    p.add_argument("--allow-large", action="store_true", help=LARGE_HELP)

    p = sub.add_parser("calibrate", help="fit parameters so that mean outcomes match a lab's own numbers")
    p.add_argument("scenario", help="the preset or scenario file to fit")
    p.add_argument("--target", action="append", default=[], metavar="NAME=NUMBER", help="e.g. visitors=3000")
    p.add_argument("--param", "--free", dest="param", action="append", default=[], metavar="NAME=LOW:HIGH",
                   help="a setting to fit within its box, e.g. discovery_rate=0.001:0.01 (--free is the same option)")
    p.add_argument("--from-log", type=Path, default=None, metavar="LOG",
                   help="a visit log (CSV or Parquet, columns person and date, as labsim log describe reads): its "
                        "published outcomes become the targets (a --target of the same name replaces one), and each "
                        "simulation covers as many measured years as the log")
    p.add_argument("--person-col", default="person", help="with --from-log: the column of person identifiers "
                                                          "(default person)")
    p.add_argument("--date-col", default="date", help="with --from-log: the column of dates (default date)")
    p.add_argument("--from", dest="from_refs", type=Path, action="append", default=[],
                   help="a TOML file with [targets] and [params], and/or a folder of saved mature labs (labsim "
                        "warmup): every candidate is then a policy forked from them (repeatable)")
    p.add_argument("--out", type=Path, required=True, help="results folder (calibrated.toml, fit.csv, history.csv)")
    p.add_argument("--reps", type=_cal_reps, default=5, help="replications per evaluation (default 5)")
    p.add_argument("--budget", type=_budget, default=None,
                   help="evaluations, 4 to 10,000 (default 40); with --method abc: most simulations "
                        "(default 20 x population x generations)")
    p.add_argument("--seed", type=_seed, default=1, help="root seed of the runs' seeds (default 1)")
    p.add_argument("--workers", type=_workers, default=None, help="worker processes (default: all cores)")
    p.add_argument("--quiet", action="store_true", help="no progress line")
    p.add_argument("--allow-large", action="store_true", help=LARGE_HELP)
    p.add_argument("--method", choices=("point", "abc"), default="point",
                   help="point: one best fit (default); abc: a posterior sample of the settings (ABC-SMC)")
    p.add_argument("--population", type=_integer(10, 10_000), default=100, help="abc: particles (default 100)")
    p.add_argument("--generations", type=_integer(1, 50), default=5, help="abc: generations (default 5)")
    p.add_argument("--years", type=_years, default=None, help="abc: simulated years per particle (default 1)")
    p.add_argument("--force", action="store_true", help="replace an earlier calibration in --out asked otherwise")

    p = sub.add_parser("discover", help="scenario discovery (PRIM): the box of settings where a condition on a "
                                       "batch's outcomes holds (the analysis extra)")
    p.add_argument("batch", type=Path, help="a folder written by labsim batch (a [grid] or [sample] design)")
    p.add_argument("--where", required=True, help='the condition, e.g. "contributors >= 100 and net_result >= -400000" '
                                                  "(NAME OP NUMBER joined by and/or)")
    p.add_argument("--out", type=Path, default=None, help="output folder (default BATCH/discover)")
    p.add_argument("--by", choices=("run", "point"), default="run",
                   help="a case is each run (default) or each design point's mean over its replications")
    p.add_argument("--min-coverage", type=_share, default=0.8,
                   help="the chosen box is the densest with at least this coverage (default 0.8)")
    p.add_argument("--no-tree", action="store_true", help="skip the classification tree (scikit-learn)")
    p.add_argument("--force", action="store_true", help="replace an earlier discovery in --out asked otherwise")

    p = sub.add_parser("optimize", help="many-objective search (NSGA-II) over settings: Pareto set, scenario files, "
                                        "figure, report; resumable (the analysis extra)")
    p.add_argument("scenario", help="the preset or scenario file whose settings are searched")
    p.add_argument("--search", type=Path, required=True, help="a search file (see scenarios/experiments/optimize_open.toml)")
    p.add_argument("--out", type=Path, required=True, help="results folder (run the same command again to resume)")
    p.add_argument("--from", dest="states", type=Path, default=None, help=FROM_HELP + " (or the search file's 'from' key)")
    p.add_argument("--workers", type=_workers, default=None, help="worker processes (default: all cores)")
    p.add_argument("--executor", choices=("local", "dask"), default="local", help="process pool (default) or Dask")
    p.add_argument("--scheduler", default=None, help="address of a running Dask scheduler (with --executor dask)")
    p.add_argument("--quiet", action="store_true", help="no progress")
    p.add_argument("--allow-large", action="store_true", help=LARGE_HELP)

    p = sub.add_parser("explore", help="the interactive explorer (Mesa SolaraViz) in your browser")
    p.add_argument("scenario", nargs="?", default="carrefour_numerique", help="preset or scenario file to start with")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=_port, default=8765, help="port (default 8765)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help=SET_HELP)

    p = sub.add_parser("report", help="one self-contained HTML page for a run, batch, comparison or map folder")
    p.add_argument("folder", type=Path, help="a results folder (run, batch, compare, map, sensitivity, calibrate, optimize)")
    p.add_argument("--focus", default=None, metavar="OUTCOME,...",
                   help=FOCUS_HELP + "; a comparison's or batch's page leads with them (default: those of compare "
                        "--focus or of the experiment file's 'focus')")

    p = sub.add_parser("log", help="a lab's own visit log: describe it (log describe), or write the model's visits "
                                   "as one (log synth)")
    logs = p.add_subparsers(dest="log_command", required=True, parser_class=_Parser, metavar="{describe,synth}")
    p = logs.add_parser("describe", help="the model's outcomes measured on a visit log (CSV or Parquet): per year and "
                                         "over the whole log, tables, figures and a one-page report")
    p.add_argument("log", type=Path, help="the visit log: .csv (UTF-8) or .parquet, one row per visit")
    p.add_argument("--out", type=Path, required=True, help="output folder (new, or an earlier log description's)")
    p.add_argument("--person-col", default="person", help="the column of person identifiers (default person)")
    p.add_argument("--date-col", default="date", help="the column of dates, ISO 8601 (default date)")
    p.add_argument("--kind-col", default=None, help="the column of kinds: visit, workshop, event, membership_start, "
                                                   "membership_end (default kind, if the log has it)")
    p.add_argument("--channel-col", default=None, help="the column of channels (default channel, if the log has it)")
    p.add_argument("--scenario", default=None, help="the preset or scenario file whose contributor rule "
                                                    "(contributor_visits, contributor_window_days) counts regulars "
                                                    "(default: the model's built-in defaults)")
    p.add_argument("--people", action="store_true", help="also write people.csv: one row per person, named by a "
                                                         "salted hash (never the log's identifier)")
    p.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--force", action="store_true", help="replace an earlier description in --out asked otherwise")

    p = logs.add_parser("synth", help="the model's own visits of the measured years, written as a visit log "
                                      "(the format log describe reads)")
    p.add_argument("scenario", help="a preset name or a scenario file")
    p.add_argument("--seed", type=_seed, default=1, help="random seed (default 1)")
    p.add_argument("--years", type=_years, default=1.0, help="measured years, after the warm-up (default 1; at most 25)")
    p.add_argument("--out", type=Path, required=True, help="the log file to write: .csv or .parquet")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help=SET_HELP)
    p.add_argument("--force", action="store_true", help="replace an existing file at --out")
    p.add_argument("--allow-large", action="store_true", help=LARGE_HELP)

    p = sub.add_parser("casestudy", help="one year of each case-study lab, side by side")
    p.add_argument("--seed", type=_seed, default=1, help="random seed of both runs (default 1)")
    p.add_argument("--years", type=_years, default=1.0, help="measured years, after each lab's warm-up (default 1)")
    p.add_argument("--out", type=Path, default=Path("results/casestudy"),
                   help="output folder, new or an earlier case study's (default results/casestudy)")
    p.add_argument("--force", action="store_true", help="replace an earlier case study in --out asked otherwise")
    _show_limits(parser)
    return parser


FOCUS_HELP = ("the outcomes you ask about, comma-separated (e.g. contributors,partners,net_result): the table and "
              "the report's headline lead with them")


def focus_of(args) -> list[str] | None:
    """The --focus outcomes, checked before anything runs: an unknown name is one line with a suggestion."""
    if args.focus is None:
        return None
    from sim.outcomes import parse_focus

    names, problems = parse_focus(args.focus)
    if problems:
        raise LabsimError(problems)
    return names


def _show_limits(parser: argparse.ArgumentParser) -> None:
    """Append each option's limits (its type's `limits`) to its help, e.g. "(default 30; allowed: 2 to 10,000)"."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                _show_limits(sub)
        limits = getattr(action.type, "limits", None)
        if limits and action.help and limits not in action.help:
            help_ = action.help
            action.help = f"{help_[:-1]}; allowed: {limits})" if help_.endswith(")") else f"{help_} (allowed: {limits})"


def require_extra(module: str, extra: str, what: str) -> None:
    """Refuse, in one line, a command whose optional packages (an extra of pyproject.toml) are not installed."""
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise LabsimError(f"{what}: needs labsim's '{extra}' extra, which is not installed; "
                          f"pip install 'labsim[{extra}]' (make run and make test install it)")


def _command_line(args) -> str:
    """The command as typed (for labsim.json: what wrote the folder)."""
    import shlex

    return shlex.join(["labsim", *getattr(args, "argv", [])])


# The packages of the 'analysis' extra each command imports: the core install (runs, batches, compare,
# calibrate, reports) stays light, and a command missing one says so in one line before reading any input.
ANALYSIS_MODULES = {"sensitivity": ("SALib",), "optimize": ("optuna",), "discover": ("prim", "sklearn")}


def require_analysis(command: str) -> None:
    """Refuse, in one line, an analysis command whose packages (the 'analysis' extra) are missing."""
    for module in ANALYSIS_MODULES[command]:
        require_extra(module, "analysis", command)


def _claim(args, kind, out: Path, request=None, forceable: bool = True) -> None:
    """The one output-folder policy (sim.io.claim_out), before anything is written: new, or labsim's of this kind."""
    from sim.io import claim_out

    claim_out(out, kind, request, force=getattr(args, "force", False), command=_command_line(args),
              forceable=forceable)


def _marker(args, kind, request=None, changes: dict | None = None) -> bytes:
    """The folder's labsim.json: its kind, the command line, the --set changes and the request's fingerprint."""
    from sim.io import marker_bytes

    return marker_bytes(kind, request, _command_line(args), changes)


def _resolved_files(args, refs, folder: Path, kind, changes: dict | None = None, request=None) -> None:
    """Write what ran into a staging folder: labsim.json and each scenario resolved (scenarios/<slug>.toml)."""
    from sim.config.scenario import load_scenario, scenario_toml
    from sim.io import MARKER, atomic_write, slug

    for ref in refs:
        scenario = load_scenario(ref)
        note = f"{scenario.name}, resolved (every key) as it ran, by: {_command_line(args)}"
        atomic_write(folder / "scenarios" / f"{slug(scenario.name)}.toml", scenario_toml(scenario, note).encode())
    atomic_write(folder / MARKER, _marker(args, kind, request, changes))


def _run_folder(name: str, settings: dict) -> Path:
    """`run`'s default folder: results/<name>, or, with --set, a folder of its own named by the changes."""
    from sim.io import request_hash, slug

    base = slug(name)
    if not settings:
        return Path("results") / base
    words = slug(base + "_" + "_".join(f"{k}-{v}" for k, v in settings.items()), limit=200)
    return Path("results") / (words if len(words) <= 64 else f"{base[:40]}_set-{request_hash(settings)[:8]}")


def cmd_run(args) -> int:
    """Labsim run: one scenario, one seed; the cost is checked and the folder locked before the run."""
    from sim.config.cost import check_run
    from sim.config.scenario import load_scenario, parse_settings, resolved
    from sim.io import locked
    from sim.kinds import OutputKind
    from sim.output import write_result
    from sim.run import check_run_args, run

    settings = parse_settings(args.set)
    scenario = load_scenario(args.scenario)
    if settings:
        scenario = scenario.with_settings(**settings)
    check_run_args(args.seed, args.years)
    scenario.check_horizon(args.years)
    check_run(scenario, args.years, allow_large=args.allow_large)
    state = None
    if args.states is not None:
        from sim.model.state import LabStates

        states = LabStates(args.states)
        states.check_replications(args.replication + 1, "--replication")
        states.check_scenario(scenario.settings, scenario.path or scenario.name)
        state = states.state(args.replication)
    out = args.out or _run_folder(scenario.name, settings)  # a name is a label, never a path
    request = {"scenario": resolved(scenario), "seed": args.seed, "years": args.years,
               "from": [str(args.states.resolve()), args.replication] if args.states is not None else None}
    _claim(args, OutputKind.RUN, out, request)
    t0 = time.perf_counter()
    with locked(out):
        result = run(scenario, seed=args.seed, years=args.years, allow_large=True, state=state)
        result.summary["set"] = settings
        written = write_result(result, out, figures=not args.no_figures, replace=args.force,
                               extra=_what_ran(args, request, scenario, settings))
    print(_table({scenario.name: result.summary}))
    print(f"\n{len(written)} files written to {out}/ in {time.perf_counter() - t0:.1f} s")
    return 0


def _what_ran(args, request, scenario, settings: dict | None = None, kind: str = "run") -> dict[str, bytes]:
    """A result folder's labsim.json and scenario.toml (the resolved scenario, --set changes included)."""
    from sim.config.scenario import scenario_toml
    from sim.io import MARKER

    note = f"{scenario.name}, resolved (every key) as it ran, by: {_command_line(args)}"
    return {MARKER: _marker(args, kind, request, settings), "scenario.toml": scenario_toml(scenario, note).encode()}


def cmd_warmup(args) -> int:
    """Labsim warmup: each seed's warm-up once, its mature lab saved (sim.model.state) for policies from now on."""
    from sim.batch.warmup import warm_up
    from sim.config.scenario import load_scenario, parse_settings
    from sim.kinds import OutputKind

    settings = parse_settings(args.set)
    scenario = load_scenario(args.scenario)
    if settings:
        scenario = scenario.with_settings(**settings)
    _claim(args, OutputKind.STATES, args.out)  # and warm_up's own check: a states folder is replaced only with --force
    t0 = time.perf_counter()
    with _Bar("warm-ups", args.seeds, quiet=args.quiet) as bar:
        manifest = warm_up(scenario, args.seeds, args.out, root_seed=args.seed, workers=args.workers,
                           force=args.force, progress=lambda failed: bar.advance(), allow_large=args.allow_large,
                           extra=_what_ran(args, None, scenario, settings, OutputKind.STATES))
    years = manifest["warmup_years"]
    print(f"{len(manifest['seeds'])} mature labs of {scenario.name} ({years:g} years of warm-up each) saved in "
          f"{args.out}/ in {time.perf_counter() - t0:.1f} s; apply policies from now on with --from {args.out}")
    return 0


def cmd_casestudy(args) -> int:
    """Labsim casestudy: the open and the closed lab of the case study."""
    from sim import figures
    from sim.config.scenario import load_scenario, resolved
    from sim.io import MARKER, atomic_write, locked, slug, staged
    from sim.kinds import OutputKind
    from sim.output import write_result
    from sim.run import run

    scenarios = [load_scenario(name) for name in CASE_STUDY]
    requests = {sc.name: {"scenario": resolved(sc), "seed": args.seed, "years": args.years, "from": None}
                for sc in scenarios}
    _claim(args, OutputKind.CASESTUDY, args.out, list(requests.values()))
    summaries = {}
    with locked(args.out), staged(args.out, replace=args.force) as tmp:
        for sc in scenarios:
            result = run(sc, seed=args.seed, years=args.years)
            result.summary["set"] = {}
            write_result(result, tmp / slug(sc.name), extra=_what_ran(args, requests[sc.name], sc))
            summaries[sc.name] = result.summary
        figures.save(figures.funnel_figure(summaries), tmp / "funnels.png")
        atomic_write(tmp / MARKER, _marker(args, OutputKind.CASESTUDY, list(requests.values())))
    print(_table(summaries))
    print(f"\nresults under {args.out}/: " + ", ".join(f"{slug(s.name)}/" for s in scenarios) + ", funnels.png")
    return 0


def cmd_scenarios(args) -> int:
    """List the presets on the map, or describe every scenario key."""
    from sim.config import schema
    from sim.config.scenario import load_scenario, preset_names

    if args.json_schema:
        import json

        from sim.config.scenario import json_schema

        print(json.dumps(json_schema(), indent=2))
        return 0
    if args.describe:
        print(schema.markdown(), end="") if args.markdown else print(schema.describe())
        return 0
    rows = []
    for name in preset_names():
        sc = load_scenario(name)
        pos = sc.map_position
        rows.append((name, f"{pos['public_market']:.2f}", f"{pos['open_closed']:.2f}", sc.description))
    print(wrapped_table(("preset", "public_market", "open_closed", "description"), rows, right=(1, 2)))
    print("\nmap: public_market 0 = public mission, 1 = market; open_closed 0 = open & collaborative, 1 = closed")
    return 0


def file_kind(ref: str) -> str:
    """What a file is, from its top-level keys: scenario, experiment, sensitivity, search or targets (calibrate --from)."""
    from sim.config.files import read_toml
    from sim.config.scenario import is_path_like

    if not is_path_like(ref) and not Path(ref).is_file():
        return "scenario"  # a preset name
    data = read_toml(ref).data
    if "sensitivity" in data:
        return "sensitivity"
    if "search" in data:
        return "search"
    if "scenarios" in data or "grid" in data or "sample" in data:
        return "experiment"
    if set(data) & {"targets", "params"}:
        return "targets"
    return "scenario"


def check_file(ref: str, years: float = 1.0, allow_large: bool = False) -> str:
    """Validate one file of any kind, and its cost; return a one-line description, or raise LabsimError."""
    from sim.config.cost import check_batch, check_run

    kind = file_kind(ref)
    if kind == "search":
        from sim.analysis.optimize import load_search

        spec = load_search(ref)
        return (f"search {spec.name}: {len(spec.knobs) + len(spec.choices)} knobs, {len(spec.objectives)} objectives, "
                f"{len(spec.constraints)} constraints, {spec.budget} evaluations x {spec.replications} replications "
                "(its cost is checked with the scenario by labsim optimize)")
    if kind == "experiment":
        from sim.batch.experiment import load_experiment

        exp = load_experiment(ref)
        hours = check_batch(exp.scenario_objects(), exp.points, exp.replications, exp.years, allow_large, where=ref)
        return f"experiment {exp.name}, {len(exp.points) * len(exp.scenarios) * exp.replications} runs, ~{hours:.2g} CPU h"
    if kind == "sensitivity":
        from sim.analysis.sensitivity import load_spec
        from sim.config.scenario import load_scenario

        spec = load_spec(Path(ref))
        sc = load_scenario(spec.scenario)
        top = dict(zip(spec.names, (b[1] for b in spec.bounds), strict=True))
        from sim.batch.experiment import cast_point

        check_batch([sc], [cast_point(top)], spec.replications, spec.years, allow_large, where=ref)
        return f"sensitivity {spec.name}, {len(spec.names)} parameters"
    if kind == "targets":
        from sim.analysis.calibrate import build_spec

        spec = build_spec(None, [], [], Path(ref), 2, 4, 0)
        return f"targets for calibrate --from: {len(spec.targets)} targets, {len(spec.params)} parameters"
    from sim.config.scenario import load_scenario

    sc = load_scenario(ref)
    sc.check_horizon(years)
    cost = check_run(sc, years, allow_large=allow_large)
    return (f"{sc.name}, {len(sc.interventions)} interventions; {years:g} year(s): ~{cost.people:,.0f} people, "
            f"~{cost.visits:,.0f} visits")


def cmd_validate(args) -> int:
    """Report every problem of every file, without running anything."""
    problems = []
    for ref in args.files:
        try:
            print(f"ok: {ref} ({check_file(ref, args.years, args.allow_large)})")
        except LabsimError as exc:
            problems += exc.problems
    if problems:
        raise LabsimError(problems)
    return 0


class _Bar:
    """A progress line on stderr (rich, as the batches' bar) for commands that run for tens of seconds.

    `poll` is called twice a second for the work done so far (so a long function
    need not know about the bar); `advance` moves it by hand. Silent with --quiet
    or when stderr is not a terminal, so that piped output and logs stay clean.
    """

    def __init__(self, label: str, total: int | None, quiet: bool = False, poll=None) -> None:
        self.label, self.total, self.poll, self.done = label, total, poll, 0
        self.on = not quiet and sys.stderr.isatty()
        self._bar = self._thread = None

    def __enter__(self):
        if self.on:
            import threading

            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._bar = Progress(TextColumn(self.label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                 TextColumn("{task.fields[note]}"), console=Console(stderr=True), transient=True)
            self._bar.start()
            self._task = self._bar.add_task(self.label, total=self.total, note="")
            self._stop = threading.Event()
            if self.poll is not None:
                self._thread = threading.Thread(target=self._watch, daemon=True)
                self._thread.start()
        return self

    def _watch(self) -> None:
        while not self._stop.wait(0.5):
            self._bar.update(self._task, completed=self.poll())

    def advance(self, note: str = "") -> None:
        """One more unit of work done."""
        self.done += 1
        if self._bar is not None:
            self._bar.update(self._task, completed=self.done, note=note[:50])

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._stop.set()
            if self._thread is not None:
                self._thread.join()
            self._bar.stop()


def cmd_log(args) -> int:
    """Labsim log describe | synth."""
    return {"describe": _log_describe, "synth": _log_synth}[args.log_command](args)


def _log_synth(args) -> int:
    """Run the scenario with a visit recorder and write its measured visits as a log file (atomically)."""
    from sim.config.scenario import load_scenario, parse_settings
    from sim.io import atomic_write, check_out
    from sim.logs.synth import log_bytes, synth
    from sim.logs.visitlog import LOG_SUFFIXES

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
    t0 = time.perf_counter()
    log, summary = synth(scenario, args.seed, args.years, allow_large=args.allow_large)
    atomic_write(out, log_bytes(log, out))
    print(f"{len(log):,} visits of {log['person'].nunique():,} people ({summary['scenario']}, seed {args.seed}, "
          f"{args.years:g} measured years; the run's visitors {summary['visitors']:,}, returning visitors "
          f"{summary['returning_visitors']:,}, gini_visits {summary['gini_visits']:g}) written to {out} in "
          f"{time.perf_counter() - t0:.1f} s")
    return 0


def _log_describe(args) -> int:
    """Read and check the log first (nothing written if it is bad), then describe it into --out."""
    from sim.config.settings import Settings
    from sim.io import MARKER, atomic_write, locked, staged
    from sim.kinds import OutputKind
    from sim.logs.describe import SUPPRESSED, describe
    from sim.logs.visitlog import read_log
    from sim.pages.log import write

    settings = Settings()
    if args.scenario is not None:
        from sim.config.scenario import load_scenario

        settings = load_scenario(args.scenario).settings
    log_path = args.log.resolve() if args.log.exists() else args.log
    request = {"log": str(log_path), "columns": [args.person_col, args.date_col, args.kind_col, args.channel_col],
               "scenario": args.scenario, "people": args.people, "figures": not args.no_figures,
               "rule": [settings.contributor_visits, settings.contributor_window_days]}
    _claim(args, OutputKind.LOG_DESCRIPTION, args.out, request)  # before the (long) read, after the cheap checks
    t0, share = time.perf_counter(), [0.0]
    with _Bar("reading the log (%)", 100, args.quiet, poll=lambda: round(100 * share[0])):
        log = read_log(args.log, args.person_col, args.date_col, args.kind_col, args.channel_col,
                       progress=lambda x: share.__setitem__(0, x))
    found = describe(log, settings)
    with locked(args.out), staged(args.out, replace=args.force) as tmp:
        written = write(found, tmp, people=args.people, figures=not args.no_figures)
        atomic_write(tmp / MARKER, _marker(args, OutputKind.LOG_DESCRIPTION, request))
    s = found.summary
    shown = ["year", "visits", "visitors", "newcomers", "returning_visitors", "contributors", "gini_visits",
             "returner_survival_1y"]
    print(found.tables["years"][shown].to_string(index=False))
    print(f"\n{s['log']['rows']:,} rows, {s['log']['same_day_repeats_dropped']:,} same-day repeats dropped; "
          f"{s['log']['first_day']} to {s['log']['last_day']}; counts of fewer than 5 people shown as {SUPPRESSED}")
    print(f"{len(written) + 1} files written to {args.out}/ in {time.perf_counter() - t0:.1f} s "
          f"(log_summary.json, report.html{', people.csv' if args.people else ''})")
    return 0


def cmd_check_model(args) -> int:
    """Print the validation table; exit 1 if a check fails."""
    from sim.validation import run_checks, table

    with _Bar("check-model", None, args.quiet) as bar:
        rows = run_checks(seeds=args.seeds, network_seeds=args.network_seeds, paired_seeds=args.paired_seeds,
                          drift_seeds=args.drift_seeds, workers=args.workers, progress=bar.advance,
                          formation_seeds=args.formation_seeds)
    print(table(rows))
    failed = [r.fact for r in rows if not r.passed]
    print(f"\n{len(rows) - len(failed)} of {len(rows)} checks pass")
    return 1 if failed else 0


def cmd_batch(args) -> int:
    """Run what an experiment still needs, then print the counts; exit 1 if a run failed or is missing."""
    from sim.batch.experiment import load_experiment
    from sim.batch.runner import run_batch
    from sim.kinds import OutputKind

    if args.executor == "dask":
        require_extra("distributed", "dask", "--executor dask")
    exp = load_experiment(args.experiment)
    if args.states is not None:
        exp.from_states(args.states)
    _claim(args, OutputKind.BATCH, args.out)  # and the batch's own check: this experiment's, or --force
    counts = run_batch(exp, args.out, workers=args.workers, executor=args.executor, scheduler=args.scheduler,
                       quiet=args.quiet, force=args.force, allow_large=args.allow_large,
                       what_ran=lambda folder: _resolved_files(args, exp.scenario_objects(), folder, OutputKind.BATCH))
    print(f"{exp.name}: {counts['total']} runs, {counts['done']} done, {counts['failed']} failed, "
          f"{counts['missing']} missing ({counts['skipped']} already done before) in {counts['seconds']} s "
          f"-> {args.out}/")
    if counts["missing"]:
        print(f"error: {args.out}: {counts['missing']} of {counts['total']} runs are missing from the folder "
              "(was it changed while the batch ran?); run the same command again to complete it", file=sys.stderr)
    return 0 if counts["failed"] == 0 and counts["missing"] == 0 else 1


def cmd_summarize(args) -> int:
    """Print and write (summary.csv) the per-design-point statistics of a batch."""
    from sim.analysis.summary import summarize, table
    from sim.io import atomic_write, claim_folder, csv_bytes, locked

    claim_folder(args.out, ("batch",), "labsim summarize")  # the folder it reads is the one it writes into
    with locked(args.out, check=False):  # not while a batch writes there
        summary = summarize(args.out)
        atomic_write(args.out / "summary.csv", csv_bytes(summary))
    print(table(summary))
    print(f"\nall metrics: {args.out / 'summary.csv'}")
    return 0


def cmd_compare(args) -> int:
    """Compare scenarios with common random numbers; write the table, CSV and figures, all at the end."""
    from sim import figures
    from sim.analysis.compare import check_compare_args, format_table, run_comparison
    from sim.batch.executors import Pool, default_workers
    from sim.batch.experiment import replication_seeds
    from sim.batch.store import Store
    from sim.config.scenario import parse_settings
    from sim.io import locked, staged
    from sim.kinds import OutputKind

    check_compare_args(args.scenarios, args.reps)
    focus = focus_of(args)
    if args.fork and args.states is not None:
        raise LabsimError("--fork and --from: give one (--from uses saved labs; --fork warms the first scenario up)")
    settings = parse_settings(args.set)
    _claim(args, OutputKind.COMPARISON, args.out)  # the comparison's batch checks that it is this comparison's
    with locked(args.out), staged(args.out) as tmp:
        refs = (_with_settings(args.scenarios, settings, args.out / "scenarios", args.years, args.reps, args.allow_large)
                if settings else args.scenarios)
        states = args.states
        if args.fork:
            states = _fork_states(refs[0], args.reps, args.seed, args.out / "states", args.workers, args.quiet,
                                  args.allow_large)
        table = run_comparison(refs, args.reps, args.out, workers=args.workers, years=args.years,
                               root_seed=args.seed, quiet=args.quiet, force=args.force,
                               allow_large=args.allow_large, dest=tmp, states=states, focus=focus,
                               changes=settings)
        print(format_table(table, focus=focus))
        store = Store(args.out / "batch")
        runs = store.runs()
        scenario_of = dict(zip(runs["run_id"], runs["scenario"], strict=True))
        figures.save(figures.funnel_ci_figure(table), tmp / "funnels.png")
        figures.save(figures.network_metrics_figure(table), tmp / "network_metrics.png")
        warmup = ({n: float(w) for n, w in runs.groupby("scenario")["warmup_years"].first().items()}
                  if "warmup_years" in runs.columns else None)
        warmup = warmup and {n: warmup[n] for n in dict.fromkeys(runs["scenario"]) if n in warmup}
        figures.save(figures.timeseries_bands_figure(store.timeseries(), scenario_of, warmup), tmp / "timeseries.png")
        if states is not None:
            from sim.model.state import LabStates

            seed = LabStates(states).seeds[0]
        else:
            seed = replication_seeds(args.seed, 1)[0]
        caption = (f"saved lab 1 of {args.reps}" if states is not None else
                   f"replication 1 of {args.reps}, root seed {args.seed}") + f" (seed {figures.seed_label(seed)})"
        jobs = [(str(ref), seed, args.years, states and str(states), str(tmp), caption) for ref in refs]
        with Pool(min(len(jobs), args.workers or default_workers())) as pool:  # one replication again per scenario
            list(pool.executor.map(network_pictures, jobs))
        _resolved_files(args, [] if settings else refs, tmp, OutputKind.COMPARISON, settings)
    print(f"\ncomparison.csv and figures in {args.out}/; `labsim report {args.out}` makes the HTML page")
    return 0


def network_pictures(job: tuple) -> None:
    """Run one scenario's first replication again (the model only) and draw its rings (a worker's job)."""
    from sim import figures
    from sim.config.scenario import load_scenario
    from sim.io import slug
    from sim.model.state import LabStates
    from sim.run import simulate

    ref, seed, years, states, tmp, caption = job
    scenario = load_scenario(ref)
    model = simulate(scenario, seed, years, LabStates(states).state(0) if states else None)
    name, safe, graph = scenario.name, slug(scenario.name), model.network.graph()
    figures.save(figures.role_shells_figure(graph, name, seed=seed, caption=caption), Path(tmp) / f"rings_{safe}.png")


def _fork_states(base: str, reps: int, root_seed: int, folder: Path, workers, quiet: bool, allow_large: bool) -> Path:
    """The first scenario's mature labs, one per replication: warmed up once into `folder`, reused if already there."""
    from sim.batch.experiment import replication_seeds
    from sim.batch.warmup import warm_up
    from sim.config.scenario import load_scenario
    from sim.model.state import LabStates

    scenario = load_scenario(base)
    try:
        saved = LabStates(folder)
        if saved.seeds[:reps] == replication_seeds(root_seed, reps) and saved.settings == scenario.settings:
            print(f"forking every scenario from the {reps} mature labs of {scenario.name} already in {folder}/",
                  file=sys.stderr)
            return folder
    except LabsimError:
        pass
    print(f"warming {scenario.name} up once per replication ({reps} labs, {scenario.settings.warmup_years:g} years "
          f"each) into {folder}/; every scenario then forks from them", file=sys.stderr)
    with _Bar("warm-ups", reps, quiet=quiet) as bar:
        warm_up(scenario, reps, folder, root_seed=root_seed, workers=workers, force=True,
                progress=lambda failed: bar.advance(), allow_large=allow_large)
    return folder


def _with_settings(refs: list[str], settings: dict, folder: Path, years: float = 1.0, reps: int = 2,
                   allow_large: bool = False) -> list[str]:
    """Scenario files that extend each compared scenario with the --set keys, kept in --out/scenarios/.

    Each file is the scenario resolved (every key, the changes applied), so the
    comparison's batch runs (and resumes, and reports) them as files, and the
    folder says what ran.
    """
    from sim.config.cost import check_batch
    from sim.config.scenario import load_scenario, scenario_toml
    from sim.io import atomic_write, slug

    changed = [load_scenario(ref).with_settings(**settings) for ref in refs]  # every problem before anything is written
    check_batch(changed, [{}], reps, years, allow_large, where="compare --set")  # the cost too (issue 23)
    out = []
    for ref, scenario in zip(refs, changed, strict=True):
        path = folder / f"{slug(scenario.name)}.toml"
        note = f"{ref} with labsim compare --set {' '.join(f'{k}={v}' for k, v in settings.items())}, resolved"
        atomic_write(path, scenario_toml(scenario, note).encode())
        out.append(str(path))
    return out


def cmd_map(args) -> int:
    """Sweep the map and draw it."""
    from sim import figures
    from sim.analysis.lab_map import CORNERS, OUTCOMES, preset_positions, run_map
    from sim.config.scenario import preset_names
    from sim.io import locked, staged
    from sim.kinds import OutputKind

    _claim(args, OutputKind.MAP, args.out)  # its batches check that they are this map's
    with locked(args.out), staged(args.out) as tmp:
        grid = run_map(args.out, resolution=args.resolution, reps=args.reps, workers=args.workers, years=args.years,
                       root_seed=args.seed, quiet=args.quiet, force=args.force, allow_large=args.allow_large,
                       dest=tmp)
        import json

        own = json.loads((tmp / "map.json").read_text())["preset_results"]
        figures.save(figures.map_figure(grid, OUTCOMES, preset_positions(), own), tmp / "map.png")
        _resolved_files(args, [*CORNERS.values(), *preset_names()], tmp, OutputKind.MAP)
    print(_grid_table(grid, OUTCOMES))
    print(f"\nmap.csv and map.png in {args.out}/")
    return 0


def cmd_sensitivity(args) -> int:
    """Run a sensitivity analysis and print its indices beside the noise."""
    from sim import figures
    from sim.analysis.sensitivity import format_table, load_spec, run_sensitivity
    from sim.io import locked, staged
    from sim.kinds import OutputKind

    require_analysis("sensitivity")
    if args.executor == "dask":
        require_extra("distributed", "dask", "--executor dask")
    spec = load_spec(args.experiment)
    if args.states is not None:
        spec = dataclasses.replace(spec, states=str(args.states))
    _claim(args, OutputKind.SENSITIVITY, args.out)  # its batch checks that it is this analysis'
    with locked(args.out), staged(args.out) as tmp:
        indices, noise = run_sensitivity(spec, args.method, args.out, workers=args.workers, executor=args.executor,
                                         scheduler=args.scheduler, quiet=args.quiet, force=args.force,
                                         allow_large=args.allow_large, dest=tmp)
        figures.save(figures.sensitivity_figure(indices, args.method), tmp / "sensitivity.png")
        _resolved_files(args, [spec.scenario], tmp, OutputKind.SENSITIVITY)
    print(format_table(indices, noise, args.method))
    print(f"\nsensitivity.csv, noise.csv and sensitivity.png in {args.out}/")
    return 0


def _split_from(args) -> None:
    """Calibrate's --from: a targets file (at most one) and a folder of saved labs (at most one)."""
    folders = [f for f in args.from_refs if f.is_dir()]
    files = [f for f in args.from_refs if not f.is_dir()]
    if len(folders) > 1 or len(files) > 1:
        raise LabsimError("--from: give at most one targets file and one folder of saved labs")
    args.from_file = files[0] if files else None
    args.states = str(folders[0].resolve()) if folders else None


def cmd_calibrate(args) -> int:
    """Fit a scenario to targets; write the fitted scenario file and the fit table, all at the end."""
    import pandas as pd

    from sim.analysis.calibrate import build_spec, calibrate, check_cost, failed_runs, scenario_file, unreached
    from sim.batch.executors import default_workers
    from sim.config.scenario import load_scenario, resolved
    from sim.io import atomic_write, csv_bytes, locked, staged
    from sim.kinds import OutputKind

    _split_from(args)
    found = _log_targets(args)
    if args.method == "abc":
        return _calibrate_abc(args, found)
    if args.years is not None:
        raise LabsimError("--years: only with --method abc (the point fit simulates one year, or the log's years)")
    args.budget = 40 if args.budget is None else args.budget
    spec = build_spec(args.scenario, args.target, args.param, args.from_file, args.reps, args.budget, args.seed,
                      states=args.states, years=found.years if found else 1.0,
                      log_targets=found.targets if found else None)
    check_cost(spec, allow_large=args.allow_large)
    _say_log_targets(args, found, spec.targets)
    scenario = load_scenario(spec.scenario)
    request = {"method": "point", "scenario": resolved(scenario), "targets": spec.targets, "params": spec.params,
               "reps": spec.reps, "budget": spec.budget, "seed": spec.root_seed, "from": args.states,
               "from_log": str(args.from_log.resolve()) if found else None, "years": spec.years}
    _claim(args, OutputKind.CALIBRATION, args.out, request)
    t0 = time.perf_counter()
    evaluations = spec.budget + 1  # the screen and the search, then the check on fresh seeds
    with locked(args.out), staged(args.out, replace=args.force) as tmp, _Bar("calibrate: evaluations", evaluations, args.quiet,
                                                         poll=lambda: len(spec.history)):
        fitted, table = calibrate(spec, workers=args.workers or default_workers())
        atomic_write(tmp / "calibrated.toml", scenario_file(spec, fitted, table, args.out).encode())
        atomic_write(tmp / "fit.csv", csv_bytes(table))
        atomic_write(tmp / "history.csv", csv_bytes(pd.DataFrame(spec.history)))
        for name, data in _what_ran(args, request, scenario, kind=OutputKind.CALIBRATION).items():
            atomic_write(tmp / name, data)
    print("fitted: " + ", ".join(f"{k} = {v:g}" for k, v in fitted.items()))
    failed = failed_runs(spec, table)
    shown = table if failed else table.drop(columns=["runs", "failed_runs"])
    print(frame_text(shown))
    for message in [*unreached(spec, fitted, table), *([failed] if failed else [])]:
        print(f"warning: {message}", file=sys.stderr)
    print(f"\n{args.out / 'calibrated.toml'} (run it: labsim run {args.out / 'calibrated.toml'}); "
          f"{len(spec.history)} evaluations in {time.perf_counter() - t0:.0f} s")
    return 0


def cmd_optimize(args) -> int:
    """Search settings (NSGA-II on labsim's batches); write the Pareto set, its scenario files, figure and report."""
    from sim.analysis import optimize as opt
    from sim.config.scenario import load_scenario
    from sim.io import atomic_write, locked, staged
    from sim.kinds import OutputKind
    from sim.pages.report import build
    from sim.pages.search import write_outputs

    require_analysis("optimize")
    if args.executor == "dask":
        require_extra("distributed", "dask", "--executor dask")
    spec = opt.load_search(args.search)
    if args.states is not None:
        spec = dataclasses.replace(spec, states=str(args.states.resolve()))
    base = opt.check_scenario(spec, args.scenario, allow_large=args.allow_large)  # all before anything is written
    _claim(args, OutputKind.OPTIMIZATION, args.out, forceable=False)
    opt.open_study(spec, base, args.out, create=False)  # refuses a folder that holds another search
    t0 = time.perf_counter()
    say = None if args.quiet else (lambda line: print(line, file=sys.stderr, flush=True))
    with locked(args.out):
        ev = opt.BatchEvaluator(spec, args.out, args.workers, args.executor, args.scheduler, args.quiet)
        counts = opt.optimize(spec, args.scenario, args.out, ev, base=base, report=say)
        presets = opt.presets_table(spec, args.scenario, base, ev)
        with staged(args.out) as tmp:
            found = write_outputs(spec, args.scenario, base, args.out, tmp, presets)
            for name, data in _what_ran(args, None, load_scenario(args.scenario), kind=OutputKind.OPTIMIZATION).items():
                atomic_write(tmp / name, data)
        for stale in (args.out / "scenarios").glob("*_pareto_*.toml"):  # from an earlier, smaller front
            if stale.name not in found["files"]:
                stale.unlink()
        build(args.out)
    front = found["front"]
    print(frame_text(front))
    print(f"\n{len(front)} Pareto points of {len(found['table'])} evaluations ({counts['told_now']} evaluated now, "
          f"{counts['before']} before, {counts['resumed']} resumed; {ev.executed} runs now) "
          f"in {time.perf_counter() - t0:.0f} s")
    print(f"{args.out}/pareto.csv, scenarios/ (labsim run or compare them), front.png, report.html")
    return 0


def cmd_discover(args) -> int:
    """Scenario discovery: read the batch, check the condition, run PRIM, then write everything at the end."""
    from sim.analysis import discover
    from sim.io import MARKER, atomic_write, locked, read_limited, staged
    from sim.kinds import OutputKind
    from sim.pages import discovery

    require_analysis("discover")
    x, y, where = discover.load_batch(args.batch, args.where, args.by)  # every input problem before writing
    found = discover.discover(x, y, where, min_coverage=args.min_coverage)
    if not args.no_tree:
        found.tree = discover.tree_view(found)
    out = args.out or args.batch / "discover"
    request = {"batch": str(args.batch.resolve()), "where": args.where, "by": args.by,
               "min_coverage": args.min_coverage, "tree": not args.no_tree}
    _claim(args, OutputKind.DISCOVERY, out, request)
    with locked(out), staged(out, replace=args.force) as tmp:
        written = discovery.write(found, args.batch, tmp)
        for toml in sorted((args.batch / "scenarios").glob("*.toml")):  # the batch's scenarios, resolved: what ran
            if toml.is_file() and not toml.is_symlink():
                atomic_write(tmp / "scenarios" / toml.name, read_limited(toml, 1_000_000))
        atomic_write(tmp / MARKER, _marker(args, OutputKind.DISCOVERY, request))
    print(discover.sentence(found))
    print(frame_text(found.limits))
    print(f"\n{len(written)} files in {out}/: {', '.join(written)}")
    return 0


def _log_targets(args):
    """The targets of --from-log (None without it), said on stderr: which were used, which left out and why."""
    if args.from_log is None:
        return None
    from sim.logs.targets import from_log

    found = from_log(args.from_log, args.scenario, args.person_col, args.date_col)
    if not found.targets:
        raise LabsimError(f"--from-log {args.from_log}: no outcome with 5 people or more behind it; a log this small "
                          "cannot be calibrated to")
    return found


def _say_log_targets(args, found, targets: dict) -> None:
    """On stderr, once every input is checked: the log's targets used (a --target may replace one) and left out."""
    if found is None or args.quiet:
        return
    print(f"targets from {args.from_log.name} ({found.days} days: {found.years:g} measured years a simulation): "
          + ", ".join(f"{k}={targets[k]:g}" for k in found.targets), file=sys.stderr)
    if found.left_out:
        print("left out: " + "; ".join(found.left_out), file=sys.stderr)


def _calibrate_abc(args, found=None) -> int:
    """Calibrate --method abc: the same targets and boxes as the point fit, a posterior sample instead of a point."""
    from sim.analysis import abc
    from sim.analysis.calibrate import build_spec
    from sim.batch.executors import default_workers, make_pool
    from sim.config.cost import check_batch
    from sim.config.scenario import load_scenario, resolved
    from sim.config.schema import PARAM_BY_NAME
    from sim.io import atomic_write, locked, staged
    from sim.kinds import OutputKind
    from sim.logs.synth import MAX_LOG_YEARS
    from sim.pages.abc import write as write_abc

    years = args.years or (found.years if found else 1.0)
    cap = args.budget or 20 * args.population * args.generations
    spec = build_spec(args.scenario, args.target, args.param, args.from_file, 2, 4, args.seed,  # checks all input
                      states=args.states, replications=1, years=years, log_targets=found.targets if found else None)
    if cap < args.population:
        raise LabsimError(f"--budget: got {cap}; allowed with --method abc: at least --population ({args.population})")
    top = {k: (round(hi) if PARAM_BY_NAME[k].kind is int else hi) for k, (_, hi) in spec.params.items()}
    check_batch([load_scenario(spec.scenario).with_settings(**top)], [{}], cap, years, allow_large=args.allow_large,
                where=f"calibrate --method abc (--budget {cap} simulations)")
    _say_log_targets(args, found, spec.targets)
    scenario = load_scenario(spec.scenario)
    request = {"method": "abc", "scenario": resolved(scenario), "targets": spec.targets, "params": spec.params,
               "population": args.population, "generations": args.generations, "budget": cap, "years": years,
               "seed": args.seed, "from": args.states, "from_log": str(args.from_log.resolve()) if found else None}
    _claim(args, OutputKind.ABC, args.out, request)
    workers = args.workers or default_workers()
    integer = tuple(k for k in spec.params if PARAM_BY_NAME[k].kind is int)
    t0, count = time.perf_counter(), [0]
    with make_pool("local", workers) as pool, locked(args.out), staged(args.out, replace=args.force) as tmp, \
            _Bar("calibrate abc: simulations", cap, args.quiet, poll=lambda: count[0]):
        sim = abc.labsim_simulator(spec.scenario, list(spec.targets), years, pool, states=args.states)
        result = abc.abc_smc(sim, spec.params, spec.targets, args.population, args.generations, cap, args.seed,
                             integer, progress=lambda n: count.__setitem__(0, n))
        shown = []
        if found is not None and not args.states and years <= MAX_LOG_YEARS:  # the log against posterior draws
            from sim.analysis import predictive
            from sim.figures import predictive_figures

            draws = predictive.simulate(spec.scenario, result.posterior, list(spec.params), years, pool, args.seed)
            shown = predictive_figures(found.description, draws, tmp) if len(draws) >= 2 else []
        write_abc(result, tmp, str(args.scenario), predictive=shown)
        source = f"the log {args.from_log.name}" if found else "its targets"
        atomic_write(tmp / "calibrated.toml", abc.scenario_file(spec.scenario, result, args.out, source).encode())
        for name, data in _what_ran(args, request, scenario, kind=OutputKind.ABC).items():
            atomic_write(tmp / name, data)
    failed = int(result.generations["failed"].sum()) if len(result.generations) else 0
    if failed:
        print(f"warning: {failed} simulations failed; their particles were rejected (generations.csv: failed)",
              file=sys.stderr)
    print(abc.statement(result))
    print(frame_text(result.intervals))
    print(f"\n{len(result.posterior)} particles after {len(result.generations)} generations "
          f"({int(result.generations['simulated'].sum()):,} simulations, stopped after {result.stopped}) in "
          f"{time.perf_counter() - t0:.0f} s; posterior.csv, intervals.csv, marginals.png, pairs.png, "
          f"{'predictive_*.png (the log against posterior draws), ' if shown else ''}abc.html, "
          f"calibrated.toml (the posterior medians: labsim run {args.out / 'calibrated.toml'}) in {args.out}/")
    return 0


def cmd_explore(args) -> int:
    """Check the scenario, the port and the front-end files, then serve sim/explorer/app.py with Solara."""
    import json
    import os
    import subprocess

    from sim.config.scenario import load_scenario, parse_settings, resolve
    from sim.explorer import assets

    require_extra("solara", "explore", "explore")
    settings = parse_settings(args.set)
    load_scenario(args.scenario).with_settings(**settings)
    path = resolve(args.scenario)
    _check_listen(args.host, args.port)
    if not is_loopback(args.host):
        print(f"warning: --host {args.host}: the explorer is then reachable by anyone on the network who can reach "
              "this machine (it has no login); use 127.0.0.1 to keep it to yourself", file=sys.stderr, flush=True)
    assets.fetch()
    app = Path(__file__).resolve().parent / "explorer" / "app.py"
    env = os.environ | {"LABSIM_EXPLORE_SCENARIO": str(path.resolve()), "LABSIM_EXPLORE_SET": json.dumps(settings)}
    print(f"labsim explorer on http://{args.host}:{args.port}/ (Ctrl-C to stop)", flush=True)
    cmd = [sys.executable, "-m", "solara", "run", str(app), "--host", args.host, "--port", str(args.port),
           "--production", "--no-open"]
    return subprocess.call(cmd, env=env)


def is_loopback(host: str) -> bool:
    """Whether every address `host` names is this machine's loopback (127.0.0.0/8, ::1)."""
    import ipaddress
    import socket

    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError:
        return False
    return bool(addresses) and all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses)


def _check_listen(host: str, port: int) -> None:
    """Refuse a host or port the explorer cannot listen on, saying which of the two is the problem."""
    import errno
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, ValueError) as exc:
        raise LabsimError(f"--host {_shown(host)}: not an address of this machine ({exc}); "
                          "allowed: e.g. 127.0.0.1, ::1 or 0.0.0.0") from None
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise LabsimError(f"--port {port}: {host}:{port} is in use; is another explorer running? "
                                  "choose another --port") from None
            raise LabsimError(f"--host {_shown(host)}: cannot listen there ({exc.strerror}); "
                              "allowed: an address of this machine, e.g. 127.0.0.1 or 0.0.0.0") from None


def cmd_report(args) -> int:
    """Write the folder's HTML report."""
    from sim.io import claim_folder, locked
    from sim.pages.report import REPORTED, build

    focus = focus_of(args)
    claim_folder(args.folder, REPORTED, "labsim report")  # the folder it reads is the one it writes into
    with locked(args.folder, check=False):  # not while another labsim process writes there
        print(f"report: {build(args.folder, focus)}")
    return 0


def _grid_table(grid, keys: tuple[str, ...]) -> str:
    """The map's mean outcomes per point, formatted by the registry (no scientific notation)."""
    from sim import outcomes

    cols = ["public_market", "open_closed", *keys]
    heads = tuple(c if c in ("public_market", "open_closed") else outcomes.label(c, unit=False) for c in cols)
    rows = [tuple(f"{r[c]:.2f}" if c in ("public_market", "open_closed") else outcomes.fmt(c, r[c]) for c in cols)
            for _, r in grid.iterrows()]
    return wrapped_table(heads, rows, right=tuple(range(len(cols))))  # long labels wrap in their column


def _table(summaries: dict[str, dict], width: int = 100) -> str:
    """The main outcomes of one or more runs, labelled with units from the registry, no wider than `width`.

    Scenarios beyond what fits side by side are printed in further blocks of
    columns, so a long name never pushes the table past the terminal.
    """
    from sim import outcomes

    names = list(summaries)
    keys = [k for k in SHOWN if any(k in s for s in summaries.values())]
    keys += [k for k in outcomes.BUDGET_KEYS if k not in keys and any(k in s for s in summaries.values())]
    labels = {k: outcomes.label(k) for k in keys}
    first = max(len("outcome (unit)"), *(len(v) for v in labels.values()))
    cells = {n: [outcomes.fmt(k, summaries[n].get(k)) for k in keys] for n in names}
    widths = {n: max(len(n), *(len(c) for c in cells[n])) for n in names}
    blocks, block = [], []
    for n in names:
        if block and first + sum(widths[b] + 2 for b in [*block, n]) > width:
            blocks.append(block)
            block = []
        block.append(n)
    blocks.append(block)
    lines = []
    for block in blocks:
        head = f"{'outcome (unit)':<{first}}" + "".join(f"  {n:>{widths[n]}}" for n in block)
        lines += ["" if lines else None, head, "-" * len(head)]
        lines += [f"{labels[k]:<{first}}" + "".join(f"  {cells[n][i]:>{widths[n]}}" for n in block)
                  for i, k in enumerate(keys)]
    return "\n".join(line for line in lines if line is not None)

COMMANDS = {
    "run": cmd_run,
    "warmup": cmd_warmup,
    "casestudy": cmd_casestudy,
    "scenarios": cmd_scenarios,
    "validate": cmd_validate,
    "check-model": cmd_check_model,
    "batch": cmd_batch,
    "summarize": cmd_summarize,
    "compare": cmd_compare,
    "map": cmd_map,
    "report": cmd_report,
    "explore": cmd_explore,
    "sensitivity": cmd_sensitivity,
    "calibrate": cmd_calibrate,
    "optimize": cmd_optimize,
    "discover": cmd_discover,
    "log": cmd_log,
}


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
        args = build_parser().parse_args(argv)
        args.argv = list(sys.argv[1:] if argv is None else argv)
        with warnings.catch_warnings():  # numeric warnings (nan means of constant outputs) are not for the user
            warnings.simplefilter("ignore", RuntimeWarning)
            return COMMANDS[args.command](args)
    except OSError as exc:
        if isinstance(exc, BrokenPipeError):  # output piped into `head` and the like
            return 0
        where = exc.filename or (getattr(args, "out", None) if args is not None else None) or "output"
        print(f"error: {where}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except LabsimError as exc:
        for problem in cap(exc.problems):  # one line each, whatever a file's keys hold; 20 at most, then a count
            print(f"error: {_one_line(problem)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
