"""A light install: the analysis commands' packages are an extra, and a command that misses them says so."""

import ast
import importlib.util
import tomllib
from pathlib import Path

import pytest

from sim import cli
from sim.cli.extras import ANALYSIS_MODULES

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
ANALYSIS = {"SALib": "salib", "optuna": "optuna", "prim": "prim", "sklearn": "scikit-learn"}  # module -> package


def test_analysis_packages_are_an_extra_not_core():
    core = {d.split(">")[0].split("<")[0].split("=")[0].split("[")[0].strip().lower() for d in PROJECT["dependencies"]}
    extra = {d.split(">")[0].strip().lower() for d in PROJECT["optional-dependencies"]["analysis"]}
    assert set(ANALYSIS.values()) <= extra
    assert not core & set(ANALYSIS.values())
    assert {m for mods in ANALYSIS_MODULES.values() for m in mods} == set(ANALYSIS)


def test_analysis_packages_are_imported_only_inside_their_commands():
    """Imported in a function of the modules of sensitivity, optimize and discover, never at a module's top."""
    allowed = {"SALib": {"sensitivity.py"}, "optuna": {"optimize.py"}, "prim": {"discover.py"},
               "sklearn": {"discover.py"}}
    for path in (ROOT / "sim").rglob("*.py"):
        tree = ast.parse(path.read_text())
        top = {id(n) for n in tree.body}
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                root = name.split(".")[0]
                if root in allowed:
                    assert path.name in allowed[root], f"{path}: imports {root}"
                    assert id(node) not in top, f"{path}: imports {root} at the top (the core must load without it)"


@pytest.mark.parametrize("argv", [
    ["sensitivity", "no_such.toml", "--out", "OUT"],
    ["optimize", "carrefour_numerique", "--search", "no_such.toml", "--out", "OUT"],
    ["discover", "no_such_batch", "--where", "visitors > 1"],
])
def test_missing_analysis_extra_is_one_line_before_anything(argv, tmp_path, monkeypatch, capsys):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name in ANALYSIS else real(name, *a))
    argv = [str(tmp_path / "out") if a == "OUT" else a for a in argv]
    assert cli.main(argv) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line == (f"error: {argv[0]}: needs labsim's 'analysis' extra, which is not installed; "
                    "pip install 'labsim[analysis]' (make run and make test install it)")
    assert not (tmp_path / "out").exists()


def test_an_install_from_a_wheel_carries_the_presets():
    """`pip install .` copies scenarios/ into <prefix>/share/labsim/scenarios (data-files): every preset and corner."""
    from sim.config.scenario import PRESET_DIR

    files = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["data-files"]
    shipped = {p for globs in files.values() for g in globs for p in ROOT.glob(g)}
    needed = set(PRESET_DIR.glob("*.toml")) | set((PRESET_DIR / "corners").glob("*.toml"))
    assert needed and needed <= shipped
    assert files == {"share/labsim/scenarios": ["scenarios/*.toml"],
                     "share/labsim/scenarios/corners": ["scenarios/corners/*.toml"]}  # what sim.config.scenario looks for
