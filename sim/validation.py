"""The model's check-up: calibration bands of the presets and the stylised facts.

Each check runs several seeds, averages, and compares with its target under a
stated tolerance. `labsim check-model` prints the table; the test suite asserts
every row passes. Runs are cached within one `Checker`, so facts that share a
setting share its runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from sim.metrics import network_metrics, summary
from sim.run import simulate
from sim.scenario import load_scenario

OPEN, CLOSED = "carrefour_numerique", "digital_arti"
SMALL_OPEN = {"host_footfall_per_day": 2000.0}  # directional checks run on a smaller open lab: same mechanisms, faster


@dataclass(frozen=True)
class CheckResult:
    """One row of the check-up."""

    fact: str
    target: str
    measured: str
    tolerance: str
    passed: bool


class Checker:
    """Runs and caches the seeds each check needs."""

    def __init__(self, seeds: int = 20, network_seeds: int = 3) -> None:
        """Calibration uses `seeds` one-year runs per preset; network shape `network_seeds` (costlier)."""
        self.seeds, self.network_seeds = seeds, network_seeds
        self._cache: dict[tuple, list[dict]] = {}

    def runs(self, preset: str, n: int, network: bool = False, **changes) -> list[dict]:
        """Summaries of n one-year runs (seeds 0..n-1, common to every setting)."""
        key = (preset, n, network, tuple(sorted(changes.items())))
        if key not in self._cache:
            sc = load_scenario(preset)
            sc = sc.with_settings(**changes) if changes else sc
            out = []
            for seed in range(n):
                model = simulate(sc, seed, 1.0)
                s = summary(model, network=False)
                net = model.network
                n = net.number_of_nodes()
                s["density"], s["nodes"] = 2 * net.n_edges / (n * (n - 1)), n
                if network:
                    s |= network_metrics(net.to_igraph(), seed=seed)
                out.append(s)
            self._cache[key] = out
        return self._cache[key]

    def mean(self, metric: str | Callable[[dict], float], preset: str, n: int | None = None, **kw) -> float:
        """Mean of a metric (a key or a function of the summary) over the runs."""
        f = metric if callable(metric) else (lambda s: s[metric])
        return float(np.mean([f(s) for s in self.runs(preset, n or self.seeds, **kw)]))

    def paired(self, metric: Callable[[dict], float], n: int, a: dict, b: dict, preset: str = OPEN) -> tuple[float, float]:
        """Mean paired difference (b - a) over common seeds, and its standard error."""
        ra, rb = self.runs(preset, n, **a), self.runs(preset, n, **b)
        d = np.array([metric(y) - metric(x) for x, y in zip(ra, rb, strict=True)])
        return float(d.mean()), float(d.std(ddof=1) / np.sqrt(n))


def _band(fact: str, value: float, lo: float, hi: float, n: int, fmt: str = ",.1f") -> CheckResult:
    return CheckResult(fact, f"{lo:{fmt}} to {hi:{fmt}}", f"{value:{fmt}}", f"mean of {n} seeds inside the band",
                       lo <= value <= hi)


def _greater(fact: str, diff: float, se: float, n: int, target: str, minimum: float = 0.0) -> CheckResult:
    return CheckResult(fact, target, f"{diff:+.4f} (se {se:.4f})",
                       f"paired mean difference over {n} seeds > {minimum:g} and > 2 se", diff > max(minimum, 2 * se))


def return_rate(s: dict) -> float:
    """Share of visitors who came back at least once."""
    return s["returning_visitors"] / s["visitors"]


def works_per_participant(s: dict) -> float:
    """Works produced per person who visited."""
    return s["works_produced"] / max(1, s["visitors"])


def calibration(c: Checker) -> Iterator[CheckResult]:
    """The case study's figures (shared/DOMAIN.md) against the presets, one year each."""
    n = c.seeds
    yield _band("open: occasional users (visitors)", c.mean("visitors", OPEN), 7200, 8800, n)
    yield _band("open: regular contributors", c.mean("contributors", OPEN), 100, 166, n)
    yield _band("open: partners (the hard core)", c.mean("partners", OPEN), 12, 18, n)
    yield _band("open: mediators", c.mean("mediators", OPEN), 10, 10, n)
    yield _band("open: big events a year (~20)", c.mean("events_held", OPEN), 18, 22, n)
    yield _band("open: workshops a year (~50)", c.mean("workshops_held", OPEN), 45, 55, n)
    yield _band("closed: staff (mediators)", c.mean("mediators", CLOSED), 8, 8, n)
    yield _band("closed: residencies completed a year", c.mean("residencies_completed", CLOSED), 2, 3, n, ".2f")
    ratio = c.mean("density", CLOSED) / c.mean("density", OPEN)
    yield CheckResult("closed: network density / open's", "well above 1", f"{ratio:,.0f}x",
                      f"ratio of means over {n} seeds > 10", ratio > 10)
    share = c.mean("visitors", CLOSED) / c.mean("visitors", OPEN)
    yield CheckResult("closed: public participants / open's", "few (blog authors aside)", f"{share:.2%}",
                      f"ratio of means over {n} seeds < 3%", share < 0.03)


