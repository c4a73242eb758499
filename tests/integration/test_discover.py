"""labsim discover: PRIM recovers a known box; the condition parser is safe; bad input is one line, exit 2."""

import json

import numpy as np
import pandas as pd
import pytest

from sim.analysis import condition, discover
from sim.batch.store import Store
from sim.cli import main
from sim.errors import LabsimError

pytest.importorskip("prim", reason="the analysis extra (pip install 'labsim[analysis]')")
pytest.importorskip("sklearn", reason="the analysis extra (pip install 'labsim[analysis]')")

TOLERANCE = 0.08  # on a unit-scaled setting: PRIM peels 5% of the cases a step, so limits land within a step or two
BOX = {"mediators": (0.3, 0.8), "price_per_visit": (0.0, 0.5)}  # as shares of each setting's range


def synthetic(n: int = 600, seed: int = 3) -> pd.DataFrame:
    """Runs whose 'contributors' is high inside BOX (mediators, price) and low outside; a third setting is noise."""
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    df = pd.DataFrame({"mediators": rng.uniform(2, 20, n), "price_per_visit": rng.uniform(0, 20, n),
                       "open_documentation": rng.uniform(0, 1, n)})
    u_m, u_p = (df["mediators"] - 2) / 18, df["price_per_visit"] / 20
    inside = (u_m >= BOX["mediators"][0]) & (u_m <= BOX["mediators"][1]) & (u_p <= BOX["price_per_visit"][1])
    df["contributors"] = np.where(inside, 150, 50) + rng.normal(0, 5, n)
    df["net_result"] = rng.normal(0, 1000, n)
    return df


def write_batch(folder, df: pd.DataFrame, varied=("mediators", "price_per_visit", "open_documentation")) -> None:
    """A folder in the batch store's format (manifest and runs.parquet), without running the model."""
    folder.mkdir(parents=True, exist_ok=True)
    runs = df.assign(run_id=[f"r{i:05d}" for i in range(len(df))], scenario="carrefour_numerique",
                     point=range(len(df)), replication=0, seed=1, status="ok", error="")
    Store(folder).append(runs.to_dict("records"), [])
    (folder / "manifest.json").write_text(json.dumps({"experiment_hash": "x", "name": "synthetic",
                                                      "experiment": {"varied": list(varied)}}))


def test_prim_recovers_a_known_box():
    df = synthetic()
    x, y = df[["mediators", "price_per_visit", "open_documentation"]], (df["contributors"] >= 100).to_numpy()
    found = discover.discover(x, y, "contributors >= 100")
    lim = found.limits.set_index("setting")
    assert lim.loc["mediators", "restricted"] and lim.loc["price_per_visit", "restricted"]
    assert not lim.loc["open_documentation", "restricted"] or not lim.loc["open_documentation", "significant"]
    assert abs((lim.loc["mediators", "low"] - 2) / 18 - BOX["mediators"][0]) <= TOLERANCE
    assert abs((lim.loc["mediators", "high"] - 2) / 18 - BOX["mediators"][1]) <= TOLERANCE
    assert abs(lim.loc["price_per_visit", "high"] / 20 - BOX["price_per_visit"][1]) <= TOLERANCE
    assert lim.loc["mediators", "qp_value"] < 0.05 and lim.loc["price_per_visit", "qp_value"] < 0.05
    t = found.trajectory.iloc[found.chosen]
    assert t["coverage"] >= 0.8 and t["density"] >= 0.9


def test_discover_command_writes_everything(tmp_path):
    write_batch(tmp_path / "b", synthetic(300))
    assert main([
        "discover", str(tmp_path / "b"), "--where", "contributors >= 100 and net_result >= -400000",
        "--out", str(tmp_path / "d")]) == 0
    names = {p.name for p in (tmp_path / "d").iterdir()}
    assert {"trajectory.csv", "trajectory.png", "box.csv", "box.png", "discover.html"} <= names
    traj = pd.read_csv(tmp_path / "d" / "trajectory.csv")
    assert {"coverage", "density", "mass", "restricted"} <= set(traj.columns)
    assert pd.read_csv(tmp_path / "d" / "box.csv")["qp_value"].notna().any()


def test_condition_parser_is_safe_and_strict():
    cols = ["contributors", "net_result", "revenue"]
    tree = condition.parse("(contributors >= 100 and net_result>=-4e5) or revenue < 1_000", cols)
    table = pd.DataFrame({"contributors": [120, 50, 50], "net_result": [0, 0, 0], "revenue": [5000, 500, 5000]})
    assert condition.evaluate(tree, table).tolist() == [True, True, False]
    for bad in ("__import__('os').system('x')", "contributors >= ", "contributors >= 1 and", "contributors 100",
                "contributors >= 100 revenue > 1", "(contributors >= 1", "contributors >= nan", ""):
        with pytest.raises(LabsimError):
            condition.parse(bad, cols)
    with pytest.raises(LabsimError, match="did you mean 'contributors'"):
        condition.parse("contributers >= 100", cols)


@pytest.mark.parametrize(("where", "message"), [
    ("contributors >= >= 100", "expected a number"),
    ("contributers >= 100", "unknown column 'contributers'"),
    ("mediators >= 1", "unknown column 'mediators'"),  # a setting is not an outcome
    ("contributors >= 1e9", "holds in none"),
])
def test_bad_condition_is_one_line_exit_2_nothing_written(tmp_path, capsys, where, message):
    write_batch(tmp_path / "b", synthetic(100))
    before = sorted(p.name for p in (tmp_path / "b").iterdir())
    assert main(["discover", str(tmp_path / "b"), "--where", where]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == before


def test_batch_without_the_needed_columns(tmp_path, capsys):
    write_batch(tmp_path / "nodesign", synthetic(50), varied=())  # replications of presets: no setting varies
    (tmp_path / "empty").mkdir()
    for folder, message in (("nodesign", "varies no setting"), ("empty", "holds no labsim batch")):
        assert main(["discover", str(tmp_path / folder), "--where", "contributors >= 100",
                     "--out", str(tmp_path / "out")]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and message in err[0]
    assert not (tmp_path / "out").exists()
    write_batch(tmp_path / "nocol", synthetic(50).drop(columns="net_result"))
    assert main(["discover", str(tmp_path / "nocol"), "--where", "net_result >= 0", "--out", str(tmp_path / "o")]) == 2
    assert "unknown column 'net_result'" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
