"""What a run yields: the funnel, the summary and the network's shape.

Network measures run in igraph's C routines. Betweenness, quadratic on large
graphs, is estimated from `BETWEENNESS_SAMPLES` random sources when the graph is
larger than that (exact otherwise): the relative error of the mediators' share
stays under 10% (`tests/test_metrics.py`; about 5% on the open lab's network).
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import Any

import igraph as ig
import networkx as nx
import numpy as np

from sim.kinds import DAYS_PER_YEAR, Affiliation, Channel, Role

BETWEENNESS_SAMPLES = 128
_CHANNEL_OF = {Channel.FOOTFALL: "footfall", Channel.EVENT: "events", Channel.WORKSHOP: "workshops",
               Channel.WORD_OF_MOUTH: "word_of_mouth", Channel.REPUTATION: "reputation"}
NOT_NEWCOMERS = (Channel.INITIAL, Channel.STAFF, Channel.PARTNERSHIP, Channel.RESIDENCY, Channel.PROVIDER,
                 Channel.MARKET)  # people who did not walk in as newcomers: outside the cohorts
from sim.outcomes import (  # noqa: E402, F401  (the summary's keys, by group: light, for readers of files)
    BUDGET_KEYS,
    CHANNELS,
    COHORT_KEYS,
    LADDER_KEYS,
    MARKET_KEYS,
    NETWORK_KEYS,
    VISIT_QUANTILE_KEYS,
    VISIT_QUANTILES,
)

FUNNEL_STEPS = ("visitors", "returning_visitors", "contributors", "partners")
NETWORK_SIZE = ("nodes", "density")  # the network's size: measured by every run, at no cost (sim.run.summarise_run)


def measures_network(outcomes: Iterable[str] | None) -> bool:
    """Whether a summary asked for `outcomes` (None: every one) needs the network measures.

    They (betweenness, modularity, clustering, cores) are most of a summary's time, about half of a
    mature lab's measured year (benchmarks/README.md); a calibration whose targets are counts of
    visitors asks for those only, and its runs skip them. The network's size is measured either way.
    """
    return outcomes is None or any(o in NETWORK_KEYS and o not in NETWORK_SIZE for o in outcomes)


def gini(values) -> float:
    """Gini coefficient of non-negative values (0 = equal, 1 = one holds all)."""
    x = np.sort(np.asarray(values, dtype=float))
    n = x.size
    if n == 0 or x.sum() == 0:
        return 0.0
    cum = np.cumsum(x)
    return float((n + 1 - 2 * (cum / cum[-1]).sum()) / n)


def visit_quantiles(counts) -> dict[str, float]:
    """The 50/75/90/99% quantiles of visits per visitor (linear interpolation), 0 with no visitor.

    One function for the model's summary and `labsim log describe`, so a log's
    quantiles and a run's are the same statistic (calibration compares them).
    """
    c = np.asarray(counts, dtype=float)
    if not c.size:
        return dict.fromkeys(VISIT_QUANTILE_KEYS, 0.0)
    return {k: round(float(v), 6) for k, v in zip(VISIT_QUANTILE_KEYS, np.percentile(c, VISIT_QUANTILES), strict=True)}


def cohorts(model: Any) -> dict[str, float | None]:
    """One-year survival of returners and retention of new members, on the cohorts whose year ends in the period.

    A cohort is measured only if its whole year lies inside the run and ends
    inside the measured period: first day in [start - 365, end - 365], with
    start the end of the warm-up. The value is None (with the reason in
    `cohort_gap`) when no cohort fits, e.g. one measured year without warm-up.
    Returners came back within 90 days of their first visit; survival is the
    share of them who made a visit in the 90 days before their first visit's
    anniversary. Retention is the share of new members (first day as a
    contributor) still contributor or above a year later.
    """
    end, start = model.time, model.measure_start
    lo, hi = max(0.0, start - DAYS_PER_YEAR), end - DAYS_PER_YEAR
    out: dict[str, float | None] = dict.fromkeys(COHORT_KEYS)
    if hi <= lo:
        return out | {"cohort_gap": f"no cohort's year fits in the run (warm-up {start / DAYS_PER_YEAR:g} y, measured "
                                    f"{(end - start) / DAYS_PER_YEAR:g} y): needs warm-up + years > 1 and years > 0"}
    people = model.people
    n = people.n
    came = ~np.isin(people.channel[:n], NOT_NEWCOMERS) & ~np.isnan(people.first_visit[:n])
    first, since = people.first_visit[:n], people.member_since[:n]
    returners = came & (first >= lo) & (first <= hi) & people.returned_early[:n]
    members = came & (since >= lo) & (since <= hi)
    if returners.any():
        out["returner_survival_1y"] = round(float(people.active_at_1y[:n][returners].mean()), 6)
    if members.any():
        out["member_retention_1y"] = round(float(people.retained_1y[:n][members].mean()), 6)
    empty = [k for k, v in out.items() if v is None]
    if empty:
        out["cohort_gap"] = f"{' and '.join(empty)}: nobody in the cohorts of days {lo:g}-{hi:g}"
    return out


def period_visits(model: Any) -> np.ndarray:
    """Visits of each person who came in the measured period (forgotten people included)."""
    people = model.people
    visits = people.visits[: people.n] - people.visits_before[: people.n]
    return visits[visits > 0]


def summary(model: Any, network: bool = True) -> dict[str, float | int | None]:
    """The measured period's outcomes: the ladder, arrivals, programme, output and (unless network=False) the network.

    A caller asking for some outcomes only decides `network` with `measures_network` (`sim.run.summarise_run`):
    the other outcomes cost next to nothing and are all returned.
    """
    people, tally = model.people, model.tally
    n = people.n
    visits = period_visits(model)
    visitors = int(tally["visitors"])
    contributors = int((people.held_role(Role.CONTRIBUTOR) | people.held_role(Role.PARTNER)).sum())
    individual = people.active[:n] & (people.role[:n] == Role.PARTNER) & (people.affiliation[:n] == Affiliation.INDIVIDUAL)
    channels = {f"newcomers_{c}": 0 for c in CHANNELS}
    for channel, name in _CHANNEL_OF.items():
        channels[f"newcomers_{name}"] = int(tally.newcomers[channel])
    out = {
        "visitors": visitors,
        "returning_visitors": int((visits >= 2).sum()),
        "contributors": contributors,
        "contributors_active_end": int(people.active_count[Role.CONTRIBUTOR]),
        "partners": int(people.held_role(Role.PARTNER).sum()),
        "partners_active_end": int(individual.sum()),
        **stocks(tally),
        "mediators": len(model.staff),
        "artists": int(people.held_role(Role.ARTIST).sum()),
        "partner_organisations": model.partnerships.active,
        "engineer_providers": len(model.market.engineers),
        "conversion_visitor_contributor": tally["promoted_contributor"] / visitors if visitors else 0.0,
        "conversion_contributor_partner": tally["promoted_partner"] / contributors if contributors else 0.0,
        "visits": int(tally["visits"]),
        "regular_visits": int(tally["regular_visits"]),
        "newcomers": sum(channels.values()),
        **channels,
        "workshops_held": int(tally["workshops_held"]),
        "events_held": int(tally["events_held"]),
        "people_trained": int(tally["people_trained"]),
        "residencies_completed": int(tally["residencies_completed"]),
        "works_produced": int(tally["works_produced"]),
        "docs_pages": round(model.awareness.docs_pages, 2),
        "gini_visits": round(gini(visits), 6),
        "visitors_4plus_share": round(float((visits >= 4).mean()), 6) if visits.size else 0.0,
        "visits_max": int(visits.max()) if visits.size else 0,
        **visit_quantiles(visits),
        "partners_initial_share": initial_share(people),
        **model.budget.summary(int(tally["visits"]), contributors),
        **market(model),
    }
    cohort = cohorts(model)
    gap = cohort.pop("cohort_gap", None)
    out |= cohort
    if gap:
        out["cohort_gap"] = gap
    if not network:
        return out
    return out | network_metrics(model.network.to_igraph(), seed=int(model.rng.integers(2**31)))


def initial_share(people: Any) -> float:
    """Share of the period's individual partners who were seated before the warm-up (0 when there were none).

    Tells whether the measured core formed in the run or was typed in as the
    initial population (issue 21).
    """
    partners = people.held_role(Role.PARTNER)
    count = int(partners.sum())
    return round(int((partners & (people.channel[: people.n] == Channel.INITIAL)).sum()) / count, 6) if count else 0.0


def stocks(tally: Any) -> dict[str, float]:
    """How many were active at a time, on average over the period's days (stocks, beside the flows' yearly counts)."""
    days = tally["days_counted"]
    return {f"{name}_active_mean": round(tally[f"{unit}_days"] / days, 2) if days else 0.0
            for name, unit in (("contributors", "contributor"), ("partners", "partner"), ("members", "member"))}


def market(model: Any) -> dict[str, float | int]:
    """Memberships, works dealt, clients, engineers' hours, company projects, partnerships and the blog."""
    t = model.tally
    counts = ("works_sold", "works_rented")
    return {
        "subscribers": len(t.subscribers),
        **{k: int(t[k]) for k in counts},
        "client_companies": len(t.clients),
        "engineer_hours": round(float(t["engineer_hours"]), 2),
        "projects_completed": int(t["works_produced"] + t["company_projects"]),
        **{k: int(t[k]) for k in ("company_projects", "confidential_projects", "partnerships_formed",
                                  "partnerships_ended", "blog_articles_published", "blog_articles_rejected",
                                  "blog_authors")},
    }


