"""Micro-grid posts: who is on post or on the way, when each became a gap and was activated."""

from __future__ import annotations

import numpy as np

from mobsim.codes import ACTIVATED_BY
from mobsim.model.trace import Trace


class Posts:
    """Staff counts of every micro-grid; a post is activated when `quorum` staff have arrived.

    Staff announced to a post — members who acknowledged and set out (they answer the order
    "on my way"), grid workers and cadres sent to a gap — count as on the way until they
    arrive, so neither a grid worker nor the dispatcher is sent where someone is already
    coming. `activated_by` names whoever completed the quorum.
    """

    def __init__(self, n: int, quorum: int, trace: Trace) -> None:
        self.quorum = quorum
        self.trace = trace
        self.on_post = np.zeros(n, dtype=np.int32)
        self.on_the_way = np.zeros(n, dtype=np.int32)
        self.coming_late = np.zeros(n, dtype=np.int32)
        self.gap_min = np.full(n, np.inf)
        self.activated_min = np.full(n, np.inf)
        self.activated_by = np.zeros(n, dtype=np.int8)

    def arrive(self, microgrid: int, who: str, now_min: float, announced: bool) -> None:
        """One staff member of kind `who` (an ACTIVATED_BY name) arrives at a post."""
        self.on_post[microgrid] += 1
        if announced:
            self.on_the_way[microgrid] -= 1
        else:
            self.coming_late[microgrid] -= 1
        if self.on_post[microgrid] == self.quorum and self.activated_min[microgrid] == np.inf:
            self.activated_min[microgrid] = now_min
            self.activated_by[microgrid] = ACTIVATED_BY.index(who)
            self.trace.record(now_min, "microgrid", microgrid, "activated")

    def open_gaps(self, microgrids: np.ndarray, now_min: float) -> None:
        """Posts among `microgrids` not yet activated become gaps now (if they were not already)."""
        new = microgrids[(self.activated_min[microgrids] == np.inf)
                         & (self.gap_min[microgrids] == np.inf)]
        self.gap_min[new] = now_min
        self.trace.record(now_min, "microgrid", new, "gap")

    def shortfall(self, microgrids: np.ndarray) -> np.ndarray:
        """Staff each of `microgrids` still lacks if it is an open gap, counting reserves on the way."""
        lacking = self.quorum - self.on_post[microgrids] - self.on_the_way[microgrids]
        open_gap = (self.gap_min[microgrids] < np.inf) & (self.activated_min[microgrids] == np.inf)
        return np.where(open_gap, np.maximum(lacking, 0), 0)

    def send(self, microgrid: int, count: int = 1) -> None:
        """Staff are on their way to a post."""
        self.on_the_way[microgrid] += count

    def expect_late(self, microgrid: int) -> None:
        """A member is coming to a post, but too late to count as on the way."""
        self.coming_late[microgrid] += 1

    def is_staffed(self, microgrid: int) -> bool:
        """The post already has its quorum on post."""
        return bool(self.on_post[microgrid] >= self.quorum)

    def release(self, microgrid: int) -> None:
        """A reserve on the way is no longer needed there (the post filled first)."""
        self.on_the_way[microgrid] -= 1
