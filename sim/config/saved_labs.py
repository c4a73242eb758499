"""A folder of saved labs (`labsim warmup`) checked by its manifest alone, before numpy, Mesa and the model load.

`sim.model.state.LabStates` reads the same manifest, then the states
themselves. Whether a `--from` folder (or a file's `from` key) can be forked
from at all (a folder of saved labs of this labsim, enough of them, warmed up
from a start the scenarios share) needs only the manifest: checked here, in
the same words, `labsim compare --from` and `labsim sensitivity` refuse a wrong
folder in a fraction of a second instead of after the heavy imports (issue 34).
`LabStates` is this class with the states' own reading added, so the manifest
is checked once, in one place: its links, size and depth, its seeds (whole,
distinct) and files (two checksummed per saved lab), its settings' hash.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path
from typing import Any

from sim.config.schema import START_ONLY
from sim.config.settings import Settings, settings_from
from sim.errors import LabsimError
from sim.io import STATES_MANIFEST_KIND, read_limited
from sim.version import __version__

FORMAT = 1  # the layout of a state's files (sim.model.state.FORMAT); a state of another format is refused
MAX_MANIFEST_BYTES = 10 * 2**20
MAX_DEPTH = 32  # JSON nesting in a state or manifest (labsim's: 5)
MAX_SEED = 2**63 - 1


def settings_hash(settings: dict[str, Any]) -> str:
    """A short hash of resolved settings (sorted JSON): the identity of the lab a state was warmed up from."""
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:16]


def seed_folder(replication: int) -> str:
    """The folder of a replication's state inside a states folder."""
    return f"rep-{replication:04d}"


def json_object(raw: bytes, where: str) -> dict:
    """A JSON object, at most MAX_DEPTH deep; one line otherwise (never a RecursionError)."""
    try:
        data = json.loads(raw)
    except RecursionError:
        raise LabsimError(f"{where}: nested too deep; not a labsim file (warm up again)") from None
    except (ValueError, UnicodeDecodeError):
        raise LabsimError(f"{where}: not valid JSON (damaged?); warm up again with labsim warmup") from None
    if not isinstance(data, dict):
        raise LabsimError(f"{where}: not a JSON object; not a labsim file (warm up again)")
    stack = [(data, 1)]
    while stack:  # the depth, without recursion
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise LabsimError(f"{where}: nested more than {MAX_DEPTH} deep; not a labsim file (warm up again)")
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        stack += [(v, depth + 1) for v in children if isinstance(v, dict | list)]
    return data


def _seed(value: Any) -> int:
    """A seed: an integer (not a bool) in [0, MAX_SEED], or ValueError."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SEED:
        raise ValueError(f"{value!r} outside [0, {MAX_SEED}]")
    return value


def start_differences(saved: Settings, asked: Settings) -> list[str]:
    """The start-defining settings that differ between a saved lab and a scenario, as sentences."""
    return [f"key '{k}': defines how the lab started ({getattr(saved, k)!r} in the saved lab, {getattr(asked, k)!r} "
            "asked); a policy from now on can change any other key"
            for k in sorted(START_ONLY) if getattr(saved, k) != getattr(asked, k)]


class SavedLabs:
    """The manifest of a folder of saved labs, checked: what was warmed up, from which settings, with which seeds."""

    def __init__(self, folder: str | Path, given: str = "--from") -> None:
        """Read and check the manifest; raise LabsimError (one line) if it is not a states folder of this labsim.

        `given` says where the folder was named (`--from`, or a file's key), for the message of a missing folder.
        """
        self.folder = Path(folder)
        where = f"{self.folder}/manifest.json"
        path = self.folder / "manifest.json"
        for link in (self.folder, path):
            if link.is_symlink():
                raise LabsimError(f"{link}: a symbolic link; labsim reads saved labs only from the folder itself, "
                                  "never through a link: give the folder")
        if not self.folder.is_dir() or not path.is_file():
            named = f"{given} {self.folder}" if given.startswith("--") else f"{given}: {self.folder}"
            raise LabsimError(f"{named}: not a folder of lab states (no manifest.json); "
                              "make one with labsim warmup SCENARIO --seeds N --out FOLDER")
        manifest = json_object(read_limited(path, MAX_MANIFEST_BYTES), where)
        if manifest.get("kind") != STATES_MANIFEST_KIND:
            raise LabsimError(f"{where}: not a manifest of lab states; make one with labsim warmup")
        if manifest.get("format") != FORMAT or manifest.get("labsim_version") != __version__:
            raise LabsimError(f"{where}: states of labsim {manifest.get('labsim_version')} (format "
                              f"{manifest.get('format')}); this is labsim {__version__} (format {FORMAT}): "
                              "warm up again with labsim warmup")
        try:
            self.settings = settings_from(manifest["settings"])
            seeds, files = manifest["seeds"], manifest["files"]
            if not isinstance(seeds, list) or not isinstance(files, dict):
                raise TypeError("seeds or files")
            self.seeds = [_seed(s) for s in seeds]
            self.files = {str(k): str(v) for k, v in files.items()}
        except (KeyError, TypeError, ValueError):
            raise LabsimError(f"{where}: incomplete manifest (settings, seeds, files); warm up again") from None
        expected = {f"{seed_folder(r)}/{name}" for r in range(len(self.seeds)) for name in ("state.npz", "state.json")}
        if not self.seeds or len(set(self.seeds)) < len(self.seeds) or set(self.files) != expected or any(
                len(v) != 64 or v.strip("0123456789abcdef") for v in self.files.values()):
            raise LabsimError(f"{where}: its seeds and files do not match (one distinct seed and two checksummed "
                              "files per saved lab); warm up again with labsim warmup")
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
