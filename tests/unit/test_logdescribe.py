"""Describing a visit log: the model's outcomes counted by hand on small logs, and small counts suppressed."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from sim.config.settings import Settings
from sim.logs.describe import HIDDEN, SUPPRESSED, describe, shown
from sim.logs.visitlog import VisitLog, hash_people
from sim.metrics import gini

DAY0 = pd.Timestamp("2022-01-03")


def make_log(rows) -> VisitLog:
    """rows: (person, day offset, kind)."""
    people, days, kinds = zip(*rows, strict=True)
    frame = pd.DataFrame({"person_hash": hash_people(list(people), b"t"),
                          "date": DAY0 + pd.to_timedelta(list(days), unit="D"), "kind": list(kinds), "channel": ""})
    return VisitLog(frame.sort_values("date", kind="stable").reset_index(drop=True), len(frame), 0, "t.csv")


def visits(person, days):
    return [(person, d, "visit") for d in days]


def test_counts_of_people_under_five_are_suppressed_but_zero_is_not():
    assert [shown(n) for n in (0, 1, 4, 5, 12)] == [0, SUPPRESSED, SUPPRESSED, 5, 12]


def test_a_small_log_publishes_no_small_count_and_no_share_of_few_people():
    s = describe(make_log(visits("a", [0, 3]) + visits("b", [1]))).summary
    assert s["visitors"] == SUPPRESSED and s["returning_visitors"] == SUPPRESSED
    assert s["visits"] == 3  # the log's visits are its rows read less the repeats, published anyway
    assert s["gini_visits"] is None and s["visitors_4plus_share"] is None and s["visits_max"] is None
    assert s["visits_q50"] is None and s["visits_q99"] is None


def test_visitors_newcomers_returning_and_the_distribution_are_counted_per_year_and_overall():
    rows = []
    for i in range(10):  # ten people in the first year: person i comes i + 1 times in its first weeks
        rows += visits(f"p{i}", [7 * k for k in range(i + 1)])
    for i in range(6, 16):  # in the second year (days 365-): p6..p9 again, and six newcomers
        rows += visits(f"p{i}", [400 + i, 420 + i])
    s = describe(make_log(rows)).summary
    counts = np.array([i + 1 for i in range(6)] + [i + 3 for i in range(6, 10)] + [2] * 6)
    assert s["visitors"] == 16 and s["newcomers"] == 16 and s["visits"] == counts.sum()
    # one person came once: returning visitors (15) would give them away as visitors minus returning visitors
    assert s["returning_visitors"] == HIDDEN and s["gini_visits"] == round(gini(counts), 6)
    assert s["visitors_4plus_share"] == round((counts >= 4).mean(), 6)
    # one person came once: that share would give them away; no exact maximum; no quantile of under 5 people
    assert s["visitors_once_share"] is None and s["visits_max"] is None and s["visits_top5"] == 6
    assert s["visits_q50"] == float(np.percentile(counts, 50)) and s["visits_q99"] is None
    first, second = s["years"]["2022"], s["years"]["2023"]
    assert first["visitors"] == 10 and first["newcomers"] == 10 and first["returning_visitors"] == HIDDEN  # 1 once
    # four came back from the first year: visitors minus newcomers (6, also the whole log's minus the first
    # year's) would give them away, so visitors is hidden, and returning visitors (visitors less those once)
    assert second["newcomers"] == 6 and second["visitors"] == HIDDEN == second["returning_visitors"]


def brute_contributors(rows, settings):
    by = {}
    for person, day, _ in rows:
        by.setdefault(person, []).append(day)
    found = set()
    for person, days in by.items():
        days = sorted(set(days))
        for d in days:
            if sum(d - settings.contributor_window_days <= e <= d for e in days) >= settings.contributor_visits:
                found.add(person)
    return len(found)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_regulars_follow_the_models_contributor_rule(seed):
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(60):
        pace = rng.choice([2, 5, 12, 40])
        rows += visits(f"p{i}", np.unique(np.cumsum(rng.integers(1, pace + 1, size=rng.integers(1, 30)))))
    for settings in (Settings(), Settings(contributor_visits=4, contributor_window_days=30.5)):
        assert describe(make_log(rows), settings).summary["contributors"] == brute_contributors(rows, settings)


def test_survival_of_returners_and_newcomers_and_the_retention_of_members():
    rows = []
    for i in range(10):  # returners (back within 90 days); the first five still come near their first anniversary
        rows += visits(f"r{i}", [i, i + 30] + ([i + 300] if i < 5 else []))
    for i in range(10):  # one-time newcomers
        rows += visits(f"n{i}", [i])
    for i in range(5):  # keep the log long enough for the cohorts' year (five: one late-comer would be
        rows += visits(f"late{i}", [500])  # recovered as the newcomers minus the cohort)
    for i in range(10):  # ten members: five end within a year
        rows += [(f"m{i}", 10, "membership_start")] + ([(f"m{i}", 200, "membership_end")] if i < 5 else [])
    s = describe(make_log(rows)).summary
    assert s["returner_survival_1y"] == 0.5 and s["newcomer_survival_1y"] == 0.25
    assert s["member_retention_1y"] == 0.5 and s["members_started"] == 10


def test_without_a_full_year_the_cohorts_are_null_with_the_reason():
    rows = [r for i in range(10) for r in visits(f"p{i}", [i, i + 20])]
    s = describe(make_log(rows)).summary
    assert s["returner_survival_1y"] is None and s["member_retention_1y"] is None
    assert "a full year" in s["cohort_gap"] and "no membership_start rows" in s["cohort_gap"]


def test_weekly_series_and_seasonality_cover_every_day_of_the_log():
    rows = [r for i in range(10) for r in visits(f"p{i}", [0, 1, 21])]
    found = describe(make_log(rows))
    weekly = found.tables["weekly"]
    assert list(weekly["visits"]) == [20, 0, 0, 10] and list(weekly["visitors"]) == [10, 0, 0, 10]
    assert list(weekly["days"]) == [7, 7, 7, 1]  # the log ends on the last week's Monday
    month = found.tables["seasonality"].query("period == 'month'")
    assert list(month["name"]) == ["January"] and month["index"].iloc[0] == 1.0


ROW = st.tuples(st.sampled_from([f"p{i}" for i in range(12)]), st.integers(0, 900),
                st.sampled_from(["visit", "visit", "workshop", "event", "membership_start", "membership_end"]))


@hypothesis_settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(rows=st.lists(ROW, min_size=1, max_size=60))
def test_fuzz_any_log_is_described_and_publishes_no_count_of_one_to_four_people(rows):
    from sim.errors import LabsimError

    seen = {(p, d) for p, d, k in rows if k in ("visit", "workshop", "event")}
    log = make_log(rows)
    if not seen:
        with pytest.raises(LabsimError):
            describe(log)
        return
    found = describe(log)
    for values in [found.summary, *found.summary["years"].values()]:
        for key in ("visitors", "newcomers", "returning_visitors", "contributors", "members_started"):
            assert values[key] in (SUPPRESSED, HIDDEN) or values[key] == 0 or values[key] >= 5, key
    for name in ("weekly", "visit_counts", "gaps"):
        column = {"weekly": "visitors", "visit_counts": "people", "gaps": "gaps"}[name]
        assert all(x in (SUPPRESSED, HIDDEN) or int(x) == 0 or int(x) >= 5 for x in found.tables[name][column])
