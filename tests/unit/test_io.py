"""CSV cells that a spreadsheet would run as formulas are neutralised on writing and restored on reading."""

import pandas as pd
import pytest

from sim.io import csv_bytes, read_csv


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x","y")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)",
                                  "\tfoo", "\rbar"])
def test_a_formula_cell_is_neutralised_and_read_back(tmp_path, name):
    table = pd.DataFrame({"scenario": [name, "open_lab"], "mean": [-1.5, 2.0]})
    data = csv_bytes(table)
    first_cell = data.decode().splitlines()[1].split(",")[0].strip('"')
    assert first_cell.startswith("'")  # a spreadsheet shows it as text
    (tmp_path / "t.csv").write_bytes(data)
    back = read_csv(tmp_path / "t.csv", ("scenario",))
    assert back["scenario"].tolist() == [name, "open_lab"]  # labsim reads its own names back unchanged
    assert back["mean"].tolist() == [-1.5, 2.0]  # numbers are numbers: a negative one is not touched


def test_ordinary_cells_and_a_leading_quote_of_the_users_own_stay(tmp_path):
    table = pd.DataFrame({"scenario": ["open_lab", "'quoted", "a-b", None]})
    data = csv_bytes(table)
    assert data.decode().splitlines()[1:3] == ["open_lab", "'quoted"]
    (tmp_path / "t.csv").write_bytes(data)
    assert read_csv(tmp_path / "t.csv")["scenario"].tolist()[:3] == ["open_lab", "'quoted", "a-b"]


def test_result_files_that_are_pipes_huge_or_too_deep_are_refused_in_one_line(tmp_path):
    import os

    from sim.errors import LabsimError
    from sim.io import read_json

    fifo = tmp_path / "summary.json"
    os.mkfifo(fifo)  # reading it would block for ever
    with pytest.raises(LabsimError, match="not a regular file"):
        read_json(fifo)
    with pytest.raises(LabsimError, match="not a regular file"):
        read_csv(fifo)
    deep = tmp_path / "manifest.json"
    deep.write_text("[" * 200_000 + "]" * 200_000)
    with pytest.raises(LabsimError, match="nested too deep"):
        read_json(deep)
    big = tmp_path / "big.json"
    with big.open("wb") as f:
        f.truncate(65 * 2**20)  # sparse: 65 MB that take no disk
    with pytest.raises(LabsimError, match="allowed: at most"):
        read_json(big)


@pytest.mark.parametrize("link", ["scenarios", "summary.json"])
def test_staged_outputs_never_go_through_a_link_inside_out(tmp_path, link):
    from sim.errors import LabsimError
    from sim.io import staged

    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (elsewhere / "theirs.txt").write_text("keep")
    (out / link).symlink_to(elsewhere if link == "scenarios" else elsewhere / "theirs.txt")
    with pytest.raises(LabsimError, match="a symbolic link where labsim writes"), staged(out) as tmp:
        (tmp / "scenarios").mkdir()
        (tmp / "scenarios" / "a.toml").write_text("x = 1\n")
        (tmp / "summary.json").write_text("{}")
    assert sorted(p.name for p in elsewhere.iterdir()) == ["theirs.txt"]
    assert (elsewhere / "theirs.txt").read_text() == "keep"
    assert not [p for p in tmp_path.iterdir() if ".staging-" in p.name]  # the staged files are gone too


# -- a folder is labsim's from its first write (issue 33): a kill -9 at any moment leaves one the command resumes
def _args(out):
    import argparse

    return argparse.Namespace(out=out, force=False, argv=["optimize", "x", "--out", str(out)])


def test_a_folder_is_marked_unfinished_at_its_first_write_and_the_end_replaces_the_mark(tmp_path):
    import json

    from sim.cli.folders import output_folder
    from sim.io import folder_kind, unfinished

    out = tmp_path / "out"
    folder = output_folder(_args(out), "optimization", stage=False)
    with folder:
        assert json.loads((out / "labsim.json").read_text())["finished"] is False and unfinished(out)
        assert folder_kind(out) == (None, None)  # the mark alone: as good as new, for any command
        (out / "study.db").write_bytes(b"")
        (out / "study.db-wal").write_bytes(b"")
        assert folder_kind(out)[0] == "optimization"  # with anything else: labsim's, of this kind
        with folder.staged():
            folder.record()
    assert "finished" not in json.loads((out / "labsim.json").read_text()) and not unfinished(out)


def test_a_command_that_fails_having_written_nothing_takes_its_mark_away(tmp_path):
    from sim.cli.folders import output_folder

    mine = tmp_path / "mine"
    mine.mkdir()  # the user's empty folder: left empty
    for out in (tmp_path / "new", mine):
        with pytest.raises(RuntimeError), output_folder(_args(out), "optimization", stage=False):
            raise RuntimeError("the search failed")
    assert not (tmp_path / "new").exists() and list(mine.iterdir()) == []


def test_an_existing_labsim_folder_keeps_its_own_mark(tmp_path):
    from sim.cli.folders import output_folder

    out = tmp_path / "out"
    with output_folder(_args(out), "optimization", stage=False) as folder, folder.staged():
        folder.record()
    before = (out / "labsim.json").read_bytes()
    with pytest.raises(RuntimeError), output_folder(_args(out), "optimization", stage=False):
        assert (out / "labsim.json").read_bytes() == before  # a resume does not rewrite what ran
        raise RuntimeError("stopped")
    assert (out / "labsim.json").read_bytes() == before


@pytest.mark.parametrize("left", [["study.db", "study.db-wal", "study.db-shm"], ["study.db", "study.db-journal"]])
def test_sqlites_files_beside_a_study_are_labsims_own(tmp_path, left):
    from sim.io import folder_kind

    (tmp_path / "evaluations").mkdir()
    for name in left:
        (tmp_path / name).write_bytes(b"")
    assert folder_kind(tmp_path)[0] == "optimization"  # an optimize killed before labsim.json said so (older labsim)
    (tmp_path / "notes.txt").write_text("mine")
    assert folder_kind(tmp_path)[0] == ""


def test_an_empty_states_folder_left_by_a_killed_compare_fork_leaves_the_folder_new(tmp_path):
    from sim.io import folder_kind

    (tmp_path / "states").mkdir()
    (tmp_path / ".states.staging-123").mkdir()
    assert folder_kind(tmp_path) == (None, None)
    (tmp_path / "states" / "rep-0000").mkdir()
    assert folder_kind(tmp_path)[0] == ""  # something in it: not an empty leftover


def test_report_on_an_unfinished_folder_says_to_run_its_command_again(tmp_path):
    from sim.errors import LabsimError
    from sim.io import claim_folder, marker_bytes

    (tmp_path / "labsim.json").write_bytes(marker_bytes("comparison", command="labsim compare a b", finished=False))
    (tmp_path / "batch").mkdir()
    (tmp_path / "batch" / "manifest.json").write_text("{}")
    with pytest.raises(LabsimError, match=r"unfinished labsim comparison results.*run the same command again"):
        claim_folder(tmp_path, ("comparison",), "labsim report")
