"""Careers: every transition of the ladder, in one place.

A visit is counted -> the person decides to come back (or goes dormant) ->
enough visits in the window (or a membership) make a contributor -> engaged,
well-connected contributors who co-led join the core (partners) while the
staff's capacity allows -> a long absence slides a regular down a rung ->
dormant people come back now and then -> those away longer than
`forget_after_days` are forgotten. The rules are the pure functions of
`sim.model.ladder`; this module applies them to the day's visitors together (arrays
of ids) and draws the random numbers.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from sim.kinds import DAYS_PER_YEAR, Affiliation, Channel, Role
from sim.model import ladder
from sim.model.calendar import CLOSING
from sim.model.dormancy import DormantPool
from sim.model.draws import Keyed, Purpose
from sim.model.population import OCCASIONAL, REGULAR
from sim.model.recorder import VisitRecorder
from sim.model.shared import Shared
from sim.model.staff import Staff

RETURNER_WINDOW = 90.0  # a returner came back within this many days of their first visit (Gardner 2011's early returns)


class Careers:
    """Where each person stands on the ladder, and every move up, down, out and back."""

    def __init__(self, shared: Shared, staff: Staff, recorder: VisitRecorder | None = None) -> None:
        """Careers of the people of `shared` (the staff's capacity caps the core); `recorder` gets the measured visits.

        The dormant pool starts empty.
        """
        self.lab, self.people, self.calendar, self.network = shared.lab, shared.people, shared.calendar, shared.network
        self.awareness, self.tally, self.budget, self.staff = shared.awareness, shared.tally, shared.budget, staff
        self.dormant = DormantPool(self.people)
        self._anniversaries: defaultdict[int, list[int]] = defaultdict(list)  # day -> new members a year on
        self.recorder = recorder  # `labsim log synth` only: each measured visit's (id, day)

    # -- coming and paying ----------------------------------------------------------------
    def pays(self, ids: np.ndarray) -> np.ndarray:
        """Whether a visit is paid (at any price): not by members, partners, residents or organisations."""
        people = self.people
        return ((people.affiliation[ids] == Affiliation.NONE) & (people.role[ids] != Role.PARTNER)
                & (people.member_until[ids] < self.lab.time) & ~people.in_residence[ids])

    def can_pay(self, ids: np.ndarray) -> np.ndarray | bool:
        """Whether people come at today's drop-in fee: no fee for them, or a visit is worth it to them."""
        price = self.lab.settings.price_per_visit
        if price <= 0:
            return True
        return ~self.pays(ids) | (self.people.wtp[ids] >= price)

    def engagement(self, ids: np.ndarray) -> np.ndarray:
        """Engagement now: it halves every `engagement_half_life_days` since it was last updated."""
        people = self.people
        half_life = self.lab.settings.engagement_half_life_days
        return people.engagement[ids] * 0.5 ** ((self.lab.time - people.engaged_at[ids]) / half_life)

    # -- a visit ---------------------------------------------------------------------------
    def record_visits(self, ids: np.ndarray, quality: np.ndarray) -> None:
        """People made a visit of the given quality: their history and engagement follow."""
        people, now = self.people, self.lab.time
        first = people.visits[ids] == 0
        newcomers = ids[first]
        people.first_visit[newcomers] = now
        self.tally.first_visits(people.channel[newcomers])
        since_first = now - people.first_visit[ids]
        people.returned_early[ids[~first & (since_first <= RETURNER_WINDOW)]] = True
        people.active_at_1y[ids[(since_first > DAYS_PER_YEAR - RETURNER_WINDOW) & (since_first <= DAYS_PER_YEAR)]] = True
        people.note_visits(ids, now)
        people.visits[ids] += 1
        people.last_visit[ids] = now
        people.engagement[ids] = self.engagement(ids) + quality
        people.engaged_at[ids] = now
        people.last_quality[ids] = quality

    def train(self, ids: np.ndarray) -> None:
        """A workshop trained those not trained yet (trained people return more and work on their own)."""
        fresh = ids[~self.people.trained[ids]]
        self.people.trained[fresh] = True
        self.tally.add("people_trained", fresh.size)

    def count_visits(self, ids: np.ndarray) -> None:
        """Tally the visits, their materials and the fees paid."""
        people, settings = self.people, self.lab.settings
        self.tally.week["visits"] += ids.size
        if not self.tally.counting:
            return
        self.tally.add("visits", ids.size)
        if self.recorder is not None:
            self.recorder.add(int(self.lab.time), ids)
        self.tally.add("regular_visits", int(REGULAR[people.role[ids]].sum()))
        self.tally.add("visitors", int((people.visits[ids] - people.visits_before[ids] == 1).sum()))
        self.budget.spend("materials", settings.materials_per_visit * ids.size)
        if settings.price_per_visit > 0:
            self.budget.earn("fees", settings.price_per_visit * int(self.pays(ids).sum()))

    def after_visits(self, ids: np.ndarray) -> np.ndarray:
        """After the day's visits: documentation, memberships, promotions, then each decides to come back or not.

        Residents keep their residency's rhythm. Returns the partner
        organisations among the visitors: they keep a relation, not a career
        (`sim.model.partnerships` decides whether it goes on).
        """
        people, settings, now = self.people, self.lab.settings, self.lab.time
        role = people.role[ids]
        writers = REGULAR[role] & (people.confidential_until[ids] <= now)
        self.awareness.document(settings.doc_pages_per_visit * np.count_nonzero(writers))
        residents = people.in_residence[ids]
        organisations = people.affiliation[ids] > Affiliation.INDIVIDUAL
        partners_of_the_lab = ids[organisations]
        if residents.any() or partners_of_the_lab.size:
            self.plan_visits(ids[residents])
            keep = ~residents & ~organisations
            ids, role = ids[keep], role[keep]
        was_contributor = ids[role == Role.CONTRIBUTOR]
        self.memberships(ids, role)
        self.promote_to_contributor(ids, role)
        self.promote_to_partner(was_contributor)
        role = people.role[ids]
        chance = self.return_chance(ids, role)
        if self.calendar.needs_slots():
            chance = chance * ladder.booking_uptake(people.visits[ids], settings)
        stay_draws, wait_draws = self.lab.draws.uniforms(people.key[ids], int(self.lab.time), (Purpose.STAY, Purpose.WAIT))
        stay = stay_draws < chance
        self.plan_visits(ids[stay], role=role[stay], wait_draws=wait_draws[stay])
        self.leave(ids[~stay])
        self.watch(ids[REGULAR[role]])
        return partners_of_the_lab

    def members(self, ids: np.ndarray) -> np.ndarray:
        """Whether each person holds a membership now."""
        return self.people.member_until[ids] >= self.lab.time

    def return_chance(self, ids: np.ndarray, role: np.ndarray | None = None) -> np.ndarray:
        """Chance of coming back after today's visit (`sim.model.ladder`), the drop-in fee weighed in.

        Called on the day of the visit, when engagement was just updated (no
        decay to apply yet). Someone who finds the fee too dear: an occasional
        visitor does not come back; a regular keeps coming out of habit while
        reconsidering (`ladder.fee_habit_keep` over the days to their next
        visit), so a new fee reaches the regulars at their visits, over weeks.
        """
        people, settings = self.people, self.lab.settings
        role = people.role[ids] if role is None else role
        visitor = ladder.visitor_return_chance(people.last_quality[ids], people.engagement[ids], people.trained[ids],
                                               people.propensity[ids], settings, member=self.members(ids))
        regular = REGULAR[role]
        chance = np.where(regular, ladder.regular_return_chance(role, settings, people.propensity[ids]), visitor)
        if settings.price_per_visit <= 0:
            return chance
        habit = ladder.fee_habit_keep(ladder.visit_interval(role, people.propensity[ids], settings), settings)
        return np.where(self.can_pay(ids), chance, np.where(regular, chance * habit, 0.0))

    # -- climbing ---------------------------------------------------------------------------
    def memberships(self, ids: np.ndarray, role: np.ndarray | None = None) -> None:
        """Non-members among today's visitors may take a membership; those whose membership ran out renew it.

        Membership is a state of its own, not a rung: it gives free entry and
        brings an occasional visitor back more often, and it is open to anyone
        from their second visit (joining includes the machines' introduction).
        A membership is worth its fee when the visits the person expects in its
        period, at their pace, are worth that much to them
        (`sim.model.ladder.membership_worth_it`): its price is elastic. A
        regular who finds the drop-in fee too dear considers one at every visit.
        """
        people, settings, now = self.people, self.lab.settings, self.lab.time
        role = people.role[ids] if role is None else role
        idx = np.flatnonzero((role != Role.PARTNER) & (people.member_until[ids] < now))
        if not idx.size:
            return
        who, role = ids[idx], role[idx]
        renewing = people.member_until[who] != -np.inf
        people.member_until[who] = -np.inf
        wants = renewing.copy()
        new = ~renewing & (people.visits[who] > 1) & (people.talent[who] >= settings.contributor_selectivity)
        wants[new] = self.lab.draws.uniform(people.key[who[new]], int(now), Purpose.SUBSCRIBE) < settings.subscription_prob
        if settings.price_per_visit > 0:
            wants |= REGULAR[role] & (people.wtp[who] < settings.price_per_visit)
        pace = np.where(REGULAR[role], settings.interval_contributor_days,
                        min(settings.member_interval_days, settings.interval_visitor_days))
        takes = wants & ladder.membership_worth_it(people.wtp[who], settings.membership_days / pace,
                                                   settings.subscription_fee)
        members = who[takes]
        people.member_until[members] = now + settings.membership_days
        self.budget.earn("subscriptions", settings.subscription_fee * members.size)
        self.tally.subscriber(members)

    def promote_to_contributor(self, ids: np.ndarray, role: np.ndarray) -> None:
        """Visitors and creators with enough visits in the window become regulars (members too, by their visits)."""
        people, settings = self.people, self.lab.settings
        candidates = OCCASIONAL[role]
        recent = people.visits_within(ids, self.lab.time - settings.contributor_window_days)
        equipped = self.members(ids) & people.trained[ids]  # a member with the machines' introduction works on their own
        climb = ids[candidates & (equipped | ladder.is_regular(recent, people.talent[ids], settings))]
        if climb.size:
            self.become(climb, Role.CONTRIBUTOR)
            self.tally.add("promoted_contributor", climb.size)

    @property
    def core_load(self) -> int:
        """Individual partnerships the staff and the community carry now (organisations have their own pool)."""
        people = self.people
        n = people.n
        return int(np.count_nonzero(people.active[:n] & (people.role[:n] == Role.PARTNER)
                                    & (people.affiliation[:n] == Affiliation.INDIVIDUAL)))

    def promote_to_partner(self, ids: np.ndarray) -> None:
        """Eligible contributors join the core, one at a time: each one fills the staff's capacity a little more.

        Each contributor draws first: only those whose draw beats the chance of
        promotion (a few a year) are checked for eligibility, so the network's
        degrees are asked for rarely. The same as checking first: the draw is
        independent of eligibility, and the chance only falls as the core fills.
        """
        people, settings = self.people, self.lab.settings
        ids = ids[people.role[ids] == Role.CONTRIBUTOR]
        if not ids.size:
            return
        draws = self.lab.draws.uniform(people.key[ids], int(self.lab.time), Purpose.PARTNER)
        if not (draws < settings.partner_promotion_prob).any():  # the chance never exceeds it: nobody is lucky
            return  # (and the core's load, a pass over the whole table, is not counted: most days)
        capacity = ladder.partner_capacity(len(self.staff), settings, self.people.active_count[Role.CONTRIBUTOR])
        load = self.core_load  # counted once (a pass over the table); each promotion adds one
        lucky = draws < ladder.partner_promotion_chance(load, capacity, settings)
        for uid, draw in zip(ids[lucky].tolist(), draws[lucky].tolist(), strict=True):
            one = np.array([uid])
            engagement, coleads = self.engagement(one), people.coleads[one]
            if not ladder.eligible_for_partner(engagement, settings.partner_min_ties, coleads, settings)[0]:
                continue  # not engaged or no co-lead: the ties need not be counted (a merge of the day's ties)
            eligible = ladder.eligible_for_partner(engagement, self.network.degrees(one), coleads, settings)
            if eligible[0] and draw < ladder.partner_promotion_chance(load, capacity, settings):
                people.affiliation[uid] = Affiliation.INDIVIDUAL
                self.become(one, Role.PARTNER)
                self.tally.add("promoted_partner")
                load += 1

    def become(self, ids: np.ndarray, role: Role) -> None:
        """People move to another rung; a first step onto the regulars' rungs starts a one-year membership watch."""
        first = self.people.set_role(ids, role, self.lab.time)
        if first.size:
            self._anniversaries[int(self.lab.time + DAYS_PER_YEAR)].extend(first.tolist())

    # -- coming back, or not ----------------------------------------------------------------
    def plan_visits(self, ids: np.ndarray, decided_at: float = CLOSING, role: np.ndarray | None = None,
                    wait_draws: np.ndarray | None = None) -> None:
        """Book each person's next visit, at least a day away, at their mean interval on average.

        Residents come `residency_visits_per_week` days a week, organisations
        every `organisation_interval_days`; both by arrangement (no slot). Under
        appointment access the others need a free slot, and may give up.
        `wait_draws` are the people's WAIT uniforms of today if already drawn.
        """
        if not ids.size:
            return
        people, settings = self.people, self.lab.settings
        mean = ladder.visit_interval(people.role[ids] if role is None else role, people.propensity[ids], settings,
                                     member=self.members(ids))
        resident = people.in_residence[ids] & (settings.residency_visits_per_week > 0)
        organisation = people.affiliation[ids] > Affiliation.INDIVIDUAL
        arranged = resident | organisation
        if arranged.any():
            mean = np.where(organisation, settings.organisation_interval_days, mean)
            mean = np.where(resident, 7.0 / max(settings.residency_visits_per_week, 1e-9), mean)
        if wait_draws is None:
            wait_draws = self.lab.draws.uniform(people.key[ids], int(self.lab.time), Purpose.WAIT)
        self.book(ids, ladder.draw_wait(Keyed(wait_draws), mean), decided_at, arranged)

    def book(self, ids: np.ndarray, waits, decided_at: float, arranged) -> None:
        """Book visits after `waits` days (by appointment unless arranged); those who give up a slot leave."""
        days = self.calendar.visiting_days(int(self.lab.time), waits, decided_at)
        if not self.calendar.needs_slots() or np.all(arranged):
            self.calendar.book(ids, days)
            return
        days = np.broadcast_to(days, ids.shape)
        slots = ~np.asarray(arranged, dtype=bool) & np.ones(ids.shape, dtype=bool)
        free = ~slots
        self.calendar.book(ids[free], days[free])
        settings = self.lab.settings
        lead = self.calendar.visiting_days(int(self.lab.time), settings.booking_lead_days, decided_at)
        gave_up = self.calendar.book_slots(ids[slots], np.maximum(days[slots], lead))
        self.leave(gave_up)

    def leave(self, ids: np.ndarray) -> None:
        """People stop coming: dormant, keeping history and ties, they may come back (not former residents)."""
        if not ids.size:
            return
        people = self.people
        self.calendar.cancel(ids)
        ids = ids[people.active[ids]]
        people.deactivate(ids)
        self.tally.week["lapses"] += ids.size
        ids = ids[people.channel[ids] != Channel.RESIDENCY]  # residents do not drift back on their own
        self.dormant.add(ids, self.lab.time, self.comeback_weight(ids))

    def comeback_weight(self, ids: np.ndarray) -> np.ndarray:
        """How strongly people who stop are drawn back (`sim.model.ladder.reactivation_weight`), booking and price included."""
        people, settings = self.people, self.lab.settings
        weight = ladder.reactivation_weight(people.propensity[ids])
        if self.calendar.needs_slots():
            weight = weight * ladder.booking_uptake(people.visits[ids], settings)
        return weight * self.can_pay(ids) if settings.price_per_visit > 0 else weight

    def comebacks(self, decided_at: float) -> None:
        """Once a week: dormant people draw whether they come back (events and good visits remind them)."""
        week = self.tally.week
        good_share = week["good_visits"] / week["visits"] if week["visits"] else 0.0
        ids = self.dormant.draw_comebacks(self.lab.time, self.lab.draws, week["events"], good_share, self.lab.settings)
        ids = ids[~self.people.active[ids]]
        if not ids.size:
            return
        self.dormant.discard(ids)
        self.people.activate(ids)
        week["comebacks"] += ids.size
        self.plan_visits(ids, decided_at)

    # -- sliding down -------------------------------------------------------------------------
    def watch(self, ids: np.ndarray, delay: float | None = None) -> None:
        """Make sure one absence check is pending for each regular: due when their lapse time since the last visit is up.

        With `delay`, the check is due that many days from now (a partner just slid to contributor).
        """
        people, now = self.people, self.lab.time
        fresh = ids[people.check_day[ids] < 0]
        if not fresh.size:
            return
        due = people.last_visit[fresh] + ladder.lapse_days(people.role[fresh], self.lab.settings) if delay is None else now + delay
        people.check_day[fresh] = np.maximum(int(now), np.ceil(due - 0.5 - 1e-9))  # checked after the day's visits

    def absence_checks(self) -> None:
        """Regulars whose check is due today slide down a rung if absent too long, or are watched again."""
        day, people, settings, now = int(self.lab.time), self.people, self.lab.settings, self.lab.time
        ids = np.flatnonzero(people.check_day[: people.n] == day)
        if not ids.size:
            return
        people.check_day[ids] = -1
        away = now - people.last_visit[ids]
        role = people.role[ids]
        due = ladder.demotion_due(role, away, settings)
        slides, lapses = due & (role == Role.PARTNER), due & (role == Role.CONTRIBUTOR)
        to_contributor, to_visitor, still = ids[slides], ids[lapses], ids[REGULAR[role] & ~slides & ~lapses]
        self.watch(still)
        self.leave(to_visitor)
        self.become(to_visitor, Role.VISITOR)
        people.affiliation[to_contributor] = Affiliation.NONE
        self.become(to_contributor, Role.CONTRIBUTOR)
        self.watch(to_contributor, delay=settings.contributor_lapse_days)

    def count_stocks(self) -> None:
        """The evening's headcount of active contributors, partners and members, summed over the period's days.

        Yearly counts are flows (everyone who held a rung at some point);
        these sums divided by the days give the stocks (how many at a time).
        """
        people, tally = self.people, self.tally
        if not tally.counting:
            return
        n = people.n
        tally.add("days_counted")
        tally.add("contributor_days", int(people.active_count[Role.CONTRIBUTOR]))
        individual = people.active[:n] & (people.role[:n] == Role.PARTNER) & (people.affiliation[:n] == Affiliation.INDIVIDUAL)
        tally.add("partner_days", int(np.count_nonzero(individual)))
        tally.add("member_days", int(np.count_nonzero(people.member_until[:n] >= self.lab.time)))

    def anniversaries(self) -> None:
        """New members of a year ago: still contributor or above? (members' one-year retention)."""
        ids = np.array(self._anniversaries.pop(int(self.lab.time), ()), dtype=np.int64)
        if ids.size:
            self.people.retained_1y[ids] = REGULAR[self.people.role[ids]]

    # -- forgetting ---------------------------------------------------------------------------
    def forget_the_long_gone(self) -> None:
        """People dormant for more than forget_after_days are forgotten: their ties go, their counts stay.

        By then their pull to come back has faded (`reactivation_fade_days`); the
        network forgets their ties (and regulars' degrees drop with them), as
        ties fade within a year. It keeps multi-year runs from growing on people
        who are gone.
        """
        ids = self.dormant.release_older_than(self.lab.time - self.lab.settings.forget_after_days)
        if not ids.size:
            return
        self.people.check_day[ids] = -1  # a lapse longer than the memory: its pending check goes too
        self.people.gone[ids] = True
        self.network.forget(ids)

    def snapshot(self) -> dict:
        """The dormant pool and the members' anniversaries to come, as data."""
        return {**{f"dormant.{k}": v for k, v in self.dormant.snapshot().items()},
                "anniversaries": [[day, ids] for day, ids in self._anniversaries.items()]}

    def restore(self, snap: dict) -> None:
        """Refill from `snapshot` data."""
        self.dormant.restore({k.removeprefix("dormant."): v for k, v in snap.items() if k.startswith("dormant.")})
        self._anniversaries = defaultdict(list, {int(day): [int(u) for u in ids] for day, ids in snap["anniversaries"]})
