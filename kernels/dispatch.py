"""The pairs of a dispatch round: which reserve may go to which gap, when it would arrive, at
what cost; each reserve's cheapest gaps, each gap's earliest reserves, and the pairs a flow's
potentials say it missed.

A round's sources are reserves not on post (free ones at one place form one source; a rider
is one source, at where it is on its ride). Arrays by column (constants below):
- sources, floats `SX, SY, SPEED, ETA, SINCE` (km, km, km/h, the planned arrival of a rider
  at its target, the minute the source set out on its ride: NOW for a free one); ints `SCOPE, HOME_COMMUNITY, HOME_SUBDISTRICT, LENDS, TARGET, SUPPLY` (scope code
  0 community, 1 sub-district, 2 district; homes -1 when wider; LENDS 1 for a reserve whose
  rides out of its home sub-district are capped; TARGET the gap row a rider rides to, or -1);
- gaps, sorted by sub-district then community, floats `GX, GY, INSIDE, LATE` (the minutes
  inside the compound; the arrival a member announced, inf if none); ints `VILLAGE, COMMUNITY,
  SUBDISTRICT, NEED, LIMITED, UNCAPPED` (LIMITED 1 when a pair must arrive by the round's
  bottleneck; UNCAPPED 1 for a gap no reserve reaches within LEND_CAP, which any may then);
- `bounds[c]` (first, last + 1): the gap rows of community c, then (rows n_communities + s)
  of sub-district s;
- settings, floats `NOW, DETOUR, VILLAGE_FACTOR, PENALTY, LEND_CAP, NARROW, LIMIT` and ints
  `PENALTY_LEVEL` (0 outside the home community, 1 outside the home sub-district, 2 never),
  `LOCAL` (1: every source serves its home community only), `CAP_STRICT` (1: a lending ride
  over the cap is not admissible; 0: it is, marked "over").

A pair is admissible when the gap lies within the source's scope (and its home community
under LOCAL), a gap a member reaches late is reached before
them, and a LIMITED gap by LIMIT. Its arrival is the planned one for a rider's own target, else
NOW + the ride (straight line × DETOUR at SPEED, × VILLAGE_FACTOR to a village post, + INSIDE);
its cost is the ride, + PENALTY out of the pairing, + NARROW per scope level. A ride out of a
lending source's home sub-district arriving more than LEND_CAP after SINCE is "over" the cap
(a rider's turn counts from where it set out: the cap does not widen as it rides on), unless
the gap is UNCAPPED or the source already rides to it. A ride is at
least its straight line at SPEED, which bounds the searches: a source of district scope looks
at the gaps cell ring by cell ring of a grid (and a gap at such sources likewise), nearest
rings first, until no farther ring can hold a better pair. One module: Numba's cache tracks a
function's own file only.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

SX, SY, SPEED, ETA, SINCE = range(5)
SCOPE, HOME_COMMUNITY, HOME_SUBDISTRICT, LENDS, TARGET, SUPPLY = range(6)
GX, GY, INSIDE, LATE = range(4)
VILLAGE, COMMUNITY, SUBDISTRICT, NEED, LIMITED, UNCAPPED = range(6)
NOW, DETOUR, VILLAGE_FACTOR, PENALTY, LEND_CAP, NARROW, LIMIT = range(7)
PENALTY_LEVEL, LOCAL, CAP_STRICT = range(3)
OVER_CAP_MIN = 1.0e6
"""Minutes a lending ride over the cap counts more when a source's pairs are ranked."""


