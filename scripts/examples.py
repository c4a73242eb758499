"""The outputs shown in README.md and the guides of docs/, generated from real runs of the current labsim.

    .venv/bin/python scripts/examples.py --list            # every example, its cost and where it is shown
    .venv/bin/python scripts/examples.py --write budget    # re-run one example and rewrite its blocks
    .venv/bin/python scripts/examples.py --write --cheap   # the cheap ones (seconds each)
    .venv/bin/python scripts/examples.py --write           # all (about 20 minutes on 2 cores)

A block of output in a document is marked by an HTML comment on the line before its fence,
`<!-- example: NAME -->`, NAME being a key of EXAMPLES; DOCUMENTS lists the files that may hold such
blocks (`--list` says which holds each; a block may be shown in more than one, and `--write` rewrites
every copy). The example's commands run as shown, one
after the other, in a scratch folder holding a copy of `scenarios/` and the files the example names
(`files`), so relative paths and default output folders read as in the text; the block is each shown
command after `$ ` and its output (stdout and stderr), or the excerpt its `keep` selects. Timings
(`in 8.6 s`) differ from run to run and are compared as `N s` (see `masked`).

tests/integration/test_docs_examples.py re-runs every `cheap` example and fails when its block
differs; for the others it checks that the block shows the example's commands, that these still parse,
and that the outcome labels they show still exist (`python scripts/examples.py --write NAME` then
brings a block up to date).
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
DOCUMENTS = (ROOT / "README.md", DOCS / "install.md", DOCS / "analyst.md", DOCS / "strategist.md", DOCS / "student.md",
             DOCS / "ARCHITECTURE.md")  # the generated references (commands.md, outputs.md) hold no examples
MARKER = re.compile(r"^\s*<!-- example: ([\w-]+) -->\s*$")
TIMING = re.compile(r"\b\d+(?:\.\d+)? s\b")


@dataclass(frozen=True)
class Example:
    """Commands whose output a document shows; `keep` selects an excerpt (see `excerpt`)."""

    commands: tuple[str, ...]  # shown after "$ ", run in order in one scratch folder
    cheap: bool = False  # seconds: the tests re-run it and compare the block
    setup: tuple[str, ...] = ()  # run first, not shown (a batch the shown command reads, a damaged file)
    keep: tuple[str, ...] = ()  # line prefixes: an excerpt of these lines and the indented lines under them
    keep_last: bool = False  # `keep` applies to the last command's output only (the others shown whole)
    files: dict[str, str] = field(default_factory=dict)  # files the commands read that the text does not show
    status: int = 0  # the last command's expected exit status
    without: tuple[str, ...] = ()  # modules hidden from labsim, as in an install without an extra
    stderr: bool = True  # show what the commands write on stderr (errors, warnings); False: progress only

    def shown(self) -> list[str]:
        """Every labsim command line the block shows (setup included: it must parse too)."""
        return [*self.setup, *self.commands]


CUT = ("labsim warmup carrefour_numerique --seeds 10 --out results/states",
       "labsim compare carrefour_numerique scenarios/examples/cut_two_mediators.toml --from results/states "
       "--reps 10 --out results/cut")
LOG = ("person,date,kind,channel\nana.m@example.org,2024-03-15,visit,footfall\n"
       "ana.m@example.org,2024-03-15T17:40,workshop,\nbadge-0042,2024-03-16 10:05,event,word_of_mouth\n"
       "badge-0042,2024-03-16,membership_start,\n")  # the README's five-line log
TINY = "scenarios/examples/tiny.toml"  # a young lab of 500 passers-by a day (shipped: the docs' log example)
TINY_LOG = (f"labsim log synth {TINY} --seed 4 --years 1 --out lab.csv --set discovery_rate=0.006 "
            "--set return_base_visitor=0.15",
            f"labsim calibrate {TINY} --from-log lab.csv --free discovery_rate=0.002:0.012 --free "
            "return_base_visitor=0.02:0.3 --method abc --population 40 --generations 4 --seed 3 --workers 2 --out cal")
SUMMER = ('extends = "carrefour_numerique"\nname = "summer"\n'
          "monthly_opening = [1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 0.5]  # closed in August, half of December\n")
POLICY_CUT = 'extends = "cal/calibrated.toml"\nname = "calibrated_two_fewer_mediators"\nmediators = 8\n'
POLICY_FEE = 'extends = "cal/calibrated.toml"\nname = "fee_5_eur"\nprice_per_visit = 5.0\n'

EXAMPLES: dict[str, Example] = {
    "scenarios": Example(("labsim scenarios",), cheap=True),
    "ladder": Example(("labsim run carrefour_numerique --seed 1 --years 1 --no-figures",), cheap=True,
                      keep=("Visitors (", "Returning visitors (", "Contributors (", "Partners (", "Staff (",
                            "Artists (")),
    "budget": Example(("labsim run digital_arti --seed 1 --no-figures",), cheap=True,
                      keep=("Revenue", "Subsidy", "Costs", "Net result")),
    "bad-file": Example(("labsim run bad.toml",), cheap=True, status=2,
                        files={"bad.toml": 'name = "bad"\nmediatorz = 4\n'}),
    "huge-file": Example(("labsim run huge.toml",), cheap=True, status=2,
                         files={"huge.toml": 'extends = "carrefour_numerique"\nname = "huge"\n'
                                             "host_footfall_per_day = 1000000.0\ndiscovery_rate = 0.05\n"}),
    "closes": Example(("labsim validate --years 2 closes.toml scenarios/*.toml",), cheap=True,
                      files={"closes.toml": 'extends = "carrefour_numerique"\nname = "carrefour_closes"\n\n'
                                            '[[interventions]]\nat = 365\naccess = "appointment"\nmediators = 5\n'}),
    "missing-extra": Example(('labsim discover results/lhs --where "contributors >= 100"',), cheap=True, status=2,
                             without=("prim", "sklearn", "SALib", "optuna")),
    "compare-open-closed": Example(
        ("labsim compare carrefour_numerique digital_arti --reps 3 --out results/open_vs_closed",),
        keep=("outcome (unit)", "---", "Visitors (", "Revenue (EUR)", "Staff share of brokerage")),
    "run-refused": Example(("labsim run digital_arti --years 0.2 --no-figures --set mediators=4 --seed 2",),
                           setup=("labsim run digital_arti --years 0.2 --no-figures --set mediators=4",), cheap=True,
                           status=2),
    "out-theirs": Example(("labsim compare digital_arti friche --reps 2 --out theirs",), cheap=True, status=2,
                          setup=("mkdir theirs", "touch theirs/notes.txt")),
    "out-other-kind": Example(("labsim compare digital_arti friche --reps 2 --out results/digital_arti_mediators-4",),
                              setup=("labsim run digital_arti --years 0.2 --no-figures --set mediators=4",), cheap=True,
                              status=2),
    "report-other-kind": Example(("labsim summarize results/my_log",), cheap=True, status=2, files={"visits.csv": LOG},
                                 setup=("labsim log describe visits.csv --out results/my_log --quiet",)),
    "focus": Example(("labsim compare carrefour_numerique scenarios/examples/cut_and_charge.toml --reps 10 "
                      "--focus contributors,partners,net_result --out results/cut_and_charge",),
                     keep=("Contributors (", "Partners (", "Net result (", "Public cost (")),
    "log-describe": Example(("labsim log describe visits.csv --out results/my_log",), cheap=True,
                            files={"visits.csv": LOG}),
    "log-synth": Example(("labsim log synth carrefour_numerique --seed 1 --years 2 --out open_lab.csv",
                          "head -3 open_lab.csv", "labsim log describe open_lab.csv --out results/open_lab_log")),
    "log-seasons": Example(("cat summer.toml", "labsim log synth summer.toml --seed 3 --years 1 --out summer.csv --quiet",
                            "labsim log describe summer.csv --out results/summer_log --quiet"), cheap=True,
                           files={"summer.toml": SUMMER}),
    "log-calibrate": Example((*TINY_LOG[:2], f"labsim compare {TINY} cal/calibrated.toml --reps 4 --quiet --out cmp"),
                             keep=("Visitors (", "Returning visitors (", "Contributors ("), keep_last=True),
    "log-strategist": Example((TINY_LOG[0], "labsim log describe lab.csv --out described", TINY_LOG[1])),
    "log-policy": Example(("cat cut.toml", "labsim compare cal/calibrated.toml cut.toml --reps 10 --quiet --out cut_cmp"),
                          setup=TINY_LOG[:2], files={"cut.toml": POLICY_CUT},
                          keep=("Visitors (", "Returning visitors (", "Contributors (", "Costs (")),
    "log-posterior": Example(("cat fee.toml", "labsim compare cal/calibrated.toml fee.toml cut.toml --posterior cal "
                              "--focus visitors,contributors,costs --quiet --out sure"),
                             setup=TINY_LOG[:2], files={"fee.toml": POLICY_FEE, "cut.toml": POLICY_CUT}),
    "states": Example((CUT[0],)),
    "cut": Example(CUT, keep=("outcome (unit)", "---", "Contributors (", "Partners (", "Net result (")),
    "cut-from-start": Example(
        ("labsim compare carrefour_numerique scenarios/examples/cut_two_mediators.toml --reps 10 --out results/cut_start",),
        keep=("outcome (unit)", "---", "Contributors (", "Partners (", "Net result (")),
    "cut-strategist": Example(CUT, keep=("10 mature labs", "outcome (unit)", "---", "Visitors (", "Returning visitors (",
                                         "Contributors (", "Partners (", "Costs (EUR)", "Net result (")),
    "fork-refused": Example(("labsim run bigger_start.toml --from results/states",), setup=(CUT[0],), status=2,
                            files={"bigger_start.toml": 'extends = "carrefour_numerique"\nname = "bigger_start"\n'
                                                        "initial_contributors = 200\n"}),
    "damaged-state": Example(("labsim run carrefour_numerique --from results/states --replication 3",),
                             setup=(CUT[0], "truncate -s 1000 results/states/rep-0003/state.npz"), status=2),
    "sensitivity": Example(("labsim sensitivity scenarios/experiments/sensitivity_open.toml --method morris "
                            "--out results/sens",), keep=("inert: ", "visitors ")),
    "calibrate": Example(("labsim calibrate carrefour_numerique --target visitors=3000 --target contributors=60 "
                          "--target partners=6 --param discovery_rate=0.0002:0.004 --param event_newcomers=20:110 "
                          "--param return_base_visitor=0.03:0.3 --param partner_promotion_prob=0.001:0.1 --budget 60 "
                          "--out results/my_lab",)),
    "optimize": Example(("labsim optimize scenarios/examples/small_open.toml --search "
                         "scenarios/experiments/optimize_open.toml --out results/optimize --workers 2",),
                        stderr=False),
    "discover": Example(('labsim discover results/discover_open --where "contributors >= 80 and net_result >= 100000"',),
                        setup=("labsim batch scenarios/experiments/discover_open.toml --out results/discover_open",)),
    "abc": Example(("labsim calibrate scenarios/examples/small_open.toml --method abc --target visitors=4000 "
                    "--target returning_visitors=1400 --param discovery_rate=0.0005:0.01 "
                    "--param return_base_visitor=0.02:0.3 --param open_documentation=0:1 --years 0.5 "
                    "--population 20 --generations 3 --budget 150 --seed 1 --out results/abc_open",)),
}


def masked(text: str) -> str:
    """The block as compared: timings, which differ from run to run, read `N s`."""
    return TIMING.sub("N s", text)


def excerpt(lines: list[str], keep: tuple[str, ...]) -> list[str]:
    """The lines that start with a prefix of `keep`, each with the indented lines under it (a compare's block)."""
    if not keep:
        return lines
    out, inside = [], False
    for line in lines:
        if line.startswith(keep):
            out.append(line)
            inside = True
        elif inside and line.startswith("  "):
            out.append(line)
        else:
            inside = False
    return out


def _argv(command: str, python: str, without: tuple[str, ...] = ()) -> list[str]:
    """A shown command as the process to start: `labsim ...` runs this checkout's labsim with `python`.

    `without`: these modules are hidden (None in sys.modules, so importlib finds no spec), as if their
    extra were not installed.
    """
    words = shlex.split(command)
    if words[0] != "labsim":
        return words
    if not without:
        return [python, "-m", "sim", *words[1:]]
    hide = f"import sys; sys.modules.update(dict.fromkeys({list(without)!r})); from sim.cli import main; "
    return [python, "-c", hide + "sys.exit(main(sys.argv[1:]))", *words[1:]]


def _glob(argv: list[str], cwd: Path) -> list[str]:
    """Expand the shell's globs (scenarios/*.toml) as the shell would, in the scratch folder."""
    out = []
    for word in argv:
        found = sorted(str(p.relative_to(cwd)) for p in cwd.glob(word)) if "*" in word else []
        out += found or [word]
    return out


def run(name: str, python: str = sys.executable) -> str:
    """Run an example in a scratch folder and return its block's text (without the fences)."""
    example = EXAMPLES[name]
    with tempfile.TemporaryDirectory(prefix="labsim-example-") as tmp:
        cwd = Path(tmp)
        shutil.copytree(ROOT / "scenarios", cwd / "scenarios")
        for file, text in example.files.items():
            (cwd / file).write_text(text)
        # no plain progress lines in a block: a reader's terminal shows a bar that ends, not a line every 5 s
        env = os.environ | {"PYTHONPATH": str(ROOT), "COLUMNS": "100", "PYTHONUNBUFFERED": "1",
                            "LABSIM_PROGRESS_SECONDS": "86400"}
        for command in example.setup:
            done = subprocess.run(_glob(_argv(command, python), cwd), cwd=cwd, env=env, capture_output=True, text=True)
            if done.returncode != 0:
                raise SystemExit(f"{name}: setup `{command}` exited {done.returncode}: {done.stderr.strip()[-500:]}")
        lines = []
        for i, command in enumerate(example.commands):
            done = subprocess.run(_glob(_argv(command, python, example.without), cwd), cwd=cwd, env=env, text=True,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT if example.stderr else subprocess.DEVNULL)
            expected = example.status if i == len(example.commands) - 1 else 0
            if done.returncode != expected:
                raise SystemExit(f"{name}: `{command}` exited {done.returncode}, not {expected}: "
                                 f"{done.stdout.strip()[-500:]}")
            lines.append(f"$ {command}")
            keep = example.keep if not example.keep_last or i == len(example.commands) - 1 else ()
            lines += excerpt(done.stdout.rstrip("\n").splitlines(), keep)
    return "\n".join(line.rstrip() for line in lines)


@dataclass
class Block:
    """A marked block of a document: the example's name and the lines between its fences."""

    document: Path
    name: str
    start: int  # index of the line after the opening fence
    end: int  # index of the closing fence
    indent: str
    text: str


def blocks(document: Path) -> list[Block]:
    """Every `<!-- example: NAME -->` block of a document."""
    lines = document.read_text().splitlines()
    found = []
    for i, line in enumerate(lines[:-1]):
        marker = MARKER.match(line)
        if marker is None:
            continue
        fence = lines[i + 1]
        if not fence.strip().startswith("```"):
            raise SystemExit(f"{document.name}:{i + 1}: an example marker must be followed by a fenced block")
        indent = fence[: len(fence) - len(fence.lstrip())]
        end = next(j for j in range(i + 2, len(lines)) if lines[j].strip().startswith("```"))
        text = "\n".join(line[len(indent):] for line in lines[i + 2:end])
        found.append(Block(document, marker.group(1), i + 2, end, indent, text))
    return found


def write(names: list[str]) -> None:
    """Re-run the named examples and rewrite their blocks in every document that shows them."""
    fresh = {name: run(name) for name in names}
    for document in DOCUMENTS:
        lines = document.read_text().splitlines()
        for block in reversed(blocks(document)):
            if block.name in fresh:
                body = [(block.indent + line).rstrip() for line in fresh[block.name].splitlines()]
                lines[block.start:block.end] = body
        document.write_text("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    """Write or list the examples."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="examples to re-run (default: all)")
    parser.add_argument("--write", action="store_true", help="re-run and rewrite the blocks")
    parser.add_argument("--cheap", action="store_true", help="only the cheap examples")
    parser.add_argument("--list", action="store_true", help="list the examples and where they are shown")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in EXAMPLES]
    if unknown:
        parser.error(f"unknown examples {unknown}; known: {', '.join(EXAMPLES)}")
    names = args.names or [n for n, e in EXAMPLES.items() if e.cheap or not args.cheap]
    if args.list or not args.write:
        shown: dict[str, list[str]] = {}
        for document in DOCUMENTS:
            for b in blocks(document):
                shown.setdefault(b.name, []).append(f"{document.relative_to(ROOT)}:{b.start}")
        for name in names:
            where = ", ".join(shown.get(name, ["(not shown)"]))
            print(f"{name:<22} {'cheap' if EXAMPLES[name].cheap else 'long ':<6} {where}")
        return 0
    write(names)
    return 0


if __name__ == "__main__":
    sys.exit(main())
