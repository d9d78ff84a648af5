"""The pairs a dispatch round knows and the exact maximum flows of its steps 1 to 3.

A round (mobsim.model.round_plan) does not list every reserve-gap pair: it starts from each
gap's earliest reserves (or each reserve's cheapest gaps) and adds the pairs a flow's least
cut shows could still grow it, so that each flow is exact over all pairs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from mobsim.kernels import dispatch as k
from mobsim.kernels.flows import max_flow

if TYPE_CHECKING:
    from mobsim.model.round_plan import Round

NEAREST = 4
"""Gaps beyond the supply at its place that a source's cheapest pairs hold, and reserves beyond
its need that a gap's cheapest and earliest pairs hold."""
CELL_KM = 1.0
"""Side of the grid cells in which a round looks for the nearest gaps and reserves."""


@dataclass(frozen=True)
class _Cut:
    """The two least cuts of a maximum flow: what the super-source still reaches (reserves,
    and gaps or gaps not waited for), what can still reach the super-sink (reserves, waited
    gaps). Pairs are looked at across the one whose near side has fewer nodes."""

    near_sources: np.ndarray
    near_gaps: np.ndarray
    far_sources: np.ndarray
    far_gaps: np.ndarray

    @property
    def from_sources(self) -> bool:
        """Look from the reserves the super-source reaches (fewer than the gaps reaching the
        super-sink)."""
        return int(self.near_sources.sum()) <= int(self.far_gaps.sum())


