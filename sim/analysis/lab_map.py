"""The case study's map, quantified: sweep public_market x open_closed and map the outcomes.

A point of the map is a governance setting: the bilinear blend of the map's four
corners, the presets the case study places there (public & open: the
Carrefour Numerique; market & closed: Digital Arti; public & closed: the
traditional institution) and, for the corner it leaves empty (market & open), a
commercial makerspace in `scenarios/corners/market_open.toml`. Numbers are
blended, integers rounded, and a choice (access, moderation) takes the value
with the larger weight.

A blended cell is not a preset: the presets sit between the corners with
settings of their own, so the map also runs each preset (same replications,
seeds and years, under `out/batch_presets`) and the figure marks each one with
its own mean result, not the cell's.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd

from sim.batch.experiment import Experiment
from sim.batch.failures import Failures
from sim.batch.runner import run_batch
from sim.batch.store import Store
from sim.config.scenario import PRESET_DIR, load_scenario, preset_names
from sim.config.schema import PARAMS
from sim.errors import LabsimError

BASE = "carrefour_numerique"
CORNERS = {  # (public_market, open_closed) -> scenario
    (0, 0): "carrefour_numerique",
    (1, 1): "digital_arti",
    (0, 1): "institution_culturelle",
    (1, 0): str(PRESET_DIR / "corners" / "market_open.toml"),
}
OUTCOMES = ("visitors", "contributors", "partners", "works_produced", "revenue", "density",
            "mediator_betweenness_share")


def settings_at(public_market: float, open_closed: float) -> dict:
    """The settings at one point of the map: the blend of the four corners."""
    corners = {k: dataclasses.asdict(load_scenario(v).settings) for k, v in CORNERS.items()}
    w = {(a, b): (public_market if a else 1 - public_market) * (open_closed if b else 1 - open_closed)
         for a, b in corners}
    out = {}
    for p in PARAMS:
        values = {k: c[p.name] for k, c in corners.items()}
        if len(set(values.values())) == 1:
            continue  # the same everywhere: keep the base's value
        if p.kind in (int, float):
            v = sum(w[k] * values[k] for k in values)
            out[p.name] = round(v) if p.kind is int else float(v)
        else:
            votes: dict = {}
            for k, v in values.items():
                votes[v] = votes.get(v, 0.0) + w[k]
            out[p.name] = max(votes, key=votes.get)
    return out


MAX_RESOLUTION = 50  # points per axis: 2,500 settings
MAX_REPS = 1_000


def run_map(out: Path, resolution: int = 5, reps: int = 3, workers: int | None = None, years: float = 1.0,
            root_seed: int = 1, quiet: bool = False, force: bool = False,
            allow_large: bool = False) -> tuple[pd.DataFrame, dict]:
    """Run the sweep (resumable, under out/batch) and the presets themselves (out/batch_presets).

    Returns map.csv's table (mean outcomes per point) and map.json's dict (with
    each preset's own mean outcomes, `preset_results`); the command (sim.cli.lab_map)
    writes them.
    """
    if not 2 <= resolution <= MAX_RESOLUTION:
        raise LabsimError(f"--resolution: got {resolution}; allowed: an integer in [2, {MAX_RESOLUTION}]")
    if not 1 <= reps <= MAX_REPS:
        raise LabsimError(f"--reps: got {reps}; allowed: an integer in [1, {MAX_REPS}]")
    axis = np.linspace(0.0, 1.0, resolution)
    coords = [(float(pm), float(oc)) for oc in axis for pm in axis]
    points = [settings_at(pm, oc) for pm, oc in coords]
    exp = Experiment(name="map", scenarios=[BASE], points=points, replications=reps, root_seed=root_seed,
                     years=years, source={"kind": "map", "resolution": resolution, "replications": reps,
                                          "root_seed": root_seed, "years": years})
    run_batch(exp, out / "batch", workers=workers, quiet=quiet, force=force, allow_large=allow_large)
    names = preset_names()
    own = Experiment(name="map-presets", scenarios=names, points=[{}], replications=reps, root_seed=root_seed,
                     years=years, source={"kind": "map-presets", "replications": reps, "root_seed": root_seed,
                                          "years": years})
    run_batch(own, out / "batch_presets", workers=workers, quiet=quiet, force=force, allow_large=allow_large)
    sweep, presets = Store(out / "batch").runs(), Store(out / "batch_presets").runs()
    grid = map_table(coords, sweep)
    results = preset_results(presets)
    failures = (Failures.of(sweep, reps, "point", groups=list(range(len(coords))), label="point {}",
                            where=out / "batch" / "runs.parquet")
                + Failures.of(presets, reps, "scenario", groups=names, where=out / "batch_presets" / "runs.parquet"))
    meta = {"resolution": resolution, "reps": reps, "years": years, "root_seed": root_seed,
            "presets": preset_positions(), "preset_results": results,
            "corners": {f"{a},{b}": v for (a, b), v in CORNERS.items()}}
    if failures:  # said by the command, kept for the report's first screen
        meta["failures"] = failures.as_dict()
    return grid, meta


def map_table(coords: list[tuple[float, float]], runs: pd.DataFrame) -> pd.DataFrame:
    """One row per point of the map (public_market, open_closed): the mean outcomes of its runs that finished."""
    ok = runs[runs["status"] == "ok"]
    means = ok.groupby("point")[list(OUTCOMES)].mean()
    grid = pd.DataFrame([{"point": i, "public_market": pm, "open_closed": oc} for i, (pm, oc) in enumerate(coords)])
    return grid.merge(means, left_on="point", right_index=True, how="left")


def preset_results(runs: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Each preset's own mean outcomes, from the runs of the presets that finished."""
    ok = runs[runs["status"] == "ok"]
    return {str(k): {m: float(v) for m, v in row.items()} for k, row in
            ok.groupby("scenario")[list(OUTCOMES)].mean().iterrows()}


def preset_positions() -> dict[str, dict[str, float]]:
    """Where each preset sits on the map."""
    return {name: load_scenario(name).map_position for name in preset_names()}
