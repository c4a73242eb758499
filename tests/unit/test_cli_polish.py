"""The command line reads well: a help text and its limits on every option, "did you mean", tables in 100 columns."""

import argparse

import numpy as np
import pandas as pd
import pytest

from sim import cli
from sim.cli.tables import grid_table, outcome_table
from sim.text import frame_text, wrapped_table

WIDTH = 100


def _parsers(parser, name="labsim"):
    """Every parser of the command line with its name: labsim, labsim run, ..., labsim log describe."""
    yield name, parser
    for word, sub in parser.commands.items():
        yield from _parsers(sub, f"{name} {word}")


def test_every_command_and_option_has_help_with_its_limits():
    missing = []
    for name, p in _parsers(cli.build_parser()):
        if name != "labsim" and not p.summary:
            missing.append(name)
        for action in p.options:
            if "-h" in action.option_strings:
                continue
            what = f"{name} {'/'.join(action.option_strings) or action.dest}"
            if not action.help or action.help == argparse.SUPPRESS:
                missing.append(what)
            limits = getattr(action.type, "limits", None)
            if limits and limits not in (action.help or ""):
                missing.append(f"{what} (limits {limits} not in its help)")
    assert missing == []


def test_limits_read_in_help_are_the_ones_enforced(capsys):
    with pytest.raises(SystemExit):
        cli.main(["compare", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "replications per scenario (default 30; allowed: 2 to 10,000)" in text
    assert cli.main(["compare", "a", "b", "--out", "x", "--reps", "10001"]) == 2
    assert "allowed: an integer in [2, 10000]" in capsys.readouterr().err


@pytest.mark.parametrize(("argv", "expected"), [
    (["rnu"], "unknown command 'rnu' (did you mean 'run'?)"),
    (["check_model"], "unknown command 'check_model' (did you mean 'check-model'?)"),
    (["sensitivity", "x.toml", "--out", "o", "--method", "morriss"], "unknown --method value 'morriss' "
                                                                      "(did you mean 'morris'?); allowed: morris, sobol"),
])
def test_a_mistyped_command_or_choice_gets_did_you_mean(argv, expected, capsys):
    assert cli.main(argv) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert expected in line and line.startswith("error: labsim")


def test_no_suggestion_when_nothing_is_close(capsys):
    assert cli.main(["zzzz"]) == 2
    line = capsys.readouterr().err.strip()
    assert "did you mean" not in line and "allowed: run, warmup" in line


def _fits(text: str, width: int = WIDTH) -> None:
    long = [line for line in text.splitlines() if len(line) > width]
    assert long == [], f"{len(long)} lines wider than {width}: {long[:2]}"


def test_check_model_table_fits_100_columns():
    from sim.validation import CheckResult, table

    rows = [CheckResult("appointment-only: far fewer newcomers, regulars' visits cut much less",
                        "newcomers x < 0.5; regulars' visits x > 2 x newcomers'", "newcomers x0.31, regulars x0.85",
                        "ratios of means over 20 seeds", True),
            CheckResult("no drift over 8 measured years: contributors", "every year within +/-15% of the 8-year mean",
                        "121.3 to 134.9 (worst +6%)", "yearly means over 12 seeds", False),
            CheckResult("a real middle: visitors with 4+ visits", "0.100 to 0.300", "0.182",
                        "mean of 20 seeds inside the band", True)]
    text = table(rows)
    _fits(text)
    words = " ".join(text.split())
    assert "FAIL" in words and words.count(" ok") == 2


def _comparison(names, base):
    rows = []
    for metric, value in base.items():
        for i, name in enumerate(names):
            d = np.nan if i == 0 else value * 1.7
            rows.append({"metric": metric, "scenario": name, "n": 10, "mean": value * (1 + i),
                         "ci_low": value * (0.9 + i), "ci_high": value * (1.1 + i), "diff": d,
                         "diff_low": d - abs(d) * 0.2, "diff_high": d + abs(d) * 0.2, "significant": bool(i)})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("names", [["carrefour_numerique", "cut_staff_and_fee"],
                                   ["carrefour_numerique", "carrefour_numerique_6_mediators_fee4",
                                    "another_policy_with_a_long_name_indeed"]])
def test_compare_table_fits_100_columns_with_large_money(names):
    from sim.analysis.compare import format_table

    base = {"contributors": 128.0, "revenue": 344067.0, "net_result": -1234567.0, "mediator_betweenness_share": 0.47}
    text = format_table(_comparison(names, base))
    _fits(text)
    for name in names:
        assert name in text  # whole names: a name is cut only when it cannot fit beside its numbers
    assert "-€2,098,764*" in text


def test_run_map_summarize_and_pandas_tables_fit_100_columns():
    from sim.analysis.lab_map import OUTCOMES
    from sim.analysis.summary import table as summary_table

    _fits(outcome_table({"a_scenario_with_a_long_name_" * 2: {"visitors": 8317.0, "revenue": 1234567.0},
                      "digital_arti": {"visitors": 164.0, "revenue": 409300.0}}))
    grid = pd.DataFrame([{"public_market": 0.0, "open_closed": 0.25, **dict.fromkeys(OUTCOMES, 123456.7),
                          "mediator_betweenness_share": 0.975}] * 3)
    _fits(grid_table(grid, OUTCOMES))
    rows = [{"scenario": "carrefour_numerique", "point": p, "mediators": p, "access": "appointment", "metric": m,
             "n": 10, "mean": 123456.0, "sd": 1.0, "ci_low": 120000.0, "ci_high": 130000.0}
            for p in range(2) for m in ("visitors", "contributors", "partners", "works_produced", "revenue", "density")]
    _fits(summary_table(pd.DataFrame(rows)))
    front = pd.DataFrame(np.arange(36.0).reshape(3, 12) * 1e4, columns=[f"objective_or_knob_{i}" for i in range(12)])
    _fits(frame_text(front))


def test_presets_list_fits_100_columns(capsys):
    assert cli.main(["scenarios"]) == 0
    text = capsys.readouterr().out
    _fits(text)
    assert "carrefour_numerique" in text and "institution_culturelle" in text


def test_wrapped_table_wraps_prose_before_names():
    text = wrapped_table(("name", "what"), [("institution_culturelle", "word " * 40)], width=60)
    _fits(text, 60)
    assert text.splitlines()[2].startswith("institution_culturelle  word")


def test_counts_agree_with_their_nouns():
    # issue 34: "1 measured years"
    import re
    from pathlib import Path

    from sim.text import counted

    assert counted(1, "measured year") == "1 measured year" and counted(1.0, "year") == "1 year"
    assert counted(2, "measured year") == "2 measured years" and counted(0.5, "year") == "0.5 years"
    assert counted(1200, "run") == "1,200 runs" and counted(3, "person", "people") == "3 people"
    sim = Path(__file__).resolve().parents[2] / "sim"
    for path in [*sim.rglob("*.py"), *sim.rglob("*.html")]:
        assert not re.search(r"\b(year|scenario|run|replication)\(s\)", path.read_text()), path
