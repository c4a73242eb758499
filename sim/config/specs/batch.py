"""Experiment and sensitivity files, declared: the keys every batch-like file shares, then each kind's own.

    name = "mediation_access"          # optional: the file's stem
    scenarios = ["carrefour_numerique"]
    replications = 10
    root_seed = 2026
    years = 1.0
    from = "labs"                      # optional: saved mature labs (labsim warmup), relative to this file
    [grid] / [sample] / focus          # an experiment's design (sim.batch.experiment builds it)
    [sensitivity]                      # a sensitivity analysis's n, outputs and bounds

What a file means (the design's points, the runs) is built in `sim.batch`; here
is only what it may hold, checked key by key with every problem reported.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, Field, ValidationInfo, field_validator, model_validator

from sim.config.files import show
from sim.config.scenario import Scenario, is_path_like, load_scenario, nearest, resolve_from
from sim.config.schema import PARAM_BY_NAME
from sim.config.specs.problems import SpecModel, key, note, one_line, printable, refuse
from sim.config.specs.targets import unknown_metrics
from sim.errors import LabsimError

MAX_YEARS = 50
MAX_REPLICATIONS = 10_000  # run ids hold four digits of replication
MAX_POINTS = 100_000  # design points of one experiment (run ids hold five digits of point)
MAX_STEPS = 1_000  # values of one {from, to, steps} range
MAX_SCENARIOS = 100
MAX_SEED = 2**63 - 1
MAX_N = 1_000  # Morris trajectories or Sobol base samples (Sobol runs N (d + 2) points)
BOUNDS = "a table name = [low, high] of numeric scenario keys"
AXIS = "a non-empty list of values or { from = A, to = B, steps = N }"


@dataclass(frozen=True)
class Base:
    """A base scenario as the file names it (a preset name, or a path made absolute) and as it loaded."""

    ref: str
    scenario: Scenario


@dataclass(frozen=True)
class Steps:
    """A grid axis written `{ from = A, to = B, steps = N }`: N evenly spaced values (integer keys rounded)."""

    low: float
    high: float
    steps: int


def whole_bounds(p: Any, low: float, high: float) -> str:
    """'' if [low, high] suits the key; for an integer key, its ends must be whole numbers.

    Sampled values of an integer key are rounded: with ends that are whole, a rounded value stays in
    the box; [2.5, 2.7] would run 3 (outside it), and optuna refuses a box with no integer outright.
    """
    if p.kind is int and not (float(low).is_integer() and float(high).is_integer()):
        return f"allowed: whole numbers, {p.name} being an integer key (e.g. [{math.floor(low)}, {math.ceil(high)}])"
    return ""


def _number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def check_bounds(value: Any) -> dict[str, tuple[float, float]]:
    """Named numeric bounds [low, high] inside each key's allowed range; every bad name refused at once."""
    if not isinstance(value, dict) or not value:
        raise refuse(f"got {show(value)}; allowed: {BOUNDS}")
    out, problems = {}, []
    for name, pair in value.items():
        p = PARAM_BY_NAME.get(name)
        if p is None:
            problems.append((name, f"unknown scenario key{nearest(name, list(PARAM_BY_NAME))}"))
        elif p.kind not in (int, float):
            problems.append((name, "not numeric; vary it in a [grid] instead"))
        elif not (isinstance(pair, list) and len(pair) == 2 and all(map(_number, pair))) or not pair[0] < pair[1]:
            problems.append((name, f"got {show(pair)}; allowed: [low, high] with low < high"))
        elif (p.low is not None and pair[0] < p.low) or (p.high is not None and pair[1] > p.high):
            problems.append((name, f"got {show(pair)}; allowed: within {p.allowed()}"))
        elif bad := whole_bounds(p, *pair):
            problems.append((name, f"got {show(pair)}; {bad}"))
        else:
            out[name] = (float(pair[0]), float(pair[1]))
    if problems:
        raise refuse(*problems)
    return out


def _resolve_from(value: str, info: ValidationInfo) -> str:
    """A folder of saved labs, relative to the file that names it (checked against the scenarios later)."""
    return str((Path(info.context["path"]).parent / value).resolve())


Name = Annotated[str, AfterValidator(one_line)]
Text = Annotated[str, AfterValidator(printable)]
From = Annotated[str, Field(min_length=1), AfterValidator(_resolve_from)]
SAVED_LABS = "a folder of saved labs (labsim warmup), relative to this file"


