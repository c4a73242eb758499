"""labsim optimize: the search finds a known front, its answers are non-dominated, it resumes, it refuses bad input."""

import json
import os
import re
import shutil
import sqlite3
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.analysis import optimize as opt
from sim.batch.experiment import replication_seeds
from sim.cli import main

pytest.importorskip("optuna", reason="the analysis extra (pip install 'labsim[analysis]')")

ROOT = Path(__file__).resolve().parents[2]
TOY_TOLERANCE = 0.1  # a returned point's internal_friction: its distance from the toy's front (y = 0), on a range of 0.9


# -- a toy with a known front (a test double of the evaluation) ---------------------------
def toy_spec(tmp_path: Path, budget: int = 100, population: int = 20, seed: int = 4) -> opt.SearchSpec:
    path = tmp_path / "toy.toml"
    path.write_text(f"""name = "toy"
replications = 3
root_seed = {seed}
years = 0.1
[search]
budget = {budget}
population = {population}
knobs = {{ open_documentation = [0.0, 1.0], internal_friction = [0.0, 0.9] }}
objectives = {{ visitors = "min", contributors = "min" }}
presets = false
""")
    return opt.load_search(path)


def toy_evaluate(spec: opt.SearchSpec, calls: list):
    """f1 = x + y, f2 = 1 - x + y: the front is y = 0 (f1 + f2 = 1), which a point off it (y > 0) reaches
    within 2 y on each objective. The noise depends on the seed only (common random numbers): it moves every
    candidate alike, so the front stays where it is.
    """
    seeds = replication_seeds(spec.root_seed, spec.replications)

    def evaluate(refs, points, tag):
        calls.append((tag, len(refs) * len(points)))
        out = []
        for _ in refs:
            for p in points:
                x, y = p.get("open_documentation", 0.5), p.get("internal_friction", 0.5)
                out.append([{"visitors": x + y + (s % 997) / 1e4, "contributors": 1 - x + y + (s % 991) / 1e4}
                            for s in seeds])
        return out

    return evaluate


def run_toy(tmp_path, name="a", **kw):
    from sim.config.scenario import load_scenario

    spec = toy_spec(tmp_path, **kw)
    base = load_scenario("digital_arti")
    out = tmp_path / name
    out.mkdir()
    calls: list = []
    counts = opt.optimize(spec, "digital_arti", out, toy_evaluate(spec, calls), base=base)
    table = opt.evaluations_table(spec, base, out)
    return spec, table, counts, calls


