"""What every component of a lab shares: the lab itself and its plain state, handed over as one object.

The components (`sim.model.careers`, `sim.model.market`, `sim.model.programme`...)
all read and write the same few things: the people table, the collaboration
ties, the calendar of visits, the awareness of the lab, the period's tallies
and its books. Rather than each being handed these one by one (Programme
once took 11 arguments), each gets this one `Shared` object, plus the few
peers whose behaviour it calls. Mesa's idiom holds: behaviour lives with the
component that owns the state; what is shared here is data, and saved as such
(`sim.model.state`).

The settings in force, the random streams and the clock are not copied here:
interventions replace the settings mid-run and a resumed lab takes back its
streams and clock, so the components read them through `lab` each time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

import mesa

from sim.model.awareness import Awareness
from sim.model.budget import Budget
from sim.model.calendar import Calendar
from sim.model.lab import Lab
from sim.model.network import CollabNetwork
from sim.model.population import People
from sim.model.tally import Tally


@dataclass(init=False, eq=False)
class Shared:
    """The lab and the state its components share, built empty from the lab's starting settings."""

    lab: Lab
    """The lab as its components see it (`sim.model.lab.Lab`): the settings in force, the streams, the clock."""
    people: People = field(repr=False)
    """Everyone's row: role, history, membership (`sim.model.population`)."""
    network: CollabNetwork = field(repr=False)
    """The collaboration ties between people (`sim.model.network`)."""
    tally: Tally = field(repr=False)
    """The period's and the week's counts (`sim.model.tally`)."""
    budget: Budget = field(repr=False)
    """The books of the measured period (`sim.model.budget`)."""
    calendar: Calendar = field(repr=False)
    """The open days and everyone's next visit (`sim.model.calendar`)."""
    awareness: Awareness = field(repr=False)
    """Who knows of the lab, and its documentation (`sim.model.awareness`)."""

    def __init__(self, lab: Lab) -> None:
        """A new lab's shared state, empty, in the order its parts need each other (the calendar reads the people)."""
        settings = lab.settings
        self.lab = lab
        self.people = People(settings.contributor_visits)
        self.network = CollabNetwork(self.people)
        self.tally, self.budget = Tally(), Budget()
        self.calendar = Calendar(lab, self.people)
        self.awareness = Awareness(settings)

    @property
    def model(self) -> mesa.Model:
        """The lab as the Mesa model its agents (staff, engineers, clients: `sim.model.agents`) register with."""
        return cast("mesa.Model", self.lab)
