"""Silent members chased at the door by their grid worker, one door at a time (docs/model.md 7.12).

With `chase.by = "grid_worker"`, a member whose phone attempts from their grid worker all went
unanswered is put on that worker's list of doors when the last attempt ends (or when the
worker becomes available, if later). The worker takes the doors in the order the silences
became known (ties: member row): walks from where they are to the member's home (the grid
workers' local travel, as to a post there) and spends `chase.door_min` at the door, found or
not; a member found (`chase.success`) acknowledges when the door time ends (channel `door`).
A member who has acknowledged by the time the worker would set out for their door is skipped.
The worker's calls end when the last of them does; when to chase and when to cover a post is
the grid worker's business (mobsim.model.escalation).
"""

from __future__ import annotations

import heapq
from typing import Callable

import numpy as np
import simpy

from mobsim.codes import CHANNELS
from mobsim.model.cascade import Cascade, Level
from mobsim.model.contact import chase_found
from mobsim.model.turnout import Travel, distance_km
from mobsim.scenario.params import Parameters

DOOR = CHANNELS.index("door")


class Doors:
    """The doors each grid worker has yet to knock at, and each visit's minutes."""

    def __init__(self, params: Parameters, cascade: Cascade, members: Level,
                 grid_of_member: np.ndarray, home_xy: tuple[np.ndarray, np.ndarray],
                 village: np.ndarray, inside_min: np.ndarray, travel: Travel,
                 available_min: np.ndarray) -> None:
        n = len(grid_of_member)
        self.cascade = cascade
        self.members = members
        self.grid = grid_of_member
        self.hx, self.hy = home_xy
        self.village = village
        self.inside_min = inside_min
        self.travel = travel
        self.available_min = available_min
        self.door_min = params.streams.sample("escalation", "members.chase.door",
                                              params.duration("chase.door_min"), n)
        self.found = chase_found(params, "members", n)
        # Per grid worker: (gave up minute, member) of the doors known and not yet visited, and
        # when their last call ends (-inf: not calling yet).
        self.queue: list[list[tuple[float, int]]] = [[] for _ in range(len(available_min))]
        self.calls_end_min = np.full(len(available_min), -np.inf)
        # Called as on_known(grid) when a door joins a worker's list; on_done(grid, x_km, y_km)
        # when a visit ends, at the member's home.
        self.on_known: Callable[[int], None] = lambda grid: None
        self.on_done: Callable[[int, float, float], None] = lambda grid, x, y: None
        members.on_calls.append(self._calls)

    def _calls(self, grid: int, people: np.ndarray, gave_up_min: np.ndarray,
                calls_end_min: float) -> None:
        """The worker of `grid` calls until `calls_end_min`, and the attempts to `people` all
        failed: the worker knows at the later of the last attempt's end and becoming available."""
        self.calls_end_min[grid] = calls_end_min
        now = self.cascade.env.now
        for m, gave_up in zip(people.tolist(), gave_up_min.tolist()):
            known = max(gave_up, float(self.available_min[self.grid[m]]))
            self.cascade.at(known - now, (m, gave_up), self._known)

    def _known(self, event: simpy.Event) -> None:
        m, gave_up = event.value
        grid = int(self.grid[m])
        heapq.heappush(self.queue[grid], (gave_up, m))
        self.on_known(grid)

    def next_door(self, grid: int, x_km: float, y_km: float, leave_min: float) -> bool:
        """Send the worker of `grid` from (x, y) to the next door of their list, leaving in
        `leave_min`; False if no member is left to chase."""
        queue = self.queue[grid]
        acknowledged = self.members.acknowledged_min
        while queue:
            _, m = heapq.heappop(queue)
            if acknowledged[m] < np.inf:
                continue  # confirmed on another channel since: skipped
            km = distance_km(x_km, y_km, self.hx[m], self.hy[m])
            walk = self.travel.to_posts(self.travel.local_min(km), self.village[m],
                                        self.inside_min[m])
            self.cascade.at(leave_min + float(walk) + self.door_min[m], m, self._door)
            return True
        return False

    def _door(self, event: simpy.Event) -> None:
        m = event.value
        if self.found[m]:
            self.cascade.acknowledge_now(self.members, m, DOOR)
        self.on_done(int(self.grid[m]), float(self.hx[m]), float(self.hy[m]))
