"""A fuzzer: files of every kind generated and mutated from the schema, and arguments of every command.

Each example must end with exit 0, or exit 2 with lines that all start with "error: ",
no traceback, and nothing written. Valid commands are stopped where the work would begin
(`ReachedWorkError`), so no example runs a model. No example is timed: a fuzz case that
took too long on a loaded machine once failed `make test` (issue 19); the bounded cost of
absurd files and values is asserted without a clock in tests/integration/test_robustness.py.
"""

import pandas as pd
import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import valid_value

from sim.cli import main
from sim.config.files import control_characters
from sim.config.schema import PARAMS

FAST = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


class ReachedWorkError(Exception):
    """Validation passed and the work was about to start."""


def stop(*args, **kwargs):
    raise ReachedWorkError


WEIRD = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30), st.booleans(), st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5),
                                                                                               st.integers(),
                                                                                               max_size=2),
)
KEYS = [p.name for p in PARAMS]


@st.composite
def scenario_tables(draw):
    """A scenario: some valid keys, then mutations (bad values, unknown keys, tables, extends, interventions)."""
    data = draw(st.fixed_dictionaries({}, optional={p.name: valid_value(p) for p in PARAMS}))
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["bad", "unknown", "table", "extends", "name", "intervention", "map"]))
        if kind == "bad":
            data[draw(st.sampled_from(KEYS))] = draw(WEIRD)
        elif kind == "unknown":
            data[draw(st.text(min_size=1, max_size=20))] = draw(WEIRD)
        elif kind == "table":
            data[draw(st.sampled_from(KEYS))] = {"x": 1}
        elif kind == "extends":
            data["extends"] = draw(st.sampled_from(["digital_arti", "nope", "../../etc/passwd", "/dev/null", "x.toml",
                                                    ".", ""]))
        elif kind == "name":
            data["name"] = draw(st.text(max_size=40))
        elif kind == "intervention":
            data["interventions"] = [{"at": draw(WEIRD), draw(st.sampled_from(KEYS)): draw(WEIRD)}]
        else:
            data[draw(st.sampled_from(["public_market", "open_closed"]))] = draw(WEIRD)
    return data


def dump(data) -> str:
    try:
        return tomli_w.dumps(data)
    except (TypeError, ValueError):  # keys tomli-w cannot write: fall back to the text of a valid subset
        return tomli_w.dumps({k: v for k, v in data.items() if isinstance(k, str) and k.isidentifier()
                              and not isinstance(v, dict | list)})


TEXT_MUTATIONS = st.sampled_from(["none", "truncate", "garbage", "deep", "bigint", "dup"])


