"""The model's check-up: calibration bands of the presets and the stylised facts.

Each check runs several seeds, averages, and compares with its target under a
stated tolerance. The presets are measured as the case study saw them: a mature
lab, one measured year after the warm-up (`warmup_years`). `labsim check-model`
prints the table; the test suite asserts every row passes. Runs go through the
batch engine (`sim.batch.evaluate`) on one pool kept for the whole check-up,
and are cached within one `Checker`, so facts that share a setting share its
runs. A run that fails (even one that kills its worker) leaves its seed out of
the means and is reported in a last row that fails.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from sim.batch.evaluate import drive, evaluate
from sim.batch.executors import Pool, make_pool
from sim.batch.experiment import make_jobs

OPEN, CLOSED = "carrefour_numerique", "digital_arti"
DRIFT_YEARS = 8  # the open lab measured for eight years after its warm-up (its 5th to its 12th)
FORMATION_YEARS, FORMED_BY = 8, 6  # the empty open lab is followed 8 years; its core must be in the bands from its 6th
EMPTY_LAB = {"warmup_years": 0.0, "initial_contributors": 0, "initial_partners": 0, "initial_dormant": 0,
             "initial_former_regulars": 0, "initial_awareness": 0.0, "initial_doc_pages": 0.0}  # nobody, nothing known
STATE_CHANNELS = ("newcomers_word_of_mouth", "newcomers_reputation")  # arrivals that depend on the lab's state
APPOINTMENT = {"access": "appointment", "appointment_slots_per_day": 6, "slot_size": 10}  # slots sized to the open space
FEE_FROM_NOW = 12.0  # EUR a visit from the measured year's first day on (issue 30's held-out review)
FEE_EARLY_WEEKS, FEE_HALF_YEAR = 2, 26
IDENTITY = ("run_id", "scenario", "point", "replication", "seed", "year", "status", "error")


@dataclass(frozen=True)
class CheckResult:
    """One row of the check-up."""

    fact: str
    target: str
    measured: str
    tolerance: str
    passed: bool
    source: str = ""


class Checker:
    """Runs and caches the seeds each check needs (a seed's run is shared by every check of its setting).

    Use it as a context manager (`with Checker() as c:`) to keep one pool of
    workers for every check; without, each new setting starts its own.
    """

    def __init__(self, seeds: int = 20, network_seeds: int = 3, paired_seeds: int = 20, drift_seeds: int = 12,
                 workers: int | None = None, open_preset: str = OPEN, closed_preset: str = CLOSED,
                 base: dict | None = None, formation_seeds: int = 10) -> None:
        """Calibration uses `seeds` runs per preset; network shape `network_seeds`; directions `paired_seeds`.

        `open_preset`, `closed_preset` and `base` (settings under every run)
        exist so that a test can put the check-up on a lab built to fail it.
        """
        self.open, self.closed, self.base = open_preset, closed_preset, dict(base or {})
        self.formation_seeds = formation_seeds
        self.seeds, self.network_seeds = seeds, network_seeds
        self.paired_seeds, self.drift_seeds = paired_seeds, drift_seeds
        self.workers = workers or min(4, os.cpu_count() or 1)
        self.failed: list[dict] = []  # the runs that failed: scenario, changes, seed, error
        self._cache: dict[tuple, dict[int, list[dict] | None]] = {}  # (setting, years) -> seed -> yearly summaries
        self._weekly: dict[tuple, dict[int, np.ndarray]] = {}  # (preset, policy) -> seed -> active regulars a week
        self._pool: Pool | None = None

    def __enter__(self) -> Checker:
        self._pool = make_pool("local", self.workers)
        return self

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    def by_seed(self, preset: str, n: int, years: int = 1, **changes) -> dict[int, list[dict]]:
        """Seed (0..n-1, common to every setting) -> the summaries of its first `years` measured years.

        A seed whose run failed is left out. A longer run of the same setting
        serves a shorter request (measuring draws no random number). Runs of a
        preset as it is compute the network measures too, for the first
        `network_seeds` seeds.
        """
        changes = self.base | changes
        setting = (preset, tuple(sorted(changes.items())))
        done: dict[int, list[dict] | None] = {}
        for (key, length), runs in self._cache.items():
            if key == setting and length >= years:
                done |= {seed: r for seed, r in runs.items() if r is not None or seed not in done}  # a success wins
        missing = [seed for seed in range(n) if seed not in done]
        if missing:
            jobs = [replace(job, network=changes == self.base and job.seed < self.network_seeds)
                    for job in make_jobs([preset], [dict(changes)], missing, years, network=False, yearly=True)]
            fresh = self._summaries(evaluate(jobs, workers=self.workers, pool=self._pool), changes)
            self._cache.setdefault((setting, years), {}).update(fresh)
            done |= fresh
        return {seed: done[seed][:years] for seed in range(n) if done[seed] is not None}

    def _summaries(self, table: pd.DataFrame, changes: dict) -> dict[int, list[dict] | None]:
        """Each seed's yearly summaries from the engine's table (None for a run that failed, noted in `failed`)."""
        out: dict[int, list[dict] | None] = {}
        for seed, rows in table.groupby("seed", sort=False):
            if (rows["status"] != "ok").any():
                self.failed.append({"scenario": rows["scenario"].iloc[0], "changes": changes, "seed": int(seed),
                                    "error": rows["error"].iloc[0]})
                out[int(seed)] = None
            else:
                out[int(seed)] = rows.drop(columns=[c for c in IDENTITY if c in rows]).to_dict("records")
        return out

    def weekly_regulars(self, preset: str, n: int, **policy) -> dict[int, np.ndarray]:
        """Seed -> the regulars (contributors and partners) active at each week's end of the first measured year.

        `policy` is applied from the measured year's first day on (an
        intervention at day 1 of a lab warmed up as it is), so that what a
        policy does over its first weeks can be seen; seeds as in `by_seed`.
        """
        from sim.config.scenario import Intervention, load_scenario

        key = (preset, tuple(sorted(policy.items())))
        if key not in self._weekly:
            scenario = load_scenario(preset)
            scenario = scenario.with_settings(**self.base) if self.base else scenario
            if policy:
                scenario = replace(scenario, interventions=(*scenario.interventions, Intervention(1.0, dict(policy))))
            jobs = make_jobs([scenario], [{}], list(range(n)), 1, network=False, series=True)
            found: dict[int, np.ndarray] = {}

            def take(spec, rows: list[dict], series: pd.DataFrame | None) -> None:
                if rows[0]["status"] != "ok" or series is None:
                    self.failed.append({"scenario": preset, "changes": policy, "seed": spec.seed,
                                        "error": rows[0].get("error")})
                else:
                    found[spec.seed] = (series["contributors"] + series["partners"]).to_numpy(dtype=float)

            pool = self._pool or make_pool("local", min(self.workers, n))
            try:
                drive(pool, jobs, take)
            finally:
                if pool is not self._pool:
                    pool.close()
            self._weekly[key] = found
        return self._weekly[key]

    def yearly(self, preset: str, n: int, years: int = 1, **changes) -> list[list[dict]]:
        """Per seed (0..n-1, those whose run did not fail), the summaries of the first `years` measured years."""
        return list(self.by_seed(preset, n, years, **changes).values())

    def runs(self, preset: str, n: int, **changes) -> list[dict]:
        """Summaries of the first measured year, one per seed."""
        return [r[0] for r in self.yearly(preset, n, 1, **changes)]

    def values(self, metric: str | Callable[[dict], float], preset: str, n: int | None = None, **kw) -> np.ndarray:
        """A metric (a key or a function of the summary) in each seed's first measured year."""
        f = metric if callable(metric) else (lambda s: s[metric])
        return np.array([f(s) for s in self.runs(preset, n or self.seeds, **kw)], dtype=float)

    def mean(self, metric: str | Callable[[dict], float], preset: str, n: int | None = None, **kw) -> float:
        """Mean of a metric (a key or a function of the summary) over the runs."""
        return float(self.values(metric, preset, n, **kw).mean())

    def paired(self, metric: Callable[[dict], float], a: dict, b: dict, preset: str | None = None,
               n: int | None = None) -> tuple[float, float]:
        """Mean paired difference (b - a) over common seeds (`paired_seeds` unless n), and its standard error."""
        n, preset = n or self.paired_seeds, preset or self.open
        ra, rb = self.by_seed(preset, n, 1, **a), self.by_seed(preset, n, 1, **b)
        d = np.array([metric(rb[seed][0]) - metric(ra[seed][0]) for seed in ra if seed in rb])
        return float(d.mean()), float(d.std(ddof=1) / np.sqrt(len(d)))


