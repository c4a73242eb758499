"""Fixtures shared by the three levels of tests (see tests/README.md).

Runs and batches that several tests read are built once per session (or module) and never
written to; a test that changes one takes a copy.
"""

import os

import pytest
from hypothesis import settings
from processes import Processes

from sim.config.scenario import load_scenario
from sim.metrics import summary
from sim.model.model import LabModel

# No test may fail because a machine is slow: plain progress lines (printed every LABSIM_PROGRESS_SECONDS when
# stderr is not a terminal) would land in the stderr that tests read; a test of progress sets its own interval.
os.environ.setdefault("LABSIM_PROGRESS_SECONDS", "86400")

# No test may fail because a machine is slow: hypothesis's default 200 ms deadline per example is off everywhere.
settings.register_profile("labsim", deadline=None)
settings.load_profile("labsim")


def pytest_collection_modifyitems(config, items):
    """A test under tests/statistical/ averages many seeds: it must be marked slow, so that -m "not slow" skips it."""
    unmarked = [i.nodeid for i in items if i.path.parent.name == "statistical" and not i.get_closest_marker("slow")]
    if unmarked:
        raise pytest.UsageError("statistical tests must be marked slow (pytestmark = pytest.mark.slow): "
                                + ", ".join(unmarked))


def _run_model(scenario="carrefour_numerique", seed=0, years=1.0, **changes) -> LabModel:
    sc = load_scenario(scenario)
    if changes:
        sc = sc.with_settings(**changes)
    model = LabModel(sc, rng=seed)
    model.run_years(years)
    return model


@pytest.fixture(scope="session")
def run_model():
    """run_model(scenario, seed, years, **settings) -> a LabModel run for `years` after its warm-up (no metrics)."""
    return _run_model


@pytest.fixture(scope="session")
def open_lab() -> LabModel:
    """The open case-study lab (carrefour_numerique), seed 3, one measured year: read it, never step it."""
    return _run_model("carrefour_numerique", seed=3)


@pytest.fixture(scope="session")
def closed_lab() -> LabModel:
    """The closed case-study lab (digital_arti), seed 3, one measured year: read it, never step it."""
    return _run_model("digital_arti", seed=3)


@pytest.fixture(scope="session")
def open_summary(open_lab) -> dict:
    return summary(open_lab)


@pytest.fixture(scope="session")
def closed_summary(closed_lab) -> dict:
    return summary(closed_lab)


@pytest.fixture
def processes():
    """Start processes with `processes.popen(cmd, ...)` or `processes.run(cmd, ...)`: each in a process group of
    its own, killed (the whole group) and reaped when the test ends, however it ends (tests/processes.py)."""
    with Processes() as started:
        yield started


@pytest.fixture(scope="module")
def module_processes():
    """`processes` for a module's fixture: the groups are killed and reaped when the module's tests end."""
    with Processes() as started:
        yield started
