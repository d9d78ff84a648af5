"""Minimum-cost transportation by successive shortest paths over the agents of one side.

The problem arrives balanced and extended (kernels/assignment.py builds it): rows are *agents*
(the suppliers of the solved side, then one dummy agent at cost 0 that holds whatever demand the
real agents leave unserved), columns are demands (the real ones, then one spare column at cost 0
that takes the real agents' unused supply). Infinite cost means no arc.

Invariants kept between steps:
- every column is fully held: flow[:, j].sum() == demand[j]; what is unbalanced sits on agents,
  balance[u] = supply[u] - flow[u].sum() (> 0: units to place, < 0: units to give up);
- prices make every exchange non-negative: for each column j and each agent o holding it,
  cost[o, j] + price[o] = min over agents u of cost[u, j] + price[u].

A step runs Dijkstra over agents (not columns: a column between two agents is the exchange
"taker takes column j from owner", see kernels/_exchange.py) from all agents with units to place
to the nearest agent with units to give up, shifts units along that chain of exchanges, and
raises every price by its distance, capped at the target's. This is the successive shortest path
method with the column nodes eliminated: a step costs O(agents²) however many columns there are.
"""

import numpy as np
from numba import njit

from ._exchange import join, leave, refill


@njit(cache=True)
def repair(cost, flow, supply, demand, price, tolerance):
    """Make a carried-over flow hold every column exactly, at its cheapest agents; balances.

    Units held above a column's demand are dropped (the dummy's first), holders dearer than the
    cheapest agent by more than `tolerance` (relative) hand their units to it, and a shortfall
    goes to it too: afterwards the price invariant holds and only agents are unbalanced. An
    empty result means a column with demand that no agent can serve. Row by row, for memory order.
    """
    n_agents, n_columns = cost.shape
    dummy = n_agents - 1
    cheapest = np.full(n_columns, np.inf)
    filler = np.full(n_columns, -1, np.int64)
    shortfall = demand.copy()
    for u in range(n_agents):
        for j in range(n_columns):
            value = cost[u, j] + price[u]
            if value < cheapest[j]:
                cheapest[j] = value
                filler[j] = u
            shortfall[j] -= flow[u, j]
    ceiling = cheapest + tolerance * np.maximum(1.0, np.abs(cheapest))
    for j in range(n_columns):
        # The dummy keeps unserved demand when it is as cheap: the carried-over answer.
        if cost[dummy, j] + price[dummy] <= ceiling[j]:
            filler[j] = dummy
        if filler[j] < 0 and demand[j] > 0:
            return np.empty(0, np.int64)
    for u in range(n_agents - 1, -1, -1):
        for j in range(n_columns):
            held = flow[u, j]
            if held == 0:
                continue
            if shortfall[j] < 0:
                cut = min(-shortfall[j], held)
                held -= cut
                shortfall[j] += cut
            if u != filler[j] and cost[u, j] + price[u] > ceiling[j]:
                shortfall[j] += held
                held = 0
            flow[u, j] = held
    for j in range(n_columns):
        if shortfall[j] > 0:
            flow[filler[j], j] += shortfall[j]
    balance = supply.copy()
    for u in range(n_agents):
        balance[u] -= flow[u].sum()
    return balance


@njit(cache=True)
def _exchange_tables(cost, flow, buffer_size):
    """Member lists of every agent and the exchange buffers of every pair, from the flow."""
    n_agents, n_columns = cost.shape
    member = np.empty((n_agents, n_columns), np.int32)
    member_count = np.zeros(n_agents, np.int64)
    member_pos = np.empty((n_agents, n_columns), np.int32)
    for u in range(n_agents):
        for j in range(n_columns):
            if flow[u, j] > 0:
                member_pos[u, j] = member_count[u]
                member[u, member_count[u]] = j
                member_count[u] += 1
    shape = (n_agents, n_agents)
    pairs = (np.empty(shape + (buffer_size,), np.float64),
             np.empty(shape + (buffer_size,), np.int64),
             np.zeros(shape, np.int64), np.zeros(shape, np.int64), np.zeros(shape, np.float64),
             np.full(shape, np.inf), np.full(shape, -1, np.int64))
    members = (member, member_count, member_pos)
    for taker in range(n_agents):
        for owner in range(n_agents):
            if taker != owner:
                refill(cost, members, pairs, taker, owner)
    return members, pairs


@njit(cache=True)
def _nearest_deficit(best_key, best_col, price, balance, dist, waiting, pred, via):
    """Dijkstra from all agents with units to place; the first agent with units to give up."""
    n_waiting = balance.shape[0]
    at = -1
    for v in range(n_waiting):
        dist[v] = 0.0 if balance[v] > 0 else np.inf
        pred[v] = -1
        waiting[v] = v
        if at < 0 and balance[v] > 0:
            at = v
    u = at
    while u >= 0 and balance[u] >= 0:
        n_waiting -= 1
        waiting[at] = waiting[n_waiting]
        base = dist[u] + price[u]
        # Relax u's exchanges and pick the next agent in one sweep over those still waiting.
        nearest = np.inf
        at = -1
        for k in range(n_waiting):
            v = waiting[k]
            key = best_key[u, v]
            if key < np.inf:
                reach = base + key - price[v]
                if reach < dist[v]:
                    dist[v] = reach
                    pred[v] = u
                    via[v] = best_col[u, v]
            if dist[v] < nearest:
                nearest = dist[v]
                at = k
        u = waiting[at] if at >= 0 else -1
    return u


@njit(cache=True)
def _shift(cost, by_column, flow, members, pairs, balance, pred, via, target):
    """Move as many units as the chain allows from its start to `target`; the units moved."""
    units = -balance[target]
    v = target
    while pred[v] >= 0:
        units = min(units, flow[v, via[v]])
        v = pred[v]
    units = min(units, balance[v])
    balance[v] -= units
    balance[target] += units
    v = target
    while pred[v] >= 0:
        taker, j = pred[v], via[v]
        flow[taker, j] += units
        if flow[taker, j] == units:
            join(by_column, members, pairs, taker, j)
        flow[v, j] -= units
        if flow[v, j] == 0:
            leave(cost, flow, members, pairs, v, j)
        v = taker
    return units


@njit(cache=True)
def solve(cost, by_column, flow, supply, demand, price, tolerance, buffer_size):
    """Least-cost flow from a carried-over one, updating flow and price in place; False if none.

    `by_column` is `cost` transposed (C order): a joining column reads all agents' costs at once.
    """
    balance = repair(cost, flow, supply, demand, price, tolerance)
    if balance.size == 0:
        return False
    members, pairs = _exchange_tables(cost, flow, buffer_size)
    best_key, best_col = pairs[5], pairs[6]
    n_agents = balance.shape[0]
    dist = np.empty(n_agents)
    waiting = np.empty(n_agents, np.int64)
    pred = np.empty(n_agents, np.int64)
    via = np.empty(n_agents, np.int64)
    remaining = balance[balance > 0].sum()
    while remaining > 0:
        target = _nearest_deficit(best_key, best_col, price, balance, dist, waiting, pred, via)
        if target < 0:
            return False
        reach = dist[target]
        for u in range(n_agents):
            price[u] += min(dist[u], reach)
        remaining -= _shift(cost, by_column, flow, members, pairs, balance, pred, via, target)
    return True
