"""Calibration is never silently wrong (issue 31, item 3): logs the model did not make, fits it cannot make.

An 18-month log on a lab without warm-up (a one-year cohort the one-year simulation cannot measure), a log of
a single cohort, a fit whose every run fails, a target far out of reach: each ends in a result that says so
on its first lines, or in one line and exit 2, never in a traceback or a "fitted:" of nothing.
"""

import html

import numpy as np
import pandas as pd
import pytest

from sim.cli import main

# a tiny young lab (no warm-up, no seated population): one measured year costs well under a second
TINY = ('extends = "carrefour_numerique"\nname = "tiny_open"\nhost_footfall_per_day = 300.0\nwarmup_years = 0.0\n'
        "initial_contributors = 0\ninitial_partners = 0\ninitial_dormant = 0\ninitial_former_regulars = 0\n"
        "initial_awareness = 0.0\nevent_reach = 10.0\ndoc_reach_per_year = 50.0\n")
FREE = ["--free", "discovery_rate=0.002:0.02"]


def _log(path, people: int, days: int, cohort_days: int, seed: int = 1) -> None:
    """A log no model wrote: each person first seen in the first `cohort_days`, then back now and then."""
    rng = np.random.default_rng(seed)
    rows = []
    for p in range(people):
        first = int(rng.integers(0, cohort_days))
        visits = {first} | {int(d) for d in rng.integers(first, days, size=rng.geometric(0.4) - 1)}
        rows += [(f"p{p}", (pd.Timestamp("2020-01-01") + pd.Timedelta(days=d)).strftime("%Y-%m-%d")) for d in visits]
    rows.append(("p0", (pd.Timestamp("2020-01-01") + pd.Timedelta(days=days - 1)).strftime("%Y-%m-%d")))
    pd.DataFrame(rows, columns=["person", "date"]).to_csv(path, index=False)


@pytest.fixture
def lab(tmp_path):
    (tmp_path / "tiny.toml").write_text(TINY)
    return tmp_path / "tiny.toml"


@pytest.mark.parametrize("method", ["point", "abc"])
def test_an_18_month_log_on_a_lab_without_warm_up_drops_its_cohort_target_with_a_note(lab, tmp_path, capsys,
                                                                                           method):
    # the point fit's loss was inf for all 40 evaluations, and it still printed "fitted:" (issue 31)
    log = tmp_path / "18months.csv"
    _log(log, people=400, days=547, cohort_days=500)
    cost = ["--reps", "2", "--budget", "4"] if method == "point" else ["--population", "10", "--generations", "1"]
    out = tmp_path / "cal"
    assert main(["calibrate", str(lab), "--from-log", str(log), *FREE, "--method", method, *cost, "--workers", "1",
                 "--seed", "2", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert " days: 1 measured year a simulation): " in captured.err
    assert ("note: dropped returner_survival_1y: the simulated horizon (warm-up 0 y + 1 measured year) holds no "
            "one-year cohort") in captured.err
    assert captured.out.startswith("the model reproduces ")
    fit = pd.read_csv(out / ("fit.csv" if method == "point" else "verdict.csv"))
    assert "returner_survival_1y" not in set(fit["target"]) and "visitors" in set(fit["target"])
    assert "dropped returner_survival_1y" in (out / "verdict.txt").read_text()


def test_a_single_cohort_log_calibrates_and_says_what_it_cannot_reproduce(lab, tmp_path, capsys):
    log = tmp_path / "cohort.csv"
    _log(log, people=300, days=400, cohort_days=14, seed=3)  # everyone first seen in the first two weeks
    out = tmp_path / "cal"
    assert main(["calibrate", str(lab), "--from-log", str(log), *FREE, "--population", "10", "--generations", "1",
                 "--workers", "1", "--seed", "2", "--quiet", "--out", str(out)]) == 0  # ABC: --from-log's default
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    first, second = captured.out.splitlines()[:2]
    assert first.startswith("the model reproduces ") and "it cannot reproduce" in first  # no lab of one cohort
    assert second.startswith("note: the log is a single cohort: 99% of its people were first seen in its first 2 "
                             "weeks (of 58); newcomers are not a flow here"), second  # and why, on the next line
    assert second in (out / "verdict.txt").read_text().splitlines()
    assert second[len("note: "):] in html.unescape((out / "abc.html").read_text())  # the report's head lines too
    assert (out / "posterior.csv").is_file() and (out / "calibrated.toml").is_file()


def test_a_fit_whose_every_run_fails_is_refused_in_one_line_nothing_written(lab, tmp_path, capsys, monkeypatch):
    import sim.analysis.calibrate as calibrate

    real = calibrate.evaluate

    def failing(jobs, **how):
        table = real(jobs[:1], **how)  # one real row for the columns, then every run failed
        row = table.iloc[0].to_dict() | {"status": "failed", "error": "killed"}
        return pd.DataFrame([row | {"point": job.point, "run_id": job.run_id} for job in jobs])

    monkeypatch.setattr(calibrate, "evaluate", failing)
    out = tmp_path / "cal"
    assert main(["calibrate", str(lab), "--target", "visitors=150", *FREE, "--reps", "2", "--budget", "4",
                 "--workers", "1", "--quiet", "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert captured.err.strip().splitlines() == ["error: calibrate: every run of the screen failed (4 runs); nothing "
                                                 "fitted"]
    assert "fitted:" not in captured.out
    assert not out.exists()


def test_a_target_out_of_reach_is_flagged_on_the_first_line_and_the_reports_first_screen(lab, tmp_path, capsys):
    out = tmp_path / "cal"
    assert main(["calibrate", str(lab), "--target", "visitors=100000", *FREE, "--reps", "2", "--budget", "4",
                 "--workers", "1", "--quiet", "--out", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("the model reproduces 0 of 1 target (inside the simulated 90% band); it cannot "
                               "reproduce visitors (1e+05;"), lines
    assert lines[1].startswith("warning: far from visitors: the target's 1e+05 against"), lines
    assert lines[2].startswith("warning: the simulations have "), lines
    assert lines[3].startswith("fitted: discovery_rate = ")
    intervals = pd.read_csv(out / "intervals.csv")
    assert {"profile_low", "profile_high", "informed"} <= set(intervals.columns)
    assert intervals.loc[0, "profile_low"] <= intervals.loc[0, "fitted"] <= intervals.loc[0, "profile_high"]
    assert main(["report", str(out)]) == 0
    page = (out / "report.html").read_text()
    assert page.index("the model reproduces 0 of 1 target") < page.index("<h2>Fit</h2>")
