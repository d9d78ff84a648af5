"""Dense rectangular assignment by shortest augmenting paths (rows <= columns).

Each row in turn is matched by a Dijkstra search over columns with reduced costs
cost[i, j] - row_dual[i] - col_dual[j], which stay non-negative on every row already matched;
the duals are then moved by the search distances and the path is flipped. Infinite cost means
a forbidden pair. O(rows² · columns) in the worst case.
"""

import numpy as np
from numba import njit


@njit(cache=True)
def _augmenting_path(cost, start, row_dual, col_dual, row_of_col, shortest, path, row_seen,
                     col_seen, remaining):
    """Dijkstra from row `start` to the nearest free column; (column, distance), -1 if none."""
    n_cols = cost.shape[1]
    n_left = n_cols
    for j in range(n_cols):
        remaining[j] = j
    distance = 0.0
    i = start
    while True:
        row_seen[i] = True
        lowest = np.inf
        pick = -1
        base = distance - row_dual[i]
        for k in range(n_left):
            j = remaining[k]
            reduced = base + cost[i, j] - col_dual[j]
            if reduced < shortest[j]:
                path[j] = i
                shortest[j] = reduced
            # Among equally short columns a free one ends the search sooner.
            if shortest[j] < lowest or (shortest[j] == lowest and row_of_col[j] < 0):
                lowest = shortest[j]
                pick = k
        if not lowest < np.inf:
            return -1, lowest
        distance = lowest
        j = remaining[pick]
        col_seen[j] = True
        n_left -= 1
        remaining[pick] = remaining[n_left]
        if row_of_col[j] < 0:
            return j, distance
        i = row_of_col[j]


@njit(cache=True)
def assign(cost):
    """Column of every row at least total cost (rows <= columns); (col_of_row, feasible)."""
    n_rows, n_cols = cost.shape
    row_dual = np.zeros(n_rows)
    col_dual = np.zeros(n_cols)
    row_of_col = np.full(n_cols, -1, np.int64)
    col_of_row = np.full(n_rows, -1, np.int64)
    shortest = np.empty(n_cols)
    path = np.full(n_cols, -1, np.int64)
    row_seen = np.zeros(n_rows, np.bool_)
    col_seen = np.zeros(n_cols, np.bool_)
    remaining = np.empty(n_cols, np.int64)
    for start in range(n_rows):
        shortest[:] = np.inf
        row_seen[:] = False
        col_seen[:] = False
        sink, distance = _augmenting_path(cost, start, row_dual, col_dual, row_of_col, shortest,
                                          path, row_seen, col_seen, remaining)
        if sink < 0:
            return col_of_row, False
        row_dual[start] += distance
        for i in range(n_rows):
            if row_seen[i] and i != start:
                row_dual[i] += distance - shortest[col_of_row[i]]
        for j in range(n_cols):
            if col_seen[j]:
                col_dual[j] -= distance - shortest[j]
        j = sink
        while True:
            i = path[j]
            row_of_col[j] = i
            j, col_of_row[i] = col_of_row[i], j
            if i == start:
                break
    return col_of_row, True
