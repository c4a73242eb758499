"""What a component sees of the lab: a narrow interface, so that imports run one way.

Components (`sim.model.careers`, `sim.model.sessions`, `sim.model.market`...) are given the lab
as a `Lab`, inside the state they share (`sim.model.shared.Shared`), and the other components
whose behaviour they call by name; none of them imports `sim.model.model`. `LabModel`
satisfies `Lab` (a Protocol: no inheritance).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from sim.config.settings import Settings
from sim.model.draws import Draws


class Lab(Protocol):
    """The lab as its components see it: the settings in force, the random stream, the clock, the period."""

    settings: Settings
    """The settings in force (interventions replace them mid-run: read them each time, never keep a copy)."""
    rng: np.random.Generator
    """The run's stream of chance (numpy), seeded from the run's seed: what the lab draws (counts, groups, ties)."""
    draws: Draws
    """The people's own draws (`sim.model.draws`): their decisions by who, when and what for (common random numbers)."""
    measuring: bool
    """True once the warm-up is over: tallies of the measured period count from then on."""

    @property
    def time(self) -> float:
        """Days since the run started (the lab's day d runs at time d + 0.5)."""
        ...
