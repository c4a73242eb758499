"""A calibration's targets and parameters read and checked, without loading pandas or the model.

Kept apart from sim.analysis.calibrate (which runs the fit) so that `labsim
calibrate` refuses an unknown target, a bad box or a bad targets file in a
fraction of a second, before the heavy packages are imported (issue 34). The
checks that need the model (saved labs, the cohorts a horizon holds) stay in
`calibrate.build_spec`, which calls this first.
"""

from __future__ import annotations

import math
from pathlib import Path

from sim.config.files import show
from sim.config.scenario import Scenario, load_scenario, nearest
from sim.config.schema import PARAM_BY_NAME
from sim.config.specs.batch import whole_bounds
from sim.config.specs.problems import read_spec
from sim.config.specs.targets import TargetsFile, box, unknown_metrics
from sim.errors import LabsimError


def parse_target(text: str) -> tuple[str, float]:
    """'visitors=3000' -> ('visitors', 3000.0)."""
    name, _, value = text.partition("=")
    try:
        number = float(value)
    except ValueError:
        raise LabsimError(f"--target {show(text)}: no number; allowed: NAME=NUMBER, e.g. visitors=3000") from None
    if not math.isfinite(number) or number < 0:
        raise LabsimError(f"--target {show(text)}: allowed: a finite number >= 0")
    return name.strip(), number


def parse_param(text: str) -> tuple[str, tuple[float, float]]:
    """'discovery_rate=0.001:0.01' -> ('discovery_rate', (0.001, 0.01))."""
    name, _, written = text.partition("=")
    bounds = box(written)
    if bounds is None:
        raise LabsimError(f"--param {show(text)}: allowed: NAME=LOW:HIGH with finite numbers, e.g. discovery_rate=0.001:0.01")
    return name.strip(), bounds


def input_problems(scenario: str | None, targets: list[str], params: list[str], from_file: Path | None,
                   years: float, log_targets: dict[str, float] | None = None
                   ) -> tuple[list[str], dict[str, float], dict[str, tuple[float, float]], Scenario | None]:
    """(problems, targets, boxes, the loaded scenario or None): every problem of the inputs, all at once."""
    problems: list[str] = []
    t: dict[str, float] = dict(log_targets or {})
    p: dict[str, tuple[float, float]] = {}
    given: set[str] = set()  # tables the --from file has, right or wrong
    if from_file is not None:  # what the file may hold: sim.config.specs.targets (its target names checked there)
        try:
            file, tf = read_spec(from_file, TargetsFile)
            given = {k for k in ("targets", "params") if k in tf.data}
            t.update(file.targets or {})
            p.update(file.params or {})
        except LabsimError as exc:
            problems += exc.problems
            given = {"targets", "params"}  # right or wrong, the file gave them: its problems say what is wrong
    named: list[str] = []  # the command line's targets
    for text in targets:
        try:
            name, value = parse_target(text)
            t[name] = value
            named.append(name)
        except LabsimError as exc:
            problems += exc.problems
    for text in params:
        try:
            name, bounds = parse_param(text)
            p[name] = bounds
        except LabsimError as exc:
            problems += exc.problems
    if not t and not targets and "targets" not in given:
        problems.append("calibrate: no target; give --target NAME=NUMBER (or [targets] in --from, or --from-log LOG)")
    if not p and not params and "params" not in given:
        problems.append("calibrate: no parameter to fit; give --param NAME=LOW:HIGH (or [params] in --from)")
    problems += [f"--target: {text}" for _, text in unknown_metrics(named)]
    for name, (low, high) in p.items():
        spec = PARAM_BY_NAME.get(name)
        if spec is None:
            problems.append(f"--param {show(name)}: unknown scenario key{nearest(name, list(PARAM_BY_NAME))}")
        elif spec.kind not in (int, float):
            problems.append(f"--param {name}: not numeric; allowed: numeric scenario keys")
        elif not low < high:
            problems.append(f"--param {name}={low:g}:{high:g}: empty or inverted bounds; allowed: LOW < HIGH")
        elif (spec.low is not None and low < spec.low) or (spec.high is not None and high > spec.high):
            problems.append(f"--param {name}={low:g}:{high:g}: outside what the key allows ({spec.allowed()})")
        elif bad := whole_bounds(spec, low, high):
            problems.append(f"--param {name}={low:g}:{high:g}: {bad}")
    try:
        base = load_scenario(scenario) if scenario is not None else None
        if base is not None:
            base.check_horizon(years)
    except LabsimError as exc:
        problems += exc.problems
        base = None
    if base is not None and not problems:  # each knob at each end of its box must give a valid lab
        for name, (low, high) in p.items():
            for end in (low, high):
                value = round(end) if PARAM_BY_NAME[name].kind is int else end
                try:
                    base.with_settings(**{name: value})
                except LabsimError as exc:
                    problems.append(f"--param {name}={low:g}:{high:g}: at {value:g}: {exc.problems[0].split(': ', 1)[-1]}")
    return problems, t, p, base


def check_inputs(scenario: str | None, targets: list[str], params: list[str], from_file: Path | None,
                 years: float = 1.0) -> None:
    """Refuse (LabsimError, every problem) bad targets, boxes, targets file or scenario: the light checks only."""
    problems, *_ = input_problems(scenario, targets, params, from_file, years)
    if problems:
        raise LabsimError(problems)
