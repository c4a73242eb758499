"""Sensitivity ranks what matters; calibration's plumbing and answers to bad input (its recovery test: tests/statistical)."""

import pandas as pd
import pytest

from sim.analysis.calibrate import build_spec, calibrate, misfits
from sim.analysis.sensitivity import load_spec, run_sensitivity
from sim.cli import main
from sim.config.scenario import load_scenario

# a young, small open lab: no warm-up and no initial population keep these plumbing tests quick
SMALL = ('extends = "carrefour_numerique"\nname = "tiny_open"\nhost_footfall_per_day = 1000.0\nwarmup_years = 0.0\n'
         "initial_contributors = 0\ninitial_partners = 0\ninitial_dormant = 0\ninitial_former_regulars = 0\n"
         "initial_awareness = 0.0\nevent_reach = 20.0\ndoc_reach_per_year = 200.0\n")


@pytest.fixture
def tiny(tmp_path):
    path = tmp_path / "tiny_open.toml"
    path.write_text(SMALL)
    return path


def _spec(tmp_path, bounds, n=4, reps=2, outputs='["visitors", "contributors"]'):
    f = tmp_path / "sens.toml"
    f.write_text(f'scenarios = ["tiny_open.toml"]\nreplications = {reps}\nroot_seed = 3\nyears = 0.5\n'
                 f"[sensitivity]\nn = {n}\noutputs = {outputs}\nbounds = {{ {bounds} }}\n")
    return load_spec(f)


def test_morris_ranks_a_parameter_with_no_effect_last(tmp_path, tiny):
    # blog_rejection_discouragement only matters for a blog, and the open lab has none: its mu* must be 0 and rank last
    # (mediators barely matter in this tiny young lab: two can attend to its few visitors; the footfall does)
    spec = _spec(tmp_path, "discovery_rate = [0.0005, 0.003], open_documentation = [0.0, 1.0], "
                 "blog_rejection_discouragement = [0.0, 1.0]")
    indices, noise = run_sensitivity(spec, "morris", tmp_path / "out", workers=2, quiet=True)
    for output in ("visitors", "contributors"):
        sub = indices[indices["output"] == output].set_index("parameter")
        assert sub.loc["blog_rejection_discouragement", "mu_star"] == pytest.approx(0.0, abs=1e-9)
        assert sub["rank"].idxmax() == "blog_rejection_discouragement"
    assert sub.loc["discovery_rate", "mu_star"] > 0
    assert set(noise.columns) >= {"output", "noise_share"} and (noise["noise_share"] >= 0).all()
    assert (tmp_path / "out" / "sensitivity.csv").exists()


def test_sobol_gives_first_and_total_order_indices(tmp_path, tiny):
    spec = _spec(tmp_path, "discovery_rate = [0.0005, 0.003], blog_rejection_discouragement = [0.0, 1.0]", n=4, reps=1,
                 outputs='["contributors"]')
    indices, _ = run_sensitivity(spec, "sobol", tmp_path / "sob", workers=2, quiet=True)
    sub = indices.set_index("parameter")
    assert {"S1", "S1_conf", "ST", "ST_conf"} <= set(indices.columns)
    assert sub.loc["blog_rejection_discouragement", "ST"] == pytest.approx(0.0, abs=1e-9)
    assert sub.loc["discovery_rate", "ST"] > 0.1
    _, noise = _, pd.read_csv(tmp_path / "sob" / "noise.csv")
    assert {"converged", "recommended_n", "ci_ratio", "out_of_range"} <= set(noise.columns)


