"""LabModel: a lab's year, event by event.

Time is in days. Nothing is stepped per person per day: arrivals happen once a
day, programme items (workshops, big events, residency calls) are scheduled as
events, and each person books their next visit on the lab's agenda; a visiting
day is one Mesa event that brings the people booked for it (`book`,
`open_doors`). A run costs in proportion to the visits it simulates, and the
event queue stays as short as the calendar. People who stop coming go dormant
(`sim.dormancy`): once a week some come back; those away more than
`forget_after_days` are archived once a month (`forget_the_long_gone`), so
multi-year runs do not grow on them. A day runs like this:

    d + 0.05  arrivals: footfall x discovery; the aware (reputation) and the told (word of mouth)
    d + 0.10  programme: a workshop or a big event today, residency calls and ends
    d + 0.50  visits: one event per visiting day brings the people booked for it to the roster
    d + 0.90  closing: the day's activities are played out (sim.activities.Lab)
    d + 0.93  once a week: dormant people draw their comebacks
    d + 0.95  once a week: the data collector records the time series

The run starts from an initial population (regulars, a core, dormant former
visitors, documentation, awareness) and simulates `warmup_years` before it
measures (`start_measuring`): the summary covers the measured years only. The
rules of the ladder are in `sim.ladder`; this class keeps the calendar and the books.

Open and closed labs are not two code paths: they are settings of this one model.
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter, deque

import mesa
import numpy as np
from mesa.time import Priority, Schedule

from sim import ladder
from sim.activities import Lab
from sim.agents import Affiliation, Artist, Channel, Contributor, Mediator, Partner, Person, Visitor
from sim.blog import Blog
from sim.dormancy import CohortArchive, DormantPool
from sim.market import Budget, Market
from sim.network import CollabNetwork
from sim.partnerships import Partnerships
from sim.scenario import DAYS_PER_YEAR, Scenario, Settings, from_keywords, mesa_scenario

ARRIVALS_AT, PROGRAMME_AT, VISIT_AT, CLOSE_AT, COMEBACK_AT, COLLECT_AT = 0.05, 0.1, 0.5, 0.9, 0.93, 0.95
YEAR = DAYS_PER_YEAR
SESSION_LOG = 60  # recent sessions kept (day, kind, attendees) for the person-activity picture
PROGRAMME_KEYS = {"workshops_per_year", "events_per_year", "residency_calls_per_year"}
RESIDENCY_START_DELAY = 14.0  # days between a call and the start of its residencies (assumption)


class LabModel(mesa.Model):
    """An open, closed or hybrid lab, set by one Settings object.

    Built as Mesa's own examples are: `LabModel(mediators=4, access="appointment", rng=1)`,
    so that Mesa's `batch_run` and a plain SolaraViz page can drive it.

    Args:
        scenario: A Scenario, Settings, preset name, scenario file or Mesa Scenario; defaults to the built-in defaults.
        rng: Seed for numpy's and Python's generators (int or SeedSequence).
        **settings: Scenario keys on top of `scenario`, checked as in a scenario file (`sim.scenario.from_keywords`).

    """

    def __init__(self, scenario: Scenario | Settings | str | None = None, rng: int | None = None,
                 **settings: object) -> None:
        """Hire staff, seat the initial population, then schedule the daily and yearly events."""
        lab_scenario, rng = from_keywords(scenario, settings, rng)
        super().__init__(rng=rng, scenario=mesa_scenario(lab_scenario, rng))  # Mesa's view: the starting settings
        self.lab_scenario = lab_scenario
        self.p = self.lab_scenario.settings
        self.network = CollabNetwork()
        self.lab = Lab(self)
        self.warmup_days = self.p.warmup_years * YEAR
        self.measuring = False
        self.measure_start = self.warmup_days
        # tallies (the run's outcomes, reset when measuring starts)
        self.n_visited = 0  # people who made at least one visit in the measured period
        self.people_created = 0
        self.archived_visits: list[int] = []  # period visits of people forgotten after they left (for the Gini)
        self.archived_cohorts = CohortArchive()  # cohort records of the forgotten (see sim.metrics.cohorts)
        self.dormant = DormantPool()
        self.ever: dict[str, dict[int, None]] = {r: {} for r in ("contributor", "partner", "artist")}
        self.promoted: Counter[str] = Counter()
        self.newcomers_by_channel: Counter[str] = Counter()
        self.active_by_role: Counter[str] = Counter()
        self.active_orgs = 0  # partners that are organisations (they count in active_by_role["partner"])
        self.week: Counter[str] = Counter()  # arrivals, visits, good visits, lapses, events this week
        self.visits = self.regular_visits = self.workshops_held = self.events_held = 0
        self.residencies_completed = self.works_produced = self.people_trained = 0
        self.subscribers: dict[int, None] = {}  # people who took or renewed a membership in the measured period
        self.budget = Budget()
        self.blog = Blog()
        self.docs_pages = self.p.initial_doc_pages
        self.reputation = self.p.initial_awareness  # people aware of the lab (events, docs, blog), not yet come
        self.told = 0.0  # people told about the lab by someone who had a good visit, not yet come
        self._good_visitors: deque[int] = deque(maxlen=200)  # recent good visits: who brought the told
        self._inactivity_checks: dict[Person, mesa.time.Event] = {}
        self._agenda: dict[float, list[Person]] = {}  # visit time -> people booked
        self._slots_used: Counter[float] = Counter()  # appointment access: slots booked per visit time
        self.session_log: deque[tuple[float, str, tuple[int, ...]]] = deque(maxlen=SESSION_LOG)
        self._pending_residents: list[Artist] = []
        self._residents: list[Artist] = []
        self.mediators: list[Mediator] = []
        for _ in range(self.p.mediators):
            self.hire_mediator()
        self.market = Market(self)
        self._tie_engineers_to_staff()
        self.partnerships = Partnerships(self)
        self._seat_initial_population()
        self._interventions = [_Intervention(self, iv.changes) for iv in self.lab_scenario.interventions]
        for iv, spec in zip(self._interventions, self.lab_scenario.interventions, strict=True):
            self.schedule_event(iv.apply, at=self.warmup_days + spec.at, priority=Priority.HIGH)
        self.datacollector = mesa.DataCollector(model_reporters=TIMESERIES_REPORTERS)
        if self.warmup_days > 0:
            self.schedule_event(self.start_measuring, at=self.warmup_days, priority=Priority.HIGH)
        else:
            self.start_measuring()
        self.schedule_recurring(self.arrivals, Schedule(interval=1.0, start=ARRIVALS_AT))
        self.schedule_recurring(self.plan_programme, Schedule(interval=YEAR, start=0.0), priority=Priority.HIGH)
        self.schedule_recurring(self.lab.close_day, Schedule(interval=1.0, start=CLOSE_AT), priority=Priority.LOW)
        self.schedule_recurring(self.comebacks, Schedule(interval=7.0, start=7 - 1 + COMEBACK_AT))
        self.schedule_recurring(self.collect_week, Schedule(interval=7.0, start=7 - 1 + COLLECT_AT))
        self.schedule_recurring(self.forget_the_long_gone, Schedule(interval=30.0, start=30 + COLLECT_AT))
        self.schedule_recurring(self.market.month, Schedule(interval=YEAR / 12, start=YEAR / 12 + PROGRAMME_AT))

    # -- the initial population -------------------------------------------------
    def _seat_initial_population(self) -> None:
        """A lab that has run for a while: regulars, a core, dormant former visitors.

        Regulars and partners know the staff and some of each other, have some
        engagement and have co-led (partners); dormant former visitors stopped
        coming over the past year. The warm-up then lets the mechanisms take over.
        """
        p = self.p
        staff = [m.unique_id for m in self.mediators]
        regulars: list[Person] = []
        for cls, n in ((Partner, p.initial_partners), (Contributor, p.initial_contributors)):
            for i in range(n):
                person = cls(self, Channel.INITIAL, Affiliation.INDIVIDUAL if cls is Partner else None)
                person.visits = person.visits_before = int(self.rng.integers(8, 40))
                person.engagement = float(p.partner_min_engagement * (1.0 + self.rng.random()))
                person.coleads = p.partner_min_coleads if cls is Partner or i % 2 else 0  # half have co-led
                person.trained = True
                person.last_visit = -float(self.rng.random() * 7)
                regulars.append(person)
                person.plan_next_visit()
                self.watch_inactivity(person)
        # Regulars know two of the staff and a few of each other (enough ties to be eligible for the core).
        dormant: list[tuple[float, Person]] = []
        ids = [r.unique_id for r in regulars]
        pairs = [(uid, s) for uid in ids for s in staff[::max(1, len(staff) // 2)][:2]]
        if len(ids) > 1:
            others = self.rng.integers(len(ids), size=(len(ids), p.partner_min_ties)).tolist()
            pairs += [(uid, ids[j]) for uid, row in zip(ids, others, strict=True) for j in row]
        self.network.tie_many(pairs, 0.0)
        for i in range(p.initial_dormant + p.initial_former_regulars):
            former = i >= p.initial_dormant  # a regular who stopped coming: keen, with a long history
            person = Visitor(self, Channel.INITIAL)
            if former:
                person.propensity = max(person.propensity, 1.0 + float(self.rng.random()))
                person.visits = person.visits_before = int(self.rng.integers(10, 40))
                person.trained = True
                person.coleads = int(self.rng.random() < 0.5)
                self.network.tie_many([(person.unique_id, s) for s in staff[:1]], 0.0)
            else:
                person.visits = person.visits_before = int(self.rng.geometric(0.6))
            stopped = -float(self.rng.random() * min(YEAR, p.forget_after_days))
            person.last_visit = person.first_visit = stopped
            person.active = False
            self.active_by_role["visitor"] -= 1
            dormant.append((stopped, person))
        dormant.sort(key=lambda x: x[0])  # the pool is kept in the order people stopped
        for stopped, person in dormant:
            self.dormant.add(person, stopped, self._comeback_weight(person))

    # -- calendar ----------------------------------------------------------
    def is_open(self, day: int) -> bool:
        """True on the lab's open days (the first open_days_per_week of each week)."""
        return day % 7 < self.p.open_days_per_week

    def lab_day(self, t: float) -> float:
        """Visit time on the first open day at or after time t."""
        day = math.floor(t)
        if t - day > VISIT_AT:
            day += 1
        while not self.is_open(day):
            day += 1
        return day + VISIT_AT

    # -- bookings: each visiting day is one Mesa event carrying that day's visits --
    def book(self, person: Person, t: float, arranged: bool = False) -> None:
        """Book a person's next visit on the first open day at or after time t.

        Under appointment access a visit needs a free slot, at least
        `booking_lead_days` ahead; someone told to wait may give up
        (`sim.ladder.keeps_booking`) and goes dormant. Arranged visits (residents,
        engineers, organisations, an event's guests) need no slot.
        """
        at = self.lab_day(t)
        if self.p.access == "appointment" and not arranged:
            at = earliest = self.lab_day(max(t, self.time + self.p.booking_lead_days))
            per_day = self.p.appointment_slots_per_day * self.p.slot_size
            while self._slots_used[at] >= per_day:
                at = self.lab_day(at + 1)
            if at > earliest and self.rng.random() >= ladder.keeps_booking(at - earliest, self.p):
                person.leave()
                return
            person.slot = self._slots_used[at] // self.p.slot_size
            self._slots_used[at] += 1
        day = self._agenda.get(at)
        if day is None:
            self._agenda[at] = day = []
            self.schedule_event(self.open_doors, at=at)
        day.append(person)
        person.next_visit = at

    def cancel_booking(self, person: Person) -> None:
        """Withdraw a person's booked visit (they stopped coming)."""
        self._agenda[person.next_visit].remove(person)
        person.next_visit = None

    def open_doors(self) -> None:
        """Event: the people booked for today come, in the order they booked."""
        self._slots_used.pop(self.time, None)
        for person in self._agenda.pop(self.time):
            person.visit()

    def entry_uptake(self, fee: float) -> float:
        """Share of would-be newcomers who come: those whose willingness to pay covers the fee, times the booking's."""
        return ladder.fee_acceptance(fee, self.p) * ladder.booking_uptake(0, self.p)

    def can_pay(self, person: Person) -> bool:
        """Whether a person comes at today's drop-in fee: no fee for them, or a visit is worth it."""
        return not person.pays() or person.wtp >= self.p.price_per_visit

    # -- arrivals ----------------------------------------------------------
    def arrivals(self) -> None:
        """Newcomers of the day: footfall x discovery; the aware and the told; blog articles.

        Awareness (reputation) and word of mouth are stocks of people who know
        of the lab and have not come yet: they fade (`awareness_half_life_days`),
        and each open day a share of them (`awareness_uptake`) comes.
        """
        p = self.p
        if self.measuring:
            self.budget.accrue_day(len(self.mediators), p)
        self.reputation += self.blog.day(self.time, self.rng, p) * p.blog_reach_per_article
        self.market.day()
        fade = 0.5 ** (1.0 / p.awareness_half_life_days)
        self.reputation *= fade
        self.told *= fade
        self.docs_pages *= 0.5 ** (1.0 / (p.doc_half_life_years * YEAR))  # pages go out of date
        readable = self.docs_pages / (self.docs_pages + p.doc_half_saturation)
        self.reputation += p.open_documentation * readable * p.doc_reach_per_year / YEAR
        day = math.floor(self.time)
        if not self.is_open(day):
            return
        fee = p.price_per_visit
        draw = self.entry_uptake(fee)
        self.newcomers(self.rng.poisson(p.host_footfall_per_day * p.discovery_rate * draw), Channel.FOOTFALL, fee=fee)
        n_rep = min(int(self.reputation), int(self.rng.poisson(self.reputation * p.awareness_uptake * draw)))
        self.reputation -= n_rep
        self.newcomers(n_rep, Channel.REPUTATION, fee=fee)
        n_told = min(int(self.told), int(self.rng.poisson(self.told * p.awareness_uptake * draw)))
        self.told -= n_told
        if n_told:
            pool = list(self._good_visitors)
            for person in self.newcomers(n_told, Channel.WORD_OF_MOUTH, fee=fee):
                referrer = pool[int(self.rng.integers(len(pool)))] if pool else None
                if referrer is not None and self.network.is_alive(referrer):
                    self.network.tie(person.unique_id, referrer, self.time)

    def newcomers(self, n: int, channel: Channel, arranged: bool = False, fee: float = 0.0) -> list[Person]:
        """Create n people arriving today (willing to pay `fee`); a share of them come as creators."""
        people = []
        for _ in range(n):
            cls = Artist if self.rng.random() < self.p.creator_share else Visitor
            person = cls(self, channel, fee=fee)
            self.book(person, self.time, arranged=arranged)
            people.append(person)
        self.week["arrivals"] += n
        return people

    def note_good_visit(self, person: Person) -> None:
        """Someone had a good visit: they tell others (word of mouth)."""
        self.week["good_visits"] += 1
        self.told += self.p.word_of_mouth_per_good_visit
        self._good_visitors.append(person.unique_id)

    # -- programme ---------------------------------------------------------
    def plan_programme(self) -> None:
        """Schedule the coming year's workshops, big events and residency calls."""
        self._year_start = self.time
        self._programme = []
        self.market.refill_hours()
        self._plan(self.time, YEAR)

    def _plan(self, start: float, length: float) -> None:
        """Spread the programme's items evenly over [start, start + length)."""
        p = self.p
        plan = (  # (items a year, action, phase: calls open the period, the rest is centred)
            (p.workshops_per_year, self.hold_workshop, 0.5),
            (p.events_per_year, self.hold_event, 0.5),
            (p.residency_calls_per_year, self.residency_call, 0.0),
        )
        for per_year, action, phase in plan:
            expected = per_year * length / YEAR
            n = int(expected) + (self.rng.random() < expected - int(expected))
            for i in range(n):
                at = self.lab_day(start + (i + phase) * length / n) - VISIT_AT + PROGRAMME_AT
                if at < start + length:
                    self._programme.append(self.schedule_event(action, at=max(at, self.time)))

    def apply(self, changes: dict) -> None:
        """Change settings mid-run: staff are hired or let go, the rest of the year's programme is re-planned."""
        self.p = dataclasses.replace(self.p, **changes)
        while len(self.mediators) < self.p.mediators:
            self.hire_mediator()
        while len(self.mediators) > self.p.mediators:
            self.let_go(self.mediators.pop())
        if PROGRAMME_KEYS & changes.keys():
            for event in self._programme:
                event.cancel()
            self._programme = []
            self._plan(self.time, self._year_start + YEAR - self.time)

    def hire_mediator(self) -> Mediator:
        """A new member of staff, a colleague of the others."""
        mediator = Mediator(self)
        for other in self.mediators:
            self.network.tie(mediator.unique_id, other.unique_id, self.time)
        self.mediators.append(mediator)
        return mediator

    def let_go(self, mediator: Mediator) -> None:
        """A mediator leaves; their ties stay in the network's history."""
        mediator.active = False
        self.active_by_role["mediator"] -= 1

    def hold_workshop(self) -> None:
        """A mediator-run workshop today: newcomers book its seats; its announcement spreads the word."""
        p = self.p
        self.lab.workshops_today += 1
        self.reputation += p.workshop_reach
        wanted = self.rng.poisson(p.workshop_newcomers * self.entry_uptake(p.workshop_fee))
        seated = self.newcomers(min(int(wanted), p.workshop_size), Channel.WORKSHOP, arranged=True, fee=p.workshop_fee)
        if self.measuring:
            self.budget.earn("workshops", len(seated) * p.workshop_fee)
            self.budget.spend("materials", p.materials_per_workshop)

    def hold_event(self) -> None:
        """A big event today: the host's crowd and people aware of the lab come; dormant people are reminded."""
        p = self.p
        self.lab.event_today = True
        self.week["events"] += 1
        draw = self.entry_uptake(0.0)  # big events are free
        from_pool = min(int(self.reputation), int(self.rng.poisson(self.reputation * p.event_pool_pull * draw)))
        self.reputation -= from_pool
        self.newcomers(int(self.rng.poisson(p.event_newcomers * draw)) + from_pool, Channel.EVENT, arranged=True)
        self.reputation += p.event_reach
        self.partnerships.after_event()

    def residency_call(self) -> None:
        """Staff select the best applicants above the selectivity bar for residencies."""
        p = self.p
        applicants = p.residency_applicants + p.blog_applicants_per_article * self.blog.articles_past_year()
        talents = np.sort(self.rng.random(self.rng.poisson(applicants)))[::-1]
        selected = [t for t in talents[: p.residency_slots] if t >= p.selectivity]
        for talent in selected:
            artist = Artist(self, Channel.RESIDENCY, talent=float(talent))
            artist.active = False  # becomes active when the residency starts
            self.active_by_role["artist"] -= 1
            self._pending_residents.append(artist)
        if selected:
            self.schedule_event(self.start_residencies, after=RESIDENCY_START_DELAY)

    def start_residencies(self) -> None:
        """Selected artists move in for residency_days, working with staff and engineers."""
        for artist in self._pending_residents:
            artist.active = True
            self.active_by_role["artist"] += 1
            if self.measuring:
                self.ever["artist"][artist.unique_id] = None
            artist.in_residence = True
            artist.engineer_hours = self.market.hire_engineers()
            artist.residency_end = self.time + self.p.residency_days
            artist.plan_next_visit()
            self._residents.append(artist)
        self._pending_residents = []
        self.schedule_event(self.end_residencies, after=self.p.residency_days)

    def end_residencies(self) -> None:
        """Residencies that are over deliver their works, sold or rented to companies."""
        p = self.p
        done = [a for a in self._residents if a.residency_end <= self.time + 1e-9]
        self._residents = [a for a in self._residents if a not in done]
        for artist in done:
            artist.in_residence = False
            if self.measuring:
                self.residencies_completed += 1
            boost = ladder.engineer_multiplier(artist.engineer_hours, p)
            n_works = self.rng.poisson(p.works_per_residency * 2 * artist.talent * boost)
            for _ in range(n_works):
                self.finish_work(artist)
            artist.leave()

    def finish_work(self, author: Person) -> None:
        """A work is done; a residency's work, co-produced by the lab, joins the portfolio offered to companies.

        The works of regulars and creators in project sessions are their makers'
        own: they count as the lab's output, not in its portfolio.
        """
        if self.measuring:
            self.works_produced += 1
        author.works += 1
        if isinstance(author, Artist) and author.channel is Channel.RESIDENCY:
            self.market.add_work(author)

    def maybe_produce_work(self, person: Person) -> None:
        """A project or residency session may finish a work (talent helps)."""
        if self.rng.random() < self.p.work_rate * 2 * person.talent:
            self.finish_work(person)

    def _tie_engineers_to_staff(self) -> None:
        """Engineers know the staff (two of them)."""
        staff = [m.unique_id for m in self.mediators]
        for engineer in self.market.engineers:
            for s in staff[:2]:
                self.network.tie(engineer.unique_id, s, self.time)

    def active_regulars(self) -> list[Person]:
        """Contributors and individual partners coming now (in the agents' registration order)."""
        return [a for cls in (Contributor, Partner) for a in self.agents_by_type.get(cls, ())
                if a.active and a.affiliation in (None, Affiliation.INDIVIDUAL)]

    # -- after a visit: the ladder -------------------------------------------
    def count_visit(self, person: Person) -> None:
        """Tally one visit, its materials and any fee paid."""
        self.week["visits"] += 1
        if not self.measuring:
            return
        self.visits += 1
        if person.role in ("contributor", "partner"):
            self.regular_visits += 1
        if person.visits - person.visits_before == 1:
            self.n_visited += 1
        self.budget.spend("materials", self.p.materials_per_visit)
        if person.pays():
            self.budget.earn("fees", self.p.price_per_visit)

    def after_visit(self, person: Person) -> None:
        """Count the visit, write documentation, climb the ladder, decide to return (`sim.ladder`)."""
        self.count_visit(person)
        if isinstance(person, Contributor | Partner) and not person.confidential:
            self.docs_pages += self.p.doc_pages_per_visit
        if isinstance(person, Artist) and person.in_residence:
            person.plan_next_visit()
            return
        if person.affiliation not in (None, Affiliation.INDIVIDUAL):
            self.partnerships.after_visit(person)  # a partner organisation keeps the relation going, or not
            return
        joined = self._membership(person)
        if type(person) in (Visitor, Artist):
            self._maybe_become_contributor(person, joined)
        elif type(person) is Contributor:
            self._maybe_become_partner(person)
        chance = person.return_chance(person.last_quality) * ladder.booking_uptake(person.visits, self.p)
        if self.rng.random() < chance:
            person.plan_next_visit()
        else:
            person.leave()
        if isinstance(person, Contributor | Partner):
            self.watch_inactivity(person)

    def _membership(self, person: Person) -> bool:
        """A contributor whose membership ran out renews it if still worth it; a trained non-member may take one.

        A membership is worth its fee when the visits the person expects in its
        period at a regular's pace are worth that much to them
        (`sim.ladder.membership_worth_it`). Returns True when a membership is
        taken now: a visitor who takes one becomes a contributor at once
        (`_maybe_become_contributor`). A membership that ran out while its
        holder stopped being a regular lapses; they may take a new one later.
        """
        p = self.p
        if type(person) is Partner or not person.trained or person.member_until >= self.time:
            return False
        renewing = person.member_until != -math.inf and type(person) is Contributor
        person.member_until = -math.inf
        if not renewing:
            if person.visits <= 1 or person.talent < p.contributor_selectivity:
                return False
            if self.rng.random() >= p.subscription_prob:
                return False
        expected = p.membership_days / ladder.visit_interval("contributor", person.propensity, p)
        if not ladder.membership_worth_it(person.wtp, expected, p.subscription_fee):
            return False  # pays per visit (or stops coming, if a visit is not worth the fee either)
        person.member_until = self.time + p.membership_days
        if self.measuring:
            self.budget.earn("subscriptions", p.subscription_fee)
            self.subscribers[person.unique_id] = None
        return True

    def _maybe_become_contributor(self, person: Visitor | Artist, joined: bool) -> None:
        """Regular visits within the window, or a membership just taken (open to those trained in a workshop)."""
        p = self.p
        if joined or ladder.is_regular(len(person.recent), person.talent, p):
            person.become(Contributor)
            if self.measuring:
                self.promoted["contributor"] += 1

    @property
    def core_load(self) -> int:
        """Partnerships the staff carry now: individual partners and partner organisations."""
        return self.active_by_role["partner"]

    def _maybe_become_partner(self, person: Contributor) -> None:
        p = self.p
        if not ladder.eligible_for_partner(
            person.current_engagement(), self.network.degree(person.unique_id), person.coleads, p
        ):
            return
        capacity = ladder.partner_capacity(len(self.mediators), p)
        if self.rng.random() < ladder.partner_promotion_chance(self.core_load, capacity, p):
            person.affiliation = Affiliation.INDIVIDUAL
            person.become(Partner)
            if self.measuring:
                self.promoted["partner"] += 1

    def watch_inactivity(self, person: Person, delay: float | None = None) -> None:
        """Make sure one inactivity check is pending for a regular."""
        if person in self._inactivity_checks:
            return
        if delay is None:
            key = "partner_lapse_days" if isinstance(person, Partner) else "contributor_lapse_days"
            delay = max(0.0, person.last_visit + getattr(self.p, key) - self.time)
        self._inactivity_checks[person] = self.schedule_event(person.inactivity_check, after=delay + 0.01)

    def forget_inactivity_check(self, person: Person) -> None:
        """The person's pending check has fired."""
        self._inactivity_checks.pop(person, None)

    # -- dormancy and comebacks -------------------------------------------------
    def _comeback_weight(self, person: Person) -> float:
        """How strongly a person who stopped is drawn back (`sim.ladder.reactivation_weight`), booking included."""
        w = ladder.reactivation_weight(person.propensity)
        return w * ladder.booking_uptake(person.visits, self.p) * self.can_pay(person)

    def comebacks(self) -> None:
        """Once a week: dormant people draw whether they come back (events and good visits remind them)."""
        visits = self.week["visits"]
        good_share = self.week["good_visits"] / visits if visits else 0.0
        for person in self.dormant.draw_comebacks(self.time, self.rng, self.week["events"], good_share, self.p):
            person.come_back()
        partners = [a.unique_id for a in self.agents_by_type.get(Partner, ())
                    if a.active and a.affiliation is Affiliation.INDIVIDUAL]
        self.partnerships.weekly(partners)

    def on_comeback(self, person: Person) -> None:
        """A dormant person is active again."""
        self.dormant.discard(person)
        self.active_by_role[person.role] += 1
        self.week["comebacks"] += 1
        if self.measuring and person.role in self.ever:
            self.ever[person.role][person.unique_id] = None

    # -- bookkeeping hooks called by agents ------------------------------------
    def on_person_created(self, agent: mesa.Agent) -> None:
        """Add a node to the network and count the person in their role."""
        self.network.add_person(agent.unique_id, agent.role, _aff(agent))
        self.people_created += 1
        self.active_by_role[agent.role] += 1
        if self.measuring and agent.role in self.ever and agent.affiliation in (None, Affiliation.INDIVIDUAL):
            self.ever[agent.role][agent.unique_id] = None

    def on_first_visit(self, person: Person) -> None:
        """Count a newcomer by the channel that brought them."""
        if self.measuring:
            self.newcomers_by_channel[person.channel.value] += 1

    def on_role_change(self, person: Person, old_role: str) -> None:
        """Keep role counts, the network's roles and the 'ever held' tallies in step."""
        self.network.set_role(person.unique_id, person.role, _aff(person))
        if person.active:
            self.active_by_role[old_role] -= 1
            self.active_by_role[person.role] += 1
        if self.measuring and person.role in self.ever:
            self.ever[person.role][person.unique_id] = None

    def on_lapse(self, person: Person) -> None:
        """A person stops coming: dormant, they may come back."""
        self.active_by_role[person.role] -= 1
        self.week["lapses"] += 1
        if isinstance(person, Artist) and person.channel is Channel.RESIDENCY:
            return  # a residency is over: residents do not drift back on their own
        self.dormant.add(person, self.time, self._comeback_weight(person))

    def forget_the_long_gone(self) -> None:
        """Archive people dormant for more than forget_after_days: keep their tallies, drop agent and ties.

        By then their pull to come back has faded (`reactivation_fade_days`);
        the network forgets their ties (and regulars' degrees drop with them),
        as ties fade within a year. It keeps multi-year runs from growing on
        people who are gone.
        """
        from sim.metrics import cohort_record  # the record's layout belongs to the metrics

        horizon = self.time - self.p.forget_after_days
        gone = []
        for person in self.dormant.release_older_than(horizon):
            check = self._inactivity_checks.pop(person, None)
            if check is not None:  # a lapse longer than the memory: forget the pending check too
                check.cancel()
            period = person.visits - person.visits_before
            if period > 0:
                self.archived_visits.append(period)
            record = cohort_record(person)
            if record is not None:
                self.archived_cohorts.append(record)
            gone.append(person.unique_id)
            person.remove()
        self.network.forget(gone)

    # -- measuring ---------------------------------------------------------------
    def start_measuring(self) -> None:
        """The warm-up is over: the measured period starts now (tallies reset; the lab goes on as it was).

        Draws no random number, so the lab's trajectory is the same whether or not it is measured.
        """
        self.measuring = True
        self.measure_start = self.time
        self.n_visited = self.visits = self.regular_visits = self.workshops_held = self.events_held = 0
        self.residencies_completed = self.works_produced = self.people_trained = 0
        self.subscribers = {}
        self.budget.reset()
        self.market.reset_tallies()
        self.blog.reset_tallies()
        self.partnerships.reset_tallies()
        self.promoted.clear()
        self.newcomers_by_channel.clear()
        self.archived_visits = []
        self.ever = {r: {} for r in ("contributor", "partner", "artist")}
        for agent in self.agents:
            if isinstance(agent, Person):
                agent.visits_before = agent.visits
                if agent.active and agent.role in self.ever and agent.affiliation in (None, Affiliation.INDIVIDUAL):
                    self.ever[agent.role][agent.unique_id] = None

    # -- data ----------------------------------------------------------------
    def collect_week(self) -> None:
        """Record the week's row of the time series, then reset the weekly tallies."""
        self.datacollector.collect(self)
        self.week.clear()

    def run_years(self, years: float) -> None:
        """Run the warm-up (if not yet done), then `years` measured years (365 days each)."""
        self.run_until(max(self.time, self.measure_start) + years * YEAR)


