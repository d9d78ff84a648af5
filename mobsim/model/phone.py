"""The phone queue of one sender: `callers` lines calling its children in order, with retries.

Equivalent to a SimPy Resource of capacity `callers` that each child requests in child order
(a retry requests again `retry_min` after an unanswered attempt ends): requests are granted
first come, first served, each to the line that frees first. It is computed in one pass when
the sender starts calling, because nothing outside the sender's own children can change it:
a child's other channels come from the same sender and are known at that moment. A child who
has already acknowledged on another channel when a line would call them is skipped.
A child who changes state during the calls (wakes, comes home) answers from then on with the
new state's outcome of the same attempt (`later`).
"""

from __future__ import annotations

import heapq

import numpy as np


def dial(start_min: float, acknowledged_min: np.ndarray, answered: np.ndarray,
         call_min: np.ndarray, ring_min: np.ndarray, retry_min: np.ndarray, callers: int,
         horizon_min: float, later: tuple[np.ndarray, np.ndarray] | None = None,
         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (acknowledged by phone, first ring, gave up) minutes of each child; inf = never.

    `acknowledged_min[k]`: when child k acknowledges on another channel (inf = never);
    `answered[k, a]`: whether attempt a to child k is answered; `call_min[k]`: length of the
    answered call (the child acknowledges at its end); `ring_min[k, a]`, `retry_min[k, a]`:
    time lost on unanswered attempt a and the wait before the next one. `later` =
    (answered_later[k, a], from_min[k]): an attempt begun at or after from_min[k] is answered
    as answered_later says. "Gave up": the end of the last attempt when all were unanswered.
    """
    n, attempts = answered.shape
    phone_min = np.full(n, np.inf)
    first_ring_min = np.full(n, np.inf)
    gave_up_min = np.full(n, np.inf)
    # Python lists: this loop reads single values, which NumPy scalars make several times slower.
    other, pick_up, call = acknowledged_min.tolist(), answered.tolist(), call_min.tolist()
    ring, retry = ring_min.tolist(), retry_min.tolist()
    if later is None:
        pick_up_later, switch = pick_up, [np.inf] * n
    else:
        pick_up_later, switch = later[0].tolist(), later[1].tolist()
    requests = [(start_min, k, k, 0) for k in range(n)]
    # Lines beyond one per child would never be used: a huge `callers` costs nothing.
    lines = [start_min] * min(callers, n)
    order = n
    while requests:
        eligible, _, k, attempt = heapq.heappop(requests)
        free = heapq.heappop(lines)
        t = max(eligible, free)
        if t >= horizon_min:
            break
        if other[k] <= t:
            heapq.heappush(lines, t)
            continue
        if attempt == 0:
            first_ring_min[k] = t
        if (pick_up_later if t >= switch[k] else pick_up)[k][attempt]:
            end = t + call[k]
            phone_min[k] = end
        else:
            end = t + ring[k][attempt]
            if attempt + 1 < attempts:
                heapq.heappush(requests, (end + retry[k][attempt], order, k, attempt + 1))
                order += 1
            elif end < horizon_min:
                gave_up_min[k] = end
        heapq.heappush(lines, end)
    return phone_min, first_ring_min, gave_up_min
