"""One registry of outcomes: what each number of a run means, its unit and how it is written.

Every place that shows an outcome (the terminal tables, comparison.csv, the
figures, the HTML report and its glossary) reads its label, unit and format
here, so that `revenue` is "€18,400" everywhere and never `1.84e+04`, and a
share is a percentage everywhere. A test checks that every key of
`sim.metrics.summary` has an entry.

Kinds: ``count`` (people, visits, events: >= 0), ``share`` (a fraction in
[0, 1], shown as a percentage), ``money`` (EUR), ``network`` (a shape measure of
the collaboration graph), ``rate`` (per unit, e.g. EUR per visit), ``index`` (in
[0, 1], shown as is), ``text`` and ``meta`` (not numbers to compare).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

KINDS = ("count", "share", "money", "network", "rate", "index", "text", "meta")
CURRENCY = "€"


# The keys of a run's summary, by group (computed in sim.metrics; here so that reading a spec file, which
# names targets and outputs, needs neither numpy nor the network libraries).
CHANNELS = ("footfall", "events", "workshops", "word_of_mouth", "reputation")
BUDGET_KEYS = (
    "revenue", "revenue_fees", "revenue_subscriptions", "revenue_workshops", "revenue_sales", "revenue_rentals",
    "revenue_services", "subsidy", "costs", "costs_staff", "costs_space", "costs_engineers", "costs_materials",
    "net_result", "public_cost", "deficit_uncovered", "cost_per_visit", "cost_per_contributor",
)
MARKET_KEYS = (
    "subscribers", "works_sold", "works_rented", "client_companies", "engineer_hours", "projects_completed",
    "company_projects", "confidential_projects", "partnerships_formed", "partnerships_ended",
    "blog_articles_published", "blog_articles_rejected", "blog_authors",
)
VISIT_QUANTILES = (50, 75, 90, 99)  # percentiles of visits per visitor: the distribution, not only its mean
VISIT_QUANTILE_KEYS = tuple(f"visits_q{q}" for q in VISIT_QUANTILES)
LADDER_KEYS = (
    "visitors", "returning_visitors", "contributors", "contributors_active_end", "partners", "partners_active_end",
    "contributors_active_mean", "partners_active_mean", "members_active_mean",
    "mediators", "artists", "partner_organisations", "engineer_providers",
    "conversion_visitor_contributor", "conversion_contributor_partner", "visits", "regular_visits",
    "newcomers", *(f"newcomers_{c}" for c in CHANNELS),
    "workshops_held", "events_held", "people_trained", "residencies_completed", "works_produced",
    "docs_pages", "gini_visits", "visitors_4plus_share", "visits_max", *VISIT_QUANTILE_KEYS, "partners_initial_share", *BUDGET_KEYS, *MARKET_KEYS,
    "returner_survival_1y", "member_retention_1y",
)
COHORT_KEYS = ("returner_survival_1y", "member_retention_1y")
NETWORK_KEYS = (
    "nodes", "edges", "density", "avg_clustering", "giant_component_share", "degree_centralization",
    "betweenness_centralization", "mediator_betweenness_share", "modularity", "modularity_peers", "core_size",
)

class Timing(Enum):
    """When a number is counted: over the period (a flow) or at a moment (a stock)."""

    FLOW = "flow"  # counted over the period: everyone who did or held it at some point (rises with churn)
    STOCK = "stock"  # at a moment: the period's last day, or the mean of each day's count
    NONE = ""  # not a count in time (a share, an index, a label)

    @property
    def phrase(self) -> str:
        """How a reader is told: 'a flow (over the period)', 'a stock (at a moment)' or ''."""
        return {"flow": "a flow (counted over the period)", "stock": "a stock (at a moment)", "": ""}[self.value]


# Counts taken at a moment; every other count or sum of money is over the period. The network is as it stands
# at the period's end.
STOCKS = frozenset({
    "contributors_active_end", "partners_active_end", "contributors_active_mean", "partners_active_mean",
    "members_active_mean", "mediators", "partner_organisations", "engineer_providers",
})
STOCK_GROUPS = frozenset({"network"})


@dataclass(frozen=True)
class Outcome:
    """One outcome: how to name, read, bound and write it."""

    name: str
    label: str
    unit: str
    kind: str
    definition: str
    better: str | None = None  # "higher", "lower" or None (no direction is better in itself)
    group: str = "other"
    low: float | None = 0.0  # the range a value (and a mean, and its interval) can take
    high: float | None = None

    def format(self, x, sign: bool = False) -> str:
        """The value as a reader sees it: thousands separators, € or %, never scientific notation."""
        if self.unit.startswith("EUR/"):
            return fmt_value("money_rate", x, sign)
        return fmt_value(self.kind, x, sign)

    @property
    def timing(self) -> Timing:
        """A flow (over the period), a stock (at a moment), or neither (shares, indices, labels)."""
        if self.kind in ("meta", "text"):
            return Timing.NONE
        return Timing.STOCK if self.name in STOCKS or self.group in STOCK_GROUPS else Timing.FLOW

    @property
    def label_unit(self) -> str:
        """'Revenue (EUR)', 'Visitors (people)': the label with its unit, for axes and headers."""
        return f"{self.label} ({self.unit})" if self.unit else self.label

    @property
    def diff_unit(self) -> str:
        """The unit of a difference: percentage points for shares."""
        return "percentage points" if self.kind == "share" else self.unit


def _o(name, label, unit, kind, definition, better=None, group="other", low=0.0, high=None) -> Outcome:
    if kind in ("share", "index") and high is None:
        high = 1.0
    return Outcome(name, label, unit, kind, definition, better, group, low, high)


_ENTRIES = [
    # -- the funnel and the ladder --------------------------------------------------
    _o("visitors", "Visitors", "people", "count", "Distinct people who came at least once in the measured period.",
       "higher", "funnel"),
    _o("returning_visitors", "Returning visitors", "people", "count",
       "Distinct people who came at least twice in the measured period.", "higher", "funnel"),
    _o("contributors", "Contributors", "people", "count",
       "Distinct people who were regulars (contributor or partner) at some point of the period.", "higher", "funnel"),
    _o("contributors_active_end", "Contributors active at the end", "people", "count",
       "Contributors still active on the last day of the period.", "higher", "funnel"),
    _o("contributors_active_mean", "Contributors active (mean)", "people", "count",
       "A stock: the number of contributors active at a time, averaged over the period's days. The yearly count "
       "(contributors) is a flow: it rises with churn, this one with the regulars actually present.", "higher",
       "funnel"),
    _o("partners", "Partners", "people", "count",
       "Distinct individual people who were partners (the core) at some point of the period; organisations, "
       "clients and engineers are counted apart.", "higher", "funnel"),
    _o("partners_active_end", "Partners active at the end", "people", "count",
       "Individual partners still active on the last day of the period.", "higher", "funnel"),
    _o("partners_active_mean", "Partners active (mean)", "people", "count",
       "A stock: individual partners active at a time, averaged over the period's days.", "higher", "funnel"),
    _o("members_active_mean", "Members (mean)", "people", "count",
       "A stock: people holding a membership at a time, averaged over the period's days (subscribers is the flow: "
       "everyone who took or renewed one in the period).", "higher", "market"),
    _o("mediators", "Staff", "people", "count", "Staff who welcome, teach and broker.", None, "funnel"),
    _o("artists", "Artists", "people", "count", "Artists in residence during the period.", None, "funnel"),
    _o("partner_organisations", "Partner organisations", "organisations", "count",
       "Organisations (research labs, companies, schools) partnering with the lab at the end of the period.",
       "higher", "market"),
    _o("client_companies", "Client companies", "companies", "count",
       "Companies that rented or bought a work or commissioned a project in the period.", "higher", "market"),
    _o("engineer_providers", "Engineers (providers)", "people", "count",
       "External engineers providing services to the lab.", None, "market"),
    _o("conversion_visitor_contributor", "Visitor -> contributor conversion", "% of visitors", "share",
       "People promoted to contributor in the period, as a share of its visitors.", "higher", "funnel"),
    _o("conversion_contributor_partner", "Contributor -> partner conversion", "% of contributors", "share",
       "People promoted to partner in the period, as a share of its contributors.", "higher", "funnel"),
    # -- activity ---------------------------------------------------------------------
    _o("visits", "Visits", "visits", "count", "Visits of everyone (a person's day at the lab counts once).",
       "higher", "activity"),
    _o("regular_visits", "Visits by regulars", "visits", "count", "Visits by contributors and partners.", "higher",
       "activity"),
    _o("newcomers", "Newcomers", "people", "count", "First visits in the period, by any channel.", "higher",
       "arrivals"),
    _o("newcomers_footfall", "Newcomers from footfall", "people", "count",
       "First visits of people passing by the host venue.", None, "arrivals"),
    _o("newcomers_events", "Newcomers from events", "people", "count", "First visits at an event.", None,
       "arrivals"),
    _o("newcomers_workshops", "Newcomers from workshops", "people", "count", "First visits at a workshop.", None,
       "arrivals"),
    _o("newcomers_word_of_mouth", "Newcomers by word of mouth", "people", "count",
       "First visits of people told by someone who came.", None, "arrivals"),
    _o("newcomers_reputation", "Newcomers by reputation", "people", "count",
       "First visits drawn by the lab's reputation (documentation, press).", None, "arrivals"),
    _o("workshops_held", "Workshops held", "workshops", "count", "Workshops held in the period.", None, "activity"),
    _o("events_held", "Events held", "events", "count", "Public events held in the period.", None, "activity"),
    _o("people_trained", "People trained", "people", "count", "Attendances of workshops that trained someone.",
       "higher", "activity"),
    _o("residencies_completed", "Residencies completed", "residencies", "count",
       "Artists' residencies that ended in the period.", None, "activity"),
    _o("projects_completed", "Projects completed", "projects", "count",
       "Works produced plus company projects delivered in the period.", "higher", "activity"),
    _o("company_projects", "Company projects", "projects", "count",
       "Paid projects delivered to companies in the period (services around projects).", None, "market"),
    _o("confidential_projects", "Confidential projects", "projects", "count",
       "Company projects delivered under confidentiality (no open documentation, no ties outside the team).",
       None, "market"),
    _o("partnerships_formed", "Partnerships formed", "organisations", "count",
       "Partner organisations that joined in the period, after their lead time.", None, "market"),
    _o("partnerships_ended", "Partnerships ended", "organisations", "count",
       "Partner organisations whose relation went idle and ended in the period.", None, "market"),
    # -- output -------------------------------------------------------------------------
    _o("works_produced", "Works produced", "works", "count", "Works (art pieces, prototypes) finished in the period.",
       "higher", "output"),
    _o("works_sold", "Works sold", "works", "count", "Works sold in the period.", "higher", "market"),
    _o("works_rented", "Works rented", "works", "count", "Works rented out in the period.", "higher", "market"),
    _o("docs_pages", "Documentation pages", "pages", "count", "Pages of open documentation written in the period.",
       "higher", "output"),
    _o("blog_articles_published", "Blog articles published", "articles", "count",
       "Articles published on the lab's web site in the period.", "higher", "output"),
    _o("blog_articles_rejected", "Blog articles rejected", "articles", "count",
       "Articles submitted to the lab's web site and refused by its moderation.", None, "output"),
    _o("blog_authors", "Web authors", "people", "count",
       "Web authors who submitted at least one blog article in the period.", "higher", "output"),
    _o("engineer_hours", "Engineer hours", "hours", "count", "Engineer hours the residencies hired (and the lab paid) in the period.",
       None, "market"),
    _o("subscribers", "Subscribers", "people", "count", "People who took a membership in the period.", "higher",
       "market"),
    # -- budget (EUR over the measured period) --------------------------------------------
    _o("revenue", "Revenue", "EUR", "money", "Money earned in the period: fees, subscriptions, workshops, sales, "
       "rentals and services (subsidies apart).", "higher", "budget"),
    _o("revenue_fees", "Revenue: visit fees", "EUR", "money", "Fees paid per visit.", None, "budget"),
    _o("revenue_subscriptions", "Revenue: subscriptions", "EUR", "money", "Membership fees.", None, "budget"),
    _o("revenue_workshops", "Revenue: workshops", "EUR", "money", "Fees paid for workshops.", None, "budget"),
    _o("revenue_sales", "Revenue: sales of works", "EUR", "money", "The lab's share of works sold.", None, "budget"),
    _o("revenue_rentals", "Revenue: rentals", "EUR", "money", "Rentals of works and equipment.", None, "budget"),
    _o("revenue_services", "Revenue: services", "EUR", "money", "Services sold to client companies.", None, "budget"),
    _o("subsidy", "Subsidy", "EUR", "money", "Public money received in the period.", None, "budget"),
    _o("costs", "Costs", "EUR", "money", "Staff, space, engineers and materials.", "lower", "budget"),
    _o("costs_staff", "Costs: staff", "EUR", "money", "Salaries of the staff.", None, "budget"),
    _o("costs_space", "Costs: space", "EUR", "money", "Rent and running of the premises.", None, "budget"),
    _o("costs_engineers", "Costs: engineers", "EUR", "money", "Engineers paid for services.", None, "budget"),
    _o("costs_materials", "Costs: materials", "EUR", "money", "Materials and consumables.", None, "budget"),
    _o("net_result", "Net result", "EUR", "money", "Revenue + subsidy - costs; below zero the lab runs a deficit. "
       "Under a deficit-covering subsidy (subsidy_rule 'deficit') it stays near zero while the deficit is within "
       "the ceiling: read public_cost then.", "higher", "budget", low=None),
    _o("deficit_uncovered", "Deficit no one covers", "EUR", "money",
       "A flow: costs minus revenue minus the subsidy, when positive: what neither the lab's income nor its funder "
       "pays in the period (a deficit above the deficit rule's ceiling, or a fixed grant too small).", "lower",
       "budget"),
    _o("public_cost", "Public cost", "EUR", "money", "What the funder pays in the period: the fixed grant "
       "(subsidy_rule 'fixed') or the deficit it covers, up to its ceiling ('deficit'); equal to the subsidy.",
       "lower", "budget"),
    _o("cost_per_visit", "Cost per visit", "EUR/visit", "rate", "Costs divided by visits; n/a for fewer than "
       "10 visits.", "lower", "budget"),
    _o("cost_per_contributor", "Cost per contributor", "EUR/contributor", "rate", "Costs divided by contributors; "
       "n/a for fewer than 5 contributors (a ratio over 0.1 contributor is not a cost per person).", "lower",
       "budget"),
    # -- inequality and careers -----------------------------------------------------------
    _o("gini_visits", "Gini of visits", "0-1", "index",
       "Inequality of visits among the period's visitors (0: all came as often; near 1: a few came for all).",
       None, "inequality"),
    _o("visitors_4plus_share", "Visitors who came 4+ times", "% of visitors", "share",
       "Share of the period's visitors who came at least four times.", "higher", "inequality"),
    _o("visits_max", "Most visits by one person", "visits", "count",
       "The most visits one person made in the measured period (the busiest regular).", None, "inequality"),
    *(_o(f"visits_q{q}", f"Visits per visitor, {q}% quantile", "visits", "count",
         f"{q}% of the period's visitors came at most this often (linear interpolation between visitors); with the "
         "other quantiles, the shape of the visit-count distribution (labsim log describe measures the same).",
         None, "inequality") for q in (50, 75, 90, 99)),
    _o("partners_initial_share", "Partners seated at the start", "% of partners", "share",
       "Share of the period's individual partners who were part of the initial population (seated before the "
       "warm-up) rather than climbing the ladder in the run; 0 when there were no partners.", None, "careers"),
    _o("returner_survival_1y", "One-year survival of returners", "% of returners", "share",
       "Of the people who came back within 90 days of a first visit, the share still active a year on.", "higher",
       "careers"),
    _o("member_retention_1y", "One-year retention of new members", "% of new members", "share",
       "Of the people who became contributors, the share still contributor or partner a year on.", "higher",
       "careers"),
    _o("cohort_gap", "Why a cohort measure is missing", "", "text",
       "Says why returner_survival_1y or member_retention_1y is empty (no one-year cohort fits in the run).",
       None, "careers", low=None),
    # -- the network -----------------------------------------------------------------------
    _o("nodes", "People in the network", "people", "network", "People with a place in the collaboration graph.",
       None, "network"),
    _o("edges", "Ties", "ties", "network", "Pairs of people who did something together.", None, "network"),
    _o("density", "Density", "0-1", "network",
       "Ties as a share of all possible pairs: high in a small closed lab (island), low in a swarm.", None,
       "network", high=1.0),
    _o("avg_clustering", "Clustering", "0-1", "network",
       "How often two people tied to the same person are tied to each other (mean local clustering).", None,
       "network", high=1.0),
    _o("giant_component_share", "Giant component", "% of people", "share",
       "Share of the network's people in its largest connected part.", None, "network"),
    _o("degree_centralization", "Degree centralisation", "0-1", "network",
       "How much the ties concentrate on one person (Freeman; 1 = a star).", None, "network", high=1.0),
    _o("betweenness_centralization", "Betweenness centralisation", "0-1", "network",
       "How much the shortest paths run through one person (Freeman).", None, "network", high=1.0),
    _o("mediator_betweenness_share", "Staff share of brokerage", "% of betweenness", "share",
       "Share of all betweenness (brokerage between others) held by the staff; near 100% the staff are the only "
       "bridges.", None, "network"),
    _o("modularity", "Modularity", "-0.5 to 1", "network",
       "How clearly the network splits into separate groups (Leiden communities).", None, "network", low=-0.5,
       high=1.0),
    _o("modularity_peers", "Modularity among participants", "-0.5 to 1", "network",
       "Modularity of the network without the staff (and without those tied to staff only): how clearly the "
       "participants form separate groups, as in the person-tool networks of Kaat et al. 2024, where staff are not "
       "nodes.", None, "network", low=-0.5, high=1.0),
    _o("core_size", "Core size", "people", "network", "People in the network's innermost k-core.", None, "network"),
    # -- what was run ---------------------------------------------------------------------------
    _o("scenario", "Scenario", "", "meta", "The scenario's name.", low=None, group="run"),
    _o("seed", "Seed", "", "meta", "The run's random seed.", low=None, group="run"),
    _o("years", "Measured years", "years", "meta", "Years measured after the warm-up.", group="run"),
    _o("warmup_years", "Warm-up", "years", "meta", "Years simulated before measuring (not counted).", group="run"),
    _o("labsim_version", "labsim version", "", "meta", "The labsim version that made the run.", low=None,
       group="run"),
]

REGISTRY: dict[str, Outcome] = {o.name: o for o in _ENTRIES}


@dataclass(frozen=True)
class Floor:
    """A ratio's denominator below which the ratio means nothing (n/a, with the reason)."""

    denominator: str
    least: float
    reason: str


