"""labsim: an agent-based simulation of participation in open labs.

The public API is small: `run(scenario, seed=..., years=...)` for one run and
`load_scenario(name_or_path)` for a validated scenario.
"""

__version__ = "0.1.0"

from sim.run import RunResult, run
from sim.scenario import Scenario, load_scenario

__all__ = ["RunResult", "Scenario", "__version__", "load_scenario", "run"]
