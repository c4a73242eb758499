"""One output-folder policy for every command that writes (issue 23), and outputs that say what ran (issue 24).

`--out` is a new folder or a labsim folder of the same kind (told by its `labsim.json`); a folder of
someone else's files, or of another kind of labsim results, is refused in one line before anything
is written, `--force` or not; an earlier result asked otherwise is replaced only with `--force`.
Every folder holds the resolved scenario and the --set changes.
"""

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import build_parser, main
from sim.config.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
QUICK = ["--years", "0.1", "--set", "warmup_years=0"]  # digital_arti without its warm-up: a fraction of a second
TINY_LAB = ('extends = "carrefour_numerique"\nname = "tiny_open"\nhost_footfall_per_day = 300.0\nwarmup_years = 0.0\n'
            "initial_contributors = 0\ninitial_partners = 0\ninitial_dormant = 0\ninitial_former_regulars = 0\n"
            "initial_awareness = 0.0\nevent_reach = 10.0\ndoc_reach_per_year = 50.0\n")


class ReachedWorkError(Exception):
    """The command passed its checks and was about to run a model."""


def _stop(*args, **kwargs):
    raise ReachedWorkError


@pytest.fixture
def no_work(monkeypatch):
    """Stop every command where its work would begin: a refusal must come before it."""
    import importlib

    for module, name in (("sim.run", "simulate"), ("sim.batch.runner", "make_pool"),
                         ("sim.analysis.calibrate", "calibrate"), ("sim.analysis.abc", "abc_smc"),
                         ("sim.analysis.optimize", "BatchEvaluator"), ("sim.batch.warmup", "evaluate")):
        monkeypatch.setattr(importlib.import_module(module), name, _stop)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Input files of every kind, and a small finished batch with a varied design (for discover)."""
    d = tmp_path_factory.mktemp("inputs")
    (d / "tiny.toml").write_text(TINY_LAB)
    (d / "exp.toml").write_text('scenarios = ["tiny.toml"]\nreplications = 4\nyears = 0.1\n'
                                "[grid]\ndiscovery_rate = [0.0005, 0.003, 0.01]\n")
    assert main(["batch", str(d / "exp.toml"), "--out", str(d / "batch"), "--workers", "1", "--quiet"]) == 0
    runs = pd.read_parquet(d / "batch" / "runs.parquet")
    middle = (runs["visitors"].min() + runs["visitors"].max()) / 2
    return {"dir": d, "batch": d / "batch", "where": f"visitors >= {middle}"}


def commands(files) -> dict[str, list[str]]:
    """Each command that writes, with valid input, without --out."""
    d = files["dir"]
    target = ["--target", "visitors=100", "--param", "discovery_rate=0.001:0.01"]
    return {
        "run": ["run", "digital_arti", *QUICK, "--no-figures"],
        "casestudy": ["casestudy", "--years", "0.1"],
        "compare": ["compare", "digital_arti", "friche", "--reps", "2", *QUICK, "--quiet"],
        "map": ["map", "--resolution", "2", "--reps", "1", "--years", "0.1", "--quiet"],
        "batch": ["batch", str(d / "exp.toml"), "--quiet"],
        "sensitivity": ["sensitivity", str(ROOT / "scenarios/experiments/sensitivity_open.toml"), "--quiet"],
        "calibrate": ["calibrate", str(d / "tiny.toml"), *target, "--budget", "4", "--reps", "2", "--quiet"],
        "abc": ["calibrate", str(d / "tiny.toml"), *target, "--method", "abc", "--population", "10",
                "--generations", "1", "--years", "0.1", "--quiet"],
        "optimize": ["optimize", str(ROOT / "scenarios/examples/small_open.toml"), "--search",
                     str(ROOT / "scenarios/experiments/optimize_open.toml"), "--quiet"],
        "discover": ["discover", str(files["batch"]), "--where", files["where"]],
        "warmup": ["warmup", "digital_arti", "--seeds", "1", "--quiet"],
    }


WRITERS = ["run", "casestudy", "compare", "map", "batch", "sensitivity", "calibrate", "abc", "optimize", "discover",
           "warmup"]


def _contents(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _one_error(capsys, *words: str) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and "Traceback" not in err, err
    for word in words:
        assert word in err, err
    return err


@pytest.mark.parametrize("command", WRITERS)
@pytest.mark.parametrize("force", [False, True])
def test_a_folder_of_someone_elses_files_is_refused_and_left_alone(command, force, files, tmp_path, no_work,
                                                                   capsys):
    theirs = tmp_path / "theirs"
    (theirs / "sub").mkdir(parents=True)
    for name, data in {"notes.txt": b"mine", "summary.csv": b"their,table\n", ".hidden.tmp": b"keep",
                       "sub/report.html": b"<p>their page</p>", "sub/.draft.tmp": b"keep"}.items():
        (theirs / name).write_bytes(data)
    before = _contents(theirs)
    argv = [*commands(files)[command], "--out", str(theirs), *(["--force"] if force and command != "optimize"
                                                               else [])]
    assert main(argv) == 2
    _one_error(capsys, str(theirs), "labsim did not write", "never cleans up other files")
    assert _contents(theirs) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "no staging folder left beside it"


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    """A labsim run's folder (digital_arti, a tenth of a year, no figures)."""
    out = tmp_path_factory.mktemp("run") / "r"
    assert main(["run", "digital_arti", *QUICK, "--no-figures", "--out", str(out)]) == 0
    return out