def _band(fact: str, value, lo: float, hi: float, n: int, fmt: str = ",.1f", source: str = "") -> CheckResult:
    """The mean inside [lo, hi]; given the seeds' values (not only their mean), the measured cell adds its 95% interval."""
    values = np.atleast_1d(np.asarray(value, dtype=float))
    mean = float(values.mean())
    measured = f"{mean:{fmt}}"
    if values.size > 1:
        half = 1.96 * values.std(ddof=1) / np.sqrt(values.size)
        measured += f" [{mean - half:{fmt}}, {mean + half:{fmt}}]"
    return CheckResult(fact, f"{lo:{fmt}} to {hi:{fmt}}", measured, f"mean of {n} seeds inside the band",
                       lo <= mean <= hi, source)


def _num(x: float) -> str:
    """A signed number: 3 significant digits, thousands separators and no exponent for large ones."""
    return f"{x:+,.0f}" if abs(x) >= 1000 else f"{x:+.3g}"


def _interval(diff: float, se: float) -> str:
    return f"{_num(diff)} [{_num(diff - 1.96 * se)}, {_num(diff + 1.96 * se)}]"


def _lower(fact: str, diff: float, se: float, n: int, source: str = "") -> CheckResult:
    """A paired difference that must be negative, its 95% interval excluding zero."""
    return CheckResult(fact, "< 0", _interval(diff, se), f"paired mean over {n} seeds, 95% CI below 0",
                       diff + 1.96 * se < 0, source)