@njit(cache=True)
def _pair(i, j, src_f, src_i, gap_f, gap_i, settings_f, settings_i):
    """(arrival, cost, over the lending cap) of source i at gap j; arrival and cost inf when
    the pair is not admissible."""
    scope = src_i[i, SCOPE]
    if ((scope == 0 or settings_i[LOCAL] != 0)
            and gap_i[j, COMMUNITY] != src_i[i, HOME_COMMUNITY]) or (
            scope == 1 and gap_i[j, SUBDISTRICT] != src_i[i, HOME_SUBDISTRICT]):
        return np.inf, np.inf, False
    if src_i[i, TARGET] == j:
        arrival = src_f[i, ETA]
        ride = arrival - settings_f[NOW]
    else:
        dx, dy = gap_f[j, GX] - src_f[i, SX], gap_f[j, GY] - src_f[i, SY]
        ride = math.sqrt(dx * dx + dy * dy) * settings_f[DETOUR] / src_f[i, SPEED] * 60.0
        if gap_i[j, VILLAGE] != 0:
            ride *= settings_f[VILLAGE_FACTOR]
        ride += gap_f[j, INSIDE]
        arrival = settings_f[NOW] + ride
    if arrival >= gap_f[j, LATE] or (gap_i[j, LIMITED] != 0 and arrival > settings_f[LIMIT]):
        return np.inf, np.inf, False
    over = (src_i[i, LENDS] != 0 and gap_i[j, SUBDISTRICT] != src_i[i, HOME_SUBDISTRICT]
            and arrival - src_f[i, SINCE] > settings_f[LEND_CAP] and gap_i[j, UNCAPPED] == 0
            and src_i[i, TARGET] != j)
    if over and settings_i[CAP_STRICT] != 0:
        return np.inf, np.inf, over
    level = settings_i[PENALTY_LEVEL]
    cost = ride + settings_f[NARROW] * scope
    if ((level == 0 and src_i[i, HOME_COMMUNITY] >= 0
         and gap_i[j, COMMUNITY] != src_i[i, HOME_COMMUNITY])
            or (level == 1 and src_i[i, HOME_SUBDISTRICT] >= 0
                and gap_i[j, SUBDISTRICT] != src_i[i, HOME_SUBDISTRICT])):
        cost += settings_f[PENALTY]
    return arrival, cost, over


@njit(cache=True)
def pair_minutes(source, gap, src_f, src_i, gap_f, gap_i, settings_f, settings_i):
    """(arrival, cost, over the cap) of each pair (source[t], gap[t]); inf when not admissible."""
    arrival = np.empty(source.size)
    cost = np.empty(source.size)
    over = np.zeros(source.size, np.bool_)
    for t in range(source.size):
        arrival[t], cost[t], over[t] = _pair(source[t], gap[t], src_f, src_i, gap_f, gap_i,
                                             settings_f, settings_i)
    return arrival, cost, over


@njit(cache=True)
def grid_index(xy, cell_km):
    """Points (rows of `xy`: x, y) in square cells of `cell_km`: (x0, y0, columns, rows,
    start, by_cell); cell c = cy * columns + cx holds the points by_cell[start[c]:start[c + 1]]."""
    n = xy.shape[0]
    x0, y0 = xy[:, 0].min(), xy[:, 1].min()
    columns = int((xy[:, 0].max() - x0) / cell_km) + 1
    rows = int((xy[:, 1].max() - y0) / cell_km) + 1
    cell = np.empty(n, np.int64)
    for j in range(n):
        cell[j] = int((xy[j, 1] - y0) / cell_km) * columns + int((xy[j, 0] - x0) / cell_km)
    start = np.zeros(columns * rows + 1, np.int64)
    for j in range(n):
        start[cell[j] + 1] += 1
    for c in range(columns * rows):
        start[c + 1] += start[c]
    fill = start[:-1].copy()
    by_cell = np.empty(n, np.int64)
    for j in range(n):
        by_cell[fill[cell[j]]] = j
        fill[cell[j]] += 1
    return x0, y0, columns, rows, start, by_cell


@njit(cache=True)
def _ring(x, y, ring, grid, cell_km, out, n):
    """Append to out[n:] the points of the grid cells at Chebyshev distance `ring` from the
    cell of (x, y); returns the new count, or -1 when no cell lies that far."""
    x0, y0, columns, rows, start, by_cell = grid
    cx, cy = int(math.floor((x - x0) / cell_km)), int(math.floor((y - y0) / cell_km))
    if ring > max(abs(cx), abs(columns - 1 - cx), abs(cy), abs(rows - 1 - cy)):
        return -1
    for gy in range(max(cy - ring, 0), min(cy + ring, rows - 1) + 1):
        edge = gy == cy - ring or gy == cy + ring
        gx = cx - ring
        while gx <= cx + ring:
            if 0 <= gx < columns:
                c = gy * columns + gx
                for t in range(start[c], start[c + 1]):
                    out[n] = by_cell[t]
                    n += 1
            gx += 1 if edge or ring == 0 else 2 * ring
    return n


