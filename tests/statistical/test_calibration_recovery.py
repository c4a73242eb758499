"""Calibration recovers what the model itself produced: targets averaged over 6 seeds, a fit on 3 other seeds."""

import numpy as np
import pytest

from sim.analysis.calibrate import build_spec, calibrate
from sim.config.scenario import load_scenario
from sim.metrics import summary
from sim.run import simulate

pytestmark = pytest.mark.slow

# a young, small open lab: no warm-up and no initial population (as in tests/integration/test_sensitivity_calibration.py)
SMALL = ('extends = "carrefour_numerique"\nname = "tiny_open"\nhost_footfall_per_day = 1000.0\nwarmup_years = 0.0\n'
         "initial_contributors = 0\ninitial_partners = 0\ninitial_dormant = 0\ninitial_former_regulars = 0\n"
         "initial_awareness = 0.0\nevent_reach = 20.0\ndoc_reach_per_year = 200.0\n")


@pytest.fixture
def tiny(tmp_path):
    path = tmp_path / "tiny_open.toml"
    path.write_text(SMALL)
    return path


def _truth(tiny, **settings):
    """Targets the model itself produces at known settings (mean of 6 seeds)."""
    sc = load_scenario(tiny).with_settings(**settings)
    runs = [summary(simulate(sc, seed, 1.0), network=False) for seed in range(100, 106)]
    return {k: float(np.mean([r[k] for r in runs])) for k in ("visitors", "returning_visitors")}


def test_calibration_recovers_known_values(tiny):
    truth = {"discovery_rate": 0.006, "return_base_visitor": 0.15}
    targets = _truth(tiny, **truth)
    spec = build_spec(str(tiny), [f"{k}={v}" for k, v in targets.items()],
                      ["discovery_rate=0.002:0.012", "return_base_visitor=0.02:0.3"], None, reps=3, budget=24,
                      root_seed=5)
    fitted, table = calibrate(spec, workers=2)
    # tolerance: 15% of the true value (the targets are means of 6 seeds, the fit uses 3 other seeds)
    assert fitted["discovery_rate"] == pytest.approx(truth["discovery_rate"], rel=0.15)
    assert fitted["return_base_visitor"] == pytest.approx(truth["return_base_visitor"], rel=0.15)
    assert table["reproduced"].all(), table
