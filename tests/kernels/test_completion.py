"""The units a level's people complete: in order, narrowest people first, whole needs only."""

import numpy as np

from mobsim.kernels.completion import complete_units


def test_a_unit_takes_its_community_first_and_only_its_whole_need() -> None:
    # Two levels (community, sub-district); units 0 and 1 in community 0, unit 2 in community 1,
    # all in sub-district 0. Two people kept in community 0, one lent in sub-district 0.
    need = np.array([2, 2, 1], np.int64)
    unit_home = np.array([[0, 0, 1], [0, 0, 0]], np.int64)
    kept = np.array([[2, 0], [1, 0]], np.int64)
    completed = complete_units(np.array([0, 1, 2]), need, unit_home, kept)
    # Unit 0 takes both community people; unit 1 would need two, one is left: it takes nobody,
    # so unit 2 gets the lent one.
    assert completed.tolist() == [True, False, True]
    assert kept.tolist() == [[0, 0], [0, 0]]


def test_the_order_decides_who_is_completed() -> None:
    need = np.array([2, 1], np.int64)
    unit_home = np.array([[0, 0]], np.int64)
    assert complete_units(np.array([1, 0]), need, unit_home,
                          np.array([[2]], np.int64)).tolist() == [False, True]