def _higher(fact: str, diff: float, se: float, n: int, source: str = "") -> CheckResult:
    return CheckResult(fact, "> 0", _interval(diff, se), f"paired mean over {n} seeds, 95% CI above 0",
                       diff - 1.96 * se > 0, source)


def return_rate(s: dict) -> float:
    """Share of the year's visitors who came at least twice."""
    return s["returning_visitors"] / s["visitors"]


def works_per_participant(s: dict) -> float:
    """Works produced per person who visited."""
    return s["works_produced"] / max(1, s["visitors"])


def state_share(s: dict) -> float:
    """Share of newcomers brought by channels that depend on the lab's state (word of mouth, reputation)."""
    return sum(s[k] for k in STATE_CHANNELS) / max(1, s["newcomers"])


def calibration(c: Checker) -> Iterator[CheckResult]:
    """The case study's figures (shared/DOMAIN.md) against the presets, one measured year after the warm-up."""
    n = c.seeds
    cs = "case study"
    yield _band("open: occasional users (visitors)", c.values("visitors", c.open), 7200, 8800, n,
                source="case study: ~8,000 a year")
    yield _band("open: regular contributors", c.values("contributors", c.open), 100, 166, n,
                source="case study: 100-150 regulars (166 subscribers: upper bound)")
    yield _band("open: individual partners (the hard core)", c.values("partners", c.open), 12, 18, n,
                source="case study: ~15 (band +-20%)")
    core = c.mean("partners", c.open) / c.mean("contributors", c.open)
    yield _band("open: partners / contributors", core, 0.10, 0.15, n, ".3f", "Wenger et al. 2002: core 10-15%")
    yield _band("open: members a year (subscribers, a flow)", c.values("subscribers", c.open), 130, 200, n,
                source="case study: 166 subscribers (band +-20%), more than its 100-150 regulars")
    yield _band("open: mediators", c.values("mediators", c.open), 10, 10, n, source=cs)
    yield _band("open: big events a year (~20)", c.values("events_held", c.open), 18, 22, n, source=cs)
    yield _band("open: workshops a year (~50)", c.values("workshops_held", c.open), 45, 55, n, source=cs)
    yield _band("closed: staff (mediators)", c.values("mediators", c.closed), 8, 8, n, source=cs)
    yield _band("closed: residencies completed a year", c.values("residencies_completed", c.closed), 2, 3, n, ".2f",
                "case study: 10 residency projects 2011-2015")
    ratio = c.mean("density", c.closed) / c.mean("density", c.open)
    yield CheckResult("closed: network density / open's", "well above 1", f"{ratio:,.0f}x",
                      f"ratio of means over {n} seeds > 10", ratio > 10, "case study: island against swarm")
    share = c.mean("visitors", c.closed) / c.mean("visitors", c.open)
    yield CheckResult("closed: public participants / open's", "few (blog authors aside)", f"{share:.2%}",
                      f"ratio of means over {n} seeds < 3%", share < 0.03, "case study: a closed lab, public on its blog")


