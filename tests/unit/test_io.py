"""CSV cells that a spreadsheet would run as formulas are neutralised on writing and restored on reading."""

import pandas as pd
import pytest

from sim.csvfile import csv_bytes, read_csv


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
