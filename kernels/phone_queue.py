"""The phone queue of one sender: `callers` lines calling its children in order, with retries.

Equivalent to a SimPy Resource of capacity `callers` that each child requests in child order
(a retry requests again `retry_min` after an unanswered attempt ends): requests are granted
first come, first served, each to the line that frees first. It is computed in one pass when
the sender starts calling, because nothing outside the sender's own children can change it:
a child's other channels come from the same sender and are known at that moment. A child who
has already acknowledged on another channel when a line would call them is skipped.
A child who changes state during the calls (wakes, comes home) answers from then on with the
new state's outcome of the same attempt (`answered_later`, from `later_from_min`).
"""

from __future__ import annotations

import heapq

import numpy as np
from numba import njit


@njit(cache=True)
def dial(start_min, acknowledged_min, answered, call_min, ring_min, retry_min, callers,
         horizon_min, answered_later, later_from_min):
    """Return (acknowledged by phone, first ring, gave up) minutes of each child; inf = never.

    `acknowledged_min[k]`: when child k acknowledges on another channel (inf = never);
    `answered[k, a]`: whether attempt a to child k is answered; `call_min[k]`: length of the
    answered call (the child acknowledges at its end); `ring_min[k, a]`, `retry_min[k, a]`:
    time lost on unanswered attempt a and the wait before the next one; an attempt begun at or
    after `later_from_min[k]` is answered as `answered_later[k, a]` says (inf: never).
    "Gave up": the end of the last attempt when all were unanswered.
    """
    n, attempts = answered.shape
    phone_min = np.full(n, np.inf)
    first_ring_min = np.full(n, np.inf)
    gave_up_min = np.full(n, np.inf)
    if n == 0:
        return phone_min, first_ring_min, gave_up_min
    # Requests (eligible from, order of request, child, attempt): first come, first served.
    requests = [(float(start_min), k, k, 0) for k in range(n)]
    # Lines beyond one per child would never be used: a huge `callers` costs nothing.
    lines = [float(start_min)] * min(callers, n)
    order = n
    while len(requests) > 0:
        eligible, _, k, attempt = heapq.heappop(requests)
        free = heapq.heappop(lines)
        t = max(eligible, free)
        if t >= horizon_min:
            break
        if acknowledged_min[k] <= t:
            heapq.heappush(lines, t)
            continue
        if attempt == 0:
            first_ring_min[k] = t
        picks_up = answered_later[k, attempt] if t >= later_from_min[k] else answered[k, attempt]
        if picks_up:
            end = t + call_min[k]
            phone_min[k] = end
        else:
            end = t + ring_min[k, attempt]
            if attempt + 1 < attempts:
                heapq.heappush(requests, (end + retry_min[k, attempt], order, k, attempt + 1))
                order += 1
            elif end < horizon_min:
                gave_up_min[k] = end
        heapq.heappush(lines, end)
    return phone_min, first_ring_min, gave_up_min
