"""The command's rounds that move task staff to the units lacking them (docs/model.md 12).

Every `tasks.dispatch_interval_min` the command plans the people idle for the tasks with the
dispatcher's kind of round (mobsim.model.round_plan.plan): the need covered most, then the
latest arrival least (the unit that would act last), then the need of the other units, then
the rides least. It goes level by level, nearest first, as far as `tasks.staff_scope`: each
community with the people at home in it, then each sub-district with those at home in it, then
the district with everyone left. At each level the units' minimum staff come first, task by
task in the order of `tasks.priority`, and a site's people beyond its minimum may be moved to
them; then, level by level again, the further staff of sites and the gates' next shifts, from
the idle only. A move is a ride from where the person is, at their speed along the route
(`travel.detour_factor`, `travel.village_factor`), as the reserves ride to posts.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import simpy

from mobsim.codes import POOL_LEVELS
from mobsim.model.cascade import Cascade
from mobsim.model.dispatcher import _bounds
from mobsim.model.reserves import Reserves, Sources
from mobsim.model.round_plan import Round, plan
from mobsim.model.tasks.plan import CHECKPOINT
from mobsim.model.tasks.staffing import Staffing
from mobsim.model.turnout import Travel, distance_km

COMMUNITY, SUBDISTRICT, DISTRICT = range(len(POOL_LEVELS))
NO_PENALTY = 2
"""The round kernel's penalty level that charges no ride (mobsim.kernels.dispatch)."""


class TaskRounds:
    """The command's rounds of task staff, and their rides."""

    def __init__(self, staffing: Staffing, cascade: Cascade, travel: Travel,
                 subdistrict_of_community: np.ndarray, staff_scope: str,
                 priority: tuple[int, ...], shift_min: float) -> None:
        self.staffing = staffing
        self.people: Reserves = staffing.people
        self.cascade = cascade
        self.travel = travel
        self.subdistrict_of_community = subdistrict_of_community
        self.n_subdistricts = int(subdistrict_of_community.max(initial=-1)) + 1
        self.levels = POOL_LEVELS.index(staff_scope) + 1
        self.priority = priority
        self.shift_min = shift_min
        self.last_round_min = -np.inf
        # Called as listener(row, unit) when a person joins a unit (where they are now).
        self.on_joined: list[Callable[[int, int], None]] = []

    def round(self) -> None:
        """Send idle people (and a site's people beyond its minimum) to the units lacking them."""
        task = self.staffing.plan.task
        for level in range(self.levels):
            for code in self.priority:
                self._stage(level, np.where(task == code, self.staffing.min_need(), 0), True)
        for level in range(self.levels):
            self._stage(level, self.staffing.extra_need(), False)
        self.last_round_min = self.cascade.env.now

    def _stage(self, level: int, need: np.ndarray, minimum: bool) -> None:
        """Plan one level's sources on the units with `need` (their minimum staff if `minimum`)."""
        units = np.flatnonzero(need > 0)
        if len(units) == 0:
            return
        staffing = self.staffing
        rows = staffing.idle()
        if minimum:
            rows = np.concatenate([rows, staffing.surplus()])
        rows = rows[self._may_serve(rows, units, level)]
        if len(rows) == 0:
            return
        sources = Sources(rows, self.people, staffing.xy[rows])
        problem, units = self._problem(sources, units, need[units], level, minimum)
        source, gap, count, _ = plan(problem)
        for s, unit, n in zip(source.tolist(), units[gap].tolist(), count.tolist()):
            self._send(sources.take(s, n), unit)

    def _may_serve(self, rows: np.ndarray, units: np.ndarray, level: int) -> np.ndarray:
        """Whether each person's home (at the level) holds one of the units (every home does at
        the district level)."""
        if level == DISTRICT:
            return np.ones(len(rows), bool)
        community = self.staffing.plan.community[units]
        if level == COMMUNITY:
            return np.isin(self.people.community[rows], community)
        return np.isin(self.people.subdistrict[rows], self.subdistrict_of_community[community])

    def _problem(self, sources: Sources, units: np.ndarray, need: np.ndarray, level: int,
                 minimum: bool) -> tuple[Round, np.ndarray]:
        """The stage in the round kernel's layout (mobsim.kernels.dispatch): sources by place,
        units as gaps sorted by sub-district and community; and the units in that order."""
        unit_plan = self.staffing.plan
        community = unit_plan.community[units]
        subdistrict = self.subdistrict_of_community[community]
        order = np.lexsort((units, community, subdistrict))
        units, need, community, subdistrict = units[order], need[order], community[order], subdistrict[order]
        n_gaps, n_sources = len(units), len(sources.left)
        gap_f = np.column_stack([unit_plan.x_km[units], unit_plan.y_km[units], np.zeros(n_gaps),
                                 np.full(n_gaps, np.inf)])
        gap_i = np.column_stack([unit_plan.village[units], community, subdistrict, need,
                                 np.zeros((n_gaps, 2), np.int64)]).astype(np.int64)
        src_f = np.column_stack([sources.xy, sources.speed_kmh, np.full(n_sources, np.inf)])
        src_i = np.column_stack([np.full(n_sources, level), sources.community, sources.subdistrict,
                                 np.zeros(n_sources), np.full(n_sources, -1),
                                 sources.left]).astype(np.int64)
        settings_f = np.array([self.cascade.env.now, self.travel.detour_factor,
                               self.travel.village_factor, 0.0, np.inf, 0.0, np.inf])
        settings_i = np.array([NO_PENALTY, int(level == COMMUNITY), 0], np.int64)
        n_communities = self.staffing.n_communities
        bounds = np.vstack([_bounds(community, n_communities),
                            _bounds(subdistrict, self.n_subdistricts)])
        # The units' further staff are the round's "other" needs: covered, but no bottleneck.
        further = np.full(n_gaps, not minimum)
        return Round(src_f, src_i, gap_f, gap_i, further, bounds, n_communities,
                     self.n_subdistricts, settings_f, settings_i), units

    def _send(self, rows: np.ndarray, unit: int) -> None:
        """Each of `rows` rides from where they are to `unit`."""
        unit_plan, xy = self.staffing.plan, self.staffing.xy[rows]
        ride = self.travel.drive_min(
            distance_km(xy[:, 0], xy[:, 1], unit_plan.x_km[unit], unit_plan.y_km[unit]),
            self.people.speed_kmh[rows])
        ride = self.travel.to_posts(ride, np.full(len(rows), unit_plan.village[unit]))
        for row, minutes in zip(rows.tolist(), ride.tolist()):
            ticket = self.staffing.send(row, unit)
            self.cascade.at(minutes, (row, ticket), self._arrive)

    def _arrive(self, event: simpy.Event) -> None:
        row, ticket = event.value
        if not self.staffing.arrive(row, ticket, self.cascade.env.now):
            return
        unit = int(self.staffing.unit[row])
        if self.staffing.plan.task[unit] == CHECKPOINT and self.shift_min < np.inf:
            self.cascade.at(self.shift_min, (row, int(self.staffing.ticket[row])),
                            self._shift_over)
        for listener in self.on_joined:
            listener(row, unit)

    def _shift_over(self, event: simpy.Event) -> None:
        row, ticket = event.value
        self.staffing.make_due(row, ticket)
