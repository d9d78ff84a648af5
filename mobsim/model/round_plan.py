"""The plan of one dispatch round: the reserves it holds, placed at the district's objective.

The district is mobilized when its last post has someone on it, so a round aims at the last
fill. Its plan is the best, lexicographically, by
1. the need covered of the gaps nobody is coming to (the "required" gaps), most;
2. the latest expected fill, least (a bottleneck): over the required gaps, the reserve's
   arrival; over the gaps a member is on the way to, the earlier of the member's announced
   arrival and a reserve's. When the reserves cannot cover every required gap, every plan
   leaves one unfilled and they all tie here;
3. the need covered of the other gaps, most: gaps a member reaches late (by a reserve who
   comes first) and gaps whose members are still being called; not a gap whose member comes
   soon (`Round.soon`), which the command leaves to them unless step 2 waits for them;
4. the total cost, least: the rides, plus `PENALTY` minutes for a ride out of the pairing
   (the pairing preference), plus a hundredth of a minute per scope level (of reserves equally
   near, the narrower goes first, and the wider stays free for farther gaps); less, for a gap
   a member reaches late beyond the bottleneck's reach, the minutes the reserve comes before
   the member: after the last fill, every fill as early as the reserves allow, so a gap whose
   member comes late is not left to them when a reserve could come sooner.
Steps 1 to 3 are exact. Each is a maximum flow (mobsim.kernels.flows.max_flow) along known
pairs (mobsim.model.round_pairs), grown until its least cut shows that no further pair could
cross it: every pair into a gap on the cut's short side is then known. Step 2 tries
thresholds upward from the least possible (every required gap its earliest reserves, and by
count enough reserves for the late gaps still waited for); where the flow along the pairs
arriving by a threshold falls short, the next threshold is the earliest arrival that could
cross its cut, or the next late member's arrival. Step 4 is a least-cost flow with classes
(mobsim.kernels.flows.min_cost_flow) over each reserve's cheapest gaps, each gap's cheapest
reserves and the pairs of steps 1 to 3: exact over those pairs, which always hold a plan
meeting steps 1 to 3.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mobsim.kernels import dispatch as k
from mobsim.kernels.flows import min_cost_flow
from mobsim.model.round_pairs import CELL_KM, Pairs

COVER = 1_000_000
"""Flow class of a unit of need covered (mobsim.kernels.flows): more than any number of rides
over the lending cap in a round."""
REQUIRED, OTHER = 2 * COVER, COVER
"""Flow classes of the gaps: a required unit of need outweighs any number of others; a ride
over the lending cap costs one class more (a cover within the cap comes first)."""

@dataclass
class Round:
    """One round's sources and gaps in the column layout of mobsim.kernels.dispatch."""

    src_f: np.ndarray
    src_i: np.ndarray
    gap_f: np.ndarray
    gap_i: np.ndarray
    called: np.ndarray
    """Per gap: a member of the post is still being called (a gap of step 3)."""
    soon: np.ndarray
    """Per gap: a member comes soon (counted as coming): a reserve goes there only when the
    bottleneck waits for it (not a gap of step 3)."""
    bounds: np.ndarray
    n_communities: int
    n_subdistricts: int
    settings_f: np.ndarray
    settings_i: np.ndarray

    @property
    def late(self) -> np.ndarray:
        """Per gap: a member has announced when they will reach it (soon or late)."""
        return self.gap_f[:, k.LATE] < np.inf

    @property
    def required(self) -> np.ndarray:
        """Per gap: nobody is coming (no late member, nobody still being called)."""
        return ~self.late & ~self.called

    def limit(self, limit_min: float) -> np.ndarray:
        """Set the bottleneck (inf: none): the gaps a reserve must reach by it, returned."""
        eta = self.gap_f[:, k.LATE]
        limited = (self.required | (self.late & (eta > limit_min)) if limit_min < np.inf
                   else np.zeros(len(eta), dtype=bool))
        self.gap_i[:, k.LIMITED] = limited
        self.settings_f[k.LIMIT] = limit_min
        return limited


