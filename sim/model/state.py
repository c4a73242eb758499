"""Lab states: a mature lab saved once, forked for every policy.

A strategist asks "what if we cut two mediators from next month?", not "what if
the lab had always had eight". `labsim warmup` runs a scenario's warm-up once
per seed and saves each mature lab: its people, ties, stocks, calendar, books
and the state of its random streams. A policy is then a set of settings applied
to that lab from now on (`LabModel(policy, state=...)`): every policy forked
from the same state shares its history and its random stream up to the fork,
so differences between policies come from the policies.

The format is data, not code: per seed, `state.npz` (numpy arrays, read with
`allow_pickle=False`) and `state.json`; a `manifest.json` names the scenario
(its resolved settings and their hash), the seeds, labsim's version, the
format's version and a SHA-256 checksum of every file. A state from another
version or of a lab started otherwise, or a damaged file, is refused in one
line. Settings that define how the lab started (`sim.config.schema.START_ONLY`: the
initial population, the warm-up, the providers and partners present at the
start) cannot be changed by a fork; every other setting can.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import math
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from mesa.time import EventGenerator, Priority, Schedule

from sim.config.saved_labs import (  # the manifest's reader, light; re-exported here for the model's users
    FORMAT,
    SavedLabs,
    seed_folder,
    settings_hash,
    start_differences,
)
from sim.config.saved_labs import json_object as _json
from sim.config.settings import Settings, settings_from
from sim.errors import LabsimError
from sim.io import STATES_MANIFEST_KIND, atomic_write, read_limited
from sim.kinds import DAYS_PER_YEAR, Affiliation, Channel, Role
from sim.model.calendar import VISIT_HOUR
from sim.model.population import COLUMNS as PEOPLE_COLUMNS
from sim.version import __version__

KIND = STATES_MANIFEST_KIND
COMPONENTS = ("people", "network", "calendar", "awareness", "careers", "programme", "staff", "market",
              "partnerships", "blog", "tally", "budget", "sessions")
WARMED_UP = 1e-6  # a lab is saved this long before the end of its warm-up: nothing of the measured period has begun
MAX_STATE_BYTES = 4 * 2**30  # a state file larger than this is refused before it is read (100x open lab: ~0.5 GB)
MAX_INFLATED = 512 * 2**20  # the arrays of one saved lab, as the zip's members declare them, before any is inflated
MAX_JSON_STATE = 256 * 2**20  # a state.json larger than this is refused before it is parsed
MAX_MEMBERS = 1_000  # arrays in a state.npz (labsim's: about 60)
MAX_PEOPLE = 10**8  # rows of a saved people table
FUTURE_YEARS = 100  # a saved day may lie this far after the end of the warm-up (a membership's end), no further


@dataclass(frozen=True)
class LabState:
    """One saved lab: where it is, its seed, the settings it was warmed up with, and its data."""

    folder: Path
    seed: int
    settings: Settings
    arrays: dict[str, np.ndarray]
    data: dict[str, Any]


# -- saving ------------------------------------------------------------------------------------------
def capture(model: Any) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The whole state of a model, as arrays (for .npz) and plain data (for JSON)."""
    arrays: dict[str, np.ndarray] = {}
    data: dict[str, Any] = {}
    for name in COMPONENTS:
        part: dict[str, Any] = {}
        for key, value in getattr(model, name).snapshot().items():
            if isinstance(value, np.ndarray):
                arrays[f"{name}/{key}"] = value
            else:
                part[key] = value
        data[name] = part
    data["model"] = {
        "time": model.time, "warmup_days": model.warmup_days, "measure_start": model.measure_start,
        "measuring": model.measuring, "next_month": model._next_month, "steps": model.steps,
        "settings": dataclasses.asdict(model.settings),
        "rng": model.rng.bit_generator.state, "random": _random_state(model.random.getstate()),
    }
    return arrays, data


