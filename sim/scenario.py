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

DAYS_PER_YEAR = 365.0  # the model's time unit is the day
PRESET_DIR = Path(__file__).resolve().parent.parent / "scenarios"
MAP_KEYS = ("public_market", "open_closed")
START_ONLY = ("warmup_years", "initial_contributors", "initial_partners", "initial_dormant", "initial_former_regulars",
              "initial_awareness", "initial_doc_pages", "engineer_providers", "client_companies", "partner_organisations")
META_KEYS = ("name", "description", "extends", "interventions", *MAP_KEYS)

Settings = dataclasses.make_dataclass(
    "Settings",
    [(p.name, p.kind, field(default=p.default)) for p in PARAMS],
    frozen=True,
    namespace={"__doc__": "Validated values of every scenario key (see sim.schema.PARAMS)."},
)


@dataclass(frozen=True)
class Intervention:
    """A change of settings at a given day of the run (a change of governance)."""

    at: float
    changes: dict[str, Any]


@dataclass(frozen=True)
class Scenario:
    """A named, validated set of settings, with its place on the map and its interventions."""

    name: str
    settings: Any = field(default_factory=Settings)
    description: str = ""
    path: str | None = None
    interventions: tuple[Intervention, ...] = ()
    stated_map: dict[str, float] = field(default_factory=dict)

    def with_settings(self, **changes: Any) -> Scenario:
        """Return a copy with some settings changed (validated)."""
        problems = [msg for key, val in changes.items() for msg in check_value(key, val)]
        if problems:
            raise LabsimError([f"{self.name}: {m}" for m in problems])
        changes = {k: float(v) if PARAM_BY_NAME[k].kind is float else v for k, v in changes.items()}
        settings = dataclasses.replace(self.settings, **changes)
        problems = check_consistency(settings)
        if problems:
            raise LabsimError([f"{self.name}: {m}" for m in problems])
        return dataclasses.replace(self, settings=settings)

    @property
    def map_position(self) -> dict[str, float]:
        """(public_market, open_closed) in [0, 1]: as stated in the file, else derived from the knobs."""
        return derived_map(self.settings) | self.stated_map

    def check_horizon(self, years: float) -> None:
        """Refuse interventions that fall after the end of a run of `years` years."""
        days = years * DAYS_PER_YEAR
        late = [f"{self.path or self.name}: interventions[{i}].at = {iv.at:g}: after the horizon "
                f"({days:g} days); allowed: 0 < at < {days:g}"
                for i, iv in enumerate(self.interventions) if iv.at >= days]
        if late:
            raise LabsimError(late)


def derived_map(s: Any) -> dict[str, float]:
    """Place settings on the case study's map from the knobs.

    open_closed is the mean of: appointment-only access, closed documentation and
    selective membership. public_market is the mean of: the deterrence of the
    visit price, the share of works sold and the lab's share of their revenue
    (0 when no work is sold). Presets state their place too; this is the fallback.
    """
    price_deterrence = 1 - math.exp(-s.price_sensitivity * s.price_per_visit)
    sold = s.work_sale_prob
    return {
        "public_market": round((price_deterrence + sold + (s.lab_rights_share if sold else 0.0)) / 3, 3),
        "open_closed": round(((s.access == "appointment") + (1 - s.open_documentation) + s.contributor_selectivity) / 3, 3),
    }


def check_consistency(s: Any) -> list[str]:
    """Return the contradictions between settings (each value alone being valid)."""
    problems = []
    if s.workshops_per_year > 0 and s.mediators == 0:
        problems.append("keys 'workshops_per_year' and 'mediators': workshops need a mediator to run them; "
                        "set workshops_per_year = 0 or mediators >= 1")
    if s.residency_calls_per_year > 0 and s.residency_slots == 0:
        problems.append("keys 'residency_calls_per_year' and 'residency_slots': calls with no slot select no one; "
                        "set residency_slots >= 1 or residency_calls_per_year = 0")
    if s.blog_submissions_per_year > 0 and s.moderation and s.mediators == 0:
        problems.append("keys 'moderation' and 'mediators': a moderated blog needs staff; "
                        "set moderation = false or mediators >= 1")
    if s.partner_min_ties > 0 and s.ties_per_activity == 0 and s.introductions_per_day == 0:
        problems.append("keys 'partner_min_ties', 'ties_per_activity' and 'introductions_per_day': "
                        "no tie can form, so no one can become a partner")
    return problems


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


