"""calibrate --method abc: ABC-SMC recovers known settings of a toy simulator; the command is reproducible."""

import numpy as np
import pandas as pd
import pytest

from sim.analysis import abc
from sim.cli import main

TRUTH = {"a": 4.0, "b": 2.0}
PRIORS = {"a": (0.0, 10.0), "b": (0.0, 5.0), "c": (0.0, 1.0)}  # c has no effect: the targets must leave it free


def toy(settings: list[dict], seeds: list[int]) -> list[dict]:
    """A cheap stochastic simulator: two outcomes, each driven by one setting, with noise."""
    out = []
    for s, seed in zip(settings, seeds, strict=True):
        rng = np.random.default_rng(np.random.SeedSequence(seed))
        out.append({"x": 10 * s["a"] + rng.normal(0, 2), "y": 20 * s["b"] + rng.normal(0, 2)})
    return out


def test_abc_intervals_contain_the_true_settings():
    observed = toy([TRUTH | {"c": 0.5}], [12345])[0]
    result = abc.abc_smc(toy, PRIORS, observed, population=200, generations=6, seed=7)
    iv = result.intervals.set_index("setting")
    for name, value in TRUTH.items():
        assert iv.loc[name, "q05"] <= value <= iv.loc[name, "q95"], iv
        assert iv.loc[name, "pinned"]
    assert not iv.loc["c", "pinned"]
    assert "pinned down: a" in abc.statement(result) and "left free:   c" in abc.statement(result)
    assert result.posterior["weight"].sum() == pytest.approx(1.0)
    assert result.generations["epsilon"].is_monotonic_decreasing
    again = abc.abc_smc(toy, PRIORS, observed, population=200, generations=6, seed=7)
    pd.testing.assert_frame_equal(result.posterior, again.posterior)


TINY = ('extends = "carrefour_numerique"\nname = "tiny_open"\nhost_footfall_per_day = 300.0\nwarmup_years = 0.0\n'
        "initial_contributors = 0\ninitial_partners = 0\ninitial_dormant = 0\ninitial_former_regulars = 0\n"
        "initial_awareness = 0.0\nevent_reach = 10.0\ndoc_reach_per_year = 50.0\n")


def test_calibrate_abc_end_to_end_is_reproducible(tmp_path, capsys):
    lab = tmp_path / "tiny.toml"
    lab.write_text(TINY)
    argv = ["calibrate", str(lab), "--method", "abc", "--target", "visitors=150", "--param",
            "discovery_rate=0.002:0.02", "--param", "return_base_visitor=0.02:0.3", "--population", "10",
            "--generations", "2", "--years", "0.1", "--seed", "3", "--quiet"]
    assert main([*argv, "--out", str(tmp_path / "one"), "--workers", "1"]) == 0
    assert "pinned down:" in capsys.readouterr().out
    names = {p.name for p in (tmp_path / "one").iterdir()}
    assert {"posterior.csv", "intervals.csv", "generations.csv", "marginals.png", "pairs.png", "abc.html"} <= names
    assert main([*argv, "--out", str(tmp_path / "two"), "--workers", "2"]) == 0  # same seed, more workers: same
    for name in ("posterior.csv", "intervals.csv"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


@pytest.mark.parametrize(("extra", "message"), [
    (["--param", "discovery_ratee=0.002:0.02"], "unknown scenario key"),
    (["--param", "discovery_rate=0.02:0.02"], "empty or inverted bounds"),
    (["--param", "discovery_rate=0.002:0.02", "--target", "visitorz=3"], "did you mean 'visitors'"),
    (["--param", "discovery_rate=0.002:0.02", "--budget", "5"], "at least --population"),
])
def test_abc_bad_input_is_one_line_exit_2_nothing_written(tmp_path, capsys, extra, message):
    argv = ["calibrate", "carrefour_numerique", "--method", "abc", "--target", "visitors=3000", *extra,
            "--out", str(tmp_path / "out")]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0], err
    assert not (tmp_path / "out").exists()


# -- calibrate --from-log: a visit log's outcomes as the targets (issue 22, item 4) -------------------------------
@pytest.fixture(scope="module")
def tiny_log(tmp_path_factory):
    """A tiny open lab's year, synthesised as a visit log, with the scenario file beside it."""
    folder = tmp_path_factory.mktemp("fromlog")
    lab = folder / "tiny.toml"
    lab.write_text(TINY)
    assert main(["log", "synth", str(lab), "--seed", "2", "--years", "1", "--out", str(folder / "lab.csv")]) == 0
    return lab, folder / "lab.csv"