def test_toy_search_returns_points_on_the_known_front(tmp_path):
    spec, table, counts, calls = run_toy(tmp_path)
    assert len(table) == spec.budget and (table["status"] == "ok").all()
    assert counts["told_now"] == spec.budget
    assert [c[0] for c in calls] == [f"gen-{g:04d}" for g in range(spec.budget // spec.population)]
    front = opt.front_table(spec, table)
    assert len(front) >= 5
    assert (front["internal_friction"] <= TOY_TOLERANCE).all(), front
    assert front["open_documentation"].max() - front["open_documentation"].min() >= 0.5  # spread along the front
    assert front["internal_friction"].mean() < table["internal_friction"].mean() / 3  # the front, not the cloud
    from sim.config.scenario import load_scenario

    spec.presets = ["digital_arti", "friche"]
    presets = opt.presets_table(spec, "digital_arti", load_scenario("digital_arti"), toy_evaluate(spec, calls))
    assert presets["scenario"].tolist() == ["digital_arti", "friche"] and presets["base"].tolist() == [True, False]
    assert calls[-1] == ("presets", 2)
    from sim import figures

    fig = figures.front_figure(spec, table, presets)
    assert {t.get_text() for t in fig.axes[0].texts} == {"digital_arti (base)", "friche"}


def test_same_seed_same_study_and_another_seed_another(tmp_path):
    _, a, _, _ = run_toy(tmp_path, "a", budget=30, population=10)
    _, b, _, _ = run_toy(tmp_path, "b", budget=30, population=10)
    pd.testing.assert_frame_equal(a, b)
    _, c, _, _ = run_toy(tmp_path, "c", budget=30, population=10, seed=5)
    assert not np.allclose(a["open_documentation"], c["open_documentation"])


def test_repeated_settings_are_not_run_again_and_a_bigger_budget_searches_on(tmp_path):
    spec, table, counts, calls = run_toy(tmp_path, budget=40, population=10)
    evaluated = sum(n for _, n in calls)
    assert evaluated == len({json.dumps(r, sort_keys=True) for r in
                             table[["open_documentation", "internal_friction"]].to_dict("records")})
    from sim.config.scenario import load_scenario

    more = opt.SearchSpec(**{**spec.__dict__, "budget": 50})  # the budget is not part of the study's identity
    counts = opt.optimize(more, "digital_arti", tmp_path / "a", toy_evaluate(more, []), base=load_scenario("digital_arti"))
    assert counts == {"told_now": 10, "resumed": 0, "before": 40}


def test_a_study_asked_one_trial_at_a_time_by_an_earlier_labsim_is_refused(tmp_path):
    from sim.config.scenario import load_scenario
    from sim.errors import LabsimError

    spec, base = toy_spec(tmp_path, budget=10, population=5), load_scenario("digital_arti")
    (tmp_path / "a").mkdir()
    opt.open_study(spec, base, tmp_path / "a").ask(opt._distributions(spec))  # left running, as an old search was
    with pytest.raises(LabsimError, match="earlier labsim"):
        opt.optimize(spec, "digital_arti", tmp_path / "a", toy_evaluate(spec, []), base=base)


@pytest.mark.parametrize("name", ["re?s", "a#b", "100%", "x?y#z%20"])
def test_the_study_is_where_its_folder_is_whatever_the_folder_is_named(tmp_path, name):
    # the study was opened by an SQLite URL: "re?s/study.db" made a database "re" beside --out
    from sim.config.scenario import load_scenario

    spec, base = toy_spec(tmp_path, budget=10, population=5), load_scenario("digital_arti")
    out = tmp_path / "runs" / name
    out.mkdir(parents=True)
    opt.optimize(spec, "digital_arti", out, toy_evaluate(spec, []), base=base)
    assert [p.name for p in (tmp_path / "runs").iterdir()] == [name]
    assert (out / opt.STUDY).is_file() and len(opt.evaluations_table(spec, base, out)) == 10


def test_pareto_mask_on_a_small_case():
    values = [[1, 5], [2, 4], [2, 6], [0, 0], [1, 5]]
    assert opt.pareto_mask(values, ["max", "max"]).tolist() == [False, False, True, False, False]
    assert opt.pareto_mask(values, ["min", "min"]).tolist() == [False, False, False, True, False]
    assert opt.pareto_mask(values, ["max", "min"]).tolist() == [False, True, False, True, False]


# -- labsim itself: a tiny lab, killed and resumed -----------------------------------------
TINY_SEARCH = """name = "tiny"
replications = 2
root_seed = 3
years = 0.1
[search]
budget = 12
population = 4
knobs = {{ mediators = [1, 8], open_documentation = [0.0, 1.0] }}
objectives = {{ visitors = "max", costs = "min" }}
constraints = ["costs <= 10000000"]
presets = {presets}
"""


def _as_killed(out: Path, into: Path) -> Path:
    """A copy of a killed search's folder, to look into: sqlite3 opening the study itself would fold its -wal and
    -shm files into study.db and remove them, which a user never does between a kill and the resume."""
    shutil.copytree(out, into)
    return into


@pytest.fixture(scope="module")
def tiny(tmp_path_factory, module_processes):
    """One search on a tiny lab, killed (SIGKILL) after its second generation ran, then run again to the end."""
    d = tmp_path_factory.mktemp("opt")
    (d / "tiny.toml").write_text(f'extends = "{ROOT / "scenarios" / "examples" / "small_open.toml"}"\n'
                                 'name = "tiny"\nwarmup_years = 0\nhost_footfall_per_day = 300.0\n')
    (d / "search.toml").write_text(TINY_SEARCH.format(presets="false"))  # the presets' figure: the toy test
    out = d / "out"
    cmd = [sys.executable, "-m", "sim", "optimize", str(d / "tiny.toml"), "--search", str(d / "search.toml"),
           "--out", str(out), "--workers", "2", "--quiet"]
    killed = module_processes.run(cmd, capture_output=True, text=True, env=os.environ | {opt.KILL_HOOK: "gen-0001"},
                                  cwd=ROOT)
    seen = _as_killed(out, d / "as-killed")
    db = sqlite3.connect(seen / opt.STUDY)
    before = dict(db.execute("select number, state from trials").fetchall())
    (plan,) = db.execute("select value_json from study_user_attributes where key = ?", (f"{opt.PLAN}0001",)).fetchone()
    db.close()
    from sim.batch.store import Store

    runs_before = sum(len(Store(p).runs()) for p in (seen / "evaluations").iterdir())
    resumed = module_processes.run(cmd, capture_output=True, text=True, cwd=ROOT)  # as a user would: the same again
    return {"dir": d, "out": out, "killed": killed, "before": before, "plan": json.loads(plan)["params"],
            "runs_before": runs_before, "resumed": resumed}


def test_killed_search_resumes_without_repeating_finished_evaluations(tiny):
    assert tiny["killed"].returncode == -9
    assert sorted(tiny["before"].values()) == ["COMPLETE"] * 4  # generation 1 was asked (its plan) and run, not told
    assert len(tiny["plan"]) == 4
    res = tiny["resumed"]
    assert res.returncode == 0, res.stderr
    m = re.search(r"\((\d+) evaluated now, (\d+) before, (\d+) resumed; (\d+) runs now\)", res.stdout)
    assert m, res.stdout
    now, before, resumed, runs_now = map(int, m.groups())
    assert (now, before, resumed) == (8, 4, 4)
    db = sqlite3.connect(tiny["out"] / opt.STUDY)
    states = db.execute("select state from trials").fetchall()
    db.close()
    assert len(states) == 12 and {s for (s,) in states} == {"COMPLETE"}  # the same study, to its budget
    import optuna

    trials = optuna.load_study(study_name="labsim", storage=f"sqlite:///{tiny['out'] / opt.STUDY}").get_trials()
    gen1 = sorted((t for t in trials if t.user_attrs["generation"] == 1), key=lambda t: t.user_attrs["slot"])
    assert [t.params for t in gen1] == tiny["plan"]  # the interrupted generation kept its settings, in its order
    from sim.batch.store import Store

    runs_all = sum(len(Store(p).runs()) for p in (tiny["out"] / "evaluations").iterdir())
    assert tiny["runs_before"] >= 8  # generations 0 and 1 had run (up to 2 x 4 settings x 2 replications)
    assert runs_all == tiny["runs_before"] + runs_now  # no run was run twice


SIGTERM_AFTER = """
import os, signal, sys
import optuna
import sim.batch.runner as runner
where, after = os.environ["AFTER"].split(":")
real_add, real_ask, taken = runner._Buffer.add, optuna.Study.ask, [0]
def add(self, rows, series):
    real_add(self, rows, series)
    count("run")
def ask(self, *args, **kwargs):
    trial = real_ask(self, *args, **kwargs)
    count("ask")
    return trial
def count(what):
    taken[0] += what == where
    if what == where and taken[0] == int(after):
        os.kill(os.getpid(), signal.SIGTERM)
runner._Buffer.add, optuna.Study.ask = add, ask
from sim.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _uninterrupted(d: Path) -> tuple[list[str], Path]:
    """The tiny search's command (without --out), and the folder of its search never interrupted (run once)."""
    args = ["optimize", str(d / "tiny.toml"), "--search", str(d / "search.toml"), "--workers", "2", "--quiet"]
    whole = d / "whole"
    if not (whole / "pareto.csv").exists():
        assert main([*args, "--out", str(whole)]) == 0
    return args, whole


# SIGTERM within generation 0's runs (8), within generation 1's, and between two asks of generation 1
@pytest.mark.parametrize("after", ["run:5", "run:13", "ask:6"])
def test_a_search_stopped_by_sigterm_or_sigkill_and_resumed_gives_the_same_study(tiny, after, processes):
    """The same pareto.csv and evaluations.csv as a search never interrupted (SIGTERM mid-batch; kill -9: `tiny`)."""
    d = tiny["dir"]
    args, whole = _uninterrupted(d)
    out = d / f"stopped-{after.replace(':', '-')}"
    stopped = processes.run([sys.executable, "-c", SIGTERM_AFTER, *args, "--out", str(out)], cwd=ROOT,
                            env=os.environ | {"AFTER": str(after)}, capture_output=True, text=True)
    assert stopped.returncode == 130 and "interrupted" in stopped.stderr, stopped.stderr
    assert not (out / "pareto.csv").exists()
    assert main([*args, "--out", str(out)]) == 0
    for name in ("pareto.csv", "evaluations.csv"):
        assert (out / name).read_bytes() == (whole / name).read_bytes(), name
        assert (tiny["out"] / name).read_bytes() == (whole / name).read_bytes(), f"{name} after kill -9"


# kill -9 after the first trial was told, while generation 1 is being asked (in memory: nothing is kept), after
# telling 2 of its 4 candidates, and while generation 2 is being asked after generation 1 was told
@pytest.mark.parametrize("point", ["tell-0000:1", "ask-0001:2", "tell-0001:2", "ask-0002:4"])
def test_a_search_killed_while_asking_or_telling_resumes_to_the_same_study(tiny, point, processes):
    d = tiny["dir"]
    args, whole = _uninterrupted(d)
    out = d / f"killed-{point.replace(':', '-')}"
    killed = processes.run([sys.executable, "-m", "sim", *args, "--out", str(out)], cwd=ROOT, capture_output=True,
                           text=True, env=os.environ | {opt.KILL_HOOK: point})
    assert killed.returncode == -9, killed.stderr
    db = sqlite3.connect(_as_killed(out, d / f"seen-{point.replace(':', '-')}") / opt.STUDY)
    told = db.execute("select count(*) from trials").fetchone()[0]
    plans = [k for (k,) in db.execute("select key from study_user_attributes where key like 'plan-%'")]
    db.close()
    gen, slots = point.split("-")[1].split(":")
    assert told == 4 * int(gen) + (int(slots) if point.startswith("tell") else 0)
    assert sorted(plans) == [f"plan-{g:04d}" for g in range(int(gen) + point.startswith("tell"))]
    assert main([*args, "--out", str(out)]) == 0
    for name in ("pareto.csv", "evaluations.csv"):
        assert (out / name).read_bytes() == (whole / name).read_bytes(), name


# kill -9 from outside, at moments told by what the search has written: its folder made (the first write), its
# study made, the first runs of its first generation on disk
MOMENTS = {"folder": lambda out: out.exists(), "study": lambda out: (out / opt.STUDY).exists(),
           "first-runs": lambda out: any(out.glob("evaluations/*/runs/part-*.parquet"))}


@pytest.mark.parametrize("moment", list(MOMENTS))
def test_a_search_killed_at_any_moment_resumes_with_the_same_command(tiny, moment, processes):
    """Between the kill and the resume nothing a user would not do: the same command again, nothing looked into
    (the folder holds SQLite's study.db-wal and -shm, and labsim.json as it was at the first write)."""
    d = tiny["dir"]
    args, whole = _uninterrupted(d)
    out = d / f"moment-{moment}"
    cmd = [sys.executable, "-m", "sim", *args, "--out", str(out)]
    assert processes.kill_when(cmd, lambda: MOMENTS[moment](out), cwd=ROOT).returncode == -9
    resumed = processes.run(cmd, cwd=ROOT, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    for name in ("pareto.csv", "evaluations.csv"):
        assert (out / name).read_bytes() == (whole / name).read_bytes(), name
    assert json.loads((out / "labsim.json").read_text()).get("finished", True) is True


def test_returned_points_are_non_dominated_and_files_are_written(tiny):
    out = tiny["out"]
    table = pd.read_csv(out / "evaluations.csv")
    front = pd.read_csv(out / "pareto.csv")
    assert len(table) == 12 and len(front) >= 1
    v = table[["visitors", "costs"]].to_numpy()
    for r in front.itertuples():
        dominated = (v[:, 0] >= r.visitors) & (v[:, 1] <= r.costs) & ((v[:, 0] > r.visitors) | (v[:, 1] < r.costs))
        assert not dominated.any(), r
        assert r.visitors_ci_low <= r.visitors <= r.visitors_ci_high
    files = sorted((out / "scenarios").glob("*.toml"))
    assert len(files) == len(front)
    from sim.config.scenario import load_scenario

    first = load_scenario(files[0])
    assert first.settings.mediators == int(front.iloc[0]["mediators"])
    assert first.settings.host_footfall_per_day == 300.0  # it extends the base scenario
    presets = pd.read_csv(out / "presets.csv")
    assert presets["scenario"].tolist() == ["tiny"] and presets["base"].all()  # the base scenario, on the same seeds
    assert (out / "front.png").stat().st_size > 10_000
    html = (out / "report.html").read_text()
    assert "Pareto set" in html and "data:image/png;base64" in html


def test_front_beats_a_random_sample_of_the_same_budget(tiny, tmp_path):
    from sim.config.scenario import load_scenario

    spec = opt.load_search(tiny["dir"] / "search.toml")
    rng = np.random.default_rng(99)
    points = [{"mediators": int(rng.integers(1, 9)), "open_documentation": float(rng.uniform())} for _ in range(12)]
    ev = opt.BatchEvaluator(spec, tmp_path, workers=2, quiet=True)
    load_scenario(tiny["dir"] / "tiny.toml")
    results = ev([str(tiny["dir"] / "tiny.toml")], points, "random")
    sample = np.array([[np.mean([s["visitors"] for s in r]), np.mean([s["costs"] for s in r])] for r in results])
    front = pd.read_csv(tiny["out"] / "pareto.csv")
    best_visitors, best_costs = front["visitors"].max(), front["costs"].min()
    assert best_visitors >= sample[:, 0].max() or best_costs <= sample[:, 1].min()
    # and no random point dominates the whole front
    dominated_all = [(front["visitors"] <= x) & (front["costs"] >= c) for x, c in sample]
    assert not any(d.all() for d in dominated_all)


# -- bad input: one line, exit 2, nothing written -----------------------------------------
GOOD = {"knobs": "{ mediators = [1, 8] }", "objectives": '{ visitors = "max", costs = "min" }',
        "constraints": '["costs <= 600000"]', "budget": "8"}
BAD = [
    ("knobs", "{ mediatorz = [1, 8] }", "mediatorz"),
    ("objectives", '{ visitorz = "max", costs = "min" }', "visitorz"),
    ("knobs", "{ mediators = [4, 4] }", "low < high"),
    ("constraints", '["costz <= 5"]', "costz"),
    ("constraints", '["costs < = five"]', "does not parse"),
    ("objectives", '{ visitors = "max" }', "two or more objectives"),
    ("budget", "0", "budget"),
]


@pytest.mark.parametrize(("key", "value", "said"), BAD, ids=[f"{k}:{v}" for k, v, _ in BAD])
def test_bad_input_is_one_line_exit_2_nothing_written(tmp_path, capsys, key, value, said):
    table = GOOD | {key: value}
    path = tmp_path / "search.toml"
    path.write_text("replications = 1\n[search]\n" + "".join(f"{k} = {v}\n" for k, v in table.items()))
    out = tmp_path / "out"
    assert main(["optimize", "digital_arti", "--search", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("error: ") and str(path) in err[0] and said in err[0]
    assert not out.exists()
    assert main(["validate", str(path)]) == 2  # labsim validate knows search files too
    assert said in capsys.readouterr().err


def test_a_folder_of_another_search_is_refused(tiny, capsys, tmp_path):
    other = tmp_path / "other.toml"
    other.write_text(TINY_SEARCH.format(presets="false").replace("root_seed = 3", "root_seed = 4"))
    mtime = (tiny["out"] / opt.STUDY).stat().st_mtime
    assert main(["optimize", str(tiny["dir"] / "tiny.toml"), "--search", str(other), "--out", str(tiny["out"])]) == 2
    assert "holds another search" in capsys.readouterr().err
    assert (tiny["out"] / opt.STUDY).stat().st_mtime == mtime


@pytest.mark.parametrize("name", ["../../outside", "/etc/evil", "..", "a/b\\c"])
def test_pareto_files_are_named_by_a_slug_never_by_the_scenarios_name(tmp_path, name):
    from types import SimpleNamespace

    spec = SimpleNamespace(knobs={"mediators": (2, 10)}, choices={}, objectives=[("contributors", "max")],
                           name="s", replications=2, root_seed=1)
    front = pd.DataFrame([{"trial": 3, "mediators": 4, "contributors": 90.0, "contributors_ci_low": 80.0,
                           "contributors_ci_high": 100.0}])
    files = opt.scenario_files(spec, "carrefour_numerique", SimpleNamespace(name=name), front, tmp_path)
    (file_name,) = files
    assert "/" not in file_name and "\\" not in file_name and not file_name.startswith(".")
    assert (tmp_path / "scenarios" / file_name).resolve().parent == (tmp_path / "scenarios").resolve()
    assert f'name = "{name}_pareto_01"'.replace("\\", "\\\\") in files[file_name]  # the label keeps the name
