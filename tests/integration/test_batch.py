"""The batch engine: experiment files, seeds, workers, crashes, resume, Dask, output layout, summaries."""

import json
import platform
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import mesa
import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

import sim
from sim.batch.experiment import load_experiment, replication_seeds
from sim.batch.runner import run_batch
from sim.batch.store import Store
from sim.batch.worker import CRASH_HOOK, RAISE_HOOK
from sim.cli import main
from sim.errors import LabsimError

ROOT = Path(__file__).resolve().parents[2]

# 2 x 2 design points x 3 replications of the small lab, a quarter of a year each: 12 runs, ~2 s with the pool.
# The small lab is the closed preset warmed up a quarter of a year, not its 4 years (8 times the work): enough for
# newcomers, so that visitors differ between replications.
YOUNG_ARTI = 'extends = "digital_arti"\nname = "young_arti"\nwarmup_years = 0.25\n'
SMALL = """
name = "small"
scenarios = ["young_arti.toml"]
replications = 3
root_seed = 11
years = 0.25

[grid]
mediators = [2, 6]
workshops_per_year = { from = 0, to = 10, steps = 2 }
"""
SMALL_RUNS = 12
SMALL_VARIED = ["mediators", "workshops_per_year"]
ID_COLUMNS = ["run_id", "scenario", "point", "replication", "seed", "status", "error"]
METRICS = ["visitors", "contributors", "partners", "visits", "revenue", "docs_pages", "nodes", "edges", "density"]

# A young open lab (no warm-up, no initial population) with less footfall, 5 settings x 8 replications,
# half a year: 40 runs, a few seconds on 2 workers.
YOUNG_OPEN = """
extends = "carrefour_numerique"
name = "young_open"
warmup_years = 0.0
initial_contributors = 0
initial_partners = 0
initial_dormant = 0
initial_former_regulars = 0
initial_awareness = 0.0
"""
KILLABLE = """
name = "killable"
scenarios = ["young_open.toml"]
replications = 8
root_seed = 3
years = 0.5

[grid]
host_footfall_per_day = [100.0, 200.0, 300.0, 400.0, 500.0]
"""


def write(folder: Path, text: str, name: str = "exp.toml") -> Path:
    path = folder / name
    path.write_text(text)
    return path


def write_small(folder: Path, text: str = SMALL, name: str = "exp.toml") -> Path:
    """The small experiment (or a variant of its text) and its lab, in `folder`."""
    write(folder, YOUNG_ARTI, "young_arti.toml")
    return write(folder, text, name)


def runs_of(out: Path) -> pd.DataFrame:
    return pd.read_parquet(out / "runs.parquet").sort_values("run_id").reset_index(drop=True)


def series_of(out: Path) -> pd.DataFrame:
    return pd.read_parquet(out / "timeseries.parquet").sort_values(["run_id", "time"]).reset_index(drop=True)


def metric_columns(runs: pd.DataFrame, varied=SMALL_VARIED) -> list[str]:
    """Numeric outcome columns: everything but identity and design columns."""
    skip = {*ID_COLUMNS, *varied, "labsim_version"}
    return [c for c in runs.columns if c not in skip and pd.api.types.is_numeric_dtype(runs[c])]


