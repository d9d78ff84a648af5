"""One relay of an order to a sender's children: the phone queue (`dial`), when each child
acknowledges and on which channel (`reach`), and what the receiving level keeps (`deliver`).

Array-only (n people of the receiving population, drawn up front in entity order; c channel
codes; a phone attempts). A message channel m reaches child i if `reached[m, i]`; it is
delivered `delivery_min[m, i]` after the start and read `read_min[m, i]` later, or, from
`home_min[i]` on (inf: never), `read_home_min[m, i]` after the later of delivery and home.
The phone (`dials`) calls the children still unacknowledged (`dial`); a child whose attempts
all failed is found at the door `chase_min[i]` after the last one (inf: never, or chased by
someone whose time is modelled outside the kernel, who is told when the attempts failed). The first
channel wins; a tie keeps the earlier channel (messages in the order given, then phone, then
door), and `prior_min` (when each child acknowledges on what reached them before) is never
made later.

The phone queue: `callers` lines call the sender's children in order, with retries. It is a
SimPy Resource of capacity `callers` that each child requests in child order (a retry
requests again `retry_min` after an unanswered attempt ends): requests are granted first come,
first served, each to the line that frees first. It is computed in one pass when the sender
starts calling, because nothing outside the sender's own children can change it: a child's
other channels come from the same sender and are known at that moment. A child who has
already acknowledged on another channel when a line would call them is skipped. A child who
changes state during the calls (wakes, comes home) answers from then on with the new state's
outcome of the same attempt (`answered_later`, from `later_from_min`).

The three share one module: Numba's cache tracks a function's own file only, and `reach`
compiles `dial` into itself.
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
    "Gave up": the end of the last attempt when all were unanswered, before the horizon.
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
        # The whole call list, past the horizon too: who is still to be called before it
        # must not depend on where the horizon lies.
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


@njit(cache=True)
def reach(children, start_min, horizon_min, prior_min, message_channels, reached, delivery_min,
          read_min, read_home_min, home_min, dials, phone_code, callers, answered,
          answered_home, call_min, ring_min, retry_min, door_code, chase_min):
    """(acknowledged, channel, notified, gave up) minutes and codes of each child; inf = not
    reached (gave up: the end of the last of the child's phone attempts, all unanswered)."""
    n = children.size
    acknowledged = prior_min.copy()
    channel = np.zeros(n, dtype=np.int8)
    notified = np.full(n, np.inf)
    for m in message_channels:
        for j in range(n):
            i = children[j]
            delivered = start_min + delivery_min[m, i] if reached[m, i] else np.inf
            read = min(delivered + read_min[m, i],
                       max(delivered, home_min[i]) + read_home_min[m, i])
            if read < acknowledged[j]:
                acknowledged[j] = read
                channel[j] = m
            notified[j] = min(notified[j], delivered)
    if not dials:
        return acknowledged, channel, notified, np.full(n, np.inf)
    phone, ring, gave_up = dial(start_min, acknowledged, answered[children], call_min[children],
                                ring_min[children], retry_min[children], callers, horizon_min,
                                answered_home[children], home_min[children])
    for j in range(n):
        if phone[j] < acknowledged[j]:
            acknowledged[j] = phone[j]
            channel[j] = phone_code
        notified[j] = min(notified[j], ring[j])
        door = gave_up[j] + chase_min[children[j]]
        if door < acknowledged[j]:
            acknowledged[j] = door
            channel[j] = door_code
    return acknowledged, channel, notified, gave_up


@njit(cache=True)
def deliver(children, now_min, horizon_min, acknowledged_min, channel, notified_min,
            level_notified_min, level_due_min, level_channel, follow_up_min, in_person_min):
    """Keep one relay's outcome (`reach`'s, child by child) on the receiving level, in place.

    A child's first notification is kept (`level_notified_min`). A child with no confirmation
    `follow_up_min` after the relay (inf: no follow-up) is given the order in person
    `in_person_min[i]` later. A child acknowledging sooner than due keeps the channel and the
    new due minute. Returns (whether each child was first notified now, the children to
    acknowledge before the horizon, their minutes).
    """
    n = children.size
    first = np.zeros(n, dtype=np.bool_)
    due_children = np.empty(n, dtype=np.int64)
    due_min = np.empty(n)
    due = 0
    for j in range(n):
        i = children[j]
        if notified_min[j] < level_notified_min[i]:
            level_notified_min[i] = notified_min[j]
            first[j] = True
        acknowledged = acknowledged_min[j]
        if acknowledged > now_min + follow_up_min:
            acknowledged = min(acknowledged, now_min + follow_up_min + in_person_min[i])
        if acknowledged < level_due_min[i]:
            level_channel[i] = channel[j]
            level_due_min[i] = acknowledged
            if acknowledged < horizon_min:
                due_children[due] = i
                due_min[due] = acknowledged
                due += 1
    return first, due_children[:due], due_min[:due]
