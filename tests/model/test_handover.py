"""Reserves with the backfill path on: fill times, hand-overs and the next post, by hand.

A deterministic day (model_fixtures.deterministic) on one sub-district of two communities,
one general grid of three posts each, 0.3 km apart on a line (x = 0, 0.3, ..., 1.5 km). Some
members live far from their post, so their post is a gap when the roll-call comes; the
others are on post long before. Every travel time below is distance / speed, worked by hand.
"""

import numpy as np
import pytest
from model_fixtures import deterministic, scenario, small_district

from mobsim.codes import ACTIVATED_BY, RELEASE_REASONS
from mobsim.model import simulate

CADRE_KMH = 25.0
RIDE_KMH = 15.0
WALK_KMH = 1.25 * 3.6
WALK_MAX_KM = 2.0  # members walk up to 2 km, so a member 2 km out walks
HANDOVER_MIN = 5.0
ROLL_CALL_MIN = 58.0  # every post still without staff becomes a gap; the next round is at 60
FIRST_ROUND_MIN = 60.0
MEMBER_PREPARE_MIN = 4.0


def _district(far_km: dict[int, float], cadres: int):
    """Members of the posts in `far_km` live that far north of their post; cadres pair with
    community 0, whose office is at x = 0.3 km; community 1's at x = 1.2 km."""
    district = small_district(subdistricts=1, communities=2, grids=1, microgrids=3, members=1,
                              units=1, cadres=cadres)
    for microgrid, km in far_km.items():
        district.members["home_y_km"][microgrid] = km
    return district


def _run(district, *extra: str):
    overrides = deterministic() + [
        "travel.detour_factor=1.0", f"escalation.sweep_min={ROLL_CALL_MIN}",
        "escalation.trusted_eta_min=30.0", f"escalation.handover_min={HANDOVER_MIN}",
        f"cadres.speed_kmh={CADRE_KMH}", f"travel.ride_speed_kmh={RIDE_KMH}",
        f"travel.walk_max_km={WALK_MAX_KM}", *extra]
    return simulate(district, scenario(*overrides), 1, 0)


def _cadres_only(district):
    """Grid workers escalate after the horizon: only cadres backfill."""
    return _run(district, "escalation.after_min=700.0")


def test_two_cadres_fill_the_two_gaps_at_the_ride_from_their_office() -> None:
    r = _cadres_only(_district({0: 1000.0, 4: 1000.0}, cadres=2))
    assert r.microgrid_gap_min[[0, 4]].tolist() == [ROLL_CALL_MIN] * 2
    assert np.isnan(np.delete(r.microgrid_gap_min, [0, 4])).all()  # their members came first
    assert (r.cadre_reported_min < FIRST_ROUND_MIN).all()
    # Both posts are gaps a member is coming to late (a 4000-minute ride): the least total
    # ride sends the first cadre 0.3 km to post 0 and the second 0.9 km to post 4.
    assert r.cadre_microgrid.tolist() == [0, 4]
    assert r.microgrid_activated_min[0] == pytest.approx(FIRST_ROUND_MIN + 0.3 / CADRE_KMH * 60, abs=1e-9)
    assert r.microgrid_activated_min[4] == pytest.approx(FIRST_ROUND_MIN + 0.9 / CADRE_KMH * 60, abs=1e-9)
    assert [ACTIVATED_BY[b] for b in r.microgrid_activated_by[[0, 4]]] == ["cadre", "cadre"]


def test_a_cadre_hands_over_to_the_late_member_and_is_free_at_the_post() -> None:
    # Post 0's member lives 10 km away: a 40-minute ride; post 4's never comes in the horizon.
    # Both are gaps a member is coming to late. The round aims at the latest fill: one cadre
    # goes to post 4 (its member's arrival is the latest), the other to post 0, which it
    # reaches before its member; at post 0 the cadre hands over when the member comes.
    r = _cadres_only(_district({0: 10.0, 4: 1000.0}, cadres=2))
    held = FIRST_ROUND_MIN + 0.3 / CADRE_KMH * 60  # office (x = 0.3) to post 0 (x = 0)
    member = r.member_acknowledged_min[0] + MEMBER_PREPARE_MIN + 10.0 / RIDE_KMH * 60
    assert r.member_arrived_min[0] == pytest.approx(member, abs=1e-9) and member > held
    shifts = r.reserve_shifts
    by_post = dict(zip(shifts["microgrid"].tolist(), range(len(shifts))))
    assert sorted(by_post) == [0, 4]
    at_0, at_4 = shifts[by_post[0]], shifts[by_post[4]]
    assert at_0["arrived_min"] == pytest.approx(held, abs=1e-9)
    assert at_4["arrived_min"] == pytest.approx(FIRST_ROUND_MIN + 0.9 / CADRE_KMH * 60, abs=1e-9)
    assert at_0["released_min"] == pytest.approx(member + HANDOVER_MIN, abs=1e-9)
    assert [RELEASE_REASONS[w] for w in (at_0["why"], at_4["why"])] == ["handover", "horizon"]
    assert r.microgrid_hand_changes.tolist() == [1, 0, 0, 0, 0, 0]
    assert r.microgrid_activated_min[0] == pytest.approx(held, abs=1e-9)  # stays activated


