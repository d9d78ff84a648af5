"""Reserve pools, cadres on duty at once and party branches, through the real engine, by hand.

A deterministic day (model_fixtures.deterministic, which leaves every pool out) on one
sub-district of two communities, one general grid of three posts each, 0.3 km apart on a line
(x = 0, 0.3, ..., 1.5 km); community 0's office is at x = 0.3, community 1's at x = 1.2, the
district centre (the mean of the offices) at x = 0.75. Members of the posts chosen live 1000 km
away, so those posts are gaps at the roll-call and only a reserve fills them. Grid workers
escalate after the horizon and there are no cadres unless a test says so: only the pool
under test backfills. Every travel time is distance / speed, worked by hand.
"""

import numpy as np
import pytest
from model_fixtures import deterministic, scenario, small_district

from mobsim.codes import ACTIVATED_BY
from mobsim.errors import InputError
from mobsim.model import simulate
from mobsim.model.branches import branch_communities
from mobsim.model.cadres import on_roster
from mobsim.random import Streams
from mobsim.scenario.params import Parameters

ROLL_CALL_MIN = 58.0
FIRST_ROUND_MIN = 60.0  # the district's rounds come every 5 minutes
POOL_KMH = 12.0
OFFICE_X = (0.3, 1.2)
CENTRE_X = 0.75
BRANCH_ROLL_CALL_MIN = 35.3
NO_TASK_STAFF = [f"tasks.staffed_by.{kind}=false" for kind in (
    "member", "grid_worker", "cadre", "community_staff", "emergency_team", "commando_team",
    "volunteer_team")]
"""Nobody free goes to a testing site or checkpoint: a reserve waits where the dispatcher
found them, so every ride is worked from there by hand."""


def _district(gaps: list[int], cadres: int = 0):
    district = small_district(subdistricts=1, communities=2, grids=1, microgrids=3, members=1,
                              units=1, cadres=cadres)
    district.members["home_y_km"][gaps] = 1000.0
    return district


def _pool(name: str, teams: int, team_size: int, per: str, home: str, scope: str,
          alerted_by: str) -> list[str]:
    key = f"pools.{name}."
    return [key + f"teams={teams}", key + f"team_size={team_size}", key + f"per='{per}'",
            key + f"home='{home}'", key + f"scope='{scope}'", key + f"alerted_by='{alerted_by}'",
            key + "like='cadres'", key + "report_min=5.0", key + f"speed_kmh={POOL_KMH}"]


def _run(district, *extra: str, trace: bool = False):
    overrides = deterministic() + [
        "travel.detour_factor=1.0", f"escalation.sweep_min={ROLL_CALL_MIN}",
        "escalation.after_min=700.0", "escalation.trusted_eta_min=30.0", *NO_TASK_STAFF, *extra]
    return simulate(district, scenario(*overrides), 1, 0, trace=trace)


def _ride_min(from_x: float, to_x: float) -> float:
    return abs(to_x - from_x) / POOL_KMH * 60


def _filled_by(result, posts: list[int]) -> list[str]:
    return [ACTIVATED_BY[code] for code in result.microgrid_activated_by[posts]]


def test_a_district_pool_of_k_fills_k_gaps_at_the_ride_from_the_district_centre() -> None:
    # Two commandos wait at the district centre (alerted at the order, on hand after 4 + 5
    # minutes); the first round after the roll-call sends one to each gap.
    r = _run(_district([0, 4]), *_pool("commando_team", 2, 1, "district", "district", "district", "district"))
    assert r.microgrid_gap_min[[0, 4]].tolist() == [ROLL_CALL_MIN] * 2
    assert r.microgrid_activated_min[0] == pytest.approx(FIRST_ROUND_MIN + _ride_min(CENTRE_X, 0.0), abs=1e-9)
    assert r.microgrid_activated_min[4] == pytest.approx(FIRST_ROUND_MIN + _ride_min(CENTRE_X, 1.2), abs=1e-9)
    assert _filled_by(r, [0, 4]) == ["commando_team"] * 2
    shifts = r.reserve_shifts
    assert sorted(zip(shifts["microgrid"].tolist(), shifts["who"].tolist())) in ([(0, 0), (4, 1)], [(0, 1), (4, 0)])


