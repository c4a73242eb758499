"""A lab's own visit log, read and checked: one row a visit, its people hashed as they are read.

The format (`labsim log`, README "Your lab's visit log"): a CSV file (UTF-8)
or a Parquet file, one row per visit, with a person identifier (any string),
a date (ISO 8601: `2024-03-15` or `2024-03-15T14:30`, or `20240315`), and optionally a kind
(`VisitKind`: visit, workshop, event, membership_start, membership_end; empty
means visit) and a channel (any label). Column names are mapped by the caller
(`--person-col`, `--date-col`, `--kind-col`, `--channel-col`); other columns
are ignored (and named in `VisitLog.ignored`, for the caller to say once). A CSV
log separated otherwise than by commas is read with `--sep` (a character, tab, or
whitespace: runs of spaces and tabs); one without a header line with
`--no-header`, its columns then named by position ("1", "2", ...: `LogFormat`).
Without them, such a log is refused with a one-line hint naming the option.

Raw identifiers never leave this module: each is replaced, as its chunk is
read, by a salted hash (blake2b keyed with a salt that is random for each run
unless given), so that no output can name a person. A person who came twice on
the same day came once: the repeats are dropped and counted. A bad log is
refused with one line naming the file, the line and the column, never the
value (it may be a person's name: a log whose person and date columns are
swapped would print one); a large one is read in chunks with a progress
callback, up to `MAX_ROWS` rows (a Parquet log's count is read from its footer
before any row). A date-time is taken at its day as written, its UTC offset
ignored: one rule for the whole log, whichever chunk a row falls in.
"""

from __future__ import annotations

import csv
import dataclasses
import difflib
import hashlib
import os
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import LabsimError
from sim.kinds import VisitKind
from sim.logs.logfile import (  # noqa: F401 (the limits and suffixes kept here too)
    CSV,
    LOG_SUFFIXES,
    MAX_BYTES,
    MAX_ROWS,
    PARQUET_SUFFIXES,
    WHITESPACE,
    LogFormat,
    check_file,
)
from sim.logs.logfile import columns as _columns

CHUNK_ROWS = 250_000  # rows read at a time (memory stays bounded by the chunk plus the compact result)
SALT_BYTES = 16
KINDS = tuple(k.value for k in VisitKind)
VISIT_KINDS = tuple(k.value for k in VisitKind if k.is_visit)
DATE_HELP = "allowed: an ISO 8601 date or date-time, e.g. 2024-03-15, 20240315 or 2024-03-15T14:30"
# a date-time's UTC offset (Z, +02, +0200, +02:00) after its time: dropped, the day is the day as written
OFFSET = r"^(\s*\d{4}-?\d{2}-?\d{2}[T ]\d[\d:.,]*)(?:[zZ]|[+-]\d{2}(?::?\d{2})?)\s*$"



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
    ignored: list[str] = dataclasses.field(default_factory=list)  # the log's columns not read, by name (or position)


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
             progress: Callable[[float], None] | None = None, fmt: LogFormat = CSV) -> VisitLog:
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
        fmt: A CSV log's separator and header line (`--sep`, `--no-header`); a Parquet log ignores it.

    """
    path = Path(path)
    check_file(path)  # its kind and size (sim.logs.logfile: the same check runs before pandas is loaded)
    suffix = path.suffix.lower()
    salt = new_salt() if salt is None else salt
    today = pd.Timestamp.now().normalize() if today is None else pd.Timestamp(today).normalize()
    reader = _parquet_chunks if suffix in PARQUET_SUFFIXES else _csv_chunks
    names = {"person": person_col, "date": date_col, "kind": kind_col, "channel": channel_col}
    parts, rows, ignored = [], 0, []
    for chunk, first, where, done in reader(path, names, fmt):
        rows += len(chunk)
        ignored = chunk.attrs.get("ignored", [])
        if rows > MAX_ROWS:
            raise LabsimError(f"{path}: more than {MAX_ROWS:,} rows; allowed: at most {MAX_ROWS:,}: split it by year")
        parts.append(_clean(chunk, path, first, where, salt, today))
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
    return VisitLog(visits, rows, int(repeat.sum()), str(path), ignored)


# -- the two formats, read in chunks -----------------------------------------------------------------------------
def _csv_header(path: Path, fmt: LogFormat = CSV) -> list[str]:
    """The CSV's header cells, as written (pandas would rename a doubled name 'date' to 'date.1'), or positions."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            record, _ = fmt.fields(fh)
            if record is not None:
                return fmt.names(record, path)
    except UnicodeDecodeError:
        raise _encoding_error(path) from None
    except (csv.Error, OSError) as exc:
        raise LabsimError(f"{path}: not a readable CSV file ({exc.__class__.__name__}); a log is a CSV file "
                          "with a header line, or a Parquet file") from None
    raise LabsimError(f"{path}: an empty file; a log needs a header line and one row per visit")


