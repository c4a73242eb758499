"""Find settings, not only compare them: a many-objective search (NSGA-II) on labsim's batch engine.

A search file names the knobs and their ranges, two or more objectives, any
constraints, the replications per evaluation, a budget of evaluations and a
root seed:

    name = "optimize_open"
    replications = 2          # per evaluation, on the same seeds for every candidate
    root_seed = 5
    years = 1.0

    [search]
    budget = 24               # evaluations (candidate settings), all generations together
    population = 8            # candidates per generation, run as one batch
    knobs = { mediators = [2, 12], open_documentation = [0.0, 1.0] }
    choices = { access = ["open", "appointment"] }        # categorical knobs (optional)
    objectives = { contributors = "max", net_result = "max" }
    constraints = ["costs <= 600000"]                     # on the mean over replications (optional)
    presets = true            # mark the presets on the figure (true, false, or a list of names)

Why Optuna: its NSGA-II sampler with the ask-and-tell interface lets labsim
run each generation's candidates x replications as one batch on its own
executors (process pool or Dask), and its SQLite study is the search's memory:
a search killed at any point resumes from it, evaluating the candidates that
were asked but not told (their finished runs are kept in the generation's
batch folder) and never a finished one again. Each generation is asked whole,
of a copy of the study in memory, by a sampler seeded from the root seed and
the generation, and written as one plan: the same file and seed give the same
study, interrupted (SIGTERM or kill -9, at any point) or not.
Every candidate runs on the same seeds (`replication_seeds`: common random
numbers), so candidates are compared on the same luck.
"""

from __future__ import annotations

import json
import math
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sim.batch.experiment import (
    cast_point,
    check_points,
    check_states,
    scenario_identity,
    states_identity,
    verify_states,
)
from sim.config.files import cap
from sim.config.specs.problems import read_spec
from sim.config.specs.search import DIRECTIONS, Constraint, SearchFile
from sim.errors import LabsimError
from sim.io import held_signals, slug

STUDY = "study.db"
PLAN = "plan-"  # the study's user attribute holding a generation's settings, asked whole
KILL_HOOK = "LABSIM_TEST_KILL_OPTIMIZE"  # testing hook: the point (see _kill_hook) at which the process kills itself

# evaluate(scenario refs, points, tag) -> per (scenario, point), scenario-major: the summaries of its ok replications
Evaluate = Callable[[list[str], list[dict], str], list[list[dict]]]


@dataclass
class SearchSpec:
    """A validated search file."""

    name: str
    knobs: dict[str, tuple[float, float]]
    choices: dict[str, list]
    objectives: list[tuple[str, str]]  # (summary key, "max" or "min")
    constraints: list[Constraint]
    replications: int
    root_seed: int
    years: float
    budget: int
    population: int
    presets: list[str] = field(default_factory=list)
    description: str = ""
    path: str = ""
    states: str | None = None  # saved mature labs (labsim warmup): every setting searched is a policy from now on

    @property
    def keys(self) -> list[str]:
        """The summary keys the search reads: objectives, then constraints."""
        return list(dict.fromkeys([k for k, _ in self.objectives] + [c.key for c in self.constraints]))

    def identity(self, base) -> dict:
        """What makes two searches the same study (the budget is not: raise it to search on)."""
        return {"scenario": scenario_identity(base), "knobs": self.knobs, "choices": self.choices,
                "objectives": self.objectives, "constraints": [c.text for c in self.constraints],
                "replications": self.replications, "root_seed": self.root_seed, "years": self.years,
                "population": self.population} | ({"states": states_identity(self.states)} if self.states else {})

    def digest(self, base) -> str:
        """A short hash of `identity`."""
        import hashlib

        return hashlib.sha256(json.dumps(self.identity(base), sort_keys=True, default=str).encode()).hexdigest()[:16]


# -- the search file -----------------------------------------------------------------
def load_search(path: str | Path) -> SearchSpec:
    """A search file (`sim.config.specs.search.SearchFile`) as the search's spec; every problem at once."""
    file, tf = read_spec(path, SearchFile)
    table = file.search
    return SearchSpec(
        name=file.name or tf.path.stem, description=file.description, knobs=dict(table.knobs or {}),
        choices=dict(table.choices), objectives=list(table.objectives), constraints=list(table.constraints),
        replications=file.replications, root_seed=file.root_seed, years=file.years, budget=table.budget,
        population=table.population, presets=list(table.presets), path=str(tf.path), states=file.from_)


