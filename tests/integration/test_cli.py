"""The command line end to end, and its answers to bad input."""

import json
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main

FAST = "digital_arti"  # a small lab: the end-to-end runs take about a second
OUTPUTS = {"summary.json", "timeseries.csv", "network.graphml", "people.csv", "funnel.png", "timeseries.png",
           "network.png", "scenario.toml", "labsim.json"}
REQUIRED = {
    "visitors",
    "returning_visitors",
    "contributors",
    "contributors_active_end",
    "partners",
    "mediators",
    "artists",
    "conversion_visitor_contributor",
    "conversion_contributor_partner",
    "visits",
    "workshops_held",
    "events_held",
    "residencies_completed",
    "works_produced",
    "revenue",
    "docs_pages",
    "blog_articles_published",
    "gini_visits",
    "nodes",
    "edges",
    "density",
    "avg_clustering",
    "giant_component_share",
    "degree_centralization",
    "betweenness_centralization",
    "mediator_betweenness_share",
    "modularity",
    "core_size",
    "scenario",
    "seed",
    "years",
    "labsim_version",
}


def test_run_writes_everything(tmp_path, capsys):
    assert main(["run", "scenarios/digital_arti.toml", "--seed", "1", "--out", str(tmp_path / "a")]) == 0
    assert {p.name for p in (tmp_path / "a").iterdir()} == OUTPUTS
    summary = json.loads((tmp_path / "a" / "summary.json").read_text())
    assert set(summary) >= REQUIRED
    assert summary["seed"] == 1 and summary["scenario"] == "digital_arti"
    header = (tmp_path / "a" / "timeseries.csv").read_text().splitlines()[0].split(",")
    assert {
        "time",
        "visitors",
        "contributors",
        "partners",
        "mediators",
        "artists",
        "arrivals",
        "visits",
        "lapses",
        "docs_pages",
        "revenue",
    } <= set(header)
    rows = (tmp_path / "a" / "timeseries.csv").read_text().splitlines()[1:]
    assert len(rows) == 52  # one row a week
    assert "visitors" in capsys.readouterr().out


def test_same_seed_gives_byte_identical_files(tmp_path):
    for name, seed in (("a", "4"), ("b", "4"), ("c", "5")):
        assert main(["run", FAST, "--seed", seed, "--out", str(tmp_path / name), "--no-figures"]) == 0
    for f in ("summary.json", "timeseries.csv"):
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes()
    assert (tmp_path / "a" / "timeseries.csv").read_bytes() != (tmp_path / "c" / "timeseries.csv").read_bytes()


def test_python_dash_m_sim_works(tmp_path, processes):
    proc = processes.run(
        [sys.executable, "-m", "sim", "run", FAST, "--years", "0.25", "--out", str(tmp_path), "--no-figures"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads((tmp_path / "summary.json").read_text())["years"] == 0.25


def _bad(tmp_path, capsys, argv, *expected):
    out = tmp_path / "out"
    assert main([*argv, "--out", str(out)] if argv[0] == "run" else argv) == 2
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err
    for word in expected:
        assert word in err, err
    assert not out.exists(), "nothing may be written on bad input"
    return err


def test_missing_file(tmp_path, capsys):
    err = _bad(tmp_path, capsys, ["run", str(tmp_path / "nope.toml")], "nope.toml", "no such")
    assert len(err.splitlines()) == 1


def test_unknown_preset_suggests(tmp_path, capsys):
    _bad(tmp_path, capsys, ["run", "carrefour_numerik"], "did you mean 'carrefour_numerique'")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "mediators = 10\nmediatorz = 3\n",
            ["bad.toml", "mediatorz", "unknown key", "did you mean 'mediators'", "line 2"],
        ),
        ("mediators = 'ten'\n", ["bad.toml", "mediators", "an integer"]),
        ("discovery_rate = 1.5\n", ["bad.toml", "discovery_rate", "[0, 1]"]),
        ("access = 'closed'\n", ["bad.toml", "access", "'open', 'appointment'"]),
        ("mediators = \n", ["bad.toml", "malformed TOML", "line 1"]),
        ("[mediation]\nmediators = 3\n", ["bad.toml", "mediation", "top level"]),
    ],
)
def test_bad_scenario_file(tmp_path, capsys, text, expected):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    err = _bad(tmp_path, capsys, ["run", str(path)], *expected)
    assert len(err.splitlines()) == 1


@pytest.mark.parametrize(
    ("flag", "value"), [("--seed", "-1"), ("--seed", "abc"), ("--years", "0"), ("--years", "x"), ("--years", "100")]
)
def test_bad_seed_or_years(tmp_path, capsys, flag, value):
    err = _bad(tmp_path, capsys, ["run", FAST, flag, value], flag, "allowed")
    assert len(err.splitlines()) == 1


def test_unreadable_file(tmp_path, capsys):
    path = tmp_path / "bin.toml"
    path.write_bytes(b"\xff\xfe\x00")
    _bad(tmp_path, capsys, ["run", str(path)], "bin.toml", "cannot read")


