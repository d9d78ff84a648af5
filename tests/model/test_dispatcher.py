"""The dispatcher's rounds through SimPy, by hand: sends, rides, turning back, hand-over, the
re-planning of riders (redirected or stood down), the pairing penalty and the policies.

A small district on a line (posts 0.3 km apart, x = 0 ... 1.5 km); cadres ride 30 km/h along
the straight line (2 minutes a km); the district's rounds come every 5 minutes from minute 5.
"""

import numpy as np
import pytest
from model_fixtures import small_district

from mobsim.codes import ACTIVATED_BY
from mobsim.errors import InputError
from mobsim.model.cascade import Cascade
from mobsim.model.dispatcher import Dispatcher
from mobsim.model.event_loop import EventLoop
from mobsim.model.geometry import geometry
from mobsim.model.posts import Posts
from mobsim.model.trace import Trace
from mobsim.model.turnout import Travel
from mobsim.scenario import load_scenario

TRAVEL = Travel(walk_speed_kmh=4.5, detour_factor=1.0, walk_max_km=2.0, ride_speed_kmh=15.0,
                village_factor=1.0)
MIN_PER_KM = 2.0  # 30 km/h


def _setup(units: int, cadres: int, penalty_min: float = 0.0, subdistricts: int = 1,
           communities: int = 2, microgrids: int = 3, lend_max_ride_min: float = np.inf,
           policy: str = "sub-district-first", handover_min: float = 0.0):
    """A dispatcher over a small district with one general grid per community."""
    district = small_district(subdistricts=subdistricts, communities=communities, grids=1,
                              microgrids=microgrids, units=units, cadres=cadres)
    geo = geometry(district)
    env = EventLoop()
    cascade = Cascade(env, 720.0, Trace(False))
    posts = Posts(len(geo.grid_of_microgrid), 1, cascade.trace)
    dispatcher = Dispatcher(cascade, posts, geo, TRAVEL, 30.0, penalty_min, lend_max_ride_min,
                            policy, handover_min=handover_min)
    return geo, env, cascade, posts, dispatcher


def _at(cascade: Cascade, minute: float, action) -> None:
    """Run `action()` at `minute`."""
    cascade.at(minute, None, lambda _event: action())


def _unannounced(posts: Posts, microgrid: int, now_min: float) -> None:
    """A member reaches a post at the minute they announce it (the command never waits)."""
    posts.expect_late(microgrid, now_min)
    posts.arrive(microgrid, "member", now_min, announced=False)


def test_few_cadres_are_all_sent_and_no_gap_gets_two() -> None:
    geo, env, _, posts, dispatcher = _setup(units=2, cadres=1)
    posts.open_gaps(np.arange(6), 0.0)
    for cadre in range(2):
        dispatcher.wait(cadre)
    dispatcher.dispatch()
    assert (dispatcher.microgrid >= 0).all()
    assert len(set(dispatcher.microgrid.tolist())) == 2
    assert dispatcher.waiting_count.sum() == 0


def test_many_cadres_fill_every_gap_and_the_rest_wait() -> None:
    geo, env, _, posts, dispatcher = _setup(units=2, cadres=4)
    posts.open_gaps(np.array([0, 4]), 0.0)
    for cadre in range(8):
        dispatcher.wait(cadre)
    dispatcher.dispatch()
    sent = dispatcher.microgrid[dispatcher.microgrid >= 0]
    assert sorted(sent.tolist()) == [0, 4]
    assert dispatcher.waiting_count.sum() == 6 and posts.gaps().size == 0


def test_cadres_arrive_after_their_ride_and_activate_the_post() -> None:
    geo, env, _, posts, dispatcher = _setup(units=1, cadres=1)
    posts.open_gaps(np.array([5]), 0.0)
    dispatcher.wait(0)
    dispatcher.run(5.0)
    env.run(until=100.0)
    km = abs(geo.microgrid_xy[0][5] - geo.community_xy[0][0])
    assert dispatcher.dispatched_min[0] == 5.0
    assert dispatcher.arrived_min[0] == pytest.approx(5.0 + km * MIN_PER_KM, abs=1e-12)
    assert posts.activated_min[5] == dispatcher.arrived_min[0]
    assert ACTIVATED_BY[posts.activated_by[5]] == "cadre"