class BatchFile(SpecModel):
    """The keys every batch-like file shares: what it is called, which scenarios, how often, from which seed."""

    max_scenarios: ClassVar[int] = MAX_SCENARIOS

    name: Name | None = key(None, "a string")
    description: Text = key("", "a string")
    years: float = key(1.0, gt=0.0, le=float(MAX_YEARS))  # before `scenarios`: their interventions must fit
    scenarios: tuple[Base, ...] = key(..., f"a non-empty list of preset names or scenario paths (at most {MAX_SCENARIOS})")
    replications: int = key(1, ge=1, le=MAX_REPLICATIONS)
    root_seed: int = key(0, ge=0, le=MAX_SEED)
    from_: From | None = key(None, SAVED_LABS, alias="from")

    @model_validator(mode="before")
    @classmethod
    def _named(cls, data: Any, info: ValidationInfo) -> Any:
        """A file without a name is named after its stem."""
        if isinstance(data, dict) and "name" not in data and info.context:
            data = {**data, "name": Path(info.context["path"]).stem}
        return data

    @field_validator("scenarios", mode="before")
    @classmethod
    def _load(cls, value: Any, info: ValidationInfo) -> tuple[Base, ...]:
        """Load each base scenario (relative to the file), its interventions within the run's years."""
        if not isinstance(value, list) or not 1 <= len(value) <= cls.max_scenarios or \
                not all(isinstance(s, str) for s in value):
            many = (f"a non-empty list of preset names or scenario paths (at most {cls.max_scenarios})"
                    if cls.max_scenarios > 1 else "a list of exactly one preset or scenario path")
            raise refuse(f"got {show(value)}; allowed: {many}")
        folder = Path(info.context["path"]).parent if info.context else Path()
        years = info.data.get("years", 1.0)
        loaded, problems = [], []
        for ref in value:
            try:
                path = resolve_from(ref, folder)
                sc = load_scenario(path)
                sc.check_horizon(years)
                loaded.append(Base(str(path.resolve()) if is_path_like(ref) else ref, sc))
            except LabsimError as exc:
                problems += exc.problems
        if problems:
            raise refuse(*problems)
        return tuple(loaded)

    @property
    def refs(self) -> list[str]:
        """The base scenarios as named (presets) or resolved (paths)."""
        return [b.ref for b in self.scenarios]

    @property
    def loaded(self) -> list[Scenario]:
        """The base scenarios, loaded."""
        return [b.scenario for b in self.scenarios]


class Sample(SpecModel):
    """[sample]: a Latin hypercube or scrambled Sobol sample of n points within the bounds."""

    method: Literal["lhs", "sobol"] = key(..., "one of lhs, sobol")
    n: int = key(..., ge=2, le=MAX_POINTS)
    bounds: Annotated[dict[str, Any], AfterValidator(check_bounds)] = key(..., BOUNDS)


def _axes(grid: dict[str, Any]) -> dict[str, list | Steps]:
    """Each grid key's values: a list as given, or a {from, to, steps} range; every bad key refused at once."""
    out: dict[str, list | Steps] = {}
    problems = []
    for name, spec in grid.items():
        if name not in PARAM_BY_NAME:
            problems.append((name, f"unknown scenario key{nearest(name, list(PARAM_BY_NAME))}"))
        elif isinstance(spec, list) and spec:
            if len(spec) > MAX_STEPS:
                problems.append((name, f"{len(spec)} values; allowed: at most {MAX_STEPS}"))
            else:
                out[name] = spec
        elif isinstance(spec, dict) and set(spec) == {"from", "to", "steps"}:
            lo, hi, steps = spec["from"], spec["to"], spec["steps"]
            ok = _number(lo) and _number(hi) and isinstance(steps, int) and not isinstance(steps, bool) \
                and 2 <= steps <= MAX_STEPS
            if not ok or lo >= hi:
                problems.append((name, f"got {show(spec, 80)}; allowed: from < to and steps in [2, {MAX_STEPS}]"))
            else:
                out[name] = Steps(lo, hi, steps)
        else:
            problems.append((name, f"got {show(spec, 80)}; allowed: {AXIS}"))
    if problems:
        raise refuse(*problems)
    return out


def _focus(value: Any) -> list[str]:
    """The outcomes a batch's report leads with (names of the outcome registry)."""
    from sim import outcomes

    names, problems = outcomes.parse_focus(value, "")
    if problems:
        raise refuse(*(p.removeprefix(": ") for p in problems))
    return names


class ExperimentFile(BatchFile):
    """An experiment: base scenarios x a parameter space ([grid] or [sample]) x replications."""

    what: ClassVar[str] = "experiment file"

    grid: Annotated[dict[str, Any], AfterValidator(_axes)] | None = key(
        None, f"a table of scenario keys, each {AXIS}", min_length=1)
    sample: Sample | None = key(None, "a table with method, n and bounds")
    focus: Annotated[Any, AfterValidator(_focus)] = key(None, "outcome names")

    @model_validator(mode="before")
    @classmethod
    def _one_design(cls, data: Any, info: ValidationInfo) -> Any:
        if isinstance(data, dict) and "grid" in data and "sample" in data:
            note(info, "keys 'grid' and 'sample': give one parameter space, not both")
        return data


def _metrics(value: list[str]) -> list[str]:
    if not value:
        raise refuse(f"got {show(value)}; allowed: a non-empty list of metric names")
    if unknown := unknown_metrics(value):
        raise refuse(*(text for _, text in unknown))
    return value


class SensitivityTable(SpecModel):
    """[sensitivity]: the design's size, the outcomes analysed and the knobs' bounds."""

    n: int = key(8, ge=2, le=MAX_N)
    outputs: Annotated[list[str], AfterValidator(_metrics)] = key(
        ["visitors", "contributors", "partners"], "a non-empty list of metric names")
    bounds: Annotated[dict[str, Any], AfterValidator(check_bounds)] = key(..., BOUNDS)


class SensitivityFile(BatchFile):
    """A sensitivity analysis of one base scenario (Morris or Sobol, chosen on the command line)."""

    what: ClassVar[str] = "sensitivity file"
    max_scenarios: ClassVar[int] = 1

    scenarios: tuple[Base, ...] = key(..., "a list of exactly one preset or scenario path")
    replications: int = key(3, ge=1, le=MAX_REPLICATIONS)
    sensitivity: SensitivityTable = key(..., "a table [sensitivity] with n, outputs and bounds",
                                        missing="table [sensitivity]: missing; give n, outputs and bounds")