def arrivals_and_careers(c: Checker) -> Iterator[CheckResult]:
    """Where newcomers come from, how often people come, who survives a year (open lab)."""
    n = c.seeds
    yield _band("arrivals that depend on the lab (word of mouth, reputation)", c.values(state_share, c.open), 0.25, 1.0,
                n, ".3f", "issue 11 (>= 25% of newcomers); Cottica et al. 2017")
    gini, once = c.mean("gini_visits", c.open), 1 - c.mean(return_rate, c.open)
    yield CheckResult("long tail of visits", "Gini >= 0.3 and > 50% come once", f"Gini {gini:.3f}, {once:.1%} once",
                      f"means over {n} seeds", gini >= 0.3 and once > 0.5,
                      "Nielsen 2006 (participation inequality); FabLab Amsterdam 2012: mostly one-off users")
    yield _band("a real middle: visitors with 4+ visits", c.values("visitors_4plus_share", c.open), 0.10, 0.30, n, ".3f",
                "FabLab Amsterdam 2012 (~40% of survey respondents came > 3 times; respondents over-represent them)")
    regulars = c.mean("contributors", c.open) / c.mean("visitors", c.open)
    yield _band("regulars / occasional users", regulars, 0.01, 0.02, n, ".4f", "Preece & Shneiderman 2009: ~1%")
    yield _band("returners still active a year after their first visit", c.values("returner_survival_1y", c.open),
                0.12, 0.40, n, ".3f", "Gardner 2011: 12-40%")
    yield _band("new members still members a year later", c.values("member_retention_1y", c.open), 0.45, 0.70, n,
                ".3f", "MakeHaven dashboard: 58% (band +-12 points)")
    yield _band("the busiest regular's visits a year", c.values("visits_max", c.open), 100, 313, n, ",.0f",
                "issue 21: a makerspace's most active members come most days (at most the ~313 open days)")


def formation(c: Checker) -> Iterator[CheckResult]:
    """The open lab's core forms by itself: its settings, started from an empty lab, reach the bands (issue 21)."""
    k, years = c.formation_seeds, FORMATION_YEARS
    runs = c.yearly(c.open, k, years, **EMPTY_LAB)
    for key, lo, hi in (("contributors", 100, 166), ("partners", 12, 18)):
        by_year = np.array([[r[y][key] for r in runs] for y in range(years)]).mean(axis=1)
        held = by_year[FORMED_BY - 1:]
        inside = np.flatnonzero((by_year >= lo) & (by_year <= hi))
        first = f"first inside in year {inside[0] + 1}" if inside.size else "never inside"
        yield CheckResult(f"from an empty lab: {key} in the band from year {FORMED_BY} on",
                          f"{lo} to {hi} in years {FORMED_BY}-{years}",
                          f"{held.min():,.1f} to {held.max():,.1f} ({first})", f"yearly means over {k} seeds",
                          bool(np.all((held >= lo) & (held <= hi))), "issue 21; case study bands (C2, C3)")


def steady_state(c: Checker) -> Iterator[CheckResult]:
    """The open lab does not drift in the eight years after its warm-up, so a longer warm-up changes nothing."""
    k = c.drift_seeds
    runs = c.yearly(c.open, k, DRIFT_YEARS)
    for key in ("visitors", "contributors", "partners"):
        by_year = np.array([[r[y][key] for r in runs] for y in range(DRIFT_YEARS)]).mean(axis=1)
        worst = float(np.max(np.abs(by_year / by_year.mean() - 1)))
        yield CheckResult(f"no drift over 8 measured years: {key}", "every year within +/-15% of the 8-year mean",
                          f"{by_year.min():,.1f} to {by_year.max():,.1f} (worst {worst:+.0%})",
                          f"yearly means over {k} seeds", worst <= 0.15, "issue 11")
    first = np.array([r[0]["contributors"] for r in runs])
    later = np.array([r[2]["contributors"] for r in runs])  # the same seeds measured after two more years of warm-up
    d, se = float((later - first).mean()), float((later - first).std(ddof=1) / np.sqrt(k))
    ok = abs(d) <= max(2 * se, 0.1 * first.mean())
    yield CheckResult("warm-up independence: contributors, 2 more years of warm-up", "same within noise",
                      f"{d:+.1f} (se {se:.1f})", f"paired over {k} seeds: |diff| <= max(2 se, 10%)", ok, "issue 11")


