"""What `labsim calibrate --method abc` writes: the posterior's tables, its figures and abc.html.

The inference is `sim.analysis.abc` (tables in, tables out); this is the layer
that turns its result into files.
"""

from __future__ import annotations

from pathlib import Path

from sim.analysis.abc import AbcResult, statement
from sim.pages.render import png, render


def write(result: AbcResult, tmp: Path, title: str, predictive: list[str] = (), head: list[str] = ()) -> list[str]:
    """Write the posterior, the generations, the intervals, their correlation, the figures and the page into `tmp`.

    `predictive` names figures already in `tmp` (the log against the posterior predictive) for the page;
    `head` is the verdict's lines, shown first.
    """
    from sim import figures
    from sim.io import atomic_write, csv_bytes

    atomic_write(tmp / "posterior.csv", csv_bytes(result.posterior))
    atomic_write(tmp / "generations.csv", csv_bytes(result.generations))
    atomic_write(tmp / "intervals.csv", csv_bytes(result.intervals))
    atomic_write(tmp / "correlation.csv", csv_bytes(result.correlation))
    figures.save(figures.marginals_figure(result), tmp / "marginals.png")
    figures.save(figures.pairs_figure(result), tmp / "pairs.png")
    atomic_write(tmp / "abc.html", page(result, tmp, title, predictive, head).encode())
    return sorted(p.name for p in tmp.iterdir())


def page(result: AbcResult, folder: Path, title: str, predictive: list[str] = (), head: list[str] = ()) -> str:
    """abc.html: the verdict first, the statement, the intervals, the figures found in `folder`, the generations."""
    from sim.version import __version__

    return render("abc.html", title=title, head=list(head), statement=statement(result), intervals=result.intervals,
                  correlation=result.correlation, verdict=result.verdict,
                  marginals=png(folder / "marginals.png"), pairs=png(folder / "pairs.png"),
                  predictive=[(png(folder / n), n) for n in predictive], generations=result.generations,
                  stopped=result.stopped, version=__version__)