FLOORS: dict[str, Floor] = {  # the one place: summaries compute None below it, every table writes "n/a (reason)"
    "cost_per_visit": Floor("visits", 10, "<10 visits"),
    "cost_per_contributor": Floor("contributors", 5, "<5 contributors"),
}


def ratio(name: str, numerator: float, denominator: float) -> float | None:
    """A ratio outcome, or None when its denominator is under the outcome's floor (`FLOORS`)."""
    floor = FLOORS.get(name)
    if denominator <= 0 or (floor is not None and denominator < floor.least):
        return None
    return round(numerator / denominator, 2)


def missing(name: str) -> str:
    """How a missing value is written: 'n/a (<5 contributors)' for a ratio under its floor, '-' otherwise."""
    floor = FLOORS.get(name)
    return f"n/a ({floor.reason})" if floor else "-"


def complete(name: str, values):
    """A ratio's replications for a mean: all NaN when any is under its floor (a mean of the others would be biased)."""
    import numpy as np

    values = np.asarray(values, dtype=float)
    if name in FLOORS and not np.isfinite(values).all():
        return np.full_like(values, np.nan)
    return values


def comparable() -> list[str]:
    """The outcomes a comparison can focus on: every numeric outcome of the registry (not meta, not text)."""
    return [o.name for o in _ENTRIES if o.kind not in ("meta", "text")]