@pytest.mark.parametrize("command", [c for c in WRITERS if c != "run"])
def test_a_folder_of_another_kind_of_labsim_results_is_refused(command, files, run_folder, tmp_path, no_work,
                                                               capsys):
    out = tmp_path / "r"
    shutil.copytree(run_folder, out)
    before = _contents(out)
    assert main([*commands(files)[command], "--out", str(out)]) == 2
    _one_error(capsys, "holds labsim run results", "choose another folder")
    assert _contents(out) == before


def test_run_into_another_kind_is_refused_too(run_folder, tmp_path, no_work, capsys):
    out = tmp_path / "c"
    out.mkdir()
    (out / "labsim.json").write_text(json.dumps({"labsim": "output folder", "kind": "comparison"}))
    (out / "comparison.csv").write_text("metric\n")
    assert main(["run", "digital_arti", *QUICK, "--out", str(out), "--force"]) == 2
    _one_error(capsys, "holds labsim comparison results")


def test_a_run_is_not_overwritten_without_force(run_folder, tmp_path, capsys):
    out = tmp_path / "r"
    shutil.copytree(run_folder, out)
    before = _contents(out)
    assert main(["run", "digital_arti", *QUICK, "--no-figures", "--out", str(out)]) == 0, "the same request again"
    results = lambda: {k: v for k, v in _contents(out).items() if k not in ("labsim.json", "scenario.toml")}  # noqa: E731
    assert results() == {k: v for k, v in before.items() if k in results()}, "the same run gives the same files"
    before = _contents(out)  # labsim.json and scenario.toml name the command: its --out differs from the fixture's
    assert main(["run", "digital_arti", *QUICK, "--seed", "2", "--no-figures", "--out", str(out)]) == 2
    _one_error(capsys, "labsim does not overwrite an earlier result", "--force", "`labsim run digital_arti")
    assert _contents(out) == before
    (out / "funnel.png").write_bytes(b"an earlier run's figure")  # as if the earlier run had drawn it
    assert main(["run", "digital_arti", *QUICK, "--seed", "2", "--no-figures", "--out", str(out), "--force"]) == 0
    assert not (out / "funnel.png").exists(), "--force replaces the run: nothing of the earlier one is left"
    assert json.loads((out / "summary.json").read_text())["seed"] == 2


def test_a_run_folder_written_before_labsim_json_is_replaced_only_with_force(run_folder, tmp_path, capsys):
    out = tmp_path / "old"
    shutil.copytree(run_folder, out)
    (out / "labsim.json").unlink()
    (out / "scenario.toml").unlink()
    assert main(["run", "digital_arti", *QUICK, "--no-figures", "--out", str(out)]) == 2
    _one_error(capsys, "earlier run results", "--force")
    assert main(["run", "digital_arti", *QUICK, "--no-figures", "--out", str(out), "--force"]) == 0
    assert (out / "labsim.json").is_file()