def state_files(model: Any, seed: int) -> dict[str, bytes]:
    """The bytes of a model's state files (`state.npz`, `state.json`), at the end of its warm-up.

    The model must have run to just before `warmup_days` (`WARMED_UP`): the
    measured period, and any day whose event falls at that moment, start
    when the saved lab is resumed.
    """
    if not model.warmup_days - 2 * WARMED_UP <= model.time < model.warmup_days or model.measuring:
        raise ValueError(f"a lab is saved at the end of its warm-up (time {model.warmup_days - WARMED_UP}); "
                         f"this one is at {model.time}")
    arrays, data = capture(model)
    data["model"]["time"] = model.warmup_days
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    data["model"]["seed"] = seed
    return {"state.npz": buffer.getvalue(),
            "state.json": json.dumps(data, default=_plain, sort_keys=True).encode() + b"\n"}


def write_manifest(folder: Path, scenario: Any, seeds: list[int], root_seed: int, files: dict[str, bytes]) -> dict:
    """Write the manifest of a states folder: what was warmed up, and the checksum of every file."""
    settings = dataclasses.asdict(scenario.settings)
    manifest = {
        "kind": KIND, "format": FORMAT, "labsim_version": __version__,
        "scenario": scenario.name, "settings": settings, "settings_hash": settings_hash(settings),
        "warmup_years": scenario.settings.warmup_years, "root_seed": root_seed, "seeds": seeds,
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
    }
    atomic_write(Path(folder) / "manifest.json", json.dumps(manifest, indent=2).encode() + b"\n")
    return manifest


def check_state(state: object, what: str = "state") -> None:
    """Refuse, in one line, a `state` argument that is not a saved lab (or None)."""
    if state is not None and not isinstance(state, LabState):
        from sim.config.files import show

        raise LabsimError(f"{what}: got {show(state)}; allowed: a saved lab, sim.model.state.LabStates(folder).state(i), "
                          "or None")


# -- loading -----------------------------------------------------------------------------------------
class LabStates(SavedLabs):
    """A folder of saved labs (`labsim warmup`), checked: its manifest (`SavedLabs`), then each state's files when read."""

    def state(self, replication: int) -> LabState:
        """The saved lab of one replication, its files checked against the manifest, then by meaning.

        A checksum only says the file is the one the manifest names; a manifest updated after the file was
        changed says nothing, so every array and value is checked too (`check_meaning`): a damaged or
        tampered lab is refused in one line, never run.
        """
        if not isinstance(replication, int) or not 0 <= replication < len(self.seeds):
            raise LabsimError(f"{self.folder}: no saved lab {replication!r}; it holds {len(self.seeds)}")
        folder = self.folder / seed_folder(replication)
        if folder.is_symlink():
            raise LabsimError(f"{folder}: a symbolic link; labsim reads saved labs only from the folder itself")
        blobs = {}
        for name in ("state.npz", "state.json"):
            rel = f"{seed_folder(replication)}/{name}"
            expected = self.files.get(rel)
            path = folder / name
            if path.is_symlink():
                raise LabsimError(f"{self.folder}/{rel}: a symbolic link; labsim reads saved labs only from the "
                                  "folder itself (warm up again with labsim warmup)")
            if expected is None or not path.is_file():
                raise LabsimError(f"{self.folder}/{rel}: missing; warm up again with labsim warmup")
            data = read_limited(path, MAX_STATE_BYTES if name == "state.npz" else MAX_JSON_STATE)
            if hashlib.sha256(data).hexdigest() != expected:
                raise LabsimError(f"{self.folder}/{rel}: checksum does not match the manifest (damaged or changed); "
                                  "warm up again with labsim warmup")
            blobs[name] = data
        state = read_state(blobs, self.settings, folder)
        check_meaning(state, self.seeds[replication], f"{self.folder}/{seed_folder(replication)}")
        return state

    def verify(self, replications: int | None = None, restore: Callable[[LabState, str], None] | None = None) -> None:
        """Check every saved lab a command will read (the first `replications`), before its first run.

        Each is read and checked by meaning (`state`), then handed to `restore` (sim.run.trial_restore:
        restored into a model that is not run, so that a lab whose data its components cannot take back
        is refused here, in one line, not in a worker). A folder checked once in this process (the same
        manifest) is not read again.
        """
        n = len(self.seeds) if replications is None else min(replications, len(self.seeds))
        key = (str(self.folder.resolve()), json.dumps(self.manifest, sort_keys=True), n, restore is not None)
        if key in _VERIFIED:
            return
        for r in range(n):
            state = self.state(r)
            if restore is not None:
                restore(state, f"{self.folder}/{seed_folder(r)}")
        _VERIFIED.add(key)


