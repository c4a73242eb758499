"""The per-person table of a run (`people.csv`): Mesa's agent reporters, once, at the end.

One row per person the model still knows at the end of the run: everyone active,
and everyone dormant who has not yet been forgotten. People who stopped coming
more than `forget_after_days` before the end were forgotten
(`sim.model.careers.Careers.forget_the_long_gone`: their ties dropped, their counts
kept in the summary), so they are not listed. Staff (mediators), engineers and
client companies are listed too, so that the table joins `network.graphml` on `id`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sim.kinds import AFFILIATION_LABELS, CHANNEL_LABELS, ROLE_LABELS

if TYPE_CHECKING:
    import pandas as pd

COLUMNS = ("id", "role", "role_reached", "affiliation", "channel", "first_visit", "last_visit", "visits",
           "visits_measured", "works", "active")


def people_table(model: Any) -> pd.DataFrame:
    """One row per person known at the end; times in days since the warm-up ended (negative: before it)."""
    import pandas as pd

    people = model.people
    ids = np.flatnonzero(~people.gone[: people.n])

    def day(t: np.ndarray) -> np.ndarray:
        return np.where(np.isfinite(t), np.round(t - model.warmup_days, 2), np.nan)

    def labels(names: tuple[str, ...], codes: np.ndarray) -> np.ndarray:
        return np.asarray(names, dtype=object)[codes]

    return pd.DataFrame({
        "id": ids,
        "role": labels(ROLE_LABELS, people.role[ids]),
        "role_reached": labels(ROLE_LABELS, people.role_reached[ids]),
        "affiliation": labels(AFFILIATION_LABELS, people.affiliation[ids]),
        "channel": labels(CHANNEL_LABELS, people.channel[ids]),
        "first_visit": day(people.first_visit[ids]),
        "last_visit": day(people.last_visit[ids]),
        "visits": people.visits[ids],
        "visits_measured": people.visits[ids] - people.visits_before[ids],
        "works": people.works[ids],
        "active": people.active[ids],
    }, columns=list(COLUMNS))
