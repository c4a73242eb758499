"""The measured period's counts, and the current week's.

Counts of the measured period (visits, workshops held, works sold...) are kept
from the end of the warm-up: before it, `add` does nothing, so that the
warm-up draws exactly the same random numbers whether measured or not. The
week's counts (arrivals, visits, lapses, comebacks, events, good visits) feed
the weekly time series and the comebacks, and are cleared each week.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from sim.kinds import Channel


class Tally:
    """Counts by name, of the measured period and of the week."""

    def __init__(self) -> None:
        """Nothing counted yet; the period's counts start with `start`."""
        self.counting = False
        self.period: Counter[str] = Counter()
        self.week: Counter[str] = Counter()
        self.newcomers = np.zeros(len(Channel), dtype=np.int64)  # first visits of the period, by channel
        self.subscribers: dict[int, None] = {}  # people who took or renewed a membership in the period
        self.clients: dict[int, None] = {}  # prospective companies that dealt with the lab in the period

    def start(self) -> None:
        """The measured period starts: the period's counts from zero."""
        self.counting = True
        self.period.clear()
        self.newcomers[:] = 0
        self.subscribers, self.clients = {}, {}

    def add(self, name: str, k: float = 1) -> None:
        """Count k of something in the measured period."""
        if self.counting and k:
            self.period[name] += k

    def __getitem__(self, name: str) -> float:
        """The period's count of `name` (0 if none)."""
        return self.period[name]

    def first_visits(self, channels: np.ndarray) -> None:
        """Newcomers' first visits, by the channel that brought them."""
        if self.counting and channels.size:
            self.newcomers += np.bincount(channels, minlength=len(Channel))

    def subscriber(self, ids) -> None:
        """People took or renewed a membership."""
        if self.counting:
            self.subscribers.update(dict.fromkeys(np.atleast_1d(ids).tolist()))

    def client(self, index: int) -> None:
        """A prospective company dealt with the lab."""
        if self.counting:
            self.clients[index] = None

    def new_week(self) -> None:
        """The week's counts from zero (after the week's row of the time series)."""
        self.week.clear()

    def snapshot(self) -> dict:
        """The counts, as data."""
        return {"counting": self.counting, "period": dict(self.period), "week": dict(self.week),
                "newcomers": self.newcomers.copy(), "subscribers": list(self.subscribers),
                "clients": list(self.clients)}

    def restore(self, snap: dict) -> None:
        """Refill from `snapshot` data."""
        self.counting = bool(snap["counting"])
        self.period, self.week = Counter(snap["period"]), Counter(snap["week"])
        self.newcomers = np.array(snap["newcomers"], dtype=np.int64)
        self.subscribers = dict.fromkeys(int(u) for u in snap["subscribers"])
        self.clients = dict.fromkeys(int(c) for c in snap["clients"])
