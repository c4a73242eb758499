"""The people of a lab: one table, a row per person, a column per attribute.

Everyone the lab knows has a row, whose index is their id (`uid`, the node of
the collaboration network and the `id` of people.csv): visitors, contributors,
partners (people and organisations), artists, staff, engineers and clients. A
person who climbs or slides down the ladder keeps their row: only the `role`
column changes. Rows are never reused: a person forgotten long after they left
is flagged `gone` (their counts stay for the summary).

Columns are numpy arrays grown by doubling, so that a day's visitors are
updated together (`sim.model.careers`) and a mature lab's state is plain data. The
table keeps the counts that depend on roles in step: active people per role,
and who held which role in the measured period. `Person` is a view of one row,
for reading (and tests); the model itself works on arrays of ids.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.kinds import Affiliation, Channel, Role
from sim.model.draws import mix

ROW_KEYS = np.uint64(0x5DEECE66D << 20)  # sets the keys of people not among the day's arrivals apart
# name: (dtype, value of a new row). Times are in days since the run started.
COLUMNS: dict[str, tuple[Any, Any]] = {
    "role": (np.int8, Role.VISITOR),
    "role_reached": (np.int8, Role.VISITOR),  # the highest rung held (people.csv)
    "channel": (np.int8, Channel.FOOTFALL),
    "affiliation": (np.int8, Affiliation.NONE),
    "talent": (np.float64, 0.0),  # skill in [0, 1]; selection filters on it
    "propensity": (np.float64, 1.0),  # propensity to come (lognormal, mean 1)
    "wtp": (np.float64, 0.0),  # EUR a visit is worth to them
    "created": (np.float64, 0.0),
    "active": (bool, False),  # False while dormant (stopped coming), or not yet started (residents)
    "gone": (bool, False),  # forgotten: dormant for longer than forget_after_days
    "next_visit": (np.int32, -1),  # the day of the booked visit, or -1
    "slot": (np.int32, -1),  # appointment access: the team (slot) of the booked visit
    "visits": (np.int32, 0),
    "visits_before": (np.int32, 0),  # visits made before the measured period began
    "first_visit": (np.float64, np.nan),
    "last_visit": (np.float64, -np.inf),
    "last_quality": (np.float64, 0.5),  # a neutral visit before any (the middle of the quality scale)
    "engagement": (np.float64, 0.0),  # builds with good visits, halves every engagement_half_life_days
    "engaged_at": (np.float64, 0.0),
    "trained": (bool, False),  # attended a workshop (a skill, a machine licence)
    "coleads": (np.int32, 0),
    "works": (np.int32, 0),
    "returned_early": (bool, False),  # came back within RETURNER_WINDOW days of the first visit
    "active_at_1y": (bool, False),  # a visit in the RETURNER_WINDOW days before their first visit's anniversary
    "member_since": (np.float64, np.nan),  # first time they became a contributor
    "retained_1y": (bool, False),  # contributor or above a year after member_since
    "member_until": (np.float64, -np.inf),  # end of their membership (members come free)
    "confidential_until": (np.float64, -np.inf),  # on a confidential company project until then
    "project": (np.int32, -1),  # the company project they work on, if confidential
    "in_residence": (bool, False),
    "engineer_hours": (np.float64, 0.0),  # engineer hours hired for their residency
    "check_day": (np.int32, -1),  # regulars: the day their absence is checked next, or -1
    "dormant_entry": (np.int64, -1),  # place in the dormant pool while dormant
    "key": (np.uint64, 0),  # who they are to `sim.model.draws` (their decisions' random numbers)
    "held": (np.int8, 0),  # roles held in the measured period (individuals), as bits: HELD[role]
}
HELD = np.array([{Role.CONTRIBUTOR: 1, Role.PARTNER: 2, Role.ARTIST: 4}.get(r, 0) for r in Role], dtype=np.int8)
RANK = np.array([r.rank for r in Role], dtype=np.int8)  # role code -> rank
REGULAR = np.array([r.is_regular for r in Role])  # role code -> a contributor or partner (REGULAR[role[ids]])
OCCASIONAL = np.array([r in (Role.VISITOR, Role.ARTIST) for r in Role])  # role code -> below the regulars' rungs


class People:
    """Everyone the lab knows, by id; the counts that follow from their roles.

    Attributes:
        n: Rows in use (ids 0..n-1).
        active_count: Active people per role code (organisations count as partners).
        measuring: Set when the measured period starts: roles held count from then on.

    """

    def __init__(self, window_visits: int) -> None:
        """An empty table; `window_visits` recent visit times are kept per person (the contributor rule)."""
        self.n = 0
        self._capacity = 0
        for name, (dtype, _) in COLUMNS.items():
            setattr(self, name, np.empty(0, dtype=dtype))
        self.recent = np.empty((0, max(1, window_visits)))  # a ring of each person's latest visit times
        self.active_count = np.zeros(len(Role), dtype=np.int64)
        self.measuring = False

    # -- rows ----------------------------------------------------------------
    def _grow(self, need: int) -> None:
        capacity = max(need, 2 * self._capacity, 1024)
        for name, (dtype, fill) in COLUMNS.items():
            column = np.full(capacity, fill, dtype=dtype)
            column[: self.n] = getattr(self, name)[: self.n]
            setattr(self, name, column)
        recent = np.full((capacity, self.recent.shape[1]), -np.inf)
        recent[: self.n] = self.recent[: self.n]
        self.recent = recent
        self._capacity = capacity

    def add(self, n: int, role: Role | np.ndarray, channel: Channel | np.ndarray, time: float, *, affiliation: Affiliation = Affiliation.NONE,
            active: bool = True, **columns: Any) -> np.ndarray:
        """Give `n` new people a row each (other columns by keyword: a value or an array); return their ids."""
        if self.n + n > self._capacity:
            self._grow(self.n + n)
        rows = slice(self.n, self.n + n)
        ids = np.arange(self.n, self.n + n)
        self.n += n
        self.role[rows] = self.role_reached[rows] = role
        self.channel[rows], self.affiliation[rows], self.created[rows], self.engaged_at[rows] = (
            channel, affiliation, time, time)
        if "key" not in columns:  # not a newcomer of the day's arrivals: keyed by their row, apart from newcomers'
            columns["key"] = mix(ids.astype(np.uint64) ^ ROW_KEYS)
        for name, value in columns.items():
            getattr(self, name)[rows] = value
        if active:
            self.active[rows] = True
            self.active_count += np.bincount(self.role[rows], minlength=len(Role))
            self._hold(ids)
        return ids

    def ids(self) -> np.ndarray:
        """Every id in use."""
        return np.arange(self.n)

    def person(self, uid: int) -> Person:
        """A view of one person's row."""
        if not 0 <= uid < self.n:
            raise IndexError(f"no person {uid}")
        return Person(self, int(uid))

    def is_individual(self, ids) -> np.ndarray:
        """People on their own account (not a company, research lab, school or engineers' firm)."""
        return self.affiliation[ids] <= Affiliation.INDIVIDUAL

    def where(self, *masks: np.ndarray) -> np.ndarray:
        """The ids (in order) where all the masks over the whole table hold."""
        mask = masks[0][: self.n]
        for m in masks[1:]:
            mask = mask & m[: self.n]
        return np.flatnonzero(mask)

    # -- roles and activity: the counts follow -----------------------------------
    def set_role(self, ids, role: Role, now: float) -> np.ndarray:
        """Move people to another rung (or beside the ladder) at time `now`: the same row, history and ties.

        Returns the ids who became a regular (contributor or partner) for the first time.
        """
        ids = np.atleast_1d(np.asarray(ids, dtype=np.int64))
        first = ids[:0]
        if not ids.size:
            return first
        active = ids[self.active[ids]]
        self.active_count -= np.bincount(self.role[active], minlength=len(Role))
        self.active_count[role] += active.size
        self.role[ids] = role
        higher = RANK[role] >= RANK[self.role_reached[ids]]
        self.role_reached[ids[higher]] = role
        if role.is_regular:
            first = ids[np.isnan(self.member_since[ids])]
            self.member_since[first] = now
        self._hold(ids[self.active[ids]])
        return first

    def activate(self, ids) -> None:
        """People (again) active: counted in their role; held in the measured period."""
        ids = np.atleast_1d(np.asarray(ids, dtype=np.int64))
        ids = ids[~self.active[ids]]
        self.active[ids] = True
        self.active_count += np.bincount(self.role[ids], minlength=len(Role))
        self._hold(ids)

    def deactivate(self, ids) -> None:
        """People who stop coming (or whose residency or partnership is over)."""
        ids = np.atleast_1d(np.asarray(ids, dtype=np.int64))
        ids = ids[self.active[ids]]
        self.active[ids] = False
        self.active_count -= np.bincount(self.role[ids], minlength=len(Role))

    def _hold(self, ids: np.ndarray) -> None:
        """While measuring, individuals active in a role mark it held (the period's contributors, partners, artists)."""
        if not self.measuring or not ids.size:
            return
        ids = ids[self.is_individual(ids)]
        self.held[ids] |= HELD[self.role[ids]]

    def start_period(self) -> None:
        """The measured period starts: visits so far are 'before'; roles held count from the active now."""
        self.measuring = True
        n = self.n
        self.visits_before[:n] = self.visits[:n]
        self.held[:n] = 0
        self._hold(self.where(self.active))

    def held_role(self, role: Role) -> np.ndarray:
        """Who held `role` in the measured period (individuals, active in it at some time), as a mask over the ids."""
        return (self.held[: self.n] & HELD[role]) != 0

    # -- the contributor window ------------------------------------------------
    def note_visits(self, ids: np.ndarray, now: float) -> None:
        """Keep each visit's time in the person's ring of latest visits (before `visits` is counted up)."""
        k = self.recent.shape[1]
        self.recent[ids, self.visits[ids] % k] = now

    def visits_within(self, ids: np.ndarray, since: float) -> np.ndarray:
        """Visits at or after `since` among each person's latest ones (counted up to the ring's size)."""
        return (self.recent[ids] >= since).sum(axis=1)

    def resize_window(self, window_visits: int) -> None:
        """The contributor rule now counts another number of visits: keep the latest times that fit."""
        old, k = self.recent, max(1, window_visits)
        if old.shape[1] == k:
            return
        recent = np.full((old.shape[0], k), -np.inf)
        v = self.visits[: old.shape[0]].astype(np.int64)
        rows = np.arange(old.shape[0])
        for back in range(1, min(k, old.shape[1]) + 1):  # the back-th latest visit moves to its new place
            recent[rows, (v - back) % k] = old[rows, (v - back) % old.shape[1]]
        self.recent = recent

    # -- a mature lab saved and forked (sim.model.state) -----------------------------------
    def snapshot(self) -> dict:
        """The table as data: each column's used rows, the ring of visit times, the counts."""
        n = self.n
        return {"n": n, "measuring": self.measuring, "active_count": self.active_count.copy(),
                "recent": self.recent[:n].copy(), **{f"column.{name}": getattr(self, name)[:n].copy() for name in COLUMNS}}

    def restore(self, snap: dict) -> None:
        """Refill an empty table from `snapshot` data."""
        n = int(snap["n"])
        self.recent = np.full((0, snap["recent"].shape[1]), -np.inf)
        self._grow(max(n, 1))
        for name in COLUMNS:
            getattr(self, name)[:n] = snap[f"column.{name}"]
        self.recent[:n] = snap["recent"]
        self.n, self.measuring = n, bool(snap["measuring"])
        self.active_count = np.array(snap["active_count"], dtype=np.int64)


