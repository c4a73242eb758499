"""A lab's own visit log, read and checked: one row a visit, its people hashed as they are read.

The format (`labsim log`, README "Your lab's visit log"): a CSV file (UTF-8)
or a Parquet file, one row per visit, with a person identifier (any string),
a date (ISO 8601: `2024-03-15` or `2024-03-15T14:30`, or `20240315`), and optionally a kind
(`VisitKind`: visit, workshop, event, membership_start, membership_end; empty
means visit) and a channel (any label). Column names are mapped by the caller
(`--person-col`, `--date-col`, `--kind-col`, `--channel-col`); other columns
are ignored. A log without a header line, or separated by spaces, tabs or
semicolons rather than commas, is refused with a one-line hint on how to fix it.

Raw identifiers never leave this module: each is replaced, as its chunk is
read, by a salted hash (blake2b keyed with a salt that is random for each run
unless given), so that no output can name a person. A person who came twice on
the same day came once: the repeats are dropped and counted. A bad log is
refused with one line naming the file, the line and the value; a large one is
read in chunks with a progress callback, up to `MAX_ROWS` rows.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import LabsimError
from sim.kinds import VisitKind
from sim.logs.logfile import LOG_SUFFIXES, MAX_BYTES, MAX_ROWS, PARQUET_SUFFIXES, check_file  # noqa: F401 (kept here too)
from sim.logs.logfile import columns as _columns

CHUNK_ROWS = 250_000  # rows read at a time (memory stays bounded by the chunk plus the compact result)
SALT_BYTES = 16
KINDS = tuple(k.value for k in VisitKind)
VISIT_KINDS = tuple(k.value for k in VisitKind if k.is_visit)
DATE_HELP = "allowed: an ISO 8601 date or date-time, e.g. 2024-03-15, 20240315 or 2024-03-15T14:30"


@dataclasses.dataclass
class VisitLog:
    """A log as read: its rows (people hashed), how many were read, and how many same-day repeats were dropped.

    `visits` has the columns `person_hash` (uint64, salted; never the raw
    identifier), `date` (a day), `kind` (a `VisitKind` value) and `channel`
    (the log's label, '' when none), sorted by date.
    """

    visits: pd.DataFrame
    rows: int
    duplicates: int
    path: str


def new_salt() -> bytes:
    """A random salt for one reading: the same person has the same hash within a run, and another in the next."""
    return os.urandom(SALT_BYTES)


def hash_people(values, salt: bytes) -> np.ndarray:
    """Each identifier's salted hash (blake2b keyed with `salt`, 8 bytes, as uint64); each distinct one hashed once."""
    codes, unique = pd.factorize(pd.Series(values, dtype=object), sort=False)
    hashed = np.fromiter((int.from_bytes(hashlib.blake2b(str(u).encode("utf-8", "surrogatepass"), key=salt,
                                                         digest_size=8).digest(), "little") for u in unique),
                         dtype=np.uint64, count=len(unique))
    return hashed[codes]


def read_log(path: Path, person_col: str = "person", date_col: str = "date", kind_col: str | None = None,
             channel_col: str | None = None, salt: bytes | None = None, today: pd.Timestamp | None = None,
             progress: Callable[[float], None] | None = None) -> VisitLog:
    """Read and check a visit log (CSV or Parquet) into a `VisitLog`; a bad log raises one `LabsimError` line.

    Args:
        path: The log file (.csv or .parquet).
        person_col: The column of person identifiers.
        date_col: The column of dates.
        kind_col: The column of kinds; None: `kind` if the log has it (else every row is a visit).
        channel_col: The column of channels; None: `channel` if the log has it.
        salt: The hashes' key; None: a random one (hashes differ from one reading to the next).
        today: Dates after this day are refused (default: today).
        progress: Called with the share of the file read so far.

    """
    path = Path(path)
    check_file(path)  # its kind and size (sim.logs.logfile: the same check runs before pandas is loaded)
    suffix = path.suffix.lower()
    salt = new_salt() if salt is None else salt
    today = pd.Timestamp.now().normalize() if today is None else pd.Timestamp(today).normalize()
    reader = _parquet_chunks if suffix in PARQUET_SUFFIXES else _csv_chunks
    names = {"person": person_col, "date": date_col, "kind": kind_col, "channel": channel_col}
    parts, rows = [], 0
    for chunk, first, unit, done in reader(path, names):
        rows += len(chunk)
        if rows > MAX_ROWS:
            raise LabsimError(f"{path}: more than {MAX_ROWS:,} rows; allowed: at most {MAX_ROWS:,}: split it by year")
        parts.append(_clean(chunk, path, first, unit, salt, today))
        if progress is not None:
            progress(done)
    if not rows:
        raise LabsimError(f"{path}: a header and no rows; a log needs one row per visit")
    visits = pd.concat(parts, ignore_index=True)
    is_visit = visits["kind"].isin(VISIT_KINDS).to_numpy()
    repeat = np.zeros(len(visits), dtype=bool)
    repeat[is_visit] = visits.loc[is_visit, ["person_hash", "date"]].duplicated().to_numpy()
    visits = visits.loc[~repeat].sort_values(["date", "person_hash"], kind="stable").reset_index(drop=True)
    visits["kind"] = pd.Categorical(visits["kind"], categories=KINDS)
    visits["channel"] = visits["channel"].astype("category")
    return VisitLog(visits, rows, int(repeat.sum()), str(path))


# -- the two formats, read in chunks -----------------------------------------------------------------------------
def _csv_chunks(path: Path, names: dict[str, str | None]):
    """Yield (chunk with our column names, the first row's line number, 'line', share read) from a UTF-8 CSV."""
    try:
        with open(path, "rb") as fh:  # opened here: pandas would expand a folder named "~" to the home folder
            header = pd.read_csv(fh, nrows=0, encoding="utf-8-sig", dtype=str)
    except pd.errors.EmptyDataError:
        raise LabsimError(f"{path}: an empty file; a log needs a header line and one row per visit") from None
    except UnicodeDecodeError:
        raise _encoding_error(path) from None
    except (pd.errors.ParserError, ValueError, OSError) as exc:
        raise LabsimError(f"{path}: not a readable CSV file ({exc.__class__.__name__}); a log is a CSV file "
                          "with a header line, or a Parquet file") from None
    found = [str(c) for c in header.columns]
    chosen = _columns(path, found, names)
    rename = {v: k for k, v in chosen.items()}
    size = max(path.stat().st_size, 1)
    line = 2
    with open(path, "rb") as fh:
        try:
            reader = pd.read_csv(fh, usecols=list(chosen.values()), dtype=str, keep_default_na=False,
                                 encoding="utf-8-sig", chunksize=CHUNK_ROWS)
            for chunk in reader:
                yield chunk.rename(columns=rename), line, "line", min(fh.tell() / size, 1.0)
                line += len(chunk)
        except UnicodeDecodeError:
            raise _encoding_error(path) from None
        except (pd.errors.ParserError, ValueError) as exc:
            text = str(exc).splitlines()[0][:120] if str(exc) else exc.__class__.__name__
            raise LabsimError(f"{path}: not a readable CSV file after line {line - 1} ({text})") from None


def _encoding_error(path: Path) -> LabsimError:
    """One line naming the first line that is not UTF-8 (a log of mixed encodings, or all Latin-1, or UTF-16)."""
    where = ""
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                where = f" (line {number}, byte {raw[exc.start:exc.start + 1]!r})"
                break
    return LabsimError(f"{path}: not UTF-8 text{where}; allowed: a UTF-8 log: save it as UTF-8 "
                       "(e.g. iconv -f latin1 -t utf-8 in.csv > out.csv)")


def _parquet_chunks(path: Path, names: dict[str, str | None]):
    """Yield (chunk with our column names, the first row's number, 'row', share read) from a Parquet file."""
    import pyarrow
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except (OSError, ValueError, pyarrow.ArrowException) as exc:
        raise LabsimError(f"{path}: not a readable Parquet file ({exc.__class__.__name__})") from None
    chosen = _columns(path, list(pf.schema_arrow.names), names)
    rename = {v: k for k, v in chosen.items()}
    total = max(pf.metadata.num_rows, 1)
    row = 1
    try:
        for batch in pf.iter_batches(batch_size=CHUNK_ROWS, columns=list(chosen.values())):
            chunk = batch.to_pandas().rename(columns=rename)
            yield chunk, row, "row", min((row - 1 + len(chunk)) / total, 1.0)
            row += len(chunk)
    except (OSError, ValueError, pyarrow.ArrowException) as exc:
        raise LabsimError(f"{path}: not a readable Parquet file after row {row - 1} ({exc.__class__.__name__})") \
            from None


# -- one chunk, checked --------------------------------------------------------------------------------------
def _text(column: pd.Series) -> pd.Series:
    """A column as stripped text, '' for an empty cell (a Parquet column may hold numbers or nulls)."""
    return column.astype(object).where(column.notna(), "").astype(str).str.strip()


def _refuse(path: Path, column: pd.Series, bad, first: int, unit: str, what: str) -> None:
    """Raise one line naming the first bad row's line number and value."""
    position = int(np.flatnonzero(np.asarray(bad))[0])
    value = str(column.iloc[position])
    shown = repr(value[:60] + ("..." if len(value) > 60 else ""))
    raise LabsimError(f"{path}: {unit} {first + position}: {what.format(value=shown)}")


def _dates(column: pd.Series) -> pd.Series:
    """Days from ISO 8601 text, or from a Parquet date or timestamp column (NaT where unreadable)."""
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        parsed = column
    elif column.dtype == object and len(column) and not isinstance(column.iloc[0], str):
        parsed = pd.to_datetime(column, errors="coerce")  # Parquet dates (datetime.date objects)
    else:
        text = _text(column)
        compact = text.str.fullmatch(r"\d{8}")  # YYYYMMDD, as exports often write it: read as ISO's basic format
        if compact.any():
            text = text.where(~compact, text.str[:4] + "-" + text.str[4:6] + "-" + text.str[6:])
        try:
            parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
        except (ValueError, TypeError, OverflowError):  # date-times with several UTC offsets
            parsed = pd.to_datetime(text, format="ISO8601", errors="coerce", utc=True)
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)  # the day as the lab saw it
    return parsed.dt.normalize()


