"""Seasons (issue 31, item 6): the calendar's rules for `monthly_opening`, and the profile a log describer finds."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from sim.config.scenario import check_value, load_scenario, parse_setting
from sim.config.settings import Settings
from sim.logs.seasons import State, estimate, opening_line
from sim.logs.synth import log_dates
from sim.model.calendar import CYCLE, Calendar, open_shifts, season_open

AUGUST = [1.0] * 7 + [0.0] + [1.0] * 4
AUG_1, SEP_1, DEC_1 = 212, 243, 334  # days of the (non-leap) year


def calendar(**settings) -> Calendar:
    return Calendar(SimpleNamespace(settings=Settings(**settings)), people=None)


def test_the_default_calendar_is_the_weekly_rule_on_every_day_of_the_cycle():
    # no seasons: the table gives what the weekday rule gave before it (the presets' runs byte for byte)
    for open_days in (1, 5, 6, 7):
        shifts = open_shifts(open_days, Settings().monthly_opening)
        weekday = np.arange(CYCLE) % 7
        assert np.array_equal(shifts, np.where(weekday < open_days, 0, 7 - weekday))


def test_a_closed_month_closes_every_day_of_it_and_moves_visits_to_the_first_open_day_after():
    cal = calendar(monthly_opening=tuple(AUGUST), open_days_per_week=6)
    for year in (0, 1, 4):
        august = range(365 * year + AUG_1, 365 * year + SEP_1)
        assert not any(cal.is_open(d) for d in august)
        first = int(cal.open_on_or_after(365 * year + SEP_1))
        assert first - (365 * year + SEP_1) < 2 and cal.is_open(first)  # 1 September, or the day after (weekday)
        assert np.all(cal.open_on_or_after(np.array(august)) == first)
        # a decision in July to come back in three weeks lands after the closure
        assert int(cal.visiting_days(365 * year + AUG_1 - 7, 21, 0.9)) == first
    assert sum(cal.is_open(d) for d in range(365)) == sum(d % 7 < 6 for d in range(365)) - sum(
        d % 7 < 6 for d in range(AUG_1, SEP_1))


def test_a_dip_opens_its_share_of_the_month_and_closes_the_rest_beside_the_lower_neighbour():
    december = season_open([1.0] * 11 + [0.5])
    assert december[DEC_1: DEC_1 + 16].all() and not december[DEC_1 + 16: 365].any()  # open 1-16, closed 17-31
    summer = season_open([1.0] * 6 + [0.5] + [0.0] + [0.7] + [1.0] * 3)
    july, september = summer[181:AUG_1], summer[SEP_1:273]
    assert july[:16].all() and not july[16:].any()  # the July break runs into the closed August
    assert not september[:9].any() and september[9:].all()  # and on into September (round(0.7 x 30) = 21 open)
    assert season_open([1.0] * 12).all()


def test_the_key_is_checked_as_a_scenario_files_key(tmp_path):
    assert check_value("monthly_opening", AUGUST) == []
    for bad in ([1.0] * 11, [0.0] * 12, [1.5] + [1.0] * 11, [float("nan")] * 12, [True] * 12, "summer", 1.0):
        [problem] = check_value("monthly_opening", bad)
        assert "a list of 12 numbers, each in [0, 1], not all 0" in problem
    assert parse_setting("monthly_opening=[1,1,1,1,1,1,1,0,1,1,1,0.5]")[1][7:] == (0.0, 1.0, 1.0, 1.0, 0.5)
    f = tmp_path / "lab.toml"
    f.write_text('extends = "carrefour_numerique"\nmonthly_opening = [1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1]\n')
    assert load_scenario(f).settings.monthly_opening == tuple(AUGUST)


def test_synthesised_dates_put_model_day_0_on_1_january_and_skip_leap_days():
    days = np.array([730, 730 + AUG_1, 730 + 364, 730 + 3 * 365 + 59, 730 + 4 * 365 - 1])
    assert list(log_dates(days, 730.0)) == ["2001-01-01", "2001-08-01", "2001-12-31", "2004-03-01", "2004-12-31"]
    assert list(log_dates(np.array([547, 730]), 547.5)) == ["2001-07-02", "2002-01-01"]  # a warm-up of 1.5 years


# -- the describer's profile -------------------------------------------------------------------------------------
def fake_log(days: int = 365, per_day=lambda d: 40, start: str = "2023-01-01", closed=lambda d: False) -> pd.DataFrame:
    """`per_day(date)` visits on each open day, by people drawn from a pool of 2,000."""
    rng = np.random.default_rng(1)
    dates = pd.date_range(start, periods=days, freq="D")
    rows = [(d, p) for d in dates if not closed(d) for p in rng.choice(2000, size=rng.poisson(per_day(d)), replace=False)]
    return pd.DataFrame(rows, columns=["date", "person_hash"])


def test_a_log_closed_in_august_with_a_december_dip_gives_that_profile():
    log = fake_log(closed=lambda d: d.month == 8 or (d.month == 12 and d.day > 15))
    found = estimate(log)
    assert found.state[7] == State.CLOSED and found.state[11] == State.DIP
    assert found.share[11] == pytest.approx(15 / 31, abs=0.06)
    assert found.line().startswith(f"seasons: closed in August; December at {found.share[11]:.2f} of the usual")
    assert found.opening[:7] == (1.0,) * 7 and found.opening[7] == 0.0 and found.opening[8:11] == (1.0,) * 3
    assert opening_line(found.summary()).startswith("monthly_opening = [1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 0.")


def test_a_lab_without_seasons_shows_none_even_as_it_grows():
    steady = estimate(fake_log())
    assert not steady.seasonal and steady.line().startswith("seasons: none seen")
    for grows in (lambda d: 15 + 45 * d.day_of_year / 365, lambda d: 10 * 5 ** (d.day_of_year / 365)):  # x4, x5
        growing = estimate(fake_log(per_day=grows))
        assert not growing.seasonal and growing.trend_per_year > 3, growing
    # the limit, documented: a lab's very first months ramp up faster than the trend, and January shows as a dip
    assert estimate(fake_log(per_day=lambda d: 60 * (1 - np.exp(-d.day_of_year / 120)))).state[0] == State.DIP


def test_a_month_cut_by_the_logs_edge_is_not_measured_and_whole_years_are_whole():
    cut = estimate(fake_log(days=300, start="2023-03-10"))  # 10 March to 3 January
    assert cut.state[2] == State.NOT_MEASURED and cut.state[0] == State.NOT_MEASURED
    assert "not measured: January, February and March" in cut.line() and len(cut.summary()["edges"]) == 2
    christmas = estimate(fake_log(closed=lambda d: d.month == 12 and d.day > 20))  # the last visit on 20 December
    assert christmas.state[11] == State.DIP  # a log of 12 months: its last month is whole, its end a closure


def test_a_sparse_month_without_visits_is_not_called_closed():
    sparse = estimate(fake_log(per_day=lambda d: 0.05 if d.month == 8 else 0.3))
    assert State.CLOSED not in sparse.state and not sparse.seasonal


def test_a_month_the_description_hides_is_hidden_in_the_seasons_too():
    found = estimate(fake_log(closed=lambda d: d.month == 8 or (d.month == 12 and d.day > 15)))
    hidden = found.hide(["December", "August"])
    assert hidden.state[11] == State.FEW and hidden.share[11] is None and hidden.opening[11] == 1.0
    assert hidden.state[7] == State.CLOSED and hidden.opening[7] == 0.0  # no visit at all: no one to give away
    assert found.state[11] == State.DIP  # the estimate itself is left as it was


def test_a_single_cohorts_arrival_months_are_a_ramp_not_a_season():
    # one cohort first seen in its first 12 weeks (a repeat-purchase dataset): its first months hold the arrivals,
    # which read as a dip against the later months; describe passes the cohort's span and those months are left out
    ramp = lambda d: 60 * (1 - np.exp(-d.day_of_year / 120)) if d.year == 2023 else 60  # noqa: E731
    assert estimate(fake_log(per_day=ramp)).state[0] == State.DIP
    found = estimate(fake_log(per_day=ramp), arriving_until=pd.Timestamp("2023-03-25"))
    assert State.DIP not in found.state[:3] and not found.seasonal
    assert any("still arriving" in edge for edge in found.edges)


def test_a_profile_compares_equal_to_its_stored_copy(tmp_path):
    # a batch's identity and a folder's request are stored as JSON, which gives a tuple back as a list: a
    # scenario with monthly_opening was read as "started with other contents" when asked again
    import json

    from sim.batch.experiment import scenario_identity
    from sim.config.scenario import resolved

    lab = tmp_path / "summer.toml"
    lab.write_text('extends = "carrefour_numerique"\nname = "summer"\nmonthly_opening = [1,1,1,1,1,1,1,0,1,1,1,0.5]\n')
    for data in (scenario_identity(load_scenario(str(lab))), resolved(load_scenario("carrefour_numerique"))):
        assert json.loads(json.dumps(data)) == data
