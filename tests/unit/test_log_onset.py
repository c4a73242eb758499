"""How a log begins (issue 31, item 6): mid-life, young, one cohort, or undecided, by sim.logs.onset's rule."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.config.scenario import load_scenario
from sim.logs import onset as onset_module
from sim.logs.describe import describe
from sim.logs.onset import LogStart, onset, warms_up
from sim.logs.targets import start_line
from sim.logs.visitlog import VisitLog, hash_people

TINY = Path(__file__).resolve().parents[2] / "scenarios" / "examples" / "tiny.toml"


def arrays(rows):
    """(person codes, days, first day per person) of (person, day) rows, as sim.logs.describe makes them."""
    people, days = zip(*rows, strict=True)
    codes, _ = pd.factorize(pd.Series(people))
    day = np.asarray(days, dtype=np.int64)
    first = np.full(codes.max() + 1, np.iinfo(np.int64).max)
    np.minimum.at(first, codes, day)
    return codes.astype(np.int64), day, first


def lab(newcomers_per_day: float, days: int, regulars: int = 0, seed: int = 1):
    """A lab's log: `regulars` who came weekly before and during it, and a steady flow of one-visit newcomers."""
    rng = np.random.default_rng(seed)
    rows = [(f"r{i}", d) for i in range(regulars) for d in range(int(rng.integers(0, 7)), days, 7)]
    for d in range(days):
        rows += [(f"n{d}-{k}", d) for k in range(rng.poisson(newcomers_per_day))]
    rows.append(("last", days - 1))
    return rows


def test_regulars_from_before_the_log_make_it_mid_life_and_a_flow_alone_young():
    mid = onset(*arrays(lab(3.0, 365, regulars=60)))
    assert mid.kind is LogStart.MID_LIFE and mid.ratio > onset_module.MID_LIFE_RATIO and mid.regular_like == 60
    young = onset(*arrays(lab(3.0, 365)))
    assert young.kind is LogStart.YOUNG and young.ratio < onset_module.MID_LIFE_RATIO and young.regular_like == 0


def test_a_log_of_one_cohort_is_told_before_its_first_weeks_are():
    rng = np.random.default_rng(3)
    rows = [(f"p{p}", d) for p in range(300)
            for d in {int(rng.integers(0, 14))} | set(rng.integers(0, 400, 3).tolist())]
    assert onset(*arrays(rows)).kind is LogStart.SINGLE_COHORT


@pytest.mark.parametrize(("rows", "why"), [
    (lab(3.0, 60, regulars=60), "short"),  # under 12 weeks: no "later" to set the first weeks against
    (lab(0.3, 365, regulars=10), "few"),  # about 8 newcomers expected in 4 weeks: a small lab cannot tell
])
def test_a_short_or_small_log_is_undecided_and_says_why(rows, why):
    found = onset(*arrays(rows))
    assert found.kind is LogStart.UNDECIDED and found.why == why


def test_an_excess_within_chance_is_not_called_mid_life(monkeypatch):
    rows = lab(1.0, 365, regulars=14, seed=2)  # ~28 expected, ~42 seen: over 1.25 times, under 3 SDs
    found = onset(*arrays(rows))
    assert found.ratio >= onset_module.MID_LIFE_RATIO and found.kind is LogStart.UNDECIDED and found.why == "chance"
    monkeypatch.setattr(onset_module, "EXCESS_SDS", 1.0)
    assert onset(*arrays(rows)).kind is LogStart.MID_LIFE


def described(rows):
    people, days = zip(*rows, strict=True)
    frame = pd.DataFrame({"person_hash": hash_people(list(people), b"t"),
                          "date": pd.Timestamp("2022-01-03") + pd.to_timedelta(list(days), unit="D"),
                          "kind": "visit", "channel": ""})
    return describe(VisitLog(frame.sort_values("date").reset_index(drop=True), len(frame), 0, "t.csv")).summary


def test_the_description_states_the_start_with_its_counts_published_as_the_others():
    start = described(lab(3.0, 365, regulars=60))["start"]
    assert start["kind"] == "mid_life" and start["regular_like"] == 60 and start["first_seen_ratio"] > 1.25
    assert start["sentence"].startswith("the log starts mid-life: 60 people seen in its first 4 weeks behave like "
                                        "regulars") and start["sentence"].endswith("newcomer counts of its first "
                                                                                   "months are overstated")
    few = described(lab(3.0, 365, regulars=3))["start"]  # 3 regulars: not a count to publish
    assert few["regular_like"] == "<5" and "<5" not in few["sentence"]
    assert described(lab(3.0, 365))["start"]["sentence"].startswith("the log starts young: ")


def test_the_start_is_set_against_the_scenarios_warm_up():
    tiny, warm = load_scenario(TINY), load_scenario("carrefour_numerique")
    assert not warms_up(tiny.settings) and warms_up(warm.settings)
    mid = described(lab(3.0, 365, regulars=60))["start"]
    young = described(lab(3.0, 365))["start"]
    assert start_line(mid, tiny).startswith("warning: the log starts mid-life (60 people seen in its first 4 weeks "
                                            "behave like regulars) but tiny_open has no warm-up")
    assert "--from a folder of saved mature labs" in start_line(mid, tiny)
    assert start_line(mid, warm) == "" and start_line(young, tiny) == ""
    line = start_line(young, warm)
    assert line.startswith("warning: the log starts young")
    assert "warms up (warmup_years 4, an initial population)" in line
    assert "set warmup_years = 0" in line and "drop --from" in start_line(young, tiny, states=True)