def stylised_facts(c: Checker) -> Iterator[CheckResult]:
    """The stylised facts of participation (shared/DOMAIN.md), on the open lab unless stated."""
    n = c.seeds
    gini, once = c.mean("gini_visits", OPEN), 1 - c.mean(return_rate, OPEN)
    yield CheckResult("long tail of visits", "Gini >= 0.3 and >= 60% come once",
                      f"Gini {gini:.3f}, {once:.0%} once", f"means over {n} seeds", gini >= 0.3 and once >= 0.6)
    regulars = c.mean("contributors", OPEN) / c.mean("visitors", OPEN)
    yield _band("regulars / occasional users", regulars, 0.01, 0.02, n, ".4f")
    core = c.mean("partners", OPEN) / c.mean("contributors", OPEN)
    yield _band("core (partners) / regulars", core, 0.10, 0.15, n, ".3f")
    m = 10
    no_ws = {"workshops_per_year": 0.0}
    d, se = c.paired(return_rate, m, SMALL_OPEN | no_ws | {"mediators": 0}, SMALL_OPEN | no_ws)
    yield CheckResult("mediator attention adds ~10 points of return", "+0.05 to +0.20", f"{d:+.4f} (se {se:.4f})",
                      f"paired mean over {m} seeds in band", 0.05 <= d <= 0.20)
    d, se = c.paired(return_rate, m, SMALL_OPEN | {"mediators": 5}, SMALL_OPEN | {"mediators": 15})
    yield _greater("more mediation raises the return rate (5 -> 15)", d, se, m, "> 0")
    d, se = c.paired(return_rate, m, SMALL_OPEN | {"open_documentation": 0.0}, SMALL_OPEN)
    yield _greater("open documentation raises newcomers' return", d, se, m, "> 0")
    a, b = c.runs(OPEN, m, **SMALL_OPEN), c.runs(OPEN, m, **SMALL_OPEN | {"access": "appointment"})
    fewer = np.mean([y["visitors"] for y in b]) / np.mean([x["visitors"] for x in a])
    more = np.mean([works_per_participant(y) for y in b]) / np.mean([works_per_participant(x) for x in a])
    yield CheckResult("appointment-only: fewer participants, more works each", "participants x < 1, works each x > 1",
                      f"x{fewer:.2f}, x{more:.2f}", f"ratios of means over {m} seeds", fewer < 1 < more)
    a = c.runs(OPEN, m, **SMALL_OPEN)
    b = c.runs(OPEN, m, **SMALL_OPEN | {"contributor_selectivity": 0.7})
    fewer = np.mean([y["contributors"] for y in b]) / np.mean([x["contributors"] for x in a])
    each = np.mean([y["works_produced"] / max(1, y["contributors"]) for y in b]) / np.mean(
        [x["works_produced"] / max(1, x["contributors"]) for x in a])
    yield CheckResult("selection: fewer contributors, more works each", "contributors x < 1, works each x > 1",
                      f"x{fewer:.2f}, x{each:.2f}", f"ratios of means over {m} seeds", fewer < 1 < each)
    d, se = c.paired(lambda s: -s["partners"], m, SMALL_OPEN | {"internal_friction": 0.0},
                     SMALL_OPEN | {"internal_friction": 0.8})
    yield _greater("internal friction lowers the number of partners", d, se, m, "fewer partners at 0.8 than 0")


def network_shape(c: Checker) -> Iterator[CheckResult]:
    """Swarm against island: the shape of the two labs' collaboration networks."""
    k = c.network_seeds
    o = {key: c.mean(key, OPEN, k, network=True) for key in ("density", "giant_component_share",
                                                            "mediator_betweenness_share", "nodes")}
    cl = {key: c.mean(key, CLOSED, k, network=True) for key in ("density", "mediator_betweenness_share", "nodes")}
    yield CheckResult("open lab is a swarm", "density < 0.01, giant component > 80%, mediators' brokerage > 20%",
                      f"{o['density']:.4f}, {o['giant_component_share']:.0%}, {o['mediator_betweenness_share']:.0%}",
                      f"means over {k} seeds",
                      o["density"] < 0.01 and o["giant_component_share"] > 0.8 and o["mediator_betweenness_share"] > 0.2)
    yield CheckResult("closed lab is an island", "< 5% of the open lab's nodes, 10x denser, staff broker > 50%",
                      f"{cl['nodes'] / o['nodes']:.1%}, {cl['density'] / o['density']:.0f}x, "
                      f"{cl['mediator_betweenness_share']:.0%}", f"means over {k} seeds",
                      cl["nodes"] < 0.05 * o["nodes"] and cl["density"] > 10 * o["density"]
                      and cl["mediator_betweenness_share"] > 0.5)


CHECKS = (calibration, stylised_facts, network_shape)


def run_checks(seeds: int = 20, network_seeds: int = 3) -> list[CheckResult]:
    """Every check, in order."""
    checker = Checker(seeds, network_seeds)
    return [row for check in CHECKS for row in check(checker)]


def table(rows: list[CheckResult]) -> str:
    """The check-up as a plain-text table."""
    head = ("fact", "target", "measured", "tolerance", "")
    cells = [head] + [(r.fact, r.target, r.measured, r.tolerance, "ok" if r.passed else "FAIL") for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(head))]
    lines = ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)
