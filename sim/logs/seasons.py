"""A log's seasons: visits in each calendar month against the usual month, closures, and the scenario's profile.

`labsim log describe` reports it (one line, a table, `seasons` in log_summary.json) and
`labsim calibrate --from-log` carries it into the simulated lab (`monthly_opening`).

How it is measured, and why:

- Only whole months count: a month cut by the log's first or last day would look
  like a dip. The log's first (last) month counts if the log starts (ends) within
  `EDGE_DAYS` of its edge, or if the log covers whole years (its months, first to
  last, are a multiple of 12: an export of calendar or academic years whose first
  visit falls after a New Year's closure). Otherwise that month is not measured,
  and the report says so: a closure at a log's very edge cannot be told from the
  log's end.
- Visits a day in each whole month, with the lab's growth taken out: a young lab
  grows through its first year and that ramp is not a season. The trend is the
  Theil-Sen slope of the log of monthly visits a day (the median of the slopes
  between every two months: a closure or a dip does not tilt it); each month is
  divided by it.
- Each calendar month (its instances over the years pooled) against the usual
  month: the median of the months with visits. A month is a dip when it is below
  `DIP` of the usual and the shortfall is clear: more than `CLEAR` standard
  deviations of a Poisson count at the usual rate (a small lab's months vary a lot
  by chance) and of the months' own scatter around the usual (a robust SD, 1.4826
  x the median absolute deviation of their logs, at least `MIN_SPREAD`: a young
  lab's first year bends more than a log-linear trend, and its first and last
  months would otherwise pass for dips; so a month above exp(-0.3) = 0.74 of the
  usual is never called a dip). A month is closed when it has no visit at all and the usual
  rate would have brought clearly some (`CLEAR` again).
- The suggested `monthly_opening` is the profile as the scenario key's value:
  0 for a closed month, the month's share (2 decimals) for a dip, 1 for every
  other month. It reads visits as opening: a month with half the usual visits is
  simulated as a month open half its days. Under the model's mechanism
  (`sim.model.calendar`) a closure of half a month lowers its visits by about half
  (newcomers do not come; regulars booked in it come once, on the first open day),
  so a log synthesised with a profile gives back about that profile (tested).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd

from sim.config.schema import profile_text
from sim.logs.privacy import MIN_COUNT

MONTH_NAMES = tuple(pd.Timestamp(2001, m, 1).strftime("%B") for m in range(1, 13))
EDGE_DAYS = 7  # a log starting or ending this close to a month's edge covers that month (a weekday or holiday off)
DIP = 0.8  # a month below this share of the usual one is a dip (if clearly so)
CLEAR = 3.0  # standard deviations (of a Poisson count at the usual rate) a shortfall must exceed to count
MIN_SPREAD = 0.1  # the least month-to-month scatter assumed (log scale): weather, a busy event, a holiday


class State:
    """What a calendar month of the log shows (plain strings: they go to JSON, CSV and the page as they are)."""

    USUAL = "usual"
    DIP = "dip"
    CLOSED = "closed"
    NO_VISIT = "no visit (too few visits a month to call it a closure)"
    FEW = "hidden (fewer than 5 visitors, or it would give such a count away)"
    NOT_MEASURED = "not measured (no whole month in the log)"
    ARRIVING = "not measured (a single cohort still arriving: a ramp, not a season)"


@dataclasses.dataclass
class Seasons:
    """The log's seasons: per calendar month its share of the usual and its state; the profile to paste."""

    share: list[float | None]  # visits a day against the usual month (growth taken out); None: not shown
    state: list[str]
    whole: list[int]  # whole months of the log behind each calendar month
    opening: tuple[float, ...]  # the suggested monthly_opening
    trend_per_year: float | None  # the growth taken out (x per year), None when too few months to fit one
    edges: list[str]  # edge months left out, in words

    @property
    def seasonal(self) -> bool:
        """Whether the log shows seasons: a month closed, or clearly below `DIP` of the usual."""
        return min(self.opening) < 1.0

    def line(self) -> str:
        """One line: "seasons: closed in August; December at 0.55 of the usual"."""
        closed = [MONTH_NAMES[m] for m in range(12) if self.state[m] == State.CLOSED]
        dips = [f"{MONTH_NAMES[m]} at {self.share[m]:.2f}" for m in range(12) if self.state[m] == State.DIP]
        parts = ([f"closed in {_and(closed)}"] if closed else []) + ([f"{_and(dips)} of the usual"] if dips else [])
        if not any(n for n in self.whole):
            return "seasons: not measured (the log holds no whole month)"
        text = "; ".join(parts) if parts else f"none seen (every month within {DIP:g} of the usual, or not clearly below)"
        missing = [MONTH_NAMES[m] for m in range(12) if not self.whole[m]]
        if missing:
            text += f"; not measured: {_and(missing)}"
        return f"seasons: {text}"


    def hide(self, months: list[str]) -> Seasons:
        """The same, with the months the description hides (`sim.logs.privacy`: their visits) hidden here too.

        A month's share and the usual month would give back its visits, and so a count the description's
        complementary suppression hid; such a month is shown as hidden, and its opening stays 1.
        """
        out = dataclasses.replace(self, share=list(self.share), state=list(self.state), opening=list(self.opening))
        for m in (MONTH_NAMES.index(name) for name in months):
            if out.state[m] != State.NOT_MEASURED and out.share[m] != 0.0:
                out.share[m], out.state[m], out.opening[m] = None, State.FEW, 1.0
        out.opening = tuple(out.opening)
        return out

    def summary(self) -> dict:
        """`seasons` in log_summary.json."""
        return {"line": self.line(), "seasonal": self.seasonal, "monthly_opening": list(self.opening),
                "trend_per_year": self.trend_per_year, "edges": self.edges,
                "months": [{"month": MONTH_NAMES[m], "whole_months": self.whole[m], "share_of_usual": self.share[m],
                            "state": self.state[m]} for m in range(12)],
                "rule": f"visits a day in each whole month, the lab's growth taken out (Theil-Sen), against the "
                        f"median month; a dip below {DIP:g} of it, or a closure, counts when clear ({CLEAR:g} "
                        f"Poisson standard deviations)"}



