"""Calibration with its uncertainty: ABC-SMC of the settings given a lab's own numbers.

`labsim calibrate` finds one point; this finds every setting the numbers leave
plausible. It is population Monte Carlo ABC (Beaumont et al. 2009; Toni et al.
2009): a population of particles drawn from the uniform prior (the --param
boxes), then generations that resample it, move each particle with a Gaussian
kernel of twice the weighted covariance, simulate one lab-year per particle and
keep those whose distance to the targets is below a tolerance that falls to the
median distance of the previous generation. Weights correct for the kernel.
The distance is the root of the summed squared errors, each in units of its
target's run-to-run spread (`sim.analysis.distance.noise_scales`: the spread
left after a linear regression on the settings), re-estimated at the end of
each generation from all its simulations, as in Prangle's (2017) adaptive
ABC-SMC: the tolerance of the next generation is the median of the accepted
particles' distances under the new spreads. One simulation per particle: the
lab's own numbers are one year, not a mean. A target that no simulation of the
first batch can measure (a one-year cohort in a one-year run without warm-up)
is dropped with a note; a simulation missing a kept target is rejected.

After the inference, `predictive` runs settings drawn from the posterior on
fresh seeds: their 90% band per target is the verdict (`distance.verdict`).

Written here, not with pyabc: pyabc installs ten packages (SQLAlchemy, redis,
GitPython, scikit-learn, ...), keeps its history in a database, and is
reproducible only with one worker of its own sampler; this is ~200 lines, runs
its simulations through labsim's batch engine (`sim.batch.evaluate`, one pool for
the whole inference), and draws every proposal and seed from numpy SeedSequence
in fixed-size batches, so the same seed gives the same posterior with any number
of workers. A simulation that fails (even one that kills its worker) has no
outcomes: its particle is rejected, and counted in the generations' `failed`.

A setting is *pinned down* when its posterior 90% interval is narrower than
PINNED (50%) of its prior range, *left free* otherwise; the targets *do not
inform* it when its posterior SD is more than UNINFORMED (0.8) of its uniform
prior's, (high - low) / sqrt(12). Its figures are
`sim.figures.calibration`'s, its files and page `sim.pages.abc`'s.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.distance import (
    correlation,
    dropped_note,
    noise_scales,
    number,
    scaled_distance,
    unmeasurable,
    verdict,
    weighted_sd,
)
from sim.batch.evaluate import evaluate
from sim.batch.executors import Pool
from sim.batch.experiment import RunSpec
from sim.config.scenario import load_scenario
from sim.errors import LabsimError
from sim.model.state import LabStates

PINNED = 0.5  # a posterior 90% interval narrower than half the prior range pins the setting down
UNINFORMED = 0.8  # a posterior SD above this share of the prior's: the targets do not inform the setting
LEVEL = 0.90
MIN_POPULATION = 10
# Defaults: a year's log of a mature lab, 2 free settings, fitted within 10 minutes on 2 cores (issue 31; each
# particle simulates the warm-up too). 50 particles after 4 generations took 477 simulations where 100 x 5 took
# 1,308, and both held the hidden settings in their 90% intervals (benchmarks/README.md; docs/ODD.md 6.1).
# The command line's defaults are sim.cli.calibrate's ABC_POPULATION and ABC_GENERATIONS (the same numbers).
POPULATION = 50
GENERATIONS = 4
PREDICTIVE_DRAWS = 40  # posterior draws simulated on fresh seeds for the verdict

# settings and seeds in, one outcome dict per run out (NaN outcomes for a run that failed)
Simulator = Callable[[list[dict], list[int]], list[dict]]


@dataclass
class AbcResult:
    """The last population (the posterior sample), the generations' log and the interval table."""

    params: dict[str, tuple[float, float]]
    targets: dict[str, float]
    posterior: pd.DataFrame  # one row per particle: settings, weight, distance, simulated targets
    generations: pd.DataFrame  # generation, epsilon, accepted, simulated, acceptance, the spreads used
    intervals: pd.DataFrame = field(default_factory=pd.DataFrame)
    stopped: str = ""
    scales: dict[str, float] = field(default_factory=dict)  # each target's spread in the last distance
    notes: list[str] = field(default_factory=list)  # targets dropped, and why
    correlation: pd.DataFrame = field(default_factory=pd.DataFrame)
    verdict: pd.DataFrame = field(default_factory=pd.DataFrame)  # per target: the value against the predictive band


