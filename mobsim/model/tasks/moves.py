"""The command's rounds that move task staff to the units lacking them (docs/model.md 12).

Every `tasks.dispatch_interval_min` the command plans the people idle for the tasks, and the
riders on their way to a unit, with the dispatcher's kind of round (mobsim.model.round_plan.
plan): the need covered most, then the latest expected acting minute least (a person's arrival,
plus the mean setup of a site not yet opened: the unit that would act last), then the need of
the other units, then the rides least. A rider may keep their ride, be sent to another unit
from where they are, or be stood down (idle there).

It goes level by level, nearest first, as far as `tasks.staff_scope`: each community with the
people at home in it, then each sub-district with those at home in it, then the district with
everyone left. At each level the units' minimum staff come first, task by task in the order of
`tasks.priority`; a site's people beyond its minimum may be moved to them, and the riders the
level sent (at home where their unit is at this level, not at the level below) are planned
again: a person lent from afar gives way to a nearer one who became free. A unit acts only with its whole minimum, so a level sends people only to units
it can complete: of each home's units, those lacking fewest first, as many as its people
complete (the most units acting); people left over wait for a wider level or the next round.
Then, level by level again, the further staff of sites and the gates' next shifts, from the
idle only. A move is a ride from where the person is, at their speed along the route
(`travel.detour_factor`, `travel.village_factor`), as the reserves ride to posts.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import simpy

from mobsim.codes import POOL_LEVELS
from mobsim.kernels import dispatch as k
from mobsim.kernels.completion import complete_units
from mobsim.model.cascade import Cascade
from mobsim.model.dispatcher import _bounds, _rows_of
from mobsim.model.reserves import Reserves, Sources
from mobsim.model.round_plan import Round, plan
from mobsim.model.tasks.plan import CHECKPOINT
from mobsim.model.tasks.staffing import RIDING, Staffing
from mobsim.model.turnout import Travel, distance_km

COMMUNITY, SUBDISTRICT, DISTRICT = range(len(POOL_LEVELS))
NO_PENALTY = 2
"""The round kernel's penalty level that charges no ride (mobsim.kernels.dispatch)."""


