"""The programme: workshops, big events, residencies, and the works they produce.

Each year's workshops, events and residency calls are spread evenly over the
year's open days when the year starts (an intervention that changes them
re-plans the rest of the year); a lab with seasons holds them all on its open
days (none in a closed month: the year's count is kept, on fewer days). A workshop seats newcomers who booked it and
spreads the word; a big event brings the host's crowd and people aware of the
lab, reminds dormant people and may start partnerships; a residency call
selects the best applicants above the selectivity bar, who move in two weeks
later for `residency_days`, hire engineer hours and deliver works that join
the portfolio offered to companies (`sim.model.market`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from enum import Enum

import numpy as np

from sim.kinds import DAYS_PER_YEAR, Channel, Role
from sim.model import ladder
from sim.model.arrivals import Arrivals
from sim.model.blog import Blog
from sim.model.calendar import MORNING
from sim.model.careers import Careers
from sim.model.draws import Count
from sim.model.market import Market
from sim.model.partnerships import Partnerships
from sim.model.shared import Shared

RESIDENCY_START_DELAY = 14  # days between a call and the start of its residencies (assumption)
# keys whose change re-plans the rest of the year (new seasons too: no item may stay on a day now closed)
PROGRAMME_KEYS = frozenset({"workshops_per_year", "events_per_year", "residency_calls_per_year", "monthly_opening"})


class Item(Enum):
    """A programme item planned for a day."""

    WORKSHOP = "workshop"
    EVENT = "event"
    CALL = "residency_call"


class Programme:
    """The year's plan of workshops, events and residency calls; the residencies under way; the works."""

    def __init__(self, shared: Shared, arrivals: Arrivals, careers: Careers, market: Market,
                 partnerships: Partnerships, blog: Blog) -> None:
        """Nothing planned yet (`plan_year` plans the first year).

        The peers are those whose behaviour the programme calls: `arrivals` (a
        workshop's or an event's newcomers), `careers` (residents' visits and
        departures), `market` (engineer hours, the works made), `partnerships`
        (organisations met at events) and `blog` (its articles draw applicants).
        """
        self.lab, self.people, self.calendar = shared.lab, shared.people, shared.calendar
        self.arrivals, self.careers, self.market, self.partnerships, self.blog = arrivals, careers, market, partnerships, blog
        self.awareness, self.tally, self.budget = shared.awareness, shared.tally, shared.budget
        self.plan: defaultdict[int, list[Item]] = defaultdict(list)  # day -> items
        self.year_start = 0.0
        self.workshops_today = 0
        self.event_today = False
        self.selected: dict[int, list[int]] = {}  # start day -> artists selected, moving in then
        self.residents = np.empty(0, dtype=np.int64)
        self.residency_end: dict[int, float] = {}  # resident -> end of their residency

    # -- planning --------------------------------------------------------------
    def plan_year(self) -> None:
        """A new year: plan its workshops, big events and residency calls; engineers' hours are renewed."""
        self.year_start = self.lab.time - 0.5  # the year starts with the day
        self.market.refill_hours()
        self._plan(self.year_start, DAYS_PER_YEAR)

    def replan(self) -> None:
        """The programme's settings changed: the rest of this year is planned anew."""
        today = int(self.lab.time)
        for day in [d for d in self.plan if d >= today]:
            del self.plan[day]
        self._plan(self.lab.time, self.year_start + DAYS_PER_YEAR - self.lab.time)

    def _plan(self, start: float, length: float) -> None:
        """Spread the programme's items evenly over [start, start + length), each on a visiting day."""
        settings, rng = self.lab.settings, self.lab.rng
        plan = (  # (items a year, item, phase: calls open the period, the rest is centred)
            (settings.workshops_per_year, Item.WORKSHOP, 0.5),
            (settings.events_per_year, Item.EVENT, 0.5),
            (settings.residency_calls_per_year, Item.CALL, 0.0),
        )
        seasonal = self.calendar.seasonal
        if seasonal:  # the open days of the period: items are spread over them, none on a closed day
            first = self.calendar.day_of(max(start, self.lab.time))
            days = self.calendar.open_days(first, int(start + length) + 1)
            days = days[days + MORNING < start + length]
        for per_year, item, phase in plan:
            expected = per_year * length / DAYS_PER_YEAR
            n = int(expected) + (rng.random() < expected - int(expected))
            for i in range(n):
                if seasonal:
                    if days.size:
                        self.plan[int(days[int((i + phase) * days.size / n)])].append(item)
                    continue
                day = self.calendar.day_of(max(start + (i + phase) * length / n, self.lab.time))
                if day + MORNING < start + length:
                    self.plan[day].append(item)

    # -- the day's programme --------------------------------------------------------
    def morning(self) -> None:
        """Today's items are held; residencies start and end."""
        today = int(self.lab.time)
        self.workshops_today, self.event_today = 0, False
        if today in self.selected:
            self.start_residencies(np.array(self.selected.pop(today), dtype=np.int64))
        if self.residency_end:
            self.end_residencies()
        items = self.plan.pop(today, None)
        if not items:
            return
        counts = Counter(items)
        for _ in range(counts[Item.WORKSHOP]):
            self.hold_workshop()
        if counts[Item.EVENT]:
            self.hold_event()
        for _ in range(counts[Item.CALL]):
            self.residency_call()

    def hold_workshop(self) -> None:
        """A mediator-run workshop today: newcomers book its seats; its announcement spreads the word."""
        settings = self.lab.settings
        self.workshops_today += 1
        self.awareness.spread(settings.workshop_reach)
        wanted, = self.lab.draws.poisson([settings.workshop_newcomers * self.arrivals.entry_uptake(settings.workshop_fee)],
                                         int(self.lab.time), Count.WORKSHOP + self.workshops_today - 1)
        seated = self.arrivals.newcomers(min(int(wanted), settings.workshop_size), Channel.WORKSHOP, arranged=True,
                                         fee=settings.workshop_fee)
        self.budget.earn("workshops", seated.size * settings.workshop_fee)
        self.budget.spend("materials", settings.materials_per_workshop)

    def hold_event(self) -> None:
        """A big event today: the host's crowd and people aware of the lab come; dormant people are reminded."""
        settings = self.lab.settings
        self.event_today = True
        self.tally.week["events"] += 1
        draw = self.arrivals.entry_uptake(0.0)  # big events are free
        crowd, pool = self.lab.draws.poisson([settings.event_newcomers * draw,
                                              self.awareness.reputation * settings.event_pool_pull * draw],
                                             int(self.lab.time), Count.EVENT_CROWD)
        from_pool = self.awareness.take("reputation", pool)
        self.arrivals.newcomers(crowd + from_pool, Channel.EVENT, arranged=True)
        self.awareness.spread(settings.event_reach)
        self.partnerships.after_event()

    # -- residencies -------------------------------------------------------------------
    def residency_call(self) -> None:
        """Staff select the best applicants above the selectivity bar; they move in two weeks later."""
        settings, rng, people = self.lab.settings, self.lab.rng, self.people
        applicants = settings.residency_applicants + settings.blog_applicants_per_article * self.blog.articles_past_year()
        talents = np.sort(rng.random(rng.poisson(applicants)))[::-1]
        selected = talents[: settings.residency_slots]
        selected = selected[selected >= settings.selectivity]
        if not selected.size:
            return
        ids = people.add(selected.size, Role.ARTIST, Channel.RESIDENCY, self.lab.time, active=False, talent=selected)
        start = int(self.lab.time) + RESIDENCY_START_DELAY
        self.selected[start] = [*self.selected.get(start, []), *ids.tolist()]

    def start_residencies(self, ids: np.ndarray) -> None:
        """Selected artists move in for residency_days, working with staff and engineers."""
        people, settings = self.people, self.lab.settings
        people.activate(ids)
        people.in_residence[ids] = True
        for uid in ids.tolist():
            people.engineer_hours[uid] = self.market.hire_engineers()
            self.residency_end[uid] = self.lab.time + settings.residency_days
        self.residents = np.append(self.residents, ids)
        self.careers.plan_visits(ids, decided_at=MORNING)

    def end_residencies(self) -> None:
        """Residencies that are over deliver their works, sold or rented to companies."""
        settings, rng, people = self.lab.settings, self.lab.rng, self.people
        done = np.array([uid for uid, end in self.residency_end.items() if end <= self.lab.time + 1e-9], dtype=np.int64)
        if not done.size:
            return
        for uid in done.tolist():
            del self.residency_end[uid]
        self.residents = self.residents[~np.isin(self.residents, done)]
        people.in_residence[done] = False
        self.tally.add("residencies_completed", done.size)
        for uid in done.tolist():
            boost = ladder.engineer_multiplier(people.engineer_hours[uid], settings)
            for _ in range(rng.poisson(settings.works_per_residency * 2 * people.talent[uid] * boost)):
                self.finish_work(uid)
        self.careers.leave(done)

    # -- works -----------------------------------------------------------------------------
    def work(self, ids: np.ndarray) -> None:
        """People who worked on projects or residencies today may finish a work (talent helps)."""
        if not ids.size:
            return
        done = ids[self.lab.rng.random(ids.size) < self.lab.settings.work_rate * 2 * self.people.talent[ids]]
        for uid in done.tolist():
            self.finish_work(uid)

    def finish_work(self, author: int) -> None:
        """A work is done; a residency's work, co-produced by the lab, joins the portfolio offered to companies.

        The works of regulars and creators in project sessions are their makers'
        own: they count as the lab's output, not in its portfolio.
        """
        self.tally.add("works_produced")
        self.people.works[author] += 1
        if self.people.role[author] == Role.ARTIST and self.people.channel[author] == Channel.RESIDENCY:
            self.market.add_work(author)

    def snapshot(self) -> dict:
        """The year's plan, the residencies under way and to come, as data."""
        return {"plan": [[day, [item.value for item in items]] for day, items in self.plan.items()],
                "year_start": self.year_start, "workshops_today": self.workshops_today, "event_today": self.event_today,
                "selected": [[day, ids] for day, ids in self.selected.items()], "residents": self.residents.copy(),
                "residency_end": [[uid, end] for uid, end in self.residency_end.items()]}

    def restore(self, snap: dict) -> None:
        """Refill from `snapshot` data."""
        self.plan = defaultdict(list, {int(day): [Item(v) for v in items] for day, items in snap["plan"]})
        self.year_start, self.workshops_today = float(snap["year_start"]), int(snap["workshops_today"])
        self.event_today = bool(snap["event_today"])
        self.selected = {int(day): [int(u) for u in ids] for day, ids in snap["selected"]}
        self.residents = np.array(snap["residents"], dtype=np.int64)
        self.residency_end = {int(uid): float(end) for uid, end in snap["residency_end"]}
