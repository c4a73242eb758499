"""The model's own visits written as a lab's visit log (`labsim log synth`), in the format `sim.logs.visitlog` reads.

One row per visit of the measured years: `person` (the person's id in the
people table, as in people.csv and network.graphml), `date` (an ISO date: the
model's day d is day d % 365 of its year, as its seasons have it
(`sim.model.calendar`), and the measured period's first year is `START`'s; a
leap year's 29 February is skipped, so every month holds the model's days),
`kind` (`visit`: the model
does not record which activity a visit was) and `channel` (how the person
first came). So users see the format, and `labsim log describe` of a synthesised
log gives back the run's own visitors, returning visitors and Gini.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import pandas as pd

from sim.config.scenario import Scenario, load_scenario
from sim.errors import LabsimError
from sim.kinds import CHANNEL_LABELS
from sim.logs.visitlog import PARQUET_SUFFIXES
from sim.model.calendar import YEAR_DAYS
from sim.model.recorder import VisitRecorder

START = pd.Timestamp("2001-01-01")  # a fixed first day: a year of the log is a calendar year (2001-2003 not leap)
MAX_LOG_YEARS = 25  # the log's dates stay in the past (a log with future dates is refused when read)


def synth(scenario: str | Path | Scenario, seed: int, years: float, allow_large: bool = False,
          watch=None) -> tuple[pd.DataFrame, dict]:
    """Run a scenario with a visit recorder; return its measured visits as a log and the run's summary.

    `watch` is handed the model before it runs (sim.run.simulate: the command's progress line).
    """
    from sim.config.cost import check_run
    from sim.metrics import summary
    from sim.run import check_run_args, simulate

    check_run_args(seed, years)
    if years > MAX_LOG_YEARS:
        raise LabsimError(f"--years: got {years:g}; allowed with log synth: at most {MAX_LOG_YEARS} (the log starts "
                          f"on {START.date()} and may not reach the future)")
    sc = load_scenario(scenario)
    sc.check_horizon(years)
    check_run(sc, years, allow_large=allow_large)
    recorder = VisitRecorder()
    model = simulate(sc, seed, years, recorder=recorder, watch=watch)
    ids, days = recorder.visits()
    channel = np.asarray(CHANNEL_LABELS, dtype=object)[model.people.channel[ids]]
    log = pd.DataFrame({"person": ids.astype(str), "date": log_dates(days, model.measure_start),
                        "kind": "visit", "channel": channel})
    return log, summary(model, network=False) | {"scenario": sc.name, "seed": seed, "years": float(years)}


def log_dates(days: np.ndarray, measure_start: float) -> np.ndarray:
    """The ISO dates of model days: day d is day d % 365 of its year, the measured period's first year `START`'s.

    Day 0 of the model is 1 January, so a lab closed in August (`monthly_opening`) has no visit dated in August;
    a leap year's 29 February is skipped (a model year has 365 days).
    """
    days = np.asarray(days, dtype=np.int64)
    year = START.year + days // YEAR_DAYS - math.floor(measure_start) // YEAR_DAYS
    doy = days % YEAR_DAYS
    jan1 = pd.to_datetime(pd.DataFrame({"year": year, "month": 1, "day": 1}))
    leap = jan1.dt.is_leap_year.to_numpy() & (doy >= 59)  # on or after 1 March: one day more from 1 January
    return (jan1 + pd.to_timedelta(doy + leap, unit="D")).dt.strftime("%Y-%m-%d").to_numpy()


def log_bytes(log: pd.DataFrame, path: Path) -> bytes:
    """The log as the bytes of a .csv or .parquet file (by `path`'s suffix)."""
    from sim.csvfile import csv_bytes

    if path.suffix.lower() in PARQUET_SUFFIXES:
        buf = io.BytesIO()
        log.to_parquet(buf, index=False)
        return buf.getvalue()
    return csv_bytes(log)
