"""The dispatcher: every few minutes the district command plans every reserve not yet on post.

Every `cadres.dispatch_interval_min` the command re-plans by phone every reserve it has not yet
seen on post: the free ones (waiting at home, or free where they handed a post over or were
turned away) and the riders on their way to a post. A rider may keep their ride, be sent to
another gap from where they are, or be stood down (free where they are); the plan of the round
aims at the district's last fill first, then the least total ride, the pairing preference
within it (mobsim.model.round_plan). The policy `cadres.dispatch_policy` says which rides
cost a penalty: out of the paired community (`paired-first`, the article's pairing), out of
the paired sub-district (`sub-district-first`), none (`nearest`); a cadre rides out of the
paired sub-district only as far as `cadres.lend_max_ride_min` (not under `nearest`). A pool's
reserve serves its scope only (docs/model.md 7.14). The command knows what its people told
it: who is free and where, who rides where and when they arrive, which posts are gaps, when
the members on the way to them said they would arrive and whose members are still being called.
A gap whose member comes soon (by `escalation.trusted_eta_min`) gets a reserve only if the
member's arrival would otherwise be the district's last fill.
A reserve is free once reported at home, after handing a post over to its member (free at
that post), when the post they ride to fills first (free where they are on the way), and when
stood down; mobsim.model.handover keeps the rides and posts held.
"""

from __future__ import annotations

from functools import partial
from typing import Callable

import numpy as np
import simpy

from mobsim.codes import ACTIVATED_BY, DISPATCH_POLICIES
from mobsim.kernels import dispatch as k
from mobsim.model.cascade import Cascade
from mobsim.model.geometry import Geometry
from mobsim.model.handover import TRACE_ENTITY, Duty, Shifts
from mobsim.model.posts import Posts
from mobsim.model.reserves import DISTRICT, Reserves, Sources, cadre_reserves
from mobsim.model.round_plan import Round, plan
from mobsim.model.turnout import Travel, distance_km

NARROW_FIRST_MIN = 0.01
"""Cost per scope level (community, sub-district, district): of reserves equally near, those
who may serve less widely go first, and the others stay free for gaps farther away."""


