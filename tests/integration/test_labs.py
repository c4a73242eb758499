"""The two case-study labs differ the way the case study says."""

from sim.metrics import summary


def test_open_lab_is_a_swarm(open_summary):
    s = open_summary
    assert 6000 < s["visitors"] < 10000
    assert s["contributors"] < 0.05 * s["visitors"]
    assert s["partners"] < 0.25 * s["contributors"]
    assert s["mediators"] == 10
    assert s["density"] < 0.01
    assert s["giant_component_share"] > 0.5
    assert s["mediator_betweenness_share"] > 0.2  # 10 of ~8,000 nodes carry a fifth of the brokerage


def test_closed_lab_is_an_island(open_summary, closed_summary):
    o, c = open_summary, closed_summary
    assert c["mediators"] == 8
    assert c["visitors"] < 0.05 * o["visitors"]
    assert c["density"] > 10 * o["density"]
    assert 1 <= c["residencies_completed"] <= 4
    assert c["works_produced"] / c["visitors"] > o["works_produced"] / o["visitors"]
    assert c["blog_articles_published"] > 0 and o["blog_articles_published"] == 0


def test_only_the_closed_lab_sells_works(run_model, open_summary):
    # works are the residencies' (co-produced by the lab): the open lab has none to sell; one seed of the
    # closed lab may deal none, so one of three seeds must (run until one does)
    deals = (summary(run_model("digital_arti", seed=s), network=False) for s in range(3))
    assert any(s["revenue_sales"] + s["revenue_rentals"] > 0 for s in deals)
    o = open_summary
    assert o["works_sold"] == o["works_rented"] == 0 and o["revenue_sales"] == 0
