"""Figures of a run: the funnel, the time series and the collaboration network."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import networkx as nx
import numpy as np

from sim.metrics import FUNNEL_STEPS, funnel

if TYPE_CHECKING:
    from sim.run import RunResult

ROLE_COLORS = {
    "visitor": "#9ecae1",
    "contributor": "#3182bd",
    "partner": "#e6550d",
    "mediator": "#31a354",
    "artist": "#756bb1",
}
NETWORK_DRAW_LIMIT = 800  # nodes drawn at most; the rest of the periphery is sampled out


def save(fig, path: Path) -> Path:
    """Save a figure atomically and close it."""
    from sim.run import atomic_write

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    atomic_write(path, buf.getvalue())
    return path


def funnel_figure(summaries: dict[str, dict]):
    """Bars of the engagement funnel (log scale), one group per scenario."""
    fig, ax = plt.subplots(figsize=(7, 4))
    width = 0.8 / max(1, len(summaries))
    x = np.arange(len(FUNNEL_STEPS))
    for i, (name, s) in enumerate(summaries.items()):
        values = list(funnel(s).values())
        bars = ax.bar(x + i * width, [max(v, 0.8) for v in values], width, label=name)
        ax.bar_label(bars, labels=[f"{v:,}" for v in values], fontsize=8)
    ax.set_xticks(x + width * (len(summaries) - 1) / 2, [s.replace("_", " ") for s in FUNNEL_STEPS])
    ax.set_yscale("log")
    ax.set_ylabel("distinct people (log scale)")
    ax.set_title("Engagement funnel")
    ax.legend(frameon=False)
    return fig


def timeseries_figure(ts, title: str = ""):
    """Active people per role, and weekly arrivals, visits and lapses."""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 6), sharex=True)
    for role in ("visitors", "contributors", "partners", "mediators", "artists"):
        top.plot(ts["time"], ts[role], label=role, color=ROLE_COLORS[role[:-1]])
    top.set_yscale("symlog")
    top.set_ylabel("active people")
    top.legend(frameon=False, ncol=3, fontsize=8)
    top.set_title(title or "Time series (weekly)")
    for col in ("arrivals", "visits", "lapses"):
        bottom.plot(ts["time"], ts[col], label=col)
    bottom.set_ylabel("per week")
    bottom.set_xlabel("day")
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
        save(timeseries_figure(result.timeseries, f"{name}, seed {result.seed}"), out / "timeseries.png"),
        save(network_figure(result.network, name, seed=result.seed), out / "network.png"),
    ]


# -- comparisons -------------------------------------------------------------------
NETWORK_SHOWN = ("density", "avg_clustering", "giant_component_share", "degree_centralization",
                 "mediator_betweenness_share", "modularity")
SERIES_SHOWN = ("visitors", "contributors", "partners", "visits")


def _ci_bars(ax, table, metrics, names, log=False):
    width = 0.8 / len(names)
    x = np.arange(len(metrics))
    for i, name in enumerate(names):
        sub = table[table["scenario"] == name].set_index("metric").reindex(list(metrics))
        mean = sub["mean"].to_numpy(dtype=float)
        err = np.vstack([mean - sub["ci_low"].to_numpy(dtype=float), sub["ci_high"].to_numpy(dtype=float) - mean])
        shown = np.maximum(mean, 0.8) if log else mean
        ax.bar(x + i * width, shown, width, yerr=np.nan_to_num(err), capsize=2, label=name)
    ax.set_xticks(x + width * (len(names) - 1) / 2, [m.replace("_", " ") for m in metrics], rotation=20, ha="right")
    if log:
        ax.set_yscale("log")


def funnel_ci_figure(table):
    """Funnels side by side (log scale): mean and 95% CI of each rung, per scenario."""
    names = list(dict.fromkeys(table["scenario"]))
    fig, ax = plt.subplots(figsize=(8, 4.5))
    _ci_bars(ax, table, FUNNEL_STEPS, names, log=True)
    ax.set_ylabel("distinct people (log scale)")
    ax.set_title("Engagement funnels (mean and 95% CI over replications)")
    ax.legend(frameon=False, fontsize=8)
    return fig


def network_metrics_figure(table):
    """The network's shape per scenario: one panel per metric, mean and 95% CI."""
    names = list(dict.fromkeys(table["scenario"]))
    fig, axes = plt.subplots(2, 3, figsize=(10, 6))
    for ax, metric in zip(axes.flat, NETWORK_SHOWN, strict=True):
        sub = table[table["metric"] == metric].set_index("scenario").reindex(names)
        mean = sub["mean"].to_numpy(dtype=float)
        err = np.vstack([mean - sub["ci_low"].to_numpy(dtype=float), sub["ci_high"].to_numpy(dtype=float) - mean])
        ax.bar(range(len(names)), mean, yerr=np.nan_to_num(err), capsize=3, color=[f"C{i}" for i in range(len(names))])
        ax.set_xticks(range(len(names)), [n[:14] for n in names], rotation=30, ha="right", fontsize=7)
        ax.set_title(metric.replace("_", " "), fontsize=9)
        if metric == "density":
            ax.set_yscale("log")
    fig.suptitle("Collaboration networks: swarm or island (mean and 95% CI)")
    fig.tight_layout()
    return fig


