"""The explorer's page: SolaraViz's layout, its run controls explained and the rarely needed ones folded.

Mesa's SolaraViz opens its sidebar with Play Interval, Render Interval and Use
Threads, unexplained, above the buttons a student needs. This page is built
from SolaraViz's own pieces (`ModelController`: Reset, Play, Step;
`ModelCreator`: the settings; `ComponentsView`: the plots) in another order:
Run (the buttons and a line saying what each does), Settings, and an
"Advanced" panel, folded, holding the three Mesa controls with a line each.
Reset, Step and Play behave exactly as in SolaraViz.
"""

from __future__ import annotations

import solara
import solara.lab
from mesa.visualization.solara_viz import ComponentsView, ModelController, ModelCreator

DAYS_PER_STEP = 7  # Step runs a week (Mesa's render interval: model steps, a day each, between two pictures)
PLAY_PAUSE_MS = 100  # Mesa's play interval: the pause between two steps while playing
ADVANCED = "Advanced: days per Step, play speed, threads"


@solara.component
def Advanced(days, pause, threads):
    """Mesa's run controls, each with what it does, folded away: the defaults suit a first visit."""
    with solara.Details(ADVANCED, expand=False), solara.Column():
        solara.SliderInt("Days per Step", value=days, on_value=days.set, min=1, max=28, step=1)
        solara.Text("Step runs this many days; while playing, the pictures are redrawn after each such run.")
        solara.SliderInt("Pause while playing (ms)", value=pause, on_value=pause.set, min=1, max=500, step=10)
        solara.Text("Waited between two runs while playing: larger is slower.")
        solara.Checkbox(label="Use threads", value=threads, on_value=threads.set)
        solara.Text("Draws in a second thread while playing: smoother on a fast machine; some pictures may "
                    "be skipped (then raise the pause).")


@solara.component
def ExplorerPage(model, components, model_params, name):
    """The explorer: app bar, sidebar (Run, Settings, Advanced folded) and the plots of the model."""
    model = solara.use_reactive(model)  # as SolaraViz: Reset replaces the model of this browser session
    parameters = solara.use_reactive({})
    days = solara.use_reactive(DAYS_PER_STEP)
    pause = solara.use_reactive(PLAY_PAUSE_MS)
    threads = solara.use_reactive(False)
    with solara.AppBar():
        solara.AppBarTitle(name)
        solara.lab.ThemeToggle()
    with solara.Sidebar(), solara.Column():
        with solara.Card("Run"):
            ModelController(model, model_parameters=parameters, play_interval=pause, render_interval=days,
                            use_threads=threads)
            solara.Markdown(f"**Step** runs {days.value} days; **▶** plays step after step (again to pause); "
                            "**Reset** builds the lab again with the settings below.")
        with solara.Card("Settings"):
            ModelCreator(model, model_params, model_parameters=parameters)
        Advanced(days, pause, threads)
    ComponentsView(list(components), model.value)
