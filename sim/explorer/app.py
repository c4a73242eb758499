"""labsim explorer: a Mesa SolaraViz app for students.

Run it with `labsim explore [SCENARIO]` (or `solara run sim/explorer/app.py`). Pick a
preset, move the governance sliders, press Reset to build the lab with them,
then Step (a week) or Play, and watch the funnel, the network (roles in rings,
staff at the centre) and each role over time.

The first screen shows a mature lab's funnel: the preset's lab after its
warm-up (run once per preset and seed in this session, then kept in memory),
then a year with the sliders' settings, so the first funnel and the weekly
plot read like `labsim run`'s (about a second more than the warm-up). "Start
from" offers the same mature lab at the moment the settings apply (to watch a
policy's first weeks), or an empty lab from its initial population at day 0
(to watch it grow). The page's layout is `sim.explorer.layout`.
"""

from __future__ import annotations

import dataclasses
import json
import os
from enum import StrEnum
from pathlib import Path

import numpy as np

try:
    import solara
    from mesa.visualization import Slider
except ImportError:  # an optional extra: a batch-only install has no explorer
    raise ImportError("the labsim explorer needs the 'explore' extra: pip install 'labsim[explore]'") from None
import matplotlib
from matplotlib.figure import Figure
from mesa.visualization.utils import update_counter

from sim import figures
from sim.config.scenario import Scenario, load_scenario, preset_names
from sim.explorer.layout import ExplorerPage
from sim.metrics import summary
from sim.model.model import LabModel
from sim.model.state import LabState, read_state, settings_hash
from sim.run import warm_up_run
from sim.text import counted

START = os.environ.get("LABSIM_EXPLORE_SCENARIO", "carrefour_numerique")
if START.endswith(".toml") and Path(START).stem in preset_names() and Path(START).parent.name == "scenarios":
    START = Path(START).stem  # a preset given by its path is shown by its name
START_SETTINGS = json.loads(os.environ.get("LABSIM_EXPLORE_SET") or "{}")  # labsim explore --set KEY=VALUE
TITLE = "labsim explorer"
YEAR_DAYS = 365  # the first screen: a year of the settings on the mature lab, as `labsim run`'s default year
ROLES_FROM_WEEK = 4  # the weekly plot is drawn from its fourth point: one point on a 0.3-day axis says nothing


class Start(StrEnum):
    """Where the explorer's lab starts (the "Start from" select; the values are what it shows)."""

    YEAR_ON = "a mature lab, a year on"  # after the preset's warm-up, then a year with the settings
    TODAY = "a mature lab, from today"  # after the preset's warm-up; the settings apply from now on
    EMPTY = "an empty lab"  # the initial population at day 0, no warm-up

# The funnel and the weekly plot are SVG with their words as text (the network, thousands of dots, stays PNG):
# sharp at any zoom, and the browser test reads their tick labels ("1,000", never a raw "$\mathdefault{10^{3}}$").
matplotlib.rcParams["svg.fonttype"] = "none"
_MATURE_LABS: dict[tuple[str, int], LabState] = {}  # (settings hash, seed) -> the warmed-up lab, for this session
# Mesa's SolaraViz draws a tab bar ("Page 0") even for one page, and Vuetify shows a slider's value only while it is
# dragged: one page needs no tabs, and a student should see every setting's value.
STYLE = """
.v-window-item .v-tabs, .v-tabs:has(+ .v-window) { display: none !important; }
.v-slider__thumb-label-container { display: block !important; }
.v-slider--horizontal { margin-top: 28px; }
"""