class Dispatcher:
    """Plans every reserve not yet on post (cadres and pools) at fixed intervals."""

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
        self.penalty_min = leave_pair_penalty_min
        self.lend_max_ride_min = lend_max_ride_min
        # Minutes inside each post's compound, at the end of every ride to it.
        self.inside_min = (np.zeros(len(geo.village_microgrid)) if inside_min is None
                           else inside_min)
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
        # Riders: on the way to `microgrid` from `ride_xy` between the two `ride_min`.
        self.riding = np.zeros(n, dtype=bool)
        self.ride_xy = np.zeros((n, 2))
        self.ride_min = np.zeros((n, 2))
        self.lends = ((self.reserves.scope == DISTRICT) & (self.reserves.subdistrict >= 0)
                      & (policy != "nearest"))
        self.n_communities = len(geo.community_xy[0])
        self.n_subdistricts = int(geo.subdistrict_of_community.max(initial=-1)) + 1
        self.subdistrict_of_microgrid = geo.subdistrict_of_community[geo.community_of_microgrid]
        self.shifts = shifts = Shifts() if shifts is None else shifts
        # One duty per kind; a kind's rows are contiguous, from `first[kind]`.
        kinds, first = np.unique(self.reserves.kind, return_index=True)
        self.first_of = dict(zip(kinds.tolist(), first.tolist()))
        self.duties = {}
        for kind, first_row, size in zip(kinds.tolist(), first.tolist(),
                                         np.bincount(self.reserves.kind)[kinds].tolist()):
            duty = Duty(cascade, posts, shifts, ACTIVATED_BY[kind], size, geo.microgrid_xy,
                        handover_min, partial(self._free_from, first_row))
            duty.on_taken = partial(self._taken, first_row)
            self.duties[kind] = duty
        self.bottlenecks_min: list[tuple[float, float]] = []
        """(minute, bottleneck) of every district round that had one."""

    @property
    def waiting_count(self) -> np.ndarray:
        """Free cadres by the community of their pairing."""
        free = ~np.isnan(self.free_xy[:self.n_cadres, 0])
        return np.bincount(self.geo.community_of_cadre[free], minlength=self.n_communities)

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
        self.riding[reserve] = False

    def _free_from(self, first: int, who: int, x_km: float, y_km: float) -> None:
        self.free_at(first + who, x_km, y_km)

    def run(self, interval_min: float) -> simpy.events.Process:
        """Start the district's rounds every `interval_min` until the horizon."""
        return self.every(interval_min, self.dispatch)

    def every(self, interval_min: float, rounds: Callable[[], None]) -> simpy.events.Process:
        """Run `rounds` every `interval_min` until the horizon."""
        return self.cascade.env.process(self._every(interval_min, rounds))

    def _every(self, interval_min: float, rounds: Callable[[], None]):
        env = self.cascade.env
        while env.now + interval_min < self.cascade.horizon_min:
            yield env.timeout(interval_min)
            rounds()

    def dispatch(self) -> None:
        """The district's round: every reserve not on post, every gap."""
        self._round(np.ones(len(self.reserves), dtype=bool), None)

    def community_rounds(self, has_branch: np.ndarray) -> Callable[[], None]:
        """A round of the communities where `has_branch`: each branch plans the reserves at
        home in its community (free, or riding to one of its posts) on its own gaps."""
        home = self.reserves.community
        return partial(self._round, (home >= 0) & has_branch[np.maximum(home, 0)], has_branch)

    def _round(self, among: np.ndarray, local: np.ndarray | None) -> None:
        """Plan the reserves of `among` not on post; `local`: only the gaps of the communities
        where it holds, each served by its own reserves."""
        free = np.flatnonzero(~np.isnan(self.free_xy[:, 0]) & among)
        riders = np.flatnonzero(self.riding & among)
        if local is not None:  # a branch plans again only its own reserves riding in its community
            riders = riders[self.geo.community_of_microgrid[self.microgrid[riders]]
                            == self.reserves.community[riders]]
        if len(free) + len(riders) == 0:
            return
        gaps = np.flatnonzero(self.posts.open_gap)
        if local is not None:
            gaps = gaps[local[self.geo.community_of_microgrid[gaps]]]
        n_posts = len(self.posts.on_post)
        need = self.posts.to_dispatch(gaps, np.bincount(self.microgrid[riders], minlength=n_posts)[gaps])
        if len(riders) + len(free) < int(need[self._required(gaps)].sum()):
            # Too few for the gaps nobody is coming to: some stays open whatever the plan, so
            # turning a rider cannot bring the last fill forward; riders keep their rides.
            riders = riders[:0]
            need = self.posts.to_dispatch(gaps, np.zeros(len(gaps), np.int64))
        gaps, need = gaps[need > 0], need[need > 0]
        if len(gaps) == 0:
            if len(riders):  # no gap left for them: they stand down
                self._apply(Sources(np.zeros(0, np.int64), self.reserves, np.zeros((0, 2))),
                            riders, *(np.zeros(0, np.int64) for _ in range(3)))
            return
        free = free[np.argsort(self.free_since[free], kind="stable")]
        sources = Sources(free, self.reserves, self.free_xy[free])
        problem, gaps = self._problem(sources, riders, gaps, need, local is not None)
        hint_min = self.bottlenecks_min[-1][1] if local is None and self.bottlenecks_min else np.inf
        source, gap, units, bottleneck_min = plan(problem, hint_min)
        if local is None and bottleneck_min < np.inf:
            self.bottlenecks_min.append((self.cascade.env.now, bottleneck_min))
        self._apply(sources, riders, source, gaps[gap], units)

    def _required(self, gaps: np.ndarray) -> np.ndarray:
        """Which of `gaps` nobody is coming to: no member on the way, none still called."""
        posts = self.posts
        return (posts.member_eta_min[gaps] == np.inf) & (posts.still_called(gaps) == 0)

    def _problem(self, sources: Sources, riders: np.ndarray, gaps: np.ndarray, need: np.ndarray,
                 local: bool) -> tuple[Round, np.ndarray]:
        """The round's sources (free places, then riders) and gaps (sorted by sub-district and
        community) in the kernel's layout; and the gaps' posts in that order."""
        community = self.geo.community_of_microgrid[gaps]
        subdistrict = self.subdistrict_of_microgrid[gaps]
        order = np.lexsort((gaps, community, subdistrict))
        gaps, need, community, subdistrict = gaps[order], need[order], community[order], subdistrict[order]
        posts = self.posts
        gap_f = np.column_stack([self.geo.microgrid_xy[0][gaps], self.geo.microgrid_xy[1][gaps],
                                 self.inside_min[gaps], posts.member_eta_min[gaps]])
        gap_i = np.column_stack([self.geo.village_microgrid[gaps], community, subdistrict, need,
                                 np.zeros((len(gaps), 2), np.int64)]).astype(np.int64)
        # A rider's target, as a row of the round's gaps (-1: not one of them any more).
        target = _rows_of(gaps, len(posts.on_post))[self.microgrid[riders]]
        reserves = self.reserves
        n_free = len(sources.left)
        src_f = np.empty((n_free + len(riders), 5))
        src_f[:n_free, k.SX:k.SY + 1] = sources.xy
        src_f[n_free:, k.SX:k.SY + 1] = self._positions(riders)
        src_f[:, k.SPEED] = np.concatenate([sources.speed_kmh, reserves.speed_kmh[riders]])
        src_f[:, k.ETA] = np.concatenate([np.full(n_free, np.inf), self.ride_min[riders, 1]])
        src_f[:, k.SINCE] = np.concatenate([np.full(n_free, self.cascade.env.now),
                                            self.ride_min[riders, 0]])
        homes = [np.concatenate([getattr(sources, name), getattr(reserves, name)[riders]])
                 for name in ("scope", "community", "subdistrict")]
        lends = np.concatenate([sources.scope == DISTRICT, self.lends[riders]])
        lends &= (homes[2] >= 0) & (self.policy != "nearest")
        src_i = np.column_stack([*homes, lends, np.concatenate([np.full(n_free, -1), target]),
                                 np.concatenate([sources.left, np.ones(len(riders), np.int64)])
                                 ]).astype(np.int64)
        now = self.cascade.env.now
        settings_f = np.array([now, self.travel.detour_factor, self.travel.village_factor,
                               self.penalty_min, self.lend_max_ride_min, NARROW_FIRST_MIN, np.inf])
        settings_i = np.array([DISPATCH_POLICIES.index(self.policy), int(local), 0], np.int64)
        called = posts.still_called(gaps) > 0
        soon = posts.members_coming[gaps] > 0
        bounds = np.vstack([_bounds(community, self.n_communities),
                            _bounds(subdistrict, self.n_subdistricts)])
        return Round(src_f, src_i, gap_f, gap_i, called, soon, bounds, self.n_communities,
                     self.n_subdistricts, settings_f, settings_i), gaps

    def _positions(self, riders: np.ndarray) -> np.ndarray:
        """Where each rider is now, along the straight line of the ride."""
        start, end = self.ride_min[riders, 0], self.ride_min[riders, 1]
        share = np.clip((self.cascade.env.now - start) / np.maximum(end - start, 1e-12), 0.0, 1.0)
        share = np.where(end <= start, 1.0, share)
        post = self.microgrid[riders]
        to = np.column_stack([self.geo.microgrid_xy[0][post], self.geo.microgrid_xy[1][post]])
        return self.ride_xy[riders] + share[:, None] * (to - self.ride_xy[riders])

    def _apply(self, sources: Sources, riders: np.ndarray, source: np.ndarray, post: np.ndarray,
               units: np.ndarray) -> None:
        """Carry the plan out: riders keep their ride, turn to another post or stand down; free
        reserves set out. Posts a rider turned from are told if they lack staff afterwards."""
        n_free = len(sources.left)
        is_rider = source >= n_free
        new_post = np.full(len(riders), -1, np.int64)
        new_post[source[is_rider] - n_free] = post[is_rider]
        changed = new_post != self.microgrid[riders]
        turning, at = riders[changed], self._positions(riders[changed])
        left_posts = self.microgrid[turning].tolist()
        for reserve, microgrid in zip(turning.tolist(), left_posts):
            kind = int(self.reserves.kind[reserve])
            who = reserve - self.first_of[kind]
            self.posts.turn_away(microgrid, (ACTIVATED_BY[kind], who))
            self.duties[kind].stop(who)
        staying = new_post[changed] < 0
        for reserve, (x, y) in zip(turning[staying].tolist(), at[staying].tolist()):
            kind = int(self.reserves.kind[reserve])
            self.cascade.trace.record(self.cascade.env.now, TRACE_ENTITY[ACTIVATED_BY[kind]],
                                      reserve - self.first_of[kind], "stood_down")
            self.free_at(reserve, x, y)
        sending = [sources.take(s, c) for s, c in zip(source[~is_rider].tolist(),
                                                       units[~is_rider].tolist())]
        taken = np.concatenate([*sending, turning[~staying]]).astype(np.int64)
        to_post = np.concatenate([np.repeat(post[~is_rider], units[~is_rider]),
                                  new_post[changed][~staying]]).astype(np.int64)
        from_xy = np.concatenate([np.repeat(sources.xy[source[~is_rider]], units[~is_rider], axis=0),
                                  at[~staying]])
        self._send(taken, to_post, from_xy)
        self.posts.uncovered(left_posts)

    def _send(self, taken: np.ndarray, post: np.ndarray, from_xy: np.ndarray) -> None:
        """Send each reserve of `taken` from `from_xy` to its `post`."""
        if len(taken) == 0:
            return
        now = self.cascade.env.now
        ride = self._ride_min(from_xy[:, 0], from_xy[:, 1], post, self.reserves.speed_kmh[taken])
        self.free_xy[taken] = np.nan
        self.microgrid[taken] = post
        self.dispatched_min[taken] = now
        self.arrived_min[taken] = np.inf
        self.riding[taken] = True
        self.ride_xy[taken] = from_xy
        self.ride_min[taken, 0] = now
        self.ride_min[taken, 1] = now + ride
        trace = self.cascade.trace
        for reserve, kind, post_k, (x, y), ride_min in zip(
                taken.tolist(), self.reserves.kind[taken].tolist(), post.tolist(),
                from_xy.tolist(), ride.tolist()):
            who = reserve - self.first_of[kind]
            trace.record(now, TRACE_ENTITY[ACTIVATED_BY[kind]], who, "dispatched")
            self.duties[kind].ride(who, post_k, x, y, ride_min)

    def _ride_min(self, x_km: np.ndarray, y_km: np.ndarray, microgrids: np.ndarray,
                  speed_kmh: np.ndarray) -> np.ndarray:
        """Minutes to ride from (x, y) to posts, element by element."""
        mx, my = self.geo.microgrid_xy
        ride = self.travel.drive_min(distance_km(x_km, y_km, mx[microgrids], my[microgrids]),
                                     speed_kmh)
        return self.travel.to_posts(ride, self.geo.village_microgrid[microgrids],
                                    self.inside_min[microgrids])

    def _taken(self, first: int, who: int, microgrid: int) -> None:
        self.arrived_min[first + who] = self.cascade.env.now
        self.riding[first + who] = False


def _bounds(keys: np.ndarray, n: int) -> np.ndarray:
    """Per key 0..n-1, the [first, last) rows of `keys` (sorted so that each key's rows are
    contiguous) as an (n, 2) array; (0, 0) for a key without rows."""
    bounds = np.zeros((n, 2), np.int64)
    first = np.flatnonzero(np.diff(keys, prepend=-1) != 0)  # keys are not negative
    bounds[keys[first], 0] = first
    bounds[keys[first], 1] = np.append(first[1:], len(keys))
    return bounds


def _rows_of(items: np.ndarray, n: int) -> np.ndarray:
    """Per value 0..n-1, its row in `items` (distinct values), -1 where absent."""
    rows = np.full(n, -1, np.int64)
    rows[items] = np.arange(len(items))
    return rows
