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
