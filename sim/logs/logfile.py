"""A visit log's file checked before it is read: its kind, its size, and its header's columns (no pandas).

A command that reads a lab's log (`labsim log describe`, `labsim calibrate
--from-log`) checks here, in a few milliseconds, what a user most often gets
wrong (a file that is not a log, a column named otherwise), so that the refusal
comes before pandas and the model are loaded (issue 34: a refusal in under a
second). `sim.logs.visitlog` reads the log with the same checks and messages.
"""

from __future__ import annotations

import csv
import difflib
import re
from pathlib import Path

from sim.errors import LabsimError

MAX_BYTES = 4 * 2**30  # a log larger than this is refused before it is read (20 million rows of CSV are ~0.7 GB)
MAX_ROWS = 20_000_000  # rows at most: reading holds ~100-200 bytes a row at its peak (2-4 GB at the limit)
PARQUET_SUFFIXES = (".parquet", ".pq")  # a log's file name says its format
LOG_SUFFIXES = (".csv", *PARQUET_SUFFIXES)
FLAGS = {"person": "--person-col", "date": "--date-col", "kind": "--kind-col", "channel": "--channel-col"}
HEADER_CHARS = 65_536  # a CSV header longer than this is left to the full reader


def check_file(path: Path) -> None:
    """Refuse, in one line, a path that is not a log file: missing, not a regular file, empty, too large, not CSV/Parquet."""
    path = Path(path)
    if not path.exists():
        raise LabsimError(f"{path}: no such file")
    if not path.is_file():
        raise LabsimError(f"{path}: not a regular file (a folder, a pipe or a device); a log is a .csv or .parquet file")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise LabsimError(f"{path}: {size:,} bytes; allowed: a log of at most {MAX_BYTES:,} bytes "
                          f"(and {MAX_ROWS:,} rows): split it by year")
    if size == 0:
        raise LabsimError(f"{path}: an empty file; a log needs a header line and one row per visit")
    suffix = path.suffix.lower()
    if suffix not in LOG_SUFFIXES:
        raise LabsimError(f"{path}: a '{suffix or 'nameless'}' file; allowed: a log in .csv (UTF-8) or .parquet")


DATA_LIKE = re.compile(r"\d{4}-\d{2}-\d{2}")  # a date anywhere in the header: its first line is a visit
DATE_LIKE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2}([T ][\d:.]+)?([+-]\d{2}:?\d{2}|Z)?|\d{8})\s*$")


def format_hint(found: list[str]) -> str:
    """Why a CSV's header lacks our columns, when it looks like a common other format; '' otherwise.

    A header that is one word with spaces, tabs or semicolons in it is a log
    separated by them; a header with a date in it is a first visit, not a header.
    """
    def dated(words: list[str]) -> bool:
        return any(DATE_LIKE.match(w) for w in words)

    header = "add a header line naming the columns (e.g. person,date) at the top"
    if len(found) == 1:
        for sep, what in (("\t", "tabs"), (";", "semicolons"), (" ", "spaces")):
            if sep in found[0].strip():
                shown = "\\t" if sep == "\t" else sep
                fix = f"save it as comma-separated CSV (e.g. tr -s '{shown}' ',' < log.txt > log.csv)"
                if dated(found[0].split(sep)):
                    return f"; the file looks separated by {what}, not commas, and has no header line: {fix}, {header}"
                return f"; the file looks separated by {what}, not commas: {fix}"
    if dated(found):
        return f"; its first line looks like a visit, not a header: {header}"
    return ""


def columns(path: Path, found: list[str], names: dict[str, str | None]) -> dict[str, int]:
    """The position of the log's column for each of ours; refused in one line when missing, doubled or ambiguous.

    A missing column is told with the closest names (did you mean); when the header looks like another
    common format (another separator, no header line), the refusal says that instead of "name yours with
    --person-col", and a header that looks like a visit is not repeated (it may hold a person's name). A
    column named twice in the log, or one column named by two of our flags, is refused rather than one of
    them silently taken (issue 33).
    """
    found = [str(f).strip() for f in found]
    chosen: dict[str, int] = {}
    taken: dict[int, str] = {}
    other_format = format_hint(found)
    for ours, theirs in sorted(names.items(), key=lambda kv: kv[1] is None):  # the flags given first
        name = ours if theirs is None else theirs.strip()
        where = [i for i, f in enumerate(found) if f == name]
        if theirs is None and (not where or where[0] in taken):
            continue  # an optional column by its default name: absent, or a column a flag already took
        if len(where) > 1:
            raise LabsimError(f"{path}: columns {where[0] + 1} and {where[1] + 1} are both named {name[:60]!r}; "
                              f"rename one of them: which one is {FLAGS[ours][2:-4]} is not for labsim to guess")
        if not where:
            if DATA_LIKE.search(" ".join(found)) or any(DATE_LIKE.match(f) for f in found):
                raise LabsimError(f"{path}: no column {name[:60]!r}; its first line looks like a visit (it holds a "
                                  "date), not a header" + (other_format or ": add a header line naming the columns "
                                                           "(e.g. person,date) at the top"))
            close = difflib.get_close_matches(name, found, n=1, cutoff=0.6) or difflib.get_close_matches(
                name.lower(), [f.lower() for f in found], n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            shown = ", ".join(repr(f[:40]) for f in found[:12]) + (", ..." if len(found) > 12 else "")
            if other_format:
                raise LabsimError(f"{path}: no column {name[:60]!r}; its columns: {shown}{other_format}")
            raise LabsimError(f"{path}: no column {name[:60]!r}{hint}; its columns: {shown}; name yours with "
                              f"{FLAGS[ours]}")
        if where[0] in taken:
            raise LabsimError(f"{path}: {FLAGS[taken[where[0]]]} and {FLAGS[ours]} both name the column "
                              f"{name[:60]!r}; each names a column of its own")
        chosen[ours], taken[where[0]] = where[0], ours
    return chosen


def csv_header(path: Path) -> list[str] | None:
    """A CSV log's column names as the csv module reads its first record; None when that is unsure.

    None (left to the full reader, whose words then hold) for a file that is not
    UTF-8, a header that is not one plain record, or an unnamed column, which
    pandas would name otherwise ("Unnamed: 0").
    """
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            text = fh.read(HEADER_CHARS)
    except (OSError, UnicodeDecodeError):
        return None
    lines = text.splitlines(keepends=True)
    reader = csv.reader(lines)
    try:
        header = next(reader, None)
    except csv.Error:
        return None
    if len(text) >= HEADER_CHARS and reader.line_num >= len(lines):  # the header may run on past what was read
        return None
    if not header or any(not name for name in header):
        return None
    return header


def check_log(path: Path, person_col: str = "person", date_col: str = "date", kind_col: str | None = None,
              channel_col: str | None = None) -> None:
    """Refuse a log file of the wrong kind, or a CSV log without an asked column, before anything heavy is loaded.

    A Parquet log's columns are checked when it is read (its schema needs pyarrow).
    """
    path = Path(path)
    check_file(path)
    if path.suffix.lower() in PARQUET_SUFFIXES:
        return
    header = csv_header(path)
    if header is not None:
        columns(path, header, {"person": person_col, "date": date_col, "kind": kind_col, "channel": channel_col})
