"""Saved labs are checked by meaning before the first run (issue 33, item 1), not only by their checksums.

Each case tampers with a copy of small saved labs and then updates the manifest's checksums to match,
as an attacker would: the meaning checks must still refuse it, in one line (exit 2, nothing written),
and library calls raise LabsimError, never a zip, JSON or recursion error.
"""

import hashlib
import io
import json
import shutil
import zipfile

import numpy as np
import pytest

from sim.batch.warmup import warm_up
from sim.cli import main
from sim.config.scenario import load_scenario
from sim.errors import LabsimError
from sim.model.state import MAX_INFLATED, LabStates
from sim.run import trial_restore

SMALL = {"warmup_years": 0.3, "host_footfall_per_day": 1000.0, "initial_dormant": 200, "initial_contributors": 10}


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """Three small mature labs, saved once for the module, and the scenario they were warmed up from."""
    d = tmp_path_factory.mktemp("saved")
    scenario = load_scenario("carrefour_numerique").with_settings(**SMALL)
    warm_up(scenario, 3, d / "states", root_seed=4, workers=1)
    lab = d / "lab.toml"
    lab.write_text('extends = "carrefour_numerique"\nname = "lab"\n'
                   + "".join(f"{k} = {v}\n" for k, v in SMALL.items()))
    (d / "policy.toml").write_text(f'extends = "{lab}"\nname = "policy"\nmediators = 6\n')
    return d / "states", lab, d / "policy.toml"


def _copy(saved, tmp_path):
    out = tmp_path / "states"
    shutil.copytree(saved[0], out)
    return out


def _rehash(folder):
    """Update the manifest's checksums to match the files as they are now (what a careful tamperer does)."""
    manifest = json.loads((folder / "manifest.json").read_text())
    for rel in manifest["files"]:
        path = folder / rel
        if path.is_file():
            manifest["files"][rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))


def _npz(folder, rep, change):
    path = folder / f"rep-{rep:04d}" / "state.npz"
    with np.load(path) as z:
        arrays = {k: z[k] for k in z.files}
    change(arrays)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    path.write_bytes(buf.getvalue())


def _state_json(folder, rep, change):
    path = folder / f"rep-{rep:04d}" / "state.json"
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def _nan(folder):
    _npz(folder, 1, lambda a: a["people/column.talent"].__setitem__(3, np.nan))


def _negative(folder):
    _npz(folder, 1, lambda a: a["people/column.visits"].__setitem__(0, -5))


def _out_of_range_code(folder):
    _npz(folder, 0, lambda a: a["people/column.role"].__setitem__(0, 99))


def _wrong_shape(folder):
    _npz(folder, 2, lambda a: a.__setitem__("people/column.wtp", a["people/column.wtp"][:-1]))


def _wrong_dtype(folder):
    _npz(folder, 2, lambda a: a.__setitem__("people/column.visits", a["people/column.visits"].astype(np.float64)))


def _far_day(folder):
    _npz(folder, 0, lambda a: a["people/column.last_visit"].__setitem__(0, 1e17))


def _huge_clock(folder):
    _state_json(folder, 1, lambda d: d["model"].__setitem__("time", 1e17))


def _swapped(folder):
    a, b = folder / "rep-0000", folder / "rep-0001"
    a.rename(folder / "tmp")
    b.rename(a)
    (folder / "tmp").rename(b)


def _other_seed(folder):
    _state_json(folder, 2, lambda d: d["model"].__setitem__("seed", d["model"]["seed"] + 1))


def _other_settings(folder):
    _state_json(folder, 0, lambda d: d["model"]["settings"].__setitem__("mediators", 3))


def _manifest_settings(folder):  # the manifest says another lab than the states hold (its hash updated too)
    from sim.model.state import settings_hash

    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["settings"]["price_per_visit"] = 7.0
    manifest["settings_hash"] = settings_hash(manifest["settings"])
    (folder / "manifest.json").write_text(json.dumps(manifest))


def _deep_json(folder):
    (folder / "rep-0001" / "state.json").write_text("[" * 100_000 + "]" * 100_000)


def _deep_but_parsable(folder):
    _state_json(folder, 1, lambda d: d["market"].__setitem__("clients", json.loads("[" * 60 + "]" * 60)))


def _bad_component(folder):
    _state_json(folder, 0, lambda d: d["market"].__setitem__("clients", "nonsense"))


