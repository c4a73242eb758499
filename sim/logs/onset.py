"""How a visit log begins: mid-life, young, or one cohort (`labsim log describe`, `labsim calibrate --from-log`).

A log is a window on a lab's life. When the lab was open before the log
began, its regulars and returners are "first seen" in the log's first weeks
like newcomers: those weeks' newcomer counts are overstated, and a scenario
without a warm-up, whose first day has no one, does not match them. A log of
a single cohort (everyone first seen in the same weeks, as in a repeat-purchase
dataset that follows one quarter's customers) has no flow of newcomers at all.

The rule (measured on synthesised logs; docs/ODD.md, "Visit logs"), over the
days since the log's first day, of each person's first day in the log:

- `SINGLE_COHORT`: 99% of its people (20 or more) were first seen within the
  first quarter of the log's days;
- otherwise the rate of first appearances per day in the first 4 weeks is set
  against the rate from day 28 to the log's end. `MID_LIFE` when it is at least
  1.25 times the later rate and the excess is more than 3 Poisson standard
  deviations of what the later rate predicts; `YOUNG` when it is under 1.25
  times; `UNDECIDED` when the log is under 12 weeks, when the later rate
  predicts fewer than 20 people in the first 4 weeks, or when the excess is
  within chance. On 1-year logs of the presets with their warm-up the ratio was
  1.33-2.15 wherever 20 newcomers were expected in the first 4 weeks, and on
  those of the presets with no warm-up and no initial population 0.59-1.10
  (`benchmarks/log_onset.py`; docs/ODD.md section 6.2 gives the table).

The people "who behave like regulars" are those first seen in the first 4
weeks who came 4 times or more in their first 4 weeks (once a week): a
description of what the excess is made of, not part of the rule.

Counts go through the description's privacy cells (`add_cells`): what is
published of them is decided with the rest (`sim.logs.privacy`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

FIRST_DAYS = 28  # the log's first 4 weeks
MIN_DAYS = 84  # a log shorter than 12 weeks has no "later" to set its first weeks against
MID_LIFE_RATIO = 1.25  # first seen this many times as fast in the first weeks as later: mid-life
EXCESS_SDS = 3.0  # ... and by more than chance: this many Poisson SDs of the later rate's prediction
MIN_EXPECTED = 20.0  # people the later rate predicts in the first 4 weeks: fewer, and the log cannot tell
REGULAR_VISITS = 4  # visits in a person's first 4 weeks: a regular's rate (once a week)
COHORT_SHARE = 0.99  # a single cohort: this share of the people first seen ...
COHORT_SPAN = 0.25  # ... within this share of the log's days
MIN_PEOPLE = 20  # fewer people than this: no cohort is told from a handful


class LogStart(StrEnum):
    """How a log begins, as `log_summary.json` names it (`start.kind`)."""

    MID_LIFE = "mid_life"  # people from before the log are first seen in its first weeks
    YOUNG = "young"  # no sign of them: first seen no faster in the first weeks than later
    SINGLE_COHORT = "single_cohort"  # everyone first seen in the same first weeks
    UNDECIDED = "undecided"  # too short, too few newcomers, or within chance


@dataclass(frozen=True)
class Onset:
    """What the log's first weeks say (unpublished: `published` decides what is shown)."""

    kind: LogStart
    days: int  # the log's days
    early: int  # people first seen in the first 4 weeks
    later: int  # people first seen from day 28 on
    regular_like: int  # of `early`: 4 visits or more in their first 4 weeks
    ratio: float | None  # first appearances per day, first 4 weeks against later (None: no later days)
    cohort_days: int  # the days within which 99% of the people were first seen
    why: str = ""  # UNDECIDED: why


def onset(person: np.ndarray, day: np.ndarray, first: np.ndarray) -> Onset:
    """Classify a log from its visits (`person` codes 0..P-1, `day` since the log's first day; `first` per person)."""
    days = int(day.max()) + 1 if day.size else 0
    early_people = first < FIRST_DAYS
    since = day - first[person]
    soon = np.bincount(person[since < FIRST_DAYS], minlength=first.size)
    early, later = int(early_people.sum()), int((~early_people).sum())
    regular_like = int((early_people & (soon >= REGULAR_VISITS)).sum())
    cohort_days = int(np.quantile(first, COHORT_SHARE, method="higher")) + 1 if first.size else 0
    later_days = days - FIRST_DAYS
    ratio = (early / FIRST_DAYS) / (later / later_days) if later_days > 0 and later else None
    expected = later / later_days * FIRST_DAYS if later_days > 0 else 0.0

    def found(kind: LogStart, why: str = "") -> Onset:
        return Onset(kind, days, early, later, regular_like, ratio, cohort_days, why)

    if days < MIN_DAYS:
        return found(LogStart.UNDECIDED, "short")
    if first.size >= MIN_PEOPLE and cohort_days <= COHORT_SPAN * days:
        return found(LogStart.SINGLE_COHORT)
    if expected < MIN_EXPECTED:
        return found(LogStart.UNDECIDED, "few")
    if ratio is not None and ratio >= MID_LIFE_RATIO:
        if early - expected > EXCESS_SDS * math.sqrt(expected):
            return found(LogStart.MID_LIFE)
        return found(LogStart.UNDECIDED, "chance")
    return found(LogStart.YOUNG)