def parse_focus(value, where: str = "--focus") -> tuple[list[str], list[str]]:
    """Outcome names from 'a,b,c' or a list of strings: (names, problems), one problem line per unknown name."""
    from sim.text import nearest

    known = comparable()
    if isinstance(value, str):
        names = [n.strip() for n in value.split(",") if n.strip()]
    elif isinstance(value, list) and all(isinstance(n, str) for n in value):
        names = [n.strip() for n in value]
    else:
        return [], [f"{where}: got {value!r:.60}; allowed: outcome names, e.g. contributors,partners,net_result"]
    if not names:
        return [], [f"{where}: no outcome named; allowed: outcome names, e.g. contributors,partners,net_result"]
    problems = [f"{where}: unknown outcome '{n[:40]}'{nearest(n, known)}; allowed: an outcome of sim/outcomes.py "
                "(the report's glossary, summary.json's keys)" for n in names if n not in known]
    return list(dict.fromkeys(names)), problems


RELATIVE_FLOOR = 0.1  # a relative change is shown only from a base at least this share of the larger mean


def relative(name: str, base, other) -> float | None:
    """The relative change from `base` to `other` (0.25 = +25%), or None where a percentage would mislead.

    None for shares and indices (their differences are in points), for outcomes
    that can be negative (a net result: -EUR 600 to EUR 0 is not "+100%"), for a base
    of zero or of the other sign, and for a base
    near zero: under RELATIVE_FLOOR of the larger of the two (a fee revenue of
    EUR 1,200 turned into EUR 34,000 is not "+2,640%" but EUR 32,800 more).
    """
    o = get(name)
    if o.kind not in ("count", "money", "rate") or o.low is None or base is None or other is None:
        return None  # shares, indices, and quantities that cross zero (a net result) have no relative change
    base, other = float(base), float(other)
    if not (math.isfinite(base) and math.isfinite(other)) or base == 0 or base * other < 0:
        return None
    if abs(base) < RELATIVE_FLOOR * max(abs(base), abs(other)):
        return None
    return (other - base) / abs(base)
