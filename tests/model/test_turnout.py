"""Report to post: walking, riding, trips from work, the village factor."""

import numpy as np
from model_fixtures import scenario

from mobsim.codes import PRESENCE_STATES
from mobsim.model.cascade import Cascade
from mobsim.model.event_loop import EventLoop
from mobsim.model.posts import Posts
from mobsim.model.presence import Timeline
from mobsim.model.trace import Trace
from mobsim.model.turnout import (
    MemberReports,
    Travel,
    member_departure,
    prepare_min,
    read_travel,
)
from mobsim.random import Streams
from mobsim.scenario.params import Parameters

HOME, WORK, ASLEEP, AWAY = range(4)


def _params(*overrides: str) -> Parameters:
    return Parameters(scenario(*overrides), Streams(2, 0))


def test_people_walk_near_posts_and_ride_far_ones() -> None:
    travel = Travel(walk_speed_kmh=4.5, detour_factor=1.5, walk_max_km=2.0, ride_speed_kmh=15.0,
                    village_factor=2.0)
    minutes = travel.local_min(np.array([1.0, 2.0]))
    assert minutes.tolist() == [1.5 / 4.5 * 60, 3.0 / 15.0 * 60]
    assert travel.to_posts(minutes, np.array([False, True])).tolist() == [20.0, 24.0]
    assert travel.drive_min(np.array([10.0]), 30.0).tolist() == [30.0]


def test_the_baseline_walking_speed_is_that_of_the_brief() -> None:
    assert read_travel(_params()).walk_speed_kmh == 1.25 * 3.6


def test_preparation_follows_the_state_and_nobody_away_leaves() -> None:
    params = _params("members.prepare_min.home=1.0", "members.prepare_min.work=2.0",
                     "members.prepare_min.asleep=3.0")
    states = np.array([HOME, WORK, ASLEEP, AWAY], np.int8)
    assert prepare_min(params, "members", states).tolist() == [1.0, 2.0, 3.0, np.inf]


def test_members_walk_from_home_and_take_the_work_trip_from_work() -> None:
    params = _params("members.prepare_min.home=1.0", "members.prepare_min.work=1.0",
                     "members.prepare_min.asleep=2.0", "travel.from_work_min=29.0",
                     "travel.detour_factor=1.0", "travel.village_factor=2.0")
    travel = read_travel(params)
    states = np.array([HOME, WORK, ASLEEP, AWAY, HOME], np.int8)
    available = np.array([True, True, True, True, False])
    local_km = np.full(5, 0.45)
    village = np.array([False, True, False, False, False])
    # Presence frozen at the order: nobody comes home from work within the horizon.
    timeline = Timeline(states, np.where(states == WORK, np.inf, 0.0),
                        np.where(available & (states != AWAY), 0.0, np.inf), np.zeros(5, bool))
    departure = member_departure(params, travel, timeline, local_km, village)
    got = np.array([departure.report_min(member, 0.0) for member in range(5)])
    walk = 0.45 / (1.25 * 3.6) * 60
    assert got[:3].tolist() == [1.0 + walk, 1.0 + 2 * 29.0, 2.0 + walk]
    assert np.isinf(got[3:]).all()
    assert PRESENCE_STATES[AWAY] == "away"


def test_only_members_arriving_soon_enough_are_counted_as_coming() -> None:
    env = EventLoop()
    cascade = Cascade(env, 500.0, Trace(False))
    posts = Posts(2, 1, cascade.trace)
    reports = MemberReports(cascade, posts, np.array([0, 1]), np.array([10.0, 90.0]),
                            trusted_eta_min=45.0)
    reports.on_acknowledged(0)
    reports.on_acknowledged(1)
    posts.open_gaps(np.arange(2), 0.0)
    assert posts.shortfall(np.arange(2)).tolist() == [0, 1]
    assert posts.coming_late.tolist() == [0, 1]
    env.run()
    assert reports.arrived_min.tolist() == [10.0, 90.0]
    assert posts.on_the_way.tolist() == [0, 0] and posts.coming_late.tolist() == [0, 0]
    assert posts.activated_min.tolist() == [10.0, 90.0]
