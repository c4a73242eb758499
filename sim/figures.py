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
from sim.outcomes import SERIES, fmt, label, number
from sim.outcomes import get as outcome

matplotlib.rcParams["text.parse_math"] = False  # names are labels: "$\\frac{$" is drawn as typed, never parsed as math

if TYPE_CHECKING:
    from sim.run import RunResult

# -- the one palette: every figure (and the explorer) takes its colours here ----------
ROLE_COLORS = {
    "visitor": "#9ecae1",
    "contributor": "#3182bd",
    "partner": "#e6550d",
    "mediator": "#31a354",
    "artist": "#756bb1",
    "engineer": "#636363",
    "client": "#fdae6b",
}
ACTIVITY_COLORS = {  # one colour per kind of activity, the same in every lab's figure
    "open_session": "#8c564b",
    "workshop": "#d62728",
    "event": "#bcbd22",
    "project": "#17becf",
    "residency": "#e377c2",
    "confidential": "#7f7f7f",
}
SCENARIO_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#17becf")
EXTRA_COLORS = ("#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#5254a3", "#8ca252", "#bd9e39")


def activity_color(kind: str) -> str:
    """The activity's colour; a kind added later gets a fixed colour from its name (the same in every figure)."""
    if kind in ACTIVITY_COLORS:
        return ACTIVITY_COLORS[kind]
    import zlib

    return EXTRA_COLORS[zlib.crc32(kind.encode()) % len(EXTRA_COLORS)]


def scenario_color(i: int) -> str:
    """The i-th compared scenario's colour, the same in the funnels, the network metrics and the time series."""
    return SCENARIO_COLORS[i % len(SCENARIO_COLORS)]


def wrap_label(text: str, width: int = 14) -> str:
    """A long name on several lines instead of cut short (institution_culturelle -> institution / culturelle)."""
    import textwrap

    return "\n".join(textwrap.wrap(text.replace("_", " "), width, break_long_words=False)) or text
def seed_label(seed: int) -> str:
    """A seed as a title shows it: whole up to 8 digits, else its first and last 4 (4215...4960), as a short hash."""
    text = str(int(seed))
    return text if len(text) <= 8 else f"{text[:4]}...{text[-4:]}"


NETWORK_DRAW_LIMIT = 800  # nodes drawn at most; the rest of the periphery is sampled out


def save(fig, path: Path) -> Path:
    """Save a figure atomically and close it."""
    from sim.io import atomic_write

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
        bars = ax.bar(x + i * width, values, width, label=name, color=scenario_color(i))  # the value, no floor
        ax.bar_label(bars, labels=[f"{v:,}" for v in values], fontsize=8)
    ax.set_xticks(x + width * (len(summaries) - 1) / 2, [label(s, unit=False) for s in FUNNEL_STEPS])
    _symlog(ax)
    ax.set_ylabel("distinct people (symlog scale: linear below 1, log above)")
    ax.set_title("Engagement funnel")
    ax.legend(frameon=False)
    return fig


_plain = matplotlib.ticker.FuncFormatter(lambda v, _: number(v))  # 0.002, 1,000: never 2x10^-3


def _symlog(ax) -> None:
    """A log scale that also shows values below 1 at their height (0.1 is drawn as 0.1, 0 as 0): no floor."""
    ax.set_yscale("symlog", linthresh=1.0, linscale=0.5)
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter(_plain)


