"""Newcomers: who walks in for a first visit, and through which channel.

Each open day, newcomers come from the host's footfall (`discovery_rate`), from
the people aware of the lab and from those told by word of mouth (a share
`awareness_uptake` of each stock, `sim.model.awareness`); workshops and big events
bring their own (`sim.model.programme`). A drop-in fee and the effort of booking
deter would-be newcomers (`sim.model.ladder.fee_acceptance`, `booking_uptake`). A
share of newcomers come as creators (artists among the public).
"""

from __future__ import annotations

import numpy as np

from sim.kinds import Channel, Role
from sim.model import ladder
from sim.model.calendar import ARRIVAL_HOUR, MORNING
from sim.model.careers import Careers
from sim.model.draws import Count, Keyed, Purpose
from sim.model.shared import Shared

TRAITS = (Purpose.CREATOR, Purpose.TALENT, Purpose.PROPENSITY, Purpose.WTP)  # a newcomer's draws, in this order


class Arrivals:
    """Brings newcomers into the people table and books their first visit."""

    def __init__(self, shared: Shared, careers: Careers) -> None:
        """Arrivals into the people of `shared`, booked through `careers`."""
        self.lab, self.people, self.network, self.awareness = shared.lab, shared.people, shared.network, shared.awareness
        self.careers, self.tally = careers, shared.tally
        self._day, self._arrived = -1, {}  # today, and how many have arrived by each channel so far today

    def entry_uptake(self, fee: float) -> float:
        """Share of would-be newcomers who come: those whose willingness to pay covers the fee, times the booking's."""
        settings = self.lab.settings
        return ladder.fee_acceptance(fee, settings) * ladder.booking_uptake(0, settings)

    def day(self) -> None:
        """An open day's newcomers: footfall x discovery; the aware (reputation) and the told (word of mouth)."""
        settings, rng, aware = self.lab.settings, self.lab.rng, self.awareness
        fee = settings.price_per_visit
        draw = self.entry_uptake(fee)
        footfall, from_aware, from_told = self.lab.draws.poisson(
            [settings.host_footfall_per_day * settings.discovery_rate * draw, aware.reputation * settings.awareness_uptake * draw,
             aware.told * settings.awareness_uptake * draw], int(self.lab.time), Count.FOOTFALL)
        counts = (int(footfall), aware.take("reputation", from_aware), aware.take("told", from_told))
        channels = np.repeat(np.array([Channel.FOOTFALL, Channel.REPUTATION, Channel.WORD_OF_MOUTH]), counts)
        ids = self.arrive(channels, fee=fee)
        told = ids[channels == Channel.WORD_OF_MOUTH]
        if told.size:  # each ties to whom they heard it from, if that person is still in the network
            referrers = aware.referrers(told.size, rng)
            known = referrers >= 0
            known[known] = ~self.people.gone[referrers[known]]
            self.network.stage(told[known], referrers[known], self.lab.time)

    def newcomers(self, n: int, channel: Channel, arranged: bool = False, fee: float = 0.0) -> np.ndarray:
        """Create n people arriving today (willing to pay `fee`), booked for today; a share come as creators.

        Arranged newcomers (a workshop's or an event's guests) need no slot under appointment access.
        """
        return self.arrive(np.full(max(0, n), channel), arranged, fee)

    def arrive(self, channels: np.ndarray, arranged: bool = False, fee: float = 0.0) -> np.ndarray:
        """Create people arriving today through the given channels (one each), as `newcomers` does."""
        n = channels.size
        if n == 0:
            return np.empty(0, dtype=np.int64)
        settings, draws, day = self.lab.settings, self.lab.draws, int(self.lab.time)
        if day != self._day:
            self._day, self._arrived = day, {}
        keys = draws.newcomer_keys(day, channels, self._arrived)  # the k-th of a channel today: the same in every fork
        creator, talent, propensity, wtp = draws.uniforms(keys, day, TRAITS)
        ids = self.people.add(
            n, np.where(creator < settings.creator_share, Role.ARTIST, Role.VISITOR), channels, self.lab.time,
            key=keys, talent=talent,  # creators among the public
            propensity=ladder.draw_propensity(Keyed(propensity), settings.propensity_sigma, size=n),
            wtp=ladder.draw_wtp(Keyed(wtp), settings, at_least=fee, size=n))
        self.careers.book(ids, 0.0, MORNING if arranged else ARRIVAL_HOUR, arranged)
        self.tally.week["arrivals"] += n
        return ids