class TaskRounds:
    """The command's rounds of task staff, and their rides."""

    def __init__(self, staffing: Staffing, cascade: Cascade, travel: Travel,
                 subdistrict_of_community: np.ndarray, staff_scope: str,
                 priority: tuple[int, ...], shift_min: float,
                 expected_setup_min: np.ndarray | None = None) -> None:
        self.staffing = staffing
        # Per unit: the setup the command expects once its minimum is there (a site's mean).
        self.expected_setup_min = (np.zeros(len(staffing.plan)) if expected_setup_min is None
                                   else expected_setup_min)
        self.people: Reserves = staffing.people
        self.cascade = cascade
        self.travel = travel
        self.subdistrict_of_community = subdistrict_of_community
        self.n_subdistricts = int(subdistrict_of_community.max(initial=-1)) + 1
        # Homes at any level are below this: communities, sub-districts, 0 (the district).
        self.n_homes = max(staffing.n_communities, self.n_subdistricts, 1)
        self.levels = POOL_LEVELS.index(staff_scope) + 1
        self.priority = priority
        self.shift_min = shift_min
        self.last_round_min = -np.inf
        # Called as listener(row, unit) when a person joins a unit (where they are now).
        self.on_joined: list[Callable[[int, int], None]] = []

    def round(self) -> None:
        """Plan the idle people and the riders on the units lacking them."""
        staffing = self.staffing
        for level in range(self.levels):
            for code in self.priority:
                riders = self._riders(level, code)
                replanned = np.bincount(staffing.unit[riders], minlength=len(staffing.plan))
                need = np.where(staffing.plan.task == code, staffing.min_need(replanned), 0)
                rows = np.concatenate([staffing.idle(), staffing.surplus()])
                self._stage(level, need, rows, riders, minimum=True)
        for level in range(self.levels):
            self._stage(level, staffing.extra_need(), staffing.idle(), np.zeros(0, np.int64),
                        minimum=False)
        self.last_round_min = self.cascade.env.now

    def _home(self, level: int, rows: np.ndarray) -> np.ndarray:
        """Each person's home at the level (0 for everyone at the district level)."""
        if level == DISTRICT:
            return np.zeros(len(rows), np.int64)
        return (self.people.community if level == COMMUNITY else self.people.subdistrict)[rows]

    def _unit_home(self, level: int, units: np.ndarray) -> np.ndarray:
        """Each unit's community, sub-district, or 0 (the district), by the level."""
        community = self.staffing.plan.community[units]
        if level == DISTRICT:
            return np.zeros(len(units), np.int64)
        return community if level == COMMUNITY else self.subdistrict_of_community[community]

    def _riders(self, level: int, task: int) -> np.ndarray:
        """Riders to a unit of `task` sent at this level: at home (at the level) where the unit
        is, and not at the level below (a nearer level's choice stays the nearer level's)."""
        staffing = self.staffing
        riders = np.flatnonzero(staffing.state == RIDING)
        riders = riders[staffing.plan.task[staffing.unit[riders]] == task]
        unit = staffing.unit[riders]
        mine = self._home(level, riders) == self._unit_home(level, unit)
        if level > COMMUNITY:
            mine &= self._home(level - 1, riders) != self._unit_home(level - 1, unit)
        return riders[mine]

    def _stage(self, level: int, need: np.ndarray, rows: np.ndarray, riders: np.ndarray,
               minimum: bool) -> None:
        """Plan one level's people (`rows` free, `riders` planned again) on the units with
        `need`: their minimum staff if `minimum`, else their further staff."""
        units = np.flatnonzero(need > 0)
        if len(units) == 0:
            return
        served = np.zeros(self.n_homes + 1, bool)  # by home at the level; the last: none (-1)
        served[self._unit_home(level, units)] = True
        rows = rows[served[self._home(level, rows)]]
        if len(rows) + len(riders) == 0:
            return
        scope = np.concatenate([self._scope(level, self.people.community[rows],
                                            self.people.subdistrict[rows]),
                                np.full(len(riders), level)])
        if minimum:
            units = units[self._completed(level, units, need[units],
                                          np.concatenate([rows, riders]), scope)]
        if len(units) == 0:
            for rider in riders.tolist():
                self.staffing.stand_down(rider, self.cascade.env.now)
            return
        sources = Sources(rows, self.people, self.staffing.xy[rows])
        problem, units = self._problem(sources, riders, units, need[units], level, minimum)
        source, gap, count, _ = plan(problem)
        self._apply(sources, riders, source, units[gap], count)

    def _scope(self, level: int, community: np.ndarray, subdistrict: np.ndarray) -> np.ndarray:
        """Per person (by their home community and sub-district), the widest level whose units
        they may serve at this level: a community (then a sub-district) whose own units still
        lack people keeps its people for them; only the others are lent."""
        scope = np.full(len(community), level)
        lacking = self.staffing.min_need()
        sizes = (self.staffing.n_communities, self.n_subdistricts)
        for narrower, mine in zip(range(level), (community, subdistrict)):
            home = self._unit_home(narrower, np.arange(len(lacking)))
            short = np.bincount(home, lacking, sizes[narrower]) > 0
            kept = (mine >= 0) & short[np.maximum(mine, 0)] & (scope > narrower)
            scope[kept] = narrower
        return scope

    def _completed(self, level: int, units: np.ndarray, need: np.ndarray, people: np.ndarray,
                   scope: np.ndarray) -> np.ndarray:
        """Whether each unit is among those its people complete, the units lacking fewest
        first: a unit takes the people kept for its community (sub-district) first, then the
        level's lent people of its home, while they last (mobsim.kernels.completion)."""
        kept = np.array([np.bincount(self._home(narrower, people[scope == narrower]),
                                     minlength=self.n_homes) for narrower in range(level + 1)],
                        np.int64)
        unit_home = np.array([self._unit_home(narrower, units) for narrower in range(level + 1)],
                             np.int64)
        order = np.lexsort((units, need, unit_home[level]))
        return complete_units(order, need.astype(np.int64), unit_home, kept)

    def _problem(self, sources: Sources, riders: np.ndarray, units: np.ndarray, need: np.ndarray,
                 level: int, minimum: bool) -> tuple[Round, np.ndarray]:
        """The stage in the round kernel's layout (mobsim.kernels.dispatch): sources by place
        then the riders, units as gaps sorted by sub-district and community; and the units in
        that order."""
        staffing, now = self.staffing, self.cascade.env.now
        unit_plan = staffing.plan
        community = unit_plan.community[units]
        subdistrict = self.subdistrict_of_community[community]
        order = np.lexsort((units, community, subdistrict))
        units, need, community, subdistrict = units[order], need[order], community[order], subdistrict[order]
        n_gaps, n_free = len(units), len(sources.left)
        # A site not yet opened is reached, for the plan, when it would open: the ride plus
        # its expected setup (the kernel's minutes at the end of every ride to a gap).
        setup = np.where(staffing.staffed_min == np.inf, self.expected_setup_min, 0.0)
        gap_f = np.column_stack([unit_plan.x_km[units], unit_plan.y_km[units], setup[units],
                                 np.full(n_gaps, np.inf)])
        gap_i = np.column_stack([unit_plan.village[units], community, subdistrict, need,
                                 np.zeros((n_gaps, 2), np.int64)]).astype(np.int64)
        target = _rows_of(units, len(unit_plan))[staffing.unit[riders]]
        n = n_free + len(riders)
        src_f = np.empty((n, 5))
        src_f[:n_free, k.SX:k.SY + 1] = sources.xy
        src_f[n_free:, k.SX:k.SY + 1] = staffing.position(riders, now)
        src_f[:, k.SPEED] = np.concatenate([sources.speed_kmh, self.people.speed_kmh[riders]])
        src_f[:, k.ETA] = np.concatenate([np.full(n_free, np.inf),
                                          staffing.ride_min[riders, 1] + setup[staffing.unit[riders]]])
        src_f[:, k.SINCE] = np.concatenate([np.full(n_free, now), staffing.ride_min[riders, 0]])
        src_i = np.column_stack([
            np.concatenate([self._scope(level, sources.community, sources.subdistrict),
                            np.full(len(riders), level)]),
            np.concatenate([sources.community, self.people.community[riders]]),
            np.concatenate([sources.subdistrict, self.people.subdistrict[riders]]), np.zeros(n),
            np.concatenate([np.full(n_free, -1), target]),
            np.concatenate([sources.left, np.ones(len(riders), np.int64)])]).astype(np.int64)
        settings_f = np.array([now, self.travel.detour_factor, self.travel.village_factor, 0.0,
                               np.inf, 0.0, np.inf])
        settings_i = np.array([NO_PENALTY, int(level == COMMUNITY), 0], np.int64)
        n_communities = staffing.n_communities
        bounds = np.vstack([_bounds(community, n_communities),
                            _bounds(subdistrict, self.n_subdistricts)])
        # The units' further staff are the round's "other" needs: covered, but no bottleneck.
        further = np.full(n_gaps, not minimum)
        # No member is coming to a unit: no unit is a "soon" gap.
        return Round(src_f, src_i, gap_f, gap_i, further, np.zeros(n_gaps, bool), bounds, n_communities,
                     self.n_subdistricts, settings_f, settings_i), units

    def _apply(self, sources: Sources, riders: np.ndarray, source: np.ndarray, unit: np.ndarray,
               count: np.ndarray) -> None:
        """Carry the plan out: free people set out; riders keep their ride, turn to another
        unit, or are stood down."""
        n_free, now = len(sources.left), self.cascade.env.now
        free = source < n_free
        taken = [sources.take(s, n) for s, n in zip(source[free].tolist(), count[free].tolist())]
        self._send(np.concatenate([np.zeros(0, np.int64), *taken]),
                   np.repeat(unit[free], count[free]))
        planned = np.full(len(riders), -1, np.int64)
        planned[source[~free] - n_free] = unit[~free]
        staffing = self.staffing
        down = riders[planned < 0]
        for rider, at_xy in zip(down.tolist(), staffing.position(down, now).tolist()):
            staffing.stand_down(rider, now, at_xy)
        turning = (planned >= 0) & (planned != staffing.unit[riders])
        self._send(riders[turning], planned[turning])

    def _send(self, rows: np.ndarray, units: np.ndarray) -> None:
        """Each of `rows` rides from where they are to their unit of `units`."""
        staffing, now = self.staffing, self.cascade.env.now
        unit_plan, xy = staffing.plan, staffing.position(rows, now)
        ride = self.travel.drive_min(
            distance_km(xy[:, 0], xy[:, 1], unit_plan.x_km[units], unit_plan.y_km[units]),
            self.people.speed_kmh[rows])
        ride = self.travel.to_posts(ride, unit_plan.village[units])
        for row, unit, minutes, from_xy in zip(rows.tolist(), units.tolist(), ride.tolist(),
                                               xy.tolist()):
            ticket = staffing.send(row, unit, now, now + minutes, from_xy)
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
