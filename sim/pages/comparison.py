"""A comparison's page, written for a strategist (`labsim report` on a `labsim compare` folder).

First the headline (the largest significant differences, in words, with
intervals and units), then the settings that differ, the budget beside the
funnel, the network, the measured period over time, every outcome, the method,
and a glossary generated from `sim.outcomes`. Sentences about the numbers are
computed from them (`sim.analysis.story`), so the text cannot contradict the
tables. This module reads the folder and says it in words and numbers; the
markup is templates/report/comparison.html.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim import outcomes
from sim.csvfile import read_csv
from sim.errors import LabsimError
from sim.io import need, read_json, slug
from sim.pages.render import figure_png, png
from sim.text import counted

TRANSIENT = ("No warm-up: this lab started empty, so its measured period is a transient (regulars and partners are "
             "still accumulating at its end), not the steady state of a lab that has run for years; set "
             "warmup_years to measure a mature lab.")
FUNNEL = ("visitors", "returning_visitors", "contributors", "partners", "conversion_visitor_contributor",
          "conversion_contributor_partner")
BUDGET = ("revenue", "costs", "subsidy", "net_result", "public_cost", "cost_per_visit", "cost_per_contributor")


def context(folder: Path, focus: list[str] | None = None) -> dict:
    """What templates/report/comparison.html shows, read from the folder; `focus` (outcomes) leads the headline."""
    from sim import figures
    from sim.analysis import story
    from sim.analysis.summary import METHOD
    from sim.batch.experiment import point_seeds, replication_seeds

    meta = read_json(folder / "comparison.json")
    need(meta, folder / "comparison.json", "scenarios", "reps", "years", "root_seed")
    manifest = read_json(folder / "batch" / "manifest.json")
    table = read_csv(folder / "comparison.csv", ("metric", "scenario", "mean", "ci_low", "ci_high", "diff",
                                                 "significant"))
    for col in ("diff_low", "diff_high", "sd"):
        if col not in table.columns:
            table[col] = float("nan")
    names = list(meta["scenarios"])
    refs = list(meta.get("refs") or names)
    present = list(dict.fromkeys(table["metric"]))
    focus = [m for m in (meta.get("focus") or [] if focus is None else focus) if m in present]
    identity = manifest.get("identity") or {}
    by_name = {(identity.get(ref) or {}).get("name", name): identity.get(ref) or {}
               for ref, name in zip(refs, names, strict=False)}
    runs = _runs_of(folder)
    warmup = _warmups(runs, names)
    asked, how = _question(meta)
    diff = story.settings_diff(identity, refs)
    found = story.headline(table, focus=focus, identity=by_name)
    shown = focus or list(dict.fromkeys(f["metric"] for f in found if f["kind"] == "largest"))[:4]
    by = {m: table[table["metric"] == m].set_index("scenario") for m in present}
    drawn = meta.get("posterior") or None
    info = {"scenarios": ", ".join(names), "files or presets": ", ".join(refs), "replications": meta["reps"],
            "measured years": meta["years"], "root seed": meta["root_seed"],
            "seeds (first 5)": replication_seeds(meta["root_seed"], min(5, meta["reps"])),
            "labsim": manifest.get("labsim_version"), "Mesa": manifest.get("mesa_version"),
            "Python": manifest.get("python_version")}
    if drawn:
        info |= {"replications": f"{drawn['draws']} posterior draws x {counted(drawn['seeds'], 'seed')}",
                 "posterior": f"{drawn['folder']} ({', '.join(drawn['settings'])})",
                 "seeds (first 5)": point_seeds(meta["root_seed"], 1, min(5, drawn["seeds"]))[0]}
    rings = [folder / f"rings_{slug(n)}.png" for n in names]
    return {
        "inert": [str(line) for line in meta.get("inert") or []],  # levers that cannot move the lab (sim.config.inert)
        "asked": asked, "changes": _changes(diff, names), "from_when": _from_when(meta, warmup), "base": names[0],
        "reps": meta["reps"], "years": counted(meta["years"], "measured year"), "answered": _answered(meta),
        "found": [f["sentence"] for f in found], "focus": bool(focus),
        "focus_figure": figure_png(figures.focus_figure(table, shown)) if shown else "",
        "transient_names": ", ".join(n for n in names if warmup.get(n) == 0), "transient": TRANSIENT,
        "funnel": cells(by, names, [m for m in FUNNEL if m in by]),
        "budget": cells(by, names, [m for m in BUDGET if m in by]), "rules": _rules(by_name, names),
        "funnels": png(folder / "funnels.png"), "network_reading": story.network_reading(table),
        "network": png(folder / "network_metrics.png"), "rings": [(png(p), p.stem) for p in rings if p.exists()],
        "warmup": _warmup_words(warmup), "timeseries": png(folder / "timeseries.png"),
        "outcome_count": len(present), "groups": _groups(by, names, present), "diff": diff, "info": info,
        "how": how, "method": METHOD, "glossary": outcomes.glossary(present),
        "posterior": posterior_context(folder, drawn) if drawn else None,
        "pairs": f"{drawn['draws']} posterior draws x {counted(drawn['seeds'], 'seed')}" if drawn else "",
    }


def posterior_context(folder: Path, drawn: dict) -> dict:
    """The answer of compare --posterior (posterior_effects.csv): the headline sentences and one row per outcome and policy."""
    from sim.analysis.posterior import chance_text, effect_text, headline

    table = read_csv(folder / "posterior_effects.csv", ("scenario", "metric", "base", "p_higher", "verdict"))
    rows = [{"label": outcomes.label(r["metric"]), "title": outcomes.get(r["metric"]).definition,
             "base": f"{outcomes.fmt(r['metric'], r['base_median'])} "
                     f"{outcomes.fmt_interval(r['metric'], r['base_low'], r['base_high'])}",
             "policy": r["scenario"], "effect": effect_text(r), "chance": chance_text(r), "verdict": r["verdict"]}
            for _, r in table.iterrows()]
    low, high = drawn.get("undecided", [0.2, 0.8])
    return {"found": headline(table), "rows": rows, "base": table["base"].iloc[0] if len(table) else "",
            "folder": drawn["folder"], "draws": drawn["draws"], "seeds": drawn["seeds"],
            "settings": ", ".join(drawn["settings"]), "low": f"{low:g}", "high": f"{high:g}",
            "level": f"{drawn.get('level', 0.9):.0%}"}


def cells(by: dict, names: list[str], metrics: list[str]) -> dict:
    """Outcome rows, scenario columns: mean [CI], and for the others the paired difference first (macros.cells_table)."""
    rows = []
    for m in metrics:
        row = []
        for i, n in enumerate(names):
            r = by[m].loc[n]
            row.append({"value": f"{outcomes.fmt(m, r['mean'])} {outcomes.fmt_interval(m, r['ci_low'], r['ci_high'])}",
                        "diff": outcomes.fmt(m, r["diff"], sign=True) if i else None,
                        "significant": bool(r["significant"]) if i else False})
        rows.append({"title": outcomes.get(m).definition, "label": outcomes.label(m), "cells": row})
    return {"names": names, "rows": rows}


def _groups(by: dict, names: list[str], present: list[str]) -> list[dict]:
    """Every outcome, grouped as in the registry (funnel, activity, budget, network...)."""
    groups = [*outcomes.GROUPS, "other"]
    out = []
    for group in groups:
        metrics = [m for m in present if (outcomes.get(m).group if outcomes.get(m).group in groups else "other")
                   == group]
        if metrics:
            out.append({"name": group.capitalize(), "table": cells(by, names, metrics)})
    return out



def _changes(diff: pd.DataFrame, names: list[str]) -> str:
    """The settings that differ from the first scenario, in words: 'cut_and_fee: mediators 10 -> 6, ...'."""
    most = 6 if len(names) == 2 else 2  # the first screen stays short; every setting is in the folded table
    if not len(diff):
        return "no setting (the scenarios differ only by name or interventions)."
    said = []
    for name in names[1:]:
        if name not in diff.columns or names[0] not in diff.columns:
            continue
        rows = diff[diff[name] != diff[names[0]]]
        items = [f"{r['setting']} {r[names[0]]} -> {r[name]}" + (f" {r['unit']}" if r["unit"] not in ("", "-") else "")
                 for _, r in rows.head(most).iterrows()]
        more = f" and {len(rows) - most} more" if len(rows) > most else ""
        said.append(f"{name}: " + (", ".join(items) + more if items else "the same settings"))
    return "; ".join(said) + f" (against {names[0]}; every setting: Settings that differ, below)."


def _from_when(meta: dict, warmup: dict[str, float]) -> str:
    """When the policy starts: from a saved mature lab (--from, --fork), or from an empty lab through its warm-up."""
    saved = meta.get("from")
    if saved:
        return (f"from year {saved['warmup_years'] + 1:g} of the mature lab {saved['scenario']} (saved after "
                f"{counted(saved['warmup_years'], 'year')} of warm-up): every scenario forks the same lab, so the policy "
                "applies from now on.")
    return ("from an empty lab: each scenario built with its settings from its initial population, through its "
            f"warm-up ({_warmup_words(warmup)}), then measured: a lab that always had these settings.")


def _rules(by_name: dict, names: list[str]) -> str:
    """Each lab's subsidy rule in a sentence (for the budget table)."""
    from sim import outcomes

    said = []
    for n in names:
        s = (by_name.get(n) or {}).get("settings") or {}
        if not s:
            continue
        money = outcomes.fmt_value("money", float(s.get("subsidy_per_year") or 0.0))
        rule = s.get("subsidy_rule") or "fixed"
        said.append(f"{n}: {'deficit covered up to ' + money if rule == 'deficit' else 'a fixed grant of ' + money}"
                    " a year")
    return ("Subsidy rule: " + "; ".join(said) + ". Public cost is what the funder pays.") if said else ""


