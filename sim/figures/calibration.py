"""Figures of a calibration by ABC: the posterior's marginals and pairs, and the log against posterior draws."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import FuncFormatter

from sim.figures.style import save
from sim.logs.describe import MIN_COUNT, at_least, published_weekly
from sim.logs.privacy import coarse_steps

if TYPE_CHECKING:
    from sim.analysis.abc import AbcResult

BAND = (5, 50, 95)  # the posterior predictive band's percentiles (low, middle, high)


def marginals_figure(result: AbcResult):
    """Each setting's weighted posterior histogram over its prior range, with the 90% interval."""
    iv = result.intervals.set_index("setting")
    n = len(result.params)
    fig, axes = plt.subplots(1, n, figsize=(4 * n, 3.2), squeeze=False)
    for ax, (name, (lo, hi)) in zip(axes.flat, result.params.items(), strict=True):
        ax.hist(result.posterior[name], bins=20, range=(lo, hi), weights=result.posterior["weight"], color="#3182bd")
        ax.axvspan(iv.loc[name, "q05"], iv.loc[name, "q95"], color="#e6550d", alpha=0.15, label="90% interval")
        ax.axvline(iv.loc[name, "median"], color="#e6550d")
        ax.set_xlim(lo, hi)
        ax.set_xlabel(name)
        ax.set_title("pinned down" if iv.loc[name, "pinned"] else "left free", fontsize=9)
    axes.flat[0].set_ylabel("posterior weight")
    axes.flat[0].legend(fontsize=7)
    fig.tight_layout()
    return fig


def pairs_figure(result: AbcResult):
    """Every pair of settings: the posterior particles (size by weight) in the prior box."""
    names = list(result.params)
    pairs = [(a, b) for i, a in enumerate(names) for b in names[i + 1:]] or [(names[0], names[0])]
    ncol = min(3, len(pairs))
    nrow = (len(pairs) + ncol - 1) // ncol
    fig, axes = plt.subplots(nrow, ncol, figsize=(4.2 * ncol, 3.8 * nrow), squeeze=False)
    w = result.posterior["weight"].to_numpy()
    for ax, (a, b) in zip(axes.flat, pairs, strict=False):
        ax.scatter(result.posterior[a], result.posterior[b], s=8 + 400 * w / w.max() / np.sqrt(len(w)), alpha=0.5,
                   c="#3182bd")
        ax.set_xlim(*result.params[a])
        ax.set_ylim(*result.params[b])
        ax.set_xlabel(a)
        ax.set_ylabel(b)
    for ax in list(axes.flat)[len(pairs):]:
        ax.axis("off")
    fig.suptitle("posterior particles within the prior box", fontsize=9)
    fig.tight_layout()
    return fig


def _at_least(counts: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Share of visitors with at least k visits, for each k (`sim.logs.describe.at_least` over the visitors)."""
    return at_least(counts, k) / max(counts.size, 1)


def predictive_figures(found, draws: list[dict], folder: Path) -> list[str]:
    """predictive_weekly.png, predictive_counts.png, predictive_survival.png: the log against the draws' band."""
    fig, ax = plt.subplots(figsize=(9, 3.2))
    w = published_weekly(found)  # the log as published: hidden weeks are gaps
    w = w[w["days"] == 7]
    n = min([len(w), *(d["weekly"].size for d in draws)])
    sims = np.array([d["weekly"][:n] for d in draws], float)
    lo, mid, hi = np.percentile(sims, BAND, axis=0)
    x = np.arange(n)
    ax.fill_between(x, lo, hi, color="#9ecae1", alpha=0.6, label=f"posterior predictive {BAND[0]}-{BAND[2]}%")
    ax.plot(x, mid, color="#3182bd", lw=1, label="posterior predictive median")
    ax.plot(x, w["visits"].to_numpy()[:n].astype(float), color="#e6550d", lw=1.2, label="the log")
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
    many = coarse_steps(at_least(counts, k))  # the log's curve as published: steps and levels of 5 or more
    shown = np.r_[True, many[1:] != many[:-1]] & (many > 0)
    ax.plot(k[shown], many[shown] / max(counts.size, 1), color="#e6550d", marker=".", lw=1, label="the log",
            drawstyle="steps-post")
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
        with warnings.catch_warnings():  # a week beyond every draw's cohort: a gap in the band, not a warning
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
