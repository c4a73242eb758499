"""The one TOML reader for every file kind: guards first, then one message format.

Scenario, experiment, sensitivity and calibration files are all read here, so
each gets the same guards before any of its values is looked at: size, nesting
depth, number of entries, integer size, finite numbers. Problems read the same
way for every kind: ``FILE: key 'K' (line N): problem; allowed: ...``. Lines
come from an index built once per file, so validating a file costs time in
proportion to its length, never to the square of its number of keys.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.errors import LabsimError

MAX_BYTES = 1_000_000  # a scenario is a few KB; an experiment with long value lists stays far below
MAX_DEPTH = 8  # the deepest legitimate file is 4 levels (sensitivity.bounds.key = [low, high])
MAX_ENTRIES = 20_000  # keys and array items, all tables together
MAX_INT = 2**63 - 1  # what numpy, Parquet and the seeds take
MAX_PROBLEMS = 20  # problems reported per file, and per command; the rest are counted

_HEADER = re.compile(r"^\s*\[\[?\s*([^\]\[]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r"""^\s*((?:[A-Za-z0-9_-]+|"[^"\n]*"|'[^'\n]*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"\n]*"|'[^'\n]*'))*)\s*=""")


def _parts(dotted: str) -> tuple[str, ...]:
    return tuple(p.strip().strip("\"'") for p in dotted.split("."))


@dataclass
class TomlFile:
    """A parsed TOML file with its text and where each key is set, for messages."""

    path: Path
    text: str
    data: dict[str, Any]
    lines: dict[tuple[str, ...], int] = field(default_factory=dict)

    def line(self, *keys: str) -> int | None:
        """The line where a key (a path of table names and key) is set; its table's line if unknown."""
        for n in range(len(keys), 0, -1):
            if keys[:n] in self.lines:
                return self.lines[keys[:n]]
        return None

    def where(self, *keys: str, table: str | None = None) -> str:
        """'FILE: key 'K' (line N)', or 'FILE: [T] key 'K' (line N)' for a key of table T."""
        line = self.line(*((table,) if table else ()), *keys)
        at = f" (line {line})" if line else ""
        head = f"[{table}] " if table else ""
        return f"{self.path}: {head}key '{keys[-1]}'{at}"


def index_lines(text: str) -> dict[tuple[str, ...], int]:
    """Map each key's path (table names, then the key) to the line that sets it first; one pass."""
    out: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), start=1):
        m = _HEADER.match(line)
        if m:
            table = _parts(m.group(1))
            out.setdefault(table, number)
            continue
        m = _KEY.match(line)
        if m:
            key = table + _parts(m.group(1))
            out.setdefault(key, number)
            out.setdefault(key[-1:], number)  # bare key: what most messages look up
    return out


