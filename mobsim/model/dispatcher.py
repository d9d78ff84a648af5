"""The dispatcher: every few minutes, waiting cadres are assigned to open gaps.

Every `cadres.dispatch_interval_min` dispatching runs as in a two-level command. First each
sub-district command places the cadres waiting in its own communities on its own gaps nobody is
coming to. Then the district command lends the cadres left over: it plans how many each
sub-district sends to each other sub-district's gaps (least total distance between sub-district
centres, the gaps nobody is coming to first, no farther than `cadres.lend_max_ride_min`), and
each lending sub-district places that many on the borrower's gaps. Every placement solves a
min-cost transportation problem (mobsim.kernels.assignment.transport): the sources are the
communities where cadres wait (cadres of one community are interchangeable), the sinks the open
gaps with what each still lacks; the cost is the travel time from the community to the post plus
`cadres.leave_pair_penalty_min` when the post lies outside the cadres' paired community,
plus a priority cost when a member is known to be coming, only late: with too few cadres
for every gap, the posts nobody is coming to are served first. No solve spans more than two
sub-districts, so a round's work grows with the district, not with its square.
Cadres then ride to their posts; a cadre who arrives at a post that someone else filled
meanwhile is not needed there and waits again, at that post's community, for the next round.
"""

from __future__ import annotations

from collections import deque

import numpy as np
import simpy

from mobsim.kernels.assignment import transport
from mobsim.model.cascade import Cascade
from mobsim.model.geometry import Geometry
from mobsim.model.posts import Posts
from mobsim.model.turnout import Travel, distance_km

LATE_PRIORITY_MIN = 1.0e5
"""Cost added to a gap a member is coming to late: larger than any trip, so it acts as a priority."""
KEEP_COST_MIN = 10 * LATE_PRIORITY_MIN
"""Cost, in the lending plan, of a cadre the district does not lend: more than any lending."""


def nearest_columns(cost: np.ndarray, count: int) -> np.ndarray:
    """Columns that an optimal plan sending `count` units needs when every sink can take one.

    If a source sent a unit past its `count` cheapest sinks, one of those would still lack a
    unit (they take at least `count` together, at most `count - 1` arrive there), and moving
    the unit there costs no more: so the union of each source's `count` cheapest columns
    holds an optimal plan.
    """
    if cost.shape[1] <= count:
        return np.arange(cost.shape[1])
    cheapest = np.argpartition(cost, count - 1, axis=1)[:, :count]
    return np.unique(cheapest)


def place(cost: np.ndarray, supply: np.ndarray, demand: np.ndarray, count: int) -> np.ndarray:
    """Least-cost integer flow sending exactly `count` units, every demand at least one.

    `count` may be less than both totals (some sources keep units back): a column cheaper
    than every other then takes the units kept back.
    """
    columns = nearest_columns(cost, count)
    reduced, wanted = cost[:, columns], demand[columns]
    if count < min(supply.sum(), demand.sum()):
        reduced = np.column_stack([reduced, np.full(len(supply), reduced.min() - 1.0)])
        wanted = np.append(wanted, supply.sum() - count)
    flow = np.zeros(cost.shape, dtype=np.int64)
    flow[:, columns] = transport(reduced, supply, wanted)[:, :len(columns)]
    return flow


def groups(items: np.ndarray, keys: np.ndarray, n: int) -> list[np.ndarray]:
    """`items` split by their key in 0..n-1 (group k holds the items whose key is k, in order)."""
    order = np.argsort(keys, kind="stable")
    return np.split(items[order], np.searchsorted(keys[order], np.arange(1, n)))


