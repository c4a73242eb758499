"""The figures' shared style: one palette (the explorer's too), plain-number axes, and `save`.

Every figure module draws with these colours and formatters, so a role, an
activity or a compared scenario has the same colour in every picture labsim makes.
"""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from sim.outcomes import number

matplotlib.rcParams["text.parse_math"] = False  # names are labels: "$\\frac{$" is drawn as typed, never parsed as math

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
FUNNEL_COLORS = (ROLE_COLORS["visitor"], "#6baed6", ROLE_COLORS["contributor"], ROLE_COLORS["partner"])  # the rungs
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


class PlainLog(matplotlib.ticker.Formatter):
    """A log formatter's choice of ticks (which minor ones to label), written as plain numbers (`number`)."""

    def __init__(self, inner: matplotlib.ticker.Formatter) -> None:
        """Wrap `inner`, which still decides which ticks get a label."""
        self.inner = inner

    def set_axis(self, axis) -> None:
        """Both formatters see the axis (the inner one reads its view to choose the labelled ticks)."""
        super().set_axis(axis)
        self.inner.set_axis(axis)

    def set_locs(self, locs) -> None:
        """The inner formatter chooses, from the ticks shown, which minor ones to label."""
        super().set_locs(locs)
        self.inner.set_locs(locs)

    def __call__(self, x, pos=None) -> str:
        """The tick's value in plain numbers, or nothing where the inner formatter writes nothing."""
        return number(x) if self.inner(x, pos) else ""


def plain_text_ticks(fig) -> None:
    """Tick labels in plain numbers wherever matplotlib would write math text (log axes: 10^3, 2x10^-1).

    Math text is off in every figure (names are labels, `text.parse_math`), so
    matplotlib's own log formatters would print the math source of 10 to the 3rd as typed:
    each such formatter is wrapped to write the same ticks, the same ones left
    blank, as plain numbers (1,000 and 0.2).
    """
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for get, put in ((axis.get_major_formatter, axis.set_major_formatter),
                             (axis.get_minor_formatter, axis.set_minor_formatter)):
                old = get()
                if isinstance(old, matplotlib.ticker.LogFormatterMathtext):
                    put(PlainLog(old))


def save(fig, path: Path) -> Path:
    """Save a figure atomically and close it; its tick labels plain text (`plain_text_ticks`)."""
    from sim.io import atomic_write

    plain_text_ticks(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    atomic_write(path, buf.getvalue())
    return path



plain = matplotlib.ticker.FuncFormatter(lambda v, _: number(v))  # 0.002, 1,000: never 2x10^-3


def symlog_axis(ax) -> None:
    """A log scale that also shows values below 1 at their height (0.1 is drawn as 0.1, 0 as 0): no floor."""
    ax.set_yscale("symlog", linthresh=1.0, linscale=0.5)
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter(plain)


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
    ax.yaxis.set_major_formatter(plain)



def mark_warmup(ax, times, warmup_years: float | None = None) -> None:
    """Shade the warm-up (time < 0) when the series holds it; else say where day 0 is."""
    times = np.asarray(times, dtype=float)
    if times.size and times.min() < 0:
        ax.axvspan(times.min(), 0, color="#dddddd", alpha=0.6, linewidth=0, label="warm-up (not measured)")
    ax.axvline(0, color="#555555", linewidth=0.8, linestyle=":")

