"""The dispatcher: every few minutes, free cadres are assigned to open gaps.

Every `cadres.dispatch_interval_min` dispatching runs by the policy `cadres.dispatch_policy`:

- `paired-first`: each community's gaps nobody is coming to are served by the free cadres
  paired with it, then each sub-district's by the free cadres paired in it, and the district
  lends the rest across sub-districts (below);
- `sub-district-first`: the community step is skipped;
- `nearest`: one district-wide placement of least total ride, pairing ignored.

Lending: the district command plans how many cadres each sub-district sends to each other
sub-district's gaps (least total distance between sub-district centres, the gaps nobody is
coming to first, no farther than `cadres.lend_max_ride_min`), and each lending sub-district
places that many on the borrower's gaps. Every placement solves a min-cost transportation
problem (mobsim.kernels.assignment.transport): the sources are the places where free cadres
are, one per paired community and place (cadres there are interchangeable), the sinks the open
gaps with what each still lacks; the cost is the ride from the place to the post plus
`cadres.leave_pair_penalty_min` when the post lies outside the cadres' paired community (not
under `nearest`), plus a priority cost when a member is known to be coming, only late: with
too few cadres for every gap, the posts nobody is coming to are served first.
A cadre is free once reported at the paired community, after handing a post over to its
member (free at that post), and when the post they ride to fills first (free where they are
on the way); mobsim.model.handover keeps the rides and posts held.
"""

from __future__ import annotations

import numpy as np
import simpy

from mobsim.kernels.assignment import transport
from mobsim.model.cascade import Cascade
from mobsim.model.geometry import Geometry
from mobsim.model.handover import Duty, Shifts
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


class Sources:
    """Free cadres grouped by (paired community, place): the sources of one dispatch round."""

    def __init__(self, cadres: np.ndarray, community: np.ndarray, xy: np.ndarray) -> None:
        keys = np.column_stack([community.astype(np.float64), xy])
        places, first, group = np.unique(keys, axis=0, return_index=True, return_inverse=True)
        group = group.reshape(-1)
        self.community = places[:, 0].astype(np.int64)
        self.xy = places[:, 1:]
        order = np.argsort(group, kind="stable")
        self.left = np.bincount(group, minlength=len(places))
        self.cadres = np.split(cadres[order], np.cumsum(self.left)[:-1])
        self.taken = np.zeros(len(places), dtype=np.int64)

    def take(self, source: int, count: int) -> np.ndarray:
        """The next `count` cadres of a source, in the order they became free."""
        out = self.cadres[source][self.taken[source]:self.taken[source] + count]
        self.taken[source] += count
        self.left[source] -= count
        return out


