"""What a comparison says, in words: the headline, the settings that differ, and a reading of the network.

Every sentence is written from the numbers of comparison.csv, never from a
fixed text, so the report cannot claim what its own tables contradict. A
difference is named in the headline only when its paired 95% interval
excludes zero; the network's reading compares two labs only when they differ
significantly (the paired interval against the first scenario, or the two
means' 95% intervals apart otherwise). "Better" and "worse" are said only of the
outcomes asked about (`--focus`, or the experiment file's `focus`): fewer
visitors is worse for a public lab and may be the aim of a private one, so an
outcome's usual direction (the glossary's) is not a verdict unless the user
takes it as theirs.
"""

from __future__ import annotations

import math

import pandas as pd

from sim import outcomes

HEADLINE_NETWORK = ("density", "giant_component_share", "mediator_betweenness_share", "modularity", "avg_clustering")
NOT_HEADLINE = ("mediators", "workshops_held", "events_held")  # the programme the settings fix, not a result


def candidates(metrics) -> list[str]:
    """Outcomes a strategist reads first: those with a better direction (the budget's totals) and the network's shape."""
    out = []
    for m in metrics:
        o = outcomes.get(m)
        if m in NOT_HEADLINE or o.kind in ("meta", "text"):
            continue
        if o.better is not None or m in HEADLINE_NETWORK:
            out.append(m)
    return out


def _size(base: float, other: float, diff: float, kind: str) -> float:
    """How large a difference is, on a common scale: relative to the larger mean (shares: in points of 100%)."""
    if kind == "share":
        return abs(diff)
    scale = max(abs(base), abs(other))
    return abs(diff) / scale if scale > 0 else 0.0


def effect(diff: float, sd_base: float, sd_other: float, mean_base: float = 0.0, mean_other: float = 0.0,
           kind: str = "count") -> float:
    """The standardised effect of a difference: |diff| over the pooled sd of the two scenarios' replications.

    Cohen's d, not the paired d_z: common random numbers make paired differences
    far less variable than the outcome itself, which would inflate every effect.
    The sd has a floor, so that an outcome constant over a few replications (one
    work rented in each) does not read as an infinite effect: a count's Poisson
    noise (the square root of its mean), 1% of the larger mean otherwise.
    """
    if not (finite(sd_base) and finite(sd_other)):
        return float("nan")
    pooled = math.sqrt((sd_base**2 + sd_other**2) / 2)
    a, b = abs(mean_base) if finite(mean_base) else 0.0, abs(mean_other) if finite(mean_other) else 0.0
    floor = math.sqrt((a + b) / 2) if kind == "count" else 0.01 * max(a, b)
    pooled = max(pooled, floor)
    return abs(diff) / pooled if pooled > 0 else 0.0


GROUP_ORDER = ("funnel", "budget", "network", "output", "market", "activity", "careers", "inequality", "arrivals")
GROUP_CAP = {"funnel": 3}  # at most this many headline lines from one group (2 unless said): a varied headline
_ORDER = {name: i for i, name in enumerate(outcomes.REGISTRY)}
HEADLINE_MAX = 5  # sentences, the budget rule's included


def _rank(size: float, metric: str) -> tuple:
    """Larger first (to one decimal, so 98% and 100% tie), then the funnel and budget first, then registry order."""
    group = outcomes.get(metric).group
    where = GROUP_ORDER.index(group) if group in GROUP_ORDER else len(GROUP_ORDER)
    return (-round(size, 1), where, _ORDER.get(metric, len(_ORDER)), metric)


