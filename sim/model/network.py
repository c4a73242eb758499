"""The collaboration network: who worked, learnt or was introduced with whom.

Node = a person's id (their row in `sim.model.population.People`), labelled with its
`role` and `affiliation`; edge `weight` = joint activities, `last` = day of
last contact. Ties come from co-participation (each attendee ties to a bounded
number of co-attendees, so a 300-person event makes no clique), from help and
from introductions.

Ties are added in bulk: a day's ties are staged as arrays and merged at once
(`flush`), into sorted arrays of edge keys ((u << 32) | v with u < v) with
their weights and last contacts: a main array and a small sorted buffer merged
into it when it grows (no Python object per tie, no per-tie dictionary). The
degree of every node is kept up to date, because the ladder asks it each day.
`graph()` gives the familiar networkx view and `to_igraph()` the C one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

import igraph as ig
import networkx as nx
import numpy as np

from sim.kinds import AFFILIATION_LABELS, ROLE_LABELS

_LOW = np.int64(0xFFFFFFFF)
MIN_BUFFER = 4096  # new ties held apart before a merge into the main arrays (a merge costs a pass over all ties)
MAX_STAGED = 200_000  # ties staged before a merge is forced (bounds the memory of a long wait between merges)


class Nodes(Protocol):
    """Who the nodes are (the people table): everyone with a row who is not forgotten, with their labels."""

    n: int  # rows in use: ids 0..n-1
    gone: np.ndarray  # forgotten (no longer a node)
    role: np.ndarray  # role codes by id
    affiliation: np.ndarray  # affiliation codes by id


def _keys(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    lo, hi = np.minimum(u, v), np.maximum(u, v)
    return (lo << 32) | hi


def _count(keys: np.ndarray, times: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct keys (sorted), how often each occurs and the latest time it occurred (`times` never decrease)."""
    order = np.argsort(keys, kind="stable")
    keys, times = keys[order], times[order]
    if not keys.size:
        return keys, keys, times
    first = np.empty(keys.size, dtype=bool)
    first[0] = True
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    counts = np.diff(starts, append=keys.size)
    return keys[starts], counts, times[starts + counts - 1]


