"""Presence periods from the clock, state shares, availability and how they change over the horizon."""

import numpy as np
import pytest
from model_fixtures import scenario

from mobsim.codes import PERIODS, PRESENCE_STATES
from mobsim.model.presence import (
    available_from_min,
    draw_available,
    draw_states,
    draw_timeline,
    period_changes,
    wake_min,
)
from mobsim.random import Streams
from mobsim.scenario.params import Parameters


def _params(*overrides: str) -> Parameters:
    return Parameters(scenario(*overrides), Streams(1, 0))


@pytest.mark.parametrize("start, weekday, period", [
    ("07:49", "tue", "night"), ("07:50", "tue", "day"), ("17:59", "fri", "day"),
    ("18:00", "mon", "evening"), ("23:39", "thu", "evening"), ("23:40", "wed", "night"),
    ("00:00", "mon", "night"), ("14:00", "sat", "weekend"), ("20:00", "sun", "weekend"),
    ("02:00", "sat", "night"), ("23:30", "sun", "weekend"), ("23:45", "sun", "night"),
])
def test_the_period_follows_the_clock_and_the_weekday(start: str, weekday: str, period: str) -> None:
    assert _params(f"alert.start='{start}'", f"alert.weekday='{weekday}'").order_period() == period


def test_states_follow_the_shares_of_the_period() -> None:
    """Each state's share within 4 standard errors; a zero share is never drawn."""
    shares = {"home": 0.3, "work": 0.0, "asleep": 0.6, "away": 0.1}
    table = ", ".join(f"{k} = {v}" for k, v in shares.items())
    n = 20_000
    states = draw_states(_params(f"members.presence.night={{{table}}}"), "members", "night", "members", n)
    for code, name in enumerate(PRESENCE_STATES):
        p = shares[name]
        assert abs(np.mean(states == code) - p) <= 4 * np.sqrt(p * (1 - p) / n)
    assert not np.any(states == PRESENCE_STATES.index("work"))


def test_levels_sharing_shares_draw_independently() -> None:
    params = _params()
    a = draw_states(params, "commanders", "evening", "subdistricts", 500)
    b = draw_states(params, "commanders", "evening", "communities", 500)
    assert not np.array_equal(a, b)
    assert np.array_equal(a, draw_states(params, "commanders", "evening", "subdistricts", 500))


def test_nobody_away_is_available_and_the_rest_with_the_period_probability() -> None:
    n = 20_000
    states = np.resize(np.arange(4, dtype=np.int8), n)
    available = draw_available(_params("members.availability.night=0.5"), "members", "night", states)
    away = states == PRESENCE_STATES.index("away")
    assert not available[away].any()
    here = available[~away]
    assert abs(here.mean() - 0.5) <= 4 * np.sqrt(0.25 / here.size)


def _order(start: str, weekday: str = "tue", *overrides: str) -> Parameters:
    return _params(f"alert.start='{start}'", f"alert.weekday='{weekday}'", *overrides)


def test_periods_change_at_the_clock_boundaries_within_the_horizon() -> None:
    starts, codes = period_changes(_order("02:00"), 720.0)
    # 07:50 is 350 min after the order; 18:00 (960 min) is beyond the horizon
    assert starts.tolist() == [0.0, 350.0]
    assert [PERIODS[c] for c in codes] == ["night", "day"]
    starts, codes = period_changes(_order("22:00", "fri"), 720.0)
    # Friday evening, night at 23:40, Saturday's weekend from 07:50
    assert starts.tolist() == [0.0, 100.0, 590.0]
    assert [PERIODS[c] for c in codes] == ["evening", "night", "weekend"]


@pytest.mark.parametrize("start, expected_min", [
    ("02:00", 270.0),   # the same night: 06:30 is 270 min later
    ("06:45", 0.0),     # the wake-up of this night has passed: wakes at once
    ("20:00", 630.0),   # asleep early in the evening: wakes at 06:30 the next morning
])
def test_the_asleep_wake_at_their_wake_up_clock(start: str, expected_min: float) -> None:
    params = _order(start, "tue", "presence.wake_start='06:00'", "presence.wake_after_min=30.0")
    assert wake_min(params, "members", 5).tolist() == [expected_min] * 5


def test_someone_unavailable_at_the_order_becomes_available_when_the_period_changes() -> None:
    params = _order("02:00", "tue", "members.availability.night=0.0", "members.availability.day=1.0",
                    "presence.availability_ramp_min=0.0")
    states = np.array([0, 1, 2, 3], dtype=np.int8)
    assert available_from_min(params, "members", states, 720.0).tolist() == [350.0] * 3 + [np.inf]
    timeline = draw_timeline(params, "members", "members", states, 720.0)
    # at home at once, at work until the next period, asleep until the wake-up, away for good
    assert timeline.home_min[0] == 0.0 and timeline.home_min[1] == 350.0
    assert timeline.home_min[2] == wake_min(params, "members", 4)[2]
    assert timeline.home_min[3] == np.inf


def test_the_change_comes_at_each_persons_own_minute_of_the_ramp_by_hand() -> None:
    """Order at 02:00, the day from 07:50 (350 min): the draw at the order against the
    night's 0.2, the day's own draw against 0.7, and the person's own v of the 60-min ramp."""
    params = _order("02:00", "tue", "members.availability.night=0.2", "members.availability.day=0.7",
                    "presence.availability_ramp_min=60.0")
    n = 500
    at_order = params.streams.uniform("presence", "members.available", n)
    by_day = params.streams.uniform("presence", "members.available.1", n)
    v = params.streams.uniform("presence", "members.available.ramp", n)
    expected = np.where(at_order < 0.2, 0.0, np.where(by_day < 0.7, 350.0 + 60.0 * v, np.inf))
    assert available_from_min(params, "members", np.zeros(n, dtype=np.int8), 720.0).tolist() == expected.tolist()


@pytest.mark.parametrize("key", ["night", "day"])
def test_a_higher_availability_makes_nobody_available_later(key: str) -> None:
    states = np.resize(np.arange(4, dtype=np.int8), 2000)
    low, high = (available_from_min(_order("02:00", "tue", "members.availability.night=0.3",
                                           "members.availability.day=0.5",
                                           f"members.availability.{key}={p}"),
                                    "members", states, 720.0) for p in (0.4, 0.8))
    assert np.all(high <= low) and np.any(high < low)


def test_availability_at_the_order_is_the_draw_of_draw_available() -> None:
    params = _order("14:00")
    states = np.zeros(2000, dtype=np.int8)
    at_once = available_from_min(params, "members", states, 720.0) == 0.0
    assert np.array_equal(at_once, draw_available(params, "members", "day", states))


def test_a_home_factor_scales_the_shares_at_home_within_4_standard_errors() -> None:
    """Day shares home 0.4, work 0.5, asleep 0, away 0.1; a factor 1.5 makes home 0.6 and
    scales work and away by 0.4 / 0.6."""
    n = 20_000
    factor = np.full(n, 1.5)
    states = draw_states(_params(), "members", "day", "members", n, factor)
    want = {"home": 0.6, "work": 0.5 * 0.4 / 0.6, "asleep": 0.0, "away": 0.1 * 0.4 / 0.6}
    for code, name in enumerate(PRESENCE_STATES):
        p = want[name]
        assert abs(np.mean(states == code) - p) <= 4 * np.sqrt(p * (1 - p) / n) + 1e-12
    # a factor of 1 changes nobody's state (the same uniform draws)
    assert np.array_equal(draw_states(_params(), "members", "day", "members", n, np.ones(n)),
                          draw_states(_params(), "members", "day", "members", n))