def line_of(path: Path, row: int, fmt: LogFormat = CSV) -> int:
    """The line of a CSV file on which its data row `row` (0 the first after the header, if any) starts.

    Counted as the CSV reader reads: a quoted cell may hold line breaks, and blank lines are skipped, so the
    row's number plus one is not its line. Only done for a row being refused, so it costs nothing otherwise.
    """
    spaces = fmt.sep == WHITESPACE
    with open(path, encoding="utf-8-sig", newline="", errors="replace") as fh:
        reader = csv.reader(fh, delimiter=" " if spaces else fmt.sep)
        # data rows seen (the header, if any, is -1), the line the last record ended on
        seen, after = (-1 if fmt.header else 0), 0
        for record in reader:
            begins, after = after + 1, reader.line_num
            blank = not any(cell.strip() for cell in record) if spaces else len(record) == 1 and not record[0].strip()
            if not record or blank:
                continue
            if seen == row:
                return begins
            seen += 1
    return after + 1


def _chosen(names: list[str], positions: dict[str, int]) -> tuple[dict, list[int], list[str], list[str]]:
    """What to read, from the file's column names and the positions of ours (one rule for CSV and Parquet).

    Returns our labels, the columns to read in the file's order (as readers give them), our names in that
    order, and the columns left unread (said once).
    """
    order = sorted(positions.values())
    ours = [next(k for k, v in positions.items() if v == i) for i in order]
    ignored = [name for i, name in enumerate(names) if i not in positions.values()]
    return {k: names[v] for k, v in positions.items()}, order, ours, ignored


def _csv_chunks(path: Path, names: dict[str, str | None], fmt: LogFormat = CSV):
    """Yield (chunk with our column names, its first row, how to name a row, share read) from a UTF-8 CSV."""
    header = _csv_header(path, fmt)
    positions = _columns(path, header, names)
    labels, order, ours, ignored = _chosen(header, positions)
    size = max(path.stat().st_size, 1)
    row = 0
    with open(path, "rb") as fh:  # opened here: pandas would expand a folder named "~" to the home folder
        try:
            reader = pd.read_csv(fh, usecols=order, dtype=str, keep_default_na=False, encoding="utf-8-sig",
                                 chunksize=CHUNK_ROWS, sep=fmt.pandas_sep, header=0 if fmt.header else None)
            for chunk in reader:
                chunk.columns = ours
                chunk.attrs["names"] = labels
                chunk.attrs["ignored"] = ignored
                yield chunk, row, _csv_place(path, fmt), min(fh.tell() / size, 1.0)
                row += len(chunk)
        except UnicodeDecodeError:
            raise _encoding_error(path) from None
        except (pd.errors.ParserError, ValueError) as exc:
            text = str(exc).splitlines()[0][:120] if str(exc) else exc.__class__.__name__
            raise LabsimError(f"{path}: not a readable CSV file after line {line_of(path, row, fmt) - 1} "
                              f"({_no_values(text)})") from None


def _csv_place(path: Path, fmt: LogFormat = CSV) -> Callable[[int], str]:
    return lambda row: f"line {line_of(path, row, fmt)}"


def _no_values(text: str) -> str:
    """A parser's message without what it quotes of the file (a cell may be a person's name)."""
    return re.sub(r"'[^']*'|\"[^\"]*\"", "'...'", text)


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


def _parquet_chunks(path: Path, names: dict[str, str | None], fmt: LogFormat = CSV):
    """Yield (chunk with our column names, its first row, how to name a row, share read) from a Parquet file.

    The row count is the footer's: a log over `MAX_ROWS` is refused before any row is read. `fmt` (a CSV's
    separator and header line) does not apply to Parquet: it is ignored.
    """
    import pyarrow
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
        total = int(pf.metadata.num_rows)
        found = [str(n) for n in pf.schema_arrow.names]
    except (OSError, ValueError, TypeError, pyarrow.ArrowException) as exc:
        raise LabsimError(f"{path}: not a readable Parquet file ({exc.__class__.__name__})") from None
    if total > MAX_ROWS:
        raise LabsimError(f"{path}: {total:,} rows (its footer says); allowed: at most {MAX_ROWS:,}: split it by year")
    positions = _columns(path, found, names)
    labels, order, ours, ignored = _chosen(found, positions)
    row = 0
    try:
        for batch in pf.iter_batches(batch_size=CHUNK_ROWS, columns=[found[i] for i in order]):
            chunk = batch.to_pandas()
            chunk.columns = ours
            chunk.attrs["names"] = labels
            chunk.attrs["ignored"] = ignored
            yield chunk, row, lambda r: f"row {r + 1}", min((row + len(chunk)) / max(total, 1), 1.0)
            row += len(chunk)
    except (OSError, ValueError, TypeError, pyarrow.ArrowException) as exc:
        raise LabsimError(f"{path}: not a readable Parquet file after row {row} ({exc.__class__.__name__})") \
            from None


