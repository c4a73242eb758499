"""The market side and the budget (issue 12), mechanism by mechanism, on small labs.

The paired, many-seed checks at steady state (a drop-in fee's elasticity,
engineers, confidentiality, opening the closed lab, the blog, the presets'
budgets) are rows of `labsim check-model`, asserted in tests/statistical/test_check_model.py.
"""

import dataclasses
import math

import numpy as np
import pytest

from sim.config.scenario import Scenario
from sim.config.settings import Settings
from sim.kinds import Affiliation, Channel, Role
from sim.metrics import summary
from sim.model.blog import Blog
from sim.model.model import LabModel
from sim.model.tally import Tally

QUIET = {"host_footfall_per_day": 0.0, "events_per_year": 0.0, "workshops_per_year": 0.0, "warmup_years": 0.0,
         "partner_organisations": 0, "organisation_pool": 0, "creator_share": 0.0}


def lab(**changes) -> LabModel:
    """A lab with no arrivals of its own: the test puts in what it needs."""
    return LabModel(Scenario("t").with_settings(**(QUIET | changes)), rng=1)


def add(m: LabModel, role: Role, n: int = 1, **columns) -> np.ndarray:
    """People put into the lab by the test (they have not visited yet)."""
    return m.people.add(n, role, Channel.FOOTFALL, m.time, **columns)


def resident(m: LabModel) -> int:
    uid = int(m.people.add(1, Role.ARTIST, Channel.RESIDENCY, m.time, talent=0.8)[0])
    m.people.in_residence[uid] = True
    return uid


# -- prices -----------------------------------------------------------------------------------
def test_newcomers_who_pay_a_fee_are_willing_to_and_members_and_partners_do_not_pay():
    m = lab(price_per_visit=8.0)
    people = m.arrivals.newcomers(200, Channel.FOOTFALL, fee=8.0)
    assert m.people.wtp[people].min() >= 8.0 - 1e-9
    v = people[:1]
    assert m.careers.pays(v)[0] and m.careers.can_pay(v)[0]
    m.people.member_until[v] = m.time + 10
    assert not m.careers.pays(v)[0]
    m.people.member_until[v] = -math.inf
    m.careers.become(v, Role.PARTNER)
    assert not m.careers.pays(v)[0]


def test_a_price_rise_above_someones_willingness_stops_their_returns_but_not_a_members():
    m = lab()
    v = add(m, Role.VISITOR, wtp=3.0, last_quality=0.6)
    assert m.careers.return_chance(v)[0] > 0
    m.apply({"price_per_visit": 5.0})
    assert m.careers.return_chance(v)[0] == 0.0
    m.people.member_until[v] = m.time + 100
    assert m.careers.return_chance(v)[0] > 0


def test_fees_are_booked_per_paid_visit_and_materials_per_visit():
    m = lab(price_per_visit=4.0, materials_per_visit=2.0)
    payer, member = add(m, Role.VISITOR, visits=1), add(m, Role.CONTRIBUTOR, visits=1)
    m.people.member_until[member] = m.time + 30
    m.careers.count_visits(np.concatenate([payer, member]))
    assert m.budget.income["fees"] == 4.0
    assert m.budget.costs["materials"] == 4.0
    assert m.tally["visits"] == 2 and m.tally["visitors"] == 2 and m.tally["regular_visits"] == 1


@pytest.mark.parametrize(("fee", "subscribes"), [(0.0, True), (100.0, True), (200.0, False), (10_000.0, False)])
def test_a_membership_is_taken_only_when_worth_its_fee(fee, subscribes):
    # an occasional visitor's pace as a member: ~26 visits a year (member_interval_days 14) x 5 EUR = 130 EUR
    m = lab(subscription_prob=1.0, subscription_fee=fee, membership_days=365.0, member_interval_days=14.0)
    v = add(m, Role.VISITOR, trained=False, visits=2, wtp=5.0, propensity=1.0)
    m.careers.memberships(v)
    assert bool(m.people.member_until[v][0] > m.time) is subscribes
    assert m.people.role[v][0] == Role.VISITOR  # membership is not a rung: an untrained member stays a visitor
    assert m.budget.income["subscriptions"] == (fee if subscribes else 0.0)
    assert (int(v[0]) in m.tally.subscribers) is subscribes


def test_a_lapsed_membership_is_renewed_if_still_worth_it():
    m = lab(subscription_fee=100.0, membership_days=30.0)
    c = add(m, Role.CONTRIBUTOR, trained=True, visits=20, propensity=1.0, wtp=50.0)
    m.people.member_until[c] = m.time - 1
    m.careers.memberships(c)
    assert m.people.member_until[c][0] == m.time + 30.0
    m.people.member_until[c], m.people.wtp[c] = m.time - 1, 0.1  # no longer worth it: back to paying per visit
    m.careers.memberships(c)
    assert m.people.member_until[c][0] == -math.inf


