"""Cheapest exchange between two agents of a transportation problem, kept up to date.

The transport kernel (kernels/_transport.py) works on *agents*: the suppliers of the smaller
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
"""

import numpy as np
from numba import njit


@njit(cache=True)
def refill(cost, members, pairs, taker, owner):
    """Rebuild the candidate buffer of (taker, owner) from a scan of owner's members."""
    member, member_count, _ = members
    buf_key, buf_col, buf_head, buf_len, buf_limit, _, _ = pairs
    size = buf_key.shape[2]
    keys = buf_key[taker, owner]
    cols = buf_col[taker, owner]
    filled = 0
    dropped = False
    for t in range(member_count[owner]):
        j = member[owner, t]
        key = cost[taker, j] - cost[owner, j]
        if not key < np.inf:
            continue
        if filled == size:
            dropped = True
            if key >= keys[size - 1]:
                continue
            filled -= 1
        slot = filled
        while slot > 0 and keys[slot - 1] > key:
            keys[slot] = keys[slot - 1]
            cols[slot] = cols[slot - 1]
            slot -= 1
        keys[slot] = key
        cols[slot] = j
        filled += 1
    buf_head[taker, owner] = 0
    buf_len[taker, owner] = filled
    buf_limit[taker, owner] = keys[size - 1] if dropped else np.inf
    _publish_head(pairs, taker, owner)


@njit(cache=True)
def _publish_head(pairs, taker, owner):
    buf_key, buf_col, buf_head, buf_len, _, best_key, best_col = pairs
    head = buf_head[taker, owner]
    if head < buf_len[taker, owner]:
        best_key[taker, owner] = buf_key[taker, owner, head]
        best_col[taker, owner] = buf_col[taker, owner, head]
    else:
        best_key[taker, owner] = np.inf
        best_col[taker, owner] = -1


@njit(cache=True)
def _offer(pairs, taker, owner, key, j):
    """Record that column j (key `key`) joined owner's members, for the pair (taker, owner)."""
    buf_key, buf_col, buf_head, buf_len, buf_limit, best_key, _ = pairs
    if not key < buf_limit[taker, owner]:
        return
    if not key < best_key[taker, owner]:
        # Not the best: rather than insert it, lower the limit below which the buffer is
        # complete; a later refill finds it.
        buf_limit[taker, owner] = key
        return
    keys = buf_key[taker, owner]
    cols = buf_col[taker, owner]
    head = buf_head[taker, owner]
    if head > 0:
        head -= 1
    else:
        length = buf_len[taker, owner]
        if length == keys.shape[0]:
            length -= 1
            buf_limit[taker, owner] = min(buf_limit[taker, owner], keys[length])
        for slot in range(length, 0, -1):
            keys[slot] = keys[slot - 1]
            cols[slot] = cols[slot - 1]
        buf_len[taker, owner] = length + 1
    keys[head] = key
    cols[head] = j
    buf_head[taker, owner] = head
    best_key[taker, owner] = key
    pairs[6][taker, owner] = j


@njit(cache=True)
def join(by_column, members, pairs, owner, j):
    """Column j enters owner's member list (its flow from owner just became positive).

    `by_column` is the cost matrix transposed: the column's costs lie together in memory.
    """
    member, member_count, member_pos = members
    member_pos[owner, j] = member_count[owner]
    member[owner, member_count[owner]] = j
    member_count[owner] += 1
    costs = by_column[j]
    for taker in range(costs.shape[0]):
        if taker != owner:
            _offer(pairs, taker, owner, costs[taker] - costs[owner], j)


@njit(cache=True)
def leave(cost, flow, members, pairs, owner, j):
    """Column j leaves owner's member list (its flow from owner just fell to zero)."""
    member, member_count, member_pos = members
    buf_key, buf_col, buf_head, buf_len, buf_limit, _, best_col = pairs
    last = member_count[owner] - 1
    slot = member_pos[owner, j]
    moved = member[owner, last]
    member[owner, slot] = moved
    member_pos[owner, moved] = slot
    member_pos[owner, j] = -1
    member_count[owner] = last
    for taker in range(cost.shape[0]):
        if taker == owner or best_col[taker, owner] != j:
            continue
        head = buf_head[taker, owner]
        while head < buf_len[taker, owner] and flow[owner, buf_col[taker, owner, head]] == 0:
            head += 1
        buf_head[taker, owner] = head
        if head == buf_len[taker, owner]:
            if buf_limit[taker, owner] < np.inf:
                refill(cost, members, pairs, taker, owner)
            else:
                _publish_head(pairs, taker, owner)
        elif buf_key[taker, owner, head] > buf_limit[taker, owner]:
            refill(cost, members, pairs, taker, owner)
        else:
            _publish_head(pairs, taker, owner)
