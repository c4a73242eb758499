"""What a lab's visit log says: the model's outcomes measured on real visits (`labsim log describe`).

Per calendar year and over the whole log: visitors, newcomers, returning
visitors, regulars by the model's own contributor rule (`sim.model.ladder.is_regular`
with the scenario's `contributor_visits` within `contributor_window_days`), the
visit-count distribution (share once, share 4+, Gini, top 1% share), the
one-year survival of returners and newcomers and the retention of members (the
cohorts of `sim.metrics.cohorts`, on days), the gaps between visits, and the
weekly series with its seasonality. Keys are named as the model's outcomes
where they mean the same, so a log and a run read side by side.

The files (tables, figures, report.html) are written by `sim.pages.log`.

Privacy: the log's people are hashes already (`sim.logs.visitlog`); every
published count of people below `MIN_COUNT` is shown as "<5" and a share of
fewer than `MIN_COUNT` people is not published; tables of people are written
only on request.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from pathlib import Path

import numpy as np
import pandas as pd

from sim.config.settings import Settings
from sim.kinds import DAYS_PER_YEAR, VisitKind
from sim.logs.visitlog import VISIT_KINDS, VisitLog
from sim.metrics import VISIT_QUANTILE_KEYS, gini, visit_quantiles
from sim.model.careers import RETURNER_WINDOW
from sim.model.ladder import is_regular

MIN_COUNT = 5  # a published count of people under this is suppressed ("<5"), a share of fewer people is not published
SUPPRESSED = "<5"
YEAR_DAYS = int(DAYS_PER_YEAR)
PEOPLE_KEYS = ("visitors", "newcomers", "returning_visitors", "contributors", "members_started")
SHARE_KEYS = ("visitors_once_share", "visitors_4plus_share", "gini_visits", "top1_visits_share",
              "returner_survival_1y", "newcomer_survival_1y", "member_retention_1y")
GAP_BINS = (0, 1, 7, 30, 90, 365, np.inf)  # days between two visits: (0,1], (1,7], ... (365, inf)
GAP_LABELS = ("1 day", "2-7 days", "8-30 days", "31-90 days", "91-365 days", "over a year")


def shown(count: int) -> int | str:
    """A count of people as published: '<5' for 1 to 4 (zero is no one, and stays 0)."""
    count = int(count)
    return SUPPRESSED if 0 < count < MIN_COUNT else count


@dataclasses.dataclass
class Description:
    """A described log: its summary (log_summary.json), its tables, and the per-person table (only on request)."""

    summary: dict
    tables: dict[str, pd.DataFrame]
    source: tuple  # (the visits' arrays, the log's visits): the per-person table is made only when asked (--people)
    weekly: pd.DataFrame  # unsuppressed weekly series, for the figure (drawn only where 5 people or more came)
    counts: np.ndarray  # visits per visitor over the whole log, for the figure (drawn only where 5 people or more)
    survival: pd.DataFrame


@dataclasses.dataclass
class _Visits:
    """The log's visits as arrays, sorted by person then day (one row per person and day)."""

    person: np.ndarray  # a code 0..P-1 per visit
    day: np.ndarray  # days since the log's first day
    first: np.ndarray  # each person's first day
    regular: np.ndarray  # whether the contributor rule held at this visit
    year: np.ndarray  # the visit's calendar year
    start: pd.Timestamp

    @property
    def since(self) -> np.ndarray:
        """Days since the person's first visit."""
        return self.day - self.first[self.person]


def _arrays(visits: pd.DataFrame, settings: Settings) -> _Visits:
    start = visits["date"].min()
    codes, _ = pd.factorize(visits["person_hash"], sort=False)
    day = ((visits["date"] - start).dt.days).to_numpy(dtype=np.int64)
    order = np.lexsort((day, codes))
    person, day = codes[order].astype(np.int64), day[order]
    window = math.floor(settings.contributor_window_days)
    span = (int(day.max()) if day.size else 0) + window + 1  # a person's window never reaches the previous person's
    key = person * span + day
    # visits at or after (day - window), this one included: what People.visits_within counts at the visit
    lower = key - window
    recent = np.arange(key.size) - np.searchsorted(key, lower, side="left") + 1
    regular = is_regular(recent, 1.0, settings)  # a log cannot see a selective membership: everyone passes it
    first = np.full(int(person.max()) + 1 if person.size else 0, np.iinfo(np.int64).max)
    np.minimum.at(first, person, day)
    year = visits["date"].dt.year.to_numpy()[order]
    return _Visits(person, day, first, np.asarray(regular, dtype=bool), year, start)


