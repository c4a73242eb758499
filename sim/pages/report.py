"""One self-contained HTML page for a run, a batch, a comparison or a map.

Figures are embedded (base64), so the file opens anywhere, with no network.
A comparison's page is written for a strategist: first the headline (the
largest significant differences, in words, with intervals and units), then the
settings that differ, the budget beside the funnel, the network, the measured
period over time, every outcome, the method, and a glossary generated from
`sim.outcomes`. Sentences about the numbers are computed from them
(`sim.analysis.story`), so the text cannot contradict the tables.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

import pandas as pd

from sim.errors import LabsimError
from sim.io import need, read_csv, read_json, slug

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;
color:#222;line-height:1.45} h1{font-size:1.6em} h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.6em}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0} td,th{border:1px solid #ddd;padding:.25em .5em;
text-align:right} th{background:#f4f4f4} td:first-child,th:first-child{text-align:left} img{max-width:100%;
border:1px solid #eee;margin:.4em 0} .sig{font-weight:bold;color:#b30000} .meta{color:#555;font-size:.9em}
.guide{background:#f7f9fc;border-left:4px solid #4a7bd0;padding:.5em 1em}
.head{background:#fffbea;border-left:4px solid #d9a400;padding:.5em 1em} .head li{margin:.3em 0}
.side{display:flex;flex-wrap:wrap;gap:1.2em;align-items:flex-start} .warn{color:#8a4b00}
dl.gloss dt{font-weight:bold;margin-top:.4em} dl.gloss dd{margin-left:1.5em}
h1{margin:.2em 0 .1em} .nav{margin:0 0 .5em;font-size:.9em} .question{background:#f7f9fc;border-left:4px solid #4a7bd0;
padding:.3em 1em;font-size:.95em} .question ul{margin:.2em 0;padding-left:1.2em} .question p{margin:.3em 0}
#headline{margin-top:.6em} .head .words{flex:1 1 420px} .head .fig{flex:0 0 auto} .head .fig img{max-width:500px;border:0}
.head ol{padding-left:1.3em;margin:.3em 0} .pics{display:flex;gap:1em} .pics>div{flex:1 1 0} details{margin:.8em 0}
summary{font-size:1.2em;font-weight:bold;cursor:pointer;border-bottom:1px solid #ddd;padding:.2em 0}
"""

GUIDE = {
    "run": """<p><b>The funnel</b> counts distinct people on each rung of the ladder over the run: visitors
(came at least once), returning visitors, contributors (regulars) and partners (the core). The bars use a
log scale: each rung is usually ten times smaller than the one before.</p>
<p><b>The network</b> links people who worked, learnt or were introduced together. An open lab looks like a
<i>swarm</i>: many loosely tied people, with staff (green) as the bridges; a closed lab like an <i>island</i>:
few people, densely tied around the staff.</p><p>One run is one possible year: compare settings with
<code>labsim compare</code>, which repeats runs and gives confidence intervals.</p>""",
    "comparison": """<p>Every scenario ran the same replications with the same random seeds, so differences are
measured pair by pair. Each cell gives the <b>mean [95% interval]</b>; for the second and later scenarios the first
line is the <b>difference to the first scenario</b>, marked <span class="sig">*</span> when its 95% interval
excludes zero (a difference unlikely to be noise). A difference without a star may still be real, but these
replications cannot tell; more replications (<code>--reps</code>) narrow the intervals. Shares are in percent and
their differences in percentage points (pp); money is in euros over the measured period. The sentences about the
network above are computed from this comparison's own numbers.</p>""",
    "map": """<p>Each square is a governance setting between the case study's four corners (public or market,
open or closed); its colour is the mean outcome over replications. Triangles mark the presets. Read across a
row to see what moving from public mission to market does at a given openness, up a column for closing an open
lab.</p>""",
    "sensitivity": """<p>Each parameter's influence on each output over its bounds: Morris <b>mu*</b> (mean absolute
elementary effect) and <b>sigma</b> (interactions and non-linearity), or Sobol first-order <b>S1</b> and total <b>ST</b>
indices with 95% intervals. The noise table gives the share of the variance between design points that is only
run-to-run noise: noise inflates sigma and ST. An index whose interval is as wide as itself, or a Sobol index below 0
or above 1 beyond its interval, says the design is too small, not that the parameter matters or not: follow the
recommended sample size.</p>""",
    "calibration": """<p>The fitted scenario reproduces each target within the simulated mean's 95% interval, or within
10% of it, when <i>reached</i> is true; the fit is checked on fresh seeds. Run the fitted file with
<code>labsim run calibrated.toml</code>.</p>""",
    "optimization": """<p>A many-objective search (NSGA-II) over the settings named in the search file. Each point
is one setting, run on the same seeds as every other (common random numbers); the <b>Pareto set</b> holds the settings
that no other evaluated setting beats on every objective at once (among those that meet the constraints). Moving along
the front trades one objective for another: there is no best setting, only choices. Intervals are 95% bootstrap
intervals over the replications: two points whose intervals overlap may not really differ. Each Pareto point has a
scenario file in <code>scenarios/</code>: check a few with <code>labsim compare</code> and more replications before
deciding. Triangles mark the presets, the square the base scenario, on the same seeds.</p>""",
    "batch": """<p>One line per design point of the experiment: the mean and 95% confidence interval of the key
outcomes over its replications. Seeds are shared across design points (common random numbers), so points
compare pair by pair.</p>""",
}


