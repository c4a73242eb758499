"""Lab states (issue 20): a mature lab saved once and forked for every policy; the files are data and checked."""

import json
import sys
import zipfile

import numpy as np
import pytest

from sim.batch.warmup import warm_up
from sim.cli import main
from sim.config.scenario import load_scenario
from sim.errors import LabsimError
from sim.metrics import summary
from sim.model.model import LabModel
from sim.model.state import LabStates
from sim.run import measured_series, run, simulate

SMALL = {"warmup_years": 0.5, "host_footfall_per_day": 1500.0, "initial_dormant": 1500, "initial_contributors": 30}


@pytest.fixture(scope="module")
def small_open():
    return load_scenario("carrefour_numerique").with_settings(**SMALL)


@pytest.fixture(scope="module")
def saved(tmp_path_factory, small_open):
    """Three mature small open labs, saved once for the module."""
    out = tmp_path_factory.mktemp("states") / "open"
    warm_up(small_open, 3, out, root_seed=4, workers=1)
    return out


@pytest.mark.parametrize("preset", ["carrefour_numerique", "digital_arti"])
def test_a_saved_lab_run_on_gives_the_same_outputs_as_the_run_that_never_stopped(tmp_path, preset):
    scenario = load_scenario(preset).with_settings(warmup_years=0.5)
    out = tmp_path / "states"
    warm_up(scenario, 1, out, root_seed=9, workers=1)
    state = LabStates(out).state(0)
    straight = simulate(scenario, state.seed, 0.5)  # the same seed, never stopped
    forked = simulate(scenario, state.seed, 0.5, state)
    a, b = summary(straight), summary(forked)
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    assert measured_series(straight).to_csv() == measured_series(forked).to_csv()
    assert list(straight.network.graph().edges(data=True)) == list(forked.network.graph().edges(data=True))


def test_policies_from_now_on_share_the_history_up_to_the_fork(saved, small_open):
    states = LabStates(saved)
    state = states.state(1)
    base = LabModel(small_open, rng=state.seed, state=state)
    fewer = LabModel(small_open.with_settings(mediators=4), rng=state.seed, state=state)
    for model in (base, fewer):  # both start from the same lab: same people, same ties, same clock
        assert model.time == small_open.settings.warmup_years * 365
        assert model.people.n == state.arrays["people/column.role"].size
    assert len(base.staff) == 10 and len(fewer.staff) == 4  # the policy applies from the fork on
    assert fewer.people.active[base.staff.ids[4:]].sum() == 0  # the staff let go stop working
    base.run_years(0.3)
    fewer.run_years(0.3)
    assert summary(base, network=False)["visits"] != summary(fewer, network=False)["visits"]


def test_the_state_files_are_data_not_code(saved):
    folder = saved / "rep-0000"
    with zipfile.ZipFile(folder / "state.npz") as npz:
        for name in npz.namelist():
            assert name.endswith(".npy")
    with np.load(folder / "state.npz", allow_pickle=False) as arrays:  # refuses any pickled object
        assert all(arrays[key].dtype != object for key in arrays.files)
    json.loads((folder / "state.json").read_text())
    manifest = json.loads((saved / "manifest.json").read_text())
    assert manifest["kind"] == "labsim lab states" and len(manifest["seeds"]) == 3
    assert set(manifest["files"]) == {f"rep-{i:04d}/{n}" for i in range(3) for n in ("state.npz", "state.json")}


def test_start_defining_keys_are_refused_by_name(saved, small_open):
    state = LabStates(saved).state(0)
    with pytest.raises(LabsimError) as info:
        LabModel(small_open.with_settings(initial_contributors=99), rng=state.seed, state=state)
    assert "key 'initial_contributors': defines how the lab started" in str(info.value)
    with pytest.raises(LabsimError, match="warmup_years"):
        LabStates(saved).check_scenario(small_open.with_settings(warmup_years=2.0).settings, "policy.toml")


