"""Fit a scenario to a lab's own numbers: "we had 3,000 visitors, 60 regulars and 6 partners".

The loss is the sum of squared errors between the targets and the mean
outcomes over `reps` replications, each error in units of its target's
run-to-run spread (`sim.analysis.distance`: the replications' SD, pooled over
the screen's candidates) times sqrt(1 + 1/reps), the spread of a lab's single
year against a mean of `reps` runs. So the loss is, under a normal
approximation with independent targets, -2 log-likelihood up to a constant,
and the *profile interval* of a parameter is its range over the evaluations
whose loss is within PROFILE (2.71, the 90% quantile of chi-square with one
degree of freedom, as a profile-likelihood interval) of the best. It is as fine
as the search's evaluations, and narrower than it should be when targets are
correlated (the visit-count quantiles are). Every evaluation uses the same seeds
(common random numbers), so the loss is a deterministic function of the
parameters and differences between candidates are not noise. The search is
scipy's, with no new dependency: a Latin-hypercube screen of the box (run in
parallel), then bounded Nelder-Mead from the best point. optuna's samplers pay
off with many parameters or categorical choices; a lab fits a handful of
numeric knobs, where this is enough and reproducible.

The runs go through the batch engine (`sim.batch.evaluate`) on one pool kept
for the whole fit. A run that fails (even one that kills its worker) is left
out of its candidate's means and counted in the history (`failed_runs`); a
candidate none of whose runs finished gets an infinite loss. A target no run
of the screen could measure is dropped with a note (`spec.notes`); a fit whose
losses are all infinite is refused (a `LabsimError`: nothing fitted).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.calibrate_spec import input_problems
from sim.analysis.distance import Z, band_row, dropped_note, pooled_scales, summary_line
from sim.analysis.summary import confidence
from sim.batch.evaluate import evaluate
from sim.batch.executors import Pool, make_pool
from sim.batch.experiment import check_states, make_jobs, replication_seeds, verify_states
from sim.batch.failures import Failures
from sim.config.scenario import load_scenario
from sim.config.schema import PARAM_BY_NAME
from sim.config.settings import plain
from sim.errors import LabsimError
from sim.metrics import COHORT_KEYS
from sim.model.state import LabStates
from sim.text import counted

YEARS = 1.0  # each evaluation simulates one year
PROFILE = 2.706  # the profile interval: evaluations whose loss is within this of the best (chi-square(1) 90%)
UNINFORMED = 0.8  # a profile interval wider than this share of its box: the targets do not inform the setting
PROFILE_MIN = 3  # fewer evaluations than this near the best bound nothing: the interval is not measured


@dataclass
class CalibrationSpec:
    """What to fit: the base scenario, targets and parameter boxes."""

    scenario: str
    targets: dict[str, float]
    params: dict[str, tuple[float, float]]
    reps: int = 5
    budget: int = 40
    root_seed: int = 1
    history: list[dict] = field(default_factory=list)
    states: str | None = None  # saved mature labs: every candidate is a policy forked from them (labsim warmup)
    years: float = YEARS  # measured years per evaluation (a log's span with --from-log)
    failures: Failures = field(default_factory=Failures)  # the runs that failed, during the fit and its check
    scales: dict[str, float] = field(default_factory=dict)  # each target's run-to-run spread (set by the screen)
    notes: list[str] = field(default_factory=list)  # targets dropped before or during the fit, and why


def build_spec(scenario: str | None, targets: list[str], params: list[str], from_file: Path | None, reps: int,
               budget: int, root_seed: int, states: str | None = None,
               replications: int | None = None, years: float = YEARS,
               log_targets: dict[str, float] | None = None) -> CalibrationSpec:
    """Targets and parameters from the command line and/or a TOML file ([targets], [params]); all problems at once.

    With `scenario` None, only the targets and parameters are checked (labsim validate on a targets file).
    With `states`, the saved labs must fit the scenario, hold `replications` (default `reps`) labs, and no
    parameter may define how the lab started. `log_targets` (from a visit log, `--from-log`) come first; a
    --target or [targets] of the same name replaces the log's value.
    """
    problems, t, p, base = input_problems(scenario, targets, params, from_file, years, log_targets)
    if base is not None and states and not problems:
        corners = [{name: round(v) if PARAM_BY_NAME[name].kind is int else v} for name, box in p.items() for v in box]
        problems += check_states(states, [base], corners, replications or reps, "--from")
        if not problems:  # the saved labs themselves, by meaning, before the first evaluation
            try:
                verify_states(states, replications or reps)
            except LabsimError as exc:
                problems += exc.problems
    notes = []
    if base is not None and not states and (lost := [k for k in COHORT_KEYS if k in t]) \
            and base.settings.warmup_years + years <= 1.0:  # sim.metrics.cohorts: no cohort's year fits in the run
        notes.append(f"dropped {', '.join(lost)}: the simulated horizon (warm-up {base.settings.warmup_years:g} y + "
                     f"{measured_years(years)}) holds no one-year cohort; give the scenario a warm-up to fit it")
        t = {k: v for k, v in t.items() if k not in lost}
        if not t and not problems:
            problems.append(f"calibrate: no target left: {notes[-1]}")
    if reps < 2:
        problems.append(f"--reps: got {reps}; allowed: an integer >= 2")
    if budget < 4:
        problems.append(f"--budget: got {budget}; allowed: an integer >= 4 evaluations")
    if problems:
        raise LabsimError(problems)
    return CalibrationSpec(scenario, t, p, reps, budget, root_seed, states=states, years=years, notes=notes)


def measured_years(years: float) -> str:
    """'1 measured year', '2 measured years', '0.5 measured years' (sim.text.counted: one agreement rule)."""
    return counted(years, "measured year")


# -- evaluation ------------------------------------------------------------------
def _cast(spec: CalibrationSpec, x: np.ndarray) -> dict:
    return {name: (round(v) if PARAM_BY_NAME[name].kind is int else float(v))
            for name, v in zip(spec.params, x.tolist(), strict=True)}


class Evaluator:
    """Outcomes at candidate settings over the same seeds (common random numbers), on the batch engine."""

    def __init__(self, spec: CalibrationSpec, pool: Pool) -> None:
        self.spec, self.pool = spec, pool
        # forking saved labs: replication r continues saved lab r (its seed: common history and random numbers)
        self.seeds = (LabStates(spec.states).seeds[: spec.reps] if spec.states
                      else replication_seeds(spec.root_seed, spec.reps))

    def runs(self, candidates: list[dict], seeds: list[int] | None = None) -> pd.DataFrame:
        """Every replication of every candidate (`point` = its index), in parallel: the engine's table.

        Other `seeds` than the evaluator's own (the honest check's fresh seeds) give the saved labs a future of
        their own when forking.
        """
        seeds = seeds or self.seeds
        jobs = make_jobs([self.spec.scenario], candidates, seeds, self.spec.years,
                         outcomes=tuple(self.spec.targets),  # only what the targets need (no network measures)
                         state=self.spec.states)
        table = evaluate(jobs, pool=self.pool)
        self.spec.failures = self.spec.failures + Failures.of(table, len(seeds), "point", label="candidate {}")
        return table

    def record(self, changes: dict, runs: pd.DataFrame) -> float:
        """Keep the evaluation of one candidate (its rows of the table) in the history; return its loss."""
        ok = runs[runs["status"] == "ok"]
        means = target_means(self.spec.targets, ok)
        value = loss(self.spec.targets, means, self.spec.scales, len(ok))
        self.spec.history.append(changes | {f"sim_{k}": v for k, v in means.items()} | {
            "loss": value, "failed_runs": len(runs) - len(ok)})
        return value


def target_means(targets: dict[str, float], runs: pd.DataFrame) -> dict[str, float]:
    """The mean of each target's outcome over the runs (NaN if none)."""
    return {k: float(np.mean(runs[k].to_numpy(dtype=float))) if len(runs) else math.nan for k in targets}


