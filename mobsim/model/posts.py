"""Micro-grid posts: who is on post or on the way, when each became a gap and was activated."""

from __future__ import annotations

import heapq
from typing import Callable

import numpy as np

from mobsim.codes import ACTIVATED_BY, POOLS
from mobsim.model.trace import Trace

DISPATCHED: tuple[str, ...] = ("cadre", *POOLS)
"""Kinds of reserve the dispatcher sends, whom a grid worker relieves (mobsim.model.escalation)."""


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
        self.members_coming = np.zeros(n, dtype=np.int32)  # of on_the_way: members
        self.coming_late = np.zeros(n, dtype=np.int32)
        # The arrivals that members on the way announced (soon or late), earliest first, by
        # post, and the earliest of each post (inf: none).
        self.member_etas: dict[int, list[float]] = {}
        self.member_eta_min = np.full(n, np.inf)
        self.gap_min = np.full(n, np.inf)
        self.activated_min = np.full(n, np.inf)
        self.open_gap = np.zeros(n, dtype=bool)  # a gap not yet activated
        self.activated_by = np.zeros(n, dtype=np.int8)
        self.hand_changes = np.zeros(n, dtype=np.int32)
        # Members of each of the given posts the order has yet to reach (set by the engine;
        # none by default).
        self.still_called: Callable[[np.ndarray], np.ndarray] = lambda microgrids: 0 * microgrids
        self.riders: dict[int, dict[tuple[str, int], Callable[[], None]]] = {}
        self.holders: dict[int, dict[tuple[str, int], Callable[[], None]]] = {}
        self.dispatched_holding = np.zeros(n, dtype=np.int32)  # holders sent by the dispatcher
        # Called as listener(microgrid, who) when a reserve takes a post.
        self.on_held: list[Callable[[int, str], None]] = []
        # Called as listener(microgrid, who, now_min) after anyone arrives at a post (the tasks).
        self.on_arrived: list[Callable[[int, str, float], None]] = []
        # Called as listener(reserve) when a reserve sets out for a post (the tasks lose them).
        self.on_ride: list[Callable[[tuple[str, int]], None]] = []
        # Called as listener(microgrid) when the dispatcher turns a reserve away from a post
        # that then lacks staff (its grid worker, if idle, may come).
        self.on_uncovered: list[Callable[[int], None]] = []

    def arrive(self, microgrid: int, who: str, now_min: float, announced: bool) -> None:
        """One staff member of kind `who` (an ACTIVATED_BY name) arrives at a post."""
        on_post = self.on_post[microgrid] + 1
        self.on_post[microgrid] = on_post
        if announced:
            self.on_the_way[microgrid] -= 1
        if who == "member":
            self.members_coming[microgrid] -= announced
            self.coming_late[microgrid] -= not announced
            etas = self.member_etas[microgrid]
            heapq.heappop(etas)  # members come when they said: the earliest comes first
            self.member_eta_min[microgrid] = etas[0] if etas else np.inf
        if on_post == self.quorum and self.activated_min[microgrid] == np.inf:
            self.activated_min[microgrid] = now_min
            self.open_gap[microgrid] = False
            self.activated_by[microgrid] = ACTIVATED_BY.index(who)
            self.trace.record(now_min, "microgrid", microgrid, "activated")
            self._redirect_riders(microgrid)
        if who == "member":
            self._relieve_holders(microgrid)
        for listener in self.on_arrived:
            listener(microgrid, who, now_min)

    def ride(self, microgrid: int, reserve: tuple[str, int], on_filled: Callable[[], None]) -> None:
        """A reserve sets out for a post; `on_filled` runs if the post fills before they arrive."""
        self.on_the_way[microgrid] += 1
        self.riders.setdefault(microgrid, {})[reserve] = on_filled
        for listener in self.on_ride:
            listener(reserve)

    def turn_away(self, microgrid: int, reserve: tuple[str, int]) -> None:
        """The dispatcher turns a riding reserve away from a post (another plan for them)."""
        self.riders[microgrid].pop(reserve)
        self.on_the_way[microgrid] -= 1

    def uncovered(self, microgrids: list[int]) -> None:
        """Tell the listeners of each of `microgrids` that still lacks staff."""
        for microgrid in microgrids:
            if self.lacks_staff(np.array([microgrid]))[0]:
                for listener in self.on_uncovered:
                    listener(microgrid)

    def take_post(self, microgrid: int, reserve: tuple[str, int], who: str, now_min: float,
                  on_relieved: Callable[[], None]) -> bool:
        """A riding reserve arrives: they hold the post if it still lacks staff, else stand down.

        A grid worker arriving at a post of their grid that a dispatched reserve (a cadre or a
        pool's) holds takes it over: the reserve hands over, as to a member, and is free for
        posts the worker cannot reach.
        """
        self.riders[microgrid].pop(reserve)
        dispatched = reserve[0] in DISPATCHED
        takes_over = who == "grid_worker" and self.held_by_dispatched(microgrid)
        if self.is_staffed(microgrid) and not takes_over:
            self.on_the_way[microgrid] -= 1
            return False
        self.holders.setdefault(microgrid, {})[reserve] = on_relieved
        self.dispatched_holding[microgrid] += dispatched
        self.arrive(microgrid, who, now_min, announced=True)
        if takes_over:
            self._relieve_holders(microgrid, kinds=DISPATCHED)
        for listener in self.on_held:
            listener(microgrid, who)
        return True

    def held_by_dispatched(self, microgrid: int) -> bool:
        """A dispatched reserve (a cadre or a pool's) holds the post."""
        return bool(self.dispatched_holding[microgrid])

    def _redirect_riders(self, microgrid: int) -> None:
        riders = self.riders.pop(microgrid, {})
        self.on_the_way[microgrid] -= len(riders)
        for on_filled in riders.values():
            on_filled()

    def _relieve_holders(self, microgrid: int, kinds: tuple[str, ...] | None = None) -> None:
        """Holders (of `kinds`, if given) hand over while the post keeps its quorum without them,
        first come first."""
        holders = self.holders.get(microgrid)
        if not holders:
            return
        while self.on_post[microgrid] - 1 >= self.quorum:
            reserve = next((r for r in holders if kinds is None or r[0] in kinds), None)
            if reserve is None:
                return
            on_relieved = holders.pop(reserve)
            self.dispatched_holding[microgrid] -= reserve[0] in DISPATCHED
            self.on_post[microgrid] -= 1
            self.hand_changes[microgrid] += 1
            on_relieved()

    def open_gaps(self, microgrids: np.ndarray, now_min: float) -> None:
        """Posts among `microgrids` not yet activated become gaps now (if they were not already)."""
        new = microgrids[(self.activated_min[microgrids] == np.inf)
                         & (self.gap_min[microgrids] == np.inf)]
        self.gap_min[new] = now_min
        self.open_gap[new] = True
        self.trace.record(now_min, "microgrid", new, "gap")

    def shortfall(self, microgrids: np.ndarray) -> np.ndarray:
        """Staff each of `microgrids` still lacks if it is an open gap, counting reserves on the way."""
        lacking = self.quorum - self.on_post[microgrids] - self.on_the_way[microgrids]
        return np.where(self.open_gap[microgrids], np.maximum(lacking, 0), 0)

    def to_dispatch(self, microgrids: np.ndarray, replanned: np.ndarray) -> np.ndarray:
        """Staff each of `microgrids` lacks if it is an open gap, counting on the way all but
        its members (the dispatcher weighs when they come) and the `replanned` riders of each
        (those a dispatch round plans again)."""
        coming = self.on_the_way[microgrids] - self.members_coming[microgrids] - replanned
        lacking = self.quorum - self.on_post[microgrids] - coming
        return np.where(self.open_gap[microgrids], np.maximum(lacking, 0), 0)

    def gaps(self) -> np.ndarray:
        """Every open gap still lacking staff, counting reserves on the way."""
        open_gaps = np.flatnonzero(self.open_gap)  # a few hundred of the posts: test those only
        return open_gaps[self.lacks_staff(open_gaps)]

    def lacks_staff(self, microgrids: np.ndarray) -> np.ndarray:
        """Whether each of `microgrids` is an open gap still lacking staff."""
        return self.open_gap[microgrids] & (
            self.on_post[microgrids] + self.on_the_way[microgrids] < self.quorum)

    def second_tier(self, microgrids: np.ndarray) -> np.ndarray:
        """Gaps served after the others: a member is coming late, or is still being called."""
        return (self.coming_late[microgrids] > 0) | (self.still_called(microgrids) > 0)

    def expect(self, microgrid: int, arrival_min: float) -> None:
        """A member is on the way to a post, soon enough to count as coming: they said when."""
        self.on_the_way[microgrid] += 1
        self.members_coming[microgrid] += 1
        self._announce(microgrid, arrival_min)

    def expect_late(self, microgrid: int, arrival_min: float) -> None:
        """A member is coming to a post, but too late to count as on the way: they said when."""
        self.coming_late[microgrid] += 1
        self._announce(microgrid, arrival_min)

    def _announce(self, microgrid: int, arrival_min: float) -> None:
        etas = self.member_etas.setdefault(microgrid, [])
        heapq.heappush(etas, arrival_min)
        self.member_eta_min[microgrid] = etas[0]

    def is_staffed(self, microgrid: int) -> bool:
        """The post already has its quorum on post."""
        return bool(self.on_post[microgrid] >= self.quorum)