def _share(part: int, whole: int) -> float | None:
    """A share of people, published only when the whole is at least MIN_COUNT people."""
    return round(part / whole, 6) if whole >= MIN_COUNT else None


def _stats(v: _Visits, rows: np.ndarray, lo: int, hi: int, last: int, members: pd.DataFrame) -> dict:
    """The outcomes of the visits `rows` (a mask), of days lo..hi, in a log whose last day is `last`."""
    n_people = v.first.size
    counts = np.bincount(v.person[rows], minlength=n_people)
    c = counts[counts > 0]
    visitors = int(c.size)
    newcomers = int(((v.first >= lo) & (v.first <= hi)).sum())
    out: dict = {"visits": int(rows.sum()), "visitors": visitors, "newcomers": newcomers,
                 "returning_visitors": int((c >= 2).sum()),
                 "contributors": int(np.unique(v.person[rows & v.regular]).size)}
    top = np.sort(c)[::-1][: max(1, math.ceil(0.01 * visitors))] if visitors else c
    out |= {"visitors_once_share": _share(int((c == 1).sum()), visitors),
            "visitors_4plus_share": _share(int((c >= 4).sum()), visitors),
            "gini_visits": round(gini(c), 6) if visitors >= MIN_COUNT else None,
            "top1_visits_share": round(float(top.sum() / c.sum()), 6) if visitors >= MIN_COUNT else None,
            "visits_max": int(c.max()) if visitors >= MIN_COUNT else None}
    out |= visit_quantiles(c) if visitors >= MIN_COUNT else dict.fromkeys(VISIT_QUANTILE_KEYS)
    # cohorts (sim.metrics.cohorts, on days): people first seen in lo..hi whose year fits in the log
    edge = min(hi, last - YEAR_DAYS)
    gaps = []
    cohort = (v.first >= lo) & (v.first <= edge)
    if cohort.any():
        since = v.since
        returned = np.bincount(v.person[(since > 0) & (since <= RETURNER_WINDOW)], minlength=n_people) > 0
        alive = np.bincount(v.person[(since > YEAR_DAYS - RETURNER_WINDOW) & (since <= YEAR_DAYS)],
                            minlength=n_people) > 0
        returners = cohort & returned
        out["returner_survival_1y"] = _share(int((returners & alive).sum()), int(returners.sum()))
        out["newcomer_survival_1y"] = _share(int((cohort & alive).sum()), int(cohort.sum()))
        out["returners_cohort"] = int(returners.sum())
        out["newcomers_cohort"] = int(cohort.sum())
    else:
        out |= {"returner_survival_1y": None, "newcomer_survival_1y": None, "returners_cohort": 0,
                "newcomers_cohort": 0}
        gaps.append("returner_survival_1y and newcomer_survival_1y: no one first seen here a full year before the "
                    "log's last day")
    started = members[(members["day"] >= lo) & (members["day"] <= hi)] if len(members) else members
    out["members_started"] = len(started)
    fits = started[started["day"] <= last - YEAR_DAYS] if len(started) else started
    if len(fits):
        out["member_retention_1y"] = _share(int((~fits["ended_within_1y"]).sum()), len(fits))
    else:
        out["member_retention_1y"] = None
        gaps.append("member_retention_1y: " + ("no membership_start rows in the log" if not len(members) else
                                               "no membership started here a full year before the log's last day"))
    if gaps:
        out["cohort_gap"] = "; ".join(gaps)
    return out


def _members(log: pd.DataFrame, start: pd.Timestamp) -> pd.DataFrame:
    """Each membership start (day) and whether the same person's membership ended within a year of it."""
    rows = log[log["kind"].isin([VisitKind.MEMBERSHIP_START.value, VisitKind.MEMBERSHIP_END.value])]
    if rows.empty:
        return pd.DataFrame({"day": pd.Series(dtype=np.int64), "ended_within_1y": pd.Series(dtype=bool)})
    rows = rows.assign(day=(rows["date"] - start).dt.days)
    starts = rows[rows["kind"] == VisitKind.MEMBERSHIP_START.value][["person_hash", "day"]].reset_index(drop=True)
    ends = rows[rows["kind"] == VisitKind.MEMBERSHIP_END.value][["person_hash", "day"]]
    pairs = starts.reset_index().merge(ends, on="person_hash", how="inner", suffixes=("", "_end"))
    ended = pairs[(pairs["day_end"] >= pairs["day"]) & (pairs["day_end"] <= pairs["day"] + YEAR_DAYS)]["index"]
    return starts.assign(ended_within_1y=starts.index.isin(ended))[["day", "ended_within_1y"]]


