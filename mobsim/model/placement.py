"""Least-cost placement of a dispatch round: how many reserves each source sends to each gap.

Every placement is a min-cost transportation problem (mobsim.kernels.assignment.transport),
cut to the columns an optimal plan can use; one source or one sink needs no solver.
"""

from __future__ import annotations

import numpy as np

from mobsim.kernels.assignment import transport


def nearest_columns(cost: np.ndarray, count: int) -> np.ndarray:
    """Columns that an optimal plan sending `count` units needs when every sink can take one.

    If a source sent a unit past its `count` cheapest sinks, one of those would still lack a
    unit (they take at least `count` together, at most `count - 1` arrive there), and moving
    the unit there costs no more: so the union of each source's `count` cheapest columns
    holds an optimal plan.
    """
    if cost.shape[1] <= count:
        return np.arange(cost.shape[1])
    cheapest = np.argpartition(cost, count - 1, axis=1)[:, :count]
    return np.unique(cheapest)


def place(cost: np.ndarray, supply: np.ndarray, demand: np.ndarray, count: int) -> np.ndarray:
    """Least-cost integer flow sending exactly `count` units, every demand at least one.

    `count` may be less than both totals (some sources keep units back): a column cheaper
    than every other then takes the units kept back.
    """
    if min(cost.shape) == 1:
        return _cheapest_first(cost, supply, demand, count)
    if cost.shape[1] <= count:  # every column may be needed
        return _keeping_back(cost, supply, demand, count)
    columns = nearest_columns(cost, count)
    flow = np.zeros(cost.shape, dtype=np.int64)
    flow[:, columns] = _keeping_back(cost[:, columns], supply, demand[columns], count)
    return flow


def _keeping_back(cost: np.ndarray, supply: np.ndarray, demand: np.ndarray,
                  count: int) -> np.ndarray:
    """The least-cost flow of exactly `count` units: the units kept back go to a column
    cheaper than every other."""
    columns = cost.shape[1]
    if count < min(supply.sum(), demand.sum()):
        cost = np.column_stack([cost, np.full(len(supply), cost.min() - 1.0)])
        demand = np.append(demand, supply.sum() - count)
    return transport(cost, supply, demand)[:, :columns]


def _cheapest_first(cost: np.ndarray, supply: np.ndarray, demand: np.ndarray,
                    count: int) -> np.ndarray:
    """`place` with one source or one sink: the cheapest pairs filled first is optimal, as no
    two pairs share a limit but the one source's (or sink's), which `count` respects."""
    capacity = np.broadcast_to(demand if cost.shape[0] == 1 else supply[:, None],
                               cost.shape).ravel()
    order = np.argsort(cost.ravel(), kind="stable")
    before = np.cumsum(capacity[order]) - capacity[order]
    flow = np.zeros(cost.size, dtype=np.int64)
    flow[order] = np.clip(count - before, 0, capacity[order])
    return flow.reshape(cost.shape)
