"""The rows issue 21 named fail on real settings built to break them (few seeds: each break is large).

`tests/unit/test_checks_can_fail.py` shows every row failing on stub labs in
milliseconds; here the model itself runs, for the rows whose direction issue 21
asked for: restricted access and modularity (N3), opening the closed lab (M9),
the core that forms from an empty lab, and the busiest regulars.
"""

import pytest

from sim.validation import OPEN, Checker, arrivals_and_careers, formation, network_shape, opening_the_closed_lab

pytestmark = pytest.mark.slow


def _row(check, fact_start: str, **checker):
    with Checker(seeds=2, network_seeds=2, paired_seeds=2, drift_seeds=2, formation_seeds=2, workers=2,
                 **checker) as c:
        rows = [r for r in check(c) if r.fact.startswith(fact_start)]
        assert not c.failed, c.failed
    assert len(rows) == 1, rows
    return rows[0]


def test_n3_fails_when_the_closed_lab_is_as_open_as_the_open_one():
    # the open preset in both places: its participants' modularity cannot exceed its own
    row = _row(network_shape, "restricted access", closed_preset=OPEN)
    assert not row.passed, row


def test_m9_fails_when_the_lab_opened_was_open_already():
    row = _row(opening_the_closed_lab, "opening the closed lab", closed_preset=OPEN)
    assert not row.passed, row  # visitors x1.0: opening an open lab brings nobody


def test_no_core_forms_without_staff_time_for_partnerships():
    row = _row(formation, "from an empty lab: partners", base={"partners_per_mediator": 0.0})
    assert not row.passed and "never inside" in row.measured, row


def test_nobody_comes_most_days_when_regulars_come_monthly():
    row = _row(arrivals_and_careers, "the busiest regular", base={"interval_contributor_days": 30.0,
                                                                    "interval_partner_days": 30.0})
    assert not row.passed, row
