"""The ladder's rules: who comes back, who goes dormant and returns, who climbs, who slides down.

Every rule is a small function of a person's state and the settings, so that a
reader finds why people stay or leave in this one file, and each threshold has
a unit test beside it (`tests/unit/test_ladder.py`). The rules take scalars or
numpy arrays alike (a day is played on arrays); `sim.model.careers` applies them and
draws the random numbers.

The rungs: visitor -> contributor (a regular) -> partner (the core). Staff
(mediators) and artists in residence stand beside the ladder.

Sources are those of `sim/config/schema.py` (see `docs/ODD.md`, section 7).
"""

from __future__ import annotations

import math

import numpy as np

from sim.config.settings import Settings
from sim.config.willingness import NORMAL, fee_acceptance
from sim.kinds import DAYS_PER_YEAR, Role

MAX_RETURN = 0.97  # nobody is certain to come back (keeps heavy-tailed propensities from locking people in; assumption)
ENGAGEMENT_COUNTED = 3.0  # engagement beyond three good visits' worth adds nothing to a visitor's return (assumption)
REACTIVATION_PULL_CAP = 2.0  # the keenest are drawn back at most twice as strongly as the average (assumption)


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
    return 1.0 - (1.0 - np.minimum(np.maximum(chance, 0.0), 1.0)) ** propensity


# -- coming back after a visit ------------------------------------------------
def visitor_return_chance(quality, engagement, trained, propensity, settings: Settings, member=False):
    """Chance that an occasional visitor (or a creator among the public) books another visit.

    Good visits (mediator attention, peers, documentation) and engagement
    raise it (Joyce & Kraut 2006; Zhou & Mockus 2012); a workshop's training
    raises it too, and so does holding a membership (a commitment made); the
    person's propensity scales it. Price is applied by the caller.
    """
    chance = (settings.return_base_visitor + settings.return_quality_effect * (np.asarray(quality) - 0.5)
              + settings.return_engagement_effect * np.minimum(engagement, ENGAGEMENT_COUNTED)
              + settings.training_return_effect * np.asarray(trained)
              + settings.member_return_effect * np.asarray(member))
    chance = np.minimum(np.maximum(chance, 0.0), MAX_RETURN)
    return np.minimum(MAX_RETURN, scale_chance(chance, propensity))


def regular_return_chance(role, settings: Settings, propensity=1.0):
    """Chance that a contributor or partner comes back after a visit (CNCS 2008: ~1 in 3 lost a year).

    The rung's chance is for a regular of average pace; one who comes more
    often (`visit_interval`) has a chance per visit closer to 1, so that the
    regulars' losses stay a matter of time, not of visits: a keen regular does
    not use up a career's worth of visits faster (issue 21).
    """
    role = np.asarray(role)
    base = np.where(role == Role.PARTNER, settings.return_base_partner, settings.return_base_contributor)
    rung = np.where(role == Role.PARTNER, settings.interval_partner_days, settings.interval_contributor_days)
    return base ** (visit_interval(role, propensity, settings) / rung)


def visit_interval(role, propensity, settings: Settings, member=False):
    """Mean days until a person's next visit: the rung's interval for a person of average propensity.

    Keener people come sooner, on every rung (the interval divided by the
    square root of their propensity, between one day and a year), so the
    busiest regulars come most days, as a makerspace's most active members do
    (issue 21). An occasional visitor who holds a membership comes every
    `member_interval_days` (never less often than an occasional visitor).
    """
    role = np.asarray(role)
    regular = np.where(role == Role.PARTNER, settings.interval_partner_days, settings.interval_contributor_days)
    occasional = np.where(member, min(settings.member_interval_days, settings.interval_visitor_days),
                          settings.interval_visitor_days)
    base = np.where((role == Role.PARTNER) | (role == Role.CONTRIBUTOR), regular, occasional)
    return np.minimum(np.maximum(base / np.sqrt(np.maximum(propensity, 1e-9)), 1.0), DAYS_PER_YEAR)