def to_igraph(graph: nx.Graph) -> ig.Graph:
    """The same graph in igraph (C), with node order kept and `role` and `weight` copied."""
    index = {v: i for i, v in enumerate(graph.nodes)}
    g = ig.Graph(n=len(index))
    if graph.number_of_edges():
        edges = np.array([(index[u], index[v], w) for u, v, w in graph.edges(data="weight")], dtype=np.int64)
        g.add_edges(edges[:, :2])
        g.es["weight"] = edges[:, 2].tolist()
    g.vs["role"] = [r for _, r in graph.nodes(data="role")]
    return g


def modularity(g: ig.Graph) -> float:
    """Modularity of the Leiden partition (igraph's random generator seeded by the caller)."""
    communities = g.community_leiden(objective_function="modularity", weights="weight", n_iterations=2)
    return round(g.modularity(communities, weights="weight"), 6)


def network_metrics(graph: nx.Graph | ig.Graph, seed: int = 0) -> dict[str, float | int]:
    """Shape of the collaboration network: swarm (open) or island (closed).

    Computed with igraph's C routines, so that a year's metrics cost less than
    simulating it; betweenness is sampled on large graphs (see `betweenness`).
    """
    g = graph if isinstance(graph, ig.Graph) else to_igraph(graph)
    n, m = g.vcount(), g.ecount()
    out = {
        "nodes": n,
        "edges": m,
        "density": round(2 * m / (n * (n - 1)), 8) if n > 1 else 0.0,
        "avg_clustering": 0.0,
        "giant_component_share": 0.0,
        "degree_centralization": 0.0,
        "betweenness_centralization": 0.0,
        "mediator_betweenness_share": 0.0,
        "modularity": 0.0,
        "modularity_peers": 0.0,
        "core_size": 0,
    }
    if n < 3 or m == 0:
        return out
    degrees = np.asarray(g.degree(), dtype=float)
    out["avg_clustering"] = round(float(np.mean(g.transitivity_local_undirected(mode="zero"))), 6)
    out["giant_component_share"] = round(max(g.connected_components().sizes()) / n, 6)
    out["degree_centralization"] = round(float((degrees.max() - degrees).sum() / ((n - 1) * (n - 2))), 6)
    bc = betweenness(g, seed)
    out["betweenness_centralization"] = round(float((bc.max() - bc).sum() / (n - 1)), 6)
    total = bc.sum()
    mediators = np.array([r == "mediator" for r in g.vs["role"]])
    out["mediator_betweenness_share"] = round(float(bc[mediators].sum() / total), 6) if total > 0 else 0.0
    ig.set_random_number_generator(random.Random(seed))  # Leiden's random moves, seeded
    out["modularity"] = modularity(g)
    peers = g.induced_subgraph(np.flatnonzero(~mediators).tolist())
    peers = peers.induced_subgraph(np.flatnonzero(np.asarray(peers.degree()) > 0).tolist())
    out["modularity_peers"] = modularity(peers) if peers.ecount() else 0.0
    ig.set_random_number_generator(random)
    cores = np.asarray(g.coreness())
    out["core_size"] = int((cores == cores.max()).sum())
    return out