def mutate(text: str, how: str, data) -> str:
    if how == "truncate":
        return text[: len(text) // 2]
    if how == "garbage":
        return text + "\n= ]] [[ \x00"
    if how == "deep":
        return text + "\nzz = " + "[" * 3000 + "]" * 3000 + "\n"
    if how == "bigint":
        return text + "\nmediators = " + "7" * 400 + "\n"
    if how == "dup":
        return text + text
    return text


def check(code: int, err: str, tmp_path, out) -> None:
    assert code in (0, 2), (code, err)
    assert "Traceback" not in err
    if code == 2:
        lines = err.strip().splitlines()
        assert lines and all(line.startswith("error: ") for line in lines), err
        assert out is None or not out.exists(), "nothing may be written on bad input"
        assert not [p for p in tmp_path.iterdir() if ".staging-" in p.name]


def run_cli(argv, capsys, monkeypatch_ctx, shown: list | None = None):
    """Exit status and stderr; stdout is appended to `shown` when given."""
    try:
        code = main(argv)
    except ReachedWorkError:
        code = 0
    captured = capsys.readouterr()
    if shown is not None:
        shown.append(captured.out)
    return code, captured.err


def stopped():
    """Patch the places where work starts."""
    import importlib

    mp = pytest.MonkeyPatch()
    for module, name in (("sim.run", "simulate"), ("sim.batch.runner", "make_pool"),
                         ("sim.analysis.calibrate", "calibrate"), ("sim.validation", "run_checks"),
                         ("sim.explorer.assets", "fetch")):
        mp.setattr(importlib.import_module(module), name, stop)
    return mp


@FAST
@given(data=scenario_tables(), how=TEXT_MUTATIONS)
def test_fuzz_scenario_files(tmp_path_factory, capsys, data, how):
    tmp = tmp_path_factory.mktemp("fz")
    f = tmp / "lab.toml"
    f.write_text(mutate(dump(data), how, data))
    out = tmp / "out"
    mp = stopped()
    try:
        for argv in (["validate", str(f)], ["run", str(f), "--years", "0.5", "--out", str(out)]):
            code, err = run_cli(argv, capsys, mp)
            check(code, err, tmp, out if argv[0] == "run" else None)
    finally:
        mp.undo()


@st.composite
def experiment_tables(draw):
    """An experiment, sensitivity or targets file, valid or mutated."""
    kind = draw(st.sampled_from(["experiment", "sensitivity", "targets"]))
    name = draw(st.sampled_from(KEYS))
    p = next(x for x in PARAMS if x.name == name)
    if kind == "targets":
        data = {"targets": {draw(st.sampled_from(["visitors", "partners", "nope"])): draw(WEIRD)},
                "params": {name: draw(st.one_of(st.just([p.low, p.high]), WEIRD))}}
    else:
        data = {"scenarios": draw(st.one_of(st.just(["digital_arti"]), st.lists(st.text(max_size=10), max_size=2),
                                            WEIRD)),
                "replications": draw(st.one_of(st.integers(1, 4), WEIRD)),
                "root_seed": draw(st.one_of(st.integers(0, 2**64), WEIRD)),
                "years": draw(st.one_of(st.floats(0.01, 1), WEIRD))}
        if kind == "sensitivity":
            data["sensitivity"] = {"n": draw(st.one_of(st.integers(2, 4), WEIRD)),
                                   "bounds": {name: draw(st.one_of(st.just([p.low, p.high]), WEIRD))}}
        elif draw(st.booleans()):
            data["grid"] = {name: draw(st.one_of(st.lists(valid_value(p), min_size=1, max_size=3),
                                                 st.fixed_dictionaries({"from": WEIRD, "to": WEIRD, "steps": WEIRD})))}
        else:
            data["sample"] = {"method": draw(st.sampled_from(["lhs", "sobol", "x"])),
                              "n": draw(st.one_of(st.integers(2, 8), WEIRD)), "bounds": {name: [p.low, p.high]}}
    if draw(st.booleans()):
        data[draw(st.text(min_size=1, max_size=8))] = draw(WEIRD)
    return kind, data


def _none_free(x):
    if isinstance(x, dict):
        return {str(k): _none_free(v) for k, v in x.items() if v is not None}
    if isinstance(x, list):
        return [_none_free(v) for v in x if v is not None]
    return x


@FAST
@given(case=experiment_tables(), how=TEXT_MUTATIONS)
def test_fuzz_batch_sensitivity_and_targets_files(tmp_path_factory, capsys, case, how):
    kind, data = case
    tmp = tmp_path_factory.mktemp("fz")
    f = tmp / "f.toml"
    f.write_text(mutate(dump(_none_free(data)), how, data))
    out = tmp / "out"
    argv = {"experiment": ["batch", str(f), "--quiet"], "sensitivity": ["sensitivity", str(f), "--quiet"],
            "targets": ["calibrate", "digital_arti", "--from", str(f)]}[kind]
    mp = stopped()
    try:
        for a in (["validate", str(f)], [*argv, "--out", str(out)]):
            code, err = run_cli(a, capsys, mp)
            check(code, err, tmp, out if a[0] != "validate" else None)
    finally:
        mp.undo()


ARG = st.one_of(st.integers(-5, 5).map(str), st.integers(-(2**80), 2**80).map(str), st.sampled_from(
    ["nan", "inf", "1e9", "0.0", "abc", "", "2", "3", "0.1", "99999999999999999999999"]))


@FAST
@given(command=st.sampled_from(["run", "compare", "map", "calibrate", "check-model", "batch", "sensitivity",
                                "summarize", "report", "explore", "casestudy"]),
       flag=st.sampled_from(["--reps", "--seed", "--years", "--workers", "--resolution", "--budget", "--seeds",
                             "--port", "--network-seeds"]), value=ARG)
def test_fuzz_command_arguments(tmp_path_factory, capsys, command, flag, value):
    tmp = tmp_path_factory.mktemp("fz")
    out = tmp / "out"
    exp = tmp / "exp.toml"
    exp.write_text('scenarios = ["digital_arti"]\nyears = 0.1\n')
    base = {"run": ["run", "digital_arti"], "compare": ["compare", "digital_arti", "friche"], "map": ["map"],
            "calibrate": ["calibrate", "digital_arti", "--target", "visitors=100", "--param",
                          "discovery_rate=0.001:0.01"], "check-model": ["check-model"],
            "batch": ["batch", str(exp)], "sensitivity": ["sensitivity", str(exp)], "summarize": ["summarize"],
            "report": ["report"], "explore": ["explore"], "casestudy": ["casestudy"]}[command]
    takes_out = command not in ("check-model", "summarize", "report", "explore")
    argv = [*base, flag, value, *(["--out", str(out)] if takes_out else [str(out)] if command in ("summarize",
                                                                                                    "report") else [])]
    mp = stopped()
    try:
        code, err = run_cli(argv, capsys, mp)
        check(code, err, tmp, out)
    finally:
        mp.undo()
    assert code in (0, 2)


# -- names: HTML, formulas, math text, control characters and path characters, through every command that writes --
HOSTILE = ["<img src=x onerror=alert(1)>", "</title><script>alert(1)</script>", '=HYPERLINK("http://x","y")', "+1+1",
           "-2", "@SUM(A1)", "\tcell", "$\\frac{$", "$x^$", "../../escape", "/etc/passwd", "a/b\\c", "..", ".",
           "red\x1b[31m", "line\nbreak", "cr\rname", "nul\x00", "*?[glob]", "~", "%s%n{}", "é ünï ✓", " ",
           "abc\u202etxt.exe", "\u2066isolated", "nel\x85", "zero\u200bwidth", "n" * 300]
NAMES = st.one_of(st.sampled_from(HOSTILE), st.lists(st.sampled_from(HOSTILE), min_size=2, max_size=3).map("".join),
                  st.text(max_size=20))
WRITERS = ["run", "compare", "batch", "sensitivity", "calibrate", "abc", "optimize", "warmup", "discover", "log synth",
           "log describe"]


def _named_inputs(tmp, name: str) -> dict[str, list[str]]:
    """Input files whose scenario, experiment, sensitivity and search names are `name`; each writer's argv."""
    lab = tmp / "lab.toml"
    lab.write_text(tomli_w.dumps({"extends": "digital_arti", "name": name, "warmup_years": 0.0}))
    named = {"name": name, "scenarios": [str(lab)], "replications": 2, "years": 0.05}
    (tmp / "exp.toml").write_text(tomli_w.dumps(named | {"grid": {"mediators": [2, 4]}}))
    (tmp / "sens.toml").write_text(tomli_w.dumps(named | {"sensitivity": {"n": 2, "bounds": {"mediators": [2, 6]}}}))
    (tmp / "search.toml").write_text(tomli_w.dumps({
        "name": name, "replications": 2, "years": 0.05, "search": {
            "budget": 4, "population": 4, "knobs": {"mediators": [2, 6]},
            "objectives": {"visitors": "max", "costs": "min"}}}))
    target = ["--target", "visitors=100", "--param", "discovery_rate=0.001:0.01"]
    rows = [(name if i % 3 == 0 else f"p{i % 7}", f"2024-01-{1 + i % 28:02d}", "visit", name if i % 2 else "footfall")
            for i in range(60)]  # the name as a visitor's identifier and as a channel
    (tmp / "log.csv").write_text(pd.DataFrame(rows, columns=["person", "date", "kind", "channel"]).to_csv(index=False))
    return {"run": ["run", str(lab), "--years", "0.05"], "compare": ["compare", str(lab), "friche", "--reps", "2"],
            "batch": ["batch", str(tmp / "exp.toml")], "sensitivity": ["sensitivity", str(tmp / "sens.toml")],
            "calibrate": ["calibrate", str(lab), *target], "abc": ["calibrate", str(lab), *target, "--method", "abc"],
            "optimize": ["optimize", str(lab), "--search", str(tmp / "search.toml")],
            "warmup": ["warmup", str(lab), "--seeds", "1", "--set", "warmup_years=0.1"],
            "discover": ["discover", str(tmp / "batch"), "--where", "visitors > 0"],
            "log synth": ["log", "synth", str(lab), "--years", "0.05"],
            "log describe": ["log", "describe", str(tmp / "log.csv"), "--people", "--no-figures", "--quiet"]}


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(name=NAMES, command=st.sampled_from(WRITERS))
def test_fuzz_hostile_names_in_every_command_that_writes(tmp_path_factory, capsys, name, command):
    """Up to where the work starts: a name is taken as a label or refused in one line; nothing lands outside --out."""
    tmp = tmp_path_factory.mktemp("fz")
    argv = _named_inputs(tmp, name)[command]
    before = set(tmp.rglob("*"))
    out = tmp / ("out.csv" if command == "log synth" else "out")
    mp = stopped()
    for module, attr in (("sim.analysis.abc", "abc_smc"), ("sim.analysis.optimize", "BatchEvaluator"),
                         ("sim.batch.warmup", "evaluate"), ("sim.analysis.discover", "load_batch")):
        mp.setattr(__import__(module, fromlist=[attr]), attr, stop)
    try:
        code, err = run_cli([*argv, "--out", str(out)], capsys, mp)
        check(code, err, tmp, out)
    finally:
        mp.undo()
    assert all(line.isprintable() for line in err.splitlines()), "a control character got to the terminal"
    assert {p for p in tmp.rglob("*") if not p.is_relative_to(out)} == before, "written outside --out"
    for page in out.rglob("*.html") if out.is_dir() else []:  # what ran the whole way (log describe): escaped
        assert "<img src=x" not in page.read_text() and "<script>alert" not in page.read_text(), page.name
    for table in out.rglob("*.csv") if out.is_dir() else []:
        cells = pd.read_csv(table, dtype=str, keep_default_na=False).to_numpy().ravel()
        assert not [c for c in cells if c.startswith(("=", "+", "@", "\t", "\r"))], table.name


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(name=NAMES)
def test_fuzz_hostile_names_reach_files_only_escaped(tmp_path_factory, capsys, name):
    """The whole way (a short run, its report; a batch, its summary and report): files only under --out, named by
    slugs; HTML escaped; CSV cells neutralised; a name that cannot be a label is refused in one line."""
    import json

    tmp = tmp_path_factory.mktemp("fz")
    argv = _named_inputs(tmp, name)
    before = set(tmp.rglob("*"))
    for out, commands in ((tmp / "run", [[*argv["run"], "--out", str(tmp / "run")], ["report", str(tmp / "run")]]),
                          (tmp / "batch", [[*argv["batch"], "--out", str(tmp / "batch"), "--workers", "1", "--quiet"],
                                           ["summarize", str(tmp / "batch")], ["report", str(tmp / "batch")]])):
        for command in commands:
            shown: list[str] = []
            code, err = run_cli(command, capsys, None, shown)
            check(code, err, tmp, out if command[0] in ("run", "batch") else None)
            assert not control_characters(shown[0], allowed="\n"), "a control character got to stdout"
            if code == 2:
                break
        if code == 2:
            continue
        html = (out / "report.html").read_text()
        for raw in ("<img src=x", "<script>alert"):
            assert raw not in html, raw
        for csv in out.glob("*.csv"):
            for line in csv.read_text().splitlines()[1:]:
                assert not any(cell.startswith(("=", "+", "@", "\t")) for cell in line.split(",")), (csv.name, line)
        if (out / "summary.json").exists():
            assert json.loads((out / "summary.json").read_text())["scenario"] == (name or "lab")  # "": the file's stem
    assert {p for p in tmp.rglob("*") if not (p.is_relative_to(tmp / "run") or p.is_relative_to(tmp / "batch"))} \
        == before, "written outside --out"
