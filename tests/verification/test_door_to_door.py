"""Verification case 2 (brief section 5): one worker, 50 households: 49·w + Gamma(50, rate).

scenarios/door-to-door.toml: every micro-grid is activated at the same known minute, and its
first staff member works through its 50 households through the engine's action measure
(mobsim.model.action, as `mobsim run` calls it): no walk before the first door, a fixed walk w
between doors, everyone home, each door Exp(rate) minutes. The last household is reached
49·w + Gamma(50, rate) minutes after the activation; each door after the first takes w plus
an Exp(rate) service. Every micro-grid draws from its own stream, so a district of 200
micro-grids gives 200 independent workers per replication.
Tolerances: means within 4 standard errors; KS tests at a fixed seed, significance 1%.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from model_fixtures import small_district
from scenario_files import case_on_district
from scipy import stats

from mobsim.model import simulate
from mobsim.model.action import household_reached_min
from mobsim.model.canvass import households
from mobsim.random import Streams
from mobsim.scenario.params import Parameters

HOUSEHOLDS, REPLICATIONS, SEED = 50, 2, 11


@pytest.fixture(scope="module")
def doors(tmp_path_factory):
    """(scenario, per worker: activation and the minute each household was reached)."""
    district = small_district(subdistricts=2, communities=2, grids=5, microgrids=10, members=1)
    assert (district.microgrids["households"] == HOUSEHOLDS).all()
    scenario = case_on_district("door-to-door", district, tmp_path_factory.mktemp("doors"))
    homes = households(district)
    activated, reached = [], []
    for replication in range(REPLICATIONS):
        result = simulate(district, scenario, SEED, replication)
        activated.append(result.microgrid_activated_min)
        params = Parameters(scenario, Streams(SEED, replication))
        reached.append(household_reached_min(homes, params, result.microgrid_activated_min)
                       .reshape(-1, HOUSEHOLDS))
    return scenario, np.concatenate(activated), np.concatenate(reached)


def walk_and_service(scenario) -> tuple[float, float]:
    """The fixed walk w and the mean service 1 / rate of the case (one compound type)."""
    return (scenario.get("canvass.walk_min.commercial_housing"),
            scenario.dist("action.service_min.commercial_housing").mean)


def test_every_worker_starts_at_the_common_activation(doors) -> None:
    """Four messaging relays (processing, then a fixed read), then a fixed time to leave."""
    scenario, activated, _ = doors
    relays = ("district", "subdistricts", "communities", "gridworkers")
    start = math.fsum(scenario.get(f"cascade.{level}.processing_min")
                      + scenario.get("channels.messaging.read_min.home") for level in relays)
    assert np.array_equal(activated, np.full(len(activated),
                                             start + scenario.get("members.prepare_min.home")))


def test_finish_is_the_walks_plus_a_gamma_sum(doors) -> None:
    scenario, activated, reached = doors
    walk, service = walk_and_service(scenario)
    finish = reached.max(axis=1) - activated
    loc, shape = (HOUSEHOLDS - 1) * walk, HOUSEHOLDS
    standard_error = math.sqrt(shape) * service / math.sqrt(len(finish))
    assert abs(finish.mean() - (loc + shape * service)) < 4 * standard_error
    assert stats.kstest(finish, stats.gamma(a=shape, loc=loc, scale=service).cdf).pvalue > 0.01


def test_each_door_is_a_walk_then_an_exponential_service(doors) -> None:
    """The first door: service only; every next one: w plus an independent Exp(rate)."""
    scenario, activated, reached = doors
    walk, service = walk_and_service(scenario)
    assert np.array_equal(np.argsort(reached, axis=1, kind="stable"),
                          np.tile(np.arange(HOUSEHOLDS), (len(reached), 1)))  # in list order
    first = reached[:, 0] - activated
    between = (np.diff(reached, axis=1) - walk).ravel()
    exponential = stats.expon(scale=service).cdf
    assert stats.kstest(first, exponential).pvalue > 0.01
    assert stats.kstest(between, exponential).pvalue > 0.01
