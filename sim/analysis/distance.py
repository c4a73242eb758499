"""How far a simulation is from a lab's numbers, and whether the fitted model reproduces them.

One distance for both calibration methods (`sim.analysis.calibrate`'s point fit
and `sim.analysis.abc`'s ABC-SMC): each target's error is divided by that
target's *simulation spread*, so a target that varies by ±20% from seed to seed
(a maximum, a high quantile) weighs no more than one whose runs agree within 1%
(visitors). An unscaled sum of relative errors let `visits_max` outweigh a 7%
miss on visitors and fitted the noise (issue 31). The spread is a robust one:
the median absolute deviation (×1.4826, an SD for normal data), the SD when the
MAD is zero (a quantile that is mostly one whole number), and a floor of
`FLOOR` × max(|target|, 1) when both are zero, so a constant statistic cannot
divide by zero. The spread is that of a single simulated year at a given
setting, the run-to-run noise: the point fit measures it on its replications
(their SD, pooled over its screen); ABC, which runs each setting once,
estimates it as the spread of each target's residuals after a linear
regression on the settings over a generation's simulations, and re-estimates
it every generation, as the adaptive distance of Prangle (2017), "Adapting the
ABC distance function", Bayesian Analysis 12(1): 289-309, does with the plain
spread (MAD) of the generation's simulations. Scaling by the plain spread would
down-weight exactly the targets the settings move most (visitors); the
residual spread weights each target by how precisely one year measures it.

The verdict is then per target: the lab's value against a 90% band of
simulated single years (ABC: the posterior predictive, fresh simulations of
settings drawn from the posterior; the point fit: its fitted setting on fresh
seeds), a target *reproduced* when the value lies inside, and one summary line.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

MAD_TO_SD = 1.4826  # the MAD of normal data times this is its SD
FLOOR = 1e-3  # the smallest spread, as a share of max(|target|, 1)
LEVEL = 0.90  # the verdict's band: a central 90% of simulated single years
Z = 1.6449  # its half-width in SDs, for a normal band
FAR = 2.0  # a target further from the simulated median than FAR half-bands is "far": flagged first
VISITORS_FACTOR = 1.5  # simulated visitors this many times the lab's (or a fraction of it): said in words


def number(value) -> float:
    """A simulated outcome as a float: NaN for None (an outcome the run could not measure) or anything not a number."""
    try:
        return float(value) if value is not None else math.nan
    except (TypeError, ValueError):
        return math.nan


def spread(values: Iterable[float]) -> float:
    """The robust spread of finite values: MAD × 1.4826, else the SD; NaN with fewer than two values."""
    x = np.asarray([v for v in values if math.isfinite(v)], dtype=float)
    if x.size < 2:
        return math.nan
    mad = float(np.median(np.abs(x - np.median(x)))) * MAD_TO_SD
    return mad if mad > 0 else float(np.std(x, ddof=1))


def floored(scale: float, target: float) -> float:
    """A spread made usable: at least FLOOR × max(|target|, 1) (also for a NaN spread)."""
    low = FLOOR * max(abs(target), 1.0)
    return max(scale, low) if math.isfinite(scale) else low


def scales(targets: Mapping[str, float], sims: list[Mapping[str, float]]) -> dict[str, float]:
    """Each target's spread over simulations (one dict of outcomes each), floored."""
    return {k: floored(spread(number(s.get(k)) for s in sims), v) for k, v in targets.items()}


def noise_scales(targets: Mapping[str, float], settings: np.ndarray, sims: list[Mapping[str, float]]
                 ) -> dict[str, float]:
    """Each target's spread left after a linear regression on the settings (ABC's run-to-run noise), floored.

    Over one generation's simulations (`settings`: one row each), the residuals of each target's
    least-squares fit on the settings are the part the settings do not explain: mostly the noise
    of one simulated year (plus what is not linear). Their robust spread (`spread`) is the scale;
    with too few simulations for a regression, the plain spread.
    """
    x = np.asarray(settings, dtype=float)
    design = np.column_stack([np.ones(len(x)), x]) if len(x) else x
    out = {}
    for k, v in targets.items():
        y = np.array([number(s.get(k)) for s in sims], dtype=float)
        keep = np.isfinite(y)
        if keep.sum() > design.shape[1] + 2:
            coef, *_ = np.linalg.lstsq(design[keep], y[keep], rcond=None)
            out[k] = floored(spread(y[keep] - design[keep] @ coef), v)
        else:
            out[k] = floored(spread(y), v)
    return out


def pooled_scales(targets: Mapping[str, float], runs: pd.DataFrame) -> dict[str, float]:
    """Each target's run-to-run spread at a setting: the replications' SD per `point`, pooled (root mean variance)."""
    out = {}
    for k, v in targets.items():
        var = runs.groupby("point")[k].var(ddof=1).dropna() if len(runs) else pd.Series(dtype=float)
        out[k] = floored(float(np.sqrt(var.mean())) if len(var) else math.nan, v)
    return out


def scaled_distance(sim: Mapping[str, float], targets: Mapping[str, float], scale: Mapping[str, float]) -> float:
    """Root of the summed squared errors in spreads; NaN when an outcome is missing (a failed or unmeasured run)."""
    total = 0.0
    for k, v in targets.items():
        x = number(sim.get(k))
        if not math.isfinite(x):
            return math.nan
        total += ((x - v) / scale[k]) ** 2
    return math.sqrt(total)


