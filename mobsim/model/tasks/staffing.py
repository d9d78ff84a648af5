"""The one hook between people who report and the tasks: who does what, one task at a time.

`Staffing.on_reported(kind, person, community, microgrid, now_min)` is called whenever a person
is where they can work: at a micro-grid post (`microgrid` ≥ 0: members, grid workers, reserves
taking a post) or at their community (`microgrid` = -1: cadres reporting, later every reserve
pool). The rule (`tasks.post_keep`, `tasks.priority`):

- a post keeps its first `tasks.post_keep` people on post: they do the micro-grid's own work
  (verification round, door notices, supply round) and are not counted again;
- everyone else joins the community's task pool: they go to the first unit of the highest
  priority community task (`tasks.priority`) that lacks its minimum staff, else wait idle;
- a reserve the dispatcher sends to a gap (`on_left`) leaves their unit or the idle pool: gaps
  come first; an idle person of the same community takes the place at once.

A unit is able to act from the first minute its minimum staff is on hand (`able_min`).
"""

from __future__ import annotations

import heapq

import numpy as np

from mobsim.codes import TASKS
from mobsim.model.tasks.plan import UnitPlan

IDLE = -1
"""Where a person in the pool is when no unit lacks staff."""


class Staffing:
    """Who staffs which testing site and checkpoint of each community, minute by minute."""

    def __init__(self, plan: UnitPlan, priority: tuple[str, ...], n_communities: int,
                 on_post: np.ndarray, post_keep: int) -> None:
        self.plan = plan
        self.on_post = on_post
        self.post_keep = post_keep
        self.able_min = np.full(len(plan), np.inf)
        self._staff_at_target: np.ndarray | None = None
        self.idle_at_target = np.zeros(n_communities, dtype=np.int64)
        # Idle people of each community, first come first (a dict: leaving is O(1)).
        self.idle: list[dict[tuple[str, int], None]] = [{} for _ in range(n_communities)]
        # Each person in the pool: (unit or IDLE, community row).
        self.where: dict[tuple[str, int], tuple[int, int]] = {}
        self._anonymous = 0
        rank = np.array([priority.index(TASKS[code]) for code in plan.task], dtype=np.int64)
        # Units of each community in the order people fill them: by task priority, then row.
        order = np.lexsort((np.arange(len(plan)), rank, plan.community))
        starts = np.searchsorted(plan.community[order], np.arange(n_communities + 1))
        self.units = [order[a:b].tolist() for a, b in zip(starts[:-1], starts[1:])]
        # Python lists of single values: every report reads and writes a few of them.
        self._min_staff = plan.min_staff.tolist()
        self._community = plan.community.tolist()
        self._staff = [0] * len(plan)
        self._rank = [0] * len(plan)  # each unit's place in its community's `units`
        for units in self.units:
            for k, unit in enumerate(units):
                self._rank[unit] = k
        # Per community, a heap of the places of units lacking their minimum staff: the first
        # is where the next person goes. Entries of units since staffed are dropped when read.
        self.lacking = [[k for k, unit in enumerate(units) if self._min_staff[unit] > 0]
                        for units in self.units]

    def on_reported(self, kind: str, person: int, community: int, microgrid: int,
                    now_min: float) -> None:
        """A person is on hand: at post `microgrid` (after it counted them) or at the community."""
        if microgrid >= 0 and self.on_post[microgrid] <= self.post_keep:
            return
        if person < 0:
            # Nobody calls away a person who came unannounced: give them a key of their own.
            self._anonymous += 1
            person = -self._anonymous
        if (kind, person) not in self.where:  # already in the pool: counted once
            self._place((kind, person), community, now_min)

    def on_left(self, kind: str, person: int, now_min: float) -> None:
        """A reserve of the pool is sent to a gap: their place goes to an idle person, if any."""
        key = (kind, person)
        if key not in self.where:
            return
        unit, community = self.where.pop(key)
        if unit == IDLE:
            del self.idle[community][key]
            return
        self._staff[unit] -= 1
        if self.idle[community]:
            first = next(iter(self.idle[community]))
            del self.idle[community][first]
            self._join(first, unit, now_min)
        elif self._staff[unit] == self._min_staff[unit] - 1:  # lacking again
            heapq.heappush(self.lacking[community], self._rank[unit])

    @property
    def staff(self) -> np.ndarray:
        """People in each unit now."""
        return np.array(self._staff, dtype=np.int64)

    @property
    def staff_at_target(self) -> np.ndarray:
        """People in each unit at the target minute (now, if the snapshot has not been taken)."""
        return self.staff if self._staff_at_target is None else self._staff_at_target

    def snapshot(self) -> None:
        """Keep the staff of every unit and the idle people of every pool as they are now."""
        self._staff_at_target = self.staff
        self.idle_at_target = np.array([len(pool) for pool in self.idle], dtype=np.int64)

    def _place(self, key: tuple[str, int], community: int, now_min: float) -> None:
        lacking, units = self.lacking[community], self.units[community]
        while lacking and self._staff[units[lacking[0]]] >= self._min_staff[units[lacking[0]]]:
            heapq.heappop(lacking)
        if lacking:
            self._join(key, units[lacking[0]], now_min)
        else:
            self.where[key] = (IDLE, community)
            self.idle[community][key] = None

    def _join(self, key: tuple[str, int], unit: int, now_min: float) -> None:
        community = self._community[unit]
        self.where[key] = (unit, community)
        self._staff[unit] += 1
        if self._staff[unit] >= self._min_staff[unit] and self.able_min[unit] == np.inf:
            self.able_min[unit] = now_min
