"""A batch's results on disk: Parquet parts written as runs finish, atomic, resumable.

    DIR/manifest.json        what ran: experiment hash, versions, times, counts
    DIR/runs/part-*.parquet  one row per run: id, scenario, varied parameters, replication, seed,
                             status, error, every summary metric
    DIR/timeseries/part-*.parquet   run id, time, and each weekly series

Every file appears whole or not at all (written to a temporary name, then
renamed). A part's time series are written before its run rows, so a run row is
the commit mark: a run without one is run again on resume, and readers keep
only the last row of a run (a failed run that succeeded on resume, say).
`finalize` folds the parts into `runs.parquet` and `timeseries.parquet`.
"""

from __future__ import annotations

import io
import json
import platform
import time
from pathlib import Path
from typing import TYPE_CHECKING

from sim.errors import LabsimError
from sim.io import STATES_MANIFEST_KIND, atomic_write, read_json, read_parquet
from sim.version import __version__

RUNS, SERIES, MANIFEST = "runs", "timeseries", "manifest.json"
RUN_COLUMNS = ("run_id", "status")  # every labsim runs table has these
SERIES_COLUMNS = ("run_id", "time")

if TYPE_CHECKING:  # pandas is imported where a table is read or written: a folder's manifest is checked without it
    import pandas as pd


def _write_parquet(df: pd.DataFrame, path: Path) -> None:
    buf = io.BytesIO()
    df.to_parquet(buf, index=False)
    atomic_write(path, buf.getvalue())


