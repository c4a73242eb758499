"""Files and folders on disk: whole or absent, locked while written, named safely, read with clear errors.

Every command that writes results goes through here, so the same promises hold
everywhere: a file appears whole or not at all (`atomic_write`); a command's
outputs are written into a staging folder beside `--out` and moved in at the
end with signals held (`staged`), so an interrupted command leaves nothing
half-written; one process at a time writes into a folder (`locked`); a
scenario's name becomes a file name only through `slug`; and a damaged file
is refused with one line naming it (`read_json`, `read_parquet`; a CSV table's
`read_csv` is in sim.csvfile, with `csv_bytes`, which writes it formula-safe).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Any

from sim.errors import LabsimError

_UMASK = os.umask(0)
os.umask(_UMASK)  # read once: files are created with the user's usual permissions, not mkstemp's 0600
STAGING = ".staging-"  # `.<out name>.staging-<pid>` beside --out while a command writes
TMP_SUFFIX = ".labsim-tmp"  # `.<file name>.<random>.labsim-tmp` beside a file while it is written: only
# files so named are ever cleaned up, so a user's own hidden `.tmp` files are never touched


def slug(name: str, limit: int = 64) -> str:
    """A name made safe as one file or folder name: letters, digits, '.', '_' and '-', no leading dot.

    A scenario's name is a label, never a path: "../../x" becomes "x", "/etc" becomes "etc",
    ".." becomes "scenario".
    """
    text = re.sub(r"[^A-Za-z0-9._-]+", "_", str(name)).strip("._-")[:limit].rstrip("._-")
    return text or "scenario"


def atomic_write(path: Path, data: bytes) -> None:
    """Write a file so that readers see the old one or the whole new one, never half; errors name the path."""
    path = Path(path)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TMP_SUFFIX)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, path)
    except OSError as exc:
        if tmp:
            Path(tmp).unlink(missing_ok=True)
        raise OSError(exc.errno, exc.strerror or str(exc), str(exc.filename if exc.filename and not tmp else path)) \
            from None
    except BaseException:
        if tmp:
            Path(tmp).unlink(missing_ok=True)
        raise


def clean_leftovers(folder: Path) -> int:
    """Remove temporary files a killed process left in a folder and its sub-folders; return how many."""
    removed = 0
    if not folder.is_dir():
        return 0
    for tmp in folder.rglob(f".*{TMP_SUFFIX}"):
        if tmp.is_file():
            tmp.unlink(missing_ok=True)
            removed += 1
    prefix = f".{folder.name}{STAGING}"
    for staging in folder.parent.iterdir():  # matched literally: a name with glob characters matches only itself
        if staging.name.startswith(prefix) and staging.name[len(prefix):].isdigit() and staging.is_dir() \
                and not staging.is_symlink():
            shutil.rmtree(staging, ignore_errors=True)
            removed += 1
    return removed


MAX_NAME = 200  # bytes of an output folder's name: `.<name>.staging-<pid>` beside it must stay within NAME_MAX (255)


def check_out(out: Path, what: str = "--out") -> None:
    """Refuse an output folder that is the root, the home folder or the current folder (labsim cleans up in it).

    Also a name too long for the staging folder beside it (which would fail half-way, leaving --out behind).
    """
    size = len(Path(out).name.encode())
    if size > MAX_NAME:
        raise LabsimError(f"{what} {_short(str(out))}: a folder name of {size} bytes; allowed: at most {MAX_NAME} "
                          "(labsim writes beside it under a longer one)")
    words = special_place(out, current=True)
    if words:
        raise LabsimError(f"{what} {out}: is {words}; give each result a folder of its own, e.g. results/my_run")


def special_place(folder: Path, current: bool = False) -> str:
    """What `folder` is if labsim must never write into it (it cleans up in its folders), else ''.

    The root or the home folder; with `current`, the current folder too.
    """
    where = Path(folder).resolve()
    places = [(Path(where.anchor), "the file system's root"), (Path.home().resolve(), "your home folder")]
    for place, words in places + ([(Path.cwd().resolve(), "the current folder")] if current else []):
        if where == place:
            return words
    return ""


STATES_MANIFEST_KIND = "labsim lab states"  # the kind in saved labs' manifest.json (sim.model.state.KIND); they may have no labsim.json
MARKER = "labsim.json"  # in every output folder: what wrote it (kind, command, --set changes, the request's hash)


class OutputKind(StrEnum):
    """What an output folder holds, as its labsim.json says (`folder_kind` reads it; `claim_out` checks it).

    A command writes only into a new folder or one of its own kind, so that the results of
    one tool never mix with another's, nor with a user's own files.
    """

    RUN, CASESTUDY, COMPARISON, MAP, BATCH = "run", "casestudy", "comparison", "map", "batch"
    SENSITIVITY, CALIBRATION, ABC, OPTIMIZATION = "sensitivity", "calibration", "abc", "optimization"
    DISCOVERY, STATES, LOG_DESCRIPTION = "discovery", "states", "log_description"


# the folders `labsim report` reads (sim.pages.report), here so that the command checks one before loading pandas
REPORTED = ("run", "batch", "comparison", "map", "sensitivity", "calibration", "optimization")

MAX_MARKER_BYTES = 1_000_000
# folders of labsim outputs written before labsim.json existed, told by the files they hold
_LEGACY = (("pareto.csv", "optimization"), ("study.db", "optimization"), ("comparison.csv", "comparison"),
           ("map.csv", "map"), ("sensitivity.csv", "sensitivity"), ("calibrated.toml", "calibration"),
           ("posterior.csv", "abc"), ("box.csv", "discovery"), ("summary.json", "run"))


# What each kind of folder held before labsim.json said so: a folder without labsim.json is labsim's only if it holds
# nothing else (a user's folder that happens to hold a summary.json is not a run: --force would clean it).
_WRITTEN = {
    "run": "summary.json timeseries.csv network.graphml people.csv funnel.png timeseries.png network.png report.html "
           "scenario.toml",
    "batch": "manifest.json runs.parquet timeseries.parquet runs timeseries summary.csv report.html scenarios",
    "states": "manifest.json scenario.toml rep-*",
    "comparison": "comparison.csv comparison.json posterior_effects.csv funnels.png network_metrics.png timeseries.png "
                  "rings_*.png report.html scenarios batch states",
    "map": "map.csv map.json map.png report.html scenarios batch batch_presets",
    "sensitivity": "sensitivity.csv sensitivity.json noise.csv sensitivity.png report.html scenarios batch",
    "calibration": "calibrated.toml fit.csv history.csv report.html scenario.toml",
    "abc": "posterior.csv intervals.csv generations.csv marginals.png pairs.png predictive_*.png abc.html "
           "calibrated.toml scenario.toml",
    "optimization": "pareto.csv evaluations.csv presets.csv optimize.json front.png report.html scenario.toml scenarios "
                    "evaluations study.db study.db-journal study.db-wal study.db-shm",  # SQLite's, beside its study
    "discovery": "box.csv box.png trajectory.csv trajectory.png tree.txt discover.html scenarios",
}
_WRITTEN["batch-of-a-tool"] = " ".join(_WRITTEN[k] for k in ("comparison", "map", "sensitivity"))


def _matches(name: str, names: list[str]) -> bool:
    """Whether `name` is one of `names`, each exact or a `prefix*suffix` pattern (rings_*.png)."""
    return any(name == n or ("*" in n and name.startswith(n.split("*")[0]) and name.endswith(n.split("*")[-1]))
               for n in names)


def _written_by(out: Path, kind: str) -> bool:
    """Whether every entry of a folder is a name labsim writes in a folder of this kind (or one of its hidden ones)."""
    return all(_ours(e) or _matches(e.name, _WRITTEN[kind].split()) for e in out.iterdir())


def labsim_entries(out: Path) -> set[str]:
    """The entries of a labsim folder that labsim wrote: those its labsim.json lists, and its own names for the kind."""
    kind, marker = folder_kind(out)
    listed = marker.get("files") if isinstance(marker, dict) and isinstance(marker.get("files"), list) else []
    own = [MARKER, *_WRITTEN.get(kind, "").split(), *(n for n in listed if isinstance(n, str))] if kind else []
    return {e.name for e in out.iterdir() if _matches(e.name, own)}


def request_hash(request: Any) -> str:
    """A short, stable fingerprint of what a command was asked (its resolved scenarios and options)."""
    import hashlib

    text = json.dumps(request, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _ours(entry: Path) -> bool:
    """A hidden name labsim makes itself (a temporary file, a staging folder): not the user's."""
    return entry.name.startswith(".") and (entry.name.endswith(TMP_SUFFIX) or STAGING in entry.name)


