"""A calibration's posterior as settings: the draws `labsim compare --posterior` runs every policy over.

`labsim calibrate --method abc` writes a folder (kind "abc" in its labsim.json) that holds
posterior.csv (one row a particle: the settings fitted, its weight, its distance, its simulated
targets) and intervals.csv (one row a setting fitted). `read_posterior` reads and checks it with the
standard library only, so that a bad folder is refused before pandas and the model load: the folder's
kind (`sim.io.folder_kind`), its two files, the settings (each one of intervals.csv a scenario key and a
column of posterior.csv), every particle's value (a number in its key's range: the schema's
`check_value`) and the weights (finite, >= 0, not all 0). Every problem is one line (exit status 2);
nothing runs on a posterior that is not whole.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

from sim.config.scenario import check_value
from sim.config.schema import PARAM_BY_NAME
from sim.errors import LabsimError

MAX_BYTES = 50_000_000  # posterior.csv of 10,000 particles and dozens of columns is a few MB
DRAWS = 20  # posterior draws by default (compare --draws)
SEEDS = 2  # seeds per draw by default (compare --reps with --posterior): 40 paired labs per scenario
WHAT = "a folder written by labsim calibrate --method abc (posterior.csv, intervals.csv)"


@dataclass(frozen=True)
class Posterior:
    """The particles of an ABC posterior: the settings they fit, their values and weights (checked)."""

    folder: Path
    settings: tuple[str, ...]  # the scenario keys the calibration fitted (intervals.csv's order)
    particles: tuple[dict, ...]  # one dict of settings a particle (ints for integer keys)
    weights: tuple[float, ...]  # not normalised; >= 0, their sum > 0


def read_posterior(folder: Path, where: str = "--posterior") -> Posterior:
    """The posterior of an ABC calibration folder, checked; one line naming the folder or file otherwise."""
    from sim.io import MARKER, folder_kind, read_limited

    folder = Path(folder)
    if not folder.is_dir():
        raise LabsimError(f"{where} {folder}: {'no such folder' if not folder.exists() else 'not a folder'}; "
                          f"allowed: {WHAT}")
    kind, _ = folder_kind(folder)
    if kind == "calibration":
        raise LabsimError(f"{where} {folder}: a point calibration (one fitted setting, no posterior draws); "
                          "allowed: a folder of labsim calibrate --method abc")
    if kind != "abc":
        found = ("an empty folder" if kind is None else f"files labsim did not write (no {MARKER})" if kind == ""
                 else f"labsim {kind} results")
        raise LabsimError(f"{where} {folder}: holds {found}; allowed: {WHAT}")
    settings = _settings(folder / "intervals.csv", where, read_limited)
    header, rows = _table(folder / "posterior.csv", where, read_limited)
    missing = [k for k in (*settings, "weight") if k not in header]
    if missing:
        raise LabsimError(f"{where} {folder / 'posterior.csv'}: no column {', '.join(repr(k) for k in missing)}; "
                          "not the posterior of this calibration (its settings are in intervals.csv)")
    particles, weights = [], []
    for line, row in enumerate(rows, start=2):
        particle = {k: _value(row.get(k), k, f"{where} {folder / 'posterior.csv'}: line {line}") for k in settings}
        weight = _number(row.get("weight"))
        if weight is None or not math.isfinite(weight) or weight < 0:
            raise LabsimError(f"{where} {folder / 'posterior.csv'}: line {line}: weight {row.get('weight')!r}; "
                              "allowed: a number >= 0")
        particles.append(particle)
        weights.append(weight)
    if not particles:
        raise LabsimError(f"{where} {folder / 'posterior.csv'}: no particle; the calibration did not finish")
    if not sum(weights) > 0:
        raise LabsimError(f"{where} {folder / 'posterior.csv'}: every weight is 0; the file is damaged")
    return Posterior(folder, settings, tuple(particles), tuple(weights))


def _settings(path: Path, where: str, read) -> tuple[str, ...]:
    """The settings intervals.csv names (column `setting`), each a scenario key that a calibration can fit."""
    header, rows = _table(path, where, read)
    if "setting" not in header:
        raise LabsimError(f"{where} {path}: no column 'setting'; not a labsim calibration's intervals")
    names = tuple(dict.fromkeys(_plain(r.get("setting") or "") for r in rows))
    if not names:
        raise LabsimError(f"{where} {path}: no setting; the calibration fitted nothing")
    for name in names:
        param = PARAM_BY_NAME.get(name)
        if param is None or param.kind not in (int, float):
            what = "not a scenario key" if param is None else f"a {param.kind.__name__} key, not a number"
            raise LabsimError(f"{where} {path}: setting {name[:60]!r}: {what}; allowed: the numeric scenario keys "
                              "(labsim scenarios --describe)")
    return names


def _table(path: Path, where: str, read) -> tuple[list[str], list[dict[str, str]]]:
    """A CSV file's header and rows (text cells), refused in one line if missing, huge or not text."""
    try:
        text = read(path, MAX_BYTES).decode("utf-8-sig")
    except FileNotFoundError:
        raise LabsimError(f"{where} {path}: missing; the calibration folder is incomplete") from None
    except UnicodeDecodeError:
        raise LabsimError(f"{where} {path}: not a text file; the file is damaged") from None
    except LabsimError as exc:
        raise LabsimError(f"{where} {exc}") from None
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = [_plain(h) for h in reader.fieldnames or []]
        reader.fieldnames = header
        return header, list(reader)
    except csv.Error as exc:
        raise LabsimError(f"{where} {path}: unreadable CSV ({exc}); the file is damaged") from None


def _plain(cell: str) -> str:
    """A text cell as labsim wrote it (sim.io.csv_bytes quotes a leading formula character with ')."""
    return cell[1:] if cell.startswith("'") else cell


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text not in (None, "") else None
    except ValueError:
        return None


def _value(text: str | None, key: str, where: str) -> int | float:
    """One particle's value of `key`: a number in the key's range (an integer for an integer key)."""
    x = _number(text)
    param = PARAM_BY_NAME[key]
    if x is not None and param.kind is int and math.isfinite(x) and x == int(x):
        x = int(x)
    problems = [f"{key} {text!r}: not a number"] if x is None else check_value(key, x)
    if problems:
        raise LabsimError(f"{where}: {problems[0].replace(f'key {key!r}', key)}")
    return x
