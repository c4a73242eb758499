"""The batch engine's one evaluation path: settings x seeds -> a table; check-model, calibrate and ABC on it."""

import os
import signal
import time

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

import sim.validation as v
from sim.analysis.calibrate import build_spec, calibrate
from sim.batch.evaluate import evaluate
from sim.batch.executors import make_pool
from sim.batch.experiment import make_jobs, replication_seeds
from sim.batch.worker import CRASH_HOOK, RAISE_HOOK
from sim.cli import main
from sim.errors import LabsimError
from sim.metrics import NETWORK_KEYS, summary
from sim.run import simulate

# a young, tiny open lab: a fifth of a year takes a few hundredths of a second
TINY = ('extends = "carrefour_numerique"\nname = "tiny_open"\nhost_footfall_per_day = 300.0\nwarmup_years = 0.0\n'
        "initial_contributors = 0\ninitial_partners = 0\ninitial_dormant = 0\ninitial_former_regulars = 0\n"
        "initial_awareness = 0.0\nevent_reach = 10.0\ndoc_reach_per_year = 50.0\n")
SETTINGS = [{"mediators": 2}, {"mediators": 6, "open_documentation": 0.0}]
SEEDS = replication_seeds(7, 3)
IDENTITY = ["run_id", "scenario", "point", "mediators", "open_documentation", "replication", "seed", "status", "error"]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    path = tmp_path_factory.mktemp("lab") / "tiny.toml"
    path.write_text(TINY)
    return path


@pytest.fixture(scope="module")
def table(tiny):
    """Two settings x three seeds, a fifth of a year each, on 2 workers."""
    return evaluate(make_jobs([tiny], SETTINGS, SEEDS, 0.2), workers=2)


def test_settings_by_seeds_give_one_row_per_run(table):
    assert len(table) == len(SETTINGS) * len(SEEDS)
    assert list(table.columns[: len(IDENTITY)]) == IDENTITY
    assert table["run_id"].tolist() == [f"p{p:05d}-r{r:04d}" for p in range(2) for r in range(3)], "in the jobs' order"
    assert (table["status"] == "ok").all() and (table["error"] == "").all()
    assert (table["scenario"] == "tiny_open").all()
    assert table["mediators"].tolist() == [2, 2, 2, 6, 6, 6]
    assert table.groupby("point")["seed"].apply(list).tolist() == [SEEDS, SEEDS], "common random numbers"
    assert set(NETWORK_KEYS) <= set(table.columns) and table["visitors"].gt(0).all()


def test_a_row_is_the_summary_of_that_run(table, tiny):
    """The table's row is what one run of the same settings and seed summarises to (labsim run's summary)."""
    from sim.config.scenario import load_scenario

    row = table.iloc[4]
    model = simulate(load_scenario(tiny).with_settings(**SETTINGS[1]), int(row["seed"]), 0.2)
    expected = summary(model)
    for key in ("visitors", "contributors", "visits", "revenue", "nodes", "edges", "density", "modularity"):
        assert row[key] == expected[key], key


def test_the_table_does_not_depend_on_the_number_of_workers(table, tiny):
    one = evaluate(make_jobs([tiny], SETTINGS, SEEDS, 0.2), workers=1)
    assert_frame_equal(one, table)


def test_yearly_jobs_give_one_row_per_measured_year(tiny):
    """Years are cut without changing the lab: the first year of a longer run is the one-year run."""
    yearly = evaluate(make_jobs([tiny], [{}], SEEDS[:2], 1.5, network=False, yearly=True), workers=2)
    assert yearly["year"].tolist() == [1, 2, 1, 2]
    whole = evaluate(make_jobs([tiny], [{}], SEEDS[:2], 1.0, network=False), workers=2)
    keys = ["visitors", "contributors", "partners", "visits", "nodes", "density", "revenue"]
    assert_frame_equal(yearly[yearly["year"] == 1][keys].reset_index(drop=True), whole[keys])
    first, half = (yearly.loc[yearly["year"] == y, "visitors"].to_numpy() for y in (1, 2))
    assert (half < first).all(), "the second period is half a year"
    assert "modularity" not in whole.columns, "network measures only when asked"


def test_a_run_that_raises_or_kills_its_worker_is_a_failed_row(table, tiny, monkeypatch):
    monkeypatch.setenv(CRASH_HOOK, "p00000-r0001")
    monkeypatch.setenv(RAISE_HOOK, "p00001-r0002")
    got = evaluate(make_jobs([tiny], SETTINGS, SEEDS, 0.2), workers=2)
    assert got["run_id"].tolist() == table["run_id"].tolist()
    died, raised = got.iloc[1], got.iloc[5]
    assert died["status"] == "failed" and "worker process died 3 times" in died["error"]
    assert raised["status"] == "failed" and "testing hook" in raised["error"]
    assert np.isnan(died["visitors"]) and np.isnan(raised["visitors"])
    ok = got["status"] == "ok"
    assert ok.sum() == 4
    assert_frame_equal(got[ok][["seed", "visitors", "density"]], table[ok][["seed", "visitors", "density"]],
                       check_dtype=False)  # the failed rows' NaN make the columns float


def test_a_worker_killed_while_its_pool_waits_breaks_nothing(tiny):
    """As between two evaluations of calibrate or the check-up: the next call rebuilds the pool, no run fails."""
    jobs = make_jobs([tiny], [{}], SEEDS[:2], 0.2)
    with make_pool("local", 2) as pool:
        first = evaluate(jobs, pool=pool)
        os.kill(next(iter(pool.executor._processes)), signal.SIGKILL)
        for _ in range(500):  # let the pool notice, so that the next submit finds it broken
            if pool.executor._broken:
                break
            time.sleep(0.01)
        again = evaluate(jobs, pool=pool)
    assert_frame_equal(first, again)
    assert (again["status"] == "ok").all()


