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

from array import array
from collections.abc import Sequence

import igraph as ig
import networkx as nx
import numpy as np

ROLES = ("visitor", "contributor", "partner", "mediator", "artist", "engineer", "client")
AFFILIATIONS = (None, "individual", "company", "research_lab", "engineer_provider", "school")
_ROLE = {r: i for i, r in enumerate(ROLES)}


def copy_of(arr: array, dtype) -> np.ndarray:
    """A numpy copy of an `array.array`, never a view.

    A live view would forbid the array to grow ("cannot resize an array that
    is exporting buffers"), and a sampling profiler (Dask's workers run one)
    may keep a frame, and so a view, alive at any moment.
    """
    return np.frombuffer(arr, dtype=dtype).copy()
_AFF = {a: i for i, a in enumerate(AFFILIATIONS)}


class CollabNetwork:
    """Ties between people, grown as they meet.

    Per node (indexed by uid): role and affiliation codes, alive flag, degree.
    Per tie: both ends, weight, day of last contact. All in `array.array`s:
    compact (no Python object per entry) and quick to update one item at a time.
    """

    def __init__(self) -> None:
        """Start with no one."""
        self.role = array("b")
        self.affiliation = array("b")
        self.alive = array("b")
        self.degree_of = array("l")
        self._edge: dict[int, int] = {}  # (u << 32) | v with u < v -> edge index
        self.eu, self.ev = array("q"), array("q")
        self.weight, self.last = array("l"), array("d")
        self._dead_edges = 0  # ties of forgotten people still stored (dropped when they outnumber the live ones)

    @property
    def n_edges(self) -> int:
        """Ties between people still in the network."""
        if not self._dead_edges:
            return len(self.eu)
        return int(np.count_nonzero(self._live_mask()))

    def _live_mask(self) -> np.ndarray:
        """Which stored ties join two people still in the network."""
        alive = copy_of(self.alive, dtype=np.int8).astype(bool)
        eu, ev = copy_of(self.eu, dtype=np.int64), copy_of(self.ev, dtype=np.int64)
        return alive[eu] & alive[ev]

    # -- nodes -------------------------------------------------------------
    def add_person(self, uid: int, role: str, affiliation: str | None) -> None:
        """Add a node for a person when they first arrive."""
        missing = uid + 1 - len(self.role)
        if missing > 0:
            for arr in (self.role, self.affiliation, self.alive, self.degree_of):
                arr.extend(bytes(missing) if arr.typecode == "b" else [0] * missing)
        self.role[uid], self.affiliation[uid], self.alive[uid] = _ROLE[role], _AFF[affiliation], 1

    def set_role(self, uid: int, role: str, affiliation: str | None) -> None:
        """Keep the node's role in step with the person's rung."""
        self.role[uid], self.affiliation[uid] = _ROLE[role], _AFF[affiliation]

    def forget(self, uids: Sequence[int]) -> None:
        """Drop people (and their ties) from the network: they left long ago.

        Their ties stay stored, unseen, until they outnumber the live ones; then
        the arrays are compacted at once, so forgetting costs O(1) per tie over a run.
        """
        if not len(uids):
            return
        for uid in uids:
            self.alive[uid] = 0
        live = self._live_mask()
        eu, ev = copy_of(self.eu, dtype=np.int64), copy_of(self.ev, dtype=np.int64)
        n = len(self.alive)
        degree = np.bincount(eu[live], minlength=n) + np.bincount(ev[live], minlength=n)
        self.degree_of = array("l", degree.astype(np.int_).tobytes())
        self._dead_edges = len(eu) - int(np.count_nonzero(live))
        if self._dead_edges > len(eu) // 2:
            self._compact(live)

    def _compact(self, live: np.ndarray) -> None:
        """Drop the stored ties of forgotten people and re-index the rest."""
        eu, ev = copy_of(self.eu, dtype=np.int64), copy_of(self.ev, dtype=np.int64)
        weight, last = copy_of(self.weight, dtype=np.int_), copy_of(self.last, dtype=np.float64)
        self.eu, self.ev = array("q", eu[live].tobytes()), array("q", ev[live].tobytes())
        self.weight, self.last = array("l", weight[live].tobytes()), array("d", last[live].tobytes())
        keys = ((copy_of(self.eu, dtype=np.int64) << 32) | copy_of(self.ev, dtype=np.int64)).tolist()
        self._edge = dict(zip(keys, range(len(keys)), strict=True))
        self._dead_edges = 0

    def is_alive(self, uid: int) -> bool:
        """True while the person is in the network (not forgotten)."""
        return 0 <= uid < len(self.alive) and bool(self.alive[uid])

    def degree(self, uid: int) -> int:
        """Number of distinct people the person has ties with."""
        return int(self.degree_of[uid])

    def has_edge(self, u: int, v: int) -> bool:
        """Whether u and v have a tie."""
        u, v = min(u, v), max(u, v)
        return ((u << 32) | v) in self._edge

    def neighbors(self, uid: int) -> list[int]:
        """The people uid has ties with (a scan of the ties: for checks, not for the model's inner loops)."""
        eu, ev = copy_of(self.eu, dtype=np.int64), copy_of(self.ev, dtype=np.int64)
        return sorted(set(ev[eu == uid].tolist()) | set(eu[ev == uid].tolist()))

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
            self._edge[key] = len(self.eu)
            self.eu.append(u)
            self.ev.append(v)
            self.weight.append(1)
            self.last.append(time)
            self.degree_of[u] += 1
            self.degree_of[v] += 1
        else:
            self.weight[i] += 1
            self.last[i] = time

    def tie_many(self, pairs, time: float) -> None:
        """Add one joint activity for each (u, v) pair: `tie` in a loop, with the lookups hoisted (a hot path)."""
        edge, eu, ev, weight, last, degree = self._edge, self.eu, self.ev, self.weight, self.last, self.degree_of
        get = edge.get
        for u, v in pairs:
            if u == v:
                continue
            if u > v:
                u, v = v, u
            key = (u << 32) | v
            i = get(key)
            if i is None:
                edge[key] = len(eu)
                eu.append(u)
                ev.append(v)
                weight.append(1)
                last.append(time)
                degree[u] += 1
                degree[v] += 1
            else:
                weight[i] += 1
                last[i] = time

    def tie_group(self, members: Sequence[int], k: int, rng: np.random.Generator, time: float) -> None:
        """Tie each member to up to k others drawn at random from the same activity."""
        n = len(members)
        if n < 2 or k <= 0:
            return
        if n <= k + 1:
            self.tie_many(((members[i], members[j]) for i in range(n) for j in range(i + 1, n)), time)
            return
        # Draw k partners among the n-1 others: index j in [0, n-1) maps past i.
        picks = rng.integers(0, n - 1, size=(n, k)).tolist()
        self.tie_many(
            ((members[i], members[j + (j >= i)]) for i in range(n) for j in dict.fromkeys(picks[i])), time
        )

    # -- views -----------------------------------------------------------------
    def nodes(self) -> np.ndarray:
        """The uids of the people in the network, in order of arrival."""
        return np.flatnonzero(copy_of(self.alive, dtype=np.int8))

    def number_of_nodes(self) -> int:
        """People in the network."""
        return int(np.count_nonzero(copy_of(self.alive, dtype=np.int8)))

    def _arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Numpy copies of the live ties: ends, weight, last contact."""
        arrays = (
            copy_of(self.eu, dtype=np.int64),
            copy_of(self.ev, dtype=np.int64),
            copy_of(self.weight, dtype=np.int_),
            copy_of(self.last, dtype=np.float64),
        )
        if not self._dead_edges:
            return arrays
        live = self._live_mask()
        return tuple(a[live] for a in arrays)

    def to_igraph(self) -> ig.Graph:
        """The network in igraph (C): vertices in uid order, with `uid`, `role`, `weight`."""
        uids = self.nodes()
        index = np.full(len(self.alive), -1, dtype=np.int64)
        index[uids] = np.arange(len(uids))
        eu, ev, weight, _ = self._arrays()
        g = ig.Graph(n=len(uids))
        if len(eu):
            g.add_edges(np.column_stack([index[eu], index[ev]]))
            g.es["weight"] = weight.tolist()
        g.vs["uid"] = uids.tolist()
        role = copy_of(self.role, dtype=np.int8)
        g.vs["role"] = [ROLES[r] for r in role[uids].tolist()]
        return g

    def graph(self) -> nx.Graph:
        """The network as a networkx graph (node attributes role, affiliation; edge weight, last)."""
        g = nx.Graph()
        for uid in self.nodes().tolist():
            g.add_node(uid, role=ROLES[self.role[uid]], affiliation=AFFILIATIONS[self.affiliation[uid]])
        eu, ev, weight, last = self._arrays()
        g.add_edges_from(
            (u, v, {"weight": w, "last": t})
            for u, v, w, t in zip(eu.tolist(), ev.tolist(), weight.tolist(), last.tolist(), strict=True)
        )
        return g