# -- engineers ---------------------------------------------------------------------------------
def test_residencies_hire_engineer_hours_from_a_finite_pool_and_pay_for_them():
    m = lab(engineer_providers=2, engineer_hours_per_year=100.0, engineer_hours_per_residency=150.0,
            engineer_rate=50.0)
    m.market.refill_hours()
    assert m.market.hire_engineers() == 150.0
    assert m.market.hire_engineers() == 50.0  # the pool of 2 x 100 hours is spent
    assert m.market.hire_engineers() == 0.0
    assert m.budget.costs["engineers"] == 200.0 * 50.0


def test_engineers_join_residents_and_tie_to_them_and_the_staff():
    m = lab(engineer_providers=1, residency_days=7.0, residency_visits_per_week=1.0)
    artist = resident(m)
    m.people.engineer_hours[artist] = 1000.0  # enough to come every residency day
    m.market.engineers_join(np.array([artist]))
    engineer = m.market.engineers[0].unique_id
    assert m.network.has_edge(engineer, artist)
    assert m.network.has_edge(engineer, int(m.staff.ids[0]))


# -- clients and works -------------------------------------------------------------------------
def keen_market(**changes) -> LabModel:
    m = lab(client_pool=5, client_interest=1.0, portfolio_half_works=0.1, renown_half=1.0, **changes)
    m.awareness.reputation = 1e6
    return m


def test_a_sale_pays_the_lab_its_share_and_ties_the_client_to_artist_and_staff():
    m = keen_market(rental_share=0.0, work_price=1000.0, artist_rights_share=0.3)
    artist = resident(m)
    m.market.add_work(artist)
    assert m.tally["works_sold"] == 1 and m.budget.income["sales"] == pytest.approx(700.0)
    (client,) = m.market.clients.values()
    assert m.network.has_edge(client.unique_id, artist)
    assert any(m.network.has_edge(client.unique_id, int(med)) for med in m.staff.ids)
    assert m.people.role[client.unique_id] == Role.CLIENT and m.people.visits[client.unique_id] == 0


def test_a_rental_pays_each_month_then_the_work_comes_back():
    m = keen_market(rental_share=1.0, rental_fee_per_month=100.0, rental_months=3, artist_rights_share=0.5)
    m.market.add_work(resident(m))
    work = m.market.portfolio[0]
    assert not work.available and m.budget.income["rentals"] == 50.0
    m.settings = dataclasses.replace(m.settings, client_interest=0.0)  # nobody wants it again
    m.market.month()
    m.market.month()
    assert m.budget.income["rentals"] == 150.0 and not work.available
    m.market.month()
    assert work.available and m.budget.income["rentals"] == 150.0


def test_interest_needs_a_portfolio_and_a_pool():
    m = lab(client_pool=0, client_interest=1.0)
    m.market.add_work(resident(m))
    assert m.tally["works_sold"] + m.tally["works_rented"] == 0


# -- company projects and confidentiality ----------------------------------------------------------
@pytest.mark.parametrize("confidential", [True, False])
def test_a_company_project_pays_and_documents_only_when_open(confidential):
    m = lab(client_pool=3, project_team_size=2, company_project_days=10.0, service_price=5000.0,
            doc_pages_per_project=7.0, open_documentation=1.0)
    team = add(m, Role.CONTRIBUTOR, 4)
    pages = m.awareness.docs_pages
    m.market.start_project(m.market._client(0), confidential)
    on_team = team[m.people.confidential_until[team] > m.time]
    assert on_team.size == (2 if confidential else 0)
    m.run_until(11.0)  # the days 0-10: the project is delivered on day 10
    assert m.tally["company_projects"] == 1 and m.budget.income["services"] == 5000.0
    assert m.tally["confidential_projects"] == int(confidential)
    assert m.awareness.docs_pages == pytest.approx(pages * 0.5 ** (11 / (3 * 365)) + (0.0 if confidential else 7.0),
                                                   rel=1e-3)


def test_a_confidential_team_makes_no_ties_outside_itself_on_a_lab_day():
    m = lab(client_pool=3, project_team_size=2, company_project_days=30.0, ties_per_activity=3,
            introductions_per_day=5.0)
    team = add(m, Role.CONTRIBUTOR, 2)
    m.market.start_project(m.market._client(0), confidential=True)
    visitors, others = add(m, Role.VISITOR, 10), add(m, Role.CONTRIBUTOR, 3)
    before = {int(u): set(m.network.neighbors(int(u))) for u in team}
    m.visits(np.concatenate([team, visitors, others]))
    outside = set(np.concatenate([visitors, others]).tolist())
    for uid in team.tolist():
        new = set(m.network.neighbors(uid)) - before[uid]
        assert not new & outside
        assert m.people.visits[uid] == 1
    assert any(set(m.network.neighbors(int(u))) & outside for u in others)  # the others did meet