def describe(log: VisitLog, settings: Settings | None = None) -> Description:
    """Measure a read log (see the module's docstring); `settings` give the contributor rule (default: the model's)."""
    settings = settings or Settings()
    visits = log.visits[log.visits["kind"].isin(VISIT_KINDS)]
    if visits.empty:
        from sim.errors import LabsimError

        raise LabsimError(f"{log.path}: no visits (only membership rows); a log needs visit, workshop or event rows")
    v = _arrays(visits, settings)
    members = _members(log.visits, v.start)
    last = int(v.day.max())
    whole = _stats(v, np.ones(v.day.size, dtype=bool), 0, last, last, members)
    years = {}
    for year in sorted(set(v.year.tolist())):
        lo = max(0, (pd.Timestamp(year=year, month=1, day=1) - v.start).days)
        hi = min(last, (pd.Timestamp(year=year, month=12, day=31) - v.start).days)
        years[str(year)] = _stats(v, v.year == year, lo, hi, last, members) | {"days": hi - lo + 1}
    gaps = _gaps(v)
    weekly = _weekly(visits)
    summary = {
        **{k: _publish(k, x) for k, x in whole.items()},
        "gap_days_median": float(gaps["median"]) if gaps["count"] >= MIN_COUNT else None,
        "gap_days_mean": round(float(gaps["mean"]), 3) if gaps["count"] >= MIN_COUNT else None,
        "log": {"file": Path(log.path).name, "rows": log.rows, "same_day_repeats_dropped": log.duplicates,
                "first_day": str(v.start.date()), "last_day": str((v.start + pd.Timedelta(days=last)).date()),
                "days": last + 1, "membership_rows": int((~log.visits["kind"].isin(VISIT_KINDS)).sum())},
        "rule": {"contributor_visits": settings.contributor_visits,
                 "contributor_window_days": settings.contributor_window_days,
                 "returner_window_days": RETURNER_WINDOW},
        "privacy": {"people": "salted hashes (blake2b, a random salt per reading); raw identifiers are never written",
                    "suppressed_below": MIN_COUNT},
        "years": {y: {k: _publish(k, x) for k, x in s.items()} for y, s in years.items()},
    }
    counts = np.bincount(v.person)
    tables = {"years": _years_table(summary), "weekly": _published_weekly(weekly),
              "seasonality": _seasonality(visits, v.start, last), "visit_counts": _count_table(counts),
              "gaps": gaps["table"]}
    survival = _survival(v, last)
    tables["survival"] = survival
    return Description(summary, tables, (v, visits), weekly, counts, survival)


def _publish(key: str, value):
    """A summary value as published: counts of people suppressed under MIN_COUNT."""
    if key in PEOPLE_KEYS or key.endswith("_cohort"):
        return shown(value)
    return value


def _years_table(summary: dict) -> pd.DataFrame:
    keys = ["visits", *PEOPLE_KEYS, *SHARE_KEYS, "visits_max", *VISIT_QUANTILE_KEYS]
    rows = [{"year": y, **{k: s.get(k) for k in keys}} for y, s in summary["years"].items()]
    rows.append({"year": "all", **{k: summary.get(k) for k in keys}})
    return pd.DataFrame(rows).astype(object).where(lambda d: d.notna(), "")


def _weekly(visits: pd.DataFrame) -> pd.DataFrame:
    """Visits and visitors per week (weeks start on Monday), every week of the log, empty ones as 0.

    `days` says how many of the week's days lie inside the log: the first and last weeks may be partial.
    """
    week = visits["date"] - pd.to_timedelta(visits["date"].dt.day_of_week, unit="D")
    grouped = visits.groupby(week, sort=True)["person_hash"]
    table = pd.DataFrame({"visits": grouped.size(), "visitors": grouped.nunique()})
    full = pd.date_range(table.index.min(), table.index.max(), freq="7D")
    table = table.reindex(full, fill_value=0)
    table.index.name = "week"
    first, last = visits["date"].min(), visits["date"].max()
    ends = full + pd.Timedelta(days=6)
    days = (np.minimum(ends, last) - np.maximum(full, first)).days + 1
    return table.reset_index().assign(days=np.asarray(days))


def _published_weekly(weekly: pd.DataFrame) -> pd.DataFrame:
    out = weekly.assign(week=weekly["week"].dt.strftime("%Y-%m-%d")).astype(object)
    out["visitors"] = [shown(x) for x in weekly["visitors"]]
    out["visits"] = [x if p >= MIN_COUNT or p == 0 else SUPPRESSED for x, p in zip(weekly["visits"],
                                                                                    weekly["visitors"], strict=True)]
    return out