def timeseries_bands_figure(series, scenario_of: dict[str, str]):
    """Weekly series per scenario: mean line and 95% CI band over replications."""
    from scipy import stats

    names = list(dict.fromkeys(scenario_of.values()))
    df = series.assign(scenario=series["run_id"].map(scenario_of))
    fig, axes = plt.subplots(2, 2, figsize=(10, 6), sharex=True)
    for ax, col in zip(axes.flat, SERIES_SHOWN, strict=True):
        for i, name in enumerate(names):
            g = df[df["scenario"] == name].groupby("time")[col]
            mean, sem, n = g.mean(), g.sem(), g.count()
            half = sem * stats.t.ppf(0.975, np.maximum(n - 1, 1))
            ax.plot(mean.index, mean, color=f"C{i}", label=name)
            ax.fill_between(mean.index, mean - half, mean + half, color=f"C{i}", alpha=0.2, linewidth=0)
        ax.set_title(col if col == "visits" else f"active {col}", fontsize=9)
        ax.set_yscale("symlog" if col == "visitors" else "linear")
    axes[1, 0].set_xlabel("day")
    axes[1, 1].set_xlabel("day")
    axes[0, 0].legend(frameon=False, fontsize=7)
    fig.suptitle("Time series (weekly): mean and 95% CI band over replications")
    fig.tight_layout()
    return fig


# -- network pictures: swarm against island -----------------------------------------
SHELL_ORDER = ("mediator", "partner", "contributor", "artist", "visitor")


def role_shells_figure(graph: nx.Graph, title: str = "", seed: int = 0, limit: int = 400):
    """Core-periphery by role: staff at the centre, then partners, contributors, artists, visitors outside.

    Each ring holds one role; edges show who is tied to whom, so a swarm (many
    spokes from the staff out to a wide periphery) and an island (a small dense
    knot around the staff) look different at a glance. Large rings are sampled.
    """
    rng = np.random.default_rng(seed)
    shells = []
    for role in SHELL_ORDER:
        nodes = [v for v, r in graph.nodes(data="role") if r == role and graph.degree(v) > 0]
        if len(nodes) > limit:
            nodes = [nodes[i] for i in sorted(rng.choice(len(nodes), size=limit, replace=False))]
        if nodes:
            shells.append((role, nodes))
    sub = graph.subgraph([v for _, nodes in shells for v in nodes])
    fig, ax = plt.subplots(figsize=(6.5, 6.5))
    if shells:
        pos = nx.shell_layout(sub, nlist=[nodes for _, nodes in shells], rotate=0)
        nx.draw_networkx_edges(sub, pos, ax=ax, alpha=0.08, width=0.4)
        for role, nodes in shells:
            nx.draw_networkx_nodes(sub, pos, nodelist=nodes, node_color=ROLE_COLORS[role], node_size=14,
                                   linewidths=0, ax=ax, label=f"{role} ({len(nodes)})")
        ax.legend(frameon=False, fontsize=7, loc="lower left")
    ax.set_title(f"{title}\nroles from the centre out (core to periphery)", fontsize=10)
    ax.set_axis_off()
    return fig