def _nothing(entry: Path) -> bool:
    """An entry that leaves its folder new: labsim's hidden names, or what a command killed at its start left."""
    if entry.name == "states" and entry.is_dir() and not entry.is_symlink():  # compare --fork's, not yet written
        return all(_ours(e) for e in entry.iterdir())
    alone = entry.name == MARKER and all(e.name == MARKER or _ours(e) for e in entry.parent.iterdir())
    return _ours(entry) or (alone and unfinished(entry.parent))  # the first write, and nothing after it


def _marker(out: Path) -> dict | None:
    """A folder's labsim.json as labsim writes it (a regular file holding an output folder's object), or None."""
    marker = Path(out) / MARKER
    if not marker.is_file() or marker.is_symlink():
        return None
    try:
        data = json.loads(read_limited(marker, MAX_MARKER_BYTES))
    except (LabsimError, OSError, ValueError, RecursionError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) and data.get("labsim") == "output folder" else None


def unfinished(out: Path) -> bool:
    """Whether a folder's labsim.json is the one its command wrote at its first write (the command has not ended)."""
    return (_marker(out) or {}).get("finished") is False


def folder_kind(out: Path) -> tuple[str | None, dict | None]:
    """What an existing folder holds: (kind, marker) for a labsim folder, ("", None) for one of other files.

    (None, None) for a folder that is new or empty. A folder without `labsim.json` is labsim's
    only if it holds what an earlier labsim wrote (a batch's or states' manifest, a run's summary.json...)
    and nothing else. A folder that holds only what a command killed at its start left is new (`_nothing`).
    """
    out = Path(out)
    if not out.is_dir() or all(_nothing(e) for e in out.iterdir()):
        return None, None
    marker = out / MARKER
    if marker.is_symlink() or (marker.exists() and not marker.is_file()):
        return "", None  # labsim writes its marker as a regular file: a link or a FIFO here is someone else's
    data = _marker(out)
    if data is not None and isinstance(data.get("kind"), str):
        return data["kind"], data
    manifest = out / "manifest.json"
    if manifest.is_file() and not manifest.is_symlink():
        try:
            data = json.loads(read_limited(manifest, MAX_MARKER_BYTES))
        except (LabsimError, ValueError, RecursionError, UnicodeDecodeError):
            data = None
        if isinstance(data, dict) and data.get("kind") in ("states", STATES_MANIFEST_KIND):
            return ("states", None) if _written_by(out, "states") else ("", None)
        if isinstance(data, dict) and "experiment_hash" in data:
            return ("batch", None) if _written_by(out, "batch") else ("", None)
    for name, kind in _LEGACY:
        if (out / name).is_file() and not (out / name).is_symlink() and _written_by(out, kind):
            return kind, None
    if (out / "batch" / "manifest.json").is_file() and _written_by(out, "batch-of-a-tool"):
        return "batch-of-a-tool", None  # a comparison, map or sensitivity killed before its tables
    return "", None


