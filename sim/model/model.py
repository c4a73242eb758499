"""LabModel: a lab's days, one timeline each, over the components that own its state.

Time is in days; day d runs at time d + 0.5 as one Mesa event (`day`), read
top to bottom below. Nothing is stepped per person: the people who come on a
day are an array of ids, played together. The state lives in components:

    people (sim.model.population)      everyone's row: role, history, membership...
    network (sim.model.network)        the collaboration ties
    calendar (sim.model.calendar)      open days and bookings
    awareness (sim.model.awareness)    who knows of the lab, its documentation
    careers (sim.model.careers)        every move on the ladder (the rules: sim.model.ladder)
    arrivals (sim.model.arrivals)      newcomers by channel
    programme (sim.model.programme)    workshops, events, residencies, works
    sessions (sim.model.sessions)      a day's activities: attention, quality, ties
    staff, market, partnerships, blog, budget, tally

The plain state they all read (people, network, tally, budget, calendar,
awareness) is handed to each as one object (`sim.model.shared.Shared`).

The run starts from an initial population (`sim.model.seats`), simulates
`warmup_years`, then measures (`start_measuring`): the summary covers the
measured years only. Open and closed labs are not two code paths: they are
settings of this one model.
"""

from __future__ import annotations

import dataclasses

import mesa
import numpy as np
from mesa.time import Priority, Schedule

from sim.config.cost import as_real, check_horizon, check_run, check_years
from sim.config.scenario import Scenario, from_keywords, mesa_scenario
from sim.config.settings import Settings
from sim.kinds import DAYS_PER_MONTH, DAYS_PER_YEAR, Role, SessionKind
from sim.metrics import WEEKLY_SERIES
from sim.model import ladder, seats
from sim.model.arrivals import Arrivals
from sim.model.blog import Blog
from sim.model.calendar import VISIT_HOUR, WEEK_END
from sim.model.careers import Careers
from sim.model.draws import Draws
from sim.model.market import Market
from sim.model.partnerships import Partnerships
from sim.model.programme import PROGRAMME_KEYS, Programme
from sim.model.recorder import VisitRecorder
from sim.model.sessions import Sessions
from sim.model.shared import Shared
from sim.model.staff import Staff
from sim.model.state import LabState, check_state, resume

YEAR = DAYS_PER_YEAR
WORKING = (SessionKind.PROJECT, SessionKind.RESIDENCY, SessionKind.CONFIDENTIAL)  # sessions where works are made
FORGET_EVERY = 30  # days between two passes that forget the long gone (assumption: monthly is often enough)


