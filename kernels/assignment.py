"""Assignment kernels: who goes to which gap, at least total travel time.

`linear_sum_assignment(cost, maximize=False)` keeps the contract of
scipy.optimize.linear_sum_assignment: rectangular matrices, +inf (with `maximize`, -inf) marks a
forbidden pair, ValueError on NaN, on -inf (with `maximize`, +inf), and when no complete
assignment of the smaller side exists; row indexes come back sorted.

`transport(cost, supply, demand)` is the dispatcher's call: cadres of one unit (or gathered at
one community) are interchangeable, so a unit is one row with an integer supply instead of one
row per cadre. It returns the integer flow of least total cost that serves the smaller of total
supply and total demand in full (+inf cost: no arc), the same optimum as linear_sum_assignment on
the matrix with each row repeated supply times and each column demand times.

`transport_warm(cost, supply, demand, state)` is the same solve, started from the answer and the
dual prices of an earlier solve of a problem of the same shape (`TransportState`): when a few gaps
open or close (demand changes, 0 = closed) or supplies change, only the units that must move are
re-routed, and an unchanged problem keeps its answer. Usage:

    flow, state = transport_warm(cost, supply, demand)   # state=None: a cold solve
    demand[closed] = 0; demand[opened] = 1; supply[unit] -= 1
    flow, state = transport_warm(cost, supply, demand, state)

The answer is optimal whatever changed (costs too); speed is what the carried-over state buys.
Decisions on carried-over prices use a relative tolerance of `WARM_TOLERANCE`.

Exactness: with whole-number costs every solve is exact (warm ones while agents × the largest
cost stays below 1e9, where prices stay whole numbers far above the tolerance); with other costs
optimal up to float rounding of the total, as scipy's.

Algorithm of `transport`: successive shortest paths over the *agents* of the side with fewer
entries (rows unless columns are fewer) plus a dummy, with the other side's nodes eliminated (see
kernels/_transport.py). A step costs O(agents²) whatever the number of columns, so 61 units and
10,161 micro-grids take 3,241 cheap steps; memory is O(agents × columns + agents² × BUFFER_SIZE).
Meant for a few hundred agents at most: a square many-by-many problem is linear_sum_assignment's.
"""

from __future__ import annotations

from functools import cache
from typing import NamedTuple

import numpy as np

from ._lsa import assign
from ._transport import solve

BUFFER_SIZE = 16
"""Candidate columns remembered per pair of agents (kernels/_exchange.py)."""

WARM_TOLERANCE = 1e-9
"""Relative slack under which carried-over holders of a column count as its cheapest."""

_ASSIGN_SIGNATURE = "Tuple((int64[::1], boolean))(float64[:, ::1])"
_SOLVE_SIGNATURE = ("boolean(float64[:, ::1], float64[:, ::1], int64[:, ::1], int64[::1], "
                    "int64[::1], float64[::1], float64, int64)")


class TransportState(NamedTuple):
    """Answer and dual prices of one transport solve, to warm-start the next of the same shape."""

    flow: np.ndarray
    """(rows, columns) int64 units shipped."""
    price: np.ndarray
    """float64 dual price of each agent of the solved side (rows unless columns are fewer),
    then of the dummy agent holding the unserved demand."""


def linear_sum_assignment(cost: np.ndarray, maximize: bool = False
                          ) -> tuple[np.ndarray, np.ndarray]:
    """Rows and their columns of a least-cost (with `maximize`, greatest) complete assignment."""
    matrix = np.asarray(cost)
    if matrix.ndim != 2:
        raise ValueError(f"expected a matrix (2-D array), got a {matrix.ndim} array")
    matrix = -matrix.astype(np.float64) if maximize else matrix.astype(np.float64)
    if not (matrix > -np.inf).all():  # false for NaN and -inf alike: one pass
        raise ValueError("matrix contains invalid numeric entries")
    transposed = matrix.shape[0] > matrix.shape[1]
    if transposed:
        matrix = matrix.T
    col_of_row, feasible = _compiled(assign, _ASSIGN_SIGNATURE)(np.ascontiguousarray(matrix))
    if not feasible:
        raise ValueError("cost matrix is infeasible")
    rows = np.arange(matrix.shape[0], dtype=np.int64)
    if not transposed:
        return rows, col_of_row
    order = np.argsort(col_of_row, kind="stable")
    return col_of_row[order], rows[order]


def transport(cost: np.ndarray, supply: np.ndarray, demand: np.ndarray) -> np.ndarray:
    """Least-cost integer flow serving the smaller of total supply and total demand in full."""
    return transport_warm(cost, supply, demand)[0]