class ExplorerModel(LabModel):
    """LabModel whose main governance knobs are keyword arguments, so that SolaraViz's sliders can set them.

    The knobs apply on top of the chosen preset (or the scenario file the explorer was started with).
    """

    def __init__(self, preset: str = START, access: str | None = None, price_per_visit: float | None = None,
                 mediators: int | None = None, events_per_year: float | None = None,
                 workshops_per_year: float | None = None, open_documentation: float | None = None,
                 contributor_selectivity: float | None = None, internal_friction: float | None = None,
                 rng: int = 42, start: str = Start.YEAR_ON) -> None:
        """Build the preset with the knobs' values: its mature lab (a year on, or now) or its lab at day 0."""
        knobs = {"access": access, "price_per_visit": price_per_visit, "mediators": mediators,
                 "events_per_year": events_per_year, "workshops_per_year": workshops_per_year,
                 "open_documentation": open_documentation, "contributor_selectivity": contributor_selectivity,
                 "internal_friction": internal_friction}
        changes = {k: (int(v) if k == "mediators" else float(v) if k != "access" else v)
                   for k, v in knobs.items() if v is not None}
        if changes.get("mediators") == 0:
            changes["workshops_per_year"] = 0.0  # no one to run them
        base, seed = base_scenario(preset), int(rng)
        start = Start(start)
        if start is Start.EMPTY:
            changes["warmup_years"] = 0.0  # the preset starts from its initial population: measure from day 0
            super().__init__(base.with_settings(**changes), rng=seed)
        else:  # the preset's lab after its warm-up; the knobs apply from now on
            super().__init__(base.with_settings(**changes), rng=seed, state=mature_lab(base, seed))
        self.preset, self.start = preset, start
        if start is Start.YEAR_ON:  # the first screen: a year's funnel, as `labsim run` measures it
            self.run_for(YEAR_DAYS)


def mature_lab(scenario: Scenario, seed: int) -> LabState:
    """The scenario's lab after its warm-up from `seed`: warmed up on first use, then kept for the session."""
    key = (settings_hash(dataclasses.asdict(scenario.settings)), seed)
    if key not in _MATURE_LABS:
        print(f"labsim explorer: warming up {scenario.name} ({counted(scenario.settings.warmup_years, 'year')}, seed {seed}); "
              "once per preset and seed ...", flush=True)
        _MATURE_LABS[key] = read_state(warm_up_run(scenario, seed), scenario.settings)
    return _MATURE_LABS[key]


def base_scenario(preset: str):
    """The preset or file to start from; the one the explorer was started with carries its --set keys."""
    scenario = load_scenario(preset)
    return scenario.with_settings(**START_SETTINGS) if preset == START and START_SETTINGS else scenario


def live_funnel(model: LabModel) -> dict[str, int]:
    """The funnel so far, of the measured period (cheap enough to redraw every step)."""
    outcomes = summary(model, network=False)
    return {step: int(outcomes[step]) for step in ("visitors", "returning_visitors", "contributors", "partners")}


@solara.component
def Status(model):
    """Where the lab stands: day, settings, funnel in numbers."""
    update_counter.get()
    solara.Title(TITLE)  # the browser tab's title (Solara's default is "App")
    solara.Style(STYLE)
    settings, f = model.settings, live_funnel(model)
    warmup = counted(settings.warmup_years, "year")
    where = {Start.EMPTY: "an empty lab built with these settings from day 0",
             Start.TODAY: f"a mature lab (after {warmup} of warm-up); these settings apply from day 0",
             Start.YEAR_ON: f"a mature lab (after {warmup} of warm-up) with these settings from day 0"}[model.start]
    solara.Markdown(
        f"**{model.lab_scenario.name}**, day **{model.time - model.measure_start:.0f}** ({where}) &nbsp; | &nbsp; "
        f"access **{settings.access}**, "
        f"mediators **{settings.mediators}**, price **{settings.price_per_visit:g} EUR**, events **{settings.events_per_year:g}**/yr, "
        f"workshops **{settings.workshops_per_year:g}**/yr, open documentation **{settings.open_documentation:g}**, "
        f"selectivity **{settings.contributor_selectivity:g}**, friction **{settings.internal_friction:g}**\n\n"
        + (f"Funnel so far: visitors **{f['visitors']}**, returning **{f['returning_visitors']}**, "
           f"contributors **{f['contributors']}**, partners **{f['partners']}**" if f["visitors"] else
           f"Funnel so far: visitors **0** yet (Step runs a week); in the lab now: contributors "
           f"**{f['contributors']}**, partners **{f['partners']}**")
    )


@solara.component
def Funnel(model):
    """The engagement funnel: each bar its value, on a scale linear up to 1 and logarithmic above (symlog)."""
    update_counter.get()
    f = live_funnel(model)
    if not f["visitors"]:  # day 0: no one has come yet; a funnel of the lab's regulars alone would stand on its head
        solara.Text("Engagement funnel: drawn once people have come (press Step).")
        return
    fig = funnel_figure(f, model.time - model.measure_start)
    solara.FigureMatplotlib(fig, format="svg", bbox_inches="tight")


