"""Regression cases of issue 13: paths, cost, locks, changed files, damaged folders, deep files, signals."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import tomllib
import tracemalloc
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.analysis.calibrate import CalibrationSpec, scenario_file
from sim.batch.experiment import load_experiment
from sim.batch.runner import run_batch
from sim.batch.worker import CRASH_HOOK
from sim.cli import main
from sim.io import slug

ROOT = Path(__file__).resolve().parents[2]
TINY = 'extends = "digital_arti"\nname = "tiny"\n'
LAB = TINY + "warmup_years = 0.0\n"  # the small batch's lab: no warm-up, so that its 4 runs take a second
EXP = 'name = "robust"\nscenarios = ["lab.toml"]\nreplications = 2\nroot_seed = 5\nyears = 0.1\n[grid]\nmediators = [2, 4]\n'


def one_error(capsys, *words) -> str:
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    assert err.startswith("error: ")
    for w in words:
        assert w in err, err
    return err


def tree(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


@pytest.fixture
def no_work(monkeypatch):
    """A refusal comes before the work: building a model or starting a pool fails the test (no clock needed)."""
    import sim.batch.executors
    import sim.batch.runner
    import sim.model.model

    def started(*args, **kwargs):
        raise AssertionError("the work started before the refusal")

    monkeypatch.setattr(sim.model.model.LabModel, "__init__", started)
    for module in (sim.batch.runner, sim.batch.executors):
        monkeypatch.setattr(module, "make_pool", started)


# -- 1. a name is a label, never a path ---------------------------------------------------
@pytest.mark.parametrize("name", ["../../escaped_run", "/tmp/abs_escape", "..", "a/b\\c d"])
def test_a_scenario_name_never_writes_outside_results(tmp_path, monkeypatch, name):
    work = tmp_path / "deep" / "work"
    work.mkdir(parents=True)
    (work / "lab.toml").write_text(TINY.replace('"tiny"', json.dumps(name)))
    monkeypatch.chdir(work)
    assert main(["run", "lab.toml", "--years", "0.02", "--no-figures"]) == 0
    written = tree(tmp_path)
    outside = {p for p in written if not p.startswith("deep/work/results") and p != "deep/work/lab.toml"}
    assert outside <= {"deep", "deep/work"}, outside
    assert (work / "results" / slug(name) / "summary.json").is_file()
    assert not Path("/tmp/abs_escape").exists()


def test_slug():
    assert slug("../../x") == "x" and slug("..") == "scenario" and slug("/etc/passwd") == "etc_passwd"
    assert slug("carrefour_numerique") == "carrefour_numerique" and "/" not in slug("a/" * 100)


def test_extends_is_relative_to_the_naming_file_never_the_cwd(tmp_path, monkeypatch, capsys):
    (tmp_path / "a").mkdir()
    (tmp_path / "cwd").mkdir()
    (tmp_path / "a" / "base.toml").write_text('extends = "digital_arti"\nmediators = 3\n')
    (tmp_path / "cwd" / "base.toml").write_text('extends = "digital_arti"\nmediators = 7\n')
    (tmp_path / "cwd" / "other.toml").write_text('extends = "digital_arti"\n')
    (tmp_path / "a" / "lab.toml").write_text('extends = "base.toml"\n')
    (tmp_path / "a" / "lab2.toml").write_text('extends = "other.toml"\n')
    monkeypatch.chdir(tmp_path / "cwd")
    assert sim.load_scenario(tmp_path / "a" / "lab.toml").settings.mediators == 3
    assert main(["validate", str(tmp_path / "a" / "lab2.toml")]) == 2
    one_error(capsys, "other.toml", "relative to the file")


# -- 2. bounded cost ------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "words"), [
    ("host_footfall_per_day = 1000000.0\ndiscovery_rate = 1.0\n", ["host_footfall_per_day", "discovery_rate",
                                                                    "--allow-large"]),
    ("events_per_year = 365.0\nevent_newcomers = 20000.0\n", ["events_per_year", "event_newcomers"]),
    ('access = "open"\nreturn_base_visitor = 1.0\nreturn_quality_effect = 2.0\nhost_footfall_per_day = 3000.0\n'
     "discovery_rate = 0.05\n", ["return_base_visitor", "allowed"]),  # open: by appointment the slots cap the visits
    ("host_footfall_per_day = 10000000.0\n", ["host_footfall_per_day", "[0, 1e+06]"]),
    ("blog_new_authors_per_year = 1000000.0\n", ["blog_new_authors_per_year"]),
    ("client_pool = 100000\n", ["client_pool"]),
])
def test_absurd_values_are_refused_at_once(tmp_path, capsys, no_work, text, words):
    (tmp_path / "lab.toml").write_text(TINY + text)
    assert main(["run", str(tmp_path / "lab.toml"), "--out", str(tmp_path / "out")]) == 2  # before any model
    one_error(capsys, "lab.toml", *words)
    assert not (tmp_path / "out").exists()


def test_allow_large_raises_the_limit_knowingly(monkeypatch):
    from sim.config import cost
    from sim.errors import LabsimError

    monkeypatch.setitem(cost.LIMITS, "people", 5_000)
    sc = sim.load_scenario("carrefour_numerique")
    with pytest.raises(LabsimError, match=r"about [\d,]+ people over the run; allowed: at most 5,000; --allow-large"):
        cost.check_run(sc, 1.0)
    assert cost.check_run(sc, 1.0, allow_large=True).people > 5_000


@pytest.mark.parametrize(("argv", "flag"), [
    (["compare", "digital_arti", "friche", "--reps", "1000000000"], "--reps"),
    (["map", "--resolution", "100000"], "--resolution"),
    (["map", "--reps", "1000000000"], "--reps"),
    (["check-model", "--seeds", "1000000000"], "--seeds"),
    (["calibrate", "digital_arti", "--target", "visitors=100", "--param", "discovery_rate=0.001:0.01",
      "--budget", "1000000000"], "--budget"),
    (["calibrate", "digital_arti", "--target", "visitors=100", "--param", "discovery_rate=0.001:0.01",
      "--reps", "1000000000"], "--reps"),
    (["run", "digital_arti", "--seed", "9" * 5000], "--seed"),
    (["batch", "x.toml", "--workers", "64000"], "--workers"),
])
def test_absurd_arguments_are_refused(tmp_path, capsys, argv, flag):
    out = tmp_path / "out"
    assert main([*argv, "--out", str(out)]) == 2
    err = one_error(capsys, flag, "allowed")
    assert len(err) < 300, "a long argument is not echoed in full"
    assert not out.exists()


@pytest.mark.parametrize(("grid", "words"), [
    ("mediators = { from = 1, to = 9, steps = 1000000000 }\n", ["steps in [2, 1000]"]),
    ("".join(f"{k} = [{v}]\n" for k, v in [("mediators", "1,2,3,4,5,6,7,8,9,10"),
                                         ("events_per_year", "1.0,2.0,3.0,4.0,5.0,6.0,7.0,8.0,9.0,10.0"),
                                         ("workshops_per_year", "1.0,2.0,3.0,4.0,5.0,6.0,7.0,8.0,9.0,10.0"),
                                         ("price_per_visit", "1.0,2.0,3.0,4.0,5.0,6.0,7.0,8.0,9.0,10.0"),
                                         ("open_documentation", "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1.0"),
                                         ("internal_friction", "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1.0")]),
     ["1,000,000 design points", "at most 100,000"]),
])
def test_huge_grids_are_refused_before_they_are_built(tmp_path, capsys, no_work, grid, words):
    (tmp_path / "exp.toml").write_text('scenarios = ["digital_arti"]\n[grid]\n' + grid)
    argv = ["batch", str(tmp_path / "exp.toml"), "--out", str(tmp_path / "out")]
    assert main(argv) == 2  # once for the imports, whose memory is not the grid's
    capsys.readouterr()
    tracemalloc.start()
    try:
        assert main(argv) == 2
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # memory, not time: the 100,000 points allowed take ~20 MB, a million would take ~200 MB; the refusal ~1 MB
    assert peak < 50e6, f"{peak / 1e6:.0f} MB: the points were built before the refusal"
    one_error(capsys, "exp.toml", *words)
    assert not (tmp_path / "out").exists()


# -- 3. files that cannot be read in bounded time -------------------------------------------
DEEP = ["x = " + "[" * 50_000 + "]" * 50_000 + "\n", ".".join(["a"] * 50_000) + " = 1\n", "x = " + "9" * 5000 + "\n",
        "x = 99999999999999999999\n"]


@pytest.mark.parametrize("text", DEEP, ids=["arrays", "dotted", "5000-digits", "int64+1"])
@pytest.mark.parametrize("command", ["run", "batch", "sensitivity", "calibrate"])
def test_deep_and_huge_toml_is_one_line_for_every_loader(tmp_path, capsys, monkeypatch, no_work, text, command):
    f = tmp_path / "f.toml"
    f.write_text(text)
    argv = {"run": ["run", str(f)], "batch": ["batch", str(f)], "sensitivity": ["sensitivity", str(f)],
            "calibrate": ["calibrate", "digital_arti", "--from", str(f)]}[command]
    parsed = []
    real_loads = tomllib.loads
    monkeypatch.setattr(tomllib, "loads", lambda t, **kw: parsed.append(len(t)) or real_loads(t, **kw))
    assert main([*argv, "--out", str(tmp_path / "out")]) == 2
    one_error(capsys, "f.toml")
    if text.startswith("a.a."):  # tomllib takes quadratic time over a long dotted key: refused before parsing
        assert len(text) not in parsed
    assert not (tmp_path / "out").exists()


def test_validation_is_linear_in_the_number_of_keys(tmp_path, capsys, monkeypatch):
    """Passes over the text, not time: the line index is built a fixed number of times, whatever the number of keys.

    (Validation was quadratic when each problem searched the whole text for its key's line: issue 13.)
    """
    from sim.config import files

    passes = []
    real_index = files.index_lines
    monkeypatch.setattr(files, "index_lines", lambda text: passes.append(len(text)) or real_index(text))
    counts = {}
    for n in (10, 15_000):
        f = tmp_path / f"many{n}.toml"
        f.write_text("".join(f"unknown_key_{i} = {i}\n" for i in range(n)))
        passes.clear()
        assert main(["validate", str(f)]) == 2
        counts[n] = len(passes)
        err = capsys.readouterr().err.splitlines()
    assert counts[15_000] == counts[10] >= 1, counts
    assert 1 < len(err) <= 21 and "more problems" in err[-1]  # 20 problems, then a count


@pytest.mark.parametrize(("text", "word"), [
    ('root_seed = "abc"\n', "root_seed"), ("root_seed = -1\n", "root_seed"), ('years = "x"\n', "years"),
    ("years = 0\n", "years"), ("name = 7\n", "name"),
])
def test_bad_sensitivity_files_are_refused_up_front(tmp_path, capsys, text, word):
    f = tmp_path / "sens.toml"
    f.write_text(text + 'scenarios = ["digital_arti"]\n[sensitivity]\nn = 2\nbounds = { mediators = [2, 5] }\n')
    assert main(["sensitivity", str(f), "--out", str(tmp_path / "out")]) == 2
    one_error(capsys, "sens.toml", f"'{word}'", "allowed")
    assert not (tmp_path / "out").exists()


def test_sensitivity_refuses_late_interventions_and_bad_bounds_before_running(tmp_path, capsys):
    (tmp_path / "lab.toml").write_text(TINY + "[[interventions]]\nat = 500\nmediators = 3\n")
    f = tmp_path / "sens.toml"
    f.write_text('scenarios = ["lab.toml"]\n[sensitivity]\nn = 2\nbounds = { mediators = [2, 5] }\n')
    assert main(["sensitivity", str(f), "--out", str(tmp_path / "out")]) == 2
    one_error(capsys, "after the horizon")
    f.write_text('scenarios = ["digital_arti"]\n[sensitivity]\nn = 2\nbounds = { mediators = [0, 5] }\n')
    assert main(["sensitivity", str(f), "--out", str(tmp_path / "out")]) == 2
    one_error(capsys, "mediators")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("text", "extra", "words"), [
    ("targets = 5\n[params]\ndiscovery_rate = [0.001, 0.01]\n", [], ["targets", "a table"]),
    ("[targets]\nvisitors = nan\n[params]\ndiscovery_rate = [0.001, 0.01]\n", [], ["visitors", "finite"]),
    ("[targets]\nvisitors = -3\n[params]\ndiscovery_rate = [0.001, 0.01]\n", [], ["visitors", ">= 0"]),
    ("[targets]\nvisitors = 100\n", ["--param", "mediators=0:3"], ["mediators=0:3", "mediator"]),
])
def test_bad_calibrate_inputs(tmp_path, capsys, text, extra, words):
    f = tmp_path / "targets.toml"
    f.write_text(text)
    assert main(["calibrate", "digital_arti", "--from", str(f), *extra, "--out", str(tmp_path / "out")]) == 2
    one_error(capsys, *words)
    assert not (tmp_path / "out").exists()


def test_calibrate_refuses_interventions_past_its_year(tmp_path, capsys):
    (tmp_path / "lab.toml").write_text(TINY + "[[interventions]]\nat = 400\nmediators = 3\n")
    assert main(["calibrate", str(tmp_path / "lab.toml"), "--target", "visitors=100", "--param",
                 "discovery_rate=0.001:0.01", "--out", str(tmp_path / "out")]) == 2
    one_error(capsys, "after the horizon")


def test_a_command_lists_at_most_20_problems_then_a_count(tmp_path, capsys):
    targets = tmp_path / "targets.toml"  # 15,000 unknown targets: 21 lines, not 15,000
    targets.write_text("[targets]\n" + "".join(f"unknown_{i} = 1.0\n" for i in range(15_000))
                       + "[params]\ndiscovery_rate = [0.001, 0.002]\n")
    assert main(["calibrate", "digital_arti", "--from", str(targets), "--out", str(tmp_path / "cal")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 21 and err[-1].startswith("error: ... and ") and "more problems" in err[-1]


def test_calibrated_toml_cannot_be_injected(tmp_path):
    from sim.errors import LabsimError

    newline = 'x"\nmediators = 0\n[evil]\nk = "'
    (tmp_path / "lab.toml").write_text(TINY.replace('"tiny"', json.dumps(newline)))
    with pytest.raises(LabsimError, match=r"control character U\+000A"):  # a name with a line break never loads
        sim.load_scenario(tmp_path / "lab.toml")
    evil = 'x" mediators = 0 [evil] k = "'  # quotes and brackets: still a name, written back as one string
    (tmp_path / "lab.toml").write_text(TINY.replace('"tiny"', json.dumps(evil)))
    spec = CalibrationSpec(str(tmp_path / "lab.toml"), {"visitors": 100.0}, {"discovery_rate": (0.001, 0.01)})
    table = pd.DataFrame([{"target": "visitors", "value": 100.0, "simulated_mean": 99.0, "ci_low": 90.0,
                           "ci_high": 110.0, "reproduced": True}])
    text = scenario_file(spec, {"discovery_rate": 0.005}, table, tmp_path / "out")
    data = tomllib.loads(text)
    assert set(data) == {"extends", "name", "description", "discovery_rate"}
    assert data["name"] == evil + "_calibrated" and data["discovery_rate"] == 0.005
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "calibrated.toml").write_text(text)
    sc = sim.load_scenario(tmp_path / "out" / "calibrated.toml")
    assert sc.settings.mediators == sim.load_scenario("digital_arti").settings.mediators


# -- 4. batches that cannot mix -------------------------------------------------------------
def run_small_batch(folder: Path) -> Path:
    """The small batch (4 runs of a young lab, a second on 2 workers) in `folder`; its results folder."""
    (folder / "lab.toml").write_text(LAB)
    (folder / "exp.toml").write_text(EXP)
    assert main(["batch", str(folder / "exp.toml"), "--out", str(folder / "out"), "--workers", "2", "--quiet"]) == 0
    return folder / "out"


@pytest.fixture(scope="module")
def finished_batch(tmp_path_factory):
    """The small batch, run once for the module: never written to, each test takes a copy."""
    folder = tmp_path_factory.mktemp("small_batch")
    run_small_batch(folder)
    return folder


@pytest.fixture
def small_batch(finished_batch, tmp_path):
    """A copy of the finished small batch (its scenario, experiment and results folder) in tmp_path."""
    shutil.copytree(finished_batch, tmp_path, dirs_exist_ok=True)
    return tmp_path, tmp_path / "out"


def test_a_changed_scenario_file_makes_resume_refuse(tmp_path, capsys):
    # run in place, not copied: the manifest names the scenario files by their paths
    folder, out = tmp_path, run_small_batch(tmp_path)
    before = (out / "runs.parquet").read_bytes()
    (folder / "lab.toml").write_text(LAB + "price_per_visit = 5.0\n")
    assert main(["batch", str(folder / "exp.toml"), "--out", str(out), "--quiet"]) == 2
    one_error(capsys, "lab.toml", "price_per_visit 0.0 -> 5.0", "cannot mix")
    assert (out / "runs.parquet").read_bytes() == before


def test_a_locked_folder_refuses_a_second_process_even_forced(small_batch, capsys, processes):
    folder, out = small_batch
    holder = processes.popen([sys.executable, "-c", "import sys, time\nfrom sim.io import locked\n"
                              f"with locked({str(out)!r}):\n    print('held', flush=True)\n    time.sleep(600)\n"],
                             cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    before = tree(out)
    assert main(["batch", str(folder / "exp.toml"), "--out", str(out), "--force", "--quiet"]) == 2
    one_error(capsys, "another labsim process", str(out))
    assert tree(out) == before


def test_runs_missing_at_the_end_exit_non_zero(small_batch, monkeypatch, capsys):
    """The folder loses its results while the batch runs (as when it is deleted): the batch says so, exit 1."""
    from sim.batch.store import Store

    folder, out = small_batch
    shutil.rmtree(out)
    real = Store.append

    def append_then_lose(self, rows, series):
        real(self, rows, series)
        for part in (self.out / "runs").glob("part-*.parquet"):
            part.unlink()

    monkeypatch.setattr(Store, "append", append_then_lose)
    assert main(["batch", str(folder / "exp.toml"), "--out", str(out), "--workers", "2", "--quiet"]) == 1
    assert "missing" in capsys.readouterr().err


def test_leftover_temporary_files_are_cleaned_on_resume(small_batch):
    folder, out = small_batch
    (out / "runs").mkdir()
    for junk in (out / ".runs.parquet.x1.labsim-tmp", out / "runs" / ".part-1.parquet.x2.labsim-tmp"):
        junk.write_bytes(b"half")
    mine = [out / ".notes.tmp", out / "runs" / ".draft.tmp"]  # the user's own hidden files: never labsim's to delete
    for path in mine:
        path.write_bytes(b"keep")
    staging = out.parent / f".{out.name}.staging-999999"
    staging.mkdir()
    other = out.parent / f".{out.name}.staging-notapid"  # not a name labsim makes
    other.mkdir()
    assert main(["batch", str(folder / "exp.toml"), "--out", str(out), "--quiet"]) == 0
    assert not any(p.name.endswith(".labsim-tmp") for p in out.rglob("*")) and not staging.exists()
    assert all(path.read_bytes() == b"keep" for path in mine) and other.is_dir()


@pytest.mark.parametrize("where", ["root", "home", "cwd"])
def test_an_out_folder_that_is_root_home_or_here_is_refused(where, tmp_path, monkeypatch, capsys):
    import pathlib

    monkeypatch.chdir(tmp_path)
    out = {"root": "/", "home": str(pathlib.Path.home()), "cwd": "."}[where]
    assert main(["run", "digital_arti", "--years", "0.1", "--out", out]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "give each result a folder of its own" in err
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_dask_isolates_a_run_that_kills_its_worker(small_batch, monkeypatch):
    pytest.importorskip("dask.distributed")
    folder, _ = small_batch
    monkeypatch.setenv(CRASH_HOOK, "p00001-r0000")
    counts = run_batch(load_experiment(folder / "exp.toml"), folder / "dask", workers=2, executor="dask",
                       quiet=True, chunk_size=2)
    assert (counts["done"], counts["failed"], counts["missing"]) == (3, 1, 0)
    runs = pd.read_parquet(folder / "dask" / "runs.parquet").set_index("run_id")
    assert runs.loc["p00001-r0000", "status"] == "failed" and "died" in runs.loc["p00001-r0000", "error"]
    assert runs.loc["p00001-r0001", "status"] == "ok", "its chunk neighbour is not failed with it"


# -- 5. damaged inputs -----------------------------------------------------------------------
DAMAGE = {
    "corrupt_part": lambda out: (out / "runs.parquet").write_bytes(b"PAR1 not really"),
    "empty_part": lambda out: (out / "runs.parquet").write_bytes(b""),
    "manifest_list": lambda out: (out / "manifest.json").write_text("[1, 2]"),
    "manifest_garbage": lambda out: (out / "manifest.json").write_text("{not json"),
    "wrong_schema": lambda out: pd.DataFrame({"a": [1]}).to_parquet(out / "runs.parquet"),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
@pytest.mark.parametrize("command", ["summarize", "report", "resume"])
def test_damaged_batch_folders_are_refused_in_one_line(small_batch, capsys, damage, command):
    folder, out = small_batch
    DAMAGE[damage](out)
    name = "manifest.json" if damage.startswith("manifest") else "runs.parquet"
    argv = {"summarize": ["summarize", str(out)], "report": ["report", str(out)],
            "resume": ["batch", str(folder / "exp.toml"), "--out", str(out), "--quiet"]}[command]
    before = tree(out)
    assert main(argv) == 2
    one_error(capsys, name)
    assert tree(out) == before


def test_a_damaged_run_summary_is_refused(tmp_path, capsys):
    assert main(["run", "digital_arti", "--years", "0.02", "--no-figures", "--out", str(tmp_path / "r")]) == 0
    (tmp_path / "r" / "summary.json").write_text('"a string"')
    assert main(["report", str(tmp_path / "r")]) == 2
    one_error(capsys, "summary.json")


# -- 6. whole outputs ------------------------------------------------------------------------
def test_an_interrupted_write_leaves_nothing(tmp_path, monkeypatch, capsys):
    from sim.figures import run as run_figures  # where run_figures finds network_figure

    def killed(*a, **k):
        raise KeyboardInterrupt  # what SIGTERM becomes in labsim

    monkeypatch.setattr(run_figures, "network_figure", killed)
    out = tmp_path / "out"
    assert main(["run", "digital_arti", "--years", "0.02", "--out", str(out)]) == 130
    assert capsys.readouterr().err.strip() == "interrupted"
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_sigterm_leaves_all_files_or_none(tmp_path, processes):
    outcomes = set()
    for i, delay in enumerate((0.5, 1.5, 2.5, 3.5)):
        out = tmp_path / f"out{i}"
        proc = processes.popen([sys.executable, "-m", "sim", "run", "digital_arti", "--years", "0.1", "--out",
                                str(out)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        time.sleep(delay)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=600)  # a guard against a hang, never a measure
        files = {p.name for p in out.iterdir()} if out.exists() else set()
        assert files in (set(), {"summary.json", "timeseries.csv", "network.graphml", "people.csv", "funnel.png",
                                 "timeseries.png", "network.png", "labsim.json", "scenario.toml"}), (delay, files)
        assert "Traceback" not in err
        outcomes.add(bool(files))
    assert not [p for p in tmp_path.iterdir() if ".staging-" in p.name]
    assert False in outcomes, "at least one SIGTERM landed before the end"


# -- 7. minor items --------------------------------------------------------------------------
def test_years_is_a_float_from_the_api_too():
    result = sim.run("digital_arti", seed=1, years=1)
    assert isinstance(result.summary["years"], float) and result.summary["years"] == 1.0


def test_bad_host_is_not_blamed_on_another_explorer(capsys):
    pytest.importorskip("solara", reason="labsim explore is the [explore] extra")
    assert main(["explore", "digital_arti", "--host", "203.0.113.77", "--port", "8999"]) == 2
    err = one_error(capsys, "--host")
    assert "another explorer" not in err


def test_json_schema_accepts_the_presets_and_refuses_bad_files(capsys):
    jsonschema = pytest.importorskip("jsonschema")
    assert main(["scenarios", "--json-schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    validator = jsonschema.Draft202012Validator(schema)
    for preset in (ROOT / "scenarios").glob("*.toml"):
        assert not list(validator.iter_errors(tomllib.loads(preset.read_text()))), preset
    assert list(validator.iter_errors({"mediatorz": 3}))
    assert list(validator.iter_errors({"mediators": 10**6}))


def test_many_workers_are_bounded(tmp_path, capsys):
    (tmp_path / "exp.toml").write_text('scenarios = ["digital_arti"]\n')
    assert main(["batch", str(tmp_path / "exp.toml"), "--out", str(tmp_path / "out"), "--workers",
                 str(4 * (os.cpu_count() or 1) + 1)]) == 2
    one_error(capsys, "--workers", "four per core")


def test_force_never_clears_a_folder_of_someone_elses_files(small_batch, capsys):
    folder, _ = small_batch
    theirs = folder / "theirs"
    theirs.mkdir()
    files = {"summary.csv": b"their,table\n", "report.html": b"<p>their page</p>", "notes.txt": b"keep"}
    for name, data in files.items():
        (theirs / name).write_bytes(data)
    assert main(["batch", str(folder / "exp.toml"), "--out", str(theirs), "--force", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "labsim did not write" in err and "never cleans up other files" in err
    assert {p.name: p.read_bytes() for p in theirs.iterdir()} == files


@pytest.mark.parametrize("link", ["runs", "timeseries", "manifest.json", "runs.parquet"])
def test_a_batch_folder_never_writes_through_a_symlink(small_batch, tmp_path_factory, capsys, link):
    folder, out = small_batch
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    target = elsewhere / "target"
    if link.endswith((".json", ".parquet")):
        target.write_bytes((out / link).read_bytes())
        (out / link).unlink()
    else:
        target.mkdir()
        shutil.rmtree(out / link, ignore_errors=True)
    (out / link).symlink_to(target)
    before = sorted(p.name for p in elsewhere.rglob("*"))
    assert main(["batch", str(folder / "exp.toml"), "--out", str(out), "--force", "--quiet"]) == 2
    assert "a symbolic link" in capsys.readouterr().err
    assert sorted(p.name for p in elsewhere.rglob("*")) == before


@pytest.mark.parametrize("literal", ["0x" + "f" * 5000, "0o" + "7" * 6000, "0b" + "1" * 20000, "9" * 5000])
def test_integers_of_thousands_of_digits_are_refused_in_one_line(tmp_path, capsys, literal):
    f = tmp_path / "huge.toml"
    f.write_text(f'extends = "digital_arti"\nmediators = {literal}\n')
    assert main(["validate", str(f)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "digits" in err and "allowed: integers" in err  # a decimal one: by the reader


def test_a_name_holding_math_text_is_drawn_as_typed(tmp_path):
    f = tmp_path / "math.toml"
    f.write_text('extends = "digital_arti"\nname = "$\\\\frac{$ and $x^$"\n')
    out = tmp_path / "run"
    assert main(["run", str(f), "--years", "0.1", "--set", "warmup_years=0.1", "--out", str(out)]) == 0
    assert (out / "network.png").stat().st_size > 5000  # its title holds the name, not a math parse error


@pytest.mark.parametrize(("changes", "years"), [
    ({"mediators": 1000, "warmup_years": 0.0}, 0.05),  # the staff clique alone is 499,500 ties
    ({"initial_dormant": 100_000, "reactivation_rate": 7.0, "warmup_years": 0.0}, 0.05),  # comebacks, not newcomers
])
def test_the_cost_estimate_does_not_miss_what_a_setting_multiplies(changes, years):
    from sim.config.cost import estimate
    from sim.run import simulate

    scenario = sim.load_scenario("carrefour_numerique").with_settings(**changes)
    cost = estimate(scenario.settings, years)
    model = simulate(scenario, 1, years)
    start = sim.LabModel(scenario, rng=1).people  # the initial population's past visits are not the run's work
    visits = int(model.people.visits[: model.people.n].sum() - start.visits[: start.n].sum())
    assert cost.people >= model.people.n / 3 and cost.visits >= visits / 3  # within a factor 3 from below
    assert cost.ties >= model.network.n_edges / 3, (cost.ties, model.network.n_edges)


@pytest.mark.parametrize("char", ["\u202e", "\u2066", "\u202a"])
@pytest.mark.parametrize("where", ["scenario", "experiment", "set"])
def test_a_bidirectional_override_in_a_name_is_refused_like_a_control_character(tmp_path, capsys, no_work, char,
                                                                               where):
    # "abc\u202etxt.exe" printed in the run's table reads "abcexe.txt": a name shown as another (Trojan Source)
    name = f"abc{char}txt.exe"
    (tmp_path / "lab.toml").write_text(TINY.replace('"tiny"', json.dumps(name if where == "scenario" else "tiny")))
    (tmp_path / "exp.toml").write_text(f'name = {json.dumps(name)}\nscenarios = ["lab.toml"]\nreplications = 2\n')
    argv = {"scenario": ["run", str(tmp_path / "lab.toml"), "--out", str(tmp_path / "o")],
            "experiment": ["batch", str(tmp_path / "exp.toml"), "--out", str(tmp_path / "o")],
            "set": ["run", "digital_arti", "--set", f"name={name}", "--out", str(tmp_path / "o")]}[where]
    assert main(argv) == 2
    err = one_error(capsys, f"U+{ord(char):04X}")
    assert char not in err and not (tmp_path / "o").exists()


NO_WHOLE_BOX = {  # an integer key's box [2.5, 2.7]: optuna's traceback; the others ran mediators = 3, outside it
    "calibrate": lambda d: ["calibrate", str(d / "lab.toml"), "--target", "visitors=100", "--param", "mediators=2.5:2.7"],
    "abc": lambda d: ["calibrate", str(d / "lab.toml"), "--target", "visitors=100", "--param", "mediators=2.5:2.7",
                      "--method", "abc"],
    "targets": lambda d: ["calibrate", str(d / "lab.toml"), "--from", str(d / "targets.toml")],
    "optimize": lambda d: ["optimize", str(d / "lab.toml"), "--search", str(d / "search.toml")],
    "sensitivity": lambda d: ["sensitivity", str(d / "sens.toml")],
    "sample": lambda d: ["batch", str(d / "sample.toml")],
}


@pytest.mark.parametrize("command", list(NO_WHOLE_BOX))
def test_an_integer_key_is_searched_between_whole_numbers(command, tmp_path, capsys, no_work):
    (tmp_path / "lab.toml").write_text(LAB)
    (tmp_path / "targets.toml").write_text("[targets]\nvisitors = 100\n[params]\nmediators = [2.5, 2.7]\n")
    (tmp_path / "search.toml").write_text('name = "s"\n[search]\nbudget = 4\nknobs = { mediators = [2.5, 2.7] }\n'
                                          'objectives = { visitors = "max", costs = "min" }\n')
    (tmp_path / "sens.toml").write_text('scenarios = ["lab.toml"]\n[sensitivity]\nn = 2\n'
                                        "bounds = { mediators = [2.5, 2.7], discovery_rate = [0.001, 0.01] }\n")
    (tmp_path / "sample.toml").write_text('scenarios = ["lab.toml"]\nreplications = 2\n[sample]\nmethod = "lhs"\n'
                                          "n = 4\nbounds = { mediators = [2.5, 2.7] }\n")
    out = tmp_path / "o"
    assert main([*NO_WHOLE_BOX[command](tmp_path), "--out", str(out)]) == 2
    one_error(capsys, "mediators", "whole numbers")
    assert not out.exists()


@pytest.mark.parametrize("quote", ['"""', "'''"])
def test_a_dotted_line_inside_a_multi_line_description_is_text_not_a_key(tmp_path, capsys, quote):
    # the quadratic-time guard on long dotted keys read every line as a key, so a valid description was refused
    text = (f"{TINY}description = {quote}\nSteps: a.b.c.d.e.f.g.h.i.j.k = 1\n[x.y.z.a.b.c.d.e.f.g]\n"
            f"one {quote[0]} quote, {quote[0] * 2} two\n{quote}\n")
    (tmp_path / "lab.toml").write_text(text)
    assert main(["validate", str(tmp_path / "lab.toml")]) == 0, capsys.readouterr().err
    assert "Steps: a.b.c" in sim.load_scenario(tmp_path / "lab.toml").description
    (tmp_path / "deep.toml").write_text(text + "a" + ".a" * 5000 + " = 1\n")  # after the string, keys are keys
    assert main(["validate", str(tmp_path / "deep.toml")]) == 2
    one_error(capsys, "deep.toml", "line 8", "nested deeper than 8")
