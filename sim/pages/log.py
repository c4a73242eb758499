"""What `labsim log describe` writes: log_summary.json, the CSV tables, the figures and report.html.

The measuring is `sim.logs.describe` (a log in, tables out); this is the layer
that turns a description into files. Every text on the page is escaped.
"""

from __future__ import annotations

import json
from pathlib import Path

from sim.logs.describe import HIDDEN, MIN_COUNT, SUPPRESSED, Description, people_table
from sim.logs.seasons import opening_line
from sim.pages.render import png, render


def write(found: Description, folder: Path, people: bool = False, figures: bool = True) -> list[str]:
    """Write log_summary.json, the CSV tables, the figures and report.html into `folder` (a staging folder)."""
    from sim.csvfile import csv_bytes
    from sim.io import atomic_write

    names = ["log_summary.json"]
    atomic_write(folder / "log_summary.json", (json.dumps(found.summary, indent=2) + "\n").encode())
    for name, table in found.tables.items():
        atomic_write(folder / f"{name}.csv", csv_bytes(table))
        names.append(f"{name}.csv")
    if people:
        atomic_write(folder / "people.csv", csv_bytes(people_table(found)))
        names.append("people.csv")
    if figures:
        from sim.figures import log_figures  # matplotlib only when figures are asked for

        names += log_figures(found, folder)
    atomic_write(folder / "report.html", page(found, folder).encode())
    return [*names, "report.html"]


def page(found: Description, folder: Path) -> str:
    """One page: the log, the outcomes per year, the figures, the tables."""
    s = found.summary
    t = found.tables
    start = s.get("start") or {}
    return render("log.html", log=s["log"], rule=s["rule"], min_count=MIN_COUNT, suppressed=SUPPRESSED,
                  hidden=HIDDEN, start=start.get("sentence", ""),
                  start_warns=start.get("kind") in ("mid_life", "single_cohort"),
                  years=t["years"], cohort_gap=s.get("cohort_gap") or "", weekly=png(folder / "weekly.png"),
                  visit_counts=png(folder / "visit_counts.png"), survival=png(folder / "survival.png"),
                  seasonality=t["seasonality"], counts=t["visit_counts"], gaps=t["gaps"],
                  gap_median=str(s["gap_days_median"]), gap_mean=str(s["gap_days_mean"]),
                  seasons=s["seasons"], seasons_key=opening_line(s["seasons"]), season_months=t["seasons"])
