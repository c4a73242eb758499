"""The map's figure: outcomes over the governance plane, the presets placed on it with their own results."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np

from sim.figures.style import wrap_label
from sim.outcomes import fmt
from sim.outcomes import get as outcome

LABEL_OFFSETS = ((12, 12), (12, -12), (-12, 12), (-12, -12), (0, 26), (0, -26), (28, 0), (-28, 0), (34, 30),
                 (-34, 30), (34, -30), (-34, -30))


def _place_labels(fig, ax, marks) -> None:
    """Label each marker where its box overlaps no other label, no marker and stays inside the panel.

    Tries a fixed list of offsets in turn (deterministic) and keeps the first
    that fits; if none does, the one that overlaps least.
    """
    renderer = fig.canvas.get_renderer()
    inside = ax.get_window_extent(renderer)
    points = [ax.transData.transform((x, y)) for _, x, y, _ in marks]
    placed = []
    for k, (_, x, y, text) in enumerate(marks):
        best, best_cost = None, None
        for dx, dy in LABEL_OFFSETS:
            note = ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", fontsize=6,
                               ha="left" if dx > 0 else "right" if dx < 0 else "center",
                               va="bottom" if dy > 0 else "top" if dy < 0 else "center", color="black",
                               arrowprops={"arrowstyle": "-", "color": "black", "linewidth": 0.6, "shrinkA": 0,
                                           "shrinkB": 4},
                               bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "alpha": 0.85, "linewidth": 0},
                               zorder=4)
            box = note.get_window_extent(renderer).expanded(1.05, 1.1)
            cost = sum(box.overlaps(other) for other in placed)
            cost += sum(box.contains(px, py) for j, (px, py) in enumerate(points) if j != k)
            cost += 0 if (inside.contains(box.x0, box.y0) and inside.contains(box.x1, box.y1)) else 1
            if best_cost is None or cost < best_cost:
                if best is not None:
                    best.remove()
                best, best_cost = note, cost
            else:
                note.remove()
            if cost == 0:
                break
        placed.append(best.get_window_extent(renderer))


def map_figure(grid, outcomes: tuple[str, ...], presets: dict[str, dict[str, float]],
               preset_results: dict[str, dict[str, float]] | None = None):
    """Heatmaps of outcomes over the map (public_market x open_closed), with the presets' own results.

    A cell is a blend of the four corners, not a preset: the preset placed on it
    can yield far other numbers (le_cube's cell ~5,000 visitors against 1,847
    for the preset itself). So each preset is a circle filled with the colour of
    its own mean result on the same scale and labelled with that value; labels
    sit on a white box (legible on any colour), inside the panel.
    """
    cols = 4
    rows = int(np.ceil(len(outcomes) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4.4 * cols, 4.0 * rows), squeeze=False)
    pm = np.sort(grid["public_market"].unique())
    oc = np.sort(grid["open_closed"].unique())
    order = sorted(presets, key=lambda n: (presets[n]["open_closed"], presets[n]["public_market"]))
    labelled = []
    for ax, metric in zip(axes.flat, outcomes, strict=False):
        o = outcome(metric)
        z = grid.pivot_table(index="open_closed", columns="public_market", values=metric).reindex(index=oc, columns=pm)
        values = z.to_numpy(dtype=float)
        own = [preset_results[n][metric] for n in order if preset_results and metric in preset_results.get(n, {})]
        vmin = np.nanmin([np.nanmin(values), *own]) if np.isfinite(values).any() else 0.0
        vmax = np.nanmax([np.nanmax(values), *own]) if np.isfinite(values).any() else 1.0
        norm = matplotlib.colors.Normalize(vmin=vmin, vmax=vmax if vmax > vmin else vmin + 1)
        im = ax.imshow(values, origin="lower", extent=(-0.5 / (len(pm) - 1), 1 + 0.5 / (len(pm) - 1),
                       -0.5 / (len(oc) - 1), 1 + 0.5 / (len(oc) - 1)), aspect="auto", cmap="viridis", norm=norm)
        bar = fig.colorbar(im, ax=ax, shrink=0.85)
        bar.set_label(o.label_unit if o.kind != "share" else f"{o.label} (%)", fontsize=8)
        bar.ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _, m=metric: fmt(m, v)))  # €, %
        bar.ax.tick_params(labelsize=7)
        ax.set_xlim(0, 1)  # the map's domain: edge cells are drawn half, as their centres sit on its border
        ax.set_ylim(0, 1)
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1])
        ax.set_yticks([0, 0.25, 0.5, 0.75, 1])
        ax.tick_params(labelsize=7)
        marks = []
        for name in order:
            x, y = presets[name]["public_market"], presets[name]["open_closed"]
            value = (preset_results or {}).get(name, {}).get(metric)
            face = im.cmap(norm(value)) if value is not None and np.isfinite(value) else "white"
            ax.plot(x, y, "o", markerfacecolor=face, markeredgecolor="black", markersize=9, zorder=3)
            marks.append((name, x, y, wrap_label(name, 12) + (f"\n{fmt(metric, value)}" if value is not None else "")))
        labelled.append((ax, marks))
        ax.set_title(o.label, fontsize=9)
        ax.set_xlabel("public mission -> market", fontsize=8)
        ax.set_ylabel("open -> closed", fontsize=8)
    for ax in list(axes.flat)[len(outcomes):]:
        ax.set_axis_off()
    said = "circles: each preset's own result (mean over replications), on the same colour scale" if preset_results \
        else "circles: where the presets sit"
    fig.suptitle(f"The case study's map, quantified: each cell blends the four corners (mean over replications); {said}",
                 fontsize=10)
    fig.tight_layout()
    for ax, marks in labelled:  # once the panels have their final place: labels are placed in points
        _place_labels(fig, ax, marks)
    return fig