def opening_line(summary: dict) -> str:
    """The profile of `Seasons.summary` as a scenario file's line: `monthly_opening = [1, 1, ..., 0, 1, 1, 1, 0.52]`."""
    return f"monthly_opening = {profile_text(summary['monthly_opening'])}"


def table(summary: dict) -> pd.DataFrame:
    """seasons.csv (and the page's table), from `Seasons.summary`: one row per calendar month."""
    months = summary["months"]
    return pd.DataFrame({"month": [r["month"] for r in months], "whole_months": [r["whole_months"] for r in months],
                         "share_of_usual": ["" if r["share_of_usual"] is None else r["share_of_usual"] for r in months],
                         "state": [r["state"] for r in months], "monthly_opening": summary["monthly_opening"]})


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _whole_months(first: pd.Timestamp, last: pd.Timestamp) -> tuple[pd.PeriodIndex, list[str]]:
    """The log's months that count as whole, and the edge months left out (in words)."""
    months = pd.period_range(first.to_period("M"), last.to_period("M"), freq="M")
    if len(months) % 12 == 0:  # whole years: their edges are the log's period, a closure there a closure
        return months, []
    keep = np.ones(len(months), dtype=bool)
    edges = []
    if (first - months[0].start_time).days >= EDGE_DAYS:
        keep[0] = False
        edges.append(f"{months[0].strftime('%B %Y')} (the log starts on {first.day} {first.strftime('%B')})")
    if (months[-1].end_time.normalize() - last).days >= EDGE_DAYS and keep[-1]:
        keep[-1] = False
        edges.append(f"{months[-1].strftime('%B %Y')} (the log ends on {last.day} {last.strftime('%B')})")
    return months[keep], edges