def test_convergence_warns_when_the_design_is_too_small():
    from sim.analysis.sensitivity import convergence, warnings_of

    # the README's old Sobol example: ST up to 1.31, S1 down to -0.37, CIs wider than the estimates, noise 110%
    indices = pd.DataFrame([
        {"output": "visitors", "parameter": "a", "S1": -0.37, "S1_conf": 0.2, "ST": 1.31, "ST_conf": 0.25},
        {"output": "visitors", "parameter": "b", "S1": 0.2, "S1_conf": 0.5, "ST": 0.4, "ST_conf": 0.6},
        {"output": "partners", "parameter": "a", "S1": 0.7, "S1_conf": 0.05, "ST": 0.75, "ST_conf": 0.06},
        {"output": "partners", "parameter": "b", "S1": 0.2, "S1_conf": 0.04, "ST": 0.25, "ST_conf": 0.05},
    ])
    noise = pd.DataFrame([{"output": "visitors", "noise_share": 1.107}, {"output": "partners", "noise_share": 0.05}])
    conv = convergence(indices, noise, "sobol", n=8, replications=3).set_index("output")
    assert not conv.loc["visitors", "converged"] and conv.loc["visitors", "out_of_range"] == 2
    n = conv.loc["visitors", "recommended_n"]
    assert n > 8 and n & (n - 1) == 0  # a larger power of two
    assert conv.loc["visitors", "recommended_replications"] > 3
    assert conv.loc["partners", "converged"]
    warned = warnings_of(noise.merge(conv.reset_index(), on="output"), "sobol")
    assert len(warned) == 1 and warned[0].startswith("visitors: the design is too small")


def test_sensitivity_command_writes_table_and_plot(tmp_path, tiny, capsys):
    f = tmp_path / "s.toml"
    f.write_text('scenarios = ["tiny_open.toml"]\nreplications = 1\nyears = 0.25\n[sensitivity]\nn = 2\n'
                 'outputs = ["visitors"]\nbounds = { mediators = [2, 10], open_documentation = [0.0, 1.0] }\n')
    assert main(["sensitivity", str(f), "--method", "morris", "--out", str(tmp_path / "o"), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "mu_star" in out and "noise" in out
    assert (tmp_path / "o" / "sensitivity.png").stat().st_size > 5000


def test_sensitivity_bad_input(tmp_path, tiny, capsys):
    f = tmp_path / "bad.toml"
    f.write_text('scenarios = ["tiny_open.toml"]\n[sensitivity]\noutputs = ["visitorz"]\n'
                 "bounds = { mediatorz = [2, 10], open_documentation = [1.0, 0.0] }\n")
    assert main(["sensitivity", str(f), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3
    assert any("did you mean 'visitors'" in e for e in err) and any("did you mean 'mediators'" in e for e in err)
    assert any("open_documentation" in e and "low < high" in e for e in err)


def test_unreachable_target_says_which_and_how_far(tiny):
    spec = build_spec(str(tiny), ["visitors=100000"], ["discovery_rate=0.002:0.004"], None, reps=2, budget=10,
                      root_seed=1)
    fitted, table = calibrate(spec, workers=1)
    messages = misfits(spec, fitted, table)
    assert len(messages) == 1
    assert "visitors=100000 not reproduced" in messages[0] and "upper bound" in messages[0]
    assert not table["reproduced"].any() and table["far"].all()


def test_calibrate_command_writes_a_scenario_that_runs(tmp_path, tiny, capsys):
    out = tmp_path / "cal"
    code = main(["calibrate", str(tiny), "--target", "visitors=1500", "--param", "discovery_rate=0.002:0.01",
                 "--out", str(out), "--reps", "2", "--budget", "6", "--workers", "2"])
    assert code == 0
    assert set(pd.read_csv(out / "fit.csv").columns) >= {"target", "value", "simulated_mean", "ci_low", "ci_high"}
    fitted = load_scenario(out / "calibrated.toml")
    assert fitted.name == "tiny_open_calibrated" and fitted.settings.host_footfall_per_day == 1000.0
    assert main(["run", str(out / "calibrated.toml"), "--years", "0.1", "--out", str(tmp_path / "r"),
                 "--no-figures"]) == 0


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--target", "visitorz=10", "--param", "discovery_rate=0.001:0.01"], "did you mean 'visitors'"),
        (["--target", "visitors=10", "--param", "discovery_rat=0.001:0.01"], "did you mean 'discovery_rate'"),
        (["--target", "visitors=10", "--param", "discovery_rate=0.01:0.001"], "empty or inverted"),
        (["--target", "visitors=", "--param", "discovery_rate=0.001:0.01"], "no number"),
        (["--target", "visitors=10"], "no parameter"),
    ],
)
def test_calibrate_bad_input(tmp_path, tiny, capsys, argv, expected):
    assert main(["calibrate", str(tiny), *argv, "--out", str(tmp_path / "c")]) == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err
    assert not (tmp_path / "c").exists()
