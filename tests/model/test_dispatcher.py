"""The dispatcher: exact column reduction, least-cost placement, the pairing penalty, lending."""

import numpy as np
import pytest
import simpy
from mobsim.kernels.assignment import transport
from model_fixtures import small_district
from scipy.optimize import linprog

from mobsim.codes import ACTIVATED_BY
from mobsim.errors import InputError
from mobsim.model.cascade import Cascade
from mobsim.model.dispatcher import Dispatcher, groups
from mobsim.model.event_loop import EventLoop
from mobsim.model.geometry import geometry
from mobsim.model.placement import nearest_columns, place
from mobsim.model.posts import Posts
from mobsim.model.trace import Trace
from mobsim.model.turnout import Travel
from mobsim.scenario import load_scenario

TRAVEL = Travel(walk_speed_kmh=4.5, detour_factor=1.0, walk_max_km=2.0, ride_speed_kmh=15.0,
                village_factor=1.0)


def _random_problem(rng: np.random.Generator, max_rows: int, columns: tuple[int, int]):
    """Random costs, supplies (some zero, not all) and demands (each at least one)."""
    rows, n_columns = int(rng.integers(1, max_rows + 1)), int(rng.integers(*columns))
    supply = rng.integers(0, 4, rows)
    supply[0] += 1
    return rng.uniform(0, 100, (rows, n_columns)), supply, rng.integers(1, 3, n_columns)


@pytest.mark.parametrize("seed", range(8))
def test_the_nearest_columns_hold_an_optimal_plan(seed: int) -> None:
    cost, supply, demand = _random_problem(np.random.default_rng(seed), 5, (10, 40))
    rows, columns = cost.shape
    kept = nearest_columns(cost, int(supply.sum()))
    full = transport(cost, supply, demand)
    reduced = transport(cost[:, kept], supply, demand[kept])
    assert np.isclose((full * cost).sum(), (reduced * cost[:, kept]).sum(), rtol=1e-12)
    assert len(kept) <= min(columns, rows * int(supply.sum()))


def _setup(units: int, cadres: int, penalty_min: float = 0.0, subdistricts: int = 1,
           communities: int = 2, microgrids: int = 3, lend_max_ride_min: float = np.inf,
           policy: str = "sub-district-first", handover_min: float = 0.0):
    """A dispatcher over a small district with one general grid per community."""
    district = small_district(subdistricts=subdistricts, communities=communities, grids=1,
                              microgrids=microgrids, units=units, cadres=cadres)
    geo = geometry(district)
    env = EventLoop()
    cascade = Cascade(env, 720.0, Trace(False))
    posts = Posts(len(geo.grid_of_microgrid), 1, cascade.trace)
    dispatcher = Dispatcher(cascade, posts, geo, TRAVEL, 30.0, penalty_min, lend_max_ride_min,
                            policy, handover_min=handover_min)
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


def _member_arrives(env: simpy.Environment, posts: Posts, microgrid: int, at_min: float) -> None:
    env.timeout(at_min).callbacks.append(
        lambda _: posts.arrive(microgrid, "member", env.now, announced=False))


def test_a_cadre_whose_post_fills_on_the_way_is_free_where_they_are() -> None:
    geo, env, posts, dispatcher = _setup(units=1, cadres=1)
    posts.open_gaps(np.array([5]), 0.0)
    dispatcher.wait(0)
    dispatcher.dispatch()  # at minute 0, from community 0's office
    office_x = geo.community_xy[0][0]
    post_x = geo.microgrid_xy[0][5]
    ride_min = abs(post_x - office_x) / 30.0 * 60
    _member_arrives(env, posts, 5, ride_min / 4)
    env.run(until=100.0)
    assert ACTIVATED_BY[posts.activated_by[5]] == "member"
    assert posts.on_post[5] == 1 and posts.on_the_way[5] == 0
    assert np.isinf(dispatcher.arrived_min[0])  # never arrived: turned back a quarter of the way
    assert dispatcher.free_xy[0].tolist() == pytest.approx([office_x + (post_x - office_x) / 4, 0.0],
                                                           abs=1e-12)


