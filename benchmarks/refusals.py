"""How fast `labsim` refuses a bad argument or file kind (issue 34: every refusal under 1 s on an idle machine).

    .venv/bin/python benchmarks/refusals.py            # every refusal, best of 3 each (~30 s); prints only
    .venv/bin/python benchmarks/refusals.py --write    # the same, then rewrites the table in benchmarks/README.md

Each refusal is one command line that must end with one `error: ...` line and exit
status 2, run in a fresh process (the installed `labsim` beside this Python) from
a temporary folder holding the inputs it refuses (a text file, a log without the
asked column, a folder another program wrote). Its best wall time of a few runs
is printed against the bound, with the heavy packages it imported on the way
(`python -X importtime`): a refusal that loads pandas or the model before checking
its arguments is what makes a first hour slow. A benchmark, not a test: a shared
machine's times vary, so it prints and exits 0 (1 only if a command did not refuse).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "benchmarks" / "README.md"
BOUND_S = 1.0
HEAVY = ("pandas", "numpy", "scipy", "matplotlib", "mesa", "networkx", "igraph", "pyarrow", "sklearn", "SALib",
         "optuna", "solara", "sim.model", "sim.batch", "sim.analysis", "sim.figures", "sim.pages")
PRESET = "carrefour_numerique"

# (what is refused, the command line after `labsim`); files are those `make_inputs` writes in the working folder.
REFUSALS = [
    ("run: unknown preset", ["run", "nosuch_lab"]),
    ("run: unknown --set key", ["run", PRESET, "--set", "nosuch=1"]),
    ("run: a run over the cost limits", ["run", PRESET, "--set", "host_footfall_per_day=1000000", "--set", "discovery_rate=1"]),
    ("run: --out a folder of another program", ["run", PRESET, "--out", "foreign"]),
    ("warmup: unknown preset", ["warmup", "nosuch_lab", "--seeds", "2", "--out", "new"]),
    ("compare: one scenario", ["compare", PRESET, "--out", "new"]),
    ("compare: unknown --focus outcome", ["compare", PRESET, "digital_arti", "--focus", "nosuch", "--out", "new"]),
    ("compare: --out a folder of another program", ["compare", PRESET, "digital_arti", "--out", "foreign"]),
    ("batch: a text file", ["batch", "notes.txt", "--out", "new"]),
    ("batch: a sensitivity file", ["batch", "sensitivity.toml", "--out", "new"]),
    ("summarize: not a batch folder", ["summarize", "foreign"]),
    ("sensitivity: an experiment file", ["sensitivity", "experiment.toml", "--out", "new"]),
    ("calibrate: unknown --target", ["calibrate", PRESET, "--target", "nosuch=3", "--param",
                                     "discovery_rate=0.001:0.01", "--out", "new"]),
    ("calibrate: --from-log a text file", ["calibrate", PRESET, "--from-log", "notes.txt", "--out", "new"]),
    ("calibrate: --from-log without the column", ["calibrate", PRESET, "--from-log", "nocolumn.csv", "--out", "new"]),
    ("discover: not a batch folder", ["discover", "foreign", "--where", "contributors >= 1"]),
    ("discover: --where an unknown outcome", ["discover", "foreign", "--where", "contributers >= 1"]),
    ("discover: --where without a number", ["discover", "foreign", "--where", "contributors >="]),
    ("compare: --from not saved labs", ["compare", PRESET, "digital_arti", "--from", "foreign", "--out", "new"]),
    ("compare: --from labs of another labsim", ["compare", PRESET, "digital_arti", "--from", "oldstates", "--out",
                                               "new"]),
    ("sensitivity: --from not saved labs", ["sensitivity", "sensitivity.toml", "--from", "foreign", "--out", "new"]),
    ("optimize: --search an experiment file", ["optimize", PRESET, "--search", "experiment.toml", "--out", "new"]),
    ("map: --out a folder of another program", ["map", "--out", "foreign"]),
    ("log describe: a text file", ["log", "describe", "notes.txt", "--out", "new"]),
    ("log describe: without the column", ["log", "describe", "nocolumn.csv", "--out", "new"]),
    ("log describe: --out a folder of another program", ["log", "describe", "log.csv", "--out", "foreign"]),
    ("log synth: --out a .txt file", ["log", "synth", PRESET, "--out", "visits.txt"]),
    ("log synth: unknown preset", ["log", "synth", "nosuch_lab", "--out", "visits.csv"]),
    ("report: not a results folder", ["report", "foreign"]),
    ("casestudy: --out a folder of another program", ["casestudy", "--out", "foreign"]),
    ("validate: a text file", ["validate", "notes.txt"]),
    ("explore: unknown preset", ["explore", "nosuch_lab"]),
    ("check-model: --seeds 1", ["check-model", "--seeds", "1"]),
]


def make_inputs(folder: Path) -> None:
    """The files and folders the refusals name, in `folder`."""
    (folder / "notes.txt").write_text("not a labsim file\n")
    (folder / "nocolumn.csv").write_text("who,when\na,2024-01-02\nb,2024-01-03\n")
    (folder / "log.csv").write_text("person,date\na,2024-01-02\nb,2024-01-03\n")
    (folder / "foreign").mkdir()
    (folder / "foreign" / "thesis.tex").write_text("\\documentclass{article}\n")
    (folder / "oldstates").mkdir()  # saved labs of another labsim
    (folder / "oldstates" / "manifest.json").write_text('{"kind": "labsim lab states", "format": 1, '
                                                        '"labsim_version": "0.0.1"}\n')
    for name, kind in (("sensitivity_open.toml", "sensitivity"), ("five_presets.toml", "experiment")):
        (folder / f"{kind}.toml").symlink_to(ROOT / "scenarios" / "experiments" / name)  # its relative paths hold


def heavy_imports(stderr: str) -> list[str]:
    """The heavy packages a process imported, from `python -X importtime`'s lines on stderr."""
    found = set()
    for line in stderr.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+\d+ \|\s*(\S+)", line)
        if m:
            name = m.group(1)
            found |= {h for h in HEAVY if name == h or name.startswith(h + ".")}
    return sorted(found, key=HEAVY.index)