def test_a_pool_of_one_fills_the_nearer_of_two_gaps_and_no_more() -> None:
    r = _run(_district([0, 4]), *_pool("commando_team", 1, 1, "district", "district", "district", "district"))
    assert r.microgrid_activated_min[4] == pytest.approx(FIRST_ROUND_MIN + _ride_min(CENTRE_X, 1.2), abs=1e-9)
    assert np.isnan(r.microgrid_activated_min[0])  # nobody is left for the farther gap


def test_community_staff_serve_their_own_community_only() -> None:
    # Two staff per community. Community 1 has three gaps (posts 3, 4, 5): its staff fill the
    # two nearest their office at x = 1.2 (posts 4 and, of 3 and 5, the first in row order);
    # community 0's spare staff stay home, so one gap of community 1 is left.
    r = _run(_district([0, 3, 4, 5]),
             *_pool("community_staff", 1, 2, "community", "community", "community", "communities"))
    assert r.microgrid_activated_min[0] == pytest.approx(FIRST_ROUND_MIN + _ride_min(OFFICE_X[0], 0.0), abs=1e-9)
    assert r.microgrid_activated_min[4] == pytest.approx(FIRST_ROUND_MIN, abs=1e-9)  # at the office
    filled = ~np.isnan(r.microgrid_activated_min[[3, 5]])
    assert filled.sum() == 1
    assert r.microgrid_activated_min[[3, 5]][filled][0] == pytest.approx(
        FIRST_ROUND_MIN + _ride_min(OFFICE_X[1], 0.9), abs=1e-9)
    assert _filled_by(r, [0, 4]) == ["community_staff"] * 2
    assert len(r.reserve_shifts) == 3


def test_a_subdistrict_pool_waits_at_the_subdistrict_office() -> None:
    # One sub-district: its office is the mean of its community offices, the district centre.
    r = _run(_district([5]), *_pool("emergency_team", 1, 1, "subdistrict", "subdistrict", "subdistrict",
                                     "subdistricts"))
    assert r.microgrid_activated_min[5] == pytest.approx(FIRST_ROUND_MIN + _ride_min(CENTRE_X, 1.5), abs=1e-9)
    assert _filled_by(r, [5]) == ["emergency_team"]


def test_a_pool_hands_over_to_the_late_member_like_a_cadre() -> None:
    # Post 1's member lives 10 km away (a 40-minute ride at 15 km/h), post 5's never comes:
    # both are gaps a member is coming to late. Of two commandos from the centre, one goes to
    # post 5 (its member comes last), the other to post 1, which it reaches first; there it
    # holds the post and hands over to its member.
    district = _district([5])
    district.members["home_y_km"][1] = 10.0
    r = _run(district, "escalation.handover_min=5.0",
             *_pool("commando_team", 1, 2, "district", "district", "district", "district"))
    member = r.member_arrived_min[1]
    shifts = r.reserve_shifts
    by_post = dict(zip(shifts["microgrid"].tolist(), range(len(shifts))))
    assert sorted(by_post) == [1, 5]
    at_1, at_5 = shifts[by_post[1]], shifts[by_post[5]]
    held = FIRST_ROUND_MIN + _ride_min(CENTRE_X, 0.3)
    assert at_1["arrived_min"] == pytest.approx(held, abs=1e-9) and member > held
    assert at_1["released_min"] == pytest.approx(member + 5.0, abs=1e-9)
    assert at_5["arrived_min"] == pytest.approx(FIRST_ROUND_MIN + _ride_min(CENTRE_X, 1.5), abs=1e-9)
    assert [ACTIVATED_BY[k] for k in shifts["kind"]] == ["commando_team"] * 2


