"""Property-based tests of the model: its invariants hold over random settings (each example a short run)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.config.scenario import Scenario
from sim.kinds import Affiliation, Channel, Role
from sim.metrics import CHANNELS, summary
from sim.model.budget import COSTS, INCOME
from sim.model.model import LabModel

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
