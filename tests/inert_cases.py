"""The cases of sim.config.inert's table, shared by its unit test and its test against the model."""

import dataclasses

from sim.config.inert import RULES
from sim.config.schema import PARAM_BY_NAME
from sim.config.settings import Settings

# A value that makes a need hold, and one that makes it fail, for every key a rule depends on.
HOLDS = {"access": "appointment", "price_per_visit": 2.0, "subscription_fee": 30.0, "workshop_fee": 5.0,
         "subscription_prob": 0.03, "open_documentation": 1.0, "residency_calls_per_year": 2.0, "engineer_providers": 2,
         "blog_new_authors_per_year": 20.0, "moderation": True, "workshops_per_year": 50.0, "events_per_year": 20.0,
         "client_pool": 30, "company_projects_per_year": 4.0, "subsidy_per_year": 2000000.0}
FAILS = {k: ("open" if k == "access" else False if k == "moderation" else type(v)(0)) for k, v in HOLDS.items()}
CASES = [(i, key) for i, rule in enumerate(RULES) for key in rule.keys]


def context(settings: Settings, rule_index: int, key: str, holds: bool) -> Settings:
    """`settings` where every other rule of `key` holds, and rule `rule_index` holds or fails."""
    changes = {}
    for j, rule in enumerate(RULES):
        if key in rule.keys and j != rule_index:
            changes |= {n.key: HOLDS[n.key] for n in rule.needs}
    rule = RULES[rule_index]
    changes |= {n.key: (HOLDS if holds else FAILS)[n.key] for n in rule.needs}
    return dataclasses.replace(settings, **changes)


def other_value(key: str, now):
    """A valid value of `key` other than `now`."""
    p = PARAM_BY_NAME[key]
    if p.kind is bool:
        return not now
    if p.choices:
        return next(c for c in p.choices if c != now)
    value = p.kind(min(p.high, now * 2 + 1)) if p.high is not None else p.kind(now * 2 + 1)
    return value if value != now else p.kind(p.low)
