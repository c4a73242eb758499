"""Every row of check-model can fail (issue 21, item 4): put the check-up on labs built to break it.

The check functions of `sim.validation` read the runs only through
`Checker.by_seed`; here a stub serves made-up yearly summaries instead of
runs, so each row's rule is tried in milliseconds on a lab where the mechanism
it checks is absent: an *inert* lab (every outcome 1, whatever the setting, so
no band is met and no governance change moves anything), a *drifting* lab (its
outcomes grow year on year), and a lab where a fee empties the ladder. Each
row must fail on at least one of them. The real model passing every row is
`tests/statistical/test_check_model.py`; real settings that break the rows
issue 21 named are in `tests/statistical/test_checks_fail_on_real_labs.py`.
"""

import numpy as np
import pytest

from sim import validation
from sim.validation import CHECKS, Checker


class Summary(dict):
    """A year's summary where every outcome not set is `value`."""

    def __init__(self, value: float, **known):
        super().__init__(**known)
        self.value = value

    def __missing__(self, key):
        return self.value


def inert(preset, changes, seed, year):
    return Summary(1.0)


def drifting(preset, changes, seed, year):
    return Summary(1.0 + year)  # every outcome doubles from the first measured year to the second


def fee_empties_the_ladder(preset, changes, seed, year):
    gone = 0.01 if changes.get("price_per_visit") else 1.0
    return Summary(1.0, contributors=100 * gone, partners=15 * gone)


def _at_once(policy):
    # a fee from now on takes a third of the regulars in the first days, then nothing more (issue 30's artefact)
    return np.full(52, 65.0 if policy.get("price_per_visit") else 100.0)


fee_empties_the_ladder.weekly = _at_once


def lives_on_its_subsidy(preset, changes, seed, year):
    return Summary(1.0, revenue_sales=0.0, revenue_rentals=0.0, revenue_services=0.0, subsidy=10.0)


def events_starve(preset, changes, seed, year):
    events = changes.get("events_per_year", 20.0)
    return Summary(1.0, contributors=(140.0 - 0.5 * events) + seed % 2, partners=16.0)  # -10 with twice the events


def appointment_packs_the_lab(preset, changes, seed, year):
    more = 1.3 if changes.get("access") == "appointment" else 1.0
    return Summary(1.0, contributors=140.0 * more, contributors_active_mean=70.0 * more)


LABS = {"inert": inert, "drifting": drifting, "fee empties the ladder": fee_empties_the_ladder,
        "lives on its subsidy": lives_on_its_subsidy, "events starve the ladder": events_starve,
        "appointment packs the lab": appointment_packs_the_lab}


class StubChecker(Checker):
    def __init__(self, lab):
        super().__init__(seeds=3, network_seeds=2, paired_seeds=3, drift_seeds=3, workers=1, formation_seeds=3)
        self.lab = lab

    def by_seed(self, preset, n, years=1, **changes):
        changes = self.base | changes
        return {seed: [self.lab(preset, changes, seed, y) for y in range(years)] for seed in range(n)}

    def weekly_regulars(self, preset, n, **policy):
        # the regulars of the first year's 52 weeks: constant, or as the lab's `weekly` says under a policy
        weekly = getattr(self.lab, "weekly", None)
        return {seed: (weekly(policy) if weekly else np.full(52, 100.0)) for seed in range(n)}


def rows(lab):
    return {row.fact: row for check in CHECKS for row in check(StubChecker(lab))}


@pytest.fixture(scope="module")
def results():
    return {name: rows(lab) for name, lab in LABS.items()}


def test_every_row_fails_on_some_lab_built_to_break_it(results):
    facts = results["inert"].keys()
    assert len(facts) >= 50  # every check function yielded its rows
    never = [f for f in facts if all(results[name][f].passed for name in LABS)]
    assert not never, f"rows that no broken lab fails: {never}"


