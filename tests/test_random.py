"""Random streams: reproducible, independent per quantity, stable under more entities."""

import numpy as np
import pytest

from mobsim.distributions import parse_dist
from mobsim.random import Streams


def test_the_same_key_gives_the_same_numbers() -> None:
    a, b = Streams(42, 3), Streams(42, 3)
    assert np.array_equal(a.uniform("cascade", "members.answer", 10),
                          b.uniform("cascade", "members.answer", 10))


@pytest.mark.parametrize("other", [Streams(43, 3), Streams(42, 4)])
def test_seed_and_replication_each_change_the_numbers(other: Streams) -> None:
    base = Streams(42, 3).uniform("cascade", "x", 10)
    assert not np.array_equal(base, other.uniform("cascade", "x", 10))


def test_quantities_and_subsystems_are_independent_streams() -> None:
    s = Streams(1, 0)
    base = s.uniform("report", "members.from_work", 10)
    assert not np.array_equal(base, s.uniform("report", "members.prepare.home", 10))
    assert not np.array_equal(base, s.uniform("cadres", "members.from_work", 10))


@pytest.mark.parametrize("spec", [
    {"dist": "exponential", "mean": 3.0}, {"dist": "lognormal", "mean": 29.0, "sd": 23.0},
    {"dist": "gamma", "shape": 2.0, "mean": 5.0}, {"dist": "uniform", "low": 1.0, "high": 3.0}])
def test_more_entities_leave_the_first_ones_draws_unchanged(spec: dict) -> None:
    dist = parse_dist(spec, "x")
    s = Streams(7, 1)
    assert np.array_equal(s.sample("cascade", "q", dist, 100), s.sample("cascade", "q", dist, 150)[:100])


def test_a_replication_wide_value_is_one_draw_of_its_key() -> None:
    dist = parse_dist({"dist": "uniform", "low": 0.0, "high": 1.0}, "p")
    s = Streams(5, 2)
    assert s.once("p", dist) == s.once("p", dist) != s.once("q", dist)
    assert s.once("fixed", parse_dist(0.25, "fixed")) == 0.25