def plan(problem: Round, hint_min: float = np.inf) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """(source, gap, units) of the round's plan, and its bottleneck (inf when none applies);
    `hint_min`: a bottleneck to try first (the last round's: the answer does not depend on it)."""
    pairs = Pairs(problem)
    required, need = problem.required, problem.gap_i[:, k.NEED]
    problem.limit(np.inf)
    covered = pairs.flow(required.copy(), np.inf)
    limit_min = np.inf
    if int(covered[required].sum()) == int(need[required].sum()) and (required | problem.late).any():
        # Step 2's reserves by count: all of them, or, when fewer than the required and late
        # gaps need, the most a flow sends there.
        waited = required | problem.late
        units = int(problem.src_i[:, k.SUPPLY].sum())
        if units < int(need[waited].sum()):
            units = int(pairs.flow(waited, np.inf).sum())
        limit_min = pairs.bottleneck(units, hint_min)
    limited = problem.limit(limit_min)
    must = limited if limit_min < np.inf else required
    pairs.flow(must, limit_min)
    other = must | ((need > 0) & ~problem.soon)
    # Step 3, on top of the gaps of step 1 or 2, by any arrival: a gap the command does not
    # wait for is worth a reserve whenever it comes (the limited gaps keep their limit).
    pairs.flow(other, np.inf)
    source, gap, cost, over = pairs.for_cost()
    keep = other[gap]
    source, gap, cost, over = source[keep], gap[keep], cost[keep], over[keep]
    pair_class = np.where(must, REQUIRED, OTHER)[gap] - over
    # A gap a member reaches late, not bound by the bottleneck: a reserve there is worth the
    # minutes it comes before the member (the fills as early as they can be, after the last).
    eta = problem.gap_f[:, k.LATE]
    saves = (eta[gap] < np.inf) & ~must[gap]
    cost = np.where(saves, cost - (eta[gap] - problem.settings_f[k.NOW]), cost)
    flow, _, _ = _least_cost(problem.src_i[:, k.SUPPLY], need, pair_class, source, gap, cost)
    sent = flow > 0
    return source[sent], gap[sent], flow[sent], limit_min


def _least_cost(supply: np.ndarray, need: np.ndarray, reward: np.ndarray,
                source: np.ndarray, gap: np.ndarray, cost: np.ndarray) -> tuple[np.ndarray, ...]:
    """The least-cost flow of step 4 along the pairs (units per pair), each unit on a pair
    earning its class `reward`, and the flow's potentials, sources' then gaps', in the
    orientation of reserves to gaps; routed from the side with fewer units (from the gaps
    when the reserves outnumber them)."""
    n_sources, n_gaps = len(supply), len(need)
    pair_class = -reward.astype(np.int64)
    if int(need.sum()) >= int(supply.sum()):
        return min_cost_flow(n_sources, n_gaps, supply, need, source, gap, pair_class, cost)
    flow, pot_k, pot_f = min_cost_flow(n_gaps, n_sources, need, supply, gap, source,
                                       pair_class, cost)
    # A pair gap -> source costs (q, c) + pot[gap] - pot[source]: as reserve -> gap with the
    # potentials negated.
    return (flow, -np.concatenate([pot_k[n_gaps:], pot_k[:n_gaps]]),
            -np.concatenate([pot_f[n_gaps:], pot_f[:n_gaps]]))


def warm_up() -> None:
    """Load the round's kernels (compiled, or from Numba's cache) on problems of one reserve
    and one gap, then two gaps, so that a process pool's workers start with them."""
    for n_gaps in (1, 2):
        src_f = np.array([[0.0, 0.0, 30.0, np.inf, 0.0]])
        src_i = np.array([[2, 0, 0, 0, -1, 1]], np.int64)
        gap_f = np.column_stack([np.arange(1.0, n_gaps + 1), np.zeros((n_gaps, 2)),
                                 np.full(n_gaps, np.inf)])
        gap_i = np.array([[0, 0, 0, 1, 0, 0]] * n_gaps, np.int64)
        problem = Round(src_f, src_i, gap_f, gap_i, np.zeros(n_gaps, bool), np.zeros(n_gaps, bool),
                        np.array([[0, n_gaps], [0, n_gaps]], np.int64), 1, 1,
                        np.array([0.0, 1.0, 1.0, 0.0, np.inf, 0.0, np.inf]), np.zeros(3, np.int64))
        plan(problem)
        k.earliest_gaps(*Pairs(problem).args, np.zeros(1, np.int64), np.ones(n_gaps, bool), 1,
                        -np.inf, np.inf, CELL_KM)
