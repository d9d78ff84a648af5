"""Seats shared out in proportion to weights: one to every place, then Sainte-Laguë's divisors.

The generator gives each community its cadres this way (docs/model.md 11, "Work units").
Seat by seat, the first seats go one to every place, the heaviest first (the lower row on a
tie); every later seat goes to the place with the greatest weight / (2 × seats so far + 1),
the lower row on a tie. The order of the seats is the same whatever their number (house
monotone): `count` + 1 seats are the `count` seats and one more. The sequence is computed in
one pass from the Webster rounding, not seat by seat, so a city's cadres take milliseconds.
"""

from __future__ import annotations

import heapq

import numpy as np


def seat_places(weights: np.ndarray, count: int) -> np.ndarray:
    """The place (row of `weights`, each > 0) of each of `count` seats, in the order given."""
    weights = np.asarray(weights, dtype=np.float64)
    if count < 0 or not np.all(np.isfinite(weights) & (weights > 0)):
        raise ValueError("seat_places: weights must be finite and above 0, count at least 0")
    rows = np.arange(len(weights))
    first = np.lexsort((rows, -weights))  # one seat each: the heaviest first, lower row on a tie
    if count <= len(weights):
        return first[:count]
    held = _held(weights, count)
    place = np.repeat(rows, held)
    # seat number within its place (0 = its first seat); later seats in Sainte-Laguë order
    number = np.arange(count) - np.repeat(np.cumsum(held) - held, held)
    later = number > 0
    place, priority = place[later], weights[place[later]] / (2 * number[later] + 1)
    return np.concatenate([first, place[np.lexsort((place, -priority))]])


def _held(weights: np.ndarray, count: int) -> np.ndarray:
    """Seats per place after `count` seats (count ≥ places): the `count` highest priorities."""
    # Webster's rounding at the mean weight per seat is within a few seats of the total
    held = np.maximum(1, np.floor(weights * count / weights.sum() + 0.5)).astype(np.int64)
    # make `held` exactly the seats of priority ≥ t (its next seat's priority is below t)
    t = weights.sum() / count / 2
    while True:
        low = (held > 1) & (weights / (2 * held - 1) < t)
        high = weights / (2 * held + 1) >= t
        if not (low.any() or high.any()):
            break
        held = held - low + high
    # then give or take the seats nearest the threshold, one at a time
    if held.sum() < count:
        heap = [(-w / (2 * h + 1), row) for row, (w, h) in enumerate(zip(weights, held))]
        heapq.heapify(heap)
        for _ in range(count - int(held.sum())):
            _, row = heapq.heappop(heap)
            held[row] += 1
            heapq.heappush(heap, (-weights[row] / (2 * held[row] + 1), row))
    elif held.sum() > count:
        # the seat given last goes first: the lowest priority, the higher row on a tie
        heap = [(w / (2 * h - 1), -row) for row, (w, h) in enumerate(zip(weights, held)) if h > 1]
        heapq.heapify(heap)
        for _ in range(int(held.sum()) - count):
            _, minus_row = heapq.heappop(heap)
            row = -minus_row
            held[row] -= 1
            if held[row] > 1:
                heapq.heappush(heap, (weights[row] / (2 * held[row] - 1), minus_row))
    return held
