"""Figures of a lab's visit log (`labsim log describe`): weekly series, visit counts, survival of cohorts.

Every curve is drawn only where 5 people or more stand behind it (`sim.logs.describe.MIN_COUNT`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import FuncFormatter

from sim.figures.style import save
from sim.logs.describe import MIN_COUNT, at_least

if TYPE_CHECKING:
    from sim.logs.describe import Description


def log_figures(found: Description, folder: Path) -> list[str]:
    """weekly.png, visit_counts.png and survival.png of a described log, saved into `folder`."""
    fig, ax = plt.subplots(figsize=(9, 3.2))
    w = found.weekly
    w = w[w["days"] == 7]  # whole weeks only: a partial first or last week is not a fall
    ax.plot(w["week"], w["visits"].where(w["visitors"] >= MIN_COUNT), lw=1, label="visits")
    ax.plot(w["week"], w["visitors"].where(w["visitors"] >= MIN_COUNT), lw=1, label="visitors")
    ax.set(ylabel="per week", title="Weekly visits and visitors (whole weeks of 5 visitors or more)")
    ax.legend(frameon=False)
    save(fig, folder / "weekly.png")

    fig, ax = plt.subplots(figsize=(5, 3.6))
    counts = np.sort(found.counts)
    k = np.unique(counts)
    many = at_least(counts, k)
    keep = many >= MIN_COUNT
    ax.loglog(k[keep], many[keep] / counts.size, marker=".", lw=1)
    ax.set(xlabel="visits over the log", ylabel="share of visitors with at least that many",
           title="Visit-count distribution")
    plain = FuncFormatter(lambda x, _: f"{x:g}")  # labels drawn as text (sim.figures turns math text off)
    ax.xaxis.set_major_formatter(plain)
    ax.yaxis.set_major_formatter(plain)
    save(fig, folder / "visit_counts.png")

    fig, ax = plt.subplots(figsize=(5, 3.6))
    for group, rows in found.survival.groupby("cohort", sort=False):
        if rows["still_coming"].notna().any():
            ax.plot(rows["day"], rows["still_coming"], label=f"{group} ({rows['people'].iloc[0]})")
    ax.set(xlabel="days since the first visit", ylabel="share still coming", ylim=(0, 1.02),
           title="Survival of a cohort (first seen a year or more before the end)")
    if ax.lines:
        ax.legend(frameon=False)
    else:
        ax.text(0.5, 0.5, "no cohort of 5 people or more was first seen\na full year before the log's last day",
                ha="center", va="center", transform=ax.transAxes)
    save(fig, folder / "survival.png")
    return ["weekly.png", "visit_counts.png", "survival.png"]
