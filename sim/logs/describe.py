"""What a lab's visit log says: the model's outcomes measured on real visits (`labsim log describe`).

Per calendar year and over the whole log: visitors, newcomers, returning
visitors, regulars by the model's own contributor rule (`sim.model.ladder.is_regular`
with the scenario's `contributor_visits` within `contributor_window_days`), the
visit-count distribution (share once, share 4+, Gini, top 1% share), the
one-year survival of returners and newcomers and the retention of members (the
cohorts of `sim.metrics.cohorts`, on days), the gaps between visits, and the
weekly series with its seasonality; its seasons (closed months and dips,
`sim.logs.seasons`); and how the log begins (`start`: mid-life, young, one
cohort, by `sim.logs.onset`'s rule). Keys are named as the model's outcomes
where they mean the same, so a log and a run read side by side.

The files (tables, figures, report.html) are written by `sim.pages.log`.

Privacy: the log's people are hashes already (`sim.logs.visitlog`); every
published count of 1 to 4 people is shown as "<5", and no such count can be
recovered from the others (a total minus its parts, a share times its whole,
a step of a curve): `sim.logs.privacy` decides what else is hidden ("x"). No
exact maximum is published (`visits_max` is null; `visits_top5` is the visits
of the fifth most frequent visitor); tables of people are written only on
request.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pandas as pd

from sim.config.settings import Settings
from sim.kinds import DAYS_PER_YEAR, VisitKind
from sim.logs.onset import LogStart, Onset, onset
from sim.logs.onset import add_cells as onset_cells
from sim.logs.onset import published as onset_published
from sim.logs.privacy import HIDDEN, MIN_COUNT, SUPPRESSED, Cells, bins, coarse_steps, quantile_ok, shown, top_k
from sim.logs.seasons import estimate as estimate_seasons
from sim.logs.seasons import table as season_table
from sim.logs.visitlog import VISIT_KINDS, VisitLog
from sim.metrics import VISIT_QUANTILE_KEYS, gini, visit_quantiles
from sim.model.careers import RETURNER_WINDOW
from sim.model.ladder import is_regular

YEAR_DAYS = int(DAYS_PER_YEAR)
PEOPLE_KEYS = ("visitors", "newcomers", "returning_visitors", "contributors", "members_started")
SHARE_KEYS = ("visitors_once_share", "visitors_4plus_share", "gini_visits", "top1_visits_share",
              "returner_survival_1y", "newcomer_survival_1y", "member_retention_1y")
GAP_BINS = (0, 1, 7, 30, 90, 365, np.inf)  # days between two visits: (0,1], (1,7], ... (365, inf)
COUNT_EDGES = [1, 2, 3, 4, 8, 16, 32, 64, 128, 256, 512, np.inf]  # visit_counts.csv: 1, 2, 3, 4-7, 8-15, ...
GAP_LABELS = ("1 day", "2-7 days", "8-30 days", "31-90 days", "91-365 days", "over a year")


@dataclasses.dataclass
class Description:
    """A described log: its summary (log_summary.json), its tables, and the per-person table (only on request)."""

    summary: dict
    tables: dict[str, pd.DataFrame]
    source: tuple  # (the visits' arrays, the log's visits): the per-person table is made only when asked (--people)
    weekly: pd.DataFrame  # unsuppressed weekly series (a posterior draw's band); figures draw `published_weekly`
    counts: np.ndarray  # visits per visitor over the whole log, for the figure (coarsened by `coarse_steps`)
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


def _stats(v: _Visits, rows: np.ndarray, lo: int, hi: int, last: int, members: pd.DataFrame) -> dict:
    """The outcomes of the visits `rows` (a mask), of days lo..hi, in a log whose last day is `last`, unpublished.

    Counts behind the shares are kept under `_`-keys (`_once`, `_4plus`, ...): what is published is decided
    for the whole description at once (`_published`), since a count may be recovered from others.
    """
    n_people = v.first.size
    counts = np.bincount(v.person[rows], minlength=n_people)
    c = counts[counts > 0]
    visitors = int(c.size)
    out: dict = {"visits": int(rows.sum()), "visitors": visitors,
                 "newcomers": int(((v.first >= lo) & (v.first <= hi)).sum()),
                 "returning_visitors": int((c >= 2).sum()),
                 "contributors": int(np.unique(v.person[rows & v.regular]).size),
                 "_once": int((c == 1).sum()), "_4plus": int((c >= 4).sum()), "_counts": c}
    # cohorts (sim.metrics.cohorts, on days): people first seen in lo..hi whose year fits in the log
    edge = min(hi, last - YEAR_DAYS)
    gaps = []
    cohort = (v.first >= lo) & (v.first <= edge)
    since = v.since
    returned = np.bincount(v.person[(since > 0) & (since <= RETURNER_WINDOW)], minlength=n_people) > 0
    alive = np.bincount(v.person[(since > YEAR_DAYS - RETURNER_WINDOW) & (since <= YEAR_DAYS)],
                        minlength=n_people) > 0
    returners = cohort & returned
    out |= {"returners_cohort": int(returners.sum()), "newcomers_cohort": int(cohort.sum()),
            "_returners_alive": int((returners & alive).sum()), "_newcomers_alive": int((cohort & alive).sum())}
    if not cohort.any():
        gaps.append("returner_survival_1y and newcomer_survival_1y: no one first seen here a full year before the "
                    "log's last day")
    started = members[(members["day"] >= lo) & (members["day"] <= hi)] if len(members) else members
    out["members_started"] = len(started)
    fits = started[started["day"] <= last - YEAR_DAYS] if len(started) else started
    out |= {"_members_fit": len(fits), "_members_kept": int((~fits["ended_within_1y"]).sum()) if len(fits) else 0}
    if not len(fits):
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
    rows = {}
    for year in sorted(set(v.year.tolist())):
        lo = max(0, (pd.Timestamp(year=year, month=1, day=1) - v.start).days)
        hi = min(last, (pd.Timestamp(year=year, month=12, day=31) - v.start).days)
        rows[str(year)] = _stats(v, v.year == year, lo, hi, last, members) | {"days": hi - lo + 1}
    rows["all"] = _stats(v, np.ones(v.day.size, dtype=bool), 0, last, last, members)
    gaps = _gaps(v)
    weekly = _weekly(visits)
    seasons = _seasonality(visits, v.start, last)
    counts = np.bincount(v.person)
    membership_rows = int((~log.visits["kind"].isin(VISIT_KINDS)).sum())
    start = onset(v.person, v.day, v.first)  # mid-life, young or one cohort (sim.logs.onset)
    cells = _cells(rows, counts, gaps, weekly, seasons, membership_rows, start)
    published = {y: _published(r, cells, y) for y, r in rows.items()}
    whole = published.pop("all")
    summary = {
        **whole,
        "gap_days_median": float(gaps["median"]) if gaps["count"] >= MIN_COUNT else None,
        "gap_days_mean": round(float(gaps["mean"]), 3) if gaps["count"] >= MIN_COUNT else None,
        "log": {"file": Path(log.path).name, "rows": log.rows - membership_rows,
                "same_day_repeats_dropped": log.duplicates, "first_day": str(v.start.date()),
                "last_day": str((v.start + pd.Timedelta(days=last)).date()), "days": last + 1,
                "membership_rows": cells.shown(("log", "membership_rows")), "columns_ignored": log.ignored},
        "start": onset_published(start, cells, ("all", "newcomers")),
        "rule": {"contributor_visits": settings.contributor_visits,
                 "contributor_window_days": settings.contributor_window_days,
                 "returner_window_days": RETURNER_WINDOW},
        "privacy": {"people": "salted hashes (blake2b, a random salt per reading); raw identifiers are never written",
                    "suppressed_below": MIN_COUNT,
                    "shown_as": {SUPPRESSED: "a count of 1 to 4 people",
                                 HIDDEN: "hidden so that a count under 5 cannot be recovered from the others"}},
        "years": published,
        "seasons": estimate_seasons(visits, _arriving_until(start, v.start)).hide([r.name for i, r in enumerate(seasons.itertuples()) if r.period ==
                                                  "month" and not cells.published(("season", i))]).summary(),
    }
    survival = _survival(v, last, cells)
    tables = {"years": _years_table(summary),
              "weekly": weekly.assign(week=weekly["week"].dt.strftime("%Y-%m-%d"),
                                      visits=[cells.shown(("week", i)) for i in range(len(weekly))],
                                      visitors=[shown(x) for x in weekly["visitors"]]),
              "seasonality": seasons.assign(index=[x if cells.published(("season", i)) else HIDDEN
                                                   for i, x in enumerate(seasons["index"])]).drop(columns=["_visits", "_visitors"]),
              "visit_counts": pd.DataFrame({"visits": [label for label, _ in _BINS(counts)],
                                            "people": [cells.shown(("bin", label)) for label, _ in _BINS(counts)]}),
              "gaps": pd.DataFrame({"gap": GAP_LABELS, "gaps": [cells.shown(("gap", g)) for g in GAP_LABELS]}),
              "survival": survival, "seasons": season_table(summary["seasons"])}
    return Description(summary, tables, (v, visits), weekly, counts, survival)


def _BINS(counts: np.ndarray) -> list[tuple[str, int]]:  # noqa: N802 (a table's rows, named as the table)
    return bins(counts, COUNT_EDGES)


# -- what is published: one set of cells, so that no count under 5 is recovered from the others ------------------
def _arriving_until(start: Onset, first_day: pd.Timestamp) -> pd.Timestamp | None:
    """A single cohort's last day of arrivals (its months are no season), None for any other log."""
    if start.kind is not LogStart.SINGLE_COHORT:
        return None
    return first_day + pd.Timedelta(days=start.cohort_days - 1)