def test_a_cadre_hands_over_to_the_member_and_is_free_at_the_post() -> None:
    geo, env, posts, dispatcher = _setup(units=1, cadres=1, handover_min=3.0)
    posts.open_gaps(np.array([5]), 0.0)
    dispatcher.wait(0)
    dispatcher.dispatch()
    arrived = abs(geo.microgrid_xy[0][5] - geo.community_xy[0][0]) / 30.0 * 60
    _member_arrives(env, posts, 5, arrived + 10.0)
    env.run(until=100.0)
    assert dispatcher.arrived_min[0] == pytest.approx(arrived, abs=1e-12)
    assert posts.activated_min[5] == dispatcher.arrived_min[0] and posts.hand_changes[5] == 1
    shift = dispatcher.shifts.table()
    assert shift["released_min"].tolist() == pytest.approx([arrived + 10.0 + 3.0], abs=1e-12)
    assert dispatcher.free_xy[0].tolist() == [geo.microgrid_xy[0][5], geo.microgrid_xy[1][5]]


def test_gaps_nobody_is_coming_to_are_served_first() -> None:
    geo, env, posts, dispatcher = _setup(units=1, cadres=1)
    posts.open_gaps(np.array([0, 5]), 0.0)
    office = np.array([[geo.community_xy[0][0], geo.community_xy[1][0]]])
    nearest = int(np.argmin(dispatcher.travel_min(office, np.array([0, 5]))[0]))
    late, free = (0, 5) if nearest == 0 else (5, 0)
    posts.expect_late(late)
    dispatcher.wait(0)
    dispatcher.dispatch()
    assert dispatcher.microgrid[0] == free


def _two_subdistricts(policy: str = "sub-district-first"):
    geo, _, posts, dispatcher = _setup(units=2, cadres=1, subdistricts=2, communities=1,
                                       policy=policy)
    geo.community_xy[0][0] = 0.85  # community 0's office: 0.85 km from post 0, 0.05 km from post 3
    return posts, dispatcher


def test_a_subdistrict_covers_its_own_gaps_first() -> None:
    posts, dispatcher = _two_subdistricts()
    posts.open_gaps(np.array([0, 3]), 0.0)
    dispatcher.wait(0)  # cadre 0 waits at community 0, in sub-district 0
    dispatcher.dispatch()
    assert dispatcher.microgrid[0] == 0  # its own sub-district's gap, though post 3 is nearer


def test_the_nearest_policy_ignores_sub_districts() -> None:
    posts, dispatcher = _two_subdistricts("nearest")
    posts.open_gaps(np.array([0, 3]), 0.0)
    dispatcher.wait(0)
    dispatcher.dispatch()
    assert dispatcher.microgrid[0] == 3  # 0.05 km away, in the other sub-district


@pytest.mark.parametrize("policy, expected", [("paired-first", 2), ("sub-district-first", 3)])
def test_paired_first_serves_the_paired_community_before_a_nearer_gap(policy: str,
                                                                      expected: int) -> None:
    geo, env, posts, dispatcher = _setup(units=1, cadres=1, policy=policy)
    geo.community_xy[0][0] = 0.8  # community 0's office: 0.2 km from its post 2, 0.1 km from post 3
    posts.open_gaps(np.array([2, 3]), 0.0)
    dispatcher.wait(0)
    dispatcher.dispatch()
    assert dispatcher.microgrid[0] == expected


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


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("shape", ["any", "one source", "one sink"])
def test_place_sends_exactly_count_units_at_least_cost(seed: int, shape: str) -> None:
    rng = np.random.default_rng(seed)
    cost, supply, demand = _random_problem(rng, 4, (1, 12))
    if shape == "one source":  # placed cheapest first, without the transport kernel
        cost, supply = cost[:1], supply[:1]
    elif shape == "one sink":
        cost, demand = cost[:, :1], demand[:1]
    rows, columns = cost.shape
    count = int(rng.integers(1, min(supply.sum(), demand.sum()) + 1))
    flow = place(cost, supply, demand, count)
    assert flow.sum() == count
    assert (flow.sum(axis=1) <= supply).all() and (flow.sum(axis=0) <= demand).all()
    # The same problem as a linear program, solved independently: its optimum is integral.
    best = linprog(cost.ravel(), A_ub=np.vstack([np.kron(np.eye(rows), np.ones(columns)),
                                                 np.kron(np.ones(rows), np.eye(columns))]),
                   b_ub=np.concatenate([supply, demand]), A_eq=np.ones((1, rows * columns)),
                   b_eq=[count], bounds=(0, None))
    assert (flow * cost).sum() == pytest.approx(best.fun, rel=1e-9)


