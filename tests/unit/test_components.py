"""The lab's components one by one, on a stand-in lab: the people table, the ties, the calendar, the dormant pool."""

import dataclasses
import math

import numpy as np
import pytest

from sim.config.settings import Settings
from sim.kinds import Affiliation, Channel, Role
from sim.model.calendar import CLOSING, WEEK_END, Calendar
from sim.model.dormancy import DormantPool
from sim.model.draws import Draws
from sim.model.network import CollabNetwork, group_pairs
from sim.model.population import People


@dataclasses.dataclass
class StandIn:
    """What a component sees of the lab (sim.model.lab.Lab), without a model."""

    settings: Settings = dataclasses.field(default_factory=Settings)
    rng: np.random.Generator = dataclasses.field(default_factory=lambda: np.random.default_rng(0))
    measuring: bool = False
    time: float = 0.5


# -- the people table ---------------------------------------------------------------------------------
def test_new_people_get_rows_in_order_and_are_counted_in_their_role():
    people = People(window_visits=3)
    a = people.add(3, Role.VISITOR, Channel.FOOTFALL, 1.5, talent=[0.1, 0.2, 0.3])
    b = people.add(2000, Role.CONTRIBUTOR, Channel.INITIAL, 1.5)  # past the first capacity: the table grows
    assert a.tolist() == [0, 1, 2] and b[0] == 3 and people.n == 2003
    assert people.talent[:3].tolist() == [0.1, 0.2, 0.3] and people.created[2] == 1.5
    assert people.active_count[Role.VISITOR] == 3 and people.active_count[Role.CONTRIBUTOR] == 2000
    dormant = people.add(2, Role.VISITOR, Channel.INITIAL, 0.0, active=False)
    assert people.active_count[Role.VISITOR] == 3 and not people.active[dormant].any()


def test_roles_and_activity_keep_the_counts_in_step():
    people = People(window_visits=3)
    ids = people.add(5, Role.VISITOR, Channel.FOOTFALL, 0.5)
    first = people.set_role(ids[:2], Role.CONTRIBUTOR, 10.5)
    assert first.tolist() == [0, 1] and people.member_since[0] == 10.5
    people.deactivate(ids[1:3])
    people.set_role(ids[1], Role.PARTNER, 20.5)  # dormant: the counts of the active do not move
    assert people.active_count[Role.VISITOR] == 2 and people.active_count[Role.CONTRIBUTOR] == 1
    assert people.active_count[Role.PARTNER] == 0 and people.role_reached[1] == Role.PARTNER
    assert people.set_role(ids[1], Role.CONTRIBUTOR, 30.5).size == 0  # a member again: not a first time
    assert people.member_since[1] == 10.5 and people.role_reached[1] == Role.PARTNER
    people.activate(ids[1:3])
    counted = np.bincount(people.role[people.where(people.active)], minlength=len(Role))
    assert counted.tolist() == people.active_count.tolist()


def test_roles_held_in_the_measured_period_are_marked_for_individuals_only():
    people = People(window_visits=3)
    before = people.add(1, Role.CONTRIBUTOR, Channel.INITIAL, 0.5)
    idle = people.add(1, Role.CONTRIBUTOR, Channel.INITIAL, 0.5, active=False)
    org = people.add(1, Role.PARTNER, Channel.PARTNERSHIP, 0.5, affiliation=Affiliation.COMPANY)
    people.start_period()
    assert people.held_role(Role.CONTRIBUTOR)[before][0] and not people.held_role(Role.CONTRIBUTOR)[idle][0]
    assert not people.held_role(Role.PARTNER)[org][0]  # partner organisations are not individual partners
    climber = people.add(1, Role.VISITOR, Channel.FOOTFALL, 1.5)
    people.set_role(climber, Role.PARTNER, 2.5)
    assert people.held_role(Role.PARTNER)[climber][0] and not people.held_role(Role.CONTRIBUTOR)[climber][0]
    people.activate(idle)  # a comeback in the period
    assert people.held_role(Role.CONTRIBUTOR)[idle][0]


