"""Inert levers (sim.config.inert): each declared dependency says inert when its condition fails, nothing when it holds.

That the table is true of the model (a key under a failed condition leaves a run's
summary identical) is tests/integration/test_inert_levers.py's job; here, the function.
"""

import dataclasses

import pytest
from inert_cases import CASES, FAILS, HOLDS, context, other_value

from sim.config.inert import RULES, comparison_notes, inert_changes, sensitivity_notes
from sim.config.schema import PARAM_BY_NAME
from sim.config.settings import Settings


def test_the_table_names_real_keys_and_values():
    assert set(HOLDS) == {n.key for r in RULES for n in r.needs}  # every need has a test value (here and there)
    for rule in RULES:
        assert rule.keys and rule.needs and rule.why and rule.model
        assert set(rule.keys) <= set(PARAM_BY_NAME), rule.keys
        assert not {n.key for n in rule.needs} & set(rule.keys)  # a key does not gate itself
        for need in rule.needs:
            p = PARAM_BY_NAME[need.key]
            assert need.value is None or not p.choices or need.value in p.choices
            assert need.value is not None or p.kind in (int, float)


def test_the_test_values_do_what_they_say():
    for key, value in HOLDS.items():
        need = next(n for r in RULES for n in r.needs if n.key == key)
        on, off = dataclasses.replace(Settings(), **{key: value}), dataclasses.replace(Settings(), **{key: FAILS[key]})
        assert need.holds(on) and not need.holds(off), key


@pytest.mark.parametrize(("rule_index", "key"), CASES)
def test_each_dependency_inert_and_active(rule_index, key):
    rule = RULES[rule_index]
    off, on = context(Settings(), rule_index, key, holds=False), context(Settings(), rule_index, key, holds=True)
    change = {key: other_value(key, getattr(off, key))}
    found = inert_changes(dataclasses.replace(off, **change), change, "lab", "policy")
    assert [f.rule for f in found] == [rule], (key, found)
    line = found[0].sentence()
    assert line.startswith("inert: policy: ") and key in line and rule.why in line and "\n" not in line
    assert all(n.key in line for n in rule.needs)  # it names the setting that keeps the key from acting
    assert inert_changes(dataclasses.replace(on, **change), change, "lab", "policy") == []


def test_a_value_already_there_is_inert_and_a_multiple_of_zero_says_so():
    base = Settings()
    assert base.subscription_fee == 0
    found = inert_changes(base, {"subscription_fee": 0.0}, "x4", "membership_x4", before=("open_lab", base))
    assert [f.sentence() for f in found] == [
        "inert: membership_x4 sets subscription_fee = 0, no change from open_lab (a multiple of 0 is 0)"]
    later = dataclasses.replace(base, subscription_fee=120.0)
    assert inert_changes(later, {"subscription_fee": 120.0}, "x4", before=("open_lab", base)) == []
    found = inert_changes(base, {"mediators": base.mediators}, "x", before=("open_lab", base))
    assert "(a multiple" not in found[0].sentence()


def test_every_state_of_the_run_counts():
    start = Settings()  # open access
    later = dataclasses.replace(start, access="appointment")  # an intervention switches to appointments
    assert inert_changes([start, later], {"slot_size": 8}, "lab") == []
    assert len(inert_changes([start, start], {"slot_size": 8}, "lab")) == 1


def test_a_factor_can_meet_a_condition_inside_the_box():
    free = Settings()  # no fee at all
    assert free.price_per_visit == 0
    box = {"fee_habit_days": [10.0, 100.0]}
    assert len(inert_changes(free, box, "lab", box=box)) == 1
    box = {"fee_habit_days": [10.0, 100.0], "price_per_visit": [0.0, 5.0]}
    assert inert_changes(free, box, "lab", box=box) == []
    box = {"fee_habit_days": [10.0, 100.0], "price_per_visit": [0.0, 0.0]}
    assert len(inert_changes(free, box, "lab", box=box)) == 1


def test_comparison_notes(tmp_path):
    (tmp_path / "m4.toml").write_text('extends = "carrefour_numerique"\nname = "membership_x4"\n'
                                      'subscription_fee = 0.0\nmediators = 12\n')
    (tmp_path / "later.toml").write_text('extends = "carrefour_numerique"\nname = "later"\n[[interventions]]\n'
                                         'at = 100\nbooking_effort = 1.0\naccess = "appointment"\n'
                                         '[[interventions]]\nat = 200\nslot_size = 8\naccess = "open"\n')
    refs = ["carrefour_numerique", str(tmp_path / "m4.toml"), str(tmp_path / "later.toml")]
    lines = comparison_notes(refs)
    assert lines == [
        "inert: membership_x4 sets subscription_fee = 0, no change from carrefour_numerique (a multiple of 0 is 0)",
        "inert: later interventions[1]: slot_size does nothing in later from day 200: access is 'open' (booking and "
        "slots exist under access 'appointment' only)"]
    lines = comparison_notes(refs[:2], {"slot_size": 8, "subscription_fee": 0.0})  # --set on every scenario
    assert lines[0] == "inert: --set slot_size=8 subscription_fee=0 sets subscription_fee = 0, no change from every " \
                       "scenario compared (a multiple of 0 is 0)"
    assert lines[1].startswith("inert: --set slot_size=8 subscription_fee=0: slot_size does nothing in "
                               "carrefour_numerique, membership_x4: access is 'open'")
    assert len(lines) == 2
    assert comparison_notes(["carrefour_numerique", "scenarios/examples/cut_and_charge.toml"]) == []
    assert comparison_notes(["carrefour_numerique", "no_such_preset"]) == []  # the command reports it


def test_comparison_notes_of_saved_labs_that_keep_a_key_acting():
    appointment = dataclasses.replace(Settings(), access="appointment")
    assert comparison_notes(["carrefour_numerique", "digital_arti"], {"slot_size": 8}) != []
    assert all("digital_arti" not in line for line in comparison_notes(["carrefour_numerique", "digital_arti"],
                                                                       {"slot_size": 8}))
    assert comparison_notes(["carrefour_numerique", "friche"], {"slot_size": 8}, saved=appointment) == []


def test_sensitivity_notes():
    lines = sensitivity_notes("scenarios/examples/small_open.toml",
                              {"mediators": [2, 20], "blog_rejection_discouragement": [0.0, 1.0]})
    assert lines == ["inert: sensitivity factors: blog_rejection_discouragement does nothing in small_open: "
                     "blog_new_authors_per_year is 0 (the blog has no author)"]
    assert sensitivity_notes("scenarios/examples/small_open.toml",
                             {"blog_rejection_discouragement": [0.0, 1.0], "blog_new_authors_per_year": [0.0, 9.0]}) == []
