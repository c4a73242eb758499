"""Property-based tests: the loader over random files, the model's invariants over random settings."""

import json
import math

import numpy as np
import pytest
from conftest import valid_value
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.budget import COSTS, INCOME
from sim.errors import LabsimError
from sim.kinds import Affiliation, Channel, Role
from sim.metrics import CHANNELS, summary
from sim.model import LabModel
from sim.scenario import Scenario, check_consistency, load_scenario
from sim.schema import PARAMS


def toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return json.dumps(v)
    return repr(v)


valid_files = st.fixed_dictionaries({}, optional={p.name: valid_value(p) for p in PARAMS})


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=valid_files)
def test_loader_round_trips_valid_files(tmp_path, values):
    f = tmp_path / "s.toml"
    f.write_text("".join(f"{k} = {toml_value(v)}\n" for k, v in values.items()))
    try:
        sc = load_scenario(f)
    except LabsimError as exc:  # only contradictions between valid values may be refused
        assert all("key" in p and ("need" in p or "no one" in p or "no tie" in p) for p in exc.problems), exc.problems
        return
    for k, v in values.items():
        assert getattr(sc.settings, k) == v
    assert not check_consistency(sc.settings)


numeric = [p for p in PARAMS if p.kind in (int, float) and p.high is not None]


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(p=st.sampled_from(numeric), excess=st.floats(0.001, 1e6))
def test_out_of_range_values_name_the_key(tmp_path, p, excess):
    bad = p.high + (math.ceil(excess) if p.kind is int else excess)
    f = tmp_path / "s.toml"
    f.write_text(f"{p.name} = {bad!r}\n")
    with pytest.raises(LabsimError) as info:
        load_scenario(f)
    assert len(info.value.problems) == 1
    assert f"key '{p.name}' (line 1)" in info.value.problems[0] and "allowed" in info.value.problems[0]


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=80))
def test_loader_never_crashes_on_garbage(tmp_path, text):
    f = tmp_path / "g.toml"
    f.write_text(text, encoding="utf-8")
    try:
        load_scenario(f)
    except LabsimError as exc:
        assert all(str(f) in p for p in exc.problems)


# Knobs a student or analyst would turn, in ranges that keep one run short.
knobs = st.fixed_dictionaries(
    {
        "host_footfall_per_day": st.floats(0, 1500),
        "mediators": st.integers(1, 15),
        "access": st.sampled_from(["open", "appointment"]),
        "price_per_visit": st.floats(0, 30),
        "open_documentation": st.floats(0, 1),
        "internal_friction": st.floats(0, 1),
        "contributor_selectivity": st.floats(0, 1),
        "events_per_year": st.floats(0, 20),
        "workshops_per_year": st.floats(0, 60),
        "residency_calls_per_year": st.floats(0, 4),
        "selectivity": st.floats(0, 1),
        "engineer_providers": st.integers(0, 3),
        "engineer_hours_per_residency": st.floats(0, 300),
        "client_pool": st.integers(0, 20),
        "client_interest": st.floats(0, 1),
        "rental_share": st.floats(0, 1),
        "company_projects_per_year": st.floats(0, 30),
        "confidential_share": st.floats(0, 1),
        "subscription_fee": st.floats(0, 500),
        "workshop_fee": st.floats(0, 50),
        "subsidy_per_year": st.floats(0, 1e6),
        "organisation_pool": st.integers(0, 10),
        "organisation_join_per_event": st.floats(0, 1),
        "blog_new_authors_per_year": st.floats(0, 100),
        "moderation": st.booleans(),
        "space_capacity": st.integers(1, 100),
        "partners_per_mediator": st.floats(0, 10),
        "reactivation_rate": st.floats(0, 0.2),
        "warmup_years": st.sampled_from([0.0, 0.2]),
    }
)


@settings(max_examples=25, deadline=None)
@given(changes=knobs, seed=st.integers(0, 2**32 - 1))
def test_model_invariants_hold_for_random_settings(changes, seed):
    model = LabModel(Scenario("prop").with_settings(**changes), rng=seed)
    model.run_years(0.3)
    s = summary(model, network=False)
    assert s["visitors"] >= s["returning_visitors"] >= 0
    assert s["visitors"] >= model.tally["promoted_contributor"] >= model.tally["promoted_partner"] >= 0
    assert s["contributors"] >= s["partners"] >= s["partners_active_end"] >= 0
    assert s["newcomers"] == sum(s[f"newcomers_{c}"] for c in CHANNELS) <= s["visitors"]
    assert 0 <= s["gini_visits"] <= 1 and 0 <= s["visitors_4plus_share"] <= 1
    people = model.people
    live = model.careers.dormant.live()  # the dormant, each once; stale entries (came back since) are skipped
    assert np.unique(live).size == live.size and not people.active[live].any()
    pending = np.concatenate([np.asarray(v, dtype=np.int64) for v in model.programme.selected.values()] or [live[:0]])
    # residents before their start or after their end, organisations whose partnership ended: inactive, not dormant
    dormant = people.where(~people.active, ~people.gone, people.affiliation <= Affiliation.INDIVIDUAL,
                           ~((people.role == Role.ARTIST) & (people.channel == Channel.RESIDENCY)),
                           people.role != Role.MEDIATOR)
    assert sorted(live.tolist()) == sorted(set(dormant.tolist()) - set(pending.tolist()))
    assert not np.isin(model.network.nodes(), people.where(people.gone)).any()
    counted = np.bincount(people.role[people.where(people.active)], minlength=len(Role))
    assert counted.tolist() == people.active_count.tolist()
    assert s["revenue"] >= 0 and s["works_produced"] >= 0
    # the books add up (issue 12): net = revenue + subsidy - costs, each total the sum of its parts
    assert s["net_result"] == pytest.approx(s["revenue"] + s["subsidy"] - s["costs"], abs=0.01)
    assert s["revenue"] == pytest.approx(sum(s[f"revenue_{k}"] for k in INCOME), abs=0.01)
    assert s["costs"] == pytest.approx(sum(s[f"costs_{k}"] for k in COSTS), abs=0.01)
    assert min(s[f"revenue_{k}"] for k in INCOME) >= 0 and min(s[f"costs_{k}"] for k in COSTS) >= 0
    assert s["client_companies"] <= changes["client_pool"]
    assert s["partner_organisations"] <= max(changes["organisation_pool"], 3)
