"""Flows on a bipartite graph of sources (with a supply) and sinks (with a need).

`max_flow` is Dinic's algorithm: the most units the sources can send to the sinks along the
given edges (an edge carries up to its sink's need). `min_cost_flow` is the successive
shortest path method with node potentials on costs that are pairs (class, minutes) compared
lexicographically: an edge of class -w earns w per unit, a unit kept back nothing, so the flow
serves as much of the highest class as it can, then of the next, and only then minds the
minutes of its edges. Pairs of an integer and a float under the lexicographic order form a
totally ordered group, so shortest paths and potentials work as with plain numbers: the answer
is exact in the classes and optimal up to float rounding in the minutes. Each unit is routed
from its own source by Dijkstra, stopped at the first sink with room (Jonker & Volgenant's
shortest augmenting path): a unit whose nearest sink is free costs a few steps, so the side
with fewer units should be the sources.

Both take the graph as parallel arrays `edge_source`, `edge_sink` (sink rows count from 0) and
return the units on each edge; they build the node lists (CSR, both arc directions) per call.
They share one module: Numba's cache tracks a function's own file only.
"""

from __future__ import annotations

import heapq

import numpy as np
from numba import njit

TOLERANCE = 1e-9
"""Minutes under which a negative reduced cost is float rounding of the potentials."""


@njit(cache=True)
def _csr(tail, head, capacity, n_nodes):
    """The arcs (pairs 2k, 2k + 1 are an arc and its reverse) sorted by tail: (offsets, head,
    capacity, reverse, position of each original arc)."""
    n_arcs = tail.size
    offsets = np.zeros(n_nodes + 1, np.int64)
    for k in range(n_arcs):
        offsets[tail[k] + 1] += 1
    for v in range(n_nodes):
        offsets[v + 1] += offsets[v]
    fill = offsets[:-1].copy()
    position = np.empty(n_arcs, np.int64)
    for k in range(n_arcs):
        position[k] = fill[tail[k]]
        fill[tail[k]] += 1
    sorted_head = np.empty(n_arcs, np.int64)
    sorted_capacity = np.empty(n_arcs, np.int64)
    reverse = np.empty(n_arcs, np.int64)
    for k in range(n_arcs):
        sorted_head[position[k]] = head[k]
        sorted_capacity[position[k]] = capacity[k]
        reverse[position[k]] = position[k ^ 1]
    return offsets, sorted_head, sorted_capacity, reverse, position


@njit(cache=True)
def _arcs(n_sources, n_sinks, supply, need, edge_source, edge_sink, first_kind, n_first):
    """Arc lists: `n_first` arcs from node `first_kind` (a super-source: to every source with
    its supply; or none), then every edge (capacity its sink's need), then every sink to the
    super-sink (its need), then (when `first_kind` < 0) every source to the super-sink (its
    supply: units kept back). Each arc is followed by its reverse."""
    end = n_sources + n_sinks
    n_idle = n_sources if first_kind < 0 else 0
    n_arcs = 2 * (n_first + edge_source.size + n_sinks + n_idle)
    tail = np.empty(n_arcs, np.int64)
    head = np.empty(n_arcs, np.int64)
    capacity = np.zeros(n_arcs, np.int64)
    a = 0
    for i in range(n_first):
        tail[a], head[a], capacity[a] = first_kind, i, supply[i]
        tail[a + 1], head[a + 1] = i, first_kind
        a += 2
    for e in range(edge_source.size):
        j = n_sources + edge_sink[e]
        tail[a], head[a], capacity[a] = edge_source[e], j, need[edge_sink[e]]
        tail[a + 1], head[a + 1] = j, edge_source[e]
        a += 2
    for j in range(n_sinks):
        tail[a], head[a], capacity[a] = n_sources + j, end, need[j]
        tail[a + 1], head[a + 1] = end, n_sources + j
        a += 2
    for i in range(n_idle):
        tail[a], head[a], capacity[a] = i, end, supply[i]
        tail[a + 1], head[a + 1] = end, i
        a += 2
    return tail, head, capacity


