"""What a worker process does: run a chunk of runs, each isolated from the others' errors."""

from __future__ import annotations

import os
import time
import traceback
import warnings
from pathlib import Path

import pandas as pd

from sim.batch.experiment import RunSpec
from sim.config.scenario import load_scenario
from sim.io import atomic_write
from sim.model.state import LabState, LabStates, seed_folder
from sim.run import summarise_run, warm_up_run

CRASH_HOOK = "LABSIM_TEST_CRASH_RUN"  # testing hooks: a run id that kills its worker / raises
RAISE_HOOK = "LABSIM_TEST_RAISE_RUN"
HANG_HOOK = "LABSIM_TEST_HANG_RUN"  # a run that never ends (an interrupted batch must not wait for it)

Outcome = tuple[list[dict], pd.DataFrame | None]  # a run's rows (one, or one per measured year) and its weekly series
_SAVED: dict[tuple[str, int], LabState] = {}  # saved labs this worker has read (the policies of a replication share one)
_FOLDERS: dict[str, LabStates] = {}
SAVED_KEPT = 4


def faults_from_env() -> dict[str, str]:
    """The testing hooks set in the parent's environment, passed to workers with each chunk."""
    return {k: os.environ[k] for k in (CRASH_HOOK, RAISE_HOOK, HANG_HOOK) if os.environ.get(k)}


def execute_chunk(specs: list[RunSpec], faults: dict[str, str] | None = None) -> list[Outcome]:
    """Run each spec; a run that raises yields a failed row, not a failed chunk."""
    with warnings.catch_warnings():  # numeric warnings of one run's metrics are not the user's business
        warnings.simplefilter("ignore", RuntimeWarning)
        return [execute(spec, faults or {}) for spec in specs]


def identity(spec: RunSpec) -> dict:
    """The columns that say which run a row is: id, scenario, point, settings changes, replication, seed."""
    return {"run_id": spec.run_id, "scenario": spec.scenario_name, "point": spec.point, **spec.params,
            "replication": spec.replication, "seed": spec.seed} | ({"year": None} if spec.yearly else {})


def failed(spec: RunSpec, error: str) -> dict:
    """The one row of a run that did not finish."""
    return identity(spec) | {"status": "failed", "error": error}


def saved_lab(folder: str, replication: int) -> LabState:
    """Saved lab `replication` mod their number, read (and checked) once per worker: policies of a replication share it."""
    if folder not in _FOLDERS:
        _FOLDERS[folder] = LabStates(folder)
    states = _FOLDERS[folder]
    key = (folder, replication % len(states))
    if key not in _SAVED:
        if len(_SAVED) >= SAVED_KEPT:
            _SAVED.pop(next(iter(_SAVED)))
        _SAVED[key] = states.state(key[1])
    return _SAVED[key]


def execute(spec: RunSpec, faults: dict[str, str]) -> Outcome:
    """One run: its rows (identity, settings, status, outcomes) and, if asked, its weekly series."""
    row = identity(spec) | {"status": "ok", "error": ""}
    try:
        if faults.get(CRASH_HOOK) == spec.run_id:
            os._exit(3)
        if faults.get(RAISE_HOOK) == spec.run_id:
            raise RuntimeError("raised on purpose by the testing hook")
        if faults.get(HANG_HOOK) == spec.run_id:
            time.sleep(3600)
        scenario = load_scenario(spec.scenario)
        if spec.params:
            scenario = scenario.with_settings(**spec.params)
        if spec.save_state:
            folder = Path(spec.save_state) / seed_folder(spec.replication)
            for name, data in warm_up_run(scenario, spec.seed).items():
                atomic_write(folder / name, data)
            return [row], None
        state = saved_lab(spec.state, spec.replication) if spec.state else None
        summaries, series = summarise_run(scenario, spec.seed, spec.years, network=spec.network, yearly=spec.yearly,
                                          series=spec.series, state=state, outcomes=spec.outcomes)
    except Exception as exc:  # recorded with the run; the batch goes on
        last = traceback.format_exception_only(exc)[-1].strip()
        return [failed(spec, last)], None
    # a varied setting keeps its design value (e.g. mediators), not the count at the end
    rows = [row | ({"year": i + 1} if spec.yearly else {}) | s | spec.params for i, s in enumerate(summaries)]
    if series is not None:
        series = series.copy()
        series.insert(0, "run_id", spec.run_id)
    return rows, series