def unmeasurable(targets: Iterable[str], sims: list[Mapping[str, float]]) -> list[str]:
    """Targets no simulation that ran could measure (None in every run that has some outcome); [] if none ran."""
    ran = [s for s in sims if any(math.isfinite(number(x)) for x in s.values())]
    if not ran:
        return []
    return [k for k in targets if not any(math.isfinite(number(s.get(k))) for s in ran)]


def dropped_note(names: list[str]) -> str:
    """The note for targets dropped because the simulations cannot measure them."""
    return (f"dropped {', '.join(names)}: no simulation could measure {'it' if len(names) == 1 else 'them'} "
            "(the simulated horizon holds no such cohort or value)")


# -- the verdict ---------------------------------------------------------------------------
def verdict(targets: Mapping[str, float], draws: pd.DataFrame, scale: Mapping[str, float]) -> pd.DataFrame:
    """Per target: the lab's value, the simulated median and 90% band of `draws` (one row a simulated year).

    `reproduced` is True when the value lies inside the band; `far` when it lies more than FAR
    half-bands from the median; `scaled_error` is (median - value) in spreads.
    """
    rows = []
    for k, v in targets.items():
        x = draws[k].to_numpy(dtype=float) if k in draws else np.array([])
        x = x[np.isfinite(x)]
        if x.size:
            lo, med, hi = np.quantile(x, [(1 - LEVEL) / 2, 0.5, (1 + LEVEL) / 2])
        else:
            lo = med = hi = math.nan
        rows.append(band_row(k, v, float(med), float(lo), float(hi), scale.get(k, math.nan), int(x.size)))
    return pd.DataFrame(rows)


def band_row(name: str, value: float, median: float, lo: float, hi: float, scale: float, runs: int) -> dict:
    """One target's verdict row (see `verdict`)."""
    half = max((hi - lo) / 2, 1e-12) if math.isfinite(hi - lo) else math.nan
    inside = bool(lo <= value <= hi) if math.isfinite(lo) else False
    far = (not inside) and (not math.isfinite(half) or abs(value - median) > FAR * half)
    return {"target": name, "value": value, "simulated_median": median, "band_low": lo, "band_high": hi,
            "scaled_error": (median - value) / scale if scale and math.isfinite(scale) else math.nan,
            "reproduced": inside, "far": bool(far), "runs": runs}


def summary_line(table: pd.DataFrame) -> str:
    """'the model reproduces 7 of 8 targets (...); it cannot reproduce X (...)' from a verdict table."""
    n, ok = len(table), int(table["reproduced"].sum()) if len(table) else 0
    band = f"inside the simulated {LEVEL:.0%} band"
    if n and ok == n:
        return f"the model reproduces all {n} targets ({band})"
    misses = [f"{r.target} ({r.value:,.4g}; simulated {r.band_low:,.4g} to {r.band_high:,.4g})"
              for r in table.itertuples() if not r.reproduced]
    return (f"the model reproduces {ok} of {n} target{'s' if n != 1 else ''} ({band}); "
            f"it cannot reproduce {', '.join(misses)}")


def flags(table: pd.DataFrame, source: str = "the target") -> list[str]:
    """Lines for the first screen: each target the fit is far from, and simulated visitors off by a factor."""
    out = []
    for r in table.itertuples():
        if r.far:
            out.append(f"far from {r.target}: {source}'s {r.value:,.4g} against {r.simulated_median:,.4g} simulated "
                       f"(90% band {r.band_low:,.4g} to {r.band_high:,.4g})")
    rows = table.set_index("target") if len(table) else table
    if "visitors" in rows.index:
        value, sim = float(rows.loc["visitors", "value"]), float(rows.loc["visitors", "simulated_median"])
        if value > 0 and sim > 0 and max(sim / value, value / sim) > VISITORS_FACTOR:
            out.append(f"the simulations have {sim / value:.2g}x {source}'s visitors ({sim:,.0f} against {value:,.0f}): "
                       "their horizon (--years) or the scenario's size does not match it")
    return out


def weighted_sd(values: np.ndarray, weights: np.ndarray) -> float:
    """The SD of a weighted sample."""
    w = np.asarray(weights, float) / np.sum(weights)
    mean = float(np.sum(w * values))
    return float(np.sqrt(np.sum(w * (np.asarray(values, float) - mean) ** 2)))


def correlation(frame: pd.DataFrame, names: list[str], weights: np.ndarray | None = None) -> pd.DataFrame:
    """The parameters' (weighted) correlation matrix; NaN where a parameter does not vary or rows are too few."""
    x = frame[names].to_numpy(dtype=float)
    n = len(names)
    out = np.full((n, n), math.nan)
    if len(x) >= 3:
        w = np.ones(len(x)) if weights is None else np.asarray(weights, float)
        with np.errstate(invalid="ignore", divide="ignore"):
            cov = np.atleast_2d(np.cov(x.T, aweights=w))
            sd = np.sqrt(np.diag(cov))
            out = cov / np.outer(sd, sd)
    table = pd.DataFrame(np.round(out, 6), columns=names)
    table.insert(0, "setting", names)
    return table
