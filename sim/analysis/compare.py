"""Compare governance settings side by side, with honest uncertainty.

Every scenario runs the same replications with the same seeds (common random
numbers, through the batch engine), so differences are taken pair by pair:
for each metric, the mean and 95% CI of each scenario, and the mean paired
difference to the first scenario with its 95% CI; a difference whose interval
excludes zero is marked significant.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd

from sim import outcomes
from sim.analysis.posterior import LEVEL, UNDECIDED, effects, paired
from sim.analysis.summary import confidence, mean_interval
from sim.batch.experiment import Experiment, check_compare_args, check_points
from sim.batch.failures import Failures
from sim.batch.runner import run_batch
from sim.batch.store import Store
from sim.config.scenario import load_scenario
from sim.errors import LabsimError

SHOWN = (  # the terminal table's rows, when present (the CSV and the report hold every metric)
    "visitors", "returning_visitors", "contributors", "partners", "artists", "visits", "workshops_held",
    "events_held", "residencies_completed", "works_produced", "revenue", "subsidy", "costs", "net_result",
    "public_cost", "cost_per_visit", "docs_pages", "blog_articles_published", "conversion_visitor_contributor", "density",
    "giant_component_share", "mediator_betweenness_share", "modularity",
)
WIDTH = 100  # the terminal table's width at most


def metrics_of(runs: pd.DataFrame) -> list[str]:
    """The outcomes to compare: the registry's numeric ones present in the runs (registry order), then any new one."""
    from sim.analysis.summary import ID_COLUMNS

    numeric = [c for c in runs.columns if pd.api.types.is_numeric_dtype(runs[c]) and not pd.api.types.is_bool_dtype(
        runs[c]) and c not in ID_COLUMNS]
    known = [name for name, o in outcomes.REGISTRY.items() if name in numeric and o.kind not in ("meta", "text")]
    return known + [c for c in numeric if c not in outcomes.REGISTRY]


def run_comparison(scenarios: list[str], reps: int, out: Path, workers: int | None = None, years: float = 1.0,
                   root_seed: int = 1, quiet: bool = False, force: bool = False, allow_large: bool = False,
                   states: Path | None = None, focus: list[str] | None = None, changes: dict | None = None,
                   posterior: dict | None = None) -> tuple[pd.DataFrame, dict, pd.DataFrame | None]:
    """Run (or resume) the comparison batch under out/batch; return its table, what it compared and the effects.

    The table is comparison.csv's, the dict comparison.json's and the effects (with `posterior`, else None)
    posterior_effects.csv's: the command (sim.cli.compare) writes them, so that this analysis stays tables
    in, tables out.

    With `states` (saved mature labs), every scenario is a policy forked from
    replication r's saved lab: the question is "what if, from now on". `focus`
    names the outcomes asked about (kept in comparison.json: the report leads
    with them); `changes` the command line's --set (kept there too: what ran).
    With `posterior` ({"folder", "draws": settings of each draw, "particles": their
    rows in posterior.csv}), every scenario runs each draw on `reps` seeds of its own
    (`sim.batch.experiment.point_seeds`), paired by (draw, seed); comparison.csv is
    then over the draws x seeds pairs, and posterior_effects.csv holds each policy's
    band and probability of beating the first scenario (`sim.analysis.posterior`).
    """
    check_compare_args(scenarios, reps)
    loaded = [load_scenario(s) for s in scenarios]  # validates each, and its interventions, before running
    check_compare_args(scenarios, reps, loaded, years)
    names = [sc.name for sc in loaded]
    refs = list(scenarios)
    draws = list(posterior["draws"]) if posterior else [{}]
    exp = Experiment(name="compare", scenarios=refs, points=draws, replications=reps, root_seed=root_seed,
                     years=years, source={"scenarios": refs, "replications": reps, "root_seed": root_seed,
                                          "years": years, "kind": "compare"}, loaded=loaded,
                     seed_per_point=bool(posterior))
    if posterior:
        exp.source["posterior"] = {"folder": str(posterior["folder"]), "draws": len(draws)}
        problems = check_points(draws, loaded, f"--posterior {posterior['folder']}")
        if problems:
            raise LabsimError(problems[0])
    if states is not None:
        exp.from_states(states)
        exp.source["from"] = exp.states
    run_batch(exp, out / "batch", workers=workers, quiet=quiet, force=force, allow_large=allow_large)
    runs = Store(out / "batch").runs()
    if posterior:
        runs = paired(runs, len(draws), reps)
    table = comparison_table(runs, names)
    failures = Failures.of(runs, reps * len(draws), "scenario", groups=names, where=out / "batch" / "runs.parquet")
    meta = {"scenarios": names, "refs": refs, "reps": reps, "years": years, "root_seed": root_seed,
            "question": question(loaded, states, posterior), "focus": list(focus or []), "set": changes or {}}
    drawn = None
    if posterior:
        present = list(dict.fromkeys(table["metric"]))
        shown = [m for m in focus or SHOWN if m in present]  # the outcomes asked about, else those compare shows
        drawn = effects(runs, names, shown, focus)
        meta["posterior"] = {"folder": str(posterior["folder"]), "draws": len(draws), "seeds": reps,
                             "settings": list(draws[0]), "particles": list(posterior["particles"]),
                             "undecided": list(UNDECIDED), "level": LEVEL}
    if failures:  # the runs that failed: said by the command, kept for the report's first screen
        meta["failures"] = failures.as_dict()
    if states is not None:
        meta["from"] = {"folder": str(states), **forked_from(states)}
    return table, meta, drawn


