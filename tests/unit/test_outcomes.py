"""The registry of outcomes, intervals that respect the quantity, and tables that fit a terminal."""

import numpy as np
import pandas as pd
import pytest

from sim import outcomes
from sim.analysis.compare import comparison_table, format_table
from sim.analysis.summary import mean_interval

BUDGET_AND_MARKET = (
    "revenue", "revenue_fees", "revenue_subscriptions", "revenue_workshops", "revenue_sales", "revenue_rentals",
    "revenue_services", "subsidy", "costs", "costs_staff", "costs_space", "costs_engineers", "costs_materials",
    "net_result", "public_cost", "cost_per_visit", "cost_per_contributor", "projects_completed", "confidential_projects",
    "blog_articles_rejected", "blog_authors", "subscribers", "works_sold", "works_rented", "engineer_hours",
    "client_companies", "partner_organisations", "company_projects", "partnerships_formed", "partnerships_ended",
)


def test_budget_and_market_keys_are_registered_in_euros():
    from sim.metrics import BUDGET_KEYS, MARKET_KEYS

    for key in {*BUDGET_AND_MARKET, *BUDGET_KEYS, *MARKET_KEYS}:
        assert key in outcomes.REGISTRY, key
    assert outcomes.get("costs").unit == "EUR" and outcomes.get("costs").better == "lower"
    assert outcomes.get("net_result").better == "higher" and outcomes.get("net_result").low is None
    assert outcomes.get("cost_per_visit").unit == "EUR/visit"
    assert outcomes.get("engineer_hours").unit == "hours"


def test_every_entry_is_complete():
    for o in outcomes.REGISTRY.values():
        assert o.kind in outcomes.KINDS and o.label and o.definition, o.name
        assert o.better in (None, "higher", "lower"), o.name
        if o.kind == "share":
            assert (o.low, o.high) == (0.0, 1.0), o.name


@pytest.mark.parametrize(("name", "value", "text"), [
    ("revenue", 18437.2, "€18,437"), ("revenue", -1234.5, "-€1,234"), ("visitors", 8310.4, "8,310"),
    ("visitors", 0.1, "0.1"), ("density", 0.00206, "0.00206"), ("mediator_betweenness_share", 0.481, "48.1%"),
    ("cost_per_visit", 2.345, "€2.35"), ("visitors", 1.5e7, "15,000,000"), ("density", 3e-7, "0.0000003"),
])
def test_values_are_written_with_units_and_never_in_scientific_notation(name, value, text):
    assert outcomes.fmt(name, value) == text
    assert "e" not in outcomes.fmt(name, value * 1.0001).lower().replace("€", "")


def test_a_share_difference_is_in_percentage_points():
    assert outcomes.fmt("giant_component_share", 0.503, sign=True) == "+50.3 pp"


def test_interval_of_a_rare_count_stays_at_or_above_zero():
    values = np.array([0, 0, 0, 0, 0, 0, 0, 0, 0, 1])  # mean 0.1: Student's t gives [-0.126, 0.326]
    mean, _, lo, hi = mean_interval(values, low=0.0)
    assert mean == pytest.approx(0.1) and lo >= 0 and lo <= mean <= hi <= 1


def test_interval_of_a_share_stays_within_zero_and_one():
    values = np.array([0.99, 1.0, 1.0, 0.97, 1.0])
    _, _, lo, hi = mean_interval(values, low=0.0, high=1.0)
    assert 0.0 <= lo <= hi <= 1.0


def test_bootstrap_intervals_are_reproducible():
    values = np.random.default_rng(5).poisson(3, size=12)
    assert mean_interval(values) == mean_interval(values.copy())


