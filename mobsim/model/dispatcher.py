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

from functools import partial
from typing import Callable

import numpy as np
import simpy

from mobsim.codes import ACTIVATED_BY
from mobsim.kernels.assignment import transport
from mobsim.model.cascade import Cascade
from mobsim.model.geometry import Geometry
from mobsim.model.handover import TRACE_ENTITY, Duty, Shifts
from mobsim.model.placement import place
from mobsim.model.posts import Posts
from mobsim.model.reserves import (
    COMMUNITY,
    DISTRICT,
    SUBDISTRICT,
    Reserves,
    Sources,
    cadre_reserves,
    groups,
    subdistrict_centres,
)
from mobsim.model.turnout import Travel, distance_km

LATE_PRIORITY_MIN = 1.0e5
"""Cost added to a gap a member is coming to late: larger than any trip, so it acts as a priority."""
NARROW_FIRST_MIN = 0.01
"""Cost per scope level wider (community, sub-district, district): of reserves equally near, those
who may serve less widely go first, and the others stay free for gaps farther away."""
KEEP_COST_MIN = 10 * LATE_PRIORITY_MIN
"""Cost, in the lending plan, of a cadre the district does not lend: more than any lending."""


class Dispatcher:
    """Assigns free reserves (cadres and pools) to gaps at fixed intervals and sends them."""

    def __init__(self, cascade: Cascade, posts: Posts, geo: Geometry, travel: Travel,
                 speed_kmh: float, leave_pair_penalty_min: float,
                 lend_max_ride_min: float = np.inf, policy: str = "paired-first",
                 shifts: Shifts | None = None, handover_min: float = 0.0,
                 pools: Reserves | None = None, inside_min: np.ndarray | None = None) -> None:
        self.cascade = cascade
        self.posts = posts
        self.geo = geo
        self.travel = travel
        self.policy = policy
        self.penalty_min = 0.0 if policy == "nearest" else leave_pair_penalty_min
        self.lend_max_ride_min = lend_max_ride_min
        # Minutes inside each post's compound, at the end of every ride to it.
        self.inside_min = (np.zeros(len(geo.village_microgrid)) if inside_min is None
                           else inside_min)
        self.speed_kmh = speed_kmh  # the cadres', used to plan lending between sub-district offices
        self.n_cadres = len(geo.community_of_cadre)
        parts = [cadre_reserves(geo, speed_kmh)] + ([pools] if pools is not None else [])
        self.reserves = Reserves.join(parts)
        n = len(self.reserves)
        # Free reserves: where each is (NaN = not free) and in which order they became free.
        self.free_xy = np.full((n, 2), np.nan)
        self.free_since = np.zeros(n, dtype=np.int64)
        self.frees = 0
        self.microgrid = np.full(n, -1, dtype=np.int32)
        self.dispatched_min = np.full(n, np.inf)
        self.arrived_min = np.full(n, np.inf)
        self.n_subdistricts = int(geo.subdistrict_of_community.max(initial=-1)) + 1
        self.centre_xy = subdistrict_centres(geo)
        self._round_tier: np.ndarray | None = None
        self._round_gaps = np.zeros(0, dtype=np.int64)
        self.shifts = shifts = Shifts() if shifts is None else shifts
        # One duty per kind; a kind's rows are contiguous, from `first[kind]`.
        kinds, self.first = np.unique(self.reserves.kind, return_index=True)
        self.first_of = dict(zip(kinds.tolist(), self.first.tolist()))
        self.duties = {}
        for kind, first, size in zip(kinds.tolist(), self.first.tolist(),
                                     np.bincount(self.reserves.kind)[kinds].tolist()):
            duty = Duty(cascade, posts, shifts, ACTIVATED_BY[kind], size, geo.microgrid_xy,
                        handover_min, partial(self._free_from, first))
            duty.on_taken = partial(self._taken, first)
            self.duties[kind] = duty

    @property
    def waiting_count(self) -> np.ndarray:
        """Free cadres by the community of their pairing."""
        free = ~np.isnan(self.free_xy[:self.n_cadres, 0])
        return np.bincount(self.geo.community_of_cadre[free], minlength=len(self.geo.community_xy[0]))

    def wait(self, reserve: int) -> None:
        """A reserve (a cadre: the row of the cadre) has reported at home and waits for a post."""
        community = int(self.reserves.community[reserve])
        if community >= 0:  # at the community office
            cx, cy = self.geo.community_xy
            self.free_at(reserve, float(cx[community]), float(cy[community]))
        else:
            self.free_at(reserve, *self.reserves.home_xy[reserve].tolist())

    def free_at(self, reserve: int, x_km: float, y_km: float) -> None:
        """A reserve is free for the next round at (x, y)."""
        free_xy = self.free_xy
        free_xy[reserve, 0], free_xy[reserve, 1] = x_km, y_km  # not a row from a tuple: slower
        self.free_since[reserve] = self.frees
        self.frees += 1

    def _free_from(self, first: int, who: int, x_km: float, y_km: float) -> None:
        self.free_at(first + who, x_km, y_km)

    def run(self, interval_min: float) -> simpy.events.Process:
        """Start dispatching every `interval_min` until the horizon."""
        return self.every(interval_min, self.dispatch)

    def every(self, interval_min: float, rounds: Callable[[], None]) -> simpy.events.Process:
        """Run `rounds` every `interval_min` until the horizon."""
        return self.cascade.env.process(self._every(interval_min, rounds))

    def _every(self, interval_min: float, rounds: Callable[[], None]):
        env = self.cascade.env
        while env.now + interval_min < self.cascade.horizon_min:
            yield env.timeout(interval_min)
            rounds()

    def travel_min(self, xy: np.ndarray, microgrids: np.ndarray,
                   speed_kmh: np.ndarray | None = None) -> np.ndarray:
        """Minutes to ride from each place (rows of `xy`, at `speed_kmh` per row: the cadres'
        by default) to each post (a matrix)."""
        return self._ride_min(xy[:, :1], xy[:, 1:], microgrids,
                              self.speed_kmh if speed_kmh is None else speed_kmh[:, None])

    def _ride_min(self, x_km: np.ndarray, y_km: np.ndarray, microgrids: np.ndarray,
                  speed_kmh: np.ndarray | float) -> np.ndarray:
        """Minutes to ride from (x, y) to posts, element by element (broadcast)."""
        mx, my = self.geo.microgrid_xy
        ride = self.travel.drive_min(distance_km(x_km, y_km, mx[microgrids], my[microgrids]),
                                     speed_kmh)
        return self.travel.to_posts(ride, self.geo.village_microgrid[microgrids],
                                    self.inside_min[microgrids])

    def dispatch(self) -> None:
        """Place free reserves on open gaps by the dispatch policy, each within its scope."""
        sources, gaps = self._open()
        if sources is None:
            return
        everyone = np.arange(len(sources.left))
        if self.policy == "nearest":
            self._community_step(sources, gaps, sources.scope == COMMUNITY)
            self._subdistrict_step(sources, gaps, sources.scope == SUBDISTRICT)
            self._assign(sources, everyone[sources.scope == DISTRICT], gaps)
            return
        # Posts a member will reach late wait for the district's steps, after every
        # sub-district has covered the posts nobody is coming to.
        first_tier = gaps[~self._second_tier(gaps)]
        self._community_step(sources, first_tier, self._at_home_step(sources))
        self._subdistrict_step(sources, first_tier, (sources.scope == SUBDISTRICT)
                               | ((sources.scope == DISTRICT) & (sources.subdistrict >= 0)))
        # The district sends its own pools anywhere, then lends sub-districts' reserves.
        district_pools = everyone[sources.subdistrict < 0]
        if len(district_pools):
            self._assign(sources, district_pools, self.posts.gaps())
        self._lend(sources)
        self._late_within_scope(sources)

    def community_rounds(self, has_branch: np.ndarray) -> Callable[[], None]:
        """A round of the community step only, for the communities where `has_branch`."""
        home = self.reserves.community
        at_home = (home >= 0) & has_branch[np.maximum(home, 0)]
        if self.policy != "paired-first":
            at_home &= self.reserves.scope == COMMUNITY
        return partial(self._dispatch_communities, has_branch, at_home)

    def _dispatch_communities(self, has_branch: np.ndarray, at_home: np.ndarray) -> None:
        # Only the reserves waiting in a branch's community can take part: the round is cheap.
        sources, gaps = self._open(at_home)
        if sources is None:
            return
        gaps = gaps[has_branch[self.geo.community_of_microgrid[gaps]]]
        if self.policy == "nearest":
            self._community_step(sources, gaps, sources.scope == COMMUNITY)
            return
        self._community_step(sources, gaps[~self._second_tier(gaps)], self._at_home_step(sources))
        self._community_step(sources, gaps, sources.scope == COMMUNITY)

    def _at_home_step(self, sources: Sources) -> np.ndarray:
        """Sources taking part in the community step: those who may serve only their
        community, and under `paired-first` every reserve whose home is a community."""
        if self.policy == "paired-first":
            return sources.community >= 0
        return sources.scope == COMMUNITY

    def _late_within_scope(self, sources: Sources) -> None:
        """Reserves that may serve no farther than their sub-district take the posts a
        member will reach late there, once the district has lent its reserves."""
        gaps = self.posts.gaps()
        self._community_step(sources, gaps, sources.scope == COMMUNITY)
        self._subdistrict_step(sources, gaps, sources.scope == SUBDISTRICT)

    def _community_step(self, sources: Sources, gaps: np.ndarray, takes_part: np.ndarray) -> None:
        """Each community's gaps served by the sources of `takes_part` at home there."""
        rows = np.flatnonzero(takes_part & (sources.left > 0))
        if len(rows) == 0 or len(gaps) == 0:
            return
        n_communities = len(self.geo.community_xy[0])
        own_gaps = groups(gaps, self.geo.community_of_microgrid[gaps], n_communities)
        own_sources = groups(rows, sources.community[rows], n_communities)
        alone = self._one_source_sends(sources, rows, gaps, n_communities)
        for community in np.unique(sources.community[rows]).tolist():
            if community in alone:
                self._send(sources, *alone[community])
            elif len(own_gaps[community]):
                self._assign(sources, own_sources[community], own_gaps[community])

    def _one_source_sends(self, sources: Sources, rows: np.ndarray, gaps: np.ndarray,
                          n_communities: int) -> dict[int, tuple[np.ndarray, ...]]:
        """The community step in every community whose reserves form one source, all at once:
        `_assign` there places cheapest first at the same `_cost`, so the same sends (sources,
        posts, counts, ride minutes: `_send`'s arguments) in the order it would make them.
        Communities do not share gaps or sources."""
        counts = np.bincount(sources.community[rows], minlength=n_communities)
        alone = rows[counts[sources.community[rows]] == 1]
        source_of = np.full(n_communities, -1)
        source_of[sources.community[alone]] = alone
        gap_community = self.geo.community_of_microgrid[gaps]
        demand = self.posts.shortfall(gaps)
        at = np.flatnonzero((source_of[gap_community] >= 0) & (demand > 0))
        community, post, demand = gap_community[at], gaps[at], demand[at]
        source = source_of[community]
        travel = self._ride_min(sources.xy[source, 0], sources.xy[source, 1], post,
                                sources.speed_kmh[source])
        # One source per community: its scope is the narrowest there.
        cost = self._cost(travel, community, post, 0)
        order = np.lexsort((cost, community))
        taken_before = np.cumsum(demand[order]) - demand[order]
        first = np.searchsorted(community[order], community[order])
        sent = np.zeros(len(at), dtype=np.int64)
        sent[order] = np.clip(sources.left[source[order]] - (taken_before - taken_before[first]),
                              0, demand[order])
        sending = np.flatnonzero(sent)
        by_community = groups(sending, community[sending], n_communities)  # in `gaps` order
        return {c: tuple(a[by_community[c]] for a in (source, post, sent, travel))
                for c in sources.community[alone].tolist()}

    def _subdistrict_step(self, sources: Sources, gaps: np.ndarray, takes_part: np.ndarray) -> None:
        """Each sub-district's gaps served by the sources of `takes_part` at home there."""
        rows = np.flatnonzero(takes_part & (sources.left > 0))
        if len(rows) == 0 or len(gaps) == 0:
            return
        own_sources = groups(rows, sources.subdistrict[rows], self.n_subdistricts)
        own_gaps = groups(gaps, self._subdistrict_of(gaps), self.n_subdistricts)
        for sub_sources, sub_gaps in zip(own_sources, own_gaps):
            self._assign(sources, sub_sources, sub_gaps)

    def _lend(self, sources: Sources) -> None:
        """Plan how many reserves each sub-district lends to each need, then place them.

        A need is one sub-district's gaps of one kind: nobody is coming (kind 0) or a member
        is coming late (kind 1, which costs `LATE_PRIORITY_MIN` more in the plan). Needs beyond
        `lend_max_ride_min` from a lender are out of its reach: a cadre sent on a ride of hours
        would hold the post, as a reserve on the way, while nearer cadres report.
        """
        gaps = self.posts.gaps()
        rows = np.flatnonzero(sources.left * (sources.scope == DISTRICT) * (sources.subdistrict >= 0))
        if len(rows) == 0 or len(gaps) == 0:
            return
        lender_of_source = sources.subdistrict[rows]
        need_of_gap = 2 * self._subdistrict_of(gaps) + self._second_tier(gaps)
        spare = np.bincount(lender_of_source, sources.left[rows], self.n_subdistricts).astype(np.int64)
        short = np.bincount(need_of_gap, self.posts.shortfall(gaps), 2 * self.n_subdistricts).astype(np.int64)
        lenders, needs = np.flatnonzero(spare), np.flatnonzero(short)
        cx, cy = self.centre_xy
        km = distance_km(cx[lenders, None], cy[lenders, None], cx[needs // 2], cy[needs // 2])
        ride = self.travel.drive_min(km, self.speed_kmh)
        in_reach = ride <= self.lend_max_ride_min
        cost = np.where(in_reach, ride + LATE_PRIORITY_MIN * (needs % 2), np.inf)
        # A last column keeps the reserves not lent: with needs out of reach, the plan may
        # match neither every reserve nor every need.
        cost = np.column_stack([cost, np.full(len(lenders), KEEP_COST_MIN)])
        plan = transport(cost, spare[lenders], np.append(short[needs], spare.sum()))[:, :-1]
        sources_of = groups(rows, lender_of_source, self.n_subdistricts)
        gaps_of = groups(gaps, need_of_gap, 2 * self.n_subdistricts)
        for row, column in zip(*np.nonzero(plan)):
            self._assign(sources, sources_of[lenders[row]], gaps_of[needs[column]],
                         int(plan[row, column]))

    def _second_tier(self, gaps: np.ndarray) -> np.ndarray:
        """`Posts.second_tier` of `gaps`, worked out once a round for the gaps open when it
        began: within a round nobody acknowledges or arrives, so no post changes tier, and
        sends only close gaps, so every gap asked about is one of those."""
        if self._round_tier is None:
            self._round_tier = np.zeros(len(self.posts.on_post), dtype=bool)
            self._round_tier[self._round_gaps] = self.posts.second_tier(self._round_gaps)
        return self._round_tier[gaps]

    def _subdistrict_of(self, microgrids: np.ndarray) -> np.ndarray:
        return self.geo.subdistrict_of_community[self.geo.community_of_microgrid[microgrids]]

    def _open(self, among: np.ndarray | None = None) -> tuple[Sources | None, np.ndarray]:
        """The free reserves (of `among`, if given) as sources, and gaps still lacking staff
        (None when either is empty)."""
        self._round_tier = None  # a new round: the gaps' tiers as of now, when first asked
        free = ~np.isnan(self.free_xy[:, 0])
        free = np.flatnonzero(free if among is None else free & among)
        if len(free) == 0:
            return None, free
        gaps = self.posts.gaps()
        if len(gaps) == 0:
            return None, gaps
        free = free[np.argsort(self.free_since[free], kind="stable")]
        self._round_gaps = gaps
        return Sources(free, self.reserves, self.free_xy[free]), gaps

    def _assign(self, sources: Sources, rows: np.ndarray, gaps: np.ndarray,
                count: int | None = None) -> None:
        """Send `count` (by default as many as can be placed) of the reserves of source `rows`
        to `gaps` by least total cost."""
        supply = sources.left[rows]
        demand = self.posts.shortfall(gaps)
        # Earlier placements of the same round may have filled some gaps or emptied some sources.
        rows, supply = rows[supply > 0], supply[supply > 0]
        gaps, demand = gaps[demand > 0], demand[demand > 0]
        count = min(int(supply.sum()), int(demand.sum())) if count is None else count
        if count == 0:
            return
        travel = self.travel_min(sources.xy[rows], gaps, sources.speed_kmh[rows])
        scope = sources.scope[rows, None]
        cost = self._cost(travel, sources.community[rows, None], gaps, scope - scope.min())
        flow = place(cost, supply, demand, count)
        row, column = np.nonzero(flow)
        self._send(sources, rows[row], gaps[column], flow[row, column], travel[row, column])

    def _cost(self, travel_min: np.ndarray, home: np.ndarray, gaps: np.ndarray,
              wider: np.ndarray | int) -> np.ndarray:
        """The placement cost of reserves at home in `home` (broadcast against `gaps`) that
        serve `wider` scope levels beyond the narrowest of the round's sources: the ride, the
        pairing penalty outside their community, the late gaps' priority, narrow first."""
        outside = (home >= 0) & (self.geo.community_of_microgrid[gaps] != home)
        return (travel_min + self.penalty_min * outside
                + LATE_PRIORITY_MIN * self._second_tier(gaps) + NARROW_FIRST_MIN * wider)

    def _send(self, sources: Sources, source: np.ndarray, microgrid: np.ndarray,
              count: np.ndarray, travel_min: np.ndarray) -> None:
        """Send `count[k]` reserves of `source[k]` to post `microgrid[k]`, a ride of
        `travel_min[k]`, in that order. Nothing a ride sets off reads the reserves' state here,
        so it is written for every reserve at once."""
        if len(source) == 0:
            return
        now = self.cascade.env.now
        taken = np.concatenate([sources.take(s, c) for s, c in zip(source.tolist(), count.tolist())])
        post = np.repeat(microgrid, count)
        self.free_xy[taken] = np.nan
        self.microgrid[taken] = post
        self.dispatched_min[taken] = now
        self.arrived_min[taken] = np.inf
        trace = self.cascade.trace
        for reserve, kind, post_k, (x, y), ride_min in zip(
                taken.tolist(), self.reserves.kind[taken].tolist(), post.tolist(),
                np.repeat(sources.xy[source], count, axis=0).tolist(),
                np.repeat(travel_min, count).tolist()):
            who = reserve - self.first_of[kind]
            trace.record(now, TRACE_ENTITY[ACTIVATED_BY[kind]], who, "dispatched")
            self.duties[kind].ride(who, post_k, x, y, ride_min)

    def _taken(self, first: int, who: int, microgrid: int) -> None:
        self.arrived_min[first + who] = self.cascade.env.now