def claim_out(out: Path, kind: str, request: Any = None, force: bool = False, command: str = "",
              forceable: bool = True, what: str = "--out") -> None:
    """The one output-folder policy: a new folder, or a labsim folder of the same kind; refuse anything else.

    Checked before anything is written. A folder of someone else's files is refused
    (never cleaned), `--force` or not; a labsim folder of another kind is refused. In a
    folder of the same kind, a command that passes its `request` may write again only
    when the request is the same (the same results again) or with `force`; with
    `request=None` the command checks the folder's identity itself (a batch's
    experiment, a search's study) and resumes.
    """
    out = Path(out)
    check_out(out, what)
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise LabsimError(f"{what} {out}: exists and is not a folder" if not out.is_symlink() else
                          f"{what} {out}: a symbolic link; labsim neither writes nor deletes through links: "
                          "give the folder itself")
    found, marker = folder_kind(out)
    if found is None:
        return
    if found == "":
        raise LabsimError(f"{what} {out}: holds files labsim did not write (no {MARKER}); labsim writes only into a "
                          "new folder or a labsim folder of the same kind, and never cleans up other files: choose "
                          "another folder")
    tools = ("comparison", "map", "sensitivity")
    if found != kind and not (found == "batch-of-a-tool" and kind in tools):
        shown = "an unfinished comparison, map or sensitivity" if found == "batch-of-a-tool" else f"labsim {found}"
        raise LabsimError(f"{what} {out}: holds {shown} results; choose another folder for this {kind}")
    link = first_link(out)
    if link is not None:  # labsim never makes links: one here (or in a sub-folder) would have it write or delete elsewhere
        raise LabsimError(f"{what} {link}: a symbolic link where labsim writes; labsim neither writes nor "
                          "deletes through links: remove it or choose another folder")
    if request is None or force:
        return
    if marker is not None and marker.get("request") == request_hash(request):
        return
    earlier = (f"the results of `{marker.get('command')}`" if marker and marker.get("command") else
               f"earlier {kind} results" + ("" if marker else f" (written before {MARKER} said what ran)"))
    fix = "add --force to replace them, or choose another folder" if forceable else "choose another folder"
    raise LabsimError(f"{what} {out}: holds {earlier[:200]}, asked otherwise; labsim does not overwrite an earlier "
                      f"result: {fix}")


