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
    """Bars of the engagement funnel (log scale), one group per scenario.

    The axis reaches above the tallest bar's value label (symlog: a factor of 4
    is a fixed height), so no bar or label runs across the frame.
    """
    fig, ax = plt.subplots(figsize=(7, 4))
    width = 0.8 / max(1, len(summaries))
    x = np.arange(len(FUNNEL_STEPS))
    top = 1.0
    for i, (name, s) in enumerate(summaries.items()):
        values = list(funnel(s).values())
        top = max(top, *values)
        bars = ax.bar(x + i * width, values, width, label=name, color=scenario_color(i))  # the value, no floor
        ax.bar_label(bars, labels=[f"{v:,}" for v in values], fontsize=8)
    ax.set_xticks(x + width * (len(summaries) - 1) / 2, [label(s, unit=False) for s in FUNNEL_STEPS])
    symlog_axis(ax)
    ax.set_ylim(0, top * 4)
    ax.set_ylabel("distinct people\n(symlog scale: linear below 1, log above)")
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


CORE_COLOR = "#ffd54f"  # the halo under the innermost core's people
VISITORS_DRAWN = 250  # visitors drawn at most (a seeded sample, faded): beyond it they hide the people tied most


def innermost_core(graph: nx.Graph) -> tuple[set, int]:
    """The people of the network's innermost k-core and its k (self-loops ignored); empty for a graph without ties."""
    if graph.number_of_edges() == 0:
        return set(), 0
    simple = nx.Graph(graph)
    simple.remove_edges_from(nx.selfloop_edges(simple))
    core = nx.core_number(simple)
    k = max(core.values(), default=0)
    return ({v for v, c in core.items() if c == k} if k > 0 else set()), k


def network_figure(graph: nx.Graph, title: str = "", seed: int = 0):
    """The collaboration network, readable at 1x: the innermost core highlighted, visitors sampled and faded.

    Everyone who is not a visitor is drawn; visitors with a tie are a seeded
    sample of at most VISITORS_DRAWN, small and pale, so the core is not a black
    knot of overlapping edges. The legend counts what it shows: people with a
    tie at the end of the run, by their role then (the summary's counts are of
    people active in the measured period, so they differ), and says when a role
    is sampled.
    """
    core, k = innermost_core(graph)
    others = sum(1 for _, r in graph.nodes(data="role") if r != "visitor")
    sub = drawable_subgraph(graph, limit=min(NETWORK_DRAW_LIMIT, others + VISITORS_DRAWN), seed=seed)
    sub.remove_nodes_from([v for v in list(sub) if sub.degree(v) == 0])  # no tie, no place in a network's picture
    totals = {}
    for v, r in graph.nodes(data="role"):
        if graph.degree(v) > 0:
            totals[r] = totals.get(r, 0) + 1
    fig, ax = plt.subplots(figsize=(7, 7.6))
    if sub.number_of_nodes():
        pos = nx.spring_layout(sub, seed=seed % 2**32, iterations=50, k=3 / np.sqrt(sub.number_of_nodes()))
        nx.draw_networkx_edges(sub, pos, ax=ax, alpha=0.12, width=0.3, edge_color="#8c8c8c")
        deg = dict(sub.degree())
        halo = [v for v in sub if v in core]
        if halo:  # the core under a pale halo, not a knot of black rings
            nx.draw_networkx_nodes(sub, pos, nodelist=halo, node_color=CORE_COLOR, alpha=0.6, linewidths=0,
                                   node_size=[90 + 8 * np.sqrt(deg[v]) for v in halo], ax=ax,
                                   label=f"innermost core ({k}-core): {len(core):,} people, on a halo")
        order = ["visitor", *[r for r in ROLE_COLORS if r != "visitor"]]  # visitors first: the others on top
        for role in order:
            nodes = [v for v, r in sub.nodes(data="role") if r == role]
            if not nodes:
                continue
            visitor = role == "visitor"
            shown = len(nodes)
            total = totals.get(role, shown)
            said = (f"{role}: {shown:,}" if shown >= total else
                    f"{role}: {shown:,} shown of {total:,}" + (" (a sample)" if visitor else ""))
            nx.draw_networkx_nodes(sub, pos, nodelist=nodes, node_color=ROLE_COLORS.get(role, "#7f7f7f"), ax=ax,
                                   label=said, alpha=0.35 if visitor else 0.95, linewidths=0,
                                   node_size=[(6 if visitor else 14) + 4 * np.sqrt(deg[v]) for v in nodes])
        ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(0.0, -0.01), ncol=2, fontsize=9, markerscale=1.5,
                  title="people with a tie at the end, by role then", title_fontsize=9)
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

