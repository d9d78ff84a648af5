"""Escalation: posts still without staff become gaps, and grid workers cover gaps in person.

A micro-grid with nobody on post `escalation.after_min` after its grid worker acknowledged
the order becomes a gap (the worker reports it); at `escalation.sweep_min` after the order the
district roll-call makes every post still without staff a gap. At their own escalation, or
when they become available later (presence.Timeline), a grid worker goes to the nearest open gap of their general grid (the nearest of those
no member is coming to or still being called to, if any). They hold it until
its member arrives, hand over and go on to the next nearest open gap (mobsim.model.handover);
one whose gap fills on the way turns to the next from where they are. A worker with no open
gap left relieves the nearest cadre (or pool's reserve, mobsim.model.pools) holding a post of
the grid (they hand over and can serve posts the worker cannot reach), else waits where they
are and looks again at the roll-call or when such a reserve takes a post of the grid (the
listeners of `on_idle` hear of such a worker: the wartime tasks, mobsim.model.tasks).
`escalation.grid_worker_covers` caps the posts a worker sets out for (0 = no cap).

A grid worker who chases silent members (mobsim.model.chase) does one thing at a time and
finishes a door before anything else. They set out for gaps no earlier than the end of their
calls (when every silence is known). Whenever free, the next door of their list comes first,
then an open gap of their grid, then relieving a reserve; a worker riding to or holding a
post does not chase (the `on_busy` listeners hear of a worker leaving for a door).
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import simpy

from mobsim.model.cascade import Cascade
from mobsim.model.chase import Doors
from mobsim.model.handover import Duty, Shifts
from mobsim.model.posts import DISPATCHED, Posts
from mobsim.model.turnout import Travel, distance_km

NO_CAP = np.iinfo(np.int32).max
"""Posts left to a grid worker when `escalation.grid_worker_covers` is 0 (no cap)."""


class Escalation:
    """Opens gaps and sends grid workers to them."""

    def __init__(self, cascade: Cascade, posts: Posts, grid_of_microgrid: np.ndarray,
                 microgrid_xy: tuple[np.ndarray, np.ndarray], village: np.ndarray,
                 after_min: np.ndarray, covers: int, available_min: np.ndarray,
                 prepare_min: np.ndarray, travel: Travel, shifts: Shifts | None = None,
                 handover_min: float = 0.0, inside_min: np.ndarray | None = None,
                 doors: Doors | None = None) -> None:
        self.cascade = cascade
        self.posts = posts
        self.x, self.y = microgrid_xy
        self.village = village
        # Minutes inside each post's compound, at the end of every trip to it.
        self.inside_min = np.zeros(len(village)) if inside_min is None else inside_min
        self.after_min = after_min
        # Minute from which each worker can go in person (inf: never); a bool: at once or never.
        self.available_min = (np.where(available_min, 0.0, np.inf)
                              if available_min.dtype == bool else available_min)
        self.prepare_min = prepare_min
        self.travel = travel
        n_grids = len(after_min)
        self.members = np.argsort(grid_of_microgrid, kind="stable")
        self.bounds = np.searchsorted(grid_of_microgrid[self.members], np.arange(n_grids + 1))
        self.covers_left = [covers if covers > 0 else NO_CAP] * n_grids
        # A grid worker sets out from the centre of their general grid.
        size = np.maximum(np.bincount(grid_of_microgrid, minlength=n_grids), 1)
        self.start_x = np.bincount(grid_of_microgrid, self.x, minlength=n_grids) / size
        self.start_y = np.bincount(grid_of_microgrid, self.y, minlength=n_grids) / size
        # Trips from each grid's centre to each of its posts (`members` order): every worker's
        # first cover, worked out for all at once.
        centre = grid_of_microgrid[self.members]
        self.from_start_min = self._trips_min(self.start_x[centre], self.start_y[centre],
                                              self.members)
        self.arrived_min = np.full(len(village), np.inf)
        # Where each worker waits with no gap to go to (None: not waiting).
        self.idle_xy: list[tuple[float, float] | None] = [None] * n_grids
        self.duty = Duty(cascade, posts, Shifts() if shifts is None else shifts, "grid_worker",
                         n_grids, microgrid_xy, handover_min, self._free)
        self.duty.on_taken = self._taken
        self.grid_of_microgrid = grid_of_microgrid
        # Called as listener(grid, x_km, y_km) when a worker is left with nothing to go to.
        self.on_idle: list[Callable[[int, float, float], None]] = []
        # Chasing: whether each worker's escalation has sent them out, whether they are at a
        # door, whether they have left the grid's centre, and where they are when not riding.
        self.doors = doors
        self.set_out = [False] * n_grids
        self.chasing = [False] * n_grids
        self.left = [False] * n_grids
        self.at_xy = list(zip(self.start_x.tolist(), self.start_y.tolist()))
        # Called as listener(grid) when a worker leaves for a door.
        self.on_busy: list[Callable[[int], None]] = []
        if doors is not None:
            doors.on_known = self._door_known
            doors.on_done = self._door_done
        posts.on_held.append(self._held)
        posts.on_uncovered.append(self._uncovered)

    def _grid(self, g: int) -> np.ndarray:
        return self.members[self.bounds[g]:self.bounds[g + 1]]

    def on_acknowledged(self, grid: int) -> None:
        """The worker of `grid` has the order: their escalation comes `after_min` later."""
        self.cascade.at(self.after_min[grid], grid, self._escalate)

    def schedule_sweep(self, sweep_min: float) -> None:
        """The district roll-call at `sweep_min` after the order."""
        self.cascade.at(sweep_min, None, self._sweep)

    def _sweep(self, event: simpy.Event) -> None:
        self.posts.open_gaps(np.arange(len(self.village)), self.cascade.env.now)
        for grid in [grid for grid, xy in enumerate(self.idle_xy) if xy is not None]:
            self._free(grid, *self.idle_xy[grid])

    def _escalate(self, event: simpy.Event) -> None:
        grid = event.value
        now = self.cascade.env.now
        self.posts.open_gaps(self._grid(grid), now)
        self.cascade.at(max(self.available_min[grid] - now, 0.0), grid, self._set_out)

    def _set_out(self, event: simpy.Event) -> None:
        grid = event.value
        calls_end_min = -np.inf if self.doors is None else self.doors.calls_end_min[grid]
        if calls_end_min > self.cascade.env.now:  # still calling: the doors are not all known
            self.cascade.at(calls_end_min - self.cascade.env.now, grid, self._set_out)
            return
        self.set_out[grid] = True
        if self.chasing[grid]:
            return  # the door is finished first
        if self.left[grid]:
            self._cover(grid, *self.at_xy[grid], 0.0)
            return
        self.left[grid] = True
        self._cover(grid, self.start_x[grid], self.start_y[grid], self.prepare_min[grid],
                    self.from_start_min[self.bounds[grid]:self.bounds[grid + 1]])

    def _free(self, grid: int, x_km: float, y_km: float) -> None:
        self._cover(grid, x_km, y_km, 0.0)

    def _cover(self, grid: int, x: float, y: float, delay_min: float,
               trips_min: np.ndarray | None = None) -> None:
        """Send the grid worker from (x, y) to the next door of their list, else to the
        nearest open gap of their grid, if any is left; `trips_min`: the trips from there to
        each post of the grid, if known."""
        self.idle_xy[grid] = (x, y)
        if self._chase(grid, x, y, delay_min):
            return
        if self.covers_left[grid] == 0:
            self._idle(grid, x, y)
            return
        rows = self._grid(grid)
        candidates = self.posts.lacks_staff(rows)
        if not candidates.any():
            # No gap left: relieve a dispatched reserve holding a post of the grid, who can go farther.
            candidates = self.posts.dispatched_holding[rows] > 0
            if not candidates.any():
                self._idle(grid, x, y)
                return
        gaps = rows[candidates]
        if trips_min is None:
            trips = self._trips_min(x, y, gaps)
        else:
            trips = trips_min[candidates]
        # The nearest gap nobody is coming to first; then the nearest a member will reach late
        # or has yet to be called to.
        nearest = 0 if len(gaps) == 1 else int(np.lexsort((trips, self.posts.second_tier(gaps)))[0])
        self.covers_left[grid] -= 1
        self.idle_xy[grid] = None
        self.duty.ride(grid, int(gaps[nearest]), x, y, float(trips[nearest]), delay_min)

    def _chase(self, grid: int, x: float, y: float, delay_min: float) -> bool:
        """Send the worker from (x, y) to the next door of their list, if any; True if sent."""
        if self.doors is None or not self.doors.next_door(grid, x, y, delay_min):
            return False
        self.chasing[grid], self.left[grid], self.idle_xy[grid] = True, True, None
        for listener in self.on_busy:
            listener(grid)
        return True

    def _door_known(self, grid: int) -> None:
        """A door joined the worker's list: they go if free (not at a door, riding or on post)."""
        if self.chasing[grid]:
            return
        if not self.set_out[grid]:
            self._chase(grid, *self.at_xy[grid], 0.0 if self.left[grid] else self.prepare_min[grid])
        elif self.idle_xy[grid] is not None:
            self._chase(grid, *self.idle_xy[grid], 0.0)

    def _door_done(self, grid: int, x: float, y: float) -> None:
        """The worker is done at a door at (x, y): the next thing to do."""
        self.chasing[grid] = False
        self.at_xy[grid] = (x, y)
        if self.set_out[grid]:
            self._cover(grid, x, y, 0.0)
        else:
            self._chase(grid, x, y, 0.0)

    def _idle(self, grid: int, x: float, y: float) -> None:
        for listener in self.on_idle:
            listener(grid, x, y)

    def _trips_min(self, x: np.ndarray | float, y: np.ndarray | float,
                   microgrids: np.ndarray) -> np.ndarray:
        """Minutes from (x, y) to each of `microgrids`' posts, inside the compound included."""
        km = distance_km(x, y, self.x[microgrids], self.y[microgrids])
        return self.travel.to_posts(self.travel.local_min(km), self.village[microgrids],
                                    self.inside_min[microgrids])

    def _held(self, microgrid: int, who: str) -> None:
        """A dispatched reserve took a post: the grid's worker, if waiting with nothing to do,
        comes to relieve them."""
        grid = int(self.grid_of_microgrid[microgrid])
        xy = self.idle_xy[grid]
        if who in DISPATCHED and xy is not None:
            self._free(grid, *xy)

    def _uncovered(self, microgrid: int) -> None:
        """The dispatcher turned its reserve away from a post: the grid's worker, if waiting
        with nothing to do, comes."""
        grid = int(self.grid_of_microgrid[microgrid])
        xy = self.idle_xy[grid]
        if xy is not None:
            self._free(grid, *xy)

    def _taken(self, grid: int, microgrid: int) -> None:
        self.arrived_min[microgrid] = self.cascade.env.now