def check_scenario(spec: SearchSpec, scenario: str, allow_large: bool = False):
    """The base scenario, checked with the search: horizon, every knob at its ends, the cost of the budget."""
    from sim.config.cost import check_batch
    from sim.config.scenario import load_scenario

    base = load_scenario(scenario)
    base.check_horizon(spec.years)
    lows = {k: lo for k, (lo, _) in spec.knobs.items()}
    highs = {k: hi for k, (_, hi) in spec.knobs.items()}
    corners = [cast_point(lows), cast_point(highs)] + [{k: v} for k, vs in spec.choices.items() for v in vs]
    problems = check_points(corners, [base], f"{spec.path}: [search] knobs")
    if not problems and spec.states:
        problems += check_states(spec.states, [base], corners, spec.replications, f"{spec.path}: key 'from'")
        if not problems:  # the saved labs themselves, by meaning, before anything is written
            try:
                verify_states(spec.states, spec.replications, f"{spec.path}: key 'from'")
            except LabsimError as exc:
                problems += exc.problems
    if problems:
        raise LabsimError(cap(problems))
    heavy = base.with_settings(**cast_point(highs))
    check_batch([heavy], [{}], spec.replications * spec.budget, spec.years, allow_large=allow_large,
                where=f"{spec.path} (budget {spec.budget} x replications {spec.replications})")
    return base


# -- the search ----------------------------------------------------------------------
def _sampler_seed(root_seed: int, generation: int) -> int:
    """The sampler's seed for one generation: from the root seed, not from how many times the search was started."""
    import numpy as np

    return int(np.random.SeedSequence(root_seed, spawn_key=(2**20 + generation,)).generate_state(1)[0])


def _distributions(spec: SearchSpec) -> dict:
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

    from sim.config.schema import PARAM_BY_NAME

    out: dict = {}
    for name, (lo, hi) in spec.knobs.items():
        if PARAM_BY_NAME[name].kind is int:
            out[name] = IntDistribution(math.ceil(lo), math.floor(hi))
        else:
            out[name] = FloatDistribution(lo, hi)
    out |= {name: CategoricalDistribution(values) for name, values in spec.choices.items()}
    return out