def test_confidential_visits_write_no_documentation():
    m = lab(doc_pages_per_visit=1.0)
    c = add(m, Role.CONTRIBUTOR, confidential_until=m.time + 5)
    pages = m.awareness.docs_pages
    m.careers.after_visits(c)
    assert m.awareness.docs_pages == pages
    m.people.confidential_until[c] = -math.inf
    m.careers.after_visits(c)
    assert m.awareness.docs_pages == pages + 1.0


# -- the blog ------------------------------------------------------------------------------------
def blog_settings(**kw):
    base = {"blog_new_authors_per_year": 0.0, "blog_articles_per_author_year": 365.0, "moderation": True,
            "moderation_accept_rate": 0.0, "blog_rejection_discouragement": 0.3, "blog_reach_per_article": 1.0}
    return dataclasses.replace(Settings(), **(base | kw))


def _blog(n: int) -> Blog:
    tally = Tally()
    tally.start()
    blog = Blog(tally)
    blog.rate, blog.counted = np.full(n, 365.0), np.zeros(n, dtype=bool)
    return blog


def test_rejections_discourage_authors_until_they_stop():
    blog, rng = _blog(50), np.random.default_rng(0)
    for day in range(5):
        blog.day(day, rng, blog_settings())
    t = blog.tally
    assert blog.writing < 50 and t["blog_articles_published"] == 0 and t["blog_articles_rejected"] > 0
    kept, rng2 = _blog(50), np.random.default_rng(0)
    for day in range(5):
        kept.day(day, rng2, blog_settings(moderation_accept_rate=1.0))
    k = kept.tally
    assert kept.writing > blog.writing and k["blog_articles_rejected"] == 0 and k["blog_articles_published"] > 0
    assert k["blog_authors"] == 50  # each counted once in the period


def test_published_articles_bring_applicants_to_residency_calls():
    m = lab()
    m.blog.published_at.extend([m.time] * 100)
    assert m.blog.articles_past_year() == 100
    m.blog.day(m.time + 400, m.rng, m.settings)
    assert m.blog.articles_past_year() == 0


# -- partnerships --------------------------------------------------------------------------------
def test_friction_delays_partnerships_and_organisations_leave_when_the_staff_are_full():
    slow, fast = lab(organisation_pool=5, internal_friction=0.8), lab(organisation_pool=5, internal_friction=0.0)
    for m in (slow, fast):
        m.partnerships.start(0, via=-1)
    fast.run_until(70.0)
    slow.run_until(70.0)
    assert fast.partnerships.active == 1 and slow.partnerships.active == 0
    slow.run_until(310.0)  # 60 / (1 - 0.8) = 300 days
    assert slow.partnerships.active == 1
    full = lab(organisation_pool=5, mediators=1, partners_per_mediator=0.0, organisation_return=1.0)
    org = full.partnerships.join(0, via=-1)
    assert full.people.affiliation[org] != Affiliation.INDIVIDUAL and full.people.active[org]
    assert full.partnerships.keep_going(np.array([org])).size == 0  # no capacity: the relation lapses
    assert full.partnerships.active == 0 and not full.people.active[org] and full.tally["partnerships_ended"] == 1


# -- the books ------------------------------------------------------------------------------------
def test_the_books_add_up_and_standing_costs_accrue_by_the_day():
    m = lab(mediators=2, staff_cost_per_year=36500.0, space_m2=10.0, rent_per_m2_year=365.0,
            subsidy_per_year=73000.0, materials_per_visit=0.0)
    m.run_until(m.time + 10)
    s = summary(m, network=False)
    assert s["costs_staff"] == pytest.approx(2 * 100.0 * 10, rel=0.01)
    assert s["costs_space"] == pytest.approx(10.0 * 10, rel=0.01)
    assert s["subsidy"] == pytest.approx(200.0 * 10, rel=0.01)
    assert s["net_result"] == pytest.approx(s["revenue"] + s["subsidy"] - s["costs"], abs=0.01)
    assert s["cost_per_visit"] is None  # no visit: not a division by zero


