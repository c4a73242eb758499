"""The model's vocabulary: its unit of time and the kinds of things it names.

Roles, channels, affiliations, session kinds, access modes, subsidy rules and
partnership statuses are Enums, so that a typo is an error and an IDE completes them. The
people table stores roles, channels and affiliations as small integer codes
(their `code`), which is what lets a day be played on arrays.
"""

from __future__ import annotations

from enum import Enum, IntEnum, StrEnum

DAYS_PER_YEAR = 365.0  # the model's time unit is the day
DAYS_PER_MONTH = DAYS_PER_YEAR / 12


class Role(IntEnum):
    """Where a person stands: the ladder's rungs (visitor -> contributor -> partner), and beside it.

    The integer is the code stored in the people table; `rank` orders the rungs
    (partner > contributor > visitor or artist; staff above, for `role_reached`).
    """

    VISITOR = 0
    CONTRIBUTOR = 1
    PARTNER = 2
    MEDIATOR = 3
    ARTIST = 4
    ENGINEER = 5
    CLIENT = 6

    @property
    def label(self) -> str:
        """The role's name in outputs (summary keys, people.csv, network.graphml)."""
        return self.name.lower()

    @property
    def rank(self) -> int:
        """Height on the ladder: 0 visitor or artist, 1 contributor, 2 partner, 3 staff; -1 beside it."""
        return _RANK[self]

    @property
    def is_regular(self) -> bool:
        """Contributors and partners: the regulars, who return at their rung's rate and document."""
        return self in (Role.CONTRIBUTOR, Role.PARTNER)


_RANK = {Role.VISITOR: 0, Role.ARTIST: 0, Role.CONTRIBUTOR: 1, Role.PARTNER: 2, Role.MEDIATOR: 3,
         Role.ENGINEER: -1, Role.CLIENT: -1}
ROLE_LABELS = tuple(r.label for r in Role)  # code -> label


class Channel(IntEnum):
    """How a person first came to the lab (the integer is the code stored in the people table)."""

    STAFF = 0
    FOOTFALL = 1
    WORD_OF_MOUTH = 2
    EVENT = 3
    WORKSHOP = 4
    REPUTATION = 5  # found the lab online (documentation, blog) or through its renown
    RESIDENCY = 6
    PARTNERSHIP = 7
    INITIAL = 8  # present when the run starts
    PROVIDER = 9  # an engineer working for the lab
    MARKET = 10  # a client company

    @property
    def label(self) -> str:
        """The channel's name in outputs (people.csv)."""
        return self.name.lower()


CHANNEL_LABELS = tuple(c.label for c in Channel)


class Affiliation(IntEnum):
    """Who a partner is: the case study names four kinds; NONE for people on their own account."""

    NONE = 0
    INDIVIDUAL = 1
    COMPANY = 2
    RESEARCH_LAB = 3
    ENGINEER_PROVIDER = 4
    SCHOOL = 5

    @property
    def label(self) -> str:
        """The affiliation's name in outputs ('' for none)."""
        return "" if self is Affiliation.NONE else self.name.lower()

    @property
    def is_organisation(self) -> bool:
        """A company, research lab, school or engineers' firm: it keeps a relation, not a career."""
        return self not in (Affiliation.NONE, Affiliation.INDIVIDUAL)


AFFILIATION_LABELS = tuple(a.label for a in Affiliation)


class SessionKind(Enum):
    """The activities of a lab's day: where people meet."""

    OPEN_SESSION = "open_session"
    WORKSHOP = "workshop"
    EVENT = "event"
    PROJECT = "project"
    RESIDENCY = "residency"
    CONFIDENTIAL = "confidential"


class Access(StrEnum):
    """How people get in: drop in on any open day, or book a slot ahead (the settings' `access`)."""

    OPEN = "open"
    APPOINTMENT = "appointment"


class SubsidyRule(StrEnum):
    """How the funder pays (the settings' `subsidy_rule`): a fixed grant, or the deficit covered up to a ceiling.

    The rule decides who gains from a saving: under a fixed grant the lab (its
    net result rises), under deficit cover the funder (its public cost falls).
    """

    FIXED = "fixed"
    DEFICIT = "deficit"


class PartnershipStatus(IntEnum):
    """Where an organisation of the pool stands with the lab."""

    PROSPECT = 0
    PENDING = 1  # the administrative procedure is under way
    ACTIVE = 2


class VisitKind(StrEnum):
    """What a row of a lab's visit log records (its `kind` column; `labsim log`).

    Visits, workshops and events are visits (a person came that day); the
    membership rows mark when a membership began and ended, and are not visits.
    """

    VISIT = "visit"
    WORKSHOP = "workshop"
    EVENT = "event"
    MEMBERSHIP_START = "membership_start"
    MEMBERSHIP_END = "membership_end"

    @property
    def is_visit(self) -> bool:
        """A day the person came to the lab (counted once a day), not a membership's start or end."""
        return self in (VisitKind.VISIT, VisitKind.WORKSHOP, VisitKind.EVENT)
