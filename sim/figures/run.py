"""Figures of one run: the funnel, the time series and the collaboration network."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np

from sim.figures.style import ROLE_COLORS, mark_warmup, readable_y, save, scenario_color, seed_label, symlog_axis
from sim.metrics import FUNNEL_STEPS, funnel
from sim.outcomes import SERIES, label

if TYPE_CHECKING:
    from sim.run import RunResult

NETWORK_DRAW_LIMIT = 800  # nodes drawn at most; the rest of the periphery is sampled out


def funnel_figure(summaries: dict[str, dict]):
    """Bars of the engagement funnel (log scale), one group per scenario."""
    fig, ax = plt.subplots(figsize=(7, 4))
    width = 0.8 / max(1, len(summaries))
    x = np.arange(len(FUNNEL_STEPS))
    for i, (name, s) in enumerate(summaries.items()):
        values = list(funnel(s).values())
        bars = ax.bar(x + i * width, values, width, label=name, color=scenario_color(i))  # the value, no floor
        ax.bar_label(bars, labels=[f"{v:,}" for v in values], fontsize=8)
    ax.set_xticks(x + width * (len(summaries) - 1) / 2, [label(s, unit=False) for s in FUNNEL_STEPS])
    symlog_axis(ax)
    ax.set_ylabel("distinct people (symlog scale: linear below 1, log above)")
    ax.set_title("Engagement funnel")
    ax.legend(frameon=False)
    return fig


def timeseries_figure(ts, title: str = ""):
    """Active people per role, and weekly arrivals, visits and lapses."""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 6), sharex=True)
    for role in ("visitors", "contributors", "partners", "mediators", "artists"):
        top.plot(ts["time"], ts[role], label=SERIES[role][0], color=ROLE_COLORS[role[:-1]])
    readable_y(top, ts[["visitors", "contributors", "partners", "mediators", "artists"]].to_numpy().ravel(), symlog=True)
    top.set_ylabel("active people" + (" (log scale)" if top.get_yscale() != "linear" else ""))
    top.legend(frameon=False, ncol=3, fontsize=8)
    top.set_title(title or "Time series (weekly)")
    for col, color in (("arrivals", "#1f77b4"), ("visits", "#ff7f0e"), ("lapses", "#7f7f7f")):
        bottom.plot(ts["time"], ts[col], label=SERIES[col][0], color=color)
    bottom.set_ylabel("per week")
    bottom.set_xlabel("day (0 = end of the warm-up)")
    for ax in (top, bottom):
        mark_warmup(ax, ts["time"])
    bottom.legend(frameon=False, ncol=3, fontsize=8)
    return fig


def drawable_subgraph(graph: nx.Graph, limit: int = NETWORK_DRAW_LIMIT, seed: int = 0) -> nx.Graph:
    """Keep every non-visitor and a seeded sample of tied visitors, up to limit nodes."""
    keep = [v for v, r in graph.nodes(data="role") if r != "visitor"]
    visitors = [v for v, r in graph.nodes(data="role") if r == "visitor" and graph.degree(v) > 0]
    room = max(0, limit - len(keep))
    if len(visitors) > room:
        rng = np.random.default_rng(seed)
        visitors = [visitors[i] for i in sorted(rng.choice(len(visitors), size=room, replace=False))]
    return graph.subgraph(keep + visitors).copy()


def network_figure(graph: nx.Graph, title: str = "", seed: int = 0):
    """Nodes coloured by role (size by degree), with a legend; large graphs sampled."""
    sub = drawable_subgraph(graph, seed=seed)
    sub.remove_nodes_from([v for v in list(sub) if sub.degree(v) == 0 and sub.nodes[v]["role"] == "visitor"])
    fig, ax = plt.subplots(figsize=(7, 7))
    if sub.number_of_nodes():
        pos = nx.spring_layout(sub, seed=seed % 2**32, iterations=30, k=1.5 / np.sqrt(sub.number_of_nodes()))
        nx.draw_networkx_edges(sub, pos, ax=ax, alpha=0.15, width=0.5)
        deg = dict(sub.degree())
        for role, color in ROLE_COLORS.items():
            nodes = [v for v, r in sub.nodes(data="role") if r == role]
            if nodes:
                nx.draw_networkx_nodes(
                    sub,
                    pos,
                    nodelist=nodes,
                    node_color=color,
                    ax=ax,
                    label=f"{role} ({len(nodes)})",
                    node_size=[8 + 4 * np.sqrt(deg[v]) for v in nodes],
                    linewidths=0,
                )
        ax.legend(frameon=False, loc="lower left", fontsize=8, markerscale=1.5)
    shown = f"{sub.number_of_nodes():,} of {graph.number_of_nodes():,} people shown"
    ax.set_title(f"{title}\nCollaboration network ({shown})" if title else f"Collaboration network ({shown})")
    ax.set_axis_off()
    return fig


def run_figures(result: RunResult, out: Path) -> list[Path]:
    """funnel.png, timeseries.png and network.png for one run."""
    name = result.scenario.name
    return [
        save(funnel_figure({name: result.summary}), out / "funnel.png"),
        save(timeseries_figure(result.timeseries, f"{name}, seed {seed_label(result.seed)}"), out / "timeseries.png"),
        save(network_figure(result.network, name, seed=result.seed), out / "network.png"),
    ]