def _one_byte(folder):
    path = folder / "rep-0001" / "state.npz"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _not_a_zip(folder):
    (folder / "rep-0000" / "state.npz").write_bytes(b"PK\x03\x04 not a zip at all")


def _zip_bomb(folder):
    """A small zip whose member declares more than the cap (zeros compress to almost nothing)."""
    path = folder / "rep-0002" / "state.npz"
    with np.load(path) as z:
        arrays = {k: z[k] for k in z.files}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for k, v in arrays.items():
            inner = io.BytesIO()
            np.lib.format.write_array(inner, v)
            zf.writestr(f"{k}.npy", inner.getvalue())
        with zf.open("people/bomb.npy", "w", force_zip64=True) as f:
            np.lib.format.write_array_header_1_0(f, {"descr": "<f8", "fortran_order": False,
                                                     "shape": (MAX_INFLATED // 8 + 1,)})
            chunk = bytes(2**20)
            for _ in range(MAX_INFLATED // 2**20 + 1):
                f.write(chunk)
    path.write_bytes(buf.getvalue())
    assert path.stat().st_size < 2 * 2**20  # small on disk


def _lying_header(folder):
    """An array whose header declares far more data than its member holds."""
    path = folder / "rep-0000" / "state.npz"
    with np.load(path) as z:
        arrays = {k: z[k] for k in z.files}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for k, v in arrays.items():
            inner = io.BytesIO()
            np.lib.format.write_array(inner, v)
            zf.writestr(f"{k}.npy", inner.getvalue())
        inner = io.BytesIO()
        np.lib.format.write_array_header_1_0(inner, {"descr": "<f8", "fortran_order": False, "shape": (10**12,)})
        zf.writestr("people/lie.npy", inner.getvalue())
    path.write_bytes(buf.getvalue())


def _symlink(folder):
    outside = folder.parent / "outside.npz"
    shutil.copy(folder / "rep-0001" / "state.npz", outside)
    (folder / "rep-0001" / "state.npz").unlink()
    (folder / "rep-0001" / "state.npz").symlink_to(outside)


def _manifest_files(folder):  # a replication's checksums left out of the manifest
    manifest = json.loads((folder / "manifest.json").read_text())
    del manifest["files"]["rep-0002/state.json"]
    (folder / "manifest.json").write_text(json.dumps(manifest))


TAMPERED = {"nan": _nan, "negative count": _negative, "unknown role": _out_of_range_code, "shape": _wrong_shape,
            "dtype": _wrong_dtype, "far day": _far_day, "huge clock": _huge_clock, "swapped": _swapped,
            "other seed": _other_seed, "state settings": _other_settings, "manifest settings": _manifest_settings,
            "deep json": _deep_json, "deep parsable json": _deep_but_parsable, "component": _bad_component,
            "one byte": _one_byte, "not a zip": _not_a_zip, "zip bomb": _zip_bomb, "lying header": _lying_header,
            "symlink": _symlink, "manifest files": _manifest_files}


@pytest.mark.parametrize("case", list(TAMPERED))
def test_a_tampered_saved_lab_is_refused_before_any_run(saved, tmp_path, capsys, case):
    folder = _copy(saved, tmp_path)
    TAMPERED[case](folder)
    _rehash(folder)  # the checksums match: only the meaning checks can tell
    with pytest.raises(LabsimError):
        LabStates(folder).verify(3, trial_restore)
    out = tmp_path / "cmp"
    code = main(["compare", str(saved[1]), str(saved[2]), "--from", str(folder), "--reps", "3",
                 "--years", "0.1", "--quiet", "--workers", "1", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err, err
    assert not out.exists(), "nothing written"


def test_the_untampered_labs_pass_and_a_compare_from_them_runs(saved, tmp_path):
    folder = _copy(saved, tmp_path)
    _rehash(folder)
    LabStates(folder).verify(restore=trial_restore)
    assert main(["compare", str(saved[1]), str(saved[2]), "--from", str(folder), "--reps", "2",
                 "--years", "0.1", "--quiet", "--workers", "1", "--out", str(tmp_path / "cmp")]) == 0


def test_a_link_to_the_folder_is_refused(saved, tmp_path):
    link = tmp_path / "link"
    link.symlink_to(saved[0])
    with pytest.raises(LabsimError, match="symbolic link"):
        LabStates(link)
