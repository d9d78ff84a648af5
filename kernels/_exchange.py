"""Cheapest exchange between two agents of a transportation problem, kept up to date.

The transport kernel (kernels/_transport.py) works on *agents*: the suppliers of the solved
side plus one dummy. Agent `owner` ships to the columns in its member list. "Taker takes column j
from owner" moves units of j's demand from owner to taker at cost
    key(taker, owner, j) = cost[taker, j] - cost[owner, j],
and the kernel's shortest paths run over agents only, along the cheapest such exchange of every
(taker, owner) pair: best_key[taker, owner], column best_col[taker, owner].

Keeping those minima exact while columns join and leave member lists is the job of this module.
Each pair keeps a short buffer of candidate columns, keys in buf_key[taker, owner, head:length]
ascending, and a limit, with the invariants
    every member j of owner with key(taker, owner, j) < buf_limit[taker, owner] is in the buffer;
    the head entry is a current member and its key is at most the limit,
so the head is the pair's best exchange (entries behind it may have left since: they are
skipped when they reach the head). A joining column becomes the new head if it beats it;
otherwise the limit just drops to its key (O(1), no insertion). When the head leaves and what
follows is empty or above the limit, one scan of the owner's members refills the buffer. Keys do
not depend on the flow or the prices, so a column that leaves and rejoins needs no bookkeeping.

Arguments are grouped in tuples:
    members = (member, member_count, member_pos)   # member[u, :member_count[u]], member_pos[u, j]
    pairs = (buf_key, buf_col, buf_head, buf_len, buf_limit, best_key, best_col)
Tuples are unpacked once per call and arrays indexed in full (a[t, o, k], not views): in Numba
each unpacked array or view costs reference counting, which dominated the hot loops.
"""

import numpy as np
from numba import njit


@njit(cache=True)
def refill(cost, members, pairs, taker, owner):
    """Rebuild the candidate buffer of (taker, owner) from a scan of owner's members."""
    member, member_count, _ = members
    buf_key, buf_col, buf_head, buf_len, buf_limit, best_key, best_col = pairs
    size = buf_key.shape[2]
    filled = 0
    dropped = False
    for t in range(member_count[owner]):
        j = member[owner, t]
        key = cost[taker, j] - cost[owner, j]
        if not key < np.inf:
            continue
        if filled == size:
            dropped = True
            if key >= buf_key[taker, owner, size - 1]:
                continue
            filled -= 1
        slot = filled
        while slot > 0 and buf_key[taker, owner, slot - 1] > key:
            buf_key[taker, owner, slot] = buf_key[taker, owner, slot - 1]
            buf_col[taker, owner, slot] = buf_col[taker, owner, slot - 1]
            slot -= 1
        buf_key[taker, owner, slot] = key
        buf_col[taker, owner, slot] = j
        filled += 1
    buf_head[taker, owner] = 0
    buf_len[taker, owner] = filled
    buf_limit[taker, owner] = buf_key[taker, owner, size - 1] if dropped else np.inf
    best_key[taker, owner] = buf_key[taker, owner, 0] if filled else np.inf
    best_col[taker, owner] = buf_col[taker, owner, 0] if filled else -1


@njit(cache=True)
def join(by_column, members, pairs, owner, j):
    """Column j enters owner's member list (its flow from owner just became positive).

    `by_column` is the cost matrix transposed: the column's costs lie together in memory.
    """
    member, member_count, member_pos = members
    buf_key, buf_col, buf_head, buf_len, buf_limit, best_key, best_col = pairs
    member_pos[owner, j] = member_count[owner]
    member[owner, member_count[owner]] = j
    member_count[owner] += 1
    size = buf_key.shape[2]
    for taker in range(by_column.shape[1]):
        key = by_column[j, taker] - by_column[j, owner]
        if taker == owner or not key < buf_limit[taker, owner]:
            continue
        if not key < best_key[taker, owner]:
            # Not the best: rather than insert it, lower the limit below which the buffer is
            # complete; a later refill finds it.
            buf_limit[taker, owner] = key
            continue
        head = buf_head[taker, owner]
        if head > 0:
            head -= 1
        else:
            length = buf_len[taker, owner]
            if length == size:
                length -= 1
                buf_limit[taker, owner] = min(buf_limit[taker, owner],
                                              buf_key[taker, owner, length])
            for slot in range(length, 0, -1):
                buf_key[taker, owner, slot] = buf_key[taker, owner, slot - 1]
                buf_col[taker, owner, slot] = buf_col[taker, owner, slot - 1]
            buf_len[taker, owner] = length + 1
        buf_key[taker, owner, head] = key
        buf_col[taker, owner, head] = j
        buf_head[taker, owner] = head
        best_key[taker, owner] = key
        best_col[taker, owner] = j


@njit(cache=True)
def leave(cost, flow, members, pairs, owner, j):
    """Column j leaves owner's member list (its flow from owner just fell to zero)."""
    member, member_count, member_pos = members
    buf_key, buf_col, buf_head, buf_len, buf_limit, best_key, best_col = pairs
    last = member_count[owner] - 1
    slot = member_pos[owner, j]
    moved = member[owner, last]
    member[owner, slot] = moved
    member_pos[owner, moved] = slot
    member_count[owner] = last
    for taker in range(cost.shape[0]):
        if taker == owner or best_col[taker, owner] != j:
            continue
        head = buf_head[taker, owner]
        length = buf_len[taker, owner]
        while head < length and flow[owner, buf_col[taker, owner, head]] == 0:
            head += 1
        buf_head[taker, owner] = head
        if head < length and buf_key[taker, owner, head] <= buf_limit[taker, owner]:
            best_key[taker, owner] = buf_key[taker, owner, head]
            best_col[taker, owner] = buf_col[taker, owner, head]
        elif buf_limit[taker, owner] < np.inf:
            refill(cost, members, pairs, taker, owner)
        else:
            best_key[taker, owner] = np.inf
            best_col[taker, owner] = -1
