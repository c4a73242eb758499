"""The collaboration network: who worked, learnt or was introduced with whom.

Node = the agent's integer `unique_id`, with its `role` and `affiliation`;
edge `weight` = joint activities, `last` = day of last contact. Ties come from
co-participation (each attendee ties to a bounded number of co-attendees, so a
300-person event makes no clique), from help and from introductions.

During a run the network is kept in flat arrays (a few dozen bytes a tie, no
Python object per tie), because an institution-scale year has millions of
ties; `graph()` gives the familiar networkx view and `to_igraph()` the C one.
"""

from __future__ import annotations

from collections.abc import Sequence

import igraph as ig
import networkx as nx
import numpy as np

ROLES = ("visitor", "contributor", "partner", "mediator", "artist")
AFFILIATIONS = (None, "individual", "company", "research_lab", "engineer_provider")
_ROLE = {r: i for i, r in enumerate(ROLES)}
_AFF = {a: i for i, a in enumerate(AFFILIATIONS)}


def _grow(a: np.ndarray, size: int) -> np.ndarray:
    """Return `a`, doubled until it holds `size` entries (new entries zero)."""
    if size <= len(a):
        return a
    out = np.zeros(max(size, 2 * len(a)), dtype=a.dtype)
    out[: len(a)] = a
    return out


class CollabNetwork:
    """Ties between people, grown as they meet."""

    def __init__(self) -> None:
        """Start with no one."""
        self.role = np.zeros(1024, dtype=np.int8)
        self.affiliation = np.zeros(1024, dtype=np.int8)
        self.alive = np.zeros(1024, dtype=bool)
        self.degree_of = np.zeros(1024, dtype=np.int32)
        self._edge: dict[int, int] = {}  # (u << 32) | v with u < v -> edge index
        self.eu = np.zeros(4096, dtype=np.int64)
        self.ev = np.zeros(4096, dtype=np.int64)
        self.weight = np.zeros(4096, dtype=np.int32)
        self.last = np.zeros(4096, dtype=np.float64)
        self.n_edges = 0

    # -- nodes -------------------------------------------------------------
    def add_person(self, uid: int, role: str, affiliation: str | None) -> None:
        """Add a node for a person when they first arrive."""
        size = uid + 1
        self.role, self.affiliation = _grow(self.role, size), _grow(self.affiliation, size)
        self.alive, self.degree_of = _grow(self.alive, size), _grow(self.degree_of, size)
        self.role[uid], self.affiliation[uid], self.alive[uid] = _ROLE[role], _AFF[affiliation], True

    def set_role(self, uid: int, role: str, affiliation: str | None) -> None:
        """Keep the node's role in step with the person's rung."""
        self.role[uid], self.affiliation[uid] = _ROLE[role], _AFF[affiliation]

    def forget(self, uids: Sequence[int]) -> None:
        """Drop people (and their ties) from the network: they left long ago."""
        if not len(uids):
            return
        self.alive[np.asarray(uids)] = False
        n = self.n_edges
        keep = self.alive[self.eu[:n]] & self.alive[self.ev[:n]]
        gone = ~keep
        np.subtract.at(self.degree_of, self.eu[:n][gone], 1)
        np.subtract.at(self.degree_of, self.ev[:n][gone], 1)
        for arr in ("eu", "ev", "weight", "last"):
            a = getattr(self, arr)
            kept = a[:n][keep]
            a[: len(kept)] = kept
        self.n_edges = int(keep.sum())
        self._edge = {(int(u) << 32) | int(v): i for i, (u, v) in enumerate(zip(self.eu[: self.n_edges], self.ev[: self.n_edges], strict=True))}

    def degree(self, uid: int) -> int:
        """Number of distinct people the person has ties with."""
        return int(self.degree_of[uid])

    # -- ties ----------------------------------------------------------------
    def tie(self, u: int, v: int, time: float) -> None:
        """Add one joint activity between u and v."""
        if u == v:
            return
        if u > v:
            u, v = v, u
        key = (u << 32) | v
        i = self._edge.get(key)
        if i is None:
            i = self.n_edges
            if i == len(self.eu):
                for arr in ("eu", "ev", "weight", "last"):
                    setattr(self, arr, _grow(getattr(self, arr), i + 1))
            self._edge[key] = i
            self.eu[i], self.ev[i] = u, v
            self.degree_of[u] += 1
            self.degree_of[v] += 1
            self.n_edges += 1
        self.weight[i] += 1
        self.last[i] = time

    def tie_group(self, members: Sequence[int], k: int, rng: np.random.Generator, time: float) -> None:
        """Tie each member to up to k others drawn at random from the same activity."""
        n = len(members)
        if n < 2 or k <= 0:
            return
        if n <= k + 1:
            for i in range(n):
                for j in range(i + 1, n):
                    self.tie(members[i], members[j], time)
            return
        # Draw k partners among the n-1 others: index j in [0, n-1) maps past i.
        picks = rng.integers(0, n - 1, size=(n, k))
        for i in range(n):
            for j in dict.fromkeys(picks[i].tolist()):
                self.tie(members[i], members[j + (j >= i)], time)

    # -- views -----------------------------------------------------------------
    def nodes(self) -> np.ndarray:
        """The uids of the people in the network, in order of arrival."""
        return np.flatnonzero(self.alive)

    def number_of_nodes(self) -> int:
        """People in the network."""
        return int(self.alive.sum())

    def to_igraph(self) -> ig.Graph:
        """The network in igraph (C): vertices in uid order, with `uid`, `role`, `weight`."""
        uids = self.nodes()
        index = np.full(len(self.alive), -1, dtype=np.int64)
        index[uids] = np.arange(len(uids))
        n = self.n_edges
        g = ig.Graph(n=len(uids))
        if n:
            g.add_edges(np.column_stack([index[self.eu[:n]], index[self.ev[:n]]]))
            g.es["weight"] = self.weight[:n].tolist()
        g.vs["uid"] = uids.tolist()
        g.vs["role"] = [ROLES[r] for r in self.role[uids]]
        return g

    def graph(self) -> nx.Graph:
        """The network as a networkx graph (node attributes role, affiliation; edge weight, last)."""
        g = nx.Graph()
        for uid in self.nodes().tolist():
            g.add_node(uid, role=ROLES[self.role[uid]], affiliation=AFFILIATIONS[self.affiliation[uid]])
        n = self.n_edges
        g.add_edges_from(
            (u, v, {"weight": w, "last": t})
            for u, v, w, t in zip(
                self.eu[:n].tolist(), self.ev[:n].tolist(), self.weight[:n].tolist(), self.last[:n].tolist(),
                strict=True,
            )
        )
        return g
