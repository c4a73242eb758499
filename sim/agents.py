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

if TYPE_CHECKING:
    from sim.model import LabModel


class Affiliation(Enum):
    """Who a partner is: the case study names four kinds."""

    INDIVIDUAL = "individual"
    COMPANY = "company"
    RESEARCH_LAB = "research_lab"
    ENGINEER_PROVIDER = "engineer_provider"


class Channel(Enum):
    """How a person first came to the lab."""

    STAFF = "staff"
    FOOTFALL = "footfall"
    WORD_OF_MOUTH = "word_of_mouth"
    EVENT = "event"
    WORKSHOP = "workshop"
    RESIDENCY = "residency"
    PARTNERSHIP = "partnership"


class Person(mesa.Agent):
    """Anyone who takes part: state shared by every role.

    Attributes:
        talent: Skill in [0, 1]; drawn once; selection filters on it.
        engagement: Builds with good visits, halves every `engagement_half_life_days`.
        visits: Visits made so far.
        active: False once the person has left (lapsed); lapsed people stay in the
            model so that counts and the network keep their history.

    """

    role = "person"
    interval_key = "interval_visitor_days"
    return_key = "return_base_visitor"

    def __init__(self, model: LabModel, channel: Channel, affiliation: Affiliation | None = None):
        """Create a person at their first arrival (not at time 0)."""
        super().__init__(model)
        self.channel = channel
        self.affiliation = affiliation
        self.talent = float(model.rng.random())
        self.created = model.time
        self.engagement = 0.0
        self.engaged_at = model.time
        self.visits = 0
        self.last_visit = -math.inf
        self.recent: list[float] = []  # a visitor's recent visit times, for the contributor window
        self.coleads = 0
        self.last_quality = 0.5
        self.works = 0
        self.active = True
        self.next_visit: float | None = None  # time of the booked visit, if any
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
        self.visits += 1
        self.last_visit = now
        if type(self) is Visitor:
            since = now - self.model.p.contributor_window_days
            self.recent = [t for t in self.recent if t >= since]
            self.recent.append(now)
        self.engagement = self.current_engagement() + quality
        self.engaged_at = now

    def current_engagement(self) -> float:
        """Engagement now, decayed since it was last updated."""
        half_life = self.model.p.engagement_half_life_days
        return self.engagement * 0.5 ** ((self.model.time - self.engaged_at) / half_life)

    def return_chance(self, quality: float) -> float:
        """Chance of coming back: a regular's base rate, times the price's deterrence."""
        return getattr(self.model.p, self.return_key) * self.model.price_factor

    def plan_next_visit(self) -> None:
        """Book the next visit: at least a day away, `mean` days on average (before closed days)."""
        mean = getattr(self.model.p, self.interval_key)
        wait = 1.0 + self.model.rng.exponential(max(0.0, mean - 1.0))
        self.model.book(self, self.model.lab_day(self.model.time + wait))

    def leave(self) -> None:
        """Stop coming: the person lapses but keeps their history and ties."""
        if self.next_visit is not None:
            self.model.cancel_booking(self)
        if self.active:
            self.active = False
            self.model.on_lapse(self)

    def inactivity_check(self) -> None:
        """Event callback: a regular's pending inactivity check is due."""
        self.model.forget_inactivity_check(self)
        self.check_inactive()

    def check_inactive(self) -> None:
        """Slide down the ladder after a long absence; roles override it."""

    def become(self, cls: type[Person]) -> None:
        """Move to another rung of the ladder, keeping identity, history and ties."""
        if type(self) is cls:
            return
        uid, old_role = self.unique_id, self.role
        self.model.deregister_agent(self)
        self.__class__ = cls
        self.model.register_agent(self)  # Mesa hands out a fresh id here...
        self.unique_id = uid  # ...but the person keeps theirs.
        self.model.on_role_change(self, old_role)


class Visitor(Person):
    """An occasional user: comes once or a few times."""

    role = "visitor"

    def return_chance(self, quality: float) -> float:
        """Newcomers return after good visits and as their engagement grows (Joyce & Kraut 2006)."""
        p = self.model.p
        chance = p.return_base_visitor + p.return_quality_effect * (quality - 0.5)
        chance += p.return_engagement_effect * min(self.current_engagement(), 3.0)
        return min(0.95, max(0.0, chance)) * self.model.price_factor


class Contributor(Person):
    """A regular: documents, helps newcomers, joins and co-leads projects."""

    role = "contributor"
    interval_key = "interval_contributor_days"
    return_key = "return_base_contributor"

    def check_inactive(self) -> None:
        """Demoted to a lapsed visitor after contributor_lapse_days away."""
        if self.model.time - self.last_visit >= self.model.p.contributor_lapse_days:
            self.leave()
            self.become(Visitor)
        else:
            self.model.watch_inactivity(self)


class Partner(Person):
    """The hard core: co-organises the programme, leads projects; or an organisation."""

    role = "partner"
    interval_key = "interval_partner_days"
    return_key = "return_base_partner"

    def check_inactive(self) -> None:
        """Demoted to contributor after partner_lapse_days away (organisations stay)."""
        if self.model.time - self.last_visit >= self.model.p.partner_lapse_days:
            self.affiliation = None
            self.become(Contributor)
            self.model.watch_inactivity(self, delay=self.model.p.contributor_lapse_days)
        else:
            self.model.watch_inactivity(self)


class Artist(Person):
    """A creator: in residence (selected by staff) or among the open lab's public."""

    role = "artist"

    def __init__(self, model: LabModel, channel: Channel, talent: float | None = None):
        """Create an artist; a resident's talent is what the selection saw."""
        super().__init__(model, channel)
        if talent is not None:
            self.talent = talent
        self.in_residence = False

    return_chance = Visitor.return_chance  # a creator among the public comes back as a visitor does

    def plan_next_visit(self) -> None:
        """Residents come residency_visits_per_week days a week; creators as visitors do."""
        per_week = self.model.p.residency_visits_per_week
        if not self.in_residence or per_week <= 0:
            super().plan_next_visit()
            return
        wait = 1.0 + self.model.rng.exponential(max(0.0, 7.0 / per_week - 1.0))
        self.model.book(self, self.model.lab_day(self.model.time + wait))


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
