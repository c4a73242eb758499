"""Figures of a scenario discovery: the PRIM peeling trajectory and the chosen box against the samples."""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
from matplotlib.patches import Rectangle

if TYPE_CHECKING:
    from sim.analysis.discover import Discovery


def trajectory_figure(found: Discovery):
    """Coverage against density along the peeling, the chosen step marked, coloured by restricted settings."""
    t = found.trajectory
    fig, ax = plt.subplots(figsize=(6, 4.5))
    sc = ax.scatter(t["coverage"], t["density"], c=t["restricted"], cmap="viridis", s=25)
    fig.colorbar(sc, ax=ax, label="settings restricted")
    c = t.iloc[found.chosen]
    ax.scatter([c["coverage"]], [c["density"]], s=160, facecolors="none", edgecolors="red", linewidths=2,
               label=f"chosen box (step {found.chosen})")
    ax.set_xlabel("coverage (share of the cases of interest inside the box)")
    ax.set_ylabel("density (share of the box's cases of interest)")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_title(f"PRIM peeling trajectory\n{found.where}", fontsize=9)
    ax.legend(loc="lower left", fontsize=8)
    ax.grid(alpha=0.3)
    return fig


def box_figure(found: Discovery, top: int = 4):
    """The samples on the restricted (or first) numeric settings, two by two, with the chosen box drawn."""
    lim = found.limits[found.limits["values"] == ""]
    cols = list(lim["setting"][:top]) if len(lim) else []
    if len(cols) == 1:
        cols = [cols[0], next((c for c in found.x.columns if c != cols[0]), cols[0])]
    pairs = [(a, b) for i, a in enumerate(cols) for b in cols[i + 1:]] or [(cols[0], cols[0])] if cols else []
    n = max(1, len(pairs))
    ncol = min(3, n)
    fig, axes = plt.subplots((n + ncol - 1) // ncol, ncol, figsize=(4.2 * ncol, 3.8 * ((n + ncol - 1) // ncol)),
                             squeeze=False)
    by = lim.set_index("setting") if len(lim) else None
    for ax, (a, b) in zip(axes.flat, pairs, strict=False):
        ax.scatter(found.x.loc[~found.y, a], found.x.loc[~found.y, b], s=10, c="#bbbbbb", label="condition fails")
        ax.scatter(found.x.loc[found.y, a], found.x.loc[found.y, b], s=12, c="#1f77b4", label="condition holds")
        la, ha, lb, hb = by.loc[a, "low"], by.loc[a, "high"], by.loc[b, "low"], by.loc[b, "high"]
        ax.add_patch(Rectangle((la, lb), ha - la, hb - lb, fill=False, edgecolor="red", linewidth=2))
        ax.set_xlabel(a)
        ax.set_ylabel(b)
    for ax in list(axes.flat)[len(pairs):]:
        ax.axis("off")
    if pairs:
        axes.flat[0].legend(fontsize=7, loc="best")
    fig.suptitle(f"chosen box (red) against the samples: {found.where}", fontsize=9)
    fig.tight_layout()
    return fig