_VERIFIED: set[tuple[str, str, int, bool]] = set()  # folders of saved labs checked whole in this process


def read_state(files: dict[str, bytes], settings: Settings, folder: str | Path = "<memory>") -> LabState:
    """A saved lab from its files' bytes (`state_files`), read as data: no pickle, nothing that can run."""
    arrays = _arrays(files["state.npz"], f"{folder}/state.npz")
    data = _json(files["state.json"], f"{folder}/state.json")
    model = data.get("model")
    seed = model.get("seed") if isinstance(model, dict) else None
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise LabsimError(f"{folder}/state.json: no seed; not a saved lab (warm up again with labsim warmup)")
    return LabState(Path(folder), seed, settings, arrays, data)


# -- checking what is read, by meaning ---------------------------------------------------------------
def _arrays(raw: bytes, where: str) -> dict[str, np.ndarray]:
    """A state.npz's arrays: the zip's declared sizes and each array's header checked before anything is inflated."""
    from numpy.lib import format as npy

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            infos = zf.infolist()
            declared = sum(i.file_size for i in infos)
            if len(infos) > MAX_MEMBERS or declared > MAX_INFLATED:
                raise LabsimError(f"{where}: {len(infos):,} arrays declaring {declared:,} bytes; allowed: at most "
                                  f"{MAX_MEMBERS:,} arrays and {MAX_INFLATED:,} bytes (a zip bomb?); warm up again")
            arrays = {}
            for info in infos:
                key = info.filename.removesuffix(".npy")
                if info.is_dir() or not info.filename.endswith(".npy") or key in arrays:
                    raise LabsimError(f"{where}: member {info.filename[:60]!r} is not one array; warm up again")
                with zf.open(info) as f:
                    version = npy.read_magic(f)
                    if version not in ((1, 0), (2, 0)):
                        raise ValueError(f"npy format {version}")
                    header = npy.read_array_header_1_0 if version == (1, 0) else npy.read_array_header_2_0
                    shape, _, dtype = header(f)
                if dtype.kind not in "biuf" or dtype.fields is not None or dtype.hasobject or len(shape) > 2:
                    raise LabsimError(f"{where}: array {key[:60]!r} of {dtype} and {len(shape)} dimensions; "
                                      "allowed: numbers in at most 2 dimensions; warm up again")
                if math.prod(shape) * dtype.itemsize > info.file_size:
                    raise LabsimError(f"{where}: array {key[:60]!r} is larger than its member; warm up again")
                with zf.open(info) as f:
                    arrays[key] = npy.read_array(f, allow_pickle=False)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, ValueError, OSError, EOFError, KeyError,
            NotImplementedError, RuntimeError, TypeError, MemoryError) as exc:
        raise LabsimError(f"{where}: unreadable state ({exc.__class__.__name__}); warm up again") from None
    return arrays


def _whole(value: Any, low: float, high: float) -> int:
    """An integer (not a bool) within [low, high], or ValueError."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{value!r} outside [{low}, {high}]")
    return value


def _number(value: Any, low: float, high: float) -> float:
    """A finite number (not a bool) within [low, high], or ValueError."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise ValueError(f"{value!r} outside [{low}, {high}]")
    return float(value)


TIMES = {"people/recent", "people/column.created", "people/column.first_visit", "people/column.last_visit",
         "people/column.engaged_at", "people/column.member_since", "people/column.member_until",
         "people/column.confidential_until", "network/main.last", "network/buffer.last", "careers/dormant.since"}
DAYS = {"people/column.next_visit", "people/column.check_day"}  # -1: none
COUNTS = {"people/active_count", "people/column.visits", "people/column.visits_before", "people/column.coleads",
          "people/column.works", "network/degree", "network/main.weight", "network/buffer.weight", "tally/newcomers"}