def test_run_with_set_and_no_out_gets_a_folder_of_its_own(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["run", "digital_arti", "--years", "0.1", "--no-figures"]) == 0
    assert main(["run", "digital_arti", *QUICK, "--no-figures", "--set", "mediators=3"]) == 0
    plain = tmp_path / "results" / "digital_arti"
    changed = tmp_path / "results" / "digital_arti_warmup_years-0.0_mediators-3"
    assert sorted(p.name for p in (tmp_path / "results").iterdir()) == [plain.name, changed.name]
    summary = json.loads((changed / "summary.json").read_text())
    assert summary["set"] == {"warmup_years": 0.0, "mediators": 3} and summary["mediators"] == 3
    assert json.loads((plain / "summary.json").read_text())["mediators"] == 8, "the preset's folder is untouched"
    assert json.loads((plain / "summary.json").read_text())["set"] == {}
    marker = json.loads((changed / "labsim.json").read_text())
    assert marker["kind"] == "run" and marker["set"] == summary["set"] and "--set mediators=3" in marker["command"]


def test_scenario_toml_is_the_resolved_scenario_that_ran(tmp_path):
    lab = tmp_path / "lab.toml"
    lab.write_text('extends = "digital_arti"\nname = "my \\"lab\\" =1+1"\nprice_per_visit = 3.0\n'
                   "[[interventions]]\nat = 20\nmediators = 5\n")
    out = tmp_path / "r"
    assert main(["run", str(lab), *QUICK, "--set", "access=open", "--no-figures", "--out", str(out)]) == 0
    again = load_scenario(out / "scenario.toml")
    ran = load_scenario(lab).with_settings(warmup_years=0.0, access="open")
    assert again.settings == ran.settings and again.interventions == ran.interventions and again.name == ran.name
    assert "extends" not in (out / "scenario.toml").read_text(), "every key, no chain to follow"
    assert main(["run", str(out / "scenario.toml"), "--years", "0.1", "--no-figures", "--out", str(tmp_path / "b")]) == 0
    a, b = (json.loads((p / "summary.json").read_text()) for p in (out, tmp_path / "b"))
    assert {k: v for k, v in a.items() if k != "set"} == {k: v for k, v in b.items() if k != "set"}, \
        "the resolved file runs the same lab"


def test_casestudy_default_folder_is_its_own():
    assert build_parser().parse_args(["casestudy"]).out == Path("results/casestudy")


def test_make_run_twice_and_a_comparison_asked_otherwise(tmp_path, capsys):
    """`labsim compare ... --out X` then `labsim report X`, twice (as `make run` does), then another question."""
    out = tmp_path / "compare"
    compare = ["compare", "digital_arti", "friche", "--reps", "2", *QUICK, "--set", "mediators=3", "--quiet",
               "--workers", "1", "--out", str(out)]
    for _ in range(2):
        assert main(compare) == 0
        assert main(["report", str(out)]) == 0
    marker = json.loads((out / "labsim.json").read_text())
    assert marker["kind"] == "comparison" and marker["set"] == {"warmup_years": 0.0, "mediators": 3}
    assert json.loads((out / "comparison.json").read_text())["set"] == marker["set"]
    for name in ("digital_arti", "friche"):
        assert load_scenario(out / "scenarios" / f"{name}.toml").settings == \
            load_scenario(name).with_settings(warmup_years=0.0, mediators=3).settings
    capsys.readouterr()
    before = (out / "comparison.csv").read_bytes()
    assert main([*compare[:-2], "--seed", "5", "--out", str(out)]) == 2
    _one_error(capsys, "another experiment", "--force")
    assert (out / "comparison.csv").read_bytes() == before


