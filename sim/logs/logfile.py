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
from dataclasses import dataclass
from pathlib import Path

from sim.errors import LabsimError

MAX_BYTES = 4 * 2**30  # a log larger than this is refused before it is read (20 million rows of CSV are ~0.7 GB)
MAX_ROWS = 20_000_000  # rows at most: reading holds ~100-200 bytes a row at its peak (2-4 GB at the limit)
PARQUET_SUFFIXES = (".parquet", ".pq")  # a log's file name says its format
LOG_SUFFIXES = (".csv", *PARQUET_SUFFIXES)  # what labsim writes (log synth)
TEXT_SUFFIXES = (".csv", ".tsv", ".txt", ".dat")  # read as delimited text (--sep, --no-header): exports come so named
READ_SUFFIXES = (*TEXT_SUFFIXES, *PARQUET_SUFFIXES)
FLAGS = {"person": "--person-col", "date": "--date-col", "kind": "--kind-col", "channel": "--channel-col"}
HEADER_CHARS = 65_536  # a CSV header longer than this is left to the full reader
WHITESPACE = "whitespace"  # --sep whitespace: columns separated by runs of spaces and tabs
SEPARATOR_NAMES = {"comma": ",", "semicolon": ";", "tab": "\t", "\\t": "\t", "space": WHITESPACE,
                   "whitespace": WHITESPACE}
SEP_HELP = ("the separator of a CSV log: one character (e.g. ';' or '|'), tab, or whitespace (runs of spaces and "
            "tabs, as in a fixed-width export); default a comma; a Parquet log ignores it")
NO_HEADER_HELP = ("the log's first line is a visit, not column names: columns are then named by their position "
                  "(1, 2, ...): the person is column 1 and the date column 2 unless --person-col N and --date-col N "
                  "say otherwise (a Parquet log ignores it)")


@dataclass(frozen=True)
class LogFormat:
    """How a CSV log is laid out (`--sep`, `--no-header`): its separator, and whether its first line names columns.

    Without a header line the columns are named by their position, "1", "2", ...: the names
    `--person-col 3` and the refusals use, so that one naming rule serves both layouts.
    """

    sep: str = ","  # one character, or WHITESPACE
    header: bool = True

    def request(self) -> dict:
        """The layout in an output folder's request: nothing for the default, so an earlier folder's still matches."""
        return {} if self == CSV else {"sep": self.sep, "header": self.header}

    @property
    def pandas_sep(self) -> str:
        """The separator as pandas reads it (runs of spaces and tabs: a regular expression its C engine knows)."""
        return r"\s+" if self.sep == WHITESPACE else self.sep

    def fields(self, lines) -> tuple[list[str] | None, int]:
        """The first record of `lines` (an iterable of lines) that pandas would not skip, and lines read for it.

        None when there is none. Raises csv.Error for a record the csv module cannot read.
        """
        if self.sep == WHITESPACE:
            for number, line in enumerate(lines, start=1):
                if line.strip():
                    return line.split(), number
            return None, 0
        reader = csv.reader(lines, delimiter=self.sep)
        for row in reader:
            if row and not (len(row) == 1 and not row[0].strip()):  # pandas skips blank lines
                return row, reader.line_num
        return None, reader.line_num

    def names(self, record: list[str], path: Path) -> list[str]:
        """The column names a first record gives: itself, or the positions "1", "2", ... without a header line.

        A header-less record of one column with spaces, tabs or semicolons in it is refused with the
        separator to give (its columns would be "1" only, and the refusal would not say why).
        """
        if self.header:
            return [cell.strip() for cell in record]
        found = separator_of(record[0]) if len(record) == 1 else None
        if found:
            raise LabsimError(f"{path}: one column only; the file looks separated by {found[0]}, not commas: "
                              f"add --sep {found[1]}")
        return [str(i + 1) for i in range(len(record))]


CSV = LogFormat()  # comma-separated, with a header line: the format labsim writes


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
    if suffix not in READ_SUFFIXES:
        raise LabsimError(f"{path}: a '{suffix or 'nameless'}' file; allowed: a log in delimited text "
                          f"({', '.join(TEXT_SUFFIXES)}; UTF-8) or .parquet")


DATA_LIKE = re.compile(r"\d{4}-\d{2}-\d{2}|(?<![\w.])\d{8}(?![\w.])")  # a date in the header: a visit
DATE_LIKE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2}([T ][\d:.]+)?([+-]\d{2}:?\d{2}|Z)?|\d{8})\s*$")


def separator_of(cell: str) -> tuple[str, str] | None:
    """The separator a one-column line seems to use, as (what, the --sep to give), or None."""
    for sep, what, flag in (("\t", "tabs", "tab"), (";", "semicolons", "';'"), (" ", "spaces", "whitespace")):
        if sep in cell.strip():
            return what, flag
    return None


def format_hint(found: list[str]) -> str:
    """Why a CSV's header lacks our columns, when it looks like a common other format; '' otherwise.

    A header that is one word with spaces, tabs or semicolons in it is a log
    separated by them; a header with a date in it is a first visit, not a header.
    """
    def dated(words: list[str]) -> bool:
        return any(DATE_LIKE.match(w) for w in words)

    header = ("add --no-header (columns are then named by position: the person is column 1 and the date column 2, "
              "or say which with --person-col N --date-col N)")
    separated = separator_of(found[0]) if len(found) == 1 else None
    if separated:
        what, flag = separated
        if dated(found[0].split()) or dated(found[0].split(";")):
            return (f"; the file looks separated by {what}, not commas, and has no header line: add --sep {flag} "
                    f"--no-header (the person is then column 1 and the date column 2, or say which with "
                    f"--person-col N --date-col N)")
        return f"; the file looks separated by {what}, not commas: add --sep {flag}"
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
        if not where and name.isdigit() and found == [str(i + 1) for i in range(len(found))]:  # --no-header
            raise LabsimError(f"{path}: no column {name}: the log has {len(found)} column"
                              f"{'' if len(found) == 1 else 's'} (with --no-header, {FLAGS[ours]} is a column's "
                              "position)")
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


def csv_header(path: Path, fmt: LogFormat = CSV) -> list[str] | None:
    """A CSV log's column names as the csv module reads its first record; None when that is unsure.

    None (left to the full reader, whose words then hold) for a file that is not
    UTF-8, a header that is not one plain record, or an unnamed column, which
    pandas would name otherwise ("Unnamed: 0"). Without a header line (`fmt`),
    the names are the first record's positions.
    """
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            text = fh.read(HEADER_CHARS)
    except (OSError, UnicodeDecodeError):
        return None
    lines = text.splitlines(keepends=True)
    try:
        header, read = fmt.fields(lines)
    except csv.Error:
        return None
    if len(text) >= HEADER_CHARS and read >= len(lines):  # the header may run on past what was read
        return None
    if not header or (fmt.header and any(not name for name in header)):
        return None
    return fmt.names(header, path)


def check_log(path: Path, person_col: str = "person", date_col: str = "date", kind_col: str | None = None,
              channel_col: str | None = None, fmt: LogFormat = CSV) -> None:
    """Refuse a log file of the wrong kind, or a CSV log without an asked column, before anything heavy is loaded.

    A Parquet log's columns are checked when it is read (its schema needs pyarrow); it ignores `fmt`.
    """
    path = Path(path)
    check_file(path)
    if path.suffix.lower() in PARQUET_SUFFIXES:
        return
    header = csv_header(path, fmt)
    if header is not None:
        columns(path, header, {"person": person_col, "date": date_col, "kind": kind_col, "channel": channel_col})
