"""Scenario files: TOML in, validated `Settings` out.

A scenario file holds a few meta keys (`name`, `description`) and any scenario
key of `sim.schema.PARAMS` at the top level; a key left out takes its default.
Every problem of a file is collected before anything runs, and reported as one
line each naming the file, the key and what is allowed.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.errors import LabsimError
from sim.schema import PARAM_BY_NAME, PARAMS

PRESET_DIR = Path(__file__).resolve().parent.parent / "scenarios"
META_KEYS = ("name", "description")

Settings = dataclasses.make_dataclass(
    "Settings",
    [(p.name, p.kind, field(default=p.default)) for p in PARAMS],
    frozen=True,
    namespace={"__doc__": "Validated values of every scenario key (see sim.schema.PARAMS)."},
)


@dataclass(frozen=True)
class Scenario:
    """A named, validated set of settings."""

    name: str
    settings: Any = field(default_factory=Settings)
    description: str = ""
    path: str | None = None

    def with_settings(self, **changes: Any) -> Scenario:
        """Return a copy with some settings changed (validated)."""
        problems = [msg for key, val in changes.items() for msg in check_value(key, val)]
        if problems:
            raise LabsimError([f"{self.name}: {m}" for m in problems])
        return dataclasses.replace(self, settings=dataclasses.replace(self.settings, **changes))


def nearest(name: str, known: list[str] | tuple[str, ...]) -> str:
    """Suggest the nearest known name, as ' (did you mean ...?)', or ''."""
    hits = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f" (did you mean '{hits[0]}'?)" if hits else ""


def check_value(key: str, value: Any) -> list[str]:
    """Return the problems of one key's value, as sentences; empty if fine."""
    p = PARAM_BY_NAME.get(key)
    if p is None:
        return [f"key '{key}': unknown key{nearest(key, list(PARAM_BY_NAME))}"]
    ok_type = (
        isinstance(value, bool)
        if p.kind is bool
        else isinstance(value, str)
        if p.kind is str
        else isinstance(value, int) and not isinstance(value, bool)
        if p.kind is int
        else isinstance(value, int | float) and not isinstance(value, bool)
    )
    if not ok_type:
        return [f"key '{key}': got {value!r} ({type(value).__name__}); allowed: {p.allowed()}"]
    if p.choices and value not in p.choices:
        return [f"key '{key}': got {value!r}; allowed: {p.allowed()}"]
    if p.kind in (int, float):
        bad = (isinstance(value, float) and not math.isfinite(value)) or (
            (p.low is not None and value < p.low) or (p.high is not None and value > p.high)
        )
        if bad:
            return [f"key '{key}': got {value!r}; allowed: {p.allowed()}"]
    return []


def _line_of(text: str, key: str) -> str:
    """Find the line where a key is set, for error messages ('' if unknown)."""
    m = re.search(rf"^\s*{re.escape(key)}\s*=", text, flags=re.MULTILINE)
    return f" (line {text.count(chr(10), 0, m.start()) + 1})" if m else ""


def parse_scenario(data: dict[str, Any], source: str, text: str = "") -> Scenario:
    """Validate a scenario's table and build it; raise LabsimError with every problem."""
    problems: list[str] = []
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key in META_KEYS:
            if not isinstance(value, str):
                problems.append(f"{source}: key '{key}'{_line_of(text, key)}: must be a string")
            continue
        if isinstance(value, dict):
            problems.append(
                f"{source}: table '[{key}]'{_line_of(text, key)}: scenario keys go at the top level"
                f"{nearest(key, list(PARAM_BY_NAME))}"
            )
            continue
        for msg in check_value(key, value):
            problems.append(f"{source}: {msg.replace(f"key '{key}'", f"key '{key}'{_line_of(text, key)}", 1)}")
        if not problems:
            values[key] = float(value) if PARAM_BY_NAME[key].kind is float else value
    if problems:
        raise LabsimError(problems)
    name = data.get("name") or Path(source).stem
    return Scenario(name=name, settings=Settings(**values), description=data.get("description", ""), path=source)


def preset_names() -> list[str]:
    """The presets shipped in `scenarios/`, by name."""
    return sorted(p.stem for p in PRESET_DIR.glob("*.toml"))


def resolve(ref: str | Path) -> Path:
    """Turn a preset name or a path into an existing file, or raise LabsimError."""
    path = Path(ref)
    if path.is_file():
        return path
    preset = PRESET_DIR / f"{ref}.toml"
    if not path.suffix and preset.is_file():
        return preset
    if path.suffix or "/" in str(ref):
        raise LabsimError(f"{ref}: no such scenario file")
    raise LabsimError(
        f"{ref}: no such scenario file or preset{nearest(str(ref), preset_names())}; "
        f"presets: {', '.join(preset_names())}"
    )


def load_scenario(ref: str | Path | Scenario) -> Scenario:
    """Load and validate a scenario from a preset name or a TOML file."""
    if isinstance(ref, Scenario):
        return ref
    path = resolve(ref)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LabsimError(f"{path}: cannot read the file ({exc.__class__.__name__}: {exc})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LabsimError(f"{path}: malformed TOML: {exc}") from None
    return parse_scenario(data, str(path), text)