def loss(targets: dict[str, float], means: dict[str, float], scales: dict[str, float] | None = None,
         runs: int = 0) -> float:
    """Sum of squared errors of the means in spreads (see the module); infinite when a mean is missing.

    Without `scales`, each target's own size (at least 1) is its scale: squared relative errors.
    """
    scales = scales or {k: max(abs(v), 1.0) for k, v in targets.items()}
    noise = math.sqrt(1 + 1 / runs) if runs else 1.0
    value = float(sum(((means[k] - v) / (scales[k] * noise)) ** 2 for k, v in targets.items()))
    return value if math.isfinite(value) else math.inf


def _screened(spec: CalibrationSpec, screen: pd.DataFrame) -> None:
    """After the screen: drop the targets no run could measure (a note), refuse a screen of failures, set the spreads."""
    ok = (screen[screen["status"] == "ok"] if len(screen) else screen).copy()
    if not len(ok):
        raise LabsimError(f"calibrate: every run of the screen failed ({len(screen)} runs); nothing fitted")
    for k in spec.targets:
        ok[k] = pd.to_numeric(ok[k], errors="coerce")
    if lost := [k for k in spec.targets if not ok[k].notna().any()]:
        spec.notes.append(dropped_note(lost))
        spec.targets = {k: v for k, v in spec.targets.items() if k not in lost}
        if not spec.targets:
            raise LabsimError(f"calibrate: no target can be measured by the simulations ({', '.join(lost)}); nothing "
                              "fitted: use a longer horizon (a warm-up) or other targets")
    spec.scales = pooled_scales(spec.targets, ok)


