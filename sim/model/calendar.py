"""The lab's calendar: which days it opens, when a decision to come lands, and who is booked for which day.

A day d runs at time d + 0.5 as one timeline (`sim.model.model`); within it, people
decide to come back at given hours (at closing, at the week's end...) and come
on the first open day once their wait (whole days from the day they decide) is over;
someone who decides at closing to come back tomorrow does. Each person holds at most one
booking, the day in their `People.next_visit` (-1: none): the day's visitors
are those booked for it, found by one pass over the column (cheaper than an
agenda kept per day, at a few microseconds per thousand people). Under
appointment access a visit needs a free slot; someone told to wait may give up.

Seasons (`monthly_opening`): day 0 is 1 January and a year is 365 days, so day d
is day d % 365 of the year (`sim.logs.synth` dates a log the same way). A month
opened at a share v keeps round(v x its days) days open and closes the rest in
one block, on the side of its lower neighbouring month (so that a closure runs
on across the month's edge: a July at 0.5 before a closed August closes from
mid-July). Whether a day is open depends on its weekday and its day of the
year, so the pattern repeats every 7 x 365 days: one table of that many shifts
(days to the next open day), made once per settings, answers every question.
"""

from __future__ import annotations

import math

import numpy as np

from sim.kinds import Access
from sim.model import ladder
from sim.model.lab import Lab
from sim.model.population import People

VISIT_HOUR = 0.5  # people come at midday: a decision taken after it lands on a later day
# When in the day people decide to come (they come on the first visiting day after their wait):
ARRIVAL_HOUR = 0.05  # newcomers discover the lab in the morning and come the same day
MORNING = 0.1  # programme items, residencies starting
CLOSING = 0.9  # after a visit, people decide whether and when to come back
WEEK_END = 0.93  # once a week, dormant people decide to come back
YEAR_DAYS = 365  # the model's year: day d is day d % 365 of the calendar year (no leap day)
MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
CYCLE = 7 * YEAR_DAYS  # weekdays and days of the year come back together after this many days


def season_open(profile) -> np.ndarray:
    """Which of the year's 365 days the lab's seasons leave open (`monthly_opening`, one share per month).

    A month at share v opens round(v x its days) days and closes the others in
    one block at its start when the month before opens less than the month
    after, else at its end (a December at 0.5 closes from the 17th: the
    Christmas break).
    """
    profile = [float(v) for v in profile]
    out = np.ones(YEAR_DAYS, dtype=bool)
    first = 0
    for m, (share, days) in enumerate(zip(profile, MONTH_DAYS, strict=True)):
        closed = days - round(share * days)
        if closed:
            at_start = profile[m - 1] < profile[(m + 1) % 12]
            lo = first if at_start else first + days - closed
            out[lo: lo + closed] = False
        first += days
    return out


def open_shifts(open_days_per_week: int, profile) -> np.ndarray:
    """Days from each day of the 7 x 365-day cycle to the first open day at or after it (0: open).

    Raises ValueError if the lab never opens (a profile of zeros is refused when read).
    """
    day = np.arange(CYCLE)
    is_open = (day % 7 < open_days_per_week) & season_open(profile)[day % YEAR_DAYS]
    if not is_open.any():
        raise ValueError("the lab never opens")
    opens = np.flatnonzero(is_open)
    nxt = np.searchsorted(opens, day)  # the first open day at or after each day, wrapping to the next cycle
    wrapped = nxt == opens.size
    target = np.where(wrapped, opens[0] + CYCLE, opens[np.minimum(nxt, opens.size - 1)])
    return (target - day).astype(np.int64)