IDS = {"awareness/referrers", "careers/dormant.ids", "staff/ids", "programme/residents"}  # rows of the people table, or -1
CODES = {"people/column.role": len(Role), "people/column.role_reached": len(Role),
         "people/column.channel": len(Channel), "people/column.affiliation": len(Affiliation)}
UNIT = {"people/column.talent", "people/column.last_quality"}  # shares, in [0, 1]
NAN_MEANS_NEVER = {"people/column.first_visit", "people/column.member_since"}  # NaN: not yet


def check_meaning(state: LabState, seed: int, where: str) -> None:
    """Refuse a saved lab whose contents cannot be a lab warmed up with its manifest's settings and seed.

    The structure (components, the clock's keys), the seed (that of the replication: swapped labs are
    refused), the settings (the manifest's), the clock (the end of the warm-up), and every array:
    its kind, shape (the people table's rows) and values (no NaN but "never yet", days within the
    warm-up and FUTURE_YEARS after it, counts and ids not negative, codes among the known ones).
    """
    data, arrays = state.data, state.arrays
    try:
        if set(data) != {*COMPONENTS, "model"} or not all(isinstance(data[c], dict) for c in data):
            raise ValueError("not the components of a lab")
        if state.seed != seed:
            raise ValueError(f"seed {state.seed}; the manifest says {seed} for this replication (swapped?)")
        model = data["model"]
        if not isinstance(model.get("settings"), dict) or settings_from(model["settings"]) != state.settings:
            raise ValueError("settings differ from the manifest's")
        warmup = state.settings.warmup_years * DAYS_PER_YEAR
        horizon = warmup + FUTURE_YEARS * DAYS_PER_YEAR
        if model.get("time") != warmup or model.get("warmup_days") != warmup:
            raise ValueError(f"clock at day {str(model.get('time'))[:30]}; the warm-up ends on day {warmup:g}")
        _number(model.get("measure_start"), warmup, warmup + 2)
        _number(model.get("next_month"), warmup - 62, warmup + 62)
        _whole(model.get("steps"), 0, math.ceil(warmup) + 2)
        if model.get("measuring") is not False or not isinstance(model.get("rng"), dict):
            raise ValueError("not a lab at the end of its warm-up")
        people = data["people"]
        n = _whole(people.get("n"), 0, MAX_PEOPLE)
        problems = [p for key, array in arrays.items() for p in _array_problems(key, array, n, horizon)]
        missing = [f"people/column.{c}" for c in PEOPLE_COLUMNS if f"people/column.{c}" not in arrays]
        if missing or problems:
            raise ValueError(problems[0] if problems else f"array {missing[0]} missing")
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise LabsimError(f"{where}: not a saved lab of its manifest ({str(exc)[:160]}); warm up again with labsim "
                          "warmup") from None


def _array_problems(key: str, array: np.ndarray, n: int, horizon: float) -> list[str]:
    """What is wrong with one saved array, in words (none for a good one)."""
    component, _, name = key.partition("/")
    if component not in COMPONENTS or not name:
        return [f"array {key[:60]!r} of no component"]
    if component == "people" and name.startswith("column."):
        column = name.removeprefix("column.")
        if column not in PEOPLE_COLUMNS:
            return [f"array {key} is no column of the people table"]
        if array.dtype != np.dtype(PEOPLE_COLUMNS[column][0]) or array.shape != (n,):
            return [f"array {key}: {array.dtype} {array.shape}; a people column is {n} rows"]
    if key == "people/recent" and (array.ndim != 2 or array.shape[0] != n):
        return [f"array {key}: shape {array.shape}; {n} rows"]
    if key == "people/active_count" and array.shape != (len(Role),):
        return [f"array {key}: shape {array.shape}; one count per role"]
    if array.ndim != 1 and key != "people/recent":
        return [f"array {key}: {array.ndim} dimensions"]
    if not array.size:
        return []
    if array.dtype.kind == "f":
        finite = array[np.isfinite(array)]
        if np.isnan(array).any() and key not in NAN_MEANS_NEVER:
            return [f"array {key}: NaN"]
        if np.isposinf(array).any():
            return [f"array {key}: infinite"]
        past = -FUTURE_YEARS * DAYS_PER_YEAR if key in TIMES else 0.0  # an initial population's days are before 0
        if len(finite) and finite.min() < past:
            return [f"array {key}: {finite.min():g}, below {past:g}"]
        if key in TIMES and len(finite) and finite.max() > horizon:
            return [f"array {key}: day {finite.max():g}, after day {horizon:g}"]
        if key in UNIT and len(finite) and finite.max() > 1:
            return [f"array {key}: {finite.max():g}; a share is at most 1"]
        return []
    if array.dtype.kind in "iu":
        low, high = int(array.min()), int(array.max())
        if key in COUNTS and low < 0:
            return [f"array {key}: negative count ({low})"]
        if key in IDS and (low < -1 or high >= n):  # -1: an empty place
            return [f"array {key}: id {low if low < -1 else high}; the people table has {n} rows"]
        if key in CODES and (low < 0 or high >= CODES[key]):
            return [f"array {key}: code {high if high >= CODES[key] else low}; allowed 0 to {CODES[key] - 1}"]
        if key in DAYS and (low < -1 or high > horizon):
            return [f"array {key}: day {high if high > horizon else low}"]
        if array.dtype.kind == "i" and low < -1:
            return [f"array {key}: {low}; nothing saved is below -1"]
    return []


