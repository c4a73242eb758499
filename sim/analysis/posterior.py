"""Policies over a calibration's posterior: what a policy does to the lab a log describes, and how sure that is.

`labsim compare SCENARIOS --posterior CALIBRATION` runs every scenario on K settings drawn from an ABC
posterior (by weight: `draw`) x J seeds per draw. Run (draw i, seed j) is the same lab, with the same
luck, under every scenario (paired); the first scenario is the status quo. Per policy and outcome, a
pair's effect is the policy's value minus the status quo's; over the K x J pairs (`effects`):

- the *90% band*: the 5% and 95% quantiles of the pairs' effects, and for counts, money and rates whose
  status quo is above 0 in every pair, of the relative effects (effect / status quo);
- the *probability that the policy beats the status quo*: the share of pairs whose effect goes the
  outcome's better way (`sim.outcomes`: higher or lower), a tie counting one half, so an outcome the
  policy leaves as it was is at 0.5; for an outcome with no better direction, the probability that it is
  higher.

The probability is over what the calibration leaves uncertain (the posterior) *and* a year's luck (the
seeds): the chance that in one measured year a lab like the one the log describes does better under the
policy than it would have under the status quo. A policy is *undecided* on an outcome when it lies in
UNDECIDED (0.2 to 0.8): neither direction has odds of 4 to 1. The headline (`headline`) says each
policy's focus outcomes in these terms.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim import outcomes

UNDECIDED = (0.2, 0.8)  # a probability of beating the status quo inside this range: undecided
LEVEL = 0.90  # the band: the 5% and 95% quantiles of the pairs' effects
HEADLINE_MOST = 4  # outcomes said per policy in the headline without --focus
RELATIVE_KINDS = ("count", "money", "rate")  # a relative effect (%) is said of these


def draw(weights: list[float], k: int, seed: int) -> list[int]:
    """K particles drawn from the weighted posterior (with replacement): their indices, the same for the same seed."""
    w = np.asarray(weights, float)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 8031]))
    return [int(i) for i in rng.choice(len(w), size=k, p=w / w.sum())]


def paired(runs: pd.DataFrame, draws: int, seeds: int) -> pd.DataFrame:
    """The runs with `replication` made the pair's index: draw i, seed j is pair i x seeds + j under every scenario.

    The comparison's points are the draws (point = scenario index x draws + draw index), so that
    `sim.analysis.compare.comparison_table`, which pairs runs by replication, pairs them by (draw, seed).
    """
    out = runs.copy()
    out["draw"] = out["point"].astype(int) % draws
    out["replication"] = out["draw"] * seeds + out["replication"].astype(int)
    return out


def effects(runs: pd.DataFrame, names: list[str], metrics: list[str], focus: list[str] | None = None) -> pd.DataFrame:
    """Per policy (every scenario after the first) and outcome: the effect's band and the probability it beats the first.

    `runs` are paired (`paired`): one row per scenario and pair, `replication` the pair.
    """
    ok = runs[runs["status"] == "ok"]
    base = names[0]
    focus = list(focus or [])
    rows = []
    for metric in metrics:
        o = outcomes.get(metric)
        by = {n: pd.to_numeric(ok[ok["scenario"] == n].set_index("replication")[metric], errors="coerce")
              for n in names}
        for name in names[1:]:
            both = pd.concat([by[base].rename("base"), by[name].rename("policy")], axis=1, join="inner").dropna()
            rows.append({"scenario": name, "metric": metric, "label": o.label, "unit": o.unit,
                         "better": o.better or "", "focus": metric in focus, "base": base,
                         **_row(both["base"].to_numpy(float), both["policy"].to_numpy(float), o)})
    return pd.DataFrame(rows)


def _row(base: np.ndarray, policy: np.ndarray, o: outcomes.Outcome) -> dict:
    """One policy's effect on one outcome over its pairs: the band, the relative band, the probabilities, the verdict."""
    n = len(base)
    lo_q, hi_q = (1 - LEVEL) / 2, 1 - (1 - LEVEL) / 2
    row = {"pairs": n, "base_median": math.nan, "base_low": math.nan, "base_high": math.nan, "effect_mean": math.nan,
           "effect_median": math.nan, "effect_low": math.nan, "effect_high": math.nan, "relative_median": math.nan,
           "relative_low": math.nan, "relative_high": math.nan, "p_higher": math.nan, "p_better": math.nan,
           "verdict": "no pairs"}
    if n == 0:
        return row
    d = policy - base
    row |= dict(zip(("base_low", "base_median", "base_high"), np.quantile(base, [lo_q, 0.5, hi_q]).tolist(),
                    strict=True))
    row |= {"effect_mean": float(d.mean()),
            **dict(zip(("effect_low", "effect_median", "effect_high"), np.quantile(d, [lo_q, 0.5, hi_q]).tolist(),
                       strict=True))}
    if o.kind in RELATIVE_KINDS and (base > 0).all():
        row |= dict(zip(("relative_low", "relative_median", "relative_high"),
                        np.quantile(d / base, [lo_q, 0.5, hi_q]).tolist(), strict=True))
    p_higher = float(((d > 0).sum() + 0.5 * (d == 0).sum()) / n)
    p_better = p_higher if o.better == "higher" else 1 - p_higher if o.better == "lower" else math.nan
    row |= {"p_higher": p_higher, "p_better": p_better, "verdict": verdict(p_higher, o.better)}
    return row