LINK = "<p class='nav'><a href='#how-to-read'>How to read this</a></p>"

REPORTED = ("run", "batch", "comparison", "map", "sensitivity", "calibration", "optimization")  # folders report reads


def img(path: Path, alt: str = "") -> str:
    """An <img> with the PNG embedded ('' if the figure is missing, e.g. written with --no-figures).

    Only a regular file that is a PNG is embedded: a symlink (to any file the user can read) or
    anything else in its place is refused, so the page never carries another file's bytes.
    """
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise LabsimError(f"{path}: not a regular file (a link or a special file); labsim embeds only the figures "
                          "it wrote")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return ""
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise LabsimError(f"{path}: not a PNG image; labsim embeds only the figures it wrote")
    data = base64.b64encode(data).decode()
    return f'<img alt="{html.escape(alt or path.stem)}" src="data:image/png;base64,{data}">'


def _fig(fig, alt: str) -> str:
    import io

    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}">'


def _table(df: pd.DataFrame) -> str:
    """A data frame as HTML; numbers with separators, never in scientific notation."""
    from sim.outcomes import number

    return df.to_html(index=False, border=0, float_format=number, na_rep="-", escape=True)


def _outcome_table(values: dict, names: list[str] | None = None) -> str:
    """Outcomes as rows (label and unit from the registry), one column of formatted values per name."""
    from sim import outcomes

    names = names or ["value"]
    head = "<tr><th>outcome (unit)</th>" + "".join(f"<th>{html.escape(n)}</th>" for n in names) + "</tr>"
    rows = "".join(f"<tr><td title='{html.escape(outcomes.get(k).definition)}'>{html.escape(outcomes.label(k))}</td>"
                   + "".join(f"<td>{html.escape(outcomes.fmt(k, v))}</td>" for v in (vals if isinstance(vals, list)
                                                                                     else [vals]))
                   + "</tr>" for k, vals in values.items())
    return f"<table>{head}{rows}</table>"


def _glossary(names) -> str:
    """The registry's label, unit, kind and definition of every outcome shown."""
    from sim import outcomes

    items = "".join(f"<dt>{html.escape(o.label)} <code>{html.escape(o.name)}</code></dt><dd>{html.escape(o.definition)}"
                    f" Unit: {html.escape(o.unit or '-')}; kind: {o.kind}"
                    + (f"; {o.better} is better" if o.better else "") + ".</dd>" for o in outcomes.glossary(names))
    return f"<h2>Glossary</h2><dl class='gloss'>{items}</dl>"