# -- resuming ----------------------------------------------------------------------------------------
def resume(model: Any, state: LabState) -> None:
    """Make a freshly wired model the saved lab, then apply its own scenario's settings from now on.

    The components take back their data, the clock its time, the random
    streams their state (if the model was seeded with the saved lab's seed;
    another seed gives the saved lab a future of its own, as ABC's particles
    need); the days are scheduled from the next one. The
    scenario's settings that differ from the saved lab's are applied as an
    intervention at this moment, and the measured period starts.
    """
    policy = model.settings
    problems = start_differences(state.settings, policy)
    if problems:
        raise LabsimError([f"{model.lab_scenario.path or model.lab_scenario.name}: {p}" for p in problems])
    meta = state.data["model"]
    try:  # data a component cannot take back (a saved lab not labsim's): one line, not a traceback
        model.settings = settings_from(meta["settings"])
        for name in COMPONENTS:
            part = dict(state.data[name])
            part.update({key.split("/", 1)[1]: value for key, value in state.arrays.items()
                         if key.startswith(f"{name}/")})
            getattr(model, name).restore(part)
        if model._seed == state.seed:  # the saved lab's own seed continues its random streams; another: a new future
            model.rng.bit_generator.state = meta["rng"]
            model.random.setstate(_random_tuple(meta["random"]))
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, OverflowError, RecursionError) as exc:
        raise LabsimError(f"{state.folder}: not a saved lab its model can take back ({exc.__class__.__name__}: "
                          f"{str(exc)[:80]}); warm up again with labsim warmup") from None
    now = float(meta["time"])  # the end of the warm-up: the saved lab's last day is done, the next one to come
    _set_clock(model, now)
    model.warmup_days, model.measure_start = float(meta["warmup_days"]), float(meta["measure_start"])
    model.measuring, model._next_month = bool(meta["measuring"]), float(meta["next_month"])
    model.schedule_recurring(model.day, Schedule(interval=1.0, start=math.ceil(now - VISIT_HOUR) + VISIT_HOUR))
    changes = {k: v for k, v in dataclasses.asdict(policy).items() if getattr(model.settings, k) != v}
    model.apply(changes)
    model.start_measuring()


def _set_clock(model: Any, now: float) -> None:
    """Set Mesa's clock to `now`, its own step tick to the next whole time after it (as if it had run there)."""
    model._default_schedule.stop()
    model.time = now
    model.steps = math.floor(now)
    model._default_schedule = EventGenerator(model, model._do_step, Schedule(interval=1.0, start=math.floor(now) + 1.0),
                                             priority=Priority.HIGH).start()


# -- helpers -------------------------------------------------------------------------------------------
def _plain(value: Any) -> Any:
    """JSON for numpy scalars and tuples."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"not JSON: {type(value).__name__}")


def _random_state(state: tuple) -> list:
    version, internal, gauss = state
    return [version, list(internal), gauss]


def _random_tuple(state: list) -> tuple:
    version, internal, gauss = state
    return version, tuple(internal), gauss
