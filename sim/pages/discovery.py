"""What `labsim discover` writes: the peeling trajectory, the chosen box, their figures and discover.html.

The search is `sim.analysis.discover` (tables in, tables out); this is the
layer that turns what it found into files.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.analysis.discover import MASS_MIN, PEEL_ALPHA, SIGNIFICANT, Discovery, sentence
from sim.pages.render import png, render


def page(found: Discovery, folder: Path, drawn: dict[str, Path]) -> str:
    """The self-contained HTML page (the figures `drawn` embedded)."""
    from sim.version import __version__

    limits = found.limits.assign(qp_value=found.limits["qp_value"].map(lambda v: "-" if pd.isna(v) else f"{v:.2g}"))
    return render("discover.html", where=found.where, batch=str(folder), cases=len(found.y), peel_alpha=PEEL_ALPHA,
                  mass_min=MASS_MIN, sentence=sentence(found), limits=limits, significant=SIGNIFICANT,
                  box=png(drawn["box"]), trajectory=png(drawn["trajectory"]), steps=found.trajectory,
                  tree=found.tree, version=__version__)


def write(found: Discovery, batch: Path, tmp: Path) -> list[str]:
    """Write the trajectory, the limits, the figures and the page into the staging folder `tmp`."""
    from sim import figures
    from sim.csvfile import csv_bytes
    from sim.io import atomic_write

    atomic_write(tmp / "trajectory.csv", csv_bytes(found.trajectory))
    atomic_write(tmp / "box.csv", csv_bytes(found.limits))
    drawn = {"trajectory": figures.save(figures.trajectory_figure(found), tmp / "trajectory.png"),
             "box": figures.save(figures.box_figure(found), tmp / "box.png")}
    if found.tree:
        atomic_write(tmp / "tree.txt", found.tree.encode())
    atomic_write(tmp / "discover.html", page(found, batch, drawn).encode())
    return sorted(p.name for p in tmp.iterdir())
