"""Seasons end to end (issue 31, item 6): a closed month has no visit, the describer gives the profile back,
and `calibrate --from-log` simulates the log's seasons.

Seeds and tolerances: the tiny lab (test_abc's, 1 year, no warm-up) on seeds 1 and 2 for the closure's cost in
visitors; the open preset on seed 3 for the describer's round trip.
"""

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.logs.synth import synth
from sim.model.calendar import MONTH_DAYS
from sim.model.model import LabModel

TINY = ('extends = "carrefour_numerique"\nname = "tiny_open"\nhost_footfall_per_day = 300.0\nwarmup_years = 0.0\n'
        "initial_contributors = 0\ninitial_partners = 0\ninitial_dormant = 0\ninitial_former_regulars = 0\n"
        "initial_awareness = 0.0\nevent_reach = 10.0\ndoc_reach_per_year = 50.0\n")
AUGUST = "[1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1]"
CLOSED_SHARE = 31 / 365


@pytest.fixture(scope="module")
def labs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("seasons")
    (folder / "tiny.toml").write_text(TINY)
    (folder / "august.toml").write_text(f'extends = "tiny.toml"\nname = "august"\nmonthly_opening = {AUGUST}\n')
    (folder / "summer.toml").write_text('extends = "carrefour_numerique"\nname = "summer"\n'
                                        "monthly_opening = [1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 0.5]\n")
    return folder


def months(log: pd.DataFrame) -> pd.Series:
    return pd.to_datetime(log["date"]).dt.month.value_counts().reindex(range(1, 13), fill_value=0)


def test_a_summer_closure_has_no_august_visit_and_costs_about_the_closed_share_of_visitors(labs):
    falls = []
    for seed in (1, 2):
        base, open_all_year = synth(labs / "tiny.toml", seed, 1)
        log, closed = synth(labs / "august.toml", seed, 1)
        assert months(base)[8] > 0 and months(log)[8] == 0
        falls.append(1 - closed["visitors"] / open_all_year["visitors"])
    # the footfall of August is lost; the aware come in September instead and the programme is held on other
    # days, so the year loses somewhat less than the closed share (about 0.6 of it on these seeds)
    assert 0.4 * CLOSED_SHARE < np.mean(falls) < 1.1 * CLOSED_SHARE, falls


def test_no_workshop_or_event_is_planned_on_a_closed_day_and_the_years_programme_is_kept(labs):
    model = LabModel(str(labs / "august.toml"), rng=1)
    model.run_for(1)  # the first day plans the year
    august = range(sum(MONTH_DAYS[:7]), sum(MONTH_DAYS[:8]))
    assert not any(day in model.programme.plan for day in august)
    assert all(model.calendar.is_open(day) for day in model.programme.plan)
    items = sum(len(v) for v in model.programme.plan.values())
    assert items >= model.settings.workshops_per_year + model.settings.events_per_year - 2  # less today's, if any


def test_an_intervention_that_closes_august_is_a_real_closure_for_visits_already_booked(labs):
    (labs / "later.toml").write_text(f'extends = "tiny.toml"\nname = "later"\n[[interventions]]\nat = 205\n'
                                     f"monthly_opening = {AUGUST}\n")
    log, _ = synth(labs / "later.toml", 1, 1)
    assert months(log)[8] == 0 and months(log)[9] > 0
    model = LabModel(str(labs / "later.toml"), rng=1)
    model.run_for(206)  # the intervention has re-planned the rest of the year: nothing is left in August
    august = range(sum(MONTH_DAYS[:7]), sum(MONTH_DAYS[:8]))
    assert model.programme.plan and not any(day in model.programme.plan for day in august)


def test_the_default_profile_stated_in_full_changes_nothing(labs):
    (labs / "ones.toml").write_text(f'extends = "digital_arti"\nmonthly_opening = {"[" + ", ".join(["1"] * 12) + "]"}\n')
    one, _ = synth("digital_arti", 3, 0.3)
    two, _ = synth(labs / "ones.toml", 3, 0.3)
    assert one.equals(two)


def test_a_dip_lowers_its_month_and_log_describe_gives_the_profile_back(labs, tmp_path, capsys):
    log = tmp_path / "summer.csv"
    assert main(["log", "synth", str(labs / "summer.toml"), "--seed", "3", "--years", "1", "--out", str(log),
                 "--quiet"]) == 0
    by_month = months(pd.read_csv(log))
    assert by_month[8] == 0 and by_month[12] < 0.65 * by_month[11]
    capsys.readouterr()
    assert main(["log", "describe", str(log), "--out", str(tmp_path / "d"), "--quiet"]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.startswith("seasons: "))
    assert line.startswith("seasons: closed in August; December at 0.")
    assert "paste into the scenario: monthly_opening = [1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 0." in line
    summary = pd.read_json(tmp_path / "d" / "log_summary.json", typ="series")["seasons"]
    assert summary["seasonal"] and abs(summary["monthly_opening"][11] - 0.5) < 0.1
    assert summary["monthly_opening"][:11] == [1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1]
    page = (tmp_path / "d" / "report.html").read_text()
    assert "seasons: closed in August" in page and "monthly_opening = [1, 1, 1, 1, 1, 1, 1, 0" in page
    assert pd.read_csv(tmp_path / "d" / "seasons.csv")["state"].tolist()[7] == "closed"


@pytest.mark.parametrize("seasons", ["log", "scenario"])
def test_calibrate_from_a_log_with_seasons_simulates_them_unless_told_not_to(labs, tmp_path, capsys, seasons):
    # a lab's own log, closed in August (about 8 visits an open day among 300 people; no lab of the model's made it)
    rng = np.random.default_rng(4)
    days = [d for d in pd.date_range("2023-01-01", "2023-12-31") if d.month != 8 and d.day_of_week < 6]
    log = tmp_path / "august.csv"
    pd.DataFrame([(f"p{p}", d.date()) for d in days for p in rng.choice(300, size=rng.poisson(8), replace=False)],
                 columns=["person", "date"]).to_csv(log, index=False)
    out = tmp_path / "cal"
    assert main(["calibrate", str(labs / "tiny.toml"), "--from-log", str(log), "--param", "discovery_rate=0.002:0.02",
                 "--method", "point", "--reps", "2", "--budget", "4", "--workers", "1", "--quiet", "--seasons", seasons,
                 "--out", str(out)]) == 0
    err = [x for x in capsys.readouterr().err.splitlines() if "seasons: closed in August" in x]
    assert len(err) == 1, err
    head = (out / "verdict.txt").read_text()
    text = (out / "calibrated.toml").read_text()
    if seasons == "log":
        assert "simulated with the log's monthly_opening = [1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1]" in err[0]
        assert "note: seasons: closed in August" in head and "monthly_opening = [" in text
        assert 'extends = "../tiny.toml"' in text.replace(str(labs), "..") or "tiny.toml" in text
        from sim.config.scenario import load_scenario

        assert load_scenario(out / "calibrated.toml").settings.monthly_opening[7] == 0.0
    else:
        assert "not simulated (--seasons scenario)" in err[0] and "monthly_opening" not in text