def test_the_contributor_window_counts_recent_visits_and_survives_a_new_rule():
    people = People(window_visits=3)
    uid = people.add(1, Role.VISITOR, Channel.FOOTFALL, 0.0)
    for day in (1.0, 2.0, 10.0, 11.0):
        people.note_visits(uid, day)
        people.visits[uid] += 1
    assert people.visits_within(uid, 0.0)[0] == 3  # the ring holds the latest 3
    assert people.visits_within(uid, 5.0)[0] == 2
    people.resize_window(5)
    assert people.visits_within(uid, 0.0)[0] == 3  # the latest times are kept in their new places
    people.note_visits(uid, 12.0)
    people.visits[uid] += 1
    assert people.visits_within(uid, 0.0)[0] == 4 and people.visits_within(uid, 10.0)[0] == 3


def test_a_person_is_a_view_of_a_row():
    people = People(window_visits=3)
    uid = int(people.add(1, Role.PARTNER, Channel.INITIAL, 0.5, affiliation=Affiliation.INDIVIDUAL)[0])
    person = people.person(uid)
    assert person.role is Role.PARTNER and person.is_individual and person.channel is Channel.INITIAL
    person.wtp = 3.5
    assert people.wtp[uid] == 3.5 and person.unique_id == uid and repr(person) == "<partner 0>"
    with pytest.raises(AttributeError):
        person.role = Role.VISITOR  # roles change through the table, which keeps the counts
    org = people.person(int(people.add(1, Role.PARTNER, Channel.PARTNERSHIP, 0.5, affiliation=Affiliation.SCHOOL)[0]))
    assert not org.is_individual


# -- ties, added in bulk --------------------------------------------------------------------------------
def _network(n: int) -> tuple[People, CollabNetwork]:
    people = People(window_visits=1)
    people.add(n, Role.VISITOR, Channel.FOOTFALL, 0.0)
    return people, CollabNetwork(people)


def test_staged_ties_merge_with_weights_last_contacts_and_degrees():
    _, net = _network(6)
    net.stage([0, 1, 2, 3], [1, 0, 2, 4], 1.0)  # (0,1) twice, a self-tie dropped
    net.tie(4, 3, 2.0)
    assert net.degrees(np.arange(6)).tolist() == [1, 1, 0, 1, 1, 0]
    net.tie_many([(5, 0), (0, 1)], 3.0)
    g = net.graph()
    assert g[0][1] == {"weight": 3, "last": 3.0} and g[3][4] == {"weight": 2, "last": 2.0}
    assert net.degree(0) == 2 and net.n_edges == 3 and net.has_edge(5, 0) and not net.has_edge(2, 3)


def test_many_ties_match_a_dictionary_kept_by_hand():
    rng = np.random.default_rng(5)
    _, net = _network(300)
    reference: dict[tuple[int, int], list[float]] = {}
    for day in range(60):  # past the buffer's size: merges into the main arrays happen
        u, v = rng.integers(300, size=(2, 400))
        net.stage(u, v, float(day))
        for a, b in zip(u.tolist(), v.tolist(), strict=True):
            if a != b:
                w = reference.setdefault((min(a, b), max(a, b)), [0, 0.0])
                w[0], w[1] = w[0] + 1, float(day)
        if day % 7 == 0:
            net.flush()
    g = net.graph()
    assert {(min(a, b), max(a, b)): [d["weight"], d["last"]] for a, b, d in g.edges(data=True)} == reference
    degree = np.zeros(300, dtype=int)
    for a, b in reference:
        degree[[a, b]] += 1
    assert net.degrees(np.arange(300)).tolist() == degree.tolist()


def test_forgetting_people_drops_their_ties_and_degrees():
    people, net = _network(5)
    net.tie(0, 1, 1.0)
    net.tie(1, 2, 2.0)
    net.tie(1, 2, 3.0)
    net.tie(3, 4, 3.0)
    people.gone[2] = True
    net.forget([2])
    assert sorted(net.nodes().tolist()) == [0, 1, 3, 4]
    assert net.degree(1) == 1 and net.n_edges == 2
    assert set(net.graph().edges) == {(0, 1), (3, 4)}
    net.tie(1, 0, 5.0)
    assert net.graph()[0][1] == {"weight": 2, "last": 5.0}