def weighted_quantile(values: np.ndarray, weights: np.ndarray, qs: list[float]) -> np.ndarray:
    """Quantiles of a weighted sample (interpolated on the cumulative weights' midpoints)."""
    order = np.argsort(values)
    v, w = np.asarray(values, float)[order], np.asarray(weights, float)[order]
    cum = (np.cumsum(w) - 0.5 * w) / w.sum()
    return np.interp(qs, cum, v)


def abc_smc(simulator: Simulator, params: dict[str, tuple[float, float]], targets: dict[str, float],
            population: int = POPULATION, generations: int = GENERATIONS, max_simulations: int | None = None, seed: int = 1,
            integer: tuple[str, ...] = (), progress: Callable[[float, int], None] | None = None) -> AbcResult:
    """Run ABC-SMC with `simulator` (called on batches); stop after `generations` or `max_simulations`.

    `progress`, if given, is told after each batch how far the inference is, in generations (the
    generations done plus the share of the current one's particles accepted), and the simulations so far.
    """
    names = list(params)
    targets = dict(targets)
    lows = np.array([params[n][0] for n in names], float)
    highs = np.array([params[n][1] for n in names], float)
    if population < MIN_POPULATION:
        raise LabsimError(f"--population: got {population}; allowed: an integer >= {MIN_POPULATION}")
    max_simulations = max_simulations or 20 * population * generations
    done = 0
    gens: list[dict] = []
    notes: list[str] = []
    theta = w = dist = None
    sims: list[dict] = []
    eps = np.inf
    scale: dict[str, float] = {}
    stopped = f"{generations} generations"

    def cast(x: np.ndarray) -> dict:
        return {n: (round(float(v)) if n in integer else float(v)) for n, v in zip(names, x, strict=True)}

    for gen in range(generations):
        if gen > 0:
            cov = 2 * np.atleast_2d(np.cov(theta.T, aweights=w)) + np.diag(((highs - lows) * 1e-6) ** 2)
            chol = np.linalg.cholesky(cov)
        kept_x, kept_s, every, every_x, simulated, failed, batch = [], [], [], [], 0, 0, 0
        while len(kept_x) < population:
            if done >= max_simulations:
                break
            rng = np.random.default_rng(np.random.SeedSequence([seed, gen, batch]))  # fixed batches: any workers
            size = min(population, max_simulations - done)
            if gen == 0:
                xs = lows + rng.random((size, len(names))) * (highs - lows)
            else:
                picks = rng.choice(len(theta), size=size, p=w)
                xs = theta[picks] + rng.standard_normal((size, len(names))) @ chol.T
            inside = np.all((xs >= lows) & (xs <= highs), axis=1)  # outside the prior: zero prior mass, not run
            xs = xs[inside]
            seeds = [int(s) for s in rng.integers(0, 2**63 - 1, size=len(xs))]
            raw = simulator([cast(x) for x in xs], seeds) if len(xs) else []
            outs = [{k: number(o.get(k)) for k in targets} for o in raw]
            if gen == 0 and batch == 0 and (lost := unmeasurable(targets, raw)):
                notes.append(dropped_note(lost))
                targets = {k: v for k, v in targets.items() if k not in lost}
                if not targets:
                    raise LabsimError(f"calibrate: no target can be measured by the simulations ({', '.join(lost)}); "
                                      "nothing fitted: use a longer horizon (--years, a warm-up) or other targets")
            done += len(xs)
            simulated += len(xs)
            batch += 1
            for x, out in zip(xs, outs, strict=True):
                values = [out[k] for k in targets]
                if not all(math.isfinite(v) for v in values):
                    failed += not any(math.isfinite(v) for v in values)  # a failed run: never within the tolerance
                    continue
                every.append(out)
                every_x.append(x)
                d = scaled_distance(out, targets, scale) if gen > 0 else 0.0  # the first generation is the prior
                if d <= eps and len(kept_x) < population:
                    kept_x.append(x)
                    kept_s.append(out)
            if progress:
                progress(gen + len(kept_x) / population, done)
        if len(kept_x) < population:
            stopped = f"the simulation budget ({max_simulations:,}) in generation {gen}"
            if gen == 0 or len(kept_x) < MIN_POPULATION:
                if gen == 0:
                    raise LabsimError(f"--budget: {max_simulations} simulations cannot fill a first population of "
                                      f"{population} (complete simulations: {len(every)}); allowed: a budget >= "
                                      "--population")
                break  # keep the previous generation
        new_x = np.array(kept_x)
        if gen == 0:
            new_w = np.full(len(new_x), 1.0 / len(new_x))
        else:  # w_i ∝ prior(θ_i) / Σ_j w_j K(θ_i | θ_j); the uniform prior is constant inside the box
            inv = np.linalg.inv(cov)
            diff = new_x[:, None, :] - theta[None, :, :]
            kern = np.exp(-0.5 * np.einsum("ijk,kl,ijl->ij", diff, inv, diff))
            new_w = 1.0 / (kern @ w)
            new_w /= new_w.sum()
        used = dict(scale)
        scale = noise_scales(targets, np.array(every_x), every)  # the next distance's spreads (Prangle 2017)
        theta, w, sims = new_x, new_w, kept_s
        dist = np.array([scaled_distance(s, targets, scale) for s in kept_s])
        gens.append({"generation": gen, "epsilon": eps, "accepted": len(new_x), "simulated": simulated,
                     "acceptance": len(new_x) / max(simulated, 1), "ess": float(1 / np.sum(new_w ** 2)),
                     "failed": failed, **{f"scale_{k}": used.get(k, math.nan) for k in targets}})
        eps = float(np.median(dist))  # the next generation's tolerance, in the new spreads
        if len(kept_x) < population:
            break
    post = pd.DataFrame([cast(x) for x in theta])
    post["weight"], post["distance"] = w, dist
    for k in targets:
        post[f"sim_{k}"] = [s[k] for s in sims]
    result = AbcResult(params, targets, post, pd.DataFrame(gens), stopped=stopped, scales=scale, notes=notes)
    result.intervals = intervals(result)
    result.correlation = correlation(post, names, post["weight"].to_numpy())
    return result


