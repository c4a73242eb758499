"""The people of a lab: Visitor, Contributor, Partner (the ladder), Mediator, Artist.

A person who climbs or slides down the ladder keeps one identity: the same
object, `unique_id`, history and ties. Only their class changes, so that Mesa's
`model.agents_by_type[Contributor]` answers "who is a contributor now".
"""

from __future__ import annotations

import math
from enum import Enum
from typing import TYPE_CHECKING

import mesa

from sim import ladder
from sim.scenario import DAYS_PER_YEAR

if TYPE_CHECKING:
    from sim.model import LabModel


class Affiliation(Enum):
    """Who a partner is: the case study names four kinds."""

    INDIVIDUAL = "individual"
    COMPANY = "company"
    RESEARCH_LAB = "research_lab"
    ENGINEER_PROVIDER = "engineer_provider"
    SCHOOL = "school"


class Channel(Enum):
    """How a person first came to the lab."""

    STAFF = "staff"
    FOOTFALL = "footfall"
    WORD_OF_MOUTH = "word_of_mouth"
    EVENT = "event"
    WORKSHOP = "workshop"
    REPUTATION = "reputation"  # found the lab online (documentation, blog) or through its renown
    RESIDENCY = "residency"
    PARTNERSHIP = "partnership"
    INITIAL = "initial"  # present when the run starts


RETURNER_WINDOW = 90.0  # a returner came back within this many days of their first visit; active = a visit within it


class Person(mesa.Agent):
    """Anyone who takes part: state shared by every role.

    Attributes:
        talent: Skill in [0, 1]; drawn once; selection filters on it.
        propensity: Propensity to come (time, interest, distance), lognormal with mean 1.
        engagement: Builds with good visits, halves every `engagement_half_life_days`.
        trained: Has attended a workshop (a skill, a machine licence).
        visits: Visits made so far.
        active: False while the person is dormant (stopped coming); dormant people
            may come back (`sim.ladder.reactivation_chance`) until the run forgets them.

    """

    role = "person"

    def __init__(self, model: LabModel, channel: Channel, affiliation: Affiliation | None = None, fee: float = 0.0):
        """Create a person at their first arrival; `fee` is what they agreed to pay to come (their willingness covers it)."""
        super().__init__(model)
        self.channel = channel
        self.affiliation = affiliation
        self.talent = float(model.rng.random())
        self.propensity = float(ladder.draw_propensity(model.rng, model.p.propensity_sigma))
        self.wtp = ladder.draw_wtp(model.rng, model.p, at_least=fee)  # EUR a visit is worth to them
        self.member_until = -math.inf  # end of their membership (members come free)
        self.confidential_until = -math.inf  # on a confidential company project until then
        self.project = -1  # the company project they work on, if confidential
        self.created = model.time
        self.engagement = 0.0
        self.engaged_at = model.time
        self.trained = False
        self.visits = 0
        self.visits_before = 0  # visits made before the measured period began
        self.first_visit = math.nan
        self.returned_early = False  # came back within RETURNER_WINDOW days of the first visit
        self.active_at_1y = False  # had a visit in the RETURNER_WINDOW days before their first visit's anniversary
        self.member_since = math.nan  # first time they became a contributor
        self.rungs: tuple[tuple[float, str], ...] = ()  # (time, role) at each change of rung, for member retention
        self.last_visit = -math.inf
        self.recent: tuple[float, ...] = ()  # recent visit times, for the contributor window (a tuple: light)
        self.coleads = 0
        self.last_quality = 0.5
        self.works = 0
        self.active = True
        self.next_visit: float | None = None  # time of the booked visit, if any
        self.dormant_index = -1  # place in the model's dormant pool while dormant
        model.on_person_created(self)

    # -- verbs -----------------------------------------------------------
    def visit(self) -> None:
        """Come to the lab today (the day's booking event calls this) and join the roster."""
        self.next_visit = None
        if self.active:
            self.model.lab.attend(self)

    def record_visit(self, quality: float) -> None:
        """Update history and engagement after a visit of the given quality."""
        now = self.model.time
        if self.visits == 0:
            self.first_visit = now
            self.model.on_first_visit(self)
        elif now - self.first_visit <= RETURNER_WINDOW:
            self.returned_early = True
        if DAYS_PER_YEAR - RETURNER_WINDOW < now - self.first_visit <= DAYS_PER_YEAR:
            self.active_at_1y = True
        self.visits += 1
        self.last_visit = now
        if type(self) in (Visitor, Artist):
            since = now - self.model.p.contributor_window_days
            self.recent = (*(t for t in self.recent if t >= since), now)
        self.engagement = self.current_engagement() + quality
        self.engaged_at = now

    def current_engagement(self) -> float:
        """Engagement now, decayed since it was last updated."""
        half_life = self.model.p.engagement_half_life_days
        return self.engagement * 0.5 ** ((self.model.time - self.engaged_at) / half_life)

    def return_chance(self, quality: float) -> float:
        """Chance of coming back after this visit (`sim.ladder`); nil if the fee is above what a visit is worth to them."""
        p = self.model.p
        if not self.model.can_pay(self):
            return 0.0
        if self.role in ("contributor", "partner"):
            return ladder.regular_return_chance(self.role, p)
        return ladder.visitor_return_chance(quality, self.current_engagement(), self.trained, self.propensity, p)

    def pays(self) -> bool:
        """Whether this visit is paid: not by members, partners, residents or organisations."""
        return (self.affiliation is None and type(self) is not Partner and self.member_until < self.model.time
                and not getattr(self, "in_residence", False))

    @property
    def confidential(self) -> bool:
        """Working on a confidential company project now."""
        return self.confidential_until > self.model.time

    def plan_next_visit(self) -> None:
        """Book the next visit: at least a day away, the rung's mean interval on average (before closed days)."""
        arranged = self.affiliation not in (None, Affiliation.INDIVIDUAL)  # organisations come by arrangement
        mean = (self.model.p.organisation_interval_days if arranged
                else ladder.visit_interval(self.role, self.propensity, self.model.p))
        wait = 1.0 + self.model.rng.exponential(max(0.0, mean - 1.0))
        self.model.book(self, self.model.time + wait, arranged=arranged)

    def leave(self) -> None:
        """Stop coming: the person goes dormant, keeping history and ties; they may come back."""
        if self.next_visit is not None:
            self.model.cancel_booking(self)
        if self.active:
            self.active = False
            self.model.on_lapse(self)

    def come_back(self) -> None:
        """A dormant person decides to come again (an event, word of mouth, their own wish)."""
        if self.active:
            return
        self.active = True
        self.model.on_comeback(self)
        self.plan_next_visit()

    def inactivity_check(self) -> None:
        """Event callback: a regular's pending inactivity check is due."""
        self.model.forget_inactivity_check(self)
        self.check_inactive()

    def check_inactive(self) -> None:
        """Slide down the ladder after a long absence (`sim.ladder.demotion_due`)."""
        lower = ladder.demotion_due(self.role, self.model.time - self.last_visit, self.model.p)
        if lower is None:
            if self.role in ("contributor", "partner"):
                self.model.watch_inactivity(self)
            return
        if lower == "visitor":
            self.leave()
            self.become(Visitor)
        else:
            self.affiliation = None
            self.become(Contributor)
            self.model.watch_inactivity(self, delay=self.model.p.contributor_lapse_days)

    def become(self, cls: type[Person]) -> None:
        """Move to another rung of the ladder, keeping identity, history and ties."""
        if type(self) is cls:
            return
        uid, old_role = self.unique_id, self.role
        self.model.deregister_agent(self)
        self.__class__ = cls
        self.model.register_agent(self)  # Mesa hands out a fresh id here...
        self.unique_id = uid  # ...but the person keeps theirs.
        self.rungs = (*self.rungs, (self.model.time, self.role))
        if self.role in ("contributor", "partner") and math.isnan(self.member_since):
            self.member_since = self.model.time
        self.model.on_role_change(self, old_role)

    def rung_at(self, t: float) -> str:
        """The rung the person stood on at time t, known from their first change of rung on."""
        role = "visitor"
        for when, r in self.rungs:
            if when > t:
                break
            role = r
        return role