def add_cells(o: Onset, cells, newcomers) -> None:
    """The onset's counts of people, tied to the log's newcomers (`newcomers`: that cell's key) and to each other."""
    cells.add(("start", "early"), o.early)
    cells.difference(newcomers, ("start", "early"), ("start", "later"))
    cells.add(("start", "regular_like"), o.regular_like)
    cells.difference(("start", "early"), ("start", "regular_like"), ("start", "not_regular_like"))


def published(o: Onset, cells, newcomers) -> dict:
    """The onset as log_summary.json's `start`: its kind, the published counts, the ratio and one sentence."""
    both = cells.published(("start", "early")) and cells.published(newcomers)
    ratio = round(o.ratio, 2) if o.ratio is not None and both else None
    out = {"kind": o.kind.value, "first_days": FIRST_DAYS, "first_seen_early": cells.shown(("start", "early")),
           "first_seen_ratio": ratio, "regular_like": cells.shown(("start", "regular_like")),
           "cohort_days": o.cohort_days if o.kind is LogStart.SINGLE_COHORT else None,
           "rule": f"mid-life when people are first seen in the first {FIRST_DAYS} days at least {MID_LIFE_RATIO:g} "
                   f"times as fast (per day) as later, beyond {EXCESS_SDS:g} Poisson SDs; a single cohort when "
                   f"{COHORT_SHARE:.0%} of the people are first seen in the first {COHORT_SPAN:.0%} of the log's days"}
    return out | {"sentence": sentence(o, out)}


def sentence(o: Onset, shown: dict) -> str:
    """One line for the terminal and the report, from the published values only."""
    ratio = shown["first_seen_ratio"]
    pace = f"{ratio:.2f} times as fast" if ratio is not None else "at a pace it cannot publish"
    if o.kind is LogStart.MID_LIFE:
        regulars = shown["regular_like"]
        if isinstance(regulars, int):
            return (f"the log starts mid-life: {regulars:,} people seen in its first 4 weeks behave like regulars "
                    f"({REGULAR_VISITS} visits or more in their first 4 weeks), and people are first seen then {pace} "
                    "as later; newcomer counts of its first months are overstated")
        return (f"the log starts mid-life: people are first seen in its first 4 weeks {pace} as later (people who "
                "came before it began); newcomer counts of its first months are overstated")
    if o.kind is LogStart.YOUNG:
        return (f"the log starts young: people are first seen in its first 4 weeks {pace} as later (mid-life from "
                f"{MID_LIFE_RATIO:g}): no sign of visitors from before it began")
    if o.kind is LogStart.SINGLE_COHORT:
        weeks, of = math.ceil(o.cohort_days / 7), math.ceil(o.days / 7)
        return (f"the log is a single cohort: {COHORT_SHARE:.0%} of its people were first seen in its first {weeks} "
                f"weeks (of {of}); newcomers are not a flow here: survival and visit counts are the informative "
                "targets")
    if o.why == "short":
        return (f"the log is too short ({o.days} days; {MIN_DAYS} needed) to tell whether it starts mid-life or "
                "young")
    if o.why == "few":
        return "too few newcomers after the log's first 4 weeks to tell whether it starts mid-life or young"
    return (f"the log may start mid-life: people are first seen in its first 4 weeks {pace} as later, but too "
            "few of them to tell from chance")


def seats_people(settings) -> bool:
    """Whether a scenario seats people on its first day (an initial population of regulars, partners, ...)."""
    return bool(settings.initial_contributors or settings.initial_partners or settings.initial_dormant
                or settings.initial_former_regulars)


def warms_up(settings) -> bool:
    """Whether a scenario begins with a lab that has lived: a warm-up, or people seated on its first day."""
    return bool(settings.warmup_years > 0 or seats_people(settings))
