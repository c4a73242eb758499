"""Inert levers: which asked changes cannot move this scenario, each said in one sentence.

A strategist who multiplies a fee of 0, or tunes the booking slots of a lab
open to walk-ins, gets a comparison in which nothing moves and may read it as
"the lever does not work". `labsim compare` and `labsim sensitivity` say so
before they run (`sim.cli.compare`, `sim.cli.sensitivity`) and keep the
sentences in their JSON for the report's first screen.

Two kinds of inert change:

- the value asked is the one already there (`subscription_fee = 0` in a
  "membership x4" policy of a lab whose membership is free: a multiple of 0 is 0);
- the key acts only under a condition the lab does not meet while the change
  is in force (`slot_size` under access 'open'). These dependencies are data
  (`RULES`), each checked against the model code it names under `sim/model/`,
  and proved by tests that run the model twice with the key changed under the
  condition and find the same summary (tests/integration/test_inert_levers.py).

Pure: settings and asked changes in, sentences out; reading which keys a
compared file states (`comparison_notes`) is the only file access.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sim.config.schema import PARAM_BY_NAME
from sim.config.settings import Settings
from sim.errors import LabsimError
from sim.kinds import Access


@dataclass(frozen=True)
class Need:
    """A condition a key acts under: `key` above 0 (`value` None), or `key` equal to `value`."""

    key: str
    value: Any = None

    def holds(self, settings: Settings) -> bool:
        """Whether the lab meets the condition."""
        now = getattr(settings, self.key)
        return now == self.value if self.value is not None else now > 0

    def possible(self, low: float, high: float) -> bool:
        """Whether some value in [low, high] (a sensitivity factor's bounds) meets the condition."""
        return low <= self.value <= high if self.value is not None else high > 0


@dataclass(frozen=True)
class Rule:
    """`keys` act on the lab only while one of `needs` holds; `why` says it, `model` says where the code does it."""

    keys: tuple[str, ...]
    needs: tuple[Need, ...]
    why: str
    model: str


FEES = (Need("price_per_visit"), Need("subscription_fee"), Need("workshop_fee"))
APPOINTMENT_KEYS = ("appointment_slots_per_day", "slot_size", "booking_lead_days", "booking_effort",
                    "booking_patience_days", "access_friction")
RESIDENCY_KEYS = ("residency_applicants", "residency_slots", "selectivity", "residency_days",
                  "residency_visits_per_week", "works_per_residency", "blog_applicants_per_article")
ENGINEER_KEYS = ("engineer_hours_per_year", "engineer_hours_per_residency", "engineer_rate", "engineer_output_effect",
                 "engineer_half_hours")
PROJECT_KEYS = ("service_price", "confidential_share", "open_project_acceptance", "company_project_days",
                "project_team_size", "doc_pages_per_project")

# Each rule was read in the model code it names; a key acts only while every rule it is in has a need that holds.
RULES: tuple[Rule, ...] = (
    Rule(APPOINTMENT_KEYS, (Need("access", Access.APPOINTMENT.value),),
         "booking and slots exist under access 'appointment' only",
         "calendar.book_slots, careers.book, ladder.booking_uptake, sessions (friction) test access"),
    Rule(("fee_habit_days",), (Need("price_per_visit"),), "it paces how regulars weigh a drop-in fee",
         "careers.return_chance returns before the habit when price_per_visit <= 0"),
    Rule(("wtp_median", "wtp_sigma"), FEES, "willingness to pay is weighed against a fee only",
         "people's wtp is read by can_pay (price > 0), membership_worth_it (wtp x visits >= fee) and "
         "fee_acceptance (1 at a fee of 0)"),
    Rule(("subscription_fee", "membership_days"), (Need("subscription_prob"), Need("price_per_visit")),
         "no one takes a membership: people subscribe by subscription_prob, or when a drop-in fee prices them out",
         "careers.memberships: wants = subscription draw | priced out; no one starts as a member"),
    Rule(("doc_reach_per_year", "doc_weight", "doc_half_saturation", "doc_pages_per_project"),
         (Need("open_documentation"),), "they scale what open documentation brings, times open_documentation",
         "awareness.day and sessions.quality multiply by open_documentation; market.complete too"),
    Rule((*RESIDENCY_KEYS, *ENGINEER_KEYS), (Need("residency_calls_per_year"),),
         "no residency call is held, so no artist moves in and no engineer is hired",
         "programme.residency_call, start_residencies, end_residencies; market.hire_engineers"),
    Rule(ENGINEER_KEYS, (Need("engineer_providers"),), "the lab has no engineer to hire",
         "market.hire_engineers: min(hours, hours_left = engineers x hours a year); engineer_multiplier(0) = 1"),
    Rule(("blog_articles_per_author_year", "moderation", "moderation_accept_rate", "blog_rejection_discouragement",
          "blog_reach_per_article", "blog_applicants_per_article"), (Need("blog_new_authors_per_year"),),
         "the blog has no author", "blog.day returns 0 with no author; reach and applicants are per article"),
    Rule(("moderation_accept_rate", "blog_rejection_discouragement"), (Need("moderation", True),),
         "only a moderated blog rejects articles", "blog.day: accepted = all submitted without moderation"),
    Rule(("workshop_size", "workshop_newcomers", "workshop_fee", "workshop_reach", "materials_per_workshop"),
         (Need("workshops_per_year"),), "no workshop is held", "programme.hold_workshop, sessions.split"),
    Rule(("event_newcomers", "event_reach", "event_pool_pull", "organisation_join_per_event",
          "reactivation_event_boost"), (Need("events_per_year"),), "no big event is held",
         "programme.hold_event; ladder.reactivation_chance multiplies the boost by the events held"),
    Rule(("client_interest", "portfolio_half_works", "renown_half", "rental_share", "work_price",
          "rental_fee_per_month", "rental_months", "artist_rights_share", *PROJECT_KEYS), (Need("client_pool"),),
         "no company is around to buy, rent or commission", "market.offer and market.project_requests return"),
    Rule(PROJECT_KEYS, (Need("company_projects_per_year"),), "no company asks for a project",
         "market.project_requests draws Poisson(company_projects_per_year / 365)"),
    Rule(("subsidy_rule",), (Need("subsidy_per_year"),), "either rule pays nothing when the subsidy is 0",
         "budget.accrue_day, settled_subsidy"),
)


@dataclass(frozen=True)
class Finding:
    """One inert change: what asked it, its keys, where, and why (a rule, or None: the value was already there)."""

    asked: str
    keys: tuple[str, ...]
    where: tuple[str, ...]
    state: str
    rule: Rule | None = None

    def sentence(self) -> str:
        """The finding in one line: 'inert: ASKED sets K = V, no change from WHERE' or 'inert: ASKED: K does nothing...'."""
        where = ", ".join(self.where)
        if self.rule is None:
            hint = " (a multiple of 0 is 0)" if self.state.endswith(" = 0") else ""
            return f"inert: {self.asked} sets {self.state}, no change from {where}{hint}"
        verb = "does" if len(self.keys) == 1 else "do"
        place = "" if self.where == (self.asked,) else f" in {where}"
        return f"inert: {self.asked}: {', '.join(self.keys)} {verb} nothing{place}: {self.state} ({self.rule.why})"


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, str):
        return repr(v)
    return f"{v:g}" if isinstance(v, float) else str(v)


