"""Every matplotlib figure labsim draws, one module per kind of result, over one shared style.

`style` holds the palette (the explorer's too), the plain-number axes and `save`;
`run`, `compare`, `lab_map`, `sensitivity`, `search`, `discovery`, `calibration`
and `logs` draw the figures of each command. The names are re-exported here, so
callers write `from sim import figures; figures.save(figures.funnel_figure(...), path)`.
Figures take tables and return a matplotlib figure; only `save` (and the writers
that call it, e.g. `run_figures`) write files.
"""

from sim.figures.calibration import BAND, marginals_figure, pairs_figure, predictive_figures
from sim.figures.compare import (
    NETWORK_SHOWN,
    SERIES_SHOWN,
    SHELL_ORDER,
    focus_figure,
    funnel_ci_figure,
    network_metrics_figure,
    role_shells_figure,
    timeseries_bands_figure,
)
from sim.figures.discovery import box_figure, trajectory_figure
from sim.figures.lab_map import LABEL_OFFSETS, map_figure
from sim.figures.logs import log_figures
from sim.figures.run import (
    NETWORK_DRAW_LIMIT,
    drawable_subgraph,
    funnel_figure,
    network_figure,
    run_figures,
    timeseries_figure,
)
from sim.figures.search import front_figure
from sim.figures.sensitivity import sensitivity_figure
from sim.figures.style import (
    ACTIVITY_COLORS,
    EXTRA_COLORS,
    FUNNEL_COLORS,
    ROLE_COLORS,
    SCENARIO_COLORS,
    activity_color,
    mark_warmup,
    plain,
    plain_text_ticks,
    readable_y,
    save,
    scenario_color,
    seed_label,
    symlog_axis,
    wrap_label,
)
from sim.metrics import FUNNEL_STEPS

__all__ = [
    "ACTIVITY_COLORS", "BAND", "EXTRA_COLORS", "FUNNEL_COLORS", "FUNNEL_STEPS", "LABEL_OFFSETS", "NETWORK_DRAW_LIMIT", "NETWORK_SHOWN",
    "ROLE_COLORS", "SCENARIO_COLORS", "SERIES_SHOWN", "SHELL_ORDER", "activity_color", "box_figure",
    "drawable_subgraph", "focus_figure", "front_figure", "funnel_ci_figure", "funnel_figure", "log_figures",
    "map_figure", "marginals_figure", "mark_warmup", "network_figure", "network_metrics_figure", "pairs_figure",
    "plain", "plain_text_ticks", "predictive_figures", "readable_y", "role_shells_figure", "run_figures", "save", "scenario_color", "seed_label",
    "sensitivity_figure", "symlog_axis", "timeseries_bands_figure", "timeseries_figure", "trajectory_figure", "wrap_label",
]