def _answered(meta: dict) -> str:
    """Which of the two questions a comparison answered, in a few words (the headline's)."""
    saved = meta.get("from")
    if saved:
        return f"policy applied from year {saved['warmup_years'] + 1:g} of a mature lab"
    return "lab built with these settings from the start"


def _question(meta: dict) -> tuple[str, str]:
    """The comparison's question (comparison.json's, or said from its fields) and how its runs answer it."""
    saved = meta.get("from")
    if saved:
        how = (f"Each policy was forked from the same saved lab of each replication ({saved['scenario']} after "
               f"{counted(saved['warmup_years'], 'year')} of warm-up, labsim warmup, settings {saved['settings_hash']}): "
               "same people, ties, stocks and random stream up to the fork; the policy's settings apply from then "
               "on (common history, common random numbers).")
        asked = meta.get("question") or f"What changes if a policy applies from now on ({_answered(meta)})?"
    else:
        how = ("Each lab was built with its settings from the start: run from its initial population through its "
               "own warm-up, replication r of every scenario from the same seed.")
        asked = meta.get("question") or "How do labs built with these settings from the start differ?"
    return asked, how


def _runs_of(folder: Path) -> pd.DataFrame:
    from sim.batch.store import Store

    try:
        return Store(folder / "batch").runs()
    except LabsimError:
        return pd.DataFrame()


def _warmups(runs: pd.DataFrame, names: list[str]) -> dict[str, float]:
    """Each scenario's warm-up in years, from its runs."""
    if runs.empty or "warmup_years" not in runs.columns:
        return {}
    w = runs.groupby("scenario")["warmup_years"].first()
    return {n: float(w[n]) for n in names if n in w.index}


def _warmup_words(warmup: dict[str, float]) -> str:
    if not warmup:
        return "warm-up unknown"
    return ", ".join(f"{n}: {w:g} year{'s' if w != 1 else ''}" if w else f"{n}: none" for n, w in warmup.items())