def _seasonality(visits: pd.DataFrame, start: pd.Timestamp, last: int) -> pd.DataFrame:
    """Visits a day in each calendar month and weekday, over the log's days of that month or weekday, as an index.

    1.0 is the log's mean; 1.3 a month 30% busier than the average day.
    """
    days = pd.date_range(start, start + pd.Timedelta(days=last), freq="D")
    mean = len(visits) / len(days)
    rows = []
    for what, of_visits, of_days, names in (
            ("month", visits["date"].dt.month, days.month, [pd.Timestamp(2001, m, 1).strftime("%B") for m in range(1, 13)]),
            ("weekday", visits["date"].dt.day_of_week, days.day_of_week, [pd.Timestamp(2001, 1, 1 + d).strftime("%A")
                                                                       for d in range(7)])):
        counts, spans = of_visits.value_counts(), pd.Series(of_days).value_counts()
        for i, name in enumerate(names, start=1 if what == "month" else 0):
            if spans.get(i, 0):
                rows.append({"period": what, "name": name, "days": int(spans[i]),
                             "index": round(float(counts.get(i, 0) / spans[i] / mean), 4)})
    return pd.DataFrame(rows)


def _count_table(counts: np.ndarray) -> pd.DataFrame:
    """People by visits over the whole log (1, 2, 3, 4-7, 8-15, ...), counts under 5 suppressed."""
    edges = [1, 2, 3, 4, 8, 16, 32, 64, 128, 256, 512, np.inf]
    rows = []
    for lo, hi in itertools.pairwise(edges):
        n = int(((counts >= lo) & (counts < hi)).sum())
        label = str(lo) if hi == lo + 1 else f"{lo}+" if hi == np.inf else f"{lo}-{int(hi) - 1}"
        rows.append({"visits": label, "people": shown(n)})
    return pd.DataFrame(rows)


def _gaps(v: _Visits) -> dict:
    """Days between a person's consecutive visits: their median, mean and distribution (counts under 5 suppressed)."""
    same = v.person[1:] == v.person[:-1]
    gaps = (v.day[1:] - v.day[:-1])[same]
    binned = pd.cut(pd.Series(gaps, dtype=float), GAP_BINS, labels=GAP_LABELS).value_counts().reindex(GAP_LABELS)
    table = pd.DataFrame({"gap": GAP_LABELS, "gaps": [shown(x) for x in binned.fillna(0).astype(int)]})
    return {"count": int(gaps.size), "median": float(np.median(gaps)) if gaps.size else math.nan,
            "mean": float(gaps.mean()) if gaps.size else math.nan, "table": table}


def _survival(v: _Visits, last: int) -> pd.DataFrame:
    """Share of a cohort still coming d days after their first visit (a visit on day d or later), by week."""
    cohort = v.first <= last - YEAR_DAYS
    latest = np.zeros(v.first.size, dtype=np.int64)
    np.maximum.at(latest, v.person, v.day)
    since = latest - v.first
    returned = np.bincount(v.person[(v.since > 0) & (v.since <= RETURNER_WINDOW)], minlength=v.first.size) > 0
    rows = []
    for group, mask in (("newcomers", cohort), ("returners", cohort & returned)):
        size = int(mask.sum())
        for d in range(0, YEAR_DAYS + 1, 7):
            rows.append({"cohort": group, "day": d, "people": shown(size),
                         "still_coming": round(float((since[mask] >= d).mean()), 6) if size >= MIN_COUNT else None})
    return pd.DataFrame(rows)


def _people(v: _Visits, visits: pd.DataFrame) -> pd.DataFrame:
    """One row per person, named by their salted hash only (written with --people)."""
    _, hashes = pd.factorize(visits["person_hash"], sort=False)  # the codes of `_arrays`, in the same order
    counts = np.bincount(v.person)
    latest = np.zeros(counts.size, dtype=np.int64)
    np.maximum.at(latest, v.person, v.day)
    contributor = np.bincount(v.person[v.regular], minlength=counts.size) > 0

    def day(d):
        return (v.start + pd.to_timedelta(d, unit="D")).strftime("%Y-%m-%d")

    return pd.DataFrame({"person_hash": pd.Series(np.asarray(hashes, dtype=np.uint64)).map("{:016x}".format),
                         "visits": counts, "first_day": day(v.first), "last_day": day(latest),
                         "contributor": contributor})


def people_table(found: Description) -> pd.DataFrame:
    """The per-person table (people.csv, written only with --people): one row per salted hash."""
    return _people(*found.source)


def at_least(sorted_counts: np.ndarray, k: np.ndarray) -> np.ndarray:
    """How many visitors made at least k visits, for each k (`sorted_counts`: visits per visitor, sorted)."""
    return sorted_counts.size - np.searchsorted(sorted_counts, k, side="left")
