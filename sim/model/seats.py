"""The initial population: a lab that has run for a while, seated before the warm-up.

Regulars and partners know the staff and some of each other, have some
engagement and have co-led (partners); dormant former visitors stopped coming
over the past year, some of them keen former regulars. The warm-up then lets
the mechanisms take over (`docs/ODD.md`, initialisation).
"""

from __future__ import annotations

import numpy as np

from sim.kinds import DAYS_PER_YEAR, Affiliation, Channel, Role
from sim.model import ladder
from sim.model.careers import Careers
from sim.model.shared import Shared
from sim.model.staff import Staff

# The seated regulars' history (assumptions: enough to stand where they stand, not more):
REGULAR_VISITS = (8, 40)  # visits made before the run, uniform in [8, 40)
FORMER_REGULAR_VISITS = (10, 40)  # the same for former regulars now dormant
DORMANT_VISIT_P = 0.6  # former occasional visitors made a geometric(0.6) number of visits (mean 1.7)
SEATED_REGULAR_LAST_VISIT = 7.0  # the seated regulars came within the past week
SEATED_ENGAGEMENT = (1.0, 2.0)  # their engagement: uniform between one and two times the partners' threshold
FORMER_KEENNESS = (1.0, 2.0)  # former regulars' propensity: at least uniform(1, 2) (they came often)
FORMER_COLEAD_SHARE = 0.5  # half the former regulars had co-led a session


def seat(shared: Shared, staff: Staff, careers: Careers) -> None:
    """Seat the scenario's initial partners, contributors, dormant former visitors and former regulars."""
    lab, people, network = shared.lab, shared.people, shared.network
    settings, rng, now = lab.settings, lab.rng, lab.time
    regulars = []
    for role, n in ((Role.PARTNER, settings.initial_partners), (Role.CONTRIBUTOR, settings.initial_contributors)):
        if not n:
            continue
        ids = people.add(n, role, Channel.INITIAL, now,
                         affiliation=Affiliation.INDIVIDUAL if role == Role.PARTNER else Affiliation.NONE,
                         talent=rng.random(n), propensity=ladder.draw_propensity(rng, settings.propensity_sigma, size=n),
                         wtp=ladder.draw_wtp(rng, settings, size=n), trained=True)
        people.visits[ids] = people.visits_before[ids] = rng.integers(*REGULAR_VISITS, size=n)
        people.engagement[ids] = settings.partner_min_engagement * rng.uniform(*SEATED_ENGAGEMENT, size=n)
        half = np.arange(n) % 2 == 1  # half the contributors have co-led, every partner has
        people.coleads[ids] = np.where((role == Role.PARTNER) | half, settings.partner_min_coleads, 0)
        people.last_visit[ids] = -rng.random(n) * SEATED_REGULAR_LAST_VISIT
        careers.plan_visits(ids, decided_at=0.0)
        careers.watch(ids)
        regulars.append(ids)
    regulars = np.concatenate(regulars) if regulars else np.empty(0, dtype=np.int64)
    # Regulars know two of the staff and a few of each other (enough ties to be eligible for the core).
    if regulars.size:
        known = staff.ids[:: max(1, staff.ids.size // 2)][:2]
        u = np.repeat(regulars, known.size)
        v = np.tile(known, regulars.size)
        if regulars.size > 1:
            others = regulars[rng.integers(regulars.size, size=(regulars.size, settings.partner_min_ties))]
            u = np.append(u, np.repeat(regulars, settings.partner_min_ties))
            v = np.append(v, others.ravel())
        network.stage(u, v, now)
    seat_dormant(shared, staff, careers)


def seat_dormant(shared: Shared, staff: Staff, careers: Careers) -> None:
    """Former visitors (and keen former regulars) who stopped coming over the past year: dormant, they may return."""
    lab, people, network = shared.lab, shared.people, shared.network
    settings, rng, now = lab.settings, lab.rng, lab.time
    n = settings.initial_dormant + settings.initial_former_regulars
    if not n:
        return
    ids = people.add(n, Role.VISITOR, Channel.INITIAL, now, active=False, talent=rng.random(n),
                     propensity=ladder.draw_propensity(rng, settings.propensity_sigma, size=n), wtp=ladder.draw_wtp(rng, settings, size=n))
    former = ids[settings.initial_dormant :]  # regulars who stopped coming: keen, with a long history
    people.propensity[former] = np.maximum(people.propensity[former], rng.uniform(*FORMER_KEENNESS, size=former.size))
    people.visits[ids[: settings.initial_dormant]] = rng.geometric(DORMANT_VISIT_P, size=settings.initial_dormant)
    people.visits[former] = rng.integers(*FORMER_REGULAR_VISITS, size=former.size)
    people.visits_before[ids] = people.visits[ids]
    people.trained[former] = True
    people.coleads[former] = rng.random(former.size) < FORMER_COLEAD_SHARE
    if staff.ids.size and former.size:
        network.stage(former, np.full(former.size, staff.ids[0]), now)
    stopped = now - rng.random(n) * min(DAYS_PER_YEAR, settings.forget_after_days)
    people.last_visit[ids] = people.first_visit[ids] = stopped
    order = np.argsort(stopped, kind="stable")  # the pool is kept in the order people stopped
    careers.dormant.add(ids[order], stopped[order], careers.comeback_weight(ids[order]))
