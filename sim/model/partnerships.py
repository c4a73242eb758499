"""Partner organisations that form and lapse.

Around the lab is a pool of prospective organisations (companies, research
labs, schools). One starts a partnership after a big event
(`organisation_join_per_event`) or through an individual partner's ties
(`organisation_join_per_partner_year`); it joins after an administrative lead
time that internal friction lengthens (`sim.model.ladder.partnership_lead_days`).
Procedures are checked once a week. A partner organisation visits every
`organisation_interval_days` on average and, after each visit, keeps the
relation going with `organisation_return`, times capacity / load once the
staff's co-production capacity is exceeded: an organisation that lets the
relation go idle leaves and goes back to the pool.
"""

from __future__ import annotations

import numpy as np

from sim.kinds import Affiliation, Channel, PartnershipStatus, Role
from sim.model import ladder
from sim.model.shared import Shared
from sim.model.staff import Staff

KINDS = (Affiliation.RESEARCH_LAB, Affiliation.COMPANY, Affiliation.SCHOOL)  # the pool's organisations, in turn


class Partnerships:
    """The pool of prospective organisations and the partnerships in progress."""

    def __init__(self, shared: Shared, staff: Staff) -> None:
        """A pool of `organisation_pool` prospects (at least the partners present at the start), met by `staff`."""
        self.lab, self.people, self.network, self.tally = shared.lab, shared.people, shared.network, shared.tally
        self.staff = staff
        settings = self.lab.settings
        self.size = max(settings.organisation_pool, settings.partner_organisations)
        self.status = np.full(self.size, PartnershipStatus.PROSPECT, dtype=np.int8)
        self.org = np.full(self.size, -1, dtype=np.int64)  # pool index -> the organisation's id, once it has joined
        self.pending: dict[int, tuple[float, int]] = {}  # pool index -> (day it can join, partner who brought it or -1)

    @property
    def active(self) -> int:
        """Partner organisations now."""
        return int((self.status == PartnershipStatus.ACTIVE).sum())

    def _prospects(self) -> np.ndarray:
        return np.flatnonzero(self.status == PartnershipStatus.PROSPECT)

    def seat(self, n: int) -> np.ndarray:
        """The partner organisations present at the start; returns their ids (to book their visits)."""
        return np.array([self.join(i, via=-1) for i in range(n)], dtype=np.int64)

    def after_event(self) -> None:
        """A big event: some prospects start the procedure."""
        settings = self.lab.settings
        prospects = self._prospects()
        if not prospects.size or settings.organisation_join_per_event <= 0:
            return
        for i in prospects[self.lab.rng.random(prospects.size) < settings.organisation_join_per_event].tolist():
            self.start(i, via=-1)

    def weekly(self) -> np.ndarray:
        """Once a week: procedures whose lead time is over join; individual partners' ties start new ones.

        Returns the ids of the organisations that joined (to book their visits).
        """
        settings, rng, people = self.lab.settings, self.lab.rng, self.people
        due = [(i, via) for i, (at, via) in self.pending.items() if at <= self.lab.time]
        joined = []
        for i, via in due:
            del self.pending[i]
            joined.append(self.join(i, via))
        partners = people.where(people.active, people.role == Role.PARTNER, people.affiliation == Affiliation.INDIVIDUAL)
        n = rng.poisson(partners.size * settings.organisation_join_per_partner_year * 7 / 365) if partners.size else 0
        for _ in range(n):
            prospects = self._prospects()
            if not prospects.size:
                break
            j = int(prospects[rng.integers(prospects.size)])
            self.start(j, via=int(partners[rng.integers(partners.size)]))
        return np.array(joined, dtype=np.int64)

    def start(self, index: int, via: int) -> None:
        """A prospect starts the procedure; it joins at the first weekly check after the lead time."""
        self.status[index] = PartnershipStatus.PENDING
        self.pending[index] = (self.lab.time + ladder.partnership_lead_days(self.lab.settings), via)

    def join(self, index: int, via: int) -> int:
        """The organisation becomes a partner: it knows two of the staff (and the partner who brought it)."""
        people, now = self.people, self.lab.time
        self.status[index] = PartnershipStatus.ACTIVE
        uid = int(self.org[index])
        if uid < 0:
            uid = int(people.add(1, Role.PARTNER, Channel.PARTNERSHIP, now, affiliation=KINDS[index % len(KINDS)],
                            talent=self.lab.rng.random())[0])  # its people's skill: the works it co-produces
            self.org[index] = uid
        else:
            people.activate([uid])
        self.tally.add("partnerships_formed")
        others = self.staff.ids[:2]
        if via >= 0 and self.network.is_alive(via):
            others = np.append(others, via)
        self.network.stage(np.full(others.size, uid), others, now)
        return uid

    def keep_going(self, orgs: np.ndarray) -> np.ndarray:
        """After their visits, organisations keep the relation going, or let it lapse (back to the pool).

        Returns those who keep it going (to book their next visit).
        """
        settings, rng, people = self.lab.settings, self.lab.rng, self.people
        keep = []
        capacity = ladder.partner_capacity(len(self.staff), settings)
        for uid in orgs.tolist():
            load = max(1, int(people.active_count[Role.PARTNER]))
            room = 0.0 if capacity <= 0 else min(1.0, capacity / load)
            if rng.random() < settings.organisation_return * room:
                keep.append(uid)
                continue
            people.deactivate([uid])
            self.status[np.flatnonzero(self.org == uid)] = PartnershipStatus.PROSPECT
            self.tally.add("partnerships_ended")
        return np.array(keep, dtype=np.int64)

    def snapshot(self) -> dict:
        """The pool's statuses, the organisations' ids and the procedures under way, as data."""
        return {"status": self.status.copy(), "org": self.org.copy(),
                "pending": [[i, at, via] for i, (at, via) in self.pending.items()]}

    def restore(self, snap: dict) -> None:
        """Refill from `snapshot` data."""
        self.status = np.array(snap["status"], dtype=np.int8)
        self.org = np.array(snap["org"], dtype=np.int64)
        self.size = self.status.size
        self.pending = {int(i): (float(at), int(via)) for i, at, via in snap["pending"]}
