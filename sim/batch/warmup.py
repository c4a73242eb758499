"""Warm a scenario up once per seed and save each mature lab (`labsim warmup`): the states policies fork from.

The warm-ups run on the batch engine's pool (`sim.batch.evaluate`), one job
per replication, each writing its lab's files (`sim.model.state`) into a staging
folder; the manifest, with a checksum of every file, is written last, and the
folder moves into place whole (`sim.io.staged`): an interrupted warm-up leaves
no half-written states folder behind.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sim.batch.evaluate import evaluate
from sim.batch.experiment import RunSpec, replication_seeds
from sim.config.cost import check_batch
from sim.config.scenario import Scenario
from sim.errors import LabsimError
from sim.io import atomic_write, locked, staged
from sim.model.state import KIND, seed_folder, write_manifest

MAX_REPLICATIONS = 10_000


def warm_up(scenario: Scenario, replications: int, out: Path, root_seed: int = 1, workers: int | None = None,
            executor: str = "local", force: bool = False, progress: Callable[[bool], None] | None = None,
            allow_large: bool = False, extra: dict[str, bytes] | None = None, claimed: bool = False) -> dict[str, Any]:
    """Warm `scenario` up from `replications` seeds (SeedSequence of `root_seed`) and save the labs into `out`.

    Returns the manifest. `out` must be new, empty, or a states folder (replaced only with `force`), unless
    `claimed`: the command line's folder policy has accepted it (the same warm-up asked again, as any command).
    """
    if not 1 <= replications <= MAX_REPLICATIONS:
        raise LabsimError(f"--seeds: got {replications}; allowed: an integer in [1, {MAX_REPLICATIONS}]")
    if scenario.settings.warmup_years <= 0:
        raise LabsimError(f"{scenario.path or scenario.name}: key 'warmup_years': 0; a saved lab needs a warm-up "
                          "(warmup_years > 0)")
    out = Path(out)
    if not claimed:
        _check_out(out, force)
    check_batch([scenario], [{}], replications, 0.01, allow_large=allow_large, where=scenario.path or scenario.name)
    seeds = replication_seeds(root_seed, replications)
    with locked(out), staged(out, replace=force) as tmp:
        jobs = [RunSpec(f"w-r{rep:04d}", scenario, scenario.name, 0, {}, rep, seed, 0.0, network=False,
                        save_state=str(tmp)) for rep, seed in enumerate(seeds)]
        table = evaluate(jobs, workers=workers, executor=executor, progress=progress)
        bad = table[table["status"] != "ok"]
        if len(bad):
            first = bad.iloc[0]
            raise LabsimError(f"warm-up of replication {first['replication']} (seed {first['seed']}) failed: "
                              f"{first['error']}")
        files = {f"{seed_folder(rep)}/{name}": (tmp / seed_folder(rep) / name).read_bytes()
                 for rep in range(replications) for name in ("state.npz", "state.json")}
        for name, data in (extra or {}).items():  # labsim.json and scenario.toml: what ran
            atomic_write(tmp / name, data)
        manifest = write_manifest(tmp, scenario, seeds, root_seed, files)
    return manifest


def _check_out(out: Path, force: bool) -> None:
    """A new or empty folder, or a states folder to replace with --force; never anything else."""
    if not out.exists():
        return
    if not out.is_dir():
        raise LabsimError(f"--out {out}: exists and is not a folder")
    if not any(out.iterdir()):
        return
    manifest = out / "manifest.json"
    try:
        ours = json.loads(manifest.read_text()).get("kind") == KIND if manifest.is_file() else False
    except (ValueError, OSError, AttributeError):
        ours = False
    if not ours:
        raise LabsimError(f"--out {out}: a folder of other files; allowed: a new folder or a folder of lab states")
    if not force:
        raise LabsimError(f"--out {out}: already holds lab states; use --force to replace them")


def file_checksums(folder: Path, names: list[str]) -> dict[str, str]:
    """SHA-256 of files of a folder (the manifest's `files`)."""
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in names}
