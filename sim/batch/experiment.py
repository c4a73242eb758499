"""Experiment files: base scenarios x a parameter space x replications, and their seeds.

An experiment names one or more base scenarios (presets or paths), a parameter
space (a grid of explicit values and ranges, or a Latin hypercube or Sobol
sample within bounds), a number of replications and a root seed:

    name = "mediation_access"
    scenarios = ["carrefour_numerique"]
    replications = 10
    root_seed = 2026
    years = 1.0
    focus = ["contributors", "net_result"]   # optional: the outcomes the report leads with

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
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.config.files import TomlFile, cap, read_toml, show
from sim.config.scenario import Scenario, load_scenario
from sim.config.schema import PARAM_BY_NAME
from sim.config.settings import settings_data
from sim.config.specs.batch import MAX_POINTS, ExperimentFile, Sample, Steps
from sim.config.specs.problems import validate
from sim.errors import LabsimError
from sim.text import counted


@dataclass(frozen=True)
class RunSpec:
    """One run, the unit every tool evaluates: its identity, its settings, its seed and what to measure.

    `network`: the full network measures (else only its size: nodes, density);
    `yearly`: one summary per measured year instead of one for the whole run;
    `series`: keep the weekly time series (a batch's store does, a table does not);
    `state`: a folder of saved mature labs (`labsim warmup`): fork replication r's lab (its seed) instead of
    warming one up; `save_state`: a folder to save this run's mature lab into (a warm-up, nothing measured);
    `outcomes`: only these are needed (calibration's targets), so the summary may skip the measures none of
    them needs (the network's: `sim.metrics.measures_for`); None asks for every outcome.
    """

    run_id: str
    scenario: Scenario | str  # the resolved scenario (a file changed mid-batch cannot leak in), or a preset name
    scenario_name: str
    point: int
    params: dict[str, Any]
    replication: int
    seed: int
    years: float
    network: bool = True
    yearly: bool = False
    series: bool = False
    state: str | None = None
    save_state: str | None = None
    outcomes: tuple[str, ...] | None = None  # the outcomes asked for (None: every one): see summarise_run


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
    loaded: list[Scenario] = field(default_factory=list, repr=False, compare=False)
    path: str = ""  # the experiment file, for messages
    states: str | None = None  # a folder of saved mature labs: every point is a policy forked from them
    seed_per_point: bool = False  # each point its own seeds (`point_seeds`: compare --posterior's draws)

    def scenario_objects(self) -> list[Scenario]:
        """The base scenarios, loaded once: their contents are the experiment's identity."""
        if len(self.loaded) != len(self.scenarios):
            self.loaded = [load_scenario(ref) for ref in self.scenarios]
        return self.loaded

    def identity(self) -> dict[str, dict]:
        """What each base scenario resolves to (name, every setting, interventions, map), keyed by its reference."""
        return {str(ref): scenario_identity(sc) for ref, sc in zip(self.scenarios, self.scenario_objects(), strict=True)}

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
        """A hash of what the experiment runs: the resolved contents of its scenarios, not their paths."""
        scenarios = [scenario_identity(sc) for sc in self.scenario_objects()]
        ident = {"scenarios": scenarios, "points": self.points, "replications": self.replications,
                 "root_seed": self.root_seed, "years": self.years}
        if self.states:
            ident["states"] = states_identity(self.states)
        if self.seed_per_point:
            ident["seeds"] = "per point"
        blob = json.dumps(ident, sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    def seeds(self) -> list[int]:
        """Each replication's seed: the saved labs' seeds when forking from states, else from the root seed."""
        if self.states:
            from sim.model.state import LabStates

            return LabStates(self.states).seeds[: self.replications]
        return replication_seeds(self.root_seed, self.replications)

    def runs(self) -> list[RunSpec]:
        """Every run, in a fixed order; ids and seeds do not depend on that order.

        With `seed_per_point`, replication r of point p runs on `point_seeds`' seed (p, r), the same for
        every base scenario; forking saved labs, it still forks saved lab r, with a future of its own.
        """
        by_point = (point_seeds(self.root_seed, len(self.points), self.replications) if self.seed_per_point
                    else None)
        return make_jobs(self.scenario_objects(), self.points, self.seeds(), self.years, series=True,
                         state=self.states, seeds_by_point=by_point)

    def from_states(self, folder: str | Path, where: str = "--from") -> None:
        """Fork every run from the saved labs of `folder` (checked against the scenarios, points and replications)."""
        problems = check_states(folder, self.scenario_objects(), self.points, self.replications, where)
        if problems:
            raise LabsimError(cap(problems))
        self.states = str(Path(folder).resolve())


def make_jobs(scenarios: list[Scenario | str], points: list[dict[str, Any]], seeds: list[int], years: float = 1.0,
              *, network: bool = True, yearly: bool = False, series: bool = False,
              state: str | None = None, outcomes: tuple[str, ...] | None = None,
              seeds_by_point: list[list[int]] | None = None) -> list[RunSpec]:
    """Every point (settings changes) of every scenario on every seed: settings x seeds, in a fixed order.

    Each run's id is `p<point>-r<replication>` (point counted over scenarios,
    then points; replication = the seed's index), and every point runs on the
    same seeds (common random numbers), so settings compare pair by pair. With
    `state` (a folder of saved labs), replication r forks saved lab r: then
    `seeds` must be the saved labs' seeds (common random numbers and common history).
    `seeds_by_point[p]`, if given, are point p's seeds instead (the same under every scenario).
    `outcomes` asks for these outcomes only (`RunSpec.outcomes`; None: every one).
    Scenarios are loaded here, once: workers get the resolved scenario, so a
    file changed while the runs go on cannot leak in.
    """
    loaded = [load_scenario(ref) for ref in scenarios]
    out = []
    for s_idx, sc in enumerate(loaded):
        for p_idx, params in enumerate(points):
            point = s_idx * len(points) + p_idx
            for rep, seed in enumerate(seeds if seeds_by_point is None else seeds_by_point[p_idx]):
                out.append(RunSpec(f"p{point:05d}-r{rep:04d}", sc, sc.name, point, params, rep, seed, years,
                                   network, yearly, series, state, outcomes=outcomes))
    return out


def scenario_identity(sc: Scenario) -> dict[str, Any]:
    """The contents that make a scenario what it is (its path is not one of them)."""
    return {"name": sc.name, "settings": settings_data(sc.settings),
            "interventions": [[iv.at, dict(sorted(iv.changes.items()))] for iv in sc.interventions],
            "map": dict(sorted(sc.stated_map.items()))}


def changed_keys(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What differs between two scenario identities, in words ('mediators 8 -> 9')."""
    out = [f"{k} {show(v, 30)} -> {show(new.get('settings', {}).get(k), 30)}"
           for k, v in old.get("settings", {}).items() if new.get("settings", {}).get(k) != v]
    out += [f"{k} {show(new['settings'][k], 30)} (new key)" for k in new.get("settings", {}) if k not in old.get("settings", {})]
    for part in ("name", "interventions", "map"):
        if old.get(part) != new.get(part):
            out.append(f"{part} changed")
    return out


def point_seeds(root_seed: int, points: int, replications: int) -> list[list[int]]:
    """Each point's own replication seeds: SeedSequence(root_seed, spawn_key=(p, r, 1)) for point p, replication r.

    For designs whose points are draws of the same lab (compare --posterior: posterior draw p, seed r), so
    that every draw has a future of its own, while every scenario runs draw p, seed r on the same seed
    (paired). Like `replication_seeds`, they do not depend on the order or the number of workers.
    """
    import numpy as np

    return [[int(np.random.SeedSequence(root_seed, spawn_key=(p, r, 1)).generate_state(1, np.uint64)[0] >> 1)
             for r in range(replications)] for p in range(points)]


def replication_seeds(root_seed: int, replications: int) -> list[int]:
    """Seed of each replication: SeedSequence(root_seed, spawn_key=(rep,)), the same at every design point."""
    import numpy as np  # here, not at the top: `labsim validate` reads experiment files without numpy

    return [int(np.random.SeedSequence(root_seed, spawn_key=(rep,)).generate_state(1, np.uint64)[0] >> 1)
            for rep in range(replications)]


# -- loading -----------------------------------------------------------------------
def load_experiment(path: str | Path) -> Experiment:
    """Read and validate an experiment file; raise LabsimError with every problem."""
    return parse_experiment(read_toml(path, ExperimentFile.what))


def parse_experiment(tf: TomlFile) -> Experiment:
    """Validate an experiment file (`sim.config.specs.batch.ExperimentFile`), then build its design and check it."""
    spec = validate(tf, ExperimentFile)
    where, bases = str(tf.path), len(spec.scenarios)
    problems: list[str] = []
    points: list[dict[str, Any]] = [{}]
    if spec.grid is not None:
        points = _grid(spec.grid, where, problems, bases)
    elif spec.sample is not None:
        points = _sample(spec.sample, where, problems, spec.root_seed, bases)
    if not problems:
        problems += check_points(points, spec.loaded, where)
    if not problems and spec.from_:
        problems += check_states(spec.from_, spec.loaded, points, spec.replications, tf.where("from"))
    if problems:
        raise LabsimError(cap(problems))
    return Experiment(
        name=spec.name or tf.path.stem, scenarios=spec.refs, points=points, replications=spec.replications,
        root_seed=spec.root_seed, years=spec.years, description=spec.description, source=tf.data,
        loaded=spec.loaded, path=where, states=spec.from_,
    )


def too_many_points(size: int, bases: int, where: str, what: str) -> str:
    """The problem of a design whose points over every base scenario exceed MAX_POINTS ('' if it fits).

    Checked on the counts, before the design is built or any point is checked, so that a design
    of millions of points is refused at once (run ids hold five digits of point).
    """
    if size * bases <= MAX_POINTS:
        return ""
    times = f"{bases} scenarios x " if bases > 1 else ""
    return f"{where}: {times}{what} = {size * bases:,} design points; allowed: at most {MAX_POINTS:,}"


def _grid(grid: dict[str, list | Steps], where: str, problems: list[str], bases: int = 1) -> list[dict[str, Any]]:
    """The Cartesian product of each key's values ({from, to, steps}: a linspace); its size is checked first."""
    sizes_of = {name: axis.steps if isinstance(axis, Steps) else len(axis) for name, axis in grid.items()}
    size = math.prod(sizes_of.values())
    sizes = " x ".join(str(n) for n in sizes_of.values())
    problem = too_many_points(size, bases, where, f"[grid] {sizes}" if bases > 1 else f"[grid]: {sizes}")
    if problem:
        problems.append(problem)
        return [{}]
    axes = {}
    for name, axis in grid.items():
        if isinstance(axis, Steps):
            import numpy as np

            values = np.linspace(axis.low, axis.high, axis.steps)
            axis = [round(float(v)) for v in values] if PARAM_BY_NAME[name].kind is int else [float(v) for v in values]
        axes[name] = axis
    return expand(axes)


def expand(axes: dict[str, list]) -> list[dict[str, Any]]:
    """Every combination of the axes' values (the grid's design points), once its size is known to fit."""
    names = list(axes)
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*axes.values())]


def _sample(sample: Sample, where: str, problems: list[str], seed: int, bases: int = 1) -> list[dict[str, Any]]:
    """A Latin hypercube or scrambled Sobol sample within the bounds (scipy.stats.qmc)."""
    from scipy.stats import qmc

    if problem := too_many_points(sample.n, bases, where, f"[sample] n = {sample.n}"):
        problems.append(problem)
        return [{}]
    names = list(sample.bounds)
    lows, highs = [lo for lo, _ in sample.bounds.values()], [hi for _, hi in sample.bounds.values()]
    d, n, method = len(names), sample.n, sample.method
    engine = qmc.LatinHypercube(d=d, seed=seed) if method == "lhs" else qmc.Sobol(d=d, scramble=True, seed=seed)
    with warnings.catch_warnings():  # scipy warns when a Sobol n is not a power of two (balance): the docs say so
        warnings.simplefilter("ignore", UserWarning)
        unit = engine.random_base2(int(math.log2(n))) if method == "sobol" and n & n - 1 == 0 else engine.random(n)
    values = qmc.scale(unit, lows, highs)
    return [cast_point(dict(zip(names, row.tolist(), strict=True))) for row in values]


def cast_point(point: dict[str, float]) -> dict[str, Any]:
    """Round sampled values of integer keys."""
    return {k: round(v) if PARAM_BY_NAME[k].kind is int else float(v) for k, v in point.items()}


def states_identity(folder: str | Path) -> dict[str, Any]:
    """What makes saved labs what they are (their settings' hash and seeds), not where they are."""
    from sim.model.state import LabStates

    states = LabStates(folder)
    return {"settings_hash": states.manifest["settings_hash"], "seeds": states.seeds}


def check_compare_args(scenarios: list[str], reps: int, loaded: list[Scenario] | None = None,
                       years: float = 1.0) -> None:
    """A comparison's shape, or one clear line: two scenarios or more, two replications, and, once loaded, names apart.

    Here, not in sim.analysis.compare, so that `labsim compare` checks it before pandas and the model are loaded.
    """
    if len(scenarios) < 2:
        raise LabsimError(f"compare: got {counted(len(scenarios), 'scenario')}; allowed: two or more presets or files")
    if reps < 2:
        raise LabsimError(f"--reps: got {reps}; allowed: an integer >= 2 (confidence intervals need two runs)")
    if loaded is None:
        return
    from sim.io import slug

    for sc in loaded:
        sc.check_horizon(years)
    names = [sc.name for sc in loaded]
    if len(set(names)) < len(names) or len({slug(n) for n in names}) < len(names):
        raise LabsimError(f"compare: scenarios must have different names; got {', '.join(names)}")


def check_states(folder: str | Path, loaded: list[Scenario], points: list[dict], replications: int,
                 where: str) -> list[str]:
    """Problems of forking these scenarios and design points from the saved labs of `folder`, as sentences.

    The manifest alone tells (`sim.config.saved_labs`): no numpy, Mesa or model is loaded to refuse a folder.
    """
    from sim.config.saved_labs import SavedLabs
    from sim.config.schema import START_ONLY

    try:
        states = SavedLabs(folder, where)
    except LabsimError as exc:
        return list(exc.problems)
    problems = []
    checks = [lambda: states.check_replications(replications, f"{where}: replications")]
    checks += [lambda sc=sc: states.check_scenario(sc.settings, f"{where}: {sc.path or sc.name}") for sc in loaded]
    for check in checks:
        try:
            check()
        except LabsimError as exc:
            problems += exc.problems
    varied = sorted({k for point in points for k in point} & START_ONLY)
    problems += [f"{where}: the design varies '{k}', which defines how the lab started; forks of saved labs "
                 "can vary any other key" for k in varied]
    return problems


def verify_states(folder: str | Path, replications: int | None = None, where: str = "--from") -> None:
    """Every saved lab the runs will read, checked by meaning and restored once into a model not run.

    `check_states` reads the manifest alone (light: before the heavy imports); this reads the labs
    themselves (numpy, the model: sim.model.state.LabStates.verify with sim.run.trial_restore), once the
    input and --out are known good and before the first run, so that a tampered or damaged lab is
    refused in one line, never in a worker. Checked once per folder in a process.
    """
    from sim.model.state import LabStates
    from sim.run import trial_restore

    LabStates(folder, where).verify(replications, trial_restore)


def check_points(points: list[dict], loaded: list[Scenario], where: str) -> list[str]:
    """Every design point must give valid settings on every base scenario."""
    problems: list[str] = []
    for base in loaded:
        for i, point in enumerate(points):
            try:
                base.with_settings(**point)
            except LabsimError as exc:
                problems += [f"{where}: design point {i} {show(point, 120)}: {p.split(': ', 1)[-1]}" for p in exc.problems]
                if len(problems) > 20:
                    return [*problems, f"{where}: ... more design points fail the same way"]
    return problems
