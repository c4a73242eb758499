"""The people beside the ladder, as Mesa agents: staff (mediators), engineers and client companies.

They are few, known by name and stay for the whole run, so they are registered
with Mesa (`model.agents_by_type[Mediator]`). Each has a row in the people
table too (`unique_id` is that row: their node in the network, their id in
people.csv). The public who climb the ladder, thousands a year, are rows of
the people table only (`sim.model.population`): a day of theirs is played on arrays.
"""

from __future__ import annotations

import mesa

from sim.kinds import Role


class Beside(mesa.Agent):
    """Someone beside the ladder, with the id of their row in the people table."""

    role: Role

    def __init__(self, model: mesa.Model, uid: int) -> None:
        """Register with Mesa under the person's own id."""
        super().__init__(model)
        self.unique_id = uid


class Mediator(Beside):
    """Staff who welcome, teach, run workshops and broker ties; their attention is limited."""

    role = Role.MEDIATOR


class Engineer(Beside):
    """An engineer working for the lab as a paid provider: hired by the hour for residencies."""

    role = Role.ENGINEER


class Client(Beside):
    """A company that rented, bought or commissioned: tied to staff and artists; it never visits."""

    role = Role.CLIENT
