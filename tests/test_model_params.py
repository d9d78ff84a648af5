"""Typed reading of scenario keys: one-line InputErrors naming the key."""

import pytest

from mobsim.codes import CHANNELS
from mobsim.distributions import parse_dist
from mobsim.errors import InputError
from mobsim.random import Streams
from mobsim.scenario.params import Parameters


class _Scenario:
    """Just enough of a Scenario to feed Parameters values the loader would refuse earlier."""

    def __init__(self, **values):
        self.data = {}
        for name, value in values.items():
            *parents, leaf = name.split("__")
            node = self.data
            for part in parents:
                node = node.setdefault(part, {})
            node[leaf] = value

    def get(self, key):
        node = self.data
        for part in key.split("."):
            node = node[part]
        return node

    def dist(self, key, probability=False):
        return parse_dist(self.get(key), key, probability)


def _params(**values) -> Parameters:
    return Parameters(_Scenario(**values), Streams(1, 0))


def test_channels_are_read_as_codes() -> None:
    assert _params(c=["sms", "phone"]).channels("c") == (CHANNELS.index("sms"), CHANNELS.index("phone"))


@pytest.mark.parametrize("value", [[], ["fax"], ["sms", "sms"], "sms"])
def test_bad_channel_lists_name_the_key(value) -> None:
    with pytest.raises(InputError, match=r"^cascade\.x\.channels: expected a list"):
        _params(cascade__x__channels=value).channels("cascade.x.channels")


@pytest.mark.parametrize("value", [0, 2.5, True, "3"])
def test_counts_must_be_whole_numbers_at_least_the_minimum(value) -> None:
    with pytest.raises(InputError, match=r"^callers: expected a whole number of at least 1"):
        _params(callers=value).count("callers", minimum=1)


def test_numbers_must_be_positive_unless_zero_is_allowed() -> None:
    assert _params(x=0).number("x", positive=False) == 0.0
    with pytest.raises(InputError, match="^x: must be positive"):
        _params(x=0).number("x")
    with pytest.raises(InputError, match="^x: expected a number"):
        _params(x="fast").number("x")


def test_clock_times_become_minutes_after_midnight() -> None:
    assert _params(t="07:30").clock_min("t") == 450
    with pytest.raises(InputError, match='^t: expected a clock time "HH:MM"'):
        _params(t="25:00").clock_min("t")


def test_shares_must_cover_every_state_and_sum_to_one() -> None:
    good = {"home": 0.5, "work": 0.25, "asleep": 0.25, "away": 0.0}
    assert _params(s=good).shares("s").tolist() == [0.5, 0.25, 0.25, 0.0]
    with pytest.raises(InputError, match="^s: the shares must sum to 1"):
        _params(s={**good, "away": 0.5}).shares("s")
    with pytest.raises(InputError, match="^s: expected a table with exactly the keys"):
        _params(s={"home": 1.0}).shares("s")


def test_a_probability_is_drawn_once_per_replication_and_key() -> None:
    spec = {"dist": "beta", "a": 2.0, "b": 5.0}
    params = _params(p=spec, q=spec)
    assert params.probability("p") == params.probability("p")
    assert params.probability("p") != params.probability("q")
    other = Parameters(params.scenario, Streams(1, 1))
    assert other.probability("p") != params.probability("p")