@njit(cache=True)
def max_flow(n_sources, n_sinks, supply, need, edge_source, edge_sink, start_flow):
    """Units on each edge of a maximum flow from the sources to the sinks (Dinic), grown from
    `start_flow` (a flow: units per edge); which sources, then sinks, the super-source still
    reaches along arcs with room, and which can still reach the super-sink: the two sides of
    least cuts nearest each end. Only a further edge across such a cut, from a source the
    super-source reaches to a sink it does not (or from a source that cannot reach the
    super-sink to a sink that can), can make the flow larger."""
    n_nodes = n_sources + n_sinks + 2
    end, start = n_sources + n_sinks, n_sources + n_sinks + 1
    tail, head, capacity = _arcs(n_sources, n_sinks, supply, need, edge_source, edge_sink,
                                 start, n_sources)
    for e in range(edge_source.size):  # the start flow, arcs first, then their reverses
        f = start_flow[e]
        capacity[2 * edge_source[e]] -= f
        capacity[2 * edge_source[e] + 1] += f
        capacity[2 * (n_sources + e)] -= f
        capacity[2 * (n_sources + e) + 1] += f
        capacity[2 * (n_sources + edge_source.size + edge_sink[e])] -= f
        capacity[2 * (n_sources + edge_source.size + edge_sink[e]) + 1] += f
    offsets, head, capacity, reverse, position = _csr(tail, head, capacity, n_nodes)
    level = np.empty(n_nodes, np.int64)
    queue = np.empty(n_nodes, np.int64)
    current = np.empty(n_nodes, np.int64)
    stack = np.empty(n_nodes, np.int64)  # arcs of the path being built
    while True:
        level[:] = -1
        level[start] = 0
        queue[0], first, last = start, 0, 1
        while first < last:
            v = queue[first]
            first += 1
            for a in range(offsets[v], offsets[v + 1]):
                w = head[a]
                if capacity[a] > 0 and level[w] < 0:
                    level[w] = level[v] + 1
                    queue[last] = w
                    last += 1
        if level[end] < 0:
            break
        current[:] = offsets[:-1]
        # A blocking flow: paths along the levels, each arc dropped once it leads nowhere.
        depth, v = 0, start
        while True:
            if v == end:
                pushed = capacity[stack[0]]
                for d in range(1, depth):
                    pushed = min(pushed, capacity[stack[d]])
                for d in range(depth):
                    capacity[stack[d]] -= pushed
                    capacity[reverse[stack[d]]] += pushed
                depth, v = 0, start
                continue
            while current[v] < offsets[v + 1]:
                a = current[v]
                if capacity[a] > 0 and level[head[a]] == level[v] + 1:
                    break
                current[v] += 1
            if current[v] < offsets[v + 1]:
                stack[depth] = current[v]
                depth += 1
                v = head[current[v]]
                continue
            if v == start:
                break
            level[v] = -1  # a dead end
            depth -= 1
            v = head[reverse[stack[depth]]]
            current[v] += 1
    flow = np.empty(edge_source.size, np.int64)
    for e in range(edge_source.size):
        flow[e] = capacity[reverse[position[2 * (n_sources + e)]]]
    # Back from the super-sink along arcs with room: who can still reach it.
    toward = np.zeros(n_nodes, np.bool_)
    toward[end] = True
    queue[0], first, last = end, 0, 1
    while first < last:
        v = queue[first]
        first += 1
        for b in range(offsets[v], offsets[v + 1]):
            u = head[b]
            if not toward[u] and capacity[reverse[b]] > 0:
                toward[u] = True
                queue[last] = u
                last += 1
    return flow, level[:n_sources + n_sinks] >= 0, toward[:n_sources + n_sinks]


@njit(cache=True)
def _before(v, w, key_k, key_f):
    """Whether node v's key (class, minutes) comes before node w's."""
    return key_k[v] < key_k[w] or (key_k[v] == key_k[w] and key_f[v] < key_f[w])


@njit(cache=True)
def _sift_up(heap, place, at, key_k, key_f):
    """Move the node at heap position `at` up to its place."""
    v = heap[at]
    while at > 0:
        parent = (at - 1) // 2
        if not _before(v, heap[parent], key_k, key_f):
            break
        heap[at] = heap[parent]
        place[heap[at]] = at
        at = parent
    heap[at] = v
    place[v] = at


