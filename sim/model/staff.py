"""The lab's staff: mediators hired and let go, colleagues of one another.

Staff are hired at the start (`mediators`) and when an intervention raises
their number; the last hired leave first when it falls. A mediator who leaves
keeps their ties in the network's history.
"""

from __future__ import annotations

import numpy as np

from sim.kinds import Channel, Role
from sim.model.agents import Mediator
from sim.model.shared import Shared


class Staff:
    """The mediators working at the lab now, in the order they were hired."""

    def __init__(self, shared: Shared) -> None:
        """No staff yet (`staff_to` hires them): they are people of `shared`, Mesa agents of its model."""
        self.model, self.people, self.network = shared.model, shared.people, shared.network
        self.mediators: list[Mediator] = []
        self.ids = np.empty(0, dtype=np.int64)  # their ids, in order (a day of the lab reads them as an array)

    def __len__(self) -> int:
        """Mediators working now."""
        return len(self.mediators)

    def staff_to(self, n: int, now: float) -> None:
        """Hire or let go until `n` mediators work at the lab."""
        while len(self.mediators) < n:
            uid = int(self.people.add(1, Role.MEDIATOR, Channel.STAFF, now)[0])
            self.network.stage(np.full(len(self.ids), uid), self.ids, now)  # a colleague of the others
            self.mediators.append(Mediator(self.model, uid))
            self.ids = np.append(self.ids, uid)
        while len(self.mediators) > n:
            mediator = self.mediators.pop()
            self.people.deactivate([mediator.unique_id])
            mediator.remove()
            self.ids = self.ids[:-1]

    def pick(self, rng: np.random.Generator) -> int:
        """One mediator at random (a project's, a deal's)."""
        return int(self.ids[rng.integers(self.ids.size)])

    def snapshot(self) -> dict:
        """The staff's ids, in the order they were hired."""
        return {"ids": self.ids.copy()}

    def restore(self, snap: dict) -> None:
        """Take back the staff of `snapshot` (their rows are the people table's): Mesa agents again."""
        self.ids = np.array(snap["ids"], dtype=np.int64)
        self.mediators = [Mediator(self.model, uid) for uid in self.ids.tolist()]
