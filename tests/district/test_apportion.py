"""Seats in proportion to weights: one each first, then Sainte-Laguë's divisors, seat by seat."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mobsim.district.apportion import seat_places


def _seat_by_seat(weights: list[float], count: int) -> list[int]:
    """The rule as written, one seat at a time (the reference the fast version must equal)."""
    held = [0] * len(weights)
    order = []
    for _ in range(count):
        free = [r for r, h in enumerate(held) if h == 0]
        if free:  # a first seat: the heaviest place without one, the lower row on a tie
            row = min(free, key=lambda r: (-weights[r], r))
        else:
            priority = [w / (2 * h + 1) for w, h in zip(weights, held)]
            row = priority.index(max(priority))
        held[row] += 1
        order.append(row)
    return order


# small whole weights make ties, which the lower row must win
WEIGHTS = st.one_of(st.lists(st.integers(1, 6).map(float), min_size=1, max_size=9),
                    st.lists(st.floats(0.01, 1e4), min_size=1, max_size=9))


@settings(max_examples=300, deadline=None)
@given(WEIGHTS, st.integers(0, 80))
def test_equals_the_rule_seat_by_seat(weights: list[float], count: int) -> None:
    assert seat_places(np.array(weights), count).tolist() == _seat_by_seat(weights, count)


def test_hand_worked_example() -> None:
    # weights 10, 3, 1: seats 1-3 one each, heaviest first; then the priorities of rows 0 / 1
    # are 10/3 vs 3/3, 10/5 vs 1, 10/7 vs 1, 10/9 vs 1 (row 0 each time), 10/11 vs 1 (row 1)
    assert seat_places(np.array([10.0, 3.0, 1.0]), 8).tolist() == [0, 1, 2, 0, 0, 0, 0, 1]


def test_a_larger_count_keeps_every_seat_of_a_smaller_one() -> None:
    weights = np.random.default_rng(3).gamma(4.0, size=200) * 1_000
    many = seat_places(weights, 5_000)
    for count in (0, 150, 200, 201, 3_241, 4_999):
        assert np.array_equal(seat_places(weights, count), many[:count])


def test_every_place_within_one_seat_of_its_share() -> None:
    weights = np.random.default_rng(4).gamma(4.0, size=184) * 2_760
    held = np.bincount(seat_places(weights, 3_241), minlength=184)
    share = 3_241 * weights / weights.sum()
    assert held.sum() == 3_241 and held.min() >= 1
    assert np.abs(held - share).max() < 1


@pytest.mark.parametrize("weights, count", [([1.0, 0.0], 3), ([1.0, np.nan], 1), ([1.0], -1)])
def test_bad_weights_or_count_are_refused(weights: list[float], count: int) -> None:
    with pytest.raises(ValueError, match="weights must be finite and above 0"):
        seat_places(np.array(weights), count)