class Dispatcher:
    """Assigns waiting cadres to gaps at fixed intervals and sends them on their way."""

    def __init__(self, cascade: Cascade, posts: Posts, geo: Geometry, travel: Travel,
                 speed_kmh: float, leave_pair_penalty_min: float,
                 lend_max_ride_min: float = np.inf) -> None:
        self.cascade = cascade
        self.posts = posts
        self.geo = geo
        self.travel = travel
        self.speed_kmh = speed_kmh
        self.penalty_min = leave_pair_penalty_min
        self.lend_max_ride_min = lend_max_ride_min
        n_cadres, n_communities = len(geo.community_of_cadre), len(geo.community_xy[0])
        self.waiting: list[deque[int]] = [deque() for _ in range(n_communities)]
        self.waiting_count = np.zeros(n_communities, dtype=np.int64)
        self.microgrid = np.full(n_cadres, -1, dtype=np.int32)
        self.dispatched_min = np.full(n_cadres, np.inf)
        self.arrived_min = np.full(n_cadres, np.inf)
        self.n_subdistricts = int(geo.subdistrict_of_community.max(initial=-1)) + 1
        offices = np.bincount(geo.subdistrict_of_community, minlength=self.n_subdistricts)
        self.centre_xy = tuple(np.bincount(geo.subdistrict_of_community, weights=xy,
                                           minlength=self.n_subdistricts) / np.maximum(offices, 1)
                               for xy in geo.community_xy)

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
        """Sub-districts cover their own gaps nobody is coming to; the district lends the rest."""
        sources, gaps = self._open()
        # Posts a member will reach late wait for the lending step, after every sub-district
        # has covered the posts nobody is coming to.
        gaps = gaps[self.posts.coming_late[gaps] == 0]
        subdistrict = self.geo.subdistrict_of_community
        own_sources = groups(sources, subdistrict[sources], self.n_subdistricts)
        own_gaps = groups(gaps, self._subdistrict_of(gaps), self.n_subdistricts)
        for sub_sources, sub_gaps in zip(own_sources, own_gaps):
            self._assign(sub_sources, sub_gaps)
        self._lend()

    def _lend(self) -> None:
        """Plan how many cadres each sub-district lends to each need, then place them.

        A need is one sub-district's gaps of one kind: nobody is coming (kind 0) or a member
        is coming late (kind 1, which costs `LATE_PRIORITY_MIN` more in the plan). Needs beyond
        `lend_max_ride_min` from a lender are out of its reach: a cadre sent on a ride of hours
        would hold the post, as a reserve on the way, while nearer cadres report.
        """
        sources, gaps = self._open()
        if len(sources) == 0 or len(gaps) == 0:
            return
        lender_of_source = self.geo.subdistrict_of_community[sources]
        need_of_gap = 2 * self._subdistrict_of(gaps) + (self.posts.coming_late[gaps] > 0)
        spare = np.bincount(lender_of_source, self.waiting_count[sources], self.n_subdistricts)
        short = np.bincount(need_of_gap, self.posts.shortfall(gaps), 2 * self.n_subdistricts)
        lenders, needs = np.flatnonzero(spare), np.flatnonzero(short)
        cx, cy = self.centre_xy
        km = distance_km(cx[lenders, None], cy[lenders, None], cx[needs // 2], cy[needs // 2])
        ride = self.travel.drive_min(km, self.speed_kmh)
        in_reach = ride <= self.lend_max_ride_min
        cost = np.where(in_reach, ride + LATE_PRIORITY_MIN * (needs % 2), np.inf)
        # A last column keeps the cadres not lent: with needs out of reach, the plan may match
        # neither every cadre nor every need.
        cost = np.column_stack([cost, np.full(len(lenders), KEEP_COST_MIN)])
        plan = transport(cost, spare[lenders], np.append(short[needs], spare.sum()))[:, :-1]
        sources_of = groups(sources, lender_of_source, self.n_subdistricts)
        gaps_of = groups(gaps, need_of_gap, 2 * self.n_subdistricts)
        for row, column in zip(*np.nonzero(plan)):
            self._assign(sources_of[lenders[row]], gaps_of[needs[column]], int(plan[row, column]))

    def _subdistrict_of(self, microgrids: np.ndarray) -> np.ndarray:
        return self.geo.subdistrict_of_community[self.geo.community_of_microgrid[microgrids]]

    def _open(self) -> tuple[np.ndarray, np.ndarray]:
        """Communities with waiting cadres, and gaps still lacking staff."""
        candidates = np.flatnonzero(self.posts.gap_min < np.inf)
        gaps = candidates[self.posts.shortfall(candidates) > 0]
        return np.flatnonzero(self.waiting_count), gaps

    def _assign(self, sources: np.ndarray, gaps: np.ndarray, count: int | None = None) -> None:
        """Send `count` (by default as many as can be placed) of the cadres waiting at `sources`
        to `gaps` by least total cost."""
        supply = self.waiting_count[sources]
        demand = self.posts.shortfall(gaps)
        # Earlier placements of the same round may have filled some gaps or emptied some sources.
        sources, supply = sources[supply > 0], supply[supply > 0]
        gaps, demand = gaps[demand > 0], demand[demand > 0]
        count = min(int(supply.sum()), int(demand.sum())) if count is None else count
        if count == 0:
            return
        travel = self.travel_min(sources, gaps)
        cost = (travel + self.penalty_min * (self.geo.community_of_microgrid[gaps] != sources[:, None])
                + LATE_PRIORITY_MIN * (self.posts.coming_late[gaps] > 0))
        flow = place(cost, supply, demand, count)
        for row, column in zip(*np.nonzero(flow)):
            self._send(sources[row], gaps[column], int(flow[row, column]),
                       float(travel[row, column]))

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
