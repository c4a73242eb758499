"""Inert levers on a command's first lines and in its result's JSON (`sim.config.inert` says which).

`compare` and `sensitivity` call `comparison` or `sensitivity` before they run,
so the lines are the terminal's first, and `keep` once their JSON is written,
so the report's first screen shows them (`sim.pages`).
"""

from __future__ import annotations

from pathlib import Path

from sim.errors import LabsimError


def comparison(args, changes: dict) -> list[str]:
    """Print and return the levers of `labsim compare` that cannot move the compared scenarios."""
    from sim.config.inert import comparison_notes

    return _say(comparison_notes(args.scenarios, changes, saved(args.states), fork=args.fork))


def sensitivity(spec) -> list[str]:
    """Print and return the factors of a sensitivity design that cannot move its scenario."""
    from sim.config.inert import sensitivity_notes

    return _say(sensitivity_notes(spec.scenario, dict(zip(spec.names, spec.bounds, strict=True)), saved(spec.states)))


def keep(path: Path, lines: list[str]) -> None:
    """Add the lines to the result's JSON (key `inert`), where the report reads them."""
    from sim.io import add_to_json

    add_to_json(path, inert=lines)


def saved(states) -> object | None:
    """The settings of the saved labs every scenario or point forks from (--from, a file's `from`), or None."""
    if not states:
        return None
    from sim.model.state import LabStates  # only with saved labs: a refusal before the run stays light

    try:
        return LabStates(states).settings
    except LabsimError:
        return None  # the command says why, in its turn


def _say(lines: list[str]) -> list[str]:
    for line in lines:
        print(line, flush=True)  # the terminal's first lines: before the run, not after it
    return lines
