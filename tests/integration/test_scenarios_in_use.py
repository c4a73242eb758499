"""Scenarios in use: every preset runs, an intervention changes a running lab, and the scenario commands of the CLI."""

import pytest

from sim.cli import main
from sim.config.scenario import load_scenario
from sim.config.schema import PARAMS
from sim.kinds import Role
from sim.model.model import LabModel

PRESETS = ["carrefour_numerique", "digital_arti", "le_cube", "friche", "institution_culturelle"]


def _intervention_file(tmp_path, at=365):
    f = tmp_path / "iv.toml"
    f.write_text(
        f'extends = "carrefour_numerique"\n[[interventions]]\nat = {at}\naccess = "appointment"\nmediators = 5\n'
    )
    return f


@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_runs(run_model, name):
    model = run_model(name, seed=0, years=0.25)
    assert model.tally["visits"] > 0


def test_intervention_changes_governance_mid_run(tmp_path):
    sc = load_scenario(_intervention_file(tmp_path))
    assert sc.interventions[0].changes == {"access": "appointment", "mediators": 5}
    model = LabModel(sc.with_settings(host_footfall_per_day=2000.0, warmup_years=0.5), rng=1)
    model.run_for(0.5 * 365 + 360)  # `at` counts from the end of the warm-up
    assert len(model.staff) == 10 and model.settings.access == "open"
    model.run_for(60)
    assert len(model.staff) == 5 and model.settings.access == "appointment"
    assert model.people.active_count[Role.MEDIATOR] == 5
    weekly = model.datacollector.get_model_vars_dataframe().set_index("time")["arrivals"]
    after, before = weekly[weekly.index > 366].mean(), weekly[(weekly.index > 300) & (weekly.index < 365)].mean()
    assert after < 0.5 * before


def test_intervention_after_the_horizon_is_refused(tmp_path, capsys):
    f = _intervention_file(tmp_path, at=400)
    assert main(["run", str(f), "--years", "1", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "interventions[0].at = 400" in err and "horizon" in err
    assert not (tmp_path / "o").exists()


def test_validate_reports_every_problem_at_once(tmp_path, capsys):
    f = tmp_path / "bad.toml"
    f.write_text('mediatorz = 3\naccess = "closed"\ndiscovery_rate = 2.0\n[[interventions]]\nat = -5\nevents = 3\n')
    assert main(["validate", str(f), "digital_arti"]) == 2
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    assert len(err) == 5, err
    assert "did you mean 'mediators'" in err[0] and "(line 1)" in err[0]
    assert "ok: digital_arti" in captured.out


def test_scenarios_lists_presets_on_the_map(capsys):
    assert main(["scenarios"]) == 0
    out = capsys.readouterr().out
    for name in PRESETS:
        assert name in out
    assert "public_market" in out and "open_closed" in out


def test_describe_documents_every_key(capsys):
    assert main(["scenarios", "--describe"]) == 0
    out = capsys.readouterr().out
    for p in PARAMS:
        assert p.name in out and p.unit in out
