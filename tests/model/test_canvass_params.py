"""Tests of the scenario and district → canvass kernel arrays, and of the door-to-door keys."""

import copy
import math

import numpy as np
import pytest
from canvass_fixtures import with_households
from mobsim.kernels.canvass import HOURS_PER_WEEK
from mobsim.kernels.rng import EXPONENTIAL, FIXED, LOGNORMAL
from model_fixtures import small_district

from mobsim.codes import COMPOUND_TYPES, PERIODS, WEEKDAYS
from mobsim.model.canvass import (
    door_arguments,
    home_table,
    households,
    kernel_durations,
)
from mobsim.random import Streams, kernel_seed
from mobsim.scenario.files import Scenario, load_scenario, validate_scenario
from mobsim.scenario.params import Parameters, Settings


def test_households_are_numbered_microgrid_by_microgrid() -> None:
    district = with_households(small_district(subdistricts=2, communities=1, grids=1,
                                              microgrids=3), [2, 0, 5, 1, 3, 4])
    types = np.array([0, 1, 2, 3, 4, 6], np.int8)
    district.microgrids["compound_type"][:] = types
    homes = households(district)
    assert homes.microgrid_offsets.tolist() == [0, 2, 2, 7, 8, 11, 15]
    assert homes.compound_type.tolist() == np.repeat(types, [2, 0, 5, 1, 3, 4]).tolist()
    assert homes.subdistrict.tolist() == [0] * 7 + [1] * 8
    assert homes.subdistrict_ids.tolist() == [0, 1]
    assert homes.subdistrict_households.tolist() == [7, 8]
    assert homes.count == 15


def test_periods_of_the_hours_of_the_week_follow_the_order_period_rule() -> None:
    baseline = load_scenario(None, ["periods.evening_start='17:30'"])
    periods = Settings(baseline).periods(np.arange(HOURS_PER_WEEK) * 60)
    for hour in range(HOURS_PER_WEEK):
        data = copy.deepcopy(baseline.data)
        data["alert"]["weekday"] = WEEKDAYS[hour // 24]
        data["alert"]["start"] = f"{hour % 24:02d}:00"
        params = Parameters(Scenario("h", data, None), Streams(0, 0))
        assert PERIODS[periods[hour]] == params.order_period(), hour


def test_home_table_is_period_probability_times_type_factor_capped_at_one() -> None:
    scenario = load_scenario(None, ["canvass.home.night=0.95", "canvass.home.day=0.4",
                                    "canvass.home_factor.rural_settlement=1.1"])
    table = home_table(Parameters(scenario, Streams(1, 0)))
    assert table.shape == (len(COMPOUND_TYPES), HOURS_PER_WEEK)
    rural = COMPOUND_TYPES.index("rural_settlement")
    commercial = COMPOUND_TYPES.index("commercial_housing")
    tuesday_3h, tuesday_10h = 24 + 3, 24 + 10
    assert table[rural, tuesday_3h] == 1.0
    assert table[rural, tuesday_10h] == pytest.approx(0.44, abs=1e-12)
    factor = scenario.get("canvass.home_factor.commercial_housing")
    assert table[commercial, tuesday_10h] == pytest.approx(0.4 * factor, abs=1e-12)


def test_uncertain_home_probability_is_drawn_once_per_replication() -> None:
    scenario = load_scenario(None, ["canvass.home.day={dist='beta', a=2, b=2}"])
    day_hour = 24 + 10
    draws = [home_table(Parameters(scenario, Streams(7, r)))[1, day_hour] for r in range(4)]
    assert home_table(Parameters(scenario, Streams(7, 0)))[1, day_hour] == draws[0]
    assert len(set(draws)) == 4 and all(0.0 < p < 1.0 for p in draws)
    # One draw serves every day hour of the replication.
    assert np.all(home_table(Parameters(scenario, Streams(7, 0)))[1, 24 + 8: 24 + 17] == draws[0])


def test_kernel_durations_in_the_kernel_parameterisation() -> None:
    scenario = load_scenario(None, [
        "action.service_min.commercial_housing=2.5",
        "action.service_min.old_compound={dist='exponential', mean=3}",
        "action.service_min.rural_settlement={dist='lognormal', median=4, sigma=0.5}"])
    durations = kernel_durations(Settings(scenario), "action.service_min")
    at = COMPOUND_TYPES.index
    commercial, old = at("commercial_housing"), at("old_compound")
    assert (durations.family[commercial], durations.a[commercial]) == (FIXED, 2.5)
    assert (durations.family[old], durations.a[old]) == (EXPONENTIAL, 3.0)
    rural = at("rural_settlement")
    assert durations.family[rural] == LOGNORMAL
    assert durations.a[rural] == pytest.approx(math.log(4.0)) and durations.b[rural] == 0.5


def test_a_family_the_kernel_cannot_draw_is_refused_naming_the_key() -> None:
    key = "scan.service_min.old_compound"
    found = validate_scenario(None, [f"{key}={{dist='gamma', shape=2, mean=9}}"])
    assert found == [f"--set: {key}: the door-to-door kernel draws only fixed, exponential, "
                     "lognormal durations, got gamma"]


@pytest.mark.parametrize("override, message", [
    ("canvass.home.evening=1.2", "canvass.home.evening: a probability must lie in [0, 1]"),
    ("canvass.home_factor.old_compound=0", "canvass.home_factor.old_compound: must be a positive"),
    ("action.max_attempts=0", "action.max_attempts: must be a whole number from 1 to 8191"),
    ("scan.revisit_gap_min=-1", "scan.revisit_gap_min: must not be negative"),
    ("scan.windows=[]", "scan.windows: expected at least one window"),
    ("mode='peace'", "mode: expected one of wartime, scan"),
    ("target.households_share=1.5", "target.households_share: must lie between 0 and 1"),
])
def test_door_to_door_keys_are_validated(override: str, message: str) -> None:
    found = validate_scenario(None, [override])
    assert len(found) == 1 and found[0].startswith(f"--set: {message}")


def test_door_arguments_carry_the_clock_and_the_campaign() -> None:
    scenario = load_scenario(None, ["alert.weekday='wed'", "alert.start='18:30'",
                                    "scan.max_attempts=5", "scan.revisit_gap_min=720"])
    arguments = door_arguments(Parameters(scenario, Streams(3, 2)), "scan")
    assert arguments["clock0_min_of_week"] == 2 * 1440 + 18 * 60 + 30
    assert (arguments["max_attempts"], arguments["revisit_gap_min"]) == (5, 720.0)
    assert arguments["absent_min"].tolist() == [1.0] * len(COMPOUND_TYPES)
    assert (arguments["seed"], arguments["replication"]) == (kernel_seed(3, "scan"), 2)


def test_kernel_seeds_separate_campaigns_and_run_seeds() -> None:
    seeds = {kernel_seed(seed, campaign) for seed in (0, 1, 2) for campaign in ("action", "scan")}
    assert len(seeds) == 6 and all(0 <= s < 2**64 for s in seeds)
    assert kernel_seed(1, "action") == kernel_seed(1, "action")


def test_windows_min_as_kernel_rows() -> None:
    scenario = load_scenario(None, ["scan.windows=['sat-sun 09:00-12:00', 'mon 18:00-21:00']"])
    saturday, sunday = 5 * 1440.0, 6 * 1440.0
    assert Settings(scenario).windows_min("scan.windows").tolist() == [
        [1080.0, 1260.0], [saturday + 540, saturday + 720], [sunday + 540, sunday + 720]]
