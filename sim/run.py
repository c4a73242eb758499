"""One run: a scenario and a seed in, a RunResult out, written to a folder.

>>> import sim
>>> result = sim.run("carrefour_numerique", seed=1, years=1)
>>> result.summary["visitors"], result.timeseries.shape, result.network.number_of_nodes()
"""

from __future__ import annotations

import gc
import math
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from sim.config.cost import MAX_YEARS, check_years
from sim.config.scenario import Scenario, load_scenario
from sim.errors import LabsimError
from sim.version import __version__

if TYPE_CHECKING:  # the model, networkx and pandas are imported when a run happens, not with `import sim`
    import networkx as nx
    import pandas as pd

    from sim.model.model import LabModel
    from sim.model.recorder import VisitRecorder
    from sim.model.state import LabState

__all__ = ["MAX_YEARS", "RunResult", "Summaries", "check_run_args", "measured_series", "run", "simulate",
           "summarise_run"]


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
    check_years(years)


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


def simulate(scenario: Scenario, seed: int, years: float, state: LabState | None = None,
             recorder: VisitRecorder | None = None, watch: Callable[[LabModel], None] | None = None) -> LabModel:
    """Build and run the model, warm-up then `years` measured years (no metrics): the part the benchmarks time.

    With `state`, the lab starts from the saved mature lab instead (no warm-up to run); with
    `recorder`, every visit is recorded (labsim log synth). `watch` is handed the model once it
    is built, before it runs: a progress line may then read its clock (`time`, `measure_start`)
    from another thread, which changes nothing in the run.
    """
    from sim.model.model import LabModel

    with relaxed_gc():
        model = LabModel(scenario, rng=seed, state=state, allow_large=True, recorder=recorder)  # cost checked by the caller
        if watch is not None:
            watch(model)
        for _ in _periods(model, [years]):
            pass
    return model


def _periods(model: LabModel, lengths: list[float]) -> Iterator[int]:
    """Run the warm-up, then each measured period of `lengths` years in turn, yielding its index at its end.

    From the second period on, measuring starts anew (tallies reset), which
    draws no random number: the lab's trajectory is the same however its
    years are cut.
    """
    from sim.model.model import YEAR

    if model.time < model.measure_start:
        model.run_until(model.measure_start)
    for i, length in enumerate(lengths):
        if i:
            model.start_measuring()
        model.run_until(model.measure_start + length * YEAR)
        yield i


class Summaries(NamedTuple):
    """What a run yields to the batch engine: its summaries (one, or one per measured year) and its weekly series."""

    summaries: list[dict]
    series: pd.DataFrame | None


def summarise_run(scenario: Scenario, seed: int, years: float, network: bool = True, yearly: bool = False,
                  series: bool = False, state: LabState | None = None,
                  outcomes: Iterable[str] | None = None) -> Summaries:
    """Run one scenario from one seed and summarise it: the one run function of every tool that runs many.

    Batches, compare, map, sensitivity, optimize, calibrate, ABC and the
    check-up all evaluate settings through this (in `sim.batch.worker`).

    Args:
        scenario: The lab, settings changes already applied.
        seed: The model's seed.
        years: Measured years, after the scenario's warm-up.
        network: Add the network measures of `sim.metrics.network_metrics`
            (every summary has the network's size, `nodes` and `density`, either way).
        yearly: One summary per measured year (whole years, the last maybe
            partial) instead of one for the whole run. The network measures are
            then those of the first year, seeded from `seed`: drawing their seed
            from the model's generator would change the years after it.
            Otherwise they are seeded from the model's generator at the end, so
            that the summary is the one `labsim run` writes.
        series: Also return the measured weeks' time series (`timeseries.csv`).
        state: A saved mature lab (`sim.model.state`) to fork instead of warming one up: the
            scenario's settings apply from now on, `seed` is the saved lab's.
        outcomes: The outcomes asked for (a calibration's targets), None for every one: the
            network measures are skipped when none of them needs them (`sim.metrics.measures_network`).
            The run itself is the same either way.

    """
    from sim.config.cost import check_run
    from sim.metrics import measures_network, network_metrics, summary
    from sim.model.model import LabModel

    network = network and measures_network(outcomes)
    check_run_args(seed, years)
    scenario.check_horizon(years)
    check_run(scenario, years, allow_large=True)  # a guard: the caller checked the cost of all its runs
    lengths = [min(1.0, years - y) for y in range(math.ceil(years))] if yearly else [years]
    meta = {"warmup_years": scenario.settings.warmup_years, "labsim_version": __version__}
    out = []
    with relaxed_gc():
        model = LabModel(scenario, rng=seed, state=state, allow_large=True)  # checked above
        for i in _periods(model, lengths):
            s = summary(model, network=network and not yearly)
            if "density" not in s:
                net = model.network
                n = net.number_of_nodes()
                s["density"], s["nodes"] = (2 * net.n_edges / (n * (n - 1)) if n > 1 else 0.0), n
            if network and yearly and i == 0:
                s |= network_metrics(model.network.to_igraph(), seed=seed)
            out.append(s | meta)
    return Summaries(out, measured_series(model) if series else None)


