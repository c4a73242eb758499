"""Per design point: mean, standard deviation and 95% confidence interval of each metric.

Intervals respect the quantity: the interval of a mean is a seeded percentile
bootstrap (`mean_interval`), so the interval of a count or a share never leaves
the values the replications took (no count below zero, no share above 100%).
Paired differences keep Student's t interval (`confidence`), which is wider
than a bootstrap with few replications and so errs on the side of calling a
difference noise.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from sim import outcomes
from sim.batch.store import Store
from sim.errors import LabsimError

ID_COLUMNS = ("run_id", "scenario", "point", "replication", "seed", "status", "error", "labsim_version")


def load_runs(out: Path) -> tuple[pd.DataFrame, dict]:
    """The ok runs of a batch folder and its manifest; a clear error if there is no batch."""
    store = Store(out)
    manifest = store.require_manifest()
    runs = store.runs()
    if runs.empty or (runs["status"] == "ok").sum() == 0:
        raise LabsimError(f"{out}: the batch has no finished run yet")
    return runs[runs["status"] == "ok"].reset_index(drop=True), manifest


def metric_columns(runs: pd.DataFrame, varied: list[str]) -> list[str]:
    """Numeric outcome columns (not identity, not parameters)."""
    skip = set(ID_COLUMNS) | set(varied)
    return [c for c in runs.columns if c not in skip and pd.api.types.is_numeric_dtype(runs[c])]


BOOTSTRAP_SEED = 20140  # one fixed seed: the same replications give byte-identical intervals
BOOTSTRAP_RESAMPLES = 4000
BOOTSTRAP_MAX_N = 1000  # beyond this many replications the t interval is exact enough (and cheaper)
METHOD = (f"95% intervals of means: percentile bootstrap ({BOOTSTRAP_RESAMPLES:,} resamples of the replications, fixed seed), which "
          "stays within the values the replications took; differences: Student's t interval of the paired "
          "differences (same seed = same replication), significant (*) when it excludes 0.")


def mean_interval(values, level: float = 0.95, low: float | None = None,
                  high: float | None = None) -> tuple[float, float, float, float]:
    """Mean, standard deviation and a percentile-bootstrap interval of the mean, inside [low, high].

    A mean of values that are all >= 0 is >= 0, and so is every resampled
    mean: the interval stays in the quantity's range by construction (a t
    interval of a count of 0.1 over 10 runs reaches -0.13). Seeded, so the same
    values give the same interval.
    """
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    n = len(values)
    if n == 0:
        return (float("nan"),) * 4
    mean = float(np.mean(values))
    if n < 2:
        return mean, float("nan"), float("nan"), float("nan")
    sd = float(np.std(values, ddof=1))
    if sd == 0:
        return mean, sd, mean, mean
    if n > BOOTSTRAP_MAX_N:
        _, _, lo, hi = confidence(values, level)
    else:
        rng = np.random.default_rng(np.random.SeedSequence(BOOTSTRAP_SEED))
        means = values[rng.integers(0, n, size=(BOOTSTRAP_RESAMPLES, n))].mean(axis=1)
        lo, hi = (float(q) for q in np.quantile(means, [(1 - level) / 2, (1 + level) / 2]))
    lo, hi = max(lo, float(values.min())), min(hi, float(values.max()))
    if low is not None:
        lo, hi = max(lo, low), max(hi, low)
    if high is not None:
        lo, hi = min(lo, high), min(hi, high)
    return mean, sd, min(lo, mean), max(hi, mean)


def confidence(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float, float]:
    """Mean, standard deviation and the t-based confidence interval of the mean."""
    values = np.asarray(values, dtype=float)
    n, mean = len(values), float(np.mean(values))
    sd = float(np.std(values, ddof=1)) if n > 1 else float("nan")
    if n < 2 or sd == 0:
        return mean, sd if n > 1 else float("nan"), mean if n > 1 else float("nan"), mean if n > 1 else float("nan")
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * sd / np.sqrt(n))
    return mean, sd, mean - half, mean + half


def summarize(out: Path) -> pd.DataFrame:
    """One row per design point and metric: n, mean, sd, ci_low, ci_high."""
    runs, manifest = load_runs(out)
    varied = [c for c in manifest.get("experiment", {}).get("varied", []) if c in runs.columns]
    metrics = metric_columns(runs, varied)
    rows = []
    for keys, group in runs.groupby(["scenario", "point", *varied], dropna=False, sort=True):
        key = dict(zip(["scenario", "point", *varied], keys if isinstance(keys, tuple) else (keys,), strict=True))
        for metric in metrics:
            o = outcomes.get(metric)
            values = outcomes.complete(metric, group[metric].to_numpy())
            mean, sd, lo, hi = mean_interval(values, low=o.low, high=o.high)
            rows.append(key | {"metric": metric, "n": len(group), "mean": mean, "sd": sd, "ci_low": lo, "ci_high": hi})
    return pd.DataFrame(rows)


def table(summary: pd.DataFrame, metrics: tuple[str, ...] = ("visitors", "contributors", "partners",
                                                               "works_produced", "revenue", "density"),
          width: int = 100) -> str:
    """A readable subset: per design point, mean [95% CI] of the key metrics, in lines of at most `width`."""
    shown = summary[summary["metric"].isin(metrics)]
    ids = [c for c in summary.columns if c not in ("metric", "n", "mean", "sd", "ci_low", "ci_high")]
    lines = []
    for keys, group in shown.groupby(ids, dropna=False, sort=True):
        label = ", ".join(f"{k}={v}" for k, v in zip(ids, keys if isinstance(keys, tuple) else (keys,), strict=True)
                          if k != "point")
        cells = [f"{outcomes.label(r.metric, unit=False)} {outcomes.fmt(r.metric, r.mean)} "
                 f"{outcomes.fmt_interval(r.metric, r.ci_low, r.ci_high)}" for r in group.itertuples()]
        lines += textwrap.wrap(f"{label} (n={group['n'].iloc[0]})", width, subsequent_indent="  ")
        lines += textwrap.wrap("; ".join(cells), width, initial_indent="    ", subsequent_indent="    ")
    return "\n".join(lines)

