"""Logs as labs have them (issue 31, item 6), through the commands: other layouts, a log that starts mid-life or
young against a scenario that does not, and one cohort; each said on the first lines, never silently fitted."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.cli import main

TINY = Path(__file__).resolve().parents[2] / "scenarios" / "examples" / "tiny.toml"
FREE = ["--free", "discovery_rate=0.002:0.02"]
POINT = ["--method", "point", "--reps", "2", "--budget", "4", "--workers", "1", "--seed", "2"]


def lab_rows(regulars: int, days: int = 365, per_day: float = 2.0, seed: int = 1) -> list[tuple[str, str]]:
    """A lab's year no model wrote: `regulars` who came weekly from before the log began, and a flow of newcomers."""
    rng = np.random.default_rng(seed)
    day0 = pd.Timestamp("2020-01-06")
    rows = [(f"r{i:05d}", d) for i in range(regulars) for d in range(int(rng.integers(0, 7)), days, 7)]
    for d in range(days):
        for k in range(rng.poisson(per_day)):
            later = set(rng.integers(d, days, rng.geometric(0.5) - 1).tolist())
            rows += [(f"n{d:03d}{k}", int(x)) for x in {d} | later]
    return [(p, (day0 + pd.Timedelta(days=d)).strftime("%Y%m%d")) for p, d in rows]


def write_spaced(path: Path, rows) -> Path:
    """The rows as a repeat-purchase dataset has them: no header, spaces, YYYYMMDD dates and an amount column."""
    path.write_text("".join(f"  {p} {d} 1 {i % 7}.50\n" for i, (p, d) in enumerate(rows)))
    return path


def test_a_header_less_whitespace_log_is_described_with_sep_and_no_header(tmp_path, capsys):
    log = write_spaced(tmp_path / "purchases.txt", lab_rows(40))  # a .txt export, read as delimited text
    out = tmp_path / "d"
    assert main(["log", "describe", str(log), "--out", str(out), "--quiet", "--no-figures"]) == 2
    assert "add --sep whitespace --no-header" in capsys.readouterr().err
    assert main(["log", "describe", str(log), "--sep", "whitespace", "--no-header", "--out", str(out), "--quiet",
                 "--no-figures"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("the log starts mid-life: 40 people seen in its first 4 weeks behave like regulars")
               for line in lines), lines
    assert "2 columns of the log not used: '3', '4'" in lines
    summary = json.loads((out / "log_summary.json").read_text())
    assert summary["start"]["kind"] == "mid_life" and summary["log"]["columns_ignored"] == ["3", "4"]
    assert summary["start"]["sentence"] in (out / "report.html").read_text()


@pytest.mark.parametrize(("regulars", "scenario", "expected"), [
    (40, "tiny", "warning: the log starts mid-life (40 people seen in its first 4 weeks behave like regulars) but "
                 "tiny_open has no warm-up"),
    (0, "warm", "warning: the log starts young (no sign of visitors from before it began) but tiny_warm warms up "
                "(warmup_years 0.25)"),
    (0, "tiny", None),  # a young log, a young lab: nothing to say
])
def test_calibrate_says_on_its_second_line_when_the_logs_start_does_not_match_the_scenarios(
        tmp_path, capsys, regulars, scenario, expected):
    log = write_spaced(tmp_path / "log.csv", lab_rows(regulars))
    lab = TINY
    if scenario == "warm":
        lab = tmp_path / "warm.toml"
        lab.write_text(f'extends = "{TINY}"\nname = "tiny_warm"\nwarmup_years = 0.25\n')
    out = tmp_path / "cal"
    assert main(["calibrate", str(lab), "--from-log", str(log), "--sep", "whitespace", "--no-header", *FREE, *POINT,
                 "--out", str(out)]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[0].startswith("the model reproduces ") and "2 columns of the log not used" in captured.err
    verdict = (out / "verdict.txt").read_text().splitlines()
    if expected is None:
        assert not any("the log starts" in line for line in lines)
    else:
        assert lines[1].startswith(expected) and verdict[1] == lines[1], lines[:3]
        assert ("give it a warm-up" if regulars else "set warmup_years = 0") in lines[1]