def forked_from(states: Path) -> dict:
    """What the saved labs are: the scenario warmed up, its years of warm-up, its settings' hash."""
    from sim.model.state import LabStates

    saved = LabStates(states)
    return {"scenario": saved.scenario_name, "warmup_years": saved.settings.warmup_years,
            "settings_hash": saved.manifest["settings_hash"], "replications_saved": len(saved)}


def question(loaded: list, states: Path | None, posterior: dict | None = None) -> str:
    """The question a comparison answers, in words (the report's first line)."""
    others = ", ".join(sc.name for sc in loaded[1:])
    if posterior:
        when = "from now on (forked from saved labs)" if states is not None else "on a lab built with them"
        return (f"How sure is it that {others} would do better than {loaded[0].name} {when}, over the settings the "
                f"calibration {posterior['folder']} leaves possible ({len(posterior['draws'])} posterior draws)?")
    if states is None:
        return (f"How would labs built with the settings of {others} differ from {loaded[0].name}, each run from its "
                "initial population through its warm-up (settings held from the start)?")
    saved = forked_from(states)
    return (f"What changes if, from year {saved['warmup_years'] + 1:g} of the mature lab {saved['scenario']} on, "
            f"{others} applied instead of {loaded[0].name}? (each policy forked from the same saved labs)")