def test_casestudy_writes_both_labs(tmp_path):
    assert main(["casestudy", "--out", str(tmp_path), "--years", "0.2"]) == 0
    for lab in ("carrefour_numerique", "digital_arti"):
        assert {p.name for p in (tmp_path / lab).iterdir()} == OUTPUTS
    assert (tmp_path / "funnels.png").stat().st_size > 1000


def test_a_large_seed_draws_its_figures(tmp_path):
    # batch seeds are up to 2**63; rerunning one with `labsim run --seed` must work, figures included
    assert main(["run", FAST, "--seed", str(2**62 + 5), "--years", "0.2", "--out", str(tmp_path / "a")]) == 0
    assert (tmp_path / "a" / "network.png").exists()


def test_unwritable_out_is_one_line(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["run", FAST, "--years", "0.1", "--out", str(blocker / "sub")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err


def test_out_holding_other_results_is_refused(tmp_path, capsys):
    assert main(["run", FAST, "--years", "0.1", "--out", str(tmp_path / "r"), "--no-figures"]) == 0
    assert main(["compare", FAST, "friche", "--reps", "2", "--out", str(tmp_path / "r")]) == 2
    assert "holds labsim run results" in capsys.readouterr().err


# -- issue 14: --version, --set, validate of every file kind, lazy start-up, people.csv, progress -----------
ROOT = Path(__file__).resolve().parents[2]
TINY = ["--years", "0.1", "--set", "warmup_years=0", "--no-figures"]


def test_version(capsys):
    from sim import __version__

    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0 and capsys.readouterr().out.strip() == f"labsim {__version__}"


def test_set_changes_the_run(tmp_path):
    out = tmp_path / "a"
    assert main(["run", FAST, *TINY, "--set", "mediators=3", "--set", "access=open", "--out", str(out)]) == 0
    people = pd.read_csv(out / "people.csv")
    assert (people["role"] == "mediator").sum() == 3
    summary = json.loads((out / "summary.json").read_text())
    assert summary["warmup_years"] == 0.0


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("mediatorz=3", "--set: key 'mediatorz': unknown key (did you mean 'mediators'?)"),
        ("mediators=2.5", "key 'mediators': got 2.5 (float); allowed: an integer in"),
        ("access=closed", "key 'access': got 'closed'; allowed: one of 'open', 'appointment'"),
        ("price_per_visit=-1", "key 'price_per_visit': got -1; allowed: a number in"),
        ("mediators", "--set mediators: allowed: KEY=VALUE"),
    ],
)
def test_bad_set_is_one_line(tmp_path, capsys, setting, expected):
    err = _bad(tmp_path, capsys, ["run", FAST, "--set", setting], expected)
    assert len(err.splitlines()) == 1


def test_bad_set_on_compare(tmp_path, capsys):
    out = tmp_path / "c"
    assert main(["compare", FAST, "friche", "--reps", "2", "--out", str(out), "--set", "moderation=maybe"]) == 2
    err = capsys.readouterr().err
    assert "--set: key 'moderation': got 'maybe' (str); allowed: true or false" in err and err.count("\n") == 1
    assert not out.exists()


def test_compare_set_writes_the_scenarios_it_compares(tmp_path):
    from sim.cli.compare import _with_settings
    from sim.config.scenario import load_scenario

    refs = _with_settings([FAST, "scenarios/friche.toml"], {"mediators": 2}, tmp_path / "scenarios")
    loaded = [load_scenario(r) for r in refs]
    assert [s.name for s in loaded] == ["digital_arti", "friche"]  # the names stay the scenarios'
    assert all(s.settings.mediators == 2 for s in loaded)
    assert loaded[1].settings.access == load_scenario("friche").settings.access  # the rest is the base's


def test_validate_passes_on_every_file_under_scenarios(capsys):
    files = sorted(str(p) for p in (ROOT / "scenarios").rglob("*.toml"))
    assert main(["validate", *files]) == 0
    out = capsys.readouterr().out
    assert out.count("ok: ") == len(files)
    for kind in ("experiment ", "sensitivity ", "search ", "targets for calibrate"):
        assert kind in out


def test_validate_names_the_bad_key_of_each_kind(tmp_path, capsys):
    exp = tmp_path / "exp.toml"
    exp.write_text('scenarios = ["digital_arti"]\nreplications = 2\n[grid]\nmediatorz = [1, 2]\n')
    targets = tmp_path / "targets.toml"
    targets.write_text("[targets]\nvisitors = -3\n[params]\ndiscovery_rate = [0.001, 0.01]\n")
    assert main(["validate", str(exp), str(targets), FAST]) == 2
    captured = capsys.readouterr()
    assert "ok: digital_arti" in captured.out
    lines = captured.err.strip().splitlines()
    assert any("exp.toml" in x and "mediatorz" in x for x in lines)
    assert any("targets.toml" in x and "visitors" in x for x in lines)
    assert "Traceback" not in captured.err


def test_small_open_is_a_scenario_where_scenarios_live():
    assert not (ROOT / "scenarios" / "experiments" / "small_open.toml").exists()
    from sim.cli.scenarios import file_kind

    assert file_kind(str(ROOT / "scenarios" / "examples" / "small_open.toml")) == "scenario"