def test_a_cadre_whose_post_fills_on_the_way_is_free_where_they_are() -> None:
    geo, env, cascade, posts, dispatcher = _setup(units=1, cadres=1)
    posts.open_gaps(np.array([5]), 0.0)
    dispatcher.wait(0)
    dispatcher.dispatch()  # at minute 0, from community 0's office
    office_x, post_x = geo.community_xy[0][0], geo.microgrid_xy[0][5]
    ride_min = abs(post_x - office_x) * MIN_PER_KM
    _at(cascade, ride_min / 4, lambda: _unannounced(posts, 5, env.now))
    env.run(until=100.0)
    assert ACTIVATED_BY[posts.activated_by[5]] == "member"
    assert posts.on_post[5] == 1 and posts.on_the_way[5] == 0
    assert np.isinf(dispatcher.arrived_min[0])  # never arrived: turned back a quarter of the way
    assert dispatcher.free_xy[0].tolist() == pytest.approx([office_x + (post_x - office_x) / 4, 0.0],
                                                           abs=1e-12)


def test_a_cadre_hands_over_to_the_member_and_is_free_at_the_post() -> None:
    geo, env, cascade, posts, dispatcher = _setup(units=1, cadres=1, handover_min=3.0)
    posts.open_gaps(np.array([5]), 0.0)
    dispatcher.wait(0)
    dispatcher.dispatch()
    arrived = abs(geo.microgrid_xy[0][5] - geo.community_xy[0][0]) * MIN_PER_KM
    _at(cascade, arrived + 10.0, lambda: _unannounced(posts, 5, env.now))
    env.run(until=100.0)
    assert dispatcher.arrived_min[0] == pytest.approx(arrived, abs=1e-12)
    assert posts.activated_min[5] == dispatcher.arrived_min[0] and posts.hand_changes[5] == 1
    shift = dispatcher.shifts.table()
    assert shift["released_min"].tolist() == pytest.approx([arrived + 10.0 + 3.0], abs=1e-12)
    assert dispatcher.free_xy[0].tolist() == [geo.microgrid_xy[0][5], geo.microgrid_xy[1][5]]


def test_a_rider_is_stood_down_for_a_nearer_reserve_and_sent_on_from_where_they_are() -> None:
    # Cadre 0 waits 20 km north of post 0 and is sent there at minute 5 (a 40-minute ride, due
    # at 45). Cadre 1 becomes free 1 km north of post 0 at minute 7: the round at 10 sends it
    # (due at 12) and stands cadre 0 down where it is, 17.5 km north of post 0 (a quarter of
    # the way). Post 5 (x = 1.5) becomes a gap at minute 12: the round at 15 sends cadre 0
    # there from where it stopped.
    geo, env, cascade, posts, dispatcher = _setup(units=1, cadres=2)
    posts.open_gaps(np.array([0]), 0.0)
    dispatcher.free_at(0, 0.0, 20.0)
    _at(cascade, 7.0, lambda: dispatcher.free_at(1, 0.0, 1.0))
    _at(cascade, 12.0, lambda: posts.open_gaps(np.array([5]), env.now))
    dispatcher.run(5.0)
    env.run(until=100.0)
    assert posts.activated_min[0] == pytest.approx(10.0 + 1.0 * MIN_PER_KM, abs=1e-12)
    assert dispatcher.dispatched_min.tolist() == [15.0, 10.0]
    stop = (0.0, 20.0 - 20.0 * (10.0 - 5.0) / 40.0)
    to_post_5 = np.hypot(1.5 - stop[0], stop[1]) * MIN_PER_KM
    assert posts.activated_min[5] == pytest.approx(15.0 + to_post_5, abs=1e-12)
    assert dispatcher.microgrid.tolist() == [5, 0]