@njit(cache=True)
def _gaps_of(i, ring, src_f, src_i, bounds, n_communities, local, grid, cell_km, out):
    """The `ring`-th batch of gaps source i may serve, into `out`: (how many, least straight
    line to them in km); (-1, inf) when none is left. Narrow scopes have one batch, their
    community's or sub-district's gaps (`bounds` by community, then by sub-district); the
    district scope the grid cells of ring `ring`."""
    if src_i[i, SCOPE] < 2 or local != 0:
        if ring > 0:
            return -1, np.inf
        key = (src_i[i, HOME_COMMUNITY] if src_i[i, SCOPE] == 0 or local != 0
               else n_communities + src_i[i, HOME_SUBDISTRICT])
        for t in range(bounds[key, 0], bounds[key, 1]):
            out[t - bounds[key, 0]] = t
        return bounds[key, 1] - bounds[key, 0], 0.0
    n = _ring(src_f[i, SX], src_f[i, SY], ring, grid, cell_km, out, 0)
    return n, (max(ring - 1, 0) * cell_km if n >= 0 else np.inf)


@njit(cache=True)
def source_index(src_f, src_i, n_communities, n_subdistricts, cell_km):
    """The sources grouped for a gap's searches: (order, bounds, grid). Of community scope by
    home community, then of sub-district scope by home sub-district (rows of `order`, bounds
    per key as for the gaps); of district scope in the grid cells of their places."""
    n = src_i.shape[0]
    key = np.empty(n, np.int64)
    for i in range(n):
        scope = src_i[i, SCOPE]
        key[i] = (src_i[i, HOME_COMMUNITY] if scope == 0
                  else n_communities + src_i[i, HOME_SUBDISTRICT] if scope == 1
                  else n_communities + n_subdistricts)
    order = np.argsort(key, kind="mergesort")
    bounds = np.zeros((n_communities + n_subdistricts + 1, 2), np.int64)
    for t in range(n - 1, -1, -1):
        bounds[key[order[t]], 0] = t
    for t in range(n):
        bounds[key[order[t]], 1] = t + 1
    wide = order[bounds[-1, 0]:bounds[-1, 1]]
    xy = np.zeros((max(wide.size, 1), 2))
    for t in range(wide.size):
        xy[t, 0], xy[t, 1] = src_f[wide[t], SX], src_f[wide[t], SY]
    x0, y0, columns, rows, start, by_cell = grid_index(xy, cell_km)
    if wide.size == 0:
        start[:] = 0
    by_source = np.empty(wide.size, np.int64)
    for t in range(wide.size):
        by_source[t] = wide[by_cell[t]]
    return order, bounds[:-1].copy(), (x0, y0, columns, rows, start, by_source)


@njit(cache=True)
def _sources_of(j, ring, gap_f, gap_i, order, bounds, grid, n_communities, cell_km, out):
    """The `ring`-th batch of sources that may serve gap j, into `out`: the community and
    sub-district scopes' with ring 0, and the district scope's of the grid cells of ring
    `ring`: (how many, least straight line in km); (-1, inf) when none is left."""
    n = 0
    if ring == 0:
        for key in (gap_i[j, COMMUNITY], n_communities + gap_i[j, SUBDISTRICT]):
            for t in range(bounds[key, 0], bounds[key, 1]):
                out[n] = order[t]
                n += 1
    m = _ring(gap_f[j, GX], gap_f[j, GY], ring, grid, cell_km, out, n)
    if m < 0:
        return (n, 0.0) if ring == 0 else (-1, np.inf)
    return m, max(ring - 1, 0) * cell_km


