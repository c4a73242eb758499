"""Failed runs are never silent (issue 33, item 5): counted, the first reason said first, exit 1 unless allowed."""

import json

import pandas as pd
import pytest

from sim.batch.failures import Failures, RunsFailedError
from sim.batch.worker import RAISE_HOOK
from sim.cli import main

TINY = ('extends = "carrefour_numerique"\nname = "{name}"\nhost_footfall_per_day = {footfall}\nwarmup_years = 0.0\n'
        "initial_contributors = 0\ninitial_partners = 0\ninitial_dormant = 0\ninitial_former_regulars = 0\n"
        "initial_awareness = 0.0\nevent_reach = 20.0\ndoc_reach_per_year = 200.0\n")


@pytest.fixture
def labs(tmp_path):
    a, b = tmp_path / "tiny_a.toml", tmp_path / "tiny_b.toml"
    a.write_text(TINY.format(name="tiny_a", footfall=1000.0))
    b.write_text(TINY.format(name="tiny_b", footfall=1500.0))
    return [str(a), str(b)]


def _compare(labs, out, *more):
    return main(["compare", *labs, "--reps", "3", "--years", "0.1", "--quiet", "--workers", "1", "--out", str(out),
                 *more])


def test_a_compare_that_lost_a_replication_exits_1_and_says_how_many(labs, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(RAISE_HOOK, "p00001-r0002")  # tiny_b's third replication raises
    out = tmp_path / "cmp"
    assert _compare(labs, out) == 1
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: compare: 1 of 6 runs failed"), err
    assert "tiny_b: 2 of 3 succeeded" in err[0] and "RuntimeError" in err[0] and "--allow-failures" in err[0]
    assert "Traceback" not in captured.out + captured.err
    assert not (out / "comparison.csv").exists(), "no table that hides the lost replication"


def test_allow_failures_keeps_the_runs_that_finished_and_says_so_first(labs, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(RAISE_HOOK, "p00001-r0002")
    out = tmp_path / "cmp"
    assert _compare(labs, out, "--allow-failures") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("warning: 1 of 6 runs failed (tiny_b: 2 of 3 succeeded); first reason: RuntimeError")
    assert "over 2 to 3 of 3 replications" in lines[1]
    meta = json.loads((out / "comparison.json").read_text())
    assert meta["failures"]["failed"] == 1 and meta["failures"]["short"] == [["tiny_b", 2, 3]]
    table = pd.read_csv(out / "comparison.csv")
    assert set(table.loc[table["scenario"] == "tiny_b", "n"]) == {2}
    assert main(["report", str(out)]) == 0
    page = (out / "report.html").read_text()
    head = page[: page.index("The question")]  # the first screen: before the question
    assert "1 of 6 runs failed" in head and "tiny_b: 2 of 3 succeeded" in head


def test_inert_levers_come_first_then_the_failures_both_kept_in_the_json(labs, tmp_path, monkeypatch, capsys):
    """The merge of issue 30's inert notes with issue 33's failures: both said, in that order, both in the JSON."""
    with open(labs[1], "a") as fh:
        fh.write("slot_size = 2\n")  # booking slots in a lab open to walk-ins: inert
    monkeypatch.setenv(RAISE_HOOK, "p00001-r0002")
    out = tmp_path / "cmp"
    assert _compare(labs, out, "--allow-failures") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("inert: tiny_b: slot_size does nothing"), lines[:3]  # before the run
    assert lines[1].startswith("warning: 1 of 6 runs failed (tiny_b: 2 of 3 succeeded)"), lines[:3]  # after it
    meta = json.loads((out / "comparison.json").read_text())
    assert meta["inert"] == [lines[0]] and meta["failures"]["failed"] == 1
    assert list(meta)[-1] == "inert"


def test_a_batch_with_allow_failures_exits_0_and_says_the_first_reason(labs, tmp_path, monkeypatch, capsys):
    f = tmp_path / "exp.toml"
    f.write_text(f'name = "two"\nscenarios = ["{labs[0]}"]\nreplications = 2\nyears = 0.1\n'
                 "[grid]\nmediators = [2, 3]\n")
    monkeypatch.setenv(RAISE_HOOK, "p00001-r0001")
    assert main(["batch", str(f), "--out", str(tmp_path / "a"), "--workers", "1", "--quiet"]) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith("warning: 1 of 4 runs failed") and "RuntimeError" in captured.out.splitlines()[0]
    assert captured.err.startswith("error: batch: 1 of 4 runs failed") and captured.err.count("\n") == 1
    assert main(["batch", str(f), "--out", str(tmp_path / "a"), "--workers", "1", "--quiet",
                 "--allow-failures"]) == 0  # the failed run is retried (and fails again), then allowed
    assert main(["report", str(tmp_path / "a")]) == 0
    assert "1 of 4 runs failed" in (tmp_path / "a" / "report.html").read_text()


def test_failures_count_every_group_short_of_its_replications():
    runs = pd.DataFrame({"run_id": ["a0", "a1", "b0", "b1"], "scenario": ["a", "a", "b", "b"],
                         "status": ["ok", "failed", "failed", "failed"], "error": ["", "first", "second", "third"]})
    found = Failures.of(runs, 2, "scenario", groups=["a", "b", "c"])
    assert (found.failed, found.total, found.first) == (5, 6, "first")  # c never came back: counted too
    assert found.short == [("a", 1, 2), ("b", 0, 2), ("c", 0, 2)]
    with pytest.raises(RunsFailedError, match="add --allow-failures"):
        found.check(False, "x")
    with pytest.raises(RunsFailedError, match="no run of b, c succeeded"):
        found.check(True, "x")
    found.check(True, "x", each=False)
    assert Failures.from_dict(found.as_dict()) == found
    assert not Failures.of(runs.assign(status="ok"), 2, "scenario") and Failures().sentence() == ""
