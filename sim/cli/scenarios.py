"""labsim scenarios (the presets, the scenario keys) and labsim validate (files of any kind, without running them)."""

from __future__ import annotations

from pathlib import Path

from sim.cli import options
from sim.errors import LabsimError
from sim.text import counted, wrapped_table


def add_parser(sub) -> None:
    """The scenarios and validate commands."""
    p = sub.add_parser("scenarios", help="list the presets with their place on the case study's map")
    p.add_argument("--describe", action="store_true", help="describe every scenario key instead")
    p.add_argument("--markdown", action="store_true", help="with --describe: print docs/scenarios.md")
    p.add_argument("--json-schema", action="store_true", help="print the JSON Schema of scenario files (for editors)")

    p = sub.add_parser("validate", help="check files of any kind (scenario, experiment, sensitivity, search, targets) "
                                        "and their cost, without running them", parents=[
        options.years("horizon a scenario is checked for (default 1)"), options.allow_large()])
    p.add_argument("files", nargs="+", help="scenario, experiment, sensitivity, search or targets files, or preset names")


def run(args) -> int:
    """Labsim scenarios or validate."""
    return validate(args) if args.command == "validate" else scenarios(args)


def scenarios(args) -> int:
    """List the presets on the map, or describe every scenario key."""
    from sim.config import reference
    from sim.config.scenario import load_scenario, preset_names

    if args.json_schema:
        import json

        from sim.config.scenario import json_schema

        print(json.dumps(json_schema(), indent=2))
        return 0
    if args.describe:
        print(reference.markdown(), end="") if args.markdown else print(reference.describe())
        return 0
    rows = []
    for name in preset_names():
        sc = load_scenario(name)
        pos = sc.map_position
        rows.append((name, f"{pos['public_market']:.2f}", f"{pos['open_closed']:.2f}", sc.description))
    print(wrapped_table(("preset", "public_market", "open_closed", "description"), rows, right=(1, 2)))
    print("\nmap: public_market 0 = public mission, 1 = market; open_closed 0 = open & collaborative, 1 = closed")
    return 0


def file_kind(ref: str) -> str:
    """What a file is, from its top-level keys: scenario, experiment, sensitivity, search or targets (calibrate --from)."""
    from sim.config.files import read_toml
    from sim.config.scenario import is_path_like

    if not is_path_like(ref) and not Path(ref).is_file():
        return "scenario"  # a preset name
    data = read_toml(ref).data
    if "sensitivity" in data:
        return "sensitivity"
    if "search" in data:
        return "search"
    if "scenarios" in data or "grid" in data or "sample" in data:
        return "experiment"
    if set(data) & {"targets", "params"}:
        return "targets"
    return "scenario"


def check_file(ref: str, years: float = 1.0, allow_large: bool = False) -> str:
    """Validate one file of any kind, and its cost; return a one-line description, or raise LabsimError."""
    from sim.config.cost import check_batch, check_run

    kind = file_kind(ref)
    if kind == "search":
        from sim.analysis.optimize import load_search

        spec = load_search(ref)
        return (f"search {spec.name}: {len(spec.knobs) + len(spec.choices)} knobs, {len(spec.objectives)} objectives, "
                f"{len(spec.constraints)} constraints, {spec.budget} evaluations x {spec.replications} replications "
                "(its cost is checked with the scenario by labsim optimize)")
    if kind == "experiment":
        from sim.batch.experiment import load_experiment

        exp = load_experiment(ref)
        hours = check_batch(exp.scenario_objects(), exp.points, exp.replications, exp.years, allow_large, where=ref)
        return f"experiment {exp.name}, {len(exp.points) * len(exp.scenarios) * exp.replications} runs, ~{hours:.2g} CPU h"
    if kind == "sensitivity":
        from sim.analysis.sensitivity_spec import load_spec
        from sim.config.scenario import load_scenario

        spec = load_spec(Path(ref))
        sc = load_scenario(spec.scenario)
        top = dict(zip(spec.names, (b[1] for b in spec.bounds), strict=True))
        from sim.batch.experiment import cast_point

        check_batch([sc], [cast_point(top)], spec.replications, spec.years, allow_large, where=ref)
        return f"sensitivity {spec.name}, {len(spec.names)} parameters"
    if kind == "targets":
        from sim.analysis.calibrate import build_spec

        spec = build_spec(None, [], [], Path(ref), 2, 4, 0)
        return f"targets for calibrate --from: {len(spec.targets)} targets, {len(spec.params)} parameters"
    from sim.config.scenario import load_scenario

    sc = load_scenario(ref)
    sc.check_horizon(years)
    cost = check_run(sc, years, allow_large=allow_large)
    return (f"{sc.name}, {len(sc.interventions)} interventions; {counted(years, 'year')}: ~{cost.people:,.0f} people, "
            f"~{cost.visits:,.0f} visits")


def validate(args) -> int:
    """Report every problem of every file, without running anything."""
    problems = []
    for ref in args.files:
        try:
            print(f"ok: {ref} ({check_file(ref, args.years, args.allow_large)})")
        except LabsimError as exc:
            problems += exc.problems
    if problems:
        raise LabsimError(problems)
    return 0