# What a command that writes into the folder it reads (report, summarize) says of a folder of another kind.
_INSTEAD = {"states": "saved lab states are given to run, batch or compare with --from",
            "abc": "its page is {folder}/abc.html, written with it",
            "discovery": "its page is {folder}/discover.html, written with it",
            "log_description": "its page is {folder}/report.html, written with it",
            "casestudy": "each lab's folder in it is a run",
            "comparison": "its runs are a batch, in its batch/ folder",
            "map": "its runs are batches, in its batch/ and batch_presets/ folders",
            "sensitivity": "its runs are a batch, in its batch/ folder",
            "optimization": "its runs are batches, in its evaluations/ folder",
            "batch-of-a-tool": "run its command again to finish it"}


def claim_folder(folder: Path, kinds: tuple[str, ...], command: str) -> str:
    """The output-folder policy for a command that writes into the folder it reads (report, summarize).

    The folder must be a labsim folder of one of `kinds` (told as `claim_out` tells them); anything else is
    refused in one line naming the folder, its kind and the kinds allowed, before anything is read or written:
    a folder of someone else's files (a user's `summary.json` is not a run), another kind of labsim results,
    the root or the home folder, and a symbolic link anywhere in it (read or written through). Returns the kind.
    """
    folder = Path(folder)
    allowed = f"a labsim {', '.join(kinds[:-1])} or {kinds[-1]} folder" if len(kinds) > 1 else f"a labsim {kinds[0]} folder"
    if folder.is_symlink():
        raise LabsimError(f"{folder}: a symbolic link; labsim neither reads results nor writes through links: give "
                          f"the folder itself ({command} reads {allowed})")
    if not folder.exists():
        raise LabsimError(f"{folder}: no such folder; {command} reads {allowed}")
    if not folder.is_dir():
        raise LabsimError(f"{folder}: not a folder; {command} reads {allowed}")
    words = special_place(folder)  # not the current folder: `labsim report .` inside a run's folder is fine
    if words:
        raise LabsimError(f"{folder}: is {words}; {command} reads {allowed}")
    found, _ = folder_kind(folder)
    if found is None:
        raise LabsimError(f"{folder}: holds no labsim results (an empty folder); {command} reads {allowed}")
    if found == "":
        raise LabsimError(f"{folder}: holds no labsim results, only files labsim did not write (no {MARKER}); "
                          f"{command} reads and writes only in {allowed}")
    if found not in kinds:
        shown = "an unfinished comparison, map or sensitivity" if found == "batch-of-a-tool" else f"labsim {found}"
        hint = f" ({_INSTEAD[found].format(folder=folder)})" if found in _INSTEAD else ""
        raise LabsimError(f"{folder}: holds {shown} results{hint}; {command} reads {allowed}")
    if unfinished(folder):
        raise LabsimError(f"{folder}: holds unfinished labsim {found} results (its command was stopped before its "
                          f"end); run the same command again to finish them, then {command}")
    link = first_link(folder)
    if link is not None:
        raise LabsimError(f"{link}: a symbolic link in a labsim folder; labsim neither reads results nor writes "
                          "through links: remove it")
    return found