def _cells(rows: dict, counts: np.ndarray, gaps: dict, weekly: pd.DataFrame, seasons: pd.DataFrame,
           membership_rows: int, start: Onset) -> Cells:
    """Every count the description publishes, with the sums that tie them, protected (`sim.logs.privacy`)."""
    cells = Cells()
    for r, s in rows.items():
        for key in ("visitors", "newcomers", "returning_visitors", "contributors", "members_started", "_once",
                    "_4plus", "newcomers_cohort", "returners_cohort", "_newcomers_alive", "_returners_alive",
                    "_members_fit", "_members_kept"):
            cells.add((r, key), s[key])
        cells.add((r, "visits"), s["visits"], people=False, few=s["visitors"] < MIN_COUNT,
                  fixed=r == "all")  # the log's visits: its rows read less the repeats, published anyway
        for part in ("newcomers", "contributors", "_4plus"):
            cells.difference((r, "visitors"), (r, part), (r, "not" + part))
        cells.tie((r, "visitors"), [(r, "returning_visitors"), (r, "_once")])  # one visit, or more
        for whole, part in (("returning_visitors", "_4plus"), ("newcomers", "newcomers_cohort"),
                            ("newcomers_cohort", "returners_cohort"), ("newcomers_cohort", "_newcomers_alive"),
                            ("returners_cohort", "_returners_alive"), ("_members_fit", "_members_kept"),
                            ("members_started", "_members_fit")):
            cells.difference((r, whole), (r, part), (r, "not" + part + "_of" + whole))
    years = [r for r in rows if r != "all"]
    for key in ("newcomers", "visits", "members_started"):  # a partition of the whole log's by year
        cells.tie(("all", key), [(y, key) for y in years])
    cells.tie(("all", "visitors"), [("all", "newcomers")])  # everyone is new in the log's first year
    cells.add(("log", "membership_rows"), membership_rows)
    onset_cells(start, cells, ("all", "newcomers"))
    cells.difference(("log", "membership_rows"), ("all", "members_started"), ("log", "membership_ends"))
    binned = _BINS(counts)
    for label, n in binned:
        cells.add(("bin", label), n)
    cells.tie(("all", "visitors"), [("bin", label) for label, _ in binned])
    cells.tie(("all", "_once"), [("bin", "1")])
    cells.tie(("all", "_4plus"), [("bin", label) for label, _ in binned[3:]])
    cells.tie(("all", "returning_visitors"), [("bin", label) for label, _ in binned[1:]])
    for label, n in zip(GAP_LABELS, gaps["binned"], strict=True):
        cells.add(("gap", label), n)
    cells.sums.append([(("all", "visits"), -1), (("all", "visitors"), 1), *((("gap", g), 1) for g in GAP_LABELS)])
    for i, (n, people) in enumerate(zip(weekly["visits"], weekly["visitors"], strict=True)):
        cells.add(("week", i), n, people=False, few=people < MIN_COUNT)
    cells.tie(("all", "visits"), [("week", i) for i in range(len(weekly))])
    for i, (n, people) in enumerate(zip(seasons["_visits"], seasons["_visitors"], strict=True)):
        cells.add(("season", i), n, people=False, few=people < MIN_COUNT)
    for period in ("month", "weekday"):
        cells.tie(("all", "visits"), [("season", i) for i in np.flatnonzero(seasons["period"] == period)])
    cells.protect()
    return cells


