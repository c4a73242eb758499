"""The command line is a package: a command is one module and one registry line, and its help, errors and
"did you mean" are labsim's own text, the same on every Python the project runs on (issue 32)."""

import json
import os
import sys
import types
from pathlib import Path

import pytest

from sim import cli
from sim.cli import options
from sim.cli.parser import choice

ROOT = Path(__file__).resolve().parents[2]
PYTHON_313 = Path("/root/.pyenv/versions/3.13.0/bin/python3.13")


def _hello_command() -> types.ModuleType:
    """A command module as a contributor would write one: add_parser(sub) and run(args)."""
    module = types.ModuleType("sim.cli.hello")

    def add_parser(sub) -> None:
        p = sub.add_parser("hello", help="say hello", parents=[options.seed(), options.quiet("say nothing")])
        p.add_argument("--loud", type=choice("--loud", ("yes", "no")), default="no", help="shout (default no)")

    def run(args) -> int:
        if not args.quiet:
            print(f"hello {args.seed} {args.loud}")
        return 0

    module.add_parser, module.run = add_parser, run
    return module


def test_a_new_command_is_one_module_and_one_registry_line(monkeypatch, capsys):
    monkeypatch.setattr(cli, "COMMANDS", [*cli.COMMANDS, _hello_command()])
    assert cli.main(["hello", "--seed", "3", "--loud", "yes"]) == 0
    assert capsys.readouterr().out == "hello 3 yes\n"
    assert cli.main(["hello", "--quiet"]) == 0 and capsys.readouterr().out == ""
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    assert "say hello" in capsys.readouterr().out
    assert cli.main(["helo"]) == 2
    assert "unknown command 'helo' (did you mean 'hello'?)" in capsys.readouterr().err
    assert cli.main(["hello", "--loud", "yse"]) == 2
    assert capsys.readouterr().err == ("error: labsim hello: unknown --loud value 'yse' (did you mean 'yes'?); "
                                       "allowed: yes, no (see labsim hello --help)\n")
    assert cli.main(["hello", "--seed", "-1"]) == 2  # the shared option's type and limits come with it
    assert "allowed: an integer in [0, 9223372036854775807]" in capsys.readouterr().err


def test_an_unknown_flag_gets_the_nearest_option_of_its_command(capsys):
    assert cli.main(["run", "digital_arti", "--sed", "3"]) == 2
    assert capsys.readouterr().err == ("error: labsim: unrecognized arguments: --sed 3 (did you mean '--seed'?) "
                                       "(see labsim --help)\n")
    assert cli.main(["log", "describe", "x.csv", "--out", "o", "--peple"]) == 2
    assert "(did you mean '--people'?)" in capsys.readouterr().err


# Run by each Python: labsim's answers to --help and to mistakes, as JSON (no model, no third-party import needed).
PROBE = """
import contextlib, io, json, sys
from sim.cli import main
found = {}
for argv in %r:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code
    text = out.getvalue()
    found[" ".join(argv)] = [code, text.split("\\n\\n", 1)[-1] if argv[-1] == "--help" else text, err.getvalue()]
print(json.dumps(found))
"""
ASKED = [["--help"], ["log", "--help"], ["sensitivity", "--help"], ["rnu"], ["zzzz"], ["log", "descrbe"],
         ["sensitivity", "x.toml", "--out", "o", "--method", "morriss"], ["batch", "x.toml", "--out", "o",
                                                                          "--executor", "daskk"],
         ["run", "a", "--sed", "3"], ["run", "a", "--seed", "x"], ["run"], ["map", "--out"]]


def _answers(processes, python: str, env: dict) -> dict:
    proc = processes.run([python, "-c", PROBE % (ASKED,)], capture_output=True, text=True, env=env, cwd=ROOT,
                         timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_help_errors_and_did_you_mean_are_the_same_on_python_3_12_and_3_13(processes):
    if not PYTHON_313.exists():
        pytest.skip(f"{PYTHON_313} is not installed")
    import site

    packages = os.pathsep.join(site.getsitepackages())
    env = os.environ | {"PYTHONPATH": os.pathsep.join([str(ROOT), packages])}
    probe = processes.run([str(PYTHON_313), "-c", "import sim.cli"], capture_output=True, text=True, env=env)
    if probe.returncode != 0:
        pytest.skip(f"the venv's packages do not import under Python 3.13: {probe.stderr.strip()[-200:]}")
    here, there = _answers(processes, sys.executable, env), _answers(processes, str(PYTHON_313), env)
    assert here == there
    assert here["--help"][0] == 0 and "casestudy" in here["--help"][1] and "--version" in here["--help"][1]
    assert "unknown command 'rnu' (did you mean 'run'?); allowed: run, warmup," in here["rnu"][2]
    assert "did you mean" not in here["zzzz"][2] and "allowed: run, warmup" in here["zzzz"][2]
    assert "unknown --method value 'morriss' (did you mean 'morris'?); allowed: morris, sobol" in \
        here["sensitivity x.toml --out o --method morriss"][2]
    assert "(did you mean 'describe'?); allowed: describe, synth" in here["log descrbe"][2]
    for code, _, err in (v for k, v in here.items() if not k.endswith("--help")):
        assert code == 2 and err.startswith("error: labsim") and err.count("\n") == 1