class Dispatcher:
    """Assigns free cadres to gaps at fixed intervals and sends them on their way."""

    def __init__(self, cascade: Cascade, posts: Posts, geo: Geometry, travel: Travel,
                 speed_kmh: float, leave_pair_penalty_min: float,
                 lend_max_ride_min: float = np.inf, policy: str = "paired-first",
                 shifts: Shifts | None = None, handover_min: float = 0.0) -> None:
        self.cascade = cascade
        self.posts = posts
        self.geo = geo
        self.travel = travel
        self.speed_kmh = speed_kmh
        self.policy = policy
        self.penalty_min = 0.0 if policy == "nearest" else leave_pair_penalty_min
        self.lend_max_ride_min = lend_max_ride_min
        n_cadres = len(geo.community_of_cadre)
        # Free cadres: where each is (NaN = not free) and in which order they became free.
        self.free_xy = np.full((n_cadres, 2), np.nan)
        self.free_since = np.zeros(n_cadres, dtype=np.int64)
        self.frees = 0
        self.microgrid = np.full(n_cadres, -1, dtype=np.int32)
        self.dispatched_min = np.full(n_cadres, np.inf)
        self.arrived_min = np.full(n_cadres, np.inf)
        self.n_subdistricts = int(geo.subdistrict_of_community.max(initial=-1)) + 1
        offices = np.bincount(geo.subdistrict_of_community, minlength=self.n_subdistricts)
        self.centre_xy = tuple(np.bincount(geo.subdistrict_of_community, weights=xy,
                                           minlength=self.n_subdistricts) / np.maximum(offices, 1)
                               for xy in geo.community_xy)
        self.duty = Duty(cascade, posts, Shifts() if shifts is None else shifts, "cadre",
                         n_cadres, geo.microgrid_xy, handover_min, self.free_at)
        self.duty.on_taken = self._taken

    @property
    def waiting_count(self) -> np.ndarray:
        """Free cadres by the community of their pairing."""
        free = ~np.isnan(self.free_xy[:, 0])
        return np.bincount(self.geo.community_of_cadre[free], minlength=len(self.geo.community_xy[0]))

    def wait(self, cadre: int) -> None:
        """A cadre has reported to their paired community and waits for a post."""
        community = int(self.geo.community_of_cadre[cadre])
        cx, cy = self.geo.community_xy
        self.free_at(cadre, float(cx[community]), float(cy[community]))

    def free_at(self, cadre: int, x_km: float, y_km: float) -> None:
        """A cadre is free for the next round at (x, y)."""
        self.free_xy[cadre] = (x_km, y_km)
        self.free_since[cadre] = self.frees
        self.frees += 1

    def run(self, interval_min: float) -> simpy.events.Process:
        """Start dispatching every `interval_min` until the horizon."""
        return self.cascade.env.process(self._every(interval_min))

    def _every(self, interval_min: float):
        env = self.cascade.env
        while env.now + interval_min < self.cascade.horizon_min:
            yield env.timeout(interval_min)
            self.dispatch()

    def travel_min(self, xy: np.ndarray, microgrids: np.ndarray) -> np.ndarray:
        """Minutes to ride from each place (rows of `xy`) to each post (a matrix)."""
        mx, my = self.geo.microgrid_xy
        km = distance_km(xy[:, :1], xy[:, 1:], mx[microgrids], my[microgrids])
        ride = self.travel.drive_min(km, self.speed_kmh)
        return self.travel.to_posts(ride, self.geo.village_microgrid[microgrids])

    def dispatch(self) -> None:
        """Place free cadres on open gaps by the dispatch policy."""
        sources, gaps = self._open()
        if sources is None:
            return
        everyone = np.arange(len(sources.left))
        if self.policy == "nearest":
            self._assign(sources, everyone, gaps)
            return
        # Posts a member will reach late wait for the lending step, after every sub-district
        # has covered the posts nobody is coming to.
        gaps = gaps[~self.posts.second_tier(gaps)]
        if self.policy == "paired-first":
            n_communities = len(self.geo.community_xy[0])
            own_gaps = groups(gaps, self.geo.community_of_microgrid[gaps], n_communities)
            for community in np.unique(sources.community).tolist():
                if len(own_gaps[community]):
                    self._assign(sources, everyone[sources.community == community], own_gaps[community])
        subdistrict = self.geo.subdistrict_of_community
        own_sources = groups(everyone, subdistrict[sources.community], self.n_subdistricts)
        own_gaps = groups(gaps, self._subdistrict_of(gaps), self.n_subdistricts)
        for sub_sources, sub_gaps in zip(own_sources, own_gaps):
            self._assign(sources, sub_sources, sub_gaps)
        self._lend(sources)

    def _lend(self, sources: Sources) -> None:
        """Plan how many cadres each sub-district lends to each need, then place them.

        A need is one sub-district's gaps of one kind: nobody is coming (kind 0) or a member
        is coming late (kind 1, which costs `LATE_PRIORITY_MIN` more in the plan). Needs beyond
        `lend_max_ride_min` from a lender are out of its reach: a cadre sent on a ride of hours
        would hold the post, as a reserve on the way, while nearer cadres report.
        """
        gaps = self._gaps()
        rows = np.flatnonzero(sources.left)
        if len(rows) == 0 or len(gaps) == 0:
            return
        lender_of_source = self.geo.subdistrict_of_community[sources.community[rows]]
        need_of_gap = 2 * self._subdistrict_of(gaps) + self.posts.second_tier(gaps)
        spare = np.bincount(lender_of_source, sources.left[rows], self.n_subdistricts).astype(np.int64)
        short = np.bincount(need_of_gap, self.posts.shortfall(gaps), 2 * self.n_subdistricts).astype(np.int64)
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
        sources_of = groups(rows, lender_of_source, self.n_subdistricts)
        gaps_of = groups(gaps, need_of_gap, 2 * self.n_subdistricts)
        for row, column in zip(*np.nonzero(plan)):
            self._assign(sources, sources_of[lenders[row]], gaps_of[needs[column]],
                         int(plan[row, column]))

    def _subdistrict_of(self, microgrids: np.ndarray) -> np.ndarray:
        return self.geo.subdistrict_of_community[self.geo.community_of_microgrid[microgrids]]

    def _gaps(self) -> np.ndarray:
        candidates = np.flatnonzero(self.posts.gap_min < np.inf)
        return candidates[self.posts.shortfall(candidates) > 0]

    def _open(self) -> tuple[Sources | None, np.ndarray]:
        """The free cadres as sources, and gaps still lacking staff (None when either is empty)."""
        gaps = self._gaps()
        free = np.flatnonzero(~np.isnan(self.free_xy[:, 0]))
        if len(gaps) == 0 or len(free) == 0:
            return None, gaps
        free = free[np.argsort(self.free_since[free], kind="stable")]
        return Sources(free, self.geo.community_of_cadre[free], self.free_xy[free]), gaps

    def _assign(self, sources: Sources, rows: np.ndarray, gaps: np.ndarray,
                count: int | None = None) -> None:
        """Send `count` (by default as many as can be placed) of the cadres of source `rows`
        to `gaps` by least total cost."""
        supply = sources.left[rows]
        demand = self.posts.shortfall(gaps)
        # Earlier placements of the same round may have filled some gaps or emptied some sources.
        rows, supply = rows[supply > 0], supply[supply > 0]
        gaps, demand = gaps[demand > 0], demand[demand > 0]
        count = min(int(supply.sum()), int(demand.sum())) if count is None else count
        if count == 0:
            return
        travel = self.travel_min(sources.xy[rows], gaps)
        outside = self.geo.community_of_microgrid[gaps] != sources.community[rows, None]
        cost = (travel + self.penalty_min * outside
                + LATE_PRIORITY_MIN * self.posts.second_tier(gaps))
        flow = place(cost, supply, demand, count)
        for row, column in zip(*np.nonzero(flow)):
            self._send(sources, int(rows[row]), int(gaps[column]), int(flow[row, column]),
                       float(travel[row, column]))

    def _send(self, sources: Sources, source: int, microgrid: int, count: int,
              travel_min: float) -> None:
        now = self.cascade.env.now
        x, y = sources.xy[source]
        for cadre in sources.take(source, count).tolist():
            self.free_xy[cadre] = np.nan
            self.microgrid[cadre] = microgrid
            self.dispatched_min[cadre] = now
            self.arrived_min[cadre] = np.inf
            self.cascade.trace.record(now, "cadre", cadre, "dispatched")
            self.duty.ride(cadre, microgrid, float(x), float(y), travel_min)

    def _taken(self, cadre: int, microgrid: int) -> None:
        self.arrived_min[cadre] = self.cascade.env.now
