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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from mesa.time import EventGenerator, Priority, Schedule

from sim.config.schema import START_ONLY
from sim.config.settings import Settings
from sim.errors import LabsimError
from sim.io import STATES_MANIFEST_KIND, atomic_write, read_limited
from sim.model.calendar import VISIT_HOUR
from sim.version import __version__

FORMAT = 1  # the layout of a state's files; a state of another format is refused
KIND = STATES_MANIFEST_KIND
COMPONENTS = ("people", "network", "calendar", "awareness", "careers", "programme", "staff", "market",
              "partnerships", "blog", "tally", "budget", "sessions")
WARMED_UP = 1e-6  # a lab is saved this long before the end of its warm-up: nothing of the measured period has begun
MAX_STATE_BYTES = 4 * 2**30  # a state file larger than this is refused before it is read (100x open lab: ~0.5 GB)


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


def settings_hash(settings: dict[str, Any]) -> str:
    """A short hash of resolved settings (sorted JSON): the identity of the lab a state was warmed up from."""
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:16]


def check_state(state: object, what: str = "state") -> None:
    """Refuse, in one line, a `state` argument that is not a saved lab (or None)."""
    if state is not None and not isinstance(state, LabState):
        from sim.config.files import show

        raise LabsimError(f"{what}: got {show(state)}; allowed: a saved lab, sim.model.state.LabStates(folder).state(i), "
                          "or None")


def seed_folder(replication: int) -> str:
    """The folder of a replication's state inside a states folder."""
    return f"rep-{replication:04d}"


# -- loading -----------------------------------------------------------------------------------------
class LabStates:
    """A folder of saved labs (`labsim warmup`), checked: its manifest, then each state's files when read."""

    def __init__(self, folder: str | Path, given: str = "--from") -> None:
        """Read and check the manifest; raise LabsimError (one line) if it is not a states folder of this labsim.

        `given` says where the folder was named (`--from`, or a file's key), for the message of a missing folder.
        """
        self.folder = Path(folder)
        where = f"{self.folder}/manifest.json"
        path = self.folder / "manifest.json"
        if not self.folder.is_dir() or not path.is_file():
            named = f"{given} {self.folder}" if given.startswith("--") else f"{given}: {self.folder}"
            raise LabsimError(f"{named}: not a folder of lab states (no manifest.json); "
                              "make one with labsim warmup SCENARIO --seeds N --out FOLDER")
        try:
            manifest = json.loads(read_limited(path, 10 * 2**20))
        except (ValueError, UnicodeDecodeError):
            raise LabsimError(f"{where}: not valid JSON (damaged?); warm up again with labsim warmup") from None
        if not isinstance(manifest, dict) or manifest.get("kind") != KIND:
            raise LabsimError(f"{where}: not a manifest of lab states; make one with labsim warmup")
        if manifest.get("format") != FORMAT or manifest.get("labsim_version") != __version__:
            raise LabsimError(f"{where}: states of labsim {manifest.get('labsim_version')} (format "
                              f"{manifest.get('format')}); this is labsim {__version__} (format {FORMAT}): "
                              "warm up again with labsim warmup")
        try:
            self.settings = Settings(**manifest["settings"])
            self.seeds = [int(s) for s in manifest["seeds"]]
            self.files = {str(k): str(v) for k, v in manifest["files"].items()}
        except (KeyError, TypeError, ValueError):
            raise LabsimError(f"{where}: incomplete manifest (settings, seeds, files); warm up again") from None
        if settings_hash(dataclasses.asdict(self.settings)) != manifest.get("settings_hash"):
            raise LabsimError(f"{where}: key 'settings_hash': does not match the settings (changed by hand?)")
        self.scenario_name = str(manifest.get("scenario", ""))
        self.manifest = manifest

    def __len__(self) -> int:
        """Replications saved."""
        return len(self.seeds)

    def check_scenario(self, settings: Settings, where: str) -> None:
        """Refuse a scenario whose start-defining settings differ from the saved labs' (naming the keys)."""
        problems = start_differences(self.settings, settings)
        if problems:
            raise LabsimError([f"{where}: {p} (states in {self.folder})" for p in problems])

    def check_replications(self, n: int, where: str = "--reps") -> None:
        """Refuse asking for more replications than states saved."""
        if n > len(self.seeds):
            raise LabsimError(f"{where}: {n} replications asked; {self.folder} holds {len(self.seeds)} saved labs "
                              f"(labsim warmup ... --seeds {n})")

    def state(self, replication: int) -> LabState:
        """The saved lab of one replication, its files checked against the manifest."""
        folder = self.folder / seed_folder(replication)
        blobs = {}
        for name in ("state.npz", "state.json"):
            rel = f"{seed_folder(replication)}/{name}"
            expected = self.files.get(rel)
            path = folder / name
            if expected is None or not path.is_file():
                raise LabsimError(f"{self.folder}/{rel}: missing; warm up again with labsim warmup")
            data = read_limited(path, MAX_STATE_BYTES)
            if hashlib.sha256(data).hexdigest() != expected:
                raise LabsimError(f"{self.folder}/{rel}: checksum does not match the manifest (damaged or changed); "
                                  "warm up again with labsim warmup")
            blobs[name] = data
        return read_state(blobs, self.settings, folder)


def read_state(files: dict[str, bytes], settings: Settings, folder: str | Path = "<memory>") -> LabState:
    """A saved lab from its files' bytes (`state_files`), read as data: no pickle, nothing that can run."""
    try:
        with np.load(io.BytesIO(files["state.npz"]), allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
        data = json.loads(files["state.json"])
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise LabsimError(f"{folder}: unreadable state ({exc.__class__.__name__}); warm up again") from None
    return LabState(Path(folder), int(data["model"]["seed"]), settings, arrays, data)


def start_differences(saved: Settings, asked: Settings) -> list[str]:
    """The start-defining settings that differ between a saved lab and a scenario, as sentences."""
    return [f"key '{k}': defines how the lab started ({getattr(saved, k)!r} in the saved lab, {getattr(asked, k)!r} "
            "asked); a policy from now on can change any other key"
            for k in sorted(START_ONLY) if getattr(saved, k) != getattr(asked, k)]


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
    model.settings = Settings(**meta["settings"])
    for name in COMPONENTS:
        part = dict(state.data[name])
        part.update({key.split("/", 1)[1]: value for key, value in state.arrays.items() if key.startswith(f"{name}/")})
        getattr(model, name).restore(part)
    if model._seed == state.seed:  # the saved lab's own seed continues its random streams; another gives it a new future
        model.rng.bit_generator.state = meta["rng"]
        model.random.setstate(_random_tuple(meta["random"]))
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