class LabModel(mesa.Model):
    """An open, closed or hybrid lab, set by one Settings object.

    Built as Mesa's own examples are: `LabModel(mediators=4, access="appointment", rng=1)`,
    so that Mesa's `batch_run` and a plain SolaraViz page can drive it. Its run methods check
    the horizon and the cost first (`sim.config.cost`): `run_years` is labsim's, `run_until` and
    `run_for` Mesa's, guarded the same way, so that `LabModel(...).run_for(1e12)` is refused in
    one line as `labsim run` would refuse it.

    Args:
        scenario: A Scenario, Settings, preset name, scenario file or Mesa Scenario; defaults to the built-in defaults.
        rng: Seed for numpy's and Python's generators (int or SeedSequence).
        state: A saved lab (`sim.model.state`) to resume instead of founding a new one.
        allow_large: Raise the cost limits its run methods check a hundredfold (labsim's --allow-large).
        recorder: Hands each measured visit's (id, day) to this recorder (`labsim log synth`); None records nothing.
        **keywords: Scenario keys on top of `scenario`, checked as in a scenario file (`sim.config.scenario.from_keywords`).

    """

    def __init__(self, scenario: Scenario | Settings | str | None = None, rng: int | None = None, *,
                 state: LabState | None = None, allow_large: bool = False, recorder: VisitRecorder | None = None,
                 **keywords: object) -> None:
        """Wire the components; then found the lab (staff, initial population) or resume a saved `state`.

        The wiring, in this order: each part is handed the shared state and the peers above it whose behaviour it calls.

            part          owns                                        handed
            shared        people, network, tally, budget, calendar,   the lab (settings, streams, clock)
                          awareness (`sim.model.shared`)
            staff         the mediators                               shared
            careers       every move on the ladder                    shared, staff, recorder
            arrivals      newcomers by channel                        shared, careers
            market        engineers, clients, works, rentals          shared, staff
            partnerships  partner organisations                       shared, staff
            blog          articles and their authors                  tally
            programme     workshops, events, residencies              shared, arrivals, careers, market, partnerships, blog
            sessions      a day's activities                          shared, staff
        """
        check_state(state, "LabModel: state")
        lab_scenario, rng = from_keywords(scenario, keywords, rng)
        super().__init__(rng=rng, scenario=mesa_scenario(lab_scenario, rng))  # Mesa's view: the starting settings
        self.allow_large = bool(allow_large)
        self.lab_scenario = lab_scenario
        self.draws = Draws(int(self.rng.integers(2**63)))  # the ladder's common random numbers (`sim.model.draws`), from the seed
        self.settings: Settings = lab_scenario.settings
        self.warmup_days = self.measure_start = self.settings.warmup_years * YEAR
        self.measuring = False
        shared = self.shared = Shared(self)  # from the starting settings above; the model's names for its parts below
        self.people, self.network, self.calendar = shared.people, shared.network, shared.calendar
        self.awareness, self.tally, self.budget = shared.awareness, shared.tally, shared.budget
        self.staff = Staff(shared)
        self.careers = Careers(shared, self.staff, recorder)
        self.arrivals = Arrivals(shared, self.careers)
        self.market = Market(shared, self.staff)
        self.partnerships = Partnerships(shared, self.staff)
        self.blog = Blog(self.tally)
        self.programme = Programme(shared, self.arrivals, self.careers, self.market, self.partnerships, self.blog)
        self.sessions = Sessions(shared, self.staff)
        self.datacollector = mesa.DataCollector(model_reporters=WEEKLY_SERIES)
        self._next_month = DAYS_PER_MONTH + 0.1  # rents are paid and works offered again each month
        if state is None:
            self._found()
        else:
            resume(self, state)  # the saved lab, its clock and random streams; this scenario's settings from now on
        self._interventions = [_Intervention(self, iv.changes) for iv in lab_scenario.interventions]
        for iv, spec in zip(self._interventions, lab_scenario.interventions, strict=True):
            self.schedule_event(iv.apply, at=self.warmup_days + spec.at, priority=Priority.HIGH)

    def _found(self) -> None:
        """A new lab: staff and providers hired, the initial population seated, the warm-up and the days scheduled."""
        settings = self.settings
        self.staff.staff_to(settings.mediators, self.time)
        self.market.hire_providers()
        self.careers.plan_visits(self.partnerships.seat(settings.partner_organisations))
        seats.seat(self.shared, self.staff, self.careers)
        if self.warmup_days > 0:
            self.schedule_event(self.start_measuring, at=self.warmup_days, priority=Priority.HIGH)
        else:
            self.start_measuring()
        self.schedule_recurring(self.day, Schedule(interval=1.0, start=VISIT_HOUR))

    # -- a day, top to bottom ------------------------------------------------------------
    def day(self) -> None:
        """One day of the lab: morning, the visits, the evening's decisions; once a week, comebacks and the series."""
        settings, d = self.settings, int(self.time)
        if d % YEAR == 0:
            self.programme.plan_year()
        # morning: the books, the blog, company projects, awareness, newcomers, the programme
        self.budget.accrue_day(len(self.staff), settings)
        self.awareness.spread(self.blog.day(self.time, self.rng, settings) * settings.blog_reach_per_article)
        self.market.day()
        self.awareness.fade(settings)
        if self.calendar.is_open(d):
            self.arrivals.day()
        if self._next_month < d + 1:
            self.market.month()
            self._next_month += DAYS_PER_MONTH
        self.programme.morning()
        # the visits: who comes, the activities, and each one's decision to come back
        present = self.calendar.due(d)
        present = present[self.people.active[present]]
        if present.size:
            self.visits(present)
        # evening: absences checked, members a year on; weekly comebacks and the week's row; monthly forgetting
        self.careers.absence_checks()
        self.careers.anniversaries()
        self.careers.count_stocks()
        if d % 7 == 6:
            self.careers.comebacks(WEEK_END)
            self.careers.plan_visits(self.partnerships.weekly(), WEEK_END)
            self.datacollector.collect(self)
            self.tally.new_week()
        if d % FORGET_EVERY == 0 and d > 0:
            self.careers.forget_the_long_gone()

    def visits(self, present: np.ndarray) -> None:
        """The day's visitors split among its activities, meet, and decide whether to come back."""
        people, settings = self.people, self.settings
        sessions = self.sessions.split(present, self.programme.workshops_today, self.programme.event_today)
        self.sessions.attend(sessions)
        ids, quality = self.sessions.play(sessions)
        self.careers.record_visits(ids, quality)
        for x in sessions:
            if x.kind is SessionKind.RESIDENCY:
                self.market.engineers_join(x.ids)
            if x.kind is SessionKind.WORKSHOP:
                self.careers.train(x.ids)
            if x.kind in WORKING:
                self.programme.work(x.ids[people.role[x.ids] != Role.VISITOR])
        good = ladder.good_visit(quality, settings)
        self.awareness.good_visits(ids[good], settings)
        self.tally.week["good_visits"] += int(good.sum())
        self.sessions.introduce(present)
        self.careers.count_visits(ids)
        organisations = self.careers.after_visits(ids)
        self.careers.plan_visits(self.partnerships.keep_going(organisations))

    # -- changes of governance and of period -------------------------------------------------
    def apply(self, changes: dict) -> None:
        """Change settings mid-run: staff are hired or let go, the rest of the year's programme is re-planned."""
        self.settings = dataclasses.replace(self.settings, **changes)
        self.staff.staff_to(self.settings.mediators, self.time)
        self.people.resize_window(self.settings.contributor_visits)
        if PROGRAMME_KEYS & changes.keys():
            self.programme.replan()

    def start_measuring(self) -> None:
        """The warm-up is over: the measured period starts now (tallies reset; the lab goes on as it was).

        Draws no random number, so the lab's trajectory is the same whether or not it is measured.
        """
        self.measuring = True
        self.measure_start = self.time
        self.tally.start()
        self.budget.start()
        self.blog.start_period()
        self.people.start_period()

    # -- running, the horizon and the cost checked first -------------------------------------------
    def run_years(self, years: float) -> None:
        """Run the warm-up (if not yet done), then `years` measured years (365 days each), its cost checked first."""
        check_years(years, "run_years: years")
        check_run(self.lab_scenario, years, allow_large=self.allow_large, where="run_years")  # before it starts
        super().run_until(max(self.time, self.measure_start) + years * YEAR)

    def run_until(self, end_time: float) -> None:
        """Mesa's run_until (end_time in days), its horizon and cost checked first as run_years' are."""
        self._check_until(end_time, end_time, "run_until: end_time")
        super().run_until(end_time)

    def run_for(self, duration: float) -> None:
        """Mesa's run_for (duration in days), its horizon and cost checked first as run_years' are."""
        self._check_until(duration, self.time + as_real(duration), "run_for: duration")
        super().run_for(duration)

    def _check_until(self, given: object, end: float, what: str) -> None:
        """Refuse running to `end` (`given` as asked) past the limits (`sim.config.cost.check_horizon`)."""
        check_horizon(self.lab_scenario, given, end, now=self.time, since=max(self.time, self.measure_start),
                      allow_large=self.allow_large, what=what)


class _Intervention:
    """Holds one intervention's changes; its bound method is the event callback (Mesa keeps weak refs)."""

    def __init__(self, model: LabModel, changes: dict) -> None:
        self.model, self.changes = model, changes

    def apply(self) -> None:
        """Apply the change of governance now."""
        self.model.apply(self.changes)
