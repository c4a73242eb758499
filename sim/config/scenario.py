"""Scenario files: TOML in, validated `Settings` out.

A scenario file holds a few meta keys (`name`, `description`) and any scenario
key of `sim.config.schema.PARAMS` at the top level; a key left out takes its default.
Every problem of a file is collected before anything runs, and reported as one
line each naming the file, the key and what is allowed.
"""

from __future__ import annotations

import dataclasses
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.config.files import TomlFile, cap, control_characters, read_toml, show
from sim.config.schema import PARAM_BY_NAME, START_ONLY
from sim.config.settings import Settings, settings_data
from sim.config.willingness import fee_acceptance
from sim.errors import LabsimError
from sim.kinds import DAYS_PER_YEAR
from sim.text import nearest


def _preset_dir() -> Path:
    """The presets' folder: a clone's (or editable install's) scenarios/, else the one `pip install .` copies."""
    clone = Path(__file__).resolve().parents[2] / "scenarios"
    if (clone / "carrefour_numerique.toml").is_file():
        return clone
    return Path(sys.prefix) / "share" / "labsim" / "scenarios"  # pyproject.toml's [tool.setuptools.data-files]


PRESET_DIR = _preset_dir()
MAP_KEYS = ("public_market", "open_closed")
META_KEYS = ("name", "description", "extends", "interventions", *MAP_KEYS)
MAX_EXTENDS = 16  # files in one chain of `extends`
MAX_REPORTED = 25  # problems reported per file



@dataclass(frozen=True)
class Intervention:
    """A change of settings at a given day of the run (a change of governance)."""

    at: float
    changes: dict[str, Any]


@dataclass(frozen=True)
class Scenario:
    """A named, validated set of settings, with its place on the map and its interventions."""

    name: str
    settings: Settings = field(default_factory=Settings)
    description: str = ""
    path: str | None = None
    interventions: tuple[Intervention, ...] = ()
    stated_map: dict[str, float] = field(default_factory=dict)

    def with_settings(self, **changes: Any) -> Scenario:
        """Return a copy with some settings changed (validated)."""
        problems = [msg for key, val in changes.items() for msg in check_value(key, val)]
        if problems:
            raise LabsimError([f"{self.name}: {m}" for m in problems])
        changes = {k: cast(k, v) for k, v in changes.items()}
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


def resolved(scenario: Scenario) -> dict[str, Any]:
    """The scenario as one self-contained file's data: every key (no `extends`), its interventions, its map place.

    What ran, as data: `scenario_toml` writes it, and `load_scenario` of that file
    gives the same settings and interventions back.
    """
    data: dict[str, Any] = {"name": scenario.name}
    if scenario.description:
        data["description"] = scenario.description
    data |= {k: float(v) for k, v in scenario.stated_map.items()}
    data |= settings_data(scenario.settings)
    if scenario.interventions:
        data["interventions"] = [{"at": iv.at, **iv.changes} for iv in scenario.interventions]
    return data


def scenario_toml(scenario: Scenario, comment: str = "") -> str:
    """The resolved scenario as a TOML file (written by tomli-w, never by string formatting); `labsim run` takes it."""
    import tomli_w

    head = "".join(f"# {''.join(c for c in line if c.isprintable())}\n" for line in comment.splitlines())
    return head + tomli_w.dumps(resolved(scenario))


def derived_map(settings: Any) -> dict[str, float]:
    """Place settings on the case study's map from the knobs.

    open_closed is the mean of: appointment-only access, closed documentation and
    selective membership. public_market is the mean of: the share of would-be
    visitors the drop-in fee turns away, the lab's share of the works' income
    (0 without clients) and company projects (1 at 10 a year or more). Presets
    state their place too; this is the fallback.
    """
    priced = 1 - fee_acceptance(settings.price_per_visit, settings)
    works = (1 - settings.artist_rights_share) if settings.client_pool > 0 else 0.0
    services = min(1.0, settings.company_projects_per_year / 10) if settings.client_pool > 0 else 0.0
    return {
        "public_market": round((priced + works + services) / 3, 3),
        "open_closed": round(((settings.access == "appointment") + (1 - settings.open_documentation) + settings.contributor_selectivity) / 3, 3),
    }