class Store:
    """The results folder of one experiment."""

    def __init__(self, out: Path) -> None:
        """Open (not yet create) the folder."""
        self.out = Path(out)
        self._part = 0

    # -- manifest ------------------------------------------------------------------
    def require_manifest(self) -> dict:
        """The manifest of a batch folder, or one line: no batch there (before any table is read)."""
        manifest = self.manifest() if self.out.is_dir() else None
        if manifest is None:
            raise LabsimError(f"{self.out}: holds no labsim batch (no manifest.json); run `labsim batch` first")
        return manifest

    def manifest(self) -> dict | None:
        """The manifest, or None for a folder that holds no batch; a damaged one is refused in one line."""
        path = self.out / MANIFEST
        if not path.exists():
            return None
        manifest = read_json(path)
        if not isinstance(manifest.get("experiment_hash"), str):
            if manifest.get("kind") == STATES_MANIFEST_KIND:  # sim.model.state's manifest: report/summarize pointed at states
                raise LabsimError(f"{self.out}: holds saved lab states (labsim warmup), not a batch's results; "
                                  "give them to run, batch or compare with --from")
            raise LabsimError(f"{path}: no 'experiment_hash'; not a labsim batch manifest (use --force to start over)")
        return manifest

    def check(self, digest: str, force: bool, identity: dict | None = None) -> bool:
        """Refuse (without writing) a folder that holds another experiment; True if it holds this one.

        When the same experiment file is run again but a scenario it names has
        changed, the refusal says which scenario and which keys changed.
        """
        if self.out.exists() and not self.out.is_dir():
            raise LabsimError(f"--out {self.out}: exists and is not a folder")
        for name in (MANIFEST, RUNS, SERIES, f"{RUNS}.parquet", f"{SERIES}.parquet", "summary.csv", "report.html"):
            if (self.out / name).is_symlink():
                raise LabsimError(f"--out {self.out / name}: a symbolic link; labsim neither writes nor deletes through "
                                  "links: choose another folder")
        try:
            old = self.manifest()
        except LabsimError:
            if not force:
                raise
            return False
        if old is not None and old.get("experiment_hash") != digest:
            if not force:
                changed = _changed_scenarios(old.get("identity"), identity)
                if changed:
                    raise LabsimError(
                        f"--out {self.out}: the batch was started with other contents of {changed}; results of the "
                        "two versions cannot mix: restore the file to resume, choose another folder, or add --force "
                        "to start over")
                raise LabsimError(
                    f"--out {self.out}: holds another experiment ({old.get('name')}, hash {old.get('experiment_hash')}); "
                    "choose another folder or add --force to replace it"
                )
            return False
        if old is None and self.out.is_dir() and _entries(self.out) and not (self.out / MANIFEST).exists():
            raise LabsimError(f"--out {self.out}: not empty and not a labsim batch; choose another folder (--force "
                              "replaces only a labsim batch, never a folder of other files)")
        return old is not None

    def claim(self, digest: str, experiment: dict, force: bool, identity: dict | None = None) -> dict:
        """Open the folder for an experiment (after `check`): a forced replacement clears the old one."""
        ours = self.check(digest, force, identity)
        if not ours and self.out.is_dir():
            self.clear()
        old = self.manifest() if ours else None
        import mesa

        manifest = old or {"experiment_hash": digest, "name": experiment.get("name"), "experiment": experiment,
                           "created": _now(), "identity": identity or {}}
        now = _now()
        manifest |= {"labsim_version": __version__, "mesa_version": mesa.__version__,
                     "python_version": platform.python_version(), "ended": None}
        if old is not None:  # a resume keeps when the batch first started, and says when it was resumed
            manifest["started"] = old.get("started") or old.get("created") or now
            manifest["resumed"] = [*(old.get("resumed") or []), now]
        else:
            manifest["started"] = now
        self.write_manifest(manifest)
        self._part = len(self._parts(RUNS)) + len(self._parts(SERIES))
        return manifest

    def write_manifest(self, manifest: dict) -> None:
        """Replace the manifest atomically."""
        atomic_write(self.out / MANIFEST, (json.dumps(manifest, indent=2, default=str) + "\n").encode())

    def clear(self) -> None:
        """Remove a previous batch's files (for --force)."""
        for sub in (RUNS, SERIES):
            for part in self._parts(sub):
                part.unlink()
        for name in (MANIFEST, f"{RUNS}.parquet", f"{SERIES}.parquet", "summary.csv", "report.html"):
            (self.out / name).unlink(missing_ok=True)
        if (self.out / "scenarios").is_dir() and not (self.out / "scenarios").is_symlink():
            for toml in (self.out / "scenarios").glob("*.toml"):  # the replaced experiment's resolved scenarios
                toml.unlink()

    # -- rows ----------------------------------------------------------------------
    def append(self, rows: list[dict], series: list[pd.DataFrame]) -> None:
        """Write one part: the time series first, then the run rows (the commit mark)."""
        import pandas as pd

        self._part += 1
        stamp = f"part-{time.time_ns()}-{self._part:06d}.parquet"
        if series:
            _write_parquet(pd.concat(series, ignore_index=True), self.out / SERIES / stamp)
        _write_parquet(pd.DataFrame(rows), self.out / RUNS / stamp)

    def runs(self) -> pd.DataFrame:
        """Every run's last row (empty frame if none)."""
        import pandas as pd

        frames = [read_parquet(p, RUN_COLUMNS) for p in self._files(RUNS)]
        frames = [f for f in frames if len(f.columns)]
        if not frames:
            return pd.DataFrame()
        df = pd.concat(frames, ignore_index=True)
        df = df.drop_duplicates("run_id", keep="last").sort_values("run_id").reset_index(drop=True)
        return _restore_dtypes(df, frames)

    def timeseries(self) -> pd.DataFrame:
        """Weekly series of the runs that are done."""
        import pandas as pd

        frames = [read_parquet(p, SERIES_COLUMNS) for p in self._files(SERIES)]
        if not frames:
            return pd.DataFrame()
        df = pd.concat(frames, ignore_index=True)
        runs = self.runs()
        ok = set(runs.loc[runs["status"] == "ok", "run_id"]) if len(runs) else set()
        df = df[df["run_id"].isin(ok)].drop_duplicates(["run_id", "time"], keep="last")
        return df.sort_values(["run_id", "time"]).reset_index(drop=True)

    def done(self) -> set[str]:
        """Ids of the runs that finished ok."""
        df = self.runs()
        return set(df.loc[df["status"] == "ok", "run_id"]) if len(df) else set()

    def finalize(self) -> None:
        """Fold the parts into runs.parquet and timeseries.parquet (atomic), then drop the parts."""
        runs, series = self.runs(), self.timeseries()
        if len(series):
            _write_parquet(series, self.out / f"{SERIES}.parquet")
        if len(runs):
            _write_parquet(runs, self.out / f"{RUNS}.parquet")
        for sub in (SERIES, RUNS):
            for part in self._parts(sub):
                part.unlink()
            if (self.out / sub).is_dir() and not any((self.out / sub).iterdir()):
                (self.out / sub).rmdir()

    def _parts(self, sub: str) -> list[Path]:
        return sorted((self.out / sub).glob("part-*.parquet")) if (self.out / sub).is_dir() else []

    def _files(self, sub: str) -> list[Path]:
        """The folded file first, then the parts in the order they were written."""
        folded = self.out / f"{sub}.parquet"
        return ([folded] if folded.exists() else []) + self._parts(sub)


def _entries(folder: Path) -> list[Path]:
    """What a folder holds, leaving out labsim's own hidden files (locks, temporary files)."""
    return [p for p in folder.iterdir() if not p.name.startswith(".")]


def _changed_scenarios(old: dict | None, new: dict | None) -> str:
    """'lab.toml (mediators 8 -> 9)' when the same scenarios resolve to other contents; '' otherwise."""
    from sim.batch.experiment import changed_keys

    if not isinstance(old, dict) or not isinstance(new, dict) or set(old) != set(new):
        return ""
    new = json.loads(json.dumps(new))  # as the manifest stores it (a tuple comes back a list)
    parts = []
    for ref in new:
        if isinstance(old[ref], dict) and old[ref] != new[ref]:
            keys = changed_keys(old[ref], new[ref])
            parts.append(f"{Path(ref).name} ({'; '.join(keys[:3])}{'; ...' if len(keys) > 3 else ''})")
    return ", ".join(parts)


def _restore_dtypes(df: pd.DataFrame, frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Give a column back the integer type it has in parts without gaps (a failed run's NaN made it float)."""
    for col in df.columns:
        if df[col].dtype.kind != "f" or df[col].isna().any():
            continue
        kinds = {f[col].dtype.kind for f in frames if col in f.columns and not f[col].isna().any()}
        if kinds == {"i"}:
            df[col] = df[col].astype("int64")
    return df


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")
