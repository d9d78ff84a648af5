"""The typed view of a validated scenario, and replication-wide draws."""

import numpy as np
import pytest

from mobsim.codes import CHANNELS, PERIODS, PRESENCE_STATES
from mobsim.random import Streams
from mobsim.scenario import load_scenario
from mobsim.scenario.params import Parameters, Settings


def _settings(*overrides: str) -> Settings:
    return Settings(load_scenario(None, overrides))


def test_channels_are_read_as_codes() -> None:
    settings = _settings("cascade.district.channels=['sms', 'phone']")
    assert settings.channels("cascade.district.channels") == (
        CHANNELS.index("sms"), CHANNELS.index("phone"))


def test_shares_are_in_state_order_and_sum_to_one() -> None:
    settings = _settings("members.presence.night={home=0.5, work=0.1, asleep=0.3, away=0.1}")
    shares = settings.shares("members.presence.night")
    assert shares.tolist() == pytest.approx([0.5, 0.1, 0.3, 0.1])
    assert len(shares) == len(PRESENCE_STATES) and shares.sum() == pytest.approx(1.0, abs=1e-12)


def test_the_order_minute_and_its_period_follow_the_clock() -> None:
    settings = _settings("alert.weekday='sat'", "alert.start='06:30'", "periods.day_start='06:00'")
    assert settings.order_minute_of_week() == 5 * 1440 + 6 * 60 + 30
    assert settings.periods(np.array([settings.order_minute_of_week()])).tolist() == [
        PERIODS.index("weekend")]


def test_target_and_district_source_are_typed() -> None:
    settings = _settings("target.minutes=150", "members.count=12000")
    assert settings.target.minutes == 150.0 and isinstance(settings.target.quantile, float)
    assert settings.district_source.members == 12000 and settings.district_source.path is None


def test_a_probability_is_drawn_once_per_replication_and_key() -> None:
    scenario = load_scenario(None, ["members.availability.day={dist='beta', a=2, b=5}"])
    key = "members.availability.day"
    params = Parameters(scenario, Streams(1, 0))
    other = Parameters(scenario, Streams(1, 1))
    assert params.probability(key) == Parameters(scenario, Streams(1, 0)).probability(key)
    assert params.probability(key) != other.probability(key)
    assert 0.0 < params.probability(key) < 1.0