def predictive(simulator: Simulator, result: AbcResult, seed: int, draws: int = PREDICTIVE_DRAWS,
               integer: tuple[str, ...] = ()) -> pd.DataFrame:
    """Settings drawn from the posterior (by weight), each simulated once on a fresh seed: one row a draw.

    Also sets `result.verdict`: each target against these draws' 90% band.
    """
    post = result.posterior
    rng = np.random.default_rng(np.random.SeedSequence([seed, 31]))
    picks = rng.choice(len(post), size=draws, p=post["weight"].to_numpy() / post["weight"].sum())
    seeds = [int(s) for s in rng.integers(0, 2**63 - 1, size=draws)]
    settings = [{n: (round(float(post[n].iloc[i])) if n in integer else float(post[n].iloc[i])) for n in result.params}
                for i in picks]
    outs = simulator(settings, seeds)
    table = pd.DataFrame([s | {k: number(o.get(k)) for k in result.targets} for s, o in zip(settings, outs, strict=True)])
    result.verdict = verdict(result.targets, table, result.scales)
    return table


def intervals(result: AbcResult) -> pd.DataFrame:
    """Per setting: prior range, posterior median and 90% interval, width share, pinned, SD against the prior's."""
    rows = []
    post = result.posterior
    for name, (lo, hi) in result.params.items():
        values, weights = post[name].to_numpy(float), post["weight"].to_numpy()
        q05, med, q95 = weighted_quantile(values, weights, [0.05, 0.5, 0.95])
        share = (q95 - q05) / (hi - lo)
        ratio = weighted_sd(values, weights) / ((hi - lo) / math.sqrt(12))
        rows.append({"setting": name, "prior_low": lo, "prior_high": hi, "median": med, "q05": q05, "q95": q95,
                     "width_share": share, "pinned": bool(share < PINNED), "sd_ratio": round(ratio, 4),
                     "informed": bool(ratio <= UNINFORMED)})
    return pd.DataFrame(rows)


def uninformed_line(table: pd.DataFrame, source: str = "the targets") -> str:
    """One line naming the settings `source` does not inform (SD close to the prior's), '' if none."""
    names = [f"{r.setting} (posterior SD {r.sd_ratio:.2f} of the prior's)" for r in table.itertuples()
             if not r.informed]
    return f"{source} do{'es' if source.startswith('the log') else ''} not inform: {'; '.join(names)}" if names else ""


def statement(result: AbcResult) -> str:
    """Which settings the targets pin down and which they leave free, in words, with the rule."""
    iv = result.intervals
    pinned = [f"{r.setting} ({r.q05:.4g} to {r.q95:.4g}, {r.width_share:.0%} of its range)"
              for r in iv.itertuples() if r.pinned]
    free = [f"{r.setting} ({r.width_share:.0%} of its range)" for r in iv.itertuples() if not r.pinned]
    targets = ", ".join(f"{k}={v:g}" for k, v in result.targets.items())
    lines = [f"Given {targets}:",
             f"  pinned down: {'; '.join(pinned) if pinned else 'none'}",
             f"  left free:   {'; '.join(free) if free else 'none'}",
             f"  (rule: pinned when the posterior {LEVEL:.0%} interval is narrower than {PINNED:.0%} of the prior "
             "range)"]
    return "\n".join(lines)


