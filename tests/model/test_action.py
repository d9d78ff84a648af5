"""Tests of the wartime door-to-door action and its measure in the replication tables."""

import numpy as np
import pandas as pd
import pytest
from canvass_fixtures import fixed_doors
from model_fixtures import small_district

from mobsim.model.action import household_reached_min
from mobsim.model.canvass import households
from mobsim.random import Streams
from mobsim.results.rows import curves_table, layout
from mobsim.runner.local import ReplicationJob
from mobsim.scenario.files import load_scenario
from mobsim.scenario.params import Parameters

ACTIVATED_AT_MIN = 10.25
SERVICE_MIN, WALK_MIN = 3.0, 1.0


def _one_microgrid_activated():
    """Three micro-grids of 50 households; only the middle one activated, at a known minute."""
    district = small_district(subdistricts=1, communities=1, grids=1, microgrids=3)
    scenario = load_scenario(None, fixed_doors("action", SERVICE_MIN, WALK_MIN))
    activated = np.array([np.nan, ACTIVATED_AT_MIN, np.nan])
    return district, scenario, activated


def test_a_deterministic_worker_reaches_households_at_exact_times() -> None:
    district, scenario, activated = _one_microgrid_activated()
    reached = household_reached_min(households(district), Parameters(scenario, Streams(1, 0)), activated)
    expected = ACTIVATED_AT_MIN + SERVICE_MIN + (SERVICE_MIN + WALK_MIN) * np.arange(50)
    assert np.array_equal(reached[50:100], expected)
    assert np.isnan(reached[:50]).all() and np.isnan(reached[100:]).all()


@pytest.mark.parametrize("minute, count", [(13, 0), (14, 1), (17, 1), (18, 2), (209, 49),
                                           (213, 50), (720, 50)])
def test_the_curve_counts_the_households_reached_by_each_minute(minute: int, count: int) -> None:
    district, scenario, activated = _one_microgrid_activated()
    reached = household_reached_min(households(district), Parameters(scenario, Streams(1, 0)), activated)
    curves = curves_table(activated, reached, layout(district), 0, 720.0).to_pandas()
    share = curves.loc[curves["minute"] == minute, "share_households_reached"].item()
    assert share * 150 == pytest.approx(count, abs=1e-9)


def test_each_microgrid_draws_from_its_own_stream() -> None:
    district = small_district(subdistricts=1, communities=1, grids=2, microgrids=3)
    homes, scenario = households(district), load_scenario()
    activated = np.array([5.0, 20.0, 35.0, 50.0, 65.0, 80.0])
    base = household_reached_min(homes, Parameters(scenario, Streams(4, 1)), activated)
    third_later = np.where(np.arange(6) == 2, 95.0, activated)
    later = household_reached_min(homes, Parameters(scenario, Streams(4, 1)), third_later)
    other_seed = household_reached_min(homes, Parameters(scenario, Streams(5, 1)), activated)
    in_third = np.arange(homes.count) // 50 == 2
    assert np.array_equal(base[~in_third], later[~in_third], equal_nan=True)
    assert not np.array_equal(base[in_third], later[in_third], equal_nan=True)
    assert not np.array_equal(base, other_seed, equal_nan=True)
    assert np.array_equal(base, household_reached_min(homes, Parameters(scenario, Streams(4, 1)), activated),
                          equal_nan=True)


@pytest.fixture(scope="module")
def wartime_tables() -> dict[str, pd.DataFrame]:
    """One replication of the baseline on a small district, through the run job."""
    district = small_district(subdistricts=2, communities=2, grids=2, microgrids=5, members=1,
                              units=2, cadres=4, home_offset_km=0.4)
    job = ReplicationJob(load_scenario(None, ["cadres.count=8"]), district, layout(district),
                         seed=3, trace=False)
    return {name: table.to_pandas() for name, table in job.run(0).items()}


def test_households_reached_never_exceed_those_of_activated_microgrids(wartime_tables) -> None:
    curves, microgrids = wartime_tables["curves"], wartime_tables["microgrids"]
    for sub, rows in curves.groupby("subdistrict_id"):
        inside = microgrids[microgrids["subdistrict_id"] == sub]
        activated = np.nan_to_num(inside["activated_min"].to_numpy(), nan=np.inf)
        minutes = rows["minute"].to_numpy()
        open_households = (inside["households"].to_numpy()[None, :]
                           * (activated[None, :] <= minutes[:, None])).sum(axis=1)
        reached = rows["share_households_reached"].to_numpy() * inside["households"].sum()
        assert np.all(reached <= open_households + 1e-9)
        assert np.all(np.diff(rows["share_households_reached"].to_numpy()) >= 0)
        first = activated.min()
        assert np.all(rows.loc[rows["minute"] < first, "share_households_reached"] == 0)
        assert rows["share_households_reached"].iloc[-1] > 0


def test_the_replication_row_matches_the_curves_at_the_target(wartime_tables) -> None:
    curves, microgrids = wartime_tables["curves"], wartime_tables["microgrids"]
    sizes = microgrids.groupby("subdistrict_id")["households"].sum()
    at = curves[curves["minute"] == 180].set_index("subdistrict_id")["share_households_reached"]
    expected = (at * sizes).sum() / sizes.sum()
    row = wartime_tables["replications"].iloc[0]
    assert row["share_households_reached_at_target"] == pytest.approx(expected, abs=1e-12)
    assert 0 < row["share_households_reached_at_target"] < 1