# -- one chunk, checked --------------------------------------------------------------------------------------
def _text(column: pd.Series) -> pd.Series:
    """A column as stripped text, '' for an empty cell (a Parquet column may hold numbers or nulls)."""
    return column.astype(object).where(column.notna(), "").astype(str).str.strip()


def _refuse(path: Path, bad, first: int, where: Callable[[int], str], column: str, what: str) -> None:
    """Raise one line naming the first bad row's line (or row) and column, never its value (it may name a person)."""
    position = int(np.flatnonzero(np.asarray(bad))[0])
    raise LabsimError(f"{path}: {where(first + position)}, column {column[:60]!r}: {what}")


def _date_shape(value: str) -> str:
    """What a cell that is not a date looks like, said without the cell itself (it may be a person's name)."""
    if not value:
        return "an empty date"
    if re.fullmatch(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}( .*)?", value):
        return "a date with the day or month first (e.g. 15/03/2024), which is ambiguous"
    if not any(ch.isdigit() for ch in value):
        return "not a date (no digit in it: is it the person column?)"
    return "not a date"


def _dates(column: pd.Series) -> pd.Series:
    """Days from ISO 8601 text, or from a Parquet date or timestamp column (NaT where unreadable).

    One rule for the whole log: a date-time is taken at its day as written, its UTC offset dropped (the
    lab's own clock), so a row lands on the same day whatever else its chunk holds, and a date alone
    beside date-times with an offset changes nothing. A Parquet timestamp column with a time zone has one
    for all its rows: its days are those of that zone.
    """
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        parsed = column
        if getattr(parsed.dt, "tz", None) is not None:
            parsed = parsed.dt.tz_localize(None)  # the wall-clock time in the column's own zone
    elif column.dtype == object and len(column) and not isinstance(column.iloc[0], str) and column.notna().all():
        try:
            parsed = pd.to_datetime(column, errors="coerce")  # Parquet dates (datetime.date objects)
        except (ValueError, TypeError, OverflowError):
            parsed = pd.Series(pd.NaT, index=column.index)
        if getattr(parsed.dt, "tz", None) is not None:
            parsed = parsed.dt.tz_localize(None)
    else:
        text = _text(column).str.replace(OFFSET, r"\1", regex=True)
        compact = text.str.fullmatch(r"\d{8}")  # YYYYMMDD, as exports often write it: read as ISO's basic format
        if compact.any():
            text = text.where(~compact, text.str[:4] + "-" + text.str[4:6] + "-" + text.str[6:])
        try:
            parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
        except (ValueError, TypeError, OverflowError):
            parsed = pd.Series([_one_date(t) for t in text], index=column.index, dtype="datetime64[ns]")
    return parsed.dt.normalize()


def _one_date(text: str):
    """One cell's day, or NaT (the slow path, for a chunk pandas cannot parse as a whole)."""
    try:
        return pd.to_datetime(text, format="ISO8601")
    except (ValueError, TypeError, OverflowError):
        return pd.NaT


def _clean(chunk: pd.DataFrame, path: Path, first: int, where: Callable[[int], str], salt: bytes,
           today: pd.Timestamp) -> pd.DataFrame:
    """One chunk checked and made compact: people hashed, dates as days, kinds checked, channels as labels."""
    cols = chunk.attrs.get("names", {})
    person = _text(chunk["person"])
    empty = (person == "").to_numpy()
    if empty.any():
        _refuse(path, empty, first, where, cols.get("person", "person"),
                "no person (an empty identifier); every row names who came")
    raw = chunk["date"]
    days = _dates(raw)
    unreadable = days.isna().to_numpy()
    if unreadable.any():
        value = str(_text(raw).iloc[int(np.flatnonzero(unreadable)[0])])
        _refuse(path, unreadable, first, where, cols.get("date", "date"), f"{_date_shape(value)}; {DATE_HELP}")
    future = (days > today).to_numpy()
    if future.any():
        _refuse(path, future, first, where, cols.get("date", "date"),
                f"a date in the future (today is {today.date()}); a log records visits that happened")
    if "kind" in chunk:
        kind = _text(chunk["kind"]).str.lower().replace("", VisitKind.VISIT.value)
        wrong = ~kind.isin(KINDS).to_numpy()
        if wrong.any():
            value = kind.iloc[int(np.flatnonzero(wrong)[0])]
            close = difflib.get_close_matches(value, KINDS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            _refuse(path, wrong, first, where, cols.get("kind", "kind"),
                    "not a kind" + hint + "; allowed: " + ", ".join(KINDS) + " (empty: visit)")
    else:
        kind = pd.Series(VisitKind.VISIT.value, index=chunk.index)
    channel = _text(chunk["channel"]) if "channel" in chunk else pd.Series("", index=chunk.index)
    return pd.DataFrame({"person_hash": hash_people(person.to_numpy(), salt), "date": days.to_numpy(),
                         "kind": kind.to_numpy(), "channel": channel.to_numpy()})
