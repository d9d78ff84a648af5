"""One relay of an order to a sender's children: when each acknowledges, and on which channel.

Array-only (n people of the receiving population, drawn up front in entity order; c channel
codes; a phone attempts). A message channel m reaches child i if `reached[m, i]`; it is
delivered `delivery_min[m, i]` after the start and read `read_min[m, i]` later, or, from
`home_min[i]` on (inf: never), `read_home_min[m, i]` after the later of delivery and home.
The phone (`dials`) calls the children still unacknowledged in order on `callers` lines
(mobsim.kernels.phone_queue); a child whose attempts all failed is found at the door
`chase_min[i]` after the last one (inf: never). The first channel wins; a tie keeps the
earlier channel (messages in the order given, then phone, then door), and `prior_min` (when
each child acknowledges on what reached them before) is never made later.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .phone_queue import dial


@njit(cache=True)
def reach(children, start_min, horizon_min, prior_min, message_channels, reached, delivery_min,
          read_min, read_home_min, home_min, dials, phone_code, callers, answered,
          answered_home, call_min, ring_min, retry_min, door_code, chase_min):
    """(acknowledged, channel, notified) minutes and codes of each child; inf = not reached."""
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
        return acknowledged, channel, notified
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
    return acknowledged, channel, notified
