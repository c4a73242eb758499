"""People who stopped coming: dormant, not gone.

Someone who decides not to return joins this pool with the time they stopped
and a weight (how strongly they are drawn back, `sim.ladder.reactivation_weight`).
Once a week the whole pool draws its comebacks at once (numpy, one uniform per
person), with a hazard that fades with time away and rises with the week's
events and good visits. People away longer than `forget_after_days` are handed
back for archiving, so a long run does not grow on people who are gone for good.

The pool is kept in flat arrays in the order people stopped (oldest first);
an entry whose person came back is zeroed and dropped at the next compaction.
"""

from __future__ import annotations

from array import array
from typing import TYPE_CHECKING, Any

import numpy as np

from sim import ladder
from sim.network import copy_of

if TYPE_CHECKING:
    from sim.agents import Person


class DormantPool:
    """The dormant people of a lab, oldest first.

    `person.dormant_index` is the person's entry counted from the first entry
    ever made, so dropping the old front needs no renumbering (`_offset`).
    """

    def __init__(self) -> None:
        """Start empty."""
        self.people: list[Person] = []
        self.since = array("d")
        self.weight = array("d")
        self._offset = 0  # entries dropped from the front so far

    def __len__(self) -> int:
        """Entries held (some may be stale until they age out)."""
        return len(self.people)

    def add(self, person: Person, since: float, weight: float) -> None:
        """A person stops coming at time `since` (not before anyone already in the pool)."""
        person.dormant_index = self._offset + len(self.people)
        self.people.append(person)
        self.since.append(since)
        self.weight.append(weight)

    def discard(self, person: Person) -> None:
        """A person came back: their entry no longer draws."""
        i = person.dormant_index - self._offset
        if 0 <= i < len(self.people) and self.people[i] is person:
            self.weight[i] = 0.0
        person.dormant_index = -1

    def draw_comebacks(self, now: float, rng: np.random.Generator, events: int, good_share: float,
                       s: Any) -> list[Person]:
        """The people who decide this week to come back, in pool order (reproducible)."""
        n = len(self.people)
        if n == 0:
            return []
        since = copy_of(self.since, dtype=np.float64)
        weight = copy_of(self.weight, dtype=np.float64)
        chance = ladder.reactivation_chance(now - since, weight, events, good_share, s)
        hits = np.flatnonzero(rng.random(n) < chance)
        return [self.people[i] for i in hits.tolist()]

    def release_older_than(self, horizon: float) -> list[Person]:
        """Drop the entries from before `horizon`; return the people still dormant among them, to archive.

        Only the old front is walked, so the cost is that of the entries dropped.
        """
        since = copy_of(self.since, dtype=np.float64)
        old = int(np.searchsorted(since, horizon, side="right"))
        if old == 0:
            return []
        released = []
        for i in range(old):
            person = self.people[i]
            if person.dormant_index == self._offset + i:  # else: came back since (a stale entry)
                person.dormant_index = -1
                released.append(person)
        del since
        self.people = self.people[old:]
        self.since = self.since[old:]
        self.weight = self.weight[old:]
        self._offset += old
        return released


class CohortArchive:
    """The one-year cohort records of people the run forgot, in flat columns (a few bytes a person).

    Iterating gives the records as tuples (first visit, came back early, active
    a year on, member since, still a member a year on): `sim.metrics.cohort_record`.
    """

    def __init__(self) -> None:
        """Start empty."""
        self._columns = tuple(array("d") for _ in range(5))

    def append(self, record: tuple[float, bool, bool, float, bool]) -> None:
        """Keep one person's record."""
        for column, value in zip(self._columns, record, strict=True):
            column.append(float(value))

    def __len__(self) -> int:
        """Records kept."""
        return len(self._columns[0])

    def __iter__(self):
        """The records, as tuples with their flags as booleans."""
        for first, early, active, since, kept in zip(*self._columns, strict=True):
            yield first, bool(early), bool(active), since, bool(kept)