def read_toml(path: str | Path, what: str = "file") -> TomlFile:
    """Read and parse a TOML file within the limits; raise LabsimError naming the file otherwise."""
    path = Path(path)
    if not path.is_file():
        raise LabsimError(f"{path}: no such {what}" if not path.exists() else f"{path}: not a file; allowed: a {what}")
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise LabsimError(f"{path}: cannot read the file ({exc.strerror or exc.__class__.__name__})") from None
    if len(raw) > MAX_BYTES:
        raise LabsimError(f"{path}: larger than {MAX_BYTES:,} bytes; allowed: a {what} of at most {MAX_BYTES:,} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LabsimError(f"{path}: cannot read the file (not UTF-8 text: {exc.reason} at byte {exc.start})") from None
    return parse_toml(text, path)


def parse_toml(text: str, path: str | Path) -> TomlFile:
    """Parse TOML text and apply the limits (depth, entries, integer size, finite numbers)."""
    path = Path(path)
    deep = _deep_dotted_key(text)
    if deep:  # tomllib takes quadratic time over long dotted keys: refuse them before parsing
        raise LabsimError(f"{path}: line {deep}: a key nested deeper than {MAX_DEPTH} levels; allowed: at most {MAX_DEPTH}")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LabsimError(f"{path}: malformed TOML: {exc}") from None
    except RecursionError:
        raise LabsimError(f"{path}: nested deeper than {MAX_DEPTH} levels; allowed: at most {MAX_DEPTH}") from None
    except ValueError as exc:  # an integer beyond Python's 4,300-digit conversion limit
        raise LabsimError(f"{path}: malformed TOML: {_short(str(exc))}; allowed: integers of at most 19 digits") from None
    tf = TomlFile(path, text, data, index_lines(text))
    problems = check_limits(tf)
    if problems:
        raise LabsimError(problems)
    return tf


def _deep_dotted_key(text: str) -> int | None:
    """The first line whose key or table header has more than MAX_DEPTH dots (one linear pass), or None.

    Lines inside a multi-line string are text, not keys: a description may hold a dotted line.
    """
    for number, line in _lines_outside_strings(text):
        s = line.lstrip()
        if s.startswith("["):
            head = re.split(r"[,\]=]", s, maxsplit=1)[0]  # a header, or the first item of an array of arrays
        elif "=" in s:
            head = s.split("=", 1)[0]
        else:
            continue
        if head.count(".") > MAX_DEPTH:
            return number
    return None


def _lines_outside_strings(text: str) -> Iterator[tuple[int, str]]:
    """(number, line) of each line that does not begin inside a multi-line string; one linear pass."""
    inside = ""  # the delimiter of the multi-line string the scan is in, or ""
    for number, line in enumerate(text.splitlines(), start=1):
        if not inside:
            yield number, line
        i, n = 0, len(line)
        while i < n:
            if inside:
                if inside == '"""' and line[i] == "\\":
                    i += 2
                elif line.startswith(inside, i):
                    i += 3
                    while i < n and line[i] == inside[0]:  # up to two quotes may end the string's text
                        i += 1
                    inside = ""
                else:
                    i += 1
            elif line[i] == "#":
                break
            elif line.startswith(('"""', "'''"), i):
                inside, i = line[i:i + 3], i + 3
            elif line[i] in "\"'":  # a one-line string: skip it (a basic one may hold escaped quotes)
                quote, i = line[i], i + 1
                while i < n and line[i] != quote:
                    i += 2 if quote == '"' and line[i] == "\\" else 1
                i += 1
            else:
                i += 1


def check_limits(tf: TomlFile) -> list[str]:
    """Depth, number of entries, integer size and finite numbers, walked without recursion."""
    problems: list[str] = []
    stack: list[tuple[tuple[str, ...], Any, int]] = [((), tf.data, 0)]
    entries = 0
    while stack:
        keys, value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return [f"{_where(tf, keys)}: nested deeper than {MAX_DEPTH} levels; allowed: at most {MAX_DEPTH}"]
        if isinstance(value, dict):
            entries += len(value)
            stack.extend(((*keys, str(k)), v, depth + 1) for k, v in value.items())
        elif isinstance(value, list):
            entries += len(value)
            stack.extend(((*keys, f"[{i}]"), v, depth + 1) for i, v in enumerate(value))
        elif isinstance(value, bool):
            continue
        elif isinstance(value, int) and not -MAX_INT <= value <= MAX_INT:
            digits = math.floor(abs(value).bit_length() * math.log10(2)) + 1  # str() refuses > 4,300 digits
            problems.append(f"{_where(tf, keys)}: got an integer of about {digits:,} digits; "
                            f"allowed: integers within +/-{MAX_INT}")
        elif isinstance(value, float) and not math.isfinite(value):
            problems.append(f"{_where(tf, keys)}: got {value}; allowed: a finite number")
        if entries > MAX_ENTRIES:
            return [f"{tf.path}: more than {MAX_ENTRIES:,} keys and values; allowed: at most {MAX_ENTRIES:,}"]
    return cap(sorted(problems))


def _where(tf: TomlFile, keys: tuple[str, ...]) -> str:
    names = tuple(k for k in keys if not k.startswith("["))
    line = tf.line(*names) if names else None
    shown = ".".join(keys).replace(".[", "[")
    return f"{tf.path}: key '{shown}'" + (f" (line {line})" if line else "")


def cap(problems: list[str], limit: int = MAX_PROBLEMS) -> list[str]:
    """At most `limit` problems, then one line counting the rest (a huge bad file gives a short answer)."""
    if len(problems) <= limit:
        return problems
    return [*problems[:limit], f"... and {len(problems) - limit} more problems"]


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def show(value: Any, limit: int = 60) -> str:
    """repr() of a value for a message, cut to `limit` characters (a 5,000-digit number is not echoed)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**30:
        return f"an integer of {len(str(abs(value)))} digits"
    return _short(repr(value), limit)


def control_characters(text: str, allowed: str = "") -> str:
    """The first control character of `text` (as U+XXXX), other than those `allowed`; '' if there is none.

    Names reach terminals, file names and figure titles: an escape code in a name would recolour or
    rewrite the user's terminal, a carriage return hide what precedes it, a bidirectional override
    reverse what follows it.
    """
    for char in text:
        if (ord(char) < 32 or 127 <= ord(char) < 160 or char in BIDI_CONTROLS) and char not in allowed:
            return f"U+{ord(char):04X}"
    return ""


# Unicode's bidirectional embeddings, overrides and isolates: printed, they reorder what a terminal or a page shows
# after them ("Trojan Source", CVE-2021-42574), so a name would read as another.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