def _state(rule: Rule, settings: Settings) -> str:
    """The lab's values that keep a rule's keys from acting: "access is 'open'", "a and b are 0"."""
    values = [(n.key, _value(getattr(settings, n.key))) for n in rule.needs]
    if len(values) > 1 and len({v for _, v in values}) == 1:
        names = [k for k, _ in values]
        return f"{', '.join(names[:-1])} and {names[-1]} are {values[0][1]}"
    return ", ".join(f"{k} is {v}" for k, v in values)


def inert_changes(states: Settings | Sequence[Settings], changes: Mapping[str, Any], where: str, asked: str = "",
                  before: tuple[str, Settings] | None = None,
                  box: Mapping[str, Sequence[float]] | None = None) -> list[Finding]:
    """The asked changes that cannot move the lab, grouped by reason.

    `states`: every setting the lab runs under while the changes are in force
    (the scenario with them, after each later intervention, the saved lab it is
    forked from); a key is inert by a rule only if no need of the rule holds in
    any of them. `changes`: key -> value asked. `before`: (a name for them,
    the settings the changes replace); a value already there is reported. `box`: keys a
    sensitivity design varies over [low, high]; a need on one of them may hold.
    """
    states = [states] if isinstance(states, Settings) else list(states)
    box = box or {}
    asked = asked or ", ".join(f"{k} = {_value(v)}" for k, v in changes.items())
    found: list[Finding] = []
    left = list(changes)
    if before is not None:
        name, settings = before
        same = [k for k in left if k not in box and getattr(settings, k) == changes[k]]
        found += [Finding(asked, (k,), (name,), f"{k} = {_value(changes[k])}") for k in same]
        left = [k for k in left if k not in same]
    for rule in RULES:
        keys = tuple(k for k in left if k in rule.keys)
        if not keys or any(_may_hold(n, s, box) for n in rule.needs for s in states):
            continue
        found.append(Finding(asked, keys, (where,), _state(rule, states[0]), rule))
        left = [k for k in left if k not in keys]
    return found


def _may_hold(need: Need, settings: Settings, box: Mapping[str, Sequence[float]]) -> bool:
    if need.key in box:
        return need.possible(*box[need.key])
    return need.holds(settings)