def build(folder: Path, focus: list[str] | None = None) -> Path:
    """Write folder/report.html and return its path; `focus` (outcome names) leads a comparison's or batch's page."""
    from sim.io import claim_folder

    folder = Path(folder)
    kind = claim_folder(folder, REPORTED, "labsim report")  # its kind (sim.io.folder_kind), before anything is read
    builders = {"run": _run, "comparison": _comparison, "map": _map, "batch": _batch, "sensitivity": _sensitivity,
                "calibration": _calibration, "optimization": _optimization}
    if focus and kind not in ("comparison", "batch"):
        raise LabsimError(f"--focus: {folder} holds a {kind}; allowed: a comparison or a batch folder (the outcomes "
                          "their report leads with)")
    try:
        body = builders[kind](folder, focus) if kind in ("comparison", "batch") else builders[kind](folder)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:  # a file with the wrong contents
        raise LabsimError(f"{folder}: damaged {kind} results ({exc.__class__.__name__}: {str(exc)[:80]}); "
                          "run the command again into a new folder") from None
    from sim.version import __version__

    page = (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>labsim {kind}: {html.escape(folder.name)}</title>"
            f"<style>{CSS}</style></head><body><h1>labsim {kind} report: {html.escape(folder.name)}</h1>"
            f"{'' if kind == 'comparison' else LINK}{body}"
            f"<h2 id='how-to-read'>How to read this</h2><div class='guide'>{GUIDE[kind]}</div>"
            f"<p class='meta'>Made by labsim {__version__}. The model is described in docs/ODD.md.</p></body></html>")
    from sim.io import atomic_write

    out = folder / "report.html"
    atomic_write(out, page.encode())
    return out


