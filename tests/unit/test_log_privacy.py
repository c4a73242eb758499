"""No count of 1 to 4 people recoverable from a log's description: each channel of issue 33, and a fuzzer.

Each test builds a log with a small group (3 people) hidden in a larger one and tries what someone holding
the published files would: a total less its published parts, a share times its whole, a step of a curve.
"""

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from sim.logs.describe import HIDDEN, SUPPRESSED, describe
from sim.logs.privacy import Cells, coarse_steps
from sim.logs.visitlog import VisitLog, hash_people

DAY0 = pd.Timestamp("2022-01-03")


def make_log(rows) -> VisitLog:
    people, days, kinds = zip(*rows, strict=True)
    frame = pd.DataFrame({"person_hash": hash_people(list(people), b"t"),
                          "date": DAY0 + pd.to_timedelta(list(days), unit="D"), "kind": list(kinds), "channel": ""})
    return VisitLog(frame.sort_values("date", kind="stable").reset_index(drop=True), len(frame), 0, "t.csv")


def visits(person, days, kind="visit"):
    return [(person, int(d), kind) for d in days]


def number(x) -> bool:
    return isinstance(x, int | float | np.integer | np.floating) and not isinstance(x, bool) and x == x


def small(x) -> bool:
    return 0 < round(x) < 5


def attacks(found) -> list[str]:
    """What the published description gives away: each a count of 1 to 4 people (or few people's visits)."""
    s, t = found.summary, found.tables
    out = []
    rows = [*s["years"].values()]
    for key in ("newcomers", "visits", "members_started"):  # a total less its published parts
        parts = [r[key] for r in rows]
        hidden = [p for p in parts if not number(p)]
        few = key == "visits" and not (number(s["visitors"]) and s["visitors"] >= 5)  # the rows read say it anyway
        if number(s[key]) and len(hidden) == 1 and not few:
            out.append(f"{key} of a year = all - the others = {s[key] - sum(p for p in parts if number(p))}")
    for r in [s, *rows]:
        v = r["visitors"]
        for part in ("newcomers", "returning_visitors", "contributors"):
            if number(v) and number(r[part]) and small(v - r[part]):
                out.append(f"visitors - {part} = {v - r[part]}")
        for share in ("visitors_once_share", "visitors_4plus_share"):
            if number(v) and number(r[share]) and (small(r[share] * v) or small((1 - r[share]) * v)):
                out.append(f"{share} x visitors = {r[share] * v}")
        for share, whole in (("returner_survival_1y", "returners_cohort"), ("newcomer_survival_1y",
                                                                              "newcomers_cohort")):
            if number(r[whole]) and number(r[share]) and (small(r[share] * r[whole])
                                                          or small((1 - r[share]) * r[whole])):
                out.append(f"{share} x {whole}")
        if r.get("visits_max") is not None:
            out.append("an exact maximum")
        if v == SUPPRESSED:
            out += [f"a share of under 5 visitors: {k}" for k in ("gini_visits", "visitors_4plus_share") if number(r[k])]
    people = list(t["visit_counts"]["people"])
    if number(s["visitors"]) and sum(not number(p) for p in people) == 1:
        out.append(f"a visit_counts bin = visitors - the others = {s['visitors'] - sum(p for p in people if number(p))}")
    if not number(s["visitors"]) and all(number(p) for p in people):
        pass  # the total comes from the bins: no part hidden, nothing to recover
    weeks = list(t["weekly"]["visits"])
    if sum(not number(w) for w in weeks) == 1 and number(s["visitors"]) and s["visitors"] >= 5:
        out.append("a week's visits = all - the other weeks")
    if number(s["log"]["membership_rows"]) and small(s["log"]["membership_rows"]):
        out.append("membership rows")
    for _, curve in t["survival"].groupby("cohort"):
        size = curve["people"].iloc[0]
        levels = curve["still_coming"].dropna().to_numpy(float)
        if number(size) and levels.size:
            counts = np.round(levels * size)
            if any(small(c) for c in counts) or any(small(d) for d in -np.diff(counts)):
                out.append("a step or a level of the survival curve")
    return out


def crowd(n, first=0, every=7, times=3, name="p"):
    return [r for i in range(n) for r in visits(f"{name}{i}", [first + i % 5 + every * k for k in range(times)])]


