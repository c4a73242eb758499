"""`labsim log describe`: the files it writes, the folder policy, and a log's raw identifiers in none of them."""

import json

import numpy as np
import pandas as pd
import pytest

from sim.cli import main

NAMES = [f"secret-person-{i}@example.org" for i in range(40)]


@pytest.fixture
def log(tmp_path):
    rng = np.random.default_rng(5)
    rows = [(NAMES[i], (pd.Timestamp("2023-01-02") + pd.Timedelta(days=int(d))).strftime("%Y-%m-%d"), "visit",
             '=HYPERLINK("x")' if i % 2 else "<b>web</b>")
            for i in range(40) for d in np.unique(rng.integers(0, 500, size=1 + i % 12))]
    rows += [(NAMES[i], "2023-02-01", "membership_start", "") for i in range(8)]
    path = tmp_path / "visits.csv"
    pd.DataFrame(rows, columns=["badge", "day", "type", "channel"]).to_csv(path, index=False)
    return path


def describe(log, out, *extra):
    return main(["log", "describe", str(log), "--out", str(out), "--person-col", "badge", "--date-col", "day",
                 "--kind-col", "type", "--quiet", *extra])


def test_describe_writes_the_summary_tables_figures_and_report(tmp_path, log, capsys):
    out = tmp_path / "out"
    assert describe(log, out) == 0
    assert {p.name for p in out.iterdir()} == {
        "labsim.json", "log_summary.json", "years.csv", "weekly.csv", "seasonality.csv", "seasons.csv",
        "visit_counts.csv", "gaps.csv", "survival.csv", "weekly.png", "visit_counts.png", "survival.png", "report.html"}
    summary = json.loads((out / "log_summary.json").read_text())
    assert summary["visitors"] == 40 and summary["members_started"] == 8 and summary["log"]["file"] == "visits.csv"
    assert json.loads((out / "labsim.json").read_text())["kind"] == "log_description"
    assert "files written to" in capsys.readouterr().out
    assert describe(log, out) == 0  # the same again: rewritten


def test_no_raw_identifier_reaches_any_output_even_with_people(tmp_path, log):
    out = tmp_path / "out"
    assert describe(log, out, "--people") == 0
    people = pd.read_csv(out / "people.csv")
    assert len(people) == 40 and people["person_hash"].astype(str).str.fullmatch(r"[0-9a-f]{16}").all()
    for path in out.iterdir():
        data = path.read_bytes()
        assert not any(name.encode() in data for name in NAMES) and b"secret-person" not in data, path.name


def test_people_are_written_only_on_request_and_hashes_differ_between_runs(tmp_path, log):
    assert describe(log, tmp_path / "a") == 0 and not (tmp_path / "a" / "people.csv").exists()
    assert describe(log, tmp_path / "b", "--people") == 0 and describe(log, tmp_path / "c", "--people") == 0
    b, c = (set(pd.read_csv(tmp_path / x / "people.csv", dtype=str)["person_hash"]) for x in "bc")
    assert b.isdisjoint(c)


def test_hostile_labels_are_escaped_in_the_report_and_neutralised_in_csv(tmp_path, log):
    hostile = tmp_path / "<img src=x onerror=alert(1)>.csv"
    hostile.write_bytes(log.read_bytes())
    out = tmp_path / "out"
    assert describe(hostile, out, "--people") == 0
    page = (out / "report.html").read_text()
    assert "<img src=x onerror" not in page and "&lt;img src=x onerror" in page