GROUPS = ("funnel", "arrivals", "activity", "output", "budget", "market", "inequality", "careers", "network")
BUDGET_KEYS = tuple(o.name for o in _ENTRIES if o.group == "budget")

SERIES: dict[str, tuple[str, str]] = {  # weekly time-series columns: label, unit
    "visitors": ("Active visitors", "people"),
    "contributors": ("Active contributors", "people"),
    "partners": ("Active partners", "people"),
    "mediators": ("Staff", "people"),
    "artists": ("Artists in residence", "people"),
    "arrivals": ("Arrivals", "people per week"),
    "visits": ("Visits", "visits per week"),
    "lapses": ("Lapses", "people per week"),
    "comebacks": ("Comebacks", "people per week"),
    "docs_pages": ("Documentation", "pages"),
    "reputation": ("Awareness", "people"),
    "revenue": ("Revenue so far", "EUR"),
}


def get(name: str) -> Outcome:
    """The registry's entry, or a plain one for an unknown key (a new metric still prints, labelled by its name)."""
    found = REGISTRY.get(name)
    if found is not None:
        return found
    return Outcome(name, name.replace("_", " ").capitalize(), "", "network", "(not yet in sim/outcomes.py)",
                   low=None)


def label(name: str, unit: bool = True) -> str:
    """'Revenue (EUR)' or 'Revenue'."""
    o = get(name)
    return o.label_unit if unit else o.label


