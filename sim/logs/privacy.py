"""What a log's description may publish: no count of 1 to 4 people, given or recoverable from the others.

A count of 1 to 4 people is shown as `SUPPRESSED` ("<5"): the primary
suppression. That alone is not enough where a total and its parts are both
published (a year's newcomers and the whole log's visitors; the bins of
`visit_counts.csv` and the visitors; a share and its whole; visitors and
returning visitors, whose difference is a count of people too): a hidden part
would come back as the total minus the others. `Cells` holds every published
count with the sums that tie them, works out, as someone holding the published
files would, the range each hidden or unpublished count can take, and hides
more (`HIDDEN`, "x": the complementary suppression) until no count of 1 to 4
people, and no number of visits of fewer than 5 people, is pinned to one value.

Curves are coarsened instead (`coarse_steps`): a survival curve or a "share
with at least k visits" curve only steps when 5 or more people have left it,
and never shows fewer than 5 still on it. A quantile is published only where 5
people or more lie on each side of it (`quantile_ok`), which rules out an exact
maximum.

What this cannot stop is said in docs/analyst.md: two descriptions of logs that
differ by one person (the same log a week apart, or with and without someone)
still differ by that person's visits.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Hashable, Iterable

import numpy as np

MIN_COUNT = 5  # a published count of people under this is suppressed ("<5"), a share of fewer people is not published
SUPPRESSED = "<5"  # a count of 1 to 4 people
HIDDEN = "x"  # a count hidden so that a count under 5 cannot be recovered from the others (complementary suppression)
ROUNDS = 200  # bound propagation passes at most (each pass tightens a bound or stops)


def small(count) -> bool:
    """A count of 1 to 4: what may not be published, nor recovered."""
    return 0 < int(count) < MIN_COUNT


def shown(count: int) -> int | str:
    """A count of people as published alone: '<5' for 1 to 4 (zero is no one, and stays 0)."""
    count = int(count)
    return SUPPRESSED if small(count) else count


class Cells:
    """Counts tied by sums; which are hidden so that no small count can be worked out from the published ones.

    A cell is a count of people (`people=True`: hidden when 1 to 4, shown as "<5") or of visits (hidden when
    fewer than 5 people made them, shown as "x"); `implicit` cells are never published (a difference such as
    visitors minus returning visitors) but are counts all the same. `tie(total, parts)` says total = sum(parts).
    """

    def __init__(self) -> None:
        self.value: dict[Hashable, int] = {}
        self.people: dict[Hashable, bool] = {}
        self.sensitive: dict[Hashable, bool] = {}  # its exact value may not be known: 1-4 people, or few people's visits
        self.state: dict[Hashable, str] = {}  # 'shown', 'primary', 'secondary', 'implicit'
        self.sums: list[list[tuple[Hashable, int]]] = []
        self.fixed: set[Hashable] = set()

    def add(self, key: Hashable, value: int, people: bool = True, few: bool | None = None,
            implicit: bool = False, fixed: bool = False) -> Hashable:
        """A count; `few` (visits: made by fewer than 5 people) defaults to the count itself being 1 to 4.

        A `fixed` count is published anyway (elsewhere, e.g. the rows read): it is never hidden.
        """
        value = int(value)
        sensitive = small(value) if few is None else bool(few) and value > 0
        self.value[key], self.people[key], self.sensitive[key] = value, people, sensitive
        self.state[key] = "implicit" if implicit else "primary" if sensitive and not fixed else "shown"
        if fixed:
            self.fixed.add(key)
        return key

    def tie(self, total: Hashable, parts: Iterable[Hashable]) -> None:
        """Tie a total to its parts (total = sum(parts)), as anyone can add up the published tables."""
        self.sums.append([(total, -1), *((p, 1) for p in parts)])

    def difference(self, whole: Hashable, part: Hashable, key: Hashable) -> None:
        """The unpublished count whole - part (e.g. visitors who came once = visitors - returning visitors)."""
        self.add(key, self.value[whole] - self.value[part], implicit=True)
        self.tie(whole, [part, key])

    def _bounds(self) -> dict[Hashable, list[float]]:
        """What can be known of each cell from the published ones and the sums: [low, high]."""
        b = {}
        for key, state in self.state.items():
            v = self.value[key]
            if state == "shown":
                b[key] = [v, v]
            elif state == "primary":
                b[key] = [1, MIN_COUNT - 1] if self.people[key] else [1, math.inf]
            elif state == "secondary":  # a hidden zero (when nothing else was left to hide) may be anything
                b[key] = [0, math.inf] if not v else [MIN_COUNT, math.inf] if self.people[key] else [1, math.inf]
            else:
                b[key] = [0, math.inf]
        for _ in range(ROUNDS):
            changed = False
            for terms in self.sums:
                # each term's largest and smallest value (c*x), summed with the infinite ones counted apart
                most = [c * (b[k][1] if c > 0 else b[k][0]) for k, c in terms]
                least = [c * (b[k][0] if c > 0 else b[k][1]) for k, c in terms]
                big, low = sum(math.isinf(m) for m in most), sum(math.isinf(m) for m in least)
                most_sum = sum(m for m in most if not math.isinf(m))
                least_sum = sum(m for m in least if not math.isinf(m))
                for (key, a), m, m0 in zip(terms, most, least, strict=True):
                    others_most = math.inf if big - math.isinf(m) else most_sum - (0 if math.isinf(m) else m)
                    others_least = -math.inf if low - math.isinf(m0) else least_sum - (0 if math.isinf(m0) else m0)
                    lo, hi = -others_most, -others_least  # a*x = -(the others' sum)
                    lo, hi = (lo / a, hi / a) if a > 0 else (hi / a, lo / a)
                    if lo > b[key][0] + 1e-9:
                        b[key][0], changed = lo, True
                    if hi < b[key][1] - 1e-9:
                        b[key][1], changed = hi, True
            if not changed:
                break
        return b

    def _exposed(self) -> list[Hashable]:
        bounds = self._bounds()
        return [k for k, s in self.sensitive.items()
                if s and self.state[k] != "shown" and bounds[k][1] - bounds[k][0] < 0.5]

    def protect(self) -> None:
        """Hide published cells until no sensitive count is pinned down.

        For a pinned count, the cell hidden is a published one of a sum it is in (non-zero ones first, the
        smallest, parts before totals); if those sums have none left, the search widens to the sums tied to
        them. The bounds are intervals: a sound test for one sum, a close one across several.
        """
        touching: dict[Hashable, list[int]] = {}
        for i, terms in enumerate(self.sums):
            for k, _ in terms:
                touching.setdefault(k, []).append(i)
        for _ in range(len(self.value) + 1):
            exposed = self._exposed()
            if not exposed:
                break
            pick = self._nearest_shown(exposed[0], touching)
            if pick is None:
                break  # tied only to what is published anyway (the log's visits): hiding cannot help
            self.state[pick] = "secondary"
        bounds = self._bounds()  # a hidden count the others give away anyway is shown: hiding it protects nothing
        for key, state in self.state.items():
            pinned = bounds[key][1] - bounds[key][0] < 0.5
            if pinned and (state == "secondary" or (state == "primary" and not self.people[key])):
                self.state[key] = "shown"

    def _nearest_shown(self, key: Hashable, touching: dict[Hashable, list[int]]) -> Hashable | None:
        """The published non-zero cell to hide for `key`: in its own sums first, then in sums tied to those."""
        seen_sums: set[int] = set()
        frontier = {key}
        while frontier:
            sums = {i for k in frontier for i in touching.get(k, []) if i not in seen_sums}
            if not sums:
                return None
            seen_sums |= sums
            candidates = [(self.value[k] == 0, c < 0, self.value[k], str(k), k) for i in sums for k, c in self.sums[i]
                          if self.state[k] == "shown" and k not in self.fixed]
            if candidates:  # non-zero parts first, the smallest; a zero only when nothing else is left
                return min(candidates)[4]
            frontier = {k for i in sums for k, _ in self.sums[i]}
        return None

    def shown(self, key: Hashable) -> int | str:
        """The cell as published: its count, '<5' (1 to 4 people) or 'x' (hidden)."""
        state = self.state[key]
        if state == "shown":
            return self.value[key]
        return SUPPRESSED if state == "primary" and self.people[key] else HIDDEN

    def published(self, key: Hashable) -> bool:
        """Whether the exact count is published."""
        return self.state[key] == "shown"


def coarse_steps(remaining: np.ndarray) -> np.ndarray:
    """A non-increasing count of people (still coming, or with at least k visits), coarsened to publish.

    The coarsened curve steps down only when 5 or more people have left it since its last step, and never
    to 1-4 people still on it (it stays at its last level, or drops to 0): each step, and each level, is
    5 people or more, so no difference of two published points is a count of 1 to 4.
    """
    out = np.empty(len(remaining), dtype=np.int64)
    level = int(remaining[0]) if len(remaining) else 0
    for i, n in enumerate(np.asarray(remaining, dtype=np.int64)):
        if level - n >= MIN_COUNT and not small(n):
            level = int(n)
        out[i] = level
    return out


def quantile_ok(counts: np.ndarray, value: float) -> bool:
    """A quantile is published only when 5 people or more lie at or above it and at or below it."""
    return int((counts >= value).sum()) >= MIN_COUNT and int((counts <= value).sum()) >= MIN_COUNT


def top_k(counts: np.ndarray, k: int = MIN_COUNT) -> int | None:
    """The visits of the k-th most frequent visitor: at least k people came this often (None under k people)."""
    return int(np.sort(counts)[-k]) if counts.size >= k else None


def bins(counts: np.ndarray, edges: list[float]) -> list[tuple[str, int]]:
    """People per bin of visits (1, 2, 3, 4-7, ...): (label, count)."""
    out = []
    for lo, hi in itertools.pairwise(edges):
        label = str(lo) if hi == lo + 1 else f"{lo}+" if hi == np.inf else f"{lo}-{int(hi) - 1}"
        out.append((label, int(((counts >= lo) & (counts < hi)).sum())))
    return out