def test_a_deficit_covering_subsidy_pays_the_deficit_up_to_its_ceiling():
    common = {"mediators": 2, "staff_cost_per_year": 36500.0, "space_m2": 10.0, "rent_per_m2_year": 365.0,
              "materials_per_visit": 0.0}
    covered = lab(**common, subsidy_per_year=73000.0, subsidy_rule="deficit")  # ceiling 200 a day, costs 210
    covered.run_until(covered.time + 10)
    s = summary(covered, network=False)
    deficit = s["costs"] - s["revenue"]
    assert s["subsidy"] == pytest.approx(min(deficit, 200.0 * 10), abs=0.02) and s["public_cost"] == s["subsidy"]
    assert s["net_result"] == pytest.approx(s["revenue"] + s["subsidy"] - s["costs"], abs=0.01)
    rich = lab(**common, subsidy_per_year=730000.0, subsidy_rule="deficit")  # a ceiling far above the costs
    rich.run_until(rich.time + 10)
    s = summary(rich, network=False)
    assert s["net_result"] == 0.0 and s["public_cost"] == pytest.approx(s["costs"] - s["revenue"], abs=0.01)
    fixed = lab(**common, subsidy_per_year=730000.0)  # the default rule: the whole grant, a surplus
    fixed.run_until(fixed.time + 10)
    s = summary(fixed, network=False)
    assert s["public_cost"] == s["subsidy"] == pytest.approx(2000.0 * 10, rel=0.01) and s["net_result"] > 0


def test_a_staff_cut_lowers_the_public_cost_under_deficit_cover_and_raises_the_net_result_under_a_grant():
    def books(rule: str, mediators: int) -> dict:
        m = lab(mediators=mediators, staff_cost_per_year=36500.0, subsidy_per_year=365000.0, subsidy_rule=rule,
                materials_per_visit=0.0)
        m.run_until(m.time + 20)
        return summary(m, network=False)

    for rule, moves, stays in (("deficit", "public_cost", "net_result"), ("fixed", "net_result", "public_cost")):
        before, after = books(rule, 4), books(rule, 2)
        assert abs(after[moves] - before[moves]) > 1000, rule  # two salaries for 20 days: ~EUR 4,000
        assert after[stays] == pytest.approx(before[stays], abs=1.0), rule


def test_a_trained_member_becomes_a_regular_and_an_untrained_one_does_not():
    # issue 30: membership is its own state; a member with the machines' introduction works on their own (7.7)
    m = lab(subscription_prob=1.0, subscription_fee=0.0)
    trained = add(m, Role.VISITOR, trained=True, visits=2, wtp=5.0, propensity=1.0)
    untrained = add(m, Role.VISITOR, trained=False, visits=2, wtp=5.0, propensity=1.0)
    both = np.concatenate([trained, untrained])
    m.careers.memberships(both)
    assert (m.people.member_until[both] > m.time).all()
    m.careers.promote_to_contributor(both, m.people.role[both])
    assert m.people.role[trained][0] == Role.CONTRIBUTOR and m.people.role[untrained][0] == Role.VISITOR


def test_an_events_crowd_meets_apart_and_the_lab_day_goes_on_beside_it():
    # issue 30: the crowd no longer dilutes the mediators' attention and the peers' help of the everyday sessions
    from sim.kinds import SessionKind

    m = lab(workshop_size=2)
    crowd = m.people.add(5, Role.VISITOR, Channel.EVENT, m.time)
    regular = add(m, Role.CONTRIBUTOR, trained=True)
    walk_in = add(m, Role.VISITOR)
    sessions = m.sessions.split(np.concatenate([crowd, regular, walk_in]), workshops=0, event=True)
    by_kind = {x.kind: set(x.ids.tolist()) for x in sessions}
    assert by_kind[SessionKind.EVENT] == set(crowd.tolist())
    assert set(regular.tolist()) | set(walk_in.tolist()) <= set().union(
        *(ids for kind, ids in by_kind.items() if kind is not SessionKind.EVENT))
    m.sessions.attend(sessions)
    event = next(x for x in sessions if x.kind is SessionKind.EVENT)
    assert event.attention == m.settings.event_attention


def test_workshop_seats_go_to_who_booked_then_to_members_then_to_the_fewest_visits():
    from sim.kinds import SessionKind

    m = lab(workshop_size=3)
    booked = m.people.add(1, Role.VISITOR, Channel.WORKSHOP, m.time)
    member = add(m, Role.VISITOR, visits=6)
    m.people.member_until[member] = m.time + 100
    few, many = add(m, Role.VISITOR, visits=1), add(m, Role.VISITOR, visits=4)
    trained = add(m, Role.VISITOR, visits=0, trained=True)  # already trained: never seated
    sessions = m.sessions.split(np.concatenate([many, few, trained, member, booked]), workshops=1, event=False)
    seated = next(x for x in sessions if x.kind is SessionKind.WORKSHOP).ids.tolist()
    assert seated == [int(booked[0]), int(member[0]), int(few[0])]