def test_a_group_ties_each_member_to_a_few_others_not_everyone():
    members = np.arange(300)
    u, v = group_pairs(members, 2, np.random.default_rng(0))
    assert u.size <= 600 and not np.any(u == v)  # a 300-person event makes no clique
    _, net = _network(300)
    net.stage(u, v, 1.0)
    assert max(net.degrees(members)) < 20
    small_u, small_v = group_pairs(np.array([7, 8, 9]), 2, np.random.default_rng(0))
    assert sorted(zip(small_u.tolist(), small_v.tolist(), strict=True)) == [(7, 8), (7, 9), (8, 9)]


# -- the calendar -----------------------------------------------------------------------------------------
def _calendar(**settings) -> tuple[StandIn, People, Calendar]:
    lab = StandIn(settings=dataclasses.replace(Settings(), **settings))
    people = People(window_visits=1)
    people.add(40, Role.VISITOR, Channel.FOOTFALL, 0.0)
    return lab, people, Calendar(lab, people)


def test_a_decision_lands_on_the_first_open_day_after_the_wait():
    _, _, cal = _calendar(open_days_per_week=5)  # days 5 and 6 of each week are closed
    assert [cal.is_open(d) for d in range(7)] == [True] * 5 + [False] * 2
    # decided at closing (0.9) to come back in one day: tomorrow (issue 21: nobody came two days in a row)
    assert cal.visiting_days(0, np.array([1.0]), CLOSING).tolist() == [1]
    assert cal.visiting_days(3, np.array([2.0]), CLOSING).tolist() == [7]  # day 5 is closed: the next week
    assert cal.visiting_days(0, np.array([1.6, 2.0]), CLOSING).tolist() == [2, 2]  # whole days, rounded up
    assert cal.visiting_days(0, np.array([0.0]), CLOSING).tolist() == [1]  # after midday: not today any more
    assert cal.visiting_days(6, np.array([0.0]), 0.05).tolist() == [7]
    assert cal.visiting_days(2, np.array([0.0]), 0.05).tolist() == [2]  # a morning decision: today
    assert cal.day_of(2.4) == 2 and cal.day_of(2.6) == 3 and cal.day_of(4.7) == 7
    assert cal.visiting_days(0, np.array([1.0]), WEEK_END).tolist() == [1]


def test_bookings_come_due_on_their_day_once():
    _, people, cal = _calendar()
    cal.book(np.array([3, 1, 2]), np.array([5, 5, 6]))
    cal.cancel(np.array([2]))
    assert cal.due(5).tolist() == [1, 3] and cal.due(5).size == 0
    assert cal.due(6).size == 0 and people.next_visit[1] == -1


def test_appointments_fill_slots_and_some_who_must_wait_give_up():
    _, people, cal = _calendar(access="appointment", appointment_slots_per_day=1, slot_size=2,
                                 booking_patience_days=1.0)
    gave_up = cal.book_slots(np.arange(12), np.zeros(12, dtype=np.int64))
    kept = np.setdiff1d(np.arange(12), gave_up)
    days = people.next_visit[kept]
    assert np.bincount(days).max() <= 2  # never more than the slots hold
    assert people.next_visit[kept[:2]].tolist() == [0, 0] and people.slot[kept[:2]].tolist() == [0, 0]
    assert gave_up.size > 0  # a week's wait at one day's patience: most give up
    assert math.exp(-1) > 0 and cal.needs_slots()


# -- the dormant pool ---------------------------------------------------------------------------------------
def test_the_dormant_pool_draws_comebacks_and_releases_the_long_gone():
    people = People(window_visits=1)
    ids = people.add(3000, Role.VISITOR, Channel.FOOTFALL, 0.0, active=False)
    pool = DormantPool(people)
    pool.add(ids[:1000], 10.0, np.ones(1000))
    pool.add(ids[1000:], np.full(2000, 20.0), np.ones(2000))  # past the first capacity: the pool grows
    pool.discard(ids[:10])  # came back: never drawn, never released
    s = dataclasses.replace(Settings(), reactivation_rate=7.0)
    drawn = pool.draw_comebacks(21.0, Draws(0), 0, 0.0, s)
    assert drawn.size > 2500 and not np.isin(drawn, ids[:10]).any()
    released = pool.release_older_than(15.0)
    assert released.tolist() == ids[10:1000].tolist() and len(pool) == 2000
    assert pool.live().tolist() == ids[1000:].tolist()
