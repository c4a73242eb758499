"""Experiment files, read without running them: grids, samples, digests, seeds, and every problem at once."""

import itertools
from pathlib import Path

import numpy as np
import pytest

from sim.batch.experiment import load_experiment, replication_seeds
from sim.errors import LabsimError


def write(folder: Path, text: str, name: str = "exp.toml") -> Path:
    path = folder / name
    path.write_text(text)
    return path


# -- experiment files -----------------------------------------------------------------
def test_grid_is_the_cartesian_product_of_lists_and_ranges(tmp_path):
    """Lists are taken as given; {from, to, steps} is a linspace, rounded for integer keys."""
    exp = load_experiment(write(tmp_path, """
scenarios = ["digital_arti"]
[grid]
mediators = [2, 6]
access = ["open", "appointment"]
workshops_per_year = { from = 0, to = 10, steps = 3 }
initial_partners = { from = 0, to = 10, steps = 4 }
"""))
    axes = {"mediators": [2, 6], "access": ["open", "appointment"], "workshops_per_year": [0.0, 5.0, 10.0],
            "initial_partners": [0, 3, 7, 10]}
    expected = [dict(zip(axes, combo, strict=True)) for combo in itertools.product(*axes.values())]
    assert len(exp.points) == 2 * 2 * 3 * 4
    assert exp.points == expected
    assert all(isinstance(p["initial_partners"], int) for p in exp.points)
    assert all(isinstance(p["workshops_per_year"], float) for p in exp.points)
    assert exp.varied == list(axes)
    assert exp.replications == 1 and exp.root_seed == 0 and exp.years == 1.0  # the defaults


@pytest.mark.parametrize(("method", "n"), [("lhs", 10), ("sobol", 16)])
def test_sample_gives_n_points_within_bounds(tmp_path, method, n):
    """n points, inside the bounds, integer keys rounded; each 1-D projection is stratified (one point per 1/n)."""
    exp = load_experiment(write(tmp_path, f"""
scenarios = ["digital_arti"]
root_seed = 4
[sample]
method = "{method}"
n = {n}
bounds = {{ mediators = [2, 20], open_documentation = [0.0, 1.0], events_per_year = [5.0, 40.0] }}
"""))
    assert len(exp.points) == n
    assert exp.varied == ["mediators", "open_documentation", "events_per_year"]
    for p in exp.points:
        assert isinstance(p["mediators"], int) and 2 <= p["mediators"] <= 20
        assert isinstance(p["open_documentation"], float) and 0.0 <= p["open_documentation"] <= 1.0
        assert 5.0 <= p["events_per_year"] <= 40.0
    # LHS, and scrambled Sobol with n = 2^m, put exactly one point in each of n equal strata of every axis.
    docs = sorted(int(p["open_documentation"] * n) for p in exp.points)
    events = sorted(int((p["events_per_year"] - 5.0) / 35.0 * n) for p in exp.points)
    assert docs == list(range(n)) and events == list(range(n))


def test_same_file_gives_same_points_and_digest(tmp_path):
    text = """
scenarios = ["digital_arti"]
root_seed = 9
replications = 2
[sample]
method = "lhs"
n = 8
bounds = { mediators = [1, 20], open_documentation = [0.0, 1.0] }
"""
    a, b = load_experiment(write(tmp_path, text)), load_experiment(write(tmp_path, text))
    assert a.points == b.points and a.digest() == b.digest()
    assert [r.seed for r in a.runs()] == [r.seed for r in b.runs()]
    c = load_experiment(write(tmp_path, text.replace("root_seed = 9", "root_seed = 10"), "other.toml"))
    assert c.points != a.points, "the sample is drawn from the root seed"
    assert c.digest() != a.digest()


def test_digest_does_not_depend_on_how_the_path_is_spelled(tmp_path, monkeypatch):
    """`labsim batch exp.toml` and `labsim batch /abs/exp.toml` are the same experiment and must resume each other."""
    write(tmp_path, 'extends = "digital_arti"\nname = "arti_copy"\n', "lab.toml")
    write(tmp_path, 'scenarios = ["lab.toml"]\nreplications = 2\n')
    absolute = load_experiment(tmp_path / "exp.toml")
    monkeypatch.chdir(tmp_path)
    relative = load_experiment("exp.toml")
    assert relative.digest() == absolute.digest()


BAD_GRID = "\n[grid]\nmediators = [2, 4]\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('scenarios = ["digital_arti"]\nseeds = 3\n', ["key 'seeds'", "unknown key"]),
        ('scenarios = ["digital_arti"]\nreplicatons = 3\n', ["did you mean 'replications'"]),
        ('scenarios = ["digital_arti"]\n[grid]\nmediatorz = [1, 2]\n',
         ["[grid] key 'mediatorz'", "unknown scenario key", "did you mean 'mediators'"]),
        ('scenarios = ["digital_arti"]\n[sample]\nmethod = "lhs"\nn = 8\nbounds = { mediators = [20, 2] }\n',
         ["mediators", "low < high"]),
        ('scenarios = ["digital_arti"]\n[grid]\nworkshops_per_year = { from = 10, to = 2, steps = 3 }\n',
         ["workshops_per_year", "from < to"]),
        ('scenarios = ["digital_arti"]\n[sample]\nmethod = "lhs"\nn = 4\nbounds = { mediators = [1, 5] }' + BAD_GRID,
         ["'grid' and 'sample'", "not both"]),
        ('scenarios = ["digital_arti"]\nreplications = 0\n', ["'replications'", "got 0", "[1, 10000]"]),
        ('scenarios = ["carrefour_numerik"]\n', ["carrefour_numerik", "did you mean 'carrefour_numerique'"]),
        ('scenarios = ["digital_arti"]\nfocus = ["contributors", "netresult"]\n',
         ["key 'focus'", "unknown outcome 'netresult'", "did you mean 'net_result'"]),
        ('scenarios = ["digital_arti"]\nfocus = 3\n', ["key 'focus'", "allowed: outcome names"]),
    ],
)
def test_one_bad_key_is_one_problem(tmp_path, text, expected):
    with pytest.raises(LabsimError) as info:
        load_experiment(write(tmp_path, text))
    assert len(info.value.problems) == 1, info.value.problems
    for word in expected:
        assert word in info.value.problems[0]
    assert "exp.toml" in info.value.problems[0], "every problem names the file"


