"""Coverage of the log calibration, measured: simulation-based calibration of `calibrate --from-log --method abc`.

A credible interval is only as good as the inference behind it: an ABC posterior
with too wide a tolerance is too wide (its 90% intervals cover the truth more
than 90% of the time), one with too few particles or a distance that fits the
noise too narrow. So the study asks the method to find settings it was not told,
many times: K pairs (or tuples) of settings are drawn from the uniform prior
boxes with a fixed seed; each becomes a visit log synthesised by the model
(`sim.logs.synth`, the code behind `labsim log synth`) on a seed of its own; the
log is read and turned into targets exactly as `calibrate --from-log` does
(`sim.logs.targets.from_log` on the written file), and calibrated by the same
inference (`sim.analysis.abc.fit`, the command's own function) on a seed of its
own. Per log and setting the table keeps the truth, the posterior median, the
5-95% interval, whether it covers the truth, and its width as a share of the
prior box.

If the method is calibrated, the truth is a draw from the posterior of its own
log, so (Talts et al. 2018, "Validating Bayesian inference algorithms with
simulation-based calibration", arXiv:1804.06788; Cook, Gelman & Rubin 2006) the
share of 90% intervals that cover it is 0.9 up to binomial noise, and the truth's
rank in the posterior sample is uniform. With weighted particles the rank is
read as the posterior CDF at the truth (the weights of the particles below it,
ties counted half), a number in [0, 1]: too many near 0 or 1 mean intervals too
narrow, too many near 0.5 too wide, a drift to one side a bias.

`summarise` gives, per setting and for all settings pooled: the coverage with
its exact (Clopper-Pearson) binomial 95% interval, the mean relative width, the
share of truths below and above the interval, and a Kolmogorov-Smirnov p-value
of the ranks against the uniform. Pure tables in and out; the folder the logs
are written in is the caller's.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis import abc
from sim.batch.executors import Pool
from sim.text import counted

TARGET = (0.80, 0.97)  # issue 31: the 90% intervals cover the truth in 80-97% of the logs
POOLED = "all (pooled)"


@dataclass(frozen=True)
class Study:
    """What the study runs: the lab, the prior boxes of the free settings, how many logs, the ABC budget."""

    scenario: str
    params: dict[str, tuple[float, float]]
    logs: int = 20
    years: float = 1.0  # measured years of each synthesised log
    population: int = 40
    generations: int = 4
    budget: int | None = None  # most simulations per calibration (None: abc's default)
    seed: int = 1

    def settings(self) -> str:
        """The study's settings in one line (for tables and progress)."""
        boxes = ", ".join(f"{k} {lo:g}-{hi:g}" for k, (lo, hi) in self.params.items())
        return (f"{counted(self.logs, 'log')} of {counted(self.years, 'measured year')} of {Path(self.scenario).stem}, "
                f"prior boxes "
                f"{boxes}; ABC population {self.population}, {self.generations} generations"
                + (f", budget {self.budget}" if self.budget else "") + f"; seed {self.seed}")


def truths(params: dict[str, tuple[float, float]], k: int, seed: int) -> pd.DataFrame:
    """K settings drawn uniformly from the prior boxes (the study's hidden values), one row each."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0]))
    lows = np.array([lo for lo, _ in params.values()])
    highs = np.array([hi for _, hi in params.values()])
    return pd.DataFrame(lows + rng.random((k, len(params))) * (highs - lows), columns=list(params))


def seeds(seed: int, i: int) -> tuple[int, int]:
    """Log i's synthesis seed and its calibration's seed: each its own, both fixed by the study's seed."""
    a, b = np.random.SeedSequence([seed, 1, i]).generate_state(2)
    return int(a), int(b)


def rank(values: np.ndarray, weights: np.ndarray, truth: float) -> float:
    """The posterior CDF at the truth: the weight of the particles below it (ties half), the SBC rank in [0, 1]."""
    w = np.asarray(weights, float) / np.sum(weights)
    v = np.asarray(values, float)
    return float(w[v < truth].sum() + 0.5 * w[v == truth].sum())


def rows(result: abc.AbcResult, truth: dict[str, float], log: int) -> list[dict]:
    """One row per setting of one calibrated log: truth, median, interval, covered, relative width, rank."""
    post, out = result.posterior, []
    for r in result.intervals.itertuples():
        value = truth[r.setting]
        out.append({"log": log, "setting": r.setting, "truth": value, "median": r.median, "q05": r.q05,
                    "q95": r.q95, "covered": bool(r.q05 <= value <= r.q95), "width_share": r.width_share,
                    "rank": rank(post[r.setting].to_numpy(), post["weight"].to_numpy(), value),
                    "particles": len(post), "simulations": int(result.generations["simulated"].sum())})
    return out