class _Intervention:
    """Holds one intervention's changes; its bound method is the event callback (Mesa keeps weak refs)."""

    def __init__(self, model: LabModel, changes: dict) -> None:
        self.model, self.changes = model, changes

    def apply(self) -> None:
        """Apply the change of governance now."""
        self.model.apply(self.changes)


def _aff(agent: mesa.Agent) -> str | None:
    return agent.affiliation.value if agent.affiliation is not None else None


TIMESERIES_REPORTERS = {
    "time": lambda m: m.time - m.warmup_days,
    "visitors": lambda m: m.active_by_role["visitor"],
    "contributors": lambda m: m.active_by_role["contributor"],
    "partners": lambda m: m.active_by_role["partner"] - m.active_orgs,
    "mediators": lambda m: m.active_by_role["mediator"],
    "artists": lambda m: m.active_by_role["artist"],
    "arrivals": lambda m: m.week["arrivals"],
    "visits": lambda m: m.week["visits"],
    "lapses": lambda m: m.week["lapses"],
    "comebacks": lambda m: m.week["comebacks"],
    "docs_pages": lambda m: m.docs_pages,
    "reputation": lambda m: round(m.reputation + m.told, 2),
    "revenue": lambda m: round(m.budget.revenue, 2),
    "costs": lambda m: round(sum(m.budget.costs.values()), 2),
}
