"""Where a pool's teams wait (explicit tables, or spread by need), by hand; a pool with more
teams keeps everyone else's draws.

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
from mobsim.district.generate import generate_xindu
from mobsim.model.geometry import geometry
from mobsim.model.pools import Pool, Pools, home_teams, place_people, seats
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


def _person_draws(overrides: list[str], name: str) -> dict[tuple[int, int, int], tuple]:
    """Each person's draws (state, wake-up, available from, read delays, call outcomes, way
    home), keyed by (place or unit, team, member) from the pool's row layout."""
    chosen = scenario(*overrides)
    params = Parameters(chosen, Streams(5, 2))
    geo = geometry(small_district(subdistricts=2, communities=2, grids=1, microgrids=3))
    pools = Pools(params, geo, "night")
    index = [p.name for p in pools.pools].index(name)
    pool, places = pools.pools[index], pools.places[index]
    timeline, contact, delay = pools._draw(pool, places)
    columns = (timeline.states, timeline.home_min, timeline.available_min,
               contact.read_min.T, contact.answered, delay)
    out, row = {}, 0
    for stream, n in places.blocks:
        place, member = stream.rsplit(".member", 1)
        for team in range(n):
            out[(place, team, int(member))] = tuple(np.asarray(c[row]).tolist() for c in columns)
            row += 1
    return out


@pytest.mark.parametrize("base, more", [
    (["pools.emergency_team.teams_by_subdistrict=[40, 30]", "pools.emergency_team.team_size=2"],
     ["pools.emergency_team.teams_by_subdistrict=[40, 31]", "pools.emergency_team.team_size=2"]),
    (["pools.volunteer_team.teams=12", "pools.volunteer_team.team_size=2"],
     ["pools.volunteer_team.teams=13", "pools.volunteer_team.team_size=3"]),
])
def test_more_teams_or_larger_teams_keep_everyone_else_s_draws(base, more) -> None:
    name = base[0].split(".")[1]
    before, after = _person_draws(base, name), _person_draws(more, name)
    assert len(after) > len(before)
    assert all(after[person] == draws for person, draws in before.items())


def test_teams_go_by_need_one_at_a_time() -> None:
    # Weights 3 and 1, quotients weight / (2 seats + 1): 3 > 1, seat to 0; 1 = 1, the lower
    # row, 0; 3/5 < 1, to 1; 3/5 > 1/3, to 0; 3/7 > 1/3, to 0.
    assert seats(np.array([3.0, 1.0]), 5).tolist() == [0, 0, 1, 0, 0]
    # A count more keeps the earlier seats where they were.
    assert seats(np.array([5.0, 2.0, 3.0]), 9)[:6].tolist() == seats(np.array([5.0, 2.0, 3.0]), 6).tolist()


def test_on_xindu_volunteer_teams_per_community_follow_the_micro_grids_within_one_team() -> None:
    geo = geometry(generate_xindu())
    pool = Pool.of(Settings(scenario()), "volunteer_team")
    teams = home_teams(pool, geo)
    microgrids = np.bincount(geo.community_of_microgrid)
    quota = pool.teams * microgrids / microgrids.sum()
    assert teams.sum() == pool.teams
    assert (np.abs(teams - quota) < 1.0).all(), np.abs(teams - quota).max()
    people = place_people(pool, geo)
    assert np.bincount(people.community, minlength=len(teams)).tolist() == (teams * pool.team_size).tolist()


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
