"""A run's folder: its result written as files, all or none.

summary.json, timeseries.csv, network.graphml, people.csv and the figures are
written into a staging folder beside `--out` and moved in at the end
(`sim.io.staged`), so an error or a signal while writing leaves `--out` as it was.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from sim.csvfile import csv_bytes
from sim.errors import LabsimError
from sim.io import atomic_write, check_out, staged
from sim.run import RunResult

if TYPE_CHECKING:
    import networkx as nx


def write_result(result: RunResult, out: str | Path, figures: bool = True, extra: dict[str, bytes] | None = None,
                 replace: bool = False) -> list[Path]:
    """Write summary.json, timeseries.csv, network.graphml, people.csv and the figures into out, all or none.

    The files are written into a staging folder beside `out` and moved in at
    the end, so an error or a signal while writing leaves `out` as it was.
    `extra` files (the command's labsim.json and scenario.toml: what ran) are
    written with them; `replace` (--force) removes what an earlier run left.
    """
    import networkx as nx

    out = Path(out)
    check_out(out)
    if out.exists() and not out.is_dir():
        raise LabsimError(f"--out {out}: exists and is not a folder")
    files = {
        "summary.json": json.dumps(result.summary, indent=2, sort_keys=False).encode() + b"\n",
        "timeseries.csv": csv_bytes(result.timeseries, lineterminator="\n"),
        "network.graphml": "\n".join(nx.generate_graphml(_graphml_ready(result.network))).encode(),
    }
    if result.people is not None:
        files["people.csv"] = csv_bytes(result.people, lineterminator="\n")
    files |= extra or {}
    with staged(out, replace=replace) as tmp:
        for name, data in files.items():
            atomic_write(tmp / name, data)
        if figures:
            from sim import figures as drawing  # matplotlib only when figures are asked for

            drawing.run_figures(result, tmp)
        names = sorted(p.name for p in tmp.iterdir())
    return [out / name for name in names]


def _graphml_ready(graph: nx.Graph) -> nx.Graph:
    """GraphML has no None: write missing affiliations as ''."""
    g = graph.copy()
    for _, data in g.nodes(data=True):
        if data.get("affiliation") is None:
            data["affiliation"] = ""
    return g
