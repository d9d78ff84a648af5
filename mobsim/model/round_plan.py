"""The plan of one dispatch round: the reserves it holds, placed at the district's objective.

The district is mobilized when its last post has someone on it, so a round aims at the last
fill. Its plan is the best, lexicographically, by
1. the need covered of the gaps nobody is coming to (the "required" gaps), most;
2. the latest expected fill, least (a bottleneck): over the required gaps, the reserve's
   arrival; over the gaps a member will reach late, the earlier of the member's announced
   arrival and a reserve's. When the reserves cannot cover every required gap, every plan
   leaves one unfilled and they all tie here;
3. the need covered of the other gaps, most: gaps a member reaches late (by a reserve who
   comes first) and gaps whose members are still being called;
4. the total cost, least: the rides, plus `PENALTY` minutes for a ride out of the pairing
   (the pairing preference), plus a hundredth of a minute per scope level (of reserves equally
   near, the narrower goes first, and the wider stays free for farther gaps).
Step 2 is exact: thresholds are tried upward from the least one possible (every required gap
its earliest reserves); at a threshold where a maximum flow along the pairs arriving by then
falls short, its least cut says which gaps are short, and the next threshold is the earliest
arrival that could cross that cut (or a late member's arrival, after which their gap is no
longer waited for). Steps 1, 3 and 4 are one least-cost flow with classes
(mobsim.kernels.flows) on each reserve's cheapest pairs and the pairs of step 2, extended
until the flow's potentials show that no other pair would lower its cost: the optimum over
all pairs (mobsim.kernels.dispatch.missed_pairs).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mobsim.kernels import dispatch as k
from mobsim.kernels.flows import TOLERANCE, max_flow, min_cost_flow

REQUIRED, OTHER = 2, 1
"""Flow classes of the gaps (mobsim.kernels.flows): a required unit of need outweighs any
number of others."""
EXTRA_GAPS = 16
"""Gaps beyond the supply at its place that each source's cheapest pairs hold at first, and
pairs a source gains at most when the solution's potentials show more are needed."""
EXTRA_SOURCES = 8
"""Reserves beyond its need that each gap's earliest pairs hold at first, for step 2."""
CELL_KM = 1.0
"""Side of the grid cells in which a round looks for the nearest gaps and reserves."""


@dataclass
class Round:
    """One round's sources and gaps in the column layout of mobsim.kernels.dispatch."""

    src_f: np.ndarray
    src_i: np.ndarray
    gap_f: np.ndarray
    gap_i: np.ndarray
    called: np.ndarray
    """Per gap: a member of the post is still being called (a gap of step 3)."""
    bounds: np.ndarray
    n_communities: int
    n_subdistricts: int
    settings_f: np.ndarray
    settings_i: np.ndarray

    @property
    def late(self) -> np.ndarray:
        """Per gap: a member has announced they will reach it late."""
        return self.gap_f[:, k.LATE] < np.inf

    @property
    def required(self) -> np.ndarray:
        """Per gap: nobody is coming (no late member, nobody still being called)."""
        return ~self.late & ~self.called


def plan(problem: Round) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """(source, gap, units) of the round's plan, and its bottleneck (inf when none applies)."""
    limit_min, must = bottleneck(problem)
    eta = problem.gap_f[:, k.LATE]
    limited = problem.required | (problem.late & (eta > limit_min))
    problem.gap_i[:, k.LIMITED] = limited if limit_min < np.inf else 0
    problem.settings_f[k.LIMIT] = limit_min
    sink_class = np.where(limited, REQUIRED, OTHER).astype(np.int64)
    args = (problem.src_f, problem.src_i, problem.gap_f, problem.gap_i, problem.bounds,
            problem.n_communities, problem.settings_f, problem.settings_i)
    pairs = [k.nearest_pairs(*args, _wanted(problem), CELL_KM), must, _rides(problem)]
    source, gap, cost = (np.concatenate(column) for column in zip(*pairs))
    source, gap, cost = _unique(source, gap, cost, len(problem.gap_i))
    supply, need = problem.src_i[:, k.SUPPLY], problem.gap_i[:, k.NEED]
    while True:
        flow, pot_k, pot_f = min_cost_flow(len(supply), len(need), supply, need, sink_class,
                                           source, gap, cost)
        missed = k.missed_pairs(*args, pot_k, pot_f, TOLERANCE, source, gap, EXTRA_GAPS, CELL_KM)
        if len(missed[0]) == 0:
            break
        source, gap, cost = (np.concatenate([a, b]) for a, b in zip((source, gap, cost), missed))
    sent = flow > 0
    return source[sent], gap[sent], flow[sent], limit_min


def _wanted(problem: Round) -> np.ndarray:
    """Gaps each source's cheapest pairs hold: the supply of every source at its place (they
    look at the same gaps first), plus EXTRA_GAPS."""
    _, place = np.unique(problem.src_f[:, k.SX:k.SY + 1], axis=0, return_inverse=True)
    place = place.ravel()
    supply = problem.src_i[:, k.SUPPLY]
    return np.bincount(place, supply)[place].astype(np.int64) + EXTRA_GAPS


def _rides(problem: Round) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The riders' pairs with the gaps they ride to, where still admissible."""
    riders = np.flatnonzero(problem.src_i[:, k.TARGET] >= 0)
    target = problem.src_i[riders, k.TARGET]
    cost = np.array([k._pair(i, j, problem.src_f, problem.src_i, problem.gap_f, problem.gap_i,
                             problem.settings_f, problem.settings_i)[1]
                     for i, j in zip(riders.tolist(), target.tolist())])
    keep = cost < np.inf
    return riders[keep], target[keep], cost[keep]