@njit(cache=True)
def _heap_push(cost, item, size, c, j):
    """Push (c, j) on the max-heap of `size` entries."""
    k = size
    while k > 0:
        parent = (k - 1) // 2
        if cost[parent] >= c:
            break
        cost[k], item[k] = cost[parent], item[parent]
        k = parent
    cost[k], item[k] = c, j


@njit(cache=True)
def _heap_replace_top(cost, item, size, c, j):
    """Replace the greatest entry of the max-heap of `size` entries by (c, j)."""
    k = 0
    while True:
        child = 2 * k + 1
        if child >= size:
            break
        if child + 1 < size and cost[child + 1] > cost[child]:
            child += 1
        if cost[child] <= c:
            break
        cost[k], item[k] = cost[child], item[child]
        k = child
    cost[k], item[k] = c, j


@njit(cache=True)
def nearest_pairs(src_f, src_i, gap_f, gap_i, bounds, n_communities, settings_f, settings_i,
                  wanted, cell_km):
    """Each source's `wanted[i]` cheapest admissible gaps (those within the lending cap first):
    (source, gap, cost + OVER_CAP_MIN for a ride over the cap)."""
    n_sources, n_gaps = src_i.shape[0], gap_i.shape[0]
    grid = grid_index(np.ascontiguousarray(gap_f[:, GX:GY + 1]), cell_km)
    size = 0
    for i in range(n_sources):
        size += min(wanted[i], n_gaps)
    out_source = np.empty(size, np.int64)
    out_gap = np.empty(size, np.int64)
    out_cost = np.empty(size)
    n = 0
    batch = np.empty(n_gaps, np.int64)
    heap_cost = np.empty(n_gaps + 1)
    heap_gap = np.empty(n_gaps + 1, np.int64)
    for i in range(n_sources):
        keep = min(wanted[i], n_gaps)
        minutes_per_km = settings_f[DETOUR] / src_f[i, SPEED] * 60.0
        held, ring = 0, 0  # a max-heap of the source's `keep` cheapest gaps so far
        while keep > 0:
            count, near_km = _gaps_of(i, ring, src_f, src_i, bounds, n_communities,
                                      settings_i[LOCAL], grid, cell_km, batch)
            ring += 1
            if count < 0 or (held == keep and near_km * minutes_per_km > heap_cost[0]):
                break
            for t in range(count):
                j = batch[t]
                _, c, over = _pair(i, j, src_f, src_i, gap_f, gap_i, settings_f, settings_i)
                if c == np.inf:
                    continue
                if over:  # the cheapest within the cap first
                    c += OVER_CAP_MIN
                if held < keep:
                    _heap_push(heap_cost, heap_gap, held, c, j)
                    held += 1
                elif c < heap_cost[0]:
                    _heap_replace_top(heap_cost, heap_gap, held, c, j)
        for t in range(held):
            out_source[n], out_gap[n], out_cost[n] = i, heap_gap[t], heap_cost[t]
            n += 1
    return out_source[:n].copy(), out_gap[:n].copy(), out_cost[:n].copy()