def _published(s: dict, cells: Cells, r: str) -> dict:
    """A row of the description as published: counts through the cells, shares only of published counts."""
    def share(part: str, whole: str) -> float | None:
        p, w = (r, part), (r, whole)
        if not (cells.published(p) and cells.published(w)) or not cells.value[w]:
            return None
        return round(cells.value[p] / cells.value[w], 6)

    c = s["_counts"]
    many = c.size >= MIN_COUNT
    top = np.sort(c)[::-1][: max(1, math.ceil(0.01 * c.size))]
    out = {"visits": cells.shown((r, "visits"))}
    out |= {k: cells.shown((r, k)) for k in PEOPLE_KEYS}
    out |= {"visitors_once_share": share("_once", "visitors"), "visitors_4plus_share": share("_4plus", "visitors"),
            "gini_visits": round(gini(c), 6) if many else None,
            "top1_visits_share": round(float(top.sum() / c.sum()), 6) if top.size >= MIN_COUNT else None,
            "visits_max": None, "visits_top5": top_k(c)}
    quantiles = visit_quantiles(c) if many else dict.fromkeys(VISIT_QUANTILE_KEYS)
    out |= {k: (q if q is not None and quantile_ok(c, q) else None) for k, q in quantiles.items()}
    out |= {"returner_survival_1y": share("_returners_alive", "returners_cohort"),
            "newcomer_survival_1y": share("_newcomers_alive", "newcomers_cohort"),
            "returners_cohort": cells.shown((r, "returners_cohort")),
            "newcomers_cohort": cells.shown((r, "newcomers_cohort")),
            "member_retention_1y": share("_members_kept", "_members_fit")}
    if "cohort_gap" in s:
        out["cohort_gap"] = s["cohort_gap"]
    if "days" in s:
        out["days"] = s["days"]
    return out


