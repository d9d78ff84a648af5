"""Verification case 5 (brief section 5): 508,050 households at 1 minute each over 400 workers.

scenarios/capacity-bound.toml runs the built-in Xindu district's building-scan campaign (its
400 scanners, mobsim.model.scan) with every door open, 1 minute at each and no walk, around the
clock. The k-th household of a scanner's route is done at minute k exactly, so:

- at 3 hours exactly 400 x 180 = 72,000 households (14.2%) are done, whatever the routes, as
  long as every route is longer than 180 households;
- the campaign cannot end before ceil(508,050 / 400) = 1,271 minutes (21.2 hours), the
  perfectly balanced bound; it ends when the longest route does.

The engine must show this and report it: the counts are exact (no tolerance), and `mobsim
run` must print the campaign as not over when the horizon is too short for it.
"""

from __future__ import annotations

import math

import numpy as np
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from scenario_files import SCENARIOS

from mobsim.cli import main
from mobsim.district import load_district
from mobsim.model.scan import scan_plan, simulate_scan
from mobsim.random import Streams
from mobsim.scenario.files import load_scenario
from mobsim.scenario.params import Parameters, Settings

CASE = SCENARIOS / "capacity-bound.toml"
HOUSEHOLDS, WORKERS, THREE_HOURS_MIN, DAY_MIN = 508_050, 400, 180.0, 1440.0


@pytest.fixture(scope="module")
def routes():
    """The case's scenario, its scan plan, and the length of each scanner's route."""
    scenario = load_scenario(CASE)
    plan = scan_plan(load_district(Settings(scenario).district_source), Settings(scenario))
    return scenario, plan, np.diff(plan.scanner_offsets)


def run_case(folder, *overrides: str) -> tuple[str, dict]:
    """`mobsim run` of the case: its printed summary and its replications.parquet row."""
    sets = [arg for key in overrides for arg in ("--set", key)]
    out = CliRunner().invoke(main, ["run", str(CASE), "-n", "1", "-j", "1", "--quiet",
                                    "-o", str(folder), *sets])
    assert out.exit_code == 0, out.output
    return out.output, pq.read_table(folder / "replications.parquet").to_pylist()[0]


def test_the_district_has_the_brief_s_households_and_workers(routes) -> None:
    _, plan, lengths = routes
    assert plan.homes.count == HOUSEHOLDS
    assert len(lengths) == WORKERS and lengths.sum() == HOUSEHOLDS


def test_at_three_hours_exactly_400_times_180_households_are_done(routes) -> None:
    scenario, plan, lengths = routes
    result = simulate_scan(plan, Parameters(scenario, Streams(1, 0)))
    done = result.completion_min[plan.household_order]
    position = np.arange(HOUSEHOLDS) - np.repeat(plan.scanner_offsets[:-1], lengths)
    assert np.array_equal(done, position + 1.0)  # the k-th door of a route at minute k
    assert lengths.min() > THREE_HOURS_MIN       # nobody has finished a route at 3 hours
    assert np.count_nonzero(done <= THREE_HOURS_MIN) == WORKERS * THREE_HOURS_MIN == 72_000


def test_the_campaign_ends_no_sooner_than_the_balanced_bound_of_21_hours(routes, tmp_path) -> None:
    _, _, lengths = routes
    _, row = run_case(tmp_path / "run")
    balanced_min = math.ceil(HOUSEHOLDS / WORKERS)
    assert row["days_to_full"] == lengths.max() / DAY_MIN >= balanced_min / DAY_MIN
    assert row["share_verified_at_horizon"] == 1.0


def test_a_horizon_too_short_is_reported_as_not_over(routes, tmp_path) -> None:
    """With one day the longest routes are unfinished: the run says so and counts exactly."""
    _, _, lengths = routes
    assert lengths.max() > DAY_MIN
    printed, row = run_case(tmp_path / "run", "scan.horizon_days=1")
    assert row["days_to_full"] == math.inf  # never within the horizon
    assert row["share_verified_at_horizon"] == np.minimum(lengths, DAY_MIN).sum() / HOUSEHOLDS
    assert "campaign over (every household verified or given up): median never" in printed
    assert "not within the horizon: 1 of 1" in printed