def test_a_cadre_goes_to_the_gap_whose_member_comes_last() -> None:
    # One cadre, two gaps a member reaches late: the one whose member comes later decides the
    # latest fill, so the cadre goes there, though the other is nearer.
    r = _cadres_only(_district({0: 10.0, 4: 12.0}, cadres=1))
    members = r.member_acknowledged_min[[0, 4]] + MEMBER_PREPARE_MIN + np.array([10.0, 12.0]) / RIDE_KMH * 60
    assert r.member_arrived_min[[0, 4]] == pytest.approx(members, abs=1e-9)
    last = [0, 4][int(np.argmax(members))]
    assert r.cadre_microgrid.tolist() == [last]
    ride_km = {0: 0.3, 4: 0.9}[last]
    assert r.reserve_shifts["arrived_min"].tolist() == pytest.approx(
        [FIRST_ROUND_MIN + ride_km / CADRE_KMH * 60], abs=1e-9)


def test_a_relieved_grid_worker_walks_on_to_the_nearest_open_gap() -> None:
    # Grid 0 (posts 0, 1, 2): post 1's member lives 2 km away (a 26.7-minute walk, too late to
    # count as coming), the others never come. The worker escalates 20 minutes after acknowledging and goes from the centre
    # of the grid (post 1) to the nearest gap, post 1 itself.
    r = _run(_district({0: 1000.0, 1: 2.0, 2: 1000.0}, cadres=0), "escalation.after_min=20.0",
             "escalation.sweep_min=600.0")
    gap = r.gridworker_alerted_min[0] + 20.0
    held = gap + 4.0  # the worker prepares 4 minutes; no walk
    member = r.member_acknowledged_min[1] + MEMBER_PREPARE_MIN + 2.0 / WALK_KMH * 60
    assert r.member_arrived_min[1] == pytest.approx(member, abs=1e-9) and member > held
    released = member + HANDOVER_MIN
    shifts = r.reserve_shifts[r.reserve_shifts["kind"] == ACTIVATED_BY.index("grid_worker")]
    # posts 0 and 2 are equally near post 1: the first in row order
    assert shifts["microgrid"][:2].tolist() == [1, 0]
    assert shifts["arrived_min"][:2].tolist() == pytest.approx([held, released + 0.3 / WALK_KMH * 60],
                                                               abs=1e-9)
    assert shifts["released_min"][0] == pytest.approx(released, abs=1e-9)


def test_the_cover_cap_keeps_a_relieved_grid_worker_from_going_on() -> None:
    r = _run(_district({0: 1000.0, 1: 2.0, 2: 1000.0}, cadres=0), "escalation.after_min=20.0",
             "escalation.sweep_min=600.0", "escalation.grid_worker_covers=1")
    assert not np.isnan(r.member_arrived_min[1])  # relieved, yet the cap ends the worker's round
    assert r.reserve_shifts["microgrid"].tolist() == [1]
    assert np.isnan(r.microgrid_activated_min[[0, 2]]).all()


def test_a_grid_worker_whose_gap_fills_on_the_way_turns_to_the_next_from_where_they_are() -> None:
    # Grid 0: post 1's member is on post before the escalation; post 0's lives 0.75 km away
    # (a 10-minute walk) and every trip counts as late; post 2's never comes. The worker
    # leaves the centre (post 1, x = 0.3) for post 0 (x = 0, the first of two equally near
    # gaps), the member fills it on the way, and the worker turns from where they are to post 2.
    r = _run(_district({0: 0.75, 2: 1000.0}, cadres=0), "escalation.after_min=20.5",
             "escalation.sweep_min=600.0", "escalation.trusted_eta_min=1.0")
    gap = r.gridworker_alerted_min[0] + 20.5
    leave, planned = gap + 4.0, gap + 4.0 + 0.3 / WALK_KMH * 60
    member = r.member_acknowledged_min[0] + MEMBER_PREPARE_MIN + 0.75 / WALK_KMH * 60
    assert r.member_arrived_min[0] == pytest.approx(member, abs=1e-9) and leave < member < planned
    assert r.member_arrived_min[1] < gap
    x_turn = 0.3 - 0.3 * (member - leave) / (planned - leave)
    shifts = r.reserve_shifts[r.reserve_shifts["kind"] == ACTIVATED_BY.index("grid_worker")]
    assert shifts["microgrid"][0] == 2
    assert shifts["arrived_min"][0] == pytest.approx(member + (0.6 - x_turn) / WALK_KMH * 60, abs=1e-9)
    assert ACTIVATED_BY[r.microgrid_activated_by[0]] == "member"



def test_a_grid_worker_with_no_gap_left_takes_over_a_cadres_post() -> None:
    # Post 0 (grid 0) lacks its member. The cadre reaches it at the first round; grid 0's
    # worker escalates later, finds no gap in the grid and walks from its centre (post 1,
    # x = 0.3) to post 0 to take it over; the cadre hands over and is free at post 0.
    r = _run(_district({0: 1000.0}, cadres=1), "escalation.after_min=50.0")
    escalation = r.gridworker_alerted_min + 50.0
    cadre_held = FIRST_ROUND_MIN + 0.3 / CADRE_KMH * 60
    assert escalation.min() > cadre_held
    worker_held = escalation[0] + 4.0 + 0.3 / WALK_KMH * 60
    shifts = r.reserve_shifts
    by_post = {(ACTIVATED_BY[k], m): row
               for row, (k, m) in enumerate(zip(shifts["kind"].tolist(), shifts["microgrid"].tolist()))}
    assert sorted(by_post) == [("cadre", 0), ("grid_worker", 0)]
    cadre, worker = (shifts[by_post[key]] for key in (("cadre", 0), ("grid_worker", 0)))
    assert cadre["arrived_min"] == pytest.approx(cadre_held, abs=1e-9)
    assert worker["arrived_min"] == pytest.approx(worker_held, abs=1e-9)
    assert cadre["released_min"] == pytest.approx(worker_held + HANDOVER_MIN, abs=1e-9)
    assert r.microgrid_hand_changes.tolist() == [1, 0, 0, 0, 0, 0]
    assert np.isnan(worker["released_min"])
