"""docs/commands.md and docs/outputs.md are what the code says: regenerated here and compared.

Both are written by scripts/reference.py from the parser `labsim` builds and from sim/outcomes.py. A
new option, a changed help text or a new outcome fails here until `python scripts/reference.py --write`
is run and the result committed.
"""

import argparse
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import reference  # noqa: E402  (scripts/reference.py: the generated references)

from sim import outcomes  # noqa: E402

FIX = "regenerate with python scripts/reference.py --write"


def test_outputs_md_is_generated_from_the_registry():
    assert reference.OUTPUTS_MD.read_text() == reference.outputs_md(), FIX


def test_commands_md_is_generated_from_the_parser():
    written = re.search(r"\(Python (\d+\.\d+)\)", reference.COMMANDS_MD.read_text().splitlines()[0]).group(1)
    if written != reference.PYTHON:  # argparse lays help out differently from one Python to the next
        pytest.skip(f"docs/commands.md was written with Python {written}; this is {reference.PYTHON}")
    assert reference.COMMANDS_MD.read_text() == reference.commands_md(), FIX


def test_every_command_and_option_is_in_the_reference():
    text = reference.COMMANDS_MD.read_text()
    assert reference._walk(argparse.ArgumentParser(), []) == []  # a parser without subcommands: the base case
    from sim.cli import build_parser

    paths = reference._walk(build_parser(), [])
    assert {"run", "compare", "batch"} <= {p[0] for p in paths} and ["log", "describe"] in paths
    for path in paths:
        assert f"## labsim {' '.join(path)}\n" in text
        assert f"usage: labsim {' '.join(path)} " in text


def test_every_outcome_is_in_the_reference_with_its_measure():
    text = reference.OUTPUTS_MD.read_text()
    for name in outcomes.REGISTRY:
        assert f"| `{name}` |" in text
    assert set(outcomes.REGISTRY) >= outcomes.STOCKS, "a stock that is not an outcome: update sim/outcomes.py"
    assert reference.measure("contributors_active_end") == "stock" and reference.measure("visits") == "flow"
    assert reference.measure("density") == "stock" and reference.measure("seed") == ""


def test_the_script_says_when_a_file_is_stale(tmp_path, monkeypatch, capsys):
    stale = tmp_path / "outputs.md"
    stale.write_text("old\n")
    monkeypatch.setattr(reference, "documents", lambda: {stale: "new\n"})
    assert reference.main([]) == 1 and stale.read_text() == "old\n"
    assert "stale" in capsys.readouterr().out
    assert reference.main(["--write"]) == 0 and stale.read_text() == "new\n"