def funnel_figure(f: dict[str, int], days: float) -> Figure:
    """The funnel's picture: plain numbers on its axis (1,000, never 10^3), room above the tallest bar's label."""
    fig = Figure(figsize=(5, 3.2))
    ax = fig.subplots()
    bars = ax.bar(range(4), list(f.values()), color=list(figures.FUNNEL_COLORS))
    ax.bar_label(bars, labels=[f"{v:,}" for v in f.values()], fontsize=8)
    ax.set_xticks(range(4), ["visitors", "returning", "contributors", "partners"], fontsize=8)
    figures.symlog_axis(ax)  # the tick labels are plain text: sim.figures turns math text off
    ax.set_ylim(0, max(f.values()) * 4)
    ax.tick_params(axis="y", labelsize=8)
    ax.set_title(f"Engagement funnel: people of days 0 to {days:.0f}", fontsize=10)
    figures.plain_text_ticks(fig)
    return fig


@solara.component
def Network(model):
    """The collaboration network, roles in rings from the staff at the centre."""
    update_counter.get()
    fig = figures.role_shells_figure(model.network.graph(), model.lab_scenario.name, seed=0, limit=250)
    solara.FigureMatplotlib(fig, format="png", bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)


@solara.component
def Roles(model):
    """Active people of each role, week by week, once there are a few weeks to draw."""
    update_counter.get()
    fig = roles_figure(model)
    if fig is None:  # one point on a 0.3-day axis says nothing
        solara.Text(f"Active people per role: drawn from week {ROLES_FROM_WEEK} (Step runs a week).")
        return
    solara.FigureMatplotlib(fig, format="svg", bbox_inches="tight")


def roles_figure(model) -> Figure | None:
    """The weekly plot of active people per role, in weeks since day 0; None before ROLES_FROM_WEEK weekly rows."""
    rows = model.datacollector.model_vars
    times = np.asarray(rows.get("time", []), dtype=float)
    keep = times > 0  # the measured weeks (a warmed-up lab's rows start at day 0)
    if keep.sum() < ROLES_FROM_WEEK:
        return None
    fig = Figure(figsize=(5, 3.2))
    ax = fig.subplots()
    values = []
    for role in ("visitors", "contributors", "partners", "mediators", "artists"):
        series = np.asarray(rows[role], dtype=float)[keep]
        values.append(series)
        ax.plot(times[keep] / 7, series, label=role, color=figures.ROLE_COLORS[role[:-1]])
    figures.readable_y(ax, np.concatenate(values), symlog=True)  # plain numbers, log only over a wide range
    ax.tick_params(labelsize=8)
    ax.legend(frameon=False, fontsize=8, ncol=5, loc="upper center", bbox_to_anchor=(0.5, -0.2),
              handlelength=1.2, columnspacing=1.0)  # under the axes, never over a line
    ax.set_xlabel("week (since day 0)", fontsize=8)
    ax.set_title("Active people per role (weekly)", fontsize=10)
    figures.plain_text_ticks(fig)
    return fig


def model_params(start: str = START) -> dict:
    """The explorer's controls: preset, seed and the governance sliders (starting at the preset's values)."""
    settings = base_scenario(start).settings
    presets = preset_names() if start in preset_names() else [start, *preset_names()]
    return {
        "preset": {"type": "Select", "value": start, "values": presets, "label": "Preset"},
        "start": {"type": "Select", "value": Start.YEAR_ON.value, "values": [s.value for s in Start],
                  "label": "Start from"},
        "rng": {"type": "InputText", "value": 42, "label": "Random seed"},
        "access": {"type": "Select", "value": settings.access, "values": ["open", "appointment"], "label": "Access"},
        "price_per_visit": Slider("Price per visit (EUR)", settings.price_per_visit, 0.0, 30.0, 1.0),
        "mediators": Slider("Mediators", settings.mediators, 0, 30, 1),
        "events_per_year": Slider("Big events a year", settings.events_per_year, 0.0, 60.0, 1.0),
        "workshops_per_year": Slider("Workshops a year", settings.workshops_per_year, 0.0, 150.0, 5.0),
        "open_documentation": Slider("Open documentation", settings.open_documentation, 0.0, 1.0, 0.1),
        "contributor_selectivity": Slider("Selectivity of membership", settings.contributor_selectivity, 0.0, 1.0, 0.1),
        "internal_friction": Slider("Internal friction", settings.internal_friction, 0.0, 1.0, 0.1),
    }


model = ExplorerModel()  # the first screen's lab, built (warm-up and a year) before the first request
page = ExplorerPage(model, components=[Status, Funnel, Network, Roles], model_params=model_params(), name=TITLE)
page  # noqa: B018
