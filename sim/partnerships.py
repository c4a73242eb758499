"""Partner organisations that form and lapse.

Around the lab is a pool of prospective organisations (companies, research
labs, schools). One starts a partnership after a big event
(`organisation_join_per_event`) or through an individual partner's ties
(`organisation_join_per_partner_year`); it joins after an administrative lead
time that internal friction lengthens (`sim.ladder.partnership_lead_days`).
Procedures are checked once a week. A partner organisation visits every `organisation_interval_days` on average
and, after each visit, keeps the relation going with `organisation_return`,
times capacity / load once the staff's co-production capacity is exceeded: an
organisation that lets the relation go idle leaves and goes back to the pool.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim import ladder

if TYPE_CHECKING:
    from sim.model import LabModel

KINDS = ("research_lab", "company", "school")


class Partnerships:
    """The pool of prospective organisations and the partnerships in progress."""

    def __init__(self, model: LabModel) -> None:
        """Seat the partner organisations present at the start."""
        from sim.agents import Affiliation, Channel, Partner

        self.model = model
        p = model.p
        self.size = max(p.organisation_pool, p.partner_organisations)
        self.agents: dict[int, Partner] = {}  # pool index -> the organisation's agent, once it has joined
        self.status: dict[int, str] = {}  # pool index -> "pending" | "active" (absent: a prospect)
        self.pending: dict[int, tuple[float, int | None]] = {}  # pool index -> (day it can join, partner who brought it)
        self._partner = Partner
        self._channel = Channel.PARTNERSHIP
        self._affiliation = {k: Affiliation(k) for k in KINDS}
        self.reset_tallies()
        for i in range(p.partner_organisations):
            self.join(i, via=None)

    def reset_tallies(self) -> None:
        """The measured period starts."""
        self.formed = self.ended = 0

    @property
    def active(self) -> int:
        """Partner organisations now."""
        return sum(v == "active" for v in self.status.values())

    def _prospects(self) -> list[int]:
        return [i for i in range(self.size) if i not in self.status]

    def after_event(self) -> None:
        """A big event: some prospects start the procedure."""
        p = self.model.p
        prospects = self._prospects()
        if not prospects or p.organisation_join_per_event <= 0:
            return
        draws = self.model.rng.random(len(prospects)).tolist()
        for i, u in zip(prospects, draws, strict=True):
            if u < p.organisation_join_per_event:
                self.start(i, via=None)

    def weekly(self, partners: list[int]) -> None:
        """Once a week: procedures whose lead time is over join; individual partners' ties start new ones."""
        p = self.model.p
        rng = self.model.rng
        due = [(i, via) for i, (at, via) in self.pending.items() if at <= self.model.time]
        for i, via in due:
            del self.pending[i]
            self.join(i, via)
        n = rng.poisson(len(partners) * p.organisation_join_per_partner_year * 7 / 365) if partners else 0
        for _ in range(n):
            prospects = self._prospects()
            if not prospects:
                return
            j = prospects[int(rng.integers(len(prospects)))]
            self.start(j, via=partners[int(rng.integers(len(partners)))])

    def start(self, index: int, via: int | None) -> None:
        """A prospect starts the procedure; it joins at the first weekly check after the lead time."""
        self.status[index] = "pending"
        self.pending[index] = (self.model.time + ladder.partnership_lead_days(self.model.p), via)

    def join(self, index: int, via: int | None) -> None:
        """The organisation becomes a partner: it knows two of the staff (and the partner who brought it)."""
        m = self.model
        self.status[index] = "active"
        org = self.agents.get(index)
        if org is None:
            org = self.agents[index] = self._partner(m, self._channel, self._affiliation[KINDS[index % len(KINDS)]])
            org.pool_index = index
        else:
            org.active = True
            m.active_by_role["partner"] += 1
        m.active_orgs += 1
        if m.measuring:
            self.formed += 1
        pairs = [(org.unique_id, med.unique_id) for med in m.mediators[:2]]
        if via is not None and m.network.is_alive(via):
            pairs.append((org.unique_id, via))
        m.network.tie_many(pairs, m.time)
        org.plan_next_visit()

    def after_visit(self, org) -> None:
        """The organisation keeps the relation going, or lets it lapse (back to the pool)."""
        m = self.model
        capacity = ladder.partner_capacity(len(m.mediators), m.p)
        room = 0.0 if capacity <= 0 else min(1.0, capacity / max(1, m.core_load))
        if m.rng.random() < m.p.organisation_return * room:
            org.plan_next_visit()
            return
        org.active = False
        m.active_by_role["partner"] -= 1
        m.active_orgs -= 1
        del self.status[org.pool_index]
        if m.measuring:
            self.ended += 1
