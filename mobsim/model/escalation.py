"""Escalation: posts still without staff become gaps, and grid workers cover gaps in person.

A micro-grid with nobody on post `escalation.after_min` after its grid worker acknowledged
the order becomes a gap (the worker reports it); at `escalation.sweep_min` after the order the
district roll-call makes every post still without staff a gap. At their own escalation an available grid worker goes
to the nearest open gap of their general grid, and on to the next one, up to
`escalation.grid_worker_covers` gaps.
"""

from __future__ import annotations

import numpy as np
import simpy

from mobsim.model.cascade import Cascade
from mobsim.model.posts import Posts
from mobsim.model.turnout import Travel, distance_km


class Escalation:
    """Opens gaps and sends grid workers to them."""

    def __init__(self, cascade: Cascade, posts: Posts, grid_of_microgrid: np.ndarray,
                 microgrid_xy: tuple[np.ndarray, np.ndarray], village: np.ndarray,
                 after_min: np.ndarray, covers: int, available: np.ndarray,
                 prepare_min: np.ndarray, travel: Travel) -> None:
        self.cascade = cascade
        self.posts = posts
        self.x, self.y = microgrid_xy
        self.village = village
        self.after_min = after_min
        self.available = available
        self.prepare_min = prepare_min
        self.travel = travel
        n_grids = len(after_min)
        self.members = np.argsort(grid_of_microgrid, kind="stable")
        self.bounds = np.searchsorted(grid_of_microgrid[self.members], np.arange(n_grids + 1))
        self.covers_left = np.full(n_grids, covers, dtype=np.int32)
        # A grid worker sets out from the centre of their general grid.
        size = np.maximum(np.bincount(grid_of_microgrid, minlength=n_grids), 1)
        self.start_x = np.bincount(grid_of_microgrid, self.x, minlength=n_grids) / size
        self.start_y = np.bincount(grid_of_microgrid, self.y, minlength=n_grids) / size
        self.arrived_min = np.full(len(village), np.inf)

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

    def _escalate(self, event: simpy.Event) -> None:
        grid = event.value
        self.posts.open_gaps(self._grid(grid), self.cascade.env.now)
        if self.available[grid]:
            self._cover(grid, self.start_x[grid], self.start_y[grid], self.prepare_min[grid])

    def _cover(self, grid: int, x: float, y: float, delay_min: float) -> None:
        """Send the grid worker from (x, y) to the nearest open gap of their grid, if any is left."""
        if self.covers_left[grid] == 0:
            return
        rows = self._grid(grid)
        gaps = rows[self.posts.shortfall(rows) > 0]
        if len(gaps) == 0:
            return
        km = distance_km(x, y, self.x[gaps], self.y[gaps])
        trips = self.travel.to_posts(self.travel.local_min(km), self.village[gaps])
        nearest = int(np.argmin(trips))
        self.covers_left[grid] -= 1
        self.posts.send(gaps[nearest])
        self.cascade.at(delay_min + trips[nearest], (grid, int(gaps[nearest])), self._arrive)

    def _arrive(self, event: simpy.Event) -> None:
        grid, microgrid = event.value
        now = self.cascade.env.now
        self.arrived_min[microgrid] = now
        self.cascade.trace.record(now, "gridworker", grid, "arrived")
        self.posts.arrive(microgrid, "grid_worker", now, announced=True)
        self._cover(grid, self.x[microgrid], self.y[microgrid], 0.0)
