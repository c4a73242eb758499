"""Unit tests of the ladder's rules (sim/model/ladder.py): each threshold and direction, on plain settings."""

import dataclasses
import itertools
import math

import numpy as np
import pytest

from sim.config.settings import Settings
from sim.kinds import Role
from sim.model import ladder

S = Settings()


def with_(**kw):
    return dataclasses.replace(S, **kw)


def test_propensity_has_mean_one_and_a_heavy_tail():
    x = ladder.draw_propensity(np.random.default_rng(0), 0.8, size=200_000)
    assert x.mean() == pytest.approx(1.0, abs=0.01)  # sampling error ~0.002
    assert np.median(x) < 0.8 < 1.0  # skewed: most below the mean
    assert np.quantile(x, 0.99) > 4 * np.median(x)  # a long right tail
    assert np.all(ladder.draw_propensity(np.random.default_rng(0), 0.0, size=10) == 1.0)


@pytest.mark.parametrize("chance", [0.0, 0.1, 0.5, 0.97, 1.0])
def test_scale_chance_is_neutral_at_one_and_monotone(chance):
    assert ladder.scale_chance(chance, 1.0) == pytest.approx(chance)
    assert ladder.scale_chance(chance, 0.5) <= ladder.scale_chance(chance, 1.0) <= ladder.scale_chance(chance, 3.0)
    assert 0.0 <= ladder.scale_chance(chance, 50.0) <= 1.0


def test_visitor_return_rises_with_quality_engagement_training_and_propensity():
    base = ladder.visitor_return_chance(0.5, 0.0, False, 1.0, S)
    assert base == pytest.approx(S.return_base_visitor)
    assert ladder.visitor_return_chance(0.9, 0.0, False, 1.0, S) > base
    assert ladder.visitor_return_chance(0.1, 0.0, False, 1.0, S) < base
    assert ladder.visitor_return_chance(0.5, 2.0, False, 1.0, S) > base
    assert ladder.visitor_return_chance(0.5, 0.0, True, 1.0, S) == pytest.approx(base + S.training_return_effect)
    assert ladder.visitor_return_chance(0.5, 0.0, False, 3.0, S) > base
    # engagement counts up to 3 only, and nobody is certain to come back
    assert ladder.visitor_return_chance(0.5, 3.0, False, 1.0, S) == ladder.visitor_return_chance(0.5, 30.0, False, 1.0, S)
    assert ladder.visitor_return_chance(1.0, 30.0, True, 100.0, S) <= ladder.MAX_RETURN


def test_regulars_return_at_their_rung_rate():
    assert ladder.regular_return_chance(Role.CONTRIBUTOR, S) == S.return_base_contributor
    assert ladder.regular_return_chance(Role.PARTNER, S) == S.return_base_partner


def test_visit_interval_by_rung_and_propensity():
    assert ladder.visit_interval(Role.PARTNER, 1.0, S) == S.interval_partner_days
    assert ladder.visit_interval(Role.CONTRIBUTOR, 1.0, S) == S.interval_contributor_days
    assert ladder.visit_interval(Role.CONTRIBUTOR, 4.0, S) == pytest.approx(S.interval_contributor_days / 2)
    assert ladder.visit_interval(Role.PARTNER, 100.0, S) == 1.0  # the keenest come every day, not more
    assert ladder.visit_interval(Role.VISITOR, 1.0, S) == S.interval_visitor_days
    assert ladder.visit_interval(Role.VISITOR, 4.0, S) == pytest.approx(S.interval_visitor_days / 2)
    assert ladder.visit_interval(Role.VISITOR, 1e6, S) >= 1.0
    assert ladder.visit_interval(Role.VISITOR, 1e-9, S) <= 365


def test_good_visit_threshold():
    assert ladder.good_visit(S.good_visit_quality, S)
    assert not ladder.good_visit(S.good_visit_quality - 1e-9, S)


def test_reactivation_fades_with_time_and_rises_with_events_and_good_visits():
    s = with_(reactivation_rate=0.02, reactivation_fade_days=100.0)
    fresh, old = ladder.reactivation_chance(np.array([0.0, 300.0]), np.array([1.0, 1.0]), 0, 0.0, s)
    assert fresh > old > 0
    assert old == pytest.approx(1 - math.exp(-0.02 * math.exp(-3.0)), rel=1e-9)  # e-fold per fade_days
    assert ladder.reactivation_chance(0.0, 1.0, 2, 0.0, s) > fresh
    assert ladder.reactivation_chance(0.0, 1.0, 0, 0.8, s) > fresh
    assert ladder.reactivation_chance(0.0, 0.0, 5, 1.0, s) == 0.0  # a came-back entry never draws
    assert ladder.reactivation_weight(0.5) == 0.5 and ladder.reactivation_weight(9.0) == 2.0


def test_becoming_a_regular_needs_enough_visits_and_the_selection():
    assert ladder.is_regular(S.contributor_visits, 0.0, S)
    assert not ladder.is_regular(S.contributor_visits - 1, 1.0, S)
    selective = with_(contributor_selectivity=0.7)
    assert not ladder.is_regular(S.contributor_visits, 0.6, selective)
    assert ladder.is_regular(S.contributor_visits, 0.7, selective)