def readable_y(ax, values, symlog: bool = False) -> None:
    """A y axis a person can read: log only when the values span a wide range, and at least three labelled ticks.

    A log axis over a narrow range (a density of 0.0021 to 0.0025, active
    visitors of 300 to 400) shows one tick or none; it is linear then. On a log
    axis ticks fall at 1, 2 and 5 of each decade, labelled in plain numbers.
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    wide = v.size > 0 and v.max() / v.min() >= 30
    if wide:
        if symlog:
            ax.set_yscale("symlog", linthresh=1.0, linscale=0.5)
            ax.set_ylim(bottom=0)
        else:
            ax.set_yscale("log")
        ax.yaxis.set_major_locator(matplotlib.ticker.LogLocator(subs=(1.0, 2.0, 5.0)) if not symlog else
                                   matplotlib.ticker.SymmetricalLogLocator(linthresh=1.0, base=10, subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    else:
        ax.set_yscale("linear")
        ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(5))
    ax.yaxis.set_major_formatter(_plain)


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
        _mark_warmup(ax, ts["time"])
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


# -- comparisons -------------------------------------------------------------------
NETWORK_SHOWN = ("density", "avg_clustering", "giant_component_share", "degree_centralization",
                 "mediator_betweenness_share", "modularity")
SERIES_SHOWN = ("visitors", "contributors", "partners", "visits")


def _ci_bars(ax, table, metrics, names, log=False):
    """Bars at the mean (never floored) with their 95% CI; on a symlog axis when log, so 0.1 is drawn as 0.1."""
    width = 0.8 / len(names)
    x = np.arange(len(metrics))
    for i, name in enumerate(names):
        sub = table[table["scenario"] == name].set_index("metric").reindex(list(metrics))
        mean = sub["mean"].to_numpy(dtype=float)
        err = np.vstack([mean - sub["ci_low"].to_numpy(dtype=float), sub["ci_high"].to_numpy(dtype=float) - mean])
        ax.bar(x + i * width, np.nan_to_num(mean), width, yerr=np.clip(np.nan_to_num(err), 0, None), capsize=2,
               label=name, color=scenario_color(i))
        top = np.fmax(mean, sub["ci_high"].to_numpy(dtype=float))  # above the interval's cap, never across it
        crowded = len(names) > 2
        for xi, m, v, y in zip(x + i * width, metrics, mean, top, strict=True):
            if np.isfinite(v):
                ax.annotate(fmt(m, v), (xi, y if np.isfinite(y) else v), xytext=(0, 2), textcoords="offset points",
                            ha="center", va="bottom", fontsize=6 if crowded else 7, rotation=90 if crowded else 0)
    ax.set_xticks(x + width * (len(names) - 1) / 2, [label(m, unit=False) for m in metrics], rotation=20, ha="right")
    if log:
        _symlog(ax)
        high = np.nanmax(table[table["metric"].isin(list(metrics))]["ci_high"].to_numpy(dtype=float), initial=1.0)
        ax.set_ylim(0, max(high, 1.0) * (30 if len(names) > 2 else 6))  # room for the labels above the bars


def funnel_ci_figure(table):
    """Funnels side by side: mean and 95% CI of each rung, per scenario, each bar at its value."""
    names = list(dict.fromkeys(table["scenario"]))
    fig, ax = plt.subplots(figsize=(8, 4.5))
    _ci_bars(ax, table, FUNNEL_STEPS, names, log=True)
    ax.set_ylabel("distinct people\n(symlog scale: linear below 1, log above)")
    ax.set_title("Engagement funnels (mean and 95% CI over replications)")
    ax.legend(frameon=False, fontsize=8)
    return fig


def focus_figure(table, metrics):
    """The asked-about outcomes' paired differences to the first scenario, with their 95% intervals (a forest plot).

    One row per outcome (each in its own unit, so each has its own axis), a
    point per other scenario; the dashed line is no difference. A ratio under
    its floor is said in words instead of drawn.
    """
    names = list(dict.fromkeys(table["scenario"]))
    others = names[1:]
    metrics = [m for m in metrics if m in set(table["metric"])]
    fig, axes = plt.subplots(len(metrics), 1, figsize=(4.8, 0.35 + (0.5 + 0.28 * len(others)) * len(metrics)),
                             squeeze=False)
    for ax, metric in zip(axes[:, 0], metrics, strict=True):
        o = outcome(metric)
        sub = table[table["metric"] == metric].set_index("scenario").reindex(others)
        y = np.arange(len(others))[::-1]
        diff = sub["diff"].to_numpy(dtype=float)
        lo, hi = sub["diff_low"].to_numpy(dtype=float), sub["diff_high"].to_numpy(dtype=float)
        for i, name in enumerate(others):
            if not np.isfinite(diff[i]):
                ax.text(0, y[i], f"{name}: {fmt(metric, None)}", ha="center", va="center", fontsize=8)
                continue
            ax.errorbar(diff[i], y[i], xerr=[[max(diff[i] - lo[i], 0)], [max(hi[i] - diff[i], 0)]], fmt="o",
                        color=scenario_color(names.index(name)), capsize=3, markersize=5)
            ax.annotate(f"{fmt(metric, diff[i], sign=True)} [{fmt(metric, lo[i], sign=True)} to "
                        f"{fmt(metric, hi[i], sign=True)}]", (diff[i], y[i]), xytext=(0, 6), textcoords="offset points",
                        ha="center", va="bottom", fontsize=7)
        ax.axvline(0, color="#555555", linewidth=0.8, linestyle="--")
        finite = np.concatenate([v[np.isfinite(v)] for v in (lo, hi)] + [np.zeros(1)])
        span = max(finite.max() - finite.min(), 1e-9)
        ax.set_xlim(finite.min() - 0.25 * span, finite.max() + 0.25 * span)
        ax.set_ylim(-0.6, len(others) - 0.1)
        if len(others) > 1:
            ax.set_yticks(y, [wrap_label(n, 18) for n in others], fontsize=7)
        else:
            ax.set_yticks([])  # one scenario against the first: the title names it
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _, m=metric: fmt(m, v, sign=True)))
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(5))
        ax.tick_params(axis="x", labelsize=7)
        against = f"{others[0]} - {names[0]}" if len(others) == 1 else f"difference to {names[0]}"
        ax.set_title(f"{o.label} ({o.diff_unit or '-'}): {against}", fontsize=8, loc="left")
    fig.tight_layout(h_pad=0.4)
    return fig


def network_metrics_figure(table):
    """The network's shape per scenario: one panel per metric, mean and 95% CI."""
    names = list(dict.fromkeys(table["scenario"]))
    fig, axes = plt.subplots(2, 3, figsize=(11, 7))
    for ax, metric in zip(axes.flat, NETWORK_SHOWN, strict=True):
        sub = table[table["metric"] == metric].set_index("scenario").reindex(names)
        mean = sub["mean"].to_numpy(dtype=float)
        err = np.vstack([mean - sub["ci_low"].to_numpy(dtype=float), sub["ci_high"].to_numpy(dtype=float) - mean])
        ax.bar(range(len(names)), np.nan_to_num(mean), yerr=np.clip(np.nan_to_num(err), 0, None), capsize=3,
               color=[scenario_color(i) for i in range(len(names))])
        ax.set_xticks(range(len(names)), [wrap_label(n) for n in names], fontsize=7)  # whole names, wrapped
        o = outcome(metric)
        ax.set_title(f"{o.label}\n({'%' if o.kind == 'share' else o.unit})", fontsize=9)
        if o.kind == "share":
            ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
        if metric == "density":
            readable_y(ax, np.concatenate([mean, sub["ci_low"].to_numpy(dtype=float)]))
            if ax.get_yscale() == "log":
                ax.set_title(f"{o.label}\n({o.unit}, log scale)", fontsize=9)
    fig.suptitle("Collaboration networks: swarm or island (mean and 95% CI)")
    fig.tight_layout()
    return fig