def governance(c: Checker) -> Iterator[CheckResult]:
    """Governance changes outcomes through mechanisms, at the mature open lab (paired seeds)."""
    m = c.paired_seeds
    cs = "case study, stylised fact 5"
    no_ws = {"workshops_per_year": 0.0}
    d, se = c.paired(return_rate, no_ws | {"mediators": 0}, no_ws)
    yield CheckResult("mediator attention adds ~10 points of return", "+0.05 to +0.20", f"{d:+.4f} (se {se:.4f})",
                      f"paired mean over {m} seeds in band", 0.05 <= d <= 0.20, "Joyce & Kraut 2006")
    few = {"mediators": 5}
    for key in ("visitors", "newcomers", "returning_visitors", "contributors", "partners"):
        d, se = c.paired(lambda s, k=key: s[k], {}, few)
        yield _lower(f"fewer mediators (10 -> 5): fewer {key}", d, se, m, cs)
    d, se = c.paired(lambda s: s["partners"], {}, {"internal_friction": 0.6})
    yield _lower("more internal friction (0.3 -> 0.6): fewer partners", d, se, m, "case study, stylised fact 6")
    d, se = c.paired(lambda s: s["contributors"], {}, {"workshops_per_year": 100.0})
    yield _higher("twice the workshops: more contributors", d, se, m, "issue 11; State of Makerspaces 2015")
    d, se = c.paired(return_rate, {"open_documentation": 0.0}, {})
    yield _higher("open documentation raises the return rate", d, se, m, cs)
    a, b = c.runs(c.open, m), c.runs(c.open, m, **APPOINTMENT)
    newc = np.mean([y["newcomers"] for y in b]) / np.mean([x["newcomers"] for x in a])
    reg = np.mean([y["regular_visits"] for y in b]) / np.mean([x["regular_visits"] for x in a])
    yield CheckResult("appointment-only: far fewer newcomers, regulars' visits cut much less",
                      "newcomers x < 0.5; regulars' visits x > 2 x newcomers'", f"newcomers x{newc:.2f}, regulars x{reg:.2f}",
                      f"ratios of means over {m} seeds", newc < 0.5 and reg > 2 * newc, cs)
    more = np.mean([works_per_participant(y) for y in b]) / np.mean([works_per_participant(x) for x in a])
    fewer = np.mean([y["visitors"] for y in b]) / np.mean([x["visitors"] for x in a])
    yield CheckResult("appointment-only: fewer participants, more works each", "participants x < 1, works each x > 1",
                      f"x{fewer:.2f}, x{more:.2f}", f"ratios of means over {m} seeds", fewer < 1 < more, cs)
    a, b = c.runs(c.open, m), c.runs(c.open, m, contributor_selectivity=0.7)
    fewer = np.mean([y["contributors"] for y in b]) / np.mean([x["contributors"] for x in a])
    each = np.mean([y["works_produced"] / max(1, y["contributors"]) for y in b]) / np.mean(
        [x["works_produced"] / max(1, x["contributors"]) for x in a])
    yield CheckResult("selection: fewer contributors, more works each", "contributors x < 1, works each x > 1",
                      f"x{fewer:.2f}, x{each:.2f}", f"ratios of means over {m} seeds", fewer < 1 < each, cs)


def _not_lower(fact: str, diff: float, se: float, n: int, source: str = "") -> CheckResult:
    """A paired difference that must not be below 0 beyond noise (the 95% interval reaches 0 or above)."""
    return CheckResult(fact, "not lower (95% interval reaches >= 0)", _interval(diff, se),
                       f"paired mean over {n} seeds", diff + 1.96 * se >= 0, source)


LEVER_VARIANTS = (("base", {}), ("workshops x3", {"workshops_per_year": 150.0}), ("events x2", {"events_per_year": 40.0}),
                  ("mediators 10 -> 5", {"mediators": 5}))


