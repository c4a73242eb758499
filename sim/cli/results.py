"""Write an analysis' results: its tables as CSV and what ran as JSON, into a command's staging folder.

The analysis modules (sim.analysis) take tables and return tables and a dict;
the commands write them here, in one format: CSV through sim.csvfile.csv_bytes (cells
a spreadsheet would read as formulas neutralised), JSON indented by two.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is loaded by the analysis that made the tables, not by importing this
    import pandas as pd


def write_results(dest: Path, tables: dict[str, pd.DataFrame] | None = None,
                  documents: dict[str, dict] | None = None) -> None:
    """Write each table to dest/<name> (CSV) and each document to dest/<name> (JSON), atomically."""
    from sim.csvfile import csv_bytes
    from sim.io import atomic_write

    for name, table in (tables or {}).items():
        atomic_write(Path(dest) / name, csv_bytes(table))
    for name, document in (documents or {}).items():
        atomic_write(Path(dest) / name, json.dumps(document, indent=2).encode())