def _unique(source: np.ndarray, gap: np.ndarray, cost: np.ndarray,
            n_gaps: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each pair once."""
    _, first = np.unique(source * n_gaps + gap, return_index=True)
    return source[first], gap[first], cost[first]


def bottleneck(problem: Round) -> tuple[float, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Step 2: the least latest fill, and pairs of a flow that achieves it (source, gap, cost);
    (inf, no pairs) when the reserves cannot cover every required gap."""
    none = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    required, late = problem.required, problem.late
    need, supply = problem.gap_i[:, k.NEED], problem.src_i[:, k.SUPPLY]
    if int(supply.sum()) < int(need[required].sum()) or not (required | late).any():
        return np.inf, none
    problem.gap_i[:, k.LIMITED] = 0
    problem.settings_f[k.LIMIT] = np.inf
    search = _Search(problem)
    rows = np.flatnonzero(required | late)
    first = search.earliest(rows, need[rows] + EXTRA_SOURCES, -np.inf, np.inf, None)
    if first is None:
        return np.inf, none
    limit_min = first
    while True:
        flow, reached, waited = search.flow(limit_min)
        if int(flow.sum()) >= int(need[waited].sum()):
            return limit_min, search.pairs(flow)
        short = np.flatnonzero(waited & ~reached[len(supply):])
        if search.complete(short, limit_min):
            limit_min = search.next_limit(short, limit_min, reached[:len(supply)])
            if limit_min == np.inf:
                return np.inf, none


class _Search:
    """Step 2's pairs (each waited-for gap's earliest reserves) and the flows along them."""

    def __init__(self, problem: Round) -> None:
        self.problem = problem
        self.index = k.source_index(problem.src_f, problem.src_i, problem.n_communities,
                                    problem.n_subdistricts, CELL_KM)
        self.source = np.zeros(0, np.int64)
        self.gap = np.zeros(0, np.int64)
        self.arrival = np.zeros(0)
        # Per gap, every pair arriving before this minute is among the pairs.
        self.known_until = np.full(len(problem.gap_i), -np.inf)

    def _add(self, rows: np.ndarray, wanted: np.ndarray, after: float, until: float,
             reachable: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        p = self.problem
        n = len(rows)
        found = k.earliest_sources(p.src_f, p.src_i, p.gap_f, p.gap_i, p.settings_f,
                                   p.settings_i, self.index, p.n_communities, CELL_KM, rows,
                                   wanted, np.full(n, after), np.full(n, until),
                                   np.zeros(0, np.bool_) if reachable is None else reachable)
        self.source = np.concatenate([self.source, found[0]])
        self.gap = np.concatenate([self.gap, found[1]])
        self.arrival = np.concatenate([self.arrival, found[2]])
        return found

    def earliest(self, rows: np.ndarray, wanted: np.ndarray, after: float, until: float,
                 reachable: np.ndarray | None) -> float | None:
        """Gather each gap's `wanted` earliest pairs; the least threshold at which each
        required gap has its need (None: one never has)."""
        source, gap, arrival, left_out = self._add(rows, wanted, after, until, reachable)
        self.known_until[rows] = left_out
        p = self.problem
        need = p.gap_i[:, k.NEED]
        count = np.bincount(gap, minlength=len(need))
        required = rows[p.required[rows]]
        if (count[required] < need[required]).any():
            return None
        # The arrivals come by gap, then arrival: a gap's need-th is its earliest cover.
        start = np.searchsorted(gap, required)
        return float(arrival[start + need[required] - 1].max(initial=-np.inf))

    def flow(self, limit_min: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """A maximum flow along the pairs arriving by `limit_min` into the gaps waited for then;
        which sources and gaps the super-source still reaches; the gaps waited for."""
        p = self.problem
        eta = p.gap_f[:, k.LATE]
        waited = p.required | (p.late & (eta > limit_min))
        self.used = (self.arrival <= limit_min) & waited[self.gap]
        flow, reached = max_flow(len(p.src_i), len(p.gap_i), p.src_i[:, k.SUPPLY],
                                 p.gap_i[:, k.NEED], self.source[self.used], self.gap[self.used])
        self.last_flow = flow
        return flow, reached, waited

    def complete(self, short: np.ndarray, limit_min: float) -> bool:
        """Whether every pair into a short gap arriving by `limit_min` is known; if not, they
        are added (and the flow must be tried again)."""
        missing = short[self.known_until[short] <= limit_min]
        if len(missing) == 0:
            return True
        _, _, _, left_out = self._add(missing, np.full(len(missing), len(self.problem.src_i)),
                                      -np.inf, limit_min, None)
        self.known_until[missing] = left_out
        return False

    def next_limit(self, short: np.ndarray, limit_min: float, reached: np.ndarray) -> float:
        """The least threshold above `limit_min` that could cross the cut: the earliest arrival
        of a reached source at a short gap, or the end of waiting for a late member."""
        p = self.problem
        _, _, arrival, _ = self._add(short, np.ones(len(short), np.int64), limit_min, np.inf,
                                     reached)
        eta = p.gap_f[:, k.LATE]
        later = eta[p.late & (eta > limit_min)]
        return float(min(arrival.min(initial=np.inf), later.min(initial=np.inf)))

    def pairs(self, flow: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The pairs carrying `flow` (the last flow's units), with their costs."""
        p = self.problem
        used = flow > 0
        source, gap = self.source[self.used][used], self.gap[self.used][used]
        cost = np.array([k._pair(i, j, p.src_f, p.src_i, p.gap_f, p.gap_i, p.settings_f,
                                 p.settings_i)[1] for i, j in zip(source.tolist(), gap.tolist())])
        return source, gap, cost
