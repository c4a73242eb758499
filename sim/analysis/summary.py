"""Per design point: mean, standard deviation and 95% confidence interval of each metric."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from sim.batch.store import Store
from sim.errors import LabsimError

ID_COLUMNS = ("run_id", "scenario", "point", "replication", "seed", "status", "error", "labsim_version")


def load_runs(out: Path) -> tuple[pd.DataFrame, dict]:
    """The ok runs of a batch folder and its manifest; a clear error if there is no batch."""
    store = Store(out)
    manifest = store.manifest() if Path(out).is_dir() else None
    if manifest is None:
        raise LabsimError(f"{out}: holds no labsim batch (no manifest.json); run `labsim batch` first")
    runs = store.runs()
    if runs.empty or (runs["status"] == "ok").sum() == 0:
        raise LabsimError(f"{out}: the batch has no finished run yet")
    return runs[runs["status"] == "ok"].reset_index(drop=True), manifest


def metric_columns(runs: pd.DataFrame, varied: list[str]) -> list[str]:
    """Numeric outcome columns (not identity, not parameters)."""
    skip = set(ID_COLUMNS) | set(varied)
    return [c for c in runs.columns if c not in skip and pd.api.types.is_numeric_dtype(runs[c])]


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
            mean, sd, lo, hi = confidence(group[metric].to_numpy())
            rows.append(key | {"metric": metric, "n": len(group), "mean": mean, "sd": sd, "ci_low": lo, "ci_high": hi})
    return pd.DataFrame(rows)


def table(summary: pd.DataFrame, metrics: tuple[str, ...] = ("visitors", "contributors", "partners",
                                                               "works_produced", "revenue", "density")) -> str:
    """A readable subset: one line per design point, mean [95% CI] of the key metrics."""
    shown = summary[summary["metric"].isin(metrics)]
    ids = [c for c in summary.columns if c not in ("metric", "n", "mean", "sd", "ci_low", "ci_high")]
    lines = []
    for keys, group in shown.groupby(ids, dropna=False, sort=True):
        label = ", ".join(f"{k}={v}" for k, v in zip(ids, keys if isinstance(keys, tuple) else (keys,), strict=True)
                          if k != "point")
        cells = [f"{r.metric} {_fmt(r.mean)} [{_fmt(r.ci_low)}, {_fmt(r.ci_high)}]" for r in group.itertuples()]
        lines.append(f"{label} (n={group['n'].iloc[0]})\n    " + "; ".join(cells))
    return "\n".join(lines)


def _fmt(x: float) -> str:
    if x != x:  # nan
        return "-"
    return f"{x:,.4f}" if abs(x) < 1 else f"{x:,.1f}"