def parse_scenario(data: dict[str, Any], source: str, text: str = "", base: Scenario | None = None) -> Scenario:
    """Validate a scenario's table (over an optional base) and build it; raise LabsimError with every problem."""
    problems: list[str] = []
    values = dataclasses.asdict(base.settings) if base else {}
    for key, value in data.items():
        where = f"{source}: key '{key}'{_line_of(text, key)}"
        if key in ("name", "description", "extends"):
            if not isinstance(value, str):
                problems.append(f"{where}: got {value!r}; allowed: a string")
        elif key in MAP_KEYS:
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
                problems.append(f"{where}: got {value!r}; allowed: a number in [0, 1]")
        elif key == "interventions":
            continue
        elif isinstance(value, dict):
            problems.append(f"{source}: table '[{key}]'{_line_of(text, key)}: scenario keys go at the top level"
                            f"{nearest(key, list(PARAM_BY_NAME))}")
        else:
            found = check_value(key, value)
            problems += [f"{where}: {msg.split(': ', 1)[1]}" for msg in found]
            if not found:
                values[key] = float(value) if PARAM_BY_NAME[key].kind is float else value
    interventions = _parse_interventions(data["interventions"], source, text, problems) if (
        "interventions" in data) else (base.interventions if base else ())
    settings = Settings(**values) if not problems else None
    if settings is not None:
        problems += [f"{source}: {m}" for m in check_consistency(settings)]
        for i, iv in enumerate(interventions):
            later = dataclasses.replace(settings, **iv.changes)
            problems += [f"{source}: interventions[{i}] (at {iv.at:g}): {m}" for m in check_consistency(later)]
    if problems:
        raise LabsimError(problems)
    stated = (base.stated_map if base else {}) | {k: float(data[k]) for k in MAP_KEYS if k in data}
    return Scenario(
        name=data.get("name") or Path(source).stem,
        settings=settings,
        description=data.get("description", base.description if base else ""),
        path=source,
        interventions=tuple(interventions),
        stated_map=stated,
    )


def _parse_interventions(raw: Any, source: str, text: str, problems: list[str]) -> list[Intervention]:
    """Read [[interventions]] tables: `at` (day) and the settings that change then."""
    where = f"{source}: key 'interventions'{_line_of(text, 'interventions')}"
    if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
        problems.append(f"{where}: allowed: an array of tables [[interventions]] with 'at' and settings")
        return []
    out = []
    for i, table in enumerate(raw):
        tag = f"{source}: interventions[{i}]"
        at = table.get("at")
        if isinstance(at, bool) or not isinstance(at, int | float) or not math.isfinite(at) or at <= 0:
            problems.append(f"{tag}: key 'at': got {at!r}; allowed: a day after the start (a number > 0)")
        changes = {k: v for k, v in table.items() if k != "at"}
        if not changes:
            problems.append(f"{tag}: no setting to change; add at least one scenario key")
        found = [msg for k, v in changes.items() for msg in check_value(k, v)]
        found += [f"key '{k}': read only when the run starts; allowed in an intervention: any other scenario key"
                  for k in changes if k in START_ONLY]
        problems += [f"{tag}: {msg}" for msg in found]
        if not found and isinstance(at, int | float) and not isinstance(at, bool):
            cast = {k: float(v) if PARAM_BY_NAME[k].kind is float else v for k, v in changes.items()}
            out.append(Intervention(float(at), cast))
    return sorted(out, key=lambda iv: iv.at)


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


def load_scenario(ref: str | Path | Scenario, _chain: tuple[str, ...] = ()) -> Scenario:
    """Load and validate a scenario from a preset name or a TOML file (following `extends`)."""
    if isinstance(ref, Scenario):
        return ref
    path = resolve(ref)
    key = str(path.resolve())
    if key in _chain:
        cycle = " -> ".join(Path(p).name for p in (*_chain, key))
        raise LabsimError(f"{path}: key 'extends': cycle {cycle}; allowed: a chain that ends in a file without extends")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LabsimError(f"{path}: cannot read the file ({exc.__class__.__name__}: {exc})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LabsimError(f"{path}: malformed TOML: {exc}") from None
    base = None
    if "extends" in data and isinstance(data["extends"], str):
        parent = data["extends"]
        near = path.parent / parent
        target = near if near.suffix == ".toml" and near.is_file() else parent
        try:
            base = load_scenario(target, (*_chain, key))
        except LabsimError as exc:
            if _chain or "cycle" in str(exc):
                raise
            raise LabsimError([f"{path}: key 'extends'{_line_of(text, 'extends')}: {p}" for p in exc.problems]) from None
    return parse_scenario(data, str(path), text, base)
