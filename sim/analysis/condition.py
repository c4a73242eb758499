"""A safe condition on a table's columns: `contributors >= 100 and net_result >= -400000`.

A strategist types the condition on the command line; it is parsed here by a
small recursive-descent parser (comparisons `NAME OP NUMBER`, joined by `and`
and `or`, grouped by parentheses), never by `eval` or `DataFrame.query`, so
no text can run code, and every name is checked against a whitelist of
columns before anything is computed. `check` reads it against every column a
batch can hold, before the batch (and pandas) is loaded, so that a mistyped
condition is refused in a fraction of a second (issue 34); numpy is loaded only
to evaluate it.
"""

from __future__ import annotations

import math
import operator
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.config.scenario import nearest
from sim.errors import LabsimError

if TYPE_CHECKING:
    import numpy as np

OPS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt, "==": operator.eq, "!=": operator.ne}
MAX_LENGTH = 1000
_TOKEN = re.compile(r"\s*(?:(?P<num>[-+]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)|(?P<op>>=|<=|==|!=|>|<)"
                    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<par>[()]))")


@dataclass(frozen=True)
class Clause:
    """One comparison: column, operator, number."""

    name: str
    op: str
    value: float


@dataclass(frozen=True)
class Join:
    """Clauses (or joins) combined by 'and' or 'or'."""

    how: str
    parts: tuple


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise LabsimError(f"--where: cannot read {text[pos:pos + 20].strip()!r}; "
                              'allowed: NAME OP NUMBER joined by and/or, e.g. "contributors >= 100 and revenue > 0"')
        kind = m.lastgroup
        word = m.group(kind)
        if kind == "name" and word.lower() in ("and", "or"):
            kind, word = "join", word.lower()
        out.append((kind, word))
        pos = m.end()
    return out


def parse(text: str, columns: list[str] | tuple[str, ...], shown: list[str] | None = None) -> Clause | Join:
    """Parse the condition and check every name against `columns`; one clear line on any problem.

    `shown` are the names a refusal lists as allowed (default: `columns`).
    """
    if not isinstance(text, str) or not text.strip():
        raise LabsimError('--where: empty condition; e.g. "contributors >= 100 and net_result >= -400000"')
    if len(text) > MAX_LENGTH:
        raise LabsimError(f"--where: {len(text)} characters; allowed: at most {MAX_LENGTH}")
    tokens = _tokens(text)
    pos = 0

    def peek() -> tuple[str, str]:
        return tokens[pos] if pos < len(tokens) else ("end", "the end")

    def expect(kind: str, what: str) -> str:
        nonlocal pos
        k, w = peek()
        if k != kind:
            raise LabsimError(f"--where {text!r}: expected {what}, got {w!r}; "
                              "allowed: NAME OP NUMBER joined by and/or, with parentheses")
        pos += 1
        return w

    def expr(how: str = "or") -> Clause | Join:
        nonlocal pos
        parts = [expr("and") if how == "or" else atom()]
        while peek() == ("join", how):
            pos += 1
            parts.append(expr("and") if how == "or" else atom())
        return parts[0] if len(parts) == 1 else Join(how, tuple(parts))

    def atom() -> Clause | Join:
        nonlocal pos
        if peek() == ("par", "("):
            pos += 1
            inner = expr()
            expect("par", "')'")
            return inner
        name = expect("name", "a column name")
        op = expect("op", "an operator (>=, <=, >, <, ==, !=)")
        value = float(expect("num", "a number"))
        if not math.isfinite(value):
            raise LabsimError(f"--where: {name} {op} {value}: allowed: a finite number")
        if name not in columns:
            listed = sorted(shown if shown is not None else columns)
            raise LabsimError(f"--where: unknown column {name!r}{nearest(name, list(columns))}; allowed: the batch's "
                              f"outcomes ({', '.join(listed[:8])}{', ...' if len(listed) > 8 else ''})")
        return Clause(name, op, value)

    tree = expr()
    if pos != len(tokens):
        raise LabsimError(f"--where {text!r}: unexpected {peek()[1]!r}; join comparisons with 'and' or 'or'")
    return tree


def batch_columns() -> list[str]:
    """Every numeric column a batch's runs table can hold: the outcomes, the settings a design varies, the year."""
    from sim.config.schema import PARAMS
    from sim.outcomes import comparable

    return [*comparable(), *(p.name for p in PARAMS), "year"]


def check(text: str) -> None:
    """Refuse, before any batch is read, a condition that no batch could satisfy: its grammar, then its names.

    A name that is a column of some batch but not of this one is refused later,
    by `parse` on the batch's own columns (`sim.analysis.discover.load_batch`).
    """
    from sim.outcomes import comparable

    parse(text, batch_columns(), shown=comparable())


def names(tree: Clause | Join) -> list[str]:
    """The columns a condition reads."""
    if isinstance(tree, Clause):
        return [tree.name]
    return list(dict.fromkeys(n for p in tree.parts for n in names(p)))


def evaluate(tree: Clause | Join, table) -> np.ndarray:
    """Where the condition holds, row by row (a missing value makes a comparison false)."""
    import numpy as np

    if isinstance(tree, Clause):
        values = np.asarray(table[tree.name], dtype=float)
        with np.errstate(invalid="ignore"):
            return OPS[tree.op](values, tree.value) & np.isfinite(values)
    parts = [evaluate(p, table) for p in tree.parts]
    return np.logical_and.reduce(parts) if tree.how == "and" else np.logical_or.reduce(parts)


def text_of(tree: Clause | Join, top: bool = True) -> str:
    """The condition written back, normalised (for titles and the page)."""
    if isinstance(tree, Clause):
        return f"{tree.name} {tree.op} {tree.value:g}"
    inner = f" {tree.how} ".join(text_of(p, False) for p in tree.parts)
    return inner if top else f"({inner})"