def check_consistency(settings: Any) -> list[str]:
    """Return the contradictions between settings (each value alone being valid)."""
    problems = []
    if settings.workshops_per_year > 0 and settings.mediators == 0:
        problems.append("keys 'workshops_per_year' and 'mediators': workshops need a mediator to run them; "
                        "set workshops_per_year = 0 or mediators >= 1")
    if settings.residency_calls_per_year > 0 and settings.residency_slots == 0:
        problems.append("keys 'residency_calls_per_year' and 'residency_slots': calls with no slot select no one; "
                        "set residency_slots >= 1 or residency_calls_per_year = 0")
    if settings.blog_new_authors_per_year > 0 and settings.moderation and settings.mediators == 0:
        problems.append("keys 'moderation' and 'mediators': a moderated blog needs staff; "
                        "set moderation = false or mediators >= 1")
    if settings.partner_min_ties > 0 and settings.ties_per_activity == 0 and settings.introductions_per_day == 0:
        problems.append("keys 'partner_min_ties', 'ties_per_activity' and 'introductions_per_day': "
                        "no tie can form, so no one can become a partner")
    return problems


def check_value(key: str, value: Any) -> list[str]:
    """Return the problems of one key's value, as sentences; empty if fine."""
    param = PARAM_BY_NAME.get(key)
    if param is None:
        return [f"key '{key}': unknown key{nearest(key, list(PARAM_BY_NAME))}"]
    if param.kind is tuple:
        return _check_profile(key, value, param)
    ok_type = (
        isinstance(value, bool)
        if param.kind is bool
        else isinstance(value, str)
        if param.kind is str
        else isinstance(value, int) and not isinstance(value, bool)
        if param.kind is int
        else isinstance(value, int | float) and not isinstance(value, bool)
    )
    if not ok_type:
        return [f"key '{key}': got {show(value)} ({type(value).__name__}); allowed: {param.allowed()}"]
    if param.choices and value not in param.choices:
        return [f"key '{key}': got {show(value)}; allowed: {param.allowed()}"]
    if param.kind in (int, float):
        bad = (isinstance(value, float) and not math.isfinite(value)) or (
            (param.low is not None and value < param.low) or (param.high is not None and value > param.high)
        )
        if bad:
            return [f"key '{key}': got {show(value)}; allowed: {param.allowed()}"]
    return []


def _check_profile(key: str, value: Any, param: Any) -> list[str]:
    """The problems of a profile's value: a list of `param.length` numbers in [low, high], not all 0."""
    numbers = isinstance(value, list | tuple) and all(
        isinstance(x, int | float) and not isinstance(x, bool) for x in value)  # NaN and inf fail the range below
    if not numbers or len(value) != param.length or not all(param.low <= x <= param.high for x in value) \
            or not any(value):
        return [f"key '{key}': got {show(value)}; allowed: {param.allowed()}"]
    return []


def cast(key: str, value: Any) -> Any:
    """A checked value as the Settings field holds it: floats as float, a profile as a tuple of floats."""
    kind = PARAM_BY_NAME[key].kind
    if kind is tuple:
        return tuple(float(x) for x in value)
    return float(value) if kind is float else value


def from_keywords(scenario: Any = None, settings: dict[str, Any] | None = None, rng: Any = None) -> tuple[Scenario, Any]:
    """The lab's Scenario and seed from `LabModel`'s arguments, written as in Mesa's own examples.

    `scenario` may be None (the built-in defaults), a preset name or file, a
    Scenario or Settings, or a Mesa Scenario (what SolaraViz passes on Reset and
    what `dict(model.scenario)` gives back): its fields are settings and its `rng`
    the seed when none is given. Keyword settings go on top, each checked as a
    scenario file's key (an unknown key or a bad value raises LabsimError, naming it).
    """
    settings = dict(settings or {})
    if scenario is None:
        base = Scenario(name="default")
    elif isinstance(scenario, Scenario):
        base = scenario
    elif isinstance(scenario, str | Path):
        base = load_scenario(scenario)
    elif isinstance(scenario, Settings):
        base = Scenario("custom", scenario)
    elif hasattr(scenario, "_scenario_id") and hasattr(scenario, "__iter__"):  # a mesa.experimental Scenario
        fields = {k: v for k, v in scenario if k not in ("rng", "model")}
        settings = fields | settings
        rng = scenario.rng if rng is None else rng
        base = Scenario(name=str(settings.pop("name", "default")))
    else:
        raise LabsimError(f"LabModel: scenario: got {show(scenario)}; allowed: a preset name, a scenario file, "
                          "a sim.Scenario, or None with keyword settings")
    problems = [f"LabModel: {m}" for key, value in settings.items() for m in check_value(key, value)]
    if rng is not None and (isinstance(rng, bool) or not isinstance(rng, int) or rng < 0) \
            and not hasattr(rng, "generate_state") and not hasattr(rng, "bit_generator"):
        problems.append(f"LabModel: rng: got {show(rng)}; allowed: an integer >= 0, a numpy SeedSequence, or None")
    if problems:
        raise LabsimError(problems)
    return (base.with_settings(**settings) if settings else base), rng