def test_light_commands_import_no_model(processes):
    # labsim --help, scenarios and validate must start fast: no model, Mesa, pandas or matplotlib (issue 14)
    code = ("import sys\nfrom sim.cli import main\n"
            "for argv in (['scenarios'], ['validate', 'scenarios/digital_arti.toml', 'scenarios/experiments/"
            "mediation_access.toml', 'scenarios/experiments/optimize_open.toml']):\n    assert main(argv) == 0\n"
            "heavy = ('sim.model.model', 'mesa', 'pandas', 'matplotlib', 'networkx', 'numpy', 'scipy', 'pyarrow')\n"
            "print('LOADED', sorted(m for m in heavy if m in sys.modules))")
    proc = processes.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert "LOADED []" in proc.stdout
    help_ = processes.run([sys.executable, "-m", "sim", "--help"], capture_output=True, text=True)
    assert help_.returncode == 0 and "--version" in help_.stdout


def test_people_csv_lists_everyone_known_at_the_end(tmp_path):
    out = tmp_path / "p"
    assert main(["run", FAST, *TINY, "--seed", "2", "--out", str(out)]) == 0
    people = pd.read_csv(out / "people.csv")
    assert list(people.columns) == ["id", "role", "role_reached", "affiliation", "channel", "first_visit",
                                    "last_visit", "visits", "visits_measured", "works", "active"]
    assert people["id"].is_unique and people["id"].is_monotonic_increasing
    assert set(people["role"]) <= {"visitor", "contributor", "partner", "artist", "mediator", "engineer", "client"}
    visited = people[people["visits_measured"] > 0]
    assert len(visited) and (visited["last_visit"] >= 0).all() and (visited["last_visit"] <= 0.1 * 365).all()
    assert (people["visits"] >= people["visits_measured"]).all()
    summary = json.loads((out / "summary.json").read_text())
    assert (people["visits_measured"] > 0).sum() <= summary["visitors"] + summary["contributors"] + \
        summary["partners"] + summary["artists"] + summary["partner_organisations"] + summary["client_companies"] + \
        summary["engineer_providers"]


def test_role_reached_is_the_highest_rung(tmp_path):
    out = tmp_path / "r"
    assert main(["run", FAST, *TINY, "--seed", "2", "--years", "0.5", "--out", str(out)]) == 0
    people = pd.read_csv(out / "people.csv", keep_default_na=False)
    rank = {"visitor": 0, "artist": 0, "contributor": 1, "partner": 2, "mediator": 3, "engineer": -1, "client": -1}
    assert (people["role_reached"].map(rank) >= people["role"].map(rank)).all()
    slid = people[(people["role"] == "visitor") & (people["role_reached"] != "visitor")]
    assert set(slid["role_reached"]) <= {"contributor", "partner"}


def test_progress_bar_follows_the_work(monkeypatch):
    from sim.cli.progress import Bar

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    done = []
    with Bar("work", 3, poll=lambda: len(done)) as bar:
        assert bar.on
        done += [1, 2, 3]
        bar.advance("a note")
    assert bar.done == 1
    with Bar("work", 3, quiet=True) as quiet:
        assert not quiet.on


def test_a_piped_run_prints_progress_lines(tmp_path, processes):
    # issue 34: stderr not a terminal -> a plain line every LABSIM_PROGRESS_SECONDS, not silence (nor a rich bar)
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "LABSIM_PROGRESS_SECONDS": "0.05"}
    proc = processes.run([sys.executable, "-m", "sim", "run", FAST, "--years", "0.2", "--out", str(tmp_path / "r")],
                         capture_output=True, text=True, env=env, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    assert any(line.startswith("run: ") and "% " in line.replace("%,", "% ") for line in lines), proc.stderr
    assert "\x1b" not in proc.stderr and "\r" not in proc.stderr  # plain lines: no terminal codes
    assert "files written" in proc.stdout and "run: " not in proc.stdout
    quiet = processes.run([sys.executable, "-m", "sim", "run", FAST, "--years", "0.1", "--quiet", "--force",
                           "--out", str(tmp_path / "r")], capture_output=True, text=True, env=env, cwd=ROOT)
    assert quiet.returncode == 0 and quiet.stderr == ""


def test_progress_lines_say_the_share_and_what_is_done(monkeypatch):
    from sim.progress import Mode, Progress

    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    with Progress("runs", 40, poll=lambda: 10) as bar:
        assert bar.mode is Mode.LINES
        bar.done = 10
        bar.stage("warm-up")
        assert bar.line().startswith("runs: 10 of 40, ") and bar.line().endswith("(warm-up)")
    assert Progress("x", None).line().startswith("x: 0 done")


def test_missing_extra_is_one_line():
    from sim.cli.extras import require_extra
    from sim.errors import LabsimError

    with pytest.raises(LabsimError) as exc:
        require_extra("no_such_module_labsim", "dask", "--executor dask")
    (line,) = exc.value.problems
    assert "pip install 'labsim[dask]'" in line and "--executor dask" in line
