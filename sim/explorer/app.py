"""labsim explorer: a Mesa SolaraViz app for students.

Run it with `labsim explore [SCENARIO]` (or `solara run sim/explorer/app.py`). Pick a
preset, move the governance sliders, press Reset to build the lab with them,
then Step (a week) or Play, and watch the funnel, the network (roles in rings,
staff at the centre) and each role over time.

The explorer starts from the preset's mature lab (its warm-up run once per
preset and seed in this session, then kept in memory): the sliders are a
policy applied from now on, and the first funnel reads like `labsim run`'s.
"Start from: an empty lab" builds the lab from its initial population at
day 0 instead, to watch it grow.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import numpy as np

try:
    import solara
    from mesa.visualization import Slider, SolaraViz
except ImportError:  # an optional extra: a batch-only install has no explorer
    raise ImportError("the labsim explorer needs the 'explore' extra: pip install 'labsim[explore]'") from None
from matplotlib.figure import Figure
from mesa.visualization.utils import update_counter

from sim import figures
from sim.config.scenario import Scenario, load_scenario, preset_names
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
MATURE, EMPTY = "a mature lab", "an empty lab"  # where a lab starts: after its preset's warm-up, or at day 0
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
                 rng: int = 42, start: str = MATURE) -> None:
        """Build the preset with the knobs' values: from its mature lab (a policy from now on) or from day 0."""
        knobs = {"access": access, "price_per_visit": price_per_visit, "mediators": mediators,
                 "events_per_year": events_per_year, "workshops_per_year": workshops_per_year,
                 "open_documentation": open_documentation, "contributor_selectivity": contributor_selectivity,
                 "internal_friction": internal_friction}
        changes = {k: (int(v) if k == "mediators" else float(v) if k != "access" else v)
                   for k, v in knobs.items() if v is not None}
        if changes.get("mediators") == 0:
            changes["workshops_per_year"] = 0.0  # no one to run them
        base, seed = base_scenario(preset), int(rng)
        if start == EMPTY:
            changes["warmup_years"] = 0.0  # the preset starts from its initial population: measure from day 0
            super().__init__(base.with_settings(**changes), rng=seed)
        else:  # the preset's lab after its warm-up; the knobs apply from now on
            super().__init__(base.with_settings(**changes), rng=seed, state=mature_lab(base, seed))
        self.preset, self.start = preset, start


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
    if model.start == EMPTY:
        where = "an empty lab built with these settings from day 0"
    else:
        where = f"a mature lab (after {counted(settings.warmup_years, 'year')} of warm-up); these settings apply from now on"
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
    fig = Figure(figsize=(5, 3.2))
    ax = fig.subplots()
    bars = ax.bar(range(4), list(f.values()), color=list(figures.FUNNEL_COLORS))
    ax.bar_label(bars, labels=[f"{v:,}" for v in f.values()], fontsize=8)
    ax.set_xticks(range(4), ["visitors", "returning", "contributors", "partners"], fontsize=8)
    ax.set_yscale("symlog", linthresh=1)
    ax.set_ylim(0, max(f.values()) * 3)
    ax.set_title("Engagement funnel (people so far)", fontsize=10)
    solara.FigureMatplotlib(fig, format="png", bbox_inches="tight")


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
    """Active people of each role, week by week."""
    update_counter.get()
    if not model.datacollector.model_vars.get("time"):  # before the first week's row: nothing to draw yet
        solara.Text("Active people per role: drawn from the end of the first week (Step runs a week).")
        return
    df = model.datacollector.get_model_vars_dataframe()
    fig = Figure(figsize=(5, 3.2))
    ax = fig.subplots()
    for role in ("visitors", "contributors", "partners", "mediators", "artists"):
        ax.plot(df["time"], np.asarray(df[role]), label=role, color=figures.ROLE_COLORS[role[:-1]],
                marker="o" if len(df) < 4 else None)  # the first weeks' points, not an invisible line
    ax.set_yscale("symlog")
    ax.legend(frameon=False, fontsize=7, ncol=3)
    ax.set_xlabel("day")
    ax.set_title("Active people per role (weekly)", fontsize=10)
    solara.FigureMatplotlib(fig, format="png", bbox_inches="tight")


def model_params(start: str = START) -> dict:
    """The explorer's controls: preset, seed and the governance sliders (starting at the preset's values)."""
    settings = base_scenario(start).settings
    presets = preset_names() if start in preset_names() else [start, *preset_names()]
    return {
        "preset": {"type": "Select", "value": start, "values": presets, "label": "Preset"},
        "start": {"type": "Select", "value": MATURE, "values": [MATURE, EMPTY], "label": "Start from"},
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


model = ExplorerModel()
page = SolaraViz(
    model,
    components=[Status, Funnel, Network, Roles],
    model_params=model_params(),
    name="labsim explorer",
    render_interval=7,  # Step = a week
)
page  # noqa: B018
