"""The ladder's rules: who comes back, who goes dormant and returns, who climbs, who slides down.

Every rule is a small function of a person's state and the settings, so that a
reader finds why people stay or leave in this one file, and each threshold has
a unit test beside it (`tests/test_ladder.py`). `LabModel` keeps the calendar
and the books; it calls these rules and draws the random numbers.

The rungs: visitor -> contributor (a regular) -> partner (the core). Staff
(mediators) and artists in residence stand beside the ladder.

Sources are those of `sim/schema.py` (see `docs/ODD.md`, section 7).
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy is imported where it is used: `labsim validate` derives map places without it
    import numpy as np

MAX_RETURN = 0.97  # nobody is certain to come back (keeps heavy-tailed propensities from locking people in)
_NORMAL = NormalDist()


# -- people who differ -------------------------------------------------------
def draw_propensity(rng: np.random.Generator, sigma: float, size: int | None = None):
    """A person's propensity to come (time, interest, distance): lognormal with mean 1.

    Heavy-tailed, so that most people come once and a few come often (Nielsen
    2006's long tail); sigma = 0 makes everyone alike.
    """
    return rng.lognormal(-sigma * sigma / 2, sigma, size=size)


def scale_chance(chance: float, propensity: float) -> float:
    """A chance taken `propensity` times: 1 - (1 - chance) ** propensity.

    Propensity 1 leaves the chance as it is; 2 is like two tries; 0.5 half a try.
    It keeps the chance in [0, 1] whatever the propensity.
    """
    if chance <= 0.0:
        return 0.0
    if chance >= 1.0:
        return 1.0
    return 1.0 - (1.0 - chance) ** propensity


# -- coming back after a visit ------------------------------------------------
def visitor_return_chance(quality: float, engagement: float, trained: bool, propensity: float, s: Any) -> float:
    """Chance that an occasional visitor (or a creator among the public) books another visit.

    Good visits (mediator attention, peers, documentation) and engagement
    raise it (Joyce & Kraut 2006; Zhou & Mockus 2012); a workshop's training
    raises it too; the person's propensity scales it. Price is applied by the caller.
    """
    chance = s.return_base_visitor + s.return_quality_effect * (quality - 0.5)
    chance += s.return_engagement_effect * min(engagement, 3.0)
    if trained:
        chance += s.training_return_effect
    chance = min(MAX_RETURN, max(0.0, chance))
    return min(MAX_RETURN, scale_chance(chance, propensity))


def regular_return_chance(role: str, s: Any) -> float:
    """Chance that a contributor or partner comes back after a visit (CNCS 2008: ~1 in 3 lost a year)."""
    return s.return_base_partner if role == "partner" else s.return_base_contributor


def visit_interval(role: str, propensity: float, s: Any) -> float:
    """Mean days until a person's next visit: regulars weekly; keener visitors sooner."""
    if role == "partner":
        return s.interval_partner_days
    if role == "contributor":
        return s.interval_contributor_days
    return min(365.0, max(1.0, s.interval_visitor_days / math.sqrt(max(propensity, 1e-9))))


def good_visit(quality: float, s: Any) -> bool:
    """A visit good enough that the person speaks well of the lab (word of mouth)."""
    return quality >= s.good_visit_quality


# -- dormancy and reactivation ------------------------------------------------
def reactivation_weight(propensity: float) -> float:
    """How strongly a dormant person is drawn back: the keener, the more (up to twice the average)."""
    return min(propensity, 2.0)


def reactivation_chance(days_away, weight, events: int, good_share: float, s: Any, days: float = 7.0):
    """Chance that a dormant person comes back within the next `days` (vectorised over people).

    The hazard fades with time away (half the pull every `reactivation_fade_days`
    x ln 2) and rises with the lab's big events and with the share of good
    visits (word of mouth): makerspace members "ebb and flow".
    """
    import numpy as np

    boost = (1.0 + s.reactivation_event_boost * events) * (1.0 + s.reactivation_wom_boost * good_share)
    hazard = s.reactivation_rate / 7.0 * np.asarray(weight) * np.exp(-np.asarray(days_away) / s.reactivation_fade_days)
    return 1.0 - np.exp(-hazard * boost * days)


# -- climbing -------------------------------------------------------------------
def is_regular(recent_visits: int, talent: float, s: Any) -> bool:
    """Enough visits in the window, and accepted by a selective membership, make a contributor."""
    return recent_visits >= s.contributor_visits and talent >= s.contributor_selectivity


def partner_capacity(mediators: int, s: Any) -> float:
    """Partnerships the staff can carry: their time for co-production, less what friction takes.

    Absorptive capacity is a resource, not a cap: each partner (person or
    organisation) uses some of it, and promotion gets harder as it fills.
    """
    return mediators * s.partners_per_mediator * (1.0 - s.internal_friction)


def eligible_for_partner(engagement: float, ties: int, coleads: int, s: Any) -> bool:
    """Engaged, well connected, and has co-led an activity (the case study's partners co-organise)."""
    return engagement >= s.partner_min_engagement and ties >= s.partner_min_ties and coleads >= s.partner_min_coleads


def partner_promotion_chance(load: float, capacity: float, s: Any) -> float:
    """Chance per visit that an eligible contributor joins the core: harder as the staff's capacity fills."""
    if capacity <= 0:
        return 0.0
    return s.partner_promotion_prob * max(0.0, 1.0 - load / capacity)


# -- sliding down ----------------------------------------------------------------
def demotion_due(role: str, days_away: float, s: Any) -> str | None:
    """The rung a regular slides to after a long absence, or None while they are still one."""
    if role == "partner" and days_away >= s.partner_lapse_days:
        return "contributor"
    if role == "contributor" and days_away >= s.contributor_lapse_days:
        return "visitor"
    return None


# -- access by appointment --------------------------------------------------------
def booking_uptake(visits: int, s: Any) -> float:
    """Share of would-be visits that go through the booking under appointment access.

    Booking is an effort that deters those who do not yet know the lab much
    more than regulars: exp(-effort / (1 + visits so far) ** 2), so a
    newcomer faces all of it, a second-timer a quarter, a regular almost none.
    """
    if s.access != "appointment":
        return 1.0
    return math.exp(-s.booking_effort / (1.0 + visits) ** 2)


def keeps_booking(days_waited: float, s: Any) -> float:
    """Chance that someone told to wait for a free slot still comes (patience fades)."""
    return math.exp(-max(0.0, days_waited) / s.booking_patience_days)


def fee_acceptance(fee: float, s: Any) -> float:
    """Share of people whose willingness to pay a visit covers the fee: P(wtp >= fee), wtp lognormal."""
    if fee <= 0:
        return 1.0
    if s.wtp_sigma <= 0:
        return float(s.wtp_median >= fee)
    return 1.0 - _NORMAL.cdf((math.log(fee) - math.log(s.wtp_median)) / s.wtp_sigma)


def draw_wtp(rng: np.random.Generator, s: Any, at_least: float = 0.0) -> float:
    """A person's willingness to pay a visit, drawn among those whose willingness covers `at_least`.

    People who came although a fee was asked are those whose willingness
    covers it: the draw is from the lognormal truncated below at the fee.
    """
    u = float(rng.random())
    if s.wtp_sigma <= 0:
        return s.wtp_median
    low = 1.0 - fee_acceptance(at_least, s)  # the quantile of the fee
    q = min(max(low + (1.0 - low) * u, 1e-12), 1.0 - 1e-12)
    return math.exp(math.log(s.wtp_median) + s.wtp_sigma * _NORMAL.inv_cdf(q))


def membership_worth_it(wtp: float, expected_visits: float, fee: float) -> bool:
    """A membership is worth its fee when the visits expected in its period are worth at least that much."""
    return wtp * expected_visits >= fee


def co_production_share(s: Any) -> float:
    """Share of the staff's time given to co-production with users (the rest goes to classic transmission)."""
    return 1.0 - s.internal_friction


def partnership_lead_days(s: Any) -> float:
    """Administrative lead time of a partnership: friction lengthens it (/ (1 - friction), at most x20)."""
    return s.partnership_lead_days / max(0.05, co_production_share(s))


def engineer_multiplier(hours: float, s: Any) -> float:
    """Growth of a residency's works with the engineer hours it hired (saturating)."""
    return 1.0 + s.engineer_output_effect * hours / (hours + s.engineer_half_hours)


def client_interest(portfolio: float, renown: float, s: Any) -> float:
    """Chance one prospective company wants a work: grows with the portfolio and the lab's renown, saturating."""
    return (s.client_interest * portfolio / (portfolio + s.portfolio_half_works)
            * renown / (renown + s.renown_half))
