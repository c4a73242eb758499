"""A sensitivity file read and checked into a `SensitivitySpec`, without loading pandas, SALib or the model.

Kept apart from sim.analysis.sensitivity (which runs and analyses the design) so
that `labsim sensitivity` and `labsim validate` refuse a bad file in a fraction of
a second, before the heavy packages are imported (issue 34).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sim.batch.experiment import cast_point, check_points, check_states
from sim.config.files import cap
from sim.config.specs.batch import SensitivityFile
from sim.config.specs.problems import read_spec
from sim.errors import LabsimError


@dataclass
class SensitivitySpec:
    """A validated sensitivity analysis."""

    name: str
    scenario: str
    names: list[str]
    bounds: list[list[float]]
    n: int
    outputs: list[str]
    replications: int
    root_seed: int
    years: float
    states: str | None = None  # saved mature labs (labsim warmup): every design point a policy forked from them

    @property
    def problem(self) -> dict:
        """SALib's problem definition."""
        return {"num_vars": len(self.names), "names": self.names, "bounds": self.bounds}


def load_spec(path: Path) -> SensitivitySpec:
    """A sensitivity file (`sim.config.specs.batch.SensitivityFile`), its box checked on the base scenario."""
    file, tf = read_spec(path, SensitivityFile)
    table, where = file.sensitivity, str(tf.path)
    names = list(table.bounds)
    lows, highs = [lo for lo, _ in table.bounds.values()], [hi for _, hi in table.bounds.values()]
    corners = [cast_point(dict(zip(names, c, strict=True))) for c in (lows, highs)]  # the box's extreme corners
    corners += [cast_point({k: lo}) for k, lo in zip(names, lows, strict=True)]  # and each knob alone at its low
    corners = list({json.dumps(c, sort_keys=True): c for c in corners}.values())
    problems = check_points(corners, file.loaded, f"{where}: [sensitivity] key 'bounds'")
    if not problems and file.from_:
        problems += check_states(file.from_, file.loaded, corners, file.replications, tf.where("from"))
    if problems:
        raise LabsimError(cap(problems))
    return SensitivitySpec(file.name or tf.path.stem, file.refs[0], names, [list(b) for b in table.bounds.values()],
                           table.n, list(table.outputs), file.replications, file.root_seed, file.years, file.from_)
