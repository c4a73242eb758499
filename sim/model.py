"""LabModel: a lab's year, event by event.

Time is in days. Nothing is stepped per person per day: arrivals happen once a
day, programme items (workshops, big events, residency calls) are scheduled as
events, and each person books their next visit on the lab's agenda; a visiting
day is one Mesa event that brings the people booked for it (`book`,
`open_doors`). A run costs in proportion to the visits it simulates, and the
event queue stays as short as the calendar. People who left more than
`forget_after_days` ago are archived once a month (`forget_the_long_gone`), so
multi-year runs do not grow on them. A day runs like this:

    d + 0.05  arrivals: newcomers from footfall x discovery x access, word of mouth, blog
    d + 0.10  programme: a workshop or a big event today, residency calls and ends
    d + 0.50  visits: one event per visiting day brings the people booked for it to the roster
    d + 0.90  closing: the day's activities are played out (sim.activities.Lab)
    d + 0.95  once a week: the data collector records the time series

Open and closed labs are not two code paths: they are settings of this one model.
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter, deque

import mesa
import numpy as np
from mesa.time import Priority, Schedule

from sim.activities import Lab
from sim.agents import Affiliation, Artist, Channel, Contributor, Mediator, Partner, Person, Visitor
from sim.network import CollabNetwork
from sim.scenario import DAYS_PER_YEAR, Scenario, Settings

ARRIVALS_AT, PROGRAMME_AT, VISIT_AT, CLOSE_AT, COLLECT_AT = 0.05, 0.1, 0.5, 0.9, 0.95
YEAR = DAYS_PER_YEAR
SESSION_LOG = 60  # recent sessions kept (day, kind, attendees) for the person-activity picture
PROGRAMME_KEYS = {"workshops_per_year", "events_per_year", "residency_calls_per_year"}
RESIDENCY_START_DELAY = 14.0  # days between a call and the start of its residencies (assumption)


class LabModel(mesa.Model):
    """An open, closed or hybrid lab, set by one Settings object.

    Args:
        scenario: A Scenario (or bare Settings); defaults to the built-in defaults.
        rng: Seed for numpy's and Python's generators (int or SeedSequence).

    """

    def __init__(self, scenario: Scenario | Settings | None = None, rng: int | None = None) -> None:
        """Hire staff and partners, then schedule the daily and yearly events."""
        super().__init__(rng=rng)
        if scenario is None:
            scenario = Scenario(name="default")
        self.lab_scenario = scenario if isinstance(scenario, Scenario) else Scenario("custom", scenario)
        self.p = self.lab_scenario.settings
        self.network = CollabNetwork()
        self.lab = Lab(self)
        # tallies (the run's outcomes)
        self.n_visited = 0  # people who made at least one visit
        self.people_created = 0
        self.archived_visits: list[int] = []  # visits of people forgotten after they left (for the Gini)
        self._lapsed: deque[tuple[float, Person]] = deque()
        self.ever: dict[str, dict[int, None]] = {r: {} for r in ("contributor", "partner", "artist")}
        self.promoted: Counter[str] = Counter()
        self.active_by_role: Counter[str] = Counter()
        self.week: Counter[str] = Counter()  # arrivals, visits, lapses this week
        self.visits = self.workshops_held = self.events_held = 0
        self.residencies_completed = self.works_produced = 0
        self.revenue = 0.0
        self.docs_pages = self.p.initial_doc_pages
        self.blog_articles_published = self.blog_articles_rejected = 0
        self.blog_authors: dict[int, bool] = {}  # author id -> still willing to write
        self._inactivity_checks: dict[Person, mesa.time.Event] = {}
        self._agenda: dict[float, list[Person]] = {}  # visit time -> people booked
        self.session_log: deque[tuple[float, str, tuple[int, ...]]] = deque(maxlen=SESSION_LOG)
        self._pending_residents: list[Artist] = []
        self._residents: list[Artist] = []
        self.mediators: list[Mediator] = []
        for _ in range(self.p.mediators):
            self.hire_mediator()
        self.engineers = [
            Partner(self, Channel.PARTNERSHIP, Affiliation.ENGINEER_PROVIDER) for _ in range(self.p.engineer_providers)
        ]
        self.clients = [Partner(self, Channel.PARTNERSHIP, Affiliation.COMPANY) for _ in range(self.p.client_companies)]
        for i in range(self.p.partner_organisations):
            org = Partner(self, Channel.PARTNERSHIP, (Affiliation.RESEARCH_LAB, Affiliation.COMPANY)[i % 2])
            org.plan_next_visit()
        self._tie_partners_to_staff()
        self._interventions = [_Intervention(self, iv.changes) for iv in self.lab_scenario.interventions]
        for iv, spec in zip(self._interventions, self.lab_scenario.interventions, strict=True):
            self.schedule_event(iv.apply, at=spec.at, priority=Priority.HIGH)
        self.datacollector = mesa.DataCollector(model_reporters=TIMESERIES_REPORTERS)
        self.schedule_recurring(self.arrivals, Schedule(interval=1.0, start=ARRIVALS_AT))
        self.schedule_recurring(self.plan_programme, Schedule(interval=YEAR, start=0.0), priority=Priority.HIGH)
        self.schedule_recurring(self.lab.close_day, Schedule(interval=1.0, start=CLOSE_AT), priority=Priority.LOW)
        self.schedule_recurring(self.collect_week, Schedule(interval=7.0, start=7 - 1 + COLLECT_AT))
        self.schedule_recurring(self.forget_the_long_gone, Schedule(interval=30.0, start=30 + COLLECT_AT))

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
    def book(self, person: Person, at: float) -> None:
        """Book a person's next visit at time `at` (an open day's visit time)."""
        day = self._agenda.get(at)
        if day is None:
            self._agenda[at] = day = []
            self.schedule_event(self.open_doors, at=at)
        day.append(person)
        person.next_visit = at

    def cancel_booking(self, person: Person) -> None:
        """Withdraw a person's booked visit (they have left)."""
        self._agenda[person.next_visit].remove(person)
        person.next_visit = None

    def open_doors(self) -> None:
        """Event: the people booked for today come, in the order they booked."""
        for person in self._agenda.pop(self.time):
            person.visit()

    @property
    def access_factor(self) -> float:
        """Share of would-be newcomers who come: all when open, those who book otherwise."""
        return 1.0 if self.p.access == "open" else self.p.appointment_uptake

    @property
    def price_factor(self) -> float:
        """How much the price deters arrivals and returns, in (0, 1]."""
        return math.exp(-self.p.price_sensitivity * self.p.price_per_visit)

    # -- arrivals ----------------------------------------------------------
    def arrivals(self) -> None:
        """Newcomers of the day: footfall x discovery, word of mouth (x access x price); blog articles."""
        p = self.p
        self._blog_day()
        day = math.floor(self.time)
        if not self.is_open(day):
            return
        draw = self.access_factor * self.price_factor
        self.newcomers(self.rng.poisson(p.host_footfall_per_day * p.discovery_rate * draw), Channel.FOOTFALL)
        regulars = self.active_by_role["contributor"] + self.active_by_role["partner"]
        open_days = YEAR * p.open_days_per_week / 7
        n_wom = self.rng.poisson(p.word_of_mouth_per_year * regulars / open_days * draw)
        if n_wom:
            pool = [a for cls in (Contributor, Partner) for a in self.agents_by_type.get(cls, []) if a.active]
            for person in self.newcomers(n_wom, Channel.WORD_OF_MOUTH):
                referrer = pool[int(self.rng.integers(len(pool)))]
                self.network.tie(person.unique_id, referrer.unique_id, self.time)

    def newcomers(self, n: int, channel: Channel) -> list[Person]:
        """Create n people arriving today; a share of them come as creators."""
        people = []
        for _ in range(n):
            cls = Artist if self.rng.random() < self.p.creator_share else Visitor
            person = cls(self, channel)
            self.book(person, self.lab_day(self.time))
            people.append(person)
        self.week["arrivals"] += n
        return people

    def _blog_day(self) -> None:
        """Web users submit articles; staff moderate them (rejected authors rarely return)."""
        p = self.p
        for _ in range(self.rng.poisson(p.blog_submissions_per_year / YEAR)):
            willing = [a for a, ok in self.blog_authors.items() if ok]
            if willing and self.rng.random() < p.blog_repeat_author_prob:
                author = willing[int(self.rng.integers(len(willing)))]
            else:
                author = len(self.blog_authors)
            accepted = not p.moderation or self.rng.random() < p.moderation_accept_rate
            self.blog_authors[author] = accepted
            if accepted:
                self.blog_articles_published += 1
            else:
                self.blog_articles_rejected += 1

    # -- programme ---------------------------------------------------------
    def plan_programme(self) -> None:
        """Schedule the coming year's workshops, big events and residency calls."""
        self._year_start = self.time
        self._programme = []
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
        """A mediator-run workshop today; it draws booked newcomers."""
        self.lab.workshops_today += 1
        draw = self.access_factor * self.price_factor
        self.newcomers(self.rng.poisson(self.p.workshop_newcomers * draw), Channel.WORKSHOP)

    def hold_event(self) -> None:
        """A big event today: a crowd of newcomers, regulars present join it."""
        self.lab.event_today = True
        draw = self.access_factor * self.price_factor
        self.newcomers(self.rng.poisson(self.p.event_newcomers * draw), Channel.EVENT)

    def residency_call(self) -> None:
        """Staff select the best applicants above the selectivity bar for residencies."""
        p = self.p
        talents = np.sort(self.rng.random(self.rng.poisson(p.residency_applicants)))[::-1]
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
            artist.in_residence = True
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
            self.residencies_completed += 1
            n_works = self.rng.poisson(p.works_per_residency * 2 * artist.talent)
            for _ in range(n_works):
                self.finish_work(artist)
            artist.leave()

    def finish_work(self, author: Person) -> None:
        """A work is done; it may be rented or sold to a client company (rights shared)."""
        self.works_produced += 1
        author.works += 1
        if self.rng.random() >= self.p.work_sale_prob:
            return
        self.revenue += self.p.work_price * self.p.lab_rights_share
        if self.clients and self.rng.random() < 0.7:
            buyer = self.clients[int(self.rng.integers(len(self.clients)))]
        else:
            buyer = Partner(self, Channel.PARTNERSHIP, Affiliation.COMPANY)
            self.clients.append(buyer)
        self.network.tie(buyer.unique_id, author.unique_id, self.time)
        if self.mediators:
            staff = self.mediators[int(self.rng.integers(len(self.mediators)))]
            self.network.tie(buyer.unique_id, staff.unique_id, self.time)

    def maybe_produce_work(self, person: Person) -> None:
        """A project or residency session may finish a work (talent helps)."""
        if self.rng.random() < self.p.work_rate * 2 * person.talent:
            self.finish_work(person)

    def _tie_partners_to_staff(self) -> None:
        """Engineers and client companies know the staff (two of them)."""
        staff = [m.unique_id for m in self.mediators]
        for other in self.engineers + self.clients:
            for s in staff[:2]:
                self.network.tie(other.unique_id, s, self.time)

    # -- after a visit: the ladder -------------------------------------------
    def count_visit(self, person: Person) -> None:
        """Tally one visit and any fee paid."""
        self.visits += 1
        self.week["visits"] += 1
        if person.visits == 1:
            self.n_visited += 1
        if isinstance(person, Visitor | Contributor):
            self.revenue += self.p.price_per_visit

    def after_visit(self, person: Person) -> None:
        """Count the visit, write documentation, climb the ladder, decide to return."""
        self.count_visit(person)
        if isinstance(person, Contributor | Partner):
            self.docs_pages += self.p.doc_pages_per_visit
        if isinstance(person, Artist) and person.in_residence:
            person.plan_next_visit()
            return
        if person.affiliation is Affiliation.ENGINEER_PROVIDER:
            return  # paid providers come when a residency needs them
        if person.affiliation in (Affiliation.COMPANY, Affiliation.RESEARCH_LAB):
            person.plan_next_visit()  # partner organisations keep coming
            return
        if type(person) is Visitor:
            self._maybe_become_contributor(person)
        elif type(person) is Contributor:
            self._maybe_become_partner(person)
        if self.rng.random() < person.return_chance(person.last_quality):
            person.plan_next_visit()
        else:
            person.leave()
        if isinstance(person, Contributor | Partner):
            self.watch_inactivity(person)

    def _maybe_become_contributor(self, person: Visitor) -> None:
        """Regular visits within the window, or a subscription, make a contributor."""
        p = self.p
        regular = len(person.recent) >= p.contributor_visits
        subscribes = person.visits > 1 and self.rng.random() < p.subscription_prob * self.price_factor
        if (regular or subscribes) and person.talent >= p.contributor_selectivity:
            if subscribes:
                self.revenue += p.subscription_fee
            person.become(Contributor)
            self.promoted["contributor"] += 1

    def _maybe_become_partner(self, person: Contributor) -> None:
        p = self.p
        eligible = (
            person.current_engagement() >= p.partner_min_engagement
            and self.network.degree(person.unique_id) >= p.partner_min_ties
            and person.coleads >= p.partner_min_coleads
            and self.active_by_role["partner"] < p.absorptive_capacity
        )
        if eligible and self.rng.random() < p.partner_promotion_prob * (1 - p.internal_friction):
            person.affiliation = Affiliation.INDIVIDUAL
            person.become(Partner)
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

    # -- bookkeeping hooks called by agents ------------------------------------
    def on_person_created(self, agent: mesa.Agent) -> None:
        """Add a node to the network and count the person in their role."""
        self.network.add_person(agent.unique_id, agent.role, _aff(agent))
        self.people_created += 1
        self.active_by_role[agent.role] += 1
        if agent.role in self.ever:
            self.ever[agent.role][agent.unique_id] = None

    def on_role_change(self, person: Person, old_role: str) -> None:
        """Keep role counts, the network's roles and the 'ever held' tallies in step."""
        self.network.set_role(person.unique_id, person.role, _aff(person))
        if person.active:
            self.active_by_role[old_role] -= 1
            self.active_by_role[person.role] += 1
        if person.role in self.ever:
            self.ever[person.role][person.unique_id] = None

    def on_lapse(self, person: Person) -> None:
        """A person stops coming."""
        self.active_by_role[person.role] -= 1
        self.week["lapses"] += 1
        self._lapsed.append((self.time, person))

    def forget_the_long_gone(self) -> None:
        """Archive people who left more than forget_after_days ago: keep their visits, drop agent and ties.

        Lapsed people never come back in this model, so the counts are unchanged;
        the network forgets their ties (and regulars' degrees drop with them), as
        ties fade within a year. It keeps multi-year runs from growing on people who are gone.
        """
        horizon = self.time - self.p.forget_after_days
        gone, keep = [], []
        while self._lapsed and self._lapsed[0][0] <= horizon:
            left, person = self._lapsed.popleft()
            if isinstance(person, Contributor | Partner) or person in self._inactivity_checks:
                keep.append((left, person))  # still sliding down the ladder: try next time
                continue
            self.archived_visits.append(person.visits)
            gone.append(person.unique_id)
            person.remove()
        self._lapsed.extendleft(reversed(keep))
        self.network.forget(gone)

    # -- data ----------------------------------------------------------------
    def collect_week(self) -> None:
        """Record the week's row of the time series, then reset the weekly tallies."""
        self.datacollector.collect(self)
        self.week.clear()

    def run_years(self, years: float) -> None:
        """Run the model for a number of years (365 days each)."""
        self.run_for(years * YEAR)


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
    "time": lambda m: m.time,
    "visitors": lambda m: m.active_by_role["visitor"],
    "contributors": lambda m: m.active_by_role["contributor"],
    "partners": lambda m: m.active_by_role["partner"],
    "mediators": lambda m: m.active_by_role["mediator"],
    "artists": lambda m: m.active_by_role["artist"],
    "arrivals": lambda m: m.week["arrivals"],
    "visits": lambda m: m.week["visits"],
    "lapses": lambda m: m.week["lapses"],
    "docs_pages": lambda m: m.docs_pages,
    "revenue": lambda m: m.revenue,
}
