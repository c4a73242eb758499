"""The market side: the lab's books, engineers hired by the hour, clients who rent or buy works, company projects.

The case study's second axis runs from public mission to market. These parts
are one model's settings, not a second model: with no client pool, no engineer
hours and no company project, a lab is all public mission and its books hold
only staff, space, materials, fees and its subsidy.

- `Budget`: income by stream and costs by kind, over the measured period.
- `Market`: the portfolio of works offered to a finite pool of prospective
  companies (interest grows with the portfolio and the lab's renown), rentals
  paid monthly, sales, rights shared with the artist; company projects, some
  under confidentiality; the pool of engineer hours residencies hire from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import mesa

from sim import ladder
from sim.scenario import DAYS_PER_YEAR

if TYPE_CHECKING:
    from sim.model import LabModel

INCOME = ("fees", "subscriptions", "workshops", "sales", "rentals", "services")
COSTS = ("staff", "space", "engineers", "materials")
MONTH = DAYS_PER_YEAR / 12


class Budget:
    """The lab's books over the measured period: income by stream, costs by kind, the subsidy."""

    def __init__(self) -> None:
        """Open empty books."""
        self.reset()

    def reset(self) -> None:
        """Start the books afresh (the measured period begins)."""
        self.income = dict.fromkeys(INCOME, 0.0)
        self.costs = dict.fromkeys(COSTS, 0.0)
        self.subsidy = 0.0

    def earn(self, stream: str, amount: float) -> None:
        """Book income of one stream."""
        self.income[stream] += amount

    def spend(self, kind: str, amount: float) -> None:
        """Book a cost of one kind."""
        self.costs[kind] += amount

    def accrue_day(self, mediators: int, s) -> None:
        """One day of standing costs (staff, space) and of the subsidy."""
        self.costs["staff"] += mediators * s.staff_cost_per_year / DAYS_PER_YEAR
        self.costs["space"] += s.space_m2 * s.rent_per_m2_year / DAYS_PER_YEAR
        self.subsidy += s.subsidy_per_year / DAYS_PER_YEAR

    @property
    def revenue(self) -> float:
        """Income from the lab's activity (the subsidy apart)."""
        return sum(self.income.values())

    def summary(self, visits: int, contributors: int) -> dict[str, float]:
        """The budget's summary keys; net_result = revenue + subsidy - costs exactly (rounded parts, then summed)."""
        income = {f"revenue_{k}": round(v, 2) for k, v in self.income.items()}
        costs = {f"costs_{k}": round(v, 2) for k, v in self.costs.items()}
        revenue, total, subsidy = round(sum(income.values()), 2), round(sum(costs.values()), 2), round(self.subsidy, 2)
        return {
            "revenue": revenue, **income, "subsidy": subsidy, "costs": total, **costs,
            "net_result": round(revenue + subsidy - total, 2),
            "cost_per_visit": round(total / visits, 2) if visits else None,
            "cost_per_contributor": round(total / contributors, 2) if contributors else None,
        }


class Engineer(mesa.Agent):
    """An engineer working for the lab as a paid provider: hired by the hour for residencies; not on the ladder."""

    role = "engineer"

    def __init__(self, model: LabModel) -> None:
        """Engineers are known to the lab from the start."""
        super().__init__(model)
        from sim.agents import Affiliation

        self.affiliation = Affiliation.ENGINEER_PROVIDER
        self.active = True
        self.hours = 0.0  # hours worked for the lab
        model.on_person_created(self)


class Client(mesa.Agent):
    """A company that rented, bought or commissioned: a node tied to staff and artists; it never visits."""

    role = "client"

    def __init__(self, model: LabModel) -> None:
        """A prospective company becomes a client at its first deal."""
        super().__init__(model)
        from sim.agents import Affiliation

        self.affiliation = Affiliation.COMPANY
        self.active = True
        self.deals = 0
        model.on_person_created(self)


@dataclass
class Work:
    """A work in the lab's portfolio, offered to companies while it is neither sold nor out on rental."""

    author: int  # unique_id of the artist or regular who made it
    available: bool = True


@dataclass
class Rental:
    """A work out on rental: months still to pay, the lab's share of each month's fee."""

    work: Work
    months_left: int
    monthly: float


@dataclass
class Project:
    """A company project: a mediator and a team of regulars, confidential or open."""

    client: int
    mediator: int
    team: tuple[int, ...]
    confidential: bool
    ends: float