class Pairs:
    """The pairs a round knows (source, gap, arrival), each gap's known up to a minute, and
    the flows of steps 1 to 3 along them."""

    def __init__(self, problem: Round) -> None:
        self.problem = problem
        p = problem
        self.args = (p.src_f, p.src_i, p.gap_f, p.gap_i, p.bounds, p.n_communities,
                     p.settings_f, p.settings_i)
        self.index = k.source_index(p.src_f, p.src_i, p.n_communities, p.n_subdistricts, CELL_KM)
        n_gaps = len(p.gap_i)
        self.source = np.zeros(0, np.int64)
        self.gap = np.zeros(0, np.int64)
        self.arrival = np.zeros(0)
        self.over = np.zeros(0, bool)  # a lending ride over the cap
        self.units = np.zeros(0, np.int64)  # the last flow's units on each known pair
        # Per gap, every admissible pair arriving before this minute is known.
        self.known_until = np.full(n_gaps, -np.inf)
        self.by_gap = False
        self.by_source = int(p.src_i[:, k.SUPPLY].sum()) < int(p.gap_i[:, k.NEED].sum())
        if self.by_source:  # fewer reserves than need: each reserve's cheapest gaps first
            source, gap, _ = k.nearest_pairs(*self.args, _at_place(p) + NEAREST, CELL_KM)
            self._append(source, gap)
            self.cheapest = (source, gap)
        else:
            self.gap_lists()
        riders = np.flatnonzero(p.src_i[:, k.TARGET] >= 0)
        self._append(riders, p.src_i[riders, k.TARGET])

    def _add(self, rows: np.ndarray, wanted: np.ndarray, after: np.ndarray, until: np.ndarray,
             reachable: np.ndarray | None) -> np.ndarray:
        """Add, for each gap of `rows`, its earliest pairs (mobsim.kernels.dispatch.
        earliest_sources); returns each gap's least arrival left out."""
        p = self.problem
        source, gap, arrival, left_out = k.earliest_sources(
            *self.args[:4], p.settings_f, p.settings_i, self.index, p.n_communities, CELL_KM,
            rows, wanted, after, until, np.zeros(0, np.bool_) if reachable is None else reachable)
        self._append(source, gap)
        return left_out

    def gap_lists(self) -> None:
        """Add each waited-for gap's earliest pairs (once)."""
        if self.by_gap:
            return
        p = self.problem
        rows = np.flatnonzero(p.required | p.late)
        wanted = p.gap_i[rows, k.NEED] + NEAREST
        before = len(self.gap)
        self.strict(True)
        self.known_until[rows] = self._add(rows, wanted, np.full(len(rows), -np.inf),
                                           np.full(len(rows), np.inf), None)
        # A gap no reserve reaches within the lending cap is open to any ride: the command
        # does not leave a post for good.
        unreached = rows[np.bincount(self.gap[before:], minlength=len(p.gap_i))[rows] == 0]
        if len(unreached):
            p.gap_i[unreached, k.UNCAPPED] = 1
            self.known_until[unreached] = self._add(unreached, p.gap_i[unreached, k.NEED] + NEAREST,
                                                    np.full(len(unreached), -np.inf),
                                                    np.full(len(unreached), np.inf), None)
        self.strict(False)
        self.by_gap = True

    def minutes(self, source: np.ndarray, gap: np.ndarray) -> tuple[np.ndarray, ...]:
        """(arrival, cost, over the cap) of each pair under the problem's current limit and
        cap mode; inf: not admissible."""
        return k.pair_minutes(source, gap, *self.args[:4], *self.args[6:])

    def _append(self, source: np.ndarray, gap: np.ndarray) -> None:
        """Add these pairs where admissible now."""
        arrival, _, over = self.minutes(source, gap)
        keep = arrival < np.inf
        self.source = np.concatenate([self.source, source[keep]])
        self.gap = np.concatenate([self.gap, gap[keep]])
        self.arrival = np.concatenate([self.arrival, arrival[keep]])
        self.over = np.concatenate([self.over, over[keep]])
        self.units = np.concatenate([self.units, np.zeros(int(keep.sum()), np.int64)])

    def strict(self, on: bool) -> None:
        """Whether lending rides over the cap are left out (step 2) or allowed (steps 1, 3, 4)."""
        self.problem.settings_i[k.CAP_STRICT] = int(on)

    def flow(self, sinks: np.ndarray, limit_min: float, start: bool = True) -> np.ndarray:
        """A maximum flow into the gaps where `sinks`, along pairs arriving by `limit_min` (and
        admissible under the problem's limit), grown from the last flow when `start`; made
        exact by adding any pair its least cut misses. Returns the units each gap gets."""
        p = self.problem
        need, n_sources = p.gap_i[:, k.NEED], len(p.src_i)
        sink_need = np.where(sinks, need, 0)
        while True:
            usable = (self.arrival <= limit_min) & sinks[self.gap] & self._admissible()
            start_flow = np.where(usable & start, self.units, 0)
            units, reached, toward = max_flow(n_sources, len(need), p.src_i[:, k.SUPPLY],
                                              sink_need, self.source[usable], self.gap[usable],
                                              start_flow[usable])
            self.units[:] = 0
            self.units[usable] = units
            got = np.bincount(self.gap, self.units, len(need)).astype(np.int64)
            if int(got[sinks].sum()) == int(need[sinks].sum()):
                return got
            self.cut = _Cut(reached[:n_sources], reached[n_sources:] | ~sinks,
                            toward[:n_sources], toward[n_sources:] & sinks)
            if not self._complete(limit_min):
                start = True
                continue
            return got

    def _complete(self, limit_min: float) -> bool:
        """Whether every pair across the last cut arriving by `limit_min` is known; if not,
        they are added. A least cut is crossed only by a pair that would make the flow larger."""
        cut, p = self.cut, self.problem
        before = len(self.source)
        # A few of each one's earliest such pairs: any one may grow the flow and move the cut.
        if cut.from_sources:
            sources = np.flatnonzero(cut.near_sources)
            found = k.earliest_gaps(*self.args, sources, ~cut.near_gaps, NEAREST, -np.inf,
                                    limit_min, CELL_KM)
            self._append(*found[:2])
        else:
            gaps = np.flatnonzero(cut.far_gaps)
            unknown = self.known_until[gaps]  # the earliest arrival of a pair not known
            gaps = gaps[(unknown <= limit_min) & (unknown < np.inf)]
            if len(gaps):
                self._add(gaps, np.full(len(gaps), NEAREST), np.full(len(gaps), -np.inf),
                          np.full(len(gaps), limit_min), ~cut.far_sources)
        return len(self.source) == before

    def _admissible(self) -> np.ndarray:
        """Whether each known pair is admissible under the problem's current limit and cap."""
        p = self.problem
        limited = p.gap_i[self.gap, k.LIMITED] != 0
        ok = ~limited | (self.arrival <= p.settings_f[k.LIMIT])
        return ok & ~self.over if p.settings_i[k.CAP_STRICT] else ok

    def bottleneck(self, units: int, hint_min: float = np.inf) -> float:
        """Step 2 (see the module docstring), when every required gap can be covered; `units`:
        the most reserves a flow can send anywhere; `hint_min`: a threshold to try first (the
        last round's). The least threshold lies in [low, high]: a threshold that falls short
        raises low to the next one its least cut allows; one that is met lowers high to the
        latest fill of the flow that met it. Tries in between are known arrivals, halving."""
        p = self.problem
        self.gap_lists()
        self.strict(True)
        eta = p.gap_f[:, k.LATE]
        low_min = max(self._earliest_cover(), _counted_min(p, units))
        high_min = np.inf
        start = np.zeros(0, np.int64)  # a flow at a threshold known to fall short
        limit_min = hint_min if low_min < hint_min < np.inf else low_min
        while True:
            if self._try(limit_min, start):
                high_min = self._fill_min(limit_min)
            else:
                start = self.units.copy()
                low_min = self._next_limit(limit_min, self.cut, eta[p.late & (eta > limit_min)])
            if low_min >= high_min:
                break
            inside = np.unique(np.concatenate([self.arrival, eta[p.late]]))
            inside = inside[(inside > low_min) & (inside < high_min)]
            limit_min = float(inside[len(inside) // 2]) if len(inside) else low_min
            if limit_min == np.inf:
                break
        if high_min < np.inf:
            self._try(high_min, start)
        self.strict(False)
        return high_min

    def _fill_min(self, limit_min: float) -> float:
        """The latest fill of the last flow, met at `limit_min`: the latest arrival it uses
        into a gap waited for, and the latest late member's arrival at a gap it leaves to them
        (the flow meets every threshold from this one to `limit_min`)."""
        p = self.problem
        eta = p.gap_f[:, k.LATE]
        used = self.units > 0
        got = np.bincount(self.gap, self.units, len(eta))
        left_to_member = p.late & (eta <= limit_min) & (got < p.gap_i[:, k.NEED])
        return float(max(self.arrival[used & (p.required | p.late)[self.gap]].max(initial=-np.inf),
                         eta[left_to_member].max(initial=-np.inf)))

    def _try(self, limit_min: float, start_units: np.ndarray) -> bool:
        """Whether a flow along pairs arriving by `limit_min` covers every gap waited for then
        (grown from `start_units`, a flow along the pairs of a lower threshold)."""
        p = self.problem
        need, eta = p.gap_i[:, k.NEED], p.gap_f[:, k.LATE]
        waited = p.required | (p.late & (eta > limit_min))
        self.units[:] = 0
        self.units[:len(start_units)] = np.where(waited[self.gap[:len(start_units)]],
                                                 start_units, 0)
        got = self.flow(waited, limit_min)
        return int(got[waited].sum()) == int(need[waited].sum())

    def _earliest_cover(self) -> float:
        """The least threshold at which every required gap has its need of known pairs' reserves."""
        p = self.problem
        order = np.lexsort((self.arrival, self.gap))
        brought = np.concatenate([[0], np.cumsum(p.src_i[self.source[order], k.SUPPLY])])
        required = np.flatnonzero(p.required)
        first = np.searchsorted(self.gap[order], required)
        covered = np.searchsorted(brought, brought[first] + p.gap_i[required, k.NEED]) - 1
        return float(self.arrival[order][covered].max(initial=-np.inf))

    def _next_limit(self, limit_min: float, cut: _Cut, etas: np.ndarray) -> float:
        """The least threshold above `limit_min` at which the flow could grow past the least cut
        `cut`: the earliest arrival of a pair across it, or the next late member's arrival."""
        p = self.problem
        if cut.from_sources:
            sources = np.flatnonzero(cut.near_sources)
            known = cut.near_sources[self.source] & ~cut.near_gaps[self.gap]
            beyond = k.earliest_gaps(*self.args, sources, ~cut.near_gaps, 1, limit_min, np.inf,
                                     CELL_KM)[2]
        else:
            gaps = np.flatnonzero(cut.far_gaps)
            known = cut.far_gaps[self.gap] & ~cut.far_sources[self.source]
            beyond = k.earliest_sources(*self.args[:4], p.settings_f, p.settings_i, self.index,
                                        p.n_communities, CELL_KM, gaps,
                                        np.ones(len(gaps), np.int64),
                                        np.maximum(self.known_until[gaps], limit_min),
                                        np.full(len(gaps), np.inf), ~cut.far_sources)[2]
        known &= self.arrival > limit_min
        return float(min(self.arrival[known].min(initial=np.inf), beyond.min(initial=np.inf),
                         etas.min(initial=np.inf)))

    def for_cost(self) -> tuple[np.ndarray, ...]:
        """Step 4's pairs, admissible under the limit, each once, with their costs and whether
        over the cap: those the flows used, the riders' rides, and each gap's earliest (or,
        with fewer reserves than need, each reserve's cheapest gaps)."""
        p = self.problem
        used = self.units > 0
        if self.by_source:
            keep = used | (p.src_i[self.source, k.TARGET] == self.gap)
            source = np.concatenate([self.cheapest[0], self.source[keep]])
            gap = np.concatenate([self.cheapest[1], self.gap[keep]])
        else:
            keep = used | _cheapest_by_gap(p, self.source, self.gap)
            source, gap = self.source[keep], self.gap[keep]
        _, first = np.unique(source * len(p.gap_i) + gap, return_index=True)
        source, gap = source[first], gap[first]
        _, cost, over = self.minutes(source, gap)
        keep = cost < np.inf
        return source[keep], gap[keep], cost[keep], over[keep].astype(np.int64)


def _at_place(problem: Round) -> np.ndarray:
    """Per source, the supply of every source at its place (they look at the same gaps)."""
    _, place = np.unique(problem.src_f[:, k.SX:k.SY + 1], axis=0, return_inverse=True)
    place = place.ravel()
    return np.bincount(place, problem.src_i[:, k.SUPPLY])[place].astype(np.int64)


def _cheapest_by_gap(problem: Round, source: np.ndarray, gap: np.ndarray) -> np.ndarray:
    """Whether each pair is among its gap's need + NEAREST earliest known pairs."""
    order = np.lexsort((np.arange(len(gap)), gap))
    rank = np.empty(len(gap), np.int64)
    starts = np.searchsorted(gap[order], gap[order])
    rank[order] = np.arange(len(gap)) - starts
    return rank < problem.gap_i[gap, k.NEED] + NEAREST


def _counted_min(problem: Round, units: int) -> float:
    """The least threshold at which `units` reserves are, by count alone, enough for the
    required gaps and the late gaps still waited for (those whose member comes after it)."""
    need = problem.gap_i[:, k.NEED]
    spare = units - int(need[problem.required].sum())
    late = np.flatnonzero(problem.late)
    late = late[np.argsort(-problem.gap_f[late, k.LATE], kind="stable")]
    affordable = int(np.searchsorted(np.cumsum(need[late]), spare, side="right"))
    return -np.inf if affordable >= len(late) else float(problem.gap_f[late[affordable], k.LATE])