def draw_wait(rng: np.random.Generator, mean) -> np.ndarray:
    """Whole days from today's visit to the next: at least one (tomorrow), `mean` on average (before closed days).

    Geometric: each later day is as likely to be the one as the chance
    1 / mean allows, so a person whose interval is one day comes every day.
    """
    return rng.geometric(1.0 / np.maximum(1.0, np.asarray(mean, dtype=float))).astype(float)


def good_visit(quality, settings: Settings):
    """A visit good enough that the person speaks well of the lab (word of mouth)."""
    return quality >= settings.good_visit_quality


# -- dormancy and reactivation ------------------------------------------------
def reactivation_weight(propensity):
    """How strongly a dormant person is drawn back: the keener, the more (up to twice the average)."""
    return np.minimum(propensity, REACTIVATION_PULL_CAP)


def reactivation_chance(days_away, weight, events: int, good_share: float, settings: Settings, days: float = 7.0):
    """Chance that a dormant person comes back within the next `days` (vectorised over people).

    The hazard fades with time away (half the pull every `reactivation_fade_days`
    x ln 2) and rises with the lab's big events and with the share of good
    visits (word of mouth): makerspace members "ebb and flow".
    """
    boost = (1.0 + settings.reactivation_event_boost * events) * (1.0 + settings.reactivation_wom_boost * good_share)
    hazard = settings.reactivation_rate / 7.0 * np.asarray(weight) * np.exp(-np.asarray(days_away) / settings.reactivation_fade_days)
    return 1.0 - np.exp(-hazard * boost * days)


# -- climbing -------------------------------------------------------------------
def is_regular(recent_visits, talent, settings: Settings):
    """Enough visits in the window, and accepted by a selective membership, make a contributor."""
    return (np.asarray(recent_visits) >= settings.contributor_visits) & (np.asarray(talent) >= settings.contributor_selectivity)


def partner_capacity(mediators: int, settings: Settings, contributors: float | None = None) -> float:
    """Partnerships the lab can carry: bounded by the staff's co-production time and by its community's size.

    Absorptive capacity is a resource, not a cap: each partner uses some of
    it, and promotion gets harder as it fills. Two bottlenecks in series: the
    staff's time (mediators x partners_per_mediator, less friction) and the
    community the core comes from (core_per_contributor x the `contributors`
    active now: projects and peers draw partners from the regulars, Wenger et
    al. 2002). Capacity = S K / (S + K), so it grows with either and is held
    by the smaller. Without `contributors` (organisations' relations, or
    core_per_contributor 0), the staff's alone.
    """
    staff = mediators * settings.partners_per_mediator * (1.0 - settings.internal_friction)
    if contributors is None or settings.core_per_contributor <= 0:
        return staff
    community = settings.core_per_contributor * contributors
    return staff * community / (staff + community) if staff + community > 0 else 0.0


def eligible_for_partner(engagement, ties, coleads, settings: Settings):
    """Engaged, well connected, and has co-led an activity (the case study's partners co-organise)."""
    return ((np.asarray(engagement) >= settings.partner_min_engagement) & (np.asarray(ties) >= settings.partner_min_ties)
            & (np.asarray(coleads) >= settings.partner_min_coleads))


def partner_promotion_chance(load: float, capacity: float, settings: Settings) -> float:
    """Chance per visit that an eligible contributor joins the core: harder as the staff's capacity fills."""
    if capacity <= 0:
        return 0.0
    return settings.partner_promotion_prob * max(0.0, 1.0 - load / capacity)


# -- sliding down ----------------------------------------------------------------
def lapse_days(role, settings: Settings):
    """Days of absence after which a regular of this rung slides down one."""
    return np.where(np.asarray(role) == Role.PARTNER, settings.partner_lapse_days, settings.contributor_lapse_days)


