"""What the world knows of the lab: the stocks of people aware of it, word of mouth, and its documentation.

Awareness (`reputation`) and word of mouth (`told`) are stocks of people who
know of the lab and have not come yet: events, workshops, the blog and the
open documentation feed them, good visits feed word of mouth, both fade
(`awareness_half_life_days`), and each open day a share of them comes
(`sim.model.arrivals`). Documentation pages are written by regulars' visits and open
projects and go out of date (`doc_half_life_years`).
"""

from __future__ import annotations

import numpy as np

from sim.config.settings import Settings
from sim.kinds import DAYS_PER_YEAR

REFERRERS_KEPT = 200  # the latest good visitors, among whom a newcomer told by word of mouth finds who told them (assumption)


class Awareness:
    """The lab's renown and documentation: stocks that grow with what the lab does and fade."""

    def __init__(self, settings: Settings) -> None:
        """Start from the scenario's initial awareness and documentation."""
        self.reputation = settings.initial_awareness  # people aware of the lab (events, docs, blog), not yet come
        self.told = 0.0  # people told by someone who had a good visit, not yet come
        self.docs_pages = settings.initial_doc_pages
        self._referrers = np.full(REFERRERS_KEPT, -1, dtype=np.int64)  # a ring of the latest good visitors
        self._next = 0

    @property
    def renown(self) -> float:
        """Everyone who knows of the lab and has not come yet (companies weigh it: `sim.model.market`)."""
        return self.reputation + self.told

    def fade(self, settings: Settings) -> None:
        """One day: awareness and word of mouth fade, pages go out of date, readable documentation spreads the word."""
        fade = 0.5 ** (1.0 / settings.awareness_half_life_days)
        self.reputation *= fade
        self.told *= fade
        self.docs_pages *= 0.5 ** (1.0 / (settings.doc_half_life_years * DAYS_PER_YEAR))
        self.reputation += settings.open_documentation * self.readable(settings) * settings.doc_reach_per_year / DAYS_PER_YEAR

    def readable(self, settings: Settings) -> float:
        """How much of what a newcomer needs the documentation covers, in [0, 1) (saturating in its pages)."""
        return self.docs_pages / (self.docs_pages + settings.doc_half_saturation)

    def spread(self, people: float) -> None:
        """Make more people aware of the lab (an event, a workshop's announcement, blog articles)."""
        self.reputation += people

    def document(self, pages: float) -> None:
        """Pages written (regulars' visits, open projects)."""
        self.docs_pages += pages

    def good_visits(self, ids: np.ndarray, settings: Settings) -> None:
        """People had good visits: each tells others (word of mouth), and may be named as whom a newcomer heard from."""
        if not ids.size:
            return
        self.told += settings.word_of_mouth_per_good_visit * ids.size
        keep = ids[-REFERRERS_KEPT:]
        at = (self._next + np.arange(keep.size)) % REFERRERS_KEPT
        self._referrers[at] = keep
        self._next = (self._next + ids.size) % REFERRERS_KEPT

    def referrers(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """Whom each of n newcomers heard of the lab from: one of the latest good visitors (-1 if none yet)."""
        known = self._referrers[self._referrers >= 0]
        if not known.size:
            return np.full(n, -1, dtype=np.int64)
        return known[(rng.random(n) * known.size).astype(np.int64)]

    def take(self, stock: str, n: int) -> int:
        """Let n people of a stock ('reputation' or 'told') come: they leave the stock (never more than it holds)."""
        n = min(int(getattr(self, stock)), int(n))
        setattr(self, stock, getattr(self, stock) - n)
        return n

    def snapshot(self) -> dict:
        """The stocks and the ring of referrers, as data."""
        return {"reputation": self.reputation, "told": self.told, "docs_pages": self.docs_pages,
                "referrers": self._referrers.copy(), "next": self._next}

    def restore(self, snap: dict) -> None:
        """Refill from `snapshot` data."""
        self.reputation, self.told, self.docs_pages = snap["reputation"], snap["told"], snap["docs_pages"]
        self._referrers, self._next = np.array(snap["referrers"], dtype=np.int64), int(snap["next"])