def warm_up_run(scenario: Scenario, seed: int) -> dict[str, bytes]:
    """Run a scenario's warm-up from one seed and return the mature lab's state files (`sim.model.state`)."""
    from sim.model.model import LabModel
    from sim.model.state import WARMED_UP, state_files

    check_run_args(seed, 1.0)
    with relaxed_gc():
        model = LabModel(scenario, rng=seed, allow_large=True)  # the warm-up command checked the cost
        model.run_until(model.warmup_days - WARMED_UP)
    return state_files(model, seed)


def measured_series(model: LabModel) -> pd.DataFrame:
    """The weekly rows of the measured years (`time` in days since the warm-up ended)."""
    ts = model.datacollector.get_model_vars_dataframe()
    ts = ts[ts["time"] > 0].reset_index(drop=True)
    ts["time"] = ts["time"].round(2)
    return ts


def run(scenario: str | Path | Scenario, seed: int = 0, years: float = 1.0, allow_large: bool = False,
        people: bool = True, state: LabState | None = None,
        watch: Callable[[LabModel], None] | None = None) -> RunResult:
    """Run one scenario (preset name, file or Scenario) for some years from one seed.

    A run whose estimated cost exceeds the limits of `sim.config.cost` is refused
    before it starts, unless `allow_large` raises them. `people` adds the
    per-person table (`sim.people`); batches, which keep only the summary, skip it. With `state` (a saved
    mature lab, `sim.model.state`), the lab is forked from it (its seed, not `seed`) and the scenario applies from now on.
    `watch` is handed the model before it runs (see `simulate`: labsim run's progress line).
    """
    from sim.config.cost import check_run
    from sim.metrics import summary
    from sim.model.state import check_state
    from sim.people import people_table

    check_run_args(seed, years)
    check_state(state, "run: state")
    sc = load_scenario(scenario)
    sc.check_horizon(years)
    check_run(sc, years, allow_large=allow_large)
    if state is not None:
        seed = state.seed
    model = simulate(sc, seed, years, state, watch=watch)
    ts = measured_series(model)
    meta = {"scenario": sc.name, "seed": seed, "years": float(years), "warmup_years": sc.settings.warmup_years,
            "labsim_version": __version__}
    table = people_table(model) if people else None
    return RunResult(sc, seed, years, summary(model) | meta, ts, model.network.graph(),
                     [(t, kind, tuple(ids.tolist())) for t, kind, ids in model.sessions.log], table)


def trial_restore(state, where: str) -> None:
    """Restore a saved lab into a model, not run: a lab its components cannot take back is refused in one line."""
    from sim.config.scenario import Scenario
    from sim.errors import LabsimError
    from sim.model.model import LabModel

    try:
        LabModel(Scenario(name="saved lab", settings=state.settings), rng=state.seed, state=state, allow_large=True)
    except LabsimError:
        raise
    except Exception as exc:  # any component's restore on data it cannot take: the lab is not labsim's
        raise LabsimError(f"{where}: not a saved lab its model can take back ({exc.__class__.__name__}: "
                          f"{str(exc)[:80]}); warm up again with labsim warmup") from None