def test_a_branch_calls_its_community_s_gaps_early_and_dispatches_between_rounds() -> None:
    # Both communities have a branch: each makes its posts still without staff gaps 35.3
    # minutes after its community head acknowledged (every member has been called by then,
    # and no round falls on a gap), and places its staff every 2 minutes.
    r = _run(_district([0, 4]), "branches.count=2", f"branches.roll_call_min={BRANCH_ROLL_CALL_MIN}",
             "branches.dispatch_interval_min=2.0",
             *_pool("community_staff", 1, 1, "community", "community", "community", "communities"),
             trace=True)
    events = r.trace
    heads = events[(events["entity"] == 2) & (events["event"] == 1)]  # community, acknowledged
    acknowledged = dict(zip(heads["entity_id"].tolist(), heads["time_min"].tolist()))
    for post, community, office in ((0, 0, OFFICE_X[0]), (4, 1, OFFICE_X[1])):
        gap = acknowledged[community] + BRANCH_ROLL_CALL_MIN
        assert r.microgrid_gap_min[post] == pytest.approx(gap, abs=1e-9) and gap < ROLL_CALL_MIN
        # the first round after the gap, the branch's (every 2 min) or the district's (every 5)
        first_round = min(2.0 * np.ceil(gap / 2.0), 5.0 * np.ceil(gap / 5.0))
        assert r.microgrid_activated_min[post] == pytest.approx(first_round + _ride_min(office, 0.3 * post),
                                                               abs=1e-9)


def test_without_a_branch_a_community_waits_for_the_district_roll_call() -> None:
    r = _run(_district([0, 4]), "branches.count=1", "branches.roll_call_min=20.0",
             *_pool("community_staff", 1, 1, "community", "community", "community", "communities"))
    early = r.microgrid_gap_min[[0, 4]] < ROLL_CALL_MIN
    assert early.sum() == 1  # one community of two has the branch
    assert r.microgrid_gap_min[[0, 4]][~early][0] == ROLL_CALL_MIN


def test_the_branches_of_a_smaller_count_keep_their_communities() -> None:
    chosen = [set(branch_communities(Parameters(scenario(f"branches.count={k}"), Streams(3, 1)), 184).tolist())
              for k in (0, 90, 180, 500)]
    assert [len(c) for c in chosen] == [0, 90, 180, 184]
    assert chosen[0] <= chosen[1] <= chosen[2] <= chosen[3]


def test_only_the_cadres_on_duty_report_and_a_larger_roster_keeps_them() -> None:
    district = _district([0, 4], cadres=10)
    for at_once in (0, 4, 10):
        r = _run(district, f"cadres.at_once={at_once}")
        assert int((~np.isnan(r.cadre_reported_min)).sum()) == at_once
    rosters = [on_roster(Parameters(scenario(f"cadres.at_once={k}"), Streams(1, 0)), 50) for k in (5, 20)]
    assert rosters[0].sum() == 5 and rosters[1].sum() == 20 and not (rosters[0] & ~rosters[1]).any()


def test_a_pool_whose_home_is_wider_than_its_scope_is_refused() -> None:
    with pytest.raises(InputError, match="pools.volunteer_team: home 'district' is wider than scope"):
        scenario("pools.volunteer_team.home='district'", "pools.volunteer_team.alerted_by='district'")
    with pytest.raises(InputError, match="pools.community_staff.per"):
        scenario("pools.community_staff.per='street'")


EVENING_MIN = 240.0  # the order is at 14:00 on a Tuesday; the evening period begins at 18:00


def test_a_pool_member_unavailable_at_the_order_sets_out_when_the_period_changes() -> None:
    # The commando (like the cadres) is unavailable in the day and available in the evening:
    # they set out at 18:00 (no ramp), are home 4 + 5 minutes later (249), and the round at 250
    # sends them.
    r = _run(_district([0]), "cadres.availability.day=0.0", "cadres.availability.evening=1.0",
             "presence.availability_ramp_min=0.0",
             *_pool("commando_team", 1, 1, "district", "district", "district", "district"))
    first_round_after = 5.0 * np.ceil((EVENING_MIN + 4.0 + 5.0) / 5.0)
    assert r.microgrid_activated_min[0] == pytest.approx(first_round_after + _ride_min(CENTRE_X, 0.0), abs=1e-9)
    assert _filled_by(r, [0]) == ["commando_team"]


def test_a_pool_member_unavailable_in_every_period_of_the_horizon_never_comes() -> None:
    r = _run(_district([0]), "cadres.availability.day=0.0", "cadres.availability.evening=0.0",
             "cadres.availability.night=0.0",
             *_pool("commando_team", 1, 1, "district", "district", "district", "district"))
    assert np.isnan(r.microgrid_activated_min[0])
