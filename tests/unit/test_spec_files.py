"""Input files as declared models (sim/config/specs): a file with three problems lists all three, one line each."""

import re

import pytest

from sim.analysis.calibrate import build_spec
from sim.analysis.optimize import load_search
from sim.analysis.sensitivity import load_spec
from sim.batch.experiment import load_experiment
from sim.config.specs.scenario import json_schema
from sim.errors import LabsimError

THREE_PROBLEMS = {  # kind: (file text, the key each problem names, in any order)
    "experiment": ('scenarios = ["digital_arti"]\nreplicatons = 3\nyears = 0\n[grid]\nmediatorz = [1, 2]\n',
                   ["key 'replicatons' (line 2)", "key 'years' (line 3)", "[grid] key 'mediatorz' (line 5)"]),
    "sensitivity": ('scenarios = ["digital_arti"]\nroot_seed = -1\n[sensitivity]\nn = 1\noutputs = ["visitorz"]\n'
                    "bounds = { mediators = [2, 5] }\n",
                    ["key 'root_seed' (line 2)", "[sensitivity] key 'n' (line 4)",
                     "[sensitivity] key 'outputs' (line 5)"]),
    "search": ('name = "s"\nreplications = 0\n[search]\nbudget = 0\nknobs = { mediators = [2, 5] }\n'
               'objectives = { contributors = "max", costz = "min" }\n',
               ["key 'replications' (line 2)", "[search] key 'budget' (line 4)", "[search] key 'objectives' (line 6)"]),
    "targets": ("[targets]\nvisitors = -3\nvisitorz = 4\n[params]\ndiscovery_rate = [0.001]\n",
                ["[targets] key 'visitors' (line 2)", "[targets] key 'visitorz' (line 3)",
                 "[params] key 'discovery_rate' (line 5)"]),
}
LOADERS = {
    "experiment": load_experiment, "sensitivity": load_spec, "search": load_search,
    "targets": lambda path: build_spec(None, [], [], path, 2, 4, 0),
}


@pytest.mark.parametrize("kind", list(THREE_PROBLEMS))
def test_a_file_with_three_problems_lists_all_three_one_line_each_with_its_line(tmp_path, kind):
    text, where = THREE_PROBLEMS[kind]
    path = tmp_path / f"{kind}.toml"
    path.write_text(text)
    with pytest.raises(LabsimError) as info:
        LOADERS[kind](path)
    problems = info.value.problems
    assert len(problems) == 3, problems
    for line in problems:
        assert "\n" not in line and line.startswith(f"{path}: ") and re.search(r"\(line \d+\)", line), line
        assert "allowed" in line or "unknown" in line, line
    for key in where:
        assert sum(key in line for line in problems) == 1, (key, problems)


@pytest.mark.parametrize("kind", list(THREE_PROBLEMS))
def test_an_unknown_key_is_named_with_a_did_you_mean_and_what_is_allowed(tmp_path, kind):
    text = {"experiment": 'scenarios = ["digital_arti"]\nnmae = "x"\n',
            "sensitivity": 'scenarios = ["digital_arti"]\nnmae = "x"\n[sensitivity]\nbounds = { mediators = [2, 5] }\n',
            "search": 'nmae = "x"\n[search]\nbudget = 4\nknobs = { mediators = [2, 5] }\n'
                      'objectives = { contributors = "max", costs = "min" }\n',
            "targets": "nmae = 3\n[targets]\nvisitors = 3\n[params]\nmediators = [2, 5]\n"}[kind]
    path = tmp_path / f"{kind}.toml"
    path.write_text(text)
    with pytest.raises(LabsimError) as info:
        LOADERS[kind](path)
    [line] = info.value.problems
    assert "key 'nmae'" in line and "unknown key" in line and "allowed: " in line
    if kind != "targets":
        assert "did you mean 'name'?" in line


def test_the_json_schema_is_derived_from_the_one_declaration():
    from sim.config.schema import PARAMS

    schema = json_schema()
    assert schema["additionalProperties"] is False
    for p in PARAMS:
        prop = schema["properties"][p.name]
        assert prop["default"] == (list(p.default) if p.kind is tuple else p.default) and p.doc in prop["description"]
        if p.kind is tuple:  # a profile: an array of `length` numbers in [low, high]
            assert prop["type"] == "array" and prop["minItems"] == prop["maxItems"] == p.length
            assert prop["items"]["minimum"] == p.low and prop["items"]["maximum"] == p.high
        elif p.choices:
            assert prop["enum"] == list(p.choices)
        elif p.kind in (int, float):
            assert prop["type"] == ("integer" if p.kind is int else "number")
            assert prop.get("minimum") == p.low and prop.get("maximum") == p.high