@pytest.mark.parametrize("command", ["calibrate", "discover"])
def test_calibrate_and_discover_write_what_ran_and_refuse_to_overwrite(command, files, tmp_path, capsys):
    out = tmp_path / "o"
    argv = [*commands(files)[command], "--out", str(out)] + (["--workers", "1"] if command == "calibrate" else [])
    assert main(argv) == 0
    marker = json.loads((out / "labsim.json").read_text())
    assert marker["kind"] == {"calibrate": "calibration", "discover": "discovery"}[command]
    assert (out / "scenario.toml").is_file() if command == "calibrate" else (out / "scenarios" / "tiny_open.toml").is_file()
    before = _contents(out)
    changed = [a.replace("visitors=100", "visitors=120").replace(files["where"], files["where"] + " or partners > 5")
               for a in argv]
    capsys.readouterr()
    assert main(changed) == 2
    _one_error(capsys, "labsim does not overwrite an earlier result")
    assert _contents(out) == before


def test_compare_set_over_the_limits_writes_nothing(tmp_path, capsys):
    # the resolved scenario files of --set used to be written into --out/scenarios before the cost was checked
    out = tmp_path / "cx"
    code = main(["compare", "digital_arti", "friche", "--set", "host_footfall_per_day=1000000", "--set",
                 "discovery_rate=0.05", "--reps", "2", "--out", str(out)])
    assert code == 2 and not out.exists() and list(tmp_path.iterdir()) == []
    assert "people over the run" in _one_error(capsys, "compare --set")


def test_a_folder_named_tilde_is_read_back_from_itself_never_from_home(files, tmp_path, monkeypatch, capsys):
    # pandas expands a path beginning with "~": a batch written into ./~ was read back from the home folder
    # (refused as "missing", its folder left behind; a file of the same name at home would have been read)
    home = tmp_path / "home"
    (home / "runs").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(tmp_path)
    shutil.copy(files["dir"] / "exp.toml", tmp_path / "exp.toml")
    shutil.copy(files["dir"] / "tiny.toml", tmp_path / "tiny.toml")
    assert main(["batch", "exp.toml", "--out", "~", "--workers", "1", "--quiet"]) == 0, capsys.readouterr().err
    assert main(["summarize", "~"]) == 0 and (tmp_path / "~" / "summary.csv").is_file()
    assert list((home / "runs").iterdir()) == [], "nothing read from or written to the home folder"


# -- report and summarize write into the folder they read: the same policy, told in one line -----------------------
READS = {"report": ("run", "batch", "comparison", "map", "sensitivity", "calibration", "optimization"),
         "summarize": ("batch",)}
TYPICAL = {"states": "manifest.json", "log_description": "log_summary.json", "abc": "posterior.csv",
           "discovery": "box.csv", "casestudy": "funnels.png", "comparison": "comparison.csv", "map": "map.csv",
           "sensitivity": "sensitivity.csv", "optimization": "pareto.csv", "calibration": "calibrated.toml",
           "run": "summary.json"}


@pytest.mark.parametrize("command", list(READS))
@pytest.mark.parametrize("kind", sorted(TYPICAL))
def test_report_and_summarize_refuse_a_folder_of_another_kind_naming_it(command, kind, tmp_path, capsys):
    if kind in READS[command]:
        pytest.skip("a kind this command reads")
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "labsim.json").write_text(json.dumps({"labsim": "output folder", "kind": kind}))
    (folder / TYPICAL[kind]).write_text("{}")
    before = _contents(folder)
    assert main([command, str(folder)]) == 2
    _one_error(capsys, str(folder), f"holds labsim {kind} results", f"{command} reads a labsim")
    assert _contents(folder) == before


@pytest.mark.parametrize("command", list(READS))
@pytest.mark.parametrize("name", ["summary.json", "manifest.json", "comparison.csv", "pareto.csv", "calibrated.toml"])
def test_report_and_summarize_never_write_among_someone_elses_files(command, name, tmp_path, capsys):
    # a user's folder that happens to hold a file of a labsim name used to be read, and report.html written into it
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / name).write_text('{"experiment_hash": "x", "scenario": "s", "seed": 1}' if name.endswith(".json")
                               else "metric\n")
    (folder / "notes.txt").write_text("mine")
    before = _contents(folder)
    assert main([command, str(folder)]) == 2
    _one_error(capsys, str(folder), "labsim did not write", f"{command} reads and writes only in a labsim")
    assert _contents(folder) == before


def _batch_copy(files, tmp_path) -> Path:
    out = tmp_path / "b"
    shutil.copytree(files["batch"], out)
    return out