def theil_sen(x: np.ndarray, y: np.ndarray) -> float:
    """The median of the slopes between every two points (0 with fewer than 2 distinct x)."""
    i, j = np.triu_indices(x.size, k=1)
    dx = x[j] - x[i]
    ok = dx != 0
    return float(np.median((y[j] - y[i])[ok] / dx[ok])) if ok.any() else 0.0


def _month(m: int, whole: int, observed: float, expected: float, ratio: float, visitors: int,
           spread: float) -> tuple[float | None, str, float]:
    """One calendar month: its share of the usual (None: not shown), its state, and its suggested opening.

    A shortfall is clear when it exceeds `CLEAR` standard deviations both of a Poisson count at the usual
    rate and of the months' own scatter around the usual (`spread`, on the log scale: what chance, a
    young lab's bending growth and everything else the trend leaves do to a month).
    """
    if not whole:
        return None, State.NOT_MEASURED, 1.0
    clear = expected - observed > CLEAR * math.sqrt(expected)
    if observed == 0:
        return 0.0, (State.CLOSED if clear else State.NO_VISIT), (0.0 if clear else 1.0)
    if visitors < MIN_COUNT:
        return None, State.FEW, 1.0
    value = round(ratio, 2)
    if value < DIP and clear and math.log(ratio) < -CLEAR * spread:
        return value, State.DIP, value
    return value, State.USUAL, 1.0


def estimate(visits: pd.DataFrame, arriving_until: pd.Timestamp | None = None) -> Seasons:
    """The seasons of a log's visits (columns `date`, a day, and `person_hash`).

    `arriving_until`: the last day a single cohort was still arriving (`sim.logs.onset`); the months
    up to it are a ramp of first visits, not a season, and are left out (a one-cohort purchase log
    otherwise reads its first month as a dip).
    """
    dates = visits["date"]
    months, edges = _whole_months(dates.min(), dates.max())
    if arriving_until is not None and len(months):
        ramp = months[months.start_time <= arriving_until]
        months = months[months.start_time > arriving_until]
        edges = edges + [f"{m.strftime('%B %Y')} (the cohort was still arriving)" for m in ramp]
    period = dates.dt.to_period("M")
    inside = period.isin(months)
    counts = period[inside].value_counts().reindex(months, fill_value=0)
    people = visits.loc[inside.to_numpy()].groupby(dates[inside].dt.month)["person_hash"].nunique()
    if not len(months):  # a log shorter than a whole month
        return Seasons([None] * 12, [State.NOT_MEASURED] * 12, [0] * 12, (1.0,) * 12, None, edges)
    days = np.array([m.days_in_month for m in months], dtype=float)
    n = counts.to_numpy(dtype=float)
    t = np.arange(len(months), dtype=float)
    busy = n > 0
    slope = theil_sen(t[busy], np.log(n[busy] / days[busy])) if busy.sum() >= 6 else 0.0
    trend = np.exp(slope * (t - t.mean()))  # the growth, 1 in the log's middle month
    cal = np.array([m.month - 1 for m in months])
    whole = [int((cal == m).sum()) for m in range(12)]
    rate = [float(n[cal == m].sum() / (days * trend)[cal == m].sum()) if whole[m] else math.nan for m in range(12)]
    open_rates = [r for r in rate if r > 0]
    usual = float(np.median(open_rates)) if open_rates else math.nan
    logs = np.log(np.array(open_rates) / usual) if open_rates else np.zeros(1)
    spread = max(MIN_SPREAD, 1.4826 * float(np.median(np.abs(logs - np.median(logs)))))  # the months' scatter
    rows = [_month(m, whole[m], float(n[cal == m].sum()), usual * float((days * trend)[cal == m].sum()),
                   rate[m] / usual if whole[m] else math.nan, int(people.get(m + 1, 0)), spread) for m in range(12)]
    share, state, opening = (list(col) for col in zip(*rows, strict=True))
    if all(v == 0 for v in opening):  # cannot happen with visits in the log; kept so the profile stays valid
        opening = [1.0] * 12
    per_year = round(math.exp(12 * slope), 3) if busy.sum() >= 6 else None
    return Seasons(share, state, whole, tuple(opening), per_year, edges)
