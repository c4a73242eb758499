"""Property-based tests of the loader: valid files round-trip, out-of-range values name their key, garbage never crashes."""

import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import valid_value

from sim.config.scenario import check_consistency, load_scenario
from sim.config.schema import PARAMS
from sim.errors import LabsimError


def toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, tuple):  # a profile: a TOML array
        return "[" + ", ".join(repr(x) for x in v) + "]"
    return repr(v)


valid_files = st.fixed_dictionaries({}, optional={p.name: valid_value(p) for p in PARAMS})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=valid_files)
def test_loader_round_trips_valid_files(tmp_path, values):
    f = tmp_path / "s.toml"
    f.write_text("".join(f"{k} = {toml_value(v)}\n" for k, v in values.items()))
    try:
        sc = load_scenario(f)
    except LabsimError as exc:  # only contradictions between valid values may be refused
        assert all("key" in p and ("need" in p or "no one" in p or "no tie" in p) for p in exc.problems), exc.problems
        return
    for k, v in values.items():
        assert getattr(sc.settings, k) == v
    assert not check_consistency(sc.settings)


numeric = [p for p in PARAMS if p.kind in (int, float) and p.high is not None]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(p=st.sampled_from(numeric), excess=st.floats(0.001, 1e6))
def test_out_of_range_values_name_the_key(tmp_path, p, excess):
    bad = p.high + (math.ceil(excess) if p.kind is int else excess)
    f = tmp_path / "s.toml"
    f.write_text(f"{p.name} = {bad!r}\n")
    with pytest.raises(LabsimError) as info:
        load_scenario(f)
    assert len(info.value.problems) == 1
    assert f"key '{p.name}' (line 1)" in info.value.problems[0] and "allowed" in info.value.problems[0]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=80))
def test_loader_never_crashes_on_garbage(tmp_path, text):
    f = tmp_path / "g.toml"
    f.write_text(text, encoding="utf-8")
    try:
        load_scenario(f)
    except LabsimError as exc:
        assert all(str(f) in p for p in exc.problems)

