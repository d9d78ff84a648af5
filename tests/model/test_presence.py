"""Presence periods from the clock, state shares and availability."""

import numpy as np
import pytest
from model_fixtures import scenario

from mobsim.codes import PRESENCE_STATES
from mobsim.model.presence import draw_available, draw_states
from mobsim.random import Streams
from mobsim.scenario.params import Parameters


def _params(*overrides: str) -> Parameters:
    return Parameters(scenario(*overrides), Streams(1, 0))


@pytest.mark.parametrize("start, weekday, period", [
    ("06:59", "tue", "night"), ("07:00", "tue", "day"), ("17:59", "fri", "day"),
    ("18:00", "mon", "evening"), ("22:59", "thu", "evening"), ("23:00", "wed", "night"),
    ("00:00", "mon", "night"), ("14:00", "sat", "weekend"), ("20:00", "sun", "weekend"),
    ("02:00", "sat", "night"), ("23:30", "sun", "night"),
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
