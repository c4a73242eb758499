"""Metrics against networkx's reference implementations, and the sampling error of betweenness."""

import networkx as nx
import numpy as np
import pytest

from sim.metrics import betweenness, gini, network_metrics, to_igraph


def _graph(n=300, seed=1):
    g = nx.barabasi_albert_graph(n, 3, seed=seed)
    hubs = sorted(g.degree, key=lambda x: -x[1])[:10]
    for v in g:
        g.nodes[v]["role"] = "visitor"
    for v, _ in hubs:
        g.nodes[v]["role"] = "mediator"
    for u, v in g.edges:
        g[u][v]["weight"] = 1
    return g


def test_metrics_match_networkx_on_a_small_graph():
    g = _graph(120)
    m = network_metrics(g, seed=0)
    assert m["density"] == pytest.approx(nx.density(g))
    assert m["avg_clustering"] == pytest.approx(nx.average_clustering(g), abs=1e-6)
    assert m["giant_component_share"] == pytest.approx(1.0)
    ref = nx.betweenness_centrality(g, normalized=True)
    assert np.allclose(betweenness(to_igraph(g), 0), [ref[v] for v in g])
    assert m["core_size"] == sum(1 for k in nx.core_number(g).values() if k == max(nx.core_number(g).values()))


def test_sampled_mediator_share_is_close_to_exact():
    # 3,000 nodes, 128 sampled sources: the documented error of the mediators' share is under 10% (relative)
    g = _graph(3000, seed=2)
    ig_g = to_igraph(g)
    mediators = np.array([r == "mediator" for r in ig_g.vs["role"]])
    exact = betweenness(ig_g, 0, samples=10_000)
    share = exact[mediators].sum() / exact.sum()
    errors = []
    for seed in range(5):
        est = betweenness(ig_g, seed)
        errors.append(abs(est[mediators].sum() / est.sum() - share) / share)
    assert max(errors) < 0.10, errors


def test_gini():
    assert gini([1, 1, 1, 1]) == pytest.approx(0.0)
    assert gini([0, 0, 0, 10]) == pytest.approx(0.75)
    assert gini([]) == 0.0