def calibrate_log(study: Study, truth: dict[str, float], i: int, pool: Pool, folder: Path) -> list[dict]:
    """Synthesise log i at `truth`, write it to `folder`, calibrate it as `calibrate --from-log --method abc` does."""
    from sim.config.scenario import load_scenario
    from sim.logs.synth import log_bytes, synth
    from sim.logs.targets import from_log

    log_seed, abc_seed = seeds(study.seed, i)
    log, _ = synth(load_scenario(study.scenario).with_settings(**truth), log_seed, study.years)
    path = Path(folder) / f"log_{i:03d}.csv"
    path.write_bytes(log_bytes(log, path))
    found = from_log(path, study.scenario)
    spec = abc.abc_spec(study.scenario, [], [f"{k}={lo!r}:{hi!r}" for k, (lo, hi) in study.params.items()], None,
                        abc_seed, found.years, log_targets=found.targets)
    result, _, _ = abc.fit(spec, pool, study.population, study.generations, study.budget)
    return [r | {"log_seed": log_seed, "abc_seed": abc_seed, "targets": len(spec.targets)}
            for r in rows(result, truth, i)]


def run(study: Study, pool: Pool, folder: Path, progress: Callable[[int, list[dict]], None] | None = None
        ) -> pd.DataFrame:
    """Every log of the study, one after the other on `pool`: the table of `rows` (one row per log and setting)."""
    hidden = truths(study.params, study.logs, study.seed)
    table = []
    for i, truth in enumerate(hidden.to_dict("records")):
        got = calibrate_log(study, truth, i, pool, folder)
        table += got
        if progress:
            progress(i, got)
    return pd.DataFrame(table)


def binomial_interval(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """The exact (Clopper-Pearson) interval of a share k/n."""
    from scipy.stats import beta

    a = (1 - level) / 2
    lo = 0.0 if k == 0 else float(beta.ppf(a, k, n - k + 1))
    hi = 1.0 if k == n else float(beta.ppf(1 - a, k + 1, n - k))
    return lo, hi


def summarise(table: pd.DataFrame) -> pd.DataFrame:
    """Per setting and pooled: coverage and its 95% interval, mean width, truths below/above, ranks' KS p-value.

    `within` says whether the coverage lies in the issue's 80-97% target; the pooled row counts each
    (log, setting) once, so its logs are not independent (the settings of one log share its luck).
    """
    from scipy.stats import kstest

    out = []
    groups = [(s, g) for s, g in table.groupby("setting", sort=False)] + [(POOLED, table)]
    for name, g in groups:
        n, k = len(g), int(g["covered"].sum())
        lo, hi = binomial_interval(k, n)
        share = k / n if n else math.nan
        out.append({"setting": name, "n": n, "covered": k, "coverage": share, "ci_low": lo, "ci_high": hi,
                    "mean_width_share": float(g["width_share"].mean()),
                    "below": int((g["truth"] < g["q05"]).sum()), "above": int((g["truth"] > g["q95"]).sum()),
                    "rank_ks_p": float(kstest(g["rank"].to_numpy(), "uniform").pvalue) if n else math.nan,
                    "within": bool(TARGET[0] <= share <= TARGET[1])})
    return pd.DataFrame(out)


def markdown(summary: pd.DataFrame) -> str:
    """The summary as a Markdown table, coverage against the 80-97% target."""
    lines = ["| setting | logs | covered | coverage [95% interval] | target | mean width / prior | truth below / "
             "above | ranks uniform (KS p) |", "|---|---|---|---|---|---|---|---|"]
    for r in summary.itertuples():
        verdict = "ok" if r.within else ("OVER" if r.coverage > TARGET[1] else "UNDER")
        lines.append(f"| {r.setting} | {r.n} | {r.covered} | {r.coverage:.0%} [{r.ci_low:.0%}, {r.ci_high:.0%}] | "
                     f"{TARGET[0]:.0%}-{TARGET[1]:.0%}: {verdict} | {r.mean_width_share:.0%} | {r.below} / {r.above} "
                     f"| {r.rank_ks_p:.2f} |")
    return "\n".join(lines)
