"""Common random numbers: a person's draws depend on who, when and what for, not on the order they are made in.

Two policies forked from the same saved lab (`sim.model.state`) share its history,
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
`sim.model.ladder` take either.
"""

from __future__ import annotations

import math
from enum import IntEnum
from itertools import groupby

import numpy as np
from scipy.special import ndtri

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # SplitMix64's increment (2^64 / golden ratio)
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)  # its finaliser's multipliers
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_UNIT = 2.0**-53
_MASK = (1 << 64) - 1


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
    x *= _M1
    x ^= x >> _S27
    x *= _M2
    x ^= x >> _S31
    return x


def _mix_int(x: int) -> int:
    """`mix` of one value, in Python integers (no array to build for a day's or a channel's constant)."""
    x &= _MASK
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & _MASK
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


class Draws:
    """The run's counter-based draws, keyed by its seed."""

    def __init__(self, seed: int) -> None:
        """Derive the run's key from its seed (the model's), so that another seed gives other numbers."""
        self.seed = int(seed) & _MASK
        self._key = _mix_int(self.seed)

    def uniform(self, keys: np.ndarray, day: int, purpose: Purpose) -> np.ndarray:
        """One uniform in (0, 1) per key, for this day and purpose."""
        return self.uniforms(keys, day, (purpose,))[0]

    def uniforms(self, keys: np.ndarray, day: int, purposes: tuple[Purpose, ...]) -> np.ndarray:
        """One uniform per key and purpose, a row per purpose, in one pass over the keys."""
        bases = [_mix_int(self._key ^ ((int(day) & 0xFFFFFFFF) << 8) ^ int(p)) for p in purposes]
        x = np.asarray(keys, dtype=np.uint64) * _GOLDEN  # a new array (uint64 arrays wrap around silently)
        x = mix(x[None, :] + np.array(bases, dtype=np.uint64)[:, None])
        x >>= _S11
        u = x.astype(np.float64)
        u += 0.5
        u *= _UNIT
        return u

    def of(self, keys: np.ndarray, day: int, purpose: Purpose) -> Keyed:
        """These people's draws for a purpose on a day, with numpy Generator's methods (for `sim.model.ladder`)."""
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
        runs = [(channel, len(list(group))) for channel, group in groupby(np.asarray(channels).tolist())]
        if not runs:
            return np.empty(0, dtype=np.uint64)
        day_part = (int(day) & 0xFFFFFFFF) * 0x94D049BB133111EB
        starts, offsets, sizes = [], [], []
        for channel, n in runs:  # the k-th of a channel today, k counted on from its earlier arrivals today
            start = first.get(channel, 0)
            starts.append(start)
            offsets.append(_mix_int(day_part + channel * 0xBF58476D1CE4E5B9))
            sizes.append(n)
            first[channel] = start + n
        if len(runs) == 1:
            x = np.arange(starts[0], starts[0] + sizes[0], dtype=np.uint64)
            x *= _GOLDEN
            x += np.uint64(offsets[0])
            return mix(x)
        ends = np.cumsum(sizes)
        x = (np.arange(ends[-1]) - np.repeat(ends - sizes, sizes) + np.repeat(starts, sizes)).astype(np.uint64)
        x *= _GOLDEN
        x += np.repeat(np.array(offsets, dtype=np.uint64), sizes)
        return mix(x)


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
        if size is None or (isinstance(size, (int, np.integer)) and size == self.u.size):  # the usual case: no np.prod
            return
        if int(np.prod(size)) != self.u.size:
            raise ValueError(f"keyed draws: {self.u.size} people, {size} draws asked")

    def random(self, size=None) -> np.ndarray:
        """Uniform in (0, 1)."""
        self._n(size)
        return self.u

    def lognormal(self, mean: float = 0.0, sigma: float = 1.0, size=None) -> np.ndarray:
        """Lognormal by the inverse of the normal's distribution function."""
        self._n(size)
        return np.exp(mean + sigma * ndtri(self.u))

    def geometric(self, p, size=None) -> np.ndarray:
        """Geometric on 1, 2, ... of success chance `p` (per person) by inversion: the trial of the first success."""
        self._n(size)
        p = np.asarray(p, dtype=float)
        with np.errstate(divide="ignore"):
            trials = np.ceil(np.log1p(-self.u) / np.log1p(-np.minimum(p, 1.0)))
        return np.maximum(trials, 1.0)

    def exponential(self, scale=1.0, size=None) -> np.ndarray:
        """Exponential of mean `scale` (one per person; scale may be per person) by inversion."""
        self._n(size)
        return -np.asarray(scale, dtype=float) * np.log1p(-self.u)
