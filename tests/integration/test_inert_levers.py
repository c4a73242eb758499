"""Inert levers are true of the model, and compare and sensitivity say them first.

sim.config.inert declares, as data, the condition under which a key acts. Here
every key of that table is changed under its failed condition and the run's
summary must stay identical to the last digit (same seed): the table cannot
claim a lever is inert when it moves the lab. A few keys under a condition that
holds must move it (the test can tell). Tiny runs: a small open lab, no warm-up.
"""

import dataclasses
import json
import math

import pytest
from inert_cases import CASES, context, other_value
from markupsafe import escape

from sim.cli import main
from sim.config.inert import RULES
from sim.config.scenario import Scenario, load_scenario
from sim.metrics import summary
from sim.model.model import LabModel

TINY = {"warmup_years": 0.0, "host_footfall_per_day": 400.0}
YEARS = 0.5


def run(settings) -> dict:
    model = LabModel(Scenario("tiny", settings), rng=5)
    model.run_years(YEARS)
    return summary(model)


def same(a: dict, b: dict) -> bool:
    """Identical summaries (NaN equals NaN)."""
    return a.keys() == b.keys() and all(
        x == y or (isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y))
        for x, y in ((a[k], b[k]) for k in a))


@pytest.fixture(scope="module")
def tiny():
    return load_scenario("carrefour_numerique").with_settings(**TINY).settings


@pytest.fixture(scope="module")
def base_runs():
    return {}


@pytest.mark.parametrize(("rule_index", "key"), CASES)
def test_a_key_under_its_failed_condition_leaves_the_run_identical(tiny, base_runs, rule_index, key):
    off = context(tiny, rule_index, key, holds=False)
    if off not in base_runs:
        base_runs[off] = run(off)
    changed = dataclasses.replace(off, **{key: other_value(key, getattr(off, key))})
    assert same(run(changed), base_runs[off]), f"{key} moved the lab although {RULES[rule_index].why}"


@pytest.mark.parametrize("key", ["slot_size", "doc_weight", "subscription_fee", "workshop_newcomers", "subsidy_rule"])
def test_the_same_key_under_its_condition_moves_the_run(tiny, key):
    rule_index = next(i for i, r in enumerate(RULES) if key in r.keys)
    on = context(tiny, rule_index, key, holds=True)
    value = {"slot_size": 1, "subscription_fee": 500.0}.get(key, other_value(key, getattr(on, key)))
    assert not same(run(dataclasses.replace(on, **{key: value})), run(on)), key


def test_compare_says_an_inert_lever_first_and_the_page_shows_it(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LABSIM_SKIP_BROWSER", "1")
    (tmp_path / "x4.toml").write_text('extends = "carrefour_numerique"\nname = "membership_x4"\n'
                                      'subscription_fee = 0.0\nmediators = 8\n')
    out = tmp_path / "out"
    code = main(["compare", "carrefour_numerique", str(tmp_path / "x4.toml"), "--reps", "2", "--years", "0.1",
                 "--set", "warmup_years=0", "--set", "host_footfall_per_day=300", "--out", str(out), "--quiet",
                 "--workers", "1"])
    assert code == 0
    said = capsys.readouterr().out
    line = ("inert: membership_x4 sets subscription_fee = 0, no change from carrefour_numerique "
            "(a multiple of 0 is 0)")
    assert said.splitlines()[0] == line  # the first line, before the run
    assert json.loads((out / "comparison.json").read_text())["inert"] == [line]
    assert main(["report", str(out)]) == 0
    page = (out / "report.html").read_text()
    assert line in page and page.index(line) < page.index("id='headline'")


def test_sensitivity_says_an_inert_factor_first(tmp_path, capsys):
    pytest.importorskip("SALib")
    spec = tmp_path / "s.toml"
    spec.write_text('name = "s"\nscenarios = ["carrefour_numerique"]\nreplications = 2\nroot_seed = 3\nyears = 0.05\n'
                    '[sensitivity]\nn = 2\noutputs = ["visitors"]\n'
                    'bounds = { mediators = [2, 12], slot_size = [1, 8] }\n')
    lab = tmp_path / "lab.toml"
    lab.write_text('extends = "carrefour_numerique"\nname = "tiny_open"\nwarmup_years = 0.0\n'
                   'host_footfall_per_day = 300.0\n')
    spec.write_text(spec.read_text().replace('"carrefour_numerique"', '"lab.toml"'))
    out = tmp_path / "out"
    assert main(["sensitivity", str(spec), "--out", str(out), "--quiet", "--workers", "1"]) == 0
    said = capsys.readouterr().out
    line = ("inert: sensitivity factors: slot_size does nothing in tiny_open: access is 'open' "
            "(booking and slots exist under access 'appointment' only)")
    assert said.splitlines()[0] == line
    assert json.loads((out / "sensitivity.json").read_text())["inert"] == [line]
    assert main(["report", str(out)]) == 0
    page, shown = (out / "report.html").read_text(), str(escape(line))  # escaped by the template
    assert shown in page and page.index(shown) < page.index("<h2>Indices</h2>")
