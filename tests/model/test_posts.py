"""Micro-grid posts: quorum, gaps, what a gap lacks."""

from functools import partial

import numpy as np

from mobsim.codes import ACTIVATED_BY
from mobsim.model.cascade import Cascade
from mobsim.model.event_loop import EventLoop
from mobsim.model.posts import Posts
from mobsim.model.trace import Trace
from mobsim.model.turnout import MemberReports


def test_the_first_arrival_activates_a_post_with_quorum_one() -> None:
    posts = Posts(3, 1, Trace(False))
    posts.expect_late(1, 12.0)
    posts.arrive(1, "member", 12.0, announced=False)
    posts.arrive(1, "cadre", 15.0, announced=False)
    assert posts.activated_min[1] == 12.0 and ACTIVATED_BY[posts.activated_by[1]] == "member"
    assert np.isinf(posts.activated_min[[0, 2]]).all() and (posts.activated_by[[0, 2]] == 0).all()


def test_a_larger_quorum_is_completed_by_the_last_one_needed() -> None:
    posts = Posts(1, 2, Trace(False))
    posts.expect_late(0, 5.0)
    posts.arrive(0, "member", 5.0, announced=False)
    assert np.isinf(posts.activated_min[0])
    posts.arrive(0, "grid_worker", 9.0, announced=False)
    assert posts.activated_min[0] == 9.0 and ACTIVATED_BY[posts.activated_by[0]] == "grid_worker"


def test_gaps_open_once_and_only_where_nobody_activated_the_post() -> None:
    posts = Posts(3, 1, Trace(False))
    posts.expect_late(0, 1.0)
    posts.arrive(0, "member", 1.0, announced=False)
    posts.open_gaps(np.array([0, 1]), 30.0)
    posts.open_gaps(np.array([1, 2]), 40.0)
    assert np.isinf(posts.gap_min[0]) and posts.gap_min[1] == 30.0 and posts.gap_min[2] == 40.0


def test_a_gap_lacks_the_quorum_less_staff_on_post_and_on_the_way() -> None:
    posts = Posts(4, 2, Trace(False))
    posts.open_gaps(np.arange(3), 10.0)
    posts.expect_late(1, 11.0)
    posts.arrive(1, "member", 11.0, announced=False)
    posts.expect(2, 20.0)
    posts.expect(2, 25.0)
    assert posts.shortfall(np.arange(4)).tolist() == [2, 1, 0, 0]
    assert posts.member_eta_min[2] == 20.0
    posts.arrive(2, "member", 20.0, announced=True)
    assert posts.on_the_way[2] == 1 and posts.shortfall(np.array([2])).tolist() == [0]
    assert posts.member_eta_min[2] == 25.0 and posts.members_coming[2] == 1


def test_the_dispatcher_counts_on_the_way_all_but_members_and_the_riders_it_replans() -> None:
    posts = Posts(2, 2, Trace(False))
    posts.open_gaps(np.arange(2), 0.0)
    posts.expect(0, 30.0)
    posts.ride(0, ("cadre", 0), lambda: None)
    posts.ride(1, ("cadre", 1), lambda: None)
    assert posts.shortfall(np.arange(2)).tolist() == [0, 1]
    assert posts.to_dispatch(np.arange(2), np.array([0, 1])).tolist() == [1, 2]


def test_activations_and_gaps_are_traced() -> None:
    trace = Trace(True)
    posts = Posts(2, 1, trace)
    posts.open_gaps(np.array([0, 1]), 3.0)
    posts.arrive(1, "cadre", 4.0, announced=False)
    table = trace.table({"microgrid": np.array([100, 200])}, 720.0)
    assert table["entity_id"].tolist() == [100, 200, 200]
    assert table["time_min"].tolist() == [3.0, 3.0, 4.0]


def test_members_still_to_be_called_count_until_their_call_comes() -> None:
    env = EventLoop()
    posts = Posts(3, 1, Trace(False))
    members = MemberReports(Cascade(env, 100.0, Trace(False)), posts, np.array([0, 0, 2]),
                            np.full(3, 10.0), 45.0)
    notified = np.array([5.0, np.inf, 0.0])  # member 1 is never reached, member 2 is now
    posts.still_called = partial(members.still_called, notified)
    assert posts.second_tier(np.arange(3)).tolist() == [True, False, False]
    env.run(until=6.0)
    assert posts.second_tier(np.arange(3)).tolist() == [False, False, False]
    posts.expect_late(1, 50.0)
    assert posts.second_tier(np.arange(3)).tolist() == [False, True, False]
