"""Each measured visit's (person id, day), kept only when asked (`labsim log synth`).

The model keeps counts, not a visit log. `Careers.count_visits` hands the
measured days' visitors to a recorder when the model was built with one
(`LabModel(..., recorder=VisitRecorder())`), and does nothing more when it was
not: a run without it costs one test a day.
"""

from __future__ import annotations

import numpy as np


class VisitRecorder:
    """The measured visits, a day's visitors at a time, as compact arrays."""

    def __init__(self) -> None:
        """Start empty."""
        self._ids: list[np.ndarray] = []
        self._days: list[int] = []

    def add(self, day: int, ids: np.ndarray) -> None:
        """The visitors of one day (their ids in the people table, as in people.csv)."""
        self._ids.append(np.array(ids, dtype=np.int64))
        self._days.append(day)

    def visits(self) -> tuple[np.ndarray, np.ndarray]:
        """(ids, days) of every recorded visit, in the order they happened."""
        if not self._ids:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        sizes = [a.size for a in self._ids]
        return np.concatenate(self._ids), np.repeat(np.array(self._days, dtype=np.int64), sizes)
