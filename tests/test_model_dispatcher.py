"""The dispatcher: exact column reduction, least-cost assignment, the pairing penalty."""

import numpy as np
import pytest
import simpy

from mobsim.kernels.assignment import transport
from mobsim.model import ACTIVATED_BY
from mobsim.model.cascade import Cascade
from mobsim.model.dispatcher import Dispatcher, nearest_columns
from mobsim.model.geometry import geometry
from mobsim.model.posts import Posts
from mobsim.model.report import Travel
from mobsim.model.trace import Trace
from model_fixtures import small_district

TRAVEL = Travel(walk_speed_kmh=4.5, detour_factor=1.0, walk_max_km=2.0, ride_speed_kmh=15.0,
                village_factor=1.0)


@pytest.mark.parametrize("seed", range(8))
def test_the_nearest_columns_hold_an_optimal_plan(seed: int) -> None:
    rng = np.random.default_rng(seed)
    rows, columns = int(rng.integers(1, 6)), int(rng.integers(10, 40))
    cost = rng.uniform(0, 100, (rows, columns))
    supply = rng.integers(0, 4, rows)
    supply[0] += 1
    demand = rng.integers(1, 3, columns)
    kept = nearest_columns(cost, int(supply.sum()))
    full = transport(cost, supply, demand)
    reduced = transport(cost[:, kept], supply, demand[kept])
    assert np.isclose((full * cost).sum(), (reduced * cost[:, kept]).sum(), rtol=1e-12)
    assert len(kept) <= min(columns, rows * int(supply.sum()))


def _setup(units: int, cadres: int, penalty_min: float = 0.0):
    district = small_district(subdistricts=1, communities=2, grids=1, microgrids=3, units=units,
                              cadres=cadres)
    geo = geometry(district)
    env = simpy.Environment()
    cascade = Cascade(env, 720.0, Trace(False))
    posts = Posts(len(geo.grid_of_microgrid), 1, cascade.trace)
    dispatcher = Dispatcher(cascade, posts, geo, TRAVEL, 30.0, penalty_min)
    return geo, env, posts, dispatcher


def test_few_cadres_are_all_sent_and_no_gap_gets_two() -> None:
    geo, env, posts, dispatcher = _setup(units=2, cadres=1)
    posts.open_gaps(np.arange(6), 0.0)
    for cadre in range(2):
        dispatcher.wait(cadre)
    dispatcher.dispatch()
    assert (dispatcher.microgrid >= 0).all()
    assert len(set(dispatcher.microgrid.tolist())) == 2
    assert dispatcher.waiting_count.sum() == 0


def test_many_cadres_fill_every_gap_and_the_rest_wait() -> None:
    geo, env, posts, dispatcher = _setup(units=2, cadres=4)
    posts.open_gaps(np.array([0, 4]), 0.0)
    for cadre in range(8):
        dispatcher.wait(cadre)
    dispatcher.dispatch()
    sent = dispatcher.microgrid[dispatcher.microgrid >= 0]
    assert sorted(sent.tolist()) == [0, 4]
    assert dispatcher.waiting_count.sum() == 6 and posts.shortfall(np.arange(6)).sum() == 0


def test_the_penalty_keeps_cadres_in_their_paired_community() -> None:
    for penalty, expected in ((0.0, 3), (1.0, 2)):
        geo, env, posts, dispatcher = _setup(units=1, cadres=1, penalty_min=penalty)
        geo.community_xy[0][0] = 0.8  # community 0's office: 0.2 km from post 2, 0.1 km from post 3
        posts.open_gaps(np.array([2, 3]), 0.0)
        dispatcher.wait(0)
        dispatcher.dispatch()
        assert dispatcher.microgrid[0] == expected


def test_cadres_arrive_after_their_ride_and_activate_the_post() -> None:
    geo, env, posts, dispatcher = _setup(units=1, cadres=1)
    posts.open_gaps(np.array([5]), 0.0)
    dispatcher.wait(0)
    dispatcher.run(5.0)
    env.run(until=100.0)
    km = abs(geo.microgrid_xy[0][5] - geo.community_xy[0][0])
    assert dispatcher.dispatched_min[0] == 5.0
    assert dispatcher.arrived_min[0] == pytest.approx(5.0 + km / 30.0 * 60, abs=1e-12)
    assert posts.activated_min[5] == dispatcher.arrived_min[0]
    assert ACTIVATED_BY[posts.activated_by[5]] == "cadre"


def test_a_cadre_not_needed_on_arrival_waits_again_at_that_community() -> None:
    geo, env, posts, dispatcher = _setup(units=1, cadres=1)
    posts.open_gaps(np.array([5]), 0.0)
    dispatcher.wait(0)
    dispatcher.dispatch()
    posts.arrive(5, "member", 0.5, announced=False)
    env.run(until=100.0)
    community = int(geo.community_of_microgrid[5])
    assert ACTIVATED_BY[posts.activated_by[5]] == "member"
    assert posts.on_post[5] == 1 and posts.on_the_way[5] == 0
    assert dispatcher.waiting_count[community] == 1
    assert list(dispatcher.waiting[community]) == [0]


def test_gaps_nobody_is_coming_to_are_served_first() -> None:
    geo, env, posts, dispatcher = _setup(units=1, cadres=1)
    posts.open_gaps(np.array([0, 5]), 0.0)
    nearest = int(np.argmin(dispatcher.travel_min(np.array([0]), np.array([0, 5]))[0]))
    late, free = (0, 5) if nearest == 0 else (5, 0)
    posts.expect_late(late)
    dispatcher.wait(0)
    dispatcher.dispatch()
    assert dispatcher.microgrid[0] == free


def _two_subdistricts():
    district = small_district(subdistricts=2, communities=1, grids=1, microgrids=3, units=2,
                              cadres=1)
    geo = geometry(district)
    cascade = Cascade(simpy.Environment(), 720.0, Trace(False))
    posts = Posts(len(geo.grid_of_microgrid), 1, cascade.trace)
    dispatcher = Dispatcher(cascade, posts, geo, TRAVEL, 30.0, 0.0)
    geo.community_xy[0][0] = 0.85  # community 0's office: 0.85 km from post 0, 0.05 km from post 3
    return posts, dispatcher


def test_a_subdistrict_covers_its_own_gaps_first() -> None:
    posts, dispatcher = _two_subdistricts()
    posts.open_gaps(np.array([0, 3]), 0.0)
    dispatcher.wait(0)  # cadre 0 waits at community 0, in sub-district 0
    dispatcher.dispatch()
    assert dispatcher.microgrid[0] == 0  # its own sub-district's gap, though post 3 is nearer


def test_cadres_left_over_go_to_other_subdistricts() -> None:
    posts, dispatcher = _two_subdistricts()
    posts.open_gaps(np.array([3]), 0.0)
    dispatcher.wait(0)
    dispatcher.dispatch()
    assert dispatcher.microgrid[0] == 3


def test_a_gap_nobody_is_coming_to_elsewhere_beats_a_late_one_at_home() -> None:
    posts, dispatcher = _two_subdistricts()
    posts.open_gaps(np.array([0, 3]), 0.0)
    posts.expect_late(0)
    dispatcher.wait(0)
    dispatcher.dispatch()
    assert dispatcher.microgrid[0] == 3
