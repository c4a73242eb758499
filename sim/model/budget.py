"""The lab's books over the measured period: income by stream, costs by kind, the subsidy.

The books open at the end of the warm-up (`start`): before, nothing is booked.
The subsidy follows the settings' `subsidy_rule` (`SubsidyRule`): a fixed grant
accrues day by day; a deficit-covering grant accrues only its ceiling, and is
settled when the books are read: the funder pays the period's deficit (after
any fixed grant) up to that ceiling. Who gains from a saving depends on it, so
`public_cost` (what the funder pays) is reported beside `net_result`, and
`deficit_uncovered` (what no one covers: the deficit above the ceiling, or
under a fixed grant too small) beside both, so a loss is never hidden.
"""

from __future__ import annotations

from sim import outcomes
from sim.config.settings import Settings
from sim.kinds import DAYS_PER_YEAR, SubsidyRule

INCOME = ("fees", "subscriptions", "workshops", "sales", "rentals", "services")
COSTS = ("staff", "space", "engineers", "materials")


class Budget:
    """Income by stream, costs by kind and the subsidy, of the measured period."""

    def __init__(self) -> None:
        """Closed books: nothing is booked until the measured period starts."""
        self.counting = False
        self._reset()

    def _reset(self) -> None:
        self.income = dict.fromkeys(INCOME, 0.0)
        self.costs = dict.fromkeys(COSTS, 0.0)
        self.subsidy = 0.0  # fixed grants accrued
        self.ceiling = 0.0  # the most deficit-covering grants may pay, accrued

    def start(self) -> None:
        """Open the books afresh (the measured period begins)."""
        self.counting = True
        self._reset()

    def earn(self, stream: str, amount: float) -> None:
        """Book income of one stream."""
        if self.counting:
            self.income[stream] += amount

    def spend(self, kind: str, amount: float) -> None:
        """Book a cost of one kind."""
        if self.counting:
            self.costs[kind] += amount

    def accrue_day(self, mediators: int, settings: Settings) -> None:
        """One day of standing costs (staff, space) and of the subsidy."""
        if self.counting:
            self.costs["staff"] += mediators * settings.staff_cost_per_year / DAYS_PER_YEAR
            self.costs["space"] += settings.space_m2 * settings.rent_per_m2_year / DAYS_PER_YEAR
            if settings.subsidy_rule == SubsidyRule.DEFICIT:
                self.ceiling += settings.subsidy_per_year / DAYS_PER_YEAR
            else:
                self.subsidy += settings.subsidy_per_year / DAYS_PER_YEAR

    @property
    def revenue(self) -> float:
        """Income from the lab's activity (the subsidy apart)."""
        return sum(self.income.values())

    def settled_subsidy(self, revenue: float, costs: float) -> float:
        """The subsidy of the period: the fixed grants, plus the deficit they leave, covered up to the ceiling."""
        deficit = costs - revenue - self.subsidy
        return self.subsidy + min(max(deficit, 0.0), self.ceiling)

    def summary(self, visits: int, contributors: int) -> dict[str, float | None]:
        """The budget's summary keys; net_result = revenue + subsidy - costs exactly (rounded parts, then summed)."""
        income = {f"revenue_{k}": round(v, 2) for k, v in self.income.items()}
        costs = {f"costs_{k}": round(v, 2) for k, v in self.costs.items()}
        revenue, total = round(sum(income.values()), 2), round(sum(costs.values()), 2)
        subsidy = round(self.settled_subsidy(revenue, total), 2)  # from the rounded totals: a covered deficit nets 0
        return {
            "revenue": revenue, **income, "subsidy": subsidy, "costs": total, **costs,
            "net_result": round(revenue + subsidy - total, 2) + 0.0,  # + 0.0: never -0.0
            "public_cost": subsidy,
            "deficit_uncovered": round(max(0.0, total - revenue - subsidy), 2) + 0.0,
            "cost_per_visit": outcomes.ratio("cost_per_visit", total, visits),
            "cost_per_contributor": outcomes.ratio("cost_per_contributor", total, contributors),
        }

    def snapshot(self) -> dict:
        """The books, as data."""
        return {"counting": self.counting, "income": dict(self.income), "costs": dict(self.costs),
                "subsidy": self.subsidy, "ceiling": self.ceiling}

    def restore(self, snap: dict) -> None:
        """Refill from `snapshot` data."""
        self.counting, self.subsidy = bool(snap["counting"]), snap["subsidy"]
        self.ceiling = snap.get("ceiling", 0.0)  # states saved before subsidy rules: fixed grants only
        self.income, self.costs = dict(snap["income"]), dict(snap["costs"])