class Person:
    """One person of the lab: a view of their row in the people table, made on demand.

    Columns read and write as attributes (`person.visits`, `person.wtp = 3.0`);
    role, channel and affiliation read as their Enums.
    """

    __slots__ = ("table", "uid")

    def __init__(self, table: People, uid: int) -> None:
        """View row `uid` of `table`."""
        object.__setattr__(self, "table", table)
        object.__setattr__(self, "uid", uid)

    def __getattr__(self, name: str) -> Any:
        """A column's value for this person."""
        if name not in COLUMNS:
            raise AttributeError(name)
        value = getattr(self.table, name)[self.uid]
        return value.item() if hasattr(value, "item") else value

    def __setattr__(self, name: str, value: Any) -> None:
        """Write a column's value (the counts of roles and activity are the table's: use its methods)."""
        if name not in COLUMNS or name in ("role", "active"):
            raise AttributeError(f"{name}: not a writable column (use People.set_role / activate / deactivate)")
        getattr(self.table, name)[self.uid] = value

    @property
    def unique_id(self) -> int:
        """The person's id (as Mesa names it)."""
        return self.uid

    @property
    def role(self) -> Role:
        """Where the person stands now."""
        return Role(int(self.table.role[self.uid]))

    @property
    def channel(self) -> Channel:
        """How the person first came."""
        return Channel(int(self.table.channel[self.uid]))

    @property
    def affiliation(self) -> Affiliation:
        """Who the person is, for partners: an individual or an organisation's kind."""
        return Affiliation(int(self.table.affiliation[self.uid]))

    @property
    def is_individual(self) -> bool:
        """On their own account: not an organisation (company, research lab, school, engineers' firm)."""
        return self.affiliation <= Affiliation.INDIVIDUAL

    @property
    def active(self) -> bool:
        """Coming (not dormant)."""
        return bool(self.table.active[self.uid])

    def __repr__(self) -> str:
        """Role and id, e.g. <contributor 42>."""
        return f"<{self.role.label} {self.uid}>"
