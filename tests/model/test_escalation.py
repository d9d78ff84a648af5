"""Gaps and grid workers covering them, on a deterministic day with no member reporting."""

import numpy as np
from model_fixtures import deterministic, scenario, small_district

from mobsim.codes import ACTIVATED_BY
from mobsim.model import simulate

WALK_KMH = 1.25 * 3.6


def _run(*extra: str):
    """One general grid of three posts 0.3 km apart; no member and no cadre reports."""
    district = small_district(subdistricts=1, communities=1, grids=1, microgrids=3, members=1,
                              units=0, cadres=0)
    never = [f"members.availability.{period}=0.0" for period in ("day", "evening", "night")]
    overrides = deterministic() + never + ["escalation.after_min=20.0",
                                   "travel.detour_factor=1.0", *extra]
    return simulate(district, scenario(*overrides), 1, 0)


def test_posts_without_staff_become_gaps_after_the_escalation_delay() -> None:
    r = _run()
    worker_alerted = r.gridworker_alerted_min[0]
    assert worker_alerted == 3.0 + 2.0 + 5.0 + 2.0 + 7.0 + 2.0  # three levels of one call each
    assert r.microgrid_gap_min.tolist() == [worker_alerted + 20.0] * 3


def test_the_grid_worker_covers_the_nearest_gap_from_the_centre_of_the_grid() -> None:
    r = _run()
    gap = r.microgrid_gap_min[1]
    prepare = 4.0
    assert r.microgrid_gridworker_arrived_min[1] == gap + prepare
    assert r.microgrid_activated_min[1] == gap + prepare
    assert ACTIVATED_BY[r.microgrid_activated_by[1]] == "grid_worker"
    assert np.isnan(r.microgrid_activated_min[[0, 2]]).all()


def test_a_worker_with_no_member_coming_holds_the_first_gap_to_the_horizon() -> None:
    r = _run()
    shifts = r.reserve_shifts
    assert shifts["microgrid"].tolist() == [1] and np.isnan(shifts["released_min"]).all()
    assert shifts["arrived_min"].tolist() == [r.microgrid_gridworker_arrived_min[1]]


def test_no_cover_when_the_grid_worker_is_not_available() -> None:
    r = _run(*(f"gridworkers.availability.{p}=0.0" for p in ("day", "evening", "night")))
    assert np.isnan(r.microgrid_gridworker_arrived_min).all()
    assert np.isnan(r.microgrid_activated_min).all() and not np.isnan(r.microgrid_gap_min).any()


def test_a_grid_worker_unavailable_by_day_sets_out_when_the_evening_begins() -> None:
    """Order 14:00, evening from 18:00: availability is drawn again at minute 240 (no ramp)."""
    r = _run("gridworkers.availability.day=0.0", "gridworkers.availability.evening=1.0",
             "presence.availability_ramp_min=0.0")
    evening_min, prepare_min = 240.0, 4.0
    assert r.microgrid_gap_min[1] < evening_min  # the gap was open long before
    # from the centre of the grid, which is post 1: no travel
    assert r.microgrid_gridworker_arrived_min[1] == evening_min + prepare_min


def test_the_district_roll_call_opens_gaps_the_grid_worker_has_not() -> None:
    r = _run("escalation.after_min=700.0", "escalation.sweep_min=90.0")
    assert r.microgrid_gap_min.tolist() == [90.0] * 3
    assert np.isnan(r.microgrid_gridworker_arrived_min).all()