def test_no_jobs_no_pool_and_bad_workers_refused(tiny):
    assert evaluate([]).empty
    with pytest.raises(LabsimError, match="--workers"):
        evaluate(make_jobs([tiny], [{}], [1], 0.2), workers=0)


# -- the tools on it: a killed worker is reported, not a traceback ---------------------------
def test_the_checker_leaves_out_a_run_whose_worker_died(tiny, monkeypatch):
    monkeypatch.setenv(CRASH_HOOK, "p00000-r0001")  # seed 1 of the first setting asked
    with v.Checker(seeds=3, network_seeds=0, workers=2) as c:
        by_seed = c.by_seed(str(tiny), 3)
        assert sorted(by_seed) == [0, 2]
        assert len(c.runs(str(tiny), 3)) == 2, "served from the cache, the failed seed is not run again"
        monkeypatch.delenv(CRASH_HOOK)
        d, se = c.paired(lambda s: s["visitors"], {}, {"mediators": 2}, preset=str(tiny), n=3)
    assert np.isfinite(d) and np.isfinite(se), "paired over the two seeds both settings have"
    assert [(f["seed"], f["changes"]) for f in c.failed] == [(1, {})]
    assert "died" in c.failed[0]["error"]


def test_check_model_reports_a_killed_worker_in_its_table(tiny, monkeypatch, capsys):
    def tiny_check(c):
        yield v._band("tiny: visitors", c.mean("visitors", str(tiny)), 0, 1e9, c.seeds)

    monkeypatch.setattr(v, "CHECKS", (tiny_check,))
    monkeypatch.setenv(CRASH_HOOK, "p00000-r0001")
    assert main(["check-model", "--seeds", "3", "--workers", "2", "--quiet"]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    lines = captured.out.splitlines()
    assert any(line.startswith("tiny: visitors") and line.endswith("ok") for line in lines)
    # the table wraps long cells in their column (<= 100 columns): the failures' row spans several lines
    start = next(i for i, line in enumerate(lines) if line.startswith("every run of"))
    row = lines[start:start + 6]
    assert row[0].endswith("FAIL") and "tiny_open" in "".join(row) and "seed 1" in " ".join(" ".join(row).split())
    assert "1 of 2 checks pass" in captured.out


def test_calibrate_goes_on_when_a_worker_dies(tiny, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(CRASH_HOOK, "p00001-r0000")  # the screen's second candidate, first replication
    out = tmp_path / "cal"
    assert main(["calibrate", str(tiny), "--target", "visitors=1500", "--param", "discovery_rate=0.002:0.01",
                 "--out", str(out), "--reps", "2", "--budget", "4", "--workers", "2", "--quiet"]) == 1
    captured = capsys.readouterr()
    err = captured.err
    assert "Traceback" not in err and "warning: 1 runs failed (1 during the search" in err
    first = err.splitlines()[0]  # said first, in one line: how many, which candidate, why; the results are kept
    assert first.startswith("error: calibrate: 1 of ") and "candidate 1: 1 of 2 succeeded" in first
    assert "worker process died" in first and "--allow-failures" in first
    assert (out / "calibrated.toml").read_text().startswith("# failed runs: 1 of ")
    assert main(["report", str(out)]) == 0 and "candidate 1: 1 of 2 succeeded" in (out / "report.html").read_text()
    history = pd.read_csv(out / "history.csv")
    assert history["failed_runs"].tolist()[:2] == [0, 1] and history["failed_runs"].sum() == 1
    assert history["loss"].map(np.isfinite).all(), "the candidate's mean uses its other replication"
    assert (pd.read_csv(out / "fit.csv")["failed_runs"] == 0).all()


def test_a_candidate_whose_runs_all_fail_gets_an_infinite_loss(tiny, monkeypatch):
    monkeypatch.setenv(RAISE_HOOK, "p00000-r0000")  # with one replication: every first candidate of a call fails
    spec = build_spec(str(tiny), ["visitors=1500"], ["discovery_rate=0.002:0.01"], None, reps=2, budget=4,
                      root_seed=1)
    spec.reps = 1  # build_spec asks for two; one makes a candidate fail whole
    fitted, table = calibrate(spec, workers=2)
    assert spec.history[0]["loss"] == np.inf and spec.history[0]["failed_runs"] == 1
    assert 0.002 <= fitted["discovery_rate"] <= 0.01
    assert table["failed_runs"].iloc[0] == 1 and table["runs"].iloc[0] == 1  # the check's first of two fresh seeds


def test_abc_rejects_a_particle_whose_worker_died(tiny, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(CRASH_HOOK, "p00003-r0000")  # the fourth particle of each batch of simulations
    out = tmp_path / "abc"
    assert main(["calibrate", str(tiny), "--method", "abc", "--target", "visitors=150", "--param",
                 "discovery_rate=0.002:0.02", "--population", "10", "--generations", "1", "--budget", "30",
                 "--years", "0.1", "--seed", "3", "--quiet", "--workers", "2", "--out", str(out),
                 "--allow-failures"]) == 0
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert captured.out.startswith("warning: ") and "simulations failed" not in captured.err
    assert "runs failed" in captured.out.splitlines()[0] and "worker process died" in captured.out.splitlines()[0]
    assert "runs failed" in (out / "abc.html").read_text()
    generations = pd.read_csv(out / "generations.csv")
    assert generations["failed"].iloc[0] >= 1 and generations["accepted"].iloc[0] == 10