@pytest.mark.parametrize("damage", ["truncate", "flip", "delete"])
def test_a_damaged_state_is_refused_by_its_checksum(tmp_path, saved, damage):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(saved, copy)
    target = copy / "rep-0002" / "state.npz"
    data = target.read_bytes()
    if damage == "truncate":
        target.write_bytes(data[: len(data) // 2])
    elif damage == "flip":
        target.write_bytes(data[:100] + bytes([data[100] ^ 0xFF]) + data[101:])
    else:
        target.unlink()
    states = LabStates(copy)
    states.state(0)  # the others are fine
    with pytest.raises(LabsimError) as info:
        states.state(2)
    assert str(copy / "rep-0002" / "state.npz") in str(info.value)
    assert ("checksum" in str(info.value)) or ("missing" in str(info.value))


def test_states_of_another_version_or_a_changed_manifest_are_refused(tmp_path, saved):
    import shutil

    for change, expected in (({"labsim_version": "0.0.1"}, "warm up again"),
                             ({"settings_hash": "0" * 16}, "settings_hash"),
                             ({"format": 99}, "format 99")):
        copy = tmp_path / f"c{len(list(tmp_path.iterdir()))}"
        shutil.copytree(saved, copy)
        manifest = json.loads((copy / "manifest.json").read_text())
        (copy / "manifest.json").write_text(json.dumps(manifest | change))
        with pytest.raises(LabsimError, match=expected):
            LabStates(copy)
    with pytest.raises(LabsimError, match="not a folder of lab states"):
        LabStates(tmp_path / "nowhere")


def _base_and_policy(tmp_path, policy: str) -> tuple:
    """The small open lab as a file, and a policy file (its name and keys) extending it."""
    base = tmp_path / "base.toml"
    base.write_text('extends = "carrefour_numerique"\nname = "base"\n' +
                    "".join(f"{k} = {v!r}\n" for k, v in SMALL.items()))
    path = tmp_path / "policy.toml"
    path.write_text(f'extends = "{base}"\n{policy}')
    return base, path


def test_warmup_command_and_compare_from_states(tmp_path, capsys):
    base, policy = _base_and_policy(tmp_path, 'name = "cut"\nmediators = 5\nprice_per_visit = 4.0\n')
    states = tmp_path / "states"
    assert main(["warmup", str(base), "--seeds", "2", "--out", str(states), "--workers", "1", "--quiet"]) == 0
    assert "2 mature labs of base" in capsys.readouterr().out
    saved = {p.relative_to(states): p.read_bytes() for p in states.rglob("*") if p.is_file()}
    assert main(["warmup", str(base), "--seeds", "2", "--out", str(states), "--quiet"]) == 0  # the same again
    again = {p.relative_to(states): p.read_bytes() for p in states.rglob("*") if p.is_file()}
    assert again.keys() == saved.keys() and all(again[k] == saved[k] for k in saved if k.suffix == ".npz")
    capsys.readouterr()
    assert main(["warmup", str(base), "--seeds", "3", "--out", str(states), "--quiet"]) == 2  # another: --force
    err = capsys.readouterr().err
    assert "asked otherwise" in err and "add --force" in err
    out = tmp_path / "cmp"
    assert main(["compare", str(base), str(policy), "--from", str(states), "--reps", "2", "--years", "0.2",
                 "--out", str(out), "--quiet", "--workers", "1"]) == 0
    meta = json.loads((out / "comparison.json").read_text())
    assert meta["from"]["scenario"] == "base" and "from year" in meta["question"]
    assert main(["report", str(out)]) == 0  # the report says which question it answered, headline and method
    page = (out / "report.html").read_text()
    assert "Headline (policy applied from year" in page and "forked from the same saved lab" in page
    assert "From when:</b> from year" in page  # the first screen says the policy starts in a mature lab
    assert main(["compare", str(base), str(policy), "--from", str(states), "--reps", "3", "--out",
                 str(tmp_path / "c3"), "--quiet"]) == 2  # more replications than saved labs
    assert "holds 2 saved labs" in capsys.readouterr().err
    bad = tmp_path / "bad.toml"
    bad.write_text(f'extends = "{base}"\nname = "bad"\ninitial_dormant = 10\n')
    assert main(["compare", str(base), str(bad), "--from", str(states), "--reps", "2", "--out",
                 str(tmp_path / "c4"), "--quiet"]) == 2
    assert "initial_dormant" in capsys.readouterr().err
    for command in ("report", "summarize"):  # states are not results: one line that says what they are for
        before = sorted(p.name for p in states.iterdir())
        assert main([command, str(states)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "saved lab states" in err and "--from" in err, err
        assert sorted(p.name for p in states.iterdir()) == before


def test_compare_fork_warms_up_once_and_reuses(tmp_path, capsys):
    base, policy = _base_and_policy(tmp_path, 'name = "more_workshops"\nworkshops_per_year = 80.0\n')
    out = tmp_path / "cmp"
    args = ["compare", str(base), str(policy), "--fork", "--reps", "2", "--years", "0.2", "--out", str(out),
            "--quiet", "--workers", "1"]
    assert main(args) == 0
    assert "warming base up once per replication" in capsys.readouterr().err
    assert len(LabStates(out / "states")) == 2
    assert main([*args, "--force"]) == 0
    assert "already in" in capsys.readouterr().err  # the labs are reused, not warmed up again


# kill -9 at moments told by what compare --fork has written: its folder made (the first write), its warm-up begun
# (states/ made, still empty), its labs saved, the first runs of its batch on disk
FORK_MOMENTS = {"folder": lambda out: out.exists(), "warm-up": lambda out: (out / "states").exists(),
                "warmed": lambda out: (out / "states" / "manifest.json").exists(),
                "first-runs": lambda out: any(out.glob("batch/runs/part-*.parquet"))}


@pytest.fixture(scope="module")
def fork_compare(tmp_path_factory):
    """compare --fork on a small lab, never interrupted: its command (without --out) and its folder."""
    d = tmp_path_factory.mktemp("fork")
    base, policy = _base_and_policy(d, 'name = "more_workshops"\nworkshops_per_year = 80.0\n')
    args = ["compare", str(base), str(policy), "--fork", "--reps", "2", "--years", "0.2", "--quiet", "--workers", "2"]
    assert main([*args, "--out", str(d / "whole")]) == 0
    return d, args


@pytest.mark.parametrize("moment", list(FORK_MOMENTS))
def test_compare_fork_killed_at_any_moment_resumes_with_the_same_command(fork_compare, moment, processes):
    """Between the kill and the resume nothing a user would not do: the same command again gives the table of
    a comparison never interrupted."""
    d, args = fork_compare
    out = d / f"killed-{moment}"
    cmd = [sys.executable, "-m", "sim", *args, "--out", str(out)]
    assert processes.kill_when(cmd, lambda: FORK_MOMENTS[moment](out)).returncode == -9
    resumed = processes.run(cmd, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert (out / "comparison.csv").read_bytes() == (d / "whole" / "comparison.csv").read_bytes()


def test_run_from_a_saved_lab_uses_its_seed(saved, small_open):
    state = LabStates(saved).state(2)
    a = run(small_open, seed=12345, years=0.2, state=state, people=False)
    b = run(small_open, seed=state.seed, years=0.2, people=False)  # the same seed, warmed up again
    assert a.seed == state.seed and a.summary["visits"] == b.summary["visits"]


def _files(tmp_path, saved) -> dict:
    base = tmp_path / "base.toml"
    base.write_text('extends = "carrefour_numerique"\nname = "base"\n' +
                    "".join(f"{k} = {v!r}\n" for k, v in SMALL.items()))
    return {"base": base, "states": saved}


def test_an_experiment_forks_its_design_points_from_saved_labs(tmp_path, saved):
    import pandas as pd

    f = _files(tmp_path, saved)
    exp = tmp_path / "exp.toml"
    exp.write_text(f'scenarios = ["{f["base"]}"]\nreplications = 2\nyears = 0.2\nfrom = "{saved}"\n'
                   "[grid]\nmediators = [5, 10]\n")
    out = tmp_path / "batch"
    assert main(["batch", str(exp), "--out", str(out), "--quiet", "--workers", "1"]) == 0
    runs = pd.read_parquet(out / "runs.parquet")
    assert (runs["status"] == "ok").all() and sorted(set(runs["seed"])) == sorted(LabStates(saved).seeds[:2])
    bad = tmp_path / "bad.toml"
    bad.write_text(f'scenarios = ["{f["base"]}"]\nreplications = 2\nfrom = "{saved}"\n[grid]\ninitial_partners = [1, 2]\n')
    assert main(["batch", str(bad), "--out", str(tmp_path / "b2"), "--quiet"]) == 2
    assert not (tmp_path / "b2").exists()


def test_sensitivity_optimize_and_calibrate_take_saved_labs(tmp_path, saved, capsys):
    f = _files(tmp_path, saved)
    sens = tmp_path / "sens.toml"
    sens.write_text(f'scenarios = ["{f["base"]}"]\nreplications = 1\nyears = 0.2\n'
                    '[sensitivity]\nn = 2\noutputs = ["visitors"]\n'
                    "bounds = { mediators = [4, 10], open_documentation = [0.2, 1.0] }\n")
    assert main(["sensitivity", str(sens), "--from", str(saved), "--out", str(tmp_path / "s"), "--quiet",
                 "--workers", "1"]) == 0
    search = tmp_path / "search.toml"
    search.write_text(f'replications = 1\nyears = 0.2\nfrom = "{saved}"\n[search]\nbudget = 4\npopulation = 2\n'
                      'knobs = { mediators = [4, 10] }\nobjectives = { contributors = "max", mediators = "min" }\n'
                      "presets = false\n")
    assert main(["optimize", str(f["base"]), "--search", str(search), "--out", str(tmp_path / "o"), "--quiet",
                 "--workers", "1"]) == 0
    assert main(["calibrate", str(f["base"]), "--target", "visitors=500", "--param", "discovery_rate=0.0005:0.002",
                 "--from", str(saved), "--method", "abc", "--years", "0.1", "--population", "10", "--generations",
                 "1", "--budget", "10", "--out", str(tmp_path / "a"), "--quiet", "--workers", "1"]) == 0
    assert main(["calibrate", str(f["base"]), "--target", "visitors=500", "--param", "initial_dormant=100:200",
                 "--from", str(saved), "--reps", "2", "--out", str(tmp_path / "c"), "--quiet"]) == 2
    assert "initial_dormant" in capsys.readouterr().err