def first_link(folder: Path) -> Path | None:
    """The first symbolic link found in a folder and its sub-folders (never followed), or None."""
    for parent, dirs, files in os.walk(folder, followlinks=False):
        for name in sorted(dirs + files):
            if os.path.islink(os.path.join(parent, name)):
                return Path(parent) / name
    return None


def marker_bytes(kind: str, request: Any = None, command: str = "", changes: dict | None = None,
                 finished: bool = True) -> bytes:
    """The `labsim.json` of an output folder: its kind, the command line, the --set changes, the request's hash.

    `finished=False`: the one a command writes first, so a folder it leaves when killed is labsim's (its end
    replaces it).
    """
    from sim.version import __version__

    data = {"labsim": "output folder", "kind": str(kind), "command": command, "set": changes or {},
            "request": None if request is None else request_hash(request), "labsim_version": __version__}
    if not finished:
        data["finished"] = False
    return (json.dumps(data, indent=2, default=str) + "\n").encode()


def replace_stale(tmp: Path, out: Path) -> None:
    """With --force: remove what an earlier labsim result left in `out` that this one does not write.

    Only what labsim wrote goes (`labsim_entries`): a user's own notes or sub-folder are kept; no link is followed.
    """
    if not out.is_dir():
        return
    stale = labsim_entries(out) - {e.name for e in tmp.iterdir()}
    for entry in (e for e in out.iterdir() if e.name in stale and not _ours(e)):
        entry.unlink() if entry.is_symlink() or not entry.is_dir() else shutil.rmtree(entry)


@contextlib.contextmanager
def locked(out: Path, what: str = "--out", check: bool = True) -> Iterator[Path]:
    """Hold an advisory lock (flock) on the folder while a command writes into it.

    A second process asking for the same folder is refused at once with one
    line, `--force` or not. The folder is created if needed, and removed again
    if the command fails before writing anything into it. Leftover temporary
    files of an earlier, killed process are removed once the lock is held. `check=False` is for a folder
    already claimed by `claim_folder` (report and summarize may be run inside the folder they read).
    """
    out = Path(out)
    if check:
        check_out(out, what)
    if out.exists() and not out.is_dir():
        raise LabsimError(f"{what} {out}: exists and is not a folder")
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    fd = os.open(out, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise LabsimError(f"{what} {out}: another labsim process is writing there (the folder is locked); "
                          "wait for it to finish or choose another folder") from None
    try:
        clean_leftovers(out)
        yield out
    except BaseException:
        if created:
            with contextlib.suppress(OSError):
                if [e.name for e in out.iterdir()] == [MARKER]:
                    (out / MARKER).unlink()  # written when the folder was claimed: nothing else was
                out.rmdir()  # only if still empty: nothing was written
        raise
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


@contextlib.contextmanager
def held_signals() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM for a moment (they are delivered after), so a commit is not cut in two."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    # Not a signal mask: a signal sent to the process reaches whichever thread does not block it (numpy's
    # BLAS threads, say) and Python then runs its handler in the main thread anyway. The handlers are swapped
    # for one that notes the signal, and the first one noted is handed to the usual handler at the end.
    caught: list[int] = []
    old = {s: signal.signal(s, lambda signum, _frame: caught.append(signum)) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)
        if caught:
            handler = old[caught[0]]
            if callable(handler):
                handler(caught[0], None)
            elif handler == signal.SIG_DFL:
                signal.raise_signal(caught[0])


@contextlib.contextmanager
def staged(out: Path, replace: bool = False) -> Iterator[Path]:
    """Yield a staging folder beside `out`; when the block ends well, move its contents into `out`.

    If the block raises (an error, Ctrl-C, SIGTERM), the staging folder is
    removed and `out` is left as it was. The move runs with signals held, so it
    is not interrupted half-way. With `replace` (a command's --force on a folder
    of its own kind), what the earlier result held and this one does not write is
    removed, so the folder holds one result, never two mixed.
    """
    out = Path(out)
    tmp = out.parent / f".{out.name}{STAGING}{os.getpid()}"
    try:
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        yield tmp
        with held_signals():
            if replace:
                links = _links_in_the_way(tmp, out)
                if links:
                    commit(tmp, out)  # refuses, naming the link, before anything is removed
                replace_stale(tmp, out)
            commit(tmp, out)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror or str(exc), str(exc.filename or out)) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def commit(tmp: Path, out: Path) -> None:
    """Move every entry of tmp into out (replacing files of the same name); never through a symbolic link.

    A link in `out` where a staged file or folder goes is refused before anything moves, so that a
    folder linked to elsewhere (`--out/scenarios -> ~/docs`) is not written into.
    """
    links = _links_in_the_way(tmp, out)
    if links:
        raise LabsimError(f"{links[0]}: a symbolic link where labsim writes; labsim neither writes nor deletes "
                          "through links: remove it or choose another folder")
    _move(tmp, out)