def comparison_table(runs: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Per metric: each scenario's mean and CI, and the paired difference to the first."""
    ok = runs[runs["status"] == "ok"]
    base = names[0]
    rows = []
    for metric in metrics_of(ok):
        o = outcomes.get(metric)
        by = {n: ok[ok["scenario"] == n].set_index("replication")[metric].sort_index() for n in names}
        by = {n: pd.Series(outcomes.complete(metric, s.to_numpy()), index=s.index) for n, s in by.items()}
        for name in names:
            mean, sd, lo, hi = mean_interval(by[name].to_numpy(), low=o.low, high=o.high)
            row = {"metric": metric, "label": o.label, "unit": o.unit, "kind": o.kind, "scenario": name, "n": len(by[name]), "mean": mean, "sd": sd,
                   "ci_low": lo, "ci_high": hi, "diff": np.nan, "diff_low": np.nan, "diff_high": np.nan,
                   "significant": False}
            if name != base:
                paired = by[name].sub(by[base])  # same replication = same seed
                paired = paired if metric in outcomes.FLOORS and paired.isna().any() else paired.dropna()
                d, _, dlo, dhi = confidence(paired.to_numpy())
                sig = bool(len(paired) > 1 and (dlo > 0 or dhi < 0))
                row |= {"diff": d, "diff_low": dlo, "diff_high": dhi, "significant": sig}
            rows.append(row)
    return pd.DataFrame(rows)


def format_table(table: pd.DataFrame, metrics: tuple[str, ...] | None = None, width: int = WIDTH,
                 focus: list[str] | None = None, asked: int | None = None) -> str:
    """Plain text no wider than `width`: each scenario's mean [95% CI], and the paired difference to the first.

    Two or three scenarios fit side by side; more are written one block per
    outcome, a line per scenario, so that the table never wraps in a terminal.
    The `focus` outcomes (compare --focus) come first. When fewer than the `asked`
    replications of a scenario finished, the first line says over how many.
    """
    names = list(dict.fromkeys(table["scenario"]))
    present = list(dict.fromkeys(table["metric"]))
    metrics = [m for m in (metrics or [m for m in SHOWN if m in present] or present) if m in present]
    metrics = list(dict.fromkeys([*(m for m in focus or [] if m in present), *metrics]))
    by = {m: table[table["metric"] == m].set_index("scenario") for m in metrics}
    wide = _wide(by, names, metrics)
    lines = wide if max(len(line) for line in wide) <= width else _long(by, names, metrics, width)
    low, high = int(table["n"].min()), int(table["n"].max())
    over = f"{high} paired replications"
    if asked is not None and low < asked:
        over = f"{low if low == high else f'{low} to {high}'} of {asked} replications"
        lines = [f"mean [95% CI] over {over} (the others failed: see the warning)", "", *lines]
    lines.append("")
    lines += textwrap.wrap(f"mean [95% CI] over {over}; under "
                           f"{', '.join(names[1:])}: the difference to {names[0]} first, * where its 95% CI excludes "
                           "0; pp = percentage points. Every outcome: comparison.csv", width)
    return "\n".join(lines)


def _cell(metric: str, r, sign: bool = False) -> str:
    if sign:
        star = "*" if bool(r["significant"]) else " "
        return f"{outcomes.fmt(metric, r['diff'], sign=True)}{star}"
    return f"{outcomes.fmt(metric, r['mean'])} {outcomes.fmt_interval(metric, r['ci_low'], r['ci_high'])}"


def _wide(by: dict, names: list[str], metrics: list[str]) -> list[str]:
    """One row per outcome, one column per scenario (the difference first, then mean and CI)."""
    rows = []
    for m in metrics:
        cells = [(_cell(m, by[m].loc[n], sign=True) + " " if i else "") + _cell(m, by[m].loc[n])
                 for i, n in enumerate(names)]
        rows.append((outcomes.label(m), cells))
    first = max(len("outcome (unit)"), *(len(lbl) for lbl, _ in rows))
    widths = [max(len(n), *(len(c[i]) for _, c in rows)) for i, n in enumerate(names)]
    head = f"{'outcome (unit)':<{first}}" + "".join(f"  {n:>{w}}" for n, w in zip(names, widths, strict=True))
    body = [f"{lbl:<{first}}" + "".join(f"  {c:>{w}}" for c, w in zip(cells, widths, strict=True))
            for lbl, cells in rows]
    return [head, "-" * len(head), *body]


def _long(by: dict, names: list[str], metrics: list[str], width: int) -> list[str]:
    """One block per outcome: a line per scenario with its mean, CI and difference to the first.

    Columns are as wide as their longest cell, aligned across outcomes where the line fits (else per
    outcome); a difference that does not fit beside its scenario's numbers goes on a line of its own
    under them, and only a name too long for a line with its mean and CI is cut (~).
    """
    cells = {m: [(outcomes.fmt(m, r["mean"]), outcomes.fmt_interval(m, r["ci_low"], r["ci_high"]),
                  f"{_cell(m, r, sign=True)} {outcomes.fmt_interval(m, r['diff_low'], r['diff_high'], sign=True)}"
                  if i else "") for i, r in enumerate(by[m].loc[n] for n in names)] for m in metrics}
    widths = {m: [max(len(c[k]) for c in cells[m]) for k in range(3)] for m in metrics}  # mean, CI, difference
    room = max(12, min(max(len(n) for n in names), width - 5 - max(a + b for a, b, _ in widths.values())))
    shown = {n: n if len(n) <= room else n[: room - 1] + "~" for n in names}
    common = [max(w[k] for w in widths.values()) for k in range(2)]  # aligned across outcomes where that fits
    lines = []
    for m in metrics:
        lines.append(outcomes.label(m))
        fits = 6 + room + common[0] + common[1] + widths[m][2] <= width
        mean_w, ci_w = common if fits else widths[m][:2]
        for n, (mean, ci, diff) in zip(names, cells[m], strict=True):
            line = f"  {shown[n]:<{room}}  {mean:>{mean_w}} {ci:<{ci_w}} {diff}".rstrip()
            if len(line) <= width:
                lines.append(line)
            else:  # the numbers are too wide for one line: the difference under them
                lines.append(f"  {shown[n]:<{room}}  {mean:>{mean_w}} {ci}")
                lines.append(" " * max(0, min(4 + room, width - len(diff))) + diff)
    return lines
