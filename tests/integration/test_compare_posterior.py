"""compare --posterior (issue 31 item 8): policies over a calibration's posterior draws x seeds, with probabilities.

The calibration folder is written by hand in the format `labsim calibrate --method abc` writes (labsim.json of
kind abc, posterior.csv, intervals.csv): the loader reads that format, not how it was made.
"""

import contextlib
import io
import math

import pandas as pd
import pytest

from sim.analysis.posterior import effects, headline, paired, verdict
from sim.cli import main
from sim.io import marker_bytes

TINY = ('extends = "carrefour_numerique"\nname = "tiny_open"\nhost_footfall_per_day = 300.0\nwarmup_years = 0.0\n'
        "initial_contributors = 0\ninitial_partners = 0\ninitial_dormant = 0\ninitial_former_regulars = 0\n"
        "initial_awareness = 0.0\nevent_reach = 10.0\ndoc_reach_per_year = 50.0\n")
POSTERIOR = ("discovery_rate,return_base_visitor,weight,distance,sim_visitors\n"
             "0.004,0.10,0.2,1.5,150\n0.006,0.15,0.5,0.8,160\n0.008,0.20,0.3,1.1,171\n")
INTERVALS = ("setting,prior_low,prior_high,median,q05,q95,width_share,pinned,sd_ratio,informed\n"
             "discovery_rate,0.002,0.012,0.006,0.004,0.008,0.4,True,0.4,True\n"
             "return_base_visitor,0.02,0.3,0.15,0.1,0.2,0.36,True,0.4,True\n")


def calibration(folder, kind="abc", posterior=POSTERIOR):
    """A calibration folder as labsim calibrate --method abc writes one (the files compare --posterior reads)."""
    folder.mkdir(parents=True)
    (folder / "labsim.json").write_bytes(marker_bytes(kind, {"method": "abc"}, "labsim calibrate ..."))
    (folder / "posterior.csv").write_text(posterior)
    (folder / "intervals.csv").write_text(INTERVALS)
    (folder / "scenario.toml").write_text(TINY)
    return folder


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """The status quo, a policy that changes nothing, a policy with a large effect, and a calibration of them."""
    d = tmp_path_factory.mktemp("posterior")
    (d / "tiny.toml").write_text(TINY)
    (d / "same.toml").write_text('extends = "tiny.toml"\nname = "same"\n')
    (d / "fee.toml").write_text('extends = "tiny.toml"\nname = "fee_20"\nprice_per_visit = 20.0\n')
    calibration(d / "cal")
    return d


@pytest.fixture(scope="module")
def compared(lab):
    out = lab / "cmp"
    argv = ["compare", str(lab / "tiny.toml"), str(lab / "same.toml"), str(lab / "fee.toml"), "--posterior",
            str(lab / "cal"), "--draws", "2", "--reps", "2", "--years", "0.1", "--focus",
            "visitors,returning_visitors,contributors", "--quiet", "--workers", "1", "--out", str(out)]
    said = io.StringIO()
    with contextlib.redirect_stdout(said):
        assert main(argv) == 0
    return out, argv, said.getvalue()


def test_a_policy_that_changes_nothing_is_undecided_and_a_large_one_near_certain(compared, capsys):
    out, _, _ = compared
    table = pd.read_csv(out / "posterior_effects.csv")
    assert list(dict.fromkeys(table["metric"])) == ["visitors", "returning_visitors", "contributors"]  # --focus
    assert (table["pairs"] == 4).all()  # 2 draws x 2 seeds, paired
    same = table[table["scenario"] == "same"]
    assert (same["verdict"] == "undecided").all() and (same["p_higher"] == 0.5).all()
    fee = table[table["scenario"] == "fee_20"].set_index("metric")
    assert fee.loc["visitors", "p_better"] == 0 and fee.loc["visitors", "verdict"] == "loss"
    assert fee.loc["visitors", "effect_high"] < 0 and fee.loc["visitors", "relative_median"] < -0.2
    said = headline(table)
    assert said[0].startswith("same: visitors +0.0% [+0.0% to +0.0%], undecided (probability of a gain 0.50)")
    assert said[1].startswith("fee_20: visitors -") and "probability of a loss 1.00" in said[1]


def test_posterior_comparison_is_the_same_whatever_the_workers(compared, lab):
    out, argv, _ = compared
    again = lab / "cmp2"
    assert main([*argv[:-4], "--workers", "2", "--out", str(again)]) == 0
    for name in ("posterior_effects.csv", "comparison.csv"):
        assert (out / name).read_bytes() == (again / name).read_bytes(), name


