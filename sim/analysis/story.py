"""What a comparison says, in words: the headline, the settings that differ, and a reading of the network.

Every sentence is written from the numbers of comparison.csv, never from a
fixed text, so the report cannot claim what its own tables contradict. A
difference is named in the headline only when its paired 95% interval
excludes zero.
"""

from __future__ import annotations

import math

import pandas as pd

from sim import outcomes

HEADLINE_NETWORK = ("density", "giant_component_share", "mediator_betweenness_share", "modularity", "avg_clustering")
NOT_HEADLINE = ("mediators", "workshops_held", "events_held")  # the programme the settings fix, not a result


def candidates(metrics) -> list[str]:
    """Outcomes a strategist reads first: those with a better direction, the budget and the network's shape."""
    out = []
    for m in metrics:
        o = outcomes.get(m)
        if m in NOT_HEADLINE or o.kind in ("meta", "text"):
            continue
        if o.better is not None or o.group == "budget" or m in HEADLINE_NETWORK:
            out.append(m)
    return out


def _size(base: float, other: float, diff: float, kind: str) -> float:
    """How large a difference is, on a common scale: relative to the larger mean (shares: in points of 100%)."""
    if kind == "share":
        return abs(diff)
    scale = max(abs(base), abs(other))
    return abs(diff) / scale if scale > 0 else 0.0


GROUP_ORDER = ("funnel", "budget", "network", "output", "market", "activity", "careers", "inequality", "arrivals")
GROUP_CAP = {"funnel": 3}  # at most this many headline lines from one group (2 unless said): a varied headline
_ORDER = {name: i for i, name in enumerate(outcomes.REGISTRY)}


def _rank(size: float, metric: str) -> tuple:
    """Larger first (to one decimal, so 98% and 100% tie), then the funnel and budget first, then registry order."""
    group = outcomes.get(metric).group
    where = GROUP_ORDER.index(group) if group in GROUP_ORDER else len(GROUP_ORDER)
    return (-round(size, 1), where, _ORDER.get(metric, len(_ORDER)), metric)


def headline(table: pd.DataFrame, per_scenario: int = 5) -> list[dict]:
    """The largest significant differences of each scenario to the first: metric, size and a sentence.

    Size is relative to the larger of the two means (shares: in points), so
    that visitors and revenue compare; at most a few lines per group keep the
    headline varied (not five funnel counts).
    """
    names = list(dict.fromkeys(table["scenario"]))
    base_name = names[0]
    base = table[table["scenario"] == base_name].set_index("metric")
    found = []
    for name in names[1:]:
        rows = table[(table["scenario"] == name) & table["significant"].astype(bool)].set_index("metric")
        scored = []
        for m in candidates(rows.index):
            r, b = rows.loc[m], base.loc[m]
            lo, hi = float(r["diff_low"]), float(r["diff_high"])
            if not (lo > 0 or hi < 0):  # significant means the paired interval excludes 0; say nothing otherwise
                continue
            o = outcomes.get(m)
            scored.append((_size(float(b["mean"]), float(r["mean"]), float(r["diff"]), o.kind), m))
        scored.sort(key=lambda t: _rank(*t))
        per_group: dict[str, int] = {}
        for size, m in scored:
            group = outcomes.get(m).group
            if per_group.get(group, 0) >= GROUP_CAP.get(group, 2) or size == 0:
                continue
            per_group[group] = per_group.get(group, 0) + 1
            found.append({"scenario": name, "base": base_name, "metric": m, "size": size,
                          "sentence": sentence(m, name, base_name, rows.loc[m], base.loc[m])})
            if sum(per_group.values()) >= per_scenario:
                break
    return found