def test_the_visits_of_a_year_of_three_visitors_are_not_published_nor_recoverable():
    rows = crowd(20) + [r for i in range(3) for r in visits(f"late{i}", [400, 401, 402 + i])]
    found = describe(make_log(rows))
    assert found.summary["years"]["2023"]["visits"] == HIDDEN and found.summary["years"]["2023"]["visitors"] == SUPPRESSED
    assert attacks(found) == []


def test_a_share_times_its_total_does_not_give_three_people_away():
    rows = crowd(20, times=4) + [r for i in range(3) for r in visits(f"once{i}", [i])]
    s = describe(make_log(rows)).summary
    assert s["visitors"] == 23 and s["visitors_once_share"] is None and s["visitors_4plus_share"] is None
    assert attacks(describe(make_log(rows))) == []


def test_the_complement_in_visit_counts_is_hidden_too():
    rows = crowd(20, times=2) + [r for i in range(3) for r in visits(f"once{i}", [i])]
    found = describe(make_log(rows))
    bins = dict(zip(found.tables["visit_counts"]["visits"], found.tables["visit_counts"]["people"], strict=True))
    assert bins["1"] == SUPPRESSED and HIDDEN in (bins["2"], found.summary["visitors"])
    assert attacks(found) == []


def test_no_exact_maximum_nor_a_quantile_of_under_five_people():
    rows = crowd(20) + visits("busy", range(0, 100, 2))
    s = describe(make_log(rows)).summary
    assert s["visits_max"] is None and s["visits_top5"] == 3 and s["visits_q99"] is None
    assert 50 not in [v for v in s.values() if number(v)]


def test_membership_rows_of_three_people_are_suppressed_and_not_the_rows_less_the_visits():
    rows = crowd(20) + [(f"p{i}", 3, "membership_start") for i in range(3)]
    found = describe(make_log(rows))
    log = found.summary["log"]
    assert log["membership_rows"] == SUPPRESSED and log["rows"] == found.summary["visits"]  # the visit rows only
    assert attacks(found) == []


def test_the_survival_curve_steps_only_by_five_people_or_more():
    rows = [r for i in range(20) for r in visits(f"n{i}", [i % 7, 70 if i < 3 else 300])]
    rows += crowd(5, first=500, name="later")
    found = describe(make_log(rows))
    newcomers = found.tables["survival"].query("cohort == 'newcomers'")
    levels = np.round(newcomers["still_coming"].to_numpy(float) * 20)
    assert set(np.unique(levels)) == {20.0, 0.0}  # three stopped at day 70: no step of three is drawn
    assert attacks(found) == []


def test_the_page_and_the_csv_tables_show_no_small_count(tmp_path):
    from sim.pages.log import write

    rows = crowd(20) + [r for i in range(3) for r in visits(f"late{i}", [400, 401, 402 + i])]
    rows += [(f"p{i}", 3, "membership_start") for i in range(3)]
    found = describe(make_log(rows))
    write(found, tmp_path, figures=False)
    page = (tmp_path / "report.html").read_text()
    assert "&lt;5 membership rows" in page and f"{SUPPRESSED}" not in page.replace("&lt;5", "")
    years = pd.read_csv(tmp_path / "years.csv", dtype=str).set_index("year")
    assert years.loc["2023", "visits"] == HIDDEN and years.loc["2023", "visitors"] == SUPPRESSED


def test_cells_hide_a_second_part_and_never_leave_one_pinned():
    c = Cells()
    for key, value in (("total", 20), ("a", 3), ("b", 7), ("c", 10)):
        c.add(key, value)
    c.tie("total", ["a", "b", "c"])
    c.protect()
    assert [c.shown(k) for k in ("total", "a", "b", "c")] == [20, SUPPRESSED, HIDDEN, 10]


def test_coarse_steps_move_by_five_and_never_below_five():
    assert list(coarse_steps(np.array([20, 19, 17, 15, 12, 3, 0]))) == [20, 20, 20, 15, 15, 15, 0]


ROW = st.tuples(st.sampled_from([f"p{i}" for i in range(30)]), st.integers(0, 800),
                st.sampled_from(["visit", "visit", "visit", "workshop", "membership_start", "membership_end"]))


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(rows=st.lists(ROW, min_size=5, max_size=150))
def test_fuzz_no_hostile_log_gives_a_small_count_away(rows):
    if not any(k in ("visit", "workshop") for _, _, k in rows):
        return
    assert attacks(describe(make_log(rows))) == []
