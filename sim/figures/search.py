"""The search's figure: the Pareto front of `labsim optimize`, with the presets and the base scenario."""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt

from sim import outcomes

if TYPE_CHECKING:
    from sim.analysis.optimize import SearchSpec


def front_figure(spec: SearchSpec, table, presets):
    """The front: two objectives as a scatter, more as pairwise scatters; presets as labelled triangles."""
    pairs = list(itertools.combinations([k for k, _ in spec.objectives], 2))
    cols = min(3, len(pairs))
    rows = math.ceil(len(pairs) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 4.4 * rows), squeeze=False)
    ok = table[table["status"] == "ok"]
    front = ok[ok["pareto"]]
    for ax, (x, y) in zip(axes.flat, pairs, strict=False):
        ax.scatter(ok[x], ok[y], s=14, color="#bbbbbb", label="evaluated")
        if (~ok["feasible"]).any():
            bad = ok[~ok["feasible"]]
            ax.scatter(bad[x], bad[y], s=16, marker="x", color="#999999", label="breaks a constraint")
        ax.errorbar(front[x], front[y], xerr=[front[x] - front[f"{x}_ci_low"], front[f"{x}_ci_high"] - front[x]],
                    yerr=[front[y] - front[f"{y}_ci_low"], front[f"{y}_ci_high"] - front[y]], fmt="o",
                    color="#c0392b", ms=5, lw=0.8, label="Pareto set (95% CI)")
        for r in (presets.to_dict("records") if len(presets) else []):
            ax.scatter([r[x]], [r[y]], marker="^" if not r["base"] else "s", s=60, color="#2c6fbb", zorder=5)
            ax.annotate(r["scenario"] + (" (base)" if r["base"] else ""), (r[x], r[y]), fontsize=7,
                        xytext=(4, 4), textcoords="offset points")
        sx, sy = dict(spec.objectives)[x], dict(spec.objectives)[y]
        ax.set_xlabel(f"{outcomes.label(x)}, {sx} ->" if sx == "max" else f"{outcomes.label(x)}, <- {sx}")
        ax.set_ylabel(f"{outcomes.label(y)}, {sy}")
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(pairs):]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7, loc="best")
    fig.suptitle(f"Search {spec.name}: {int(front.shape[0])} Pareto points of {len(ok)} evaluations"
                 + ("; triangles: presets, square: the base scenario" if len(presets) else ""), fontsize=10)
    fig.tight_layout()
    return fig