def test_partner_capacity_grows_with_staff_and_shrinks_with_friction():
    assert ladder.partner_capacity(10, with_(internal_friction=0.0)) == pytest.approx(10 * S.partners_per_mediator)
    assert ladder.partner_capacity(5, S) < ladder.partner_capacity(10, S)
    assert ladder.partner_capacity(10, with_(internal_friction=0.8)) < ladder.partner_capacity(10, S)
    assert ladder.partner_capacity(10, with_(internal_friction=1.0)) == 0.0


def test_partner_eligibility_thresholds():
    e, t, c = S.partner_min_engagement, S.partner_min_ties, S.partner_min_coleads
    assert ladder.eligible_for_partner(e, t, c, S)
    assert not ladder.eligible_for_partner(e - 0.01, t, c, S)
    assert not ladder.eligible_for_partner(e, t - 1, c, S)
    assert not ladder.eligible_for_partner(e, t, c - 1, S)


def test_promotion_gets_harder_as_the_core_fills_smoothly():
    cap = 20.0
    chances = [ladder.partner_promotion_chance(load, cap, S) for load in (0, 5, 10, 15, 20, 25)]
    assert chances[0] == pytest.approx(S.partner_promotion_prob)
    assert all(a > b for a, b in itertools.pairwise(chances[:5]))
    assert chances[2] == pytest.approx(S.partner_promotion_prob / 2)  # linear in the free share, no cliff
    assert chances[4] == chances[5] == 0.0
    assert ladder.partner_promotion_chance(0, 0.0, S) == 0.0


def test_demotion_thresholds():
    assert not ladder.demotion_due(Role.PARTNER, S.partner_lapse_days - 0.1, S)
    assert ladder.demotion_due(Role.PARTNER, S.partner_lapse_days, S)  # a partner slides to contributor
    assert not ladder.demotion_due(Role.CONTRIBUTOR, S.contributor_lapse_days - 0.1, S)
    assert ladder.demotion_due(Role.CONTRIBUTOR, S.contributor_lapse_days, S)  # a contributor slides to visitor
    assert not ladder.demotion_due(Role.VISITOR, 1e6, S)
    assert not ladder.demotion_due(Role.ARTIST, 1e6, S)


def test_demotion_is_vectorised_over_people():
    role = np.array([Role.PARTNER, Role.PARTNER, Role.CONTRIBUTOR, Role.CONTRIBUTOR, Role.VISITOR])
    away = np.array([S.partner_lapse_days, S.partner_lapse_days - 1, S.contributor_lapse_days,
                     S.contributor_lapse_days - 1, 1e6])
    assert ladder.demotion_due(role, away, S).tolist() == [True, False, True, False, False]


def test_booking_deters_newcomers_far_more_than_regulars():
    s = with_(access="appointment", booking_effort=2.5)
    newcomer, second, regular = (ladder.booking_uptake(v, s) for v in (0, 1, 40))
    assert newcomer == pytest.approx(math.exp(-2.5))
    assert newcomer < second < regular < 1.0
    assert regular > 0.99
    assert ladder.booking_uptake(0, with_(access="open")) == 1.0


def test_patience():
    s = with_(booking_patience_days=7.0)
    assert ladder.keeps_booking(0.0, s) == 1.0
    assert ladder.keeps_booking(7.0, s) == pytest.approx(math.exp(-1))


def test_fee_acceptance_is_the_lognormal_survival_of_the_willingness_to_pay():
    s = with_(wtp_median=6.5, wtp_sigma=1.0)
    assert ladder.fee_acceptance(0.0, s) == 1.0
    assert ladder.fee_acceptance(6.5, s) == pytest.approx(0.5)  # the median
    assert ladder.fee_acceptance(10.0, s) < ladder.fee_acceptance(5.0, s) < 1.0
    # calibration target (schema): a EUR 5 fee keeps ~60% of would-be newcomers (UK museums, Martin 2003)
    assert 0.55 < ladder.fee_acceptance(5.0, s) < 0.7
    sharp = with_(wtp_median=6.5, wtp_sigma=0.0)
    assert ladder.fee_acceptance(6.0, sharp) == 1.0 and ladder.fee_acceptance(7.0, sharp) == 0.0


def test_willingness_to_pay_draws_cover_the_fee_and_follow_the_lognormal():
    s = with_(wtp_median=6.5, wtp_sigma=1.0)
    rng = np.random.default_rng(1)
    free = ladder.draw_wtp(rng, s, size=20_000)
    assert np.median(free) == pytest.approx(6.5, rel=0.05)  # sampling error of the median ~1.8%
    paid = ladder.draw_wtp(rng, s, at_least=8.0, size=5_000)
    assert paid.min() >= 8.0 * (1 - 1e-9)
    # truncated below at the fee: the share above 20 among payers is P(wtp > 20) / P(wtp > 8)
    expected = ladder.fee_acceptance(20.0, s) / ladder.fee_acceptance(8.0, s)
    assert (paid > 20).mean() == pytest.approx(expected, abs=0.03)