class _Edges:
    """Sorted edge keys with their weights and days of last contact."""

    def __init__(self) -> None:
        self.key = np.empty(0, dtype=np.int64)
        self.weight = np.empty(0, dtype=np.int64)
        self.last = np.empty(0, dtype=np.float64)

    def __len__(self) -> int:
        return self.key.size

    def find(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Where `keys` (sorted) would sit, and whether they are held here."""
        if not self.key.size:
            return np.zeros(keys.size, dtype=np.int64), np.zeros(keys.size, dtype=bool)
        i = np.searchsorted(self.key, keys)
        return i, self.key[np.minimum(i, self.key.size - 1)] == keys

    def bump(self, keys: np.ndarray, counts: np.ndarray, time: np.ndarray) -> np.ndarray:
        """Add `counts` activities to the ties among `keys` (sorted, unique) held here; return a mask of the others."""
        i, hit = self.find(keys)
        if not hit.any():
            return ~hit
        i = i[hit]
        self.weight[i] += counts[hit]
        self.last[i] = time[hit]
        return ~hit

    def insert(self, keys: np.ndarray, weights: np.ndarray, last) -> None:
        """Insert new ties (sorted keys not held yet), keeping the order (one pass, the same places in each array)."""
        n, m = self.key.size, keys.size
        new = np.searchsorted(self.key, keys) + np.arange(m)  # their places in the merged arrays
        old = np.ones(n + m, dtype=bool)
        old[new] = False
        for name, values in (("key", keys), ("weight", weights), ("last", last)):
            merged = np.empty(n + m, dtype=getattr(self, name).dtype)
            merged[new] = values
            merged[old] = getattr(self, name)
            setattr(self, name, merged)

    def keep(self, mask: np.ndarray) -> None:
        """Keep only the ties where mask holds."""
        self.key, self.weight, self.last = self.key[mask], self.weight[mask], self.last[mask]


class CollabNetwork:
    """Ties between people, grown as they meet.

    Args:
        people: The people table: its rows not forgotten are the nodes (read as they change).

    """

    def __init__(self, people: Nodes) -> None:
        """Ties among `people`; none yet."""
        self.people = people
        self.degree_of = np.zeros(0, dtype=np.int64)
        self._main, self._buffer = _Edges(), _Edges()
        self._staged: list[tuple[np.ndarray, np.ndarray, float]] = []  # (u, v, time) batches not merged yet
        self._staged_n = 0

    # -- nodes -------------------------------------------------------------
    @property
    def alive(self) -> np.ndarray:
        """Whether each id is a node: a person with a row, not forgotten."""
        return ~self.people.gone[: self.people.n]

    def _room(self) -> None:
        """Degrees for every id in use."""
        n = self.people.n
        if n > self.degree_of.size:
            grown = np.zeros(max(n, 2 * self.degree_of.size, 1024), dtype=np.int64)
            grown[: self.degree_of.size] = self.degree_of
            self.degree_of = grown

    def forget(self, uids: Sequence[int] | np.ndarray) -> None:
        """Drop the ties of people forgotten (flagged `gone`): they left long ago; their neighbours' degrees drop."""
        if not len(uids):
            return
        self.flush()
        self._room()
        gone = self.people.gone
        for edges in (self._main, self._buffer):
            u, v = edges.key >> 32, edges.key & _LOW
            dead = gone[u] | gone[v]
            if dead.any():
                self.degree_of -= np.bincount(u[dead], minlength=self.degree_of.size)
                self.degree_of -= np.bincount(v[dead], minlength=self.degree_of.size)
                edges.keep(~dead)

    def is_alive(self, uid: int) -> bool:
        """True while the person is in the network (not forgotten)."""
        return 0 <= uid < self.people.n and not self.people.gone[uid]

    def degree(self, uid: int) -> int:
        """Number of distinct people the person has ties with."""
        return int(self.degrees(np.array([uid]))[0])

    def degrees(self, ids: np.ndarray) -> np.ndarray:
        """Degrees of several people."""
        self.flush()
        self._room()
        return self.degree_of[ids]

    # -- ties ----------------------------------------------------------------
    def stage(self, u, v, time: float) -> None:
        """Add one joint activity for each pair (u[i], v[i]) at `time`; merged at the next flush (self-ties dropped).

        Staged ties are merged when a degree or the graph is asked for, or when many have piled up.
        """
        u = np.asarray(u, dtype=np.int64)
        if not u.size:
            return
        self._staged.append((u, np.asarray(v, dtype=np.int64), time))
        self._staged_n += u.size
        if self._staged_n > MAX_STAGED:
            self.flush()

    def tie(self, u: int, v: int, time: float) -> None:
        """Add one joint activity between u and v."""
        self.stage([u], [v], time)

    def tie_many(self, pairs: Iterable[tuple[int, int]], time: float) -> None:
        """Add one joint activity for each (u, v) pair."""
        arr = np.array(list(pairs), dtype=np.int64).reshape(-1, 2)
        self.stage(arr[:, 0], arr[:, 1], time)

    def tie_group(self, members: Sequence[int] | np.ndarray, k: int, rng: np.random.Generator, time: float) -> None:
        """Tie each member to up to k others drawn at random from the same activity (repeated draws count once)."""
        u, v = group_pairs(np.asarray(members, dtype=np.int64), k, rng)
        self.stage(u, v, time)

    def flush(self) -> None:
        """Merge the staged ties: new ties join the buffer (and raise degrees), known ones gain weight."""
        if not self._staged:
            return
        staged, self._staged, self._staged_n = self._staged, [], 0
        u = np.concatenate([s[0] for s in staged])
        v = np.concatenate([s[1] for s in staged])
        times = np.repeat([s[2] for s in staged], [s[0].size for s in staged])
        differ = u != v
        keys, counts, time = _count(_keys(u[differ], v[differ]), times[differ])
        rest = self._main.bump(keys, counts, time)
        keys, counts, time = keys[rest], counts[rest], time[rest]
        rest = self._buffer.bump(keys, counts, time)
        keys, counts, time = keys[rest], counts[rest], time[rest]
        if not keys.size:
            return
        self._room()
        np.add.at(self.degree_of, keys >> 32, 1)
        np.add.at(self.degree_of, keys & _LOW, 1)
        self._buffer.insert(keys, counts, time)
        if len(self._buffer) > max(MIN_BUFFER, len(self._main) // 16):
            self._merge()

    def _merge(self) -> None:
        """Move the buffer's ties into the main arrays (both sorted: one pass)."""
        if len(self._buffer):
            b = self._buffer
            self._main.insert(b.key, b.weight, b.last)
            self._buffer = _Edges()

    # -- views -----------------------------------------------------------------
    def _arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The ties: ends (u < v), weight, last contact; in key order."""
        self.flush()
        self._merge()
        key = self._main.key
        return key >> 32, key & _LOW, self._main.weight, self._main.last

    @property
    def n_edges(self) -> int:
        """Ties between people still in the network."""
        self.flush()
        return len(self._main) + len(self._buffer)

    def has_edge(self, u: int, v: int) -> bool:
        """Whether u and v have a tie."""
        self.flush()
        key = _keys(np.array([u]), np.array([v]))
        return bool(self._main.find(key)[1][0] or self._buffer.find(key)[1][0])

    def neighbors(self, uid: int) -> list[int]:
        """The people uid has ties with (a scan of the ties: for checks, not for the model's inner loops)."""
        eu, ev, _, _ = self._arrays()
        return sorted(set(ev[eu == uid].tolist()) | set(eu[ev == uid].tolist()))

    def nodes(self) -> np.ndarray:
        """The ids of the people in the network, in order of arrival."""
        return np.flatnonzero(self.alive)

    def number_of_nodes(self) -> int:
        """People in the network."""
        return int(np.count_nonzero(self.alive))

    def _label_lists(self, uids: np.ndarray) -> tuple[list[str], list[str | None]]:
        roles = [ROLE_LABELS[r] for r in self.people.role[uids].tolist()]
        affiliations = [AFFILIATION_LABELS[a] or None for a in self.people.affiliation[uids].tolist()]
        return roles, affiliations

    def to_igraph(self) -> ig.Graph:
        """The network in igraph (C): vertices in id order, with `uid`, `role`, `weight`."""
        uids = self.nodes()
        index = np.full(self.people.n, -1, dtype=np.int64)
        index[uids] = np.arange(uids.size)
        eu, ev, weight, _ = self._arrays()
        g = ig.Graph(n=uids.size)
        if eu.size:
            g.add_edges(np.column_stack([index[eu], index[ev]]))
            g.es["weight"] = weight.tolist()
        g.vs["uid"] = uids.tolist()
        g.vs["role"] = self._label_lists(uids)[0]
        return g

    def graph(self) -> nx.Graph:
        """The network as a networkx graph (node attributes role, affiliation; edge weight, last)."""
        g = nx.Graph()
        uids = self.nodes()
        roles, affiliations = self._label_lists(uids)
        g.add_nodes_from((uid, {"role": r, "affiliation": a})
                         for uid, r, a in zip(uids.tolist(), roles, affiliations, strict=True))
        eu, ev, weight, last = self._arrays()
        g.add_edges_from(
            (u, v, {"weight": w, "last": t})
            for u, v, w, t in zip(eu.tolist(), ev.tolist(), weight.tolist(), last.tolist(), strict=True)
        )
        return g

    # -- a mature lab saved and forked (sim.model.state) -----------------------------------
    def snapshot(self) -> dict:
        """The ties as data (staged ties merged first: merging changes no weight, time or degree)."""
        self.flush()
        self._room()
        return {"main.key": self._main.key, "main.weight": self._main.weight, "main.last": self._main.last,
                "buffer.key": self._buffer.key, "buffer.weight": self._buffer.weight,
                "buffer.last": self._buffer.last, "degree": self.degree_of[: self.people.n].copy()}

    def restore(self, snap: dict) -> None:
        """Refill an empty network from `snapshot` data."""
        for part, edges in (("main", self._main), ("buffer", self._buffer)):
            edges.key = np.array(snap[f"{part}.key"], dtype=np.int64)
            edges.weight = np.array(snap[f"{part}.weight"], dtype=np.int64)
            edges.last = np.array(snap[f"{part}.last"], dtype=np.float64)
        self.degree_of = np.array(snap["degree"], dtype=np.int64)
        self._room()


def group_pairs(members: np.ndarray, k: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Pairs tying each member to up to k others of the same activity, drawn at random (a draw repeated once counts once).

    A group of at most k + 1 ties everyone to everyone (no draw).
    """
    return groups_pairs([members], k, rng)


def groups_pairs(groups: list[np.ndarray], k: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """`group_pairs` for several activities at once: each member draws partners within their own group only."""
    us, vs, big = [], [], []
    for g in groups:
        if g.size < 2 or k <= 0:
            continue
        if g.size <= k + 1:
            i, j = np.triu_indices(g.size, 1)
            us.append(g[i])
            vs.append(g[j])
        else:
            big.append(g)
    if big:
        members = np.concatenate(big)
        sizes = np.array([g.size for g in big])
        start = np.repeat(np.cumsum(sizes) - sizes, sizes)  # where each member's group starts
        local = np.arange(members.size) - start  # and the member's place in it
        picks = (rng.random((members.size, k)) * (np.repeat(sizes, sizes) - 1)[:, None]).astype(np.int64)
        keep = np.ones(picks.shape, dtype=bool)
        if k > 1:  # a partner drawn twice by the same member counts once
            picks.sort(axis=1)
            keep[:, 1:] = picks[:, 1:] != picks[:, :-1]
        i = np.nonzero(keep)[0]
        j = picks[keep]
        j += j >= local[i]  # a draw in [0, n - 1) skips the member's own place
        us.append(members[i])
        vs.append(members[start[i] + j])
    if not us:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    return np.concatenate(us), np.concatenate(vs)