# -- labsim as the simulator ----------------------------------------------------------
def labsim_simulator(scenario: str, targets: list[str], years: float, pool: Pool,
                     states: str | None = None) -> Simulator:
    """One lab-year per particle, each on its own seed, through the batch engine on `pool`.

    With `states` (saved mature labs), particle i forks saved lab i mod n and
    gives it a future of its own (its own seed): settings applied from now on.
    """
    base = load_scenario(scenario)
    saved = 1
    if states:
        from sim.batch.experiment import verify_states

        verify_states(states)  # every saved lab a particle may fork, before the first one
        saved = len(LabStates(states))

    def simulate(settings: list[dict], seeds: list[int]) -> list[dict]:
        jobs = [RunSpec(run_id=f"p{i:05d}-r0000", scenario=base, scenario_name=base.name, point=i, params=s,
                        replication=i % saved if states else 0, seed=seed, years=years, outcomes=tuple(targets),
                        state=states)
                for i, (s, seed) in enumerate(zip(settings, seeds, strict=True))]
        table = evaluate(jobs, pool=pool)
        if not simulate.first_error and (table["status"] != "ok").any():  # the first reason, for the command to say
            simulate.first_error = str(table.loc[table["status"] != "ok", "error"].iloc[0])
        # `ran`: 1 for a run that finished, so a target it could not measure is told from a failed run
        return [{k: (number(row.get(k)) if row["status"] == "ok" else math.nan) for k in targets}
                | {"ran": 1.0 if row["status"] == "ok" else math.nan} for row in table.to_dict("records")]

    simulate.first_error = ""
    return simulate


def abc_spec(scenario: str, targets: list[str], params: list[str], from_file: Path | None, seed: int, years: float,
             states: str | None = None, log_targets: dict[str, float] | None = None):
    """The checked inputs of `calibrate --method abc` (`calibrate.build_spec`: one simulation a particle, no reps)."""
    from sim.analysis.calibrate import build_spec

    return build_spec(scenario, targets, params, from_file, 2, 4, seed, states=states, replications=1, years=years,
                      log_targets=log_targets)


def fit(spec, pool: Pool, population: int = POPULATION, generations: int = GENERATIONS, budget: int | None = None,
        progress: Callable[[float, int], None] | None = None) -> tuple[AbcResult, Simulator, tuple[str, ...]]:
    """ABC-SMC of `spec` (from `abc_spec`) with labsim as the simulator on `pool`: what `calibrate --method abc` runs.

    One function for the command and the coverage study (`sim.analysis.coverage`), so that the study measures
    the command's own inference. Returns the result, the simulator (for `predictive`) and the integer settings.
    """
    from sim.config.schema import PARAM_BY_NAME

    integer = tuple(k for k in spec.params if PARAM_BY_NAME[k].kind is int)
    sim = labsim_simulator(spec.scenario, list(spec.targets), spec.years, pool, states=spec.states)
    result = abc_smc(sim, spec.params, spec.targets, population, generations, budget, spec.root_seed, integer,
                     progress=progress)
    return result, sim, integer


def scenario_file(scenario: str, result: AbcResult, out: Path, source: str, carried: dict | None = None) -> str:
    """calibrated.toml: the base scenario at the posterior medians (written by tomli-w), the intervals as comments."""
    import tomli_w

    from sim.analysis.calibrate import _safe, scenario_data
    from sim.config.schema import PARAM_BY_NAME

    iv = result.intervals.set_index("setting")
    medians = {k: (round(float(iv.loc[k, "median"])) if PARAM_BY_NAME[k].kind is int else float(iv.loc[k, "median"]))
               for k in result.params}
    head = [f"# Calibrated by `labsim calibrate --method abc` to {_safe(source)}: "
            + ", ".join(f"{_safe(k)}={v:g}" for k, v in result.targets.items()),
            "# Each setting at its posterior median; 90% credible intervals:",
            *(f"# {_safe(r.setting)}: {r.q05:.6g} to {r.q95:.6g} (prior {r.prior_low:g} to {r.prior_high:g})"
              for r in result.intervals.itertuples())]
    return "\n".join(head) + "\n" + tomli_w.dumps(scenario_data(scenario, medians, out, carried))