def _years_table(summary: dict) -> pd.DataFrame:
    keys = ["visits", *PEOPLE_KEYS, *SHARE_KEYS, "visits_top5", *VISIT_QUANTILE_KEYS]
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


def published_weekly(found: Description) -> pd.DataFrame:
    """The weekly series as published, as numbers (NaN where hidden): what a figure of the log may draw."""
    table = found.tables["weekly"]
    return table.assign(week=pd.to_datetime(table["week"]),
                        visits=pd.to_numeric(table["visits"], errors="coerce"),
                        visitors=pd.to_numeric(table["visitors"], errors="coerce"))


def _seasonality(visits: pd.DataFrame, start: pd.Timestamp, last: int) -> pd.DataFrame:
    """Visits a day in each calendar month and weekday, over the log's days of that month or weekday, as an index.

    1.0 is the log's mean; 1.3 a month 30% busier than the average day. `_visits` and `_visitors` (not
    published) say how many visits and people stand behind each index.
    """
    days = pd.date_range(start, start + pd.Timedelta(days=last), freq="D")
    mean = len(visits) / len(days)
    rows = []
    for what, of_visits, of_days, names in (
            ("month", visits["date"].dt.month, days.month, [pd.Timestamp(2001, m, 1).strftime("%B") for m in range(1, 13)]),
            ("weekday", visits["date"].dt.day_of_week, days.day_of_week, [pd.Timestamp(2001, 1, 1 + d).strftime("%A")
                                                                       for d in range(7)])):
        counts, spans = of_visits.value_counts(), pd.Series(of_days).value_counts()
        people = visits.groupby(of_visits.to_numpy())["person_hash"].nunique()
        for i, name in enumerate(names, start=1 if what == "month" else 0):
            if spans.get(i, 0):
                rows.append({"period": what, "name": name, "days": int(spans[i]),
                             "index": round(float(counts.get(i, 0) / spans[i] / mean), 4),
                             "_visits": int(counts.get(i, 0)), "_visitors": int(people.get(i, 0))})
    return pd.DataFrame(rows)


def _gaps(v: _Visits) -> dict:
    """Days between a person's consecutive visits: their median, mean and distribution (published by the cells)."""
    same = v.person[1:] == v.person[:-1]
    gaps = (v.day[1:] - v.day[:-1])[same]
    binned = pd.cut(pd.Series(gaps, dtype=float), GAP_BINS, labels=GAP_LABELS).value_counts().reindex(GAP_LABELS)
    return {"count": int(gaps.size), "median": float(np.median(gaps)) if gaps.size else math.nan,
            "mean": float(gaps.mean()) if gaps.size else math.nan,
            "binned": [int(x) for x in binned.fillna(0).astype(int)]}


def _survival(v: _Visits, last: int, cells: Cells | None = None) -> pd.DataFrame:
    """Share of a cohort still coming d days after their first visit (a visit on day d or later), by week.

    Coarsened (`coarse_steps`): the curve steps only when 5 people or more have stopped, and never shows
    fewer than 5 still coming, so no step, and no level, is a count of 1 to 4 people.
    """
    cohort = v.first <= last - YEAR_DAYS
    latest = np.zeros(v.first.size, dtype=np.int64)
    np.maximum.at(latest, v.person, v.day)
    since = latest - v.first
    returned = np.bincount(v.person[(v.since > 0) & (v.since <= RETURNER_WINDOW)], minlength=v.first.size) > 0
    rows = []
    days = np.arange(0, YEAR_DAYS + 1, 7)
    for group, mask, key in (("newcomers", cohort, "newcomers_cohort"), ("returners", cohort & returned,
                                                                         "returners_cohort")):
        size = int(mask.sum())
        people = cells.shown(("all", key)) if cells is not None else shown(size)
        ok = size >= MIN_COUNT and (cells is None or cells.published(("all", key)))
        levels = coarse_steps(at_least(np.sort(since[mask]), days)) if ok else None
        for i, d in enumerate(days):
            rows.append({"cohort": group, "day": int(d), "people": people,
                         "still_coming": round(float(levels[i] / size), 6) if ok else None})
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
