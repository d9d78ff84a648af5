"""The phone queue against a SimPy Resource with one process per child, and by hand."""

import numpy as np
import pytest
import simpy
from mobsim.kernels.relay import dial


def _dial(start, other, answered, call, ring, retry, callers, horizon, later=None):
    """`dial` of children who keep their state, unless `later` = (answered later, from)."""
    later = (answered, np.full(len(call), np.inf)) if later is None else later
    return dial(start, other, answered, call, ring, retry, callers, horizon, *later)


def _resource_reference(start, other, answered, call, ring, retry, callers):
    """The queue as the issue describes it: a Resource of `callers` lines, a process per child."""
    env = simpy.Environment()
    lines = simpy.Resource(env, callers)
    n, attempts = answered.shape
    phone, first, gave_up = np.full(n, np.inf), np.full(n, np.inf), np.full(n, np.inf)

    def child(k):
        yield env.timeout(start)
        for a in range(attempts):
            with lines.request() as request:
                yield request
                if other[k] <= env.now:
                    return
                if a == 0:
                    first[k] = env.now
                if answered[k, a]:
                    yield env.timeout(call[k])
                    phone[k] = env.now
                    return
                yield env.timeout(ring[k, a])
                if a == attempts - 1:
                    gave_up[k] = env.now
            yield env.timeout(retry[k, a])

    for k in range(n):
        env.process(child(k))
    env.run()
    return phone, first, gave_up


@pytest.mark.parametrize("seed", range(12))
def test_dial_matches_a_simpy_resource_with_retries(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, attempts, callers = int(rng.integers(1, 15)), int(rng.integers(1, 5)), int(rng.integers(1, 4))
    answered = rng.random((n, attempts)) < 0.4
    call = rng.uniform(1, 3, n)
    ring, retry = rng.uniform(0.2, 1, (n, attempts)), rng.uniform(2, 6, (n, attempts))
    other = np.where(rng.random(n) < 0.3, rng.uniform(5, 20, n), np.inf)
    got = _dial(5.0, other, answered, call, ring, retry, callers, np.inf)
    want = _resource_reference(5.0, other, answered, call, ring, retry, callers)
    np.testing.assert_allclose(got[0], want[0], rtol=0, atol=1e-9)
    np.testing.assert_allclose(got[1], want[1], rtol=0, atol=1e-9)
    np.testing.assert_allclose(got[2], want[2], rtol=0, atol=1e-9)


def test_one_line_reaches_the_jth_child_at_j_calls() -> None:
    n = 6
    phone, first, _ = _dial(10.0, np.full(n, np.inf), np.ones((n, 1), bool), np.full(n, 2.5),
                        np.zeros((n, 1)), np.zeros((n, 1)), 1, np.inf)
    assert phone.tolist() == [10.0 + 2.5 * j for j in range(1, n + 1)]
    assert first.tolist() == [10.0 + 2.5 * j for j in range(n)]


def test_children_who_already_know_are_skipped_at_no_cost() -> None:
    other = np.array([np.inf, 0.0, np.inf])
    phone, first, _ = _dial(0.0, other, np.ones((3, 1), bool), np.full(3, 2.0), np.zeros((3, 1)),
                        np.zeros((3, 1)), 1, np.inf)
    assert phone[0] == 2.0 and np.isinf(phone[1]) and phone[2] == 4.0 and np.isinf(first[1])


def test_unanswered_children_are_retried_until_attempts_run_out() -> None:
    answered = np.array([[False, False, True], [False, False, False]])
    phone, _, gave_up = _dial(0.0, np.full(2, np.inf), answered, np.full(2, 1.0),
                             np.full((2, 3), 0.5), np.full((2, 3), 4.0), 1, np.inf)
    # child 0: rings 0-0.5, 4.5-5 (after child 1's ring 0.5-1 and its wait), answered at 9.0
    assert phone[0] == 10.0 and np.isinf(phone[1])
    # child 1: rings 0.5-1, 5-5.5, then waits for the line until 10: the last ring ends at 10.5
    assert np.isinf(gave_up[0]) and gave_up[1] == 10.5


def test_a_child_who_wakes_answers_with_the_awake_outcome_from_then_on() -> None:
    asleep, awake = np.zeros((1, 3), bool), np.ones((1, 3), bool)
    phone, _, gave_up = _dial(0.0, np.full(1, np.inf), asleep, np.full(1, 1.0), np.full((1, 3), 0.5),
                             np.full((1, 3), 4.0), 1, np.inf, (awake, np.full(1, 3.0)))
    # the first attempt (0-0.5) comes before the wake-up at 3; the second, at 4.5, after it
    assert phone[0] == 4.5 + 1.0 and np.isinf(gave_up[0])


def test_the_call_list_is_worked_out_past_the_horizon_and_no_door_after_it() -> None:
    # One line, calls of 5 minutes: the third child rings at 10, past the horizon at 8: its
    # minute is known (who is still to be called before the horizon does not depend on it).
    phone, first, _ = _dial(0.0, np.full(3, np.inf), np.ones((3, 1), bool), np.full(3, 5.0),
                            np.zeros((3, 1)), np.zeros((3, 1)), 1, 8.0)
    assert phone.tolist() == [5.0, 10.0, 15.0] and first.tolist() == [0.0, 5.0, 10.0]
    _, _, gave_up = _dial(0.0, np.full(3, np.inf), np.zeros((3, 1), bool), np.full(3, 5.0),
                          np.full((3, 1), 4.0), np.zeros((3, 1)), 1, 8.0)
    # Unanswered rings of 4 minutes end at 4, 8 and 12: only the first before the horizon.
    assert gave_up[0] == 4.0 and np.isinf(gave_up[1:]).all()
