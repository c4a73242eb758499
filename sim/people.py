"""The per-person table of a run (`people.csv`): Mesa's agent reporters, once, at the end.

One row per person the model still knows at the end of the run: everyone active,
and everyone dormant who has not yet been forgotten. People who stopped coming
more than `forget_after_days` before the end were archived by
`LabModel.forget_the_long_gone` (their agent and ties dropped, their counts kept
in the summary), so they are not listed. Staff (mediators) are listed too, so that
the table joins `network.graphml` on `id`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from sim.model import LabModel

COLUMNS = ("id", "role", "role_reached", "affiliation", "channel", "first_visit", "last_visit", "visits",
           "visits_measured", "works", "active")
RANK = {"visitor": 0, "artist": 0, "contributor": 1, "partner": 2, "mediator": 3}


def role_reached(role: str, rungs: tuple[tuple[float, str], ...]) -> str:
    """The highest rung a person stood on: partner > contributor > visitor or artist (the latest of equals).

    A person's rungs are known from their first change of rung on (`Person.rungs`);
    an initial regular who slid down before any change is counted from there.
    """
    best = role
    for _, held in rungs:
        if RANK.get(held, 0) > RANK.get(best, 0):
            best = held
    return best


def people_table(model: LabModel) -> pd.DataFrame:
    """One row per person known at the end; times in days since the warm-up ended (negative: before it)."""
    import pandas as pd

    start = model.warmup_days

    def day(t: float) -> float:
        return round(t - start, 2) if math.isfinite(t) else math.nan

    rows = []
    for agent in model.agents:
        affiliation = agent.affiliation.value if agent.affiliation is not None else ""
        if not hasattr(agent, "rungs"):  # staff, engineers, clients: beside the ladder, no visits of their own
            channel = {"mediator": "staff", "engineer": "provider"}.get(agent.role, "market")
            rows.append((agent.unique_id, agent.role, agent.role, affiliation, channel, math.nan, math.nan, 0, 0,
                         0, agent.active))
            continue
        rows.append((agent.unique_id, agent.role, role_reached(agent.role, agent.rungs), affiliation,
                     agent.channel.value, day(agent.first_visit), day(agent.last_visit), agent.visits,
                     agent.visits - agent.visits_before, agent.works, agent.active))
    rows.sort(key=lambda r: r[0])
    return pd.DataFrame(rows, columns=list(COLUMNS))
