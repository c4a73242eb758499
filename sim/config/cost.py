"""What a run or a batch will cost, estimated from its settings before any work, and the limits on it.

A lab's settings say how many people arrive (footfall x discovery, events,
workshops, word of mouth, residency calls), how often they come back, and how
many ties their meetings make. From those, `estimate` gives the order of
magnitude of a run: people, visits, ties, peak memory and seconds of CPU.
`check_run` and `check_batch` refuse what exceeds `LIMITS` with one line that
names the setting responsible and the limit; `allow_large` (the `--allow-large`
flag) raises every limit a hundredfold, but never past the machine's memory.

Settings are read by name (`getattr`), so new keys in the schema do not
break the estimate; a key it does not know simply costs nothing here.
The constants come from the benchmarks (benchmarks/README.md): one open-lab
year (8,000 people, 14,000 visits) takes about 0.3 s and 1.8 KB per person.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import os
from dataclasses import dataclass
from typing import Any

from sim.errors import LabsimError
from sim.kinds import DAYS_PER_YEAR

BYTES_PER_PERSON = 2_500  # a row of the people table, bookings, records (benchmarks: 0.8 KB, 1.1 KB with the metrics; kept as a margin)
BYTES_PER_TIE = 1_000  # a tie is an edge of the run's networkx graph (dicts of attributes), and igraph's copy
SECONDS_PER_PERSON = 12e-6  # creating a person and archiving them
SECONDS_PER_VISIT = 25e-6  # a visit, its quality, its booking, its ties (metrics included)
SECONDS_PER_TIE = 25e-6  # 7 us to make it (measured), the rest for the graph, its metrics and GraphML
LARGE = 100  # how much --allow-large raises each limit
CLIMB = 0.02  # share of newcomers who become regulars for a spell (the case study: 1-2%, with comebacks)

LIMITS = {
    "people": 2_000_000,  # people created over one run (a 100x open lab is 800,000 a year)
    "visits": 10_000_000,  # visits over one run
    "ties": 10_000_000,  # tie events (introductions, co-attendance, help) over one run
    "memory": 4 * 2**30,  # peak bytes of one run
    "runs": 200_000,  # runs of one batch
    "cpu_hours": 48.0,  # estimated CPU time of one batch
}
UNITS = {"people": "people", "visits": "visits", "ties": "ties", "memory": "bytes", "runs": "runs",
         "cpu_hours": "CPU hours"}


@dataclass(frozen=True)
class Cost:
    """The estimated size of one run, and the settings that drive each part."""

    people: float
    visits: float
    ties: float
    memory: float
    seconds: float
    drivers: dict[str, tuple[str, ...]]  # part -> the keys most responsible for it


def _g(settings: Any, name: str, default: float = 0.0) -> float:
    value = getattr(settings, name, default)
    if isinstance(value, bool):
        return float(value)
    return float(value) if isinstance(value, int | float) else default


def _fee_share(s: Any) -> float:
    """The share of would-be visitors a drop-in fee keeps (sim.config.willingness); 1 if the settings have no fee."""
    from sim.config.willingness import fee_acceptance

    try:
        return fee_acceptance(_g(s, "price_per_visit"), s)
    except (AttributeError, TypeError, ValueError):  # settings without a willingness to pay: no fee
        return 1.0


def _spell(s: Any, rung: str, ret: float, interval: float, days: float) -> float:
    """Visits of one spell on a rung (contributor, partner): 1 / (1 - its return chance), at most one per interval.

    Regulars are the keen: people climb about in proportion to their
    propensity, and one of propensity p comes sqrt(p) times as often, losing
    the same share a year (`sim.model.ladder.regular_return_chance`), so a spell
    holds sqrt(p) times the visits: E[p sqrt(p)] / E[p] = exp(3 sigma^2 / 8)
    for the lognormal propensity of mean 1.
    """
    keen = math.exp(0.375 * min(_g(s, "propensity_sigma", 0.8), 3.0) ** 2)
    r = min(0.9999, _g(s, f"return_base_{rung}", ret))
    return keen * min(1.0 / (1.0 - r), 1.0 + days / max(1.0, _g(s, f"interval_{rung}_days", interval)))


def estimate(settings: Any, years: float) -> Cost:
    """Order-of-magnitude cost of one run of `years` years with these settings."""
    s = settings
    years = years + _g(s, "warmup_years")  # the warm-up is simulated too
    days = years * DAYS_PER_YEAR
    open_share = min(max(_g(s, "open_days_per_week", 7.0), 0.0), 7.0) / 7.0
    open_days = days * open_share
    booking = 1.0 if getattr(s, "access", "open") == "open" else math.exp(-_g(s, "booking_effort"))
    draw = booking * _fee_share(s)  # the share a drop-in fee keeps (a wtp lognormal): a free lab keeps everyone
    # People made aware come with awareness_uptake a day (on open days) or forget (awareness_half_life_days):
    # a share up/(up + forget) comes in the long run, less in a short run (about half in the presets' years).
    uptake = _g(s, "awareness_uptake", 0.005) * open_share
    rate = uptake + math.log(2) / max(1.0, _g(s, "awareness_half_life_days", 120.0))
    kept = uptake / rate if rate > 0 else 0.0
    span = rate * max(days, 1.0)
    aware = kept * (1.0 - (1.0 - math.exp(-span)) / span)  # of those made aware over the run, evenly
    aware_at_start = kept * (1.0 - math.exp(-span))  # of those aware when it starts
    sources = {  # newcomers over the run, by what brings them
        ("host_footfall_per_day", "discovery_rate"): _g(s, "host_footfall_per_day") * _g(s, "discovery_rate")
        * draw * open_days,
        ("events_per_year", "event_newcomers"): _g(s, "events_per_year") * _g(s, "event_newcomers") * draw * years,
        ("workshops_per_year", "workshop_newcomers"): _g(s, "workshops_per_year") * min(
            _g(s, "workshop_newcomers"), _g(s, "workshop_size", 1e9)) * draw * years,
        ("residency_calls_per_year", "residency_applicants"): _g(s, "residency_calls_per_year")
        * _g(s, "residency_applicants") * years,
        ("events_per_year", "event_reach"): _g(s, "events_per_year") * _g(s, "event_reach") * aware * draw * years,
        ("workshops_per_year", "workshop_reach"): _g(s, "workshops_per_year") * _g(s, "workshop_reach") * aware
        * draw * years,
        ("doc_reach_per_year",): _g(s, "doc_reach_per_year") * _g(s, "open_documentation") * aware * draw * years,
        ("blog_new_authors_per_year", "blog_reach_per_article"): _g(s, "blog_new_authors_per_year")
        * _g(s, "blog_articles_per_author_year") * _g(s, "blog_reach_per_article") * aware * draw * years,
        ("initial_awareness",): _g(s, "initial_awareness") * aware_at_start * draw,
    }
    standing_keys = ("mediators", "partner_organisations", "organisation_pool", "client_pool", "engineer_providers",
                     "initial_contributors", "initial_partners", "initial_dormant", "initial_former_regulars")
    standing = {k: _g(s, k) for k in standing_keys}
    newcomers = sum(sources.values())

    # Visits: a newcomer comes back with a chance near return_base_visitor (plus quality, engagement and a keen
    # propensity), at most once per interval_visitor_days.
    ret = min(0.999, _g(s, "return_base_visitor") + 0.25 * _g(s, "return_quality_effect")
              + _g(s, "return_engagement_effect") + 0.05 * _g(s, "propensity_sigma"))
    per_newcomer = min(1.0 / (1.0 - ret), 1.0 + days / max(1.0, _g(s, "interval_visitor_days", 14.0)))
    # Regulars: the contributors and partners at the start and the newcomers who climb (about CLIMB of them),
    # each for a spell: a regular comes back with return_base_contributor (partner) after each visit, one
    # visit per interval, so a spell is 1 / (1 - r) visits (40 at 0.975) unless the run ends first. The staff,
    # partner organisations, clients and engineers are people (counted below) but not visitors.
    spell_c = _spell(s, "contributor", 0.975, 7.0, days)
    spell_p = _spell(s, "partner", 0.985, 5.0, days)
    per_arrival = per_newcomer + CLIMB * _spell(s, "contributor", 0.975, 7.0, days / 2)  # climbing takes a while
    # and those who stop come back now and then for another spell (sim.model.dormancy: a pull that fades)
    fade = max(1.0, _g(s, "reactivation_fade_days", 120.0))
    per_arrival *= 2.0 - math.exp(-_g(s, "reactivation_rate") * fade / 7.0 * (1.0 - math.exp(-days / (2 * fade))))
    # the dormant and former regulars at the start (who stopped over the past year) come back over the weeks:
    # reactivation_rate a week, fading e-fold every reactivation_fade_days since they stopped
    away = max(1.0, min(DAYS_PER_YEAR, _g(s, "forget_after_days", 365.0)))
    faded = fade / away * (1.0 - math.exp(-away / fade))  # the mean pull left at the start
    pull = _g(s, "reactivation_rate") * faded * fade / 7.0 * (1.0 - math.exp(-days / fade))
    comebacks = (_g(s, "initial_dormant") + _g(s, "initial_former_regulars")) * (1.0 - math.exp(-pull))
    if getattr(s, "access", "open") != "open":  # the booking deters one who came once or twice (sim.model.ladder)
        comebacks *= math.exp(-_g(s, "booking_effort") / 4.0)
    visits = (newcomers * per_arrival + _g(s, "initial_contributors") * spell_c + _g(s, "initial_partners") * spell_p
              + comebacks * per_newcomer)
    # word of mouth: people told after good visits (about half of them), of whom about half come
    word_of_mouth = visits * 0.5 * _g(s, "word_of_mouth_per_good_visit") * aware * draw
    sources[("word_of_mouth_per_good_visit",)] = word_of_mouth
    visits += word_of_mouth * per_arrival
    if getattr(s, "access", "open") != "open":  # by appointment, the slots cap the visits (workshops aside)
        slots = open_days * _g(s, "appointment_slots_per_day", 3.0) * _g(s, "slot_size", 4.0)
        visits = min(visits, slots + years * _g(s, "workshops_per_year") * _g(s, "workshop_size", 10.0))
    # regulars present at once (for the ties of peer help)
    stay = min(1.0, spell_c * max(1.0, _g(s, "interval_contributor_days", 7.0)) / max(days, 1.0))
    regulars = _g(s, "initial_contributors") + _g(s, "initial_partners") + CLIMB * (newcomers + word_of_mouth) * stay
    people = newcomers + word_of_mouth + sum(standing.values())

    present = visits / max(1.0, open_days)  # people present on an open day
    staff = _g(s, "mediators")
    ties = (visits * _g(s, "ties_per_activity") + staff * (staff - 1) / 2  # the staff form a clique
            + open_days * min(staff * _g(s, "mediator_capacity"), present)  # each mediator's attention, daily
            + open_days * min(_g(s, "introductions_per_day") * _g(s, "mediators"), present)
            + open_days * min(_g(s, "peer_help_per_contributor") * regulars, present))
    remembered = min(1.0, (_g(s, "forget_after_days", 365.0) + DAYS_PER_YEAR) / max(days, 1.0))
    live = people * remembered
    memory = live * BYTES_PER_PERSON + ties * BYTES_PER_TIE + 200 * 2**20  # + the interpreter
    seconds = (people * SECONDS_PER_PERSON + visits * SECONDS_PER_VISIT + ties * SECONDS_PER_TIE
               + _g(s, "blog_new_authors_per_year") * _g(s, "blog_articles_per_author_year") * years * 1e-6)

    top = max(sources, key=lambda k: sources[k])
    big_standing = max(standing, key=lambda k: standing[k])
    people_keys = top if sources[top] >= sum(standing.values()) else (big_standing,)
    visit_keys = ("return_base_visitor", "interval_visitor_days") if per_newcomer > 10 else people_keys
    if comebacks * per_newcomer > visits / 2:  # most visits are comebacks of the dormant at the start
        visit_keys = ("initial_dormant", "reactivation_rate")
    tie_keys = max(
        (("ties_per_activity",), visits * _g(s, "ties_per_activity")),
        (("mediators",), staff * (staff - 1) / 2),
        (("introductions_per_day", "mediators"), open_days * min(_g(s, "introductions_per_day") * _g(s, "mediators"),
                                                                 present)),
        (("peer_help_per_contributor",), open_days * min(_g(s, "peer_help_per_contributor") * regulars, present)),
        key=lambda kv: kv[1],
    )[0]
    if tie_keys == ("ties_per_activity",):  # ties of co-attendance grow with whoever brings the attendees
        tie_keys = tuple(dict.fromkeys(tie_keys + visit_keys))
    mem_keys = tie_keys if ties * BYTES_PER_TIE > live * BYTES_PER_PERSON else people_keys
    drivers = {"people": people_keys, "visits": visit_keys, "ties": tie_keys, "memory": mem_keys}
    return Cost(people, visits, ties, memory, seconds, drivers)


def limits(allow_large: bool = False) -> dict[str, float]:
    """The limits in force: LIMITS, or a hundredfold with --allow-large (memory capped by the machine's)."""
    if not allow_large:
        return dict(LIMITS)
    out = {k: v * LARGE for k, v in LIMITS.items()}
    out["memory"] = min(out["memory"], machine_memory())
    return out


def machine_memory() -> float:
    """Physical memory of this machine in bytes (a large number if unknown)."""
    try:
        return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return float(2**40)


def _fmt(x: float, unit: str) -> str:
    if unit == "bytes":
        return f"{x / 2**30:.3g} GB"
    return f"{x:,.0f}" if x < 1e7 else f"{x:.2g}"


def run_problem(cost: Cost, years: float, allow_large: bool) -> str | None:
    """The first limit one run exceeds, as a sentence naming the settings responsible; None if it fits."""
    lim = limits(allow_large)
    for part in ("people", "visits", "ties", "memory"):
        value = getattr(cost, part)
        if value > lim[part]:
            keys = cost.drivers[part]
            per_year = value / max(years, 1e-9)
            culprit = ("key 'years'" if part != "memory" and per_year <= lim[part] and years > 1
                       else ("keys " if len(keys) > 1 else "key ") + " and ".join(f"'{k}'" for k in keys))
            hint = "" if allow_large else "; --allow-large raises the limits 100-fold"
            return (f"{culprit}: about {_fmt(value, UNITS[part])} {UNITS[part] if UNITS[part] != 'bytes' else 'of memory'}"
                    f" over the run; allowed: at most {_fmt(lim[part], UNITS[part])}{hint}")
    return None


def scenario_costs(scenario: Any, years: float, points: list[dict] | None = None) -> list[Cost]:
    """The cost of a scenario's run at each design point, under the heaviest of its interventions."""
    out = []
    for point in points or [{}]:
        variants = [dataclasses.replace(scenario.settings, **point)] if point else [scenario.settings]
        for iv in getattr(scenario, "interventions", ()):
            variants.append(dataclasses.replace(variants[0], **iv.changes))
        out.append(max((estimate(v, years) for v in variants), key=lambda c: c.seconds + c.memory * 1e-9))
    return out


MAX_YEARS = 50  # the longest measured horizon a run may ask for (years)


def check_years(years: object, what: str = "--years") -> None:
    """Refuse a horizon that is not a finite number of years in (0, MAX_YEARS], with one line naming it."""
    if not math.isfinite(as_real(years)) or not 0 < years <= MAX_YEARS:  # any real number, numpy's too
        raise LabsimError(f"{what}: got {years!r}; allowed: a number in (0, {MAX_YEARS}]")


def check_run(scenario: Any, years: float, allow_large: bool = False, where: str | None = None) -> Cost:
    """Refuse one run whose estimate exceeds the limits; return the estimate."""
    cost = scenario_costs(scenario, years)[0]
    problem = run_problem(cost, years, allow_large)
    if problem:
        raise LabsimError(f"{where or scenario.path or scenario.name}: {problem}")
    return cost


def check_batch(scenarios: list[Any], points: list[dict], replications: int, years: float,
                allow_large: bool = False, where: str = "experiment") -> float:
    """Refuse a batch with a run over the limits, too many runs, or too many CPU hours; return the CPU hours."""
    lim = limits(allow_large)
    hint = "" if allow_large else "; --allow-large raises the limits 100-fold"
    runs = len(scenarios) * len(points) * replications
    if runs > lim["runs"]:
        raise LabsimError(f"{where}: {len(scenarios)} scenarios x {len(points)} design points x {replications} "
                          f"replications = {runs:,} runs; allowed: at most {lim['runs']:,.0f}{hint}")
    seconds = 0.0
    for sc in scenarios:
        for i, cost in enumerate(scenario_costs(sc, years, points)):
            problem = run_problem(cost, years, allow_large)
            if problem:
                at = f" at design point {i} {points[i]}" if points[i] else ""
                raise LabsimError(f"{where}: scenario {sc.name}{at}: {problem}")
            seconds += cost.seconds * replications
    hours = seconds / 3600
    if hours > lim["cpu_hours"]:
        raise LabsimError(f"{where}: key 'replications' (and the design): about {hours:,.0f} CPU hours for {runs:,} "
                          f"runs; allowed: at most {lim['cpu_hours']:,.0f}{hint}")
    return hours


def check_horizon(scenario: Any, given: object, end: float, *, now: float, since: float, allow_large: bool,
                  what: str) -> None:
    """Refuse running a model from `now` to `end` (days), `given` as asked, with one line naming it.

    Refused: a time that is not a finite number of days, more than MAX_YEARS
    measured years past `since` (the later of now and the start of the measured
    period), or a run whose estimate exceeds the limits. The estimate covers the
    warm-up too: a warm-up alone is checked for one measured day. `LabModel`'s
    run methods (`sim.model.model`) call it before the model runs a day.
    """
    from sim.config.files import show

    if not math.isfinite(as_real(given)):
        raise LabsimError(f"{what}: got {show(given)}; allowed: a finite number of days")
    years = (end - since) / DAYS_PER_YEAR  # measured years it would add
    if years > MAX_YEARS:
        raise LabsimError(f"{what}: got {show(given)}, {years:,.4g} years past the warm-up; allowed: at most "
                          f"{MAX_YEARS} years")
    if end > now:
        check_run(scenario, max(years, 1 / DAYS_PER_YEAR), allow_large=allow_large, where=what)


def as_real(value: object) -> float:
    """A number (of days or years) as a float; NaN for what is not a real number (a bool, a string, 10**400)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return math.nan
    try:
        return float(value)
    except OverflowError:
        return math.nan