def test_posterior_draws_are_paired_and_each_has_its_own_seeds(compared):
    from sim.batch.store import Store

    out, _, _ = compared
    runs = Store(out / "batch").runs()
    by = runs.set_index(["scenario", "point", "replication"])["seed"]
    first, fee = by["tiny_open"], by["fee_20"]
    assert list(first.to_numpy()) == list(fee.to_numpy())  # draw i, seed j: the same seed under every scenario
    assert len(set(first.to_numpy())) == 4  # every draw has seeds of its own
    assert set(runs["discovery_rate"]) <= {0.004, 0.006, 0.008}


def test_report_leads_with_the_posterior_answer(compared):
    out, _, _ = compared
    assert main(["report", str(out)]) == 0
    text = (out / "report.html").read_text()
    sure, head = text.index("How sure: over the calibration"), text.index("id='headline'")
    assert sure < head and "probability of a loss 1.00" in text[sure:head] and "undecided" in text[sure:head]
    assert "2 posterior draws x 2 seeds" in text


def test_the_terminal_says_the_headline_and_the_threshold(compared):
    said = compared[2]
    assert said.startswith("Over 2 posterior draws of ") and "fee_20: visitors -" in said
    assert "undecided between 0.2 and 0.8" in said


@pytest.mark.parametrize(("case", "message"), [
    ("point", "a point calibration"),
    ("foreign", "files labsim did not write"),
    ("value", "discovery_rate: got 7.5; allowed: a number in [0, 1]"),
    ("column", "no column 'return_base_visitor'"),
    ("weights", "every weight is 0"),
    ("policy", "disc sets discovery_rate"),
    ("set", "--set return_base_visitor"),
    ("draws", "--draws: only with --posterior"),
    ("fork", "--posterior and --fork"),
])
def test_a_bad_posterior_is_one_line_exit_2_before_any_run(lab, tmp_path, capsys, case, message):
    cal = tmp_path / "cal"
    if case == "point":
        calibration(cal, kind="calibration")
    elif case == "foreign":
        cal.mkdir()
        (cal / "posterior.csv").write_text(POSTERIOR)
        (cal / "notes.txt").write_text("mine\n")
    elif case == "value":
        calibration(cal, posterior=POSTERIOR.replace("0.004,", "7.5,"))
    elif case == "column":
        calibration(cal, posterior=POSTERIOR.replace("return_base_visitor", "return_base"))
    elif case == "weights":
        calibration(cal, posterior=POSTERIOR.replace(",0.2,1.5", ",0,1.5").replace(",0.5,0.8", ",0,0.8")
                    .replace(",0.3,1.1", ",0,1.1"))
    else:
        cal = lab / "cal"
    (tmp_path / "disc.toml").write_text(f'extends = "{lab / "tiny.toml"}"\nname = "disc"\ndiscovery_rate = 0.01\n')
    policy = str(tmp_path / "disc.toml") if case == "policy" else str(lab / "fee.toml")
    extra = {"set": ["--set", "return_base_visitor=0.2"], "fork": ["--fork"]}.get(case, [])
    posterior = [] if case == "draws" else ["--posterior", str(cal)]
    argv = ["compare", str(lab / "tiny.toml"), policy, *posterior, *extra, "--draws", "2", "--reps", "2",
            "--out", str(tmp_path / "out")]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and message in err[0], err
    assert not (tmp_path / "out").exists()


def test_effects_count_ties_half_and_say_undecided_inside_the_threshold():
    assert verdict(0.5, "higher") == "undecided" and verdict(0.8, "higher") == "undecided"
    assert verdict(0.81, "higher") == "gain" and verdict(0.81, "lower") == "loss"
    assert verdict(0.1, None) == "lower" and verdict(0.95, None) == "higher"
    rows = []
    for point, scenario in ((0, "a"), (1, "a"), (2, "b"), (3, "b")):
        for rep in range(2):
            value = 10.0 + point % 2 + rep + (scenario == "b") * (rep - 0.5) * 2  # b: -1 then +1 against a
            rows.append({"scenario": scenario, "point": point, "replication": rep, "status": "ok", "visitors": value,
                         "costs": 5.0})
    runs = paired(pd.DataFrame(rows), draws=2, seeds=2)
    assert sorted(runs["replication"]) == [0, 0, 1, 1, 2, 2, 3, 3]
    table = effects(runs, ["a", "b"], ["visitors", "costs"]).set_index("metric")
    assert table.loc["visitors", "pairs"] == 4 and table.loc["visitors", "p_higher"] == 0.5
    assert table.loc["costs", "p_better"] == 0.5 and table.loc["costs", "verdict"] == "undecided"
    assert math.isclose(table.loc["visitors", "effect_mean"], 0.0)