def mesa_scenario(lab: Scenario, rng: Any = None) -> Any:
    """Mesa's `model.scenario` for a lab: a Mesa Scenario holding the settings the run starts with, and its rng.

    Mesa's tools read parameters there (`dict(model.scenario)`); labsim's own
    Scenario (name, interventions, map) stays in `model.lab_scenario`.
    """
    from mesa.experimental.scenarios import Scenario as MesaScenario

    return MesaScenario(rng=rng, **dataclasses.asdict(lab.settings))


def parse_setting(text: str) -> tuple[str, Any]:
    """Read one `--set KEY=VALUE`: the value is read as in a TOML file, then checked as a scenario file's key.

    `mediators=4`, `price_per_visit=2.5`, `moderation=true` and `access="appointment"`
    read as in a file; a bare word (`access=appointment`) is taken as a string, so
    the shell's quotes are not needed. Raises LabsimError naming the key and what is allowed.
    """
    import tomllib

    if bad := control_characters(text):  # a line break would hide a second setting the TOML reader then drops
        raise LabsimError(f"--set {_short_arg(text.encode('unicode_escape').decode())}: holds the control character "
                          f"{bad}; allowed: one KEY=VALUE per --set")
    key, sep, raw = text.partition("=")
    key, raw = key.strip(), raw.strip()
    where = f"--set {_short_arg(text)}"
    if not sep or not key:
        raise LabsimError(f"{where}: allowed: KEY=VALUE with a scenario key (see labsim scenarios --describe)")
    if len(raw) > 200:
        raise LabsimError(f"{where}: a value of {len(raw)} characters; allowed: at most 200")
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw  # a bare word: a string
    problems = check_value(key, value)
    if problems:
        raise LabsimError(f"--set: {problems[0]}")
    return key, cast(key, value)


def parse_settings(texts: list[str]) -> dict[str, Any]:
    """Every `--set KEY=VALUE` of a command, checked at once (every problem reported); later ones win."""
    out: dict[str, Any] = {}
    problems: list[str] = []
    for text in texts:
        try:
            key, value = parse_setting(text)
            out[key] = value
        except LabsimError as exc:
            problems += exc.problems
    if problems:
        raise LabsimError(problems)
    return out