def merged(findings: Sequence[Finding]) -> list[str]:
    """One sentence per lever and reason: the same finding in several scenarios names them all."""
    out: dict[tuple, Finding] = {}
    for f in findings:
        key = (f.asked, f.keys, f.state, f.rule)
        out[key] = replace(out[key], where=(*out[key].where, *f.where)) if key in out else f
    return [f.sentence() for f in out.values()]


# -- what a command asks ----------------------------------------------------------------
def comparison_notes(refs: Sequence[str], changes: Mapping[str, Any] | None = None,
                     saved: Settings | None = None, fork: bool = False) -> list[str]:
    """Inert levers of `labsim compare REFS --set CHANGES` (against the first scenario), one sentence each.

    A compared scenario's levers are the keys its file (and the files it
    extends, down to the first scenario's) states, those of them that differ
    from the first scenario when it does not extend it, and the changes of its
    own interventions; `--set`
    is a lever of every scenario. `saved`: the saved labs' settings when every
    scenario is forked from them (their stocks may keep a key acting); `fork`:
    they are the first scenario's, warmed up (compare --fork). Never
    raises: a scenario that cannot be read is left to the command to report.
    """
    from sim.config.scenario import load_scenario

    changes = dict(changes or {})
    try:
        loaded = [load_scenario(r).with_settings(**changes) if changes else load_scenario(r) for r in refs]
    except LabsimError:
        return []
    base = loaded[0]
    saved = base.settings if fork else saved
    found: list[Finding] = []
    if changes:
        asked = "--set " + " ".join(f"{k}={_value(v)}" for k, v in changes.items())
        plain = [load_scenario(r).settings for r in refs]
        every = [k for k in changes if all(getattr(p, k) == changes[k] for p in plain)]
        if every:
            found += [Finding(asked, (k,), ("every scenario compared",), f"{k} = {_value(changes[k])}") for k in every]
        for sc in loaded:
            found += inert_changes(_states(sc, saved), {k: v for k, v in changes.items() if k not in every},
                                   sc.name, asked)
    for ref, sc in zip(refs[1:], loaded[1:], strict=True):
        keys, extends_base = _stated(ref, refs[0])
        if not extends_base:  # another lab: what it states differently is what it asks
            keys = [k for k in keys or PARAM_BY_NAME if getattr(sc.settings, k) != getattr(base.settings, k)]
        keys = [k for k in keys if k not in changes]
        if keys:
            found += inert_changes(_states(sc, saved), {k: getattr(sc.settings, k) for k in keys}, sc.name,
                                   sc.name, before=(base.name, base.settings))
        if sc.interventions != base.interventions:
            found += _intervention_findings(sc, saved)
    return merged(found)


def sensitivity_notes(scenario: str, bounds: Mapping[str, Sequence[float]], saved: Settings | None = None) -> list[str]:
    """Inert factors of a sensitivity design over `scenario` (factor -> [low, high]), one sentence each."""
    from sim.config.scenario import load_scenario

    try:
        sc = load_scenario(scenario)
    except LabsimError:
        return []
    asked = "sensitivity factors" if len(bounds) > 1 else "sensitivity factor"
    found = inert_changes(_states(sc, saved), dict(bounds), sc.name, asked, box=bounds)
    return merged(found)


def _states(sc: Any, saved: Settings | None) -> list[Settings]:
    """The settings a scenario runs under: at its start, after each intervention, and the saved lab it forks."""
    out = [sc.settings]
    for iv in sc.interventions:
        out.append(replace(out[-1], **iv.changes))
    return out + ([saved] if saved is not None else [])


def _intervention_findings(sc: Any, saved: Settings | None) -> list[Finding]:
    states = _states(sc, None)
    found = []
    for i, iv in enumerate(sc.interventions):
        later = states[i + 1:] + ([saved] if saved is not None else [])
        found += inert_changes(later, iv.changes, f"{sc.name} from day {iv.at:g}",
                               f"{sc.name} interventions[{i}]",
                               before=(f"the value in force before day {iv.at:g}", states[i]))
    return found


def _stated(ref: str, base_ref: str) -> tuple[list[str], bool]:
    """The scenario keys `ref`'s file and the files it extends state, down to `base_ref`'s, and whether it extends it.

    A file that does not extend the base gives every key its chain states (none if unreadable: the command says why).
    """
    from sim.config.files import read_toml
    from sim.config.scenario import MAX_EXTENDS, resolve, resolve_from

    stated: dict[str, None] = {}
    try:
        path, base = resolve(ref).resolve(), resolve(base_ref).resolve()
        for _ in range(MAX_EXTENDS + 1):
            if path == base:
                return list(stated), True
            data = read_toml(path, "scenario file").data
            stated |= dict.fromkeys(k for k in data if k in PARAM_BY_NAME)
            if not isinstance(data.get("extends"), str):
                break
            path = Path(resolve_from(data["extends"], path.parent)).resolve()
    except LabsimError:
        pass
    return list(stated), False
