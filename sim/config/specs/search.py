"""Search files (`labsim optimize --search FILE`), declared: the knobs, the objectives and the search's size.

    name = "optimize_open"
    replications = 2
    root_seed = 5
    years = 1.0
    [search]
    budget = 24
    population = 8
    knobs = { mediators = [2, 12], open_documentation = [0.0, 1.0] }
    choices = { access = ["open", "appointment"] }
    objectives = { contributors = "max", net_result = "max" }
    constraints = ["costs <= 600000"]
    presets = true

The base scenario is named on the command line, so its checks (every knob at its
ends, the saved labs) are `sim.analysis.optimize.check_scenario`'s.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, ValidationInfo, model_validator

from sim.config.files import show
from sim.config.scenario import nearest
from sim.config.schema import PARAM_BY_NAME
from sim.config.specs.batch import BOUNDS, MAX_SEED, MAX_YEARS, SAVED_LABS, From, Name, Text, check_bounds
from sim.config.specs.problems import SpecModel, key, note, refuse

DIRECTIONS = {"max": "maximize", "min": "minimize"}
OPERATORS = ("<=", ">=")
MAX_BUDGET = 10_000
MAX_REPLICATIONS = 1_000
_CONSTRAINT = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(<=|>=)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$")


@dataclass(frozen=True)
class Constraint:
    """`key <= bound` or `key >= bound`, on the mean over replications."""

    key: str
    op: str
    bound: float

    @property
    def text(self) -> str:
        """As written in the search file."""
        return f"{self.key} {self.op} {self.bound:g}"

    def violation(self, mean: float) -> float:
        """Optuna's constraint value: <= 0 when met, scaled by the bound so constraints weigh alike."""
        gap = mean - self.bound if self.op == "<=" else self.bound - mean
        return gap / max(abs(self.bound), 1.0)


def summary_keys() -> list[str]:
    """Every numeric key of a run's summary, from the outcome registry (a test holds it complete; no numpy here)."""
    from sim import outcomes

    return [n for n, o in outcomes.REGISTRY.items() if o.kind not in ("meta", "text")]


def _choices(value: dict[str, Any]) -> dict[str, list]:
    problems = []
    for name, values in value.items():
        if name not in PARAM_BY_NAME:
            problems.append((name, f"unknown scenario key{nearest(name, list(PARAM_BY_NAME))}"))
        elif not isinstance(values, list) or len(values) < 2 or len({json.dumps(v) for v in values}) < len(values):
            problems.append((name, f"got {show(values)}; allowed: a list of two or more different values"))
        elif not all(isinstance(v, str | int | float | bool) for v in values):
            problems.append((name, f"got {show(values)}; allowed: strings, numbers or booleans"))
    if problems:
        raise refuse(*problems)
    return value


def _objectives(value: dict[str, Any]) -> list[tuple[str, str]]:
    known = summary_keys()
    problems = []
    for name, sense in value.items():
        if name not in known:
            problems.append(f"unknown summary key '{name}'{nearest(name, known)}; allowed: a key of a run's summary "
                            "(see labsim run's summary.json or docs/ODD.md)")
        elif sense not in DIRECTIONS:
            problems.append(f"'{name}' got {show(sense)}; allowed: \"max\" or \"min\"")
    if problems:
        raise refuse(*problems)
    return list(value.items())


def _constraints(value: list[str]) -> list[Constraint]:
    known = summary_keys()
    out, problems = [], []
    for text in value:
        m = _CONSTRAINT.match(text)
        if m is None:
            problems.append(f'{show(text)} does not parse; allowed: "KEY <= NUMBER" or "KEY >= NUMBER", '
                            'e.g. "costs <= 600000"')
        elif m.group(1) not in known:
            problems.append(f"{show(text)}: unknown summary key '{m.group(1)}'{nearest(m.group(1), known)}")
        elif not math.isfinite(float(m.group(3))):
            problems.append(f"{show(text)}: allowed: a finite number")
        else:
            out.append(Constraint(m.group(1), m.group(2), float(m.group(3))))
    if problems:
        raise refuse(*problems)
    return out


def _presets(value: Any) -> list[str]:
    from sim.config.scenario import preset_names

    names = preset_names()
    if value is True:
        return names
    if value is False:
        return []
    if isinstance(value, list) and all(isinstance(v, str) and v in names for v in value):
        return list(dict.fromkeys(value))
    raise refuse(f"got {show(value)}; allowed: true, false or a list of preset names ({', '.join(names)})")


class SearchTable(SpecModel):
    """[search]: the budget, the knobs (numeric boxes and choices), the objectives, constraints and presets shown."""

    budget: int = key(..., ge=1, le=MAX_BUDGET)
    population: int = key(8, ge=2, le=MAX_BUDGET)
    knobs: Annotated[dict[str, Any], AfterValidator(check_bounds)] | None = key(None, BOUNDS)
    choices: Annotated[dict[str, Any], AfterValidator(_choices)] = key(
        {}, "a table of scenario keys, each a list of two or more values")
    objectives: Annotated[dict[str, Any], AfterValidator(_objectives)] = key(
        ..., 'two or more objectives, e.g. { contributors = "max", costs = "min" }', min_length=2)
    constraints: Annotated[list[str], AfterValidator(_constraints)] = key(
        [], 'a list of strings like "costs <= 600000"')
    presets: Annotated[Any, AfterValidator(_presets)] = key(True, "true, false or a list of preset names",
                                                            validate_default=True)

    @model_validator(mode="before")
    @classmethod
    def _knobs(cls, data: Any, info: ValidationInfo) -> Any:
        """Knobs or choices, and a key in one of them only."""
        if not isinstance(data, dict):
            return data
        if "knobs" not in data and "choices" not in data:
            note(info, f"missing; allowed: {BOUNDS}", "search", "knobs")
        knobs, choices = data.get("knobs"), data.get("choices")
        if isinstance(knobs, dict) and isinstance(choices, dict):
            for name in sorted(set(knobs) & set(choices)):
                note(info, "in both knobs and choices; allowed: one of them", "search", name)
        return data


class SearchFile(SpecModel):
    """A many-objective search on one base scenario (named on the command line)."""

    what: ClassVar[str] = "search file"

    name: Name | None = key(None, "a string")
    description: Text = key("", "a string")
    replications: int = key(2, ge=1, le=MAX_REPLICATIONS)
    root_seed: int = key(0, ge=0, le=MAX_SEED)
    years: float = key(1.0, gt=0.0, le=float(MAX_YEARS))
    from_: From | None = key(None, SAVED_LABS, alias="from")
    search: SearchTable = key(..., "a table [search] with budget, knobs and objectives",
                              missing="table [search]: missing; give budget, knobs and objectives")