def test_the_inert_lab_fails_every_band_and_every_direction(results):
    # only the no-drift rows, 'members do not vanish' and the closed lab's income (sales = costs) hold in it
    held = sorted(f for f, r in results["inert"].items() if r.passed)
    assert held == sorted([*(f"no drift over 8 measured years: {k}" for k in ("visitors", "contributors", "partners")),
                           "warm-up independence: contributors, 2 more years of warm-up",
                           "a EUR 5 drop-in fee: members and partners do not vanish",
                           "closed: lives on co-production income",
                           "twice the events: contributors not lower",  # nothing moves, so nothing falls
                           "appointment-only: regulars present at a time do not rise"])


@pytest.mark.parametrize("fact", ["no drift over 8 measured years: contributors",
                                  "warm-up independence: contributors, 2 more years of warm-up",
                                  "from an empty lab: partners in the band from year 6 on"])
def test_a_drifting_lab_fails_the_steady_state_rows(results, fact):
    assert not results["drifting"][fact].passed


def test_m9_and_n3_have_a_direction():
    # opening the closed lab must lower works per participant (M9) and restricted access must raise the
    # participants' modularity (N3): a lab where opening triples visitors but raises works each fails M9, and one
    # whose closed preset is less modular than the open one fails N3
    def lab(preset, changes, seed, year):
        opened = changes.get("access") == "open"
        return Summary(1.0, visitors=10.0 if opened else 1.0, works_produced=20.0 if opened else 1.0,
                       modularity_peers=0.2 if preset == validation.CLOSED else 0.4)

    found = rows(lab)
    m9 = found["opening the closed lab: many more visitors, fewer works per participant"]
    n3 = found["restricted access: participants' network more modular"]
    assert not m9.passed and "x10.0, x2.00" in m9.measured
    assert not n3.passed


def test_the_fee_transient_row_tells_at_once_from_over_weeks():
    fact = "a EUR 12 fee from now on: regulars leave over weeks, not days"

    def gradual(policy):  # the same loss of 35 regulars, spread over the half-year
        return 100.0 - (35.0 * (1 - np.exp(-np.arange(1, 53) / 10.0)) if policy.get("price_per_visit") else 0.0)

    def lab(preset, changes, seed, year):
        return Summary(1.0)

    lab.weekly = gradual
    assert rows(lab)[fact].passed
    assert not rows(fee_empties_the_ladder)[fact].passed  # a third gone in the first days
    assert not rows(inert)[fact].passed  # a fee that removes no one at all


def test_the_lever_rows_fail_on_labs_built_to_break_them():
    # issue 30: events that starve the ladder, a core held by staff alone, appointment that raises the stock
    def staff_only_core(preset, changes, seed, year):
        workshops = changes.get("workshops_per_year", 50.0)
        contributors = 140.0 + 0.4 * (workshops - 50.0)  # more workshops, more contributors, the same 16 partners
        return Summary(1.0, contributors=contributors + seed % 2, partners=16.0 + (seed % 2) * 0.1,
                       contributors_active_mean=contributors / 2, partners_active_mean=8.0)

    def healthy(preset, changes, seed, year):
        events = changes.get("events_per_year", 20.0)
        workshops = changes.get("workshops_per_year", 50.0)
        contributors = 140.0 + 0.1 * (events - 20.0) + 0.4 * (workshops - 50.0) + seed % 2
        appointment = changes.get("access") == "appointment"
        return Summary(1.0, contributors=contributors, partners=0.12 * contributors + seed % 3 * 0.1,
                       contributors_active_mean=(60.0 if appointment else 70.0) * contributors / 140.0,
                       partners_active_mean=0.12 * (60.0 if appointment else 70.0) * contributors / 140.0)

    events = "twice the events: contributors not lower"
    partners = "three times the workshops: more partners"
    share = "partners / contributors at a time, across the levers"
    stock = "appointment-only: regulars present at a time do not rise"
    good = rows(healthy)
    assert good[events].passed and good[partners].passed and good[share].passed and good[stock].passed
    assert not rows(events_starve)[events].passed
    assert not rows(staff_only_core)[partners].passed
    assert not rows(staff_only_core)[share].passed  # 16 of 180 under three times the workshops: 0.089
    assert not rows(appointment_packs_the_lab)[stock].passed