def levers(c: Checker) -> Iterator[CheckResult]:
    """Arrival channels feed the ladder and the core grows with the community, bounded by staff (issue 30)."""
    m = c.paired_seeds
    more_events, more_workshops = LEVER_VARIANTS[2][1], LEVER_VARIANTS[1][1]
    d, se = c.paired(lambda s: s["contributors"], {}, more_events)
    yield _not_lower("twice the events: contributors not lower", d, se, m,
                     "issue 30; makerspaces: most members first came on an open night (shared/DOMAIN.md)")
    d, se = c.paired(lambda s: s["partners"], {}, more_workshops)
    yield _higher("three times the workshops: more partners", d, se, m, "issue 30; Wenger et al. 2002")
    stock = {name: c.mean("partners_active_mean", c.open, m, **v) / c.mean("contributors_active_mean", c.open, m, **v)
             for name, v in LEVER_VARIANTS}
    flow = {name: c.mean("partners", c.open, m, **v) / c.mean("contributors", c.open, m, **v)
            for name, v in LEVER_VARIANTS}
    yield CheckResult("partners / contributors at a time, across the levers", "0.10 to 0.15 in each (stocks)",
                      "; ".join(f"{k} {stock[k]:.3f} (year's counts {flow[k]:.3f})" for k in stock),
                      f"ratios of mean stocks over {m} seeds", all(0.10 <= v <= 0.15 for v in stock.values()),
                      "Wenger et al. 2002: the core is 10-15% of a community at a time; docs/ODD.md 7.18")
    a, b = c.runs(c.open, m), c.runs(c.open, m, **APPOINTMENT)
    flow = np.mean([y["contributors"] for y in b]) / np.mean([x["contributors"] for x in a])
    stock = np.mean([y["contributors_active_mean"] for y in b]) / np.mean([x["contributors_active_mean"] for x in a])
    yield CheckResult("appointment-only: regulars present at a time do not rise",
                      "stock (mean active) x <= 1.05; the year's count (flow) shown beside it",
                      f"stock x{stock:.2f}, flow x{flow:.2f}", f"ratios of means over {m} seeds", stock <= 1.05,
                      "issue 30; docs/ODD.md 7.19 (why the flow and the stock differ)")


def edges(s: dict) -> float:
    """Ties in the network at the end of the year (from the density the runs record)."""
    return s["density"] * s["nodes"] * (s["nodes"] - 1) / 2


def ratio(c: Checker, metric: str | Callable[[dict], float], preset: str, a: dict, b: dict,
          n: int | None = None) -> float:
    """Ratio of means over the paired seeds (or n): setting b against setting a."""
    f = metric if callable(metric) else (lambda s: s[metric])
    n = n or c.paired_seeds
    return float(np.mean([f(y) for y in c.runs(preset, n, **b)]) / max(1e-9, np.mean([f(x) for x in c.runs(preset, n, **a)])))


