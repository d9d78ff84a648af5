"""The task staff: who is free for the tasks, who rides to which unit, who is on it, minute by minute.

Every person the tasks may use has a row (mobsim.model.tasks.wiring lays them out). The one
hook through which anyone reaches the tasks is `Staffing.on_reported(row, x_km, y_km,
now_min)`: a person is free for the tasks at (x, y) — a member beyond the first
`tasks.post_keep` on their post, a grid worker whose grid's posts are held, a reserve the
dispatcher has free. They wait there, idle, until a round of the command
(mobsim.model.tasks.moves) sends them to a unit (`send`: a ride); on arrival (`arrive`) they
join it. A later round may send a rider elsewhere from where they are, or stand them down
(`stand_down`: idle there). Gaps on posts come first: a person sent to a post (`on_left`)
leaves the tasks at once, wherever they are, and the unit lacks them until a round sends
someone else.

A unit acts from the first minute its minimum staff is on hand, a testing site after its setup
(`able_min`). A person on a gate's shift is due for relief a shift after arriving (`make_due`);
the next person to reach a gate that has its minimum takes the place of the one due longest,
who goes off duty.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from mobsim.model.reserves import Reserves
from mobsim.model.tasks.plan import UnitPlan

OUT, IDLE, RIDING, ON, OFF = range(5)
"""A person's state: not free for the tasks, idle, riding to a unit, on a unit, off duty."""


