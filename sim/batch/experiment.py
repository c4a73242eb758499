"""Experiment files: base scenarios x a parameter space x replications, and their seeds.

An experiment names one or more base scenarios (presets or paths), a parameter
space (a grid of explicit values and ranges, or a Latin hypercube or Sobol
sample within bounds), a number of replications and a root seed:

    name = "mediation_access"
    scenarios = ["carrefour_numerique"]
    replications = 10
    root_seed = 2026
    years = 1.0

    [grid]
    mediators = [2, 5, 10, 20]
    access = ["open", "appointment"]
    workshops_per_year = { from = 20, to = 80, steps = 4 }

    # or, instead of [grid]:
    [sample]
    method = "lhs"        # or "sobol"
    n = 64
    bounds = { mediators = [1, 20], open_documentation = [0.0, 1.0] }

Each run's seed comes from the root seed and its replication index through
numpy's SeedSequence: never from the order of execution, and the same for every
design point (common random numbers), so settings compare pair by pair.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import tomllib
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.errors import LabsimError
from sim.scenario import load_scenario, nearest
from sim.schema import PARAM_BY_NAME

TOP_KEYS = ("name", "description", "scenarios", "replications", "root_seed", "years", "grid", "sample")
SAMPLE_KEYS = ("method", "n", "bounds")
METHODS = ("lhs", "sobol")


@dataclass(frozen=True)
class RunSpec:
    """One run of a batch: its identity, its settings and its seed."""

    run_id: str
    scenario: str  # preset name or path, as the worker loads it
    scenario_name: str
    point: int
    params: dict[str, Any]
    replication: int
    seed: int
    years: float


@dataclass
class Experiment:
    """A validated experiment: what to run, how often, from which root seed."""

    name: str
    scenarios: list[str]
    points: list[dict[str, Any]]
    replications: int
    root_seed: int
    years: float = 1.0
    description: str = ""
    source: dict = field(default_factory=dict)

    @classmethod
    def simple(cls, scenario: str, replications: int, root_seed: int = 0, years: float = 1.0) -> Experiment:
        """Replications of one scenario with no parameter changes."""
        return cls(scenario, [scenario], [{}], replications, root_seed, years,
                   source={"scenarios": [scenario], "replications": replications, "root_seed": root_seed})

    @property
    def varied(self) -> list[str]:
        """Names of the parameters the design varies."""
        return list(dict.fromkeys(k for p in self.points for k in p))

    def digest(self) -> str:
        """A hash of what the experiment runs: the same file gives the same hash."""
        blob = json.dumps({"scenarios": self.scenarios, "points": self.points, "replications": self.replications,
                           "root_seed": self.root_seed, "years": self.years}, sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    def runs(self) -> list[RunSpec]:
        """Every run, in a fixed order; ids and seeds do not depend on that order."""
        seeds = replication_seeds(self.root_seed, self.replications)
        out = []
        for s_idx, ref in enumerate(self.scenarios):
            name = load_scenario(ref).name
            for p_idx, params in enumerate(self.points):
                point = s_idx * len(self.points) + p_idx
                for rep in range(self.replications):
                    out.append(RunSpec(f"p{point:05d}-r{rep:04d}", ref, name, point, params, rep, seeds[rep], self.years))
        return out


def replication_seeds(root_seed: int, replications: int) -> list[int]:
    """Seed of each replication: SeedSequence(root_seed, spawn_key=(rep,)), the same at every design point."""
    return [int(np.random.SeedSequence(root_seed, spawn_key=(rep,)).generate_state(1, np.uint64)[0] >> 1)
            for rep in range(replications)]


# -- loading -----------------------------------------------------------------------
def load_experiment(path: str | Path) -> Experiment:
    """Read and validate an experiment file; raise LabsimError with every problem."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LabsimError(f"{path}: no such experiment file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LabsimError(f"{path}: cannot read the file ({exc.__class__.__name__}: {exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise LabsimError(f"{path}: malformed TOML: {exc}") from None
    return parse_experiment(data, path)


def parse_experiment(data: dict, path: Path) -> Experiment:
    """Validate an experiment's table; every problem is collected before raising."""
    problems: list[str] = []
    where = str(path)
    for key in data:
        if key not in TOP_KEYS:
            problems.append(f"{where}: key '{key}': unknown key{nearest(key, TOP_KEYS)}; allowed: {', '.join(TOP_KEYS)}")
    scenarios = data.get("scenarios")
    refs: list[str] = []
    if not isinstance(scenarios, list) or not scenarios or not all(isinstance(s, str) for s in scenarios):
        problems.append(f"{where}: key 'scenarios': allowed: a non-empty list of preset names or scenario paths")
    else:
        for ref in scenarios:
            near = path.parent / ref
            resolved = str(near.resolve()) if near.suffix == ".toml" and near.is_file() else ref
            try:
                sc = load_scenario(resolved)
                if isinstance(data.get("years", 1.0), int | float):
                    sc.check_horizon(float(data.get("years", 1.0)))
                refs.append(resolved)
            except LabsimError as exc:
                problems += [f"{where}: key 'scenarios': {p}" for p in exc.problems]
    reps = data.get("replications", 1)
    if isinstance(reps, bool) or not isinstance(reps, int) or not 1 <= reps <= 100_000:
        problems.append(f"{where}: key 'replications': got {reps!r}; allowed: an integer in [1, 100000]")
    seed = data.get("root_seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        problems.append(f"{where}: key 'root_seed': got {seed!r}; allowed: an integer >= 0")
    years = data.get("years", 1.0)
    if isinstance(years, bool) or not isinstance(years, int | float) or not 0 < years <= 50:
        problems.append(f"{where}: key 'years': got {years!r}; allowed: a number in (0, 50]")
    if "grid" in data and "sample" in data:
        problems.append(f"{where}: keys 'grid' and 'sample': give one parameter space, not both")
    points = [{}]
    if "grid" in data:
        points = _grid(data["grid"], where, problems)
    elif "sample" in data:
        points = _sample(data["sample"], where, problems, seed if isinstance(seed, int) else 0)
    if not problems:
        problems += _check_points(points, refs, where)
    if problems:
        raise LabsimError(problems)
    return Experiment(
        name=str(data.get("name", path.stem)), scenarios=refs, points=points, replications=reps,
        root_seed=seed, years=float(years), description=str(data.get("description", "")), source=data,
    )


def _param(name: str, where: str, table: str, problems: list[str]):
    p = PARAM_BY_NAME.get(name)
    if p is None:
        problems.append(f"{where}: [{table}] key '{name}': unknown scenario key{nearest(name, list(PARAM_BY_NAME))}")
    return p


def _grid(grid: Any, where: str, problems: list[str]) -> list[dict[str, Any]]:
    """The Cartesian product of each key's values (a list, or {from, to, steps})."""
    if not isinstance(grid, dict) or not grid:
        problems.append(f"{where}: [grid]: allowed: a table of scenario keys, each a list of values or "
                        "{{ from = A, to = B, steps = N }}")
        return [{}]
    axes = {}
    for name, spec in grid.items():
        p = _param(name, where, "grid", problems)
        if p is None:
            continue
        if isinstance(spec, list) and spec:
            axes[name] = spec
        elif isinstance(spec, dict) and set(spec) == {"from", "to", "steps"}:
            lo, hi, steps = spec["from"], spec["to"], spec["steps"]
            ok = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lo, hi)) and (
                isinstance(steps, int) and steps >= 2)
            if not ok or lo >= hi:
                problems.append(f"{where}: [grid] key '{name}': got {spec!r}; allowed: from < to and steps >= 2")
                continue
            values = np.linspace(lo, hi, steps)
            axes[name] = [round(float(v)) for v in values] if p.kind is int else [float(v) for v in values]
        else:
            problems.append(f"{where}: [grid] key '{name}': got {spec!r}; allowed: a non-empty list of values "
                            "or { from = A, to = B, steps = N }")
    names = list(axes)
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*axes.values())]