def file_bytes(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    """The small experiment, run once on 2 local workers; tests that write into it take a copy."""
    folder = tmp_path_factory.mktemp("baseline")
    exp_path = write_small(folder)
    out = folder / "out"
    counts = run_batch(load_experiment(exp_path), out, workers=2, quiet=True)
    assert counts["done"] == SMALL_RUNS and counts["failed"] == 0
    return exp_path, out


def copy_of(baseline, tmp_path) -> Path:
    out = tmp_path / "out"
    shutil.copytree(baseline[1], out)
    return out


# -- 1. experiment files on the command line (what the loader finds: tests/unit/test_experiments.py) ------------
EVERYTHING_WRONG = """
scenarios = ["carrefour_numerik"]
seeds = 3
replications = 0

[grid]
mediatorz = [1, 2]
workshops_per_year = { from = 10, to = 2, steps = 3 }

[sample]
method = "lhs"
n = 4
bounds = { mediators = [1, 5] }
"""
EVERYTHING_WRONG_PROBLEMS = 6  # preset, unknown key, replications, grid+sample, grid key, inverted range


def test_cli_reports_a_bad_experiment_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["batch", str(write(tmp_path, EVERYTHING_WRONG)), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == EVERYTHING_WRONG_PROBLEMS and all(line.startswith("error: ") for line in err), err
    assert "Traceback" not in "\n".join(err)
    assert not out.exists(), "nothing may be written on bad input"


def test_cli_missing_experiment_file(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["batch", str(tmp_path / "nope.toml"), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "nope.toml" in err and "no such" in err and len(err.strip().splitlines()) == 1
    assert not out.exists()


# -- 2. seeds --------------------------------------------------------------------------
def test_common_random_numbers_across_design_points(baseline):
    """Replication r has one seed at every design point; replications differ; ids name point and replication."""
    specs = load_experiment(baseline[0]).runs()
    assert len(specs) == SMALL_RUNS and len({s.run_id for s in specs}) == SMALL_RUNS
    by_rep = {}
    for s in specs:
        assert s.run_id == f"p{s.point:05d}-r{s.replication:04d}"
        by_rep.setdefault(s.replication, set()).add(s.seed)
    assert all(len(seeds) == 1 for seeds in by_rep.values()), by_rep
    assert len({next(iter(seeds)) for seeds in by_rep.values()}) == 3
    assert [s.seed for s in specs[:3]] == replication_seeds(11, 3)


def test_ids_and_seeds_do_not_depend_on_execution_order(baseline):
    """Runs finish in any order on 2 workers; each stored row still has its spec's id, point, replication and seed."""
    specs = {s.run_id: s for s in load_experiment(baseline[0]).runs()}
    runs = runs_of(baseline[1])
    assert set(runs["run_id"]) == set(specs)
    for row in runs.itertuples():
        s = specs[row.run_id]
        assert (row.point, row.replication, row.seed) == (s.point, s.replication, s.seed)
        assert {k: getattr(row, k) for k in s.params} == s.params


# -- 3. workers ------------------------------------------------------------------------
def test_results_identical_whatever_the_number_of_workers(baseline, tmp_path):
    """workers=1 and workers=2: the same runs.parquet (metric and identity columns) and timeseries.parquet."""
    out = tmp_path / "one"
    run_batch(load_experiment(baseline[0]), out, workers=1, quiet=True)
    one, two = runs_of(out), runs_of(baseline[1])
    metrics = metric_columns(two)
    assert set(METRICS) <= set(metrics)
    assert_frame_equal(one[metrics], two[metrics])
    assert_frame_equal(one[ID_COLUMNS + SMALL_VARIED], two[ID_COLUMNS + SMALL_VARIED])
    assert_frame_equal(series_of(out), series_of(baseline[1]))


# -- 4. crash isolation ----------------------------------------------------------------
def test_a_run_that_raises_is_recorded_failed_and_the_cli_exits_1(baseline, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(RAISE_HOOK, "p00001-r0002")
    out = tmp_path / "out"
    assert main(["batch", str(baseline[0]), "--out", str(out), "--workers", "2", "--quiet"]) == 1
    assert "1 failed" in capsys.readouterr().out
    runs = runs_of(out)
    assert len(runs) == SMALL_RUNS
    bad = runs[runs["run_id"] == "p00001-r0002"].iloc[0]
    assert bad["status"] == "failed"
    assert "RuntimeError" in bad["error"] and "testing hook" in bad["error"]
    assert np.isnan(bad["visitors"])
    others = runs[runs["run_id"] != "p00001-r0002"]
    assert (others["status"] == "ok").all() and (others["error"] == "").all()
    assert "p00001-r0002" not in set(series_of(out)["run_id"]), "a failed run has no time series"
    manifest = json.loads((out / "manifest.json").read_text())
    assert (manifest["runs_done"], manifest["runs_failed"]) == (SMALL_RUNS - 1, 1)


def test_a_run_that_kills_its_worker_fails_alone(baseline, tmp_path, monkeypatch):
    """os._exit in a worker: the pool is rebuilt, that run is failed ('died'), the others are ok and unchanged."""
    monkeypatch.setenv(CRASH_HOOK, "p00002-r0001")
    out = tmp_path / "out"
    counts = run_batch(load_experiment(baseline[0]), out, workers=2, quiet=True)
    assert (counts["total"], counts["done"], counts["failed"]) == (SMALL_RUNS, SMALL_RUNS - 1, 1)
    runs = runs_of(out)
    assert sorted(runs["run_id"]) == sorted(s.run_id for s in load_experiment(baseline[0]).runs())
    bad = runs[runs["run_id"] == "p00002-r0001"].iloc[0]
    assert bad["status"] == "failed" and "died" in bad["error"], bad["error"]
    others = runs[runs["run_id"] != "p00002-r0001"].reset_index(drop=True)
    assert (others["status"] == "ok").all()
    reference = runs_of(baseline[1])
    reference = reference[reference["run_id"] != "p00002-r0001"].reset_index(drop=True)
    assert_frame_equal(others[METRICS], reference[METRICS], check_dtype=False)  # NaN of the failed row -> float


# -- 5. resume -------------------------------------------------------------------------
def test_resuming_a_finished_batch_runs_nothing(baseline, tmp_path):
    out = copy_of(baseline, tmp_path)
    before = file_bytes(out)
    manifest_before = json.loads(before["manifest.json"])
    counts = run_batch(load_experiment(baseline[0]), out, workers=2, quiet=True)
    assert counts["skipped"] == counts["total"] == SMALL_RUNS
    assert counts.get("ok", 0) == 0 and counts["done"] == SMALL_RUNS
    after = file_bytes(out)
    assert set(after) == set(before) == {"manifest.json", "runs.parquet", "timeseries.parquet"}
    for name in ("runs.parquet", "timeseries.parquet"):
        assert after[name] == before[name], f"{name} changed"
    manifest_after = json.loads(after["manifest.json"])
    stamps = ("ended", "resumed")  # the session's end is refreshed and the resume noted; the start and the rest stay
    assert {k: v for k, v in manifest_after.items() if k not in stamps} == {
        k: v for k, v in manifest_before.items() if k not in stamps}


def test_resume_after_kill_9_completes_every_run_once(tmp_path, processes):
    """SIGKILL the whole process group mid-batch, run again: each run once, all ok, as an uninterrupted batch."""
    write(tmp_path, YOUNG_OPEN, "young_open.toml")
    exp_path = write(tmp_path, KILLABLE)
    exp = load_experiment(exp_path)
    specs = exp.runs()
    assert len(specs) == 40
    out = tmp_path / "killed"
    proc = processes.popen(
        [sys.executable, "-m", "sim", "batch", str(exp_path), "--out", str(out), "--workers", "2", "--quiet"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 600  # a guard against a hang, never a measure: a loaded machine may be slow
    while not list((out / "runs").glob("part-*.parquet")):
        assert proc.poll() is None, f"the batch ended before it could be killed: {proc.stderr.read()!r}"
        assert time.monotonic() < deadline, "no part written within 10 minutes: the batch hangs"
        time.sleep(0.02)
    processes.kill(proc)  # the whole process group, as `kill -9` of a terminal's job
    assert proc.returncode == -signal.SIGKILL
    assert not (out / "runs.parquet").exists(), "killed before finalizing"
    partial = Store(out).runs()
    assert 1 <= len(partial) < len(specs), "the kill landed mid-batch"

    counts = run_batch(exp, out, workers=2, quiet=True)
    assert counts["skipped"] == len(partial) and (counts["done"], counts["failed"]) == (len(specs), 0)
    resumed = runs_of(out)
    assert resumed["run_id"].tolist() == sorted(s.run_id for s in specs), "every run exactly once"
    assert (resumed["status"] == "ok").all()

    reference_out = tmp_path / "reference"
    run_batch(exp, reference_out, workers=2, quiet=True)
    reference = runs_of(reference_out)
    varied = ["host_footfall_per_day"]
    metrics = metric_columns(reference, varied)
    assert_frame_equal(resumed[metrics], reference[metrics])
    assert_frame_equal(resumed[ID_COLUMNS + varied], reference[ID_COLUMNS + varied])
    assert_frame_equal(series_of(out), series_of(reference_out))


@pytest.fixture(scope="module")
def failed_then_resumed(baseline, tmp_path_factory):
    """The small experiment with one run raising, then resumed without the hook."""
    out = tmp_path_factory.mktemp("resume_failed") / "out"
    exp = load_experiment(baseline[0])
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(RAISE_HOOK, "p00003-r0000")
        first = run_batch(exp, out, workers=2, quiet=True)
    second = run_batch(exp, out, workers=2, quiet=True)
    return first, second, out


def test_a_failed_run_is_rerun_on_resume(baseline, failed_then_resumed):
    first, second, out = failed_then_resumed
    assert (first["done"], first["failed"]) == (SMALL_RUNS - 1, 1)
    assert second["skipped"] == SMALL_RUNS - 1, "only the failed run runs again"
    assert (second["done"], second["failed"]) == (SMALL_RUNS, 0)
    runs, reference = runs_of(out), runs_of(baseline[1])
    assert runs["run_id"].tolist() == reference["run_id"].tolist()
    assert (runs["status"] == "ok").all() and (runs["error"] == "").all()
    metrics = metric_columns(reference)
    assert_frame_equal(runs[metrics], reference[metrics], check_dtype=False)  # dtypes are pinned by the next test
    assert_frame_equal(series_of(out), series_of(baseline[1]))


def test_a_resumed_failed_run_leaves_the_schema_of_a_clean_batch(baseline, failed_then_resumed):
    runs, reference = runs_of(failed_then_resumed[2]), runs_of(baseline[1])
    assert runs.dtypes.to_dict() == reference.dtypes.to_dict()


# -- 6. the output folder and the options ----------------------------------------------
def test_out_holding_another_experiment_is_refused_unless_forced(baseline, tmp_path, capsys):
    out = copy_of(baseline, tmp_path)
    before = file_bytes(out)
    other = write_small(tmp_path, SMALL.replace("root_seed = 11", "root_seed = 12"), "other.toml")
    assert main(["batch", str(other), "--out", str(out), "--workers", "2", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "--force" in err and "another experiment" in err and "Traceback" not in err
    assert file_bytes(out) == before, "a refused batch leaves the folder as it was"

    assert main(["batch", str(other), "--out", str(out), "--workers", "2", "--quiet", "--force"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["experiment_hash"] == load_experiment(other).digest() != load_experiment(baseline[0]).digest()
    runs = runs_of(out)
    assert len(runs) == SMALL_RUNS and (runs["status"] == "ok").all()
    assert sorted(set(runs["seed"])) == sorted(replication_seeds(12, 3)), "the new experiment's runs, not the old"


def test_out_holding_other_files_is_refused(baseline, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    assert main(["batch", str(baseline[0]), "--out", str(out), "--quiet"]) == 2
    assert "labsim did not write" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_bad_worker_count_is_refused(baseline, tmp_path, capsys, value):
    out = tmp_path / "out"
    assert main(["batch", str(baseline[0]), "--out", str(out), "--workers", value]) == 2
    err = capsys.readouterr().err.strip()
    assert "--workers" in err and "[1, " in err and len(err.splitlines()) == 1
    assert not out.exists()


def test_run_batch_refuses_zero_workers(baseline, tmp_path):
    with pytest.raises(LabsimError, match="--workers"):
        run_batch(load_experiment(baseline[0]), tmp_path / "out", workers=0, quiet=True)
    assert not (tmp_path / "out").exists()


def test_scheduler_without_dask_is_refused_before_writing(baseline, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["batch", str(baseline[0]), "--out", str(out), "--scheduler", "tcp://127.0.0.1:9"]) == 2
    assert "--scheduler" in capsys.readouterr().err
    assert not out.exists(), "nothing may be written on bad input"


# -- 7. Dask ---------------------------------------------------------------------------
def test_dask_gives_the_same_results_as_the_local_pool(baseline, tmp_path):
    """A real LocalCluster with 2 worker processes."""
    pytest.importorskip("dask.distributed")
    out = tmp_path / "dask"
    counts = run_batch(load_experiment(baseline[0]), out, workers=2, executor="dask", quiet=True)
    assert (counts["done"], counts["failed"]) == (SMALL_RUNS, 0)
    assert json.loads((out / "manifest.json").read_text())["executor"] == "dask"
    dask, local = runs_of(out), runs_of(baseline[1])
    metrics = metric_columns(local)
    assert_frame_equal(dask[metrics], local[metrics])
    assert_frame_equal(dask[ID_COLUMNS + SMALL_VARIED], local[ID_COLUMNS + SMALL_VARIED])
    assert_frame_equal(series_of(out), series_of(baseline[1]))


def test_unreachable_scheduler_fails_fast_and_clearly(baseline, tmp_path, capsys, monkeypatch):
    """Port 9 (discard) refuses connections: exit 2, one line, no traceback; Dask is given a short connect timeout."""
    distributed = pytest.importorskip("dask.distributed")
    from sim.batch.executors import SCHEDULER_TIMEOUT_S

    timeouts = []
    real_client = distributed.Client

    def client(*args, **kwargs):
        timeouts.append(kwargs.get("timeout"))
        return real_client(*args, **kwargs)

    monkeypatch.setattr(distributed, "Client", client)
    code = main(["batch", str(baseline[0]), "--out", str(tmp_path / "out"), "--executor", "dask",
                 "--scheduler", "tcp://127.0.0.1:9", "--quiet"])
    assert code == 2
    assert timeouts == [f"{SCHEDULER_TIMEOUT_S}s"] and SCHEDULER_TIMEOUT_S <= 15  # fails fast: no clock asserted
    err = capsys.readouterr().err
    assert "cannot reach" in err and "tcp://127.0.0.1:9" in err and "Traceback" not in err
    assert f"within {SCHEDULER_TIMEOUT_S} s" in err


# -- 8. output layout ------------------------------------------------------------------
def test_output_layout(baseline):
    exp_path, out = baseline
    assert {p.name for p in out.iterdir()} == {"manifest.json", "runs.parquet", "timeseries.parquet"}, \
        "the parts are folded into the two files"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["experiment_hash"] == load_experiment(exp_path).digest()
    assert manifest["labsim_version"] == sim.__version__
    assert manifest["mesa_version"] == mesa.__version__
    assert manifest["python_version"] == platform.python_version()
    assert manifest["started"] and manifest["ended"] and manifest["started"] <= manifest["ended"]
    assert (manifest["runs_done"], manifest["runs_failed"]) == (SMALL_RUNS, 0)

    runs = runs_of(out)
    assert set(ID_COLUMNS + SMALL_VARIED + METRICS) <= set(runs.columns)
    assert len(runs) == SMALL_RUNS and runs["run_id"].is_unique
    assert (runs["scenario"] == "young_arti").all()
    assert sorted(set(zip(runs["mediators"], runs["workshops_per_year"], strict=True))) == [
        (2, 0.0), (2, 10.0), (6, 0.0), (6, 10.0)]
    assert sorted(runs["replication"].unique()) == [0, 1, 2]
    assert (runs["status"] == "ok").all() and (runs["error"] == "").all()
    assert runs["visitors"].gt(0).all() and runs["density"].between(0, 1).all()

    series = series_of(out)
    assert {"run_id", "time", "visitors", "contributors", "partners", "visits", "revenue"} <= set(series.columns)
    assert set(series["run_id"]) == set(runs["run_id"])
    weeks = series.groupby("run_id")["time"].apply(lambda t: np.diff(t.to_numpy()))
    assert all(np.allclose(d, 7.0) for d in weeks), "one row a week"
    assert series.groupby("run_id").size().eq(13).all(), "a quarter of a year is 13 weeks"


# -- 9. summarize ----------------------------------------------------------------------
def test_summarize_writes_summary_csv_with_bootstrap_intervals(baseline, tmp_path, capsys):
    from sim.analysis.summary import mean_interval

    out = copy_of(baseline, tmp_path)
    assert main(["summarize", str(out)]) == 0
    assert "Visitors" in capsys.readouterr().out
    summary = pd.read_csv(out / "summary.csv")
    assert list(summary.columns) == ["scenario", "point", *SMALL_VARIED, "metric", "n", "mean", "sd", "ci_low",
                                     "ci_high"]
    assert sorted(summary["point"].unique()) == [0, 1, 2, 3]
    assert (summary["n"] == 3).all()
    assert set(METRICS) <= set(summary["metric"])

    runs = runs_of(out)
    for point, metric in ((0, "visitors"), (3, "edges"), (2, "density")):
        values = runs.loc[runs["point"] == point, metric].to_numpy(dtype=float)
        assert values.std() > 0, "pick a metric that varies"
        row = summary[(summary["point"] == point) & (summary["metric"] == metric)].iloc[0]
        assert row["mean"] == pytest.approx(values.mean(), rel=1e-12)
        assert row["sd"] == pytest.approx(values.std(ddof=1), rel=1e-12)
        _, _, low, high = mean_interval(values)  # a percentile bootstrap: inside the values' range
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high), rel=1e-9)
        assert values.min() <= row["ci_low"] <= row["mean"] <= row["ci_high"] <= values.max()


@pytest.mark.parametrize("make", ["missing", "empty"])
def test_summarize_without_a_batch_returns_2(tmp_path, capsys, make):
    folder = tmp_path / "nothing"
    if make == "empty":
        folder.mkdir()
    assert main(["summarize", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "summarize reads a labsim batch folder" in err and "Traceback" not in err  # what it reads, in one line
    assert not (folder / "summary.csv").exists()


def test_summary_columns_are_the_varied_parameters_only(tmp_path):
    exp_path = write_small(tmp_path, SMALL.replace("mediators = [2, 6]\n", ""))
    out = tmp_path / "out"
    run_batch(load_experiment(exp_path), out, workers=2, quiet=True)
    assert main(["summarize", str(out)]) == 0
    summary = pd.read_csv(out / "summary.csv")
    assert list(summary.columns) == ["scenario", "point", "workshops_per_year", "metric", "n", "mean", "sd",
                                     "ci_low", "ci_high"]
    assert "mediators" in set(summary["metric"])


def test_run_rows_keep_the_design_value_of_a_varied_parameter(tmp_path):
    """A scenario whose intervention cuts the staff to 1: the rows must still say 2 and 6, as designed."""
    write(tmp_path, YOUNG_ARTI.replace("young_arti", "arti_cut") + "[[interventions]]\nat = 30\nmediators = 1\n",
          "lab.toml")
    exp_path = write(tmp_path, 'scenarios = ["lab.toml"]\nreplications = 1\nyears = 0.25\n'
                               '[grid]\nmediators = [2, 6]\n')
    out = tmp_path / "out"
    run_batch(load_experiment(exp_path), out, workers=2, quiet=True)
    runs = runs_of(out)
    assert (runs["status"] == "ok").all()
    assert runs["mediators"].tolist() == [2, 6]