def sentence(metric: str, name: str, base_name: str, r, b) -> str:
    """One headline sentence: how much, which way, both means, the difference and its paired 95% interval."""
    o = outcomes.get(metric)
    diff = float(r["diff"])
    more = diff > 0
    if o.kind == "count" or o.unit in ("people", "EUR"):
        word = "more" if more else "fewer" if o.kind == "count" else "less"
    else:
        word = "higher" if more else "lower"
    amount = o.format(abs(diff)) if o.kind != "share" else f"{outcomes.number(100 * abs(diff))} percentage points"
    unit = f" ({o.unit})" if o.unit and o.kind not in ("money", "share") else ""
    judged = ""
    if o.better:
        judged = " (better)" if (more == (o.better == "higher")) else " (worse)"
    rel = ""
    if o.kind not in ("share",) and float(b["mean"]) != 0:
        rel = f", {outcomes.number(100 * diff / abs(float(b['mean'])), sign=True)}%"
    interval = outcomes.fmt_interval(metric, r["diff_low"], r["diff_high"], sign=True)
    return (f"{name}: {amount} {word} {o.label.lower()}{unit} than {base_name}{judged}: "
            f"{o.format(r['mean'])} against {o.format(b['mean'])} (difference {o.format(diff, sign=True)}{rel}; "
            f"95% CI {interval})")


def settings_diff(identity: dict, refs: list[str]) -> pd.DataFrame:
    """The scenario keys whose values differ between the compared scenarios, one column per scenario."""
    from sim.schema import PARAMS

    resolved = [identity.get(ref) or {} for ref in refs]
    names = [r.get("name", ref) for r, ref in zip(resolved, refs, strict=True)]
    rows = []
    for p in PARAMS:
        values = [r.get("settings", {}).get(p.name) for r in resolved]
        if len({repr(v) for v in values}) > 1:
            rows.append({"setting": p.name, "unit": p.unit, "meaning": p.doc,
                         **{n: _setting(v) for n, v in zip(names, values, strict=True)}})
    counts = [len(r.get("interventions") or []) for r in resolved]
    if len(set(counts)) > 1:
        rows.append({"setting": "interventions", "unit": "", "meaning": "Timed changes of governance during the run.",
                     **{n: str(c) for n, c in zip(names, counts, strict=True)}})
    return pd.DataFrame(rows)


def _setting(v) -> str:
    if isinstance(v, bool) or v is None:
        return str(v).lower() if v is not None else "-"
    if isinstance(v, int | float):
        return outcomes.number(v)
    return str(v)


def network_reading(table: pd.DataFrame) -> list[str]:
    """Sentences about the networks' shapes, each computed from the means of the table."""
    names = list(dict.fromkeys(table["scenario"]))
    mean = table.pivot_table(index="metric", columns="scenario", values="mean").reindex(columns=names)
    lines = []
    if "mediator_betweenness_share" in mean.index:
        s = mean.loc["mediator_betweenness_share"].dropna()
        if len(s) >= 2:
            hi, lo = s.idxmax(), s.idxmin()
            lines.append(
                f"The staff carry {outcomes.fmt('mediator_betweenness_share', s[hi])} of the brokerage in {hi} "
                f"against {outcomes.fmt('mediator_betweenness_share', s[lo])} in {lo}: the higher the share, the more "
                "the staff are the only bridges between people (an island held together by its staff); the lower, "
                "the more other people introduce and connect each other (a swarm).")
    if "density" in mean.index:
        d = mean.loc["density"].dropna()
        if len(d) >= 2 and d.min() > 0:
            hi, lo = d.idxmax(), d.idxmin()
            lines.append(f"{hi} is the densest network ({outcomes.fmt('density', d[hi])} of possible ties, "
                         f"{outcomes.number(d[hi] / d[lo])} times {lo}'s {outcomes.fmt('density', d[lo])}): "
                         "a small group where most know each other, against a wide, loosely tied one.")
    if "nodes" in mean.index:
        n = mean.loc["nodes"].dropna()
        if len(n) >= 2:
            lines.append("People in the network: " + ", ".join(f"{k} {outcomes.fmt('nodes', v)}" for k, v in n.items())
                         + ".")
    if "modularity" in mean.index:
        q = mean.loc["modularity"].dropna()
        if len(q) >= 2:
            hi = q.idxmax()
            lines.append(f"{hi} splits most clearly into separate groups (modularity {outcomes.fmt('modularity', q[hi])});"
                         " a low modularity means one connected group, or a star around the staff.")
    return lines


def finite(x) -> bool:
    """A number that can be shown."""
    return isinstance(x, int | float) and math.isfinite(x)
