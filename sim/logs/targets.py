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
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sim.kinds import DAYS_PER_YEAR
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


def log_years(days: int) -> float:
    """The measured years a run needs to match a log of `days` days: whole years, at least one."""
    return float(max(1, round(days / DAYS_PER_YEAR)))


def from_log(path: Path, scenario: str, person_col: str = "person", date_col: str = "date") -> LogTargets:
    """Read and describe the log (a bad one: one LabsimError line), and pick its published outcomes as targets."""
    from sim.config.scenario import load_scenario
    from sim.logs.describe import describe
    from sim.logs.visitlog import read_log

    settings = load_scenario(scenario).settings
    found = describe(read_log(Path(path), person_col, date_col), settings)
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
    return LogTargets(targets, log_years(days), days, left_out, found)
