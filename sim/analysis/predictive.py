"""The log against the posterior predictive (`labsim calibrate --from-log ... --method abc`).

Settings drawn from the ABC posterior (by weight) each run once on a seed of
their own, with a visit recorder (`sim.logs.synth.synth`); each run's visits are
described as the log is (`sim.logs.describe.describe`), so the figures compare
like with like: weekly visits, the visit-count distribution (share of visitors
with at least k visits) and the survival of returners, the log's line against
the runs' 5-95% band and median. Suppression follows the log's description: only
points with 5 people or more are drawn.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

DRAWS = 20  # posterior draws simulated for the figures
BAND = (5, 50, 95)


def _draw(scenario, settings: dict, seed: int, years: float) -> dict:
    """One posterior draw's run, described as a log: weekly visits, visits per visitor, survival (in a worker)."""
    from sim.logs.describe import describe
    from sim.logs.synth import synth
    from sim.logs.visitlog import VisitLog, hash_people

    log, _ = synth(scenario.with_settings(**settings), seed, years)
    frame = pd.DataFrame({"person_hash": hash_people(log["person"], b"predictive"), "date": pd.to_datetime(log["date"]),
                          "kind": log["kind"], "channel": log["channel"]})
    found = describe(VisitLog(frame, len(frame), 0, "draw"), scenario.settings)
    w = found.weekly
    return {"weekly": w.loc[w["days"] == 7, "visits"].to_numpy(), "counts": np.sort(found.counts),
            "survival": found.survival}


def simulate(scenario: str, posterior: pd.DataFrame, params: list[str], years: float, pool, seed: int,
             draws: int = DRAWS) -> list[dict]:
    """Run `draws` settings drawn from the weighted posterior, each on its own seed, on the pool's workers.

    A draw that fails (even one that kills its worker) is left out of the band; the pool is rebuilt for the rest.
    """
    from sim.config.scenario import load_scenario

    base = load_scenario(scenario)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 22]))
    picks = rng.choice(len(posterior), size=draws, p=posterior["weight"].to_numpy() / posterior["weight"].sum())
    seeds = [int(s) for s in rng.integers(0, 2**31 - 1, size=draws)]
    settings = [{k: posterior[k].iloc[i].item() for k in params} for i in picks]
    futures = [pool.executor.submit(_draw, base, s, seed, years) for s, seed in zip(settings, seeds, strict=True)]
    out = []
    for future in futures:
        try:
            out.append(future.result())
        except Exception:  # a failed draw only narrows the band; the fit is already done
            continue
    if len(out) < len(futures):
        pool.rebuild()
    return out


def _at_least(counts: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Share of visitors with at least k visits, for each k (`sim.logs.describe.at_least` over the visitors)."""
    from sim.logs.describe import at_least

    return at_least(counts, k) / max(counts.size, 1)


def figures(found, draws: list[dict], folder: Path) -> list[str]:
    """predictive_weekly.png, predictive_counts.png, predictive_survival.png: the log against the draws' band."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    from sim.figures import save
    from sim.logs.describe import MIN_COUNT

    fig, ax = plt.subplots(figsize=(9, 3.2))
    w = found.weekly
    w = w[w["days"] == 7]
    n = min([len(w), *(d["weekly"].size for d in draws)])
    sims = np.array([d["weekly"][:n] for d in draws], float)
    lo, mid, hi = np.percentile(sims, BAND, axis=0)
    x = np.arange(n)
    ax.fill_between(x, lo, hi, color="#9ecae1", alpha=0.6, label=f"posterior predictive {BAND[0]}-{BAND[2]}%")
    ax.plot(x, mid, color="#3182bd", lw=1, label="posterior predictive median")
    data = w["visits"].to_numpy()[:n].astype(float)
    ax.plot(x, np.where(w["visitors"].to_numpy()[:n] >= MIN_COUNT, data, np.nan), color="#e6550d", lw=1.2,
            label="the log")
    ax.set(xlabel="whole week of the log", ylabel="visits per week", title="Weekly visits: the log and the model")
    ax.legend(frameon=False, fontsize=8)
    save(fig, folder / "predictive_weekly.png")

    fig, ax = plt.subplots(figsize=(5, 3.6))
    counts = np.sort(found.counts)
    k = np.unique(np.concatenate([counts, *(d["counts"] for d in draws)]))
    k = k[k >= 1]
    band = np.percentile(np.array([_at_least(d["counts"], k) for d in draws]), BAND, axis=0)
    keep = band[1] * max(counts.size, 1) >= MIN_COUNT
    ax.fill_between(k[keep], band[0][keep], band[2][keep], color="#9ecae1", alpha=0.6,
                    label=f"posterior predictive {BAND[0]}-{BAND[2]}%")
    mine = _at_least(counts, k)
    shown = mine * counts.size >= MIN_COUNT
    ax.plot(k[shown], mine[shown], color="#e6550d", marker=".", lw=1, label="the log")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set(xlabel="visits", ylabel="share of visitors with at least that many", title="Visit-count distribution")
    plain = FuncFormatter(lambda x, _: f"{x:g}")
    ax.xaxis.set_major_formatter(plain)
    ax.yaxis.set_major_formatter(plain)
    ax.legend(frameon=False, fontsize=8)
    save(fig, folder / "predictive_counts.png")

    fig, ax = plt.subplots(figsize=(5, 3.6))
    mine = found.survival[found.survival["cohort"] == "returners"]
    if mine["still_coming"].notna().any():
        runs = [d["survival"] for d in draws]
        table = np.array([r[r["cohort"] == "returners"]["still_coming"].to_numpy(float) for r in runs])
        with warnings.catch_warnings():  # a week no draw's cohort reached: a gap in the band, not a warning
            warnings.simplefilter("ignore", RuntimeWarning)
            lo, mid, hi = np.nanpercentile(table, BAND, axis=0)
        ax.fill_between(mine["day"], lo, hi, color="#9ecae1", alpha=0.6, label="posterior predictive 5-95%")
        ax.plot(mine["day"], mid, color="#3182bd", lw=1, label="posterior predictive median")
        ax.plot(mine["day"], mine["still_coming"], color="#e6550d", lw=1.2, label="the log")
        ax.legend(frameon=False, fontsize=8)
    else:
        ax.text(0.5, 0.5, "no returner cohort of 5 people or more was first\nseen a full year before the log's "
                "last day\n(a log of more than a year has one)", ha="center", va="center", transform=ax.transAxes)
    ax.set(xlabel="days since the first visit", ylabel="share still coming", ylim=(0, 1.02),
           title="Survival of returners")
    save(fig, folder / "predictive_survival.png")
    return ["predictive_weekly.png", "predictive_counts.png", "predictive_survival.png"]
