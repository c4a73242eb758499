"""The market side: engineers hired by the hour, clients who rent or buy works, company projects.

The case study's second axis runs from public mission to market. These parts
are one model's settings, not a second model: with no client pool, no engineer
hours and no company project, a lab is all public mission and its books hold
only staff, space, materials, fees and its subsidy (`sim.model.budget`).

`Market` holds the portfolio of works offered to a finite pool of prospective
companies (interest grows with the portfolio and the lab's renown), rentals
paid monthly, sales, rights shared with the artist; company projects, some
under confidentiality; and the pool of engineer hours residencies hire from.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.kinds import DAYS_PER_YEAR, Affiliation, Channel, Role
from sim.model import ladder
from sim.model.agents import Client, Engineer
from sim.model.population import REGULAR
from sim.model.shared import Shared
from sim.model.staff import Staff

ENGINEER_DAY_HOURS = 8.0  # an engineer's day on a residency (assumption: a working day)


@dataclass
class Work:
    """A work in the lab's portfolio, offered to companies while it is neither sold nor out on rental."""

    author: int  # id of the artist who made it
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

    def __init__(self, shared: Shared, staff: Staff) -> None:
        """No engineer or client yet: a new lab hires its providers (`hire_providers`); clients come with deals.

        Engineers and clients are people of `shared` and Mesa agents of its model; the `staff` lead projects.
        """
        self.lab, self.model, self.people, self.network = shared.lab, shared.model, shared.people, shared.network
        self.awareness, self.tally, self.budget, self.staff = shared.awareness, shared.tally, shared.budget, staff
        self.engineers: list[Engineer] = []
        self.hours_left = 0.0
        self.portfolio: list[Work] = []
        self.clients: dict[int, Client] = {}  # prospect index -> client
        self.projects: dict[int, Project] = {}
        self.rentals: list[Rental] = []
        self._next_project = 0

    # -- engineers ---------------------------------------------------------
    def hire_providers(self) -> None:
        """The engineers the lab works with from the start (`engineer_providers`); they know two of the staff."""
        now = self.lab.time
        ids = self.people.add(self.lab.settings.engineer_providers, Role.ENGINEER, Channel.PROVIDER, now,
                              affiliation=Affiliation.ENGINEER_PROVIDER)
        self.engineers = [Engineer(self.model, uid) for uid in ids.tolist()]
        for uid in ids.tolist():
            self.network.stage(np.full(min(2, self.staff.ids.size), uid), self.staff.ids[:2], now)

    def refill_hours(self) -> None:
        """A new year: each engineer can sell the lab engineer_hours_per_year hours."""
        self.hours_left = len(self.engineers) * self.lab.settings.engineer_hours_per_year

    def hire_engineers(self) -> float:
        """A residency hires its engineer hours (as many as the year's pool has left) and the lab pays them."""
        settings = self.lab.settings
        hours = min(settings.engineer_hours_per_residency, self.hours_left)
        self.hours_left -= hours
        if hours > 0:
            self.tally.add("engineer_hours", hours)
            self.budget.spend("engineers", hours * settings.engineer_rate)
        return hours

    def engineers_join(self, residents: np.ndarray) -> None:
        """Engineers come on residency days in proportion to the hours hired; they tie to residents and staff."""
        if not self.engineers:
            return
        settings, rng, now = self.lab.settings, self.lab.rng, self.lab.time
        days = max(1.0, settings.residency_days / 7 * settings.residency_visits_per_week)
        for artist in residents.tolist():
            hours = self.people.engineer_hours[artist]
            if hours <= 0 or rng.random() >= min(1.0, hours / (ENGINEER_DAY_HOURS * days)):
                continue
            engineer = self.engineers[int(rng.integers(len(self.engineers)))].unique_id
            others = np.append(self.staff.ids, artist)
            self.network.stage(np.full(others.size, engineer), others, now)

    # -- works ---------------------------------------------------------------
    def add_work(self, author: int) -> None:
        """A finished work joins the portfolio and is offered at once."""
        work = Work(author)
        self.portfolio.append(work)
        self.offer(work)

    def offer(self, work: Work) -> None:
        """Offer one work to the prospective companies: each wants it with `ladder.client_interest`."""
        settings, rng = self.lab.settings, self.lab.rng
        if settings.client_pool == 0 or not work.available:
            return
        q = ladder.client_interest(len(self.portfolio), self.awareness.renown, settings)
        if q <= 0 or rng.binomial(settings.client_pool, q) == 0:
            return
        client = self._client(int(rng.integers(settings.client_pool)))
        self._tie_deal(client, work.author)
        lab_share = 1.0 - settings.artist_rights_share
        work.available = False
        if rng.random() < settings.rental_share:
            self.tally.add("works_rented")
            self.rentals.append(Rental(work, settings.rental_months, settings.rental_fee_per_month * lab_share))
            self._pay(self.rentals[-1])
        else:
            self.tally.add("works_sold")
            self.budget.earn("sales", settings.work_price * lab_share)

    def _pay(self, rental: Rental) -> None:
        """A month of a rental is paid (the first at the deal)."""
        rental.months_left -= 1
        self.budget.earn("rentals", rental.monthly)

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
            uid = int(self.people.add(1, Role.CLIENT, Channel.MARKET, self.lab.time, affiliation=Affiliation.COMPANY)[0])
            client = self.clients[index] = Client(self.model, uid)
        self.tally.client(index)
        return client

    def _tie_deal(self, client: Client, other: int | None) -> None:
        """A deal ties the client to a member of staff and to the artist (or team member)."""
        if other is not None and self.network.is_alive(other):
            self.network.tie(client.unique_id, other, self.lab.time)
        if len(self.staff):
            self.network.tie(client.unique_id, self.staff.pick(self.lab.rng), self.lab.time)

    # -- company projects ------------------------------------------------------
    def day(self) -> None:
        """Projects due today are delivered; companies ask for new ones."""
        for pid in [pid for pid, pr in self.projects.items() if pr.ends <= self.lab.time]:
            self.complete(pid)
        self.project_requests()

    def project_requests(self) -> None:
        """Companies ask for paid project services; confidential ones always go ahead, open ones with a chance."""
        settings, rng = self.lab.settings, self.lab.rng
        n = rng.poisson(settings.company_projects_per_year / DAYS_PER_YEAR)
        for _ in range(n):
            if not len(self.staff) or settings.client_pool == 0:
                return
            confidential = bool(rng.random() < settings.confidential_share)
            if not confidential and rng.random() >= settings.open_project_acceptance:
                continue
            self.start_project(self._client(int(rng.integers(settings.client_pool))), confidential)

    def start_project(self, client: Client, confidential: bool) -> None:
        """A mediator and a team of active individual regulars take the project on for company_project_days."""
        people, settings, rng, now = self.people, self.lab.settings, self.lab.rng, self.lab.time
        regulars = people.where(people.active, REGULAR[people.role],
                           people.affiliation <= Affiliation.INDIVIDUAL)
        k = min(settings.project_team_size, regulars.size)
        team = regulars[rng.choice(regulars.size, size=k, replace=False)] if k else regulars[:0]
        mediator = self.staff.pick(rng)
        pid = self._next_project
        self._next_project += 1
        ends = now + settings.company_project_days
        self.projects[pid] = Project(client.unique_id, mediator, tuple(team.tolist()), confidential, ends)
        ids = np.append(mediator, team)
        i, j = np.triu_indices(ids.size, 1)
        self.network.stage(np.append(ids[i], client.unique_id), np.append(ids[j], mediator), now)
        if confidential:
            people.confidential_until[team] = np.maximum(people.confidential_until[team], ends)
            people.project[team] = pid

    def complete(self, pid: int) -> None:
        """A project is delivered: the company pays; an open project documents its results."""
        settings = self.lab.settings
        project = self.projects.pop(pid)
        self.tally.add("company_projects")
        self.tally.add("confidential_projects", int(project.confidential))
        self.budget.earn("services", settings.service_price)
        if not project.confidential:
            self.awareness.document(settings.doc_pages_per_project * settings.open_documentation)

    def snapshot(self) -> dict:
        """Engineers, the portfolio, clients, company projects and rentals, as data."""
        index = {id(work): i for i, work in enumerate(self.portfolio)}
        return {
            "engineers": [e.unique_id for e in self.engineers], "hours_left": self.hours_left,
            "portfolio": [[w.author, w.available] for w in self.portfolio],
            "clients": [[i, c.unique_id] for i, c in self.clients.items()],
            "projects": [[pid, p.client, p.mediator, list(p.team), p.confidential, p.ends]
                         for pid, p in self.projects.items()],
            "rentals": [[index[id(r.work)], r.months_left, r.monthly] for r in self.rentals],
            "next_project": self._next_project,
        }

    def restore(self, snap: dict) -> None:
        """Refill from `snapshot` data (engineers and clients are Mesa agents again)."""
        self.engineers = [Engineer(self.model, int(uid)) for uid in snap["engineers"]]
        self.hours_left = float(snap["hours_left"])
        self.portfolio = [Work(int(author), bool(available)) for author, available in snap["portfolio"]]
        self.clients = {int(i): Client(self.model, int(uid)) for i, uid in snap["clients"]}
        self.projects = {int(pid): Project(int(c), int(m), tuple(int(u) for u in team), bool(conf), float(ends))
                         for pid, c, m, team, conf, ends in snap["projects"]}
        self.rentals = [Rental(self.portfolio[int(i)], int(left), float(monthly)) for i, left, monthly in snap["rentals"]]
        self._next_project = int(snap["next_project"])
