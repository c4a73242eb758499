"""The collaboration network: who worked, learnt or was introduced with whom.

A plain networkx graph: node = the agent's integer `unique_id`, with its `role`
and `affiliation`; edge `weight` = joint activities, `last` = day of last
contact. Ties come from co-participation (each attendee ties to a bounded
number of co-attendees, so a 300-person event makes no clique), from help and
from introductions.
"""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx
import numpy as np


class CollabNetwork:
    """Ties between people, grown as they meet."""

    def __init__(self) -> None:
        """Start with no one."""
        self.graph = nx.Graph()

    def add_person(self, uid: int, role: str, affiliation: str | None) -> None:
        """Add a node for a person when they first arrive."""
        self.graph.add_node(uid, role=role, affiliation=affiliation)

    def set_role(self, uid: int, role: str) -> None:
        """Keep the node's role in step with the person's rung."""
        self.graph.nodes[uid]["role"] = role

    def tie(self, u: int, v: int, time: float) -> None:
        """Add one joint activity between u and v."""
        if u == v:
            return
        data = self.graph.get_edge_data(u, v)
        if data is None:
            self.graph.add_edge(u, v, weight=1, last=time)
        else:
            data["weight"] += 1
            data["last"] = time

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

    def degree(self, uid: int) -> int:
        """Number of distinct people the person has ties with."""
        return self.graph.degree(uid)
