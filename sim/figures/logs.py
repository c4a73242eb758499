"""Figures of a lab's visit log (`labsim log describe`): weekly series, visit counts, survival of cohorts.

Every figure draws only what the tables publish (`sim.logs.privacy`): weeks whose visits are published,
and curves coarsened so that each step and each level is 5 people or more.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import FuncFormatter

from sim.figures.style import save
from sim.logs.describe import at_least, published_weekly
from sim.logs.privacy import MIN_COUNT, coarse_steps

if TYPE_CHECKING:
    from sim.logs.describe import Description


def log_figures(found: Description, folder: Path) -> list[str]:
    """weekly.png, visit_counts.png and survival.png of a described log, saved into `folder`."""
    fig, ax = plt.subplots(figsize=(9, 3.2))
    w = published_weekly(found)
    w = w[w["days"] == 7]  # whole weeks only: a partial first or last week is not a fall
    ax.plot(w["week"], w["visits"], lw=1, label="visits")
    ax.plot(w["week"], w["visitors"].where(w["visits"].notna()), lw=1, label="visitors")
    ax.set(ylabel="per week", title="Weekly visits and visitors (whole weeks whose visits are published)")
    ax.legend(frameon=False)
    save(fig, folder / "weekly.png")

    fig, ax = plt.subplots(figsize=(5, 3.6))
    counts = np.sort(found.counts)
    k = np.unique(counts)
    many = coarse_steps(at_least(counts, k))  # each step and each level 5 people or more
    keep = np.r_[True, many[1:] != many[:-1]] & (many > 0) & (counts.size >= MIN_COUNT)
    ax.loglog(k[keep], many[keep] / counts.size, marker=".", lw=1, drawstyle="steps-post")
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
