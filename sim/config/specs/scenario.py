"""A scenario file as a declared model, derived from `sim.config.schema.PARAMS`, for its JSON Schema.

Editors check scenario files against `labsim scenarios --json-schema`. The
schema is pydantic's rendering of this model, which is built from PARAMS (each
key's type, range, choices, default, unit and source), so it cannot drift from
what `sim.config.scenario` accepts. Scenario files themselves are read by
`sim.config.scenario`, whose messages name `extends` chains and interventions.
"""

from __future__ import annotations

import functools
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from sim.config.schema import PARAMS, Param

UNIT = {"ge": 0.0, "le": 1.0}


def _field(p: Param, default: Any) -> tuple[Any, Any]:
    """A key's type (its choices as a Literal) and range, with its meaning, unit and source as the description."""
    kind: Any = Literal[p.choices] if p.choices else p.kind
    bounds = {k: v for k, v in (("ge", p.low), ("le", p.high)) if v is not None and not p.choices}
    if p.kind is tuple:  # a profile: `length` numbers, each in [low, high]
        kind = list[Annotated[float, Field(**bounds)]]
        bounds = {"min_length": p.length, "max_length": p.length}
        default = list(default) if default is not None else None
    return kind, Field(default, description=f"{p.doc} Unit: {p.unit}. Source: {p.source}.", **bounds)


@functools.cache
def scenario_model() -> type[BaseModel]:
    """The model of a scenario file: its meta keys, every scenario key of PARAMS, and [[interventions]]."""
    strict = ConfigDict(extra="forbid", strict=True)
    intervention = create_model(
        "Intervention", __config__=ConfigDict(extra="forbid", strict=True, json_schema_extra={"minProperties": 2}),
        at=(float, Field(..., gt=0, description="Day of the run the changes apply (0 < at < horizon).")),
        **{p.name: _field(p, None) for p in PARAMS})
    return create_model(
        "ScenarioFile", __config__=strict,
        name=(str, Field(None, description="Name of the scenario, used in outputs (a label, not a path).")),
        description=(str, Field("", description="One line on what the scenario is.")),
        extends=(str, Field(None, description="A preset name, or a path relative to this file.")),
        public_market=(float, Field(None, description="Place on the map: 0 = public mission, 1 = market.", **UNIT)),
        open_closed=(float, Field(None, description="Place on the map: 0 = open, 1 = closed.", **UNIT)),
        interventions=(list[intervention], Field(None, description="Timed changes of governance.")),
        **{p.name: _field(p, p.default) for p in PARAMS},
    )


def json_schema() -> dict[str, Any]:
    """JSON Schema (2020-12) of a scenario file, rendered by pydantic from the model PARAMS gives."""
    schema = scenario_model().model_json_schema()
    _untitled(schema)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://labsim.invalid/scenario.schema.json",
        **schema,
        "title": "labsim scenario file",
        "description": "A TOML scenario file of labsim; every key is optional (see docs/scenarios.md).",
    }


def _untitled(node: Any) -> None:
    """Drop pydantic's per-key titles ("Host Footfall Per Day"): the key's name and description say it."""
    if isinstance(node, dict):
        for sub in node.get("properties", {}).values():
            sub.pop("title", None)
        for value in node.values():
            _untitled(value)
    elif isinstance(node, list):
        for value in node:
            _untitled(value)
