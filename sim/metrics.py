"""What a run yields: the funnel, the summary and the network's shape.

Network measures that are quadratic or worse on large graphs are estimated:
betweenness from `BETWEENNESS_SAMPLES` source nodes (exact when the graph is
at most that size; the relative error of a share estimated this way is of the
order of 1/sqrt(samples), a few percent).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import networkx as nx
import numpy as np

if TYPE_CHECKING:
    from sim.model import LabModel

BETWEENNESS_SAMPLES = 64
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
    people = [a for a in model.agents if hasattr(a, "visits")]
    visits = [a.visits for a in people if a.visits > 0]
    visitors = len(model.visited)
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
    return ladder | network_metrics(model.network.graph, seed=int(model.rng.integers(2**31)))


def network_metrics(graph: nx.Graph, seed: int = 0) -> dict[str, float | int]:
    """Shape of the collaboration network: swarm (open) or island (closed)."""
    n, m = graph.number_of_nodes(), graph.number_of_edges()
    out = {
        "nodes": n,
        "edges": m,
        "density": round(nx.density(graph), 8) if n > 1 else 0.0,
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
    degrees = np.fromiter((d for _, d in graph.degree()), dtype=float, count=n)
    out["avg_clustering"] = round(nx.average_clustering(graph), 6)
    giant = max(nx.connected_components(graph), key=len)
    out["giant_component_share"] = round(len(giant) / n, 6)
    out["degree_centralization"] = round(float((degrees.max() - degrees).sum() / ((n - 1) * (n - 2))), 6)
    bc = betweenness(graph, seed)
    values = np.fromiter(bc.values(), dtype=float, count=len(bc))
    out["betweenness_centralization"] = round(float((values.max() - values).sum() / (n - 1)), 6)
    total = values.sum()
    med = sum(bc[v] for v, role in graph.nodes(data="role") if role == "mediator")
    out["mediator_betweenness_share"] = round(float(med / total), 6) if total > 0 else 0.0
    communities = nx.community.louvain_communities(graph, weight="weight", seed=seed)
    out["modularity"] = round(nx.community.modularity(graph, communities, weight="weight"), 6)
    cores = nx.core_number(graph)
    kmax = max(cores.values())
    out["core_size"] = sum(1 for k in cores.values() if k == kmax)
    return out


def betweenness(graph: nx.Graph, seed: int) -> dict[int, float]:
    """Normalised betweenness, sampled from BETWEENNESS_SAMPLES sources on large graphs."""
    n = graph.number_of_nodes()
    k = None if n <= BETWEENNESS_SAMPLES else BETWEENNESS_SAMPLES
    return nx.betweenness_centrality(graph, k=k, normalized=True, seed=seed)


def funnel(summary_: dict) -> dict[str, int]:
    """The engagement funnel: how many stood on each rung."""
    return {step: int(summary_[step]) for step in FUNNEL_STEPS}