def _meta(items: dict) -> str:
    rows = "".join(f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>" for k, v in items.items())
    return f"<h2>What was run</h2><table>{rows}</table>"


def _run(folder: Path) -> str:
    s = read_json(folder / "summary.json")
    need(s, folder / "summary.json", "scenario", "seed", "visitors")
    meta = {k: s.get(k) for k in ("scenario", "seed", "years", "labsim_version")}
    parts = [_meta(meta), "<h2>The funnel</h2>"]
    parts += [img(folder / "funnel.png")] if (folder / "funnel.png").exists() else []
    parts.append("<h2>The network</h2>")
    parts += [img(folder / n) for n in ("network.png",) if (folder / n).exists()]
    parts.append("<h2>Over time</h2>")
    parts += [img(folder / "timeseries.png")] if (folder / "timeseries.png").exists() else []
    from sim import outcomes

    values = {k: v for k, v in s.items() if (isinstance(v, int | float) and not isinstance(v, bool)
              and outcomes.get(k).kind != "meta") or k in outcomes.FLOORS}  # a ratio under its floor: n/a (why)
    parts += ["<h2>Key table</h2>", _outcome_table(values)]
    if not s.get("warmup_years"):
        parts.append(f"<p class='warn'>{TRANSIENT}</p>")
    parts.append(_glossary(values))
    return "".join(parts)


TRANSIENT = ("No warm-up: this lab started empty, so its measured period is a transient (regulars and partners are "
             "still accumulating at its end), not the steady state of a lab that has run for years; set "
             "warmup_years to measure a mature lab.")


def _comparison(folder: Path, focus: list[str] | None = None) -> str:
    """The strategist's page: the question and the answer first (one screen), then the results, then the detail."""
    from sim import figures
    from sim.analysis import story
    from sim.analysis.summary import METHOD
    from sim.batch.experiment import replication_seeds

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
    # 1. the first screen: the question, what changed from when against what, the answer and its figure
    parts = ["<p class='nav'><a href='#how-to-read'>How to read this</a> &middot; <a href='#results'>Results</a> "
             "&middot; <a href='#every-outcome'>Every outcome</a> &middot; <a href='#settings'>Settings that differ"
             "</a> &middot; <a href='#method'>Method</a></p>",
             "<div class='question'>", f"<p><b>The question:</b> {html.escape(asked)}</p><ul>",
             f"<li><b>What changed:</b> {html.escape(_changes(diff, names))}</li>",
             f"<li><b>From when:</b> {html.escape(_from_when(meta, warmup))}</li>",
             f"<li><b>Against:</b> {html.escape(names[0])}, on the same {meta['reps']} paired replications "
             f"(common random numbers), {meta['years']:g} measured year(s).</li></ul></div>"]
    found = story.headline(table, focus=focus, identity=by_name)
    parts.append(f"<h2 id='headline'>Headline ({html.escape(_answered(meta))})</h2><div class='head'><div class='side'>"
                 "<div class='words'>")
    if found:
        parts.append("<ol>" + "".join(f"<li>{html.escape(f['sentence'])}</li>" for f in found) + "</ol>")
    else:
        parts.append(f"<p>No difference to {html.escape(names[0])} is significant at 95% with {meta['reps']} "
                     "replications.</p>")
    said = "The outcomes asked about (--focus) first, then the" if focus else "The"
    parts.append(f"<p class='meta'>{said} largest differences by standardised effect (the difference over the "
                 "pooled standard deviation of the replications) whose paired 95% interval excludes zero; mean "
                 "[95% interval]; (better)/(worse) follow the outcome's direction in the glossary.</p></div>")
    shown = focus or list(dict.fromkeys(f["metric"] for f in found if f["kind"] == "largest"))[:4]
    if shown:
        parts.append("<div class='fig'>" + _fig(figures.focus_figure(table, shown), "paired differences") + "</div>")
    parts.append("</div></div>")
    zero = [n for n in names if warmup.get(n) == 0]
    if zero:
        parts.append(f"<p class='warn'>{html.escape(', '.join(zero))}: {TRANSIENT}</p>")
    # 2. the results: funnel and budget, the network, over time
    by = {m: table[table["metric"] == m].set_index("scenario") for m in present}
    funnel = [m for m in ("visitors", "returning_visitors", "contributors", "partners",
                          "conversion_visitor_contributor", "conversion_contributor_partner") if m in by]
    budget = [m for m in ("revenue", "costs", "subsidy", "net_result", "public_cost", "cost_per_visit",
                          "cost_per_contributor") if m in by]
    parts.append("<h2 id='results'>Funnel and budget</h2><div class='side'><div><h3>Funnel</h3>"
                 + _cells_table(by, names, funnel) + "</div><div><h3>Budget (EUR over the measured period)</h3>"
                 + _cells_table(by, names, budget) + f"<p class='meta'>{html.escape(_rules(by_name, names))} "
                 "Every line of the budget: Every outcome, below.</p></div></div>")
    parts.append(img(folder / "funnels.png", "funnels"))
    parts.append("<h2>The network</h2>")
    parts.append("<ul>" + "".join(f"<li>{html.escape(t)}</li>" for t in story.network_reading(table)) + "</ul>")
    parts.append(img(folder / "network_metrics.png", "network metrics"))
    rings = [(n, folder / f"rings_{slug(n)}.png") for n in names]
    parts.append("<div class='pics'>" + "".join(f"<div>{img(p)}</div>" for _, p in rings if p.exists()) + "</div>")
    parts.append("<p class='meta'>The ring pictures show one replication (the first); rings of more than 400 people "
                 "are a random sample, as their legends say.</p>")
    parts += ["<h2>Over time</h2>", f"<p>Day 0 is the end of the warm-up ({html.escape(_warmup_words(warmup))}); "
              "the warm-up is simulated to reach a mature lab but neither measured nor drawn.</p>",
              img(folder / "timeseries.png", "time series")]
    # 3. the detail, folded: every outcome, the settings, the method, the glossary
    parts += [f"<details id='every-outcome'><summary>Every outcome ({len(present)})</summary>",
              _comparison_html(table), "</details>"]
    parts.append(f"<details id='settings'><summary>Settings that differ ({len(diff)})</summary>")
    parts.append(_table(diff) if len(diff) else "<p>The scenarios have the same settings (they differ only by name "
                 "or interventions).</p>")
    parts.append("</details>")
    info = {"scenarios": ", ".join(names), "files or presets": ", ".join(refs), "replications": meta["reps"],
            "measured years": meta["years"], "root seed": meta["root_seed"],
            "seeds (first 5)": replication_seeds(meta["root_seed"], min(5, meta["reps"])),
            "labsim": manifest.get("labsim_version"), "Mesa": manifest.get("mesa_version"),
            "Python": manifest.get("python_version")}
    parts += ["<details id='method'><summary>Method and what was run</summary>",
              _meta(info).replace("<h2>What was run</h2>", ""), f"<p>{html.escape(how)}</p>",
              f"<p>{html.escape(METHOD)}</p></details>",
              "<details><summary>Glossary</summary>", _glossary(present).replace("<h2>Glossary</h2>", ""),
              "</details>"]
    return "".join(parts)


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
                f"{saved['warmup_years']:g} years of warm-up): every scenario forks the same lab, so the policy "
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
               f"{saved['warmup_years']:g} years of warm-up, labsim warmup, settings {saved['settings_hash']}): "
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


def _cells_table(by: dict, names: list[str], metrics: list[str]) -> str:
    """Outcome rows, scenario columns: mean [CI], and for the others the paired difference first."""
    from sim import outcomes

    if not metrics:
        return "<p class='meta'>(none in these results)</p>"
    head = "<tr><th>outcome (unit)</th>" + "".join(f"<th>{html.escape(n)}</th>" for n in names) + "</tr>"
    rows = []
    for m in metrics:
        cells = []
        for i, n in enumerate(names):
            r = by[m].loc[n]
            cell = f"{outcomes.fmt(m, r['mean'])} {outcomes.fmt_interval(m, r['ci_low'], r['ci_high'])}"
            cell = html.escape(cell)
            if i:
                mark = "<span class='sig'>*</span>" if bool(r["significant"]) else ""
                cell = f"<b>{html.escape(outcomes.fmt(m, r['diff'], sign=True))}</b>{mark}<br>{cell}"
            cells.append(f"<td>{cell}</td>")
        title = html.escape(outcomes.get(m).definition)
        rows.append(f"<tr><td title='{title}'>{html.escape(outcomes.label(m))}</td>{''.join(cells)}</tr>")
    return f"<table>{head}{''.join(rows)}</table>"


def _comparison_html(table: pd.DataFrame) -> str:
    """Every outcome, grouped as in the registry (funnel, activity, budget, network...)."""
    from sim import outcomes

    names = list(dict.fromkeys(table["scenario"]))
    present = list(dict.fromkeys(table["metric"]))
    by = {m: table[table["metric"] == m].set_index("scenario") for m in present}
    parts = []
    groups = [*outcomes.GROUPS, "other"]
    for group in groups:
        metrics = [m for m in present if (outcomes.get(m).group if outcomes.get(m).group in groups else "other")
                   == group]
        if metrics:
            parts += [f"<h3>{html.escape(group.capitalize())}</h3>", _cells_table(by, names, metrics)]
    return "".join(parts)


def _map(folder: Path) -> str:
    meta = read_json(folder / "map.json")
    need(meta, folder / "map.json", "resolution", "reps", "years", "root_seed", "corners")
    grid = read_csv(folder / "map.csv", ("public_market", "open_closed"))
    info = {"resolution": f"{meta['resolution']} x {meta['resolution']}", "replications": meta["reps"],
            "years": meta["years"], "root seed": meta["root_seed"],
            "corners": "; ".join(f"({k}) {Path(v).stem}" for k, v in meta["corners"].items())}
    from sim import outcomes

    parts = [_meta(info), "<h2>The map</h2>", img(folder / "map.png")]
    own = meta.get("preset_results") or {}
    if own:
        names = list(own)
        keys = list(dict.fromkeys(k for v in own.values() for k in v))
        parts += ["<h2>The presets' own results</h2><p>Each preset run with its own settings (same replications and "
                  "seeds); a cell of the map blends the four corners and can differ much from the preset drawn on it."
                  "</p>", _outcome_table({k: [own[n].get(k) for n in names] for k in keys}, names)]
    shown = grid.copy()
    shown.columns = [c if c in ("point", "public_market", "open_closed") else outcomes.label(c) for c in grid.columns]
    for c, key in zip(shown.columns, grid.columns, strict=True):
        if key not in ("point", "public_market", "open_closed"):
            shown[c] = [outcomes.fmt(key, v) for v in grid[key]]
    parts += ["<h2>Key table</h2>", _table(shown), _glossary(list(grid.columns))]
    return "".join(parts)


def _batch(folder: Path, focus: list[str] | None = None) -> str:
    from sim import outcomes
    from sim.analysis.summary import METHOD, summarize

    manifest = read_json(folder / "manifest.json")
    info = {k: manifest.get(k) for k in ("name", "experiment_hash", "runs_total", "runs_done", "runs_failed",
                                          "labsim_version", "mesa_version", "python_version", "created", "started",
                                          "ended")}
    info["root seed"] = manifest.get("experiment", {}).get("root_seed")
    summary = summarize(folder)
    focus = manifest.get("experiment", {}).get("focus") or [] if focus is None else focus  # the file's, or --focus
    keys = [m for m in dict.fromkeys([*focus, "visitors", "contributors", "partners", "works_produced", "revenue",
                                      "density"]) if m in set(summary["metric"])]
    ids = [c for c in summary.columns if c not in ("metric", "n", "mean", "sd", "ci_low", "ci_high")]
    labels = _point_labels(summary, ids)
    rows = []
    for point, label in labels.items():
        sub = summary[summary["point"] == point].set_index("metric")
        row = {"design point": label, "replications": int(sub["n"].iloc[0]) if len(sub) else 0}
        for m in keys:
            r = sub.loc[m]
            row[outcomes.label(m)] = f"{outcomes.fmt(m, r['mean'])} {outcomes.fmt_interval(m, r['ci_low'], r['ci_high'])}"
        rows.append(row)
    from sim import figures

    funnel = summary[summary["metric"].isin(figures.FUNNEL_STEPS)].copy()
    funnel["scenario"] = funnel["point"].map(labels)
    figure = _fig(figures.funnel_ci_figure(funnel), "funnels per design point") if funnel["point"].nunique() <= 12 else ""
    return "".join([_meta(info), "<h2>The funnel</h2>", figure, "<h2>Key table</h2>", _table(pd.DataFrame(rows)),
                    f"<p class='meta'>{html.escape(METHOD)}</p>", _glossary(keys)])


def _point_labels(summary: pd.DataFrame, ids: list[str]) -> dict:
    """Each design point named by its settings ('mediators=2, access=open'), not by its number."""
    settings = [c for c in ids if c not in ("scenario", "point")]
    several = summary["scenario"].nunique() > 1 if "scenario" in summary.columns else False
    labels = {}
    for point, sub in summary.groupby("point", sort=True):
        first = sub.iloc[0]
        parts = ([str(first["scenario"])] if several or not settings else [])
        parts += [f"{c}={_setting_value(first[c])}" for c in settings if c in first.index]
        labels[point] = ", ".join(parts) or f"point {point}"
    return labels


def _setting_value(v) -> str:
    from sim.outcomes import number

    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return number(v) if isinstance(v, int | float) and not isinstance(v, bool) else str(v)


def _sensitivity(folder: Path) -> str:
    meta = read_json(folder / "sensitivity.json")
    need(meta, folder / "sensitivity.json", "method", "scenario", "n", "points", "replications", "root_seed")
    indices = read_csv(folder / "sensitivity.csv", ("output", "parameter", "rank"))
    noise = read_csv(folder / "noise.csv", ("output", "noise_share"))
    from sim.analysis.sensitivity import NOISE_LIMIT, TARGET_RATIO, warnings_of

    warned = warnings_of(noise, meta["method"])
    said = ("<div class='head'><p><b>These indices cannot be trusted yet.</b></p><ul>"
            + "".join(f"<li>{html.escape(w)}</li>" for w in warned) + "</ul></div>") if warned else \
        "<p>Every output's indices pass the convergence checks below.</p>"
    return "".join([_meta(meta), "<h2>Can these indices be trusted?</h2>", said,
                    f"<p class='meta'>Checked per output: the widest 95% interval of an influential parameter at most "
                    f"{TARGET_RATIO:.0%} of its index, no Sobol index outside [0, 1] beyond its interval, run-to-run "
                    f"noise at most {NOISE_LIMIT:.0%} of the variance between design points.</p>",
                    "<h2>Indices</h2>", img(folder / "sensitivity.png"), _table(indices),
                    "<h2>Run-to-run noise and convergence</h2>", _table(noise)])


def _calibration(folder: Path) -> str:
    fit = read_csv(folder / "fit.csv", ("target", "value", "simulated_mean", "reached"))
    try:
        text = (folder / "calibrated.toml").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LabsimError(f"{folder / 'calibrated.toml'}: unreadable ({exc.__class__.__name__})") from None
    return "".join([_meta({"fitted scenario": folder / "calibrated.toml"}), "<h2>Fit</h2>", _table(fit),
                    "<h2>The fitted scenario file</h2>", f"<pre>{html.escape(text)}</pre>"])


def _optimization(folder: Path) -> str:
    meta = read_json(folder / "optimize.json")
    need(meta, folder / "optimize.json", "search", "scenario", "objectives", "evaluations", "pareto_points")
    front = read_csv(folder / "pareto.csv", ("trial",))
    files = "".join(f"<li><code>scenarios/{html.escape(str(n))}</code></li>" for n in meta.get("scenario_files", []))
    shown = {k: (", ".join(v) if isinstance(v, list) and k != "scenario_files" else v)
             for k, v in meta.items() if k != "scenario_files"}
    return "".join([_meta(shown), "<h2>The front</h2>", img(folder / "front.png"),
                    f"<h2>The Pareto set ({len(front)} points)</h2>", _table(front),
                    "<h2>Scenario files, one per Pareto point</h2>", f"<ul>{files}</ul>"])