class Staffing:
    """Task staff and the units they staff."""

    def __init__(self, plan: UnitPlan, people: Reserves, n_communities: int,
                 setup_min: np.ndarray | None = None) -> None:
        self.plan = plan
        self.people = people
        self.n_communities = n_communities
        n, n_people = len(plan), len(people)
        self.state = np.zeros(n_people, np.int8)
        self.unit = np.full(n_people, -1, np.int64)
        self.xy = np.zeros((n_people, 2))
        self.since = np.zeros(n_people, np.int64)  # the order in which people became idle
        self.idle_min = np.full(n_people, np.inf)  # and the minute
        self._idles = 0
        self.ticket = np.zeros(n_people, np.int64)  # a ride or a shift counts only while current
        self.joined = np.zeros(n_people, np.int64)  # the order in which people joined their unit
        self._joins = 0
        self._surplus: np.ndarray | None = None  # `surplus()` until someone joins or leaves a unit
        self.ride_from = np.zeros((n_people, 2))
        self.ride_min = np.zeros((n_people, 2))  # a ride's start and planned arrival
        self.staff = np.zeros(n, np.int64)
        self.riding = np.zeros(n, np.int64)
        self.due_count = np.zeros(n, np.int64)
        self.due: list[deque[int]] = [deque() for _ in range(n)]
        self.setup_min = np.zeros(n) if setup_min is None else setup_min
        self.staffed_min = np.full(n, np.inf)
        self.able_min = np.full(n, np.inf)
        self.staff_at_target: np.ndarray | None = None
        self.idle_at_target: np.ndarray | None = None

    def on_reported(self, row: int, x_km: float, y_km: float, now_min: float) -> None:
        """A person is free for the tasks at (x, y); one already counted stays as they are."""
        if self.state[row] in (IDLE, RIDING, ON):
            return
        self.state[row] = IDLE
        self.xy[row] = x_km, y_km
        self.since[row] = self._idles
        self.idle_min[row] = now_min
        self._idles += 1

    def on_left(self, row: int, now_min: float) -> None:
        """A person is sent to a post: they leave the tasks, wherever they are."""
        self._stop(row)
        self.ticket[row] += 1
        self.state[row] = OUT
        self.unit[row] = -1

    def send(self, row: int, unit: int, now_min: float, arrive_min: float,
             from_xy: tuple[float, float] | None = None) -> int:
        """A round sends a person (idle, riding, or on a site beyond its minimum) from where
        they are (`from_xy`, when the round knows it) to `unit`, to arrive at `arrive_min`;
        returns the ride's ticket."""
        self.ride_from[row] = (self.position(np.array([row]), now_min)[0] if from_xy is None
                               else from_xy)
        self._stop(row)
        self.state[row] = RIDING
        self.unit[row] = unit
        self.riding[unit] += 1
        self.ride_min[row] = now_min, arrive_min
        self.ticket[row] += 1
        return int(self.ticket[row])

    def stand_down(self, row: int, now_min: float, at_xy: tuple[float, float] | None = None
                   ) -> None:
        """A rider's ride is called off: they are idle where they are on the way (`at_xy`,
        when the round knows it)."""
        x_km, y_km = self.position(np.array([row]), now_min)[0] if at_xy is None else at_xy
        self._stop(row)
        self.state[row] = OUT
        self.ticket[row] += 1
        self.on_reported(row, x_km, y_km, now_min)

    def position(self, rows: np.ndarray, now_min: float) -> np.ndarray:
        """Where each person is now: riders along the straight line of their ride."""
        xy = self.xy[rows].copy()
        riding = self.state[rows] == RIDING
        if riding.any():
            ride = rows[riding]
            start, end = self.ride_min[ride, 0], self.ride_min[ride, 1]
            share = np.clip((now_min - start) / np.maximum(end - start, 1e-12), 0.0, 1.0)
            unit = self.unit[ride]
            to = np.column_stack([self.plan.x_km[unit], self.plan.y_km[unit]])
            xy[riding] = self.ride_from[ride] + share[:, None] * (to - self.ride_from[ride])
        return xy

    def _stop(self, row: int) -> None:
        """The person leaves their unit, or the ride to it."""
        if self.state[row] == ON:
            self._leave_unit(row)
        elif self.state[row] == RIDING:
            self.riding[self.unit[row]] -= 1

    def arrive(self, row: int, ticket: int, now_min: float) -> bool:
        """The ride of `ticket` ends: the person joins its unit (if the ride still counts)."""
        if ticket != self.ticket[row] or self.state[row] != RIDING:
            return False
        unit = int(self.unit[row])
        self.riding[unit] -= 1
        self.state[row] = ON
        self.xy[row] = self.plan.x_km[unit], self.plan.y_km[unit]
        self.joined[row] = self._joins
        self._joins += 1
        self._surplus = None
        if self.staff[unit] >= self.plan.min_staff[unit] and self.due[unit]:
            relieved = self.due[unit].popleft()
            self.due_count[unit] -= 1
            self.state[relieved] = OFF
            self.unit[relieved] = -1
            self.ticket[relieved] += 1
        else:
            self.staff[unit] += 1
        if self.staff[unit] >= self.plan.min_staff[unit] and self.staffed_min[unit] == np.inf:
            self.staffed_min[unit] = now_min
            self.able_min[unit] = now_min + self.setup_min[unit]
        return True

    def make_due(self, row: int, ticket: int) -> None:
        """The person's shift on their unit (joined with `ticket`) is over: due for relief."""
        if ticket == self.ticket[row] and self.state[row] == ON:
            unit = int(self.unit[row])
            self.due[unit].append(row)
            self.due_count[unit] += 1

    def _leave_unit(self, row: int) -> None:
        unit = int(self.unit[row])
        self.staff[unit] -= 1
        self._surplus = None
        if row in self.due[unit]:
            self.due[unit].remove(row)
            self.due_count[unit] -= 1

    def min_need(self, replanned: np.ndarray | int = 0) -> np.ndarray:
        """People each unit lacks for its minimum, counting those riding to it but the
        `replanned` (riders a round plans again)."""
        return np.maximum(self.plan.min_staff - self.staff - self.riding + replanned, 0)

    def extra_need(self) -> np.ndarray:
        """People each unit with its minimum (counting riders) lacks beyond it: a site's
        further staff, a gate's relief."""
        full = self.plan.min_staff + self.plan.support + self.due_count
        return np.where(self.min_need() == 0, np.maximum(full - self.staff - self.riding, 0), 0)

    def idle(self) -> np.ndarray:
        """Rows of the idle people, in the order they became idle."""
        rows = np.flatnonzero(self.state == IDLE)
        return rows[np.argsort(self.since[rows], kind="stable")]

    def surplus(self) -> np.ndarray:
        """Rows of the people on units beyond the units' minimum (a site's further staff), the
        last to join first."""
        if self._surplus is None:  # a round asks several times between arrivals
            on = np.flatnonzero(self.state == ON)
            unit = self.unit[on]
            beyond = (self.staff - self.plan.min_staff)[unit]
            on, unit, beyond = on[beyond > 0], unit[beyond > 0], beyond[beyond > 0]
            # Each unit's people, the last to join first (one key: unit, then the join
            # backwards): a unit's first `beyond` are beyond its minimum.
            order = np.argsort(unit * (self._joins + 1) + (self._joins - self.joined[on]))
            on, unit, beyond = on[order], unit[order], beyond[order]
            self._surplus = on[np.arange(len(on)) - np.searchsorted(unit, unit) < beyond]
        return self._surplus

    def snapshot(self) -> None:
        """Keep each unit's staff, and the idle people by home community, as they are now."""
        self.staff_at_target = self.staff.copy()
        idle = self.state == IDLE
        home = self.people.community[idle]
        self.idle_at_target = np.bincount(home[home >= 0], minlength=self.n_communities)
