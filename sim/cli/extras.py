"""Commands that need an extra of pyproject.toml say so in one line, before reading any input."""

from __future__ import annotations

from sim.errors import LabsimError


def require_extra(module: str, extra: str, what: str) -> None:
    """Refuse, in one line, a command whose optional packages (an extra of pyproject.toml) are not installed."""
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise LabsimError(f"{what}: needs labsim's '{extra}' extra, which is not installed; "
                          f"pip install 'labsim[{extra}]' (make run and make test install it)")


# The packages of the 'analysis' extra each command imports: the core install (runs, batches, compare,
# calibrate, reports) stays light, and a command missing one says so in one line before reading any input.
ANALYSIS_MODULES = {"sensitivity": ("SALib",), "optimize": ("optuna",), "discover": ("prim", "sklearn")}


def require_analysis(command: str) -> None:
    """Refuse, in one line, an analysis command whose packages (the 'analysis' extra) are missing."""
    for module in ANALYSIS_MODULES[command]:
        require_extra(module, "analysis", command)
