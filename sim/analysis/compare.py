"""Compare governance settings side by side, with honest uncertainty.

Every scenario runs the same replications with the same seeds (common random
numbers, through the batch engine), so differences are taken pair by pair:
for each metric, the mean and 95% CI of each scenario, and the mean paired
difference to the first scenario with its 95% CI; a difference whose interval
excludes zero is marked significant.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.summary import confidence
from sim.batch.experiment import Experiment
from sim.batch.runner import run_batch
from sim.batch.store import Store
from sim.errors import LabsimError
from sim.io import atomic_write, slug
from sim.scenario import load_scenario

KEY_METRICS = (
    "visitors", "returning_visitors", "contributors", "partners", "artists", "visits", "workshops_held",
    "events_held", "residencies_completed", "works_produced", "revenue", "docs_pages", "blog_articles_published",
    "gini_visits", "conversion_visitor_contributor", "conversion_contributor_partner", "nodes", "edges", "density",
    "avg_clustering", "giant_component_share", "degree_centralization", "betweenness_centralization",
    "mediator_betweenness_share", "modularity", "core_size",
)


def check_compare_args(scenarios: list[str], reps: int) -> None:
    """At least two scenarios and two replications, or one clear line."""
    if len(scenarios) < 2:
        raise LabsimError(f"compare: got {len(scenarios)} scenario(s); allowed: two or more presets or files")
    if reps < 2:
        raise LabsimError(f"--reps: got {reps}; allowed: an integer >= 2 (confidence intervals need two runs)")


def run_comparison(scenarios: list[str], reps: int, out: Path, workers: int | None = None, years: float = 1.0,
                   root_seed: int = 1, quiet: bool = False, force: bool = False, allow_large: bool = False,
                   dest: Path | None = None) -> pd.DataFrame:
    """Run (or resume) the comparison batch under out/batch; write comparison.csv and .json into dest (or out)."""
    check_compare_args(scenarios, reps)
    loaded = [load_scenario(s) for s in scenarios]  # validates each, and its interventions, before running
    for sc in loaded:
        sc.check_horizon(years)
    names = [sc.name for sc in loaded]
    if len(set(names)) < len(names) or len({slug(n) for n in names}) < len(names):
        raise LabsimError(f"compare: scenarios must have different names; got {', '.join(names)}")
    refs = list(scenarios)
    exp = Experiment(name="compare", scenarios=refs, points=[{}], replications=reps, root_seed=root_seed,
                     years=years, source={"scenarios": refs, "replications": reps, "root_seed": root_seed,
                                          "years": years, "kind": "compare"}, loaded=loaded)
    run_batch(exp, out / "batch", workers=workers, quiet=quiet, force=force, allow_large=allow_large)
    table = comparison_table(Store(out / "batch").runs(), names)
    dest = out if dest is None else dest
    atomic_write(dest / "comparison.csv", table.to_csv(index=False).encode())
    meta = {"scenarios": names, "refs": refs, "reps": reps, "years": years, "root_seed": root_seed}
    atomic_write(dest / "comparison.json", json.dumps(meta, indent=2).encode())
    return table


def comparison_table(runs: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Per metric: each scenario's mean and CI, and the paired difference to the first."""
    ok = runs[runs["status"] == "ok"]
    base = names[0]
    rows = []
    for metric in [m for m in KEY_METRICS if m in ok.columns]:
        by = {n: ok[ok["scenario"] == n].set_index("replication")[metric].sort_index() for n in names}
        for name in names:
            mean, sd, lo, hi = confidence(by[name].to_numpy())
            row = {"metric": metric, "scenario": name, "n": len(by[name]), "mean": mean, "sd": sd,
                   "ci_low": lo, "ci_high": hi, "diff": np.nan, "diff_low": np.nan, "diff_high": np.nan,
                   "significant": False}
            if name != base:
                paired = by[name].sub(by[base]).dropna()  # same replication = same seed
                d, _, dlo, dhi = confidence(paired.to_numpy())
                sig = bool(len(paired) > 1 and (dlo > 0 or dhi < 0))
                row |= {"diff": d, "diff_low": dlo, "diff_high": dhi, "significant": sig}
            rows.append(row)
    return pd.DataFrame(rows)


def format_table(table: pd.DataFrame, metrics: tuple[str, ...] | None = None) -> str:
    """Plain text: metric, each scenario's mean [CI], difference to the first [CI] and a * when significant."""
    names = list(dict.fromkeys(table["scenario"]))
    metrics = metrics or tuple(dict.fromkeys(table["metric"]))
    body = []
    for metric in metrics:
        sub = table[table["metric"] == metric].set_index("scenario")
        if sub.empty:
            continue
        cells = []
        for n in names:
            r = sub.loc[n]
            cell = f"{_f(r['mean'])} [{_f(r['ci_low'])}, {_f(r['ci_high'])}]"
            if n != names[0]:
                cell = f"{_f(r['diff'], sign=True)}{'*' if r['significant'] else ' '} {cell}"
            cells.append(cell)
        body.append((metric, cells))
    widths = [max(len(n), *(len(c[i]) for _, c in body)) + 3 for i, n in enumerate(names)]
    head = f"{'metric':<32}" + "".join(f"{n:>{w}}" for n, w in zip(names, widths, strict=True))
    lines = [head, "-" * len(head)]
    lines += [f"{m:<32}" + "".join(f"{c:>{w}}" for c, w in zip(cells, widths, strict=True)) for m, cells in body]
    lines.append(f"\nmean [95% CI] over paired replications; for {', '.join(names[1:])}: the difference to "
                 f"{names[0]} first, * where its 95% CI excludes 0")
    return "\n".join(lines)


def _f(x: float, sign: bool = False) -> str:
    if x != x:
        return "-"
    s = f"{x:+,.3g}" if sign else f"{x:,.3g}"
    return s if abs(x) < 1e5 else (f"{x:+,.0f}" if sign else f"{x:,.0f}")
