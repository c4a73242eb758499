"""Policies from now on (issue 20): a compare forked from saved labs against today's compare, in one run.

    .venv/bin/python benchmarks/policies.py            # prints (part of make bench)
    .venv/bin/python benchmarks/policies.py --write    # also rewrites its table in benchmarks/README.md

Five policies of the open preset (the preset itself and four changes a
strategist would ask about), 10 replications each, compared twice with the
command line as a user runs it: as today, with the code before issue 20
(commit `BEFORE`, checked out into a temporary folder by `baseline.py`: every
run warms its own lab up from the initial population, `labsim compare`), and
from saved mature labs with the current code (`labsim warmup` once, then
`labsim compare --from`); for reference, also the current code without
`--from`. All on the same machine, one after the other, with the default
workers. Two targets, both ratios: the wall time of the compare from states
(the warm-up done beforehand, once) over today's, at most 0.4; the width of
the 95% intervals of the paired differences in contributors (mean over the
four policies) over today's, at most 0.8.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import baseline  # noqa: E402  (the code of an earlier commit, checked out to measure against)

BEFORE = "71fc4d3"  # main before issue 20: no saved labs, one stream of random numbers
REPS = 10
POLICIES = {  # name -> the keys it changes on the open preset (a strategist's questions)
    "cut_two_mediators": {"mediators": 8},
    "fee_5_eur": {"price_per_visit": 5.0},
    "double_workshops": {"workshops_per_year": 100.0},
    "closed_documentation": {"open_documentation": 0.2},
}
TARGETS = {"time": 0.4, "ci_width": 0.8}
BEGIN, END = "<!-- BEGIN POLICIES -->", "<!-- END POLICIES -->"


def labsim(*args: str, code: Path | None = None) -> float:
    """Run a labsim command as a user would (with the `sim` of `code` if given); its wall time in seconds.

    It runs in the system's temporary folder, so that `python -m sim` does not pick up a `sim` of the
    current folder instead of the one asked for (checked before timing).
    """
    env = dict(os.environ, PYTHONPATH=str(code)) if code else None
    where = subprocess.run([sys.executable, "-c", "import sim; print(sim.__file__)"], check=True, env=env,
                           cwd=tempfile.gettempdir(), capture_output=True, text=True).stdout
    assert where.startswith(str(code) if code else str(HERE.parent)), f"labsim {args[0]} would run {where}"
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sim", *args, "--quiet"], check=True, stdout=subprocess.DEVNULL, env=env,
                   cwd=tempfile.gettempdir())
    return time.perf_counter() - t0


def widths(folder: Path) -> dict[str, float]:
    """The width of each policy's paired 95% interval of the difference in contributors."""
    table = pd.read_csv(folder / "comparison.csv")
    rows = table[(table["metric"] == "contributors") & (table["scenario"] != "base")]
    return {r.scenario: float(r.diff_high - r.diff_low) for r in rows.itertuples()}


def measure() -> dict:
    with tempfile.TemporaryDirectory(prefix="labsim-policies-") as tmp:
        tmp = Path(tmp)
        (tmp / "base.toml").write_text('extends = "carrefour_numerique"\nname = "base"\n')
        files = [str(tmp / "base.toml")]
        for name, keys in POLICIES.items():
            body = "".join(f"{k} = {v!r}\n" for k, v in keys.items())
            (tmp / f"{name}.toml").write_text(f'extends = "base.toml"\nname = "{name}"\n{body}')
            files.append(str(tmp / f"{name}.toml"))
        print(f"today's compare (the code before issue 20): {len(files)} policies x {REPS} replications, each "
              "warming its own lab up ...", flush=True)
        today = labsim("compare", *files, "--reps", str(REPS), "--out", str(tmp / "today"), code=baseline.checkout(BEFORE))
        print("the same with this code (no --from) ...", flush=True)
        built = labsim("compare", *files, "--reps", str(REPS), "--out", str(tmp / "built"))
        print("labsim warmup: the open preset's mature labs, once ...", flush=True)
        warm = labsim("warmup", files[0], "--seeds", str(REPS), "--out", str(tmp / "states"))
        print("compare --from the saved labs ...", flush=True)
        forked = labsim("compare", *files, "--reps", str(REPS), "--from", str(tmp / "states"),
                        "--out", str(tmp / "forked"))
        w_today, w_built, w_forked = widths(tmp / "today"), widths(tmp / "built"), widths(tmp / "forked")
    return {"started": time.ctime(), "before": BEFORE, "reps": REPS, "policies": list(POLICIES), "today_s": today,
            "built_s": built, "warmup_s": warm, "forked_s": forked, "widths_today": w_today, "widths_built": w_built,
            "widths_forked": w_forked,
            "time_ratio": forked / today, "time_ratio_with_warmup": (warm + forked) / today,
            "ci_width_ratio": (sum(w_forked.values()) / len(w_forked)) / (sum(w_today.values()) / len(w_today))}


def render(res: dict) -> str:
    ok = {k: res[r] <= TARGETS[k] for k, r in (("time", "time_ratio"), ("ci_width", "ci_width_ratio"))}
    lines = [f"Measured {res['started']}: the open preset and {len(res['policies'])} policies, {res['reps']} "
             "replications each, default workers.", "",
             "| target | measured | bound | |", "|---|---|---|---|",
             f"| compare from saved labs / today's compare (code of {res['before']}; wall time) | {res['time_ratio']:.2f} | <= 0.4 | "
             f"{'ok' if ok['time'] else 'MISSED'} |",
             f"| the same, the one warm-up included | {res['time_ratio_with_warmup']:.2f} | | |",
             f"| paired 95% interval of the difference in contributors: width from saved labs / today's | "
             f"{res['ci_width_ratio']:.2f} | <= 0.8 | {'ok' if ok['ci_width'] else 'MISSED'} |",
             "", "| | today (before issue 20) | this code, no --from | from saved labs |", "|---|---|---|---|",
             f"| wall time (s) | {res['today_s']:.1f} | {res['built_s']:.1f} | {res['forked_s']:.1f} "
             f"(+ {res['warmup_s']:.1f} warm-up, once) |"]
    for name in res["policies"]:
        lines.append(f"| interval width, contributors, {name} | {res['widths_today'][name]:.1f} | "
                     f"{res['widths_built'][name]:.1f} | {res['widths_forked'][name]:.1f} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite the table in benchmarks/README.md")
    args = parser.parse_args()
    res = measure()
    table = render(res)
    print(table)
    if args.write:
        (HERE / "policies.json").write_text(json.dumps(res, indent=2) + "\n")
        readme = HERE / "README.md"
        text = readme.read_text()
        a, b = text.index(BEGIN), text.index(END)
        readme.write_text(text[: a + len(BEGIN)] + "\n" + table + "\n" + text[b:])
        print(f"\nwritten: {HERE / 'policies.json'}, {readme}")
    missed = res["time_ratio"] > TARGETS["time"] or res["ci_width_ratio"] > TARGETS["ci_width"]
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
