"""ABC's defaults are one choice (issue 31, item 7): the command line's are sim.analysis.abc's.

The command line keeps its own copy of the numbers so that building the parser
imports no pandas (issue 34); this checks that the copy and the analysis agree,
and that they are the small, documented ones: 50 particles, 4 generations.
"""

import contextlib
import inspect

from sim.analysis import abc
from sim.cli import calibrate as command
from sim.cli import main


def test_the_command_line_and_the_analysis_default_to_the_same_population_and_generations():
    signature = inspect.signature(abc.abc_smc).parameters
    assert (command.ABC_POPULATION, command.ABC_GENERATIONS) == (abc.POPULATION, abc.GENERATIONS) == (50, 4)
    assert (signature["population"].default, signature["generations"].default) == (abc.POPULATION, abc.GENERATIONS)


def test_the_help_says_the_defaults(capsys):
    with contextlib.suppress(SystemExit):
        main(["calibrate", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert f"abc: particles (default {abc.POPULATION};" in text
    assert f"abc: generations (default {abc.GENERATIONS};" in text