def betweenness(g: ig.Graph, seed: int, samples: int = BETWEENNESS_SAMPLES) -> np.ndarray:
    """Normalised betweenness (as networkx's): exact up to `samples` nodes, else from `samples` random sources.

    The sampled estimate counts shortest paths from the sampled sources only and
    scales them by n / samples (Brandes & Pich 2007); it is unbiased.
    """
    n = g.vcount()
    if n <= samples:
        raw = np.asarray(g.betweenness(directed=False))
    else:
        sources = np.random.default_rng(seed).choice(n, size=samples, replace=False).tolist()
        raw = np.asarray(g.betweenness(directed=False, sources=sources)) * n / samples
    return raw * 2 / ((n - 1) * (n - 2))


def funnel(summary_: dict) -> dict[str, int]:
    """The engagement funnel: how many stood on each rung."""
    return {step: int(summary_[step]) for step in FUNNEL_STEPS}


def _partners(m: Any) -> int:
    return int(m.people.active_count[Role.PARTNER]) - m.partnerships.active


WEEKLY_SERIES = {  # the DataCollector's model reporters (timeseries.csv): one row a week; `time` = days since the warm-up ended, at the end of the week
    "time": lambda m: m.time + 0.5 - m.warmup_days,
    **{f"{role.label}s": (lambda r: lambda m: int(m.people.active_count[r]))(role)
       for role in (Role.VISITOR, Role.CONTRIBUTOR)},
    "partners": _partners,
    **{f"{role.label}s": (lambda r: lambda m: int(m.people.active_count[r]))(role)
       for role in (Role.MEDIATOR, Role.ARTIST)},
    "arrivals": lambda m: m.tally.week["arrivals"],
    "visits": lambda m: m.tally.week["visits"],
    "lapses": lambda m: m.tally.week["lapses"],
    "comebacks": lambda m: m.tally.week["comebacks"],
    "docs_pages": lambda m: m.awareness.docs_pages,
    "reputation": lambda m: round(m.awareness.renown, 2),
    "revenue": lambda m: round(m.budget.revenue, 2),
    "costs": lambda m: round(sum(m.budget.costs.values()), 2),
}