def test_from_log_targets_are_the_logs_published_outcomes_over_its_years(tiny_log, tmp_path):
    from sim.logs.targets import LOG_TARGET_KEYS, from_log, log_years
    from sim.run import run

    lab, log = tiny_log
    found = from_log(log, str(lab))
    truth = run(str(lab), seed=2, years=1, people=False).summary  # the run the log was synthesised from
    assert found.years == 1.0 and 360 <= found.days <= 365  # first to last day with a visit
    assert set(found.targets) <= set(LOG_TARGET_KEYS) and "visits_q90" in found.targets
    for key, value in found.targets.items():
        assert value == pytest.approx(truth[key]), key
    assert any(s.startswith("returner_survival_1y (no one-year cohort") for s in found.left_out), found.left_out
    assert [log_years(d) for d in (10, 365, 547, 731)] == [1.0, 1.0, 1.0, 2.0]


def test_calibrate_from_log_abc_writes_a_calibrated_scenario_that_other_commands_run(tiny_log, tmp_path, capsys):
    lab, log = tiny_log
    out = tmp_path / "cal"
    assert main(["calibrate", str(lab), "--from-log", str(log), "--free", "discovery_rate=0.002:0.02",
                 "--target", "visitors=200", "--method", "abc", "--population", "10", "--generations", "1",
                 "--seed", "3", "--workers", "1", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "days: 1 measured years a simulation)" in captured.err
    assert "visitors=200," in captured.out  # the --target replaced the log's visitors
    assert "visits_q50=" in captured.out
    for name in ("predictive_weekly.png", "predictive_counts.png", "predictive_survival.png"):
        assert (out / name).stat().st_size > 0 and name in (out / "abc.html").read_text()
    assert main(["report", str(out)]) == 2  # not taken for a point fit's folder: its page is abc.html
    assert "its page is" in capsys.readouterr().err
    text = (out / "calibrated.toml").read_text()
    assert "discovery_rate = " in text and "# discovery_rate: " in text
    assert main(["run", str(out / "calibrated.toml"), "--years", "0.1", "--out", str(tmp_path / "run")]) == 0
    assert main(["compare", str(lab), str(out / "calibrated.toml"), "--reps", "2", "--years", "0.1", "--quiet", "--workers", "1",
                 "--out", str(tmp_path / "cmp")]) == 0
    # from-now-on policies on the calibrated lab: warmed up (the tiny lab has no warm-up of its own), then forked
    (tmp_path / "warm.toml").write_text(f'extends = "{out / "calibrated.toml"}"\nname = "warm"\nwarmup_years = 0.1\n')
    (tmp_path / "cut.toml").write_text('extends = "warm.toml"\nname = "cut"\nmediators = 8\n')
    assert main(["warmup", str(tmp_path / "warm.toml"), "--seeds", "2", "--out", str(tmp_path / "states")]) == 0
    assert main(["compare", str(tmp_path / "warm.toml"), str(tmp_path / "cut.toml"), "--from", str(tmp_path / "states"),
                 "--reps", "2", "--years", "0.1", "--quiet", "--workers", "1", "--out", str(tmp_path / "cut")]) == 0


def test_calibrate_from_log_point_method_fits_on_the_logs_targets(tiny_log, tmp_path, capsys):
    lab, log = tiny_log
    out = tmp_path / "point"
    assert main(["calibrate", str(lab), "--from-log", str(log), "--param", "discovery_rate=0.002:0.02",
                 "--reps", "2", "--budget", "4", "--workers", "1", "--quiet", "--out", str(out)]) == 0
    table = pd.read_csv(out / "fit.csv")
    assert {"visitors", "returning_visitors", "gini_visits", "visits_q99"} <= set(table["target"])
    assert main(["run", str(out / "calibrated.toml"), "--years", "0.1", "--out", str(tmp_path / "run")]) == 0


@pytest.mark.parametrize(("name", "content", "message"), [
    ("missing.csv", None, "missing.csv"),
    ("bad.csv", "who,when\na,2020-01-01\n", "person"),
    ("bad.csv", "who,when\na,2020-01-01\n", "when"),  # named columns, but a log of one person: nothing to fit
])
def test_from_log_bad_log_is_one_line_exit_2_nothing_written(tmp_path, capsys, name, content, message):
    if content is not None:
        (tmp_path / name).write_text(content)
    cols = ["--person-col", "who", "--date-col", "when"] if message == "when" else []
    if cols:
        message = "no outcome with 5 people or more"
    argv = ["calibrate", "carrefour_numerique", *cols, "--from-log", str(tmp_path / name), "--free",
            "discovery_rate=0.002:0.02", "--method", "abc", "--population", "10", "--generations", "1",
            "--out", str(tmp_path / "out")]  # a cost within the limits: it is checked before the log is read
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0], err
    assert not (tmp_path / "out").exists()


def test_from_log_with_a_bad_box_says_only_the_box_nothing_written(tiny_log, tmp_path, capsys):
    lab, log = tiny_log
    argv = ["calibrate", str(lab), "--from-log", str(log), "--free", "discovery_rate=0.02:0.002", "--method", "abc",
            "--out", str(tmp_path / "out")]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "inverted bounds" in err[0], err  # the log's targets are said only once all is checked
    assert not (tmp_path / "out").exists()
