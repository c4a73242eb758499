"""Figures that cannot mislead: bars at their value, whole labels, one palette, labelled colour bars."""

import numpy as np
import pandas as pd

from sim import figures


def _funnel_table(means):
    rows = []
    for name, values in means.items():
        for step, v in zip(figures.FUNNEL_STEPS, values, strict=True):
            rows.append({"metric": step, "scenario": name, "mean": v, "ci_low": max(0.0, v * 0.9),
                         "ci_high": v * 1.1})
    return pd.DataFrame(rows)


def test_funnel_bars_stand_at_their_value_with_no_floor():
    table = _funnel_table({"open": [8000, 3400, 120, 15], "closed": [200, 50, 0.1, 0.4]})
    fig = figures.funnel_ci_figure(table)  # horizontal bars: the value is the width
    widths = sorted(round(p.get_width(), 6) for p in fig.axes[0].patches)
    assert widths == sorted([8000, 3400, 120, 15, 200, 50, 0.1, 0.4])
    fig = figures.funnel_figure({"lab": {"visitors": 10, "returning_visitors": 2, "contributors": 0, "partners": 0}})
    assert sorted(p.get_height() for p in fig.axes[0].patches) == [0, 0, 2, 10]


def test_network_metric_figure_keeps_whole_scenario_names():
    names = ["carrefour_numerique", "institution_culturelle"]
    rows = [{"metric": m, "scenario": n, "mean": 0.5, "ci_low": 0.4, "ci_high": 0.6}
            for m in figures.NETWORK_SHOWN for n in names]
    fig = figures.network_metrics_figure(pd.DataFrame(rows))
    ticks = [t.get_text().replace("\n", " ") for t in fig.axes[0].get_xticklabels()]
    assert ticks == ["carrefour numerique", "institution culturelle"]


def test_one_colour_per_activity_in_every_figure():
    assert figures.activity_color("workshop") == figures.ACTIVITY_COLORS["workshop"]
    assert figures.activity_color("client_project") == figures.activity_color("client_project")  # a new kind: fixed
    assert len(set(figures.ACTIVITY_COLORS.values())) == len(figures.ACTIVITY_COLORS)


def test_map_marks_presets_with_their_own_results_and_labels_its_colour_bars():
    axis = np.linspace(0, 1, 3)
    grid = pd.DataFrame([{"public_market": pm, "open_closed": oc, "visitors": 5000.0 * (1 - oc)}
                         for oc in axis for pm in axis])
    presets = {"le_cube": {"public_market": 0.5, "open_closed": 0.5}}
    fig = figures.map_figure(grid, ("visitors",), presets, {"le_cube": {"visitors": 1847.0}})
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
    fig = figures.role_shells_figure(g, "lab", limit=10, caption="replication 1 of 3")
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "visitor: 10 shown (a random sample of 29)" in legend
    assert "replication 1 of 3" in fig.axes[0].get_title()


# -- readable figures (issue 24) -------------------------------------------------------------------------------------
def _visible_ticks(ax) -> list[str]:
    """The y tick labels inside the panel's limits, as drawn."""
    ax.figure.canvas.draw()
    low, high = sorted(ax.get_ylim())
    return [t.get_text() for t, v in zip(ax.get_yticklabels(), ax.get_yticks(), strict=True)
            if low <= v <= high and t.get_text()]


def _no_overlap(texts) -> bool:
    fig = texts[0].figure
    fig.canvas.draw()
    boxes = [t.get_window_extent(fig.canvas.get_renderer()) for t in texts]
    return not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


def test_every_network_panel_has_readable_ticks_even_for_a_narrow_density():
    names = ["carrefour_numerique", "cut"]
    rows = [{"metric": m, "scenario": n, "mean": v, "ci_low": v * 0.97, "ci_high": v * 1.03}
            for m in figures.NETWORK_SHOWN for n, v in zip(names, (0.00207, 0.00251), strict=True)]
    fig = figures.network_metrics_figure(pd.DataFrame(rows))
    for ax in fig.axes:
        assert len(_visible_ticks(ax)) >= 3, ax.get_title()  # not one tick, not none
    wide = [{"metric": m, "scenario": n, "mean": v, "ci_low": v * 0.97, "ci_high": v * 1.03}
            for m in figures.NETWORK_SHOWN for n, v in zip(names, (0.0005, 0.1), strict=True)]
    ax = figures.network_metrics_figure(pd.DataFrame(wide)).axes[0]
    assert ax.get_yscale() == "log" and len(_visible_ticks(ax)) >= 3 and "log scale" in ax.get_title()