def _mark_warmup(ax, times, warmup_years: float | None = None) -> None:
    """Shade the warm-up (time < 0) when the series holds it; else say where day 0 is."""
    times = np.asarray(times, dtype=float)
    if times.size and times.min() < 0:
        ax.axvspan(times.min(), 0, color="#dddddd", alpha=0.6, linewidth=0, label="warm-up (not measured)")
    ax.axvline(0, color="#555555", linewidth=0.8, linestyle=":")


def timeseries_bands_figure(series, scenario_of: dict[str, str], warmup: dict[str, float] | None = None):
    """Weekly series per scenario: mean line and 95% CI band over replications; day 0 is the end of the warm-up."""
    from scipy import stats

    names = list(dict.fromkeys(scenario_of.values()))
    df = series.assign(scenario=series["run_id"].map(scenario_of))
    fig, axes = plt.subplots(2, 2, figsize=(10, 6.5), sharex=True)
    for ax, col in zip(axes.flat, SERIES_SHOWN, strict=True):
        for i, name in enumerate(names):
            g = df[df["scenario"] == name].groupby("time")[col]
            mean, sem, n = g.mean(), g.sem(), g.count()
            half = (sem * stats.t.ppf(0.975, np.maximum(n - 1, 1))).fillna(0)
            low = (mean - half).clip(lower=0)  # people and visits are never below zero
            ax.plot(mean.index, mean, color=scenario_color(i), label=name)
            ax.fill_between(mean.index, low, mean + half, color=scenario_color(i), alpha=0.2, linewidth=0)
        text, unit = SERIES[col]
        readable_y(ax, df[col].to_numpy(dtype=float), symlog=True)
        ax.set_title(f"{text} ({unit}{', log scale' if ax.get_yscale() != 'linear' else ''})", fontsize=9)
        _mark_warmup(ax, df["time"])
    if warmup:
        said = ", ".join(f"{n} {w:g} y" for n, w in warmup.items())
        xlabel = f"day (0 = end of the warm-up: {said})"
        xlabel = xlabel if len(xlabel) < 95 else "day (0 = end of each scenario's warm-up)"
    else:
        xlabel = "day (0 = end of the warm-up)"
    axes[1, 0].set_xlabel(xlabel, fontsize=8)
    axes[1, 1].set_xlabel(xlabel, fontsize=8)
    axes[0, 0].legend(frameon=False, fontsize=7)
    fig.suptitle("Measured period, weekly: mean and 95% CI band over replications")
    if warmup and not any(w > 0 for w in warmup.values()):
        fig.text(0.5, 0.005, "No warm-up: the lab starts empty, so the first months are a transient, not a steady "
                 "state.", ha="center", fontsize=8, color="#b30000")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig


# -- network pictures: swarm against island -----------------------------------------
SHELL_ORDER = ("mediator", "partner", "engineer", "contributor", "artist", "client", "visitor")


def role_shells_figure(graph: nx.Graph, title: str = "", seed: int = 0, limit: int = 400, caption: str = ""):
    """Core-periphery by role: staff at the centre, then partners, contributors, artists, visitors outside.

    Each ring holds one role; edges show who is tied to whom, so a swarm (many
    spokes from the staff out to a wide periphery) and an island (a small dense
    knot around the staff) look different at a glance. Large rings are sampled,
    and the legend says so ("visitor: 400 shown of 8,123"); `caption` says which
    run is drawn (a comparison draws one replication of many).
    """
    rng = np.random.default_rng(seed)
    shells, totals = [], {}
    for role in SHELL_ORDER:
        nodes = [v for v, r in graph.nodes(data="role") if r == role and graph.degree(v) > 0]
        totals[role] = len(nodes)
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
            said = (f"{role}: {len(nodes):,} shown (a random sample of {totals[role]:,})" if len(nodes) < totals[role]
                    else f"{role}: {len(nodes):,}")
            nx.draw_networkx_nodes(sub, pos, nodelist=nodes, node_color=ROLE_COLORS[role], node_size=14,
                                   linewidths=0, ax=ax, label=said)
        ax.legend(frameon=False, fontsize=7, loc="upper left", bbox_to_anchor=(0.0, -0.01))
    people = sum(totals.values())
    head = f"{title}, {caption}" if caption else title
    ax.set_title(f"{head}\nroles from the centre out (core to periphery); {people:,} people with a tie",
                 fontsize=10)
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