def test_a_rider_is_redirected_when_that_brings_the_last_fill_forward() -> None:
    # Cadre 0 is sent at minute 0 from (1.5, 1) to post 0 at (0, 0), a 3.61-minute ride. A
    # quarter of the way, at (1.125, 0.75), post 5 (1.5, 0) is a gap and cadre 1 is free at
    # (0, 0.1). Keeping the ride would fill the posts at 3.61 and 0.90 + 3.01 = 3.91 (cadre 1
    # to post 5); turning cadre 0 to post 5 fills them at 0.90 + 1.68 = 2.58 and 0.90 + 0.2.
    geo, env, cascade, posts, dispatcher = _setup(units=1, cadres=2)
    posts.open_gaps(np.array([0]), 0.0)
    dispatcher.free_at(0, 1.5, 1.0)
    dispatcher.dispatch()
    turn_at = np.hypot(1.5, 1.0) * MIN_PER_KM / 4
    _at(cascade, turn_at / 2, lambda: (posts.open_gaps(np.array([5]), env.now),
                                       dispatcher.free_at(1, 0.0, 0.1)))
    _at(cascade, turn_at, dispatcher.dispatch)
    env.run(until=100.0)
    assert posts.activated_min[0] == pytest.approx(turn_at + 0.1 * MIN_PER_KM, abs=1e-12)
    assert posts.activated_min[5] == pytest.approx(
        turn_at + np.hypot(1.5 - 1.125, 0.75) * MIN_PER_KM, abs=1e-12)
    assert dispatcher.microgrid.tolist() == [5, 0]
    assert dispatcher.dispatched_min.tolist() == [turn_at, turn_at]


def test_the_penalty_keeps_cadres_in_their_paired_community() -> None:
    # One cadre of community 0 at (0.8, 0), gaps at posts 2 (community 0, 0.2 km) and 3
    # (community 1, 0.1 km): one gap stays open whatever the plan, so the total cost decides;
    # a penalty of a minute out of the pairing keeps the cadre in community 0.
    for penalty, expected in ((0.0, 3), (1.0, 2)):
        geo, env, _, posts, dispatcher = _setup(units=1, cadres=1, penalty_min=penalty,
                                                policy="paired-first")
        geo.community_xy[0][0] = 0.8
        posts.open_gaps(np.array([2, 3]), 0.0)
        dispatcher.wait(0)
        dispatcher.dispatch()
        assert dispatcher.microgrid[0] == expected


def test_gaps_nobody_is_coming_to_are_served_first() -> None:
    geo, env, _, posts, dispatcher = _setup(units=1, cadres=1)
    posts.open_gaps(np.array([0, 5]), 0.0)
    near, far = (0, 5) if geo.community_xy[0][0] < 0.75 else (5, 0)
    posts.expect_late(near, 500.0)  # the nearer gap's member will come, late
    dispatcher.wait(0)
    dispatcher.dispatch()
    assert dispatcher.microgrid[0] == far


def test_a_gap_whose_members_are_still_being_called_comes_after_a_true_gap() -> None:
    geo, env, _, posts, dispatcher = _setup(units=1, cadres=1)
    posts.open_gaps(np.array([0, 5]), 0.0)
    called, true_gap = (0, 5) if geo.community_xy[0][0] < 0.75 else (5, 0)
    still = np.zeros(6, dtype=np.int64)
    still[called] = 1
    posts.still_called = lambda microgrids: still[microgrids]
    dispatcher.wait(0)
    dispatcher.dispatch()
    assert dispatcher.microgrid[0] == true_gap


def test_a_lent_ride_over_the_cap_waits_for_a_reserve_within_it() -> None:
    # Sub-district 1's post 3 (x = 0.9) lacks staff; the cadre of sub-district 0 waits 4 km
    # west (an 8-minute ride to it, over the 5-minute cap): alone, it goes. When a reserve of
    # sub-district 1 is free within the cap, that one goes instead.
    geo, env, _, posts, dispatcher = _setup(units=2, cadres=1, subdistricts=2, communities=1,
                                            lend_max_ride_min=5.0)
    posts.open_gaps(np.array([3]), 0.0)
    dispatcher.free_at(0, -3.1, 0.0)
    dispatcher.dispatch()
    assert dispatcher.microgrid.tolist() == [3, -1]
    geo, env, _, posts, dispatcher = _setup(units=2, cadres=1, subdistricts=2, communities=1,
                                            lend_max_ride_min=5.0)
    posts.open_gaps(np.array([3]), 0.0)
    dispatcher.free_at(0, -3.1, 0.0)
    dispatcher.free_at(1, 2.9, 0.0)  # cadre 1 is paired in sub-district 1: 4 minutes away
    dispatcher.dispatch()
    assert dispatcher.microgrid.tolist() == [-1, 3]


def test_an_unknown_dispatch_policy_is_a_one_line_error_naming_the_key() -> None:
    with pytest.raises(InputError, match=r"cadres\.dispatch_policy: expected one of paired-first, "
                                         r"sub-district-first, nearest, got \"closest\""):
        load_scenario(None, ["cadres.dispatch_policy=closest"])
