"""The gap between a person's visits is the interval of the setting it comes from (issue 21, item 3).

Each role's next visit is booked by `Careers.plan_visits` at closing; with every
day open and nobody's propensity away from 1, nothing else moves the gap, so its
mean over 20,000 people must match the setting within 10% (the sampling error of
a geometric gap of mean 21 over 20,000 draws is ~0.7%). With Sundays closed the
shift to the next open day lengthens short gaps a little: still within 10%.
"""

import pytest

from sim.kinds import Affiliation, Channel, Role
from sim.model.model import LabModel

N = 20_000
TINY = {"host_footfall_per_day": 100.0, "warmup_years": 0.0, "initial_dormant": 10}


def _gaps(open_days: int, role: Role, affiliation: Affiliation = Affiliation.NONE, resident: bool = False,
          **settings) -> float:
    model = LabModel(rng=5, open_days_per_week=open_days, **TINY, **settings)
    ids = model.people.add(N, role, Channel.FOOTFALL, model.time, affiliation=affiliation, propensity=1.0,
                           in_residence=resident)
    day = int(model.time)
    model.careers.plan_visits(ids)
    return float((model.people.next_visit[ids] - day).mean())


SETTINGS = {
    "visitor": (Role.VISITOR, {}, "interval_visitor_days", 21.0),
    "contributor": (Role.CONTRIBUTOR, {}, "interval_contributor_days", 7.0),
    "partner": (Role.PARTNER, {}, "interval_partner_days", 5.0),
    "organisation": (Role.PARTNER, {"affiliation": Affiliation.RESEARCH_LAB}, "organisation_interval_days", 30.0),
}


@pytest.mark.parametrize("name", SETTINGS)
@pytest.mark.parametrize("open_days", [7, 6])
def test_the_mean_gap_is_the_roles_interval(name, open_days):
    role, extra, key, value = SETTINGS[name]
    mean = _gaps(open_days, role, **extra, **{key: value})
    assert mean == pytest.approx(value, rel=0.10)
    if open_days == 7:
        assert mean == pytest.approx(value, rel=0.03)  # nothing intervenes: the geometric gap's own mean


@pytest.mark.parametrize("per_week", [1.0, 3.5, 7.0])
def test_residents_keep_their_weekly_rhythm(per_week):
    mean = _gaps(7, Role.ARTIST, resident=True, residency_visits_per_week=per_week)
    assert mean == pytest.approx(7.0 / per_week, rel=0.10)


def test_someone_can_come_back_the_next_day():
    model = LabModel(rng=5, open_days_per_week=7, **TINY)
    ids = model.people.add(N, Role.PARTNER, Channel.FOOTFALL, model.time, propensity=1.0)
    model.careers.plan_visits(ids)
    tomorrow = (model.people.next_visit[ids] == int(model.time) + 1).mean()
    assert tomorrow == pytest.approx(1 / 5, abs=0.02)  # geometric of mean 5: a fifth come the next day
