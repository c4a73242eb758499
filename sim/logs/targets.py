"""A lab's visit log as calibration targets (`labsim calibrate --from-log LOG`).

The log is described as `labsim log describe` does (`sim.logs.describe`), with
the scenario's contributor rule, and the whole log's values of the outcomes the
model reports under the same names become the targets; the model is then run
for as many measured years as the log covers, so both count the same span.
The visit-count distribution enters by its quantiles (`visits_q50` ...
`visits_q99`), not only its mean; its maximum (`visits_max`, one person's
count, ±20% from seed to seed) is not a default target: an extreme order
statistic says little about the settings and much about luck (a --target
visits_max=N adds it, weighed by its spread; a log's description publishes no
exact maximum). A value the log does not publish (fewer than 5 people behind it,
a count it would give away, or no one-year cohort) is left out, and said so.

How the log begins (`sim.logs.onset`) is set against how the scenario begins:
a log that starts mid-life fitted by a scenario with no warm-up (its first day
has no one), or a young log by a scenario that warms up, biases the fit; and a
log of a single cohort has no flow of newcomers to fit. `start_line` says so in
one line, with what to do, for the calibration's first lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sim.kinds import DAYS_PER_YEAR
from sim.logs.logfile import CSV, LogFormat
from sim.logs.onset import LogStart, seats_people, warms_up
from sim.metrics import VISIT_QUANTILE_KEYS

# outcomes measured the same way on a log and on a run (the model's names); a log's newcomers and contributors are
# not: a log's first year counts everyone as new, and its regulars cannot see the model's roles
LOG_TARGET_KEYS = ("visitors", "returning_visitors", "visitors_4plus_share", "gini_visits", *VISIT_QUANTILE_KEYS,
                   "returner_survival_1y")


@dataclass
class LogTargets:
    """The targets a log gives, the measured years to simulate, and what was left out (and why)."""

    targets: dict[str, float]
    years: float
    days: int
    left_out: list[str] = field(default_factory=list)
    description: object = field(default=None, repr=False)  # the log's `sim.logs.describe.Description`, for the figures
    start: str = ""  # one line when how the log begins does not match how the scenario does (see `start_line`)
    ignored: list[str] = field(default_factory=list)  # the log's columns not read


def log_years(days: int) -> float:
    """The measured years a run needs to match a log of `days` days: whole years, at least one."""
    return float(max(1, round(days / DAYS_PER_YEAR)))


def start_line(start: dict, scenario, states: bool = False) -> str:
    """One line when the log's start (`log_summary.json`'s `start`) and the scenario's do not match; '' otherwise.

    A scenario "warms up" when it has a warm-up or people seated on its first day (`sim.logs.onset.warms_up`),
    or when its runs fork saved mature labs (`states`, calibrate's --from).
    """
    kind, settings, name = LogStart(start["kind"]), scenario.settings, scenario.name
    warm = states or warms_up(settings)
    if kind is LogStart.SINGLE_COHORT:
        return ("note: " + start["sentence"] + f"; {name}'s newcomers are a flow, so its visitors and newcomers "
                "cannot match the log's: read the fit by its survival and visit-count targets")
    if kind is LogStart.MID_LIFE and not warm:
        regulars, ratio = start["regular_like"], start["first_seen_ratio"]
        why = (f"{regulars:,} people seen in its first 4 weeks behave like regulars" if isinstance(regulars, int) else
               f"people first seen in its first 4 weeks {ratio:.2f} times as fast as later" if ratio is not None else
               "people first seen in its first 4 weeks faster than later")
        return (f"warning: the log starts mid-life ({why}) but {name} has no warm-up (warmup_years 0, no initial "
                "population): its simulations begin with no one, which biases the fit; give it a warm-up as long as "
                "the lab had lived when the log began (warmup_years in the scenario file), or --from a folder of "
                "saved mature labs (labsim warmup)")
    if kind is LogStart.YOUNG and warm:
        begins = [f"warmup_years {settings.warmup_years:g}"] if settings.warmup_years > 0 else []
        begins += ["an initial population"] if seats_people(settings) else []
        how = "forks saved mature labs (--from)" if states else f"warms up ({', '.join(begins)})"
        return (f"warning: the log starts young (no sign of visitors from before it began) but {name} {how}: its "
                "simulations begin with a lab the log does not have, which biases the fit; "
                + ("drop --from" if states else "set warmup_years = 0 and the initial population "
                   "(initial_contributors, initial_partners, initial_dormant, initial_former_regulars) to 0, as "
                   "scenarios/examples/tiny.toml does"))
    return ""


def from_log(path: Path, scenario: str, person_col: str = "person", date_col: str = "date", fmt: LogFormat = CSV,
             states: bool = False) -> LogTargets:
    """Read and describe the log (a bad one: one LabsimError line), and pick its published outcomes as targets.

    `fmt`: a CSV log's separator and header line; `states`: the simulations fork saved mature labs.
    """
    from sim.config.scenario import load_scenario
    from sim.logs.describe import describe
    from sim.logs.visitlog import read_log

    loaded = load_scenario(scenario)
    settings = loaded.settings
    log = read_log(Path(path), person_col, date_col, fmt=fmt)
    found = describe(log, settings)
    summary = found.summary
    targets, left_out = {}, []
    for key in LOG_TARGET_KEYS:
        value = summary.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            targets[key] = float(value)
        else:
            why = ("hidden: fewer than 5 people behind it, or it would give such a count away" if value is not None
                   else "no one-year cohort in the log" if key == "returner_survival_1y" and summary.get("cohort_gap")
                   else "not published: fewer than 5 people on one side of it, or a count it would give away")
            left_out.append(f"{key} ({why})")
    if "visitors" not in targets:  # a log of under 5 people: even its zeros say nothing (and would be its only targets)
        left_out += [f"{k} (fewer than 5 visitors in the log)" for k in targets]
        targets = {}
    days = int(summary["log"]["days"])
    return LogTargets(targets, log_years(days), days, left_out, found, start_line(summary["start"], loaded, states),
                      log.ignored)