def largest(table: pd.DataFrame, skip=(), limit: int = HEADLINE_MAX) -> list[dict]:
    """The largest significant differences to the first scenario, by standardised effect (`effect`).

    Only differences whose paired 95% interval excludes zero; ties (and tables
    without standard deviations) fall back to the size relative to the larger
    mean; at most a few lines per group keep the headline varied (not five
    funnel counts). `skip` names outcomes already said (the focus).
    """
    names = list(dict.fromkeys(table["scenario"]))
    base_name = names[0]
    base = table[table["scenario"] == base_name].set_index("metric")
    scored = []
    for name in names[1:]:
        rows = table[(table["scenario"] == name) & table["significant"].astype(bool)].set_index("metric")
        for m in candidates(rows.index):
            if m in skip:
                continue
            r, b = rows.loc[m], base.loc[m]
            lo, hi = float(r["diff_low"]), float(r["diff_high"])
            if not (lo > 0 or hi < 0):  # significant means the paired interval excludes 0; say nothing otherwise
                continue
            o = outcomes.get(m)
            size = _size(float(b["mean"]), float(r["mean"]), float(r["diff"]), o.kind)
            d = effect(float(r["diff"]), float(b.get("sd", math.nan)), float(r.get("sd", math.nan)),
                       float(b["mean"]), float(r["mean"]), o.kind)
            scored.append((-d if finite(d) else 0.0, _rank(size, m), name, m, size, d))
    scored.sort(key=lambda t: (t[0], t[1]))
    found, per_group = [], {}
    for _, _, name, m, size, d in scored:
        group = outcomes.get(m).group
        if per_group.get(group, 0) >= GROUP_CAP.get(group, 2) or size == 0:
            continue
        per_group[group] = per_group.get(group, 0) + 1
        r = table[(table["scenario"] == name) & (table["metric"] == m)].iloc[0]
        found.append({"kind": "largest", "scenario": name, "base": base_name, "metric": m, "size": size,
                      "effect": d, "sentence": sentence(m, name, base_name, r, base.loc[m])})
        if len(found) >= limit:
            break
    return found


def headline(table: pd.DataFrame, focus=(), identity: dict | None = None, limit: int = HEADLINE_MAX) -> list[dict]:
    """At most `limit` sentences: the focus outcomes first, the subsidy rule when the budget moved, then the largest.

    `identity` maps each scenario's name to its resolved settings (for the
    subsidy rule); without it the rule is not said.
    """
    names = list(dict.fromkeys(table["scenario"]))
    present = set(table["metric"])
    out = [{"kind": "focus", "metric": m, "sentence": focus_sentence(table, m)} for m in focus if m in present]
    uncovered = deficit_sentence(table)
    if uncovered:
        out.append({"kind": "deficit", "metric": "deficit_uncovered", "sentence": uncovered})
    rule = budget_rule(table, identity or {}) if names else None
    if rule:
        out.append({"kind": "rule", "metric": "public_cost", "sentence": rule})
    if limit - len(out) > 0:
        out += largest(table, skip=set(focus) | ({"public_cost"} if rule else set()), limit=limit - len(out))
    return out


def _judged(metric: str, r) -> str:
    """'better', 'worse', or 'not significant at 95%' for a difference row of an outcome asked about (--focus)."""
    o = outcomes.get(metric)
    if not bool(r["significant"]):
        return "not significant at 95%"
    if not o.better:
        return "significant"
    return "better" if (float(r["diff"]) > 0) == (o.better == "higher") else "worse"


def focus_sentence(table: pd.DataFrame, metric: str) -> str:
    """One outcome asked about, every scenario: the base's mean and interval, each other's and its paired difference."""
    names = list(dict.fromkeys(table["scenario"]))
    rows = table[table["metric"] == metric].set_index("scenario")
    o = outcomes.get(metric)
    b = rows.loc[names[0]]

    def mean(r) -> str:
        return f"{outcomes.fmt(metric, r['mean'])} {outcomes.fmt_interval(metric, r['ci_low'], r['ci_high'])}".strip()

    parts = []
    for name in names[1:]:
        r = rows.loc[name]
        if not finite(r["diff"]):
            parts.append(f"{name} {mean(r)}")
            continue
        rel = outcomes.relative(metric, b["mean"], r["mean"])
        rel = f", {outcomes.number(100 * rel, sign=True)}%" if rel is not None else ""
        unit = f" {o.diff_unit}" if o.diff_unit and o.kind not in ("money", "share") else ""
        parts.append(f"{name} {mean(r)}: a difference of {outcomes.fmt(metric, r['diff'], sign=True)}{unit} "
                     f"{outcomes.fmt_interval(metric, r['diff_low'], r['diff_high'], sign=True)}{rel} "
                     f"({_judged(metric, r)})")
    return f"{o.label_unit}: {mean(b)} in {names[0]}; " + "; ".join(parts) + "."


