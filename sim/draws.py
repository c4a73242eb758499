"""Common random numbers: a person's draws depend on who, when and what for, not on the order they are made in.

Two policies forked from the same saved lab (`sim.state`) share its history,
but with one stream of random numbers their futures part at the first draw
that one policy makes and the other does not: a mediator fewer shifts every
later draw, and the paired difference between the policies is as noisy as
between two unrelated runs. The ladder's decisions are therefore drawn from a
counter-based generator instead: the uniform of person `key`, on day `day`,
for `purpose` is a hash of those numbers and the run's seed (SplitMix64's
finaliser, Steele et al. 2014). The same person facing the same chance on the
same day decides the same way under both policies; they decide otherwise only
where the policy changed their chance, which is the difference the comparison
is after (common random numbers, Law 2015, section 11.2).

A newcomer's key is who they are in the day's arrivals (the k-th person of a
channel on a day), so that the same newcomers arrive under both policies, with
the same talent, propensity and willingness to pay, as far as the counts
agree. `Keyed` gives the draws numpy Generator's methods, so the pure rules of
`sim.ladder` take either.
"""

from __future__ import annotations

import math
from enum import IntEnum

import numpy as np
from scipy.special import ndtri

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # SplitMix64's increment (2^64 / golden ratio)
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)  # its finaliser's multipliers
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_UNIT = 2.0**-53


class Purpose(IntEnum):
    """What a draw decides: each purpose has its own numbers, so adding one draw does not move another."""

    KEY = 0  # a newcomer's identity in the day's arrivals
    CREATOR = 1
    TALENT = 2
    PROPENSITY = 3
    WTP = 4
    STAY = 5  # coming back after a visit
    WAIT = 6  # days until the next visit
    SUBSCRIBE = 7
    PARTNER = 8
    QUALITY = 9  # the luck of a visit
    COUNT = 10  # how many come today by a channel
    COMEBACK = 11  # a dormant person's weekly decision to come back


class Count(IntEnum):
    """The day's counts drawn by `Draws.poisson`, each with its own numbers (a workshop's: WORKSHOP + its rank)."""

    FOOTFALL = 0
    REPUTATION = 1
    TOLD = 2
    EVENT_CROWD = 3
    EVENT_POOL = 4
    WORKSHOP = 5


POISSON_NORMAL_ABOVE = 200.0  # mean above which a count is drawn from the normal approximation (error < 1%; assumption)


def mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser on uint64 values: every input bit moves every output bit."""
    x = x ^ (x >> _S30)
    x = x * _M1
    x = x ^ (x >> _S27)
    x = x * _M2
    return x ^ (x >> _S31)


class Draws:
    """The run's counter-based draws, keyed by its seed."""

    def __init__(self, seed: int) -> None:
        """Derive the run's key from its seed (the model's), so that another seed gives other numbers."""
        self.seed = int(seed) & 0xFFFFFFFFFFFFFFFF
        self._key = mix(np.array([self.seed], dtype=np.uint64))[0]

    def _base(self, day: int, purpose: Purpose) -> np.uint64:
        return mix(np.array([self._key ^ (np.uint64(int(day) & 0xFFFFFFFF) << np.uint64(8))
                             ^ np.uint64(int(purpose))], dtype=np.uint64))[0]

    def uniform(self, keys: np.ndarray, day: int, purpose: Purpose) -> np.ndarray:
        """One uniform in (0, 1) per key, for this day and purpose."""
        with np.errstate(over="ignore"):
            x = mix(np.asarray(keys, dtype=np.uint64) * _GOLDEN + self._base(day, purpose))
        return ((x >> _S11).astype(np.float64) + 0.5) * _UNIT

    def of(self, keys: np.ndarray, day: int, purpose: Purpose) -> Keyed:
        """These people's draws for a purpose on a day, with numpy Generator's methods (for `sim.ladder`)."""
        return Keyed(self.uniform(keys, day, purpose))

    def poisson(self, means, day: int, first: int = 0) -> list[int]:
        """Today's counts, each Poisson of its mean, by inversion; count i is `Count` number first + i.

        Inversion couples the counts of two forks: the same uniform gives the
        same count for the same mean and a close one for a close mean, where
        two independent draws would differ by their whole spread.
        """
        u = self.uniform(np.arange(first, first + len(means), dtype=np.uint64), day, Purpose.COUNT).tolist()
        return [_poisson_inverse(x, float(m)) for x, m in zip(u, means, strict=True)]

    def newcomer_keys(self, day: int, channels: np.ndarray, first: dict[int, int]) -> np.ndarray:
        """Keys of the day's newcomers: who they are among the day's arrivals by their channel.

        `first` holds, per channel, how many have arrived by it today (updated),
        so that a channel's later arrivals that day get the next ranks.
        """
        channels = np.asarray(channels)
        rank = np.empty(channels.size, dtype=np.uint64)
        for channel in np.unique(channels).tolist():
            at = np.flatnonzero(channels == channel)
            start = first.get(channel, 0)
            rank[at] = np.arange(start, start + at.size, dtype=np.uint64)
            first[channel] = start + at.size
        with np.errstate(over="ignore"):
            return mix(mix(np.uint64(int(day) & 0xFFFFFFFF) * _M2 + channels.astype(np.uint64) * _M1) + rank * _GOLDEN)


def _poisson_inverse(u: float, mean: float) -> int:
    """The smallest k whose Poisson(mean) distribution function reaches u (normal approximation for large means)."""
    if mean <= 0.0:
        return 0
    if mean > POISSON_NORMAL_ABOVE:
        return max(0, round(mean + math.sqrt(mean) * float(ndtri(u))))
    k, p = 0, math.exp(-mean)
    cdf = p
    while cdf < u and p > 0.0:
        k += 1
        p *= mean / k
        cdf += p
    return k


class Keyed:
    """One person's uniform each, offered as numpy Generator's methods; each method uses the same uniforms."""

    def __init__(self, u: np.ndarray) -> None:
        """Keep the uniforms."""
        self.u = u

    def _n(self, size) -> None:
        if size is not None and int(np.prod(size)) != self.u.size:
            raise ValueError(f"keyed draws: {self.u.size} people, {size} draws asked")

    def random(self, size=None) -> np.ndarray:
        """Uniform in (0, 1)."""
        self._n(size)
        return self.u

    def lognormal(self, mean: float = 0.0, sigma: float = 1.0, size=None) -> np.ndarray:
        """Lognormal by the inverse of the normal's distribution function."""
        self._n(size)
        return np.exp(mean + sigma * ndtri(self.u))

    def exponential(self, scale=1.0, size=None) -> np.ndarray:
        """Exponential of mean `scale` (one per person; scale may be per person) by inversion."""
        self._n(size)
        return -np.asarray(scale, dtype=float) * np.log1p(-self.u)
