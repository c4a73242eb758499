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
