"""LabModel as Mesa users drive it: keyword settings, model.scenario, batch_run, a plain SolaraViz page (issue 14)."""

import multiprocessing

import pytest

from sim.errors import LabsimError
from sim.model.model import LabModel

TINY = {"host_footfall_per_day": 100.0, "warmup_years": 0.0, "initial_dormant": 10}  # a lab of a few dozen people


def test_keyword_settings_as_in_mesa_examples():
    model = LabModel(mediators=4, access="appointment", rng=1, **TINY)
    assert (model.settings.mediators, model.settings.access) == (4, "appointment")
    assert model.lab_scenario.name == "default"
    preset = LabModel("digital_arti", rng=1, mediators=3)
    assert (preset.lab_scenario.name, preset.settings.mediators) == ("digital_arti", 3)
    assert preset.settings.residency_calls_per_year == 3.0  # the rest is the preset's


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"mediatorz": 4}, "LabModel: key 'mediatorz': unknown key (did you mean 'mediators'?)"),
        ({"access": "closed"}, "LabModel: key 'access': got 'closed'; allowed: one of 'open', 'appointment'"),
        ({"mediators": 0, "workshops_per_year": 10.0}, "workshops need a mediator"),
    ],
)
def test_bad_keyword_is_a_clear_error(settings, expected):
    with pytest.raises(LabsimError) as exc:
        LabModel(rng=1, **settings)
    assert expected in str(exc.value)


def test_mesa_scenario_holds_the_starting_settings():
    model = LabModel(mediators=4, rng=7, **TINY)
    fields = dict(model.scenario)
    assert fields["mediators"] == 4 and fields["rng"] == 7 and model.scenario.model is model
    assert fields["host_footfall_per_day"] == 100.0 and len(fields) > 50  # every setting, not an empty Scenario
    again = LabModel(model.scenario)  # Mesa's way back: settings and seed from the scenario
    assert again.settings == model.settings and again._seed == 7


def test_same_keywords_same_run():
    a, b = LabModel(rng=3, **TINY), LabModel(rng=3, **TINY)
    a.run_for(14)
    b.run_for(14)
    assert a.datacollector.get_model_vars_dataframe().equals(b.datacollector.get_model_vars_dataframe())


def test_mesa_batch_run_drives_it():
    from mesa import batch_run

    method = multiprocessing.get_start_method(allow_none=True)
    try:
        rows = batch_run(LabModel, {**TINY, "mediators": [1, 3]}, rng=[1, 2], max_steps=14, number_processes=1,
                         display_progress=False)
    finally:  # batch_run forces "spawn" on the whole process; the other tests keep theirs
        multiprocessing.set_start_method(method, force=True)
    assert sorted((r["mediators"], r["rng"]) for r in rows) == [(1, 1), (1, 2), (3, 1), (3, 2)]
    assert all(r["time"] > 0 and r["visits"] >= 0 for r in rows)


def test_a_plain_solaraviz_page_resets_it():
    pytest.importorskip("solara", reason="Mesa's SolaraViz comes with the [explore] extra")
    from mesa.visualization import Slider, SolaraViz
    from mesa.visualization.solara_viz import _build_model_init_kwargs

    model = LabModel(rng=1, **TINY)
    page = SolaraViz(model, model_params={"mediators": Slider("Mediators", 2, 1, 10), **TINY}, name="lab")
    assert page is not None
    kwargs = _build_model_init_kwargs(model, {"mediators": 5, "rng": 2, **TINY}, add_scenario_when_empty=True,
                                      require_model_accepts_scenario=True)  # what the Reset button does
    reset = type(model)(**kwargs)
    assert reset.settings.mediators == 5 and reset._seed == 2