def _synthetic_runs(names, reps=10, seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for i, name in enumerate(names):
        for r in range(reps):
            rows.append({"run_id": f"{name}-{r}", "scenario": name, "point": 0, "replication": r, "seed": r,
                         "status": "ok", "error": "", "visitors": 8000 / (1 + 20 * i) + rng.normal(0, 30),
                         "contributors": float(rng.random() < (0.1 if i else 0.9)) * (1 if i else 120),
                         "revenue": 18437.2 * (1 + i) + rng.normal(0, 500),
                         "mediator_betweenness_share": min(1.0, 0.5 + 0.1 * i + rng.normal(0, 0.01))})
    return pd.DataFrame(rows)


def test_comparison_intervals_of_counts_are_never_negative():
    names = ["carrefour_numerique", "digital_arti"]
    table = comparison_table(_synthetic_runs(names), names)
    counts = table[table["kind"] == "count"]
    assert (counts["ci_low"] >= 0).all()
    assert {"label", "unit"} <= set(table.columns)


@pytest.mark.parametrize("names", [["carrefour_numerique", "digital_arti"],
                                   ["carrefour_numerique", "digital_arti", "le_cube", "friche",
                                    "institution_culturelle"]])
def test_compare_table_fits_100_columns_with_units(names):
    text = format_table(comparison_table(_synthetic_runs(names), names))
    assert max(len(line) for line in text.splitlines()) <= 100
    assert "€" in text and "%" in text and "e+" not in text


# -- the comparison report's words ---------------------------------------------------------------------------------
def _table_of(rows):
    """A comparison table from (metric, scenario, mean, diff, diff_low, diff_high) rows."""
    out = []
    for metric, name, mean, diff, lo, hi in rows:
        out.append({"metric": metric, "scenario": name, "n": 10, "mean": mean, "ci_low": mean, "ci_high": mean,
                    "diff": diff, "diff_low": lo, "diff_high": hi,
                    "significant": bool(lo == lo and (lo > 0 or hi < 0))})
    return pd.DataFrame(out)


def test_headline_names_a_difference_only_if_its_paired_interval_excludes_zero():
    from sim.analysis.story import headline

    nan = float("nan")
    table = _table_of([
        ("visitors", "open", 8000, nan, nan, nan), ("visitors", "closed", 200, -7800, -7900, -7700),
        ("contributors", "open", 120, nan, nan, nan), ("contributors", "closed", 60, -60, -130, 10),  # CI holds 0
        ("revenue", "open", 0.0, nan, nan, nan), ("revenue", "closed", 18437.2, 18437.2, 3000, 33000),
    ])
    found = headline(table)
    assert [f["metric"] for f in found] == ["visitors", "revenue"]
    assert "fewer visitors" in found[0]["sentence"] and "[-7,900 to -7,700]" in found[0]["sentence"]
    assert "€18,437 more revenue" in found[1]["sentence"]


def test_network_reading_follows_the_numbers():
    from sim.analysis.story import network_reading

    nan = float("nan")
    table = _table_of([("mediator_betweenness_share", "open", 0.52, nan, nan, nan),
                       ("mediator_betweenness_share", "closed", 0.98, 0.46, 0.44, 0.48)])
    text = " ".join(network_reading(table))
    assert "98% of the brokerage in closed against 52% in open" in text
    assert "island" in text and text.index("island") < text.index("swarm")


def _with_intervals(rows):
    """A comparison table from (metric, scenario, mean, ci_low, ci_high, diff, diff_low, diff_high) rows."""
    table = _table_of([(m, n, mean, d, lo, hi) for m, n, mean, _, _, d, lo, hi in rows])
    table["ci_low"] = [r[3] for r in rows]
    table["ci_high"] = [r[4] for r in rows]
    return table


def test_network_reading_says_nothing_of_differences_that_are_not_significant():
    # issue 34: "splits most clearly" for 0.206 against 0.181 and 0.199 with no test of the difference
    from sim.analysis.story import network_reading

    nan = float("nan")
    table = _with_intervals([
        ("modularity", "open", 0.181, 0.15, 0.21, nan, nan, nan),
        ("modularity", "art", 0.206, 0.17, 0.24, 0.025, -0.01, 0.06),  # the paired interval holds 0
        ("modularity", "cube", 0.199, 0.16, 0.23, 0.018, -0.02, 0.05),
        ("mediator_betweenness_share", "open", 0.52, 0.50, 0.54, nan, nan, nan),
        ("mediator_betweenness_share", "art", 0.53, 0.49, 0.57, 0.01, -0.02, 0.04),
        ("mediator_betweenness_share", "cube", 0.55, 0.51, 0.58, 0.03, -0.01, 0.06)])
    text = " ".join(network_reading(table))
    assert "splits most clearly" not in text and "brokerage" not in text
    table.loc[(table["metric"] == "modularity") & (table["scenario"] == "art"), ["diff_low", "significant"]] = [0.01, True]
    assert "splits most clearly" not in " ".join(network_reading(table))  # art's and cube's intervals overlap
    table.loc[(table["metric"] == "modularity") & (table["scenario"] == "art"), ["ci_low", "mean"]] = [0.235, 0.26]
    assert "art splits most clearly" in " ".join(network_reading(table))


def test_a_dense_network_of_thousands_is_not_called_a_small_group():
    from sim.analysis.story import network_reading

    nan = float("nan")
    rows = [("density", "art", 0.004, 0.0038, 0.0042, nan, nan, nan),
            ("density", "open", 0.001, 0.0009, 0.0011, -0.003, -0.0032, -0.0028),
            ("nodes", "art", 10658, 10500, 10800, nan, nan, nan),
            ("nodes", "open", 20000, 19800, 20200, 9342, 9000, 9600)]
    text = " ".join(network_reading(_with_intervals(rows)))
    assert "art is the densest network" in text and "small group" not in text and "Density is not size" in text
    rows[2:] = [("nodes", "art", 40, 38, 42, nan, nan, nan), ("nodes", "open", 900, 880, 920, 860, 850, 870)]
    assert "a small group of 40 people where most know each other" in " ".join(network_reading(_with_intervals(rows)))


def test_better_and_worse_only_for_the_outcomes_asked_about():
    # issue 34: "(worse)" for a private art lab having fewer visitors: its aims are its own
    from sim.analysis.story import headline

    nan = float("nan")
    table = _table_of([("visitors", "open", 8000, nan, nan, nan), ("visitors", "art", 200, -7800, -7900, -7700),
                       ("contributors", "open", 120, nan, nan, nan), ("contributors", "art", 60, -60, -70, -50)])
    said = " ".join(f["sentence"] for f in headline(table))
    assert "fewer visitors" in said and "(worse)" not in said and "(better)" not in said
    asked = " ".join(f["sentence"] for f in headline(table, focus=["contributors"]))
    assert "(worse)" in asked and asked.count("(worse)") == 1


def test_settings_that_differ_are_listed():
    from sim.analysis.story import settings_diff

    a = {"name": "a", "settings": {"mediators": 10, "access": "open", "warmup_years": 2.0}, "interventions": []}
    b = {"name": "b", "settings": {"mediators": 8, "access": "open", "warmup_years": 2.0}, "interventions": []}
    diff = settings_diff({"a.toml": a, "b.toml": b}, ["a.toml", "b.toml"])
    assert list(diff["setting"]) == ["mediators"] and list(diff["a"]) == ["10"] and list(diff["b"]) == ["8"]


# -- what is not shown: ratios under a floor, percentages from a base near zero (issue 24) -------------------------
def test_a_ratio_under_its_floor_is_na_with_the_reason_everywhere():
    assert outcomes.ratio("cost_per_contributor", 432174.0, 1) is None  # one contributor: not a cost per person
    assert outcomes.ratio("cost_per_contributor", 432174.0, 4) is None
    assert outcomes.ratio("cost_per_contributor", 432174.0, 5) == pytest.approx(86434.8)
    assert outcomes.ratio("cost_per_visit", 100.0, 0) is None
    assert outcomes.fmt("cost_per_contributor", None) == "n/a (<5 contributors)"
    assert outcomes.fmt("cost_per_contributor", float("nan")) == "n/a (<5 contributors)"
    assert outcomes.fmt_interval("cost_per_contributor", float("nan"), float("nan")) == ""
    # in a comparison, one replication under the floor makes the mean n/a (a mean of the others would be biased)
    runs = pd.DataFrame({"run_id": range(6), "scenario": ["a"] * 3 + ["b"] * 3, "replication": [0, 1, 2] * 2,
                         "status": "ok", "cost_per_contributor": [900.0, 950.0, 1000.0, 5000.0, np.nan, 6000.0]})
    table = comparison_table(runs, ["a", "b"]).set_index("scenario")
    assert table.loc["a", "mean"] == pytest.approx(950.0) and np.isnan(table.loc["b", "mean"])
    assert np.isnan(table.loc["b", "diff"]) and not table.loc["b", "significant"]
    assert "n/a (<5 contributors)" in format_table(table.reset_index())


@pytest.mark.parametrize(("name", "base", "other", "shown"), [
    ("revenue_fees", 1269.0, 34768.0, None),  # from a base near zero: "+2,640%" is not shown
    ("revenue_fees", 0.0, 1000.0, None),
    ("visitors", 8000.0, 6000.0, -0.25),
    ("contributors", 128.0, 118.0, pytest.approx(-10 / 128)),
    ("net_result", -605.0, 0.0, None),  # can be negative: no relative change
    ("conversion_visitor_contributor", 0.01, 0.02, None),  # shares change in points
])
def test_relative_changes_only_from_a_meaningful_base(name, base, other, shown):
    assert outcomes.relative(name, base, other) == shown


def test_focus_names_are_checked_with_a_suggestion():
    assert outcomes.parse_focus("contributors, partners,net_result") == (["contributors", "partners", "net_result"],
                                                                          [])
    _, problems = outcomes.parse_focus("contributers,public_cost", where="lab.toml: key 'focus'")
    assert problems == ["lab.toml: key 'focus': unknown outcome 'contributers' (did you mean 'contributors'?); "
                        "allowed: an outcome of sim/outcomes.py (the report's glossary, summary.json's keys)"]
    assert outcomes.parse_focus(["scenario"])[1]  # meta keys are not outcomes to compare
    assert outcomes.parse_focus(3)[1] and outcomes.parse_focus("")[1]


def test_the_headline_leads_with_the_focus_and_says_the_subsidy_rule_when_staff_change():
    from sim.analysis.story import headline

    nan = float("nan")
    table = _table_of([
        ("visitors", "open", 8000, nan, nan, nan), ("visitors", "cut", 6000, -2000, -2100, -1900),
        ("contributors", "open", 128, nan, nan, nan), ("contributors", "cut", 118, -10.1, -17.8, -2.4),
        ("partners", "open", 14, nan, nan, nan), ("partners", "cut", 11.5, -2.5, -4.35, -0.65),
        ("net_result", "open", 0.0, nan, nan, nan), ("net_result", "cut", 0.0, 0.0, 0.0, 0.0),
        ("public_cost", "open", 632000, nan, nan, nan), ("public_cost", "cut", 410000, -222000, -225000, -219000),
    ])
    deficit = {"settings": {"mediators": 10, "subsidy_rule": "deficit", "subsidy_per_year": 640000.0}}
    identity = {"open": deficit, "cut": {"settings": deficit["settings"] | {"mediators": 6}}}
    found = headline(table, focus=["contributors", "partners", "net_result"], identity=identity)
    assert [f["kind"] for f in found] == ["focus", "focus", "focus", "rule", "largest"] and len(found) <= 5
    assert found[0]["sentence"].startswith("Contributors (people): 128 [128 to 128] in open; cut 118")
    assert "-10.1 people [-17.8 to -2.4], -7.81% (worse)" in found[0]["sentence"]
    assert "(not significant at 95%)" in found[2]["sentence"]
    assert found[3]["sentence"].startswith("Subsidy rule: the subsidy covers the deficit up to a ceiling for open, "
                                           "cut (€640,000 a year): a saving lowers the public cost")
    assert "Public cost (what the funder pays): cut -€222,000 [-€225,000 to -€219,000]" in found[3]["sentence"]
    assert found[4]["metric"] == "visitors"  # the largest other, not the public cost already said
    same = {"open": deficit, "cut": deficit}  # no staff or price change: no rule sentence
    assert "rule" not in [f["kind"] for f in headline(table, identity=same)]


def test_the_largest_differences_are_ranked_by_standardised_effect_with_a_noise_floor():
    from sim.analysis.story import effect, largest

    assert effect(10.0, 20.0, 20.0, 100, 90) == pytest.approx(0.5)
    assert effect(10.0, 5.0, 5.0, 100, 90) == pytest.approx(10 / np.sqrt(95))  # sd under a count's Poisson noise
    assert effect(1.0, 0.0, 0.0, 0.0, 1.0) == pytest.approx(1 / np.sqrt(0.5))  # constant counts: Poisson floor
    assert effect(1000.0, 0.0, 0.0, 50000.0, 51000.0, kind="money") == pytest.approx(1000 / 510)  # 1% floor
    table = _table_of([
        ("works_sold", "a", 0.0, nan := float("nan"), nan, nan), ("works_sold", "b", 1.0, 1.0, 1.0, 1.0),
        ("visitors", "a", 8000, nan, nan, nan), ("visitors", "b", 7000, -1000, -1100, -900),
        ("contributors", "a", 120, nan, nan, nan), ("contributors", "b", 100, -20, -35, -5),
    ])
    table["sd"] = table["metric"].map({"works_sold": 0.0, "visitors": 60.0, "contributors": 12.0})
    order = [f["metric"] for f in largest(table)]
    assert order == ["visitors", "contributors", "works_sold"]  # d = 16.7, 1.7, 1.4: not one work as infinite


def test_the_headline_names_a_deficit_no_one_covers_and_says_nothing_when_there_is_none():
    # issue 30: 4 more mediators under the deficit rule's ceiling showed as a net loss and a small public cost rise,
    # the uncovered deficit nowhere in the headline
    from sim.analysis.story import headline

    nan = float("nan")
    rows = [("net_result", "open", 0.0, nan, nan, nan), ("net_result", "more", -185000, -185000, -190000, -180000),
            ("public_cost", "open", 632000, nan, nan, nan), ("public_cost", "more", 640000, 8000, 7000, 9000)]
    covered = [("deficit_uncovered", "open", 0.0, nan, nan, nan), ("deficit_uncovered", "more", 0.0, 0.0, 0.0, 0.0)]
    left = [("deficit_uncovered", "open", 0.0, nan, nan, nan),
            ("deficit_uncovered", "more", 185000, 185000, 180000, 190000)]
    found = headline(_table_of(rows + left))
    assert found[0]["kind"] == "deficit"
    assert found[0]["sentence"].startswith("Deficit no one covers (costs above revenue and subsidy): more €185,000")
    assert "open" not in found[0]["sentence"].split(":")[1]
    assert "deficit" not in [f["kind"] for f in headline(_table_of(rows + covered))]


def test_the_budget_reports_the_deficit_no_one_covers():
    from sim.config.settings import Settings
    from sim.model.budget import Budget

    settings = Settings(subsidy_rule="deficit", subsidy_per_year=365.0, staff_cost_per_year=3650.0, space_m2=0.0)
    books = Budget()
    books.start()
    for _ in range(365):
        books.accrue_day(1, settings)  # 3,650 of staff against a ceiling of 365
    books.earn("fees", 100.0)
    s = books.summary(visits=10, contributors=1)
    assert s["public_cost"] == pytest.approx(365.0)
    assert s["deficit_uncovered"] == pytest.approx(3650.0 - 100.0 - 365.0)
    assert s["net_result"] == pytest.approx(-s["deficit_uncovered"])


def test_every_count_says_whether_it_is_a_flow_or_a_stock():
    # issue 30: a reader must know whether a count is over the period (a flow) or at a moment (a stock)
    from sim.outcomes import Timing, get

    assert get("contributors").timing is Timing.FLOW and get("subscribers").timing is Timing.FLOW
    for stock in ("contributors_active_mean", "partners_active_mean", "members_active_mean", "contributors_active_end",
                  "density"):
        assert get(stock).timing is Timing.STOCK, stock
    assert get("seed").timing is Timing.NONE
    assert "over the period" in Timing.FLOW.phrase and "at a moment" in Timing.STOCK.phrase