class Market:
    """Works, clients, company projects and the engineers' hours of one lab."""

    def __init__(self, model: LabModel) -> None:
        """Engineers are there from the start; clients come with the first deals."""
        self.model = model
        self.engineers = [Engineer(model) for _ in range(model.p.engineer_providers)]
        self.hours_left = 0.0
        self.portfolio: list[Work] = []
        self.clients: dict[int, Client] = {}  # prospect index -> client
        self.projects: dict[int, Project] = {}
        self.rentals: list[Rental] = []
        self._next_project = 0
        self.reset_tallies()

    def reset_tallies(self) -> None:
        """The measured period starts."""
        self.works_sold = self.works_rented = self.projects_completed = self.confidential_projects = 0
        self.engineer_hours = 0.0
        self.clients_dealt: dict[int, None] = {}

    # -- engineers ---------------------------------------------------------
    def refill_hours(self) -> None:
        """A new year: each engineer can sell the lab engineer_hours_per_year hours."""
        self.hours_left = len(self.engineers) * self.model.p.engineer_hours_per_year

    def hire_engineers(self) -> float:
        """A residency hires its engineer hours (as many as the year's pool has left) and the lab pays them."""
        m = self.model
        hours = min(m.p.engineer_hours_per_residency, self.hours_left)
        self.hours_left -= hours
        if m.measuring and hours > 0:
            self.engineer_hours += hours
            m.budget.spend("engineers", hours * m.p.engineer_rate)
        return hours

    def engineers_join(self, residents: list) -> None:
        """Engineers come on residency days in proportion to the hours hired; they tie to residents and staff."""
        m = self.model
        if not self.engineers:
            return
        staff = [med.unique_id for med in m.mediators]
        days = max(1.0, m.p.residency_days / 7 * m.p.residency_visits_per_week)
        for artist in residents:
            hours = getattr(artist, "engineer_hours", 0.0)
            if hours <= 0 or m.rng.random() >= min(1.0, hours / (8.0 * days)):
                continue
            engineer = self.engineers[int(m.rng.integers(len(self.engineers)))]
            engineer.hours += 8.0
            m.network.tie_many([(engineer.unique_id, artist.unique_id)]
                               + [(engineer.unique_id, s) for s in staff], m.time)

    # -- works ---------------------------------------------------------------
    def add_work(self, author) -> None:
        """A finished work joins the portfolio and is offered at once."""
        work = Work(author.unique_id)
        self.portfolio.append(work)
        self.offer(work)

    def offer(self, work: Work) -> None:
        """Offer one work to the prospective companies: each wants it with `ladder.client_interest`."""
        m = self.model
        p = m.p
        if p.client_pool == 0 or not work.available:
            return
        q = ladder.client_interest(len(self.portfolio), m.reputation + m.told, p)
        if q <= 0 or m.rng.binomial(p.client_pool, q) == 0:
            return
        client = self._client(int(m.rng.integers(p.client_pool)))
        client.deals += 1
        self._tie_deal(client, work.author)
        lab_share = 1.0 - p.artist_rights_share
        if m.rng.random() < p.rental_share:
            work.available = False
            if m.measuring:
                self.works_rented += 1
            self.rentals.append(Rental(work, p.rental_months, p.rental_fee_per_month * lab_share))
            self._pay(self.rentals[-1])
        else:
            work.available = False
            if m.measuring:
                self.works_sold += 1
                m.budget.earn("sales", p.work_price * lab_share)

    def _pay(self, rental: Rental) -> None:
        """A month of a rental is paid (the first at the deal)."""
        rental.months_left -= 1
        if self.model.measuring:
            self.model.budget.earn("rentals", rental.monthly)

    def month(self) -> None:
        """Once a month: rents are paid, works whose rental is over come back, available works are offered again."""
        ongoing = []
        for rental in self.rentals:
            if rental.months_left > 0:
                self._pay(rental)
                ongoing.append(rental)
            else:
                rental.work.available = True
        self.rentals = ongoing
        for work in [w for w in self.portfolio if w.available]:
            self.offer(work)

    def _client(self, index: int) -> Client:
        """The prospective company of this index, a client from its first deal on."""
        client = self.clients.get(index)
        if client is None:
            client = self.clients[index] = Client(self.model)
        if self.model.measuring:
            self.clients_dealt[index] = None
        return client

    def _tie_deal(self, client: Client, other: int | None) -> None:
        """A deal ties the client to a member of staff and to the artist (or team member)."""
        m = self.model
        pairs = [] if other is None or not m.network.is_alive(other) else [(client.unique_id, other)]
        if m.mediators:
            pairs.append((client.unique_id, m.mediators[int(m.rng.integers(len(m.mediators)))].unique_id))
        m.network.tie_many(pairs, m.time)

    # -- company projects ------------------------------------------------------
    def day(self) -> None:
        """Projects due today are delivered; companies ask for new ones."""
        for pid in [pid for pid, pr in self.projects.items() if pr.ends <= self.model.time]:
            self.complete(pid)
        self.project_requests()

    def project_requests(self) -> None:
        """Companies ask for paid project services; confidential ones always go ahead, open ones with a chance."""
        m = self.model
        p = m.p
        n = m.rng.poisson(p.company_projects_per_year / DAYS_PER_YEAR)
        for _ in range(n):
            if not m.mediators or p.client_pool == 0:
                return
            confidential = bool(m.rng.random() < p.confidential_share)
            if not confidential and m.rng.random() >= p.open_project_acceptance:
                continue
            self.start_project(self._client(int(m.rng.integers(p.client_pool))), confidential)

    def start_project(self, client: Client, confidential: bool) -> None:
        """A mediator and a team of active regulars take the project on for company_project_days."""
        m = self.model
        p = m.p
        regulars = m.active_regulars()
        k = min(p.project_team_size, len(regulars))
        team = [regulars[i] for i in m.rng.choice(len(regulars), size=k, replace=False).tolist()] if k else []
        mediator = m.mediators[int(m.rng.integers(len(m.mediators)))]
        pid = self._next_project
        self._next_project += 1
        ends = m.time + p.company_project_days
        project = Project(client.unique_id, mediator.unique_id, tuple(x.unique_id for x in team), confidential, ends)
        self.projects[pid] = project
        client.deals += 1
        ids = [mediator.unique_id, *project.team]
        m.network.tie_many([(a, b) for i, a in enumerate(ids) for b in ids[i + 1:]]
                           + [(client.unique_id, mediator.unique_id)], m.time)
        for person in team:
            if confidential:
                person.confidential_until = max(person.confidential_until, ends)
                person.project = pid

    def complete(self, pid: int) -> None:
        """A project is delivered: the company pays; an open project documents its results."""
        m = self.model
        project = self.projects.pop(pid)
        if m.measuring:
            self.projects_completed += 1
            self.confidential_projects += project.confidential
            m.budget.earn("services", m.p.service_price)
        if not project.confidential:
            m.docs_pages += m.p.doc_pages_per_project * m.p.open_documentation