def transport_warm(cost: np.ndarray, supply: np.ndarray, demand: np.ndarray,
                   state: TransportState | None = None) -> tuple[np.ndarray, TransportState]:
    """`transport`, started from an earlier solve's state when given; (flow, new state)."""
    matrix, supply, demand = _transport_inputs(cost, supply, demand)
    transposed = matrix.shape[0] > matrix.shape[1]
    if transposed:
        matrix, supply, demand = matrix.T, demand, supply
    flow, price = _start(matrix, supply, state, transposed)
    # Balanced: the dummy agent supplies the demand beyond the supply, the spare column
    # takes the supply beyond the demand.
    surplus = int(supply.sum()) - int(demand.sum())
    extended = _extended_cost(matrix)
    feasible = _compiled(solve, _SOLVE_SIGNATURE)(
        extended, np.ascontiguousarray(extended.T), flow, _with(supply, max(0, -surplus)),
        _with(demand, max(0, surplus)), price, WARM_TOLERANCE, BUFFER_SIZE)
    if not feasible:
        raise ValueError("no transport serves the smaller of total supply and demand in full")
    shipped = flow[:-1, :-1]
    shipped = np.ascontiguousarray(shipped.T if transposed else shipped)
    return shipped, TransportState(shipped.copy(), price)


def _transport_inputs(cost: np.ndarray, supply: np.ndarray, demand: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    matrix = np.asarray(cost, dtype=np.float64)
    if matrix.ndim != 2:
        raise ValueError(f"cost must be a matrix (2-D array), got {matrix.ndim} dimensions")
    if not (matrix > -np.inf).all():  # false for NaN and -inf alike: one pass
        raise ValueError("cost holds NaN or -inf")
    return matrix, _units(supply, matrix.shape[0], "supply"), _units(demand, matrix.shape[1],
                                                                     "demand")


def _units(values: np.ndarray, length: int, name: str) -> np.ndarray:
    array = np.asarray(values)
    if array.shape != (length,):
        raise ValueError(f"{name} must have shape ({length},), got {array.shape}")
    if array.dtype.kind not in "iub" and not np.array_equal(array, np.round(array)):
        raise ValueError(f"{name} must hold whole numbers")
    units = array.astype(np.int64, copy=False)  # the solver works on copies (`_with`)
    if (units < 0).any():
        raise ValueError(f"{name} must not be negative")
    return units


def _with(units: np.ndarray, last: int) -> np.ndarray:
    """`units` and one more entry, `last`."""
    out = np.empty(len(units) + 1, dtype=np.int64)
    out[:-1] = units
    out[-1] = last
    return out


def _extended_cost(matrix: np.ndarray) -> np.ndarray:
    """Agents' costs plus a dummy agent row and a spare column, both at cost 0 (see _transport)."""
    extended = np.zeros((matrix.shape[0] + 1, matrix.shape[1] + 1))
    extended[:-1, :-1] = matrix
    extended[-1, -1] = np.inf
    return extended


def _start(matrix: np.ndarray, supply: np.ndarray, state: TransportState | None,
           transposed: bool) -> tuple[np.ndarray, np.ndarray]:
    """Extended flow and prices to start from: the state's, or none shipped."""
    agents, columns = matrix.shape[0] + 1, matrix.shape[1] + 1
    flow = np.zeros((agents, columns), np.int64)
    if state is None:
        price = np.zeros(agents)
        # The dummy, holding every column at first, must be each column's cheapest holder: at
        # most the least finite cost (+inf, no arc, never the least unless every cost is).
        price[-1] = min(0.0, float(matrix.min())) if matrix.size else 0.0
    else:
        carried = np.asarray(state.flow, dtype=np.int64)
        carried = carried.T if transposed else carried
        if carried.shape != matrix.shape or np.shape(state.price) != (agents,):
            raise ValueError("state comes from a problem of another shape")
        flow[:-1, :-1] = carried
        # Supply left unshipped waits on the spare column; the kernel's repair settles the rest.
        flow[:-1, -1] = np.maximum(supply - carried.sum(axis=1), 0)
        price = np.array(state.price, dtype=np.float64)
    return flow, price


@cache
def _compiled(kernel, signature: str):
    """`kernel` compiled for `signature` alone, on first use (from Numba's cache when there).

    Cached: asking a Numba dispatcher for its signatures takes microseconds, as long as a
    small solve."""
    if not kernel.signatures:
        kernel.compile(signature)
        kernel.disable_compile()
    return kernel
