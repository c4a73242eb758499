"""Figures of a comparison: scenarios side by side, on the same seeds.

Funnels and network metrics with their intervals, the asked-about differences,
the measured period's bands, and one replication's network drawn as rings of roles.
"""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import networkx as nx
import numpy as np

from sim.figures.style import ROLE_COLORS, mark_warmup, plain, readable_y, scenario_color, wrap_label
from sim.metrics import FUNNEL_STEPS
from sim.outcomes import SERIES, fmt, label
from sim.outcomes import get as outcome

NETWORK_SHOWN = ("density", "avg_clustering", "giant_component_share", "degree_centralization",
                 "mediator_betweenness_share", "modularity")
SERIES_SHOWN = ("visitors", "contributors", "partners", "visits")


FUNNEL_FONT = 8  # points: the smallest text of a funnel, read at 1x on a page


def _funnel_bars(ax, table, names):
    """Horizontal bars at the mean (never floored) with their 95% CI, one group per rung, on a symlog axis.

    Horizontal, so every label reads level at FUNNEL_FONT whatever the number of
    scenarios: rungs on the y axis, each bar's value just right of its interval's cap.
    """
    group = len(names) + 0.8  # rows per rung: a bar per scenario and a gap
    y0 = np.arange(len(FUNNEL_STEPS))[::-1] * group  # visitors at the top, partners at the bottom
    for i, name in enumerate(names):
        sub = table[table["scenario"] == name].set_index("metric").reindex(list(FUNNEL_STEPS))
        mean = sub["mean"].to_numpy(dtype=float)
        err = np.vstack([mean - sub["ci_low"].to_numpy(dtype=float), sub["ci_high"].to_numpy(dtype=float) - mean])
        y = y0 + (len(names) - 1) / 2 - i  # the first scenario on top of its group
        ax.barh(y, np.nan_to_num(mean), 0.85, xerr=np.clip(np.nan_to_num(err), 0, None), capsize=2,
                label=name, color=scenario_color(i))
        right = np.fmax(mean, sub["ci_high"].to_numpy(dtype=float))  # past the interval's cap, never across it
        for yi, m, v, x in zip(y, FUNNEL_STEPS, mean, right, strict=True):
            if np.isfinite(v):
                ax.annotate(fmt(m, v), (x if np.isfinite(x) else v, yi), xytext=(3, 0), textcoords="offset points",
                            ha="left", va="center", fontsize=FUNNEL_FONT)
    ax.set_yticks(y0, [label(m, unit=False) for m in FUNNEL_STEPS], fontsize=10)
    ax.tick_params(axis="x", labelsize=FUNNEL_FONT + 1)
    ax.set_xscale("symlog", linthresh=1.0, linscale=0.5)
    ax.xaxis.set_major_formatter(plain)
    ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    high = np.nanmax(table[table["metric"].isin(list(FUNNEL_STEPS))]["ci_high"].to_numpy(dtype=float), initial=1.0)
    ax.set_xlim(0, max(high, 1.0) * 12)  # a decade of room for the values right of the longest bar
    ax.set_ylim(y0[-1] - group / 2, y0[0] + group / 2)


def funnel_ci_figure(table):
    """Funnels side by side: mean and 95% CI of each rung, per scenario, each bar at its value, every label level."""
    names = list(dict.fromkeys(table["scenario"]))
    rows = len(FUNNEL_STEPS) * (len(names) + 0.8)
    fig, ax = plt.subplots(figsize=(8, 1.4 + 0.2 * rows))
    _funnel_bars(ax, table, names)
    ax.set_xlabel("distinct people (symlog scale: linear below 1, log above)", fontsize=9)
    ax.set_title("Engagement funnels (mean and 95% CI over replications)")
    below = ax.transAxes + matplotlib.transforms.ScaledTranslation(0, -0.5, fig.dpi_scale_trans)  # under the x label
    ax.legend(frameon=False, fontsize=9, loc="upper center", bbox_to_anchor=(0.5, 0), bbox_transform=below,
              ncol=min(3, len(names)))  # under the axes: never over a bar, whatever the values
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
        mark_warmup(ax, df["time"])
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
        ax.legend(frameon=False, fontsize=11, markerscale=2, loc="upper left", bbox_to_anchor=(0.0, -0.01),
                  title="people with a tie at the end, by role then", title_fontsize=11)  # read in a thumbnail
    people = sum(totals.values())
    head = f"{title}, {caption}" if caption else title
    ax.set_title(f"{head}\nroles from the centre out (core to periphery); {people:,} people with a tie",
                 fontsize=12)
    ax.set_axis_off()
    return fig