def measure(cmd: list[str], cwd: Path, reps: int) -> dict:
    """Best wall time of `labsim cmd` over `reps` fresh processes, its exit code, error line and heavy imports."""
    labsim = str(Path(sys.executable).with_name("labsim"))
    env = os.environ | {"COLUMNS": "100", "PYTHONPATH": str(ROOT)}
    best, done = float("inf"), None
    for _ in range(reps):
        t0 = time.perf_counter()
        done = subprocess.run([labsim, *cmd], cwd=cwd, capture_output=True, text=True, env=env)
        best = min(best, time.perf_counter() - t0)
    traced = subprocess.run([sys.executable, "-X", "importtime", "-m", "sim", *cmd], cwd=cwd, capture_output=True,
                            text=True, env=env)
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    return {"seconds": best, "code": done.returncode, "error": errors[0] if errors else done.stderr.strip()[-120:],
            "heavy": heavy_imports(traced.stderr)}


def render(rows: list[tuple[str, dict]], when: str) -> str:
    """The README's table: each refusal, its best time against the bound, and the heavy packages it loaded."""
    slowest = max(r["seconds"] for _, r in rows)
    load = os.getloadavg()[0]
    lines = [f"Measured {when} on {platform.machine()} ({os.cpu_count()} cores, load average {load:.1f} at the end: "
             f"{'idle' if load < 0.5 * (os.cpu_count() or 1) else 'busy'}), Python {platform.python_version()}; "
             f"best of the runs, in a fresh process each. Slowest refusal: {slowest:.2f} s (bound {BOUND_S:g} s on "
             "an idle machine).", "",
             "| refusal | seconds | exit | heavy packages imported | |", "|---|---|---|---|---|"]
    for what, r in rows:
        ok = "ok" if r["seconds"] <= BOUND_S and r["code"] == 2 else "MISSED"
        lines.append(f"| {what} | {r['seconds']:.2f} | {r['code']} | {', '.join(r['heavy']) or '-'} | {ok} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3, help="runs of each refusal; the best counts (default 3)")
    parser.add_argument("--only", default=None, help="only the refusals whose description contains this text")
    parser.add_argument("--write", action="store_true", help="rewrite the table in benchmarks/README.md")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        make_inputs(Path(tmp))
        for what, cmd in REFUSALS:
            if args.only and args.only not in what:
                continue
            r = measure(cmd, Path(tmp), args.reps)
            rows.append((what, r))
            print(f"{r['seconds']:6.2f} s  exit {r['code']}  {what:<48} {','.join(r['heavy']) or '-':<30} "
                  f"{r['error'][:90]}", flush=True)
    table = render(rows, time.ctime())
    print("\n" + table)
    if args.write:
        text = README.read_text()
        start, end = "<!-- BEGIN REFUSALS -->\n", "<!-- END REFUSALS -->"
        head, rest = text.split(start)
        README.write_text(head + start + table + "\n" + end + rest.split(end, 1)[1])
    return 0 if all(r["code"] == 2 for _, r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