@njit(cache=True)
def earliest_sources(src_f, src_i, gap_f, gap_i, settings_f, settings_i, index,
                     n_communities, cell_km, gaps, wanted, after, until, reachable):
    """For each gap of `gaps`, its admissible sources arriving from `after[t]` on and by
    `until[t]`, of those where `reachable` (all, if empty), the `wanted[t]` earliest:
    (source, gap, arrival) by gap then arrival; per gap a lower bound of the arrival of any
    such source it left out (inf if none)."""
    n_sources = src_i.shape[0]
    order, bounds, grid = index
    fastest = 1e-9
    for i in range(n_sources):
        fastest = max(fastest, src_f[i, SPEED])
    minutes_per_km = settings_f[DETOUR] / fastest * 60.0
    out_source, out_gap, out_arrival = [0], [0], [0.0]
    left_out = np.full(gaps.size, np.inf)
    batch = np.empty(n_sources, np.int64)
    heap_arrival = np.empty(n_sources + 1)
    heap_source = np.empty(n_sources + 1, np.int64)
    for t in range(gaps.size):
        j, keep = gaps[t], min(wanted[t], n_sources)
        held, ring = 0, 0
        while True:
            count, near_km = _sources_of(j, ring, gap_f, gap_i, order, bounds, grid,
                                         n_communities, cell_km, batch)
            ring += 1
            bound = settings_f[NOW] + near_km * minutes_per_km
            if count < 0 or bound > until[t] or (held == keep and bound > heap_arrival[0]):
                if count >= 0:
                    left_out[t] = min(left_out[t], bound)
                break
            for u in range(count):
                i = batch[u]
                if reachable.size and not reachable[i]:
                    continue
                a, _, _ = _pair(i, j, src_f, src_i, gap_f, gap_i, settings_f, settings_i)
                if a == np.inf or a < after[t]:
                    continue
                if a > until[t]:
                    left_out[t] = min(left_out[t], a)
                elif held < keep:
                    _heap_push(heap_arrival, heap_source, held, a, i)
                    held += 1
                elif a < heap_arrival[0]:
                    left_out[t] = min(left_out[t], heap_arrival[0])
                    _heap_replace_top(heap_arrival, heap_source, held, a, i)
                else:
                    left_out[t] = min(left_out[t], a)
        for u in np.argsort(heap_arrival[:held]):
            out_source.append(heap_source[u])
            out_gap.append(j)
            out_arrival.append(heap_arrival[u])
    return (np.array(out_source[1:], np.int64), np.array(out_gap[1:], np.int64),
            np.array(out_arrival[1:]), left_out)


@njit(cache=True)
def earliest_gaps(src_f, src_i, gap_f, gap_i, bounds, n_communities, settings_f, settings_i,
                  sources, gap_mask, wanted, after, until, cell_km):
    """For each source of `sources`, its `wanted` earliest admissible pairs into the gaps where
    `gap_mask`, arriving from `after` on and by `until`: (source, gap, arrival) by source then
    arrival; and per source a lower bound of the arrival of any such pair it left out (inf
    if none)."""
    n_gaps = gap_i.shape[0]
    grid = grid_index(np.ascontiguousarray(gap_f[:, GX:GY + 1]), cell_km)
    out_source, out_gap, out_arrival = [0], [0], [0.0]
    left_out = np.full(sources.size, np.inf)
    batch = np.empty(n_gaps, np.int64)
    heap_arrival = np.empty(max(wanted, 1))
    heap_gap = np.empty(max(wanted, 1), np.int64)
    for t in range(sources.size):
        i = sources[t]
        minutes_per_km = settings_f[DETOUR] / src_f[i, SPEED] * 60.0
        held, ring = 0, 0
        while True:
            count, near_km = _gaps_of(i, ring, src_f, src_i, bounds, n_communities,
                                      settings_i[LOCAL], grid, cell_km, batch)
            ring += 1
            least = settings_f[NOW] + near_km * minutes_per_km  # of any pair still to see
            if count < 0 or least > until or (held == wanted and least > heap_arrival[0]):
                if count >= 0:
                    left_out[t] = min(left_out[t], least)
                break
            for u in range(count):
                j = batch[u]
                if not gap_mask[j]:
                    continue
                a, _, _ = _pair(i, j, src_f, src_i, gap_f, gap_i, settings_f, settings_i)
                if a == np.inf or a < after:
                    continue
                if a > until:
                    left_out[t] = min(left_out[t], a)
                elif held < wanted:
                    _heap_push(heap_arrival, heap_gap, held, a, j)
                    held += 1
                elif a < heap_arrival[0]:
                    left_out[t] = min(left_out[t], heap_arrival[0])
                    _heap_replace_top(heap_arrival, heap_gap, held, a, j)
                else:
                    left_out[t] = min(left_out[t], a)
        for u in np.argsort(heap_arrival[:held]):
            out_source.append(i)
            out_gap.append(heap_gap[u])
            out_arrival.append(heap_arrival[u])
    return (np.array(out_source[1:], np.int64), np.array(out_gap[1:], np.int64),
            np.array(out_arrival[1:]), left_out)
