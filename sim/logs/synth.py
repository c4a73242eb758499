"""The model's own visits written as a lab's visit log (`labsim log synth`), in the format `sim.logs.visitlog` reads.

One row per visit of the measured years: `person` (the person's id in the
people table, as in people.csv and network.graphml), `date` (an ISO date
counted from `START`, day 0 the first measured day), `kind` (`visit`: the model
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
    days = days - math.floor(model.measure_start)
    channel = np.asarray(CHANNEL_LABELS, dtype=object)[model.people.channel[ids]]
    log = pd.DataFrame({"person": ids.astype(str), "date": (START + pd.to_timedelta(days, unit="D")).strftime(
        "%Y-%m-%d"), "kind": "visit", "channel": channel})
    return log, summary(model, network=False) | {"scenario": sc.name, "seed": seed, "years": float(years)}


def log_bytes(log: pd.DataFrame, path: Path) -> bytes:
    """The log as the bytes of a .csv or .parquet file (by `path`'s suffix)."""
    from sim.io import csv_bytes

    if path.suffix.lower() in PARQUET_SUFFIXES:
        buf = io.BytesIO()
        log.to_parquet(buf, index=False)
        return buf.getvalue()
    return csv_bytes(log)
