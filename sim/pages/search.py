"""What `labsim optimize` writes once its search is done.

The Pareto set, every evaluation, one scenario file per Pareto point, the
front's figure and optimize.json (its page is `labsim report`'s, `sim.pages.report`).

The search and its tables are `sim.analysis.optimize`'s; this is the layer that turns them into files.
"""

from __future__ import annotations

import json
from pathlib import Path

from sim.analysis.optimize import SearchSpec, evaluations_table, front_table, scenario_files
from sim.errors import LabsimError


def write_outputs(spec: SearchSpec, scenario: str, base, out: Path, dest: Path, presets,
                  failures: dict | None = None) -> dict:
    """pareto.csv, evaluations.csv, scenarios/*.toml, front.png and optimize.json into dest (a staging folder).

    `failures` (sim.batch.failures.Failures.as_dict), when runs failed, is kept in optimize.json for the report.
    """
    from sim import figures
    from sim.csvfile import csv_bytes
    from sim.io import atomic_write

    table = evaluations_table(spec, base, out)
    if table.empty or not (table["status"] == "ok").any():
        raise LabsimError(f"{out}: no evaluation of the search succeeded; see {out / 'evaluations'}")
    front = front_table(spec, table)
    atomic_write(dest / "evaluations.csv", csv_bytes(table))
    atomic_write(dest / "pareto.csv", csv_bytes(front))
    files = scenario_files(spec, scenario, base, front, out)
    for name, text in files.items():
        atomic_write(dest / "scenarios" / name, text.encode())
    atomic_write(dest / "presets.csv", csv_bytes(presets))
    figures.save(figures.front_figure(spec, table, presets), dest / "front.png")
    meta = {"search": spec.name, "search_file": spec.path, "scenario": scenario, "budget": spec.budget,
            "population": spec.population, "replications": spec.replications, "root_seed": spec.root_seed,
            "years": spec.years, "objectives": [f"{k} ({s})" for k, s in spec.objectives],
            "constraints": [c.text for c in spec.constraints], "evaluations": len(table),
            "failed": int((table["status"] != "ok").sum()), "feasible": int(table["feasible"].sum()),
            "pareto_points": len(front), "scenario_files": sorted(files)}
    if failures:
        meta["failures"] = failures
    atomic_write(dest / "optimize.json", json.dumps(meta, indent=2).encode())
    return {"table": table, "front": front, "files": sorted(files)}
