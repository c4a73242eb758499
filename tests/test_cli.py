"""The command line end to end, and its answers to bad input."""

import json
import subprocess
import sys

import pytest

from sim.cli import main

FAST = "digital_arti"  # a small lab: the end-to-end runs take about a second
OUTPUTS = {"summary.json", "timeseries.csv", "network.graphml", "funnel.png", "timeseries.png", "network.png"}
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


def test_python_dash_m_sim_works(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "sim", "run", FAST, "--years", "0.25", "--out", str(tmp_path), "--no-figures"],
        capture_output=True,
        text=True,
        check=False,
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