@pytest.mark.parametrize("command", list(READS))
@pytest.mark.parametrize("where", ["written", "read", "folder"])
def test_report_and_summarize_refuse_a_link_in_the_folder(command, where, files, tmp_path, capsys):
    out, elsewhere = _batch_copy(files, tmp_path), tmp_path / "elsewhere"
    elsewhere.mkdir()
    written = {"report": "report.html", "summarize": "summary.csv"}[command]
    if where == "written":  # replaced, not followed, before; now refused like every link where labsim writes
        (out / written).unlink(missing_ok=True)
        (elsewhere / "theirs").write_text("theirs")
        (out / written).symlink_to(elsewhere / "theirs")
    elif where == "read":  # the runs read through a link from elsewhere
        (out / "runs.parquet").rename(elsewhere / "runs.parquet")
        (out / "runs.parquet").symlink_to(elsewhere / "runs.parquet")
    else:
        (out / "scenarios" / "more").symlink_to(elsewhere)
    before, theirs = _contents(out), _contents(elsewhere)
    assert main([command, str(out)]) == 2
    _one_error(capsys, "a symbolic link", "neither reads results nor writes through links")
    assert _contents(out) == before and _contents(elsewhere) == theirs


@pytest.mark.parametrize("command", list(READS))
def test_report_and_summarize_wait_for_no_one_and_write_nothing_into_a_locked_folder(command, files, tmp_path,
                                                                                     capsys):
    import fcntl
    import os

    out = _batch_copy(files, tmp_path)
    before = _contents(out)
    fd = os.open(out, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a batch that is still writing there holds it
        assert main([command, str(out)]) == 2
    finally:
        os.close(fd)
    _one_error(capsys, "another labsim process is writing there")
    assert _contents(out) == before


@pytest.mark.parametrize("command", list(READS))
def test_report_and_summarize_inside_the_folder_they_read(command, files, tmp_path, monkeypatch, capsys):
    out = _batch_copy(files, tmp_path)
    monkeypatch.chdir(out)
    assert main([command, "."]) == 0
    assert (out / {"report": "report.html", "summarize": "summary.csv"}[command]).is_file()
    for place in ("/", str(Path.home())):
        assert main([command, place]) == 2
        _one_error(capsys, "reads a labsim")


def test_saved_labs_without_labsim_json_are_states_and_a_marker_that_is_no_file_is_not_labsims(tmp_path):
    from sim.io import folder_kind

    states = tmp_path / "states"  # compare --fork keeps its saved labs so: a manifest, no labsim.json
    states.mkdir()
    (states / "manifest.json").write_text(json.dumps({"kind": "labsim lab states", "seeds": [1]}))
    assert folder_kind(states)[0] == "states"
    odd = tmp_path / "odd"
    odd.mkdir()
    (odd / "summary.json").write_text("{}")
    (odd / "labsim.json").symlink_to(tmp_path / "elsewhere.json")
    assert folder_kind(odd)[0] == ""


SAME_KIND_NAME = {"run": ("summary.json", "{}"), "batch": ("manifest.json", '{"experiment_hash": "x"}'),
                  "compare": ("comparison.csv", "metric\n"), "map": ("map.csv", "a\n"),
                  "sensitivity": ("sensitivity.csv", "a\n"), "calibrate": ("calibrated.toml", ""),
                  "abc": ("posterior.csv", "a\n"), "optimize": ("pareto.csv", "a\n"), "discover": ("box.csv", "a\n"),
                  "warmup": ("manifest.json", '{"kind": "labsim lab states"}')}


@pytest.mark.parametrize("command", list(SAME_KIND_NAME))
def test_a_users_folder_holding_a_file_of_a_labsim_name_is_not_taken_for_an_old_result(command, files, tmp_path,
                                                                                      no_work, capsys):
    # a folder without labsim.json was labsim's if it held a run's summary.json (a batch's manifest, a comparison.csv...):
    # `run --out ~/mine --force` then deleted the user's other files as leftovers of "an earlier run"
    mine = tmp_path / "mine"
    (mine / "photos").mkdir(parents=True)
    name, text = SAME_KIND_NAME[command]
    (mine / name).write_text(text)
    (mine / "notes.txt").write_text("mine")
    (mine / "photos" / "a.jpg").write_bytes(b"jpg")
    before = _contents(mine)
    argv = [*commands(files)[command], "--out", str(mine), *([] if command == "optimize" else ["--force"])]
    assert main(argv) == 2
    _one_error(capsys, "labsim did not write", "never cleans up other files")
    assert _contents(mine) == before


def test_a_link_in_a_sub_folder_of_the_same_kind_is_refused_before_anything_is_written(files, tmp_path, capsys):
    # only links at the top of --out were refused; one in scenarios/ was silently replaced by the batch's file
    out, elsewhere = _batch_copy(files, tmp_path), tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "theirs.toml").write_text("theirs")
    inner = next((out / "scenarios").glob("*.toml"))
    inner.unlink()
    inner.symlink_to(elsewhere / "theirs.toml")
    before = _contents(out)
    assert main([*commands(files)["batch"], "--out", str(out), "--force", "--workers", "1"]) == 2
    _one_error(capsys, str(inner), "a symbolic link where labsim writes")
    assert _contents(out) == before and inner.is_symlink() and (elsewhere / "theirs.toml").read_text() == "theirs"


