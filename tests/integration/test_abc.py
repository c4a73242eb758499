"""calibrate --method abc: ABC-SMC recovers known settings of a toy simulator; the command is reproducible."""

import numpy as np
import pandas as pd
import pytest

from sim.analysis import abc
from sim.cli import main
from sim.errors import LabsimError

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
    assert result.generations["epsilon"].iloc[0] == np.inf and np.isfinite(result.generations["epsilon"].iloc[1:]).all()
    assert {"scale_x", "scale_y"} <= set(result.generations.columns)
    assert iv.loc["a", "informed"] and iv.loc["b", "informed"] and not iv.loc["c", "informed"]
    assert abc.uninformed_line(result.intervals) == "the targets do not inform: c (posterior SD " \
        f"{iv.loc['c', 'sd_ratio']:.2f} of the prior's)"
    corr = result.correlation.set_index("setting")
    assert list(corr.columns) == ["a", "b", "c"] and corr.loc["a", "a"] == pytest.approx(1.0)
    again = abc.abc_smc(toy, PRIORS, observed, population=200, generations=6, seed=7)
    pd.testing.assert_frame_equal(result.posterior, again.posterior)


def noisy(settings: list[dict], seeds: list[int]) -> list[dict]:
    """The toy with a third outcome that is pure noise (as visits_max: one person's count, ±40% a seed)."""
    outs = toy(settings, seeds)
    for out, seed in zip(outs, seeds, strict=True):
        out["m"] = 100 + np.random.default_rng(np.random.SeedSequence([seed, 1])).normal(0, 40)
    return outs


def test_a_noisy_target_does_not_drown_the_informative_ones():
    # issue 31: with relative errors, a noisy target (visits_max) outweighed a precise one (visitors); in units of
    # each target's run-to-run spread it weighs what one year tells (relative errors gave widths 0.20 and 0.31 here)
    observed = noisy([TRUTH | {"c": 0.5}], [12345])[0]
    result = abc.abc_smc(noisy, PRIORS, observed, population=200, generations=6, seed=7)
    iv = result.intervals.set_index("setting")
    for name, value in TRUTH.items():
        assert iv.loc[name, "q05"] <= value <= iv.loc[name, "q95"], iv
        assert iv.loc[name, "width_share"] < 0.18, iv
    assert result.scales["m"] > 10 * result.scales["x"]  # the noise's spread, not the settings' effect


def test_a_target_no_simulation_measures_is_dropped_with_a_note_and_none_is_refused():
    def partly(settings, seeds):  # z is None in every run (a cohort a one-year run cannot hold): once a TypeError
        return [o | {"z": None} for o in toy(settings, seeds)]

    observed = toy([TRUTH | {"c": 0.5}], [12345])[0] | {"z": 0.3}
    result = abc.abc_smc(partly, PRIORS, observed, population=20, generations=2, seed=7)
    assert "z" not in result.targets and "sim_z" not in result.posterior
    assert result.notes == ["dropped z: no simulation could measure it (the simulated horizon holds no such cohort "
                            "or value)"]
    with pytest.raises(LabsimError, match="no target can be measured"):
        abc.abc_smc(partly, PRIORS, {"z": 0.3}, population=20, generations=2, seed=7)
    table = abc.predictive(partly, result, seed=1, draws=30)
    assert len(table) == 30 and list(result.verdict["target"]) == ["x", "y"]
    assert result.verdict["reproduced"].all(), result.verdict


def test_verdict_says_how_many_targets_the_model_reproduces():
    from sim.analysis.distance import flags, summary_line, verdict

    draws = pd.DataFrame({"visitors": np.linspace(2700, 3300, 21), "gini_visits": np.linspace(0.4, 0.5, 21)})
    table = verdict({"visitors": 9000.0, "gini_visits": 0.45}, draws, {"visitors": 100.0, "gini_visits": 0.02})
    assert summary_line(table) == ("the model reproduces 1 of 2 targets (inside the simulated 90% band); it cannot "
                                   "reproduce visitors (9,000; simulated 2,730 to 3,270)")
    lines = flags(table, "the log")
    assert lines[0].startswith("far from visitors: the log's 9,000 against 3,000 simulated")
    assert lines[1].startswith("the simulations have 0.33x the log's visitors (3,000 against 9,000)")
    table = verdict({"visitors": 3000.0}, draws, {"visitors": 100.0})
    assert summary_line(table) == "the model reproduces all 1 targets (inside the simulated 90% band)"
    assert flags(table) == []


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
    assert "days: 1 measured year a simulation)" in captured.err
    first = captured.out.splitlines()
    assert first[0].startswith("the model reproduces ") and "it cannot reproduce visitors (200;" in first[0], first
    assert first[1].startswith("warning: far from visitors: the log's 200 against"), first
    assert any(line.startswith("warning: the simulations have ") for line in first[1:4]), first
    page = (out / "abc.html").read_text()
    assert "<h1>labsim calibrate --method abc: the log lab.csv</h1>" in page
    assert page.index("the model reproduces") < page.index("90% credible intervals")  # on the first screen
    verdict = pd.read_csv(out / "verdict.csv").set_index("target")
    assert "visits_max" not in verdict.index and not verdict.loc["visitors", "reproduced"]
    assert (out / "verdict.txt").read_text().splitlines()[0] == first[0]
    assert list(pd.read_csv(out / "correlation.csv")["setting"]) == ["discovery_rate"]
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
                 "--method", "point", "--reps", "2", "--budget", "4", "--workers", "1", "--quiet", "--out", str(out)]) == 0
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


def test_progress_counts_generations_and_simulations():
    """The command's bar shows the share of the generations done (issue 31: not the budget's 20 x P x G)."""
    observed = toy([TRUTH | {"c": 0.5}], [12345])[0]
    told: list[tuple[float, int]] = []
    result = abc.abc_smc(toy, PRIORS, observed, population=20, generations=3, seed=7,
                         progress=lambda share, simulations: told.append((share, simulations)))
    shares, counts = [s for s, _ in told], [n for _, n in told]
    assert shares == sorted(shares) and counts == sorted(counts)  # it only moves forward
    assert shares[0] == 1.0 and shares[-1] == 3.0  # the prior's generation fills at once; the last one ends it
    assert counts[-1] == int(result.generations["simulated"].sum())
