"""labsim: an agent-based simulation of participation in open labs.

The public API is small: `run(scenario, seed=..., years=...)` for one run,
`load_scenario(name_or_path)` for a validated scenario and `LabModel` for the
Mesa model itself. Importing `sim` is light: Mesa, pandas, networkx and the
model load when a run or `LabModel` needs them, so that `labsim --help` and
`labsim validate` start fast.
"""

from sim.config.scenario import Scenario, load_scenario
from sim.run import RunResult, run  # light: sim.run imports the model only inside run()
from sim.version import __version__

__all__ = ["LabModel", "RunResult", "Scenario", "__version__", "load_scenario", "run"]


def __getattr__(name: str):
    """`sim.LabModel`, imported on first use (PEP 562): it brings Mesa and the model."""
    if name == "LabModel":
        from sim.model.model import LabModel

        return LabModel
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
