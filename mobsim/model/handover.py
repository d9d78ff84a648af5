"""Reserves on duty: riding to a post, redirected when it fills first, handing over to a member.

A reserve (a grid worker, a cadre or a pool's reserve) rides to a gap. If the post fills before they arrive,
they are free again where they are on the way (the position interpolated along the ride). If
they arrive at a post still lacking staff they hold it; when the micro-grid's own member
arrives and the post keeps its quorum without them, they hand over for
`escalation.handover_min` and are then free at that post. Each post held is one shift.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import simpy

from mobsim.codes import ACTIVATED_BY, POOLS, RELEASE_REASONS
from mobsim.model.cascade import Cascade
from mobsim.model.posts import Posts

TRACE_ENTITY: dict[str, str] = {"grid_worker": "gridworker", "cadre": "cadre",
                                 **{pool: pool for pool in POOLS}}
"""The trace's entity name of each kind of reserve."""

SHIFT_DTYPE = np.dtype([("kind", np.int8), ("who", np.int32), ("microgrid", np.int32),
                        ("arrived_min", np.float64), ("released_min", np.float64),
                        ("why", np.int8)])
"""One shift: reserve kind (code into ACTIVATED_BY), row of the reserve, post row, times, why."""

FreeAt = Callable[[int, float, float], None]
"""Called as free(reserve row, x_km, y_km) when a reserve is free again at a place."""


class Shifts:
    """The posts each reserve held: when they arrived, when and why they left."""

    def __init__(self) -> None:
        self.rows: list[list] = []

    def start(self, kind: int, who: int, microgrid: int, now_min: float) -> int:
        """A reserve takes a post; returns the shift's number."""
        self.rows.append([kind, who, microgrid, now_min, np.inf, 0])
        return len(self.rows) - 1

    def end(self, shift: int, now_min: float) -> None:
        """A reserve leaves the post after handing over."""
        self.rows[shift][4:] = [now_min, RELEASE_REASONS.index("handover")]

    def table(self) -> np.ndarray:
        """Every shift as a SHIFT_DTYPE array in the order they started."""
        return np.array([tuple(row) for row in self.rows], dtype=SHIFT_DTYPE)


class Duty:
    """Rides, holds and hand-overs of one kind of reserve, `kind` an ACTIVATED_BY name."""

    def __init__(self, cascade: Cascade, posts: Posts, shifts: Shifts, kind: str, n: int, microgrid_xy: tuple[np.ndarray, np.ndarray], handover_min: float,
                 free: FreeAt) -> None:
        self.cascade = cascade
        self.posts = posts
        self.shifts = shifts
        self.kind, self.kind_code = kind, ACTIVATED_BY.index(kind)
        self.mx, self.my = microgrid_xy
        self.handover_min = handover_min
        self.free = free
        # Python lists: each ride reads and writes single values, which NumPy scalars make slow.
        self.ride_from: list[tuple[float, float]] = [(0.0, 0.0)] * n
        self.ride_min: list[tuple[float, float]] = [(0.0, 0.0)] * n  # departure and planned arrival
        self.ride_to = [-1] * n
        self.ticket = [0] * n  # an arrival event counts only for the latest ride
        self.on_taken: Callable[[int, int], None] = lambda who, microgrid: None

    def ride(self, who: int, microgrid: int, x_km: float, y_km: float, travel_min: float,
             leave_min: float = 0.0) -> None:
        """Send reserve `who` from (x, y) to a post: they leave in `leave_min`, ride `travel_min`."""
        now = self.cascade.env.now
        self.ticket[who] += 1
        self.ride_from[who] = (x_km, y_km)
        self.ride_min[who] = (now + leave_min, now + leave_min + travel_min)
        self.ride_to[who] = microgrid
        self.posts.ride(microgrid, (self.kind, who), lambda: self._redirect(who))
        self.cascade.at(leave_min + travel_min, (who, self.ticket[who]), self._arrive)

    def stop(self, who: int) -> None:
        """The rider's ride is called off (another plan for them): its arrival will not count."""
        self.ticket[who] += 1

    def position_km(self, who: int) -> tuple[float, float]:
        """Where a riding reserve is now, interpolated along the straight line of the ride."""
        start, end = self.ride_min[who]
        share = 1.0 if end <= start else min(max((self.cascade.env.now - start) / (end - start), 0.0), 1.0)
        x0, y0 = self.ride_from[who]
        m = self.ride_to[who]
        return x0 + share * (self.mx[m] - x0), y0 + share * (self.my[m] - y0)

    def _redirect(self, who: int) -> None:
        self.ticket[who] += 1
        self.free(who, *self.position_km(who))

    def _arrive(self, event: simpy.Event) -> None:
        who, ticket = event.value
        if ticket != self.ticket[who]:
            return
        microgrid = self.ride_to[who]
        now = self.cascade.env.now
        self.cascade.trace.record(now, TRACE_ENTITY[self.kind], who, "arrived")
        shift = len(self.shifts.rows)
        if self.posts.take_post(microgrid, (self.kind, who), self.kind, now,
                                lambda: self._hand_over(who, microgrid, shift)):
            self.shifts.start(self.kind_code, who, microgrid, now)
            self.on_taken(who, microgrid)
        else:
            self.free(who, float(self.mx[microgrid]), float(self.my[microgrid]))

    def _hand_over(self, who: int, microgrid: int, shift: int) -> None:
        self.cascade.at(self.handover_min, (who, microgrid, shift), self._released)

    def _released(self, event: simpy.Event) -> None:
        who, microgrid, shift = event.value
        self.shifts.end(shift, self.cascade.env.now)
        self.free(who, float(self.mx[microgrid]), float(self.my[microgrid]))
