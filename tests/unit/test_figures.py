"""Figures that cannot mislead: bars at their value, whole labels, one palette, labelled colour bars."""

import numpy as np
import pandas as pd

from sim import plots


def _funnel_table(means):
    rows = []
    for name, values in means.items():
        for step, v in zip(plots.FUNNEL_STEPS, values, strict=True):
            rows.append({"metric": step, "scenario": name, "mean": v, "ci_low": max(0.0, v * 0.9),
                         "ci_high": v * 1.1})
    return pd.DataFrame(rows)


def test_funnel_bars_stand_at_their_value_with_no_floor():
    table = _funnel_table({"open": [8000, 3400, 120, 15], "closed": [200, 50, 0.1, 0.4]})
    fig = plots.funnel_ci_figure(table)
    heights = sorted(round(p.get_height(), 6) for p in fig.axes[0].patches)
    assert heights == sorted([8000, 3400, 120, 15, 200, 50, 0.1, 0.4])
    fig = plots.funnel_figure({"lab": {"visitors": 10, "returning_visitors": 2, "contributors": 0, "partners": 0}})
    assert sorted(p.get_height() for p in fig.axes[0].patches) == [0, 0, 2, 10]


def test_network_metric_figure_keeps_whole_scenario_names():
    names = ["carrefour_numerique", "institution_culturelle"]
    rows = [{"metric": m, "scenario": n, "mean": 0.5, "ci_low": 0.4, "ci_high": 0.6}
            for m in plots.NETWORK_SHOWN for n in names]
    fig = plots.network_metrics_figure(pd.DataFrame(rows))
    ticks = [t.get_text().replace("\n", " ") for t in fig.axes[0].get_xticklabels()]
    assert ticks == ["carrefour numerique", "institution culturelle"]


def test_one_colour_per_activity_in_every_figure():
    assert plots.activity_color("workshop") == plots.ACTIVITY_COLORS["workshop"]
    assert plots.activity_color("client_project") == plots.activity_color("client_project")  # a new kind: fixed
    assert len(set(plots.ACTIVITY_COLORS.values())) == len(plots.ACTIVITY_COLORS)


def test_map_marks_presets_with_their_own_results_and_labels_its_colour_bars():
    axis = np.linspace(0, 1, 3)
    grid = pd.DataFrame([{"public_market": pm, "open_closed": oc, "visitors": 5000.0 * (1 - oc)}
                         for oc in axis for pm in axis])
    presets = {"le_cube": {"public_market": 0.5, "open_closed": 0.5}}
    fig = plots.map_figure(grid, ("visitors",), presets, {"le_cube": {"visitors": 1847.0}})
    labels = [ax.get_ylabel() for ax in fig.axes]
    assert "Visitors (people)" in labels  # the colour bar says what and in which unit
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any("1,847" in t for t in texts)
    assert all(t.get_color() == "black" for t in fig.axes[0].texts)


def test_rings_say_the_sample_and_the_replication():
    import networkx as nx

    g = nx.Graph()
    g.add_node(0, role="mediator")
    for i in range(1, 30):
        g.add_node(i, role="visitor")
        g.add_edge(0, i)
    fig = plots.role_shells_figure(g, "lab", limit=10, caption="replication 1 of 3")
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "visitor: 10 shown (a random sample of 29)" in legend
    assert "replication 1 of 3" in fig.axes[0].get_title()