EVERYTHING_WRONG = """
scenarios = ["carrefour_numerik"]
seeds = 3
replications = 0

[grid]
mediatorz = [1, 2]
workshops_per_year = { from = 10, to = 2, steps = 3 }

[sample]
method = "lhs"
n = 4
bounds = { mediators = [1, 5] }
"""
EVERYTHING_WRONG_PROBLEMS = 6  # preset, unknown key, replications, grid+sample, grid key, inverted range


def test_every_problem_of_the_file_is_reported_at_once(tmp_path):
    with pytest.raises(LabsimError) as info:
        load_experiment(write(tmp_path, EVERYTHING_WRONG))
    text = "\n".join(info.value.problems)
    assert len(info.value.problems) == EVERYTHING_WRONG_PROBLEMS, text
    for word in ("carrefour_numerik", "'seeds'", "'replications'", "not both", "mediatorz", "from < to"):
        assert word in text


# -- seeds ----------------------------------------------------------------------------
def test_replication_seeds_come_from_seed_sequence():
    """Seed of replication r: the first 64-bit word of SeedSequence(root, spawn_key=(r,)), shifted into int64."""
    expected = [int(np.random.SeedSequence(2026, spawn_key=(r,)).generate_state(1, np.uint64)[0]) >> 1
                for r in range(6)]
    seeds = replication_seeds(2026, 6)
    assert seeds == expected
    assert len(set(seeds)) == 6 and all(0 <= s < 2**63 for s in seeds)
    assert replication_seeds(2026, 3) == seeds[:3], "adding replications does not change the earlier seeds"
    assert replication_seeds(2027, 6) != seeds


def test_an_experiment_name_with_an_escape_code_is_refused(tmp_path):
    from sim.batch.experiment import load_experiment
    from sim.errors import LabsimError

    f = tmp_path / "exp.toml"
    f.write_text('name = "red\\u001b[31m"\nscenarios = ["digital_arti"]\nreplications = 2\n')
    with pytest.raises(LabsimError) as err:
        load_experiment(f)
    assert "key 'name'" in str(err.value) and "U+001B" in str(err.value)


def test_a_focus_is_kept_with_the_experiment_and_does_not_change_what_runs(tmp_path):
    text = 'scenarios = ["digital_arti"]\nreplications = 2\n[grid]\nmediators = [2, 4]\n'
    plain = load_experiment(write(tmp_path, text))
    focused = load_experiment(write(tmp_path, 'focus = ["works_produced", "net_result"]\n' + text, "f.toml"))
    assert focused.source["focus"] == ["works_produced", "net_result"]  # in the batch's manifest, for its report
    assert focused.digest() == plain.digest()  # a resume with another focus is the same batch


@pytest.mark.parametrize("design", [
    "[grid]\nopen_documentation = { from = 0.0, to = 1.0, steps = 1000 }\n"
    "internal_friction = { from = 0.0, to = 1.0, steps = 100 }\n",
    '[sample]\nmethod = "lhs"\nn = 100000\nbounds = { open_documentation = [0.0, 1.0] }\n'])
def test_a_huge_design_over_many_scenarios_is_refused_before_it_is_built(tmp_path, monkeypatch, design):
    """100 scenarios x 100,000 points (issue 23: 200 s to refuse): counted first, never built nor checked."""
    from scipy.stats import qmc

    import sim.batch.experiment as experiment

    built = []
    monkeypatch.setattr(experiment, "expand", lambda axes: built.append("grid") or [{}])
    monkeypatch.setattr(experiment, "check_points", lambda *args: built.append("checked") or [])
    monkeypatch.setattr(qmc, "LatinHypercube", lambda *a, **k: built.append("sampled"))
    names = []
    for i in range(100):
        write(tmp_path, f'extends = "digital_arti"\nname = "lab_{i}"\n', f"lab_{i}.toml")
        names.append(f'"lab_{i}.toml"')
    path = write(tmp_path, f"scenarios = [{', '.join(names)}]\n{design}")
    with pytest.raises(LabsimError) as refused:
        load_experiment(path)
    assert refused.value.problems == [f"{path}: 100 scenarios x " + (
        "[grid] 1000 x 100" if "grid" in design else "[sample] n = 100000") + " = 10,000,000 design points; "
        "allowed: at most 100,000"]
    assert built == [], "the design was neither built nor checked point by point"
