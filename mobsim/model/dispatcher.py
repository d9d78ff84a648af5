"""The dispatcher: every few minutes, waiting cadres are assigned to open gaps.

Every `cadres.dispatch_interval_min` the commands solve min-cost transportation problems
(mobsim.kernels.assignment.transport), first one per sub-district (its own waiting cadres to
its own gaps), then one district-wide for the cadres and gaps left: the sources are the
communities where cadres wait
(cadres of one community are interchangeable), the sinks the open gaps with what each still
lacks; the cost is the travel time from the community to the post plus
`cadres.leave_pair_penalty_min` when the post lies outside the cadres' paired community,
plus a priority cost when a member is known to be coming, only late: with too few cadres
for every gap, the posts nobody is coming to are served first.
The smaller side is served in full. Cadres then ride to their posts; a cadre who arrives
at a post that someone else filled meanwhile is not needed there and waits again, at that
post's community, for the next round.
"""

from __future__ import annotations

from collections import deque

import numpy as np
import simpy

from mobsim.kernels.assignment import transport
from mobsim.model.cascade import Cascade
from mobsim.model.geometry import Geometry
from mobsim.model.posts import Posts
from mobsim.model.report import Travel, distance_km

LATE_PRIORITY_MIN = 1.0e5
"""Cost added to a gap a member is coming to late: larger than any trip, so it acts as a priority."""


def nearest_columns(cost: np.ndarray, supply_total: int) -> np.ndarray:
    """Columns that an optimal plan needs when every sink takes at least one unit.

    If a source sent a unit past its `supply_total` cheapest sinks, one of those would still
    lack a unit (they take at least `supply_total` together, at most `supply_total - 1`
    arrive elsewhere), and moving the unit there costs no more: so the union of each
    source's `supply_total` cheapest columns holds an optimal plan.
    """
    if cost.shape[1] <= supply_total:
        return np.arange(cost.shape[1])
    cheapest = np.argpartition(cost, supply_total - 1, axis=1)[:, :supply_total]
    return np.unique(cheapest)


class Dispatcher:
    """Assigns waiting cadres to gaps at fixed intervals and sends them on their way."""

    def __init__(self, cascade: Cascade, posts: Posts, geo: Geometry, travel: Travel,
                 speed_kmh: float, leave_pair_penalty_min: float) -> None:
        self.cascade = cascade
        self.posts = posts
        self.geo = geo
        self.travel = travel
        self.speed_kmh = speed_kmh
        self.penalty_min = leave_pair_penalty_min
        n_cadres, n_communities = len(geo.community_of_cadre), len(geo.community_xy[0])
        self.waiting: list[deque[int]] = [deque() for _ in range(n_communities)]
        self.waiting_count = np.zeros(n_communities, dtype=np.int64)
        self.microgrid = np.full(n_cadres, -1, dtype=np.int32)
        self.dispatched_min = np.full(n_cadres, np.inf)
        self.arrived_min = np.full(n_cadres, np.inf)

    def wait(self, cadre: int) -> None:
        """A cadre has reported to their paired community and waits for a post."""
        self._wait_at(cadre, int(self.geo.community_of_cadre[cadre]))

    def _wait_at(self, cadre: int, community: int) -> None:
        self.waiting[community].append(cadre)
        self.waiting_count[community] += 1

    def run(self, interval_min: float) -> simpy.events.Process:
        """Start dispatching every `interval_min` until the horizon."""
        return self.cascade.env.process(self._every(interval_min))

    def _every(self, interval_min: float):
        env = self.cascade.env
        while env.now + interval_min < self.cascade.horizon_min:
            yield env.timeout(interval_min)
            self.dispatch()

    def travel_min(self, communities: np.ndarray, microgrids: np.ndarray) -> np.ndarray:
        """Minutes to ride from each community to each post (a matrix)."""
        cx, cy = self.geo.community_xy
        mx, my = self.geo.microgrid_xy
        km = distance_km(cx[communities, None], cy[communities, None], mx[microgrids], my[microgrids])
        ride = self.travel.drive_min(km, self.speed_kmh)
        return self.travel.to_posts(ride, self.geo.village_microgrid[microgrids])

    def dispatch(self) -> None:
        """Assign the waiting cadres to the open gaps, sub-district by sub-district, then the rest.

        Each sub-district command first places the cadres waiting in its communities on its own
        gaps nobody is coming to, by least total cost; the district command then places the
        cadres still waiting on the gaps still open anywhere, again by least total cost. Each solve stays the size of a
        sub-district, so a round's work grows with the district, not with its square.
        """
        subdistrict = self.geo.subdistrict_of_community
        sources, gaps = self._open()
        # Posts a member will reach late wait for the district round, after every sub-district
        # has covered the posts nobody is coming to.
        gaps = gaps[self.posts.coming_late[gaps] == 0]
        for sub in np.unique(subdistrict[sources]):
            local_gaps = gaps[subdistrict[self.geo.community_of_microgrid[gaps]] == sub]
            self._assign(sources[subdistrict[sources] == sub], local_gaps)
        self._assign(*self._open())

    def _open(self) -> tuple[np.ndarray, np.ndarray]:
        """Communities with waiting cadres, and gaps still lacking staff."""
        candidates = np.flatnonzero(self.posts.gap_min < np.inf)
        gaps = candidates[self.posts.shortfall(candidates) > 0]
        return np.flatnonzero(self.waiting_count), gaps

    def _assign(self, sources: np.ndarray, gaps: np.ndarray) -> None:
        """Send the cadres waiting at `sources` to `gaps` by least total cost."""
        if len(sources) == 0 or len(gaps) == 0:
            return
        demand = self.posts.shortfall(gaps)
        travel = self.travel_min(sources, gaps)
        cost = (travel + self.penalty_min * (self.geo.community_of_microgrid[gaps] != sources[:, None])
                + LATE_PRIORITY_MIN * (self.posts.coming_late[gaps] > 0))
        supply = self.waiting_count[sources]
        columns = nearest_columns(cost, int(supply.sum()))
        flow = np.asarray(transport(cost[:, columns], supply, demand[columns]))
        for row, column in zip(*np.nonzero(flow)):
            self._send(sources[row], gaps[columns[column]], int(flow[row, column]),
                       float(travel[row, columns[column]]))

    def _send(self, community: int, microgrid: int, count: int, travel_min: float) -> None:
        now = self.cascade.env.now
        self.posts.send(microgrid, count)
        self.waiting_count[community] -= count
        for _ in range(count):
            cadre = self.waiting[community].popleft()
            self.microgrid[cadre] = microgrid
            self.dispatched_min[cadre] = now
            self.cascade.trace.record(now, "cadre", cadre, "dispatched")
            self.cascade.at(travel_min, cadre, self._arrive)

    def _arrive(self, event: simpy.Event) -> None:
        cadre = event.value
        now = self.cascade.env.now
        microgrid = int(self.microgrid[cadre])
        self.arrived_min[cadre] = now
        self.cascade.trace.record(now, "cadre", cadre, "arrived")
        if self.posts.is_staffed(microgrid):
            self.posts.release(microgrid)
            self._wait_at(cadre, int(self.geo.community_of_microgrid[microgrid]))
        else:
            self.posts.arrive(microgrid, "cadre", now, announced=True)
