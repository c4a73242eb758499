"""The typed settings of a lab: one field per scenario key, built from `sim.config.schema.PARAMS` at import.

`PARAMS` is the one declaration of a key (its unit, range, default, meaning and
source); `Settings` is derived from it, with the same names, order, types and
defaults, so the two cannot drift and no generated file has to be kept in step.
It is a frozen dataclass with slots: the model reads settings millions of times
a run, and a slot is the quickest attribute there is.
"""

from __future__ import annotations

import dataclasses

from sim.config.schema import PARAMS


def _settings_class() -> type:
    """The Settings dataclass: a field per key of PARAMS, its default and its doc (unit and allowed values)."""
    fields = [(p.name, p.kind, dataclasses.field(default=p.default, metadata={"param": p})) for p in PARAMS]
    cls = dataclasses.make_dataclass("Settings", fields, frozen=True, slots=True, module=__name__)
    cls.__doc__ = "Validated values of every scenario key (see `sim.config.schema.PARAMS` and docs/scenarios.md)."
    return cls


Settings = _settings_class()


def settings_from(data: dict) -> Settings:
    """Settings from their JSON form (a saved lab's manifest): a profile read back as a list is held as a tuple."""
    return Settings(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items()})


def plain(values: dict) -> dict:
    """Keys' values as JSON and TOML give them back: a profile (`monthly_opening`) as a list, not a tuple.

    So a stored copy (a batch's identity, a folder's request, a calibrated file) compares equal to what it
    was made from; `settings_from` is the way back.
    """
    return {k: list(v) if isinstance(v, tuple) else v for k, v in values.items()}


def settings_data(settings: Settings) -> dict:
    """Settings as plain data (`plain`)."""
    return plain(dataclasses.asdict(settings))