def _links_in_the_way(tmp: Path, out: Path) -> list[Path]:
    found = []
    for entry in sorted(tmp.iterdir()):
        target = out / entry.name
        if target.is_symlink():
            found.append(target)
        elif entry.is_dir() and target.is_dir():
            found += _links_in_the_way(entry, target)
    return found


def _move(tmp: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for entry in sorted(tmp.iterdir()):
        target = out / entry.name
        if entry.is_dir() and target.is_dir():
            _move(entry, target)
        else:
            os.replace(entry, target)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit - 3] + "..."


# -- reading what labsim wrote, refusing what it did not ---------------------------
MAX_JSON_BYTES = 64 * 2**20  # a result's JSON file larger than this is refused before it is read (labsim's: < 1 MB)


def regular_file(path: Path) -> None:
    """Refuse, in one line, a path that exists but is not a regular file (a FIFO would hang, a device never end)."""
    if path.exists() and not path.is_file():
        raise LabsimError(f"{path}: not a regular file (a folder, a pipe or a device); the folder is not labsim's")


def read_limited(path: Path, limit: int) -> bytes:
    """A regular file's bytes, refused in one line if it is something else or larger than `limit` bytes."""
    path = Path(path)
    regular_file(path)
    size = path.stat().st_size
    if size > limit:
        raise LabsimError(f"{path}: {size:,} bytes; allowed: at most {limit:,}; not a labsim file")
    return path.read_bytes()


def read_json(path: Path, expect: type = dict) -> Any:
    """A JSON file that must hold an object (or `expect`); one clear line otherwise (also if huge or too deep)."""
    path = Path(path)
    try:
        data = json.loads(read_limited(path, MAX_JSON_BYTES).decode("utf-8"))
    except FileNotFoundError:
        raise LabsimError(f"{path}: missing; the folder is incomplete or not labsim's") from None
    except RecursionError:
        raise LabsimError(f"{path}: nested too deep to be a labsim result; the file is damaged") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise LabsimError(f"{path}: unreadable ({exc.__class__.__name__}); the file is damaged") from None
    if not isinstance(data, expect):
        raise LabsimError(f"{path}: holds a JSON {type(data).__name__}, not a labsim {expect.__name__}; "
                          "the file is damaged or not labsim's")
    return data


def need(data: dict, path: Path, *keys: str) -> None:
    """Refuse a labsim JSON file that lacks keys labsim always writes."""
    missing = [k for k in keys if k not in data]
    if missing:
        raise LabsimError(f"{path}: no key {', '.join(repr(k) for k in missing)}; the file is damaged or not labsim's")


def read_parquet(path: Path, columns: tuple[str, ...] = ()):
    """A Parquet file (with some columns it must have); one clear line if it is damaged."""
    import pandas as pd
    import pyarrow

    regular_file(Path(path))
    try:
        with open(path, "rb") as fh:  # opened here: pandas would expand a folder named "~" to the home folder
            df = pd.read_parquet(fh)
    except FileNotFoundError:
        raise LabsimError(f"{path}: missing; the folder is incomplete") from None
    except (OSError, ValueError, pyarrow.ArrowException) as exc:
        raise LabsimError(f"{path}: not a readable Parquet file ({exc.__class__.__name__}); the file is damaged; "
                          "remove it to run those runs again") from None
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise LabsimError(f"{path}: no column {', '.join(repr(c) for c in missing)}; not a labsim table")
    return df