def _clean(chunk: pd.DataFrame, path: Path, first: int, unit: str, salt: bytes, today: pd.Timestamp) -> pd.DataFrame:
    """One chunk checked and made compact: people hashed, dates as days, kinds checked, channels as labels."""
    person = _text(chunk["person"])
    empty = (person == "").to_numpy()
    if empty.any():
        _refuse(path, person, empty, first, unit, "no person (an empty identifier); every row names who came")
    raw = chunk["date"]
    days = _dates(raw)
    unreadable = days.isna().to_numpy()
    if unreadable.any():
        _refuse(path, _text(raw), unreadable, first, unit, "date {value} is not a date; " + DATE_HELP)
    future = (days > today).to_numpy()
    if future.any():
        _refuse(path, _text(raw), future, first, unit, "date {value} is in the future (today is "
                f"{today.date()}); a log records visits that happened")
    if "kind" in chunk:
        kind = _text(chunk["kind"]).str.lower().replace("", VisitKind.VISIT.value)
        wrong = ~kind.isin(KINDS).to_numpy()
        if wrong.any():
            value = kind.iloc[int(np.flatnonzero(wrong)[0])]
            close = difflib.get_close_matches(value, KINDS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            _refuse(path, kind, wrong, first, unit, "kind {value} is not a kind" + hint + "; allowed: "
                    + ", ".join(KINDS) + " (empty: visit)")
    else:
        kind = pd.Series(VisitKind.VISIT.value, index=chunk.index)
    channel = _text(chunk["channel"]) if "channel" in chunk else pd.Series("", index=chunk.index)
    return pd.DataFrame({"person_hash": hash_people(person.to_numpy(), salt), "date": days.to_numpy(),
                         "kind": kind.to_numpy(), "channel": channel.to_numpy()})