def _sample(sample: Any, where: str, problems: list[str], seed: int) -> list[dict[str, Any]]:
    """A Latin hypercube or scrambled Sobol sample within the bounds (scipy.stats.qmc)."""
    from scipy.stats import qmc

    if not isinstance(sample, dict):
        problems.append(f"{where}: [sample]: allowed: a table with method, n and bounds")
        return [{}]
    for key in sample:
        if key not in SAMPLE_KEYS:
            problems.append(f"{where}: [sample] key '{key}': unknown key{nearest(key, SAMPLE_KEYS)}")
    method, n, bounds = sample.get("method"), sample.get("n"), sample.get("bounds")
    if method not in METHODS:
        problems.append(f"{where}: [sample] key 'method': got {method!r}; allowed: one of {', '.join(METHODS)}")
    if isinstance(n, bool) or not isinstance(n, int) or not 2 <= n <= 1_000_000:
        problems.append(f"{where}: [sample] key 'n': got {n!r}; allowed: an integer in [2, 1000000]")
    names, lows, highs = parse_bounds(bounds, where, "sample", problems)
    if problems or not names:
        return [{}]
    d = len(names)
    engine = qmc.LatinHypercube(d=d, seed=seed) if method == "lhs" else qmc.Sobol(d=d, scramble=True, seed=seed)
    with warnings.catch_warnings():  # scipy warns when a Sobol n is not a power of two (balance): the docs say so
        warnings.simplefilter("ignore", UserWarning)
        unit = engine.random_base2(int(math.log2(n))) if method == "sobol" and n & n - 1 == 0 else engine.random(n)
    values = qmc.scale(unit, lows, highs)
    return [cast_point(dict(zip(names, row.tolist(), strict=True))) for row in values]