def _short_arg(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + f"... ({len(text)} characters)"


def _parse(tf: TomlFile, base: Scenario | None) -> Scenario:
    """Check every key of a read file once (linear in its length) and build the Scenario."""
    data, source = tf.data, str(tf.path)
    problems: list[str] = []
    values = dataclasses.asdict(base.settings) if base else {}
    for key, value in data.items():
        where = tf.where(key)
        if key in ("name", "description", "extends"):
            if not isinstance(value, str):
                problems.append(f"{where}: got {show(value)}; allowed: a string")
            elif bad := control_characters(value, allowed="\n\t" if key == "description" else ""):
                problems.append(f"{where}: holds the control character {bad} (it would reach terminals and "
                                "file names); allowed: printable text")
        elif key in MAP_KEYS:
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
                problems.append(f"{where}: got {show(value)}; allowed: a number in [0, 1]")
        elif key == "interventions":
            continue
        elif isinstance(value, dict):
            line = tf.line(key)
            problems.append(f"{source}: table '[{key}]'{f' (line {line})' if line else ''}: scenario keys go at the "
                            f"top level{nearest(key, list(PARAM_BY_NAME))}")
        else:
            found = check_value(key, value)
            problems += [f"{where}: {msg.split(': ', 1)[1]}" for msg in found]
            if not found:
                values[key] = cast(key, value)
        if len(problems) > 2 * MAX_REPORTED:
            break  # a file of thousands of bad keys: report the first ones, fast
    interventions = _parse_interventions(tf, problems) if (
        "interventions" in data) else (base.interventions if base else ())
    settings = Settings(**values) if not problems else None
    if settings is not None:
        problems += [f"{source}: {m}" for m in check_consistency(settings)]
        for i, iv in enumerate(interventions):
            later = dataclasses.replace(settings, **iv.changes)
            problems += [f"{source}: interventions[{i}] (at {iv.at:g}): {m}" for m in check_consistency(later)]
    if problems:
        raise LabsimError(cap(problems, MAX_REPORTED))
    stated = (base.stated_map if base else {}) | {k: float(data[k]) for k in MAP_KEYS if k in data}
    return Scenario(
        name=data.get("name") or Path(source).stem,
        settings=settings,
        description=data.get("description", base.description if base else ""),
        path=source,
        interventions=tuple(interventions),
        stated_map=stated,
    )


def _parse_interventions(tf: TomlFile, problems: list[str]) -> list[Intervention]:
    """Read [[interventions]] tables: `at` (day) and the settings that change then."""
    raw, source = tf.data["interventions"], str(tf.path)
    where = tf.where("interventions")
    if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
        problems.append(f"{where}: allowed: an array of tables [[interventions]] with 'at' and settings")
        return []
    out = []
    for i, table in enumerate(raw):
        tag = f"{source}: interventions[{i}]"
        at = table.get("at")
        if isinstance(at, bool) or not isinstance(at, int | float) or not math.isfinite(at) or at <= 0:
            problems.append(f"{tag}: key 'at': got {show(at)}; allowed: a day after the start (a number > 0)")
        changes = {k: v for k, v in table.items() if k != "at"}
        if not changes:
            problems.append(f"{tag}: no setting to change; add at least one scenario key")
        found = [msg for k, v in changes.items() for msg in check_value(k, v)]
        found += [f"key '{k}': read only when the run starts; allowed in an intervention: any other scenario key"
                  for k in changes if k in START_ONLY]
        problems += [f"{tag}: {msg}" for msg in found]
        if not found and isinstance(at, int | float) and not isinstance(at, bool):
            out.append(Intervention(float(at), {k: cast(k, v) for k, v in changes.items()}))
    return sorted(out, key=lambda iv: iv.at)


def preset_names() -> list[str]:
    """The presets shipped in `scenarios/`, by name."""
    return sorted(p.stem for p in PRESET_DIR.glob("*.toml"))


def resolve(ref: str | Path) -> Path:
    """Turn a preset name or a path (from the working directory, as typed) into an existing file, or raise."""
    if not isinstance(ref, str | Path):
        raise LabsimError(f"scenario: got {show(ref)}; allowed: a preset name, a scenario file or a sim.Scenario")
    path = Path(ref)
    if path.is_file():
        return path
    preset = PRESET_DIR / f"{ref}.toml"
    if is_path_like(ref):
        raise LabsimError(f"{ref}: no such scenario file")
    if preset.is_file():
        return preset
    raise LabsimError(
        f"{ref}: no such scenario file or preset{nearest(str(ref), preset_names())}; "
        f"presets: {', '.join(preset_names())}"
    )


def is_path_like(ref: str | Path) -> bool:
    """A reference with a suffix or a folder is a file path; a bare word is a preset name."""
    text = str(ref)
    return bool(Path(text).suffix) or "/" in text or "\\" in text or text in (".", "..")


def resolve_from(ref: str, folder: Path) -> Path:
    """A reference written in a file: a path relative to that file's folder (never the working directory), or a preset."""
    if is_path_like(ref):
        path = folder / ref
        if not path.is_file():
            raise LabsimError(f"{ref}: no such scenario file (looked for {path}, relative to the file that names it)")
        return path
    return resolve(ref)


def load_scenario(ref: str | Path | Scenario, _chain: tuple[str, ...] = ()) -> Scenario:
    """Load and validate a scenario from a preset name or a TOML file (following `extends`)."""
    if isinstance(ref, Scenario):
        return ref
    path = resolve(ref)
    key = str(path.resolve())
    if key in _chain:
        cycle = " -> ".join(Path(p).name for p in (*_chain, key))
        raise LabsimError(f"{path}: key 'extends': cycle {cycle}; allowed: a chain that ends in a file without extends")
    if len(_chain) >= MAX_EXTENDS:
        raise LabsimError(f"{path}: key 'extends': a chain of more than {MAX_EXTENDS} files; allowed: at most {MAX_EXTENDS}")
    tf = read_toml(path, "scenario file")
    base = None
    if "extends" in tf.data and isinstance(tf.data["extends"], str):
        try:
            base = load_scenario(resolve_from(tf.data["extends"], path.parent), (*_chain, key))
        except LabsimError as exc:
            if _chain or "cycle" in str(exc):
                raise
            raise LabsimError([f"{tf.where('extends')}: {p}" for p in exc.problems]) from None
    return _parse(tf, base)


def json_schema() -> dict[str, Any]:
    """JSON Schema (2020-12) of a scenario file, derived from PARAMS (`sim.config.specs.scenario`)."""
    from sim.config.specs.scenario import json_schema as derived

    return derived()