class Visitor(Person):
    """An occasional user: comes once or a few times."""

    role = "visitor"


class Contributor(Person):
    """A regular: documents, helps newcomers, joins and co-leads projects."""

    role = "contributor"


class Partner(Person):
    """The hard core: co-organises the programme, leads projects; or an organisation."""

    role = "partner"


class Artist(Person):
    """A creator: in residence (selected by staff) or among the open lab's public."""

    role = "artist"

    def __init__(self, model: LabModel, channel: Channel, talent: float | None = None, fee: float = 0.0):
        """Create an artist; a resident's talent is what the selection saw."""
        super().__init__(model, channel, fee=fee)
        if talent is not None:
            self.talent = talent
        self.in_residence = False
        self.engineer_hours = 0.0  # engineer hours hired for their residency

    def plan_next_visit(self) -> None:
        """Residents come residency_visits_per_week days a week; creators as visitors do."""
        per_week = self.model.p.residency_visits_per_week
        if not self.in_residence or per_week <= 0:
            super().plan_next_visit()
            return
        wait = 1.0 + self.model.rng.exponential(max(0.0, 7.0 / per_week - 1.0))
        self.model.book(self, self.model.time + wait, arranged=True)


class Mediator(mesa.Agent):
    """Staff who welcome, teach, run workshops and broker ties; attention is limited."""

    role = "mediator"

    def __init__(self, model: LabModel):
        """Staff are hired at the start of the run."""
        super().__init__(model)
        self.affiliation = None
        self.active = True
        self.workshops_run = 0
        self.attended = 0  # people given attention, over the run
        model.on_person_created(self)


ROLE_CLASSES: dict[str, type[mesa.Agent]] = {cls.role: cls for cls in (Visitor, Contributor, Partner, Mediator, Artist)}