def test_every_time_series_panel_has_readable_ticks():
    times = np.arange(7.0, 190.0, 7.0)
    rows = [{"run_id": f"{n}-{r}", "time": t, "visitors": 300 + 40 * r + 60 * i, "contributors": 60 + r,
             "partners": 10 + i, "visits": 400 + r} for i, n in enumerate(("a", "b")) for r in range(3) for t in times]
    fig = figures.timeseries_bands_figure(pd.DataFrame(rows), {f"{n}-{r}": n for n in "ab" for r in range(3)})
    for ax in fig.axes:
        assert len(_visible_ticks(ax)) >= 3, ax.get_title()


def test_a_run_s_time_series_panels_have_readable_ticks():
    times = np.arange(7.0, 365.0, 7.0)
    ts = pd.DataFrame({"time": times, "visitors": 300 + 0 * times, "contributors": 70.0, "partners": 9.0,
                       "mediators": 10.0, "artists": 5.0, "arrivals": 150.0, "visits": 400 + times,
                       "lapses": 20.0})
    for ax in figures.timeseries_figure(ts, "lab, seed 1").axes:
        assert len(_visible_ticks(ax)) >= 3


def test_funnel_value_labels_do_not_overlap_with_five_labs():
    table = _funnel_table({"carrefour_numerique": [8156, 3046, 127, 14.1], "digital_arti": [164, 119, 0.1, 0],
                           "friche": [2500, 914, 60.2, 7.97], "institution_culturelle": [29846, 3940, 3.02, 0.5],
                           "le_cube": [3400, 1185, 39.8, 5.09]})
    fig = figures.funnel_ci_figure(table)
    labels = fig.axes[0].texts
    assert len(labels) == 20 and _no_overlap(labels)


def _inside(artist, ax) -> bool:
    """Whether an artist's drawn box lies within the axes' frame (a pixel of slack for antialiasing)."""
    renderer = ax.figure.canvas.get_renderer()
    box, frame = artist.get_window_extent(renderer), ax.get_window_extent(renderer)
    return box.x0 >= frame.x0 - 1 and box.x1 <= frame.x1 + 1 and box.y0 >= frame.y0 - 1 and box.y1 <= frame.y1 + 1


def test_compare_funnel_labels_are_level_and_readable_with_five_labs():
    """Issue 34: compare's funnel labels were rotated and 6-7 pt; now level, 8 pt or more, inside the frame."""
    table = _funnel_table({"carrefour_numerique": [8156, 3046, 127, 14.1], "digital_arti": [164, 119, 0.1, 0],
                           "friche": [2500, 914, 60.2, 7.97], "institution_culturelle": [29846, 3940, 3.02, 0.5],
                           "le_cube": [3400, 1185, 39.8, 5.09]})
    fig = figures.funnel_ci_figure(table)
    ax = fig.axes[0]
    fig.canvas.draw()
    ticks = [t for t in ax.get_xticklabels() + ax.get_yticklabels() if t.get_text()]
    legend = ax.get_legend().get_texts()
    assert ticks and all(t.get_rotation() == 0 for t in [*ticks, *ax.texts])
    assert all(t.get_fontsize() >= 8 for t in [*ticks, *ax.texts, *legend])
    assert {t.get_text() for t in ax.get_yticklabels()} >= {"Visitors", "Partners"}
    right = ax.get_xlim()[1]
    assert all(0 <= p.get_width() <= right for p in ax.patches)
    assert all(_inside(t, ax) for t in ax.texts)  # every value within the frame


def test_run_funnel_bars_and_labels_stay_inside_the_frame():
    """Issue 34: the run's tallest bar and its label ran across the top of the frame."""
    fig = figures.funnel_figure({"lab": {"visitors": 8637, "returning_visitors": 3518, "contributors": 134,
                                         "partners": 16}})
    ax = fig.axes[0]
    fig.canvas.draw()
    low, high = ax.get_ylim()
    assert all(low <= p.get_y() and p.get_y() + p.get_height() < high for p in ax.patches)
    assert ax.texts and all(_inside(t, ax) for t in ax.texts)
    assert all(t.get_rotation() == 0 and t.get_fontsize() >= 8 for t in ax.get_xticklabels())
    label = ax.yaxis.label.get_window_extent(fig.canvas.get_renderer())
    assert label.height <= ax.get_window_extent().height  # the axis title no longer than the axis