@njit(cache=True)
def _pop(heap, size, place, key_k, key_f):
    """Remove and return the first node of a heap of `size` nodes."""
    first = heap[0]
    size -= 1
    if size > 0:
        v = heap[size]
        at = 0
        while True:
            child = 2 * at + 1
            if child >= size:
                break
            if child + 1 < size and _before(heap[child + 1], heap[child], key_k, key_f):
                child += 1
            if not _before(heap[child], v, key_k, key_f):
                break
            heap[at] = heap[child]
            place[heap[at]] = at
            at = child
        heap[at] = v
        place[v] = at
    place[first] = -1
    return first


@njit(cache=True)
def min_cost_flow(n_sources, n_sinks, supply, need, edge_source, edge_sink, edge_class,
                  edge_cost):
    """Units on each edge of a least-cost flow where a source's unit either takes an edge to
    a sink with room, at cost (edge_class, edge_cost), or stays, at cost (0, 0); and
    potentials (class, minutes) of the sources, then the sinks (`_certificate`): no further
    edge (i, j) of cost (q, c) lowers the total if (q, c) + potential[i] - potential[n_sources
    + j] >= (0, -TOLERANCE) for each. Rewards are negative classes; the module docstring says
    why the pairs behave as numbers. Each unit is routed from its own source (Jonker &
    Volgenant's shortest augmenting path): route from the side with fewer units."""
    n_nodes = n_sources + n_sinks + 1
    end = n_sources + n_sinks
    tail, head, capacity = _arcs(n_sources, n_sinks, supply, need, edge_source, edge_sink,
                                 -1, 0)
    offsets, head, capacity, reverse, position = _csr(tail, head, capacity, n_nodes)
    n_arcs = head.size
    cost_k = np.zeros(n_arcs, np.int64)
    cost_f = np.zeros(n_arcs, np.float64)
    # Potentials under which every arc with room costs at least nothing, before any flow: a
    # source's is minus its cheapest edge (or nothing), so that its first search ends at once
    # when the sink of that edge has room (Jonker & Volgenant's row reduction).
    pot_k = np.zeros(n_nodes, np.int64)
    pot_f = np.zeros(n_nodes, np.float64)
    for e in range(edge_source.size):
        a = position[2 * e]
        cost_k[a], cost_f[a] = edge_class[e], edge_cost[e]
        cost_k[reverse[a]], cost_f[reverse[a]] = -edge_class[e], -edge_cost[e]
        i = edge_source[e]
        if -edge_class[e] > pot_k[i] or (-edge_class[e] == pot_k[i] and -edge_cost[e] > pot_f[i]):
            pot_k[i], pot_f[i] = -edge_class[e], -edge_cost[e]
    dist_k = np.zeros(n_nodes, np.int64)
    dist_f = np.zeros(n_nodes, np.float64)
    stamp = np.zeros(n_nodes, np.int64)  # search in which a node was last reached
    settled = np.zeros(n_nodes, np.int64)  # ... and last settled
    via = np.zeros(n_nodes, np.int64)
    touched = np.empty(n_nodes, np.int64)
    heap = np.empty(n_nodes, np.int64)  # an indexed heap of the nodes reached, not settled
    place = np.full(n_nodes, -1, np.int64)
    search = 0
    for source in range(n_sources):
        left = supply[source]
        while left > 0:
            search += 1
            stamp[source], settled_count = search, 0
            dist_k[source], dist_f[source] = 0, 0.0
            heap[0], place[source], size = source, 0, 1
            while size > 0:
                v = _pop(heap, size, place, dist_k, dist_f)
                size -= 1
                k, f = dist_k[v], dist_f[v]
                settled[v] = search
                touched[settled_count] = v
                settled_count += 1
                if v == end:
                    break
                for a in range(offsets[v], offsets[v + 1]):
                    w = head[a]
                    if capacity[a] <= 0 or settled[w] == search:
                        continue
                    rk = cost_k[a] + pot_k[v] - pot_k[w]
                    rf = cost_f[a] + pot_f[v] - pot_f[w]
                    if rk == 0 and rf < 0.0:
                        rf = 0.0  # float rounding of earlier potentials
                    nk, nf = k + rk, f + rf
                    if stamp[w] != search:
                        stamp[w] = search
                        dist_k[w], dist_f[w] = nk, nf
                        via[w] = a
                        heap[size], place[w] = w, size
                        size += 1
                        _sift_up(heap, place, size - 1, dist_k, dist_f)
                    elif nk < dist_k[w] or (nk == dist_k[w] and nf < dist_f[w]):
                        dist_k[w], dist_f[w] = nk, nf
                        via[w] = a
                        _sift_up(heap, place, place[w], dist_k, dist_f)
            while size > 0:  # those reached but not settled leave the heap
                size -= 1
                place[heap[size]] = -1
            # The super-sink is always reached: a unit may be kept back.
            limit_k, limit_f = dist_k[end], dist_f[end]
            for t in range(settled_count):
                v = touched[t]
                pot_k[v] += dist_k[v] - limit_k
                pot_f[v] += dist_f[v] - limit_f
            pushed = left
            v = end
            while v != source:
                a = via[v]
                pushed = min(pushed, capacity[a])
                v = head[reverse[a]]
            v = end
            while v != source:
                a = via[v]
                capacity[a] -= pushed
                capacity[reverse[a]] += pushed
                v = head[reverse[a]]
            left -= pushed
    flow = np.empty(edge_source.size, np.int64)
    for e in range(edge_source.size):
        flow[e] = capacity[reverse[position[2 * e]]]
    return flow, *_certificate(offsets, head, capacity, reverse, cost_k, cost_f, pot_k, pot_f,
                               n_sources, end)


