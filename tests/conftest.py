import pytest
from hypothesis import strategies as st

from sim.metrics import summary
from sim.model import LabModel
from sim.scenario import load_scenario


def run_model(scenario="carrefour_numerique", seed=0, years=1.0, **changes) -> LabModel:
    """Run a model without computing metrics (fast)."""
    sc = load_scenario(scenario)
    if changes:
        sc = sc.with_settings(**changes)
    model = LabModel(sc, rng=seed)
    model.run_years(years)
    return model


@pytest.fixture(scope="session")
def open_summary(open_lab) -> dict:
    return summary(open_lab)


@pytest.fixture(scope="session")
def closed_summary(closed_lab) -> dict:
    return summary(closed_lab)


@pytest.fixture(scope="session")
def open_lab() -> LabModel:
    return run_model("carrefour_numerique", seed=3)


@pytest.fixture(scope="session")
def closed_lab() -> LabModel:
    return run_model("digital_arti", seed=3)


def valid_value(p):
    """A hypothesis strategy for valid values of one scenario key (sim.schema.Param)."""
    if p.choices:
        return st.sampled_from(p.choices)
    if p.kind is bool:
        return st.booleans()
    if p.kind is int:
        return st.integers(int(p.low), int(p.high))
    return st.floats(p.low, p.high, allow_nan=False, allow_infinity=False)
