"""The one formatter of input-file problems, and the base every declared file model shares.

A file kind is declared as a pydantic model (`SpecModel`): its keys, their types
and ranges, what each allows in words, and the checks that need more than a type
(a scenario key's name, a box inside a key's range). pydantic collects every
problem of the file at once; `problems()` turns each into the line labsim has
always printed:

    FILE: key 'K' (line N): got V; allowed: WHAT
    FILE: [TABLE] key 'K' (line N): unknown key (did you mean 'KEY'?); allowed: A, B, C

so the wording lives here once, not in every loader. Checks that find several
problems at one key raise `refuse(...)` with all of them.
"""

from __future__ import annotations

import math
import types
import typing
from pathlib import Path
from typing import Any, ClassVar

import annotated_types as at
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import PydanticCustomError

from sim.config.files import TomlFile, cap, control_characters, read_toml, show
from sim.errors import LabsimError

LABSIM = "labsim"  # the type of the errors raised by labsim's own checks: their text is already a sentence
NOTES = "notes"  # the validation context's list of whole-file problems found by a model's before-validator


class SpecModel(BaseModel):
    """A declared input file (or one of its tables): strict types, unknown keys refused, frozen once read."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True,
                              arbitrary_types_allowed=True)
    what: ClassVar[str] = "file"  # what the reader calls it: "experiment file", "search file"...


def key(default: Any = ..., allowed: str = "", *, missing: str = "", entry: str = "", **constraints: Any) -> Any:
    """A declared key: its default, what it allows in words (else derived from its type) and its constraints.

    `missing`: the whole-file sentence when a required table is left out; `entry`: what each value of a
    table of names (targets, params) allows.
    """
    extra = {k: v for k, v in (("allowed", allowed), ("missing", missing), ("entry", entry)) if v}
    return Field(default, json_schema_extra=extra or None, **constraints)


def refuse(*problems: str | tuple[str, str]) -> PydanticCustomError:
    """An error of labsim's own checks: sentences printed after the key's location.

    A (name, sentence) pair is printed after the location of that name in the key's table (a grid's key).
    """
    return PydanticCustomError(LABSIM, "{problems}", {"problems": list(problems)})


def note(info: Any, problem: str, *keys: str) -> None:
    """Record a problem across keys (printed after the file's name, or at `keys`) from a before-validator.

    pydantic runs a model's after-validators only when every key is valid; a check across keys made
    before keeps today's contract of every problem of the file listed at once.
    """
    if info.context is not None:
        info.context.setdefault(NOTES, []).append((keys, problem))


def read_spec[M: SpecModel](path: str | Path, model: type[M], **context: Any) -> tuple[M, TomlFile]:
    """Read a file within the reader's limits and validate it as `model`; raise LabsimError with every problem."""
    tf = read_toml(path, model.what)
    return validate(tf, model, **context), tf


def validate[M: SpecModel](tf: TomlFile, model: type[M], **context: Any) -> M:
    """Validate a read file as `model`: the instance, or LabsimError listing every problem, one line each."""
    ctx: dict[str, Any] = {"path": tf.path, **context}
    found: list[str] = []
    try:
        spec = model.model_validate(tf.data, context=ctx)
    except ValidationError as exc:
        found = problems(exc, model, tf)
        spec = None
    found = [f"{where(tf, keys)}: {text}" for keys, text in ctx.get(NOTES, [])] + found
    if found or spec is None:
        raise LabsimError(cap(found))
    return spec


def problems(exc: ValidationError, model: type[SpecModel], tf: TomlFile) -> list[str]:
    """Every error of a validation as labsim's lines: the file, the key and its line, then what is allowed."""
    out: list[str] = []
    for error in exc.errors(include_url=False):
        keys, info, owner = _locate(model, error["loc"])
        if error["type"] == "extra_forbidden":
            known = _keys(owner)
            name = keys[-1]
            from sim.config.scenario import nearest

            lines = [f"unknown key{nearest(name, known)}; allowed: {', '.join(known)}"]
        elif error["type"] == LABSIM:  # (name, text): a problem of one name in a table of names (grid, bounds)
            for problem in error["ctx"]["problems"]:
                name, text = problem if isinstance(problem, tuple) else (None, problem)
                out.append(f"{where(tf, (*keys, name) if name else keys)}: {text}")
            continue
        elif error["type"] == "missing" and info is not None and (info.json_schema_extra or {}).get("missing"):
            out.append(f"{tf.path}: {info.json_schema_extra['missing']}")
            continue
        elif error["type"] == "missing":
            lines = [f"missing; allowed: {allowed(info)}"]
        else:
            lines = [f"got {show(_raw(tf.data, keys))}; allowed: {allowed(info)}"]
        out += [f"{where(tf, keys)}: {line}" for line in lines]
    return list(dict.fromkeys(out))  # an error at each item of a list is one problem of its key


def where(tf: TomlFile, keys: tuple[str, ...]) -> str:
    """'FILE: key 'K' (line N)' for a top-level key, 'FILE: [T.U] key 'K' (line N)' for a key of a table."""
    if not keys:
        return str(tf.path)
    if len(keys) == 1:
        return tf.where(keys[0])
    line = tf.line(*keys)
    return f"{tf.path}: [{'.'.join(keys[:-1])}] key '{keys[-1]}'" + (f" (line {line})" if line else "")


def _locate(model: type[SpecModel], loc: tuple) -> tuple[tuple[str, ...], Any, type | None]:
    """The file's keys an error is at, the declared field that says what they allow, and the model owning the key.

    An error inside a table of names (a grid's key, a target) is at that name; what it allows is the
    table's `entry` text.
    """
    keys: list[str] = []
    current: type | None = model
    owner: type | None = model
    info = None
    for part in loc:
        if isinstance(part, int) or part == "[key]":
            continue
        keys.append(str(part))
        if current is None:  # a name in a table of names
            entry = (info.json_schema_extra or {}).get("entry") if info is not None else None
            info = Field(json_schema_extra={"allowed": entry}) if entry else info
            break
        owner = current
        info = {f.alias or n: f for n, f in current.model_fields.items()}.get(part)
        if info is None:  # an unknown key
            break
        current = _model_of(info.annotation)
    return tuple(keys), info, owner


def _model_of(annotation: Any) -> type | None:
    """The model an annotation holds (through Optional and Annotated), or None for a plain value."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType, typing.Annotated):
        for arg in typing.get_args(annotation):
            found = _model_of(arg)
            if found is not None:
                return found
    return None


def _keys(model: type | None) -> list[str]:
    if model is None or not (isinstance(model, type) and issubclass(model, BaseModel)):
        return []
    return [f.alias or n for n, f in model.model_fields.items()]


def _raw(data: Any, keys: tuple[str, ...]) -> Any:
    """The value the file gives at `keys` (what a message echoes), or None."""
    for k in keys:
        data = data.get(k) if isinstance(data, dict) else None
    return data


def allowed(info: Any) -> str:
    """What a declared key allows, in words: as declared, else from its type and bounds."""
    if info is None:
        return "a valid value"
    text = (info.json_schema_extra or {}).get("allowed") if isinstance(info.json_schema_extra, dict) else None
    if text:
        return text
    kind = _plain(info.annotation)
    low = high = None
    open_low = False
    for m in info.metadata:
        if isinstance(m, at.Ge):
            low = m.ge
        elif isinstance(m, at.Gt):
            low, open_low = m.gt, True
        elif isinstance(m, at.Le):
            high = m.le
    if kind is str:
        return "a string"
    if kind is bool:
        return "true or false"
    if kind in (int, float):
        noun = "an integer" if kind is int else "a number"
        if low is not None and high is not None:
            ends = (f"{low:g}", f"{high:g}") if kind is float else (str(low), str(high))
            return f"{noun} in {'(' if open_low else '['}{ends[0]}, {ends[1]}]"
        return noun
    return "a valid value"


def _plain(annotation: Any) -> Any:
    """int, float, str or bool behind Optional/Annotated, or the annotation itself."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _plain(args[0]) if len(args) == 1 else annotation
    return annotation


def printable(value: str, allowed_chars: str = "\n\t") -> str:
    """A string with no control character other than `allowed_chars` (they would reach terminals and file names)."""
    if bad := control_characters(value, allowed_chars):
        raise refuse(f"holds the control character {bad} (it would reach terminals and file names); "
                     "allowed: printable text")
    return value


def one_line(value: str) -> str:
    """A name: printable, on one line."""
    return printable(value, "")


def finite(value: float) -> float:
    """A finite number (the reader refuses nan and inf already; a value built in code may hold them)."""
    if not math.isfinite(value):
        raise refuse(f"got {show(value)}; allowed: a finite number")
    return value