def test_groups_split_items_by_key_in_order() -> None:
    items = np.array([10, 11, 12, 13, 14])
    split = groups(items, np.array([2, 0, 2, 0, 1]), 4)
    assert [group.tolist() for group in split] == [[11, 13], [14], [10, 12], []]


def _three_subdistricts(lend_max_ride_min: float = np.inf):
    """Sub-districts 0, 1, 2 along a line (posts 0-1, 2-3, 4-5); cadres paired with community 0.

    Their centres lie 0.6 km apart: a 1.2-minute ride at 30 km/h.
    """
    _, _, posts, dispatcher = _setup(units=1, cadres=3, subdistricts=3, communities=1, microgrids=2,
                                     lend_max_ride_min=lend_max_ride_min)
    return posts, dispatcher


def test_the_district_lends_to_the_nearest_subdistrict_first() -> None:
    posts, dispatcher = _three_subdistricts()
    posts.open_gaps(np.array([3, 4]), 0.0)
    dispatcher.wait(0)
    dispatcher.dispatch()
    assert dispatcher.microgrid[0] == 3


def test_one_subdistrict_lends_to_several_and_no_gap_gets_two() -> None:
    posts, dispatcher = _three_subdistricts()
    posts.open_gaps(np.array([2, 4, 5]), 0.0)
    for cadre in range(3):
        dispatcher.wait(cadre)
    dispatcher.dispatch()
    assert sorted(dispatcher.microgrid.tolist()) == [2, 4, 5]


def test_lent_cadres_are_the_nearest_of_the_lender() -> None:
    # Cadre 0 is paired with community 0, cadre 1 with community 1: both in sub-district 0.
    _, _, posts, dispatcher = _setup(units=2, cadres=1, subdistricts=2, microgrids=2)
    posts.open_gaps(np.array([6]), 0.0)  # in sub-district 1, nearer community 1
    for cadre in range(2):
        dispatcher.wait(cadre)
    dispatcher.dispatch()
    assert dispatcher.microgrid.tolist() == [-1, 6]


def test_the_district_lends_no_farther_than_the_maximum_ride() -> None:
    posts, dispatcher = _three_subdistricts(lend_max_ride_min=2.0)  # sub-district 1, not 2
    posts.open_gaps(np.array([2, 4]), 0.0)
    posts.expect_late(2)  # the gap in reach is one a member is coming to late: still lent to
    for cadre in range(2):
        dispatcher.wait(cadre)
    dispatcher.dispatch()
    assert dispatcher.microgrid.tolist() == [2, -1, -1]
    assert dispatcher.waiting_count.sum() == 1


def test_a_gap_whose_members_are_still_being_called_comes_after_a_true_gap() -> None:
    geo, env, posts, dispatcher = _setup(units=1, cadres=1)
    posts.open_gaps(np.array([0, 5]), 0.0)
    office = np.array([[geo.community_xy[0][0], geo.community_xy[1][0]]])
    nearest = int(np.argmin(dispatcher.travel_min(office, np.array([0, 5]))[0]))
    called, true_gap = (0, 5) if nearest == 0 else (5, 0)
    still = np.zeros(6, dtype=np.int64)
    still[called] = 1
    posts.still_called = lambda microgrids: still[microgrids]
    dispatcher.wait(0)
    dispatcher.dispatch()
    assert dispatcher.microgrid[0] == true_gap


def test_an_unknown_dispatch_policy_is_a_one_line_error_naming_the_key() -> None:
    with pytest.raises(InputError, match=r"cadres\.dispatch_policy: expected one of paired-first, "
                                         r"sub-district-first, nearest, got \"closest\""):
        load_scenario(None, ["cadres.dispatch_policy=closest"])
