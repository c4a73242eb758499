"""What a run yields: the funnel, the summary and the network's shape.

Network measures run in igraph's C routines. Betweenness, quadratic on large
graphs, is estimated from `BETWEENNESS_SAMPLES` random sources when the graph is
larger than that (exact otherwise): the relative error of the mediators' share
stays under 10% (`tests/test_metrics.py`; about 5% on the open lab's network).
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

import igraph as ig
import networkx as nx
import numpy as np

if TYPE_CHECKING:
    from sim.model import LabModel

BETWEENNESS_SAMPLES = 128
LADDER_KEYS = (
    "visitors", "returning_visitors", "contributors", "contributors_active_end", "partners", "partners_active_end",
    "mediators", "artists", "conversion_visitor_contributor", "conversion_contributor_partner", "visits",
    "workshops_held", "events_held", "residencies_completed", "works_produced", "revenue", "docs_pages",
    "blog_articles_published", "blog_authors", "gini_visits",
)
NETWORK_KEYS = (
    "nodes", "edges", "density", "avg_clustering", "giant_component_share", "degree_centralization",
    "betweenness_centralization", "mediator_betweenness_share", "modularity", "core_size",
)
FUNNEL_STEPS = ("visitors", "returning_visitors", "contributors", "partners")


def gini(values) -> float:
    """Gini coefficient of non-negative values (0 = equal, 1 = one holds all)."""
    x = np.sort(np.asarray(values, dtype=float))
    n = x.size
    if n == 0 or x.sum() == 0:
        return 0.0
    cum = np.cumsum(x)
    return float((n + 1 - 2 * (cum / cum[-1]).sum()) / n)


def summary(model: LabModel, network: bool = True) -> dict[str, float | int]:
    """The run's outcomes: the ladder, the programme, the output and (unless network=False) the network."""
    visits = [a.visits for a in model.agents if getattr(a, "visits", 0) > 0] + model.archived_visits
    visitors = model.n_visited
    contributors = len(model.ever["contributor"])
    ladder = {
        "visitors": visitors,
        "returning_visitors": sum(v >= 2 for v in visits),
        "contributors": contributors,
        "contributors_active_end": model.active_by_role["contributor"],
        "partners": len(model.ever["partner"]),
        "partners_active_end": model.active_by_role["partner"],
        "mediators": len(model.mediators),
        "artists": len(model.ever["artist"]),
        "conversion_visitor_contributor": model.promoted["contributor"] / visitors if visitors else 0.0,
        "conversion_contributor_partner": model.promoted["partner"] / contributors if contributors else 0.0,
        "visits": model.visits,
        "workshops_held": model.workshops_held,
        "events_held": model.events_held,
        "residencies_completed": model.residencies_completed,
        "works_produced": model.works_produced,
        "revenue": round(model.revenue, 2),
        "docs_pages": round(model.docs_pages, 2),
        "blog_articles_published": model.blog_articles_published,
        "blog_authors": len(model.blog_authors),
        "gini_visits": round(gini(visits), 6),
    }
    if not network:
        return ladder
    return ladder | network_metrics(model.network.to_igraph(), seed=int(model.rng.integers(2**31)))


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
    communities = g.community_leiden(objective_function="modularity", weights="weight", n_iterations=2)
    out["modularity"] = round(g.modularity(communities, weights="weight"), 6)
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