def test_membership_is_taken_when_the_visits_it_covers_are_worth_its_fee():
    assert ladder.membership_worth_it(5.0, 40.0, 200.0)
    assert not ladder.membership_worth_it(5.0, 39.0, 200.0)
    assert ladder.membership_worth_it(0.01, 1.0, 0.0)


def test_friction_takes_staff_time_and_lengthens_partnerships():
    assert ladder.co_production_share(with_(internal_friction=0.3)) == pytest.approx(0.7)
    lead = [ladder.partnership_lead_days(with_(internal_friction=f, partnership_lead_days=60.0)) for f in (0, .3, .6)]
    assert lead[0] == 60.0 and lead[0] < lead[1] < lead[2]
    assert ladder.partnership_lead_days(with_(internal_friction=1.0, partnership_lead_days=60.0)) == 1200.0


def test_engineer_hours_and_client_interest_saturate():
    s = with_(engineer_output_effect=1.0, engineer_half_hours=100.0)
    assert ladder.engineer_multiplier(0.0, s) == 1.0
    assert ladder.engineer_multiplier(100.0, s) == pytest.approx(1.5)
    assert ladder.engineer_multiplier(1e9, s) == pytest.approx(2.0)
    c = with_(client_interest=0.05, portfolio_half_works=10.0, renown_half=200.0)
    assert ladder.client_interest(0.0, 500.0, c) == 0.0
    assert ladder.client_interest(10.0, 200.0, c) == pytest.approx(0.05 / 4)
    assert ladder.client_interest(20.0, 200.0, c) > ladder.client_interest(10.0, 200.0, c)


def test_rules_take_arrays_as_they_take_scalars():
    # a day is played on arrays: each rule gives, element by element, what it gives for one person
    quality, engagement = np.array([0.2, 0.5, 0.9]), np.array([0.0, 1.0, 5.0])
    trained, propensity = np.array([False, True, False]), np.array([0.5, 1.0, 3.0])
    together = ladder.visitor_return_chance(quality, engagement, trained, propensity, S)
    alone = [float(ladder.visitor_return_chance(*args, S)) for args in zip(quality, engagement, trained, propensity, strict=True)]
    assert together == pytest.approx(alone)
    roles = np.array([Role.VISITOR, Role.CONTRIBUTOR, Role.PARTNER, Role.ARTIST])
    assert ladder.visit_interval(roles, np.ones(4), S) == pytest.approx(
        [float(ladder.visit_interval(r, 1.0, S)) for r in roles])
    assert list(ladder.lapse_days(roles[1:3], S)) == [S.contributor_lapse_days, S.partner_lapse_days]


def test_waits_are_whole_days_at_least_one_and_average_the_interval():
    waits = ladder.draw_wait(np.random.default_rng(3), np.full(50_000, 7.0))
    assert waits.min() == 1.0 and np.all(waits == np.round(waits))
    assert (waits == 1.0).mean() == pytest.approx(1 / 7, abs=0.01)  # tomorrow is possible (issue 21)
    assert waits.mean() == pytest.approx(7.0, rel=0.02)  # sampling error ~0.3%
    assert np.all(ladder.draw_wait(np.random.default_rng(3), np.ones(10)) == 1.0)




def test_partner_capacity_is_staff_and_community_in_series():
    # issue 30: S K / (S + K); the staff's alone for organisations (no contributors given) or core_per_contributor 0
    staff = 10 * S.partners_per_mediator * (1 - S.internal_friction)
    assert ladder.partner_capacity(10, S) == pytest.approx(staff)
    community = S.core_per_contributor * 80
    assert ladder.partner_capacity(10, S, 80) == pytest.approx(staff * community / (staff + community))
    assert ladder.partner_capacity(10, S, 80) < min(staff, community) + 1e-9  # held by the smaller bottleneck
    assert ladder.partner_capacity(10, S, 120) > ladder.partner_capacity(10, S, 80)  # grows with the community
    assert ladder.partner_capacity(5, S, 80) < ladder.partner_capacity(10, S, 80)  # and with the staff
    assert ladder.partner_capacity(10, S, 0) == 0.0  # no regulars, no core to draw from
    off = dataclasses.replace(S, core_per_contributor=0.0)
    assert ladder.partner_capacity(10, off, 80) == pytest.approx(staff)


def test_a_member_comes_more_often_and_back_more_surely_than_an_occasional_visitor():
    # issue 30: membership is a state of its own with its own pace (member_interval_days) and commitment
    assert ladder.visit_interval(Role.VISITOR, 1.0, S, member=True) == min(S.member_interval_days,
                                                                           S.interval_visitor_days)
    assert ladder.visit_interval(Role.CONTRIBUTOR, 1.0, S, member=True) == S.interval_contributor_days
    base = ladder.visitor_return_chance(0.5, 0.0, False, 1.0, S)
    assert ladder.visitor_return_chance(0.5, 0.0, False, 1.0, S, member=True) == pytest.approx(
        base + S.member_return_effect)