def market(c: Checker) -> Iterator[CheckResult]:
    """Prices, engineers, confidentiality, opening the closed lab, the blog and the budgets (issue 12).

    The closed lab's runs are cheap, so its paired checks use the calibration's `seeds`; the open lab's
    use `paired_seeds`.
    """
    m, n = c.paired_seeds, c.seeds
    fee = {"price_per_visit": 5.0}
    newc, visits = ratio(c, "newcomers", c.open, {}, fee), ratio(c, "visits", c.open, {}, fee)
    yield CheckResult("a EUR 5 drop-in fee: fewer newcomers and visits", "newcomers and visits x 0.45 to 0.85",
                      f"newcomers x{newc:.2f}, visits x{visits:.2f}", f"ratios of means over {m} seeds",
                      0.45 <= newc <= 0.85 and 0.45 <= visits <= 0.85,
                      "UK national museums: +~70% visits when fees were dropped (Martin 2003): a fee keeps ~60%; "
                      "wider: a lab's regulars mostly come free")
    kept = {k: ratio(c, k, c.open, {}, fee) for k in ("contributors", "partners")}
    yield CheckResult("a EUR 5 drop-in fee: members and partners do not vanish", "contributors and partners x >= 0.5",
                      ", ".join(f"{k} x{v:.2f}" for k, v in kept.items()), f"ratios of means over {m} seeds",
                      min(kept.values()) >= 0.5, "issue 12: members come free, partners do not pay")
    yield fee_transient(c)
    d, se = c.paired(lambda s: s["subscribers"], {}, {"subscription_fee": 300.0})
    yield _lower("a EUR 300 membership: fewer subscribers", d, se, m, "issue 12 (willingness to pay)")
    hours = {"engineer_hours_per_residency": 0.0}, {"engineer_hours_per_residency": 240.0}
    d, se = c.paired(lambda s: s["works_produced"], *hours, preset=c.closed, n=n)
    yield _higher("closed: more engineer hours, more works", d, se, n, "case study: engineers co-produce the works")
    d, se = c.paired(lambda s: s["costs_engineers"], *hours, preset=c.closed, n=n)
    yield _higher("closed: more engineer hours, higher costs", d, se, n, "issue 12")
    projects = {"company_projects_per_year": 30.0}
    shut = projects | {"confidential_share": 1.0}
    opened = projects | {"confidential_share": 0.0}
    d, se = c.paired(lambda s: s["revenue"], opened, shut)
    yield _higher("confidentiality: more revenue (open lab, 30 requests a year)", d, se, m,
                  "case study: open source slows the work with companies")
    d, se = c.paired(lambda s: s["docs_pages"], opened, shut)
    yield _lower("confidentiality: less documentation", d, se, m, "case study")
    d, se = c.paired(edges, opened, shut)
    yield _lower("confidentiality: fewer ties (none outside teams)", d, se, m, "case study")
    yield from opening_the_closed_lab(c)
    d, se = c.paired(lambda s: s["blog_authors"], {}, {"moderation_accept_rate": 0.2}, preset=c.closed, n=n)
    yield _lower("closed: rejecting more blog articles, fewer active authors", d, se, n, "Halfaker et al. 2013")
    rev, cost, sub = (c.mean(k, c.open) for k in ("revenue", "costs", "subsidy"))
    yield CheckResult("open: runs at a loss covered by its subsidy", "revenue < costs <= revenue + subsidy (+-5%)",
                      f"revenue {rev:,.0f}, costs {cost:,.0f}, subsidy {sub:,.0f}", f"means over {n} seeds",
                      rev < cost <= 1.05 * (rev + sub), "case study: a public lab funded by its host")
    co = c.mean(lambda s: s["revenue_sales"] + s["revenue_rentals"] + s["revenue_services"], c.closed)
    cost, sub = c.mean("costs", c.closed), c.mean("subsidy", c.closed)
    yield CheckResult("closed: lives on co-production income", "sales + rentals + services >= 60% of costs, > subsidy",
                      f"{co:,.0f} of {cost:,.0f} ({co / cost:.0%}), subsidy {sub:,.0f}", f"means over {n} seeds",
                      co >= 0.6 * cost and co > sub, "case study: co-production with artists, engineers and companies")


def fee_transient(c: Checker) -> CheckResult:
    """A fee from now on reaches the regulars at their visits, over weeks: not a third of them gone in ten days.

    The open lab, warmed up free, asks EUR 12 a visit from the measured year's
    first day; its active regulars are compared week by week with the same
    seeds left free. The loss by the end of week 2 must be at most a quarter of
    the loss by week 26 (and there must be a loss): habit and the option of a
    membership spread the decisions (issue 30).
    """
    m = c.paired_seeds
    base, fee = c.weekly_regulars(c.open, m), c.weekly_regulars(c.open, m, price_per_visit=FEE_FROM_NOW)
    seeds = [s for s in base if s in fee]
    if not seeds:
        return CheckResult("a EUR 12 fee from now on: regulars leave over weeks, not days", "measurable",
                           "no run completed", f"paired over {m} seeds", False, "issue 30")
    loss = np.mean([base[s] - fee[s] for s in seeds], axis=0)
    early, half = float(loss[FEE_EARLY_WEEKS - 1]), float(loss[FEE_HALF_YEAR - 1])
    return CheckResult("a EUR 12 fee from now on: regulars leave over weeks, not days",
                       "loss by week 2 <= 1/4 of the loss by week 26 (> 0)",
                       f"week 2: {early:+.1f}, week 26: {half:+.1f} active regulars",
                       f"mean paired loss over {len(seeds)} seeds", half > 0 and early <= 0.25 * half,
                       "issue 30; DellaVigna & Malmendier 2006 (habit: ~2.3 months to cancel)")