@pytest.mark.parametrize("command", ["run", "batch", "optimize", "warmup"])
def test_a_folder_name_too_long_to_stage_beside_is_refused_before_anything_is_written(command, files, tmp_path,
                                                                                     monkeypatch, no_work, capsys):
    # a 255-byte name is a valid folder, but `.<name>.staging-<pid>` beside it is not: optimize failed half-way
    monkeypatch.chdir(tmp_path)
    assert main([*commands(files)[command], "--out", "n" * 255]) == 2
    _one_error(capsys, "a folder name of 255 bytes", "at most 200")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", ["run", "discover"])
def test_force_replaces_only_what_labsim_wrote_and_keeps_the_users_files(command, files, tmp_path):
    # --force deleted a user's notes and sub-folders kept inside a labsim folder (issue 33, item 2)
    out = tmp_path / "out"
    first = [a for a in commands(files)[command] if a != "--no-figures"]
    assert main([*first, "--out", str(out)]) == 0
    marker = json.loads((out / "labsim.json").read_text())
    if command == "discover":  # the staged commands list what they wrote in labsim.json
        assert "box.csv" in marker["files"] and "labsim.json" not in marker["files"]
        marker["files"].append("old_figure.png")  # as an earlier labsim result would have listed it
        (out / "labsim.json").write_text(json.dumps(marker))
        (out / "old_figure.png").write_bytes(b"png")
    (out / "notes.txt").write_text("mine")
    (out / "mine").mkdir()
    (out / "mine" / "a.txt").write_text("a")
    again = ([*commands(files)["run"], "--seed", "2"] if command == "run" else
             ["discover", str(files["batch"]), "--where", files["where"].replace(">=", "<=")])
    assert main([*again, "--out", str(out), "--force"]) == 0
    assert (out / "notes.txt").read_text() == "mine" and (out / "mine" / "a.txt").read_text() == "a"
    if command == "run":
        assert not (out / "funnel.png").exists(), "the earlier run's figure (labsim's) is replaced"
    else:
        assert not (out / "old_figure.png").exists(), "what labsim.json listed is replaced"
        assert "notes.txt" not in json.loads((out / "labsim.json").read_text())["files"]


def test_force_on_a_folder_with_a_copied_labsim_json_keeps_the_users_files(files, tmp_path):
    out, theirs = tmp_path / "out", tmp_path / "theirs"
    assert main([*commands(files)["run"], "--out", str(out)]) == 0
    (theirs / "photos").mkdir(parents=True)
    shutil.copy(out / "labsim.json", theirs / "labsim.json")  # a labsim.json of the right kind, copied
    (theirs / "notes.txt").write_text("mine")
    (theirs / "photos" / "a.jpg").write_bytes(b"jpg")
    assert main([*commands(files)["run"], "--seed", "3", "--out", str(theirs), "--force"]) == 0
    assert (theirs / "notes.txt").read_text() == "mine" and (theirs / "photos" / "a.jpg").read_bytes() == b"jpg"
    assert (theirs / "summary.json").exists()