def verdict(p_higher: float, better: str | None) -> str:
    """'gain' or 'loss' (an outcome with a better direction), 'higher' or 'lower' (one without), or 'undecided'."""
    if UNDECIDED[0] <= p_higher <= UNDECIDED[1]:
        return "undecided"
    up = p_higher > UNDECIDED[1]
    if better is None:
        return "higher" if up else "lower"
    return "gain" if up == (better == "higher") else "loss"


def effect_text(r) -> str:
    """The effect's median and band in the outcome's words: '-4.2% [-9.1% to +1.3%]', or in its units."""
    if _finite(r["relative_median"]):
        return f"{_percent(r['relative_median'])} [{_percent(r['relative_low'])} to {_percent(r['relative_high'])}]"
    m = r["metric"]
    return f"{outcomes.fmt(m, r['effect_median'], sign=True)} {outcomes.fmt_interval(m, r['effect_low'], r['effect_high'], sign=True)}"


def chance_text(r) -> str:
    """'probability of a loss 0.93', 'higher with probability 0.97' or 'undecided (probability of a gain 0.55)'."""
    p, v = r["p_higher"], r["verdict"]
    if not _finite(p):
        return "no pairs"
    directed = r["better"] in ("higher", "lower")  # read back from the CSV, "" is NaN
    if v == "undecided":
        said = f"probability of a gain {r['p_better']:.2f}" if directed else f"probability higher {p:.2f}"
        return f"undecided ({said})"
    if directed:
        return f"probability of a {v} {max(r['p_better'], 1 - r['p_better']):.2f}"
    return f"{v} with probability {max(p, 1 - p):.2f}"


def clause(r) -> str:
    """One outcome of one policy: 'contributors -4% [-9% to +1%], probability of a loss 0.93'."""
    return f"{outcomes.label(r['metric'], unit=False).lower()} {effect_text(r)}, {chance_text(r)}"


def headline(table: pd.DataFrame) -> list[str]:
    """One sentence per policy: its focus outcomes (else its most decided outcomes with a better direction)."""
    from sim.analysis.story import candidates

    out = []
    for name, rows in table.groupby("scenario", sort=False):
        rows = rows[rows["pairs"] > 0]
        said = rows[rows["focus"].astype(bool)]
        if not len(said):
            said = rows[rows["metric"].isin(candidates(rows["metric"]))]
            said = said.assign(_lean=(said["p_higher"] - 0.5).abs()).sort_values("_lean", ascending=False, kind="stable")
            if len(said) and (said["verdict"] == "undecided").all():
                out.append(f"{name}: undecided on every outcome shown (each probability of a gain between "
                           f"{UNDECIDED[0]:g} and {UNDECIDED[1]:g})")
                continue
            said = said.head(HEADLINE_MOST)
        if len(said):
            out.append(f"{name}: " + "; ".join(clause(r) for _, r in said.iterrows()))
    return out


def format_effects(table: pd.DataFrame, width: int = 100) -> str:
    """Plain text: per outcome, the status quo's median [90% band], then each policy's effect, band and chance."""
    lines = []
    for metric, rows in table.groupby("metric", sort=False):
        first = rows.iloc[0]
        base = (f"{first['base']} {outcomes.fmt(metric, first['base_median'])} "
                f"{outcomes.fmt_interval(metric, first['base_low'], first['base_high'])}")
        lines.append(f"{outcomes.label(metric)}: {base}"[:width])
        room = max(len(n) for n in rows["scenario"])
        for _, r in rows.iterrows():
            line = f"  {r['scenario']:<{room}}  {effect_text(r)}  {chance_text(r)}"
            if len(line) > width:
                line = f"  {r['scenario']}\n    {effect_text(r)}  {chance_text(r)}"
            lines.append(line)
    return "\n".join(lines)


def _percent(x: float) -> str:
    v = 100 * x
    return f"{v:+.1f}%" if abs(v) < 10 else f"{v:+.0f}%"


def _finite(x) -> bool:
    return isinstance(x, int | float | np.floating) and math.isfinite(float(x))