def test_the_map_stays_in_its_domain_with_separate_labels_and_euros_on_its_colour_bars():
    axis = np.linspace(0, 1, 5)
    grid = pd.DataFrame([{"public_market": pm, "open_closed": oc, "revenue": 400000.0 * pm, "visitors": 100.0 + oc}
                         for oc in axis for pm in axis])
    where = {"carrefour_numerique": (0.15, 0.15), "digital_arti": (0.85, 0.85), "friche": (0.35, 0.10),
             "institution_culturelle": (0.15, 0.85), "le_cube": (0.5, 0.5)}
    presets = {k: {"public_market": a, "open_closed": b} for k, (a, b) in where.items()}
    own = {k: {"revenue": 56789.0, "visitors": 1234.0} for k in presets}
    fig = figures.map_figure(grid, ("revenue", "visitors"), presets, own)
    panel = fig.axes[0]
    bar = next(ax for ax in fig.axes if ax.get_ylabel() == "Revenue (EUR)")  # the panel's colour bar
    assert panel.get_xlim() == (0.0, 1.0) and panel.get_ylim() == (0.0, 1.0)  # clipped to the map's domain
    assert _no_overlap(panel.texts) and len(panel.texts) == 5
    ticks = [t.get_text() for t in bar.get_yticklabels() if t.get_text()]
    assert ticks and all(t.startswith("€") for t in ticks), ticks


def test_seeds_in_titles_are_short():
    assert figures.seed_label(1) == "1" and figures.seed_label(20260101) == "20260101"
    assert figures.seed_label(4215923173971654960) == "4215...4960"


def test_the_focus_figure_draws_each_paired_difference_with_its_interval():
    nan = float("nan")
    rows = [{"metric": m, "scenario": n, "mean": 1.0, "ci_low": 1.0, "ci_high": 1.0, "diff": d, "diff_low": lo,
             "diff_high": hi} for m, n, d, lo, hi in (
                ("contributors", "open", nan, nan, nan), ("contributors", "cut", -5.9, -11.5, -0.293),
                ("net_result", "open", nan, nan, nan), ("net_result", "cut", 394.0, -497.0, 1285.0),
                ("cost_per_contributor", "open", nan, nan, nan), ("cost_per_contributor", "cut", nan, nan, nan))]
    fig = figures.focus_figure(pd.DataFrame(rows), ["contributors", "net_result", "cost_per_contributor"])
    said = [[t.get_text() for t in ax.texts] for ax in fig.axes]
    assert said[0] == ["-5.9 [-11.5 to -0.293]"] and said[1] == ["+€394 [-€497 to +€1,285]"]
    assert said[2] == ["cut: n/a (<5 contributors)"]  # a ratio under its floor is said, not drawn
    assert fig.axes[0].get_title(loc="left") == "Contributors (people): cut - open"
    for ax in fig.axes[:2]:
        low, high = ax.get_xlim()
        assert low < 0 < high and len(_visible_ticks(ax)) == 0  # zero is on the axis; no stray y tick


def test_the_network_figure_says_what_its_legend_counts_and_rings_the_core():
    # issue 34: a hairball with a black core; legend counts that differ from the summary's without a word
    import networkx as nx

    from sim.figures.run import VISITORS_DRAWN, innermost_core, network_figure

    g = nx.complete_graph(6)
    nx.set_node_attributes(g, "contributor", "role")
    for i in range(6, 6 + 3 * VISITORS_DRAWN):
        g.add_node(i, role="visitor")
        g.add_edge(i, i % 6)
    g.add_node("alone", role="artist")
    assert innermost_core(g) == (set(range(6)), 5)
    fig = network_figure(g, "lab")
    legend = fig.axes[0].get_legend()
    texts = [t.get_text() for t in legend.get_texts()]
    assert legend.get_title().get_text() == "people with a tie at the end, by role then"
    assert f"visitor: {VISITORS_DRAWN} shown of {3 * VISITORS_DRAWN:,} (a sample)" in texts
    assert "contributor: 6" in texts and any(t.startswith("innermost core (5-core): 6 people") for t in texts)
    assert not any(t.startswith("artist") for t in texts)  # no tie: not in the picture, not counted


def test_log_axes_are_labelled_in_plain_numbers_when_saved(tmp_path):
    """Issue 34: math text is off, so matplotlib's log labels read `$\\mathdefault{2\\times10^{-1}}$` as typed."""
    import matplotlib.pyplot as plt

    for xs, ys in (([1, 2, 3, 5], [0.5, 0.3, 0.2, 0.1]), ([1, 1e5], [1, 1e4])):  # a narrow range, a wide one
        fig, ax = plt.subplots()
        ax.loglog(xs, ys)
        fig.canvas.draw()
        raw = [t.get_text() for t in ax.get_xticklabels(minor=True) + ax.get_xticklabels() if t.get_text()]
        figures.save(fig, tmp_path / "log.png")  # save() writes the same ticks in plain numbers
        labels = [t.get_text() for a in (ax.xaxis, ax.yaxis) for minor in (False, True)
                  for t in a.get_ticklabels(minor=minor) if t.get_text()]
        assert labels and all("$" not in t and "mathdefault" not in t for t in labels), labels
        assert all(any(c.isdigit() for c in t) for t in labels)
        assert len([t for t in ax.get_xticklabels(minor=True) + ax.get_xticklabels() if t.get_text()]) == len(raw)
