"""Targets files (`labsim calibrate --from FILE`), declared: the lab's own numbers and the knobs to fit.

    [targets]
    visitors = 3000
    contributors = 60
    [params]
    discovery_rate = [0.001, 0.01]     # or "0.001:0.01", as --param writes it

The names are checked where they are used (`sim.analysis.calibrate.build_spec`),
with the --target and --param of the command line; here is what the file may hold.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, ClassVar

import annotated_types as at
from pydantic import AfterValidator

from sim.config.files import show
from sim.config.scenario import nearest
from sim.config.specs.problems import SpecModel, finite, key, refuse

PARAM = '[low, high] or "low:high"'


def unknown_metrics(names: list[str]) -> list[tuple[str, str]]:
    """(name, problem) of each name that is not a metric of a run (a calibration target, a sensitivity output)."""
    from sim.outcomes import LADDER_KEYS, NETWORK_KEYS  # light: reading a file needs no numpy

    known = LADDER_KEYS + NETWORK_KEYS
    return [(m, f"unknown metric '{m}'{nearest(m, known)}") for m in names if m not in known]


def _metric(name: str) -> str:
    """A target's name: a metric of a run (checked name by name, whatever its value)."""
    if unknown := unknown_metrics([name]):
        raise refuse(unknown[0][1])
    return name


def box(text: str) -> tuple[float, float] | None:
    """'0.001:0.01' -> (0.001, 0.01); None unless both ends are finite numbers."""
    low, _, high = text.partition(":")
    try:
        bounds = (float(low), float(high))
    except ValueError:
        return None
    return bounds if all(math.isfinite(b) for b in bounds) else None


def _params(value: dict[str, Any]) -> dict[str, tuple[float, float]]:
    out, problems = {}, []
    for name, pair in value.items():
        if isinstance(pair, str) and (found := box(pair)) is not None:
            out[name] = found
        elif isinstance(pair, list) and len(pair) == 2 and all(
                isinstance(v, int | float) and not isinstance(v, bool) for v in pair):
            out[name] = (float(pair[0]), float(pair[1]))
        else:
            problems.append((name, f"got {show(pair)}; allowed: {PARAM}"))
    if problems:
        raise refuse(*problems)
    return out


Target = Annotated[float, at.Ge(0), AfterValidator(finite)]


class TargetsFile(SpecModel):
    """[targets] NAME = NUMBER (a run's metric) and [params] NAME = [LOW, HIGH] (a numeric scenario key)."""

    what: ClassVar[str] = "targets file"

    targets: dict[Annotated[str, AfterValidator(_metric)], Target] | None = key(
        None, "a table [targets] of NAME = NUMBER", entry="a finite number >= 0")
    params: Annotated[dict[str, Any], AfterValidator(_params)] | None = key(
        None, "a table [params] of NAME = [LOW, HIGH]")