def test_a_bad_log_writes_nothing_and_exits_2(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("person,date\na,2024-01-01\nb,03/15/2024\n")
    out = tmp_path / "out"
    assert main(["log", "describe", str(bad), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "line 3, column 'date': a date with the day or month first" in err
    assert "03/15/2024" not in err and "Traceback" not in err
    assert not out.exists()


def test_the_output_folder_policy_holds(tmp_path, log, capsys):
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "notes.txt").write_text("mine")
    assert describe(log, theirs) == 2 and "holds files labsim did not write" in capsys.readouterr().err
    out = tmp_path / "out"
    assert describe(log, out) == 0
    assert describe(log, out, "--people") == 2 and "add --force" in capsys.readouterr().err
    assert describe(log, out, "--people", "--force") == 0 and (out / "people.csv").exists()
    run = tmp_path / "run"
    run.mkdir()
    (run / "labsim.json").write_text(json.dumps({"labsim": "output folder", "kind": "run"}))
    assert describe(log, run) == 2 and "holds labsim run results" in capsys.readouterr().err


# -- log synth: the model's visits as a log, and their recovery --------------------------------------------------
def test_describe_of_a_synthesised_log_recovers_the_runs_own_counts(tmp_path, capsys):
    """The log counts the same visits as the run: visitors, returning visitors and Gini are equal, exactly."""
    import sim

    log = tmp_path / "open.csv"
    assert main(["log", "synth", "carrefour_numerique", "--seed", "3", "--years", "1", "--out", str(log)]) == 0
    assert main(["log", "describe", str(log), "--out", str(tmp_path / "d"), "--quiet", "--no-figures"]) == 0
    described = json.loads((tmp_path / "d" / "log_summary.json").read_text())
    run = sim.run("carrefour_numerique", seed=3, years=1, people=False).summary  # a run of its own, no recorder
    for key in ("visitors", "returning_visitors", "gini_visits", "visits", "visitors_4plus_share",
                "visits_q50", "visits_q75", "visits_q90", "visits_q99"):  # the quantiles: one shared function
        assert described[key] == run[key], key
    assert described["visits_max"] is None and described["visits_top5"] <= run["visits_max"]  # no one's exact count
    assert described["log"]["same_day_repeats_dropped"] == 0 and described["log"]["first_day"] == "2001-01-01"
    assert described["log"]["last_day"] == "2001-12-31"
    assert described["start"]["kind"] == "mid_life"  # a preset's year after its warm-up (sim.logs.onset)
    assert "the log starts mid-life: " in capsys.readouterr().out
    head = log.read_text().splitlines()[:2]
    assert head[0] == "person,date,kind,channel" and head[1].split(",")[2] == "visit"


def test_synth_writes_parquet_and_refuses_to_overwrite(tmp_path, capsys):
    out = tmp_path / "lab.parquet"
    argv = ["log", "synth", "digital_arti", "--years", "0.2", "--out", str(out)]
    assert main(argv) == 0
    table = pd.read_parquet(out)
    assert list(table.columns) == ["person", "date", "kind", "channel"] and len(table) > 0
    assert main(argv) == 2 and "exists; labsim does not overwrite a file" in capsys.readouterr().err
    assert main([*argv, "--force"]) == 0
    assert main(["log", "synth", "digital_arti", "--out", str(tmp_path / "lab.txt")]) == 2
    assert main(["log", "synth", "digital_arti", "--years", "30", "--out", str(tmp_path / "l.csv")]) == 2
    assert "at most 25" in capsys.readouterr().err and not (tmp_path / "l.csv").exists()


def test_the_contributor_rule_comes_from_the_scenario_asked(tmp_path, log):
    lab = tmp_path / "lab.toml"
    lab.write_text('extends = "carrefour_numerique"\nname = "loose"\ncontributor_visits = 2\n'
                   "contributor_window_days = 400.0\n")
    assert describe(log, tmp_path / "default") == 0 and describe(log, tmp_path / "loose", "--scenario", str(lab)) == 0
    default, loose = (json.loads((tmp_path / x / "log_summary.json").read_text()) for x in ("default", "loose"))
    assert default["rule"]["contributor_visits"] == 9 and loose["rule"] == {
        "contributor_visits": 2, "contributor_window_days": 400.0, "returner_window_days": 90.0}
    first, loose_first = default["years"]["2023"], loose["years"]["2023"]  # (the whole log's few once-visitors hide
    assert first["contributors"] < loose_first["contributors"] <= loose_first["returning_visitors"]  # its returning)


# -- calibrate --from-log: the folder and the cost before the log is read (issue 33) -----------------------------
def test_calibrate_from_log_checks_out_and_cost_before_reading_the_log(tmp_path, log, capsys, monkeypatch):
    from sim.logs import visitlog

    def unread(*args, **kwargs):
        raise AssertionError("the log was read before the folder and the cost were checked")

    monkeypatch.setattr(visitlog, "read_log", unread)
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "notes.txt").write_text("mine")
    base = ["calibrate", "carrefour_numerique", "--from-log", str(log), "--person-col", "badge", "--date-col", "day",
            "--free", "discovery_rate=0.002:0.01", "--quiet"]
    assert main([*base, "--out", str(theirs)]) == 2 and "holds files labsim did not write" in capsys.readouterr().err
    assert main([*base, "--out", str(tmp_path / "new"), "--budget", "10000", "--reps", "1000"]) == 2
    assert "error:" in capsys.readouterr().err and not (tmp_path / "new").exists()
    assert main([*base, "--method", "abc", "--population", "10000", "--generations", "50",
                 "--out", str(tmp_path / "abc")]) == 2
    assert "error:" in capsys.readouterr().err and not (tmp_path / "abc").exists()
    assert main(["calibrate", "carrefour_numerique", "--from-log", str(tmp_path / "none.csv"), "--free",
                 "discovery_rate=0.002:0.01", "--out", str(tmp_path / "x")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_describe_names_no_raw_value_on_stderr(tmp_path, capsys):
    log = tmp_path / "swapped.csv"
    log.write_text("person,date\n2024-01-02,secret-person@example.org\n")
    assert main(["log", "describe", str(log), "--out", str(tmp_path / "d")]) == 2
    err = capsys.readouterr().err
    assert "line 2, column 'date'" in err and "secret" not in err and len(err.strip().splitlines()) == 1
