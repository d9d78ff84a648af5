"""`pools.<name>.teams_by_subdistrict`: teams placed at chosen sub-district offices, by hand.

The deterministic day of test_pools on two sub-districts of two communities, one general grid
of three posts each, 0.3 km apart on a line: posts 0-5 lie in sub-district 0, posts 6-11 in
sub-district 1. Community c's office is at the mean of its posts, x = 0.3 (3c + 1); a
sub-district's office at the mean of its community offices: x = 0.75 and 2.55 km.
"""

import numpy as np
import pytest
from model_fixtures import deterministic, scenario, small_district

from mobsim.errors import InputError
from mobsim.model import simulate
from mobsim.model.pools import Pool, report_min
from mobsim.random import Streams
from mobsim.scenario.params import Parameters, Settings

ROLL_CALL_MIN = 58.0
FIRST_ROUND_MIN = 60.0
POOL_KMH = 12.0
OFFICE_X = (0.75, 2.55)


def _district(gaps: list[int]):
    district = small_district(subdistricts=2, communities=2, grids=1, microgrids=3, members=1,
                              units=1, cadres=0)
    district.members["home_y_km"][gaps] = 1000.0
    return district


def _emergency(counts: list[int], team_size: int = 1) -> list[str]:
    key = "pools.emergency_team."
    return [key + f"teams_by_subdistrict={counts}", key + f"team_size={team_size}",
            key + "per='district'", key + "home='subdistrict'", key + "scope='subdistrict'",
            key + "like='cadres'", key + "report_min=5.0", key + f"speed_kmh={POOL_KMH}"]


def _run(district, *extra: str):
    overrides = deterministic() + [
        "travel.detour_factor=1.0", f"escalation.sweep_min={ROLL_CALL_MIN}",
        "escalation.after_min=700.0", "escalation.trusted_eta_min=30.0", *extra]
    return simulate(district, scenario(*overrides), 1, 0)


@pytest.mark.parametrize("counts", [[1, 0], [0, 1]])
def test_only_the_sub_district_given_a_team_has_its_gap_filled(counts: list[int]) -> None:
    posts = (1, 7)  # x = 0.3 in sub-district 0, x = 2.1 in sub-district 1
    r = _run(_district(list(posts)), *_emergency(counts))
    for post, teams, office_x in zip(posts, counts, OFFICE_X):
        if teams:
            ride_min = abs(office_x - 0.3 * post) / POOL_KMH * 60
            assert r.microgrid_activated_min[post] == pytest.approx(FIRST_ROUND_MIN + ride_min, abs=1e-9)
        else:
            assert np.isnan(r.microgrid_activated_min[post])


def test_a_team_added_to_one_sub_district_keeps_everyone_else_s_draws() -> None:
    params = Parameters(scenario(), Streams(5, 2))
    pool = Pool.of(Settings(scenario()), "emergency_team")

    def draws(counts: list[int]) -> np.ndarray:
        """Each person's (available from, report) minutes, one row per person."""
        return np.column_stack(report_min(params, pool, "day", tuple(
            (f"pools.emergency_team.subdistrict{s}", n) for s, n in enumerate(counts))))

    before, after = draws([40, 30]), draws([40, 31])
    np.testing.assert_array_equal(after[:40], before[:40])
    np.testing.assert_array_equal(after[40:70], before[40:70])
    assert len(after) == 71


def test_counts_for_another_number_of_sub_districts_are_refused_in_one_line() -> None:
    with pytest.raises(InputError, match=r"^pools.emergency_team.teams_by_subdistrict: 3 counts "
                                         r"for the district's 2 sub-districts[^\n]*$"):
        _run(_district([1]), *_emergency([1, 0, 1]))


@pytest.mark.parametrize("override, message", [
    ("pools.emergency_team.teams_by_subdistrict=[1, -1]", "whole numbers of teams from 0"),
    ("pools.emergency_team.teams_by_subdistrict=[1.5]", "whole numbers of teams from 0"),
    ("pools.volunteer_team.teams_by_subdistrict=[1]", "needs pools.volunteer_team.home = \"subdistrict\""),
])
def test_bad_teams_by_subdistrict_are_refused(override: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        scenario(override)