STAFF_AND_PRICES = ("mediators", "staff_cost_per_year", "price_per_visit", "subscription_fee", "workshop_fee",
                    "service_price", "work_price", "engineer_rate", "rent_per_m2_year", "space_m2",
                    "subsidy_per_year", "subsidy_rule")


def deficit_sentence(table: pd.DataFrame) -> str | None:
    """Name the deficit no one covers, for each lab where it is not 0: a loss must not hide behind a net result."""
    rows = table[table["metric"] == "deficit_uncovered"]
    if rows.empty or "mean" not in rows:
        return None
    left = [f"{r['scenario']} {outcomes.fmt('deficit_uncovered', r['mean'])}" for _, r in rows.iterrows()
            if finite(r["mean"]) and r["mean"] > 0.5]
    if not left:
        return None
    return ("Deficit no one covers (costs above revenue and subsidy): " + ", ".join(left)
            + " over the measured period; the net result shows it as a loss, the public cost does not.")


def budget_rule(table: pd.DataFrame, identity: dict) -> str | None:
    """Which subsidy rule each lab follows, said whenever staff, prices or the subsidy differ (they move the budget).

    Under a fixed grant a saving shows in the net result; under deficit cover it
    goes back to the funder (a lower public cost) and the net result stays near
    zero. Without this sentence a staff cut under a fixed grant reads as profit.
    """
    names = list(dict.fromkeys(table["scenario"]))
    settings = {n: (identity.get(n) or {}).get("settings") or {} for n in names}
    if not all(settings.values()):
        return None
    changed = any(len({repr(settings[n].get(k)) for n in names}) > 1 for k in STAFF_AND_PRICES)
    if not (changed and set(table["metric"]) & {"net_result", "public_cost"}):
        return None
    rules = {n: (settings[n].get("subsidy_rule") or "fixed", float(settings[n].get("subsidy_per_year") or 0.0))
             for n in names}
    deficit = [n for n in names if rules[n][0] == "deficit"]
    fixed = [n for n in names if rules[n][0] != "deficit"]

    def who(group: list[str]) -> str:
        amounts = {rules[n][1] for n in group}
        if len(amounts) == 1:
            return f"{', '.join(group)} ({outcomes.fmt_value('money', amounts.pop())} a year)"
        return ", ".join(f"{n} ({outcomes.fmt_value('money', rules[n][1])})" for n in group)

    said = []
    if deficit:
        said.append(f"the subsidy covers the deficit up to a ceiling for {who(deficit)}: a saving lowers the public "
                    "cost and the net result stays near zero")
    if fixed:
        said.append(f"a fixed grant for {who(fixed)}: a saving shows as a higher net result, not as a lower public "
                    "cost")
    cost = table[table["metric"] == "public_cost"].set_index("scenario")
    moved = [f"{n} {outcomes.fmt('public_cost', cost.loc[n, 'diff'], sign=True)} "
             f"{outcomes.fmt_interval('public_cost', cost.loc[n, 'diff_low'], cost.loc[n, 'diff_high'], sign=True)}"
             for n in names[1:] if n in cost.index and finite(cost.loc[n, "diff"])]
    public = f". Public cost (what the funder pays): {', '.join(moved)}" if moved else ""
    return "Subsidy rule: " + "; ".join(said) + public + " (scenario key subsidy_rule)."


def sentence(metric: str, name: str, base_name: str, r, b, judge: bool = False) -> str:
    """One headline sentence: how much, which way, both means, the difference and its paired 95% interval.

    With `judge` (an outcome asked about), "(better)" or "(worse)" by the outcome's direction; never otherwise.
    """
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
    if judge and o.better:
        judged = " (better)" if (more == (o.better == "higher")) else " (worse)"
    rel = outcomes.relative(metric, b["mean"], r["mean"])
    rel = f", {outcomes.number(100 * rel, sign=True)}%" if rel is not None else ""
    interval = outcomes.fmt_interval(metric, r["diff_low"], r["diff_high"], sign=True)
    return (f"{name}: {amount} {word} {o.label.lower()}{unit} than {base_name}{judged}: "
            f"{o.format(r['mean'])} against {o.format(b['mean'])} (difference {o.format(diff, sign=True)}{rel}; "
            f"95% CI {interval})")


def settings_diff(identity: dict, refs: list[str]) -> pd.DataFrame:
    """The scenario keys whose values differ between the compared scenarios, one column per scenario."""
    from sim.config.schema import PARAMS

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