def fmt(name: str, x, sign: bool = False) -> str:
    """Write one value of an outcome the way every table and figure does (a ratio under its floor: 'n/a (why)')."""
    if name in FLOORS and (x is None or (isinstance(x, float) and not math.isfinite(x))):
        return missing(name)
    return get(name).format(x, sign)


def fmt_interval(name: str, low, high, sign: bool = False) -> str:
    """'[€1,200 to €1,800]': an interval in the outcome's own format ('to', as negative bounds carry a minus)."""
    if name in FLOORS and not (_finite(low) and _finite(high)):
        return ""
    return f"[{fmt(name, low, sign)} to {fmt(name, high, sign)}]"


def _finite(x) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def number(x, sign: bool = False) -> str:
    """A number with thousands separators and about three significant digits, never in scientific notation."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    x = float(x)
    if x == 0:
        return "+0" if sign else "0"
    a = abs(x)
    if x.is_integer() or a >= 100:
        text = f"{a:,.0f}"
    elif a >= 1:
        text = f"{a:.{2 - math.floor(math.log10(a))}f}"
    else:
        text = f"{a:.{min(10, 2 - math.floor(math.log10(a)))}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return ("-" if x < 0 else "+" if sign else "") + text


def fmt_value(kind: str, x, sign: bool = False) -> str:
    """Format by kind: € for money, % for shares (percentage points for a signed difference)."""
    if x is None or isinstance(x, str):
        return "-" if x is None else x
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, float) and not math.isfinite(x):
        return "-"
    if kind == "share":
        text = number(100 * x, sign)
        return f"{text} pp" if sign else f"{text}%"
    if kind == "money":
        body = f"{abs(x):,.0f}" if abs(x) >= 100 or float(x).is_integer() else f"{abs(x):,.2f}"
        return ("-" if x < 0 else "+" if sign else "") + CURRENCY + body
    if kind == "money_rate":
        return ("-" if x < 0 else "+" if sign else "") + CURRENCY + f"{abs(x):,.2f}"
    if kind == "rate":
        return ("-" if x < 0 else "+" if sign else "") + f"{abs(x):,.2f}"
    if kind == "meta":
        return str(x)
    return number(x, sign)


def glossary(names) -> list[Outcome]:
    """The registry's entries of these outcomes, in the registry's order (for the report's glossary)."""
    wanted = set(names)
    return [o for o in _ENTRIES if o.name in wanted and o.kind not in ("meta",)]
