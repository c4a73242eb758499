"""A real run's summary: its keys are the declared ones, each has an outcome entry, and its table fits a terminal."""

import pytest

from sim import outcomes
from sim.cli.tables import outcome_table as _table
from sim.config.scenario import load_scenario
from sim.metrics import LADDER_KEYS, NETWORK_KEYS, summary
from sim.model.model import LabModel


@pytest.fixture(scope="module")
def tiny_summary():
    """A young open lab's summary, network included: a tenth of a year, no warm-up."""
    sc = load_scenario("carrefour_numerique").with_settings(warmup_years=0.0, host_footfall_per_day=300.0)
    model = LabModel(sc, rng=2)
    model.run_years(0.1)
    return summary(model)


def test_every_summary_key_has_a_registry_entry(tiny_summary):
    missing = [k for k in tiny_summary if k not in outcomes.REGISTRY]
    assert not missing, f"add these to sim/outcomes.py: {missing}"
    for key in ("scenario", "seed", "years", "warmup_years", "labsim_version"):  # added by sim.run
        assert key in outcomes.REGISTRY


def test_run_table_fits_100_columns(tiny_summary):
    long = {f"scenario_with_a_long_name_{i}": tiny_summary for i in range(5)}
    text = _table(long)
    assert max(len(line) for line in text.splitlines()) <= 100
    assert all(name in text for name in long)


def test_declared_metric_names_match_the_summary(open_summary):
    # a run with a year inside it (a shorter one adds cohort_gap, the note of the cohort measures it cannot give)
    assert tuple(open_summary) == LADDER_KEYS + NETWORK_KEYS


def test_a_run_asked_for_some_outcomes_skips_the_network_measures_only_when_none_needs_them():
    """Calibration asks for its targets only (issue 31 item 7): the network measures are skipped, nothing else moves."""
    from sim.metrics import measures_network
    from sim.run import summarise_run

    assert measures_network(None) and measures_network(["visitors", "modularity"])
    assert not measures_network(["visitors", "visits_q90"]) and not measures_network(["density", "nodes"])
    sc = load_scenario("carrefour_numerique").with_settings(warmup_years=0.0, host_footfall_per_day=300.0)
    (every,), _ = summarise_run(sc, 5, 0.1)
    (some,), _ = summarise_run(sc, 5, 0.1, outcomes=("visitors", "returning_visitors"))
    (net,), _ = summarise_run(sc, 5, 0.1, outcomes=("visitors", "modularity"))
    skipped = set(NETWORK_KEYS) - {"nodes", "density"}
    assert skipped <= set(every) and not skipped & set(some) and net == every
    assert some.pop("density") == pytest.approx(every["density"], abs=1e-8)  # rounded to 8 places by the measures
    assert {k: v for k, v in every.items() if k not in skipped | {"density"}} == some  # the same run: only the measures go
