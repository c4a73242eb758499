"""labsim: an agent-based simulation of participation in open labs.

The public API is small: `run(scenario, seed=..., years=...)` for one run,
`load_scenario(name_or_path)` for a validated scenario and `LabModel` for the
Mesa model itself. They are imported on first use, so that `labsim --help` and
`labsim validate` start without loading Mesa, pandas or the model.
"""

__version__ = "0.1.0"

_LAZY = {"RunResult": "sim.run", "run": "sim.run", "Scenario": "sim.scenario", "load_scenario": "sim.scenario",
         "LabModel": "sim.model"}

__all__ = ["LabModel", "RunResult", "Scenario", "__version__", "load_scenario", "run"]


def __getattr__(name: str):
    """Import the public names on first use (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public names, imported or not."""
    return sorted({*globals(), *_LAZY})