def demotion_due(role, days_away, settings: Settings):
    """Whether a regular slides down a rung after this long an absence (vectorised over people).

    A partner away `partner_lapse_days` or more slides to contributor, a
    contributor away `contributor_lapse_days` or more to visitor; the other
    rungs never slide. `sim.model.careers` applies it when a regular's
    absence check falls due.
    """
    role = np.asarray(role)
    regular = (role == Role.PARTNER) | (role == Role.CONTRIBUTOR)
    return regular & (np.asarray(days_away) >= lapse_days(role, settings))


# -- access by appointment --------------------------------------------------------
def booking_uptake(visits, settings: Settings):
    """Share of would-be visits that go through the booking under appointment access.

    Booking is an effort that deters those who do not yet know the lab much
    more than regulars: exp(-effort / (1 + visits so far) ** 2), so a
    newcomer faces all of it, a second-timer a quarter, a regular almost none.
    """
    if settings.access != "appointment":
        return np.ones_like(visits, dtype=float) if np.ndim(visits) else 1.0
    return np.exp(-settings.booking_effort / (1.0 + np.asarray(visits, dtype=float)) ** 2)


def keeps_booking(days_waited: float, settings: Settings) -> float:
    """Chance that someone told to wait for a free slot still comes (patience fades)."""
    return math.exp(-max(0.0, days_waited) / settings.booking_patience_days)


def draw_wtp(rng: np.random.Generator, settings: Settings, at_least: float = 0.0, size: int | None = None):
    """A person's willingness to pay a visit, drawn among those whose willingness covers `at_least`.

    People who came although a fee was asked are those whose willingness
    covers it: the draw is from the lognormal truncated below at the fee
    (by its inverse distribution function; a plain lognormal when no fee).
    """
    n = 1 if size is None else size
    if settings.wtp_sigma <= 0:
        out = np.full(n, float(settings.wtp_median))
    elif at_least <= 0:
        out = rng.lognormal(math.log(settings.wtp_median), settings.wtp_sigma, size=n)
    else:
        low = 1.0 - fee_acceptance(at_least, settings)  # the quantile of the fee
        q = np.clip(low + (1.0 - low) * rng.random(n), 1e-12, 1.0 - 1e-12)
        z = np.array([NORMAL.inv_cdf(x) for x in q.tolist()])
        out = np.exp(math.log(settings.wtp_median) + settings.wtp_sigma * z)
    return float(out[0]) if size is None else out


def fee_habit_keep(days, settings: Settings):
    """Chance that a regular who finds a new drop-in fee too dear still comes after `days` more days.

    Habit keeps regulars coming while they reconsider (DellaVigna & Malmendier
    2006: ~2.3 months from the last visit to cancelling a gym contract): a
    hazard of 1 / fee_habit_days a day, so the fee's loss of regulars unfolds
    over weeks, and at the same pace for a daily regular as for a weekly one.
    """
    return np.exp(-np.asarray(days, dtype=float) / settings.fee_habit_days)


def membership_worth_it(wtp, expected_visits, fee: float):
    """A membership is worth its fee when the visits expected in its period are worth at least that much."""
    return wtp * expected_visits >= fee


def co_production_share(settings: Settings) -> float:
    """Share of the staff's time given to co-production with users (the rest goes to classic transmission)."""
    return 1.0 - settings.internal_friction


def partnership_lead_days(settings: Settings) -> float:
    """Administrative lead time of a partnership: friction lengthens it (/ (1 - friction), at most x20)."""
    return settings.partnership_lead_days / max(0.05, co_production_share(settings))


def engineer_multiplier(hours: float, settings: Settings) -> float:
    """Growth of a residency's works with the engineer hours it hired (saturating)."""
    return 1.0 + settings.engineer_output_effect * hours / (hours + settings.engineer_half_hours)


def client_interest(portfolio: float, renown: float, settings: Settings) -> float:
    """Chance one prospective company wants a work: grows with the portfolio and the lab's renown, saturating."""
    return (settings.client_interest * portfolio / (portfolio + settings.portfolio_half_works)
            * renown / (renown + settings.renown_half))