def open_study(spec: SearchSpec, base, out: Path, create: bool = True):
    """The search's Optuna study in out/study.db; refuse one made by another search (None if absent and not create)."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    db = Path(out) / STUDY
    if not db.exists() and not create:
        return None
    digest = spec.digest(base)
    try:
        study = optuna.create_study(study_name="labsim", storage=_storage(db), load_if_exists=True,
                                    directions=[DIRECTIONS[s] for _, s in spec.objectives])
    except Exception as exc:  # a damaged file, or not Optuna's
        raise LabsimError(f"{db}: not a readable Optuna study ({exc.__class__.__name__}); "
                          "remove it or choose another --out") from None
    theirs = study.user_attrs.get("digest")
    if theirs is None and not study.trials:
        study.set_user_attr("digest", digest)
        study.set_user_attr("spec", json.loads(json.dumps(spec.identity(base), default=str)))
    elif theirs != digest:
        raise LabsimError(f"--out {out}: holds another search (scenario, knobs, objectives, constraints, seeds or "
                          "population differ); choose another folder")
    return study


def _storage(db: Path):
    """Optuna's SQLite storage in write-ahead mode without a sync per commit.

    Each plan and tell is a commit; syncing each to disk made a search spend more
    time in fsync than in its toy evaluations. A killed process loses nothing
    committed in this mode (only a power cut could lose the last commits, and a
    lost trial is asked again on resume).
    """
    import sqlite3

    import optuna
    from sqlalchemy import event

    path = str(db.resolve())  # opened as a path, not through a URL where ? # % would cut or change it
    storage = optuna.storages.RDBStorage("sqlite://", engine_kwargs={"creator": lambda: sqlite3.connect(path)})

    def pragmas(connection, _record) -> None:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")

    event.listen(storage.engine, "connect", pragmas)
    storage.engine.dispose()  # the connection made while creating the tables reconnects with the pragmas
    return storage


def optimize(spec: SearchSpec, scenario: str, out: Path, evaluate: Evaluate, base=None,
             report: Callable[[str], None] | None = None) -> dict:
    """Run the search to its budget (resuming the study in out/); return counts of what ran now.

    A generation goes through three steps, each safe from a kill at any point: its candidates are
    asked of a copy of the study in memory and written as one plan (one commit: a kill before it
    leaves nothing, after it the whole plan); the plan runs as one batch (a resume keeps its
    finished runs); each candidate is told as one trial (one commit each; a resume tells the rest,
    in the plan's order). So a search resumed after SIGTERM or kill -9 is the study of one never
    interrupted.
    """
    from optuna.trial import TrialState

    from sim.config.scenario import load_scenario

    base = base if base is not None else load_scenario(scenario)
    study = open_study(spec, base, out)
    if any(not t.state.is_finished() for t in study.get_trials(deepcopy=False)):
        raise LabsimError(f"--out {out}: a search interrupted under an earlier labsim (its trials were asked one "
                          "by one); choose another folder")
    dists = _distributions(spec)
    trials = _finished(study)
    counts = {"told_now": 0, "resumed": 0, "before": len(trials)}
    gen, plan = _pending_plan(study, trials)
    if plan is not None:  # asked before an interruption: the same settings (their finished runs are kept)
        counts["resumed"] = len(plan["params"]) - _told(trials, gen)
    while plan is not None or len(trials) < spec.budget:
        if plan is None:
            with held_signals():  # SIGTERM or Ctrl-C waits for the plan's commit (a kill -9 loses only the asking)
                plan = _ask_plan(spec, study, trials, dists, gen, min(spec.population, spec.budget - len(trials)))
        told = {t.user_attrs.get("slot") for t in trials if t.user_attrs.get("generation") == gen}
        todo = [(slot, params) for slot, params in enumerate(plan["params"]) if slot not in told]
        # Settings evaluated in an earlier generation (NSGA-II repeats a parent now and then) give the same numbers
        # on the same seeds: their values are reused, not run again; the evaluation still counts against the
        # budget. The batch is the whole plan's, told or not, so a resumed generation is the same batch.
        seen = {_key(t.params): t.user_attrs["values"] for t in trials
                if t.state == TrialState.COMPLETE and "values" in t.user_attrs and t.user_attrs.get("generation") != gen}
        points = list({_key(p): dict(p) for p in plan["params"] if _key(p) not in seen}.values())
        tag = f"gen-{gen:04d}"
        results = evaluate([scenario], points, tag) if points else []
        _kill_hook(tag)
        fresh = {_key(p): {k: [_num(s.get(k)) for s in r] for k in spec.keys} for p, r in zip(points, results, strict=True)}
        for slot, params in todo:
            values = seen.get(_key(params)) or fresh[_key(params)]
            study.add_trial(_told_trial(spec, dists, params, plan["system"][slot], values, gen, slot))
            counts["told_now"] += 1
            _kill_hook(f"tell-{gen:04d}:{slot + 1}")
        trials = _finished(study)
        if report is not None:
            report(f"generation {gen}: {len(plan['params'])} evaluations, {len(trials)} of {spec.budget} done")
        gen, plan = gen + 1, None
    return counts


def _finished(study) -> list:
    return [t for t in study.get_trials(deepcopy=False) if t.state.is_finished()]


def _told(trials: list, gen: int) -> int:
    return sum(t.user_attrs.get("generation") == gen for t in trials)


def _pending_plan(study, trials: list) -> tuple[int, dict | None]:
    """The generation to go on with, and its plan if it was asked but not wholly told (None: ask it)."""
    gens = [int(k.removeprefix(PLAN)) for k in study.user_attrs if k.startswith(PLAN)]
    if not gens:
        return 0, None
    gen = max(gens)
    plan = study.user_attrs[f"{PLAN}{gen:04d}"]
    return (gen, plan) if _told(trials, gen) < len(plan["params"]) else (gen + 1, None)


def _ask_plan(spec: SearchSpec, study, trials: list, dists: dict, gen: int, n: int) -> dict:
    """Ask a generation's n candidates of a copy of the study in memory; write them to the study in one commit.

    The sampler is seeded from the root seed and the generation, and the copy holds the finished
    trials only, so the plan depends on nothing but the study's told trials.
    """
    import optuna
    from optuna.samplers import NSGAIISampler

    sampler = NSGAIISampler(population_size=spec.population, seed=_sampler_seed(spec.root_seed, gen))
    copy = optuna.create_study(sampler=sampler, directions=[DIRECTIONS[s] for _, s in spec.objectives])
    copy.add_trials(trials)
    plan: dict = {"params": [], "system": []}
    for i in range(n):
        trial = copy.ask(dists)
        plan["params"].append(dict(trial.params))
        plan["system"].append(dict(copy._storage.get_trial(trial._trial_id).system_attrs))  # NSGA-II's generation
        _kill_hook(f"ask-{gen:04d}:{i + 1}")
    study.set_user_attr(f"{PLAN}{gen:04d}", plan)
    return plan


def _told_trial(spec: SearchSpec, dists: dict, params: dict, system: dict, values: dict, gen: int, slot: int):
    """One candidate told: its means as the objectives (or failed if one is not finite), constraints, runs' values."""
    from optuna.trial import TrialState, create_trial

    means = {k: _mean(values.get(k, [])) for k in spec.keys}
    ok = all(math.isfinite(means[k]) for k in spec.keys)
    constraints = {f"constraints:{c.text}": c.violation(means[c.key]) for c in spec.constraints} if ok else {}
    return create_trial(state=TrialState.COMPLETE if ok else TrialState.FAIL,
                        values=[means[k] for k, _ in spec.objectives] if ok else None,
                        params=params, distributions={k: dists[k] for k in params},
                        user_attrs={"generation": gen, "slot": slot, "values": values},
                        system_attrs=system | constraints)


def _kill_hook(point: str) -> None:
    """Testing: the process kills itself (SIGKILL) at the point named by the environment (a batch's tag, ask-, tell-)."""
    if os.environ.get(KILL_HOOK) == point:
        os.kill(os.getpid(), signal.SIGKILL)


def _key(params: dict) -> str:
    return json.dumps(params, sort_keys=True, default=str)


def _num(x) -> float:
    try:
        return float(x) if x is not None else float("nan")
    except (TypeError, ValueError):
        return float("nan")


def _mean(values: list[float]) -> float:
    finite = [v for v in values if math.isfinite(v)]
    return sum(finite) / len(finite) if finite else float("nan")


# -- evaluation on labsim's batch engine --------------------------------------------
class BatchEvaluator:
    """Each call is one batch (candidates x replications, common random numbers) in out/evaluations/<tag>/."""

    def __init__(self, spec: SearchSpec, out: Path, workers: int | None = None, executor: str = "local",
                 scheduler: str | None = None, quiet: bool = False) -> None:
        self.spec, self.out, self.workers, self.executor = spec, Path(out), workers, executor
        self.scheduler, self.quiet, self.executed = scheduler, quiet, 0

    def __call__(self, refs: list[str], points: list[dict], tag: str) -> list[list[dict]]:
        """Run what the batch still needs; return the ok replications' summaries per (scenario, point)."""
        from sim.batch.experiment import Experiment
        from sim.batch.runner import run_batch
        from sim.batch.store import Store

        exp = Experiment(name=f"{self.spec.name}-{tag}", scenarios=refs, points=points,
                         replications=self.spec.replications, root_seed=self.spec.root_seed, years=self.spec.years,
                         source={"kind": "optimize", "search": self.spec.name, "tag": tag})
        if self.spec.states and tag != "presets":  # the presets are other labs, built from their own start
            exp.from_states(self.spec.states, "from")
        folder = self.out / "evaluations" / tag
        counts = run_batch(exp, folder, workers=self.workers, executor=self.executor, scheduler=self.scheduler,
                           quiet=self.quiet, allow_large=True)  # the whole search's cost was checked first
        self.executed += counts.get("ok", 0) + counts.get("failed_now", 0)
        runs = Store(folder).runs()
        runs = runs[runs["status"] == "ok"] if len(runs) else runs
        by_point = {p: g.sort_values("replication") for p, g in runs.groupby("point")} if len(runs) else {}
        n = len(refs) * len(points)
        return [[dict(row) for row in by_point[i].to_dict("records")] if i in by_point else []
                for i in range(n)]


# -- what the search found -----------------------------------------------------------
def pareto_mask(values, senses: list[str]):
    """True for each row not dominated by another (at least as good on all objectives, better on one)."""
    import numpy as np

    v = np.asarray(values, dtype=float) * np.array([1.0 if s == "max" else -1.0 for s in senses])
    keep = np.ones(len(v), dtype=bool)
    for i in range(len(v)):
        ge = np.all(v >= v[i], axis=1) & np.any(v > v[i], axis=1)
        keep[i] = not ge.any()
    return keep


def evaluations_table(spec: SearchSpec, base, out: Path):
    """Every evaluation of the study: settings, each key's mean and 95% CI, feasibility, and the Pareto set."""
    import pandas as pd
    from optuna.trial import TrialState

    from sim.analysis.summary import mean_interval

    study = open_study(spec, base, out, create=False)
    rows = []
    for t in study.get_trials(deepcopy=False) if study is not None else []:
        if t.state not in (TrialState.COMPLETE, TrialState.FAIL):
            continue
        row = {"trial": t.number, "generation": t.user_attrs.get("generation", 0),
               "status": "ok" if t.state == TrialState.COMPLETE else "failed", **t.params}
        for key, values in t.user_attrs.get("values", {}).items():
            mean, _, lo, hi = mean_interval(values)
            row |= {key: mean, f"{key}_ci_low": lo, f"{key}_ci_high": hi}
        row["feasible"] = t.state == TrialState.COMPLETE and all(
            Constraint(c.key, c.op, c.bound).violation(row[c.key]) <= 0 for c in spec.constraints)
        rows.append(row)
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    ok = table["status"] == "ok"
    pool = table[ok & table["feasible"]] if (ok & table["feasible"]).any() else table[ok]
    table["pareto"] = False
    if len(pool):
        mask = pareto_mask(pool[[k for k, _ in spec.objectives]].to_numpy(), [s for _, s in spec.objectives])
        table.loc[pool.index[mask], "pareto"] = True
    return table


def front_table(spec: SearchSpec, table):
    """The Pareto set, sorted by the first objective: settings, then each objective's mean and CI."""
    names = [*spec.knobs, *spec.choices]
    cols = ["trial", *names]
    for key, _ in spec.objectives:
        cols += [key, f"{key}_ci_low", f"{key}_ci_high"]
    cols = list(dict.fromkeys(cols + [c.key for c in spec.constraints]))  # a knob may be an objective (mediators)
    front = table[table["pareto"]].drop_duplicates(names)[cols].sort_values(spec.objectives[0][0],
                                                      ascending=spec.objectives[0][1] == "min")
    return front.reset_index(drop=True)


def scenario_files(spec: SearchSpec, scenario: str, base, front, out: Path) -> dict[str, str]:
    """One scenario file per Pareto point (file name -> TOML text), extending the base scenario."""
    import tomli_w

    from sim.config.schema import PARAM_BY_NAME

    is_path = Path(scenario).suffix == ".toml"
    ref = os.path.relpath(Path(scenario).resolve(), (Path(out) / "scenarios").resolve()) if is_path else scenario
    files = {}
    for i, row in enumerate(front.to_dict("records"), start=1):
        settings = {}
        for k in [*spec.knobs, *spec.choices]:
            v = row[k].item() if hasattr(row[k], "item") else row[k]
            kind = PARAM_BY_NAME[k].kind
            settings[k] = round(float(v)) if kind is int else float(v) if kind is float else v
        name = f"{base.name}_pareto_{i:02d}"
        data = {"extends": ref, "name": name,
                "description": f"{base.name}: point {i} of the Pareto set of search {spec.name} (trial {row['trial']})",
                **settings}
        head = [f"# Found by `labsim optimize` (search {_safe(spec.name)}, {spec.replications} replications per "
                f"evaluation, root seed {spec.root_seed}):",
                *(f"# {k} ({s}): {row[k]:,.6g} [{row[f'{k}_ci_low']:,.6g}, {row[f'{k}_ci_high']:,.6g}]"
                  for k, s in spec.objectives)]
        files[f"{slug(base.name)}_pareto_{i:02d}.toml"] = "\n".join(head) + "\n" + tomli_w.dumps(data)  # a safe file name
    return files


def _safe(text: str) -> str:
    return "".join(c for c in str(text) if c.isprintable())


def presets_table(spec: SearchSpec, scenario: str, base, evaluate: Evaluate):
    """The base scenario and the presets on the same seeds: their objectives' means, for the figure."""
    import pandas as pd

    refs = list(dict.fromkeys([scenario, *spec.presets]))
    results = evaluate(refs, [{}], "presets")
    rows = []
    for ref, summaries in zip(refs, results, strict=True):
        if not summaries:
            continue
        name = base.name if ref == scenario else ref
        rows.append({"scenario": name, "base": ref == scenario,
                     **{k: _mean([_num(s.get(k)) for s in summaries]) for k in spec.keys}})
    return pd.DataFrame(rows)