def bipartite_figure(graph: nx.Graph, sessions, title: str = "", last: int = 25):
    """People (left) and the activities they attended (right), for the last few sessions."""
    recent = list(sessions)[-last:]
    b = nx.Graph()
    for i, (day, kind, people) in enumerate(recent):
        act = f"a{i}"
        b.add_node(act, side=1, kind=kind, day=day)
        for uid in people:
            if uid in graph:
                b.add_node(uid, side=0, role=graph.nodes[uid]["role"])
                b.add_edge(uid, act)
    fig, ax = plt.subplots(figsize=(7, 6))
    if b.number_of_nodes():
        persons = sorted((v for v, d in b.nodes(data="side") if d == 0), key=lambda v: SHELL_ORDER.index(
            b.nodes[v]["role"]) if b.nodes[v]["role"] in SHELL_ORDER else 9)
        acts = [v for v, d in b.nodes(data="side") if d == 1]
        pos = {v: (0.0, 1 - i / max(1, len(persons) - 1)) for i, v in enumerate(persons)}
        pos |= {v: (1.0, 1 - i / max(1, len(acts) - 1)) for i, v in enumerate(acts)}
        nx.draw_networkx_edges(b, pos, ax=ax, alpha=0.15, width=0.4)
        for role in SHELL_ORDER:
            nodes = [v for v in persons if b.nodes[v]["role"] == role]
            if nodes:
                nx.draw_networkx_nodes(b, pos, nodelist=nodes, node_color=ROLE_COLORS[role], node_size=8,
                                       linewidths=0, ax=ax, label=role)
        kinds = sorted({b.nodes[a]["kind"] for a in acts})
        for j, kind in enumerate(kinds):
            nodes = [a for a in acts if b.nodes[a]["kind"] == kind]
            nx.draw_networkx_nodes(b, pos, nodelist=nodes, node_shape="s", node_color=f"C{j + 3}", node_size=40,
                                   ax=ax, label=kind.replace("_", " "))
        ax.legend(frameon=False, fontsize=7, loc="upper center", ncol=4, bbox_to_anchor=(0.5, -0.02))
    ax.set_title(f"{title}\npeople (left) and the last {len(recent)} activities (right)", fontsize=10)
    ax.set_axis_off()
    return fig


def sensitivity_figure(indices, method: str):
    """One panel per output: mu* with its CI and sigma (Morris), or S1 and ST with CIs (Sobol)."""
    outputs = list(dict.fromkeys(indices["output"]))
    fig, axes = plt.subplots(1, len(outputs), figsize=(4.2 * len(outputs), 0.45 * indices["parameter"].nunique() + 2),
                             squeeze=False)
    for ax, output in zip(axes[0], outputs, strict=True):
        sub = indices[indices["output"] == output].sort_values("rank", ascending=False)
        y = np.arange(len(sub))
        if method == "morris":
            ax.barh(y, sub["mu_star"], xerr=sub["mu_star_conf"], color="C0", label="mu*", capsize=2)
            ax.plot(sub["sigma"], y, "k|", markersize=12, label="sigma")
        else:
            ax.barh(y - 0.2, sub["S1"], 0.4, xerr=sub["S1_conf"], color="C0", label="S1", capsize=2)
            ax.barh(y + 0.2, sub["ST"], 0.4, xerr=sub["ST_conf"], color="C1", label="ST", capsize=2)
        ax.set_yticks(y, sub["parameter"], fontsize=8)
        ax.set_title(output, fontsize=10)
        ax.legend(frameon=False, fontsize=7)
    fig.suptitle(f"Sensitivity ({'Morris screening' if method == 'morris' else 'Sobol indices'}), 95% CIs")
    fig.tight_layout()
    return fig


def map_figure(grid, outcomes: tuple[str, ...], presets: dict[str, dict[str, float]]):
    """Heatmaps of outcomes over the map (public_market x open_closed), presets marked."""
    cols = 4
    rows = int(np.ceil(len(outcomes) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 3.6 * rows), squeeze=False)
    pm = np.sort(grid["public_market"].unique())
    oc = np.sort(grid["open_closed"].unique())
    for ax, metric in zip(axes.flat, outcomes, strict=False):
        z = grid.pivot_table(index="open_closed", columns="public_market", values=metric).reindex(index=oc, columns=pm)
        im = ax.imshow(z.to_numpy(), origin="lower", extent=(-0.5 / (len(pm) - 1), 1 + 0.5 / (len(pm) - 1),
                       -0.5 / (len(oc) - 1), 1 + 0.5 / (len(oc) - 1)), aspect="auto", cmap="viridis")
        fig.colorbar(im, ax=ax, shrink=0.8)
        for name, pos in presets.items():
            ax.plot(pos["public_market"], pos["open_closed"], "w^", markeredgecolor="k", markersize=7)
            ax.annotate(name.replace("_", " "), (pos["public_market"], pos["open_closed"]), fontsize=6,
                        color="white", xytext=(4, 4), textcoords="offset points")
        ax.set_title(metric.replace("_", " "), fontsize=9)
        ax.set_xlabel("public mission -> market", fontsize=8)
        ax.set_ylabel("open -> closed", fontsize=8)
    for ax in list(axes.flat)[len(outcomes):]:
        ax.set_axis_off()
    fig.suptitle("The case study's map, quantified (mean over replications; presets marked)")
    fig.tight_layout()
    return fig
