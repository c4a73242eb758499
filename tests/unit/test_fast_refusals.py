"""A bad argument or file kind is refused before the heavy packages load (issue 34: a refusal in under a second).

Times are measured by benchmarks/refusals.py, not here (a shared machine's times
vary); this checks the behaviour that makes them short: every refusal below ends
with exit status 2 in a fresh interpreter that has not imported pandas, numpy,
Mesa, matplotlib and the like.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("pandas", "numpy", "scipy", "matplotlib", "mesa", "networkx", "igraph", "pyarrow", "sim.model.model")
PRESET = "carrefour_numerique"
EXPERIMENT = str(ROOT / "scenarios" / "experiments" / "five_presets.toml")
SENSITIVITY = str(ROOT / "scenarios" / "experiments" / "sensitivity_open.toml")

REFUSALS = [
    ["run", "nosuch_lab"],
    ["run", PRESET, "--set", "host_footfall_per_day=1000000", "--set", "discovery_rate=1"],
    ["compare", PRESET, "--out", "new"],
    ["compare", PRESET, "digital_arti", "--focus", "nosuch", "--out", "new"],
    ["compare", PRESET, "digital_arti", "--out", "foreign"],
    ["compare", PRESET, "digital_arti", "--posterior", "foreign", "--out", "new"],
    ["compare", PRESET, "digital_arti", "--posterior", "cal", "--out", "new"],
    ["sensitivity", EXPERIMENT, "--out", "new"],
    ["calibrate", PRESET, "--from-log", "notes.txt", "--out", "new"],
    ["calibrate", PRESET, "--target", "nosuch=3", "--param", "discovery_rate=0.001:0.01", "--out", "new"],
    ["calibrate", PRESET, "--target", "visitors=3000", "--param", "nosuch=0:1", "--out", "new"],
    ["calibrate", PRESET, "--from-log", "nocolumn.csv", "--out", "new"],
    ["discover", "foreign", "--where", "contributors >= 1"],
    ["discover", "foreign", "--where", "contributers >= 1"],
    ["discover", "foreign", "--where", "contributors >="],
    ["compare", PRESET, "digital_arti", "--from", "foreign", "--out", "new"],
    ["compare", PRESET, "digital_arti", "--from", "oldstates", "--out", "new"],
    ["sensitivity", SENSITIVITY, "--from", "foreign", "--out", "new"],
    ["sensitivity", SENSITIVITY, "--from", "oldstates", "--out", "new"],
    ["map", "--out", "foreign"],
    ["log", "describe", "notes.txt", "--out", "new"],
    ["log", "describe", "nocolumn.csv", "--out", "new"],
    ["log", "describe", "log.csv", "--out", "foreign"],
    ["log", "synth", PRESET, "--out", "visits.txt"],
    ["log", "describe", "spaces.csv", "--out", "new"],  # separated by spaces, no header: the hint names --sep
    ["log", "describe", "spaces.csv", "--sep", "ab", "--out", "new"],
    ["log", "describe", "spaces.csv", "--no-header", "--person-col", "badge", "--out", "new"],
    ["log", "describe", "spaces.csv", "--no-header", "--out", "new"],  # one column only: which --sep to give
    ["calibrate", PRESET, "--from-log", "spaces.csv", "--sep", "whitespace", "--no-header", "--date-col", "3",
     "--out", "new"],
    ["calibrate", PRESET, "--target", "visitors=3000", "--param", "discovery_rate=0.001:0.01", "--no-header",
     "--out", "new"],
    ["report", "foreign"],
    ["summarize", "foreign"],
    ["casestudy", "--out", "foreign"],
    ["warmup", "nosuch_lab", "--seeds", "2", "--out", "new"],
]

CHILD = """
import json, sys
from sim.cli import main
codes = [main(argv) for argv in json.loads(sys.argv[1])]
heavy = json.loads(sys.argv[2])
print(json.dumps({"codes": codes, "loaded": sorted(m for m in heavy if m in sys.modules)}))
"""


def test_refusals_load_no_heavy_package(tmp_path, processes):
    (tmp_path / "notes.txt").write_text("not a labsim file\n")
    (tmp_path / "nocolumn.csv").write_text("who,when\na,2024-01-02\n")
    (tmp_path / "log.csv").write_text("person,date\na,2024-01-02\n")
    (tmp_path / "spaces.csv").write_text("a 20240102\nb 20240103\n")
    (tmp_path / "foreign").mkdir()
    (tmp_path / "foreign" / "thesis.tex").write_text("x\n")
    (tmp_path / "oldstates").mkdir()  # saved labs of another labsim
    (tmp_path / "oldstates" / "manifest.json").write_text('{"kind": "labsim lab states", "format": 1, '
                                                          '"labsim_version": "0.0.1"}\n')
    (tmp_path / "cal").mkdir()  # an ABC folder whose posterior sets a value out of its key's range
    (tmp_path / "cal" / "labsim.json").write_text('{"labsim": "output folder", "kind": "abc"}')
    (tmp_path / "cal" / "intervals.csv").write_text("setting,median\ndiscovery_rate,0.5\n")
    (tmp_path / "cal" / "posterior.csv").write_text("discovery_rate,weight\n2.5,1\n")
    proc = processes.run([sys.executable, "-c", CHILD, json.dumps(REFUSALS), json.dumps(HEAVY)], cwd=tmp_path,
                         capture_output=True, text=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    assert found["codes"] == [2] * len(REFUSALS), list(zip(REFUSALS, found["codes"], strict=True))
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) >= len(REFUSALS) and "Traceback" not in proc.stderr, proc.stderr
    assert found["loaded"] == [], f"a refusal loaded {found['loaded']}"


def test_a_csv_log_without_the_column_is_refused_as_the_reader_refuses_it(tmp_path):
    from sim.errors import LabsimError
    from sim.logs.logfile import check_log
    from sim.logs.visitlog import read_log

    path = tmp_path / "log.csv"
    path.write_text('\ufeffwho,"da,te"\na,2024-01-02\n')
    messages = []
    for check in (check_log, read_log):
        try:
            check(path, "person", "da,te")
        except LabsimError as exc:
            messages.append(str(exc))
    assert len(messages) == 2 and messages[0] == messages[1] and "no column 'person'" in messages[0]
    path.write_text(",date\na,2024-01-02\n")  # an unnamed column: left to the reader, whose words name it
    check_log(path, "person", "date")


def _manifest(folder: Path, **changes) -> Path:
    import dataclasses

    from sim.config.saved_labs import FORMAT, settings_hash
    from sim.config.scenario import load_scenario
    from sim.io import STATES_MANIFEST_KIND
    from sim.version import __version__

    settings = dataclasses.asdict(load_scenario("digital_arti").settings)
    manifest = {"kind": STATES_MANIFEST_KIND, "format": FORMAT, "labsim_version": __version__,
                "scenario": "digital_arti", "settings": settings, "settings_hash": settings_hash(settings),
                "seeds": [11, 12], "files": {f"rep-{r:04d}/{name}": "0" * 64 for r in range(2)
                                             for name in ("state.npz", "state.json")}} | changes
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder


def test_saved_labs_are_refused_by_their_manifest_as_the_model_refuses_them(tmp_path):
    """The light check of a --from folder (sim.config.saved_labs) says what sim.model.state.LabStates says."""
    from sim.config import saved_labs
    from sim.config.scenario import load_scenario
    from sim.errors import LabsimError
    from sim.model import state

    assert saved_labs.FORMAT == state.FORMAT
    (tmp_path / "nomanifest").mkdir()
    (tmp_path / "damaged").mkdir()
    (tmp_path / "damaged" / "manifest.json").write_text("{not json")
    bad = [tmp_path / "missing", tmp_path / "nomanifest", tmp_path / "damaged",
           _manifest(tmp_path / "kind", kind="labsim batch"), _manifest(tmp_path / "old", labsim_version="0.0.1"),
           _manifest(tmp_path / "format", format=99), _manifest(tmp_path / "incomplete", seeds="many"),
           _manifest(tmp_path / "edited", settings_hash="0" * 16), _manifest(tmp_path / "nofiles", files={}),
           _manifest(tmp_path / "sameseed", seeds=[11, 11])]  # the last two: issue 33's manifest checks, light too
    for folder in bad:
        said = []
        for reader in (saved_labs.SavedLabs, state.LabStates):
            try:
                reader(folder, "--from")
            except LabsimError as exc:
                said.append(str(exc))
        assert len(said) == 2 and said[0] == said[1], (folder.name, said)
    good = _manifest(tmp_path / "good")
    light, full = saved_labs.SavedLabs(good), state.LabStates(good)
    assert (light.seeds, light.settings, light.scenario_name, len(light)) == (full.seeds, full.settings,
                                                                             full.scenario_name, len(full))
    other = load_scenario("carrefour_numerique").settings
    assert saved_labs.start_differences(light.settings, other) == state.start_differences(full.settings, other)
    for check in (lambda s: s.check_replications(5, "--reps"), lambda s: s.check_scenario(other, "open")):
        said = []
        for saved in (light, full):
            try:
                check(saved)
            except LabsimError as exc:
                said.append(str(exc))
        assert len(said) == 2 and said[0] == said[1], said