def calibrate(spec: CalibrationSpec, workers: int = 1) -> tuple[dict, pd.DataFrame]:
    """Fit the parameters; return the fitted settings and the fit table (target, mean, CI, band, reproduced).

    Raises a `LabsimError` (nothing fitted) when every evaluation's loss is infinite.
    """
    from scipy.optimize import minimize
    from scipy.stats import qmc

    lows = np.array([b[0] for b in spec.params.values()])
    highs = np.array([b[1] for b in spec.params.values()])
    with make_pool("local", workers) as pool:
        ev = Evaluator(spec, pool)
        n_screen = max(2, spec.budget // 2)
        unit = qmc.LatinHypercube(d=len(lows), seed=spec.root_seed).random(n_screen)
        xs = qmc.scale(unit, lows, highs)
        candidates = [_cast(spec, x) for x in xs]
        screen = ev.runs(candidates)
        _screened(spec, screen)
        losses = [ev.record(c, screen[screen["point"] == i]) for i, c in enumerate(candidates)]
        if not any(math.isfinite(v) for v in losses):
            raise LabsimError(f"calibrate: every evaluation's loss is infinite ({len(losses)} of the screen: no "
                              "candidate has a finished run measuring every target); nothing fitted")
        best = xs[int(np.argmin(losses))]
        span = highs - lows

        def objective(z: np.ndarray) -> float:  # on the unit box, so every knob moves on the same scale
            changes = _cast(spec, lows + np.clip(z, 0, 1) * span)
            return ev.record(changes, ev.runs([changes]))

        left = spec.budget - n_screen
        if left > 0:
            res = minimize(objective, (best - lows) / span, method="Nelder-Mead", bounds=[(0, 1)] * len(lows),
                           options={"maxfev": left, "xatol": 1e-3, "fatol": 1e-6,
                                    "initial_simplex": _simplex((best - lows) / span)})
            cand = lows + np.clip(res.x, 0, 1) * span
            if not res.fun <= min(losses):
                cand = best
        else:
            cand = best
        fitted = _cast(spec, cand)
        check_seeds = replication_seeds(spec.root_seed + 1, 2 * spec.reps)  # fresh seeds: an honest check
        final = ev.runs([fitted], check_seeds)
    return fitted, fit_table(spec, fitted, final)


def _simplex(x0: np.ndarray) -> np.ndarray:
    """A starting simplex of 20% of the box around x0, inside the box."""
    pts = [x0]
    for i in range(len(x0)):
        step = np.zeros_like(x0)
        step[i] = 0.2 if x0[i] <= 0.8 else -0.2
        pts.append(np.clip(x0 + step, 0, 1))
    return np.array(pts)


def fit_table(spec: CalibrationSpec, fitted: dict, final: pd.DataFrame) -> pd.DataFrame:
    """Each target against the fitted setting's runs on fresh seeds: their mean and 95% CI, and the verdict.

    The verdict's band is the 90% band of a single simulated year at the fitted setting, mean ± 1.645 SD of
    the runs (no parameter uncertainty: that is the profile intervals'); `reproduced` when the value is inside.
    """
    ok = final[final["status"] == "ok"] if len(final) else final
    rows = []
    for name, target in spec.targets.items():
        x = pd.to_numeric(ok[name], errors="coerce").dropna().to_numpy(dtype=float) if len(ok) else np.array([])
        mean, _, lo, hi = confidence(x) if len(x) else (math.nan,) * 4
        sd = float(np.std(x, ddof=1)) if len(x) >= 2 else spec.scales.get(name, math.nan)
        band = band_row(name, target, mean, mean - Z * sd, mean + Z * sd, spec.scales.get(name, math.nan), len(x))
        rows.append({"target": name, "value": target, "simulated_mean": mean, "ci_low": lo, "ci_high": hi,
                     "relative_error": (mean - target) / max(abs(target), 1e-12), "band_low": band["band_low"],
                     "band_high": band["band_high"], "scaled_error": band["scaled_error"],
                     "reproduced": band["reproduced"], "far": band["far"], "runs": len(ok),
                     "failed_runs": len(final) - len(ok)})
    return pd.DataFrame(rows)


def verdict_lines(table: pd.DataFrame, source: str = "the target") -> list[str]:
    """The first lines of a fit's result: the summary of the verdict, then what is far (see distance.flags)."""
    from sim.analysis.distance import flags

    frame = table.rename(columns={"simulated_mean": "simulated_median"}) if "simulated_mean" in table else table
    return [summary_line(frame), *(f"warning: {f}" for f in flags(frame, source))]


def profile(spec: CalibrationSpec, fitted: dict) -> pd.DataFrame:
    """Per parameter: its box, the fitted value and its profile interval over the evaluations (see the module)."""
    hist = pd.DataFrame(spec.history)
    ok = hist[np.isfinite(hist["loss"].to_numpy(dtype=float))] if len(hist) else hist
    near = ok[ok["loss"] <= ok["loss"].min() + PROFILE] if len(ok) else ok
    rows = []
    for name, (lo, hi) in spec.params.items():
        low, high = (float(near[name].min()), float(near[name].max())) if len(near) else (math.nan, math.nan)
        share = (high - low) / (hi - lo)
        rows.append({"setting": name, "prior_low": lo, "prior_high": hi, "fitted": fitted[name], "profile_low": low,
                     "profile_high": high, "width_share": share, "evaluations_within": len(near),
                     "informed": bool(len(near) >= PROFILE_MIN and share <= UNINFORMED)})
    return pd.DataFrame(rows)


def profile_correlation(spec: CalibrationSpec) -> pd.DataFrame:
    """The parameters' correlation over the evaluations within PROFILE of the best (the near-best region's shape)."""
    from sim.analysis.distance import correlation

    hist = pd.DataFrame(spec.history)
    ok = hist[np.isfinite(hist["loss"].to_numpy(dtype=float))]
    return correlation(ok[ok["loss"] <= ok["loss"].min() + PROFILE], list(spec.params))


def uninformed_line(table: pd.DataFrame, source: str = "the targets") -> str:
    """One line naming the settings whose profile interval covers most of their box, '' if none.

    When fewer than PROFILE_MIN evaluations lie within PROFILE of the best, the
    interval is not measured (a point is not an interval): the line says so.
    """
    if "evaluations_within" in table and len(table) and int(table["evaluations_within"].iloc[0]) < PROFILE_MIN:
        n = int(table["evaluations_within"].iloc[0])
        return (f"{source}: the profile intervals rest on {n} evaluation{'' if n == 1 else 's'} within {PROFILE:g} of "
                f"the best loss, too few to say how well the settings are known (raise --budget)")
    names = [f"{r.setting} (profile interval {r.width_share:.0%} of its box)" for r in table.itertuples()
             if not r.informed]
    return f"{source} do{'es' if source.startswith('the log') else ''} not inform: {'; '.join(names)}" if names else ""


def failed_runs(spec: CalibrationSpec, table: pd.DataFrame) -> str:
    """A warning when runs failed during the fit or its check, '' otherwise."""
    during = int(sum(h.get("failed_runs", 0) for h in spec.history))
    check = int(table["failed_runs"].iloc[0]) if len(table) else 0
    if not during and not check:
        return ""
    return (f"{during + check} runs failed ({during} during the search, {check} in the final check on fresh seeds); "
            "each evaluation used the replications that finished (history.csv: failed_runs)")


def misfits(spec: CalibrationSpec, fitted: dict, table: pd.DataFrame) -> list[str]:
    """Messages for targets the fit does not reproduce, naming the parameters stuck at a bound."""
    near = 0.05  # within 5% of the box from a bound counts as pressing against it
    at_bound = [f"{k}={fitted[k]:g} (near its {'lower' if fitted[k] - lo < hi - fitted[k] else 'upper'} bound)"
                for k, (lo, hi) in spec.params.items() if min(fitted[k] - lo, hi - fitted[k]) <= near * (hi - lo)]
    out = []
    for r in table[~table["reproduced"].astype(bool)].itertuples():
        msg = (f"target {r.target}={r.value:g} not reproduced within the bounds: simulated {r.simulated_mean:,.4g} "
               f"[{r.ci_low:,.4g}, {r.ci_high:,.4g}], {r.relative_error:+.0%} off")
        out.append(msg + (f"; {', '.join(at_bound)}: widen it" if at_bound else ""))
    return out


def scenario_file(spec: CalibrationSpec, fitted: dict, table: pd.DataFrame, out: Path,
                  intervals: pd.DataFrame | None = None, carried: dict | None = None) -> str:
    """A scenario file that `labsim run` takes: the base, extended with the fitted values (path relative to out).

    The keys are written by a TOML writer (tomli-w), never by string formatting,
    so a name with quotes or new lines cannot break the file or add keys.
    Comments hold only numbers and metric names that were checked.
    """
    import tomli_w

    data = scenario_data(spec.scenario, fitted, out, carried)
    head = [f"# Calibrated by `labsim calibrate` to: {', '.join(f'{_safe(k)}={v:g}' for k, v in spec.targets.items())}",
            f"# ({spec.reps} replications per evaluation, {spec.budget} evaluations, root seed {spec.root_seed}).",
            *(f"# {_safe(k)} fitted within [{lo:g}, {hi:g}]" for k, (lo, hi) in spec.params.items())]
    if intervals is not None:
        head += [f"# {_safe(r.setting)}: profile interval {r.profile_low:.6g} to {r.profile_high:.6g}" for r in intervals.itertuples()]
    tail = [f"# {_safe(r.target)}: target {r.value:g}, simulated {r.simulated_mean:,.4g} "
            f"[{r.ci_low:,.4g}, {r.ci_high:,.4g}]{'' if r.reproduced else '  (not reproduced)'}"
            for r in table.itertuples()]
    return "\n".join(head) + "\n" + tomli_w.dumps(data) + "\n" + "\n".join(tail) + "\n"


def scenario_data(scenario: str, fitted: dict, out: Path, carried: dict | None = None) -> dict:
    """The calibrated scenario's keys: extends the base (a path relative to `out`), with the fitted values.

    `carried` are keys the simulated lab had on top of the base (the log's seasons, `monthly_opening`).
    """
    base = load_scenario(scenario)
    is_path = Path(scenario).suffix == ".toml"
    ref = os.path.relpath(Path(scenario).resolve(), Path(out).resolve()) if is_path else scenario
    data = {"extends": ref, "name": f"{base.name}_calibrated", "description": f"{base.name} fitted to its own numbers"}
    data |= plain(carried or {})
    return data | {k: (int(v) if PARAM_BY_NAME[k].kind is int else float(v)) for k, v in fitted.items()}


def _safe(text: str) -> str:
    """A name for a comment line: no line breaks or control characters."""
    return "".join(c for c in str(text) if c.isprintable())


def check_cost(spec: CalibrationSpec, allow_large: bool = False) -> float:
    """Refuse a calibration whose runs (at the top of every box) or total CPU time exceed the limits."""
    from sim.config.cost import check_batch

    base = load_scenario(spec.scenario)
    top = {k: (round(hi) if PARAM_BY_NAME[k].kind is int else hi) for k, (_, hi) in spec.params.items()}
    evaluations = spec.budget + 2  # and the final check on twice the replications
    try:
        heavy = base.with_settings(**top)
    except LabsimError:
        heavy = base
    return check_batch([heavy], [{}], spec.reps * evaluations, spec.years, allow_large=allow_large,
                       where=f"calibrate {spec.scenario} (--budget {spec.budget} x --reps {spec.reps})")
