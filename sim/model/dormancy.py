"""People who stopped coming: dormant, not gone.

Someone who decides not to return joins this pool with the time they stopped
and a weight (how strongly they are drawn back, `sim.model.ladder.reactivation_weight`).
Once a week the whole pool draws its comebacks at once (one uniform per
person), with a hazard that fades with time away and rises with the week's
events and good visits. People away longer than `forget_after_days` are handed
back for forgetting, so a long run does not grow on people who are gone for good.

The pool is kept in flat arrays in the order people stopped (oldest first);
an entry whose person came back is zeroed and dropped when it ages out.
`People.dormant_entry` is a person's entry counted from the first entry ever
made, so dropping the old front needs no renumbering.
"""

from __future__ import annotations

import numpy as np

from sim.config.settings import Settings
from sim.model import ladder
from sim.model.draws import Draws, Purpose
from sim.model.population import People


class DormantPool:
    """The dormant people of a lab, oldest first."""

    def __init__(self, people: People) -> None:
        """Start empty."""
        self.people = people
        self._ids = np.empty(1024, dtype=np.int64)
        self._since = np.empty(1024)
        self._weight = np.empty(1024)
        self._base = 0  # the entry number of the arrays' first slot
        self._front = 0  # slots before it were dropped
        self._end = 0

    def __len__(self) -> int:
        """Entries held (some may be stale until they age out)."""
        return self._end - self._front

    def add(self, ids: np.ndarray, since: float | np.ndarray, weights: np.ndarray) -> None:
        """People stop coming at `since` (not before anyone already in the pool)."""
        n = ids.size
        if not n:
            return
        if self._end + n > self._ids.size:
            self._make_room(n)
        at = slice(self._end, self._end + n)
        self._ids[at], self._since[at], self._weight[at] = ids, since, weights
        self.people.dormant_entry[ids] = self._base + np.arange(self._end, self._end + n)
        self._end += n

    def _make_room(self, n: int) -> None:
        """Drop the slots before the front, and grow if still short of room."""
        live = slice(self._front, self._end)
        size = max(self._ids.size, 2 * (self._end - self._front + n))
        for name in ("_ids", "_since", "_weight"):
            old = getattr(self, name)
            new = np.empty(size, dtype=old.dtype)
            new[: self._end - self._front] = old[live]
            setattr(self, name, new)
        self._base += self._front
        self._end -= self._front
        self._front = 0

    def discard(self, ids: np.ndarray) -> None:
        """People came back: their entries no longer draw."""
        at = self.people.dormant_entry[ids] - self._base
        at = at[(at >= self._front) & (at < self._end)]
        self._weight[at] = 0.0
        self.people.dormant_entry[ids] = -1

    def draw_comebacks(self, now: float, draws: Draws, events: int, good_share: float,
                       settings: Settings) -> np.ndarray:
        """The people who decide this week to come back, in pool order (each by their own draw, `sim.model.draws`)."""
        live = slice(self._front, self._end)
        if self._end == self._front:
            return np.empty(0, dtype=np.int64)
        chance = ladder.reactivation_chance(now - self._since[live], self._weight[live], events, good_share, settings)
        ids = self._ids[live]
        return ids[draws.uniform(self.people.key[ids], int(now), Purpose.COMEBACK) < chance]

    def release_older_than(self, horizon: float) -> np.ndarray:
        """Drop the entries from before `horizon`; return the people still dormant among them, to forget."""
        old = int(np.searchsorted(self._since[self._front : self._end], horizon, side="right"))
        if old == 0:
            return np.empty(0, dtype=np.int64)
        slots = np.arange(self._front, self._front + old)
        ids = self._ids[slots]
        released = ids[self.people.dormant_entry[ids] == self._base + slots]  # else: came back since
        self.people.dormant_entry[released] = -1
        self._front += old
        return released

    def live(self) -> np.ndarray:
        """The people dormant now (their entries not stale), in pool order."""
        slots = np.arange(self._front, self._end)
        ids = self._ids[slots]
        return ids[self.people.dormant_entry[ids] == self._base + slots]

    def snapshot(self) -> dict:
        """The live part of the pool, as data (entry numbers are kept: people's `dormant_entry` refer to them)."""
        live = slice(self._front, self._end)
        return {"ids": self._ids[live].copy(), "since": self._since[live].copy(), "weight": self._weight[live].copy(),
                "first_entry": self._base + self._front}

    def restore(self, snap: dict) -> None:
        """Refill an empty pool from `snapshot` data."""
        n = len(snap["ids"])
        size = max(1024, 2 * n)
        self._ids, self._since, self._weight = np.empty(size, dtype=np.int64), np.empty(size), np.empty(size)
        self._ids[:n], self._since[:n], self._weight[:n] = snap["ids"], snap["since"], snap["weight"]
        self._base, self._front, self._end = int(snap["first_entry"]), 0, n
