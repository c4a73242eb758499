"""One run: a scenario and a seed in, a RunResult out, written to a folder.

>>> import sim
>>> result = sim.run("carrefour_numerique", seed=1, years=1)
>>> result.summary["visitors"], result.timeseries.shape, result.network.number_of_nodes()
"""

from __future__ import annotations

import gc
import math
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sim.errors import LabsimError
from sim.scenario import Scenario, load_scenario
from sim.version import __version__

if TYPE_CHECKING:  # the model, networkx and pandas are imported when a run happens, not with `import sim`
    import networkx as nx
    import pandas as pd

    from sim.model import LabModel

MAX_YEARS = 50
__all__ = ["MAX_YEARS", "RunResult", "check_run_args", "run", "simulate"]


@dataclass
class RunResult:
    """What one run yields."""

    scenario: Scenario
    seed: int
    years: float
    summary: dict
    timeseries: pd.DataFrame
    network: nx.Graph
    sessions: list = field(default_factory=list)  # the last sessions: (day, kind, attendee ids)
    people: pd.DataFrame | None = None  # one row per person known at the end (sim.people), or None if not asked


def check_run_args(seed: object, years: object) -> None:
    """Refuse a seed or horizon that is not usable, with one clear line."""
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise LabsimError(f"--seed: got {seed!r}; allowed: an integer >= 0")
    ok = isinstance(years, int | float) and not isinstance(years, bool) and math.isfinite(years)
    if not ok or not 0 < years <= MAX_YEARS:
        raise LabsimError(f"--years: got {years!r}; allowed: a number in (0, {MAX_YEARS}]")


@contextmanager
def relaxed_gc(threshold: int = 100_000):
    """Collect cyclic garbage less often while a model runs.

    A run creates hundreds of thousands of small, long-lived objects (people,
    events); with CPython's default gen-0 threshold of 700 the collector rescans
    them so often that a 10x larger lab costs 15x the time instead of 10x
    (measured in benchmarks/). Nothing is leaked: collection still happens.
    """
    old = gc.get_threshold()
    gc.set_threshold(threshold, old[1], old[2])
    try:
        yield
    finally:
        gc.set_threshold(*old)


def simulate(scenario: Scenario, seed: int, years: float) -> LabModel:
    """Build and run the model, warm-up then `years` measured years (no metrics): the part the benchmarks time."""
    from sim.model import LabModel

    with relaxed_gc():
        model = LabModel(scenario, rng=seed)
        model.run_years(years)
    return model


def run(scenario: str | Path | Scenario, seed: int = 0, years: float = 1.0, allow_large: bool = False,
        people: bool = True) -> RunResult:
    """Run one scenario (preset name, file or Scenario) for some years from one seed.

    A run whose estimated cost exceeds the limits of `sim.cost` is refused
    before it starts, unless `allow_large` raises them. `people` adds the
    per-person table (`sim.people`); batches, which keep only the summary, skip it.
    """
    from sim.cost import check_run
    from sim.metrics import summary
    from sim.people import people_table

    check_run_args(seed, years)
    sc = load_scenario(scenario)
    sc.check_horizon(years)
    check_run(sc, years, allow_large=allow_large)
    model = simulate(sc, seed, years)
    ts = model.datacollector.get_model_vars_dataframe()
    ts = ts[ts["time"] > 0].reset_index(drop=True)  # the measured weeks; time in days since the warm-up ended
    ts["time"] = ts["time"].round(2)
    meta = {"scenario": sc.name, "seed": seed, "years": float(years), "warmup_years": sc.settings.warmup_years,
            "labsim_version": __version__}
    table = people_table(model) if people else None
    return RunResult(sc, seed, years, summary(model) | meta, ts, model.network.graph(),
                     [(t, kind, tuple(ids.tolist())) for t, kind, ids in model.sessions.log], table)