def opening_the_closed_lab(c: Checker) -> Iterator[CheckResult]:
    """M9: the closed lab under open access (its other settings kept), against itself; the calibration's seeds."""
    n = c.seeds
    opening = {"access": "open"}
    more = ratio(c, "visitors", c.closed, {}, opening, n=n)
    each = ratio(c, works_per_participant, c.closed, {}, opening, n=n)
    yield CheckResult("opening the closed lab: many more visitors, fewer works per participant",
                      "visitors x > 3, works per participant x < 0.9", f"x{more:.1f}, x{each:.2f}",
                      f"ratios of means over {n} seeds", more > 3 and each < 0.9,
                      "case study: the closed lab's few selected artists make its works with its engineers")


def network_shape(c: Checker) -> Iterator[CheckResult]:
    """Swarm against island: the shape of the two labs' collaboration networks."""
    k = c.network_seeds
    keys = ("density", "giant_component_share", "mediator_betweenness_share", "nodes")
    o = {key: c.mean(key, c.open, k) for key in keys}
    cl = {key: c.mean(key, c.closed, k) for key in keys}
    yield CheckResult("open lab is a swarm", "density < 0.01, giant component > 80%, mediators' brokerage > 20%",
                      f"{o['density']:.4f}, {o['giant_component_share']:.0%}, {o['mediator_betweenness_share']:.0%}",
                      f"means over {k} seeds",
                      o["density"] < 0.01 and o["giant_component_share"] > 0.8 and o["mediator_betweenness_share"] > 0.2,
                      "case study")
    yield CheckResult("closed lab is an island", "< 5% of the open lab's nodes, 10x denser, staff broker > 50%",
                      f"{cl['nodes'] / o['nodes']:.1%}, {cl['density'] / o['density']:.0f}x, "
                      f"{cl['mediator_betweenness_share']:.0%}", f"means over {k} seeds",
                      cl["nodes"] < 0.05 * o["nodes"] and cl["density"] > 10 * o["density"]
                      and cl["mediator_betweenness_share"] > 0.5, "case study")
    po, pc = c.mean("modularity_peers", c.open, k), c.mean("modularity_peers", c.closed, k)
    mo, mc = c.mean("modularity", c.open, k), c.mean("modularity", c.closed, k)
    yield CheckResult("restricted access: participants' network more modular", "closed's > open's (staff left out)",
                      f"closed {pc:.2f}, open {po:.2f} (with staff: {mc:.2f}, {mo:.2f})", f"means over {k} seeds",
                      pc > po, "Kaat et al. 2024 (person-tool networks, staff not nodes); docs/ODD.md 1.2")


CHECKS = (steady_state, formation, calibration, arrivals_and_careers, governance, levers, market, network_shape)  # the long runs first: shorter requests reuse them


def run_checks(seeds: int = 20, network_seeds: int = 3, paired_seeds: int = 20, drift_seeds: int = 12,
               workers: int | None = None, progress: Callable[[str], None] | None = None,
               formation_seeds: int = 10) -> list[CheckResult]:
    """Every check, in order; `progress(fact)` is told of each check done (labsim check-model's bar)."""
    rows = []
    with Checker(seeds, network_seeds, paired_seeds, drift_seeds, workers, formation_seeds=formation_seeds) as checker:
        for check in CHECKS:
            for row in check(checker):
                rows.append(row)
                if progress is not None:
                    progress(row.fact)
    if checker.failed:
        rows.append(failures(checker.failed))
    return rows


def failures(failed: list[dict]) -> CheckResult:
    """The row that says runs failed, and which: their seeds were left out of the means above."""
    first = failed[0]
    changes = ", ".join(f"{k}={v}" for k, v in first["changes"].items())
    which = f"{first['scenario']}{f' ({changes})' if changes else ''} seed {first['seed']}: {first['error']}"
    more = f"; and {len(failed) - 1} more" if len(failed) > 1 else ""
    return CheckResult("every run of the check-up completed", "0 failed", f"{len(failed)} failed: {which}{more}",
                       "failed seeds are left out of the means above", False)


def table(rows: list[CheckResult], width: int = 100) -> str:
    """The check-up as a plain-text table no wider than `width` (long facts and targets wrap in their column)."""
    from sim.text import wrapped_table

    head = ("fact", "target", "measured", "tolerance", "")
    body = [(r.fact, r.target, r.measured, r.tolerance, "ok" if r.passed else "FAIL") for r in rows]
    return wrapped_table(head, body, width, min_width=4)
