"""What a worker process does: run a chunk of runs, each isolated from the others' errors."""

from __future__ import annotations

import os
import traceback
import warnings

import pandas as pd

from sim.batch.experiment import RunSpec

CRASH_HOOK = "LABSIM_TEST_CRASH_RUN"  # testing hooks: a run id that kills its worker / raises
RAISE_HOOK = "LABSIM_TEST_RAISE_RUN"


def faults_from_env() -> dict[str, str]:
    """The testing hooks set in the parent's environment, passed to workers with each chunk."""
    return {k: os.environ[k] for k in (CRASH_HOOK, RAISE_HOOK) if os.environ.get(k)}


def execute_chunk(specs: list[RunSpec], faults: dict[str, str] | None = None) -> list[tuple[dict, pd.DataFrame | None]]:
    """Run each spec; a run that raises yields a failed row, not a failed chunk."""
    with warnings.catch_warnings():  # numeric warnings of one run's metrics are not the user's business
        warnings.simplefilter("ignore", RuntimeWarning)
        return [execute(spec, faults or {}) for spec in specs]


def execute(spec: RunSpec, faults: dict[str, str]) -> tuple[dict, pd.DataFrame | None]:
    """One run: its row (identity, parameters, status, metrics) and its weekly series."""
    from sim.run import run
    from sim.scenario import load_scenario

    row = {"run_id": spec.run_id, "scenario": spec.scenario_name, "point": spec.point, **spec.params,
           "replication": spec.replication, "seed": spec.seed, "status": "ok", "error": ""}
    try:
        if faults.get(CRASH_HOOK) == spec.run_id:
            os._exit(3)
        if faults.get(RAISE_HOOK) == spec.run_id:
            raise RuntimeError("raised on purpose by the testing hook")
        scenario = load_scenario(spec.scenario)
        if spec.params:
            scenario = scenario.with_settings(**spec.params)
        result = run(scenario, seed=spec.seed, years=spec.years, allow_large=True, people=False)  # cost checked
    except Exception as exc:  # recorded with the run; the batch goes on
        last = traceback.format_exception_only(exc)[-1].strip()
        return row | {"status": "failed", "error": last}, None
    metrics = {k: v for k, v in result.summary.items() if k not in ("scenario", "seed", "years")}
    series = result.timeseries.copy()
    series.insert(0, "run_id", spec.run_id)
    return row | metrics | spec.params, series  # a varied setting keeps its design value (e.g. mediators)