def parse_bounds(bounds: Any, where: str, table: str, problems: list[str]) -> tuple[list[str], list[float], list[float]]:
    """Named numeric bounds [low, high] inside each key's allowed range."""
    if not isinstance(bounds, dict) or not bounds:
        problems.append(f"{where}: [{table}] key 'bounds': allowed: a table name = [low, high] of numeric scenario keys")
        return [], [], []
    names, lows, highs = [], [], []
    for name, pair in bounds.items():
        p = _param(name, where, f"{table}.bounds", problems)
        if p is None:
            continue
        ok = isinstance(pair, list) and len(pair) == 2 and all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in pair)
        if p.kind not in (int, float):
            problems.append(f"{where}: [{table}.bounds] key '{name}': not numeric; vary it in a [grid] instead")
        elif not ok or not pair[0] < pair[1]:
            problems.append(f"{where}: [{table}.bounds] key '{name}': got {pair!r}; allowed: [low, high] with low < high")
        elif (p.low is not None and pair[0] < p.low) or (p.high is not None and pair[1] > p.high):
            problems.append(f"{where}: [{table}.bounds] key '{name}': got {pair!r}; allowed: within {p.allowed()}")
        else:
            names.append(name)
            lows.append(float(pair[0]))
            highs.append(float(pair[1]))
    return names, lows, highs


def cast_point(point: dict[str, float]) -> dict[str, Any]:
    """Round sampled values of integer keys."""
    return {k: round(v) if PARAM_BY_NAME[k].kind is int else float(v) for k, v in point.items()}


def _check_points(points: list[dict], refs: list[str], where: str) -> list[str]:
    """Every design point must give valid settings on every base scenario."""
    problems: list[str] = []
    for ref in refs:
        base = load_scenario(ref)
        for i, point in enumerate(points):
            try:
                base.with_settings(**point)
            except LabsimError as exc:
                problems += [f"{where}: design point {i} {point}: {p.split(': ', 1)[-1]}" for p in exc.problems]
                if len(problems) > 20:
                    return [*problems, f"{where}: ... more design points fail the same way"]
    return problems