class Calendar:
    """Open days and the agenda of bookings."""

    def __init__(self, lab: Lab, people: People) -> None:
        """An empty agenda."""
        self.lab, self.people = lab, people
        self._slots_used: dict[int, int] = {}  # appointment access: slots booked per day
        self._shift_for: tuple = ()
        self._shift = np.zeros(CYCLE, dtype=np.int64)

    # -- open days ---------------------------------------------------------------
    def _shifts(self) -> np.ndarray:
        """Days from each day of the cycle to the next open one (the first open_days_per_week weekdays, in season)."""
        settings = self.lab.settings
        key = (settings.open_days_per_week, settings.monthly_opening)
        if key != self._shift_for:  # a new table only when the settings that shape it change
            self._shift = open_shifts(*key)
            self._shift_for = key
        return self._shift

    @property
    def seasonal(self) -> bool:
        """Whether the lab has seasons (a month opened at less than its usual days)."""
        return min(self.lab.settings.monthly_opening) < 1.0

    def is_open(self, day: int) -> bool:
        """True on the lab's open days (its weekdays, in season)."""
        return bool(self._shifts()[day % CYCLE] == 0)

    def open_on_or_after(self, days):
        """The first open day at or after each day."""
        days = np.asarray(days, dtype=np.int64)
        return days + self._shifts()[days % CYCLE]

    def open_days(self, start: int, end: int) -> np.ndarray:
        """The open days in [start, end)."""
        days = np.arange(start, max(start, end), dtype=np.int64)
        return days[self._shifts()[days % CYCLE] == 0]

    def day_of(self, t: float) -> int:
        """The visiting day of a moment: its own day before midday, else the next; then the first open one."""
        day = math.floor(t)
        return int(self.open_on_or_after(day + (t - day > VISIT_HOUR)))

    def visiting_days(self, day: int, waits, decided_at: float) -> np.ndarray:
        """The visiting days of people who decide at hour `decided_at` of `day` to come `waits` days on.

        `waits` counts whole days from `day` (rounded up): 0 is today, 1 is
        tomorrow. A decision taken after the day's visiting hour cannot land on
        that day; then the first open day.
        """
        earliest = day + int(decided_at > VISIT_HOUR)
        days = np.maximum(day + np.ceil(np.asarray(waits, dtype=float)).astype(np.int64), earliest)
        return days + self._shifts()[days % CYCLE]

    # -- bookings ------------------------------------------------------------------
    def book(self, ids: np.ndarray, days: np.ndarray) -> None:
        """Book people for days (no slot needed: open access, or arranged visits)."""
        self.people.next_visit[ids] = days

    def book_slots(self, ids: np.ndarray, earliest: np.ndarray) -> np.ndarray:
        """Appointment access: book each person the first day with a free slot from `earliest`, in turn.

        Someone told to wait beyond their earliest day may give up
        (`sim.model.ladder.keeps_booking`); returns the ids of those who gave up.
        """
        settings, rng = self.lab.settings, self.lab.rng
        per_day = settings.appointment_slots_per_day * settings.slot_size
        used = self._slots_used
        gave_up = []
        for uid, first in zip(ids.tolist(), earliest.tolist(), strict=True):
            at = first
            while used.get(at, 0) >= per_day:
                at = int(self.open_on_or_after(at + 1))
            if at > first and rng.random() >= ladder.keeps_booking(at - first, settings):
                gave_up.append(uid)
                continue
            self.people.slot[uid] = used.get(at, 0) // settings.slot_size
            used[at] = used.get(at, 0) + 1
            self.people.next_visit[uid] = at
        return np.array(gave_up, dtype=np.int64)

    def needs_slots(self) -> bool:
        """Whether visits (other than arranged ones) need a booked slot."""
        return self.lab.settings.access == Access.APPOINTMENT

    def cancel(self, ids) -> None:
        """Withdraw bookings (the people stopped coming)."""
        self.people.next_visit[ids] = -1

    def due(self, day: int) -> np.ndarray:
        """The people booked for today, in id order; their bookings are used up.

        On a day the seasons close (bookings made before an intervention or a
        fork changed `monthly_opening`), no one comes: their visits move to the
        next open day, so a closure is a real one.
        """
        self._slots_used.pop(day, None)
        ids = np.flatnonzero(self.people.next_visit[: self.people.n] == day)
        if ids.size and self.seasonal and not self.is_open(day):
            self.people.next_visit[ids] = self.open_on_or_after(day + 1)
            return ids[:0]
        self.people.next_visit[ids] = -1
        return ids

    def snapshot(self) -> dict:
        """Appointment slots booked per day (bookings themselves are the people table's `next_visit`)."""
        return {"slots_used": [[day, used] for day, used in self._slots_used.items()]}

    def restore(self, snap: dict) -> None:
        """Refill from `snapshot` data."""
        self._slots_used = {int(day): int(used) for day, used in snap["slots_used"]}