SMALL_NETWORK = 150  # people: up to about this many, a dense network is a group where most can know each other


def apart(table: pd.DataFrame, metric: str, one: str, other: str) -> bool:
    """Whether two scenarios' means of `metric` differ significantly at 95%.

    Against the first scenario, by the paired interval of the difference (its
    `significant` column); between two others, by their 95% intervals of the
    mean not overlapping (a conservative test: no pairing is kept for them).
    """
    names = list(dict.fromkeys(table["scenario"]))
    rows = table[table["metric"] == metric].set_index("scenario")
    if one not in rows.index or other not in rows.index or one == other:
        return False
    if names[0] in (one, other):
        r = rows.loc[other if one == names[0] else one]
        return "significant" in r and bool(r["significant"]) and finite(float(r["diff"]))
    a, b = rows.loc[one], rows.loc[other]
    if not all(finite(float(x)) for x in (a.get("ci_low"), a.get("ci_high"), b.get("ci_low"), b.get("ci_high"))):
        return False
    return float(a["ci_low"]) > float(b["ci_high"]) or float(b["ci_low"]) > float(a["ci_high"])


def network_reading(table: pd.DataFrame) -> list[str]:
    """Sentences about the networks' shapes, from the means of the table, each only where the labs differ significantly.

    A pair of labs is compared only when `apart` says so, and the words fit the
    network's size: a dense network of thousands of people is not "a small group".
    """
    names = list(dict.fromkeys(table["scenario"]))
    mean = table.pivot_table(index="metric", columns="scenario", values="mean").reindex(columns=names)
    nodes = mean.loc["nodes"].dropna() if "nodes" in mean.index else pd.Series(dtype=float)
    lines = []
    if "mediator_betweenness_share" in mean.index:
        s = mean.loc["mediator_betweenness_share"].dropna()
        if len(s) >= 2 and apart(table, "mediator_betweenness_share", s.idxmax(), s.idxmin()):
            hi, lo = s.idxmax(), s.idxmin()
            lines.append(
                f"The staff carry {outcomes.fmt('mediator_betweenness_share', s[hi])} of the brokerage in {hi} "
                f"against {outcomes.fmt('mediator_betweenness_share', s[lo])} in {lo}: the higher the share, the more "
                "the staff are the only bridges between people (an island held together by its staff); the lower, "
                "the more other people introduce and connect each other (a swarm).")
    if "density" in mean.index:
        d = mean.loc["density"].dropna()
        if len(d) >= 2 and d.min() > 0 and apart(table, "density", d.idxmax(), d.idxmin()):
            hi, lo = d.idxmax(), d.idxmin()
            said = (f"{hi} is the densest network ({outcomes.fmt('density', d[hi])} of possible ties, "
                    f"{outcomes.number(d[hi] / d[lo])} times {lo}'s {outcomes.fmt('density', d[lo])})")
            if hi in nodes and nodes[hi] <= SMALL_NETWORK:
                wider = lo in nodes and nodes[lo] > nodes[hi]
                said += (f": a small group of {outcomes.fmt('nodes', nodes[hi])} people where most know each other, "
                         f"against {'a wider' if wider else 'a'}, more loosely tied one.")
            else:
                size = f" ({outcomes.fmt('nodes', nodes[hi])} people)" if hi in nodes else ""
                said += (f": its people{size} have made a larger share of the ties they could make. Density is "
                         "not size: the more people, the smaller the share of possible ties anyone can make.")
            lines.append(said)
    if len(nodes) >= 2:
        lines.append("People in the network: " + ", ".join(f"{k} {outcomes.fmt('nodes', v)}" for k, v in nodes.items())
                     + ".")
    if "modularity" in mean.index:
        q = mean.loc["modularity"].dropna()
        hi = q.idxmax() if len(q) >= 2 else None
        if hi is not None and all(apart(table, "modularity", hi, other) for other in q.index if other != hi):
            lines.append(f"{hi} splits most clearly into separate groups (modularity {outcomes.fmt('modularity', q[hi])},"
                         " significantly above every other lab's); a low modularity means one connected group, or a "
                         "star around the staff.")
    return lines


def finite(x) -> bool:
    """A number that can be shown."""
    return isinstance(x, int | float) and math.isfinite(x)
