"""CSV tables labsim writes and reads back: every cell as written, none run as a spreadsheet formula.

Every table a command writes as CSV goes through `csv_bytes`, and every one it
reads back through `read_csv`, so that a scenario named `=HYPERLINK(...)` is
shown, not run, when the file is opened in a spreadsheet, and comes back as it
was named. sim.io (files and folders) writes the bytes whole (`atomic_write`).
"""

from __future__ import annotations

from pathlib import Path

from sim.errors import LabsimError
from sim.io import regular_file

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet reads a cell starting so as a formula (OWASP)


def csv_bytes(table, **options) -> bytes:
    """A table as CSV bytes, its text cells neutralised against formula injection.

    A text cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage
    return gets a leading `'` (OWASP's CSV injection advice), so a scenario
    named `=HYPERLINK(...)` is shown, not run, when the file is opened in a
    spreadsheet. Numbers are numbers and stay as they are; `read_csv` takes
    the quote off again.
    """
    out = table.copy()
    for column in out.columns:
        if _text(out[column]):
            out[column] = out[column].map(_neutral)
    return out.to_csv(index=False, **options).encode()


def _text(column) -> bool:
    """A column of text (object or pandas' string dtype), not of numbers, booleans or times."""
    return getattr(column.dtype, "kind", "O") in "OSUT"


def _neutral(cell):
    return "'" + cell if isinstance(cell, str) and cell.startswith(FORMULA_STARTS) else cell


def _unneutral(cell):
    return cell[1:] if isinstance(cell, str) and cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) else cell


def read_csv(path: Path, columns: tuple[str, ...] = ()):
    """A CSV table labsim wrote (with some columns it must have), its text cells as written; one line if damaged."""
    import pandas as pd

    regular_file(Path(path))
    try:
        with open(path, "rb") as fh:  # opened here: pandas would expand a folder named "~" to the home folder
            df = pd.read_csv(fh, lineterminator="\n")  # labsim writes \n; a \r inside a quoted cell is text
        for column in df.columns:
            if _text(df[column]):
                df[column] = df[column].map(_unneutral)
    except FileNotFoundError:
        raise LabsimError(f"{path}: missing; the folder is incomplete or not labsim's") from None
    except (OSError, ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise LabsimError(f"{path}: unreadable CSV ({exc.__class__.__name__}); the file is damaged") from None
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise LabsimError(f"{path}: no column {', '.join(repr(c) for c in missing)}; not a labsim table")
    return df