@njit(cache=True)
def _certificate(offsets, head, capacity, reverse, cost_k, cost_f, pot_k, pot_f, n_sources,
                 end):
    """Potentials (class, minutes) of the sources, then the sinks, under which every arc with
    room costs at least nothing, with the sources' as high and the sinks' as low as that
    allows: a sharp test of a further edge. The sources' are their least costs from the
    super-sink (Dijkstra on the reduced costs); each sink's the least its arcs out allow."""
    n_nodes = offsets.size - 1
    far = np.iinfo(np.int64).max // 4
    dist_k = np.full(n_nodes, far, np.int64)
    dist_f = np.zeros(n_nodes)
    done = np.zeros(n_nodes, np.bool_)
    dist_k[end] = 0
    heap = [(0, 0.0, end)]
    while len(heap) > 0:
        k, f, v = heapq.heappop(heap)
        if done[v] or k != dist_k[v] or f != dist_f[v]:
            continue
        done[v] = True
        for a in range(offsets[v], offsets[v + 1]):
            w = head[a]
            if capacity[a] <= 0 or done[w]:
                continue
            rk = cost_k[a] + pot_k[v] - pot_k[w]
            rf = cost_f[a] + pot_f[v] - pot_f[w]
            if rk == 0 and rf < 0.0:
                rf = 0.0
            nk, nf = k + rk, f + rf
            if nk < dist_k[w] or (nk == dist_k[w] and nf < dist_f[w]):
                dist_k[w], dist_f[w] = nk, nf
                heapq.heappush(heap, (nk, nf, w))
    out_k = np.zeros(end, np.int64)
    out_f = np.zeros(end)
    for v in range(n_sources):  # every source is reached: its units are somewhere
        out_k[v] = dist_k[v] - pot_k[end] + pot_k[v]
        out_f[v] = dist_f[v] - pot_f[end] + pot_f[v]
    for v in range(n_sources, end):
        low_k, low_f, low = 0, 0.0, False
        for a in range(offsets[v], offsets[v + 1]):
            if capacity[a] <= 0:
                continue
            w = head[a]
            wk = 0 if w == end else out_k[w]
            wf = 0.0 if w == end else out_f[w]
            bk, bf = wk - cost_k[a], wf - cost_f[a]
            if not low or bk > low_k or (bk == low_k and bf > low_f):
                low_k, low_f, low = bk, bf, True
        if low:
            out_k[v], out_f[v] = low_k, low_f
        else:  # no arc out: any value no arc in forbids, as its distance
            out_k[v] = dist_k[v] - pot_k[end] + pot_k[v]
            out_f[v] = dist_f[v] - pot_f[end] + pot_f[v]
    return out_k, out_f
